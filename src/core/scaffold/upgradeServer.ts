// Upgrading a scaffolded server. A single-file server.ts (templates 1–4) is converted to server.mts +
// mtls-server/ (migrateServer.ts). A server.mts beside an mtls-server/ folder keeps server.mts untouched: the
// folder is checked against its manifest (each file's SHA-256) and replaced whole by the current machinery,
// the old folder kept as a backup. Whatever cannot be vouched for is refused, changing nothing.
import { promises as fs, constants as fsc } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { MtlsError } from '../errors';
import { shellQuote } from '../shellQuote';
import { FilesExistError, pathExists as exists, writeFileSet } from '../files';
import { fileDigest, machineryFiles, machineryFolder, manifestName } from './machineryFiles';
import { planMigration, type MigrationFolder } from './migrateServer';
import { machinerySet, scaffoldObstacles, serverFileName, tsconfigName } from './scaffoldServer';
import { readServerFile } from './serverFile';
import { changesSince, templateVersion } from './template/changelog';
import { unifiedDiff } from './unifiedDiff';
import { UpgradeRefusedError, type MachineryChange, type UpgradePlan } from './upgradePlan';

export { templateVersionOf } from './legacyServer';
export { UpgradeRefusedError, type MachineryChange, type UpgradePlan } from './upgradePlan';

/** Plans the conversion of a single-file server.ts text (pure: reads and writes nothing). Throws UpgradeRefusedError. */
export function planUpgrade(text: string, file = 'server.ts', folder: MigrationFolder = {}): UpgradePlan {
  return planMigration(text, file, folder);
}

/** The machinery folder as found: the version its manifest records and each file's text. */
interface MachineryOnDisk {
  readonly version: number;
  readonly files: ReadonlyMap<string, string>;
  /** No folder at all: the current machinery is written fresh (nothing to keep, nothing to vouch for). */
  readonly absent?: boolean;
}

/** Reads and verifies `dir`/mtls-server against its manifest; refuses an edited, missing or extra file. */
async function readMachineryFolder(dir: string, file: string): Promise<MachineryOnDisk> {
  const refuse = (reason: string): never => {
    throw new UpgradeRefusedError(file, reason);
  };
  const folder = path.join(dir, machineryFolder);
  const st = await fs.lstat(folder).catch(() => undefined);
  if (st === undefined) return { version: 0, files: new Map(), absent: true };
  if (!st.isDirectory()) return refuse(`${folder} is not a folder`);
  let manifest: unknown;
  try {
    manifest = JSON.parse(await fs.readFile(path.join(folder, manifestName), 'utf8'));
  } catch (e) {
    return refuse(
      `${machineryFolder}/${manifestName} is missing or not JSON (${(e as Error).message}), so its files cannot be vouched for`,
    );
  }
  const m = manifest as { template?: unknown; files?: unknown };
  const recorded = m.files as Record<string, unknown> | undefined;
  if (
    typeof m.template !== 'number' ||
    !Number.isInteger(m.template) ||
    typeof recorded !== 'object' ||
    recorded === null ||
    Object.values(recorded).some((h) => typeof h !== 'string')
  ) {
    return refuse(
      `${machineryFolder}/${manifestName} does not have the template number and the files' SHA-256 that mtls scaffold writes`,
    );
  }
  const version = m.template;
  if (version > templateVersion)
    return refuse(
      `its machinery is template ${version}, newer than this mTLS Workbench writes (${templateVersion}): update mTLS Workbench first`,
    );
  const entries = await fs.readdir(folder, { withFileTypes: true });
  const added = entries
    .filter((e) => e.name !== manifestName && (!e.isFile() || !Object.hasOwn(recorded, e.name)))
    .map((e) => e.name);
  const missing: string[] = [];
  const edited: string[] = [];
  const files = new Map<string, string>();
  for (const [name, digest] of Object.entries(recorded)) {
    // Only a file of the folder itself: a manifest name such as '../x' is missing, never read.
    const bytes = entries.some((e) => e.name === name && e.isFile())
      ? await fs.readFile(path.join(folder, name)).catch(() => undefined)
      : undefined;
    if (bytes === undefined) {
      missing.push(name);
      continue;
    }
    const text = bytes.toString('utf8');
    // A checkout with Windows line endings (git's autocrlf) is not an edit.
    if (fileDigest(bytes) !== digest && fileDigest(text.replace(/\r\n/g, '\n')) !== digest) edited.push(name);
    files.set(name, text.replace(/\r\n/g, '\n'));
  }
  if (edited.length + missing.length + added.length > 0) {
    const what = [
      edited.length ? `edited: ${edited.join(', ')}` : '',
      missing.length ? `missing: ${missing.join(', ')}` : '',
      added.length ? `not ours: ${added.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    const aside = path.join(dir, `${machineryFolder}.edited`);
    return refuse(
      `files of ${machineryFolder}/ differ from what mtls scaffold wrote (${what}). Your code belongs in ${serverFileName}; restore those files (${manifestName} has their SHA-256), or move the folder aside (mv ${shellQuote(folder)} ${shellQuote(aside)}) and run the upgrade again: a missing ${machineryFolder}/ is written fresh, and ${serverFileName} is never touched`,
    );
  }
  return { version, files };
}

/** A timestamp usable in a file name (UTC, no colons). */
const stamp = (d = new Date()): string =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/** Plans replacing `dir`/mtls-server with the current machinery; the user's file (`file`) is never touched. */
async function planMachineryUpgrade(
  dir: string,
  file = path.join(path.resolve(dir), serverFileName),
): Promise<UpgradePlan> {
  dir = path.resolve(dir);
  const old = await readMachineryFolder(dir, file);
  const next = machineryFiles();
  const machinery: MachineryChange[] = [];
  for (const f of next) {
    const before = old.files.get(f.name);
    if (before === undefined) machinery.push({ name: f.name, change: 'added', newText: f.contents });
    else if (before !== f.contents)
      machinery.push({ name: f.name, change: 'changed', oldText: before, newText: f.contents });
  }
  for (const [name, text] of old.files)
    if (!next.some((f) => f.name === name)) machinery.push({ name, change: 'removed', oldText: text });
  const upToDate = machinery.length === 0 && old.version === templateVersion;
  const sameVersion = old.version === templateVersion;
  return {
    kind: 'machinery',
    file,
    dir,
    fromVersion: old.version,
    toVersion: templateVersion,
    platforms: [],
    upToDate,
    oldText: '',
    newText: '',
    changes: old.absent
      ? [`${machineryFolder}/ is missing: the current machinery (template ${templateVersion}) is written`]
      : upToDate
        ? []
        : sameVersion
          ? [
              `files of ${machineryFolder}/ changed within template ${old.version}: ${machinery.map((c) => c.name).join(', ')}`,
            ]
          : changesSince(old.version),
    files: machinerySet(next),
    machinery,
    notes: [],
    backup: path.join(
      dir,
      sameVersion ? `${machineryFolder}.bak-v${old.version}-${stamp()}` : `${machineryFolder}.bak-v${old.version}`,
    ),
  };
}

/** A server.mts imports the machinery folder; a single-file server.ts imports nothing from it. */
const importsMachinery = /^import[^;]*from\s+['"]\.\/mtls-server\//m;

/**
 * Plans the upgrade of what `target` names: a server.mts, the mtls-server/ folder, or a folder holding either
 * (the machinery is replaced), or a single-file server.ts (converted). Reads, writes nothing.
 */
export async function planUpgradeFile(target: string): Promise<UpgradePlan> {
  const abs = path.resolve(target);
  const st = await fs.stat(abs).catch(() => undefined);
  if (st?.isDirectory()) {
    if (path.basename(abs) === machineryFolder) return planMachineryUpgrade(path.dirname(abs));
    if ((await exists(path.join(abs, serverFileName))) || (await exists(path.join(abs, machineryFolder))))
      return planMachineryUpgrade(abs);
    if (await exists(path.join(abs, 'server.ts'))) return planUpgradeFile(path.join(abs, 'server.ts'));
    throw new MtlsError(
      'ENOENT_SERVER',
      `no ${serverFileName} (or single-file server.ts) in ${abs}: create one with mtls scaffold --out ${shellQuote(abs)}`,
    );
  }
  const { text } = await readServerFile(abs);
  const dir = path.dirname(abs);
  if (importsMachinery.test(text) || path.basename(abs) === serverFileName) return planMachineryUpgrade(dir, abs);
  const plan = planMigration(text, abs, { tsconfigExists: await exists(path.join(dir, tsconfigName)) });
  const { existing } = await scaffoldObstacles(dir);
  if (existing.length > 0) {
    throw new UpgradeRefusedError(
      abs,
      `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''} (converted before?): to update the machinery run mtls scaffold --upgrade ${path.join(dir, serverFileName)}; to convert this file again, move ${existing.length === 1 ? 'it' : 'them'} away first`,
    );
  }
  return plan;
}

/** The plan as a unified diff: old server.ts → server.mts, or each machinery file old → new. */
export function upgradeDiff(plan: UpgradePlan): string {
  if (plan.kind === 'migrate') {
    return unifiedDiff(
      plan.oldText.replace(/\r\n/g, '\n'),
      plan.newText.replace(/\r\n/g, '\n'),
      `${path.basename(plan.file)} (template ${plan.fromVersion})`,
      `${serverFileName} (template ${plan.toVersion})`,
    );
  }
  return plan.machinery
    .map((c) =>
      unifiedDiff(
        c.oldText ?? '',
        c.newText ?? '',
        `${machineryFolder}/${c.name} (template ${plan.fromVersion})`,
        `${machineryFolder}/${c.name} (template ${plan.toVersion})`,
      ),
    )
    .join('');
}

/** The result of applying an upgrade. */
export interface UpgradeResult {
  readonly plan: UpgradePlan;
  /** Where the old file or folder was kept (undefined when nothing was written). */
  readonly backup?: string;
  /** Every file written (absolute). */
  readonly written: readonly string[];
}

/** `base`, else `base-2`, `base-3`…: the first name nothing has. */
async function freeName(base: string, taken: (p: string) => Promise<boolean>): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await taken(candidate))) return candidate;
  }
}

/** Keeps `file` under a free name from `base` on, never replacing anything; returns the name. */
async function keepCopy(file: string, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    try {
      // A hard link is the old file itself under its new name; where links are not possible, a copy.
      await fs.link(file, candidate).catch(async (e: NodeJS.ErrnoException) => {
        if (e.code === 'EEXIST') throw e;
        await fs.copyFile(file, candidate, fsc.COPYFILE_EXCL);
      });
      return candidate;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new MtlsError(
          'E_WRITE',
          `cannot keep the old file as ${candidate}: ${(e as Error).message}. Nothing was changed.`,
          { cause: e },
        );
    }
  }
}

async function applyMigration(plan: UpgradePlan): Promise<UpgradeResult> {
  const current = await fs.readFile(plan.file, 'utf8').catch(() => undefined);
  if (current !== plan.oldText)
    throw new UpgradeRefusedError(plan.file, 'it changed since the upgrade was prepared; run the upgrade again');
  const { existing } = await scaffoldObstacles(plan.dir);
  if (existing.length > 0)
    throw new UpgradeRefusedError(plan.file, `${existing.join(' and ')} appeared since the upgrade was prepared`);
  const backup = await keepCopy(plan.file, plan.backup);
  let written: readonly string[];
  try {
    ({ written } = await writeFileSet(plan.dir, plan.files, { overwrite: false }));
  } catch (e) {
    await fs.rm(backup, { force: true });
    if (e instanceof FilesExistError)
      throw new UpgradeRefusedError(plan.file, `${e.existing.join(', ')} appeared since the upgrade was prepared`);
    throw e;
  }
  // The old file now lives on as the backup only.
  await fs.rm(plan.file);
  return { plan, backup, written };
}

async function applyMachinery(plan: UpgradePlan): Promise<UpgradeResult> {
  // Checked again: a file edited since the plan was made is refused like any edited file.
  const now = await readMachineryFolder(plan.dir, plan.file);
  if (now.version !== plan.fromVersion)
    throw new UpgradeRefusedError(
      plan.file,
      'its machinery changed since the upgrade was prepared; run the upgrade again',
    );
  const folder = path.join(plan.dir, machineryFolder);
  const staging = path.join(plan.dir, `.${machineryFolder}.${randomBytes(6).toString('hex')}.new`);
  const prefix = `${machineryFolder}/`;
  const { written } = await writeFileSet(
    staging,
    plan.files.map((f) => ({ ...f, name: f.name.slice(prefix.length) })),
    { overwrite: false },
  );
  if (now.absent) {
    try {
      await fs.rename(staging, folder);
    } catch (e) {
      await fs.rm(staging, { recursive: true, force: true });
      throw new MtlsError(
        'E_WRITE',
        `cannot put ${machineryFolder}/ in place: ${(e as Error).message}. Nothing was changed.`,
        { cause: e },
      );
    }
    return { plan, written: written.map((w) => path.join(folder, path.relative(staging, w))) };
  }
  const backup = await freeName(plan.backup, exists);
  try {
    await fs.rename(folder, backup);
  } catch (e) {
    await fs.rm(staging, { recursive: true, force: true });
    throw new MtlsError(
      'E_WRITE',
      `cannot move ${folder} to ${backup}: ${(e as Error).message}. Nothing was changed.`,
      { cause: e },
    );
  }
  try {
    await fs.rename(staging, folder);
  } catch (e) {
    await fs.rename(backup, folder).catch(() => undefined);
    await fs.rm(staging, { recursive: true, force: true });
    throw new MtlsError(
      'E_WRITE',
      `cannot put the new ${machineryFolder}/ in place: ${(e as Error).message}. The old folder was put back; nothing was changed.`,
      { cause: e },
    );
  }
  return { plan, backup, written: written.map((w) => path.join(folder, path.relative(staging, w))) };
}

/**
 * Carries out a plan: 'migrate' keeps the old server.ts as server.ts.bak-v<N> and writes server.mts, the
 * machinery and (when absent) tsconfig.json; 'machinery' moves mtls-server/ to its backup and puts the
 * current one in its place. Refuses when what the plan was made from changed since.
 */
export async function applyUpgrade(plan: UpgradePlan): Promise<UpgradeResult> {
  if (plan.upToDate) return { plan, written: [] };
  return plan.kind === 'migrate' ? applyMigration(plan) : applyMachinery(plan);
}
