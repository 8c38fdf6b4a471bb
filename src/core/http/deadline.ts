/**
 * A send's deadline and its caller's cancel as one AbortSignal (for undici) and one promise to race: undici does
 * not abandon a connect in progress when the signal fires.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = (): void => this.controller.abort();
  /** Set when the time ran out (a cancel by the caller leaves it false). */
  timedOut = false;
  /** Rejects when the time runs out or the caller cancels. */
  readonly aborted: Promise<never>;

  constructor(
    readonly timeoutMs: number,
    private readonly callerSignal: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, timeoutMs);
    callerSignal?.addEventListener('abort', this.onAbort, { once: true });
    this.aborted = new Promise<never>((_, reject) =>
      this.controller.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
    );
    this.aborted.catch(() => undefined);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The caller cancelled the send. */
  get cancelled(): boolean {
    return this.callerSignal?.aborted === true;
  }

  /** Stops the clock and lets go of the caller's signal. */
  end(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onAbort);
  }
}
