/** Generated file sets: a self-signed server certificate and a development CA chain (clientFromCa.ts: a client from an existing CA). */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { OutputFile } from '../files';
import { InputError } from '../errors';
import { buildCertificate, type BuiltCertificate, type CertRole } from './certificate';
import { readCertFields } from './certInfo';
import { defaultKeyType, generateKeyPair, parseKeyType, privateKeyFilePem, type KeyPair, type KeyType } from './keys';
import { encodeName, parseSan, parseSans } from './names';

export interface SubjectOptions {
  cn?: string;
  org?: string;
}

export interface LeafOptions extends SubjectOptions {
  keyType?: KeyType;
  /** 'DNS:x', 'IP:y', 'email:z', 'URI:u' */
  sans?: string[];
  days?: number;
  /** Encrypts the private key (PKCS#8, AES-256-CBC) with this passphrase. */
  keyPassphrase?: string;
  /** PBKDF2 iterations for an encrypted key (default DEFAULT_KDF_ITERATIONS). */
  kdfIterations?: number;
}

export interface ChainOptions {
  keyType?: KeyType;
  org?: string;
  caDays?: number;
  server?: LeafOptions;
  client?: LeafOptions;
  /** Encrypts every private key unless a leaf sets its own. */
  keyPassphrase?: string;
  /** PBKDF2 iterations for encrypted keys (default DEFAULT_KDF_ITERATIONS). */
  kdfIterations?: number;
}

export interface GeneratedCertificate {
  file: string;
  subject: string;
  notAfter: Date;
  role: CertRole;
}

export interface GeneratedSet {
  files: OutputFile[];
  certificates: GeneratedCertificate[];
}

/**
 * We follow the public-web limit, not the private-CA one. 397 days is the longest validity the CA/Browser
 * Forum allows publicly trusted TLS certificates (since 2020-09-01; Apple and Chrome enforce 398 for them).
 * Certificates from a private CA such as our dev CA are only bound by Apple's 825-day rule for TLS server
 * certificates (iOS 13 / macOS 10.15), which is why mkcert issues 825-day leaves. We stay at 397 so a dev
 * certificate expires on the same rhythm as the production one it stands in for, and is accepted by any
 * client that applies the public-web limit to every certificate.
 */
export const DEFAULT_LEAF_DAYS = 397;
/** Ten years: a dev CA should outlive many leaf renewals. */
export const DEFAULT_CA_DAYS = 3650;
const DEFAULT_ORG = 'mTLS Workbench development';
const DEFAULT_SERVER_SANS = ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'];
// Backdate a little so a peer whose clock runs a few minutes behind still accepts the certificate.
const BACKDATE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** A validity in whole days (1–36500), or the default; InputError otherwise. */
export function checkDays(days: number | undefined, fallback: number, what: string): number {
  const d = days ?? fallback;
  if (!Number.isInteger(d) || d < 1 || d > 36500)
    throw new InputError(`${what} must be a whole number of days between 1 and 36500 (got ${String(days)}).`);
  return d;
}

/** notBefore (backdated a few minutes, whole seconds) and notAfter `days` later. */
export function validity(days: number, now = Date.now()): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(Math.floor((now - BACKDATE_MS) / 1000) * 1000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * DAY_MS) };
}

/** Re-validates SAN items given through the API, one at a time. */
export function checkSans(sans: string[] | undefined): string[] | undefined {
  // The CLI already went through parseSans; one item at a time here, so a URI may hold a comma.
  return sans?.map(parseSan);
}

/** Server SANs: the given list, or localhost/127.0.0.1/::1 plus the CN when it is a host name. */
function serverSans(o: LeafOptions): string[] {
  const given = checkSans(o.sans);
  if (given) return given;
  const sans = [...DEFAULT_SERVER_SANS];
  if (o.cn && o.cn !== 'localhost') {
    try {
      const [fromCn] = parseSans(isIP(o.cn) ? `IP:${o.cn}` : `DNS:${o.cn}`);
      sans.unshift(fromCn);
    } catch {
      /* a CN that is not a host name (e.g. "My Service") simply stays out of the SANs */
    }
  }
  return sans;
}

function subjectString(certDer: Buffer): string {
  return new X509Certificate(certDer).subject.split('\n').reverse().join(', ');
}

/** What the caller shows about a generated certificate: file, subject, expiry, role. */
export function describe(file: string, cert: BuiltCertificate, role: CertRole, notAfter: Date): GeneratedCertificate {
  return { file, subject: subjectString(cert.der), notAfter, role };
}

/** The given key type, checked, or the default (RSA 2048). */
export function keyType(t: KeyType | undefined): KeyType {
  return t === undefined ? defaultKeyType : parseKeyType(t);
}

/** A self-signed server certificate (CA:false leaf with serverAuth): server-key.pem, server-crt.pem. */
export async function generateSelfSigned(o: LeafOptions = {}): Promise<GeneratedSet> {
  const kt = keyType(o.keyType);
  const days = checkDays(o.days, DEFAULT_LEAF_DAYS, 'Validity (--days)');
  const sans = serverSans(o);
  const subject = encodeName({ cn: o.cn ?? 'localhost', org: o.org ?? DEFAULT_ORG });
  const keys = await generateKeyPair(kt);
  const v = validity(days);
  const cert = buildCertificate({
    role: 'server',
    subject,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    sans,
    ...v,
  });
  return {
    files: [
      {
        name: 'server-key.pem',
        contents: await privateKeyFilePem(keys.privateKey, o.keyPassphrase, o.kdfIterations),
        secret: true,
      },
      { name: 'server-crt.pem', contents: cert.pem },
    ],
    certificates: [describe('server-crt.pem', cert, 'server', v.notAfter)],
  };
}

/**
 * A development PKI: root CA → intermediate CA → server and client leaves, with the bundles servers and
 * clients need (ca-crt.pem = intermediate + root to verify clients; *-fullchain.pem = leaf + intermediate).
 */
export async function generateChain(o: ChainOptions = {}): Promise<GeneratedSet> {
  const kt = keyType(o.keyType);
  const server = o.server ?? {};
  const client = o.client ?? {};
  const serverKt = keyType(server.keyType ?? kt);
  const clientKt = keyType(client.keyType ?? kt);
  const caDays = checkDays(o.caDays, DEFAULT_CA_DAYS, 'CA validity (--ca-days)');
  const serverDays = checkDays(server.days, DEFAULT_LEAF_DAYS, 'Server validity (--days)');
  const clientDays = checkDays(client.days, DEFAULT_LEAF_DAYS, 'Client validity (--days)');
  const org = o.org ?? DEFAULT_ORG;
  const sSans = serverSans(server);
  const cSans = checkSans(client.sans);
  const rootName = encodeName({ cn: `${org} Root CA`.slice(0, 64), org });
  const interName = encodeName({ cn: `${org} Intermediate CA`.slice(0, 64), org });
  const serverName = encodeName({ cn: server.cn ?? 'localhost', org: server.org ?? org });
  const clientName = encodeName({ cn: client.cn ?? 'mtls-client', org: client.org ?? org });

  // The four keys are independent: generate them concurrently on the libuv pool (RSA dominates the time).
  const [rootKey, interKey, serverKey, clientKey]: KeyPair[] = await Promise.all([
    generateKeyPair(kt),
    generateKeyPair(kt),
    generateKeyPair(serverKt),
    generateKeyPair(clientKt),
  ]);

  const caV = validity(caDays);
  const root = buildCertificate({
    role: 'root',
    subject: rootName,
    publicKey: rootKey.publicKey,
    signingKey: rootKey.privateKey,
    ...caV,
  });
  // Issuer names are copied from the issuing certificate's own bytes, so they match byte for byte.
  const rootFields = readCertFields(root.der);
  const inter = buildCertificate({
    role: 'intermediate',
    subject: interName,
    issuer: rootFields.subject,
    publicKey: interKey.publicKey,
    signingKey: rootKey.privateKey,
    authorityKeyId: root.subjectKeyId,
    ...caV,
  });
  const interFields = readCertFields(inter.der);
  const leafFrom = (days: number) => {
    const v = validity(days);
    return v.notAfter > interFields.notAfter ? { ...v, notAfter: interFields.notAfter } : v;
  };
  const sV = leafFrom(serverDays);
  const cV = leafFrom(clientDays);
  const issuer = { issuer: interFields.subject, signingKey: interKey.privateKey, authorityKeyId: inter.subjectKeyId };
  const serverCert = buildCertificate({
    role: 'server',
    subject: serverName,
    publicKey: serverKey.publicKey,
    sans: sSans,
    ...issuer,
    ...sV,
  });
  const clientCert = buildCertificate({
    role: 'client',
    subject: clientName,
    publicKey: clientKey.publicKey,
    sans: cSans,
    ...issuer,
    ...cV,
  });

  const pass = o.keyPassphrase;
  const iter = o.kdfIterations;
  return {
    files: [
      { name: 'ca-root-crt.pem', contents: root.pem },
      { name: 'ca-root-key.pem', contents: await privateKeyFilePem(rootKey.privateKey, pass, iter), secret: true },
      { name: 'ca-intermediate-crt.pem', contents: inter.pem },
      {
        name: 'ca-intermediate-key.pem',
        contents: await privateKeyFilePem(interKey.privateKey, pass, iter),
        secret: true,
      },
      { name: 'ca-crt.pem', contents: inter.pem + root.pem },
      {
        name: 'server-key.pem',
        contents: await privateKeyFilePem(
          serverKey.privateKey,
          server.keyPassphrase ?? pass,
          server.kdfIterations ?? iter,
        ),
        secret: true,
      },
      { name: 'server-crt.pem', contents: serverCert.pem },
      { name: 'server-fullchain.pem', contents: serverCert.pem + inter.pem },
      {
        name: 'client-key.pem',
        contents: await privateKeyFilePem(
          clientKey.privateKey,
          client.keyPassphrase ?? pass,
          client.kdfIterations ?? iter,
        ),
        secret: true,
      },
      { name: 'client-crt.pem', contents: clientCert.pem },
      { name: 'client-fullchain.pem', contents: clientCert.pem + inter.pem },
    ],
    certificates: [
      describe('ca-root-crt.pem', root, 'root', caV.notAfter),
      describe('ca-intermediate-crt.pem', inter, 'intermediate', caV.notAfter),
      describe('server-crt.pem', serverCert, 'server', sV.notAfter),
      describe('client-crt.pem', clientCert, 'client', cV.notAfter),
    ],
  };
}
