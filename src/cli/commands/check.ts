import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { CliCommand } from '../command';
import { UsageError, stringOpt } from '../command';
import { checkReadiness, readinessJson, renderReadiness } from '../../core/readiness/index';
import { startBackgroundServer } from '../../core/setup';
import { isPlatform } from '../../core/webhook';
import { InputError } from '../../core/errors';
import { edgeTargets, isEdgeTarget } from '../../core/edge/types';

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'Go-live readiness: will the platform reach and trust this webhook?',
  usage:
    'mtls check --platform cx|es|kore [--dir DIR] [--url URL] [--edge KIND [--origin URL]] [--server-log FILE] [--json]',
  details: [
    '  --platform P       cx, es or kore: which platform will call the webhook',
    '  --dir DIR          the folder with server.mts (default: the current folder)',
    '  --url URL          the public https URL the platform will call: checks DNS, that the certificate',
    "                     served there is this server's (no TLS-terminating tunnel or proxy in front) and",
    '                     that it refuses clients without a certificate',
    `  --edge KIND        the URL is served by a TLS-terminating edge (${edgeTargets.join(', ')}) that`,
    '                     enforces mTLS for a server.mts in edge mode: checks that the edge refuses a client',
    '                     without a certificate and one from another CA, and that its CA bundle holds the',
    "                     platform's roots (TLS ending at the edge is then expected)",
    "  --origin URL       with --edge: the origin's own address (e.g. http://10.0.0.5:8080/webhook); a forged",
    '                     certificate header sent straight to it must be refused (403)',
    "  --timeout-ms N     the platform's webhook timeout (default 5000; CX allows up to 30000)",
    "  --now ISO-DATE     evaluate expiry and the platform's current roots on another day",
    '  --server-log FILE  the output of the server already running (e.g. mtls serve server.mts | tee FILE):',
    '                     its refused-handshake lines are shown with the failed handshakes (a server the',
    '                     check starts itself is read directly)',
    '  --json             print { rows: [{ id, status, message, fix, handshake? }], verdict }; rows that',
    '                     made a TLS connection carry its five steps in handshake.steps',
    '',
    'Reads the settings server.mts computes (it runs server.mts --print-config, so its CONFIG and the MTLS_*',
    'environment overrides count as when it starts) and the files they name, starts the server when nothing',
    'listens on its port (and stops it afterwards), and prints one row per check:',
    'pass, warn or fail, what was found and the fix; under a failing or warning row that connected, the five',
    'steps of its handshake with the failed one marked ✖. Exit 0 when no row fails, 1 otherwise, 2 on a bad command line.',
  ].join('\n'),
  options: {
    platform: { type: 'string' },
    dir: { type: 'string' },
    url: { type: 'string' },
    'timeout-ms': { type: 'string' },
    now: { type: 'string' },
    'server-log': { type: 'string' },
    edge: { type: 'string' },
    origin: { type: 'string' },
    json: { type: 'boolean' },
  },
  required: ['platform'],
  async run({ values }, ctx) {
    const platform = stringOpt(values, 'platform') ?? '';
    if (!isPlatform(platform)) throw new UsageError(`--platform ${platform}: use cx, es or kore`);
    const nowText = stringOpt(values, 'now');
    const now = nowText === undefined ? undefined : new Date(nowText);
    if (now !== undefined && Number.isNaN(now.getTime()))
      throw new UsageError(`--now ${nowText}: not a date (use e.g. 2026-12-02)`);
    const timeoutText = stringOpt(values, 'timeout-ms');
    const platformTimeoutMs = timeoutText === undefined ? undefined : Number(timeoutText);
    if (
      platformTimeoutMs !== undefined &&
      (!/^\d+$/.test(timeoutText ?? '') || platformTimeoutMs < 1 || platformTimeoutMs > 30_000)
    )
      throw new UsageError(`--timeout-ms ${timeoutText}: a number of milliseconds up to 30000`);
    const url = stringOpt(values, 'url');
    const edge = stringOpt(values, 'edge');
    if (edge !== undefined && !isEdgeTarget(edge))
      throw new UsageError(`--edge ${edge}: use ${edgeTargets.join(', ')}`);
    const origin = stringOpt(values, 'origin');
    if (origin !== undefined && edge === undefined)
      throw new UsageError('--origin needs --edge KIND: it is the server behind that edge');
    if (origin !== undefined && !/^https?:\/\/[^/]/.test(origin))
      throw new UsageError(`--origin ${origin}: an http:// or https:// URL of the server behind the edge`);
    const logOpt = stringOpt(values, 'server-log');
    const logFile = logOpt === undefined ? undefined : path.resolve(ctx.cwd, logOpt);
    if (logFile !== undefined)
      await fs.access(logFile).catch((e: unknown) => {
        throw new InputError(
          `Cannot read the server log ${logOpt}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
          { cause: e },
        );
      });
    const report = await checkReadiness({
      dir: path.resolve(ctx.cwd, stringOpt(values, 'dir') ?? '.'),
      platform,
      ...(url !== undefined ? { url } : {}),
      ...(edge !== undefined ? { edge } : {}),
      ...(origin !== undefined ? { origin } : {}),
      ...(now ? { now } : {}),
      ...(platformTimeoutMs !== undefined ? { platformTimeoutMs } : {}),
      env: ctx.env,
      ...(logFile !== undefined ? { serverLog: () => fs.readFile(logFile, 'utf8') } : {}),
      startServer: (file, port) => startBackgroundServer(file, port, { env: { ...ctx.env } }),
    });
    ctx.out(
      values['json'] === true ? JSON.stringify(readinessJson(report), null, 2) : renderReadiness(report).trimEnd(),
    );
    return report.verdict === 'not-ready' ? 1 : 0;
  },
};
