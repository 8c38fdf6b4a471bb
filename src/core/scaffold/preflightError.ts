import { MtlsError } from '../errors';
import type { PreflightProblem } from './preflight';

/**
 * The preflight's problems, carried as an error so the notification can offer the first one's action. Its own
 * small module: the VS Code layer tells it apart at activation without loading the preflight or the start command.
 */
export class PreflightError extends MtlsError {
  constructor(
    readonly problems: readonly PreflightProblem[],
    readonly file: string,
  ) {
    super(
      `E_PREFLIGHT_${problems[0].code}`,
      `The server cannot start: ${problems[0].message}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}, see the log)` : ''}`,
    );
    this.name = 'PreflightError';
  }
}
