/**
 * Decode benchmark: decode every certificate in Node's root store (one PEM file) vs
 * `openssl storeutl -noout -text -certs FILE`. (1) our in-process full decode (every field, chain, problems)
 * against the whole openssl process; (2) what the whole `node dist/cli.js decode FILE` process takes above bare
 * Node start (`node -e 0`, same rounds) against the whole openssl process. Informational rows explain the second:
 * the self-signature checks alone (in-process, and as the least Node program that does them) and openssl doing
 * the same checks.
 * Rounds alternate ours/reference so both see the same machine state; medians are reported.
 * Run: npx tsc -p . && npm run build && node out/bench/decode.bench.js
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { rootCertificates } from 'node:tls';
import { promisify } from 'node:util';
import { readCertificate } from '../src/core/x509/certificate';
import { verifySignature } from '../src/core/x509/keys';
import { decodeBytesAsync } from '../src/core/x509/index';
import { certificatesFromPem } from '../src/core/x509/pem';

const run = promisify(execFile);
const REFERENCE = 'openssl storeutl -noout -text -certs';
const cli =
  [path.resolve(__dirname, '../../dist/cli.js'), path.resolve('dist/cli.js')].find((p) => existsSync(p)) ??
  'dist/cli.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function reference(file: string): Promise<number> {
  const t0 = performance.now();
  const { stdout } = await run('openssl', ['storeutl', '-noout', '-text', '-certs', file], { maxBuffer: 64 * 2 ** 20 });
  const ms = performance.now() - t0;
  if (!stdout.includes('Certificate:')) throw new Error('openssl storeutl printed no certificates');
  return ms;
}

/** What `mtls decode` and the extension's worker run: self-signatures verified on the thread pool while parsing. */
async function inProcess(file: string): Promise<number> {
  const t0 = performance.now();
  const decoded = await decodeBytesAsync(readFileSync(file), { fileName: file });
  const ms = performance.now() - t0;
  if (decoded.items.length !== rootCertificates.length)
    throw new Error(`decoded ${decoded.items.length} of ${rootCertificates.length} certificates`);
  return ms;
}

async function wholeCli(file: string): Promise<number> {
  const t0 = performance.now();
  const { stdout } = await run(process.execPath, [cli, 'decode', file], { maxBuffer: 64 * 2 ** 20 });
  const ms = performance.now() - t0;
  if (!stdout.includes('SHA-256 fingerprint')) throw new Error('mtls decode printed no certificates');
  return ms;
}

const SAME_CHECKS =
  'openssl storeutl -noout -text -certs, then openssl verify -check_ss_sig of each certificate (two processes)';

/**
 * openssl doing what `mtls decode` does: print every field (storeutl) and check every self-signature (one `verify`
 * process given each certificate as its own file, with the bundle as its trust store; -no_check_time so expired
 * roots are still checked). Timed as the two whole processes, one after the other.
 */
async function referenceSameChecks(file: string, singles: string[]): Promise<number> {
  const t0 = performance.now();
  await run('openssl', ['storeutl', '-noout', '-text', '-certs', file], { maxBuffer: 64 * 2 ** 20 });
  const { stdout } = await run(
    'openssl',
    ['verify', '-no-CApath', '-CAfile', file, '-check_ss_sig', '-no_check_time', ...singles],
    { maxBuffer: 64 * 2 ** 20 },
  );
  const ms = performance.now() - t0;
  const ok = stdout.split('\n').filter((l) => l.endsWith(': OK')).length;
  if (ok !== singles.length) throw new Error(`openssl verify accepted ${ok} of ${singles.length} self-signatures`);
  return ms;
}

/**
 * What checking every self-signature costs on its own, on one thread: each root's key loaded from its SPKI and
 * its signature verified (the certificates are parsed beforehand, outside the timing). Both decode rows include
 * this work; openssl storeutl does none of it.
 */
function selfSignatureChecks(file: string): number {
  const certs = certificatesFromPem(readFileSync(file, 'latin1'), file).map((der) => readCertificate(der));
  const t0 = performance.now();
  let good = 0;
  for (const c of certs) if (verifySignature(c.decoded.signatureAlgorithm, c.tbsDer, c.spkiDer, c.signature)) good++;
  const ms = performance.now() - t0;
  if (good < certs.length * 0.9) throw new Error(`only ${good} of ${certs.length} self-signatures verified`);
  return ms;
}

const floorProgram = path.resolve(__dirname, 'selfSignatureFloor.js');

/** The whole run of the least Node program that checks every self-signature (bench/selfSignatureFloor.ts). */
async function selfSignatureFloor(file: string): Promise<number> {
  const t0 = performance.now();
  const { stdout } = await run(process.execPath, [floorProgram, file]);
  const ms = performance.now() - t0;
  const [verified, total] = stdout.split(' of ').map(Number);
  if (!(total > 0) || verified < total * 0.9)
    throw new Error(`the floor program verified ${stdout.trim()} self-signatures`);
  return ms;
}

/** `node -e 0`: the floor under any Node CLI, reported so the whole-process ratio can be read fairly. */
async function nodeStartup(): Promise<number> {
  const t0 = performance.now();
  await run(process.execPath, ['-e', '0']);
  return performance.now() - t0;
}

function report(
  name: string,
  oursMs: number,
  refMs: number,
  ratio: number,
  target: string,
  pass: boolean | null,
  extra: Record<string, number> = {},
  reference = REFERENCE,
): void {
  const r = (x: number) => Math.round(x * 10) / 10;
  console.log(
    `BENCH ${JSON.stringify({ area: 'decode', name, ours_ms: r(oursMs), reference, reference_ms: r(refMs), ratio: Math.round(ratio * 100) / 100, target, pass, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, r(v)])) })}`,
  );
}

async function mainBench(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtls-bench-decode-'));
  const file = path.join(dir, 'roots.pem');
  writeFileSync(file, rootCertificates.join('\n') + '\n');
  const singles = rootCertificates.map((pem, i) => {
    const single = path.join(dir, `root-${i}.pem`);
    writeFileSync(single, pem + '\n');
    return single;
  });
  try {
    // Warm-up: JIT, module loading, the first spawn and the page cache.
    await inProcess(file);
    await reference(file);
    await wholeCli(file);
    const rounds = 21;
    const ours1: number[] = [];
    const ref1: number[] = [];
    for (let i = 0; i < rounds; i++) {
      ours1.push(await inProcess(file));
      ref1.push(await reference(file));
    }
    const a = median(ours1);
    const b = median(ref1);
    report(
      `decode ${rootCertificates.length} root certificates in-process (every field)`,
      a,
      b,
      b / a,
      'ratio ≥ 1.0 (reference_ms / ours_ms)',
      b / a >= 1,
    );
    const checks: number[] = [];
    const ref3: number[] = [];
    for (let i = 0; i < rounds; i++) {
      checks.push(selfSignatureChecks(file));
      ref3.push(await reference(file));
    }
    const f = median(checks);
    const g = median(ref3);
    report(
      `within both decode rows: checking the ${rootCertificates.length} self-signatures alone (key loads + verifies, one thread)`,
      f,
      g,
      f / g,
      'none: work openssl storeutl does not do, as a share of its whole run',
      null,
    );
    const ours2: number[] = [];
    const ref2: number[] = [];
    const bare: number[] = [];
    const same: number[] = [];
    const floor: number[] = [];
    await referenceSameChecks(file, singles);
    await selfSignatureFloor(file);
    for (let i = 0; i < rounds; i++) {
      ours2.push(await wholeCli(file));
      ref2.push(await reference(file));
      bare.push(await nodeStartup());
      same.push(await referenceSameChecks(file, singles));
      floor.push(await selfSignatureFloor(file));
    }
    // The start-up target: what `mtls decode` adds on top of bare Node's start must not exceed openssl's
    // whole run (Node's own start is a floor no Node CLI can go under).
    const c = median(ours2);
    const d = median(ref2);
    const e = median(bare);
    const above = c - e;
    report(
      `mtls decode of ${rootCertificates.length} root certificates, whole process above bare Node start (node -e 0)`,
      above,
      d,
      above / d,
      'ratio ≤ 1.0 ((ours_ms − node -e 0) / reference_ms)',
      above / d <= 1,
      { whole_process_ms: c, node_startup_ms: e },
    );
    // What the self-signature checks alone cost a Node process: a floor under the whole-process row, against
    // the same openssl run (what the whole-process target leaves for decoding and printing every field).
    const floorAbove = median(floor) - e;
    report(
      `floor: a Node program that only checks the ${rootCertificates.length} self-signatures (no decoding, no output), whole process above bare Node start`,
      floorAbove,
      d,
      floorAbove / d,
      'none: the least any Node CLI that checks them adds to node -e 0, against openssl storeutl',
      null,
      { whole_process_ms: median(floor) },
    );
    const h = median(same);
    report(
      `the same mtls decode against openssl printing every field and checking every self-signature`,
      above,
      h,
      above / h,
      'none: ours_ms − node -e 0, against openssl doing the same work',
      null,
      {},
      SAME_CHECKS,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

mainBench().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
