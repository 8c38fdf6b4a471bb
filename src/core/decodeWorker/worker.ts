/**
 * Entry point of the decoding worker thread: runs the core decoder, or opens a PKCS#12 file or an encrypted PEM
 * key for TLS, one request at a time, so a file that is costly to decode or open blocks this thread only (the owner terminates
 * it after a deadline).
 */
import { parentPort } from 'node:worker_threads';
import { openedKeyPem } from '../credentials/openedKeyPem';
import { openedPkcs12 } from '../credentials/pkcs12ToPem';
import { decodeBytesAsync, decodePemTextAsync } from '../x509';
import type { DecodeRequest, Pkcs12PemRequest, WorkerReply, WorkerRequest } from './protocol';

const port = parentPort;
if (!port) throw new Error('decodeWorker/worker.js runs as a worker thread only');

// The owner sends one request at a time and waits for its reply, so replies never interleave.
port.on('message', (req: WorkerRequest) => void answer(req));

const bufferOf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

async function answer(req: WorkerRequest): Promise<void> {
  port!.postMessage(
    req.kind === 'pkcs12-pem'
      ? openForTls(req)
      : req.kind === 'key-pem'
        ? { id: req.id, openedKey: openedKeyPem(req.pem, req.passphrase) }
        : await decode(req),
  );
}

async function decode(req: DecodeRequest): Promise<WorkerReply> {
  try {
    const opts = {
      fileName: req.fileName,
      passphrase: req.passphrase,
      expiryWarningDays: req.expiryWarningDays,
      now: req.now,
    };
    const result = await ('bytes' in req.input
      ? decodeBytesAsync(bufferOf(req.input.bytes), opts)
      : decodePemTextAsync(req.input.text, opts));
    return { id: req.id, result };
  } catch (e) {
    // The decoder reports bad input in its result; a throw here is a decoder bug, reported as such.
    return { id: req.id, failure: e instanceof Error ? e.message : String(e) };
  }
}

function openForTls(req: Pkcs12PemRequest): WorkerReply {
  return { id: req.id, opened: openedPkcs12(bufferOf(req.bytes), req.passphrase) };
}
