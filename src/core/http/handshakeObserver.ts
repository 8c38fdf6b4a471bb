// What one connection attempt shows of its handshake, read where it happens: when the server's flight
// arrived, its chain, what was negotiated, and whether the server asked for a client certificate.
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { peerPresented } from './certSummary';
import type { HandshakeObservation } from './handshakeTypes';

/** What one connection attempt showed of its handshake, in performance.now() time. */
export interface Attempt {
  connectedAt?: number;
  serverFlightAt?: number;
  handshakeDoneAt?: number;
  responseAt?: number;
  localPort?: number;
  serverChain: HandshakeObservation['serverChain'];
  signatureAlgorithms?: string[];
  ephemeralKey?: string;
  protocol?: string;
  cipher?: string;
  /** Fails the send when its connection closes before an answer came (set by the send, called by the socket). */
  dropped?: (e: Error) => void;
}

/** The signature algorithms both sides allow for the client's signature; a scheme that hashes internally (EdDSA, ML-DSA) comes from OpenSSL as 'name+UNDEF'. */
function sharedSignatureAlgorithms(socket: TLSSocket): string[] {
  return socket.getSharedSigalgs().map((s) => s.replace(/\+UNDEF$/, ''));
}

/**
 * Watches one TLS connection's handshake. The 'keylog' event is the only per-message hook Node offers: it
 * fires as the handshake derives each secret; the first secret derived after the server's flight arrived
 * (TLS 1.2: CLIENT_RANDOM, at ServerHelloDone; TLS 1.3: the traffic secrets, at the server's Finished) marks
 * that flight, and the server's chain is read there, once, before an alert can tear the connection down.
 * Only the label is read, never the secret. getSharedSigalgs() is non-empty exactly when the server sent a
 * CertificateRequest.
 */
export function observeHandshake(socket: TLSSocket, a: Attempt): void {
  socket.once('connect', () => {
    a.connectedAt = performance.now();
    a.localPort = socket.localPort;
  });
  const serverFlight = (): void => {
    if (a.serverChain.length > 0) return;
    const chain = peerPresented(socket);
    if (chain.length === 0) return;
    a.serverFlightAt = performance.now();
    a.serverChain = chain;
    a.signatureAlgorithms = sharedSignatureAlgorithms(socket);
    if (a.localPort === undefined) a.localPort = socket.localPort;
  };
  const onKeylog = (line: Buffer): void => {
    if (SERVER_FLIGHT_DONE.test(line.toString('latin1', 0, 24))) serverFlight();
  };
  socket.on('keylog', onKeylog);
  // 'secure' fires when our side of the handshake is done, before Node checks the server's certificate
  // (a failed check destroys the socket, and what it negotiated would be lost).
  socket.prependListener('secure', () => {
    a.handshakeDoneAt = performance.now();
    serverFlight();
    a.protocol = socket.getProtocol() ?? undefined;
    const c = socket.getCipher();
    a.cipher = c?.standardName ?? c?.name;
    a.signatureAlgorithms = sharedSignatureAlgorithms(socket);
    const k = socket.getEphemeralKeyInfo();
    if (k && 'type' in k && k.type)
      a.ephemeralKey = [k.type, (k as { name?: string }).name, k.size ? `${k.size} bits` : undefined]
        .filter(Boolean)
        .join(' ');
    socket.off('keylog', onKeylog);
  });
}

/** Keylog labels derived once the server's whole flight (certificate, request for ours) has arrived. */
const SERVER_FLIGHT_DONE = /^(CLIENT_RANDOM|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0|EXPORTER_SECRET) /;
