// `npm test`, `npm run demo` and every other npm script run with npm's own settings in the environment:
// npm exports each setting it resolved as npm_config_* (user_agent naming its Node, nodedir, prefix,
// node_gyp, …) plus npm_execpath, npm_node_execpath, npm_package_*, npm_lifecycle_*, INIT_CWD and NODE.
// A nested `npm install` reads npm_config_* back as its own settings, so it would describe the outer run,
// not itself: code-server's postinstall reads the Node version from npm_config_user_agent and refuses to
// build for "node v20" while Node 24 runs it. Children that install or run another Node build get the
// environment without those leftovers (scripts/setup-e2e.sh does the same in bash, with the same list).
import * as path from 'node:path';

/**
 * npm settings that describe this machine and its network rather than the npm run that started us, so a
 * nested npm should use them too: where the package cache is (reused, not refilled), which registry or
 * mirror to ask, the user's .npmrc (auth tokens and scoped registries live there), the CA bundle of a
 * TLS-inspecting proxy, and the proxy itself.
 */
export const keptNpmSettings: readonly string[] = [
  'npm_config_cache',
  'npm_config_registry',
  'npm_config_userconfig',
  'npm_config_cafile',
  'npm_config_ca',
  'npm_config_strict_ssl',
  'npm_config_proxy',
  'npm_config_https_proxy',
  'npm_config_noproxy',
];

/** A scoped registry (`npm_config_@acme:registry`): npm never exports one, so the user set it. */
const scopedRegistry = /^npm_config_@[^:]+:registry$/;

/** Leftovers that are not npm_*: the folder `npm run` started in, and the Node that ran npm. */
const otherLeftovers = ['INIT_CWD', 'NODE'];

/** Whether `name` is a variable an npm run left behind (and not one of the kept settings). */
export function isNpmRunLeftover(name: string): boolean {
  if (otherLeftovers.includes(name)) return true;
  // Lower case only: NPM_TOKEN and the like are the user's own (an .npmrc may read them), never npm's exports.
  if (!name.startsWith('npm_')) return false;
  return !keptNpmSettings.includes(name) && !scopedRegistry.test(name);
}

/**
 * `env` without what an npm run leaves in its children's environment (see above), for a child that installs
 * or runs another Node build. PATH loses npm's node-gyp shim folder, which needs the npm_config_node_gyp it
 * no longer has (a nested npm puts its own first).
 */
export function cleanEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !isNpmRunLeftover(name)) out[name] = value;
  }
  const dirs = out['PATH']?.split(path.delimiter);
  if (dirs !== undefined)
    out['PATH'] = dirs.filter((dir) => path.basename(dir) !== 'node-gyp-bin').join(path.delimiter);
  return out;
}
