import { promises as fs } from 'node:fs';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { isEncryptedKeyPem } from '../crypto/wrongPassphrase';
import { checkPortFree } from '../localProbes';
import type { ServerConfig } from './serverConfig';
import type { PreflightCode } from '../serverStartCodes';

/** The problem codes, the same as the server's `mtls-server error [CODE]` lines (startCodes.ts: each one's action). */
export type { PreflightCode } from '../serverStartCodes';

/** One reason the server would not start (or would be refused by every client). */
export interface PreflightProblem {
  readonly code: PreflightCode;
  readonly message: string;
  /** The file or address concerned. */
  readonly subject: string;
}

/** Formats a problem exactly like the server's own startup failure line. */
export function formatProblem(p: PreflightProblem): string {
  return `mtls-server error [${p.code}]: ${p.message}`;
}

async function readOr(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch {
    return undefined;
  }
}

/** Checks what the server checks at startup (files, key ↔ cert, passphrase, port) and returns every problem. */
export async function preflight(config: ServerConfig): Promise<PreflightProblem[]> {
  const problems: PreflightProblem[] = [];
  const add = (code: PreflightCode, subject: string, message: string): void =>
    void problems.push({ code, subject, message });
  // Plain HTTP behind an edge: the server reads only its CA bundle (no key or certificate of its own).
  const ownIdentity = config.edge === '' || config.edgeListen === 'https';
  const [key, cert, ca] = await Promise.all([
    ownIdentity ? readOr(config.keyPath) : undefined,
    ownIdentity ? readOr(config.certPath) : undefined,
    readOr(config.caPath),
  ]);
  const hint = 'generate certificates with mtls chain, or set';
  if (ownIdentity && !key)
    add('ENOENT_KEY', config.keyPath, `private key not found: ${config.keyPath} (${hint} MTLS_KEY)`);
  if (ownIdentity && !cert)
    add('ENOENT_CERT', config.certPath, `server certificate not found: ${config.certPath} (${hint} MTLS_CERT)`);
  if (!ca) add('ENOENT_CA', config.caPath, `CA bundle not found: ${config.caPath} (${hint} MTLS_CA)`);
  let keyObject: KeyObject | undefined;
  if (key) {
    try {
      keyObject = createPrivateKey({
        key,
        ...(config.passphrase !== undefined ? { passphrase: config.passphrase } : {}),
      });
    } catch (e) {
      // OpenSSL's messages vary ('interrupted or cancelled', 'bad decrypt', 'unsupported'): decide from the PEM, as the server does.
      if (isEncryptedKeyPem(key.toString('latin1'))) {
        add(
          'BAD_PASSPHRASE',
          config.keyPath,
          config.passphrase === undefined
            ? `the private key ${config.keyPath} is encrypted: set MTLS_KEY_PASSPHRASE`
            : `wrong passphrase for ${config.keyPath} (MTLS_KEY_PASSPHRASE)`,
        );
      } else add('BAD_KEY', config.keyPath, `not a private key: ${config.keyPath} (${(e as Error).message})`);
    }
  }
  if (cert) {
    try {
      const leaf = new X509Certificate(cert);
      if (keyObject && !leaf.checkPrivateKey(keyObject)) {
        add(
          'KEY_MISMATCH',
          config.keyPath,
          `the private key ${config.keyPath} does not belong to the certificate ${config.certPath}`,
        );
      }
      if (Date.parse(leaf.validTo) < Date.now())
        add('CERT_EXPIRED', config.certPath, `the server certificate ${config.certPath} expired on ${leaf.validTo}`);
    } catch (e) {
      add('BAD_CERT', config.certPath, `not a PEM certificate: ${config.certPath} (${(e as Error).message})`);
    }
  }
  // Under any label Node loads as a certificate (see src/server/credentials.mts).
  if (ca && !/-----BEGIN (TRUSTED |X509 )?CERTIFICATE-----/.test(ca.toString('latin1')))
    add('BAD_CA', config.caPath, `no PEM certificate in the CA bundle ${config.caPath}`);
  if (config.port !== 0) {
    const portError = await checkPortFree(config.port, config.host);
    const where = `${config.host}:${config.port}`;
    if (portError === 'EADDRINUSE')
      add(
        'EADDRINUSE',
        where,
        `port ${config.port} on ${config.host} is already in use (stop the other server or choose another port)`,
      );
    else if (portError === 'EACCES')
      add('EACCES', where, `not allowed to listen on port ${config.port} (ports below 1024 need privileges)`);
    else if (portError !== undefined) add('EADDRNOTAVAIL', where, `cannot listen on ${where}: ${portError}`);
  }
  return problems;
}
