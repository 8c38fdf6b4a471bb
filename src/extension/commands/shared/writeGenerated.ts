import * as vscode from 'vscode';
import { notify } from '../../platform/notify';
import * as path from 'node:path';
import {
  checkNoLinks,
  existingFiles,
  writeFileSet,
  addToGitignore,
  secretPatterns,
  FilesExistError,
  type OutputFile,
} from '../../../core/files';
import type { GeneratedCertificate } from '../../../core/pki';
import type { CommandDeps } from '../deps';
import { Commands } from '../../ids';
import { Cancelled } from '../guard';
import { displayPath, workspacePath, workspaceRoot } from './workspace';

/** What every generate command returns (also to tests driving it with an argument object). */
export interface GenerateResult {
  readonly folder: string;
  readonly files: readonly string[];
  readonly certificates: readonly { file: string; subject: string; notAfter: string; role: string }[];
  readonly gitignoreAdded: readonly string[];
}

export interface WriteOptions {
  /** Overwrite existing files: true = yes, false = refuse, undefined = ask (modal). */
  readonly overwrite?: boolean;
  /** Add key patterns to .gitignore: true = yes, false = no, undefined = offer (when the setting allows). */
  readonly gitignore?: boolean;
  /** Whether prompts may be shown (false when driven by an argument object). */
  readonly interactive: boolean;
}

/**
 * Writes a generated file set: asks before overwriting anything, writes atomically (keys 0600), offers
 * .gitignore entries for keys, logs where each file went and when it expires, refreshes the tree.
 */
export async function writeGenerated(
  deps: CommandDeps,
  folderArg: string,
  files: readonly OutputFile[],
  certificates: readonly GeneratedCertificate[],
  opts: WriteOptions,
): Promise<GenerateResult> {
  // Never the extension host's working directory: a relative folder is the workspace's.
  const folder = workspacePath(folderArg);
  let overwrite = opts.overwrite ?? false;
  // A link (e.g. a certs folder in a cloned repository pointing at ~/.ssh) is refused before any question.
  const within = vscode.workspace.workspaceFolders?.find((w) => !path.relative(w.uri.fsPath, folder).startsWith('..'))
    ?.uri.fsPath;
  await checkNoLinks(folder, files, within);
  const existing = await existingFiles(folder, files);
  if (existing.length > 0 && opts.overwrite === undefined) {
    if (!opts.interactive) throw new FilesExistError(existing);
    const pick = await notify(
      'warning',
      `${existing.length} file(s) already exist in ${displayPath(folder)}: ${existing.map((f) => path.basename(f)).join(', ')}. Overwrite them?`,
      { modal: true, detail: 'Existing private keys would be lost. Choose another folder to keep them.' },
      'Overwrite',
    );
    if (pick !== 'Overwrite') throw new Cancelled();
    overwrite = true;
  }
  const { written, replaced } = await writeFileSet(folder, files, { overwrite, within });
  for (const f of written)
    deps.log.info(
      `wrote ${f}${files.find((x) => path.resolve(folder, x.name) === f)?.secret ? ' (private, mode 0600)' : ''}`,
    );
  for (const c of certificates)
    deps.log.info(`  ${c.role}: ${c.subject} — expires ${c.notAfter.toISOString().slice(0, 10)} (${c.file})`);
  const gitignoreAdded = await maybeGitignore(deps, files, opts);
  deps.tree.refresh();
  const leaf =
    certificates.find((c) => c.role === 'server') ?? certificates.find((c) => c.role === 'client') ?? certificates[0];
  if (replaced.length > 0)
    deps.log.info(
      `replaced ${replaced.length} existing file(s) as one set: ${replaced.map((f) => path.basename(f)).join(', ')}`,
    );
  const summary = `Wrote ${written.length} files to ${displayPath(folder)}${replaced.length ? ` (${replaced.length} replaced)` : ''}${leaf ? ` — ${leaf.role} certificate valid until ${leaf.notAfter.toISOString().slice(0, 10)}` : ''}.`;
  void notify('info', summary, 'Reveal in Explorer', 'Show Log').then((pick) => {
    if (pick === 'Reveal in Explorer' && written[0])
      void vscode.commands.executeCommand(Commands.revealInExplorer, vscode.Uri.file(written[0]));
    if (pick === 'Show Log') deps.log.show(true);
  });
  return {
    folder,
    files: written,
    certificates: certificates.map((c) => ({
      file: path.resolve(folder, c.file),
      subject: c.subject,
      notAfter: c.notAfter.toISOString(),
      role: c.role,
    })),
    gitignoreAdded,
  };
}

async function maybeGitignore(deps: CommandDeps, files: readonly OutputFile[], opts: WriteOptions): Promise<string[]> {
  if (!files.some((f) => f.secret) || opts.gitignore === false) return [];
  let root: string;
  try {
    root = workspaceRoot();
  } catch {
    return [];
  }
  if (opts.gitignore === true) return addToGitignore(root, secretPatterns);
  if (!opts.interactive || !deps.settings.offerGitignore) return [];
  // don't wait: the command is done; the offer stays until the user answers
  void notify(
    'info',
    'Keep private keys out of git? Adds *-key.pem, *.key, *.p12 and *.pfx to .gitignore.',
    'Add to .gitignore',
    'Not now',
  ).then(async (pick) => {
    if (pick === 'Add to .gitignore')
      deps.log.info(
        `.gitignore: added ${(await addToGitignore(root, secretPatterns)).join(', ') || 'nothing (already there)'}`,
      );
  });
  return [];
}
