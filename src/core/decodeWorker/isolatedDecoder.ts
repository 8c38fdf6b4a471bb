/**
 * Decoding off the caller's thread, with a deadline. A certificate file can ask for minutes of work (key
 * derivation, chain building); in a worker thread that costs the caller nothing, and past the deadline
 * the worker is terminated and the file becomes one "not decoded" error. Requests run in order, up to
 * `concurrency` at a time (one worker each); workers start on first use and stop after a while without work.
 * The same workers open PKCS#12 files and encrypted PEM keys for TLS (a send, a probe): their key derivation
 * alone can take seconds.
 */
import { Worker } from 'node:worker_threads';
import { MtlsError } from '../errors';
import type { OpenedKeyPem } from '../credentials/openedKeyPem';
import type { OpenedPkcs12 } from '../credentials/pkcs12ToPem';
import type { DecodedFile } from '../x509';
import type {
  DecodeInput,
  DecodeRequest,
  KeyPemRequest,
  Pkcs12PemRequest,
  WorkerReply,
  WorkerRequest,
} from './protocol';

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
  /** Appended to the timeout message, in parentheses: where the limit is set. */
  readonly timeoutHint?: string;
  /** Stop the idle worker after this many ms (default 30 s). */
  readonly idleMs?: number;
  /** Requests decoded at the same time, one worker each (default 1). */
  readonly concurrency?: number;
  /** Heap limit of each worker in MB (default 512): a file cannot exhaust the caller's memory either. */
  readonly maxHeapMb?: number;
}

export interface DecodeJobOptions {
  readonly fileName?: string;
  readonly passphrase?: string;
  readonly expiryWarningDays?: number;
  readonly now?: Date;
}

/** Options of one PKCS#12 file or encrypted key opened for TLS. */
export interface OpenPkcs12Options {
  /** Deadline in ms (default: the decoder's); past it the result is an E_PKCS12_TIMEOUT (E_KEY_TIMEOUT) error. */
  readonly timeoutMs?: number;
}

/** One request and how each way it can end settles its promise. */
interface Job {
  readonly request: WorkerRequestBody;
  readonly timeoutMs?: number;
  /** The worker answered. */
  readonly reply: (r: WorkerReply) => void;
  /** The deadline passed (`limit`: "5 s (limit set by …)"). */
  readonly timedOut: (limit: string) => void;
  /** The worker could not start or stopped: `why` completes "the decoder …". */
  readonly failed: (why: string) => void;
  readonly reject: (e: unknown) => void;
}

type WorkerRequestBody = Omit<DecodeRequest, 'id'> | Omit<Pkcs12PemRequest, 'id'> | Omit<KeyPemRequest, 'id'>;

/** The result for a file the decoder did not finish: one error, nothing else. */
function notDecoded(code: 'timeout' | 'worker-failed', message: string, fileName?: string): DecodedFile {
  return {
    fileName,
    format: 'unknown',
    items: [],
    errors: [{ code, message }],
    chain: { links: [], path: [], complete: false, keyMatches: [] },
    problems: [],
  };
}

/** "5 s", "1.5 s", "300 ms". */
function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;
}

/** One worker thread and the request it runs. */
interface Slot {
  worker?: Worker;
  ready?: Promise<Worker>;
  running?: { job: Job; id: number; timer?: NodeJS.Timeout };
}

export class IsolatedDecoder {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** Workers started so far (a new one after each timeout or crash): for tests and the log. */
  started = 0;

  constructor(private readonly opts: IsolatedDecoderOptions) {
    this.slots = Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, () => ({}));
  }

  /** Decodes in a worker. Resolves with the decoder's result, or a "not decoded" one past the deadline. */
  decode(input: DecodeInput, options: DecodeJobOptions = {}): Promise<DecodedFile> {
    const fileName = options.fileName;
    return this.enqueue<DecodedFile>((resolve, reject) => ({
      request: { input, ...options },
      reply: (r) =>
        resolve(
          'result' in r
            ? r.result
            : notDecoded('worker-failed', `not decoded: ${'failure' in r ? r.failure : 'unexpected reply'}`, fileName),
        ),
      timedOut: (limit) => resolve(notDecoded('timeout', `not decoded: took longer than ${limit}`, fileName)),
      failed: (why) => resolve(notDecoded('worker-failed', `not decoded: the decoder ${why}`, fileName)),
      reject,
    }));
  }

  /**
   * Opens a PKCS#12 file for TLS in a worker (pkcs12ToPem there): its chain and key as PEM, or the error opening
   * it threw, as plain data (pemOfOpened turns it back into PEM or a typed error). Never rejects but with
   * DecodeCancelled; past the deadline or when the worker fails, the result is an error saying so.
   */
  openPkcs12(
    bytes: Uint8Array,
    passphrase: string | undefined,
    options: OpenPkcs12Options = {},
  ): Promise<OpenedPkcs12> {
    const error = (code: string, message: string): OpenedPkcs12 => ({ error: { name: 'MtlsError', code, message } });
    return this.enqueue<OpenedPkcs12>((resolve, reject) => ({
      request: { kind: 'pkcs12-pem', bytes, ...(passphrase !== undefined ? { passphrase } : {}) },
      timeoutMs: options.timeoutMs,
      reply: (r) =>
        resolve(
          'opened' in r
            ? r.opened
            : error(
                'E_PKCS12_WORKER',
                'The PKCS#12 file could not be opened: its reader failed unexpectedly. Export it again, or use PEM files (cert and key).',
              ),
        ),
      timedOut: (limit) =>
        resolve(
          error(
            'E_PKCS12_TIMEOUT',
            `Opening the PKCS#12 file took longer than ${limit}: its key derivation is too costly. Export it again with fewer iterations (openssl pkcs12 -export -iter 100000 …), or use PEM files (cert and key).`,
          ),
        ),
      failed: (why) =>
        resolve(
          error(
            'E_PKCS12_WORKER',
            `The PKCS#12 file could not be opened: the reader ${why}. Try again, or use PEM files (cert and key).`,
          ),
        ),
      reject,
    }));
  }

  /**
   * Opens an encrypted PEM private key for TLS in a worker (openedKeyPem there): the key unencrypted, or the error
   * OpenSSL gave, as plain data (keyPemOfOpened turns it back into the key or the error). Never rejects but with
   * DecodeCancelled; past the deadline or when the worker fails, the result is an error saying so.
   */
  openKeyPem(pem: string, passphrase: string | undefined, options: OpenPkcs12Options = {}): Promise<OpenedKeyPem> {
    const error = (code: string, message: string): OpenedKeyPem => ({ error: { name: 'MtlsError', code, message } });
    return this.enqueue<OpenedKeyPem>((resolve, reject) => ({
      request: { kind: 'key-pem', pem, ...(passphrase !== undefined ? { passphrase } : {}) },
      timeoutMs: options.timeoutMs,
      reply: (r) =>
        resolve(
          'openedKey' in r
            ? r.openedKey
            : error('E_KEY_WORKER', 'The private key could not be opened: its reader failed unexpectedly. Try again.'),
        ),
      timedOut: (limit) =>
        resolve(
          error(
            'E_KEY_TIMEOUT',
            `Decrypting the private key took longer than ${limit}: its key derivation is too costly. Encrypt it again with fewer iterations (openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 600000 …).`,
          ),
        ),
      failed: (why) =>
        resolve(error('E_KEY_WORKER', `The private key could not be opened: the reader ${why}. Try again.`)),
      reject,
    }));
  }

  private enqueue<T>(job: (resolve: (v: T) => void, reject: (e: unknown) => void) => Job): Promise<T> {
    if (this.disposed) return Promise.reject(new DecodeCancelled());
    return new Promise<T>((resolve, reject) => {
      this.queue.push(job(resolve, reject));
      clearTimeout(this.idleTimer);
      this.pump();
    });
  }

  /** Drops every queued request and stops the running ones (their workers are terminated); they reject with DecodeCancelled. */
  cancelAll(): void {
    const dropped = this.queue.splice(0);
    for (const slot of this.slots) {
      const running = slot.running;
      if (!running) continue;
      slot.running = undefined;
      clearTimeout(running.timer);
      this.stopWorker(slot);
      dropped.push(running.job);
    }
    for (const j of dropped) j.reject(new DecodeCancelled());
  }

  /** Requests waiting or running. */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.running).length;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.idleTimer);
    this.cancelAll();
    for (const slot of this.slots) this.stopWorker(slot);
  }

  /** Gives queued requests to free workers; with nothing left to do, stops the workers after a while. */
  private pump(): void {
    if (this.disposed) return;
    for (const slot of this.slots) {
      if (slot.running) continue;
      const job = this.queue.shift();
      if (!job) break;
      void this.run(slot, job); // don't wait: it settles the job itself
    }
    if (this.pending === 0) {
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(
        () => this.slots.forEach((slot) => this.stopWorker(slot)),
        this.opts.idleMs ?? 30_000,
      );
      this.idleTimer.unref();
    }
  }

  private async run(slot: Slot, job: Job): Promise<void> {
    const id = this.nextId++;
    // Claimed before the worker is ready, so the slot takes nothing else meanwhile.
    slot.running = { job, id };
    let worker: Worker;
    try {
      worker = await this.start(slot);
    } catch (e) {
      this.finish(slot, id, () => job.failed(`could not start (${(e as Error).message})`));
      return;
    }
    if (slot.running?.id !== id) return; // cancelled while the worker started
    // The deadline counts from when the worker has the request, not from when it was queued.
    const ms = Math.max(1, job.timeoutMs ?? this.opts.timeoutMs());
    slot.running.timer = setTimeout(() => {
      this.stopWorker(slot);
      const hint = this.opts.timeoutHint && job.timeoutMs === undefined ? ` (${this.opts.timeoutHint})` : '';
      this.finish(slot, id, () => job.timedOut(`${duration(ms)}${hint}`));
    }, ms);
    worker.postMessage({ id, ...job.request } satisfies WorkerRequest);
  }

  /** Ends the slot's request `id` (if it still is the one running), then hands out the next. */
  private finish(slot: Slot, id: number, settle: () => void): void {
    if (slot.running?.id !== id) return;
    clearTimeout(slot.running.timer);
    slot.running = undefined;
    settle();
    this.pump();
  }

  private start(slot: Slot): Promise<Worker> {
    if (slot.ready) return slot.ready;
    const worker = new Worker(this.opts.script, {
      resourceLimits: { maxOldGenerationSizeMb: this.opts.maxHeapMb ?? 512 },
    });
    slot.worker = worker;
    this.started++;
    worker.unref(); // never keeps the process alive
    worker.on('message', (reply: WorkerReply) => {
      const r = slot.running;
      if (!r || r.id !== reply.id) return;
      this.finish(slot, reply.id, () => r.job.reply(reply));
    });
    const died = (why: string) => {
      if (slot.worker !== worker) return; // a worker we stopped on purpose
      slot.worker = undefined;
      slot.ready = undefined;
      const r = slot.running;
      if (r) this.finish(slot, r.id, () => r.job.failed(`stopped (${why})`));
    };
    worker.on('error', (e) => died(e.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
    slot.ready = new Promise<Worker>((resolve, reject) => {
      worker.once('online', () => resolve(worker));
      worker.once('error', reject);
    });
    return slot.ready;
  }

  private stopWorker(slot: Slot): void {
    const w = slot.worker;
    slot.worker = undefined;
    slot.ready = undefined;
    if (w) void w.terminate(); // don't wait: its exit is ignored (the slot no longer holds it)
  }
}
