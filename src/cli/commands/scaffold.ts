import * as path from 'node:path';
import type { CliCommand } from '../command';
import { UsageError, stringOpt } from '../command';
import { existsSync } from 'node:fs';
import {
  applyUpgrade,
  parsePlatforms,
  planUpgradeFile,
  scaffoldServerFiles,
  defaultServerPort,
  serverFileName,
  upgradeDiff,
  type UpgradePlan,
} from '../../core/scaffold/index';
import { platformLabel, type Platform } from '../../core/webhook/index';
import { machineryFolder } from '../../core/scaffold/machineryFiles';
import type { CliContext } from '../command';
import { shellQuote } from '../../core/shellQuote';

/** `mtls scaffold`: write the user's server.mts and the generated mtls-server/ folder, or upgrade them. */
export const scaffoldCommand: CliCommand = {
  name: 'scaffold',
  summary: `Write an mTLS webhook (${serverFileName} + ${machineryFolder}/), or upgrade one to the current template`,
  usage:
    'mtls scaffold --out DIR [--port 4433] [--platform cx|es|kore|all] [--force]\n       mtls scaffold --upgrade [FILE] [--dry-run]',
  details: [
    `  --out DIR         folder for ${serverFileName} (yours), ${machineryFolder}/ (generated) and tsconfig.json (if absent)`,
    `  --port N          port in the config block (default ${defaultServerPort}; MTLS_PORT overrides it)`,
    '  --platform P      handlers to include: cx, es, kore, all (default), or a comma list',
    `  --force           overwrite an existing ${serverFileName} and ${machineryFolder}/`,
    `  --upgrade [FILE]  FILE (default ./${serverFileName}, else ./server.ts): for ${serverFileName} or ${machineryFolder}/,`,
    `                    replace ${machineryFolder}/ with the current one (the old kept as ${machineryFolder}.bak-v<N>);`,
    `                    for a single-file server.ts of an earlier version, convert it to ${serverFileName} +`,
    `                    ${machineryFolder}/, keeping your config block and handlers byte for byte (the old file kept`,
    '                    as server.ts.bak-v<N>). Refuses, changing nothing, when generated code was edited',
    '  --dry-run         with --upgrade: print what would change and the diff, write nothing',
  ].join('\n'),
  options: {
    out: { type: 'string' },
    port: { type: 'string' },
    platform: { type: 'string' },
    force: { type: 'boolean' },
    upgrade: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  positionals: { names: 'FILE', min: 0, max: 1 },
  async run({ values, positionals }, ctx) {
    if (values['upgrade'] === true) {
      if (values['out'] !== undefined || values['platform'] !== undefined || values['port'] !== undefined)
        throw new UsageError("--upgrade keeps the file's own config and platforms: drop --out, --port and --platform");
      const given =
        positionals[0] ??
        (existsSync(path.join(ctx.cwd, serverFileName)) || existsSync(path.join(ctx.cwd, machineryFolder))
          ? serverFileName
          : 'server.ts');
      return upgrade(path.resolve(ctx.cwd, given), values['dry-run'] === true, ctx);
    }
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument '${positionals[0]}' (a FILE goes with --upgrade)`);
    if (values['dry-run'] === true) throw new UsageError('--dry-run goes with --upgrade');
    if (stringOpt(values, 'out') === undefined) throw new UsageError('--out DIR is required');
    const portText = stringOpt(values, 'port');
    const port = portText === undefined ? defaultServerPort : Number(portText);
    if (!/^\d+$/.test(portText ?? '0') || port > 65535)
      throw new UsageError(`--port ${portText}: expected a number from 0 to 65535`);
    let platforms: Platform[];
    try {
      platforms = parsePlatforms(stringOpt(values, 'platform') ?? 'all');
    } catch (e) {
      throw new UsageError(`--platform: ${(e as Error).message}`);
    }
    const outDir = path.resolve(ctx.cwd, stringOpt(values, 'out') ?? '.');
    const result = await scaffoldServerFiles(
      outDir,
      { port, platform: platforms },
      { overwrite: values['force'] === true, within: ctx.cwd },
    );
    const file = result.file;
    // Show paths relative to the current folder when they are inside it; absolute otherwise.
    const show = (p: string): string => {
      const r = path.relative(ctx.cwd, p);
      return r === '' ? '.' : r.startsWith('..') || path.isAbsolute(r) ? p : r;
    };
    ctx.out(
      [
        `Wrote ${file} (yours: ${platforms.map((p) => platformLabel[p]).join(', ')} handlers; port ${port}; client certificates required),`,
        `  ${path.join(outDir, machineryFolder)}${path.sep} (generated: ${result.written.filter((w) => path.relative(outDir, w).startsWith(`${machineryFolder}${path.sep}`)).length} files, replaced whole by mtls scaffold --upgrade)${result.tsconfig === 'written' ? `\n  and ${path.join(outDir, 'tsconfig.json')} (for the editor)` : ''}.`,
        ...(result.note !== undefined ? [result.note] : []),
        `It reads ${path.join(outDir, 'certs')}/server-key.pem, server-fullchain.pem or server-crt.pem, and ca-crt.pem.`,
        `Next: mtls chain --out ${shellQuote(show(path.join(outDir, 'certs')))}   then: mtls serve ${shellQuote(show(file))}`,
      ].join('\n'),
    );
    return 0;
  },
};

/** What an upgrade does, in words: the header line and the changes. */
function describe(plan: UpgradePlan, dryRun: boolean): string[] {
  const verb = dryRun ? 'Would' : 'Will';
  const head =
    plan.kind === 'migrate'
      ? `${dryRun ? 'Would convert' : 'Converting'} ${plan.file} (template ${plan.fromVersion}) to ${path.join(plan.dir, serverFileName)} + ${path.join(plan.dir, machineryFolder)}${path.sep} (template ${plan.toVersion}); your config block and handlers are carried over byte for byte. ${verb} keep the old file as ${path.basename(plan.backup)}. Changes:`
      : `${dryRun ? 'Would replace' : 'Replacing'} ${path.join(plan.dir, machineryFolder)}${path.sep} (template ${plan.fromVersion}) with template ${plan.toVersion}; ${serverFileName} is not touched. ${verb} keep the old folder as ${path.basename(plan.backup)}. Changes:`;
  return [head, ...plan.changes.map((c) => `  - ${c}`), ...plan.notes.map((n) => `Note: ${n}`)];
}

/** mtls scaffold --upgrade: plan, print the changes (and the diff on --dry-run), then back up and write. */
async function upgrade(file: string, dryRun: boolean, ctx: CliContext): Promise<number> {
  const plan = await planUpgradeFile(file);
  if (plan.upToDate) {
    ctx.out(
      `${path.join(plan.dir, machineryFolder)}${path.sep} is already current (template ${plan.toVersion}); nothing to do.`,
    );
    return 0;
  }
  const lines = describe(plan, dryRun);
  if (dryRun) {
    const written = plan.files.map((f) => `  ${f.name}`);
    ctx.out(
      [...lines, `Would write (in ${plan.dir}):`, ...written, '', upgradeDiff(plan).replace(/\n$/, '')].join('\n'),
    );
    return 0;
  }
  const result = await applyUpgrade(plan);
  const kept = plan.kind === 'migrate' ? 'Backup of the old file' : 'Backup of the old folder';
  ctx.out(
    [
      ...lines,
      `Wrote ${result.written.length} files in ${plan.dir}.`,
      `${kept}: ${result.backup ?? '(none)'}`,
      `Run it: mtls serve ${shellQuote(path.join(plan.dir, serverFileName))}`,
    ].join('\n'),
  );
  return 0;
}
