/**
 * Base class for every failure the user can act on. `message` is the user-facing sentence (what went
 * wrong and what to do); `code` is stable so callers (CLI exit codes, VS Code actions) can branch on it.
 */
export class MtlsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MtlsError';
  }
}

/** The user's input is wrong (bad flag value, bad SAN, unknown key type): nothing was done. */
export class InputError extends MtlsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_INPUT', message, options);
    this.name = 'InputError';
  }
}
