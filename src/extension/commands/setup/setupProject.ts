import * as vscode from 'vscode';
import { notify } from '../../platform/notify';
import * as path from 'node:path';
import { setupProject, renderSetupSummary, setupStepLabels, type SetupSummary } from '../../../core/setup';
import { keyTypes } from '../../../core/pki';
import { allPlatforms, isPlatform, platformLabel, type Platform } from '../../../core/webhook';
import { InputError } from '../../../core/errors';
import type { CommandDeps } from '../deps';
import { orCancel, isArgsWith } from '../guard';
import { workspacePath, workspaceRoot } from '../shared/workspace';
import { resolveKeyType } from '../generate/prompts';
import { withCancellableProgress } from '../../platform/progress';
import { startServerCommand } from '../server/startServer';
import { Commands } from '../../ids';
import { requireTrust } from '../../platform/trust';

/** Argument object for mtls.setupProject. */
export interface SetupProjectArgs {
  platform: Platform;
  /** Project folder (absolute or workspace-relative; default: the workspace root). */
  folder?: string;
  keyType?: string;
  port?: number;
  /** Open the summary document (default true). */
  open?: boolean;
}

/** mTLS: Set Up Webhook Project… — chain, server.mts, start, sample request, probe, summary; cancellable. */
export async function setupProjectCommand(
  deps: CommandDeps,
  target?: unknown,
): Promise<SetupSummary & { document?: string }> {
  requireTrust('Set Up Webhook Project'); // it starts the server: refused before any question
  const args = isArgsWith<SetupProjectArgs>(target, 'platform') ? target : undefined;
  const interactive = args === undefined;
  const a: Partial<SetupProjectArgs> = args ?? {};
  const platform =
    a.platform ??
    orCancel(
      await vscode.window.showQuickPick(
        allPlatforms.map((p) => ({ label: platformLabel[p], id: p })),
        { title: 'Set up an mTLS webhook (1/3): which platform calls it?' },
      ),
    ).id;
  if (!isPlatform(platform)) throw new InputError(`Unknown platform "${String(platform)}": use cx, es or kore.`);
  const keyType = await resolveKeyType(a.keyType, interactive, deps.settings.defaultKeyType);
  const portText =
    a.port !== undefined
      ? String(a.port)
      : interactive
        ? orCancel(
            await vscode.window.showInputBox({
              title: 'Set up an mTLS webhook (3/3): port',
              value: String(deps.settings.serverPort),
              validateInput: (v) => (/^\d+$/.test(v) && +v > 0 && +v < 65536 ? undefined : 'A port from 1 to 65535'),
            }),
          )
        : String(deps.settings.serverPort);
  const dir = a.folder ? workspacePath(a.folder) : workspaceRoot();
  deps.log.info(
    `set-up: ${platformLabel[platform]}, ${keyTypes.find((k) => k.id === keyType)?.label}, port ${portText}, in ${dir}`,
  );
  const summary = await withCancellableProgress('mTLS: setting up the webhook project', (signal, progress) =>
    setupProject({
      dir,
      platform,
      keyType,
      port: Number(portText),
      signal,
      stopAtEnd: false,
      startServer: async (file, port) => {
        const { url } = await startServerCommand(deps, { file, port });
        return { url, stop: async () => void (await deps.servers.stop(file)) };
      },
      onStep: (step, state, detail) => {
        if (state === 'start') progress.report({ message: `${setupStepLabels[step]}…`, increment: 15 });
        deps.log.info(`set-up: ${setupStepLabels[step]}: ${state}${detail ? ` — ${detail.split('\n')[0]}` : ''}`);
      },
    }),
  );
  deps.tree.refresh();
  const text = renderSetupSummary(summary);
  const document =
    a.open !== false ? await deps.decodedDocs.show('mtls-setup-summary', text, { preview: false }) : undefined;
  if (interactive) {
    if (summary.ok && platform === 'kore') {
      // An on-premises Kore.ai platform needs a client certificate from this CA: offer the kit right away.
      void notify(
        'info',
        `mTLS: Kore.ai webhook ready at ${summary.url} — mTLS enforced. An installed (on-premises) bot platform needs a client-certificate kit from this CA.`,
        'Create Kore.ai Client Certificate Kit…',
      ).then((pick) => {
        if (pick)
          void vscode.commands.executeCommand(
            Commands.createKoreKit,
            vscode.Uri.file(path.join(dir, 'certs', 'ca-crt.pem')),
          );
      });
    } else if (summary.ok)
      void notify(
        'info',
        `mTLS: ${platformLabel[platform]} webhook ready at ${summary.url} — mTLS enforced. Next steps are in the summary.`,
      );
    else if (!summary.cancelled)
      void notify(
        'error',
        `mTLS: set-up stopped at "${setupStepLabels[summary.failedStep ?? 'certificates']}": ${summary.error?.split('\n')[0]}`,
        'Show Log',
      ).then((p) => p && deps.log.show());
  }
  return { ...summary, document };
}
