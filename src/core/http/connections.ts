/**
 * A client's connections as they happen: undici's connector wrapped so that each connection's DNS, TCP and
 * handshake times and its negotiated TLS details are measured where they happen, the handshake of the send in
 * progress is observed, and every socket is known, so a deadline or close() can end it.
 */
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import type * as Undici from 'undici';
import { peerChain } from './certSummary';
import { observeHandshake, type Attempt } from './handshakeObserver';
import type { TlsDetails } from './types';

/** What one connection showed as it opened, in performance.now() time. */
export interface ConnectionFacts {
  dnsMs?: number;
  connectMs: number;
  tlsMs: number;
  secureAt: number;
  tls: Omit<TlsDetails, 'clientCertificate'>;
  /** The server sent a CertificateRequest (OpenSSL lists shared signature algorithms exactly then). */
  certificateRequested: boolean;
}

/** The connections of one client; sends run one at a time, so the send in progress owns what changes here. */
export class Connections {
  /** Connections opened so far: a send that sees the count grow opened its own. */
  opened = 0;
  /** The facts of the connection opened last. */
  last: ConnectionFacts | undefined;
  /** The first error of a socket since the send began (undici's follow it, and say less). */
  socketError: Error | undefined;
  /** The connection attempt of the send in progress. */
  attempt: Attempt | undefined;
  // Connections still being set up: a deadline or close() destroys them, so no socket outlives its send
  // (undici's own connect timeout would keep the process alive until it fires).
  private readonly connecting = new Set<TLSSocket>();
  // Every open socket: close() destroys them itself rather than trusting undici to (see close()).
  private readonly open = new Set<TLSSocket>();

  /** `base`: undici's connector over the client's TLS options; `insecure`: server verification is off. */
  constructor(
    private readonly base: Undici.buildConnector.connector,
    private readonly insecure: boolean | undefined,
  ) {}

  /** undici's connector, measured and observed (it returns the socket, as buildConnector's does at run time). */
  connect(opts: Undici.buildConnector.Options, cb: Undici.buildConnector.Callback): TLSSocket {
    const t0 = performance.now();
    let lookupAt: number | undefined;
    let tcpAt: number | undefined;
    // buildConnector's connector returns the socket at runtime (its typings say void).
    const socket = (this.base as unknown as (o: typeof opts, c: typeof cb) => TLSSocket)(opts, (err, s) => {
      this.connecting.delete(socket);
      if (err) return cb(err, null);
      const t = s as TLSSocket;
      const now = performance.now();
      const cipher = t.getCipher();
      this.opened++;
      this.last = {
        dnsMs: lookupAt !== undefined ? lookupAt - t0 : undefined,
        connectMs: (tcpAt ?? now) - (lookupAt ?? t0),
        tlsMs: now - (tcpAt ?? now),
        secureAt: now,
        tls: {
          protocol: t.getProtocol(),
          cipher: cipher?.standardName ?? cipher?.name ?? null,
          alpn: typeof t.alpnProtocol === 'string' ? t.alpnProtocol : null,
          verification: this.insecure ? 'DISABLED' : 'verified',
          authorizationError: t.authorized ? null : String(t.authorizationError ?? 'not verified'),
          serverChain: peerChain(t),
        },
        certificateRequested: t.getSharedSigalgs().length > 0,
      };
      cb(null, s);
    });
    // TLS 1.3 servers refuse a client certificate after the client's handshake is done: the alert arrives
    // with the first read, and undici may only report "other side closed". Keep the socket's own error.
    socket.on('error', (e: Error) => (this.socketError ??= e)); // the first error is the real one; undici's follow
    this.connecting.add(socket);
    this.open.add(socket);
    const a = this.attempt;
    socket.once('close', () => {
      this.connecting.delete(socket);
      this.open.delete(socket);
      // Node 20's undici can miss a refusal that arrives right after the handshake (TLS 1.3 sends it then) and
      // wait for an answer that cannot come. The send's own connection closing ends it; the short grace lets
      // undici report first when it does notice.
      if (a !== undefined && this.attempt === a)
        setTimeout(
          () =>
            a.dropped?.(
              this.socketError ??
                Object.assign(new Error('the server closed the connection before answering'), { code: 'ECONNRESET' }),
            ),
          50,
        );
    });
    socket.once('lookup', () => (lookupAt = performance.now()));
    socket.once('connect', () => (tcpAt = performance.now()));
    if (a) observeHandshake(socket, a);
    return socket;
  }

  /** Ends the connections still being set up, with an error so undici's connect timer for each is cleared too. */
  abandonConnects(): void {
    for (const s of this.connecting)
      s.destroy(Object.assign(new Error('connection abandoned: the send gave up on it'), { code: 'ABANDONED' }));
    this.connecting.clear();
  }

  /** Destroys every socket, connecting or open. */
  destroyAll(): void {
    this.abandonConnects();
    for (const s of this.open) s.destroy();
  }
}
