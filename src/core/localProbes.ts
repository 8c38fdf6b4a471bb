/**
 * Questions about this machine that several flows ask (set-up, preflight, readiness): is a path there, is a port
 * taken, and which certificate does the server on a port present.
 */
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';

/** True when `p` exists and is reachable (a dangling symbolic link counts as absent). */
export function pathExists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

/**
 * Resolves to undefined when host:port can be bound right now, else to the listen error code: EADDRINUSE
 * (something listens there), EACCES (a privileged port), EADDRNOTAVAIL (not an address of this machine).
 * Binding is asked rather than connecting, because it answers both "would the server start?" and "is a server
 * there?" for the exact address the server binds, and costs no connection to whatever listens.
 */
export function checkPortFree(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'LISTEN'));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}

/**
 * The certificate a TLS server on host:port presents (SHA-256 fingerprint and subject), read from the handshake
 * without trusting it and without a client certificate; the reason when no TLS handshake happens there.
 */
export function certificateOnPort(
  host: string,
  port: number,
  timeoutMs = 5_000,
): Promise<{ sha256: string; subject: string } | { error: string }> {
  return new Promise((resolve) => {
    // The certificate arrives before the server can refuse us for having none: read it as the handshake completes
    // on our side, whatever the server decides next.
    const socket = tls.connect(
      { host, port, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: false, timeout: timeoutMs },
      () => {
        const peer = socket.getPeerCertificate();
        socket.destroy();
        resolve(
          peer && peer.fingerprint256
            ? {
                sha256: peer.fingerprint256,
                subject: Object.entries(peer.subject ?? {})
                  .map(([k, v]) => `${k}=${String(v)}`)
                  .join(', '),
              }
            : { error: 'the server presented no certificate' },
        );
      },
    );
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ error: `no TLS handshake within ${timeoutMs} ms` });
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve({ error: `no TLS handshake (${e.code ?? e.message})` }));
  });
}
