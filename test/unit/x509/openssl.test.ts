// Our decoder against the openssl CLI: a corpus made with openssl here, and every root in Node's store.
// Every expectation is parsed from openssl's own output, never from ours.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, rootCertificates } from 'node:tls';
import { promisify } from 'node:util';
import {
  decodeBytes,
  decodePemText,
  decodePemTextAsync,
  type DecodedCertificate,
  type DecodedFile,
  type DistinguishedName,
  type GeneralName,
} from '../../../src/core/x509/index';

const run = promisify(execFile);
let dir = '';
const p = (f: string) => join(dir, f);
const ossl = (...args: string[]) =>
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString('utf8');
/** stdout and stderr together (openssl pkcs12 -info writes its report to stderr). */
const osslAll = (...args: string[]) => {
  const r = spawnSync('openssl', args, { cwd: dir });
  return r.stdout.toString('utf8') + r.stderr.toString('utf8');
};

// ---------------------------------------------------------------- openssl output parsers

interface OpensslFacts {
  subject: string[];
  rfc2253: string;
  issuer: string[];
  serial: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
  sha1: string;
  san?: string;
  keyAlgorithm: string;
  keyBits?: number;
  curve?: string;
  version: number;
  signature: string;
  pssHash?: string;
  extensions: { name: string; critical: boolean; value: string[] }[];
}

function nameBlock(out: string, label: 'subject' | 'issuer'): string[] {
  const m = new RegExp(`^${label}=\\n((?:    .*\\n?)*)`, 'm').exec(out);
  if (!m) return []; // empty name: openssl prints "subject=" and nothing below
  return m[1]
    .split('\n')
    .filter((l) => l.startsWith('    '))
    .map((l) => l.slice(4));
}

function parseText(
  text: string,
): Pick<OpensslFacts, 'keyAlgorithm' | 'keyBits' | 'curve' | 'version' | 'signature' | 'pssHash' | 'extensions'> {
  const alg = /Public Key Algorithm: (\S+)/.exec(text)![1];
  const bits = /Public-Key: \((\d+) bit\)/.exec(text);
  const nist = /NIST CURVE: (\S+)/.exec(text);
  const oidCurve = /ASN1 OID: (\S+)/.exec(text);
  const keyAlgorithm =
    (
      {
        rsaEncryption: 'RSA',
        rsassaPss: 'RSA-PSS',
        'id-ecPublicKey': 'EC',
        ED25519: 'Ed25519',
        ED448: 'Ed448',
        dsaEncryption: 'DSA',
      } as Record<string, string>
    )[alg] ?? alg;
  const sig = /Signature Algorithm: (\S+)/.exec(text)![1];
  const pssHash =
    sig === 'rsassaPss'
      ? (/Signature Algorithm: rsassaPss\s*\n\s*Hash Algorithm: (\S+)/.exec(text)?.[1] ?? 'sha1')
      : undefined;
  const extensions: OpensslFacts['extensions'] = [];
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l === '        X509v3 extensions:' || l === '            Requested Extensions:');
  if (start >= 0) {
    const headerIndent = lines[start].search(/\S/) + 4;
    for (let i = start + 1; i < lines.length; i++) {
      const l = lines[i];
      const indent = l.search(/\S/);
      if (indent < headerIndent) break;
      if (indent === headerIndent) {
        const m = /^\s*(.*?):\s*(critical)?\s*$/.exec(l)!;
        extensions.push({ name: m[1], critical: m[2] === 'critical', value: [] });
      } else {
        extensions[extensions.length - 1].value.push(l.trim());
      }
    }
  }
  return {
    keyAlgorithm,
    keyBits: bits && keyAlgorithm !== 'EC' ? Number(bits[1]) : undefined,
    curve:
      keyAlgorithm === 'EC'
        ? (nist?.[1] ?? { secp256k1: 'secp256k1' }[oidCurve?.[1] ?? ''] ?? oidCurve?.[1])
        : undefined,
    version: Number(/Version: (\d)/.exec(text)![1]),
    signature: sig,
    pssHash,
    extensions,
  };
}

async function opensslFacts(pemFile: string): Promise<OpensslFacts> {
  const nameopt = ['-nameopt', 'utf8,sep_multiline,sname'];
  // Two processes per certificate: openssl prints one fingerprint digest and one name format per run.
  const [a, c] = await Promise.all([
    run('openssl', [
      'x509',
      '-in',
      pemFile,
      '-noout',
      '-subject',
      '-issuer',
      ...nameopt,
      '-serial',
      '-dates',
      '-fingerprint',
      '-sha256',
      '-ext',
      'subjectAltName',
    ]),
    run('openssl', [
      'x509',
      '-in',
      pemFile,
      '-noout',
      '-subject',
      '-text',
      '-certopt',
      'no_sigdump',
      '-nameopt',
      'RFC2253,-esc_msb',
      '-fingerprint',
      '-sha1',
    ]),
  ]);
  const b = c;
  const r = c;
  const o = a.stdout;
  const san = /X509v3 Subject Alternative Name:.*\n\s+(.*)/.exec(o)?.[1];
  return {
    subject: nameBlock(o, 'subject'),
    rfc2253: /^subject=(.*)$/m.exec(r.stdout)![1],
    issuer: nameBlock(o, 'issuer'),
    serial: /^serial=(.*)$/m.exec(o)![1],
    notBefore: /^notBefore=(.*)$/m.exec(o)![1],
    notAfter: /^notAfter=(.*)$/m.exec(o)![1],
    sha256: /^sha256 Fingerprint=(.*)$/m.exec(o)![1],
    sha1: /^sha1 Fingerprint=(.*)$/im.exec(b.stdout)![1],
    ...(san !== undefined && { san }),
    ...parseText(c.stdout),
  };
}

/**
 * The same facts for many certificates from six openssl runs over one bundle instead of two per certificate
 * (each openssl start costs ~20 ms of CPU): `cms -print` with each -nameopt (names, serial), `storeutl -text`
 * (keys, signature, extensions, dates) and `dgst` over each certificate's DER (fingerprints). Same order as `pems`.
 */
async function opensslFactsOfBundle(pems: readonly string[], name: string): Promise<OpensslFacts[]> {
  const bundle = p(`${name}.pem`);
  const p7 = p(`${name}.p7b`);
  writeFileSync(bundle, pems.map((pem) => (pem.endsWith('\n') ? pem : `${pem}\n`)).join(''));
  await run('openssl', ['crl2pkcs7', '-nocrl', '-certfile', bundle, '-outform', 'DER', '-out', p7]);
  // The DER of each PEM, for openssl dgst: its fingerprint is the digest of exactly these bytes.
  const ders = pems.map((pem, i) => {
    const f = p(`${name}-${i}.der`);
    writeFileSync(f, Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
    return f;
  });
  const cms = (nameopt: string) =>
    run('openssl', ['cms', '-cmsout', '-print', '-noout', '-inform', 'DER', '-in', p7, '-nameopt', nameopt], {
      maxBuffer: 256 * 1024 * 1024,
    });
  const [multi, rfc, text, sha256, sha1] = await Promise.all([
    cms('utf8,sep_multiline,sname'),
    cms('RFC2253,-esc_msb'),
    run('openssl', ['storeutl', '-noout', '-text', '-certs', bundle], { maxBuffer: 256 * 1024 * 1024 }),
    run('openssl', ['dgst', '-sha256', '-r', ...ders], { maxBuffer: 16 * 1024 * 1024 }),
    run('openssl', ['dgst', '-sha1', '-r', ...ders], { maxBuffer: 16 * 1024 * 1024 }),
  ]);
  // One block per certificate: cms prints each under "d.certificate:", storeutl numbers them "<n>: Certificate".
  const cmsBlocks = (out: string) => out.split(/^ *d\.certificate: *$/m).slice(1);
  const multiBlocks = cmsBlocks(multi.stdout);
  const rfcBlocks = cmsBlocks(rfc.stdout);
  const textBlocks = text.stdout.split(/^\d+: Certificate$/m).slice(1);
  // "<hex digest> *<file>" per file, in argument order; x509 -fingerprint prints it upper case, colon-separated.
  const digests = (out: string) =>
    out
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0].toUpperCase().match(/../g)!.join(':'));
  const [sha256s, sha1s] = [digests(sha256.stdout), digests(sha1.stdout)];
  for (const [what, n] of [
    ['cms multiline', multiBlocks.length],
    ['cms RFC2253', rfcBlocks.length],
    ['storeutl', textBlocks.length],
    ['sha256', sha256s.length],
    ['sha1', sha1s.length],
  ] as const) {
    assert.equal(n, pems.length, `${what}: one result per certificate`);
  }
  // A name in the cms print: the field's line holds the first RDN (multiline) or the whole name, after padding;
  // in multiline form each further RDN is a line of its own, up to the next field.
  const nameIn = (block: string, field: 'subject' | 'issuer', next: string): string[] => {
    const lines = block.split('\n');
    const at = lines.findIndex((l) => l.startsWith(`          ${field}:`));
    assert.ok(at >= 0, `no ${field} in the cms print`);
    const first = lines[at].slice(`          ${field}:`.length).trimStart();
    const rest: string[] = [];
    for (let i = at + 1; i < lines.length && !lines[i].startsWith(`          ${next}:`); i++)
      rest.push(lines[i].slice(10));
    return first === '' ? [] : [first, ...rest];
  };
  // cms prints the serial as a number (decimal, or 0x… hex); x509 -serial prints its bytes in hex (upper case,
  // whole bytes).
  const serialHex = (block: string): string => {
    const [, sign, digits] = /^ {10}serialNumber: (-?)(0x[0-9A-F]+|\d+)$/im.exec(block)!;
    const hex = BigInt(digits).toString(16).toUpperCase();
    return `${sign}${hex.length % 2 ? '0' : ''}${hex}`;
  };
  return pems.map((_, i) => {
    const t = textBlocks[i];
    const san = /X509v3 Subject Alternative Name:.*\n\s+(.*)/.exec(t)?.[1];
    return {
      subject: nameIn(multiBlocks[i], 'subject', 'key'),
      rfc2253: nameIn(rfcBlocks[i], 'subject', 'key').join(''),
      issuer: nameIn(multiBlocks[i], 'issuer', 'validity'),
      serial: serialHex(multiBlocks[i]),
      notBefore: /^ +Not Before: (.*)$/m.exec(t)![1],
      notAfter: /^ +Not After : (.*)$/m.exec(t)![1],
      sha256: sha256s[i],
      sha1: sha1s[i],
      ...(san !== undefined && { san }),
      ...parseText(t),
    };
  });
}

// ---------------------------------------------------------------- our values in openssl's notation

function ipOpenssl(v: string): string {
  if (!v.includes(':')) return v;
  const [head, tail = ''] = v.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = v.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.map((g) => parseInt(g, 16).toString(16).toUpperCase()).join(':');
}

function gnOpenssl(g: GeneralName): string {
  switch (g.type) {
    case 'IP':
      return `IP Address:${ipOpenssl(g.value)}`;
    case 'dirName':
      return `DirName:/${g.name.attributes.map((a) => `${a.type}=${a.value}`).join('/')}`;
    case 'email':
    case 'DNS':
    case 'URI':
      return `${g.type}:${g.value}`;
    default:
      return `${g.type}:${g.value}`;
  }
}

const KU: Record<string, string> = {
  digitalSignature: 'Digital Signature',
  nonRepudiation: 'Non Repudiation',
  keyEncipherment: 'Key Encipherment',
  dataEncipherment: 'Data Encipherment',
  keyAgreement: 'Key Agreement',
  keyCertSign: 'Certificate Sign',
  cRLSign: 'CRL Sign',
  encipherOnly: 'Encipher Only',
  decipherOnly: 'Decipher Only',
};
const EKU: Record<string, string> = {
  serverAuth: 'TLS Web Server Authentication',
  clientAuth: 'TLS Web Client Authentication',
  codeSigning: 'Code Signing',
  emailProtection: 'E-mail Protection',
  timeStamping: 'Time Stamping',
  OCSPSigning: 'OCSP Signing',
  anyExtendedKeyUsage: 'Any Extended Key Usage',
  ipsecEndSystem: 'IPSec End System',
  ipsecTunnel: 'IPSec Tunnel',
  ipsecUser: 'IPSec User',
  msSGC: 'Microsoft Server Gated Crypto',
  nsSGC: 'Netscape Server Gated Crypto',
  msEFS: 'Microsoft Encrypted File System',
  msSmartcardLogin: 'Microsoft Smartcard Login',
};

/** Our name in openssl's sep_multiline form: one RDN a line, multi-valued RDNs joined by " + ". */
function multiline(n: DistinguishedName): string[] {
  const out: string[] = [];
  n.attributes.forEach((a, i) => {
    const t = `${a.type}=${a.value}`;
    if (i > 0 && a.rdn === n.attributes[i - 1].rdn) out[out.length - 1] += ` + ${t}`;
    else out.push(t);
  });
  return out;
}

const osslDate = (s: string) => new Date(s).toISOString();

/** Compares one decoded certificate with openssl's facts; returns the differences (empty = identical). */
function diff(ours: DecodedCertificate, o: OpensslFacts): string[] {
  const d: string[] = [];
  const eq = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b))
      d.push(`${what}: ours ${JSON.stringify(a)} openssl ${JSON.stringify(b)}`);
  };
  eq('subject', multiline(ours.subject), o.subject);
  eq('issuer', multiline(ours.issuer), o.issuer);
  // The one-line form is RFC 4514 with ", " between RDNs; openssl's RFC2253 option omits the space.
  eq('subject one-line', ours.subject.text.replace(/(?<!\\), /g, ','), o.rfc2253);
  eq('serial', ours.serial, o.serial);
  eq('notBefore', ours.notBefore, osslDate(o.notBefore));
  eq('notAfter', ours.notAfter, osslDate(o.notAfter));
  eq('sha256', ours.fingerprints.sha256, o.sha256);
  eq('sha1', ours.fingerprints.sha1, o.sha1);
  eq('san', ours.subjectAltName?.map(gnOpenssl).join(', '), o.san);
  eq(
    'key',
    [ours.publicKey.algorithm, ours.publicKey.curve ? undefined : ours.publicKey.bits, ours.publicKey.curve],
    [o.keyAlgorithm, o.keyBits, o.curve],
  );
  eq('version', ours.version, o.version);
  eq('signature', [ours.signatureAlgorithm.name, ours.signatureAlgorithm.pss?.hash], [o.signature, o.pssHash]);
  // Extensions: same count, same order, same critical flags; decoded ones compared value by value.
  eq(
    'extension criticality',
    ours.extensions.map((e) => e.critical),
    o.extensions.map((e) => e.critical),
  );
  const ext = (name: string) => o.extensions.find((e) => e.name === `X509v3 ${name}` || e.name === name);
  if (ours.keyUsage) eq('keyUsage', ours.keyUsage.map((k) => KU[k]).join(', '), ext('Key Usage')?.value.join(' '));
  if (ours.extendedKeyUsage)
    eq(
      'extendedKeyUsage',
      ours.extendedKeyUsage.map((k) => EKU[k] ?? k).join(', '),
      ext('Extended Key Usage')?.value.join(' '),
    );
  if (ours.basicConstraints) {
    const bc = ours.basicConstraints;
    eq(
      'basicConstraints',
      `CA:${bc.ca ? 'TRUE' : 'FALSE'}${bc.pathLength !== undefined ? `, pathlen:${bc.pathLength}` : ''}`,
      ext('Basic Constraints')?.value.join(' '),
    );
  }
  if (ours.subjectKeyIdentifier)
    eq('subjectKeyIdentifier', ours.subjectKeyIdentifier, ext('Subject Key Identifier')?.value[0]);
  if (ours.authorityKeyIdentifier?.keyId)
    eq(
      'authorityKeyIdentifier',
      ours.authorityKeyIdentifier.keyId,
      ext('Authority Key Identifier')?.value[0].replace(/^keyid:/, ''),
    );
  if (ours.authorityInfoAccess) {
    const a = ours.authorityInfoAccess;
    eq(
      'aia',
      [...a.ocsp.map((u) => `OCSP - URI:${u}`), ...a.caIssuers.map((u) => `CA Issuers - URI:${u}`)].sort(),
      ext('Authority Information Access')
        ?.value.filter((v) => /^(OCSP|CA Issuers) - /.test(v))
        .sort(),
    );
  }
  if (ours.crlDistributionPoints) {
    eq(
      'crlDistributionPoints',
      ours.crlDistributionPoints,
      ext('CRL Distribution Points')
        ?.value.filter((v) => v.startsWith('URI:'))
        .map((v) => v.slice(4)),
    );
  }
  if (ours.certificatePolicies) {
    const v = ext('Certificate Policies')?.value ?? [];
    eq(
      'policies',
      ours.certificatePolicies.map((x) => x.oid),
      v.filter((l) => l.startsWith('Policy: ')).map((l) => l.slice(8).replace('X509v3 Any Policy', '2.5.29.32.0')),
    );
    eq(
      'policy CPS',
      ours.certificatePolicies.flatMap((x) => x.cps),
      v.filter((l) => l.startsWith('CPS: ')).map((l) => l.slice(5)),
    );
  }
  if (ours.nameConstraints) {
    const v = ext('Name Constraints')?.value ?? [];
    const ex = v.indexOf('Excluded:');
    const ipNc = (g: GeneralName) =>
      g.type === 'IP' ? `IP:${g.value.split('/').map(ipOpenssl).join('/')}` : `${g.type}:${g.value}`;
    eq(
      'nameConstraints permitted',
      ours.nameConstraints.permitted.map(ipNc),
      v.slice(v.indexOf('Permitted:') + 1, ex < 0 ? undefined : ex).filter((l) => l !== 'Permitted:'),
    );
    eq('nameConstraints excluded', ours.nameConstraints.excluded.map(ipNc), ex < 0 ? [] : v.slice(ex + 1));
  }
  return d;
}

function onlyCert(file: DecodedFile): DecodedCertificate {
  assert.deepEqual(file.errors, []);
  const certs = file.items.filter((i) => i.kind === 'certificate');
  assert.equal(certs.length, 1);
  return certs[0];
}

// ---------------------------------------------------------------- the corpus, made with the openssl CLI

const EXT = `
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
nameConstraints = critical, permitted;DNS:example.com, permitted;IP:10.0.0.0/255.0.0.0, permitted;IP:2001:db8::/ffff:ffff::, excluded;DNS:bad.example.com, excluded;email:evil.example
[inter]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:http://ocsp.example.com/, caIssuers;URI:http://ca.example.com/root.crt
crlDistributionPoints = URI:http://crl.example.com/root.crl, URI:ldap://ldap.example.com/cn=root
certificatePolicies = 2.23.140.1.2.1, @pol
[pol]
policyIdentifier = 1.3.6.1.4.1.55555.1.2
CPS.1 = https://cps.example.com/cps
userNotice.1 = @notice
[notice]
explicitText = "Test notice"
[server]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth, 1.3.6.1.4.1.55555.9
subjectAltName = DNS:api.example.com, DNS:*.example.com, IP:10.1.2.3, IP:2001:db8::42, IP:fe80::1:0:0:0, email:ops@example.com, URI:spiffe://example.com/ns/api
authorityKeyIdentifier = keyid
1.3.6.1.4.1.55555.7 = critical, DER:04:03:01:02:03
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = email:bot@example.com
`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'x509-openssl-'));
  writeFileSync(p('ext.cnf'), EXT);
  const req = (key: string, args: string[], subj: string) =>
    ossl('req', '-utf8', '-new', '-key', key, '-subj', subj, ...args);
  ossl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'root.key');
  ossl(
    'req',
    '-utf8',
    '-x509',
    '-key',
    'root.key',
    '-subj',
    '/C=CH/ST=Zürich/L=Zürich/O=mTLS Workbench/OU=Test, Inc+OU=PKI/CN=Zürich Test Root ✓',
    '-days',
    '3650',
    '-set_serial',
    '0x00ff01',
    '-config',
    'ext.cnf',
    '-extensions',
    'root',
    '-out',
    'root.pem',
  );
  ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'inter.key');
  req('inter.key', ['-out', 'inter.csr'], '/DC=com/DC=example/O=mTLS Workbench/CN=Test Intermediate');
  ossl(
    'x509',
    '-req',
    '-in',
    'inter.csr',
    '-CA',
    'root.pem',
    '-CAkey',
    'root.key',
    '-days',
    '1000',
    '-extfile',
    'ext.cnf',
    '-extensions',
    'inter',
    '-sha384',
    '-out',
    'inter.pem',
  );
  ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'server.key');
  req(
    'server.key',
    ['-out', 'server.csr', '-addext', 'subjectAltName=DNS:api.example.com,IP:10.1.2.3'],
    '/CN=api.example.com/emailAddress=ops@example.com/serialNumber=42/UID=svc',
  );
  ossl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'inter.pem',
    '-CAkey',
    'inter.key',
    '-days',
    '90',
    '-extfile',
    'ext.cnf',
    '-extensions',
    'server',
    '-out',
    'server.pem',
  );
  ossl('genpkey', '-algorithm', 'ED25519', '-out', 'client.key');
  req('client.key', ['-out', 'client.csr'], '/CN=webhook-bot/O=Example Ltd');
  ossl(
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'inter.pem',
    '-CAkey',
    'inter.key',
    '-days',
    '30',
    '-extfile',
    'ext.cnf',
    '-extensions',
    'client',
    '-out',
    'client.pem',
  );
  // v1: x509 -req without an extension file
  ossl('x509', '-req', '-in', 'client.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-days', '10', '-out', 'v1.pem');
  ossl(
    'req',
    '-x509',
    '-newkey',
    'rsa:4096',
    '-nodes',
    '-keyout',
    'rsa4096.key',
    '-subj',
    '/CN=RSA 4096',
    '-days',
    '5',
    '-out',
    'rsa4096.pem',
  );
  ossl(
    'req',
    '-x509',
    '-newkey',
    'rsa-pss',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-nodes',
    '-keyout',
    'pss.key',
    '-subj',
    '/CN=PSS key',
    '-days',
    '5',
    '-out',
    'pss.pem',
  );
  ossl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'psssig.key',
    '-subj',
    '/CN=PSS signature',
    '-days',
    '5',
    '-sigopt',
    'rsa_padding_mode:pss',
    '-sigopt',
    'rsa_pss_saltlen:32',
    '-out',
    'psssig.pem',
  );
  ossl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-521',
    '-nodes',
    '-keyout',
    'p521.key',
    '-subj',
    '/CN=P-521',
    '-days',
    '5',
    '-sha512',
    '-out',
    'p521.pem',
  );
  ossl(
    'req',
    '-x509',
    '-newkey',
    'ed448',
    '-nodes',
    '-keyout',
    'ed448.key',
    '-subj',
    '/CN=Ed448',
    '-days',
    '5',
    '-out',
    'ed448.pem',
  );
  ossl(
    'req',
    '-x509',
    '-newkey',
    'rsa:1024',
    '-nodes',
    '-keyout',
    'weak.key',
    '-subj',
    '/CN=weak',
    '-days',
    '5',
    '-sha1',
    '-out',
    'weak.pem',
  );
  writeFileSync(
    p('chain.pem'),
    ['server.pem', 'inter.pem', 'root.pem'].map((f) => readFileSync(p(f), 'utf8')).join(''),
  );
});

after(() => rmSync(dir, { recursive: true, force: true }));

const corpus = [
  'root.pem',
  'inter.pem',
  'server.pem',
  'client.pem',
  'v1.pem',
  'rsa4096.pem',
  'pss.pem',
  'psssig.pem',
  'p521.pem',
  'ed448.pem',
  'weak.pem',
];

test('every field of the openssl-made corpus matches openssl x509 -text / -subject / -fingerprint', async () => {
  for (const f of corpus) {
    const ours = onlyCert(decodeBytes(readFileSync(p(f)), { fileName: f }));
    assert.deepEqual(diff(ours, await opensslFacts(p(f))), [], f);
    // The certificate's PEM as openssl writes it (64-character lines), from the bytes we read.
    assert.equal(ours.pem, ossl('x509', '-in', f), `${f}: PEM`);
  }
});

test('self-signatures of every key type are checked on the thread pool as openssl -check_ss_sig judges them', async () => {
  const selfSigned = ['rsa4096.pem', 'pss.pem', 'psssig.pem', 'p521.pem', 'ed448.pem', 'weak.pem'];
  const texts = selfSigned.map((f) => readFileSync(p(f), 'latin1'));
  // The same certificates with one signature byte flipped: openssl must refuse them, and so must we.
  const damaged = texts.map((t) => {
    const der = Buffer.from(t.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    der[der.length - 3] ^= 0x01;
    return `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`;
  });
  const opensslSays = (pem: string) => {
    writeFileSync(p('ss.pem'), pem);
    return (
      spawnSync('openssl', [
        'verify',
        '-no-CApath',
        '-CAfile',
        p('ss.pem'),
        '-check_ss_sig',
        '-x509_strict',
        '-auth_level',
        '0',
        p('ss.pem'),
      ]).status === 0
    );
  };
  const all = [...texts, ...damaged].join('\n');
  const file = await decodePemTextAsync(all);
  assert.deepEqual(file, decodePemText(all));
  const ours = file.items.filter((i) => i.kind === 'certificate').map((c) => (c as DecodedCertificate).selfSigned);
  assert.deepEqual(
    ours,
    [...texts, ...damaged].map(opensslSays),
    [...selfSigned, ...selfSigned.map((f) => `damaged ${f}`)].join(' '),
  );
  assert.deepEqual(ours, [...texts.map(() => true), ...damaged.map(() => false)]);
});

test('the corpus covers what it claims: v1, UTF-8 names, IPv6 SANs, PSS, name constraints, policies', () => {
  const get = (f: string) => onlyCert(decodeBytes(readFileSync(p(f))));
  assert.equal(get('v1.pem').version, 1);
  assert.equal(get('v1.pem').extensions.length, 0);
  assert.equal(get('root.pem').subject.attributes.find((a) => a.type === 'CN')?.value, 'Zürich Test Root ✓');
  assert.match(
    get('root.pem').subject.text,
    /^CN=Zürich Test Root ✓, OU=Test\\, Inc\+OU=PKI, O=mTLS Workbench, L=Zürich, ST=Zürich, C=CH$/,
  );
  assert.ok(get('server.pem').subjectAltName?.some((g) => g.type === 'IP' && g.value === '2001:db8::42'));
  assert.deepEqual(get('server.pem').extendedKeyUsage, ['serverAuth', 'clientAuth', '1.3.6.1.4.1.55555.9']);
  const raw = get('server.pem').extensions.find((e) => e.oid === '1.3.6.1.4.1.55555.7');
  assert.deepEqual([raw?.critical, raw?.valueHex], [true, '0403010203']);
  assert.equal(get('psssig.pem').signatureAlgorithm.pss?.saltLength, 32);
  assert.equal(get('pss.pem').publicKey.algorithm, 'RSA-PSS');
  assert.equal(get('root.pem').nameConstraints?.excluded.length, 2);
  assert.deepEqual(get('inter.pem').certificatePolicies?.[1].userNotices, ['Test notice']);
});

test('DER certificates, PKCS#7 (PEM and DER) and PKCS#12 decode to the same certificates openssl lists', () => {
  ossl('x509', '-in', 'server.pem', '-outform', 'DER', '-out', 'server.cer');
  ossl('crl2pkcs7', '-nocrl', '-certfile', 'chain.pem', '-outform', 'DER', '-out', 'chain.p7b');
  ossl('crl2pkcs7', '-nocrl', '-certfile', 'chain.pem', '-out', 'chain.p7b.pem');
  ossl(
    'pkcs12',
    '-export',
    '-in',
    'server.pem',
    '-inkey',
    'server.key',
    '-certfile',
    'inter.pem',
    '-name',
    'api',
    '-passout',
    'pass:s3cret',
    '-out',
    'default.p12',
  );
  ossl(
    'pkcs12',
    '-export',
    '-in',
    'server.pem',
    '-inkey',
    'server.key',
    '-certfile',
    'inter.pem',
    '-certpbe',
    'PBE-SHA1-3DES',
    '-keypbe',
    'PBE-SHA1-3DES',
    '-macalg',
    'sha1',
    '-passout',
    'pass:s3cret',
    '-out',
    '3des.p12',
  );
  const fps = (f: string) =>
    ossl(...(f.endsWith('.p7b') ? ['pkcs7', '-inform', 'DER'] : ['pkcs7']), '-in', f, '-print_certs')
      .split('-----END CERTIFICATE-----')
      .filter((s) => s.includes('BEGIN'))
      .map((s) => {
        const pem = s.slice(s.indexOf('-----BEGIN')) + '-----END CERTIFICATE-----\n';
        return execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: pem })
          .toString()
          .trim()
          .split('=')[1];
      });
  const certFps = (file: DecodedFile) =>
    file.items.filter((i) => i.kind === 'certificate').map((c) => (c as DecodedCertificate).fingerprints.sha256);
  const der = decodeBytes(readFileSync(p('server.cer')));
  assert.equal(der.format, 'der');
  assert.deepEqual(certFps(der), [
    ossl('x509', '-in', 'server.pem', '-noout', '-fingerprint', '-sha256').trim().split('=')[1],
  ]);
  const p7 = decodeBytes(readFileSync(p('chain.p7b')));
  assert.equal(p7.format, 'pkcs7');
  assert.deepEqual(certFps(p7), fps('chain.p7b'));
  assert.deepEqual(certFps(decodeBytes(readFileSync(p('chain.p7b.pem')))), fps('chain.p7b.pem'));
  for (const f of ['default.p12', '3des.p12']) {
    const file = decodeBytes(readFileSync(p(f)), { passphrase: 's3cret' });
    assert.deepEqual(file.errors, [], f);
    const listed = ossl('pkcs12', '-in', f, '-passin', 'pass:s3cret', '-nokeys')
      .split('-----END CERTIFICATE-----')
      .filter((s) => s.includes('BEGIN'))
      .map(
        (s) =>
          execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], {
            input: s.slice(s.indexOf('-----BEGIN')) + '-----END CERTIFICATE-----\n',
          })
            .toString()
            .trim()
            .split('=')[1],
      );
    assert.deepEqual(certFps(file).sort(), listed.sort(), f);
    const info = osslAll('pkcs12', '-in', f, '-passin', 'pass:s3cret', '-info', '-noout');
    const key = file.items.find((i) => i.kind === 'privateKey');
    assert.ok(key && key.kind === 'privateKey');
    assert.deepEqual([key.algorithm, key.curve], ['EC', 'P-256']);
    if (f === 'default.p12') {
      assert.match(info, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
      assert.equal(key.encryption, 'PBES2, PBKDF2 (hmacWithSHA256, 2048 iterations), AES-256-CBC');
    } else {
      assert.match(info, /Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC/);
      assert.equal(key.encryption, 'pbeWithSHA1And3-KeyTripleDES-CBC');
    }
    assert.deepEqual(file.chain.keyMatches.length, 1, 'the key matches the server certificate');
    assert.equal(file.items[file.chain.keyMatches[0].certificate].kind, 'certificate');
  }
  const named = decodeBytes(readFileSync(p('default.p12')), { passphrase: 's3cret' });
  assert.ok(named.items.some((i) => i.source.friendlyName === 'api'));
});

test('TRUSTED CERTIFICATE (openssl -trustout) and NEW CERTIFICATE REQUEST blocks decode like their plain forms', () => {
  const trusted = ossl('x509', '-in', 'server.pem', '-trustout', '-addtrust', 'serverAuth');
  assert.match(trusted, /BEGIN TRUSTED CERTIFICATE/);
  const t = decodePemText(trusted);
  assert.deepEqual(t.errors, []);
  assert.equal(
    onlyCert(t).fingerprints.sha256,
    ossl('x509', '-in', 'server.pem', '-noout', '-fingerprint', '-sha256').trim().split('=')[1],
  );
  const csr = readFileSync(p('client.csr'), 'utf8').replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST');
  const c = decodePemText(csr).items[0];
  assert.ok(c.kind === 'csr' && c.signatureValid && c.publicKey.algorithm === 'Ed25519');
});

test('PKCS#12: typed "needs passphrase", wrong passphrase, and the legacy RC2 format decoded and flagged with its conversion command', () => {
  const none = decodeBytes(readFileSync(p('default.p12')));
  assert.equal(none.needsPassphrase, true);
  assert.equal(none.format, 'pkcs12');
  assert.deepEqual(none.items, []);
  const wrong = decodeBytes(readFileSync(p('default.p12')), { passphrase: 'nope' });
  assert.deepEqual(
    wrong.errors.map((e) => [e.code, e.message]),
    [['wrong-passphrase', 'PKCS#12: wrong passphrase (MAC verify failed)']],
  );
  // openssl agrees that the passphrase is wrong
  assert.match(osslAll('pkcs12', '-in', 'default.p12', '-passin', 'pass:nope', '-noout'), /mac verify error/i);
  let legacy = true;
  try {
    ossl(
      'pkcs12',
      '-export',
      '-legacy',
      '-in',
      'server.pem',
      '-inkey',
      'server.key',
      '-passout',
      'pass:changeit',
      '-out',
      'legacy.p12',
    );
  } catch {
    legacy = false; // no legacy provider: nothing to test
  }
  if (legacy) {
    assert.match(
      osslAll('pkcs12', '-in', 'legacy.p12', '-legacy', '-passin', 'pass:changeit', '-info', '-noout'),
      /RC2/,
    );
    const file = decodeBytes(readFileSync(p('legacy.p12')), { passphrase: 'changeit' });
    assert.deepEqual(file.errors, []);
    // Decoded with our RC2: the same certificate openssl (legacy provider) extracts.
    const listed = osslAll('pkcs12', '-in', 'legacy.p12', '-legacy', '-passin', 'pass:changeit', '-nokeys');
    const pem =
      listed.slice(listed.indexOf('-----BEGIN CERTIFICATE-----'), listed.indexOf('-----END CERTIFICATE-----') + 25) +
      '\n';
    const fp = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: pem })
      .toString()
      .trim()
      .split('=')[1];
    assert.deepEqual(
      file.items.filter((i) => i.kind === 'certificate').map((c) => (c as DecodedCertificate).fingerprints.sha256),
      [fp],
    );
    assert.equal(file.items.filter((i) => i.kind === 'privateKey').length, 1);
    const w = file.problems.find((x) => x.code === 'legacy-rc2');
    assert.ok(w, JSON.stringify(file.problems));
    assert.equal(w.severity, 'warning');
    assert.match(
      w.message,
      /legacy RC2 format.*openssl pkcs12 -legacy -in OLD\.p12 -nodes -out tmp\.pem && openssl pkcs12 -export/,
    );
    // …and Node itself indeed refuses the file.
    assert.throws(() => createSecureContext({ pfx: readFileSync(p('legacy.p12')), passphrase: 'changeit' }));
  }
});

test('CSRs: subject, key, requested SANs and signature match openssl req -text -verify', () => {
  for (const f of ['server.csr', 'inter.csr', 'client.csr']) {
    const file = decodeBytes(readFileSync(p(f)));
    const csr = file.items[0];
    assert.ok(csr.kind === 'csr', f);
    const text = execFileSync(
      'openssl',
      ['req', '-in', p(f), '-noout', '-text', '-nameopt', 'utf8,sep_multiline,sname'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ).toString();
    assert.match(osslAll('req', '-in', f, '-noout', '-verify'), /verify OK/i);
    assert.equal(csr.signatureValid, true);
    const subj = ossl('req', '-in', f, '-noout', '-subject', '-nameopt', 'utf8,sep_multiline,sname');
    assert.deepEqual(multiline(csr.subject), nameBlock(subj, 'subject'));
    const facts = parseText(text);
    assert.deepEqual(
      [csr.publicKey.algorithm, csr.publicKey.curve ?? csr.publicKey.bits],
      [facts.keyAlgorithm, facts.curve ?? facts.keyBits],
    );
    const san = facts.extensions.find((e) => e.name === 'X509v3 Subject Alternative Name');
    assert.equal(csr.requested.subjectAltName?.map(gnOpenssl).join(', '), san?.value[0]);
  }
  // A CSR with a tampered signature is reported, not trusted.
  const der = execFileSync('openssl', ['req', '-in', p('server.csr'), '-outform', 'DER']);
  der[der.length - 5] ^= 0xff;
  const bad = decodeBytes(der);
  assert.ok(bad.items[0].kind === 'csr' && bad.items[0].signatureValid === false);
  assert.ok(bad.problems.some((x) => x.code === 'csr-bad-signature'));
});

test('keys: type and size from openssl pkey, encryption from asn1parse, never key material', () => {
  ossl('pkey', '-in', 'server.key', '-aes256', '-passout', 'pass:k', '-out', 'server.enc.key');
  ossl('pkcs8', '-topk8', '-in', 'root.key', '-v1', 'PBE-SHA1-3DES', '-passout', 'pass:k', '-out', 'root.enc3des.key');
  ossl('rsa', '-in', 'root.key', '-traditional', '-out', 'root.pkcs1.key');
  ossl('rsa', '-in', 'root.key', '-traditional', '-aes128', '-passout', 'pass:k', '-out', 'root.legacy.key');
  ossl('ec', '-in', 'server.key', '-out', 'server.sec1.key');
  ossl('pkey', '-in', 'server.key', '-pubout', '-out', 'server.pub');
  ossl('rsa', '-in', 'root.key', '-RSAPublicKey_out', '-out', 'root.rsapub');
  const expectations: [string, Record<string, unknown>][] = [
    ['server.key', { algorithm: 'EC', curve: 'P-256', encrypted: false, format: 'PKCS#8' }],
    ['root.key', { algorithm: 'RSA', bits: 2048, encrypted: false }],
    ['rsa4096.key', { algorithm: 'RSA', bits: 4096 }],
    ['client.key', { algorithm: 'Ed25519' }],
    ['ed448.key', { algorithm: 'Ed448' }],
    ['p521.key', { algorithm: 'EC', curve: 'P-521' }],
    ['pss.key', { algorithm: 'RSA-PSS', bits: 2048 }],
    ['root.pkcs1.key', { algorithm: 'RSA', bits: 2048, format: 'PKCS#1 (RSA PRIVATE KEY)' }],
    ['server.sec1.key', { algorithm: 'EC', curve: 'P-256', format: 'SEC1 (EC PRIVATE KEY)' }],
    ['server.enc.key', { encrypted: true, encryption: 'PBES2, PBKDF2 (hmacWithSHA256, 2048 iterations), AES-256-CBC' }],
    ['root.enc3des.key', { encrypted: true, encryption: 'pbeWithSHA1And3-KeyTripleDES-CBC' }],
    ['root.legacy.key', { encrypted: true, algorithm: 'RSA', encryption: 'legacy PEM, AES-128-CBC' }],
  ];
  for (const [f, want] of expectations) {
    const file = decodeBytes(readFileSync(p(f)));
    assert.deepEqual(file.errors, [], f);
    const k = file.items[0] as unknown as Record<string, unknown>;
    assert.equal(k.kind, 'privateKey', f);
    for (const [key, v] of Object.entries(want)) assert.equal(k[key], v, `${f} ${key}`);
    // What openssl reports about the same key (the unencrypted ones).
    if (!k.encrypted) {
      const text = ossl('pkey', '-in', f, '-noout', '-text');
      const bits = /\((\d+) bit/.exec(text)?.[1];
      if (k.algorithm === 'RSA' || k.algorithm === 'RSA-PSS') assert.equal(String(k.bits), bits, f);
      if (k.algorithm === 'EC') assert.match(text, new RegExp(`NIST CURVE: ${String(k.curve)}`), f);
    }
    // No key material anywhere in the JSON: not the base64 body, not any 32+ byte hex run from openssl's dump.
    const json = JSON.stringify(file);
    const body = readFileSync(p(f), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l));
    for (const l of body) assert.ok(!json.includes(l), `${f}: key body leaked`);
  }
  const enc = readFileSync(p('server.enc.key'));
  assert.match(
    execFileSync('openssl', ['asn1parse'], { input: enc }).toString(),
    /PBES2[\s\S]*PBKDF2[\s\S]*hmacWithSHA256[\s\S]*aes-256-cbc/,
  );
  const opened = decodeBytes(enc, { passphrase: 'k' }).items[0];
  assert.ok(
    opened.kind === 'privateKey' && opened.algorithm === 'EC' && opened.curve === 'P-256',
    'with the passphrase the key type is shown',
  );
  const pub = decodeBytes(readFileSync(p('server.pub'))).items[0];
  assert.ok(pub.kind === 'publicKey' && pub.curve === 'P-256');
  const rsapub = decodeBytes(readFileSync(p('root.rsapub'))).items[0];
  assert.ok(rsapub.kind === 'publicKey' && rsapub.bits === 2048);
  const cert = onlyCert(decodeBytes(readFileSync(p('root.pem'))));
  assert.equal(rsapub.spkiSha256, cert.publicKey.spkiSha256, 'RSA PUBLIC KEY and the certificate have the same SPKI');
});

test("every certificate in Node's root store matches openssl field by field", async () => {
  assert.ok(rootCertificates.length > 100);
  const failures: string[] = [];
  const facts = await opensslFactsOfBundle(rootCertificates, 'roots');
  rootCertificates.forEach((pem, i) => {
    const ours = onlyCert(decodeBytes(Buffer.from(pem)));
    const d = diff(ours, facts[i]);
    if (d.length) failures.push(`root ${i} (${ours.subject.text}): ${d.join('; ')}`);
  });
  assert.deepEqual(failures, []);
});
