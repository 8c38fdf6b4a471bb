/**
 * Two-way TLS as the five steps Kore.ai documents (platform says hello → server presents its certificate
 * and asks for one → platform verifies the server → platform presents its client certificate → server
 * verifies it, then the request), built from what the client observed and, when the server is ours, the
 * server's own log line for that connection. A pure function: no I/O, so any tool can rebuild it.
 */
import type {
  HandshakeObservation,
  HandshakeStep,
  HandshakeStepNumber,
  HandshakeTimeline,
  PresentedCertificate,
  ServerLogLine,
} from './handshakeTypes';

/** The five steps' names, in order (Kore.ai's wording, from the platform's side). */
const handshakeStepNames: Readonly<Record<HandshakeStepNumber, string>> = {
  1: 'Platform says hello',
  2: 'Server presents its certificate and asks for one',
  3: 'Platform verifies the server',
  4: 'Platform presents its client certificate',
  5: 'Server verifies it, then the request',
};

// Which step an explained client-side failure belongs to. Codes missing here are decided by how far the
// handshake got (see failedStep below).
const stepOfCode: Record<string, HandshakeStepNumber> = {
  ECONNREFUSED: 1,
  ENOTFOUND: 1,
  NOT_TLS: 1,
  ALERT_PROTOCOL_VERSION: 2,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 3,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 3,
  SELF_SIGNED_CERT_IN_CHAIN: 3,
  DEPTH_ZERO_SELF_SIGNED_CERT: 3,
  CERT_HAS_EXPIRED: 3,
  CERT_NOT_YET_VALID: 3,
  ERR_TLS_CERT_ALTNAME_INVALID: 3,
  INVALID_PURPOSE: 3,
  KEY_MISMATCH: 4,
  BAD_PASSPHRASE: 4,
  PKCS12_BAD_PASSPHRASE: 4,
  ALERT_CERTIFICATE_REQUIRED: 4,
  ALERT_UNKNOWN_CA: 5,
  ALERT_CERTIFICATE_EXPIRED: 5,
  ALERT_UNSUPPORTED_CERTIFICATE: 5,
  // The server accepted the handshake; what failed is its answer.
  NOT_HTTP: 5,
};

// Refusals that name no step: without a client certificate they are the answer to its absence (step 4).
const refusals = new Set([
  'ALERT_HANDSHAKE_FAILURE',
  'ALERT_BAD_CERTIFICATE',
  'ALERT_ACCESS_DENIED',
  'ALERT_DECODE_ERROR',
  'ALERT_OTHER',
  'ECONNRESET',
]);

// Codes that say little about where it broke: when the server logged a reason, the server's step wins.
const vague = new Set([
  'ECONNRESET',
  'UNKNOWN',
  'ETIMEDOUT',
  'ABORTED',
  'ALERT_HANDSHAKE_FAILURE',
  'ALERT_BAD_CERTIFICATE',
  'ALERT_DECODE_ERROR',
  'ALERT_OTHER',
]);

/** The step a refusal logged by the server belongs to (its code is a TLS error or an OpenSSL verify code). */
function stepOfServerCode(code: string): HandshakeStepNumber | undefined {
  if (code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE') return 4;
  // The client refused OUR server certificate and told the server with an alert.
  if (
    /^ERR_SSL_(TLSV1_ALERT_UNKNOWN_CA|SSLV3_ALERT_BAD_CERTIFICATE|SSLV3_ALERT_CERTIFICATE_UNKNOWN|SSLV3_ALERT_CERTIFICATE_EXPIRED)$/.test(
      code,
    )
  )
    return 3;
  if (/^ERR_SSL_(HTTP_REQUEST|WRONG_VERSION_NUMBER)$/.test(code)) return 1;
  if (/^ERR_SSL_(UNSUPPORTED_PROTOCOL|NO_SHARED_CIPHER|NO_PROTOCOLS_AVAILABLE)$/.test(code)) return 2;
  // OpenSSL verify codes (CERT_HAS_EXPIRED, UNABLE_TO_GET_ISSUER_CERT_LOCALLY, …): the client certificate failed.
  if (/^(CERT_|UNABLE_|SELF_SIGNED|DEPTH_ZERO|INVALID_PURPOSE|PATH_LENGTH|KEYUSAGE_)/.test(code)) return 5;
  return undefined;
}

function failedStep(o: HandshakeObservation, code: string): HandshakeStepNumber {
  const known = stepOfCode[code];
  if (known) return known;
  const hasCert = o.client.source !== 'none';
  const m = o.marks;
  if (m.connectedMs === undefined) return 1;
  if (refusals.has(code)) {
    // A server that wants a certificate and gets none answers alert 40 (TLS 1.2; GnuTLS: 50) or just closes.
    if (!hasCert && o.certificateRequested !== false) return 4;
    // Before the server's certificate came, only a refusal that names the client certificate is about step 5.
    if (m.serverFlightMs === undefined && code !== 'ALERT_BAD_CERTIFICATE' && code !== 'ALERT_ACCESS_DENIED') return 2;
    return 5;
  }
  if (m.serverFlightMs === undefined) return 2;
  return 5;
}

const certLine = (c: PresentedCertificate): string =>
  `${c.subject} — issued by ${c.issuer}; ${c.keyType}; valid to ${c.validTo.slice(0, 10)}; SHA-256 ${c.sha256}`;

function chainDetails(label: string, chain: PresentedCertificate[]): string[] {
  return [
    `${label}: ${chain.length} certificate${chain.length === 1 ? '' : 's'}`,
    ...chain.map((c, i) => `  [${i}] ${certLine(c)}`),
  ];
}

// Clocks are the same machine's for a server we started; the slack covers log buffering only.
const SLACK_BEFORE_MS = 1_000;
const SLACK_AFTER_MS = 5_000;

/**
 * The server's line for the connection `obs` describes: same client port, logged while that send ran (the
 * server logs the client's address and port, and we know our local port and when we sent).
 */
export function serverLineFor(lines: readonly ServerLogLine[], obs: HandshakeObservation): ServerLogLine | undefined {
  if (obs.localPort === undefined) return undefined;
  const start = Date.parse(obs.startedAt);
  const end = start + obs.marks.endMs;
  return lines.find((l) => {
    const at = Date.parse(l.at);
    return l.remotePort === obs.localPort && at >= start - SLACK_BEFORE_MS && at <= end + SLACK_AFTER_MS;
  });
}

/** Builds the five steps from one observation; `serverLog` adds the server's side when it is ours. */
export function buildHandshakeTimeline(
  o: HandshakeObservation,
  serverLog: readonly ServerLogLine[] = [],
): HandshakeTimeline {
  const m = o.marks;
  const server = o.error ? serverLineFor(serverLog, o) : undefined;
  const httpRefused = o.status === 401 || o.status === 403;
  let failed: HandshakeStepNumber | undefined;
  if (o.error) {
    failed = failedStep(o, o.error.code);
    const serverStep = server ? stepOfServerCode(server.code) : undefined;
    if (serverStep !== undefined && vague.has(o.error.code)) failed = serverStep;
  } else if (httpRefused) {
    failed = 5;
  }
  // Credentials that do not load fail before any connection: nothing before the failed step happened either.
  const offline = !o.reusedConnection && m.connectedMs === undefined && failed !== undefined && failed > 1;
  const status = (n: HandshakeStepNumber): HandshakeStep['status'] =>
    failed === undefined || (n < failed && !offline) ? 'ok' : n === failed ? 'failed' : 'not-reached';
  const steps: HandshakeStep[] = [];
  const add = (
    n: HandshakeStepNumber,
    atMs: number | undefined,
    summary: string,
    details: string[],
    presented?: PresentedCertificate[],
  ): void => {
    const s = status(n);
    steps.push({
      step: n,
      name: handshakeStepNames[n],
      status: s,
      ...(s !== 'not-reached' && atMs !== undefined ? { atMs: round(atMs) } : {}),
      summary: s === 'not-reached' ? 'not reached' : summary,
      details: s === 'not-reached' ? [] : details,
      ...(presented && presented.length > 0 && s !== 'not-reached' ? { presented } : {}),
    });
  };
  if (o.reusedConnection) {
    // No handshake happened for this request: say so instead of inventing times.
    for (const n of [1, 2, 3, 4] as const) add(n, undefined, 'done earlier on this kept-alive connection', []);
  } else {
    add(
      1,
      m.connectedMs ?? m.endMs,
      `ClientHello to ${o.host}:${o.port}`,
      o.localPort !== undefined ? [`TCP connected from local port ${o.localPort}`] : [],
    );
    const sigalgs = [...new Set(o.signatureAlgorithms ?? [])];
    const asked =
      o.certificateRequested === true
        ? 'asked for a client certificate'
        : o.certificateRequested === false
          ? 'did NOT ask for a client certificate: this server does not enforce mTLS'
          : 'whether it asked for a client certificate was not observed';
    const leaf = o.serverChain[0];
    add(
      2,
      m.serverFlightMs ?? m.endMs,
      leaf ? `server presented ${leaf.subject} and ${asked}` : `no server certificate received`,
      [
        ...(o.protocol
          ? [`negotiated ${o.protocol}, ${o.cipher ?? '?'}${o.ephemeralKey ? `, key exchange ${o.ephemeralKey}` : ''}`]
          : []),
        ...(o.serverChain.length
          ? chainDetails('server chain, leaf first (with the trusted root it chains to, when found)', o.serverChain)
          : []),
        ...(leaf || o.certificateRequested !== undefined
          ? [
              asked +
                (sigalgs.length
                  ? `, signed with one of: ${sigalgs.slice(0, 6).join(', ')}${sigalgs.length > 6 ? ` (+${sigalgs.length - 6} more)` : ''}`
                  : ''),
            ]
          : []),
      ],
      o.serverChain,
    );
    const verifyDetails =
      o.verification === 'DISABLED'
        ? [
            `VERIFICATION WAS OFF (--insecure)${o.authorizationError ? `: it would have failed with ${o.authorizationError}` : ''}`,
          ]
        : ["chain checked against the trusted CAs, host name checked against the certificate's subjectAltName"];
    add(
      3,
      m.handshakeDoneMs ?? m.serverFlightMs ?? m.endMs,
      o.verification === 'DISABLED'
        ? 'server certificate NOT verified (verification off)'
        : 'server certificate verified',
      verifyDetails,
    );
    const sent =
      o.client.source === 'none'
        ? 'no client certificate configured'
        : o.client.source === 'pkcs12'
          ? 'client certificate from PKCS#12'
          : `presented ${o.client.chain[0]?.subject ?? 'a client certificate'}`;
    const step4Summary =
      o.certificateRequested === false
        ? 'not requested by the server, so nothing was sent'
        : o.client.source === 'none' && o.certificateRequested === true
          ? 'the server asked for a client certificate; none was configured, so none was sent'
          : sent;
    add(
      4,
      m.handshakeDoneMs ?? m.serverFlightMs ?? m.endMs,
      step4Summary,
      o.client.chain.length && o.certificateRequested !== false ? chainDetails('client chain', o.client.chain) : [],
      o.certificateRequested === false ? [] : o.client.chain,
    );
  }
  const answer =
    o.status !== undefined
      ? `HTTP ${o.status}${httpRefused ? ': the application refused the request after the handshake' : ''}`
      : 'no HTTP response';
  add(5, m.responseMs ?? m.endMs, o.error ? answer : `${clientVerdict(o)}; ${answer}`, []);

  if (failed !== undefined) {
    const step = steps[failed - 1];
    if (o.error) {
      const e = o.error.explanation;
      step.summary = `FAILED: ${e.title} [${o.error.code}]`;
      step.error = {
        code: o.error.code,
        message: o.error.message.trim().split('\n')[0] ?? '',
        title: e.title,
        cause: e.cause,
        fix: e.fix,
        ...(e.action ? { action: e.action } : {}),
      };
    } else {
      step.summary = `FAILED: ${answer}`;
    }
    if (server) step.server = server;
  }
  return {
    outcome: failed === undefined ? 'ok' : 'failed',
    ...(failed !== undefined ? { failedStep: failed } : {}),
    steps,
    ...(o.protocol ? { protocol: o.protocol } : {}),
    ...(o.cipher ? { cipher: o.cipher } : {}),
    ...(o.signatureAlgorithms?.length ? { signatureAlgorithms: o.signatureAlgorithms } : {}),
    ...(o.ephemeralKey ? { ephemeralKey: o.ephemeralKey } : {}),
    ...(o.localPort !== undefined ? { clientPort: o.localPort } : {}),
    reusedConnection: o.reusedConnection,
  };
}

/** What the server's going on says about the client certificate (only for a request it answered). */
function clientVerdict(o: HandshakeObservation): string {
  if (o.certificateRequested === false) return 'no client certificate checked';
  // Nothing was sent, so nothing was accepted: the server went on without a certificate.
  if (o.client.source === 'none')
    return o.certificateRequested === true
      ? 'no client certificate was sent and the server went on without one: it does not enforce mTLS'
      : 'no client certificate was sent';
  return 'client certificate accepted';
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
