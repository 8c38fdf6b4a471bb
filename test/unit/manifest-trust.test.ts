// The manifest's Restricted Mode promises, and that every setting it contributes is documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
/** The parts of the manifest these tests read. */
interface Manifest {
  capabilities: {
    untrustedWorkspaces: { supported: boolean | 'limited'; description: string; restrictedConfigurations: string[] };
  };
  contributes: {
    configuration: { properties: Record<string, { scope?: string }> };
    menus: Record<string, { command: string; when?: string }[]>;
    viewsWelcome: { contents: string; when?: string }[];
  };
}
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
/** Commands that run the workspace's server.mts (through mtls.server.nodePath or another Node). */
const RUNS_WORKSPACE_CODE = ['mtls.startServer', 'mtls.setupProject', 'mtls.changePortAndStart', 'mtls.checkReadiness'];

test('untrusted workspaces are declared "limited", with a description, and nodePath restricted', () => {
  const u = pkg.capabilities?.untrustedWorkspaces;
  assert.equal(u?.supported, 'limited');
  assert.match(u.description, /server/);
  assert.ok(u.description.length > 40);
  assert.deepEqual(u.restrictedConfigurations, ['mtls.server.nodePath']);
});

test('mtls.server.nodePath is machine-scoped: a workspace cannot choose the executable', () => {
  assert.equal(pkg.contributes.configuration.properties['mtls.server.nodePath'].scope, 'machine');
});

test('every menu entry and welcome link that starts the server is hidden in untrusted workspaces', () => {
  const trusted = (when: string | undefined) =>
    when === 'false' || /(^|&&\s*)isWorkspaceTrusted(\s*&&|$)/.test(when ?? '');
  const entries = Object.entries(pkg.contributes.menus as Record<string, { command: string; when?: string }[]>).flatMap(
    ([menu, items]) => items.map((i) => ({ menu, ...i })),
  );
  const starters = entries.filter((e) => RUNS_WORKSPACE_CODE.includes(e.command));
  assert.ok(starters.length >= 3, 'the manifest places the server commands in menus');
  assert.deepEqual(
    starters.filter((e) => !trusted(e.when)).map((e) => `${e.menu}: ${e.command} when ${e.when}`),
    [],
  );
  // Palette entries with no rule at all would show everywhere.
  const palette = new Set((pkg.contributes.menus.commandPalette as { command: string }[]).map((e) => e.command));
  assert.deepEqual(
    RUNS_WORKSPACE_CODE.filter((c) => !palette.has(c)),
    [],
  );
  const welcome = (pkg.contributes.viewsWelcome as { contents: string; when?: string }[]).filter((w) =>
    RUNS_WORKSPACE_CODE.some((c) => w.contents.includes(`command:${c}`)),
  );
  assert.ok(welcome.length > 0);
  assert.deepEqual(
    welcome.filter((w) => !trusted(w.when)).map((w) => w.when),
    [],
  );
});

test('every contributed setting is documented in the settings table of docs/vscode.md', () => {
  const page = fs.readFileSync(path.join(root, 'docs', 'vscode.md'), 'utf8');
  const missing = Object.keys(pkg.contributes.configuration.properties).filter((k) => !page.includes(`| \`${k}\` |`));
  assert.deepEqual(missing, []);
});
