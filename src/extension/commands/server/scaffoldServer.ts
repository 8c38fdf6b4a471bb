import * as vscode from 'vscode';
import { notify } from '../../platform/notify';
import * as path from 'node:path';
import {
  parsePlatforms,
  serverFileName,
  serverFileSet,
  scaffoldObstacles,
  removeStaleMachinery,
  hasNodeTypes,
  nodeTypesInstall,
} from '../../../core/scaffold';
import type { Platform } from '../../../core/webhook';
import { legacyInTheWay, tsconfigKeptNote } from '../../../core/scaffold/scaffoldServer';
import { FilesExistError } from '../../../core/files';
import type { CommandDeps } from '../deps';
import { Commands } from '../../ids';
import { argumentObject, Cancelled, orCancel } from '../guard';
import { workspacePath, workspaceRoot } from '../shared/workspace';
import { writeGenerated, type GenerateResult } from '../shared/writeGenerated';

/** Argument object for mtls.scaffoldServer. */
export interface ScaffoldArgs {
  /** Folder for server.mts and mtls-server/ (absolute or workspace-relative; default: the workspace root). */
  folder?: string;
  port?: number;
  platform?: Platform | 'all';
  overwrite?: boolean;
  /** Open server.mts in an editor afterwards (default true). */
  open?: boolean;
}

/**
 * mTLS: Scaffold Webhook Server — writes the user's server.mts, the generated mtls-server/ folder and (when
 * absent) tsconfig.json: a webhook that verifies client certificates.
 */
export async function scaffoldServerCommand(
  deps: CommandDeps,
  target?: unknown,
): Promise<GenerateResult & { file: string }> {
  const args = argumentObject<ScaffoldArgs>(target);
  const interactive = args === undefined;
  const a: ScaffoldArgs = args ?? {};
  const base = target instanceof vscode.Uri ? target.fsPath : a.folder ? workspacePath(a.folder) : workspaceRoot();
  const platform =
    a.platform ??
    (interactive
      ? orCancel(
          await vscode.window.showQuickPick(
            [
              {
                label: 'All platforms',
                detail: 'Dialogflow CX, Dialogflow ES and Kore.ai handlers',
                id: 'all' as const,
              },
              { label: 'Dialogflow CX', detail: 'routes by fulfillmentInfo.tag', id: 'cx' as const },
              { label: 'Dialogflow ES', detail: 'routes by intent display name', id: 'es' as const },
              { label: 'Kore.ai', detail: 'service-node JSON calls', id: 'kore' as const },
            ],
            { title: 'Which platform will call this webhook?' },
          ),
        ).id
      : 'all');
  parsePlatforms(platform);
  const port = a.port ?? deps.settings.serverPort;
  const { files, tsconfig } = await serverFileSet(base, { port, platform });
  let overwrite = a.overwrite;
  if (overwrite !== true) {
    const { existing, legacy } = await scaffoldObstacles(base);
    if (legacy !== undefined) {
      if (!interactive) throw legacyInTheWay(legacy);
      const pick = await notify(
        'warning',
        `${vscode.workspace.asRelativePath(legacy.file)} is a single-file server from an earlier mTLS Workbench (template ${legacy.version}).`,
        {
          modal: true,
          detail: `Convert it to ${serverFileName} + mtls-server/, keeping your config and handlers byte for byte (the old file is kept as a backup), or write a new ${serverFileName} beside it.`,
        },
        'Convert It',
        'Write New Server',
      );
      if (pick === 'Convert It') {
        void vscode.commands.executeCommand(Commands.updateServer, vscode.Uri.file(legacy.file));
        throw new Cancelled();
      }
      if (pick !== 'Write New Server') throw new Cancelled();
    }
    if (existing.length > 0) {
      if (!interactive || overwrite === false) throw new FilesExistError(existing);
      const pick = await notify(
        'warning',
        `${existing.map((f) => path.basename(f)).join(' and ')} already exist${existing.length === 1 ? 's' : ''} in ${vscode.workspace.asRelativePath(base)}. Overwrite?`,
        {
          modal: true,
          detail: `Your ${serverFileName} would be replaced by a new one. To update only the generated mtls-server/, use mTLS: Update Webhook Server instead.`,
        },
        'Overwrite',
      );
      if (pick !== 'Overwrite') throw new Cancelled();
      overwrite = true;
    }
  }
  const result = await writeGenerated(deps, base, files, [], { interactive, overwrite, gitignore: false });
  if (overwrite === true)
    for (const stale of await removeStaleMachinery(base))
      deps.log.info(`removed ${stale} (not part of the current machinery)`);
  if (tsconfig === 'kept') deps.log.info(tsconfigKeptNote);
  const file = path.join(base, serverFileName);
  if (a.open !== false) await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
  if (interactive) {
    // The one follow-up step: without @types/node the editor underlines the machinery's Node imports (running
    // it needs nothing). Offered only when TypeScript would not find the types already.
    const typesMissing = !hasNodeTypes(base);
    const actions = typesMissing ? ['Start Server', 'Add @types/node'] : ['Start Server'];
    const hint = typesMissing
      ? ` For type checking in the editor, add Node's types: ${nodeTypesInstall().display}.`
      : '';
    const kept = tsconfig === 'kept' ? ` ${tsconfigKeptNote}` : '';
    void notify(
      'info',
      `Scaffolded ${vscode.workspace.asRelativePath(file)} (yours) and mtls-server/ (generated), port ${port}. It reads its key, certificate and CA from certs/.${hint}${kept}`,
      ...actions,
    ).then((pick) => {
      if (pick === 'Start Server') void vscode.commands.executeCommand(Commands.startServer, vscode.Uri.file(file));
      if (pick === 'Add @types/node') void vscode.commands.executeCommand(Commands.addNodeTypes, vscode.Uri.file(base));
    });
  }
  return { ...result, file };
}
