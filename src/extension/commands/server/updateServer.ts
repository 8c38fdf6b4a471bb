import * as vscode from 'vscode';
import { notify } from '../../platform/notify';
import type { UpdatePreviewProvider } from './updatePreview';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  applyUpgrade,
  legacyServerFileName,
  planUpgradeFile,
  serverFileName,
  upgradeDiff,
  type UpgradePlan,
} from '../../../core/scaffold';
import type { CommandDeps } from '../deps';
import { fileFromTarget, pickFile } from '../shared/pickFile';
import { workspacePath } from '../shared/workspace';
import { argumentObject } from '../guard';

/** Argument object for mtls.updateServer: no prompts; the result says what was (or would be) done. */
export interface UpdateServerArgs {
  /** The server.mts (its mtls-server/ is updated), or a single-file server.ts to convert (absolute or workspace-relative). */
  file: string;
  /** Only report (and, with showDiff, show) the update; write nothing. */
  dryRun?: boolean;
  /** Open the diff (old server.ts ↔ new server.mts, or the machinery's files). Default: false with an argument object. */
  showDiff?: boolean;
}

/** What mtls.updateServer did. */
export interface UpdateServerResult {
  /** 'migrate': a single-file server.ts converted; 'machinery': mtls-server/ replaced. */
  readonly kind: UpgradePlan['kind'];
  readonly file: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly upToDate: boolean;
  readonly changes: readonly string[];
  readonly applied: boolean;
  readonly backup?: string;
  readonly notes: readonly string[];
}

async function openDiff(preview: UpdatePreviewProvider, plan: UpgradePlan): Promise<void> {
  if (plan.kind === 'migrate') {
    const right = preview.show(path.join(plan.dir, serverFileName), plan.toVersion, plan.newText);
    const title = `${path.basename(plan.file)} (template ${plan.fromVersion}) ↔ ${serverFileName}: your config and handlers unchanged, the machinery moves to mtls-server/`;
    await vscode.commands.executeCommand('vscode.diff', vscode.Uri.file(plan.file), right, title, { preview: true });
    return;
  }
  // The machinery: every changed file in one diff document.
  const uri = preview.show(path.join(plan.dir, 'mtls-server.diff'), plan.toVersion, upgradeDiff(plan));
  const doc = await vscode.languages.setTextDocumentLanguage(await vscode.workspace.openTextDocument(uri), 'diff');
  await vscode.window.showTextDocument(doc, { preview: true });
}

/** The server file in the active editor, else the workspace root's server.mts, else its single-file server.ts. */
function defaultServerFile(): string | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && [serverFileName, legacyServerFileName].includes(path.basename(active.fsPath)))
    return active.fsPath;
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (root === undefined) return undefined;
  return [serverFileName, legacyServerFileName].map((n) => path.join(root, n)).find((f) => fs.existsSync(f));
}

function result(plan: UpgradePlan, applied: boolean, backup?: string): UpdateServerResult {
  return {
    kind: plan.kind,
    file: plan.file,
    fromVersion: plan.fromVersion,
    toVersion: plan.toVersion,
    upToDate: plan.upToDate,
    changes: plan.changes,
    applied,
    ...(backup ? { backup } : {}),
    notes: plan.notes,
  };
}

/**
 * mTLS: Update Webhook Server… — replaces the generated mtls-server/ beside a server.mts with the current one,
 * or converts a single-file server.ts of an earlier template to server.mts + mtls-server/ (config and
 * handlers carried over byte for byte): the diff first, then a modal confirmation, then the backup and the
 * write. Refuses (nothing changed) when generated code was edited.
 */
export async function updateServerCommand(
  deps: CommandDeps,
  preview: UpdatePreviewProvider,
  target?: unknown,
): Promise<UpdateServerResult | undefined> {
  const args = argumentObject<UpdateServerArgs>(target);
  const given = args?.file ?? fileFromTarget(target);
  const file = given
    ? workspacePath(given)
    : (defaultServerFile() ??
      (await pickFile('The server to update (server.mts, or a single-file server.ts)', { TypeScript: ['mts', 'ts'] })));
  const plan = await planUpgradeFile(file);
  if (plan.upToDate) {
    if (!args)
      void notify(
        'info',
        `${vscode.workspace.asRelativePath(path.join(plan.dir, 'mtls-server'))} is already current (template ${plan.toVersion}).`,
      );
    return result(plan, false);
  }
  for (const n of plan.notes) deps.log.warn(n);
  deps.log.info(`update ${file}: template ${plan.fromVersion} → ${plan.toVersion}: ${plan.changes.join('; ')}`);
  if (args) {
    if (args.showDiff) await openDiff(preview, plan);
    if (args.dryRun) return result(plan, false);
  } else {
    await openDiff(preview, plan);
    const what =
      plan.kind === 'migrate'
        ? `Convert ${path.basename(file)} (template ${plan.fromVersion}) to ${serverFileName} + mtls-server/ (template ${plan.toVersion})?`
        : `Replace mtls-server/ (template ${plan.fromVersion}) with template ${plan.toVersion}?`;
    const kept =
      plan.kind === 'migrate'
        ? `Your config block and handlers are carried over byte for byte; the old file is kept as ${path.basename(plan.backup)}.`
        : `${serverFileName} is not touched; the old folder is kept as ${path.basename(plan.backup)}.`;
    const notes = plan.notes.length > 0 ? `\n\n${plan.notes.join('\n')}` : '';
    const pick = await notify(
      'info',
      what,
      { modal: true, detail: `${kept}\n\nWhat changes:\n${plan.changes.map((c) => `• ${c}`).join('\n')}${notes}` },
      'Update',
    );
    if (pick !== 'Update') return result(plan, false);
  }
  const done = await applyUpgrade(plan);
  deps.log.info(`updated ${file}; backup ${done.backup ?? '(none)'}`);
  if (!args && plan.kind === 'migrate')
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(plan.dir, serverFileName)), { preview: false });
  if (!args)
    void notify(
      'info',
      `Updated to template ${plan.toVersion}${plan.kind === 'migrate' ? `: ${vscode.workspace.asRelativePath(path.join(plan.dir, serverFileName))} is now your server` : ''}. Backup: ${path.basename(done.backup ?? '')}`,
    );
  return result(plan, true, done.backup);
}
