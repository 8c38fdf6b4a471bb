import * as path from 'node:path';
import { writeFileSet } from '../../core/files';
import { InputError } from '../../core/errors';
import {
  checkBundleExpiry,
  dialogflowClientPin,
  dialogflowTrustBundle,
  importedTrustBundle,
  koreNotes,
} from '../../core/pki/index';
import { stringOpt, UsageError, type CliCommand, type CliContext, type CliValues } from '../command';
import { readText } from '../options';
import { shownArg, shownPath } from '../shownPath';

async function check(file: string, ctx: CliContext): Promise<number> {
  const expired = checkBundleExpiry(await readText(ctx, file, 'the CA bundle'));
  if (expired.length === 0) {
    ctx.out(`${file}: no expired certificates.`);
    return 0;
  }
  ctx.err(
    [
      `${file} holds ${expired.length} expired certificate(s); remove them or regenerate the bundle:`,
      ...expired.map((c) => `  ${c.subject} — expired ${c.notAfter.toISOString().slice(0, 10)}`),
    ].join('\n'),
  );
  return 1;
}

async function write(values: CliValues, ctx: CliContext, pem: string): Promise<string> {
  const out = path.resolve(ctx.cwd, stringOpt(values, 'out') ?? '');
  await writeFileSet(path.dirname(out), [{ name: path.basename(out), contents: pem }], {
    overwrite: values['force'] === true,
    within: ctx.cwd,
  });
  return out;
}

export const trustBundleCommand: CliCommand = {
  name: 'trust-bundle',
  summary: "Write the CA bundle that verifies a platform's client certificate",
  usage: 'mtls trust-bundle --platform dialogflow|kore --out FILE   |   mtls trust-bundle --check FILE',
  details:
    [
      "  --platform NAME     dialogflow: the roots behind Dialogflow's client certificate, from Node's root store,",
      '                      each checked by SHA-256 fingerprint (works offline)',
      "                      kore: Kore.ai's CA is not public; import its root and intermediate with --import",
      '  --import FILE       (kore) a PEM file with CA certificates to validate (CA:true) and copy; repeatable',
      "  --out FILE          the bundle to write, e.g. ca-dialogflow.pem; pass it as the server's `ca`",
      '  --check FILE        report expired certificates in an existing bundle (e.g. ca-crt.pem); exit 1 if any',
      '  --force             overwrite an existing file',
    ].join('\n') + '\n',
  options: {
    platform: { type: 'string' },
    out: { type: 'string' },
    import: { type: 'string', multiple: true },
    check: { type: 'string' },
    force: { type: 'boolean' },
  },
  async run({ values }, ctx) {
    const checkFile = stringOpt(values, 'check');
    const platform = stringOpt(values, 'platform');
    if (checkFile !== undefined && platform === undefined) return check(checkFile, ctx);
    if (platform === undefined) throw new UsageError('missing option --platform (dialogflow or kore), or --check FILE');
    if (stringOpt(values, 'out') === undefined) throw new UsageError('missing option --out');
    const imports = (values['import'] as string[] | undefined) ?? [];
    if (platform === 'dialogflow') {
      if (imports.length)
        throw new UsageError("--import is for --platform kore; the Dialogflow roots come from Node's store");
      const bundle = dialogflowTrustBundle();
      const out = await write(values, ctx, bundle.pem);
      const pin = dialogflowClientPin();
      ctx.out(
        [
          `Wrote ${out} with ${bundle.roots.length} root(s):`,
          ...bundle.roots.map((r) => `  ${r.name}  SHA-256 ${r.sha256}\n    ${r.purpose}`),
          '',
          ...bundle.notes.map((n) => `- ${n}`),
          '',
          pin.note,
          `Start server.mts with:  MTLS_CA=${shownArg(ctx.cwd, out)} ${pin.env}`,
          `  (or in its config block: ca: ${JSON.stringify(shownPath(ctx.cwd, out))}, allowedClients: [${pin.allowedClients.map((c) => `'${c}'`).join(', ')}])`,
        ].join('\n'),
      );
      return 0;
    }
    if (platform === 'kore') {
      if (imports.length === 0)
        throw new InputError(['Nothing to write: ' + koreNotes[0], ...koreNotes.slice(1)].join('\n'));
      const files = await Promise.all(
        imports.map(async (f) => ({ name: f, pem: await readText(ctx, f, 'the import file') })),
      );
      const bundle = importedTrustBundle(files);
      const out = await write(values, ctx, bundle.pem);
      ctx.out(
        [
          `Wrote ${out} with ${bundle.certificates.length} CA certificate(s):`,
          ...bundle.certificates.map(
            (c) => `  ${c.subject}  expires ${c.notAfter.toISOString().slice(0, 10)}  SHA-256 ${c.sha256}`,
          ),
          ...bundle.notes.map((n) => `Warning: ${n}`),
          '',
          koreNotes[2],
        ].join('\n'),
      );
      return 0;
    }
    throw new UsageError(`--platform ${platform}: expected dialogflow or kore`);
  },
};
