/**
 * The mTLS probe: sends the same request with a series of bad client certificates and the user's good
 * one, and reports, per row, whether the server refused at the handshake, refused in the application
 * (HTTP 401/403 after accepting the handshake), or accepted. A server that accepts a bad row does not
 * enforce mTLS (the bug of the demo server in Dialogflow's docs: requestCert without rejectUnauthorized).
 */
import { sampleRequest, type Platform } from '../webhook/index';
import { sendWebhook } from './webhookClient';
import { currentWindow, leafFrom, pastWindow, selfSignedClient, throwawayCa, type CertAndKey, type Issuer } from './throwawayCerts';
import type { ClientCredentials, SendResult } from './types';

/** What happened to one row's request. */
export type ProbeObservation = 'refused-handshake' | 'refused-by-app' | 'accepted' | 'error';

export interface ProbeRow {
  id: 'no-cert' | 'self-signed' | 'unknown-ca' | 'expired' | 'no-client-auth' | 'valid';
  label: string;
  expected: 'refused' | 'accepted';
  observed: ProbeObservation;
  pass: boolean;
  /** HTTP status when a response came back. */
  status?: number;
  /** Explanation code of the failure (ALERT_UNKNOWN_CA, ECONNRESET, …) when refused or failed. */
  errorCode?: string;
  detail: string;
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
  timeoutMs?: number;
  /** Headers every row sends (e.g. the Authorization the server requires), so only the certificate differs. */
  headers?: Record<string, string>;
}

// Refusals the server can express: a TLS alert, or closing the connection before any HTTP response.
const REFUSAL = /^(ALERT_|ECONNRESET$)/;

function observe(r: SendResult): { observed: ProbeObservation; detail: string } {
  if (r.status !== undefined) {
    if (r.status === 401 || r.status === 403) return { observed: 'refused-by-app', detail: `handshake accepted, then HTTP ${r.status}` };
    return { observed: 'accepted', detail: `HTTP ${r.status}` };
  }
  const e = r.error;
  if (e && REFUSAL.test(e.code)) return { observed: 'refused-handshake', detail: `${e.explanation.title} [${e.code}]` };
  return { observed: 'error', detail: e ? `${e.explanation.title} [${e.code}]: ${e.message.split('\n')[0]}` : 'no response' };
}

/** Probes `url` with bad client certificates and the user's good one; never throws for network failures. */
export async function probeEndpoint(url: string, creds: ClientCredentials, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const serverTrust = { caPem: creds.caPem, insecure: creds.insecure };
  const warnings: string[] = creds.insecure ? ['TLS VERIFICATION WAS OFF (--insecure): the server\'s certificate was NOT checked.'] : [];
  const throwaway = await throwawayCa();
  const issuer: Issuer = opts.issuer ?? { certPem: throwaway.intermediate.certPem + throwaway.root.certPem, keyPem: throwaway.intermediate.keyPem };
  const badCertIssuer = opts.issuer ? 'your CA' : 'throwaway CA';
  const [selfSigned, expired, serverOnly] = await Promise.all([
    selfSignedClient(),
    leafFrom(issuer, { role: 'client', cn: 'mtls-probe expired client', ...pastWindow() }),
    leafFrom(issuer, { role: 'server', cn: 'mtls-probe serverAuth-only', ...currentWindow() }),
  ]);
  if (!opts.issuer) warnings.push('The expired and serverAuth-only rows are signed by a throwaway CA, so an unknown-CA refusal also counts for them; give the CA that issued your client certificate to test expiry and purpose alone.');
  const plan: { id: ProbeRow['id']; label: string; client?: CertAndKey | ClientCredentials; expected: ProbeRow['expected'] }[] = [
    { id: 'no-cert', label: 'no client certificate', expected: 'refused' },
    { id: 'self-signed', label: 'self-signed client certificate', client: selfSigned, expected: 'refused' },
    { id: 'unknown-ca', label: 'client certificate from an unknown CA', client: throwaway.client, expected: 'refused' },
    { id: 'expired', label: 'expired client certificate', client: expired, expected: 'refused' },
    { id: 'no-client-auth', label: 'client certificate without clientAuth (serverAuth only)', client: serverOnly, expected: 'refused' },
    { id: 'valid', label: 'your client certificate', client: creds, expected: 'accepted' },
  ];
  const body = sampleRequest(opts.platform ?? 'cx');
  const rows: ProbeRow[] = [];
  for (const p of plan) {
    if (opts.signal?.aborted) break;
    const c = p.client as ClientCredentials | undefined;
    const r = await sendWebhook({
      url, body, platform: opts.platform ?? 'cx', headers: opts.headers, signal: opts.signal, timeoutMs: opts.timeoutMs ?? 10_000, ...serverTrust,
      ...(c ? { certPem: c.certPem, keyPem: c.keyPem, pfx: c.pfx, passphrase: c.passphrase } : {}),
    });
    const o = observe(r);
    const pass = p.expected === 'accepted' ? o.observed === 'accepted' : o.observed === 'refused-handshake';
    rows.push({ id: p.id, label: p.label, expected: p.expected, observed: o.observed, pass, ...(r.status !== undefined ? { status: r.status } : {}), ...(r.error ? { errorCode: r.error.code } : {}), detail: o.detail });
  }
  const verdict = judge(rows);
  return { url, verdict, summary: summaries[verdict](rows), rows, badCertIssuer, warnings };
}

function judge(rows: ProbeRow[]): ProbeVerdict {
  const bad = rows.filter((r) => r.expected === 'refused');
  if (bad.some((r) => r.observed === 'accepted')) return 'not-enforced';
  if (bad.some((r) => r.observed === 'refused-by-app')) return 'app-only';
  const valid = rows.find((r) => r.id === 'valid');
  if (rows.length < 6 || !valid?.pass || bad.some((r) => r.observed === 'error')) return 'inconclusive';
  return 'enforced';
}

const summaries: Record<ProbeVerdict, (rows: ProbeRow[]) => string> = {
  enforced: () => 'mTLS is enforced: every bad client certificate was refused at the handshake and yours was accepted.',
  'not-enforced': (rows) =>
    `NOT ENFORCING mTLS: the server answered requests made with ${rows.filter((r) => r.expected === 'refused' && r.observed === 'accepted').map((r) => r.label).join('; ')}. ` +
    'A server must refuse these at the handshake (Node: requestCert: true AND rejectUnauthorized: true).',
  'app-only': () => 'Not enforcing at the handshake: bad client certificates complete the TLS handshake and are only refused by the application (HTTP 401/403). Set rejectUnauthorized: true (or ssl_verify_client on) so they never reach your code.',
  inconclusive: (rows) => {
    const valid = rows.find((r) => r.id === 'valid');
    return valid && !valid.pass ? `Inconclusive: your own client certificate was not accepted (${valid.detail}); fix that first.` : 'Inconclusive: some rows could not be run (see their details).';
  },
};
