import * as path from 'node:path';
import type { CliCommand } from '../command';
import { UsageError, stringOpt } from '../command';
import { setupProject, renderSetupSummary, startBackgroundServer, setupStepLabels } from '../../core/setup';
import { parseKeyType } from '../../core/pki';
import { isPlatform } from '../../core/webhook';

export const initCommand: CliCommand = {
  name: 'init',
  summary: 'Set up a webhook project: chain, server, request and probe',
  usage: 'mtls init [--platform cx|es|kore] [--dir DIR] [--port N] [--key TYPE]',
  details: [
    '  --platform P   cx (default), es or kore: the server handlers, the sample request, the advice',
    '  --dir DIR      project folder (default: the current folder); certificates go to DIR/certs',
    '  --port N       port for the server during the checks (default 4433)',
    '  --key TYPE     rsa2048 (default), rsa3072, rsa4096, ec256, ec384, ed25519',
    '',
    "Generates a CA chain, scaffolds server.mts, starts it in the background, sends the platform's sample",
    'request with the generated client certificate, probes that bad clients are refused, stops the server and',
    'prints a summary. Existing files are reused, never overwritten. Exit 0 only when mTLS is enforced.',
  ].join('\n'),
  options: { platform: { type: 'string' }, dir: { type: 'string' }, port: { type: 'string' }, key: { type: 'string' } },
  async run({ values }, ctx) {
    const platform = stringOpt(values, 'platform') ?? 'cx';
    if (!isPlatform(platform)) throw new UsageError(`--platform ${platform}: use cx, es or kore`);
    const portText = stringOpt(values, 'port') ?? '4433';
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535)
      throw new UsageError(`--port ${portText}: a number from 1 to 65535`);
    const key = stringOpt(values, 'key');
    const summary = await setupProject({
      dir: path.resolve(ctx.cwd, stringOpt(values, 'dir') ?? '.'),
      platform,
      port,
      keyType: key ? parseKeyType(key) : undefined,
      stopAtEnd: true,
      startServer: (file, p) => startBackgroundServer(file, p),
      onStep: (step, state, detail) => {
        if (state !== 'start')
          ctx.err(
            `${state === 'failed' ? '✖' : '✔'} ${setupStepLabels[step]}${state === 'reused' ? ' (reused existing files)' : ''}${detail ? `: ${detail.split('\n')[0]}` : ''}`,
          );
      },
    });
    ctx.out(renderSetupSummary(summary));
    return summary.ok ? 0 : 1;
  },
};
