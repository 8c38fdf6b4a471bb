// What `mtls kore-client` and `mtls cx-client` share: their common options, parsed and checked in one place,
// the kit folder rule, writing and reporting.
import * as path from 'node:path';
import { writeFileSet } from '../core/files';
import { checkKitFolder, removeLeftovers, type Kit, type KitIssueOptions } from '../core/kits/index';
import { parseKeyType } from '../core/pki/index';
import { stringOpt, UsageError, type CliContext, type CliValues } from './command';
import { caDetails, caOptions, intOpt, kdfIterationsOpt, outDir, readCa } from './options';

/** parseArgs options both kit commands accept. */
export const kitOptions = {
  ...caOptions,
  out: { type: 'string' },
  cn: { type: 'string' },
  org: { type: 'string' },
  key: { type: 'string' },
  days: { type: 'string' },
  'kdf-iterations': { type: 'string' },
  force: { type: 'boolean' },
} as const;

/** Help lines for kitOptions. */
export function kitDetails(cnDefault: string): string {
  return [
    caDetails('intermediates and the root may follow it'),
    '  --out DIR               the kit folder (created; an existing non-empty folder needs --force)',
    `  --cn NAME               client certificate common name (default ${cnDefault})`,
    '  --org NAME              subject organisation',
    '  --key TYPE              key type (default rsa2048, which every platform accepts)',
    '  --days N                validity in days (default 397; never beyond the CA)',
    '  --kdf-iterations N      PBKDF2 iterations for encrypted keys and PKCS#12 (default 100,000)',
    '  --force                 replace the kit files in an existing folder',
  ].join('\n');
}

/** The common inputs, read and checked (required options first) before anything is generated or written. */
export async function kitInputs(
  values: CliValues,
  ctx: CliContext,
): Promise<KitIssueOptions & { dir: string; force: boolean }> {
  for (const r of ['ca-cert', 'ca-key', 'out'])
    if (values[r] === undefined) throw new UsageError(`missing option --${r}`);
  const dir = outDir(values, ctx);
  const key = stringOpt(values, 'key');
  const inputs = {
    dir,
    force: values['force'] === true,
    ...(await readCa(values, ctx)),
    cn: stringOpt(values, 'cn'),
    org: stringOpt(values, 'org'),
    keyType: key === undefined ? undefined : parseKeyType(key),
    days: intOpt(values, 'days'),
    kdfIterations: kdfIterationsOpt(values),
  };
  await checkKitFolder(dir, inputs.force);
  return inputs;
}

/** Writes a kit into its folder (all or nothing) and prints the file list. */
export async function writeKit(kit: Kit, dir: string, force: boolean, ctx: CliContext): Promise<void> {
  const { written, replaced } = await writeFileSet(dir, kit.files, { overwrite: force, within: ctx.cwd });
  const removed = await removeLeftovers(dir, kit);
  const width = Math.max(...kit.files.map((f) => f.name.length));
  ctx.out(
    [
      `Wrote ${written.length} files to ${dir}${replaced.length ? ` (replacing ${replaced.length} existing file${replaced.length === 1 ? '' : 's'} as one set)` : ''}:`,
      ...kit.files.map((f) => `  ${f.name.padEnd(width)}${f.secret ? '  (mode 0600)' : ''}`),
      ...(removed.length
        ? [`Removed the earlier kit's ${removed.map((r) => path.basename(r)).join(', ')}: this kit has none.`]
        : []),
    ].join('\n'),
  );
}
