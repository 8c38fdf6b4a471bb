/**
 * The key-derivation work a file may cost, estimated before any of it is done. A crafted .p12 or encrypted key
 * can ask for millions of iterations, several output blocks, many encrypted bags or gigabytes of scrypt
 * memory; decoding tries the empty passphrase on its own, so such a file would cost its victim without a
 * passphrase being typed. Each file gets one budget; every derivation is priced from its parameters and
 * refused, with what the file asks for, when it would take the file over the limit.
 */
import { MtlsError } from '../errors';

/** Key-derivation time one file may cost, so that any file decodes or is refused within about a second. */
const KDF_WORK_LIMIT_MS = 1000;

/** scrypt's memory (128·N·r bytes) above this is refused: OpenSSL's `-scrypt` default uses 16 MiB. */
const SCRYPT_MAX_MEMORY = 64 * 1024 * 1024;

/**
 * Microseconds per iteration per output block, measured on a 2-core cloud VM (bench/decode.bench.ts prints the
 * measured ratio to these estimates). PBKDF2 is OpenSSL's (two compressions per iteration); the PKCS#12 KDF
 * is ours (crypto/iteratedHash.ts for SHA-1/SHA-256, one `createHash` per round otherwise).
 */
const PBKDF2_US: Readonly<Record<string, number>> = { sha1: 0.45, sha224: 0.3, sha256: 0.3, sha384: 0.8, sha512: 0.8 };
const PKCS12_KDF_US: Readonly<Record<string, number>> = { sha1: 0.35, sha256: 0.45, sha384: 2.5, sha512: 2.5 };
/** OpenSSL's own PKCS#12 KDF (encrypted PKCS#8 keys with a PKCS#12 PBE, opened by Node). */
const NATIVE_PKCS12_KDF_US = 0.6;
/** Per N·r·p of scrypt (one BlockMix of 128·r bytes, twice). */
const SCRYPT_US = 1.0;
/** Fixed cost of one derivation call (salt hashing, cipher set-up), so 10,000 tiny bags still add up. */
const CALL_US = 20;

const HASH_NAMES: Readonly<Record<string, string>> = {
  sha1: 'SHA-1',
  sha224: 'SHA-224',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
  md5: 'MD5',
};
const DIGEST_BYTES: Readonly<Record<string, number>> = {
  sha1: 20,
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
  md5: 16,
};

/** `5,000,000`: counts the way people read them. */
export const count = (n: number | bigint): string => n.toLocaleString('en-US');
export const hashName = (hash: string): string => HASH_NAMES[hash] ?? hash;
export const digestBytes = (hash: string): number | undefined => DIGEST_BYTES[hash];

/** One derivation: what it is (a phrase naming what the file asks for) and its estimated time. */
export interface KdfWork {
  readonly what: string;
  readonly ms: number;
}

const blocks = (length: number, hash: string): number => Math.max(1, Math.ceil(length / (DIGEST_BYTES[hash] ?? 32)));
const plural = (n: number, one: string): string => `${count(n)} ${one}${n === 1 ? '' : 's'}`;

/** PBKDF2 producing `keyLength` bytes. */
export function pbkdf2Work(what: string, hash: string, iterations: number, keyLength: number): KdfWork {
  const b = blocks(keyLength, hash);
  return {
    what: `${what} asks for ${plural(iterations, 'iteration')} of PBKDF2-${hashName(hash)}${b > 1 ? ` × ${b} output blocks` : ''}`,
    ms: (iterations * b * (PBKDF2_US[hash] ?? 1) + CALL_US) / 1000,
  };
}

/** The PKCS#12 KDF producing `length` bytes, `times` times (e.g. both empty-passphrase encodings). */
export function pkcs12KdfWork(
  what: string,
  hash: string,
  iterations: number,
  length: number,
  times = 1,
  native = false,
): KdfWork {
  const b = blocks(length, hash);
  const us = native ? NATIVE_PKCS12_KDF_US : (PKCS12_KDF_US[hash] ?? 3);
  return {
    what: `${what} asks for ${plural(iterations, 'iteration')} of ${hashName(hash)}${b > 1 ? ` × ${b} output blocks` : ''}${times > 1 ? ` (tried ${times} ways)` : ''}`,
    ms: (times * (iterations * b * us + CALL_US)) / 1000,
  };
}

/** scrypt(N, r, p); memory over SCRYPT_MAX_MEMORY makes the work infinite (refused whatever the time). */
export function scryptWork(what: string, n: number, r: number, p: number): KdfWork {
  const memory = 128 * n * r;
  const params = `scrypt N=${count(n)}, r=${count(r)}, p=${count(p)}`;
  if (memory > SCRYPT_MAX_MEMORY)
    return {
      what: `${what} asks for ${params}: ${count(Math.round(memory / 1048576))} MiB of memory, over the ${SCRYPT_MAX_MEMORY / 1048576} MiB limit`,
      ms: Infinity,
    };
  return { what: `${what} asks for ${params}`, ms: (n * r * p * SCRYPT_US + CALL_US) / 1000 };
}

/** A file asks for more key derivation than its budget allows: refused before the work is done. */
export class KdfLimitError extends MtlsError {
  constructor(
    message: string,
    readonly work: readonly KdfWork[],
  ) {
    super('E_KDF_LIMIT', message);
    this.name = 'KdfLimitError';
  }
}

const seconds = (ms: number): string =>
  ms >= 10_000 ? `${count(Math.round(ms / 1000))} s` : `${(ms / 1000).toFixed(1)} s`;

/** One file's key-derivation budget, shared by its MAC, its bags and its encrypted keys. */
export class KdfBudget {
  private spentMs = 0;
  constructor(readonly limitMs = KDF_WORK_LIMIT_MS) {}

  /** Throws KdfLimitError, naming the costliest item, unless all of `work` fits in what is left. Records nothing. */
  ensure(work: readonly KdfWork[]): void {
    const total = work.reduce((s, w) => s + w.ms, 0);
    if (this.spentMs + total <= this.limitMs) return;
    const worst = work.reduce((a, b) => (b.ms > a.ms ? b : a));
    const limit = `${count(this.limitMs / 1000)} s work limit`;
    const others = work.length > 1 ? ` (${count(work.length)} derivations in all)` : '';
    const cost = Number.isFinite(total)
      ? `: about ${seconds(total)} of key derivation${others}, over the ${this.spentMs > 0 ? `rest of the ${limit}` : limit}`
      : '';
    throw new KdfLimitError(`${worst.what}${cost} — not decoded`, work);
  }

  /** Records work about to be done, refusing it first if it does not fit. */
  charge(...work: KdfWork[]): void {
    this.ensure(work);
    this.spentMs += work.reduce((s, w) => s + w.ms, 0);
  }
}
