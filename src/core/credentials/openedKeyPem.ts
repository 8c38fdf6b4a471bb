/**
 * An encrypted PEM private key (PKCS#8 `ENCRYPTED PRIVATE KEY`, or a legacy `Proc-Type: 4,ENCRYPTED` block) opened
 * with its passphrase before a TLS context is built: at 2,000,000 PBKDF2 iterations that alone takes most of a
 * second, so the extension does it in the decoder's worker thread and builds the context from the plain key.
 * The plain key is held in memory only: never written, logged or shown.
 */
import { createPrivateKey } from 'node:crypto';
import { MtlsError } from '../errors';
import type { MtlsErrorCode } from '../errorCodes';

/**
 * A key opened for TLS, as plain data (it crosses from a worker thread): the unencrypted key as PKCS#8 PEM, or the
 * error opening it gave (OpenSSL's code and message, so a wrong passphrase is explained as it always was).
 */
export interface OpenedKeyPem {
  readonly keyPem?: string;
  readonly error?: { readonly name: string; readonly code?: string; readonly message: string };
}

/**
 * Opens the private key of `pem` with `passphrase` as a TLS context loads it (no passphrase is the empty one) and
 * returns it unencrypted, or the error as plain data.
 */
export function openedKeyPem(pem: string, passphrase: string | undefined): OpenedKeyPem {
  try {
    const key = createPrivateKey({ key: pem, format: 'pem', passphrase: passphrase ?? '' });
    return { keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString() };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    const code = (e as { code?: unknown } | undefined)?.code;
    return { error: { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) } };
  }
}

/**
 * The plain key PEM of a key opened by openedKeyPem, or the error opening it gave, thrown again: one of ours (a
 * deadline, a failed worker) as the MtlsError it was, OpenSSL's as an Error with its code and message.
 */
export function keyPemOfOpened(opened: OpenedKeyPem): string {
  const e = opened.error;
  if (e === undefined) {
    if (opened.keyPem === undefined) throw new Error('the key reader returned neither a key nor an error');
    return opened.keyPem;
  }
  if (e.name === 'MtlsError' && e.code !== undefined) throw new MtlsError(e.code as MtlsErrorCode, e.message);
  throw Object.assign(new Error(e.message), e.code !== undefined ? { code: e.code } : {});
}
