import * as vscode from 'vscode';
import { notify } from '../../platform/notify';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  changesSince,
  planLaunch,
  preflight,
  readServerConfig,
  findNodeOnPath,
  serverFileName,
  legacyServerFileName,
  LegacyServerError,
  templateVersion,
  type ReadServerConfigOptions,
} from '../../../core/scaffold';
import { PreflightError } from '../../../core/scaffold/preflightError';
import { Commands } from '../../ids';
import type { CommandDeps } from '../deps';
import { fileFromTarget, pickFile } from '../shared/pickFile';
import { workspacePath } from '../shared/workspace';
import { argumentObject, orCancel } from '../guard';
import type { RunningServer } from '../../server/serverManager';
import { requireTrust } from '../../platform/trust';

/** Argument object for mtls.startServer. */
export interface StartServerArgs {
  /** The server.mts (absolute or workspace-relative; default: server.mts in the workspace root). */
  file?: string;
  /** Overrides the port of CONFIG (MTLS_PORT). */
  port?: number;
  /** Node executable (default: mtls.server.nodePath, else `node` on PATH, else VS Code's runtime). */
  nodePath?: string;
  /** Ask for the private key's passphrase (passed to the server as MTLS_KEY_PASSPHRASE, never stored). */
  askPassphrase?: boolean;
  keyPassphrase?: string;
}

function locate(target: unknown, a: StartServerArgs): string | undefined {
  const given = a.file ?? fileFromTarget(target);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (given) return workspacePath(given);
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && [serverFileName, legacyServerFileName].includes(path.basename(active.fsPath)))
    return active.fsPath;
  // The workspace's server.mts; a single-file server.ts is found too, to be offered its conversion.
  for (const name of [serverFileName, legacyServerFileName]) {
    const atRoot = root ? path.join(root, name) : undefined;
    if (atRoot && fs.existsSync(atRoot)) return atRoot;
  }
  return undefined;
}

/** The Node the server runs on: the argument, mtls.server.nodePath, `node` on PATH, else VS Code's own runtime. */
export function serverRuntime(
  deps: CommandDeps,
  a: StartServerArgs = {},
): { nodePath?: string; useCurrentRuntime: boolean } {
  const nodePath = a.nodePath ?? (deps.settings.serverNodePath || undefined) ?? findNodeOnPath();
  return nodePath !== undefined ? { nodePath, useCurrentRuntime: false } : { useCurrentRuntime: true };
}

/** mTLS: Start Webhook Server — checks files and port first, then runs server.mts in a terminal. */
export async function startServerCommand(deps: CommandDeps, target?: unknown): Promise<RunningServer> {
  requireTrust('Start Webhook Server');
  const a: StartServerArgs = argumentObject<StartServerArgs>(target) ?? {};
  const file = locate(target, a) ?? (await pickFile(`The ${serverFileName} to start`, { TypeScript: ['mts', 'ts'] }));
  const passphrase =
    a.keyPassphrase ??
    (a.askPassphrase
      ? orCancel(
          await vscode.window.showInputBox({
            title: 'Passphrase of the server private key',
            password: true,
            prompt: 'Given to this server run only (MTLS_KEY_PASSPHRASE); not stored',
          }),
        )
      : undefined);
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...(a.port !== undefined ? { MTLS_PORT: String(a.port) } : {}),
    ...(passphrase !== undefined ? { MTLS_KEY_PASSPHRASE: passphrase } : {}),
  };
  const runtime = serverRuntime(deps, a);
  // The settings as the server computes them (server.mts --print-config), on the Node it will run on.
  const readOptions: ReadServerConfigOptions = runtime.nodePath !== undefined ? { nodePath: runtime.nodePath } : {};
  let config;
  try {
    config = await readServerConfig(file, env, readOptions);
  } catch (e) {
    if (e instanceof LegacyServerError) offerConversion(e);
    throw e;
  }
  if (config.templateVersion < templateVersion) offerUpdate(deps, file, config.templateVersion);
  const problems = await preflight(config);
  for (const p of problems) deps.log.warn(`preflight ${p.code}: ${p.message}`);
  if (problems.length > 0) throw new PreflightError(problems, file);
  const plan = await planLaunch(file, {
    nodePath: runtime.nodePath,
    env,
    port: a.port,
    useCurrentRuntime: runtime.useCurrentRuntime,
  });
  deps.log.info(`starting ${file}: ${plan.note}`);
  if (runtime.useCurrentRuntime)
    void notify(
      'info',
      `mTLS: no \`node\` on PATH — running the server with VS Code's own runtime (Node ${process.versions.node}). Set mtls.server.nodePath to choose one.`,
    );
  return deps.servers.start(file, plan);
}

/** The "Change Port" action: asks for a free port, then starts the same server.mts on it. */
export async function changePortAndStart(
  deps: CommandDeps,
  args?: { file?: string },
): Promise<RunningServer | undefined> {
  const value = await vscode.window.showInputBox({
    title: 'Port for the webhook server',
    value: String(deps.settings.serverPort + 1),
    validateInput: (v) =>
      /^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'A port number from 1 to 65535',
  });
  if (value === undefined) return undefined;
  return vscode.commands.executeCommand<RunningServer>(Commands.startServer, { file: args?.file, port: Number(value) });
}

/** Offers the conversion of a single-file server.ts (which cannot start from here) to server.mts + mtls-server/. */
function offerConversion(e: LegacyServerError): void {
  void notify(
    'warning',
    `${path.basename(e.file)} is a single-file server from an earlier mTLS Workbench (template ${e.version}). Convert it to ${serverFileName} + mtls-server/ (your config and handlers are kept, the old file is backed up)?`,
    'Update…',
  ).then((pick) => {
    if (pick) void vscode.commands.executeCommand(Commands.updateServer, vscode.Uri.file(e.file));
  });
}

/** Says (without blocking the start) that mtls-server/ was generated by an older template, what changed, and offers the update. */
function offerUpdate(deps: CommandDeps, file: string, version: number): void {
  const changes = changesSince(version);
  deps.log.info(
    `${file} runs mtls-server/ of template ${version}; template ${templateVersion} adds: ${changes.join('; ')}`,
  );
  const more = changes.length > 2 ? ` (+${changes.length - 2} more)` : '';
  void notify(
    'info',
    `The mtls-server/ folder beside ${path.basename(file)} was generated by an older mTLS Workbench (template ${version}, now ${templateVersion}): ${changes.slice(0, 2).join('; ')}${more}.`,
    'Update…',
  ).then((pick) => {
    if (pick) void vscode.commands.executeCommand(Commands.updateServer, vscode.Uri.file(file));
  });
}
