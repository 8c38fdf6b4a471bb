import * as path from 'node:path';
import { generateClientFromCa } from '../../../core/pki';
import type { CommandDeps } from '../deps';
import { askText, keyPassphraseFor, resolveKeyType, sansArg, type LeafArgs } from './prompts';
import { caKeyNotFound, fileFromTarget, pickFile, siblingKey } from '../shared/pickFile';
import { readText, workspacePath, workspacePathOf } from '../shared/workspace';
import { writeGenerated, type GenerateResult } from '../shared/writeGenerated';
import { isArgsWith } from '../guard';

/** Argument object for mtls.generateClient. */
export interface GenerateClientArgs extends LeafArgs {
  caCert: string;
  caKey?: string;
  caKeyPassphrase?: string;
  cn?: string;
  folder?: string;
  namePrefix?: string;
}

/** mTLS: Generate Client Certificate from CA — from the palette, or on a CA in the Certificates view. */
export async function generateClientCommand(deps: CommandDeps, target?: unknown): Promise<GenerateResult> {
  const args = isArgsWith<GenerateClientArgs>(target, 'caCert') ? target : undefined;
  const interactive = args === undefined;
  const a: Partial<GenerateClientArgs> = args ?? {};
  const caCert = workspacePath(
    a.caCert ?? fileFromTarget(target) ?? (await pickFile('CA certificate that signs the client certificate')),
  );
  const caKey =
    workspacePathOf(a.caKey) ??
    siblingKey(caCert) ??
    (interactive ? await pickFile(`Private key of ${path.basename(caCert)}`, undefined, caCert) : undefined);
  if (!caKey) throw caKeyNotFound(caCert);
  const caKeyPem = await readText(caKey);
  const caKeyPassphrase = await keyPassphraseFor(caKeyPem, caKey, a.caKeyPassphrase, interactive);
  const cn =
    a.cn ??
    (interactive
      ? await askText(
          'Client certificate common name (CN)',
          'webhook-client',
          'Shown in the server log for each request',
        )
      : 'mtls-client');
  const keyType = await resolveKeyType(a.keyType, interactive, deps.settings.defaultKeyType);
  const namePrefix =
    a.namePrefix ?? (interactive ? cn.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+/, '') || 'client' : 'client');
  const set = await generateClientFromCa({
    caCertPem: await readText(caCert),
    caKeyPem,
    caKeyPassphrase,
    cn,
    keyType,
    namePrefix,
    sans: a.sans === undefined ? undefined : sansArg(a.sans),
    days: a.days ?? deps.settings.leafValidityDays,
    org: a.org,
    keyPassphrase: a.keyPassphrase,
    kdfIterations: a.kdfIterations ?? deps.settings.kdfIterations,
  });
  const folder = a.folder ? workspacePath(a.folder) : path.dirname(caCert);
  return writeGenerated(deps, folder, set.files, set.certificates, {
    interactive,
    overwrite: a.overwrite,
    gitignore: a.gitignore,
  });
}
