import type { ChildProcess } from 'node:child_process';
import { MtlsError } from '../errors';
import { serverErrorLine, serverReadyLine } from './serverLines';

/** A server that reported a startup failure line (`mtls-server error [CODE]: …`); `serverCode` is CODE. */
export class ServerStartError extends MtlsError {
  constructor(
    readonly serverCode: string,
    message: string,
  ) {
    super(`E_SERVER_${serverCode}`, message);
    this.name = 'ServerStartError';
  }
}

export interface StartupWatch {
  readonly timeoutMs: number;
  /** The executable, named when it cannot be run. */
  readonly command: string;
  /** Where to look for more (a terminal's name, the output so far): ends the timeout and early-exit messages. */
  readonly detail: () => string;
  /** Appended when the executable cannot be run (e.g. which setting picks another). */
  readonly spawnHint?: string;
}

/**
 * Resolves with the URL once a scaffolded server prints its ready line; rejects on its error line, an exit
 * before that, a spawn failure, or the timeout. It never kills the process: the caller decides.
 */
export function awaitServerReady(child: ChildProcess, w: StartupWatch): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let buffer = '';
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new MtlsError(
              'E_SERVER_TIMEOUT',
              `The server did not report that it is listening within ${w.timeoutMs / 1000} s. ${w.detail()}`,
            ),
          ),
        ),
      w.timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      if (settled) return;
      buffer += chunk.toString('utf8');
      const err = serverErrorLine.exec(buffer);
      if (err) return settle(() => reject(new ServerStartError(err[1], err[2])));
      const ready = serverReadyLine.exec(buffer);
      if (ready) settle(() => resolve(ready[1]));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (e) =>
      settle(() =>
        reject(
          new MtlsError(
            'E_SERVER_SPAWN',
            `Could not run ${w.command}: ${e.message}.${w.spawnHint ? ` ${w.spawnHint}` : ''}`,
            { cause: e },
          ),
        ),
      ),
    );
    child.once('exit', (code, signal) =>
      settle(() =>
        reject(
          new MtlsError(
            'E_SERVER_EXIT',
            `The server exited (${signal ?? `code ${code}`}) before it was listening. ${w.detail()}`,
          ),
        ),
      ),
    );
  });
}
