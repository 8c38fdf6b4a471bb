import * as vscode from 'vscode';
import { probeEndpoint, renderProbeResult, type ProbeResult } from '../../../core/http';
import type { CommandDeps } from '../deps';
import { orCancel } from '../guard';
import { resolveCredentials, type CredentialArgs } from './credentials';

/** Argument object for mtls.probeEndpoint. */
export interface ProbeArgs extends CredentialArgs {
  url: string;
  open?: boolean;
}

function isArgs(x: unknown): x is ProbeArgs {
  return typeof x === 'object' && x !== null && typeof (x as ProbeArgs).url === 'string';
}

/** mTLS: Probe mTLS Endpoint — does the server really refuse clients it should refuse? */
export async function probeEndpointCommand(deps: CommandDeps, target?: unknown): Promise<ProbeResult & { document?: string }> {
  const interactive = !isArgs(target);
  const a: Partial<ProbeArgs> = isArgs(target) ? target : {};
  const url = a.url ?? orCancel(await vscode.window.showInputBox({ title: 'Webhook URL to probe (HTTPS)', value: deps.servers.running()[0]?.url.replace(/\/?$/, '/') ?? `https://localhost:${deps.settings.serverPort}/` }));
  const { creds } = await resolveCredentials(deps, a, interactive);
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `mTLS: probing ${url} (6 handshakes)…`, cancellable: true }, (_p, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    return probeEndpoint(url, creds, { signal: abort.signal });
  });
  const text = renderProbeResult(result);
  for (const line of text.split('\n')) deps.log.info(`  ${line}`);
  let document: string | undefined;
  if (a.open !== false) {
    const uri = deps.decodedDocs.put(`probe-${result.verdict}`, text);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
    document = uri.toString();
  }
  if (interactive) {
    if (result.verdict === 'enforced') void vscode.window.showInformationMessage(`mTLS: ${result.summary}`);
    else void vscode.window.showErrorMessage(`mTLS: ${result.summary}`);
  }
  return { ...result, document };
}
