import * as vscode from 'vscode';
import { spawn } from 'node:child_process';
import { nodeTypesInstall, nodeTypesPackage } from '../../../core/scaffold';
import { MtlsError } from '../../../core/errors';
import type { CommandDeps } from '../deps';
import { workspacePath, workspaceRoot } from '../shared/workspace';
import { argumentObject } from '../guard';
import { PtyChannel } from '../../platform/ptyChannel';

/** Argument object for mtls.addNodeTypes. */
export interface AddNodeTypesArgs {
  /** Folder of server.mts (absolute or workspace-relative; default: the workspace root). */
  folder?: string;
  /** What npm installs (default @types/node; e.g. a local .tgz when offline). */
  package?: string;
}

export interface AddNodeTypesResult {
  readonly folder: string;
  /** The command as shown in the terminal. */
  readonly command: string;
}

/**
 * mTLS: Add Node.js Types (@types/node) — the one step after scaffolding that makes VS Code's Problems panel
 * quiet about server.mts's Node imports. Runs npm in a terminal that shows the command and its output;
 * resolves when npm succeeded, rejects with the exit code otherwise.
 */
export async function addNodeTypesCommand(deps: CommandDeps, target?: unknown): Promise<AddNodeTypesResult> {
  const a: AddNodeTypesArgs = argumentObject<AddNodeTypesArgs>(target) ?? {};
  const folder = target instanceof vscode.Uri ? target.fsPath : a.folder ? workspacePath(a.folder) : workspaceRoot();
  const install = nodeTypesInstall(a.package ?? nodeTypesPackage);
  const name = `mTLS: ${install.display}`;
  const channel = new PtyChannel();
  const write = (text: string) => channel.write(text);
  const child = spawn(install.command, install.args, {
    cwd: folder,
    env: process.env,
    shell: install.shell,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const terminal = vscode.window.createTerminal({
    name,
    iconPath: new vscode.ThemeIcon('package'),
    pty: {
      onDidWrite: channel.onDidWrite,
      onDidClose: channel.onDidClose,
      open: () => write(`\x1b[2m${folder}\r\n\x1b[0m$ ${install.display}\r\n`),
      // Closed by the user (npm is stopped) or after it finished: the terminal's events go with it.
      close: () => {
        if (child.exitCode === null) child.kill('SIGTERM');
        channel.dispose();
      },
    },
  });
  terminal.show(true);
  deps.log.info(`running in ${folder}: ${install.display}`);
  const echo = (chunk: Buffer) => write(chunk.toString('utf8').replace(/\r?\n/g, '\r\n'));
  child.stdout?.on('data', echo);
  child.stderr?.on('data', echo);
  const code = await new Promise<number>((resolve) => {
    child.once('error', (e) => {
      write(`\r\n${e.message}\r\n`);
      resolve(-1);
    });
    child.once('close', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
  });
  write(`\r\n\x1b[2m— ${code === 0 ? 'done' : `npm failed (exit code ${code})`} —\x1b[0m\r\n`);
  if (code === -1)
    throw new MtlsError(
      'E_NPM_MISSING',
      `npm was not found on PATH: install Node.js with npm, or run "${install.display}" in ${folder} yourself.`,
    );
  if (code !== 0)
    throw new MtlsError('E_NPM', `"${install.display}" failed (exit code ${code}): see the terminal "${name}".`);
  deps.log.info(`${nodeTypesPackage} installed in ${folder}`);
  return { folder, command: install.display };
}
