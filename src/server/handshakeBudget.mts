// Connections that have not finished the TLS handshake. Anyone can open one, no certificate needed, and each
// holds a place under maxConnections until the handshake timeout: a few hundred idle sockets from one address,
// reopened as they are dropped, would keep the platform out. So these connections have a budget of their own —
// per source address and in all, a part of maxConnections, so the connections that finished TLS keep the rest —
// and one that has sent nothing at all is closed after clientHelloTimeoutMs (a real client sends its ClientHello
// at once), while one that has started keeps the whole handshake timeout.
import type { Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { refusalLine } from './caller.mts';
import type { Settings } from './config.mts';
import { normalisedAddress } from './edge.mts';

/** What the rest of the server needs to know about the connections the budget counts. */
export interface HandshakeBudget {
  /** Whether the budget closed this TCP socket (its handshake error is then the budget's doing, already logged). */
  closed(socket: object): boolean;
  /**
   * A TCP socket's address:port (`who`) and the source it counts against, taken when it connected: a refused
   * socket has lost its address once destroyed.
   */
  peer(socket: object): { who: string; source: string } | undefined;
}

/**
 * The source a connection counts against: its IPv4 address, or the /64 of its IPv6 address (one host is usually
 * given a whole /64, so counting single IPv6 addresses would give it billions of budgets).
 */
export function sourceOf(address: string): string {
  const a = normalisedAddress(address.replace(/%.*$/, ''));
  if (a === undefined) return address;
  if (a.family === 'ipv4') return a.address;
  const [head = '', tail] = a.address.split('::');
  const groups = (text: string): string[] => (text === '' ? [] : text.split(':'));
  // A dotted IPv4 tail (::ffff:0:1.2.3.4, 64:ff9b::1.2.3.4) stands for two groups.
  const width = (gs: string[]): number => gs.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - width(h) - width(t)).fill('0'), ...t];
  return (
    all
      .slice(0, 4)
      .map((g) => parseInt(g, 16).toString(16))
      .join(':') + '::/64'
  );
}

function connectionKey(s: {
  localAddress?: string | undefined;
  localPort?: number | undefined;
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
}): string {
  return s.localAddress + ' ' + s.localPort + ' ' + s.remoteAddress + ' ' + s.remotePort;
}

/**
 * Counts the server's connections until their handshake finishes or they close, and closes those beyond the
 * budget at once (and those silent past the ClientHello deadline), each reported through `refused` with the
 * source it counts against and its log line.
 */
export function budgetHandshakes(
  server: Server,
  settings: Settings,
  refused: (source: string, line: string) => void,
): HandshakeBudget {
  const bySource = new Map<string, number>();
  let pending = 0;
  // Connection (both ends' address and port) → what to do once its handshake finished.
  const settleAt = new Map<string, () => void>();
  const closedByBudget = new WeakSet<object>();
  const peers = new WeakMap<object, { who: string; source: string }>();
  server.on('connection', (socket: Socket) => {
    const who = (socket.remoteAddress ?? '?') + ':' + (socket.remotePort ?? '?');
    const source = sourceOf(socket.remoteAddress ?? '?');
    peers.set(socket, { who, source });
    const refuse = (code: string, why: string): void => {
      closedByBudget.add(socket);
      refused(source, refusalLine(who, code, why));
      socket.destroy();
    };
    if (pending >= settings.maxHandshakes) {
      refuse(
        'HANDSHAKE_CAP',
        pending +
          ' connections are already in the TLS handshake (maxHandshakes, MTLS_MAX_HANDSHAKES): many clients that do not finish TLS',
      );
      return;
    }
    const fromSource = bySource.get(source) ?? 0;
    if (fromSource >= settings.maxHandshakesPerAddress) {
      refuse(
        'HANDSHAKE_CAP_PER_ADDRESS',
        fromSource +
          ' connections from ' +
          source +
          ' are already in the TLS handshake (maxHandshakesPerAddress, MTLS_MAX_HANDSHAKES_PER_ADDRESS): a client opening connections without finishing TLS',
      );
      return;
    }
    pending++;
    bySource.set(source, fromSource + 1);
    const key = connectionKey(socket);
    // Past the handshake timeout Node closes the connection itself (and says so).
    const timer =
      settings.clientHelloTimeoutMs < settings.handshakeTimeoutMs
        ? setTimeout(() => {
            if (socket.bytesRead === 0)
              refuse(
                'CLIENT_HELLO_TIMEOUT',
                'nothing sent within ' +
                  settings.clientHelloTimeoutMs +
                  ' ms (clientHelloTimeoutMs, MTLS_CLIENT_HELLO_TIMEOUT_MS): not a TLS client, or an idle connection',
              );
          }, settings.clientHelloTimeoutMs)
        : undefined;
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      pending--;
      const left = (bySource.get(source) ?? 1) - 1;
      if (left > 0) bySource.set(source, left);
      else bySource.delete(source);
      if (settleAt.get(key) === settle) settleAt.delete(key);
    };
    settleAt.set(key, settle);
    socket.once('close', settle);
  });
  server.on('secureConnection', (socket: TLSSocket) => settleAt.get(connectionKey(socket))?.());
  return { closed: (socket) => closedByBudget.has(socket), peer: (socket) => peers.get(socket) };
}
