/**
 * Throwaway client certificates the probe and "send as Dialogflow" need, made with src/core/pki's
 * certificate builder. Expired and serverAuth-only certificates are built here (pki's generators only
 * make valid, correctly-purposed ones on purpose).
 */
import {
  readCertFields,
  buildCertificate,
  loadCa,
  generateKeyPair,
  privateKeyPem,
  type KeyType,
  encodeName,
  toPem,
} from '../pki';

const DAY_MS = 24 * 3600 * 1000;

/** A certificate and its unencrypted key, both PEM; `certPem` may carry intermediates after the leaf. */
export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

/** A CA that can sign: what loadCa returns, plus its PEM (to append as the chain). */
export interface Issuer {
  certPem: string;
  keyPem: string;
  passphrase?: string;
}

/** A self-signed client certificate (clientAuth, CA:false): trusted by nobody. */
export async function selfSignedClient(cn = 'mtls-probe self-signed'): Promise<CertAndKey> {
  const k = await generateKeyPair('ec256');
  const now = Date.now();
  const cert = buildCertificate({
    role: 'client',
    subject: encodeName({ cn }),
    publicKey: k.publicKey,
    signingKey: k.privateKey,
    notBefore: new Date(now - 300_000),
    notAfter: new Date(now + DAY_MS),
  });
  return { certPem: cert.pem, keyPem: privateKeyPem(k.privateKey) };
}

type Name = Parameters<typeof encodeName>[0];

/**
 * A fresh chain: root → intermediate → client leaf (clientAuth), three new keys of one type, valid from five
 * minutes ago (clock skew) for `days`. The shape both throwaway identities share.
 */
export async function freshClientChain(o: {
  keyType: KeyType;
  days: number;
  root: Name;
  intermediate: Name;
  leaf: Name;
}): Promise<{ root: CertAndKey; intermediate: CertAndKey; leaf: CertAndKey }> {
  const [rk, ik, lk] = await Promise.all([
    generateKeyPair(o.keyType),
    generateKeyPair(o.keyType),
    generateKeyPair(o.keyType),
  ]);
  const now = Date.now();
  const v = { notBefore: new Date(now - 300_000), notAfter: new Date(now + o.days * DAY_MS) };
  const root = buildCertificate({
    role: 'root',
    subject: encodeName(o.root),
    publicKey: rk.publicKey,
    signingKey: rk.privateKey,
    ...v,
  });
  const inter = buildCertificate({
    role: 'intermediate',
    subject: encodeName(o.intermediate),
    issuer: readCertFields(root.der).subject,
    publicKey: ik.publicKey,
    signingKey: rk.privateKey,
    authorityKeyId: root.subjectKeyId,
    ...v,
  });
  const leaf = buildCertificate({
    role: 'client',
    subject: encodeName(o.leaf),
    issuer: readCertFields(inter.der).subject,
    publicKey: lk.publicKey,
    signingKey: ik.privateKey,
    authorityKeyId: inter.subjectKeyId,
    ...v,
  });
  return {
    root: { certPem: root.pem, keyPem: privateKeyPem(rk.privateKey) },
    intermediate: { certPem: inter.pem, keyPem: privateKeyPem(ik.privateKey) },
    leaf: { certPem: leaf.pem, keyPem: privateKeyPem(lk.privateKey) },
  };
}

/** A CA pair (root → intermediate) nobody trusts, and a client leaf it issued (sent with the intermediate). */
export async function throwawayCa(
  org = 'mtls-probe throwaway',
): Promise<{ root: CertAndKey; intermediate: CertAndKey; client: CertAndKey }> {
  const { root, intermediate, leaf } = await freshClientChain({
    keyType: 'ec256',
    days: 2,
    root: { cn: `${org} Root CA`, org },
    intermediate: { cn: `${org} Intermediate CA`, org },
    leaf: { cn: 'mtls-probe unknown-CA client', org },
  });
  return { root, intermediate, client: { certPem: leaf.certPem + intermediate.certPem, keyPem: leaf.keyPem } };
}

/**
 * A leaf signed by `issuer`: role 'client' (clientAuth) or 'server' (serverAuth only, the "wrong purpose"
 * case), valid from/to the given dates (past dates make an expired one). Sent with the issuer's chain.
 */
export async function leafFrom(
  issuer: Issuer,
  o: { role: 'client' | 'server'; cn: string; notBefore: Date; notAfter: Date; keyType?: KeyType; org?: string },
): Promise<CertAndKey> {
  // loadCa refuses an expired CA, which is what we want: a leaf from an expired CA tests nothing useful.
  const ca = loadCa(issuer.certPem, issuer.keyPem, issuer.passphrase);
  const k = await generateKeyPair(o.keyType ?? 'ec256');
  const cert = buildCertificate({
    role: o.role,
    subject: encodeName({ cn: o.cn, org: o.org }),
    issuer: ca.subject,
    signingKey: ca.key,
    authorityKeyId: ca.keyId,
    publicKey: k.publicKey,
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    ...(o.role === 'server' ? { sans: ['DNS:localhost', 'IP:127.0.0.1'] } : {}),
  });
  const chain = ca.chain.filter((c) => {
    const f = readCertFields(c);
    return !f.subject.equals(f.issuer);
  });
  return {
    certPem: cert.pem + chain.map((c) => toPem('CERTIFICATE', c)).join(''),
    keyPem: privateKeyPem(k.privateKey),
  };
}

/** Validity windows for the probe's bad certificates. */
export const pastWindow = (): { notBefore: Date; notAfter: Date } => ({
  notBefore: new Date(Date.now() - 30 * DAY_MS),
  notAfter: new Date(Date.now() - DAY_MS),
});
export const currentWindow = (): { notBefore: Date; notAfter: Date } => ({
  notBefore: new Date(Date.now() - 300_000),
  notAfter: new Date(Date.now() + DAY_MS),
});
export const futureWindow = (): { notBefore: Date; notAfter: Date } => ({
  notBefore: new Date(Date.now() + 10 * DAY_MS),
  notAfter: new Date(Date.now() + 20 * DAY_MS),
});
