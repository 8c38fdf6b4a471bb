import * as path from 'node:path';
import { pathExists } from '../../../core/localProbes';
import { buildPkcs12 } from '../../../core/pki';
import type { CommandDeps } from '../deps';
import { askNewPassphrase, keyPassphraseFor } from './prompts';
import { fileFromTarget, pickFile, siblingKey } from '../shared/pickFile';
import { readText, workspacePath, workspacePathOf } from '../shared/workspace';
import { writeGenerated, type GenerateResult } from '../shared/writeGenerated';
import { isArgsWith } from '../guard';

/** Argument object for mtls.exportPkcs12. The passphrase is required here (no prompt). */
export interface ExportPkcs12Args {
  cert: string;
  key?: string;
  keyPassphrase?: string;
  chain?: string;
  out?: string;
  passphrase: string;
  friendlyName?: string;
  overwrite?: boolean;
  /** PBKDF2 and MAC iterations (default: setting mtls.kdfIterations). */
  kdfIterations?: number;
}

/** mTLS: Export PKCS#12 — certificate + key (+ chain) into a .p12 that OpenSSL 3 and Node's `pfx` load. */
export async function exportPkcs12Command(deps: CommandDeps, target?: unknown): Promise<GenerateResult> {
  const args = isArgsWith<ExportPkcs12Args>(target, 'cert') ? target : undefined;
  const interactive = args === undefined;
  const a: Partial<ExportPkcs12Args> = args ?? {};
  const cert = workspacePath(a.cert ?? fileFromTarget(target) ?? (await pickFile('Certificate to export')));
  const key =
    workspacePathOf(a.key) ??
    siblingKey(cert) ??
    (await pickFile(`Private key of ${path.basename(cert)}`, undefined, cert));
  const keyPem = await readText(key);
  const keyPassphrase = await keyPassphraseFor(keyPem, key, a.keyPassphrase, interactive);
  const fullchain = cert.replace(/-crt\.pem$/, '-fullchain.pem');
  const chain =
    workspacePathOf(a.chain) ?? (fullchain !== cert && (await pathExists(fullchain)) ? fullchain : undefined);
  const passphrase = a.passphrase ?? (await askNewPassphrase('Passphrase that protects the .p12'));
  const out = workspacePathOf(a.out) ?? cert.replace(/(-crt|-fullchain)?\.(pem|crt|cer)$/, '') + '.p12';
  const p12 = await buildPkcs12({
    certPem: await readText(cert),
    keyPem,
    keyPassphrase,
    chainPem: chain ? await readText(chain) : undefined,
    passphrase,
    friendlyName: a.friendlyName ?? path.basename(out, '.p12'),
    iterations: a.kdfIterations ?? deps.settings.kdfIterations,
  });
  return writeGenerated(deps, path.dirname(out), [{ name: path.basename(out), contents: p12, secret: true }], [], {
    interactive,
    overwrite: a.overwrite,
    gitignore: false,
  });
}
