import * as vscode from 'vscode';
import { probeEndpoint, renderHandshakeTimeline, renderProbeResult, type ProbeResult } from '../../../core/http';
import type { CommandDeps } from '../deps';
import { orCancel, isArgsWith } from '../guard';
import { defaultWebhookUrl, resolveCredentials, type CredentialArgs } from './credentials';
import { withCancellableProgress } from '../../platform/progress';
import { addServerSide } from './serverSide';

/** Argument object for mtls.probeEndpoint. */
export interface ProbeArgs extends CredentialArgs {
  url: string;
  open?: boolean;
}

/** mTLS: Probe mTLS Endpoint — does the server really refuse clients it should refuse? */
export async function probeEndpointCommand(deps: CommandDeps, target?: unknown): Promise<ProbeResult & { document?: string }> {
  const args = isArgsWith<ProbeArgs>(target, 'url') ? target : undefined;
  const interactive = args === undefined;
  const a: Partial<ProbeArgs> = args ?? {};
  const url = a.url ?? orCancel(await vscode.window.showInputBox({ title: 'Webhook URL to probe (HTTPS)', value: defaultWebhookUrl(deps) }));
  const { creds } = await resolveCredentials(deps, a, interactive);
  const result = await withCancellableProgress(`mTLS: probing ${url} (6 handshakes)…`, (signal) => probeEndpoint(url, creds, { signal }));
  await addServerSide(deps, url, result.rows);
  const text = renderProbeResult(result);
  for (const line of text.split('\n')) deps.log.info(`  ${line}`);
  // The document also has every row's full timeline; the log keeps the compact table.
  const timelines = result.rows.map((r) => `${r.label}:\n${renderHandshakeTimeline(r.handshake)}`).join('\n');
  const document = a.open !== false ? await deps.decodedDocs.show(`probe-${result.verdict}`, `${text}\nEach row's handshake, in five steps\n\n${timelines}`) : undefined;
  if (interactive) {
    if (result.verdict === 'enforced') void vscode.window.showInformationMessage(`mTLS: ${result.summary}`);
    else void vscode.window.showErrorMessage(`mTLS: ${result.summary}`);
  }
  return { ...result, document };
}
