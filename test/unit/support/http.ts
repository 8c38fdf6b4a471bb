// Shared fixtures for the http/ tests and others: certificates from src/core/pki, real TLS servers on
// 127.0.0.1 (Node https/tls/net servers and `openssl s_server`), each closed or killed by PID afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { generateChain } from '../../../src/core/pki/index';

/** Every file `generateChain` makes, by name (ca-root-crt.pem, client-key.pem, …), EC P-256 for speed. */
export type ChainFiles = Record<string, string>;

export async function makeChain(org = 'mTLS Test'): Promise<ChainFiles> {
  const set = await generateChain({ keyType: 'ec256', org });
  return Object.fromEntries(set.files.map((f) => [f.name, String(f.contents)]));
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `mtls-${prefix}-`));
}

/** Writes the chain files into `dir`; returns `dir`. */
export function writeChain(dir: string, files: ChainFiles): string {
  for (const [name, contents] of Object.entries(files))
    writeFileSync(path.join(dir, name), contents, { mode: name.includes('key') ? 0o600 : 0o644 });
  return dir;
}

export interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** An https server on 127.0.0.1:0 answering every request with `reply` (JSON) unless a handler is given. */
export async function httpsServer(
  opts: https.ServerOptions,
  handler?: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void,
): Promise<Running & { server: https.Server }> {
  const server = https.createServer(
    opts,
    handler ??
      ((req, res) => {
        req.resume();
        req.on('end', () => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ fulfillmentResponse: { messages: [{ text: { text: ['ok'] } }] } }));
        });
      }),
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `https://127.0.0.1:${port}/webhook`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A raw TCP server with a custom connection handler (for handshake timeouts and resets). */
export async function tcpServer(onConnection: (s: net.Socket) => void): Promise<Running> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    onConnection(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `https://127.0.0.1:${port}/webhook`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** `openssl s_server ... -accept 127.0.0.1:0`, resolved once it prints its port; kill() ends it by PID. */
export function opensslServer(
  args: string[],
  cwd: string,
): Promise<Running & { proc: ChildProcess; output(): string }> {
  const proc = spawn('openssl', ['s_server', '-accept', '127.0.0.1:0', ...args], {
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`openssl s_server did not start:\n${out}`));
    }, 10_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const port = Number(m[1]);
        resolve({
          proc,
          port,
          url: `https://127.0.0.1:${port}/`,
          output: () => out,
          close: () =>
            new Promise<void>((r) => {
              if (proc.exitCode !== null || proc.signalCode !== null) return r();
              proc.once('exit', () => r());
              process.kill(proc.pid!, 'SIGTERM');
            }),
        });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`openssl s_server exited (${code}):\n${out}`));
    });
  });
}
