import * as path from 'node:path';
import { writeFileSet } from '../../core/files';
import { edgeDescriptions, edgeTargets, isEdgeTarget } from '../../core/edge/index';
import { projectEdge } from '../../core/edge/projectEdge';
import { stringOpt, UsageError, type CliCommand } from '../command';

/** `mtls edge KIND`: the configuration of a TLS-terminating edge in front of the project's webhook. */
export const edgeCommand: CliCommand = {
  name: 'edge',
  summary: 'Write the config of a proxy or load balancer that enforces mTLS in front of the webhook',
  usage: `mtls edge ${edgeTargets.join('|')} [--dir D] [--host H] [--out DIR] [--origin URL] [--secret-env]`,
  details:
    [
      ...edgeTargets.map((k) => `  ${k.padEnd(14)}${edgeDescriptions[k]}`),
      '',
      '  --dir D          the folder with server.mts and its certificates (default: the current folder); the',
      "                   edge uses the server's own certificate, key and CA bundle (server.mts --print-config)",
      '  --host H         the public host name clients call',
      '  --out DIR        where to write (default D/edge/<kind>/)',
      '  --origin URL     where the edge reaches the webhook (default http://127.0.0.1:<its port>)',
      '  --secret-env     the edge adds X-Mtls-Edge-Secret; its value comes from MTLS_EDGE_SECRET (a random',
      '                   one when unset) and is written only into 0600 files (origin.env). Always on for caddy, gcp',
      '  --trusted CIDRS  ingress-nginx, aws: the addresses the load balancer connects from (MTLS_EDGE_TRUSTED)',
      '  --force          overwrite existing files',
    ].join('\n') + '\n',
  options: {
    dir: { type: 'string' },
    host: { type: 'string' },
    out: { type: 'string' },
    origin: { type: 'string' },
    'secret-env': { type: 'boolean' },
    trusted: { type: 'string' },
    force: { type: 'boolean' },
  },
  positionals: { names: edgeTargets.join('|'), min: 1, max: 1 },
  async run({ values, positionals }, ctx) {
    const kind = positionals[0] ?? '';
    if (!isEdgeTarget(kind)) throw new UsageError(`${kind}: expected one of ${edgeTargets.join(', ')}`);
    const dir = path.resolve(ctx.cwd, stringOpt(values, 'dir') ?? '.');
    const out = stringOpt(values, 'out');
    const host = stringOpt(values, 'host');
    const origin = stringOpt(values, 'origin');
    const trusted = stringOpt(values, 'trusted');
    const { bundle, outDir } = await projectEdge({
      kind,
      dir,
      env: ctx.env,
      secret: values['secret-env'] === true,
      ...(out !== undefined ? { out: path.resolve(ctx.cwd, out) } : {}),
      ...(host !== undefined ? { host } : {}),
      ...(origin !== undefined ? { origin } : {}),
      ...(trusted !== undefined ? { trusted } : {}),
    });
    const { written, replaced } = await writeFileSet(outDir, bundle.files, {
      overwrite: values['force'] === true,
      within: ctx.cwd,
    });
    ctx.out(
      [
        `Wrote ${written.length} files for ${kind} to ${outDir}${replaced.length ? ` (${replaced.length} replaced)` : ''}:`,
        ...bundle.files.map((f) => `  ${f.name}${f.secret ? ' (0600)' : ''}`),
        '',
        `The webhook runs with MTLS_EDGE=${bundle.format}: ${Object.entries(bundle.originEnv)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
        '',
        'Next:',
        ...bundle.next.map((l) => `  ${l}`),
        ...(bundle.notes.length ? ['', ...bundle.notes.map((n) => `- ${n}`)] : []),
      ].join('\n'),
    );
    return 0;
  },
};
