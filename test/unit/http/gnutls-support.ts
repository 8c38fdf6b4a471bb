// GnuTLS's test server (`gnutls-serv`, Debian's gnutls-bin) as a foreign TLS peer: its alerts and its answers
// are not OpenSSL's or Node's, so the client's reading of them is tested against the real thing.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import type { Running } from '../support/http';

/** Why the GnuTLS tests skip (gnutls-serv is not on PATH), or false when they can run. */
export function gnutlsMissing(): string | false {
  try {
    execFileSync('sh', ['-c', 'command -v gnutls-serv'], { stdio: 'pipe' });
    return false;
  } catch {
    return 'gnutls-serv is not installed (scripts/setup-proxies.sh installs gnutls-bin)';
  }
}

/** A port free on 127.0.0.1 a moment ago (gnutls-serv takes a port number, not 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function startOnce(
  args: string[],
  cwd: string,
  port: number,
): Promise<Running & { proc: ChildProcess; output(): string }> {
  const proc = spawn('gnutls-serv', ['-p', String(port), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`gnutls-serv did not start:\n${out}`));
    }, 10_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      // It prints this once bound (on every address: gnutls-serv has no option to bind 127.0.0.1 alone).
      if (!/listening on IPv4 \S+ port \d+\.\.\.done/.test(out)) return;
      clearTimeout(timer);
      resolve({
        proc,
        port,
        url: `https://127.0.0.1:${port}/webhook`,
        output: () => out,
        close: () =>
          new Promise<void>((r) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return r();
            proc.once('exit', () => r());
            process.kill(proc.pid!, 'SIGTERM');
          }),
      });
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gnutls-serv exited (${code}):\n${out}`));
    });
  });
}

/** `gnutls-serv ARGS` on a free port in `cwd` (file arguments are relative to it); close() ends it by PID. */
export async function gnutlsServer(
  args: string[],
  cwd: string,
): Promise<Running & { proc: ChildProcess; output(): string }> {
  // The port was free when chosen; another process may take it before gnutls-serv binds: then try another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(args, cwd, await freePort());
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}
