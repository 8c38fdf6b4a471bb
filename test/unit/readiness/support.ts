// Peers for the readiness check's tests: the proxies a webhook may sit behind, and another organisation's chain.
import { writeFileSync } from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { generateChain, generateSelfSigned } from '../../../src/core/pki/index';
import type { Running } from '../support/http';
import { tempDir } from '../support/scaffold';

/** Forwards raw TCP to 127.0.0.1:upstream: TLS stays end to end (a TLS pass-through tunnel). */
export async function tcpPassThrough(upstream: number): Promise<Running> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((down) => {
    const up = net.connect(upstream, '127.0.0.1');
    for (const s of [down, up]) {
      sockets.add(s);
      s.on('error', () => undefined);
    }
    down.pipe(up).pipe(down);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `https://localhost:${port}/webhook`,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Terminates TLS with its own certificate and forwards requests upstream over a new TLS connection (an HTTPS tunnel). */
export async function tlsTerminatingProxy(upstream: number): Promise<Running> {
  const own = await generateSelfSigned({
    keyType: 'ec256',
    cn: 'tunnel.example',
    sans: ['DNS:localhost', 'IP:127.0.0.1'],
  });
  const pem = (n: string) => String(own.files.find((f) => f.name.endsWith(n))?.contents);
  const server = https.createServer({ cert: pem('crt.pem'), key: pem('key.pem') }, (req, res) => {
    const fwd = https.request(
      {
        host: '127.0.0.1',
        port: upstream,
        path: req.url,
        method: req.method,
        headers: req.headers,
        rejectUnauthorized: false,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on('error', () => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream refused the connection');
    });
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `https://localhost:${port}/webhook`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A second, unrelated CA chain (another organisation), in its own folder outside the project. */
export async function otherChain(): Promise<string> {
  const dir = tempDir('check-other');
  const set = await generateChain({ keyType: 'ec256', org: 'Another Org' });
  for (const f of set.files)
    writeFileSync(path.join(dir, f.name), f.contents, { mode: f.name.includes('key') ? 0o600 : 0o644 });
  return dir;
}
