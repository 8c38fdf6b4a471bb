/**
 * The decoder's front door: sniff the bytes (PEM, DER, PKCS#7, PKCS#12), decode every item, then link
 * certificates into a chain and list problems. Never throws: every failure becomes a DecodeError with a
 * message precise enough to act on ("PEM block 2: no END line", "…at byte 57").
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { KdfLimitError } from '../crypto/kdfBudget';
import { Asn1Error, Tag, children, parseDer, readTlv, type Asn1Node } from '../asn1/der';
import { looksLikeCertificate } from './certificate';
import { SignatureChecker } from './chain';
import { decodeCrl, looksLikeCrl } from './crl';
import { decodeCsr, looksLikeCsr } from './csr';
import {
  decodeSpki,
  describeEncryptedPkcs8,
  describePkcs1Private,
  describePkcs1Public,
  describePkcs8,
  describeSec1,
  keyObjectInfo,
  spkiHash,
} from './keys';
import { openPkcs12, looksLikePkcs12, Pkcs12Error, readBerPfx, startsLikePfx } from './pkcs12';
import { looksLikePkcs7, pkcs7Certificates } from './pkcs7';
import { scanPem, type PemBlock } from './pem';
import { stripBomText, stripUtf8Bom } from '../byteOrderMark';
import { DecodeContext, finishDecode } from './decodeContext';
import type { DecodedFile, DecodeOptions, ItemSource } from './types';

/** How far into a file the sniffers look before deciding "not a certificate or key file". */
export const SNIFF_BYTES = 4096;

function hasTag(n: Asn1Node | undefined, tag: number = Tag.SEQUENCE): boolean {
  return n?.tag === tag;
}

/** Decodes one DER element of any supported kind; returns the container format it turned out to be. */
function decodeDerNode(node: Asn1Node, source: ItemSource, ctx: DecodeContext): 'der' | 'pkcs7' | 'pkcs12' {
  if (looksLikePkcs12(node)) {
    decodePkcs12(node, ctx);
    return 'pkcs12';
  }
  if (looksLikePkcs7(node)) {
    const { certificates, crlCount } = pkcs7Certificates(node);
    certificates.forEach((c, index) =>
      ctx.addCert(c, { ...source, format: source.format === 'pem' ? 'pem' : 'pkcs7', index }),
    );
    if (certificates.length === 0 && crlCount === 0)
      ctx.error('empty', `${where(source)}PKCS#7 file holds no certificates`, source);
    return 'pkcs7';
  }
  if (looksLikeCertificate(node)) {
    ctx.addCert(node, source);
    return 'der';
  }
  if (looksLikeCsr(node)) {
    ctx.items.push({ kind: 'csr', ...decodeCsr(node, source) });
    return 'der';
  }
  if (looksLikeCrl(node)) {
    ctx.items.push({ kind: 'crl', ...decodeCrl(node, source) });
    return 'der';
  }
  const k = children(node);
  if (k.length === 2 && hasTag(k[0]) && hasTag(k[1], Tag.BIT_STRING)) {
    ctx.items.push({ kind: 'publicKey', source, format: 'SubjectPublicKeyInfo', ...decodeSpki(node) });
  } else if (k.length >= 3 && hasTag(k[0], Tag.INTEGER) && hasTag(k[1]) && hasTag(k[2], Tag.OCTET_STRING)) {
    ctx.items.push({ kind: 'privateKey', source, ...describePkcs8(node) });
  } else if (k.length === 2 && hasTag(k[0]) && hasTag(k[1], Tag.OCTET_STRING)) {
    encryptedKey(node, source, ctx);
  } else if (k.length >= 9 && k.every((x) => x.tag === Tag.INTEGER)) {
    ctx.items.push({ kind: 'privateKey', source, ...describePkcs1Private(node) });
  } else if (k.length >= 2 && hasTag(k[0], Tag.INTEGER) && hasTag(k[1], Tag.OCTET_STRING)) {
    ctx.items.push({ kind: 'privateKey', source, ...describeSec1(node) });
  } else if (k.length === 2 && k.every((x) => x.tag === Tag.INTEGER)) {
    ctx.items.push({ kind: 'publicKey', source, format: 'PKCS#1 (RSA PUBLIC KEY)', ...describePkcs1Public(node) });
  } else {
    throw new Asn1Error('valid DER, but not a certificate, key, CSR, PKCS#7 or PKCS#12 structure', node.start);
  }
  return 'der';
}

/** An encrypted PKCS#8 key: opened with the passphrase when the file's budget allows, else described and refused. */
function encryptedKey(node: Asn1Node, source: ItemSource, ctx: DecodeContext): void {
  try {
    ctx.items.push({ kind: 'privateKey', source, ...describeEncryptedPkcs8(node, ctx.opts.passphrase, ctx.budget) });
  } catch (e) {
    if (!(e instanceof KdfLimitError)) throw e;
    ctx.items.push({ kind: 'privateKey', source, ...describeEncryptedPkcs8(node) });
    ctx.error('too-costly', `${where(source)}${e.message}`, { block: source.block, line: source.line });
  }
}

function where(source: ItemSource): string {
  return source.block !== undefined ? `PEM block ${source.block}: ` : '';
}

function decodePkcs12(node: Asn1Node, ctx: DecodeContext): void {
  try {
    const p = openPkcs12(node, ctx.opts.passphrase, ctx.budget);
    for (const c of p.certificates) {
      const source: ItemSource = {
        format: 'pkcs12',
        index: c.index,
        ...(c.friendlyName !== undefined && { friendlyName: c.friendlyName }),
      };
      try {
        ctx.addCert(parseDer(c.der), source);
      } catch (e) {
        ctx.error('der', `PKCS#12 bag ${c.index + 1}: not a certificate: ${msg(e)}`);
      }
    }
    for (const k of p.keys) {
      ctx.items.push({
        kind: 'privateKey',
        source: {
          format: 'pkcs12',
          index: k.index,
          ...(k.friendlyName !== undefined && { friendlyName: k.friendlyName }),
        },
        ...k.facts,
      });
    }
    for (const e of p.errors) ctx.error(e.code, e.message);
    for (const w of p.warnings) ctx.fileProblems.push({ severity: 'warning', code: w.code, message: w.message });
  } catch (e) {
    if (e instanceof Pkcs12Error) {
      if (e.code === 'needs-passphrase') ctx.needsPassphrase = true;
      ctx.error(e.code, e.message);
    } else {
      ctx.error('der', `PKCS#12: ${msg(e)}`);
    }
  }
}

function msg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const SKIPPED_LABELS = new Set([
  'EC PARAMETERS',
  'DSA PARAMETERS',
  'DH PARAMETERS',
  'X9.42 DH PARAMETERS',
  'SSL SESSION PARAMETERS',
]);
const WHAT: Record<string, string> = {
  CERTIFICATE: 'a certificate',
  'X509 CERTIFICATE': 'a certificate',
  'TRUSTED CERTIFICATE': 'a certificate',
  'CERTIFICATE REQUEST': 'a certificate request',
  'NEW CERTIFICATE REQUEST': 'a certificate request',
  'X509 CRL': 'a CRL',
  'PUBLIC KEY': 'a public key',
  'RSA PUBLIC KEY': 'an RSA public key',
  'PRIVATE KEY': 'a private key',
  'RSA PRIVATE KEY': 'an RSA private key',
  'EC PRIVATE KEY': 'an EC private key',
  'ENCRYPTED PRIVATE KEY': 'an encrypted private key',
  PKCS7: 'PKCS#7',
  CMS: 'PKCS#7',
};

/** Legacy "Proc-Type: 4,ENCRYPTED" keys: describe from the headers, and from Node when a passphrase opens them. */
function legacyEncrypted(b: PemBlock, text: string, ctx: DecodeContext): void {
  const cipher = (b.headers['DEK-Info'] ?? '').split(',')[0] || 'unknown cipher';
  const algorithm = b.type.startsWith('RSA')
    ? 'RSA'
    : b.type.startsWith('EC')
      ? 'EC'
      : b.type.startsWith('DSA')
        ? 'DSA'
        : 'unknown';
  const base = {
    algorithm,
    format: `${b.type} (legacy PEM encryption)`,
    encrypted: true,
    encryption: `legacy PEM, ${cipher}`,
  };
  let extra = {};
  if (ctx.opts.passphrase !== undefined) {
    try {
      const pem = text.slice(b.startOffset, b.endOffset);
      const k = createPrivateKey({ key: pem, format: 'pem', passphrase: ctx.opts.passphrase });
      extra = { ...keyObjectInfo(k), spkiSha256: spkiHash(createPublicKey(k).export({ type: 'spki', format: 'der' })) };
    } catch {
      // Wrong passphrase: still describe what we can see without it.
    }
  }
  ctx.items.push({
    kind: 'privateKey',
    source: { format: 'pem', block: b.index, line: b.startLine, label: b.type },
    ...base,
    ...extra,
  });
}

function decodePemBlocks(blocks: PemBlock[], text: string, ctx: DecodeContext): void {
  for (const b of blocks) {
    const loc = { block: b.index, line: b.startLine };
    if (b.error) {
      ctx.error(b.error.code, b.error.message, { block: b.index, line: b.error.line ?? b.startLine });
      continue;
    }
    if (SKIPPED_LABELS.has(b.type)) continue;
    const source: ItemSource = { format: 'pem', block: b.index, line: b.startLine, label: b.type };
    const what = WHAT[b.type] ?? 'a certificate or key';
    try {
      if ((b.headers['Proc-Type'] ?? '').includes('ENCRYPTED')) {
        legacyEncrypted(b, text, ctx);
        continue;
      }
      const der = b.der!;
      // TRUSTED CERTIFICATE is a certificate followed by OpenSSL's trust settings: read the first element only.
      const node = b.type === 'TRUSTED CERTIFICATE' ? readTlv(der, 0, der.length) : parseDer(der);
      if (b.type === 'X509 CRL' && !looksLikeCrl(node)) throw new Asn1Error('not a CertificateList', 0);
      if (WHAT[b.type] === 'a certificate') {
        if (!looksLikeCertificate(node)) throw new Asn1Error('DER is not shaped like a Certificate', node.start);
        ctx.addCert(node, source);
        continue;
      }
      if (b.type === 'ENCRYPTED PRIVATE KEY') {
        encryptedKey(node, source, ctx);
        continue;
      }
      decodeDerNode(node, source, ctx);
    } catch (e) {
      ctx.error('der', `PEM block ${b.index} (${b.type}, line ${b.startLine}): not ${what}: ${msg(e)}`, loc);
    }
  }
}

/** True when `head` (a file's first bytes) has no control characters but tab, CR, LF, VT and FF: text, not DER. */
export function isTextual(head: Buffer): boolean {
  for (let i = 0; i < head.length; i++) {
    const c = head[i];
    if (c < 0x09 || (c > 0x0d && c < 0x20)) return false;
  }
  return true;
}

/** Cheap sniff for the workspace scan: could this file (its first ≤ 4 KiB) be a certificate or key file? */
export function looksLikeCertificateFile(head: Buffer): boolean {
  const h = head.subarray(0, SNIFF_BYTES);
  if (h.length < 2) return false;
  if (h[0] === 0x30 && h[1] === 0x80) return startsLikePfx(h); // BER: only PKCS#12 is read in it
  if (h[0] === 0x30 && (h[1] === 0x82 || h[1] === 0x81 || h[1] === 0x83 || h[1] < 0x80)) {
    // SEQUENCE → SEQUENCE (certificate, CSR, PKCS#7-less DER) or INTEGER 3 (PKCS#12) or an OID (PKCS#7).
    const off = h[1] < 0x80 ? 2 : 2 + (h[1] & 0x7f);
    const next = h[off];
    return next === 0x30 || next === 0x02 || next === 0x06;
  }
  return /-----BEGIN [A-Z0-9 ]+-----/.test(h.toString('latin1'));
}

type Body = (ctx: DecodeContext) => DecodedFile['format'];

function parse(
  opts: DecodeOptions,
  body: Body,
  early?: SignatureChecker,
): { ctx: DecodeContext; format: DecodedFile['format'] } {
  const ctx = new DecodeContext(opts, opts.now ?? new Date(), early);
  let format: DecodedFile['format'] = 'unknown';
  try {
    format = body(ctx);
  } catch (e) {
    ctx.error('internal', `could not decode: ${msg(e)}`);
  }
  return { ctx, format };
}

function conclude({ ctx, format }: { ctx: DecodeContext; format: DecodedFile['format'] }): DecodedFile {
  try {
    return finishDecode(ctx, format);
  } catch (e) {
    return {
      format,
      items: ctx.items,
      errors: [...ctx.errors, { code: 'internal', message: `could not analyse: ${msg(e)}` }],
      chain: { links: [], path: [], complete: false, keyMatches: [] },
      problems: [],
    };
  }
}

function run(opts: DecodeOptions, body: Body): DecodedFile {
  return conclude(parse(opts, body));
}

/** The same result as `run`, with self-signatures verified on the thread pool while the file is still being read. */
async function runAsync(opts: DecodeOptions, body: Body): Promise<DecodedFile> {
  const early = new SignatureChecker();
  const parsed = parse(opts, body, early);
  await early.settled();
  return conclude(parsed);
}

function pemBody(input: string): Body {
  // A byte order mark is not part of the text (editors hide it; OpenSSL skips it).
  const text = stripBomText(input);
  return (ctx) => {
    if (text.trim() === '') {
      ctx.error('empty', 'empty file');
      return 'unknown';
    }
    const blocks = scanPem(text);
    if (blocks.length === 0) {
      ctx.error('not-recognised', 'not a certificate or key file: no PEM block (-----BEGIN …-----) found');
      return 'unknown';
    }
    decodePemBlocks(blocks, text, ctx);
    if (ctx.items.length === 0 && ctx.errors.length === 0)
      ctx.error('not-recognised', 'the PEM blocks hold only parameters, no certificate or key');
    return 'pem';
  };
}

/** Trailing whitespace (files edited by hand) is tolerated after the element, nothing else. */
function onlyWhitespaceAfter(bytes: Buffer, end: number, encoding: 'DER' | 'BER'): void {
  const rest = bytes.subarray(end);
  if (rest.length > 0 && !/^\s*$/.test(rest.toString('latin1')))
    throw new Asn1Error(`${rest.length} trailing bytes after the ${encoding} element`, end);
}

function bytesBody(input: Buffer): Body {
  // Offsets then count from after the mark, as in an editor, which does not show it.
  const bytes = stripUtf8Bom(input);
  const textual = isTextual(bytes.subarray(0, SNIFF_BYTES));
  if (bytes.length > 0 && bytes[0] === 0x30 && !textual) {
    return (ctx) => {
      let node: Asn1Node;
      try {
        node = readTlv(bytes, 0, bytes.length);
        onlyWhitespaceAfter(bytes, node.end, 'DER');
      } catch (e) {
        if (!startsLikePfx(bytes)) {
          ctx.error('der', `not a certificate: ${msg(e)}`);
          return 'unknown';
        }
        // PKCS#12 may be BER (indefinite lengths, OCTET STRINGs in pieces); nothing else here may.
        try {
          const pfx = readBerPfx(bytes);
          onlyWhitespaceAfter(bytes, pfx.end, 'BER');
          node = pfx.node;
        } catch (be) {
          ctx.error('der', `PKCS#12: ${msg(be)}`);
          return 'unknown';
        }
      }
      try {
        return decodeDerNode(node, { format: 'der' }, ctx);
      } catch (e) {
        ctx.error('der', `not a certificate: ${msg(e)}`);
        return 'unknown';
      }
    };
  }
  if (!textual && bytes.length > 0) {
    return (ctx) => {
      ctx.error('not-recognised', 'not a certificate or key file (binary data that is neither PEM nor DER)');
      return 'unknown';
    };
  }
  // PEM is ASCII; latin1 keeps one character per byte so offsets stay meaningful.
  return pemBody(bytes.toString('latin1'));
}

/** Decodes PEM text (a file or an editor selection): every block, in order. */
export function decodePemText(text: string, opts: DecodeOptions = {}): DecodedFile {
  return run(opts, pemBody(text));
}

/** Decodes a file's bytes: PEM (any number of blocks), DER, PKCS#7 or PKCS#12 — detected by content, not extension. */
export function decodeBytes(bytes: Buffer, opts: DecodeOptions = {}): DecodedFile {
  return run(opts, bytesBody(bytes));
}

/** `decodePemText`, with signatures verified on another core: the same result, sooner for files of many roots. */
export function decodePemTextAsync(text: string, opts: DecodeOptions = {}): Promise<DecodedFile> {
  return runAsync(opts, pemBody(text));
}

/** `decodeBytes`, with signatures verified on another core: the same result, sooner for files of many roots. */
export function decodeBytesAsync(bytes: Buffer, opts: DecodeOptions = {}): Promise<DecodedFile> {
  return runAsync(opts, bytesBody(bytes));
}
