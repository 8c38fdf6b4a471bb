import * as vscode from 'vscode';
import { notify } from '../../platform/notify';
import { buildKoreKit, koreCloudMessage } from '../../../core/kits';
import { InputError } from '../../../core/errors';
import { Commands } from '../../ids';
import type { CommandDeps } from '../deps';
import { isArgsWith, orCancel } from '../guard';
import type { GenerateResult } from '../shared/writeGenerated';
import { readText } from '../shared/workspace';
import { resolveKitInputs, writeKitAndShow, type KitArgs } from './kitInputs';

/** Argument object for mtls.createKoreKit. */
export interface KoreKitArgs extends KitArgs {
  /** Where the bot platform runs: the cloud brings its own certificate, so no kit is made. Default onPremises. */
  deployment?: 'onPremises' | 'cloud';
  /** The CA root, when caCert does not hold it. */
  caRoot?: string;
  /** Also write kore-client.p12; its passphrase is `p12Passphrase` or generated into a 0600 file. */
  p12?: boolean;
  p12Passphrase?: string;
}

export type KoreKitResult =
  | (GenerateResult & { readonly cloud: false; readonly instructions: string; readonly document?: string })
  | { readonly cloud: true; readonly message: string; readonly files: readonly string[] };

/** mTLS: Create Kore.ai Client Certificate Kit… — from the palette, on a CA in the Certificates view, or from the Kore.ai set-up. */
export async function createKoreKitCommand(deps: CommandDeps, target?: unknown): Promise<KoreKitResult> {
  const args =
    isArgsWith<KoreKitArgs>(target, 'caCert') || isArgsWith<KoreKitArgs>(target, 'deployment') ? target : undefined;
  const interactive = args === undefined;
  const a: Partial<KoreKitArgs> = args ?? {};
  const deployment =
    a.deployment ??
    (interactive
      ? orCancel(
          await vscode.window.showQuickPick(
            [
              {
                label: 'Installed (on-premises) bot platform',
                detail:
                  'It is configured with a client certificate: make the kit (key, certificate, CA root, intermediates)',
                id: 'onPremises' as const,
              },
              {
                label: "Kore.ai's cloud platform",
                detail: "Kore.ai supplies the client certificate: your server trusts Kore.ai's CA instead",
                id: 'cloud' as const,
              },
            ],
            { title: 'Where does your Kore.ai bot platform run?' },
          ),
        ).id
      : 'onPremises');
  if (deployment === 'cloud') {
    deps.log.info(`Kore.ai kit: not made — ${koreCloudMessage}`);
    if (interactive) {
      void notify('info', koreCloudMessage, 'Create Trust Bundle…').then((pick) => {
        if (pick) void vscode.commands.executeCommand(Commands.createTrustBundle);
      });
    }
    return { cloud: true, message: koreCloudMessage, files: [] };
  }
  if (!interactive && !a.caCert)
    throw new InputError('Pass caCert: the CA that issues the Kore.ai client certificate.');
  const inputs = await resolveKitInputs(deps, a, target, interactive, {
    cn: 'kore-bot-platform',
    folder: 'kore-kit',
    what: 'Kore.ai client certificate',
  });
  const p12 =
    a.p12 ??
    (interactive
      ? ((
          await vscode.window.showQuickPick(
            [
              { label: 'PEM files only', p12: false },
              {
                label: 'PEM files and a PKCS#12 (.p12)',
                detail: 'Its passphrase is generated into a 0600 file in the kit',
                p12: true,
              },
            ],
            { title: 'Kit format' },
          )
        )?.p12 ?? false)
      : false);
  const kit = await buildKoreKit({
    ...inputs,
    caRootPem: a.caRoot ? await readText(a.caRoot) : undefined,
    p12,
    p12Passphrase: a.p12Passphrase,
  });
  const result = await writeKitAndShow(deps, kit, inputs.folder, {
    interactive,
    overwrite: inputs.overwrite,
    gitignore: a.gitignore,
    open: a.open,
    docName: 'kore-client-kit',
    docText: kit.instructions,
  });
  return { ...result, cloud: false, instructions: kit.instructions };
}
