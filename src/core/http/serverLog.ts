/**
 * The scaffolded server's log lines about refused handshakes, read and merged into our timelines (which line
 * belongs to a connection we made is serverLineFor's, in handshakeTimeline.ts).
 */
import type { HandshakeObservation, ServerLogLine } from './handshakeTypes';
import { buildHandshakeTimeline, serverLineFor } from './handshakeTimeline';

// "2026-11-30T02:00:00.000Z refused handshake from 127.0.0.1:54321 [CODE]: reason" (IPv6 addresses keep their colons).
const REFUSED = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) refused handshake from (.+):(\d+) \[([^\]]+)\]: (.*)$/;

/** The refused-handshake lines of a server log (other lines are ignored). */
export function parseServerLog(text: string): ServerLogLine[] {
  const out: ServerLogLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    // Terminal echoes may carry colour codes: strip them before matching.
    // eslint-disable-next-line no-control-regex -- ESC starts the colour codes this strips
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '').trim();
    const m = REFUSED.exec(line);
    if (m) out.push({ at: m[1], remoteAddress: m[2], remotePort: Number(m[3]), code: m[4], reason: m[5], line });
  }
  return out;
}

/** Something that carries an observation and the timeline built from it (a send result, a probe row). */
export interface ObservedHandshake {
  observation: HandshakeObservation;
  handshake: import('./handshakeTypes').HandshakeTimeline;
}

/**
 * Rebuilds the timelines of `results` with the server's side, reading its log through `read` until every
 * failed connection's refusal line is there or `waitMs` passed (the server writes it as the handshake
 * fails; a pipe or a tee'd file may lag a moment behind).
 */
export async function mergeServerLog(
  read: () => Promise<string> | string,
  results: ObservedHandshake[],
  waitMs = 1_500,
): Promise<void> {
  const wanted = results.filter((r) => r.observation.error !== undefined && r.observation.localPort !== undefined);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const lines = parseServerLog(await read());
    if (wanted.every((r) => serverLineFor(lines, r.observation) !== undefined) || Date.now() >= deadline) {
      for (const r of results) r.handshake = buildHandshakeTimeline(r.observation, lines);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
