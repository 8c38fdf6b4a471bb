import * as vscode from 'vscode';
import { notify } from '../../platform/notify';
import * as path from 'node:path';
import { dialogflowClientPin, dialogflowTrustBundle, importedTrustBundle, koreNotes } from '../../../core/pki';
import { InputError } from '../../../core/errors';
import type { CommandDeps } from '../deps';
import { orCancel } from '../guard';
import { outputFolder, readText } from '../shared/workspace';
import { writeGenerated, type GenerateResult } from '../shared/writeGenerated';

/** Argument object for mtls.createTrustBundle. */
export interface TrustBundleArgs {
  platform: 'dialogflow' | 'kore';
  /** Output file name (in `folder`), default ca-dialogflow.pem / ca-kore.pem. */
  out?: string;
  folder?: string;
  /** Kore.ai: PEM files with the platform's CA root and intermediate. */
  import?: string[];
  overwrite?: boolean;
}

export interface TrustBundleResult extends GenerateResult {
  readonly notes: readonly string[];
  readonly roots: readonly { name: string; sha256: string; purpose?: string }[];
  /** Dialogflow: the client identities server.mts must pin (MTLS_ALLOWED_CLIENTS) with this public root. */
  readonly allowedClients?: readonly string[];
}

/** mTLS: Create Platform Trust Bundle — the CA file a webhook server needs to verify the platform's client certificate. */
export async function createTrustBundleCommand(deps: CommandDeps, args?: TrustBundleArgs): Promise<TrustBundleResult> {
  const interactive = args === undefined;
  const platform =
    args?.platform ??
    orCancel(
      await vscode.window.showQuickPick(
        [
          {
            label: 'Dialogflow CX / ES',
            detail:
              'SSL.com root (current certificate) + GTS Root R1 (legacy, until 2026-12-01), from the offline root store',
            id: 'dialogflow' as const,
          },
          {
            label: 'Kore.ai',
            detail: "Import the platform's CA root and intermediate from files",
            id: 'kore' as const,
          },
        ],
        { title: 'Which platform calls your webhook?' },
      ),
    ).id;
  const folder = outputFolder(args?.folder, deps.settings.certificatesFolder);
  let pem: string;
  let notes: string[];
  let roots: { name: string; sha256: string; purpose?: string }[];
  if (platform === 'dialogflow') {
    const bundle = dialogflowTrustBundle();
    ({ pem, notes, roots } = bundle);
  } else {
    let files = args?.import;
    if (!files && interactive) {
      const pick = await notify('info', koreNotes.join(' '), { modal: true }, 'Import from File…');
      if (pick !== 'Import from File…')
        throw new InputError('No Kore.ai CA certificates imported; nothing was written.');
      const uris = orCancel(
        await vscode.window.showOpenDialog({
          title: 'Kore.ai CA root and intermediate (PEM)',
          canSelectMany: true,
          filters: { 'PEM certificates': ['pem', 'crt', 'cer'] },
        }),
      );
      files = uris.map((u) => u.fsPath);
    }
    if (!files || files.length === 0) throw new InputError(koreNotes.join(' '));
    const bundle = importedTrustBundle(
      await Promise.all(files.map(async (f) => ({ name: path.basename(f), pem: await readText(f) }))),
    );
    pem = bundle.pem;
    notes = [...koreNotes, ...bundle.notes];
    roots = bundle.certificates.map((c) => ({ name: c.subject, sha256: c.sha256 }));
  }
  const name = args?.out ?? (platform === 'dialogflow' ? 'ca-dialogflow.pem' : 'ca-kore.pem');
  for (const n of notes) deps.log.info(`trust bundle: ${n}`);
  const pin = platform === 'dialogflow' ? dialogflowClientPin() : undefined;
  if (pin) deps.log.info(`trust bundle: ${pin.note} Set ${pin.env} (or allowedClients in server.mts).`);
  const result = await writeGenerated(deps, folder, [{ name, contents: pem }], [], {
    interactive,
    overwrite: args?.overwrite,
    gitignore: false,
  });
  if (pin && interactive) {
    // don't wait: the bundle is written; this only shows the pin the server will insist on
    void notify(
      'info',
      `Pin the client identity with this public root: ${pin.env} (or allowedClients in server.mts). server.mts refuses to start without it.`,
      'Copy',
    ).then(async (pick) => {
      if (pick === 'Copy') await vscode.env.clipboard.writeText(pin.env);
    });
  }
  return { ...result, notes, roots, ...(pin ? { allowedClients: pin.allowedClients } : {}) };
}
