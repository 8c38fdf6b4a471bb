/**
 * The mTLS probe: sends the same request with a series of bad client certificates and the user's good
 * one, and reports, per row, whether the server refused at the handshake, refused in the application
 * (HTTP 401/403 after accepting the handshake), or accepted. A server that accepts a bad row does not
 * enforce mTLS (the bug of the demo server in Dialogflow's docs: requestCert without rejectUnauthorized).
 */
import { sampleRequest, type Platform } from '../webhook/index';
import { createTestIdTokenIssuer, dialogflowClaims, encodeJwt, type TestIdTokenIssuer } from '../idtoken/index';
import { sendWebhook } from './webhookClient';
import {
  currentWindow,
  leafFrom,
  pastWindow,
  selfSignedClient,
  throwawayCa,
  type Issuer,
} from '../testIdentities/throwawayCerts';
import type { ClientCredentials, SendResult } from './types';
import type { HandshakeObservation, HandshakeTimeline } from './handshakeTypes';

/**
 * What happened to one row's request. `accepted-not-http`: the handshake completed and the server answered, but
 * not with HTTP — the handshake accepted the certificate; what the application would answer is unknown.
 */
export type ProbeObservation = 'refused-handshake' | 'refused-by-app' | 'accepted' | 'accepted-not-http' | 'error';

export interface ProbeRow {
  id: 'no-cert' | 'self-signed' | 'unknown-ca' | 'expired' | 'no-client-auth' | 'valid' | IdTokenRowId;
  label: string;
  /** `unauthorized`: the handshake passes (your certificate) and the application answers 401. */
  expected: 'refused' | 'accepted' | 'unauthorized';
  observed: ProbeObservation;
  pass: boolean;
  /** HTTP status when a response came back. */
  status?: number;
  /** Explanation code of the failure (ALERT_UNKNOWN_CA, ECONNRESET, …) when refused or failed. */
  errorCode?: string;
  detail: string;
  /** What the client saw of this row's handshake, and the five steps built from it. */
  observation: HandshakeObservation;
  handshake: HandshakeTimeline;
}

/** 'enforced': every bad row refused at the handshake and the good one accepted. */
export type ProbeVerdict = 'enforced' | 'not-enforced' | 'app-only' | 'inconclusive';

export interface ProbeResult {
  url: string;
  verdict: ProbeVerdict;
  /** One sentence for the user. */
  summary: string;
  rows: ProbeRow[];
  /** Who signed the expired and serverAuth-only certificates: the user's CA (meaningful) or a throwaway one. */
  badCertIssuer: 'your CA' | 'throwaway CA';
  warnings: string[];
}

export interface ProbeOptions {
  signal?: AbortSignal;
  /** The CA that issued the user's client certificate: lets the expired / no-clientAuth rows be otherwise valid. */
  issuer?: Issuer;
  platform?: Platform;
  /** How long each row's connection, handshake and response may take (default {@link PROBE_TIMEOUT_MS}). */
  timeoutMs?: number;
  /**
   * The server verifies Google ID tokens: adds rows with your certificate and a missing, expired, wrong-audience,
   * unknown-key and alg-none token, each of which must get 401. `issuer`: a test key whose JWKS the server
   * trusts (then expiry and audience are tested alone, and your row expects 200 with a valid token).
   */
  idToken?: { audience: string; email?: string; issuer?: TestIdTokenIssuer };
  /** Headers every row sends (e.g. the Authorization the server requires), so only the certificate differs. */
  headers?: Record<string, string>;
}

/** Each row's time limit: a refusal at the handshake takes milliseconds, so this only bounds a silent server. */
export const PROBE_TIMEOUT_MS = 10_000;

export type IdTokenRowId =
  'id-token-none' | 'id-token-expired' | 'id-token-wrong-audience' | 'id-token-unknown-key' | 'id-token-alg-none';

/**
 * Did the server refuse the connection at the handshake? The refusals a server can express: a TLS alert, or
 * closing the connection before any HTTP response.
 */
export function refusedAtHandshake(r: SendResult): r is SendResult & { error: NonNullable<SendResult['error']> } {
  return r.status === undefined && r.error !== undefined && /^(ALERT_|ECONNRESET$)/.test(r.error.code);
}

function observe(r: SendResult): { observed: ProbeObservation; detail: string } {
  if (r.status !== undefined) {
    if (r.status === 401 || r.status === 403)
      return { observed: 'refused-by-app', detail: `handshake accepted, then HTTP ${r.status}` };
    return { observed: 'accepted', detail: `HTTP ${r.status}` };
  }
  if (refusedAtHandshake(r))
    return { observed: 'refused-handshake', detail: `${r.error.explanation.title} [${r.error.code}]` };
  // Bytes came back over the finished handshake: the server took the certificate (or its absence) and went on.
  if (r.error?.code === 'NOT_HTTP')
    return {
      observed: 'accepted-not-http',
      detail: `handshake completed, then an answer that is not HTTP: ${r.error.message.split('\n')[0]}`,
    };
  const e = r.error;
  return {
    observed: 'error',
    detail: e ? `${e.explanation.title} [${e.code}]: ${e.message.split('\n')[0]}` : 'no response',
  };
}

/** Probes `url` with bad client certificates and the user's good one; never throws for network failures. */
export async function probeEndpoint(
  url: string,
  creds: ClientCredentials,
  opts: ProbeOptions = {},
): Promise<ProbeResult> {
  const serverTrust = { caPem: creds.caPem, insecure: creds.insecure };
  const warnings: string[] = creds.insecure
    ? ["TLS VERIFICATION WAS OFF (--insecure): the server's certificate was NOT checked."]
    : [];
  const throwaway = await throwawayCa();
  const issuer: Issuer = opts.issuer ?? {
    certPem: throwaway.intermediate.certPem + throwaway.root.certPem,
    keyPem: throwaway.intermediate.keyPem,
  };
  const badCertIssuer = opts.issuer ? 'your CA' : 'throwaway CA';
  const [selfSigned, expired, serverOnly] = await Promise.all([
    selfSignedClient(),
    leafFrom(issuer, { role: 'client', cn: 'mtls-probe expired client', ...pastWindow() }),
    leafFrom(issuer, { role: 'server', cn: 'mtls-probe serverAuth-only', ...currentWindow() }),
  ]);
  if (!opts.issuer)
    warnings.push(
      'The expired and serverAuth-only rows are signed by a throwaway CA, so an unknown-CA refusal also counts for them; give the CA that issued your client certificate to test expiry and purpose alone.',
    );
  const plan: {
    id: ProbeRow['id'];
    label: string;
    client?: ClientCredentials;
    expected: ProbeRow['expected'];
    token?: string;
  }[] = [
    { id: 'no-cert', label: 'no client certificate', expected: 'refused' },
    { id: 'self-signed', label: 'self-signed client certificate', client: selfSigned, expected: 'refused' },
    { id: 'unknown-ca', label: 'client certificate from an unknown CA', client: throwaway.client, expected: 'refused' },
    { id: 'expired', label: 'expired client certificate', client: expired, expected: 'refused' },
    {
      id: 'no-client-auth',
      label: 'client certificate without clientAuth (serverAuth only)',
      client: serverOnly,
      expected: 'refused',
    },
  ];
  const id = opts.idToken;
  if (id === undefined) {
    plan.push({ id: 'valid', label: 'your client certificate', client: creds, expected: 'accepted' });
  } else {
    const [trusted, stranger] = await Promise.all([id.issuer ?? createTestIdTokenIssuer(), createTestIdTokenIssuer()]);
    const claims = { audience: id.audience, ...(id.email !== undefined ? { email: id.email } : {}) };
    if (!id.issuer)
      warnings.push(
        "The expired and wrong-audience tokens are signed by a key the server does not know, so an unknown-key refusal also counts for them; write the probe's JWKS (--jwks-out) where the server reads MTLS_GOOGLE_JWKS_URL to test each claim alone.",
      );
    plan.push(
      { id: 'id-token-none', label: 'your certificate, no ID token', client: creds, expected: 'unauthorized' },
      {
        id: 'id-token-expired',
        label: 'your certificate, expired ID token',
        client: creds,
        expected: 'unauthorized',
        token: trusted.sign({ ...claims, lifetimeSeconds: -600 }),
      },
      {
        id: 'id-token-wrong-audience',
        label: 'your certificate, ID token for another audience',
        client: creds,
        expected: 'unauthorized',
        token: trusted.sign({ ...claims, audience: 'https://another-service.example.com/' }),
      },
      {
        id: 'id-token-unknown-key',
        label: 'your certificate, ID token from an unknown key',
        client: creds,
        expected: 'unauthorized',
        token: stranger.sign(claims),
      },
      {
        id: 'id-token-alg-none',
        label: 'your certificate, unsigned ID token (alg none)',
        client: creds,
        expected: 'unauthorized',
        token: encodeJwt(dialogflowClaims(claims), { none: true }, trusted.kid),
      },
      id.issuer
        ? {
            id: 'valid',
            label: 'your certificate and a valid ID token',
            client: creds,
            expected: 'accepted',
            token: trusted.sign(claims),
          }
        : {
            id: 'valid',
            label: 'your certificate (its test ID token is unknown to the server: 401)',
            client: creds,
            expected: 'unauthorized',
            token: trusted.sign(claims),
          },
    );
  }
  const planned = plan.length;
  const body = sampleRequest(opts.platform ?? 'cx');
  const rows: ProbeRow[] = [];
  const timeoutMs = opts.timeoutMs ?? PROBE_TIMEOUT_MS;
  let silent: SendResult | undefined;
  for (const p of plan) {
    if (opts.signal?.aborted) break;
    const c = p.client;
    const r = await sendWebhook({
      url,
      body,
      platform: opts.platform ?? 'cx',
      headers: opts.headers,
      signal: opts.signal,
      timeoutMs,
      ...serverTrust,
      ...(c
        ? {
            certPem: c.certPem,
            keyPem: c.keyPem,
            keyOpened: c.keyOpened,
            pfx: c.pfx,
            pfxOpened: c.pfxOpened,
            passphrase: c.passphrase,
          }
        : {}),
      // A token row's Authorization replaces any the caller gave: the token is what that row tests.
      ...(p.token !== undefined || p.id === 'id-token-none'
        ? { headers: withoutAuthorization(opts.headers, p.token) }
        : {}),
    });
    const o = observe(r);
    // Whether a certificate is accepted is the handshake's to decide, so a server that does not speak HTTP still
    // passes your row; a 401 needs HTTP.
    const pass =
      p.expected === 'accepted'
        ? acceptedAtHandshake(o.observed)
        : p.expected === 'unauthorized'
          ? r.status === 401
          : o.observed === 'refused-handshake';
    rows.push({
      id: p.id,
      label: p.label,
      expected: p.expected,
      observed: o.observed,
      pass,
      ...(r.status !== undefined ? { status: r.status } : {}),
      ...(r.error ? { errorCode: r.error.code } : {}),
      detail: o.detail,
      observation: r.observation,
      handshake: r.handshake,
    });
    // No answer at all: every other row would wait just as long for the same silence.
    if (silentServer(r)) {
      silent = r;
      break;
    }
  }
  const verdict = judge(rows, planned);
  const summary = silent
    ? silentSummary(url, silent, timeoutMs, planned - rows.length)
    : [summaries[verdict](rows), ...notHttpNote(rows)].join(' ');
  return { url, verdict, summary, rows, badCertIssuer, warnings };
}

/** Timed out before the server sent anything of its handshake (its certificate never came). */
function silentServer(r: SendResult): boolean {
  return (
    r.error?.code === 'ETIMEDOUT' &&
    r.observation.serverChain.length === 0 &&
    r.observation.marks.serverFlightMs === undefined
  );
}

function silentSummary(url: string, r: SendResult, timeoutMs: number, skipped: number): string {
  const connected = r.observation.marks.connectedMs !== undefined;
  const what = connected
    ? `the server at ${url} accepted the TCP connection but did not answer the TLS handshake within ${timeoutMs} ms`
    : `nothing at ${url} answered the TCP connection within ${timeoutMs} ms`;
  const fix = connected
    ? 'Check that a TLS server listens on that port and is not stuck (a plain TCP service or a hung process answers nothing).'
    : 'Check the host and port, and any firewall dropping the packets.';
  const rest = skipped > 0 ? `, so the ${skipped} other row${skipped === 1 ? ' was' : 's were'} not run` : '';
  return `Inconclusive: ${what}${rest}. ${fix}`;
}

/** The caller's headers with Authorization replaced by the row's token, or removed. */
function withoutAuthorization(
  headers: Record<string, string> | undefined,
  token: string | undefined,
): Record<string, string> {
  const out = Object.fromEntries(Object.entries(headers ?? {}).filter(([k]) => !/^authorization$/i.test(k)));
  return token !== undefined ? { ...out, authorization: `Bearer ${token}` } : out;
}

/** The server completed the handshake with this row's certificate and went on (with HTTP or not). */
export function acceptedAtHandshake(observed: ProbeObservation): boolean {
  return observed === 'accepted' || observed === 'accepted-not-http';
}

function judge(rows: ProbeRow[], planned: number): ProbeVerdict {
  const bad = rows.filter((r) => r.expected === 'refused');
  const tokens = rows.filter((r) => r.id.startsWith('id-token-'));
  // A bad certificate through the handshake is decided there; a bad token only by an HTTP answer.
  if (bad.some((r) => acceptedAtHandshake(r.observed)) || tokens.some((r) => r.observed === 'accepted'))
    return 'not-enforced';
  if (bad.some((r) => r.observed === 'refused-by-app')) return 'app-only';
  const valid = rows.find((r) => r.id === 'valid');
  if (rows.length < planned || !valid?.pass || bad.some((r) => r.observed === 'error') || tokens.some((r) => !r.pass))
    return 'inconclusive';
  return 'enforced';
}

const summaries: Record<ProbeVerdict, (rows: ProbeRow[]) => string> = {
  enforced: (rows) =>
    rows.some((r) => r.id.startsWith('id-token-'))
      ? 'mTLS is enforced and so is the ID token: every bad client certificate was refused at the handshake, and every missing, expired, wrong-audience, unknown-key and unsigned token was refused with 401.'
      : 'mTLS is enforced: every bad client certificate was refused at the handshake and yours was accepted.',
  'not-enforced': (rows) => {
    const certs = rows.filter((r) => r.expected === 'refused' && acceptedAtHandshake(r.observed));
    const tokens = rows.filter((r) => r.id.startsWith('id-token-') && r.observed === 'accepted');
    const answered = certs.every((r) => r.observed === 'accepted')
      ? 'answered requests made with'
      : 'completed the handshake with';
    // A server that verifies the chain but not the purpose lets only the serverAuth-only row through.
    const purposeOnly = certs.length > 0 && certs.every((r) => r.id === 'no-client-auth');
    return [
      ...(purposeOnly
        ? [
            `NOT ENFORCING the client certificate's purpose: the server ${answered} a ${certs[0].label}. It verifies the chain but not the extended key usage; configure it to require clientAuth (Node and OpenSSL-based servers check it by default).`,
          ]
        : []),
      ...(certs.length && !purposeOnly
        ? [
            `NOT ENFORCING mTLS: the server ${answered} ${certs.map((r) => r.label).join('; ')}. A server must refuse these at the handshake (Node: requestCert: true AND rejectUnauthorized: true).`,
          ]
        : []),
      ...(tokens.length
        ? [
            `NOT VERIFYING THE ID TOKEN: the server answered ${tokens.map((r) => r.label).join('; ')}. It must answer 401 (server.mts: MTLS_AUTH=google-id-token).`,
          ]
        : []),
    ].join(' ');
  },
  'app-only': () =>
    'Not enforcing at the handshake: bad client certificates complete the TLS handshake and are only refused by the application (HTTP 401/403). Set rejectUnauthorized: true (or ssl_verify_client on) so they never reach your code.',
  inconclusive: (rows) => {
    // Only the token rows expect an HTTP status that a handshake cannot give.
    if (rows.some((r) => r.expected === 'unauthorized' && r.observed === 'accepted-not-http'))
      return 'Inconclusive for the ID token: its rows need an HTTP 401, and the server does not answer with HTTP.';
    const valid = rows.find((r) => r.id === 'valid');
    if (valid && !valid.pass)
      return `Inconclusive: your own client certificate was not accepted (${valid.detail}); fix that first.`;
    const token = rows.find((r) => r.id.startsWith('id-token-') && !r.pass);
    if (token) return `Inconclusive: ${token.label} was refused, but not with 401 (${token.detail}).`;
    return 'Inconclusive: some rows could not be run (see their details).';
  },
};

/** Said whenever a row's answer was not HTTP: which parts the handshake decided and which it could not. */
function notHttpNote(rows: ProbeRow[]): string[] {
  if (!rows.some((x) => x.observed === 'accepted-not-http')) return [];
  return [
    'Note: the server did not answer with HTTP, so each row was decided by its handshake alone; what it answers to a webhook request was not tested.',
  ];
}
