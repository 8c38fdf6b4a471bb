/**
 * Reading a webhook's response body with a ceiling: a server that streams without end (or declares a
 * content-length of gigabytes) must not be able to fill the memory of the CLI or of the VS Code extension host.
 */
import { MtlsError } from '../errors';
import type { Explanation } from './explainTlsError';

/**
 * The most of a response body the client reads: 1 MiB. A webhook reply is a few KiB and Dialogflow accepts at
 * most 64 KiB, so a reply that is too large for the platform but finite is still read whole (the response check
 * then says by how much it is over), while an endless body costs at most this much memory per send.
 */
export const MAX_RESPONSE_BODY_BYTES = 1024 * 1024;

/** How much of a cut body the result keeps to show: enough to recognise what the server sent instead. */
const CUT_EXCERPT_BYTES = 4096;

/** The explanation shown with a body that was cut (the TLS table does not describe HTTP answers). */
export const responseTooLargeExplanation: Explanation = {
  code: 'RESPONSE_TOO_LARGE',
  title: 'The response body was too large, and was cut',
  cause: `The server sent more than ${MAX_RESPONSE_BODY_BYTES} bytes (1 MiB) of body, or declared that many: a webhook reply is a few KiB and Dialogflow accepts at most 64 KiB, so the client stopped reading at the limit. The status and headers that arrived are shown.`,
  fix: 'Make the webhook end its response after one JSON reply: look for a handler that streams, serves a file or a proxy that answers in its place.',
};

/** The server's response body went past {@link MAX_RESPONSE_BODY_BYTES}, or declared it would: reading stopped. */
class ResponseTooLargeError extends MtlsError {
  constructor(
    readonly status: number,
    readonly limit: number,
    /** Bytes read before the cut (0 when the declared length alone was over the limit). */
    readonly received: number,
    readonly declared: number | undefined,
  ) {
    const what =
      received > limit
        ? `its body exceeded ${limit} bytes and was cut after ${received} bytes`
        : `its body was cut: the server declared content-length ${declared ?? '?'}, over the ${limit}-byte limit`;
    super(
      'RESPONSE_TOO_LARGE',
      `HTTP ${status} came, but ${what}. A webhook reply should be a few KiB of JSON: check what the server sends instead.`,
    );
    this.name = 'ResponseTooLargeError';
  }
}

/** Bytes read so far: the caller keeps it, so a deadline that ends the read still knows how much arrived. */
export interface BodyProgress {
  bytes: number;
}

/** The body, or its first bytes and the error when it went past the limit. */
export type BoundedBody = { raw: Buffer; cut?: undefined } | { raw: Buffer; cut: ResponseTooLargeError };

/**
 * Reads `body` until it ends or passes `limit` bytes; past the limit it stops reading and destroys the stream (the
 * connection is dropped rather than drained) and keeps only an excerpt. A declared content-length over the limit
 * is refused before reading: waiting for a gigabyte to prove it is pointless.
 */
export async function readBoundedBody(
  body: AsyncIterable<Uint8Array> & { destroy(): unknown; on(event: 'error', listener: (e: Error) => void): unknown },
  o: {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    limit?: number;
    progress?: BodyProgress;
  },
): Promise<BoundedBody> {
  const limit = o.limit ?? MAX_RESPONSE_BODY_BYTES;
  const progress = o.progress ?? { bytes: 0 };
  const declared = declaredLength(o.headers['content-length']);
  if (declared !== undefined && declared > limit) {
    // undici's body emits "Request aborted" when destroyed unread: expected here, not a crash.
    body.on('error', () => undefined);
    body.destroy();
    return { raw: Buffer.alloc(0), cut: new ResponseTooLargeError(o.status, limit, 0, declared) };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    progress.bytes += chunk.byteLength;
    if (progress.bytes > limit) {
      // Leaving the loop destroys the stream.
      return {
        raw: Buffer.from(Buffer.concat(chunks).subarray(0, CUT_EXCERPT_BYTES)),
        cut: new ResponseTooLargeError(o.status, limit, progress.bytes, declared),
      };
    }
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return { raw: Buffer.concat(chunks) };
}

function declaredLength(v: string | string[] | undefined): number | undefined {
  const text = (Array.isArray(v) ? v[0] : v)?.trim();
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}
