import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type { CliCommand } from '../command';
import { UsageError, stringOpt } from '../command';
import { changesSince, formatProblem, planLaunch, preflight, readServerConfig, serverFileName, templateVersion } from '../../core/scaffold/index';
import { shellQuote } from '../../core/shellQuote';

/** `mtls serve`: preflight a scaffolded server.ts, then run it in the foreground on this Node. */
export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Run a scaffolded server.ts on this Node',
  usage: 'mtls serve [server.ts] [--port N]',
  details: [
    `  [server.ts]       the scaffolded server (default ./${serverFileName})`,
    '  --port N          listen on N (sets MTLS_PORT; 0 = any free port)',
    '  --node PATH       run with this node binary instead of the one running mtls',
    '  Environment: MTLS_KEY, MTLS_CERT, MTLS_CA, MTLS_HOST, MTLS_KEY_PASSPHRASE, MTLS_ALLOWED_CLIENTS, MTLS_AUTH,',
    '    MTLS_ACCEPT_ANY_PUBLIC_CLIENT, MTLS_ID_TOKEN_AUDIENCE, MTLS_ID_TOKEN_EMAIL, MTLS_ID_TOKEN_SUBJECT, MTLS_GOOGLE_JWKS_URL,',
    '    MTLS_HANDSHAKE_TIMEOUT_MS, MTLS_MAX_CONNECTIONS',
  ].join('\n'),
  options: {
    port: { type: 'string' },
    node: { type: 'string' },
  },
  positionals: { names: '[server.ts]', min: 0, max: 1 },
  async run({ values, positionals }, ctx) {
    const serverTs = path.resolve(ctx.cwd, positionals[0] ?? serverFileName);
    const portText = stringOpt(values, 'port');
    if (portText !== undefined && (!/^\d+$/.test(portText) || Number(portText) > 65535)) throw new UsageError(`--port ${portText}: expected a number from 0 to 65535`);
    const env: Record<string, string | undefined> = { ...ctx.env, ...(portText !== undefined ? { MTLS_PORT: portText } : {}) };
    const config = await readServerConfig(serverTs, env);
    if (config.templateVersion < templateVersion) {
      // Not an error: the old machinery still runs; say what the upgrade would bring.
      ctx.err(`mtls serve: ${path.basename(serverTs)} was written by template ${config.templateVersion} (current: ${templateVersion}); mtls scaffold --upgrade ${shellQuote(positionals[0] ?? serverFileName)} would bring:\n${changesSince(config.templateVersion).map((c) => `  - ${c}`).join('\n')}`);
    }
    const problems = await preflight(config);
    if (problems.length > 0) {
      for (const p of problems) ctx.err(formatProblem(p));
      return 1;
    }
    // The node running mtls is the one we know works; --node picks another.
    const plan = planLaunch(serverTs, { nodePath: stringOpt(values, 'node') ?? process.execPath, env });
    ctx.err(`mtls serve: ${plan.note}`);
    return runForeground(plan.command, plan.args, plan.env);
  },
};

/**
 * Runs the server with inherited stdio, forwards SIGINT/SIGTERM, and resolves to its exit code. A hang-up (the
 * terminal closed) stops the server too, gracefully: left running, it would hold the port with no one to stop it.
 */
function runForeground(command: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    const forwarded: [NodeJS.Signals, () => void][] = [
      ['SIGINT', () => child.kill('SIGINT')],
      ['SIGTERM', () => child.kill('SIGTERM')],
      ['SIGHUP', () => child.kill('SIGTERM')],
    ];
    for (const [signal, handler] of forwarded) process.on(signal, handler);
    const done = (code: number): void => {
      for (const [signal, handler] of forwarded) process.off(signal, handler);
      resolve(code);
    };
    child.once('error', (e) => {
      process.stderr.write(`mtls serve: cannot start ${command}: ${e.message}\n`);
      done(1);
    });
    child.once('exit', (code, signal) => done(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)));
  });
}
