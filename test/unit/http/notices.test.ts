// The notifications VS Code shows after a probe or a send, made from real results: a server on 127.0.0.1 whose
// certificate (made by openssl) carries a SAN written as a command link, probed under a host name it does not cover,
// so Node's host-name error quotes every SAN into the probe's summary. The extension shows `notice.text` as it is.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { probeEndpoint, probeNotice, sendNotice, sendWebhook } from '../../../src/core/http/index';
import { noticeText } from '../../../src/core/markdownText';
import { httpsServer, makeChain, tempDir, writeChain, type Running } from '../support/http';

/** The pattern VS Code's notifications turn into links (src/vs/base/common/linkedText.ts). */
const LINKED = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
const LINK = '[Click to fix](command:workbench.action.terminal.new)';

describe('notifications quote the server without running its links', () => {
  let dir: string;
  let server: Running;
  let caPem: string;
  let client: { certPem: string; keyPem: string };

  before(async () => {
    dir = tempDir('notices');
    writeFileSync(
      path.join(dir, 'link.cnf'),
      [
        '[req]',
        'distinguished_name = dn',
        'prompt = no',
        '[dn]',
        'CN = linked.example',
        '[ext]',
        `subjectAltName = DNS:linked.example,DNS:${LINK}`,
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
        'key.pem',
        '-out',
        'crt.pem',
        '-days',
        '30',
        '-config',
        'link.cnf',
        '-extensions',
        'ext',
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    caPem = readFileSync(path.join(dir, 'crt.pem'), 'utf8');
    const chain = await makeChain('Notice Test');
    writeChain(dir, chain);
    client = { certPem: chain['client-fullchain.pem'], keyPem: chain['client-key.pem'] };
    server = await httpsServer({
      key: readFileSync(path.join(dir, 'key.pem')),
      cert: caPem,
      ca: chain['ca-root-crt.pem'],
      requestCert: true,
      rejectUnauthorized: true,
    });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the probe's notification shows a SAN written as a command link as text, not as a link", async () => {
    // "localhost" is not among the SANs: every row fails Node's host-name check, whose message lists them all.
    const r = await probeEndpoint(
      `https://localhost:${server.port}/webhook`,
      { ...client, caPem },
      { timeoutMs: 5_000 },
    );
    assert.equal(r.verdict, 'inconclusive');
    assert.ok(r.summary.includes(LINK), `the summary quotes the SAN: ${r.summary}`);
    assert.ok(
      (r.summary.match(LINKED) ?? []).length > 0,
      'as VS Code would render it, the raw summary holds a command link',
    );
    const notice = probeNotice(r);
    assert.equal(notice.severity, 'error');
    assert.equal(notice.text.match(LINKED), null, notice.text);
    assert.ok(
      notice.text.includes('[Click to fix] (command:workbench.action.terminal.new)'),
      'the words stay readable',
    );
    assert.equal(noticeText(notice.text), notice.text, "the extension's notify() escapes again without changing it");
  });

  it("the send's notification carries no link either", async () => {
    const r = await sendWebhook({
      url: `https://localhost:${server.port}/webhook`,
      body: { x: 1 },
      platform: 'cx',
      ...client,
      caPem,
      timeoutMs: 5_000,
    });
    assert.ok(r.error?.message.includes(LINK), r.error?.message);
    const notice = sendNotice(r);
    assert.equal(notice.severity, 'error');
    assert.equal(notice.text.match(LINKED), null, notice.text);
  });
});
