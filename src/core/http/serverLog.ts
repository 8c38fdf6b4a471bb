/**
 * The scaffolded server's log lines about refused handshakes, and which of them belongs to a connection
 * we made: the server logs the client's address and port, and we know our local port and when we sent.
 */
import type { HandshakeObservation, ServerLogLine } from './handshakeTypes';

// "2026-11-30T02:00:00.000Z refused handshake from 127.0.0.1:54321 [CODE]: reason" (IPv6 addresses keep their colons).
const REFUSED = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) refused handshake from (.+):(\d+) \[([^\]]+)\]: (.*)$/;

/** The refused-handshake lines of a server log (other lines are ignored). */
export function parseServerLog(text: string): ServerLogLine[] {
  const out: ServerLogLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    // Terminal echoes may carry colour codes: strip them before matching.
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '').trim();
    const m = REFUSED.exec(line);
    if (m) out.push({ at: m[1]!, remoteAddress: m[2]!, remotePort: Number(m[3]), code: m[4]!, reason: m[5]!, line });
  }
  return out;
}

// Clocks are the same machine's for a server we started; the slack covers log buffering only.
const SLACK_BEFORE_MS = 1_000;
const SLACK_AFTER_MS = 5_000;

/** The server's line for the connection `obs` describes: same client port, logged while that send ran. */
export function serverLineFor(lines: readonly ServerLogLine[], obs: HandshakeObservation): ServerLogLine | undefined {
  if (obs.localPort === undefined) return undefined;
  const start = Date.parse(obs.startedAt);
  const end = start + obs.marks.endMs;
  return lines.find((l) => {
    const at = Date.parse(l.at);
    return l.remotePort === obs.localPort && at >= start - SLACK_BEFORE_MS && at <= end + SLACK_AFTER_MS;
  });
}
