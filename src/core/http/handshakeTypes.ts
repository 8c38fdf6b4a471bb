/** The shapes of a handshake observation (what the client saw) and of the five-step timeline built from it. */
import type { Explanation } from './explainTlsError';

/** One certificate as presented on the wire: enough to recognise it, never key material. */
export interface PresentedCertificate {
  subject: string;
  issuer: string;
  sha256: string;
  /** "EC P-256", "RSA 2048", "Ed25519". */
  keyType: string;
  validFrom: string;
  validTo: string;
}

/**
 * What the client observed on one connection, in ms since the send started. Marks are absent when that
 * moment was never reached; everything is JSON-serialisable so other tools can rebuild the timeline.
 */
export interface HandshakeObservation {
  /** Wall-clock start (ISO), to match the server's log lines. */
  startedAt: string;
  host: string;
  port: number;
  /** The request went over a kept-alive connection: no handshake happened for it. */
  reusedConnection: boolean;
  /** Our side of the TCP connection: the server logs it, so it identifies this connection in the server's log. */
  localPort?: number;
  marks: {
    /** TCP connected; the ClientHello goes out right after. */
    connectedMs?: number;
    /** The server's certificate flight has arrived (first moment its certificate was readable). */
    serverFlightMs?: number;
    /** Our side of the handshake is done (our certificate and Finished sent). */
    handshakeDoneMs?: number;
    /** HTTP response headers arrived. */
    responseMs?: number;
    /** The send ended (answer complete or failure). */
    endMs: number;
  };
  protocol?: string;
  cipher?: string;
  /** Signature algorithms the server listed in its CertificateRequest (empty: it did not ask). */
  signatureAlgorithms?: string[];
  /** The ephemeral key exchange, e.g. "ECDH X25519". */
  ephemeralKey?: string;
  /** true/false when observed (the server's CertificateRequest), undefined when the handshake ended first. */
  certificateRequested?: boolean;
  /** Leaf first, as the server presented it. */
  serverChain: PresentedCertificate[];
  verification: 'verified' | 'DISABLED';
  /** What verification said about the server (null = passed); with verification off, what it would have said. */
  authorizationError?: string | null;
  /** What we were configured to present, leaf first; 'pkcs12' when it came from a .p12 we do not decode here. */
  client: { source: 'pem' | 'pkcs12' | 'none'; chain: PresentedCertificate[] };
  status?: number;
  error?: { code: string; message: string; explanation: Explanation };
}

export type HandshakeStepNumber = 1 | 2 | 3 | 4 | 5;
export type HandshakeStepStatus = 'ok' | 'failed' | 'not-reached';

/** A line the scaffolded server logged about a connection (a refused handshake). */
export interface ServerLogLine {
  at: string;
  remoteAddress: string;
  remotePort: number;
  code: string;
  reason: string;
  line: string;
}

/** One of Kore.ai's five documented steps of two-way TLS. */
export interface HandshakeStep {
  step: HandshakeStepNumber;
  name: string;
  status: HandshakeStepStatus;
  /** ms since the send started, when the step happened (or failed). */
  atMs?: number;
  /** One line: what happened at this step. */
  summary: string;
  /** Further lines: what was presented, negotiated, or noticed. */
  details: string[];
  /** The certificates presented at this step (step 2: the server's; step 4: ours). */
  presented?: PresentedCertificate[];
  /** Set on the failed step: the alert or verification error, its cause and fix. */
  error?: { code: string; message: string; title: string; cause: string; fix: string; action?: Explanation['action'] };
  /** The server's own log line about this connection, when the server is ours and logged one. */
  server?: ServerLogLine;
}

/** The handshake as five steps; `failedStep` names the one that failed, if any. */
export interface HandshakeTimeline {
  outcome: 'ok' | 'failed';
  failedStep?: HandshakeStepNumber;
  steps: HandshakeStep[];
  protocol?: string;
  cipher?: string;
  signatureAlgorithms?: string[];
  ephemeralKey?: string;
  clientPort?: number;
  reusedConnection: boolean;
}
