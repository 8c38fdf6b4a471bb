import * as vscode from 'vscode';
import { notify } from '../../platform/notify';
import { createTestIdTokenIssuer, writeJwks } from '../../../core/idtoken';
import {
  probeEndpoint,
  probeNotice,
  renderProbeDocument,
  renderProbeResult,
  type ProbeOptions,
  type ProbeResult,
} from '../../../core/http';
import type { CommandDeps } from '../deps';
import { orCancel, isArgsWith } from '../guard';
import { defaultWebhookUrl, resolveCredentials, type CredentialArgs } from './credentials';
import { withCancellableProgress } from '../../platform/progress';
import { addServerSide } from './serverSide';
import { workspacePath } from '../shared/workspace';

/** Argument object for mtls.probeEndpoint. */
export interface ProbeArgs extends CredentialArgs {
  url: string;
  open?: boolean;
  /** The server verifies Google ID tokens: add the bad-token rows (each must get 401). */
  idToken?: boolean;
  /** With idToken: write the probe's test key as a JWKS here (where the server's MTLS_GOOGLE_JWKS_URL points). */
  jwksOut?: string;
  /** With idToken: the audience and caller email the server expects (default: the URL, the test service agent). */
  idTokenAudience?: string;
  idTokenEmail?: string;
}

/** mTLS: Probe mTLS Endpoint — does the server really refuse clients it should refuse? */
export async function probeEndpointCommand(
  deps: CommandDeps,
  target?: unknown,
): Promise<ProbeResult & { document?: string }> {
  const args = isArgsWith<ProbeArgs>(target, 'url') ? target : undefined;
  const interactive = args === undefined;
  const a: Partial<ProbeArgs> = args ?? {};
  const url =
    a.url ??
    orCancel(
      await vscode.window.showInputBox({ title: 'Webhook URL to probe (HTTPS)', value: defaultWebhookUrl(deps) }),
    );
  const { creds } = await resolveCredentials(deps, a, interactive);
  let idToken: ProbeOptions['idToken'];
  if (a.idToken) {
    const issuer = a.jwksOut !== undefined ? await createTestIdTokenIssuer() : undefined;
    if (issuer && a.jwksOut !== undefined) await writeJwks(workspacePath(a.jwksOut), issuer.jwks);
    idToken = {
      audience: a.idTokenAudience ?? url,
      ...(a.idTokenEmail !== undefined ? { email: a.idTokenEmail } : {}),
      ...(issuer ? { issuer } : {}),
    };
  }
  const result = await withCancellableProgress(`mTLS: probing ${url} (${idToken ? 11 : 6} requests)…`, (signal) =>
    probeEndpoint(url, creds, { signal, ...(idToken ? { idToken } : {}) }),
  );
  await addServerSide(deps, url, result.rows);
  const text = renderProbeResult(result);
  for (const line of text.split('\n')) deps.log.info(`  ${line}`);
  // The document also has every row's full timeline; the log keeps the compact table.
  const document =
    a.open !== false ? await deps.decodedDocs.show(`probe-${result.verdict}`, renderProbeDocument(result)) : undefined;
  if (interactive) {
    // The summary can quote the server's certificate (every SAN, in a host-name error): core makes it plain text.
    const notice = probeNotice(result);
    void notify(notice.severity, notice.text);
  }
  return { ...result, document };
}
