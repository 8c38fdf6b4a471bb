// Error codes and what a user can do about each: the server's start-up failure codes (the machinery's own list,
// kept equal here), the preflight's, and every MtlsError code, each with one entry in its action table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isServerStartCode, preflightCodes, serverStartCodes, startActions } from '../../src/core/serverStartCodes';
import { PreflightError } from '../../src/core/scaffold/preflightError';
import { errorActionOf, errorActions, mtlsErrorCodes } from '../../src/core/errorCodes';
import { MtlsError } from '../../src/core/errors';

const root = path.resolve(__dirname, '../../..');
const serverDir = path.join(root, 'src/server');

/** Every code the machinery's fail() can write, read from its source (prefixes expanded with readFile's codes). */
function machineryCodes(): Set<string> {
  const codes = new Set<string>();
  for (const name of fs.readdirSync(serverDir).filter((n) => n.endsWith('.mts'))) {
    const source = fs.readFileSync(path.join(serverDir, name), 'utf8');
    const fileCodes = [...source.matchAll(/\breadFile\([^,]+,\s*'([A-Z]+)'/g)].map((m) => m[1]);
    for (const [, first] of source.matchAll(/\bfail\(\s*([^,]+),/g)) {
      // The codes a call can write: its literals, not those it compares with (name === 'PORT' ? 'BAD_PORT' : …).
      for (const [, literal] of first.replace(/[!=]==\s*'[^']*'/g, '').matchAll(/'([A-Z][A-Z0-9_]*)'/g)) {
        if (literal.endsWith('_') && /\+\s*code\b/.test(first)) fileCodes.forEach((c) => codes.add(literal + c));
        else codes.add(literal);
      }
    }
  }
  return codes;
}

test("every code of the server's failure lines is a start code, and every start code but the preflight's own is one", () => {
  const written = machineryCodes();
  assert.ok(
    written.has('ENOENT_KEY') && written.has('READ_CA') && written.has('PUBLIC_ROOT_UNPINNED'),
    [...written].join(' '),
  );
  assert.deepEqual(
    [...written].filter((c) => !isServerStartCode(c)),
    [],
  );
  assert.deepEqual(
    serverStartCodes.filter((c) => !written.has(c)),
    ['CERT_EXPIRED'],
  );
});

test('the start actions table has one entry per start code, and the preflight codes are start codes', () => {
  assert.deepEqual(Object.keys(startActions).sort(), [...serverStartCodes].sort());
  assert.deepEqual(
    preflightCodes.filter((c) => !isServerStartCode(c)),
    [],
  );
});

test('missing or unusable credentials offer generating them, the port another port, an encrypted key its passphrase', () => {
  const byAction = (action: string) => serverStartCodes.filter((c) => startActions[c] === action).sort();
  assert.deepEqual(byAction('generate-certificates'), [
    'BAD_CA',
    'BAD_CERT',
    'BAD_KEY',
    'CERT_EXPIRED',
    'ENOENT_CA',
    'ENOENT_CERT',
    'ENOENT_KEY',
    'KEY_MISMATCH',
  ]);
  assert.deepEqual(byAction('change-port'), ['EACCES', 'EADDRINUSE', 'EADDRNOTAVAIL']);
  assert.deepEqual(byAction('enter-passphrase'), ['BAD_PASSPHRASE']);
  // Settings and edge mistakes are fixed in server.mts or the environment: no button.
  for (const c of ['BAD_SETTING', 'EDGE_CONFIG', 'BAD_AUTH', 'PUBLIC_ROOT_UNPINNED', 'READ_KEY', 'LISTEN'] as const)
    assert.equal(startActions[c], 'none', c);
});

test("a code read from a server's output is narrowed: Node's other listen codes and unknown ones are not start codes", () => {
  assert.equal(isServerStartCode('EADDRINUSE'), true);
  for (const c of ['EINVAL', 'UNKNOWN', 'ENOENT', 'ENOENT_', 'BAD_CA_EXTRA', 'eaddrinuse', ''])
    assert.equal(isServerStartCode(c), false, c);
});

test('a preflight error carries the first problem in its code and message, and the count of the others', () => {
  const problem = (code: (typeof preflightCodes)[number], message: string) => ({ code, message, subject: 'x' });
  const one = new PreflightError([problem('EADDRINUSE', 'port 4433 is in use')], '/w/server.mts');
  assert.ok(one instanceof MtlsError);
  assert.equal(one.code, 'E_PREFLIGHT_EADDRINUSE');
  assert.equal(one.message, 'The server cannot start: port 4433 is in use');
  assert.equal(one.file, '/w/server.mts');
  const three = new PreflightError(
    [problem('ENOENT_KEY', 'no key'), problem('ENOENT_CERT', 'no cert'), problem('ENOENT_CA', 'no CA')],
    '/w/server.mts',
  );
  assert.equal(three.message, 'The server cannot start: no key (and 2 more problems, see the log)');
});

test('every MtlsError code has one action; no workspace opens a folder, existing files are revealed', () => {
  assert.deepEqual(Object.keys(errorActions).sort(), [...mtlsErrorCodes].sort());
  assert.equal(errorActionOf('E_NO_WORKSPACE'), 'open-folder');
  assert.equal(errorActionOf('E_EXISTS'), 'reveal-existing');
  assert.equal(errorActionOf('E_UNTRUSTED'), 'manage-workspace-trust');
  assert.equal(errorActionOf('E_INPUT'), 'none');
  // The families have no action of their own.
  for (const c of ['E_FS_ENOENT', 'E_SERVER_EADDRINUSE', 'E_PREFLIGHT_BAD_KEY'] as const)
    assert.equal(errorActionOf(c), 'none', c);
});

/** The text of every .ts file under `dir` (relative to the repository). */
function sourcesUnder(dir: string): string[] {
  return fs
    .readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? sourcesUnder(path.join(dir, e.name))
        : e.name.endsWith('.ts')
          ? [fs.readFileSync(path.join(root, dir, e.name), 'utf8')]
          : [],
    );
}

test('every listed MtlsError code is still thrown somewhere', () => {
  const sources = ['src/core', 'src/extension', 'src/cli']
    .flatMap(sourcesUnder)
    .filter((s) => !s.includes('export const mtlsErrorCodes'));
  assert.deepEqual(
    mtlsErrorCodes.filter((c) => !sources.some((s) => s.includes(`'${c}'`))),
    [],
  );
});
