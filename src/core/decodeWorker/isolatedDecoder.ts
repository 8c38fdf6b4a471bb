/**
 * Decoding off the caller's thread, with a deadline. A certificate file can ask for minutes of work (key
 * derivation, chain building); in a worker thread that costs the caller nothing, and past the deadline
 * the worker is terminated and the file becomes one "not decoded" error. Requests run one at a time, in
 * order; the worker starts on first use and stops after a while without work.
 */
import { Worker } from 'node:worker_threads';
import { MtlsError } from '../errors';
import type { DecodedFile } from '../x509';
import type { DecodeInput, DecodeReply, DecodeRequest } from './protocol';

export type { DecodeInput } from './protocol';

/** A request was dropped by cancelAll() before it produced a result (e.g. the view was refreshed). */
export class DecodeCancelled extends MtlsError {
  constructor() {
    super('cancelled', 'decoding was cancelled');
    this.name = 'DecodeCancelled';
  }
}

export interface IsolatedDecoderOptions {
  /** The worker's script: the bundled dist/decodeWorker.js, or the compiled worker.js. */
  readonly script: string;
  /** Deadline of one request in ms, read at each request (a setting may change it). */
  readonly timeoutMs: () => number;
  /** Appended to the timeout message, in parentheses: how to allow more time. */
  readonly timeoutHint?: string;
  /** Stop the idle worker after this many ms (default 30 s). */
  readonly idleMs?: number;
  /** Heap limit of the worker in MB (default 512): a file cannot exhaust the caller's memory either. */
  readonly maxHeapMb?: number;
}

export interface DecodeJobOptions {
  readonly fileName?: string;
  readonly passphrase?: string;
  readonly expiryWarningDays?: number;
}

interface Job {
  readonly request: Omit<DecodeRequest, 'id'>;
  readonly resolve: (r: DecodedFile) => void;
  readonly reject: (e: unknown) => void;
}

/** The result for a file the decoder did not finish: one error, nothing else. */
export function notDecoded(code: 'timeout' | 'worker-failed', message: string, fileName?: string): DecodedFile {
  return { fileName, format: 'unknown', items: [], errors: [{ code, message }], chain: { links: [], path: [], complete: false, keyMatches: [] }, problems: [] };
}

/** "5 s", "1.5 s", "300 ms". */
function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;
}

export class IsolatedDecoder {
  private worker: Worker | undefined;
  private ready: Promise<Worker> | undefined;
  private readonly queue: Job[] = [];
  private running: { job: Job; id: number; timer?: NodeJS.Timeout } | undefined;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** Workers started so far (a new one after each timeout or crash): for tests and the log. */
  started = 0;

  constructor(private readonly opts: IsolatedDecoderOptions) {}

  /** Decodes in the worker. Resolves with the decoder's result, or a "not decoded" one past the deadline. */
  decode(input: DecodeInput, options: DecodeJobOptions = {}): Promise<DecodedFile> {
    if (this.disposed) return Promise.reject(new DecodeCancelled());
    return new Promise<DecodedFile>((resolve, reject) => {
      this.queue.push({ request: { input, ...options }, resolve, reject });
      clearTimeout(this.idleTimer);
      void this.pump();
    });
  }

  /** Drops every queued request and stops the one running (its worker is terminated); they reject with DecodeCancelled. */
  cancelAll(): void {
    const dropped = this.queue.splice(0);
    const running = this.running;
    if (running) {
      this.running = undefined;
      clearTimeout(running.timer);
      this.stopWorker();
      dropped.push(running.job);
    }
    for (const j of dropped) j.reject(new DecodeCancelled());
  }

  /** Requests waiting or running. */
  get pending(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.idleTimer);
    this.cancelAll();
    this.stopWorker();
  }

  private async pump(): Promise<void> {
    if (this.running || this.disposed) return;
    const job = this.queue.shift();
    if (!job) {
      this.idleTimer = setTimeout(() => this.stopWorker(), this.opts.idleMs ?? 30_000);
      this.idleTimer.unref();
      return;
    }
    const id = this.nextId++;
    // Claimed before the worker is ready, so a second pump() waits its turn.
    this.running = { job, id };
    let worker: Worker;
    try {
      worker = await this.start();
    } catch (e) {
      this.finish(id, () => job.resolve(notDecoded('worker-failed', `not decoded: the decoder could not start (${(e as Error).message})`, job.request.fileName)));
      return;
    }
    if (this.running?.id !== id) return; // cancelled while the worker started
    // The deadline counts from when the worker has the request, not from when it was queued.
    const ms = Math.max(1, this.opts.timeoutMs());
    this.running.timer = setTimeout(() => {
      this.stopWorker();
      const hint = this.opts.timeoutHint ? `: ${this.opts.timeoutHint}` : '';
      this.finish(id, () => job.resolve(notDecoded('timeout', `not decoded: took longer than ${duration(ms)} (stopped${hint})`, job.request.fileName)));
    }, ms);
    worker.postMessage({ id, ...job.request } satisfies DecodeRequest);
  }

  /** Ends the running request `id` (if it still is the running one), then starts the next. */
  private finish(id: number, settle: () => void): void {
    if (this.running?.id !== id) return;
    clearTimeout(this.running.timer);
    this.running = undefined;
    settle();
    void this.pump();
  }

  private start(): Promise<Worker> {
    if (this.ready) return this.ready;
    const worker = new Worker(this.opts.script, { resourceLimits: { maxOldGenerationSizeMb: this.opts.maxHeapMb ?? 512 } });
    this.worker = worker;
    this.started++;
    worker.unref(); // never keeps the process alive
    worker.on('message', (reply: DecodeReply) => {
      const r = this.running;
      if (!r || r.id !== reply.id) return;
      this.finish(reply.id, () => ('result' in reply ? r.job.resolve(reply.result) : r.job.resolve(notDecoded('worker-failed', `not decoded: ${reply.failure}`, r.job.request.fileName))));
    });
    const died = (why: string) => {
      if (this.worker !== worker) return; // a worker we stopped on purpose
      this.worker = undefined;
      this.ready = undefined;
      const r = this.running;
      if (r) this.finish(r.id, () => r.job.resolve(notDecoded('worker-failed', `not decoded: the decoder stopped (${why})`, r.job.request.fileName)));
    };
    worker.on('error', (e) => died(e.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
    this.ready = new Promise<Worker>((resolve, reject) => {
      worker.once('online', () => resolve(worker));
      worker.once('error', reject);
    });
    return this.ready;
  }

  private stopWorker(): void {
    const w = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (w) void w.terminate();
  }
}
