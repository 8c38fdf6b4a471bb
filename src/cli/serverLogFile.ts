import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { mergeServerLog, type ObservedHandshake } from '../core/http/index';
import { InputError } from '../core/errors';
import type { CliContext } from './command';

/**
 * Adds the scaffolded server's side to failed handshakes from its log file (e.g. `mtls serve server.mts |
 * tee server.log`): the refusal lines of our connections are matched by client port and time.
 */
export async function mergeServerLogFile(ctx: CliContext, file: string, results: ObservedHandshake[]): Promise<void> {
  const full = path.resolve(ctx.cwd, file);
  await mergeServerLog(async () => {
    try {
      return await fs.readFile(full, 'utf8');
    } catch (e) {
      throw new InputError(
        `Cannot read the server log ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
        { cause: e },
      );
    }
  }, results);
}
