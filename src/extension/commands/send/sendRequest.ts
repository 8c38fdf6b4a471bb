import * as vscode from 'vscode';
import { notify } from '../../platform/notify';
import * as path from 'node:path';
// The file, not clientConfig's index: the index would bring the REST Client merge (jsonc-parser) into this chunk.
import { toCurl, toOpensslSClient } from '../../../core/clientConfig/equivalentCommands';
import {
  sendNotice,
  sendWebhook,
  renderSendDocument,
  renderSendResult,
  type SendResult,
  type SentIdToken,
} from '../../../core/http';
import { allPlatforms, sampleRequest, platformLabel, isPlatform } from '../../../core/webhook';
import { dialogflowTestIdToken, idTokenServerEnv, writeJwks } from '../../../core/idtoken';
import type { CommandDeps } from '../deps';
import { orCancel, isArgsWith } from '../guard';
import { pickFile } from '../shared/pickFile';
import { readText, workspacePath } from '../shared/workspace';
import { defaultWebhookUrl, resolveCredentials, type CredentialArgs } from './credentials';
import { withCancellableProgress } from '../../platform/progress';
import { explanationAction } from './explanationActions';
import { addServerSide } from './serverSide';

/** Argument object for mtls.sendRequest. */
export interface SendRequestArgs extends CredentialArgs {
  url: string;
  /** cx | es | kore, or a JSON file (absolute or workspace-relative). Default cx. */
  sample?: string;
  headers?: Record<string, string>;
  /** The platform's webhook timeout to check the reply against (ms). */
  platformTimeoutMs?: number;
  /** Open the result document (default true). */
  open?: boolean;
  /** With asDialogflow: where to write the test ID token's JWKS (from the palette: dialogflow-test-jwks.json in the certificates folder). */
  jwksOut?: string;
  /** With asDialogflow: the test ID token's aud (default: the URL) and email (default: a test service agent). */
  idTokenAudience?: string;
  idTokenEmail?: string;
}

export type { SentIdToken };

export interface SendRequestResult extends SendResult {
  /** The equivalent commands, secrets as $ENV references. */
  readonly curl: string;
  readonly openssl: string;
  readonly document?: string;
  readonly dialogflowTestRoot?: string;
  readonly dialogflowTestIdToken?: SentIdToken;
}

/** mTLS: Send Sample Webhook Request — a platform-shaped POST with a client certificate, fully explained. */
export async function sendRequestCommand(deps: CommandDeps, target?: unknown): Promise<SendRequestResult> {
  const args = isArgsWith<SendRequestArgs>(target, 'url') ? target : undefined;
  const interactive = args === undefined;
  const a: Partial<SendRequestArgs> = args ?? {};
  const url =
    a.url ??
    orCancel(
      await vscode.window.showInputBox({
        title: 'Webhook URL (HTTPS)',
        value: defaultWebhookUrl(deps),
        validateInput: (v) => (/^https:\/\/\S+$/.test(v) ? undefined : 'An https:// URL'),
      }),
    );
  let sample = a.sample;
  if (!sample && interactive) {
    const pick = orCancel(
      await vscode.window.showQuickPick(
        [
          ...allPlatforms.map((p) => ({
            label: platformLabel[p],
            detail: `Sample ${platformLabel[p]} webhook request`,
            id: p,
          })),
          { label: 'JSON file…', detail: 'Send any JSON body from a file', id: 'file' },
        ],
        { title: 'What to send' },
      ),
    );
    sample = pick.id === 'file' ? await pickFile('JSON body to send', { JSON: ['json'] }) : pick.id;
  }
  sample ??= 'cx';
  const platform = isPlatform(sample) ? sample : undefined;
  const bodyFile = platform ? undefined : workspacePath(sample);
  const body = platform ? sampleRequest(platform) : await readText(bodyFile!);
  const { creds, files, description, dialogflowTestRoot } = await resolveCredentials(deps, a, interactive);
  const headers: Record<string, string> = { ...a.headers };
  let idToken: SentIdToken | undefined;
  // As Dialogflow CX does by default, send a Google-style ID token too, unless the caller set Authorization.
  if (dialogflowTestRoot !== undefined && !Object.keys(headers).some((h) => /^authorization$/i.test(h))) {
    const t = await dialogflowTestIdToken({ audience: a.idTokenAudience ?? url, email: a.idTokenEmail });
    headers['authorization'] = t.authorization;
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const out =
      a.jwksOut ??
      (interactive && root
        ? path.join(root, deps.settings.certificatesFolder, 'dialogflow-test-jwks.json')
        : undefined);
    const jwksFile = out !== undefined ? await writeJwks(workspacePath(out), t.jwks) : undefined;
    idToken = {
      audience: t.audience,
      email: t.email,
      kid: t.kid,
      expiresAt: t.expiresAt,
      ...(jwksFile ? { jwksFile } : {}),
      serverEnv: idTokenServerEnv(t, jwksFile),
    };
    deps.log.info(
      `send: attached a TEST ID token (aud ${t.audience}, email ${t.email}, kid ${t.kid})${jwksFile ? `; its JWKS: ${jwksFile}` : ''}`,
    );
  }
  const options = { url, platform, body, headers, platformTimeoutMs: a.platformTimeoutMs, ...creds };
  deps.log.info(
    `send ${platform ? platformLabel[platform] : path.basename(bodyFile!)} → ${url} with ${description}${creds.insecure ? ' — SERVER VERIFICATION OFF' : ''}`,
  );
  const result = await withCancellableProgress(`mTLS: POST ${url}`, (signal) => sendWebhook({ ...options, signal }));
  await addServerSide(deps, url, [result]);
  const text = renderSendResult(result);
  for (const line of text.split('\n')) deps.log.info(`  ${line}`);
  const curl = toCurl({ ...options, ...files });
  const openssl = toOpensslSClient({ ...options, ...files });
  const document =
    a.open !== false
      ? await deps.decodedDocs.show(
          `webhook-${result.status ?? 'failed'}`,
          renderSendDocument(result, { curl, openssl, idToken, dialogflowTestRoot }),
          { beside: true },
        )
      : undefined;
  if (interactive) void announce(result, curl, openssl);
  return {
    ...result,
    curl,
    openssl,
    document,
    dialogflowTestRoot,
    ...(idToken ? { dialogflowTestIdToken: idToken } : {}),
  };
}

/** One notification: the outcome, the fix when there is one, and the copy actions. */
async function announce(result: SendResult, curl: string, openssl: string): Promise<void> {
  const fix = explanationAction(result.error?.explanation.action);
  const buttons = [...(fix ? [fix.title] : []), 'Copy as curl', 'Copy as openssl s_client'];
  const notice = sendNotice(result);
  const pick = await notify(notice.severity, notice.text, ...buttons);
  if (pick === 'Copy as curl') await vscode.env.clipboard.writeText(curl);
  if (pick === 'Copy as openssl s_client') await vscode.env.clipboard.writeText(openssl);
  if (fix && pick === fix.title) await vscode.commands.executeCommand(fix.command, ...(fix.args ?? []));
}
