/**
 * What one decode collects as it reads a file (items, errors, certificates, the key-derivation budget) and how it
 * concludes: the chain linked, keys matched to certificates, every problem listed.
 */
import type { Asn1Node } from '../asn1/der';
import { KdfBudget } from '../crypto/kdfBudget';
import { decodeCertificate, type ParsedCertificate } from './certificate';
import { buildChain, matchKeyToCertificates, type SignatureChecker } from './chain';
import { certificateProblems } from './problems';
import type {
  DecodedFile,
  DecodeError,
  DecodeErrorCode,
  DecodedItem,
  DecodeOptions,
  ItemSource,
  Problem,
} from './types';

/** A decode in progress: what the readers of each format add to. */
export class DecodeContext {
  readonly items: DecodedItem[] = [];
  readonly errors: DecodeError[] = [];
  readonly certs: { item: number; parsed: ParsedCertificate }[] = [];
  /** Problems about the file as a whole (e.g. a legacy PKCS#12 format). */
  readonly fileProblems: Problem[] = [];
  needsPassphrase = false;
  constructor(
    readonly opts: DecodeOptions,
    readonly now: Date,
    /** Set when decoding asynchronously: self-signatures are then verified on the thread pool as certificates are read. */
    readonly early?: SignatureChecker,
  ) {}
  addCert(node: Asn1Node, source: ItemSource): void {
    const parsed = decodeCertificate(node, source, this.now);
    const entry = { item: this.items.length, parsed };
    this.certs.push(entry);
    this.items.push({ kind: 'certificate', ...parsed.decoded });
    if (this.early && parsed.decoded.selfIssued) this.early.startSelfCheck(entry);
  }
  /** One key-derivation budget for the whole file: its MAC, bags and encrypted keys together. */
  readonly budget = new KdfBudget();
  error(code: DecodeErrorCode, message: string, where?: { block?: number; line?: number }): void {
    this.errors.push({
      code,
      message,
      ...(where?.block !== undefined && { block: where.block }),
      ...(where?.line !== undefined && { line: where.line }),
    });
  }
}

/** The decoded file: the chain linked, keys matched to certificates, each certificate's problems and the file's. */
export function finishDecode(ctx: DecodeContext, format: DecodedFile['format']): DecodedFile {
  const chain = buildChain(ctx.certs, ctx.early);
  const keys = ctx.items.map((it, i) => ({ it, i })).filter((x) => x.it.kind === 'privateKey');
  const certItems = ctx.certs.map((c) => c.parsed.decoded);
  const keyMatches = matchKeyToCertificates(
    keys.map((k) => k.it as { spkiSha256?: string }),
    certItems,
  ).map((m) => ({ key: keys[m.key].i, certificate: ctx.certs[m.certificate].item }));
  const problems: Problem[] = [...ctx.fileProblems];
  const warnDays = ctx.opts.expiryWarningDays ?? 30;
  for (const { item, parsed } of ctx.certs) {
    const link = chain.links.find((l) => l.item === item);
    const p = certificateProblems(parsed.decoded, item, link, ctx.certs.length > 1, warnDays);
    parsed.decoded.problems = p;
    // Items were pushed as copies: refresh the certificate fields that chain building filled in.
    ctx.items[item] = { kind: 'certificate', ...parsed.decoded };
    problems.push(...p);
  }
  for (const it of ctx.items) {
    if (it.kind === 'csr' && !it.signatureValid)
      problems.push({
        severity: 'error',
        code: 'csr-bad-signature',
        message: `CSR ${it.subject.text}: its signature does not verify with its own key`,
        item: ctx.items.indexOf(it),
      });
  }
  return {
    ...(ctx.opts.fileName !== undefined && { fileName: ctx.opts.fileName }),
    format,
    items: ctx.items,
    errors: ctx.errors,
    ...(ctx.needsPassphrase && { needsPassphrase: true }),
    chain: { ...chain, keyMatches },
    problems,
  };
}
