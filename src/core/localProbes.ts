/** Two questions about this machine that several flows ask (set-up, preflight, readiness): is a path there, is a port taken. */
import { promises as fs } from 'node:fs';
import * as net from 'node:net';

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
