/** The shapes the HTTP client, the probe and the renderers share (all JSON-serialisable). */
import type { Platform, ResponseCheck } from '../webhook/index';
import type { Explanation } from './explainTlsError';
import type { HandshakeObservation, HandshakeTimeline } from './handshakeTypes';
import type { OpenedKeyPem } from '../credentials/openedKeyPem';
import type { OpenedPkcs12 } from '../credentials/pkcs12ToPem';

/** Who we are and whom we trust: PEM strings or a PKCS#12 buffer, never file paths. */
export interface ClientCredentials {
  /** Client certificate PEM; may hold the leaf followed by intermediates (all are sent). */
  certPem?: string;
  keyPem?: string;
  /** Passphrase of the encrypted key or of the PKCS#12 file. */
  passphrase?: string;
  pfx?: Buffer;
  /**
   * `pfx` already opened elsewhere (the extension opens it in a worker thread, as its key derivation can take
   * seconds): used instead of opening it again on this thread.
   */
  pfxOpened?: OpenedPkcs12;
  /**
   * The encrypted `keyPem` already opened with `passphrase` elsewhere (the extension opens it in a worker thread, as
   * its key derivation can take most of a second): the TLS context is built from this plain key instead.
   */
  keyOpened?: OpenedKeyPem;
  /** Roots that verify the SERVER; absent → the system store. */
  caPem?: string;
  /** Skip server verification. Reported loudly in every result; never the default. */
  insecure?: boolean;
}

/** A webhook request to send. */
export interface SendOptions extends ClientCredentials {
  url: string;
  /** Decides the default headers and which WebhookResponse check runs; detected from the body when absent. */
  platform?: Platform;
  body: string | object;
  /** POST (what platforms send; the default) or GET without a body (health checks, peers like `openssl s_server -www`). */
  method?: 'POST' | 'GET';
  headers?: Record<string, string>;
  /** Give up after this many ms (connect + handshake + response). Default 30 000. */
  timeoutMs?: number;
  /** The platform's webhook timeout the response is checked against (CX: the agent's setting, 5 000 default). */
  platformTimeoutMs?: number;
  /** Pin TLS versions (e.g. to reproduce a peer that only speaks TLS 1.2). */
  minTlsVersion?: 'TLSv1.2' | 'TLSv1.3';
  maxTlsVersion?: 'TLSv1.2' | 'TLSv1.3';
  signal?: AbortSignal;
}

/** One certificate the server presented. */
export interface CertSummary {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  sha256: string;
  pem: string;
}

/** Phases in ms. dns/connect/tls are absent when the request reused a kept-alive connection. */
export interface SendTiming {
  dnsMs?: number;
  /** TCP connect (after DNS). */
  connectMs?: number;
  /** TLS handshake, from TCP connected to handshake done. */
  tlsMs?: number;
  /** From the request going out (handshake done, or start when reused) to the response headers. */
  ttfbMs?: number;
  /** Start to last body byte (or to the failure). */
  totalMs: number;
  reusedConnection: boolean;
}

/** What the handshake negotiated and whom we talked to. */
export interface TlsDetails {
  protocol: string | null;
  cipher: string | null;
  alpn: string | null;
  /** 'verified' against caPem or the system roots; 'DISABLED' when insecure was set. */
  verification: 'verified' | 'DISABLED';
  /** With verification off: what verification would have said (null = it would have passed). */
  authorizationError: string | null;
  /** Leaf first, as the server presented it (plus the root when the verifier found it). */
  serverChain: CertSummary[];
  /**
   * Our client certificate: `requested` is whether the server sent a CertificateRequest; `presented` means one
   * was configured and the server asked for it, so it went out. `subject`/`sha256` name the configured one.
   */
  clientCertificate: { presented: boolean; requested?: boolean; subject?: string; sha256?: string };
}

/** The test ID token a Dialogflow-shaped send attached, described without the token. */
export interface SentIdToken {
  readonly audience: string;
  readonly email: string;
  readonly kid: string;
  readonly expiresAt: string;
  readonly jwksFile?: string;
  /** The server settings that make server.mts accept it. */
  readonly serverEnv: string;
}

/** The outcome of one send. `error` is set instead of throwing for network and TLS failures. */
export interface SendResult {
  ok: boolean;
  request: { url: string; method: 'POST' | 'GET'; headers: Record<string, string>; bytes: number; platform?: Platform };
  status?: number;
  headers?: Record<string, string | string[]>;
  /** Pretty-printed when JSON. */
  body?: string;
  json?: unknown;
  bytes?: number;
  timing: SendTiming;
  /** Present whenever a handshake completed, also when the request then failed (e.g. no answer in time). */
  tls?: TlsDetails;
  checks: ResponseCheck[];
  /** Loud notices, e.g. that server verification was off. */
  warnings: string[];
  error?: { code: string; message: string; explanation: Explanation };
  /** What the client saw of the handshake (the input of the timeline, for tools that add the server's side). */
  observation: HandshakeObservation;
  /** The handshake as Kore.ai's five steps, with the failed one marked. */
  handshake: HandshakeTimeline;
}
