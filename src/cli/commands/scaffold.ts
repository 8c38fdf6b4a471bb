import * as path from 'node:path';
import type { CliCommand } from '../command';
import { UsageError, stringOpt } from '../command';
import { applyUpgrade, parsePlatforms, planUpgradeFile, platformNames, scaffoldServer, defaultServerPort, serverFileName, upgradeDiff, type Platform } from '../../core/scaffold/index';
import type { CliContext } from '../command';
import { shellQuote } from '../../core/shellQuote';

/** `mtls scaffold`: write a single-file mTLS webhook server.ts. */
export const scaffoldCommand: CliCommand = {
  name: 'scaffold',
  summary: 'Write an mTLS webhook server.ts, or upgrade one to the current template',
  usage: 'mtls scaffold --out DIR [--port 4433] [--platform cx|es|kore|all] [--force]\n       mtls scaffold --upgrade [FILE] [--dry-run]',
  details: [
    '  --out DIR         folder for server.ts (created if missing)',
    `  --port N          port in the config block (default ${defaultServerPort}; MTLS_PORT overrides it)`,
    '  --platform P      handlers to include: cx, es, kore, all (default), or a comma list',
    '  --force           overwrite an existing server.ts',
    '  --upgrade [FILE]  rewrite the generated machinery of FILE (default ./server.ts) to the current template,',
    '                    keeping your config block and handlers byte for byte; the old file is kept as',
    '                    FILE.bak-v<version>. Refuses, changing nothing, when code outside those parts was edited',
    '  --dry-run         with --upgrade: print what changed and the diff, write nothing',
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
      if (values['out'] !== undefined || values['platform'] !== undefined || values['port'] !== undefined) throw new UsageError('--upgrade keeps the file\'s own config and platforms: drop --out, --port and --platform');
      return upgrade(path.resolve(ctx.cwd, positionals[0] ?? serverFileName), values['dry-run'] === true, ctx);
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (a FILE goes with --upgrade)`);
    if (values['dry-run'] === true) throw new UsageError('--dry-run goes with --upgrade');
    if (stringOpt(values, 'out') === undefined) throw new UsageError('--out DIR is required');
    const portText = stringOpt(values, 'port');
    const port = portText === undefined ? defaultServerPort : Number(portText);
    if (!/^\d+$/.test(portText ?? '0') || port > 65535) throw new UsageError(`--port ${portText}: expected a number from 0 to 65535`);
    let platforms: Platform[];
    try {
      platforms = parsePlatforms(stringOpt(values, 'platform') ?? 'all');
    } catch (e) {
      throw new UsageError(`--platform: ${(e as Error).message}`);
    }
    const outDir = path.resolve(ctx.cwd, stringOpt(values, 'out') ?? '.');
    const file = await scaffoldServer(outDir, { port, platform: platforms }, { overwrite: values['force'] === true, within: ctx.cwd });
    // Show paths relative to the current folder when they are inside it; absolute otherwise.
    const show = (p: string): string => {
      const r = path.relative(ctx.cwd, p);
      return r === '' ? '.' : r.startsWith('..') || path.isAbsolute(r) ? p : r;
    };
    ctx.out(
      [
        `Wrote ${file} (${platforms.map((p) => platformNames[p]).join(', ')} handlers; port ${port}; client certificates required).`,
        `It reads ${path.join(outDir, 'certs')}/server-key.pem, server-fullchain.pem or server-crt.pem, and ca-crt.pem.`,
        `Next: mtls chain --out ${shellQuote(show(path.join(outDir, 'certs')))}   then: mtls serve ${shellQuote(show(file))}`,
      ].join('\n'),
    );
    return 0;
  },
};

/** mtls scaffold --upgrade: plan, print the changes (and the diff on --dry-run), then back up and write. */
async function upgrade(file: string, dryRun: boolean, ctx: CliContext): Promise<number> {
  const plan = await planUpgradeFile(file);
  if (plan.upToDate) {
    ctx.out(`${file} is up to date (template ${plan.toVersion}).`);
    return 0;
  }
  const lines = [`${dryRun ? 'Would upgrade' : 'Upgrading'} ${file} from template ${plan.fromVersion} to ${plan.toVersion}; your config block and handlers stay as they are. Changes:`, ...plan.changes.map((c) => `  - ${c}`)];
  if (dryRun) {
    ctx.out([...lines, '', upgradeDiff(plan).trimEnd()].join('\n'));
    return 0;
  }
  const result = await applyUpgrade(plan);
  ctx.out([...lines, `Backup of the old file: ${result.backup ?? '(none)'}`].join('\n'));
  return 0;
}
