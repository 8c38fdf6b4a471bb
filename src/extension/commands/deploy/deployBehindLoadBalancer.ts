import * as vscode from 'vscode';
import * as path from 'node:path';
import { edgeDescriptions, edgeTargets, isEdgeTarget, type EdgeTarget } from '../../../core/edge/index';
import { projectEdge } from '../../../core/edge/projectEdge';
import { InputError } from '../../../core/errors';
import type { CommandDeps } from '../deps';
import { argumentObject, orCancel } from '../guard';
import { requireTrust } from '../../platform/trust';
import { workspacePath, workspaceRoot } from '../shared/workspace';
import { writeGenerated, type GenerateResult } from '../shared/writeGenerated';
import { serverRuntime } from '../server/startServer';

/** Argument object for mtls.deployBehindLoadBalancer (every prompt skipped). */
export interface DeployArgs {
  kind: EdgeTarget;
  /** The folder with server.mts (absolute or workspace-relative; default: the workspace root). */
  dir?: string;
  /** Output folder (default <dir>/edge/<kind>). */
  out?: string;
  /** The public host name clients call. */
  host?: string;
  /** The edge adds X-Mtls-Edge-Secret (always for caddy and gcp). */
  secret?: boolean;
  overwrite?: boolean;
}

export interface DeployResult extends GenerateResult {
  readonly kind: EdgeTarget;
  /** The webhook's MTLS_EDGE. */
  readonly format: string;
  readonly originEnv: Readonly<Record<string, string>>;
  readonly next: readonly string[];
  readonly notes: readonly string[];
}

/** mTLS: Deploy Behind a Load Balancer… — the edge's configuration for this project's certificates. */
export async function deployBehindLoadBalancerCommand(deps: CommandDeps, target?: unknown): Promise<DeployResult> {
  // The server's settings come from running server.mts --print-config: workspace code.
  requireTrust('Deploy Behind a Load Balancer');
  const args = argumentObject<DeployArgs>(target);
  const interactive = args === undefined;
  const kind =
    args?.kind ??
    orCancel(
      await vscode.window.showQuickPick(
        edgeTargets.map((k) => ({ label: k, description: edgeDescriptions[k], id: k })),
        { title: 'Which proxy or load balancer terminates TLS in front of the webhook?' },
      ),
    ).id;
  if (!isEdgeTarget(kind)) throw new InputError(`Unknown edge "${String(kind)}": use ${edgeTargets.join(', ')}.`);
  const dir = target instanceof vscode.Uri ? target.fsPath : args?.dir ? workspacePath(args.dir) : workspaceRoot();
  const host =
    args?.host ??
    (interactive && ['ingress-nginx', 'nginx', 'caddy', 'envoy'].includes(kind)
      ? orCancel(
          await vscode.window.showInputBox({
            title: 'The public host name clients call (empty: any)',
            placeHolder: 'webhook.example.com',
          }),
        ) || undefined
      : undefined);
  const runtime = serverRuntime(deps);
  const { bundle, outDir } = await projectEdge({
    kind,
    dir,
    env: process.env,
    secret: args?.secret === true,
    ...(args?.out ? { out: workspacePath(args.out) } : {}),
    ...(host ? { host } : {}),
    ...(runtime.nodePath !== undefined ? { runtime: { nodePath: runtime.nodePath } } : {}),
  });
  const result = await writeGenerated(deps, outDir, bundle.files, [], {
    interactive,
    overwrite: args?.overwrite,
    gitignore: false,
  });
  deps.log.info(
    `edge ${kind}: the webhook runs with ${Object.entries(bundle.originEnv)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  deps.log.info(`edge ${kind}: next, in ${path.basename(outDir)}:`);
  for (const line of bundle.next) deps.log.info(`  ${line}`);
  for (const note of bundle.notes) deps.log.info(`  note: ${note}`);
  return {
    ...result,
    kind,
    format: bundle.format,
    originEnv: bundle.originEnv,
    next: bundle.next,
    notes: bundle.notes,
  };
}
