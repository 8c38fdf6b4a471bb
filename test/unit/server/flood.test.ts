// The generated server under connection floods from clients without a certificate, with real sockets on
// loopback addresses (127.0.0.2–5 are this machine's too): idle sockets from one address reopened as they are
// dropped, while a real mTLS client from another address keeps being served; the handshake budget's numbers from
// the environment; and thousands of aborted connections, which must cost a few log lines and a correct count.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tls from 'node:tls';
import { scaffoldServer, serverFileName } from '../../../src/core/scaffold/scaffoldServer';
import {
  cxRequest,
  ensureBuilt,
  makePki,
  repoRoot,
  startServer,
  tempDir,
  type Pki,
  type RunningServer,
} from '../support/scaffold';

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One webhook call over a new mTLS connection from `from`; resolves to the HTTP status, 0 when none arrived. */
function mtlsRequest(port: number, pki: Pki, from: string): Promise<number> {
  return new Promise((resolve) => {
    const body = cxRequest('hello');
    let data = '';
    const tcp = net.connect({ host: '127.0.0.1', port, localAddress: from });
    const socket = tls.connect(
      {
        socket: tcp,
        ca: readFileSync(pki.caCrt),
        cert: readFileSync(pki.clientCrt),
        key: readFileSync(pki.clientKey),
        servername: 'localhost',
      },
      () => {
        socket.end(
          `POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      },
    );
    socket.setTimeout(8000, () => socket.destroy());
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
  });
}

/** `count` TCP connections from `from` that send nothing, each opened again 100 ms after the server drops it. */
function idleFlood(port: number, from: string, count: number): { connections: () => number; stop: () => void } {
  let stopped = false;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const open = (): void => {
    if (stopped) return;
    const s = net.connect({ host: '127.0.0.1', port, localAddress: from });
    sockets.add(s);
    connections++;
    s.on('error', () => undefined);
    s.on('close', () => {
      sockets.delete(s);
      setTimeout(open, 100);
    });
  };
  for (let i = 0; i < count; i++) open();
  return {
    connections: () => connections,
    stop: () => {
      stopped = true;
      for (const s of sockets) s.destroy();
    },
  };
}

/** A connection from `from` that writes `first` (if any) and nothing more; resolves to how long until the server closed it. */
function silentConnection(port: number, from: string, first?: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const started = Date.now();
    const s = net.connect({ host: '127.0.0.1', port, localAddress: from }, () => {
      if (first !== undefined) s.write(first);
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve(Date.now() - started));
  });
}

/** `count` connections from `from` closed by the client as soon as they are open, `parallel` at a time. */
async function abortedConnections(port: number, from: string, count: number, parallel: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      await new Promise<void>((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port, localAddress: from }, () => s.destroy());
        s.on('error', () => undefined);
        s.on('close', () => resolve());
      });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

function lines(output: string, re: RegExp): string[] {
  return output.split('\n').filter((l) => re.test(l));
}

describe('scaffolded server.ts under connection floods (real sockets)', () => {
  let dir: string;
  let pki: Pki;
  let serverTs: string;
  const certs = (): Record<string, string> => ({
    MTLS_KEY: pki.serverKey,
    MTLS_CERT: pki.serverCrt,
    MTLS_CA: pki.caCrt,
  });

  before(async () => {
    ensureBuilt();
    dir = tempDir('flood');
    pki = makePki(path.join(dir, 'certs'));
    serverTs = path.join(dir, serverFileName);
    await scaffoldServer(dir);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('with the default settings', () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(serverTs, certs());
    });
    after(() => server?.proc.kill('SIGKILL'));

    it('300 idle sockets from one address, reopened as they are dropped, do not keep a client with a certificate out', async () => {
      // More than maxConnections (256): without a budget for unfinished handshakes they would hold every place.
      const flood = idleFlood(server.port, '127.0.0.3', 300);
      try {
        await delay(1000);
        const statuses: number[] = [];
        // Spread over more than the ClientHello deadline, so the flood's sockets are dropped and reopened meanwhile.
        for (let i = 0; i < 8; i++) {
          statuses.push(await mtlsRequest(server.port, pki, '127.0.0.1'));
          await delay(500);
        }
        assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200], server.output().slice(-3000));
      } finally {
        flood.stop();
      }
      assert.ok(flood.connections() > 600, `the flood reopened its sockets: ${flood.connections()} connections`);
      assert.match(
        server.output(),
        /refused handshake from 127\.0\.0\.3:\d+ \[HANDSHAKE_CAP_PER_ADDRESS\]: 32 connections from 127\.0\.0\.3 are already in the TLS handshake \(maxHandshakesPerAddress, MTLS_MAX_HANDSHAKES_PER_ADDRESS\)/,
      );
      // The flood is logged as a few lines and a count, not a line per connection.
      assert.ok(
        lines(server.output(), /refused handshake from 127\.0\.0\.3:/).length <= 40,
        'at most 20 lines per address per 10 s',
      );
    });

    it('thousands of aborted connections are a few log lines and a count that adds up; a refusal from another address is logged at once', async () => {
      const before = server.output().length;
      const count = 3000;
      await abortedConnections(server.port, '127.0.0.4', count, 16);
      // A client without a certificate, from another address, while the flood's window is still open.
      const tcp = net.connect({ host: '127.0.0.1', port: server.port, localAddress: '127.0.0.2' });
      const localPort = await new Promise<number>((resolve) => tcp.once('connect', () => resolve(tcp.localPort ?? 0)));
      await new Promise<void>((resolve) => {
        const s = tls.connect({ socket: tcp, ca: readFileSync(pki.caCrt), servername: 'localhost' });
        s.on('error', () => undefined);
        s.on('close', () => resolve());
      });
      await server.waitFor(
        new RegExp(
          `refused handshake from 127\\.0\\.0\\.2:${localPort} \\[ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE\\]: no client certificate was sent`,
        ),
        5000,
      );
      const summary = /… and (\d+) more refused handshakes from 127\.0\.0\.4 in the last 10s/;
      // The count comes when the window closes, 10 s after the flood's first line.
      await server.waitFor(summary, 25_000);
      await delay(500);
      const out = server.output().slice(before);
      const shown = lines(out, /refused handshake from 127\.0\.0\.4:\d+ \[/).length;
      const held = lines(out, summary).reduce((n, l) => n + Number(summary.exec(l)?.[1]), 0);
      assert.ok(shown >= 1 && shown <= 40, `${shown} lines shown`);
      assert.equal(shown + held, count, `${shown} shown + ${held} counted`);
    });
  });

  describe('with the budget set in the environment', () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(serverTs, {
        ...certs(),
        MTLS_MAX_HANDSHAKES_PER_ADDRESS: '4',
        MTLS_MAX_HANDSHAKES: '6',
        MTLS_CLIENT_HELLO_TIMEOUT_MS: '1500',
        MTLS_HANDSHAKE_TIMEOUT_MS: '4000',
      });
    });
    after(() => server?.proc.kill('SIGKILL'));

    it('refuses a 5th unfinished handshake from one address and a 7th in all; closes silent ones at the ClientHello deadline, started ones at the handshake timeout', async () => {
      // The first byte of a TLS record: this client has started, and gets the whole handshake timeout.
      const started = silentConnection(server.port, '127.0.0.5', Buffer.from([0x16]));
      await delay(300);
      const fromOne = Array.from({ length: 5 }, () => silentConnection(server.port, '127.0.0.3'));
      await server.waitFor(
        /refused handshake from 127\.0\.0\.3:\d+ \[HANDSHAKE_CAP_PER_ADDRESS\]: 4 connections from 127\.0\.0\.3 are already in the TLS handshake/,
      );
      const fromOther = Array.from({ length: 2 }, () => silentConnection(server.port, '127.0.0.4'));
      await server.waitFor(
        /refused handshake from 127\.0\.0\.4:\d+ \[HANDSHAKE_CAP\]: 6 connections are already in the TLS handshake \(maxHandshakes, MTLS_MAX_HANDSHAKES\)/,
      );
      const silent = await Promise.all([...fromOne, ...fromOther]);
      assert.ok(
        Math.max(...silent) < 3500,
        `silent connections closed after ${silent.join(', ')} ms, before the handshake timeout`,
      );
      assert.equal(
        lines(
          server.output(),
          /\[CLIENT_HELLO_TIMEOUT\]: nothing sent within 1500 ms \(clientHelloTimeoutMs, MTLS_CLIENT_HELLO_TIMEOUT_MS\)/,
        ).length,
        5,
      );
      const startedMs = await started;
      assert.ok(startedMs >= 3000, `the started handshake was closed after ${startedMs} ms`);
      await server.waitFor(/refused handshake from 127\.0\.0\.5:\d+ \[ERR_TLS_HANDSHAKE_TIMEOUT\]/);
      assert.doesNotMatch(
        server.output(),
        /\[ECONNRESET\]/,
        "a connection the budget closed is not logged a second time as the client's doing",
      );
    });
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped one as IPv4', async () => {
    const { sourceOf } = (await import(
      pathToFileURL(path.join(repoRoot, 'out/src/server/handshakeBudget.mjs')).href
    )) as { sourceOf: (address: string) => string };
    assert.equal(sourceOf('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(sourceOf('2001:db8:1:2:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(sourceOf('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(sourceOf('2001:0DB8:0001:0002::'), '2001:db8:1:2::/64');
    assert.equal(sourceOf('::1'), '0:0:0:0::/64');
    assert.equal(sourceOf('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(sourceOf('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
    assert.equal(sourceOf('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(sourceOf('192.0.2.1'), '192.0.2.1');
  });
});
