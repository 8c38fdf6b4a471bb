/**
 * Entry point of the decoding worker thread: runs the core decoder on one request at a time, so a file
 * that is costly to decode blocks this thread only (the owner terminates it after a deadline).
 */
import { parentPort } from 'node:worker_threads';
import { decodeBytesAsync, decodePemTextAsync } from '../x509';
import type { DecodeReply, DecodeRequest } from './protocol';

const port = parentPort;
if (!port) throw new Error('decodeWorker/worker.js runs as a worker thread only');

// The owner sends one request at a time and waits for its reply, so replies never interleave.
port.on('message', (req: DecodeRequest) => void answer(req));

async function answer(req: DecodeRequest): Promise<void> {
  let reply: DecodeReply;
  try {
    const opts = { fileName: req.fileName, passphrase: req.passphrase, expiryWarningDays: req.expiryWarningDays, now: req.now };
    const result = await ('bytes' in req.input ? decodeBytesAsync(Buffer.from(req.input.bytes.buffer, req.input.bytes.byteOffset, req.input.bytes.byteLength), opts) : decodePemTextAsync(req.input.text, opts));
    reply = { id: req.id, result };
  } catch (e) {
    // The decoder reports bad input in its result; a throw here is a decoder bug, reported as such.
    reply = { id: req.id, failure: e instanceof Error ? e.message : String(e) };
  }
  port!.postMessage(reply);
}
