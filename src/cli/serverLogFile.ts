import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { buildHandshakeTimeline, parseServerLog, serverLineFor, type HandshakeObservation, type HandshakeTimeline } from '../core/http/index';
import { InputError } from '../core/errors';
import type { CliContext } from './command';

// The server writes its refusal as the handshake fails; a tee'd file may lag it by a moment.
const WAIT_MS = 1_500;

/**
 * Adds the scaffolded server's side to failed handshakes: reads its log (e.g. `mtls serve server.ts | tee
 * server.log`), waiting briefly for the refusal lines of our connections, and rebuilds their timelines.
 */
export async function mergeServerLogFile(ctx: CliContext, file: string, results: { observation: HandshakeObservation; handshake: HandshakeTimeline }[]): Promise<void> {
  const full = path.resolve(ctx.cwd, file);
  const wanted = results.filter((r) => r.observation.error !== undefined && r.observation.localPort !== undefined);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    let text: string;
    try {
      text = await fs.readFile(full, 'utf8');
    } catch (e) {
      throw new InputError(`Cannot read the server log ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { cause: e });
    }
    const lines = parseServerLog(text);
    const missing = wanted.filter((r) => serverLineFor(lines, r.observation) === undefined);
    if (missing.length === 0 || Date.now() >= deadline) {
      for (const r of results) r.handshake = buildHandshakeTimeline(r.observation, lines);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
