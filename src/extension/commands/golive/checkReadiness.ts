import * as vscode from 'vscode';
import { notify } from '../../platform/notify';
import { checkReadiness, renderReadiness, type FixAction, type ReadinessReport } from '../../../core/readiness/index';
import { allPlatforms, isPlatform, platformLabel, type Platform } from '../../../core/webhook';
import { InputError } from '../../../core/errors';
import { edgeTargets, isEdgeTarget } from '../../../core/edge/types';
import { Commands } from '../../ids';
import type { CommandDeps } from '../deps';
import { orCancel, isArgsWith } from '../guard';
import { workspacePath, workspaceRoot } from '../shared/workspace';
import { withCancellableProgress } from '../../platform/progress';
import { serverRuntime, startServerCommand } from '../server/startServer';
import { requireTrust } from '../../platform/trust';

/** Argument object for mtls.checkReadiness. */
export interface CheckReadinessArgs {
  platform: Platform;
  /** Folder with server.mts (absolute or workspace-relative; default: the workspace root). */
  folder?: string;
  /** The public https URL the platform will call. */
  url?: string;
  /** The kind of TLS-terminating edge serving the URL (`mtls edge` kinds: nginx, haproxy, gcp…). */
  edge?: string;
  /** With `edge`: the origin's own URL; a forged certificate header sent straight to it must be refused. */
  origin?: string;
  /** Open the report document (default true). */
  open?: boolean;
}

/** Our commands that perform a row's fix: offered as buttons. */
const fixCommands: Record<FixAction, { title: string; command: string }> = {
  generateChain: { title: 'Generate Certificates', command: Commands.generateChain },
  createTrustBundle: { title: 'Create Trust Bundle', command: Commands.createTrustBundle },
  exportDer: { title: 'Export CA as DER', command: Commands.exportDer },
  scaffoldServer: { title: 'Scaffold Server', command: Commands.scaffoldServer },
  updateServer: { title: 'Update Server', command: Commands.updateServer },
  startServer: { title: 'Start Server', command: Commands.startServer },
};

/** The buttons for a report: one per distinct fix command of the failing (then warning) rows, at most two. */
function fixButtons(r: ReadinessReport): { title: string; command: string }[] {
  const ordered = [...r.rows.filter((x) => x.status === 'fail'), ...r.rows.filter((x) => x.status === 'warn')];
  const actions = [...new Set(ordered.map((x) => x.action).filter((a): a is FixAction => a !== undefined))];
  return actions.slice(0, 2).map((a) => fixCommands[a]);
}

/** mTLS: Check Go-Live Readiness… — will the platform reach and trust this webhook? One row per check. */
export async function checkReadinessCommand(
  deps: CommandDeps,
  target?: unknown,
): Promise<ReadinessReport & { document?: string; buttons: string[] }> {
  // It runs the workspace's server.mts (--print-config, and the server itself when it is not running).
  requireTrust('Check Go-Live Readiness');
  const args = isArgsWith<CheckReadinessArgs>(target, 'platform') ? target : undefined;
  const interactive = args === undefined;
  const a: Partial<CheckReadinessArgs> = args ?? {};
  const platform =
    a.platform ??
    orCancel(
      await vscode.window.showQuickPick(
        allPlatforms.map((p) => ({ label: platformLabel[p], id: p })),
        { title: 'Check go-live readiness (1/2): which platform calls the webhook?' },
      ),
    ).id;
  if (!isPlatform(platform)) throw new InputError(`Unknown platform "${String(platform)}": use cx, es or kore.`);
  const url =
    a.url ??
    (interactive
      ? orCancel(
          await vscode.window.showInputBox({
            title:
              'Check go-live readiness (2/2): the public URL the platform will call (empty: skip the reachability checks)',
            placeHolder: 'https://webhook.example.com/webhook',
            validateInput: (v) => (v === '' || /^https?:\/\//.test(v) ? undefined : 'An https:// URL, or empty'),
          }),
        ) || undefined
      : undefined);
  if (a.edge !== undefined && !isEdgeTarget(a.edge))
    throw new InputError(`Unknown edge "${a.edge}": use ${edgeTargets.join(', ')}.`);
  const edge = a.edge;
  const dir = a.folder ? workspacePath(a.folder) : workspaceRoot();
  deps.log.info(
    `readiness: ${platformLabel[platform]} in ${dir}${url ? ` → ${url}` : ''}${edge ? ` (edge ${edge}${a.origin ? `, origin ${a.origin}` : ''})` : ''}`,
  );
  const report = await withCancellableProgress(
    `mTLS: checking go-live readiness for ${platformLabel[platform]}…`,
    (signal) =>
      checkReadiness({
        dir,
        platform,
        signal,
        // The settings are read on the Node the server runs on (server.mts --print-config).
        runtime: ((r) => (r.nodePath !== undefined ? { nodePath: r.nodePath } : {}))(serverRuntime(deps)),
        ...(url ? { url } : {}),
        ...(edge !== undefined ? { edge } : {}),
        ...(a.origin ? { origin: a.origin } : {}),
        startServer: async (file, port) => {
          const { url: started } = await startServerCommand(deps, { file, port });
          return { url: started, stop: async () => void (await deps.servers.stop(file)) };
        },
        // A server started from VS Code (now or earlier): its refusal lines join the failed handshakes.
        serverLog: (port) => deps.servers.outputOf(port) ?? '',
        // The certificate files are decoded in the decoder's worker threads, off the extension host's thread.
        decode: (bytes, o) => deps.decoder.decodeBytes(bytes, { fileName: o.fileName, now: o.now }),
      }),
  );
  const text = renderReadiness(report);
  for (const line of text.split('\n')) deps.log.info(`  ${line}`);
  const document =
    a.open !== false
      ? await deps.decodedDocs.show(`go-live-readiness-${platform}`, text, { preview: false })
      : undefined;
  const buttons = fixButtons(report);
  if (interactive) void announce(report, buttons); // don't wait: the user may never click
  return { ...report, document, buttons: buttons.map((b) => b.title) };
}

async function announce(r: ReadinessReport, buttons: readonly { title: string; command: string }[]): Promise<void> {
  const fails = r.rows.filter((x) => x.status === 'fail').length;
  const warns = r.rows.filter((x) => x.status === 'warn').length;
  const message = `mTLS: ${platformLabel[r.platform]} go-live readiness — ${r.verdict === 'not-ready' ? `NOT READY (${fails} failing, ${warns} warnings)` : r.verdict === 'ready' ? 'ready' : `ready with ${warns} warnings`}. The report is open.`;
  const pick = await notify(
    r.verdict === 'not-ready' ? 'error' : r.verdict === 'ready' ? 'info' : 'warning',
    message,
    ...buttons.map((b) => b.title),
  );
  const chosen = buttons.find((b) => b.title === pick);
  if (chosen) await vscode.commands.executeCommand(chosen.command);
}
