import * as vscode from 'vscode';
import { notify } from '../../platform/notify';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkKitFolder, removeLeftovers, type Kit, type KitIssueOptions } from '../../../core/kits';
import type { CommandDeps } from '../deps';
import { Cancelled } from '../guard';
import { caKeyNotFound, fileFromTarget, pickFile, siblingKey } from '../shared/pickFile';
import { askText, keyPassphraseFor, resolveKeyType } from '../generate/prompts';
import { readText, workspacePath, workspacePathOf } from '../shared/workspace';
import { writeGenerated, type GenerateResult } from '../shared/writeGenerated';

/** Argument-object fields both kit commands take. */
export interface KitArgs {
  /** The issuing CA certificate (PEM; intermediates and root may follow it). Required in an argument object. */
  caCert: string;
  caKey?: string;
  caKeyPassphrase?: string;
  cn?: string;
  org?: string;
  keyType?: string;
  days?: number;
  kdfIterations?: number;
  /** Kit folder (absolute or workspace-relative). */
  folder?: string;
  overwrite?: boolean;
  gitignore?: boolean;
  /** Open the result document (default true). */
  open?: boolean;
}

/** The CA key next to a CA file: x-crt.pem → x-key.pem, and ca-crt.pem (mtls chain's bundle) → ca-intermediate-key.pem. */
function caKeyNextTo(caCert: string): string | undefined {
  const bundleKey = path.join(path.dirname(caCert), 'ca-intermediate-key.pem');
  if (path.basename(caCert) === 'ca-crt.pem' && fs.existsSync(bundleKey)) return bundleKey;
  return siblingKey(caCert);
}

/** Resolves the CA, its key and passphrase, the CN, key type and the kit folder (checked), prompting only when interactive. */
export async function resolveKitInputs(
  deps: CommandDeps,
  a: Partial<KitArgs>,
  target: unknown,
  interactive: boolean,
  defaults: { cn: string; folder: string; what: string },
): Promise<KitIssueOptions & { folder: string; overwrite?: boolean; caCert: string }> {
  const caCert = workspacePath(
    a.caCert ?? fileFromTarget(target) ?? (await pickFile(`CA certificate that issues the ${defaults.what}`)),
  );
  const caKey =
    workspacePathOf(a.caKey) ??
    caKeyNextTo(caCert) ??
    (interactive ? await pickFile(`Private key of ${path.basename(caCert)}`, undefined, caCert) : undefined);
  if (!caKey) throw caKeyNotFound(caCert);
  const caKeyPem = await readText(caKey);
  const caKeyPassphrase = await keyPassphraseFor(caKeyPem, caKey, a.caKeyPassphrase, interactive);
  const cn =
    a.cn ??
    (interactive
      ? await askText(
          `Common name (CN) of the ${defaults.what}`,
          defaults.cn,
          'Shown in the webhook server log for each request',
        )
      : defaults.cn);
  const keyType = await resolveKeyType(a.keyType, interactive, 'rsa2048');
  const folder = a.folder ? workspacePath(a.folder) : path.join(path.dirname(caCert), defaults.folder);
  let overwrite = a.overwrite;
  try {
    await checkKitFolder(folder, overwrite === true);
  } catch (e) {
    if (!interactive || overwrite === false) throw e;
    const pick = await notify(
      'warning',
      `${folder} already exists. Replace the kit files in it?`,
      { modal: true, detail: 'Other files in the folder stay. Choose another folder to keep an existing kit.' },
      'Replace',
    );
    if (pick !== 'Replace') throw new Cancelled();
    overwrite = true;
  }
  return {
    folder,
    overwrite,
    caCert,
    caCertPem: await readText(caCert),
    caKeyPem,
    caKeyPassphrase,
    cn,
    org: a.org,
    keyType,
    days: a.days ?? deps.settings.leafValidityDays,
    kdfIterations: a.kdfIterations ?? deps.settings.kdfIterations,
  };
}

/** Writes a kit (the usual write path: links refused, all or nothing, keys 0600) and shows its instructions. */
export async function writeKitAndShow(
  deps: CommandDeps,
  kit: Kit,
  folder: string,
  o: {
    interactive: boolean;
    overwrite?: boolean;
    gitignore?: boolean;
    open?: boolean;
    docName: string;
    docText: string;
    language?: string;
  },
): Promise<GenerateResult & { document?: string }> {
  const result = await writeGenerated(deps, folder, kit.files, kit.certificates, {
    interactive: o.interactive,
    overwrite: o.overwrite,
    gitignore: o.gitignore,
  });
  const removed = await removeLeftovers(result.folder, kit);
  if (removed.length)
    deps.log.info(
      `Removed the earlier kit's ${removed.map((r) => path.basename(r)).join(', ')} from ${result.folder}: this kit has none.`,
    );
  let document: string | undefined;
  if (o.open !== false) {
    document = await deps.decodedDocs.show(o.docName, o.docText, { preview: false });
    if (o.language) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === document);
      if (doc) await vscode.languages.setTextDocumentLanguage(doc, o.language);
    }
  }
  return { ...result, document };
}
