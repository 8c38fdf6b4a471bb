/**
 * The Kore.ai client-certificate kit: the four prerequisites an installed (on-premises) Kore.ai bot
 * platform is configured with for two-way SSL — private key, client certificate, CA root, CA
 * intermediate(s) — under names that say what they are, optionally a PKCS#12, and a README.txt.
 */
import { InputError } from '../errors';
import { buildPkcs12, describeCertificate, isSelfSigned, issueClientCertificate, privateKeyPem, toPem } from '../pki';
import { certificatesFromPem } from '../x509/pem';
import { generatePassphrase, leftoversOf, type Kit, type KitIssueOptions } from './kitFolder';
import { X509Certificate } from 'node:crypto';

export const KoreKitFiles = {
  key: 'kore-client-key.pem',
  cert: 'kore-client-crt.pem',
  root: 'kore-ca-root.pem',
  intermediates: 'kore-ca-intermediates.pem',
  fullchain: 'kore-client-fullchain.pem',
  p12: 'kore-client.p12',
  p12Passphrase: 'kore-client-p12-passphrase.txt',
  readme: 'README.txt',
} as const;

/** Said instead of making a kit when the bot runs on Kore.ai's cloud, which brings its own client certificate. */
export const koreCloudMessage =
  "Kore.ai's cloud platform presents its own client certificate, so a kit of yours could not be installed there. " +
  "Make your API server trust Kore.ai's CA instead: ask Kore.ai for its root and intermediate, then " +
  'mtls trust-bundle --platform kore --import kore-ca.pem --out ca-kore.pem (VS Code: Create Platform Trust Bundle…) and point the server at it (MTLS_CA).';

export interface KoreKitOptions extends KitIssueOptions {
  /** The CA root, when the CA file stops below it (e.g. the intermediate alone). */
  caRootPem?: string;
  /** Also write kore-client.p12; its passphrase is `p12Passphrase`, or generated into kore-client-p12-passphrase.txt (0600). */
  p12?: boolean;
  p12Passphrase?: string;
}

/** The self-signed certificate of `rootPem` that issued `top` (signature checked), or an InputError saying why not. */
function rootFor(top: Buffer, rootPem: string): Buffer {
  const topX = new X509Certificate(top);
  const roots = certificatesFromPem(rootPem, 'The CA root file').filter(isSelfSigned);
  const found = roots.find((r) => {
    const rx = new X509Certificate(r);
    return topX.checkIssued(rx) && topX.verify(rx.publicKey);
  });
  if (!found)
    throw new InputError(
      `The CA root file holds no self-signed certificate that issued ${topX.subject.split('\n').reverse().join(', ')}. Pass that CA's root.`,
    );
  return found;
}

const subjectOf = (der: Buffer) => new X509Certificate(der).subject.split('\n').reverse().join(', ');

/** Issues the client certificate from the CA and lays out the kit (nothing is written here). */
export async function buildKoreKit(o: KoreKitOptions): Promise<Kit> {
  const issued = await issueClientCertificate(o, 'kore-bot-platform');
  const root =
    issued.root ??
    (o.caRootPem === undefined ? undefined : rootFor(issued.caChain[issued.caChain.length - 1], o.caRootPem));
  if (!root) {
    throw new InputError(
      "The CA file holds no root certificate (self-signed), and Kore.ai's prerequisites include the CA root. " +
        'Pass a --ca-cert file with the issuing CA followed by its root (e.g. ca-crt.pem from mtls chain), or the root with --ca-root.',
    );
  }
  const F = KoreKitFiles;
  const certPem = issued.cert.pem;
  const rootPem = toPem('CERTIFICATE', root);
  const interPem = issued.intermediates.map((c) => toPem('CERTIFICATE', c)).join('');
  const keyPem = privateKeyPem(issued.keys.privateKey);
  const files: Kit['files'] = [
    { name: F.key, contents: keyPem, secret: true },
    { name: F.cert, contents: certPem },
    { name: F.root, contents: rootPem },
    ...(interPem ? [{ name: F.intermediates, contents: interPem }] : []),
    { name: F.fullchain, contents: certPem + interPem },
  ];
  let generatedP12Pass = false;
  if (o.p12) {
    const passphrase = o.p12Passphrase ?? generatePassphrase();
    generatedP12Pass = o.p12Passphrase === undefined;
    const p12 = await buildPkcs12({
      certPem,
      keyPem,
      chainPem: interPem || undefined,
      passphrase,
      friendlyName: o.cn ?? 'kore-bot-platform',
      iterations: o.kdfIterations,
    });
    files.push({ name: F.p12, contents: p12, secret: true });
    if (generatedP12Pass) files.push({ name: F.p12Passphrase, contents: passphrase, secret: true });
  }
  const leafSubject = subjectOf(issued.cert.der);
  const expires = issued.notAfter.toISOString().slice(0, 10);
  const rootSubject = subjectOf(root);
  const interSubjects = issued.intermediates.map(subjectOf);
  const col = (s: string) => s.padEnd(34);
  const readme = [
    'Kore.ai client-certificate kit (made by mTLS Workbench)',
    '',
    'For an installed (on-premises) Kore.ai bot platform, which is configured with the client certificate it',
    "presents to your API server (two-way SSL). Kore.ai's cloud platform brings its own client certificate: there,",
    "make your server trust Kore.ai's CA instead (mtls trust-bundle --platform kore).",
    '',
    `${col('Kore.ai prerequisite')}File in this folder`,
    `${col('Private key')}${F.key}  (PKCS#8 PEM, unencrypted: keep it secret, mode 0600)`,
    `${col('Client certificate')}${F.cert}  (${leafSubject}; extendedKeyUsage clientAuth; expires ${expires})`,
    `${col('CA root certificate')}${F.root}  (${rootSubject})`,
    interSubjects.length
      ? `${col('CA intermediate certificate(s)')}${F.intermediates}  (${interSubjects.join('; ')})`
      : `${col('CA intermediate certificate(s)')}none: the client certificate is issued directly by the root`,
    '',
    'Also here:',
    `  ${F.fullchain}  the client certificate followed by the intermediate(s), for tools that take one file`,
    ...(o.p12
      ? [`  ${F.p12}  PKCS#12 of key + certificate + intermediates (mode 0600), for platforms that take one file`]
      : []),
    ...(o.p12
      ? [
          generatedP12Pass
            ? `  ${F.p12Passphrase}  its generated passphrase (mode 0600)`
            : '  (its passphrase is the one you gave; it is not stored here)',
        ]
      : []),
    '',
    'What your API server must trust: the CA root above (kore-ca-root.pem). If your server does not receive the',
    'intermediates from the platform, trust kore-ca-root.pem together with kore-ca-intermediates.pem.',
    "For the scaffolded server.mts: MTLS_CA=kore-ca-root.pem (plus MTLS_ALLOWED_CLIENTS with the client's CN to pin it).",
    '',
    'Prove the kit against your server before installing it:',
    `  mtls send https://YOUR.HOST:PORT/ --sample kore --cert ${F.fullchain} --key ${F.key}`,
    `  mtls probe https://YOUR.HOST:PORT/ --cert ${F.fullchain} --key ${F.key}`,
    '',
  ].join('\n');
  files.push({ name: F.readme, contents: readme });
  return {
    files,
    certificates: [describeCertificate(F.cert, issued.cert, 'client', issued.notAfter)],
    instructions: readme,
    leftovers: leftoversOf(F, files),
  };
}
