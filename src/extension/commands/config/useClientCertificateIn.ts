import * as vscode from 'vscode';
import { notify } from '../../platform/notify';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  configTargets,
  exportClientConfig,
  isConfigTarget,
  REST_CLIENT_HTTP_FILE,
  REST_CLIENT_SETTINGS,
  type ConfigTarget,
  type ExportedConfig,
} from '../../../core/clientConfig';
import { writeFileSet } from '../../../core/files';
import { InputError } from '../../../core/errors';
import type { Platform } from '../../../core/webhook';
import type { CommandDeps } from '../deps';
import { isArgsWith, orCancel } from '../guard';
import { fileFromTarget, pickFile, siblingKey } from '../shared/pickFile';
import { defaultWebhookUrl } from '../send/credentials';
import { workspacePath, workspaceRoot } from '../shared/workspace';

/** Argument object for mtls.useClientCertificateIn. Paths absolute or workspace-relative. */
export interface UseClientCertificateArgs {
  for: ConfigTarget;
  cert?: string;
  key?: string;
  /** The CA that verifies the server (default: ca-root-crt.pem next to the certificate, when there). */
  ca?: string;
  url?: string;
  platform?: Platform;
  /** rest-client: replace an existing, different mtls-webhook.http. */
  overwrite?: boolean;
  /** Show the result (default true). */
  open?: boolean;
}

export interface UseClientCertificateResult extends ExportedConfig {
  /** Files written (rest-client). */
  readonly written: string[];
  readonly document?: string;
}

const labels: Record<ConfigTarget, string> = {
  'rest-client': 'REST Client — add the host to rest-client.certificates and write a .http file',
  curl: 'curl — the command line, verifying the server with your CA',
  httpie: 'httpie — the command line, verifying the server with your CA',
  node: 'Node.js — a node:https / undici snippet and NODE_EXTRA_CA_CERTS',
  postman: 'Postman — the values to enter in its certificate settings',
};

/** mTLS: Use Client Certificate In… — REST Client, curl, httpie, Node or Postman, with verification on. */
export async function useClientCertificateInCommand(
  deps: CommandDeps,
  target?: unknown,
): Promise<UseClientCertificateResult> {
  const args = isArgsWith<UseClientCertificateArgs>(target, 'for') ? target : undefined;
  const interactive = args === undefined;
  const a: Partial<UseClientCertificateArgs> = args ?? {};
  const root = workspaceRoot('the settings and commands refer to its files');
  const forWhat =
    a.for ??
    orCancel(
      await vscode.window.showQuickPick(
        configTargets.map((t) => ({ label: labels[t].split(' — ')[0], detail: labels[t].split(' — ')[1], id: t })),
        { title: 'Use the client certificate in…' },
      ),
    ).id;
  if (!isConfigTarget(forWhat))
    throw new InputError(
      `"${String(forWhat)}" is not a client this command configures: use ${configTargets.join(', ')}.`,
    );
  const generated = path.resolve(root, deps.settings.certificatesFolder, 'client-crt.pem');
  const cert =
    a.cert !== undefined
      ? workspacePath(a.cert)
      : (fileFromTarget(target) ??
        (interactive
          ? fs.existsSync(generated)
            ? generated
            : await pickFile('Client certificate (PEM)')
          : undefined));
  if (!cert) throw new InputError('Give the client certificate (cert).');
  const key =
    a.key !== undefined
      ? workspacePath(a.key)
      : (siblingKey(cert) ??
        (interactive ? await pickFile(`Private key of ${path.basename(cert)}`, undefined, cert) : undefined));
  if (!key) throw new InputError(`No private key found next to ${path.basename(cert)}: give key.`);
  const nextToCert = path.join(path.dirname(cert), 'ca-root-crt.pem');
  const ca = a.ca !== undefined ? workspacePath(a.ca) : fs.existsSync(nextToCert) ? nextToCert : undefined;
  const url =
    a.url ??
    (interactive
      ? orCancel(
          await vscode.window.showInputBox({
            title: 'Webhook URL the client calls',
            value: defaultWebhookUrl(deps),
            validateInput: (v) => (/^https:\/\/\S+$/.test(v) ? undefined : 'An https:// URL'),
          }),
        )
      : defaultWebhookUrl(deps));
  const settingsFile = path.join(root, REST_CLIENT_SETTINGS);
  if (
    forWhat === 'rest-client' &&
    vscode.workspace.textDocuments.some((d) => d.uri.fsPath === settingsFile && d.isDirty)
  ) {
    throw new InputError(
      `${REST_CLIENT_SETTINGS} has unsaved changes: save it first, then run this again (nothing was changed).`,
    );
  }
  const existing =
    forWhat === 'rest-client' && fs.existsSync(settingsFile)
      ? await fs.promises.readFile(settingsFile, 'utf8')
      : undefined;
  const r = await exportClientConfig(
    {
      target: forWhat,
      certFile: cert,
      keyFile: key,
      ...(ca ? { caFile: ca } : {}),
      url,
      ...(a.platform ? { platform: a.platform } : {}),
      baseDir: root,
    },
    existing,
  );
  const written: string[] = [];
  let document: string | undefined;
  if (r.restClient) {
    const rc = r.restClient;
    await writeFileSet(root, [{ name: rc.settingsPath, contents: rc.settings }], { overwrite: true });
    written.push(settingsFile);
    const httpFile = path.join(root, rc.httpFilePath);
    const old = fs.existsSync(httpFile) ? await fs.promises.readFile(httpFile, 'utf8') : undefined;
    let replace = old === undefined || old === rc.httpFile || a.overwrite === true;
    if (!replace && interactive) {
      replace =
        (await notify(
          'warning',
          `${REST_CLIENT_HTTP_FILE} exists and differs. Replace it with the sample request?`,
          { modal: true },
          'Replace',
        )) === 'Replace';
    }
    if (replace) {
      await writeFileSet(root, [{ name: rc.httpFilePath, contents: rc.httpFile }], { overwrite: true });
      written.push(httpFile);
    }
    deps.log.info(
      `REST Client: "rest-client.certificates" → "${rc.host}" in ${settingsFile}${replace ? `; wrote ${httpFile}` : ''}`,
    );
    if (a.open !== false) {
      await vscode.window.showTextDocument(vscode.Uri.file(replace ? httpFile : settingsFile), { preview: false });
      document = vscode.Uri.file(replace ? httpFile : settingsFile).toString();
    }
  } else if (a.open !== false) {
    document = await deps.decodedDocs.show(
      `use-in-${forWhat}`,
      `${r.text}\n\n${r.notes.map((n) => `Note: ${n}`).join('\n')}\n`,
      { beside: false, preview: false },
    );
  }
  for (const n of r.notes) deps.log.info(`${forWhat}: ${n}`);
  if (interactive) void offerCopy(r);
  return { ...r, written, ...(document ? { document } : {}) };
}

/** One notification: what was done, and a copy button for the command line or snippet. */
async function offerCopy(r: ExportedConfig): Promise<void> {
  if (r.restClient) {
    void notify('info', `mTLS: REST Client now presents your certificate to ${r.restClient.host}. ${r.notes[0] ?? ''}`);
    return;
  }
  const pick = await notify(
    'info',
    `mTLS: ${r.target} configuration for ${r.url} is ready (verification on; no passphrase written).`,
    'Copy',
  );
  if (pick === 'Copy') await vscode.env.clipboard.writeText(r.text);
}
