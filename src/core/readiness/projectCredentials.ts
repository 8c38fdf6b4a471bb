/**
 * What the readiness check finds in the project's folders: the client certificates it can knock with (the CX
 * custom client kit, a dev client of the CA bundle) and the CA that issued the server's certificate.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { ClientCredentials } from '../http/index';
import { pathExists as exists } from '../localProbes';
import { findAnchor, nodeRootStore, type CertificateLoader } from './certificates';

/** The CX custom client certificate kit (cx-client-crt.pem + key + passphrase file), when the folder has one. */
export async function findCustomClient(
  dirs: readonly string[],
): Promise<(ClientCredentials & { label: string; cert: X509Certificate }) | undefined> {
  for (const d of dirs) {
    const crt = path.join(d, 'cx-client-crt.pem');
    if (!(await exists(crt))) continue;
    const certPem = await fs.readFile(crt, 'utf8');
    const keyPem = await fs.readFile(path.join(d, 'cx-client-key.pem'), 'utf8').catch(() => undefined);
    const passphrase = (
      await fs.readFile(path.join(d, 'cx-client-passphrase.txt'), 'utf8').catch(() => undefined)
    )?.replace(/\r?\n$/, '');
    try {
      return {
        certPem,
        ...(keyPem ? { keyPem } : {}),
        ...(passphrase ? { passphrase } : {}),
        label: 'the CX custom client certificate',
        cert: new X509Certificate(certPem),
      };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A dev client certificate (mtls chain's client-fullchain.pem) the bundle accepts, for the behaviour rows. */
export async function findDevClient(
  certsDir: string,
  caPath: string,
  load: CertificateLoader,
): Promise<(ClientCredentials & { label: string }) | undefined> {
  const certFile = path.join(certsDir, 'client-fullchain.pem');
  const keyFile = path.join(certsDir, 'client-key.pem');
  if (!(await exists(certFile)) || !(await exists(keyFile))) return undefined;
  try {
    const [leaf, ...rest] = await load(certFile);
    const bundle = await load(caPath);
    if (
      !leaf ||
      !findAnchor(
        leaf.x509,
        rest.map((c) => c.x509),
        bundle.map((c) => c.x509),
      )
    )
      return undefined;
    return {
      certPem: await fs.readFile(certFile, 'utf8'),
      keyPem: await fs.readFile(keyFile, 'utf8'),
      label: 'your dev client certificate',
    };
  } catch {
    return undefined;
  }
}

/** PEM of the CA that issued the server certificate, from the project's files (else the system store). */
export async function serverAnchorPem(
  leaf: X509Certificate,
  certFile: string,
  dirs: readonly string[],
  load: CertificateLoader,
): Promise<string | undefined> {
  const pool: X509Certificate[] = [];
  for (const d of dirs) {
    for (const name of await fs.readdir(d).catch(() => [] as string[])) {
      if (!/\.(pem|crt|cer)$/i.test(name) || /key/i.test(name)) continue;
      const certs = await load(path.join(d, name)).catch(() => []);
      pool.push(...certs.map((c) => c.x509));
    }
  }
  const chain = await load(certFile).catch(() => []);
  const anchor = findAnchor(
    leaf,
    chain.slice(1).map((c) => c.x509),
    pool.filter((c) => c.checkIssued(c)),
  );
  return anchor && !nodeRootStore().some((r) => r.fingerprint256 === anchor.fingerprint256)
    ? anchor.toString()
    : undefined;
}
