import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { changesSince, planLaunch, preflight, readServerConfig, findNodeOnPath, serverFileName, templateVersion, type PreflightProblem } from '../../../core/scaffold';
import { Commands } from '../../ids';
import { MtlsError } from '../../../core/errors';
import type { CommandDeps } from '../deps';
import { fileFromTarget, pickFile } from '../shared/pickFile';
import { workspacePath } from '../shared/workspace';
import { argumentObject, orCancel } from '../guard';
import type { RunningServer } from '../../server/serverManager';
import { requireTrust } from '../../platform/trust';

/** Argument object for mtls.startServer. */
export interface StartServerArgs {
  /** The server.ts (absolute or workspace-relative; default: server.ts in the workspace root). */
  file?: string;
  /** Overrides the port of the config block (MTLS_PORT). */
  port?: number;
  /** Node executable (default: mtls.server.nodePath, else `node` on PATH, else VS Code's runtime). */
  nodePath?: string;
  /** Ask for the private key's passphrase (passed to the server as MTLS_KEY_PASSPHRASE, never stored). */
  askPassphrase?: boolean;
  keyPassphrase?: string;
}

/** A preflight problem, carried as an error so the notification can offer the matching action. */
export class PreflightError extends MtlsError {
  constructor(
    readonly problems: readonly PreflightProblem[],
    readonly file: string,
  ) {
    super(`E_PREFLIGHT_${problems[0].code}`, `The server cannot start: ${problems[0].message}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}, see the log)` : ''}`);
    this.name = 'PreflightError';
  }
}

function locate(target: unknown, a: StartServerArgs): string | undefined {
  const given = a.file ?? fileFromTarget(target);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (given) return workspacePath(given);
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && path.basename(active.fsPath) === serverFileName) return active.fsPath;
  const atRoot = root ? path.join(root, serverFileName) : undefined;
  return atRoot && fs.existsSync(atRoot) ? atRoot : undefined;
}

/** mTLS: Start Webhook Server — checks files and port first, then runs server.ts in a terminal. */
export async function startServerCommand(deps: CommandDeps, target?: unknown): Promise<RunningServer> {
  requireTrust('Start Webhook Server');
  const a: StartServerArgs = argumentObject<StartServerArgs>(target) ?? {};
  const file = locate(target, a) ?? (await pickFile('The server.ts to start', { TypeScript: ['ts'] }));
  const passphrase = a.keyPassphrase ?? (a.askPassphrase ? orCancel(await vscode.window.showInputBox({ title: 'Passphrase of the server private key', password: true, prompt: 'Given to this server run only (MTLS_KEY_PASSPHRASE); not stored' })) : undefined);
  const env: Record<string, string | undefined> = { ...process.env, ...(a.port !== undefined ? { MTLS_PORT: String(a.port) } : {}), ...(passphrase !== undefined ? { MTLS_KEY_PASSPHRASE: passphrase } : {}) };
  const config = await readServerConfig(file, env);
  if (config.templateVersion < templateVersion) offerUpdate(deps, file, config.templateVersion);
  const problems = await preflight(config);
  for (const p of problems) deps.log.warn(`preflight ${p.code}: ${p.message}`);
  if (problems.length > 0) throw new PreflightError(problems, file);
  const configured = a.nodePath ?? (deps.settings.serverNodePath || undefined);
  const noNode = !configured && !findNodeOnPath();
  const plan = planLaunch(file, { nodePath: configured, env, port: a.port, useCurrentRuntime: noNode });
  deps.log.info(`starting ${file}: ${plan.note}`);
  if (noNode) void vscode.window.showInformationMessage(`mTLS: no \`node\` on PATH — running the server with VS Code's own runtime (Node ${process.versions.node}). Set mtls.server.nodePath to choose one.`);
  return deps.servers.start(file, plan);
}

/** The "Change Port" action: asks for a free port, then starts the same server.ts on it. */
export async function changePortAndStart(deps: CommandDeps, args?: { file?: string }): Promise<RunningServer | undefined> {
  const value = await vscode.window.showInputBox({
    title: 'Port for the webhook server',
    value: String(deps.settings.serverPort + 1),
    validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'A port number from 1 to 65535'),
  });
  if (value === undefined) return undefined;
  return vscode.commands.executeCommand<RunningServer>('mtls.startServer', { file: args?.file, port: Number(value) });
}

/** Says (without blocking the start) that server.ts was written by an older template, what changed, and offers the update. */
function offerUpdate(deps: CommandDeps, file: string, version: number): void {
  const changes = changesSince(version);
  deps.log.info(`${file} was written by template ${version}; template ${templateVersion} adds: ${changes.join('; ')}`);
  const more = changes.length > 2 ? ` (+${changes.length - 2} more)` : '';
  void vscode.window
    .showInformationMessage(`${path.basename(file)} was written by an older mTLS Workbench template (${version}, now ${templateVersion}): ${changes.slice(0, 2).join('; ')}${more}.`, 'Update…')
    .then((pick) => {
      if (pick) void vscode.commands.executeCommand(Commands.updateServer, vscode.Uri.file(file));
    });
}
