/** A client certificate signed by an existing CA (e.g. one made by `mtls chain`, or a company dev CA). */
import type { KeyObject } from 'node:crypto';
import { InputError } from '../errors';
import { buildCertificate, type BuiltCertificate } from './certificate';
import { readCertFields, readGivenCertificate } from './certInfo';
import {
  checkDays,
  checkSans,
  DEFAULT_LEAF_DAYS,
  describe,
  keyType,
  validity,
  type GeneratedSet,
  type LeafOptions,
} from './generate';
import { generateKeyPair, loadPrivateKey, privateKeyFilePem, type KeyPair } from './keys';
import { encodeName } from './names';
import { toPem } from '../asn1/pemArmor';
import { certificatesFromPem } from '../x509/pem';

/** Checks that a CA certificate and key belong together and may sign; returns what signing needs. */
export function loadCa(
  caCertPem: string,
  caKeyPem: string,
  caKeyPassphrase: string | undefined,
  now = new Date(),
): {
  key: KeyObject;
  der: Buffer;
  chain: Buffer[];
  subject: Buffer;
  keyId: Buffer;
  notAfter: Date;
} {
  const chain = certificatesFromPem(caCertPem, 'The CA certificate file');
  const caDer = chain[0];
  const { x509, fields } = readGivenCertificate(caDer, 'The CA certificate file does not hold a readable certificate');
  if (!fields.basicConstraints?.ca)
    throw new InputError(
      `${x509.subject.replace(/\n/g, ', ')} is not a CA certificate (basicConstraints CA:true is missing), so it cannot sign client certificates. Pass your CA's certificate (e.g. ca-intermediate-crt.pem).`,
    );
  if (fields.keyUsage && !fields.keyUsage.includes('keyCertSign'))
    throw new InputError(
      "The CA certificate's keyUsage lacks keyCertSign, so certificates it signs would be rejected.",
    );
  if (fields.notAfter <= now)
    throw new InputError(
      `The CA certificate expired on ${fields.notAfter.toISOString()}: certificates it signs would not verify. Create a new CA (mtls chain).`,
    );
  const key = loadPrivateKey(caKeyPem, caKeyPassphrase, 'The CA key file');
  if (!x509.checkPrivateKey(key))
    throw new InputError(
      'The CA key does not match the CA certificate (different key pair; the first certificate in the file is the CA used). Pass the key file that belongs to that certificate.',
    );
  return { key, der: caDer, chain, subject: fields.subject, keyId: fields.subjectKeyId, notAfter: fields.notAfter };
}

/** A client certificate just issued by a CA, with the CA certificates a kit needs around it. */
export interface IssuedClient {
  readonly keys: KeyPair;
  readonly cert: BuiltCertificate;
  readonly notAfter: Date;
  /** Certificates of the CA file that are not self-signed, issuing CA first: what a client sends after its leaf. */
  readonly intermediates: readonly Buffer[];
  /** The self-signed root in the CA file (the issuing CA itself when it is a root), if there is one. */
  readonly root?: Buffer;
  /** Every certificate of the CA file, issuing CA first. */
  readonly caChain: readonly Buffer[];
}

/** Issues a client certificate (clientAuth only) from an existing CA: the one step every client-certificate command shares. */
export async function issueClientCertificate(
  o: LeafOptions & { caCertPem: string; caKeyPem: string; caKeyPassphrase?: string },
  defaultCn = 'mtls-client',
): Promise<IssuedClient> {
  const kt = keyType(o.keyType);
  const days = checkDays(o.days, DEFAULT_LEAF_DAYS, 'Validity (--days)');
  const sans = checkSans(o.sans);
  const subject = encodeName({ cn: o.cn ?? defaultCn, org: o.org });
  const ca = loadCa(o.caCertPem, o.caKeyPem, o.caKeyPassphrase);
  const keys = await generateKeyPair(kt);
  const v = validity(days);
  if (v.notAfter > ca.notAfter) v.notAfter = ca.notAfter; // a leaf cannot usefully outlive its CA
  const cert = buildCertificate({
    role: 'client',
    subject,
    issuer: ca.subject,
    signingKey: ca.key,
    authorityKeyId: ca.keyId,
    publicKey: keys.publicKey,
    sans,
    ...v,
  });
  return {
    keys,
    cert,
    notAfter: v.notAfter,
    intermediates: ca.chain.filter((c) => !isSelfSigned(c)),
    root: ca.chain.find(isSelfSigned),
    caChain: ca.chain,
  };
}

/** A client certificate (clientAuth only) signed by an existing CA: PREFIX-key.pem, PREFIX-crt.pem, PREFIX-fullchain.pem. */
export async function generateClientFromCa(
  o: LeafOptions & { caCertPem: string; caKeyPem: string; caKeyPassphrase?: string; namePrefix?: string },
): Promise<GeneratedSet> {
  const prefix = o.namePrefix ?? 'client';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(prefix))
    throw new InputError(`File name prefix "${prefix}" may only use letters, digits, ".", "_" and "-".`);
  const issued = await issueClientCertificate(o);
  // Send the issuing CA and any further intermediates, but not a self-signed root: the server has that.
  const intermediates = issued.caChain.filter((c, i) => i === 0 || !isSelfSigned(c));
  return {
    files: [
      {
        name: `${prefix}-key.pem`,
        contents: await privateKeyFilePem(issued.keys.privateKey, o.keyPassphrase, o.kdfIterations),
        secret: true,
      },
      { name: `${prefix}-crt.pem`, contents: issued.cert.pem },
      {
        name: `${prefix}-fullchain.pem`,
        contents: issued.cert.pem + intermediates.map((c) => toPem('CERTIFICATE', c)).join(''),
      },
    ],
    certificates: [describe(`${prefix}-crt.pem`, issued.cert, 'client', issued.notAfter)],
  };
}

/** Subject equals issuer: a root (or another self-issued certificate). */
export function isSelfSigned(certDer: Buffer): boolean {
  const f = readCertFields(certDer);
  return f.subject.equals(f.issuer);
}
