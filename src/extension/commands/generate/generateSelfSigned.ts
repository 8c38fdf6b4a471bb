import * as vscode from 'vscode';
import { generateSelfSigned } from '../../../core/pki';
import type { CommandDeps } from '../deps';
import { askKeyEncryption, askSans, askText, resolveKeyType, sansArg, type LeafArgs } from './prompts';
import { outputFolder } from '../shared/workspace';
import { writeGenerated, type GenerateResult } from '../shared/writeGenerated';

/** Argument object for mtls.generateSelfSigned. */
export interface GenerateSelfSignedArgs extends LeafArgs {
  folder?: string;
  cn?: string;
}

/** mTLS: Generate Self-Signed Server Certificate — server-key.pem + server-crt.pem. */
export async function generateSelfSignedCommand(
  deps: CommandDeps,
  args?: GenerateSelfSignedArgs,
): Promise<GenerateResult> {
  const interactive = args === undefined;
  const a: GenerateSelfSignedArgs = args ?? {};
  const folder = outputFolder(a.folder, deps.settings.certificatesFolder);
  const keyType = await resolveKeyType(a.keyType, interactive, deps.settings.defaultKeyType);
  const cn = a.cn ?? (interactive ? await askText('Common name (CN)', 'localhost') : undefined);
  const sans =
    a.sans !== undefined
      ? sansArg(a.sans)
      : interactive
        ? await askSans('Server certificate names (SAN)', 'DNS:localhost, IP:127.0.0.1, IP:::1')
        : undefined;
  const keyPassphrase = a.keyPassphrase ?? (interactive ? await askKeyEncryption() : undefined);
  const set = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'mTLS: generating self-signed certificate…' },
    () =>
      generateSelfSigned({
        keyType,
        cn,
        sans,
        org: a.org,
        days: a.days ?? deps.settings.leafValidityDays,
        keyPassphrase,
        kdfIterations: a.kdfIterations ?? deps.settings.kdfIterations,
      }),
  );
  return writeGenerated(deps, folder, set.files, set.certificates, {
    interactive,
    overwrite: a.overwrite,
    gitignore: a.gitignore,
  });
}
