import * as vscode from 'vscode';
import type { UpdatePreviewProvider } from './updatePreview';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyUpgrade, planUpgradeFile, serverFileName, type UpgradePlan } from '../../../core/scaffold';
import type { CommandDeps } from '../deps';
import { fileFromTarget, pickFile } from '../shared/pickFile';
import { workspacePath } from '../shared/workspace';
import { argumentObject } from '../guard';

/** Argument object for mtls.updateServer: no prompts; the result says what was (or would be) done. */
export interface UpdateServerArgs {
  /** The server.ts (absolute or workspace-relative). */
  file: string;
  /** Only report (and, with showDiff, show) the update; write nothing. */
  dryRun?: boolean;
  /** Open the diff editor (old file ↔ updated file). Default: false with an argument object. */
  showDiff?: boolean;
}

/** What mtls.updateServer did. */
export interface UpdateServerResult {
  readonly file: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly upToDate: boolean;
  readonly changes: readonly string[];
  readonly applied: boolean;
  readonly backup?: string;
}


async function openDiff(preview: UpdatePreviewProvider, plan: UpgradePlan): Promise<void> {
  const right = preview.show(plan.file, plan.toVersion, plan.newText);
  const name = path.basename(plan.file);
  await vscode.commands.executeCommand('vscode.diff', vscode.Uri.file(plan.file), right, `${name}: template ${plan.fromVersion} ↔ ${plan.toVersion} (your config and handlers unchanged)`, { preview: true });
}

/** The server.ts in the active editor, else the one at the workspace root. */
function defaultServerFile(): string | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && path.basename(active.fsPath) === serverFileName) return active.fsPath;
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return root && fs.existsSync(path.join(root, serverFileName)) ? path.join(root, serverFileName) : undefined;
}

function result(plan: UpgradePlan, applied: boolean, backup?: string): UpdateServerResult {
  return { file: plan.file, fromVersion: plan.fromVersion, toVersion: plan.toVersion, upToDate: plan.upToDate, changes: plan.changes, applied, ...(backup ? { backup } : {}) };
}

/**
 * mTLS: Update Webhook Server… — rewrites the generated machinery of a server.ts to the current template,
 * keeping the config block and handlers: the diff editor first, then a modal confirmation, then a backup
 * and the write. Refuses (the file untouched) when the user's parts cannot be told from the machinery.
 */
export async function updateServerCommand(deps: CommandDeps, preview: UpdatePreviewProvider, target?: unknown): Promise<UpdateServerResult | undefined> {
  const args = argumentObject<UpdateServerArgs>(target);
  const given = args?.file ?? fileFromTarget(target);
  const file = given ? workspacePath(given) : (defaultServerFile() ?? (await pickFile('The server.ts to update', { TypeScript: ['ts'] })));
  const plan = await planUpgradeFile(file);
  if (plan.upToDate) {
    if (!args) void vscode.window.showInformationMessage(`${vscode.workspace.asRelativePath(file)} is up to date (template ${plan.toVersion}).`);
    return result(plan, false);
  }
  deps.log.info(`update ${file}: template ${plan.fromVersion} → ${plan.toVersion}: ${plan.changes.join('; ')}`);
  if (args) {
    if (args.showDiff) await openDiff(preview, plan);
    if (args.dryRun) return result(plan, false);
  } else {
    await openDiff(preview, plan);
    const pick = await vscode.window.showInformationMessage(
      `Update ${path.basename(file)} from template ${plan.fromVersion} to ${plan.toVersion}?`,
      { modal: true, detail: `Your config block and handlers are kept byte for byte; the old file is kept as a backup.\n\nWhat changes:\n${plan.changes.map((c) => `• ${c}`).join('\n')}` },
      'Update',
    );
    if (pick !== 'Update') return result(plan, false);
  }
  const done = await applyUpgrade(plan);
  deps.log.info(`updated ${file}; backup ${done.backup ?? '(none)'}`);
  if (!args) void vscode.window.showInformationMessage(`Updated ${vscode.workspace.asRelativePath(file)} to template ${plan.toVersion}. Backup: ${path.basename(done.backup ?? '')}`);
  return result(plan, true, done.backup);
}
