import * as vscode from 'vscode';
import * as path from 'node:path';
import { renderServer, parsePlatforms, serverFileName, hasNodeTypes, nodeTypesInstall, type Platform } from '../../../core/scaffold';
import type { CommandDeps } from '../deps';
import { Commands } from '../../ids';
import { argumentObject, orCancel } from '../guard';
import { workspacePath, workspaceRoot } from '../shared/workspace';
import { writeGenerated, type GenerateResult } from '../shared/writeGenerated';

/** Argument object for mtls.scaffoldServer. */
export interface ScaffoldArgs {
  /** Folder for server.ts (absolute or workspace-relative; default: the workspace root). */
  folder?: string;
  port?: number;
  platform?: Platform | 'all';
  overwrite?: boolean;
  /** Open server.ts in an editor afterwards (default true). */
  open?: boolean;
}

/** mTLS: Scaffold Webhook Server — writes a server.ts that verifies client certificates. */
export async function scaffoldServerCommand(deps: CommandDeps, target?: unknown): Promise<GenerateResult & { file: string }> {
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
              { label: 'All platforms', detail: 'Dialogflow CX, Dialogflow ES and Kore.ai handlers', id: 'all' as const },
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
  const source = renderServer({ port, platform });
  const result = await writeGenerated(deps, base, [{ name: serverFileName, contents: source }], [], { interactive, overwrite: a.overwrite, gitignore: false });
  const file = path.join(base, serverFileName);
  if (a.open !== false) await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
  if (interactive) {
    // The one follow-up step: without @types/node the editor underlines server.ts's Node imports (running it
    // needs nothing). Offered only when TypeScript would not find the types already.
    const typesMissing = !hasNodeTypes(base);
    const actions = typesMissing ? ['Start Server', 'Add @types/node'] : ['Start Server'];
    const hint = typesMissing ? ` For type checking in the editor, add Node's types: ${nodeTypesInstall().display}.` : '';
    void vscode.window.showInformationMessage(`Scaffolded ${vscode.workspace.asRelativePath(file)} (port ${port}). It reads its key, certificate and CA from certs/.${hint}`, ...actions).then((pick) => {
      if (pick === 'Start Server') void vscode.commands.executeCommand(Commands.startServer, vscode.Uri.file(file));
      if (pick === 'Add @types/node') void vscode.commands.executeCommand(Commands.addNodeTypes, vscode.Uri.file(base));
    });
  }
  return { ...result, file };
}
