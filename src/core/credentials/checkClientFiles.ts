/**
 * Credential files checked before any connection, as curl does: otherwise an empty key file sends no
 * certificate and the server's alert 116 blames the server, an empty CA file makes every server "untrusted",
 * and a key given as the certificate surfaces as OpenSSL's "no start line".
 */
import { InputError } from '../errors';
import { shellQuote } from '../shellQuote';
import { certificatesFromPem } from '../x509/pem';
import { fileContents, type FileContents } from './describeFileContents';
import { parsePkcs12 } from './pkcs12ToPem';

/** A file's name (as the user gave it) and its bytes. */
export interface NamedFile {
  name: string;
  contents: Buffer | string;
}

const bytesOf = (f: NamedFile): Buffer =>
  typeof f.contents === 'string' ? Buffer.from(f.contents, 'utf8') : f.contents;

function derHint(c: FileContents, name: string, tool: 'x509' | 'pkey'): string | undefined {
  return (tool === 'x509' ? c.der === 'certificate' : c.der === 'privateKey')
    ? `Convert it to PEM first: openssl ${tool} -inform der -in ${shellQuote(name)} -out ${shellQuote(`${name.replace(/\.[^./\\]*$/, '')}.pem`)}`
    : undefined;
}

/** Throws InputError unless `file` holds a PEM certificate; `role` says what the certificate is for. */
function needCertificate(file: NamedFile, option: '--cert' | '--ca'): void {
  const bytes = bytesOf(file);
  const c = fileContents(bytes);
  if (c.certificates === 0) {
    const what = option === '--cert' ? 'the client certificate' : 'the CA certificate(s) that verify the server';
    const hint =
      c.der === 'pkcs12'
        ? option === '--cert'
          ? 'Give a PKCS#12 file as --pfx (without --cert/--key).'
          : 'Export the CA certificate from it as PEM: openssl pkcs12 -in FILE -nokeys -cacerts -out ca.pem'
        : c.privateKeys > 0
          ? option === '--cert'
            ? 'That is a key: give it as --key, and the certificate (-----BEGIN CERTIFICATE-----) as --cert.'
            : "A private key is never a trust anchor: give the CA's certificate, and keep the key private."
          : (derHint(c, file.name, 'x509') ??
            (option === '--cert'
              ? '--cert takes the client certificate in PEM ("-----BEGIN CERTIFICATE-----"), then its intermediates.'
              : '--ca takes PEM certificates ("-----BEGIN CERTIFICATE-----"), e.g. ca-root-crt.pem; leave --ca out to trust the system roots.'));
    throw new InputError(
      `${file.name} (${option}) holds no certificate: it ${c.words}. ${option} needs ${what}. ${hint}`,
    );
  }
  // A certificate is there: refuse a damaged or cut-short block too, naming the file.
  certificatesFromPem(bytes.toString('latin1'), `${file.name} (${option})`);
}

/** Throws InputError unless `file` holds a PEM private key. */
function needPrivateKey(file: NamedFile): void {
  const c = fileContents(bytesOf(file));
  if (c.privateKeys > 0) return;
  const hint =
    c.certificates > 0
      ? 'That is a certificate: give it as --cert, and the private key that belongs to it (-----BEGIN PRIVATE KEY-----) as --key.'
      : c.publicKeys > 0 || c.der === 'publicKey'
        ? 'A public key cannot sign the handshake: --key takes the PRIVATE key of the client certificate.'
        : c.der === 'pkcs12'
          ? 'Give a PKCS#12 file as --pfx (without --cert/--key).'
          : (derHint(c, file.name, 'pkey') ??
            '--key takes the client certificate\'s private key in PEM ("-----BEGIN PRIVATE KEY-----").');
  throw new InputError(`${file.name} (--key) holds no private key: it ${c.words}. ${hint}`);
}

/**
 * Checks the files of a send or probe before any network I/O: `cert` must hold a certificate, `key` a private
 * key, `ca` a certificate, `pfx` be PKCS#12. Throws InputError naming the file, what it holds and what to give.
 */
export function checkClientFiles(files: { cert?: NamedFile; key?: NamedFile; ca?: NamedFile; pfx?: NamedFile }): void {
  if (files.cert) needCertificate(files.cert, '--cert');
  if (files.key) needPrivateKey(files.key);
  if (files.pfx) parsePkcs12(bytesOf(files.pfx), `${files.pfx.name} (--pfx)`);
  if (files.ca) needCertificate(files.ca, '--ca');
}
