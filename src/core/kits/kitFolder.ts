/** What the client-certificate kits share: the kit folder rule, generated passphrases, the summary shape. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { InputError } from '../errors';
import type { OutputFile } from '../files';
import type { GeneratedCertificate, KeyType } from '../pki';

/** What every kit's client certificate is issued from and with; each kit adds its own options. */
export interface KitIssueOptions {
  caCertPem: string;
  caKeyPem: string;
  caKeyPassphrase?: string;
  cn?: string;
  org?: string;
  keyType?: KeyType;
  days?: number;
  kdfIterations?: number;
}

/** A kit: the files to write into its own folder, and what to tell the user afterwards. */
export interface Kit {
  readonly files: OutputFile[];
  readonly certificates: GeneratedCertificate[];
  /** Plain-text lines for the CLI and the VS Code result document (never a secret). */
  readonly instructions: string;
  /**
   * Files a kit of this kind may hold that this one does not (a PKCS#12 of an earlier run, say): when the kit
   * replaces an earlier one, they go, so no file of the old identity stays beside the new one.
   */
  readonly leftovers: readonly string[];
}

/**
 * A kit goes into a folder of its own: an existing folder that holds anything is refused unless
 * `force` (then only the kit's own files are replaced), so one kit never silently mixes with another.
 */
export async function checkKitFolder(dir: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    const st = await fs.lstat(dir);
    if (st.isSymbolicLink()) return; // writeFileSet refuses it with its own message
    if (!st.isDirectory())
      throw new InputError(`${dir} exists and is not a folder; nothing was written. Choose a new folder for the kit.`);
    entries = await fs.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (entries.length > 0 && !force) {
    throw new InputError(
      `The folder ${dir} already exists (${entries.length} item${entries.length === 1 ? '' : 's'}); nothing was written. Choose a new folder for the kit, or replace its files (CLI: --force).`,
    );
  }
}

/** The kit's leftovers present in `dir`, removed once the kit is written there; resolves to their paths. */
export async function removeLeftovers(dir: string, kit: Pick<Kit, 'leftovers'>): Promise<string[]> {
  const removed: string[] = [];
  for (const name of kit.leftovers) {
    const file = path.join(dir, name);
    try {
      await fs.unlink(file);
      removed.push(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return removed;
}

/** The names of a kit kind's files that a kit of that kind does not include. */
export function leftoversOf(kind: Readonly<Record<string, string>>, files: readonly OutputFile[]): string[] {
  return Object.values(kind).filter((name) => !files.some((f) => f.name === name));
}

/** A generated passphrase: 24 random bytes (192 bits) as 32 URL-safe characters, easy to paste anywhere. */
export function generatePassphrase(): string {
  return randomBytes(24).toString('base64url');
}
