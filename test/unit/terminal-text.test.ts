// Certificates whose names carry terminal escape sequences (clear screen, window title, OSC 8 links, OSC 52
// clipboard), C1 controls and a right-to-left override, made by openssl: served by a real server on 127.0.0.1 to
// `mtls send` and `mtls check --url`, and decoded from a file by `mtls decode`, each the built CLI as a child
// process. Nothing of them may reach the terminal raw; each shows as a visible escape.
import { after, before, describe, it, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { der } from '../../src/core/asn1/der';
import { terminalText, terminalValue, terminalValues } from '../../src/core/terminalText';
import { scaffoldServer } from '../../src/core/scaffold/index';
import { ecKey, makeCertificate, pemOf } from '../hostile/inputs';
import { httpsServer, makeChain, tempDir, writeChain, type Running } from './support/http';
import { ensureBuilt, repoRoot } from './support/scaffold';

ensureBuilt();

const ESC = '\x1b';
const BEL = '\x07';
const RLO = '\u202e';
const CSI8 = '\u009b'; // the one-byte C1 form of ESC [
/** Every character that must never reach the terminal raw (tab and newline are the only controls allowed). */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

test('terminalText keeps lines and tabs and shows every other control and bidi character as an escape', () => {
  assert.equal(
    terminalText(`a\tb\nc${ESC}[2J${BEL}\r${CSI8}31m\x7f${RLO}gnp.exe\u2066\u200f`),
    'a\tb\nc\\x1b[2J\\x07\\x0d\\u009b31m\\u007f\\u202egnp.exe\\u2066\\u200f',
  );
  assert.equal(terminalText('plain text, é and ✔ stay'), 'plain text, é and ✔ stay');
});

test('terminalValue also escapes newlines, so one value cannot forge a line of the report', () => {
  assert.equal(terminalValue('DNS:a\nFAILED: forged\tline'), 'DNS:a\\x0aFAILED: forged\\x09line');
});

test("terminalValues escapes every string of a report's data and keeps dates and buffers", () => {
  const when = new Date(0);
  const bytes = Buffer.from('x');
  const out = terminalValues({ a: [`x${ESC}`, { b: `y\n${RLO}` }], when, bytes, n: 1, none: null });
  assert.deepEqual(out, { a: ['x\\x1b', { b: 'y\\x0a\\u202e' }], when, bytes, n: 1, none: null });
  assert.equal(out.when, when);
  assert.equal(out.bytes, bytes);
});

test('JSON with escaped values stays JSON and reads back the raw values', () => {
  const data = { s: `a${ESC}]52;c;aGk=${BEL}${CSI8}${RLO}\x7f` };
  assert.deepEqual(JSON.parse(terminalText(JSON.stringify(data))), data);
});

/** The built CLI as a child process. */
function run(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    }),
  );
}

function assertNothingRaw(r: { stdout: string; stderr: string }): void {
  for (const [name, text] of [
    ['stdout', r.stdout],
    ['stderr', r.stderr],
  ] as const) {
    const m = RAW.exec(text);
    assert.equal(
      m,
      null,
      `${name} holds U+${m?.[0].charCodeAt(0).toString(16).padStart(4, '0')} raw near: ${JSON.stringify(text.slice(Math.max(0, (m?.index ?? 0) - 40), (m?.index ?? 0) + 40))}`,
    );
  }
}

describe('hostile names on the terminal', () => {
  let dir: string;
  let server: Running;
  let body = '';

  before(async () => {
    dir = tempDir('terminal');
    // openssl writes the values as given: UTF8String names, IA5String SANs and URIs (no backslashes, which its
    // configuration parser would read as escapes; OSC sequences end with BEL).
    writeFileSync(
      path.join(dir, 'evil.cnf'),
      [
        '[req]',
        'distinguished_name = dn',
        'prompt = no',
        'utf8 = yes',
        'string_mask = utf8only',
        '[dn]',
        `CN = evil${ESC}[2J${ESC}]0;pwned${BEL}${RLO}gnp.exe`,
        `O = Org${ESC}]52;c;ZWNobyBoaQ==${BEL}${CSI8}31m`,
        '[ext]',
        `subjectAltName = DNS:localhost,IP:127.0.0.1,DNS:a${ESC}[31mred.example,URI:http://x.example/${ESC}]8;;http://evil.example/${BEL}link`,
        `authorityInfoAccess = caIssuers;URI:http://aia.example/${ESC}[2Jca.crt`,
        `crlDistributionPoints = URI:http://crl.example/${ESC}[H${ESC}]52;c;aGk=${BEL}.crl`,
        'basicConstraints = CA:FALSE',
        'extendedKeyUsage = serverAuth',
      ].join('\n') + '\n',
    );
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'evil-key.pem',
        '-out',
        'evil-crt.pem',
        '-days',
        '30',
        '-config',
        'evil.cnf',
        '-extensions',
        'ext',
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    // The values are really in the certificate (openssl prints ESC in SANs as it is).
    assert.ok(
      execFileSync('openssl', ['x509', '-in', 'evil-crt.pem', '-noout', '-ext', 'subjectAltName'], {
        cwd: dir,
        encoding: 'utf8',
      }).includes(`a${ESC}[31mred`),
    );
    const read = (f: string): string => readFileSync(path.join(dir, f), 'utf8');
    body =
      JSON.stringify({ fulfillmentResponse: { messages: [{ text: { text: ['ok'] } }] } }) +
      `\n${ESC}]52;c;cm0gLXJmIH4=${BEL}${ESC}[2J${RLO}`;
    server = await httpsServer({ key: read('evil-key.pem'), cert: read('evil-crt.pem') }, (req, res) => {
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end(body);
    });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mtls decode shows the subject, SANs, AIA and CRL URIs with visible escapes, and --json keeps the real values', async () => {
    const r = await run(['decode', 'evil-crt.pem'], dir);
    assert.equal(r.code, 0, r.stderr);
    assertNothingRaw(r);
    assert.match(r.stdout, /DNS:a\\x1b\[31mred\.example/);
    assert.match(r.stdout, /URI:http:\/\/x\.example\/\\x1b\]8;;http:\/\/evil\.example\/\\x07link/);
    assert.match(r.stdout, /http:\/\/aia\.example\/\\x1b\[2Jca\.crt/);
    assert.match(r.stdout, /http:\/\/crl\.example\/\\x1b\[H\\x1b\]52;c;aGk=\\x07\.crl/);
    assert.match(r.stdout, /\\u202egnp\.exe/);
    assert.match(r.stdout, /\\u009b31m/);
    const json = await run(['decode', 'evil-crt.pem', '--json'], dir);
    assertNothingRaw(json);
    const sans = (JSON.parse(json.stdout) as { items: { subjectAltName?: unknown }[] }).items[0]?.subjectAltName;
    assert.ok(
      JSON.stringify(sans).includes(JSON.stringify(`a${ESC}[31mred.example`).slice(1, -1)),
      `machines read the real value: ${JSON.stringify(sans)}`,
    );
  });

  it('mtls decode cannot be made to print a forged line by a SAN holding a newline', async () => {
    const key = ecKey();
    const san = der.sequence(
      der.oid('2.5.29.17'),
      der.octetString(der.sequence(der.implicit(2, Buffer.from('ok.example\nFAILED: forged line', 'latin1')))),
    );
    writeFileSync(
      path.join(dir, 'newline.pem'),
      pemOf([makeCertificate({ subject: 'newline', issuer: 'newline', key, ca: false, extraExtensions: [san] })]),
    );
    const r = await run(['decode', 'newline.pem'], dir);
    assertNothingRaw(r);
    assert.match(r.stdout, /DNS:ok\.example\\x0aFAILED: forged line/);
    assert.doesNotMatch(r.stdout, /^FAILED/m);
  });

  it("mtls send shows the server's subject, issuer and body with visible escapes", async () => {
    const r = await run(['send', server.url, '--no-client-cert', '--ca', 'evil-crt.pem'], dir);
    assertNothingRaw(r);
    assert.match(r.stdout, /0: CN=evil.*\\u202egnp\.exe/);
    assert.match(r.stdout, /issuer CN=evil/);
    assert.match(r.stdout, /\\x1b\]52;c;cm0gLXJmIH4=\\x07\\x1b\[2J\\u202e/);
    const json = await run(['send', server.url, '--no-client-cert', '--ca', 'evil-crt.pem', '--json'], dir);
    assertNothingRaw(json);
    assert.equal((JSON.parse(json.stdout) as { body?: unknown }).body, body);
  });

  it("mtls check --url shows the served certificate's names with visible escapes", async () => {
    const project = tempDir('terminal-check');
    try {
      const certs = path.join(project, 'certs');
      mkdirSync(certs);
      writeChain(certs, await makeChain('Terminal Test'));
      // The project's server certificate is the hostile one, served at the URL.
      for (const f of ['server-fullchain.pem', 'server-crt.pem'])
        writeFileSync(path.join(certs, f), readFileSync(path.join(dir, 'evil-crt.pem')));
      writeFileSync(path.join(certs, 'server-key.pem'), readFileSync(path.join(dir, 'evil-key.pem')), { mode: 0o600 });
      await scaffoldServer(project, { port: server.port, platform: 'all' });
      const r = await run(['check', '--platform', 'cx', '--url', `https://localhost:${server.port}/webhook`], project);
      assertNothingRaw(r);
      assert.match(r.stdout, /server presented CN=evil\\x1b\[2J/);
      assert.match(r.stdout, /\\u202egnp\.exe/);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
