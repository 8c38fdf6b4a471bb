import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandFiles } from '../../../core/clientConfig';
import type { ClientCredentials } from '../../../core/http';
import { isEncryptedKeyPem } from '../../../core/crypto/wrongPassphrase';
import { dialogflowLikeClient } from '../../../core/testIdentities';
import type { CommandDeps } from '../deps';
import { orCancel } from '../guard';
import { pickFile, siblingKey } from '../shared/pickFile';
import { readText, workspacePath } from '../shared/workspace';

/** Client-certificate and trust options an argument object may carry (paths absolute or workspace-relative). */
export interface CredentialArgs {
  cert?: string;
  key?: string;
  ca?: string;
  pfx?: string;
  passphrase?: string;
  insecure?: boolean;
  /** Use a throwaway chain shaped like Dialogflow's (test root → intermediate → CN=Google LLC). */
  asDialogflow?: boolean;
}

export interface ResolvedCredentials {
  readonly creds: ClientCredentials;
  /** The files behind them, for "Copy as curl / openssl". */
  readonly files: CommandFiles;
  /** What was used, in words (for the log and the result). */
  readonly description: string;
  /** With asDialogflow: the test root the server must trust. */
  readonly dialogflowTestRoot?: string;
}

/** Where to send or probe by default: the server started from VS Code, else localhost on the configured port. */
export function defaultWebhookUrl(deps: CommandDeps): string {
  return deps.servers.running()[0]?.url.replace(/\/?$/, '/') ?? `https://localhost:${deps.settings.serverPort}/`;
}

/** The dev-CA files `Generate CA Chain` writes, when present in the certificates folder. */
function generatedPair(deps: CommandDeps): { cert: string; key: string; ca?: string } | undefined {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!root) return undefined;
  const dir = path.resolve(root, deps.settings.certificatesFolder);
  const cert = ['client-fullchain.pem', 'client-crt.pem'].map((n) => path.join(dir, n)).find((f) => fs.existsSync(f));
  const key = path.join(dir, 'client-key.pem');
  const ca = path.join(dir, 'ca-root-crt.pem');
  return cert && fs.existsSync(key) ? { cert, key, ca: fs.existsSync(ca) ? ca : undefined } : undefined;
}

/** Turns arguments (or, interactively, a few picks) into credentials for the mTLS client. */
export async function resolveCredentials(
  deps: CommandDeps,
  a: CredentialArgs,
  interactive: boolean,
): Promise<ResolvedCredentials> {
  let choice: 'args' | 'generated' | 'dialogflow' | 'files' | 'none' = a.asDialogflow
    ? 'dialogflow'
    : a.cert || a.pfx
      ? 'args'
      : 'none';
  const generated = generatedPair(deps);
  if (interactive && !a.cert && !a.pfx && !a.asDialogflow) {
    const items = [
      ...(generated
        ? [
            {
              label: `$(person) ${vscode.workspace.asRelativePath(generated.cert)}`,
              detail: 'The client certificate of your dev CA chain',
              id: 'generated' as const,
            },
          ]
        : []),
      {
        label: '$(shield) Send as Dialogflow',
        detail:
          "A throwaway chain shaped like Dialogflow's: test root → intermediate → CN=Google LLC (leaf + intermediate sent)",
        id: 'dialogflow' as const,
      },
      {
        label: '$(file) Choose certificate and key files…',
        detail: 'PEM certificate (+ key), or a PKCS#12 file',
        id: 'files' as const,
      },
      {
        label: '$(circle-slash) No client certificate',
        detail: 'See how the server treats a client without one',
        id: 'none' as const,
      },
    ];
    choice = orCancel(await vscode.window.showQuickPick(items, { title: 'Client certificate to present' })).id;
  }
  let cert = a.cert ? workspacePath(a.cert) : undefined;
  let key = a.key ? workspacePath(a.key) : undefined;
  let pfx = a.pfx ? workspacePath(a.pfx) : undefined;
  if (choice === 'generated' && generated) ({ cert, key } = generated);
  if (choice === 'files') {
    const file = await pickFile('Client certificate (PEM) or PKCS#12', {
      Certificates: ['pem', 'crt', 'cer', 'p12', 'pfx'],
    });
    if (/\.(p12|pfx)$/i.test(file)) pfx = file;
    else {
      cert = file;
      key = siblingKey(file) ?? (await pickFile(`Private key of ${path.basename(file)}`, undefined, file));
    }
  }
  if (cert && !key && !pfx) key = siblingKey(cert);
  const caFile = a.ca ? workspacePath(a.ca) : !a.insecure ? generated?.ca : undefined;
  const caPem = caFile ? await readText(caFile) : undefined;
  const keyPem = key ? await readText(key) : undefined;
  let passphrase = a.passphrase;
  if (passphrase === undefined && interactive && (pfx || (keyPem !== undefined && /ENCRYPTED/.test(keyPem)))) {
    passphrase = orCancel(
      await vscode.window.showInputBox({ title: `Passphrase of ${path.basename(pfx ?? key ?? '')}`, password: true }),
    );
  }
  if (choice === 'dialogflow') {
    const df = await dialogflowLikeClient();
    return {
      creds: { certPem: df.certPem, keyPem: df.keyPem, caPem, insecure: a.insecure },
      files: { caFile },
      description: 'throwaway Dialogflow-shaped chain (CN=Google LLC + intermediate)',
      dialogflowTestRoot: df.rootPem,
    };
  }
  const pfxBytes = pfx ? Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(pfx))) : undefined;
  return {
    creds: {
      certPem: cert ? await readText(cert) : undefined,
      keyPem,
      // Opened in the decoder's worker: their key derivation would hold up the extension host for as long as it runs.
      keyOpened:
        keyPem !== undefined && isEncryptedKeyPem(keyPem)
          ? await deps.decoder.openKeyPem(keyPem, passphrase)
          : undefined,
      pfx: pfxBytes,
      pfxOpened: pfxBytes ? await deps.decoder.openPkcs12(pfxBytes, passphrase) : undefined,
      passphrase,
      caPem,
      insecure: a.insecure,
    },
    files: { certFile: cert, keyFile: key, pfxFile: pfx, caFile },
    description: pfx
      ? vscode.workspace.asRelativePath(pfx)
      : cert
        ? vscode.workspace.asRelativePath(cert)
        : 'no client certificate',
  };
}
