// The decoding worker: real worker threads running the compiled decoder, real hostile files made here.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { DecodeCancelled, IsolatedDecoder } from '../../../src/core/decodeWorker/isolatedDecoder';
import { decodeBytes } from '../../../src/core/x509/index';
import { buildPkcs12 } from '../../../src/core/pki/index';
import { privateKeyPem } from '../../../src/core/pki/keys';
import { kdfBombP12, sameNameBundle, testCertificate } from '../../hostile/inputs';
import { longestStall } from '../../hostile/longestStall';

const script = join(__dirname, '../../../src/core/decodeWorker/worker.js');
const decoders: IsolatedDecoder[] = [];
const make = (timeoutMs: number) => {
  const d = new IsolatedDecoder({ script, timeoutMs: () => timeoutMs, timeoutHint: 'raise the limit' });
  decoders.push(d);
  return d;
};
after(() => decoders.forEach((d) => d.dispose()));

const ca = testCertificate({ cn: 'Worker Test CA', ca: true });
/** Seconds of decoding (thousands of same-name issuers), whatever bounds the decoder sets on key derivation. */
let costly: Buffer | undefined;
const costlyFile = () => (costly ??= Buffer.from(sameNameBundle(3000)));
const leaf = testCertificate({ cn: 'worker-leaf', issuer: ca });

test('decodes in the worker exactly what the decoder decodes in process', async () => {
  const bytes = Buffer.from(leaf.pem + ca.pem);
  const viaWorker = await make(10_000).decode({ bytes }, { fileName: 'chain.pem' });
  const inProcess = decodeBytes(bytes, { fileName: 'chain.pem' });
  assert.deepEqual(
    viaWorker.items.map((i) => i.kind === 'certificate' && i.subject.text),
    inProcess.items.map((i) => i.kind === 'certificate' && i.subject.text),
  );
  assert.deepEqual(viaWorker.chain.links, inProcess.chain.links);
  assert.equal(viaWorker.chain.complete, true);
  const text = await make(10_000).decode({ text: `notes\n${leaf.pem}` });
  assert.match(JSON.stringify(text.items[0]), /worker-leaf/);
});

test('the worker judges validity at the time it is given, as the decoder does in process', async () => {
  const bytes = Buffer.from(leaf.pem);
  const [item] = decodeBytes(bytes).items;
  assert.ok(item.kind === 'certificate');
  const later = new Date(Date.parse(item.notAfter) + 86_400_000);
  const [now, after] = await Promise.all([
    make(10_000).decode({ bytes }),
    make(10_000).decode({ bytes }, { now: later }),
  ]);
  assert.ok(now.items[0].kind === 'certificate' && after.items[0].kind === 'certificate');
  assert.equal(now.items[0].validity, 'valid');
  assert.equal(after.items[0].validity, 'expired');
  assert.deepEqual(after.items[0], decodeBytes(bytes, { now: later }).items[0]);
});

test('a file past the deadline becomes one "not decoded" error, the worker is replaced, the next file decodes', async () => {
  const d = make(2); // 2 ms: no decoder reads a thousand certificates that fast
  const bundle = Buffer.from(Array.from({ length: 1000 }, () => leaf.pem).join(''));
  const r = await d.decode({ bytes: bundle }, { fileName: 'big.pem' });
  assert.deepEqual(r.items, []);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].code, 'timeout');
  assert.equal(r.errors[0].message, 'not decoded: took longer than 2 ms (raise the limit)');
  assert.equal(d.started, 1);
  const relaxed = make(10_000);
  const again = await relaxed.decode({ bytes: Buffer.from(ca.pem) });
  assert.equal(again.items.length, 1);
});

test('a KDF bomb costs the calling thread nothing: refused or "not decoded" within the deadline, thread never stalls', async () => {
  const d = make(1500);
  const t0 = Date.now();
  const { value: r, stallMs } = await longestStall(() => d.decode({ bytes: kdfBombP12() }, { fileName: 'bomb.p12' }));
  const ms = Date.now() - t0;
  assert.deepEqual(r.items, []);
  assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
  // Either the decoder's own bound refuses it, or the deadline stops it: never a hang, never a result.
  if (r.errors[0].code === 'timeout') assert.match(r.errors[0].message, /^not decoded: took longer than 1\.5 s/);
  assert.ok(ms < 1500 + 5000, `answered after ${ms} ms`);
  assert.ok(stallMs < 1000, `the calling thread stalled ${stallMs} ms`);
  // The replacement worker decodes the next file normally.
  const next = await d.decode({ bytes: Buffer.from(ca.pem) });
  assert.equal(next.items.length, 1);
});

test('cancelAll drops queued and running requests (DecodeCancelled) and the decoder stays usable', async () => {
  const d = make(60_000);
  await d.decode({ bytes: Buffer.from(ca.pem) }); // the worker is online: the next request goes to it at once
  const running = d.decode({ bytes: costlyFile() });
  const queued = d.decode({ bytes: Buffer.from(ca.pem) });
  await new Promise((r) => setImmediate(r)); // the running request has been posted to the worker
  assert.equal(d.pending, 2);
  d.cancelAll();
  await assert.rejects(running, DecodeCancelled);
  await assert.rejects(queued, DecodeCancelled);
  assert.equal(d.pending, 0);
  const after = await d.decode({ bytes: Buffer.from(ca.pem) });
  assert.equal(after.items.length, 1);
});

test('PKCS#12: the passphrase travels to the worker; without it the file asks for one', async () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const cert = testCertificate({ cn: 'p12-in-worker', key });
  const p12 = await buildPkcs12({ certPem: cert.pem, keyPem: privateKeyPem(key), passphrase: 'worker-secret' });
  const d = make(20_000);
  const locked = await d.decode({ bytes: p12 }, { fileName: 'a.p12' });
  assert.equal(locked.needsPassphrase, true);
  const open = await d.decode({ bytes: p12 }, { fileName: 'a.p12', passphrase: 'worker-secret' });
  assert.deepEqual(open.items.map((i) => i.kind).sort(), ['certificate', 'privateKey']);
});

test('thousands of same-name issuers: decoded or stopped at the deadline, never a stall', async () => {
  const d = make(1500);
  const bundle = Buffer.from(sameNameBundle(5000));
  const { value: r, stallMs } = await longestStall(() => d.decode({ bytes: bundle }));
  assert.ok(
    r.items.length === 5000 || (r.items.length === 0 && r.errors[0]?.code === 'timeout'),
    `${r.items.length} items, ${JSON.stringify(r.errors)}`,
  );
  assert.ok(stallMs < 1000, `the calling thread stalled ${stallMs} ms`);
});

test('with two workers, a normal file is not held up behind a costly one', async () => {
  const d = new IsolatedDecoder({ script, timeoutMs: () => 60_000, concurrency: 2 });
  decoders.push(d);
  const order: string[] = [];
  const bomb = d.decode({ bytes: costlyFile() }).then((r) => (order.push('bomb'), r));
  const normal = d.decode({ bytes: Buffer.from(ca.pem) }).then((r) => (order.push('normal'), r));
  const [b, n] = await Promise.all([bomb, normal]);
  assert.equal(n.items.length, 1);
  assert.equal(b.items.length, 3000);
  assert.deepEqual(order, ['normal', 'bomb']);
  assert.equal(d.started, 2);
});
