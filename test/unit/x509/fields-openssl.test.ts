// Serial numbers and the path-policy and Certificate Transparency extensions, against what `openssl x509` prints
// for certificates made here with the openssl CLI. Every expectation is read from openssl's output, never ours.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { der, parseDer, Asn1Error } from '../../../src/core/asn1/der';
import { certificateFields } from '../../../src/core/certificateFields';
import { decodeBytes, renderText, type DecodedCertificate } from '../../../src/core/x509/index';
import { decodeSctList } from '../../../src/core/x509/sct';

let dir = '';
const ossl = (...args: string[]) =>
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString('utf8');

/** A self-signed P-256 certificate made by openssl with `extensions` (an extension section's lines) and `serial`. */
function make(name: string, extensions: string, serial = '1'): { pem: Buffer; text: string; serial: string } {
  writeFileSync(
    join(dir, `${name}.cnf`),
    `[req]\ndistinguished_name = dn\nx509_extensions = ext\nprompt = no\n[dn]\nCN = ${name}\n[ext]\nsubjectKeyIdentifier = hash\n${extensions}\n`,
  );
  ossl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-config',
    `${name}.cnf`,
    '-days',
    '30',
    '-set_serial',
    serial,
    '-out',
    `${name}.pem`,
  );
  return {
    pem: readFileSync(join(dir, `${name}.pem`)),
    text: ossl('x509', '-in', `${name}.pem`, '-noout', '-text'),
    serial: /^serial=(.*)$/m.exec(ossl('x509', '-in', `${name}.pem`, '-noout', '-serial'))![1],
  };
}

function onlyCert(bytes: Buffer): DecodedCertificate {
  const r = decodeBytes(bytes);
  assert.deepEqual(r.errors, []);
  const c = r.items.find((i) => i.kind === 'certificate');
  assert.ok(c);
  return c;
}

/** The lines under an extension's header in `openssl x509 -text`, trimmed. */
function extensionBlock(text: string, header: string): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trim().startsWith(`${header}:`));
  assert.ok(at >= 0, `openssl printed no "${header}"`);
  const indent = lines[at].search(/\S/);
  const out: string[] = [];
  for (let i = at + 1; i < lines.length && lines[i].search(/\S/) > indent; i++) out.push(lines[i].trim());
  return out;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'x509-fields-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("negative serials read as openssl x509 -serial prints them (-05, not the two's complement FB), with -text's value", () => {
  const serials = ['-5', '-256', '-1', '-128', '-129', '-0x0123456789ABCDEF0123456789ABCDEF01', '5', '0x80', '0'];
  for (const s of serials) {
    const made = make(`serial${serials.indexOf(s)}`, '', s);
    const c = onlyCert(made.pem);
    assert.equal(c.serial, made.serial, `serial ${s}`);
    // -text prints "Serial Number: -5 (-0x5)" for small values and "(Negative)01:23:…" for large ones (and -1).
    const m = /Serial Number:\s*(?:(-?\d+) \(-?0x[0-9a-f]+\)|\n?\s*(\(Negative\))?([0-9a-f:]+))/.exec(made.text)!;
    const textValue = m[1] !== undefined ? BigInt(m[1]) : (m[2] ? -1n : 1n) * BigInt(`0x${m[3].replace(/:/g, '')}`);
    const ours = c.serial.startsWith('-') ? -BigInt(`0x${c.serial.slice(1)}`) : BigInt(`0x${c.serial}`);
    assert.equal(ours, textValue, `serial ${s}: value as -text prints it`);
    const negative = s.startsWith('-');
    assert.equal(
      c.problems.some(
        (p) => p.code === 'negative-serial' && p.severity === 'warning' && p.message.includes(made.serial),
      ),
      negative,
      `serial ${s}: warning`,
    );
    const field = certificateFields(c).find((f) => f.label === 'Serial')!;
    assert.equal(field.value, made.serial);
    assert.equal(field.severity, negative ? 'warning' : undefined);
  }
});

test("policy constraints and inhibit anyPolicy decode to openssl x509 -text's values instead of hex", () => {
  const both = make(
    'policy',
    'basicConstraints=critical,CA:TRUE\npolicyConstraints=requireExplicitPolicy:3,inhibitPolicyMapping:1\ninhibitAnyPolicy=2',
  );
  const one = make(
    'policy1',
    'basicConstraints=critical,CA:TRUE\npolicyConstraints=inhibitPolicyMapping:0\ninhibitAnyPolicy=0',
  );
  for (const made of [both, one]) {
    const c = onlyCert(made.pem);
    const pc = extensionBlock(made.text, 'X509v3 Policy Constraints').join(' ');
    const expected: { requireExplicitPolicy?: number; inhibitPolicyMapping?: number } = {};
    const rep = /Require Explicit Policy:(\d+)/.exec(pc);
    const ipm = /Inhibit Policy Mapping:(\d+)/.exec(pc);
    if (rep) expected.requireExplicitPolicy = Number(rep[1]);
    if (ipm) expected.inhibitPolicyMapping = Number(ipm[1]);
    assert.deepEqual(c.policyConstraints, expected);
    assert.equal(c.inhibitAnyPolicy, Number(extensionBlock(made.text, 'X509v3 Inhibit Any Policy')[0]));
    for (const e of c.extensions.filter((x) => x.oid === '2.5.29.36' || x.oid === '2.5.29.54'))
      assert.equal(e.valueHex, undefined, `${e.name} is decoded, not hex`);
    const fields = certificateFields(c);
    assert.equal(fields.find((f) => f.label === 'Policy constraints')?.value, pc);
    assert.equal(fields.find((f) => f.label === 'Inhibit anyPolicy')?.value, `skip ${c.inhibitAnyPolicy} certificates`);
    assert.ok(
      !fields.some((f) => f.label === 'Policy Constraints' || f.label === 'Inhibit Any Policy'),
      'not listed again as hex',
    );
    assert.match(renderText(decodeBytes(made.pem)), new RegExp(`Policy constraints: +${pc}`));
  }
});

// ---------------------------------------------------------------- SCT lists, TLS-encoded as RFC 6962 3.3 says

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
function sct(o: {
  logId: Buffer;
  ms: bigint;
  extensions?: Buffer;
  hash: number;
  sig: number;
  signature: Buffer;
}): Buffer {
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(o.ms);
  const ext = o.extensions ?? Buffer.alloc(0);
  return Buffer.concat([
    Buffer.from([0]),
    o.logId,
    ts,
    u16(ext.length),
    ext,
    Buffer.from([o.hash, o.sig]),
    u16(o.signature.length),
    o.signature,
  ]);
}
function sctList(scts: readonly Buffer[]): Buffer {
  const body = Buffer.concat(scts.flatMap((s) => [u16(s.length), s]));
  return Buffer.concat([u16(body.length), body]);
}
const colon = (b: Buffer) => b.toString('hex').toUpperCase().match(/../g)!.join(':');
// A real log's id (Google "Argon2024"), an ECDSA signature shaped like a log's, and an RSA-signed one with extensions.
const ARGON = Buffer.from('ee4bbdb775ce60bae142691fabe19e66a30f7e5fb072d88300c47b897aa8fdcb', 'hex');
const SCTS = [
  sct({
    logId: ARGON,
    ms: 1710890132486n,
    hash: 4,
    sig: 3,
    signature: Buffer.from(`3045022100${'1a'.repeat(32)}0220${'2b'.repeat(32)}`, 'hex'),
  }),
  sct({
    logId: Buffer.alloc(32, 0xab),
    ms: 1700000000000n,
    extensions: Buffer.from('0102', 'hex'),
    hash: 4,
    sig: 1,
    signature: Buffer.alloc(10, 0x33),
  }),
];
/** The extension value as openssl's extfile takes it: DER of the OCTET STRING that holds the TLS list. */
const sctDer = (list: Buffer) => `DER:${colon(der.octetString(list))}`;

test('an SCT list decodes per SCT to what openssl x509 -text prints: version, log id, timestamp, extensions, signature', () => {
  const made = make('sct', `1.3.6.1.4.1.11129.2.4.2=${sctDer(sctList(SCTS))}`);
  const c = onlyCert(made.pem);
  const block = extensionBlock(made.text, 'CT Precertificate SCTs');
  // openssl's lines, one SCT per "Signed Certificate Timestamp:", wrapped values joined back.
  const theirs = block
    .join('\n')
    .split('Signed Certificate Timestamp:')
    .slice(1)
    .map((s) => {
      const fields: Record<string, string> = {};
      let current = '';
      for (const line of s.split('\n').filter(Boolean)) {
        const m = /^(Version|Log ID|Timestamp|Extensions|Signature)\s*: (.*)$/.exec(line);
        if (m) fields[(current = m[1]!)] = m[2]!;
        else fields[current] += line;
      }
      return fields as { Version: string; 'Log ID': string; Timestamp: string; Extensions: string; Signature: string };
    });
  assert.equal(theirs.length, 2);
  const ours = c.signedCertificateTimestamps!;
  assert.equal(ours.length, theirs.length);
  ours.forEach((t, i) => {
    const o = theirs[i];
    assert.ok('logId' in t);
    assert.equal(o.Version, 'v1 (0x0)');
    assert.equal(t.version, 1);
    assert.equal(t.logId, o['Log ID']);
    assert.equal(t.logIdBase64, Buffer.from(o['Log ID'].replace(/:/g, ''), 'hex').toString('base64'));
    // "Mar 19 23:15:32.486 2024 GMT"
    const [, mon, d, hms, y] = /^(\w+) +(\d+) (\d\d:\d\d:\d\d\.\d{3}) (\d+) GMT$/.exec(o.Timestamp)!;
    assert.equal(t.timestamp, new Date(`${d} ${mon} ${y} ${hms}Z`).toISOString());
    assert.equal(t.extensions || 'none', o.Extensions);
    // "ecdsa-with-SHA256" then the signature's hex on the following lines.
    const sig = /^(\S+?)((?:[0-9A-F]{2}:)*[0-9A-F]{2})$/.exec(o.Signature)!;
    assert.equal(t.signatureName, sig[1]);
    assert.equal(t.signature, sig[2]);
  });
  assert.equal(c.extensions.find((e) => e.oid === '1.3.6.1.4.1.11129.2.4.2')?.valueHex, undefined, 'decoded, not hex');
  const field = certificateFields(c).find((f) => f.label === 'CT timestamps (SCTs)')!;
  assert.equal(field.value, '2 SCTs');
  assert.deepEqual(
    field.children!.map((f) => f.children!.find((x) => x.label === 'Log ID (base64)')!.value),
    [ARGON.toString('base64'), Buffer.alloc(32, 0xab).toString('base64')],
  );
  assert.ok(
    renderText(decodeBytes(made.pem)).includes(
      `CT timestamps (SCTs): 2 SCTs\n    v1, log ${ARGON.toString('base64')}, 2024-03-19 23:15:32.486 UTC, ecdsa-with-SHA256\n`,
    ),
  );
});

test('short or hostile SCT bytes fall back to hex with why, as a warning; the certificate still decodes', () => {
  const good = sctList(SCTS);
  const cases: [string, Buffer][] = [
    ['truncated list', good.subarray(0, 40)],
    ['list length larger than the data', Buffer.concat([u16(good.length + 10), good.subarray(2)])],
    [
      'an SCT claiming more than the list holds',
      Buffer.concat([u16(SCTS[0].length + 2), u16(SCTS[0].length + 500), SCTS[0]]),
    ],
    ['empty list', u16(0)],
    ['one byte', Buffer.from([0])],
  ];
  for (const [what, list] of cases) {
    const made = make(`badsct${cases.findIndex((c) => c[0] === what)}`, `1.3.6.1.4.1.11129.2.4.2=${sctDer(list)}`);
    const c = onlyCert(made.pem);
    const e = c.extensions.find((x) => x.oid === '1.3.6.1.4.1.11129.2.4.2')!;
    assert.ok(e.error?.startsWith('SCT list: '), `${what}: ${e.error}`);
    assert.equal(e.valueHex, der.octetString(list).toString('hex'), `${what}: shown as hex`);
    assert.equal(c.signedCertificateTimestamps, undefined);
    assert.ok(
      c.problems.some((p) => p.code === 'extension-not-decoded' && p.severity === 'warning'),
      what,
    );
    assert.match(
      certificateFields(c).find((f) => f.label === 'CT Precertificate SCTs')!.value,
      /^not decoded: SCT list: /,
    );
  }
});

test('every truncation and 2,000 seeded mutations of an SCT list: a list or an Asn1Error, never another exception', () => {
  const good = sctList(SCTS);
  const node = (list: Buffer) => parseDer(der.octetString(der.octetString(list)));
  assert.equal(decodeSctList(node(good)).length, 2);
  const inputs: Buffer[] = [];
  for (let n = 0; n < good.length; n++)
    inputs.push(good.subarray(0, n), Buffer.concat([u16(Math.max(0, n - 2)), good.subarray(2, n)]));
  let a = 0x5c7;
  const rand = () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(good);
    for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
    inputs.push(b);
  }
  let refused = 0;
  for (const list of inputs) {
    try {
      decodeSctList(node(list));
    } catch (e) {
      assert.ok(e instanceof Asn1Error, `not an Asn1Error: ${String(e)}`);
      refused++;
    }
  }
  assert.ok(
    refused > 0 && refused < inputs.length,
    `both outcomes are exercised (${refused} of ${inputs.length} refused)`,
  );
});
