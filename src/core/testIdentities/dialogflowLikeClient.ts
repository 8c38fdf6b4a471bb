/**
 * "Send as Dialogflow": a throwaway chain shaped like Dialogflow's real client certificate (root →
 * intermediate → leaf CN=Google LLC, clientAuth; the client sends leaf + intermediate). The real one is
 * issued by SSL.com; we cannot have its key, so the server must trust this TEST root instead while testing.
 */
import { readCertFields, buildCertificate, generateKeyPair, privateKeyPem, encodeName } from '../pki';

const DAY_MS = 24 * 3600 * 1000;

/** Leaf + intermediate to send, the leaf's key, and the TEST root the server must trust. */
export interface DialogflowLikeClient {
  certPem: string;
  keyPem: string;
  rootPem: string;
  intermediatePem: string;
}

/** Builds the Dialogflow-shaped client chain (RSA 2048, like the real one); valid for 7 days. */
export async function dialogflowLikeClient(): Promise<DialogflowLikeClient> {
  const [rk, ik, lk] = await Promise.all([
    generateKeyPair('rsa2048'),
    generateKeyPair('rsa2048'),
    generateKeyPair('rsa2048'),
  ]);
  const now = Date.now();
  const v = { notBefore: new Date(now - 300_000), notAfter: new Date(now + 7 * DAY_MS) };
  const org = 'mTLS Workbench TEST (not SSL.com)';
  const root = buildCertificate({
    role: 'root',
    subject: encodeName({ cn: 'TEST Root Certification Authority RSA', org, country: 'US' }),
    publicKey: rk.publicKey,
    signingKey: rk.privateKey,
    ...v,
  });
  const inter = buildCertificate({
    role: 'intermediate',
    subject: encodeName({ cn: 'TEST Client Certificate Intermediate CA RSA R2', org, country: 'US' }),
    issuer: readCertFields(root.der).subject,
    publicKey: ik.publicKey,
    signingKey: rk.privateKey,
    authorityKeyId: root.subjectKeyId,
    ...v,
  });
  const leaf = buildCertificate({
    role: 'client',
    subject: encodeName({ cn: 'Google LLC', org: 'Google LLC', country: 'US' }),
    issuer: readCertFields(inter.der).subject,
    publicKey: lk.publicKey,
    signingKey: ik.privateKey,
    authorityKeyId: inter.subjectKeyId,
    ...v,
  });
  return {
    certPem: leaf.pem + inter.pem,
    keyPem: privateKeyPem(lk.privateKey),
    rootPem: root.pem,
    intermediatePem: inter.pem,
  };
}
