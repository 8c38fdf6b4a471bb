/**
 * The least a Node program can do to check every self-signature in a PEM file of root certificates: split the
 * PEM, walk just enough DER to find each certificate's signed part, key and signature, and verify each
 * signature with its own key on the thread pool, as `mtls decode` does. It decodes no field and prints only
 * how many signatures verified. Loads nothing but node:fs and node:crypto, so its whole run above `node -e 0`
 * is a floor under any Node CLI that checks those signatures (the decode benchmark times it).
 * Run: node out/bench/selfSignatureFloor.js FILE
 */
import { readFileSync } from 'node:fs';
import { verify } from 'node:crypto';

/** Signature algorithm OIDs (DER content, hex) of the root store's certificates, and the hash each uses. */
const HASH_OF: Record<string, string | undefined> = {
  '2a864886f70d010105': 'sha1',
  '2a864886f70d01010b': 'sha256',
  '2a864886f70d01010c': 'sha384',
  '2a864886f70d01010d': 'sha512',
  '2a8648ce3d040302': 'sha256',
  '2a8648ce3d040303': 'sha384',
  '2a8648ce3d040304': 'sha512',
};

/** A TLV's content start and length (definite lengths only: certificates are DER). */
function header(der: Buffer, at: number): [start: number, length: number] {
  let length = der[at + 1];
  let start = at + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + der[start + i];
    start += octets;
  }
  return [start, length];
}

function end(der: Buffer, at: number): number {
  const [start, length] = header(der, at);
  return start + length;
}

const text = readFileSync(process.argv[2], 'latin1');
const ders: Buffer[] = [];
for (
  let at = text.indexOf('-----BEGIN CERTIFICATE-----');
  at >= 0;
  at = text.indexOf('-----BEGIN CERTIFICATE-----', at + 1)
) {
  const body = at + '-----BEGIN CERTIFICATE-----'.length;
  ders.push(Buffer.from(text.slice(body, text.indexOf('-----END', body)), 'base64'));
}

let pending = ders.length;
let verified = 0;
for (const der of ders) {
  const [tbsAt] = header(der, 0);
  const [fieldsAt] = header(der, tbsAt);
  // version [0] (optional), serial, signature algorithm, issuer, validity, subject, then the SubjectPublicKeyInfo
  let at = der[fieldsAt] === 0xa0 ? end(der, fieldsAt) : fieldsAt;
  for (let i = 0; i < 5; i++) at = end(der, at);
  const spki = der.subarray(at, end(der, at));
  const algAt = end(der, tbsAt);
  const [oidAt] = header(der, algAt);
  const [oidStart, oidLength] = header(der, oidAt);
  const hash = HASH_OF[der.toString('hex', oidStart, oidStart + oidLength)];
  const [bitsStart, bitsLength] = header(der, end(der, algAt));
  const signature = der.subarray(bitsStart + 1, bitsStart + bitsLength);
  verify(hash ?? null, der.subarray(tbsAt, algAt), { key: spki, format: 'der', type: 'spki' }, signature, (e, ok) => {
    if (e === null && ok) verified++;
    if (--pending === 0) process.stdout.write(`${verified} of ${ders.length}\n`);
  });
}
