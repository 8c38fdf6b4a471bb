import * as path from 'node:path';
import type { CliCommand } from '../command';
import { UsageError, stringOpt } from '../command';
import { parsePlatforms, platformNames, scaffoldServer, defaultServerPort, type Platform } from '../../core/scaffold/index';

/** `mtls scaffold`: write a single-file mTLS webhook server.ts. */
export const scaffoldCommand: CliCommand = {
  name: 'scaffold',
  summary: 'Write an mTLS webhook server.ts',
  usage: 'mtls scaffold --out DIR [--port 4433] [--platform cx|es|kore|all] [--force]',
  details: [
    '  --out DIR         folder for server.ts (created if missing)',
    `  --port N          port in the config block (default ${defaultServerPort}; MTLS_PORT overrides it)`,
    '  --platform P      handlers to include: cx, es, kore, all (default), or a comma list',
    '  --force           overwrite an existing server.ts',
  ].join('\n'),
  options: {
    out: { type: 'string' },
    port: { type: 'string' },
    platform: { type: 'string' },
    force: { type: 'boolean' },
  },
  required: ['out'],
  async run({ values }, ctx) {
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
    const file = await scaffoldServer(outDir, { port, platform: platforms }, { overwrite: values['force'] === true });
    // Show paths relative to the current folder when they are inside it; absolute otherwise.
    const show = (p: string): string => {
      const r = path.relative(ctx.cwd, p);
      return r === '' ? '.' : r.startsWith('..') || path.isAbsolute(r) ? p : r;
    };
    ctx.out(
      [
        `Wrote ${file} (${platforms.map((p) => platformNames[p]).join(', ')} handlers; port ${port}; client certificates required).`,
        `It reads ${path.join(outDir, 'certs')}/server-key.pem, server-fullchain.pem or server-crt.pem, and ca-crt.pem.`,
        `Next: mtls chain --out ${show(path.join(outDir, 'certs'))}   then: mtls serve ${show(file)}`,
      ].join('\n'),
    );
    return 0;
  },
};
