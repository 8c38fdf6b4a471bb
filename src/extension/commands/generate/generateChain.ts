import * as vscode from 'vscode';
import { generateChain } from '../../../core/pki';
import type { CommandDeps } from '../deps';
import { askKeyEncryption, askSans, resolveKeyType, sansArg } from './prompts';
import { outputFolder } from '../shared/workspace';
import { writeGenerated, type GenerateResult } from '../shared/writeGenerated';

/** Argument object for mtls.generateChain (every field optional; any object skips the prompts). */
export interface GenerateChainArgs {
  folder?: string;
  keyType?: string;
  org?: string;
  caDays?: number;
  days?: number;
  serverCn?: string;
  serverSans?: string | string[];
  clientCn?: string;
  keyPassphrase?: string;
  kdfIterations?: number;
  overwrite?: boolean;
  gitignore?: boolean;
}

/** mTLS: Generate CA Chain — root → intermediate → server and client leaves, into the certificates folder. */
export async function generateChainCommand(deps: CommandDeps, args?: GenerateChainArgs): Promise<GenerateResult> {
  const interactive = args === undefined;
  const a: GenerateChainArgs = args ?? {};
  const folder = outputFolder(a.folder, deps.settings.certificatesFolder);
  const keyType = await resolveKeyType(a.keyType, interactive, deps.settings.defaultKeyType);
  const sans =
    a.serverSans !== undefined
      ? sansArg(a.serverSans)
      : interactive
        ? await askSans('Server certificate names (SAN)', 'DNS:localhost, IP:127.0.0.1, IP:::1')
        : undefined;
  const keyPassphrase = a.keyPassphrase ?? (interactive ? await askKeyEncryption() : undefined);
  const set = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'mTLS: generating CA chain…' },
    () =>
      generateChain({
        keyType,
        org: a.org,
        caDays: a.caDays ?? deps.settings.caValidityDays,
        keyPassphrase,
        kdfIterations: a.kdfIterations ?? deps.settings.kdfIterations,
        server: { cn: a.serverCn, sans, days: a.days ?? deps.settings.leafValidityDays },
        client: { cn: a.clientCn, days: a.days ?? deps.settings.leafValidityDays },
      }),
  );
  return writeGenerated(deps, folder, set.files, set.certificates, {
    interactive,
    overwrite: a.overwrite,
    gitignore: a.gitignore,
  });
}
