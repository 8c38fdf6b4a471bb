import * as fs from 'node:fs';
import * as path from 'node:path';

/** The package that gives server.mts and mtls-server/ their Node types in the editor (running it needs nothing). */
export const nodeTypesPackage = '@types/node';

/** A command to show and run: `display` is what the user sees in the terminal. */
export interface NodeTypesInstall {
  readonly command: string;
  readonly args: string[];
  readonly display: string;
  /** Spawn through a shell (npm is npm.cmd on Windows). */
  readonly shell: boolean;
}

/**
 * The npm command that adds @types/node (or `spec`, e.g. a local tarball) as a dev dependency. npm writes
 * only "devDependencies" (and creates a package.json without "type" when there is none), so how Node runs
 * server.mts does not change (a .mts file is an ES module whatever package.json says).
 */
export function nodeTypesInstall(
  spec: string = nodeTypesPackage,
  platform: NodeJS.Platform = process.platform,
): NodeTypesInstall {
  const args = ['install', '--save-dev', '--no-audit', '--no-fund', spec];
  const win = platform === 'win32';
  return { command: win ? 'npm.cmd' : 'npm', args, display: `npm install --save-dev ${spec}`, shell: win };
}

/** Whether TypeScript in `folder` already finds @types/node (node_modules/@types/node here or in a parent). */
export function hasNodeTypes(folder: string): boolean {
  for (let dir = path.resolve(folder); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'node_modules', '@types', 'node', 'package.json'))) return true;
    if (path.dirname(dir) === dir) return false;
  }
}
