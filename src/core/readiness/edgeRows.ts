/**
 * Rows for a webhook behind a TLS-terminating edge (`mtls check --edge KIND`): the server reads the edge's
 * certificate headers; the public URL refuses a client without a certificate and one from another CA (the
 * edge enforces mTLS, it does not just forward); the edge was configured from a bundle of exactly the
 * platform's roots; the origin refuses a forged certificate header sent around the edge.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { refusedAtHandshake, sendWebhook, type SendResult } from '../http/index';
import { throwawayCa } from '../testIdentities/throwawayCerts';
import { edgeFormat, type EdgeTarget } from '../edge/types';
import type { ServerConfig } from '../scaffold/serverConfig';
import { sampleRequest, type Platform } from '../webhook/index';
import { forgedEdgeHeaders } from './forgedEdgeHeaders';
import { measured, row, type CheckRow } from './types';

const G = 'edge' as const;
const TIMEOUT_MS = 10_000;

export interface EdgeInput {
  readonly kind: EdgeTarget;
  /** The public URL (https, served by the edge). */
  readonly url: string;
  /** The origin's own URL, to send a request around the edge; absent → that row is a warning. */
  readonly origin?: string;
  readonly platform: Platform;
  readonly config: ServerConfig;
  /** The client-roots row: the edge's trust comes from the same CA bundle. */
  readonly clientRoots?: CheckRow;
  /** A client certificate (leaf PEM first) the CA bundle accepts: the one a forger would claim. */
  readonly forgeWith?: string;
  /** The Authorization the server requires, so that only the origin's edge checks can refuse the forgery. */
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

/** The edge kinds whose headers a server with MTLS_EDGE=`format` reads, for advice. */
export function edgeKindsFor(format: string): EdgeTarget[] {
  return (Object.keys(edgeFormat) as EdgeTarget[]).filter((k) => edgeFormat[k] === format);
}

export async function edgeRows(o: EdgeInput): Promise<CheckRow[]> {
  const rows: CheckRow[] = [modeRow(o)];
  const other = await throwawayCa('mtls-check another CA');
  const send = (client?: { certPem: string; keyPem: string }): Promise<SendResult> =>
    sendWebhook({
      url: o.url,
      platform: o.platform,
      body: sampleRequest(o.platform),
      insecure: true,
      timeoutMs: TIMEOUT_MS,
      signal: o.signal,
      ...(client ?? {}),
    });
  const bare = await send();
  rows.push(
    measured(
      edgeRefusalRow('edge-no-certificate', 'a client WITHOUT a certificate', bare, o),
      bare.handshake,
      'a request without a client certificate',
    ),
  );
  const stranger = await send(other.client);
  rows.push(
    measured(
      edgeRefusalRow('edge-other-ca', 'a client certificate from ANOTHER CA', stranger, o),
      stranger.handshake,
      'a request with a client certificate from another CA',
    ),
  );
  rows.push(trustRow(o));
  rows.push(await originRow(o, other.client.certPem));
  return rows;
}

function modeRow(o: EdgeInput): CheckRow {
  const want = edgeFormat[o.kind];
  const c = o.config;
  const fix = `Set MTLS_EDGE=${want} where the origin runs, with MTLS_EDGE_TRUSTED (the edge's addresses) and/or MTLS_EDGE_SECRET: mtls edge ${o.kind} writes them to origin.env.`;
  if (c.edge === '')
    return row(
      'edge-mode',
      G,
      'fail',
      'server.mts is not in edge mode: it expects the client certificate in its own TLS handshake, which the edge ends, so every request through the edge is refused (or, with a public root, never authenticated).',
      fix,
    );
  if (c.edge !== want)
    return row(
      'edge-mode',
      G,
      'fail',
      `server.mts reads ${c.edge} certificate headers (MTLS_EDGE=${c.edge}), but a ${o.kind} edge sends ${want} ones: every request through it is refused.`,
      fix,
    );
  const from = [
    c.edgeTrusted.length > 0 ? `only from ${c.edgeTrusted.join(', ')}` : '',
    c.edgeSecretSet ? 'only with the X-Mtls-Edge-Secret header' : '',
  ]
    .filter(Boolean)
    .join(' and ');
  if (from === '')
    return row(
      'edge-mode',
      G,
      'fail',
      `server.mts is in edge mode (${c.edge}) with neither MTLS_EDGE_TRUSTED nor MTLS_EDGE_SECRET: it refuses to start.`,
      fix,
    );
  return row(
    'edge-mode',
    G,
    'pass',
    `server.mts reads the client certificate from the ${o.kind} edge's headers (MTLS_EDGE=${c.edge}, over ${c.edgeListen}), ${from}, and verifies it against its own CA bundle.`,
  );
}

/** The origin's refusal body: `{"error":"forbidden: …"}` (the edge passed the request on). */
function originRefusal(r: SendResult): string | undefined {
  const e = (r.json as { error?: unknown } | undefined)?.error;
  return typeof e === 'string' && /^forbidden\b/.test(e) ? e : undefined;
}

/**
 * The edge enforces when it refuses at the handshake, or (nginx) asks for a certificate and answers 4xx
 * itself. An edge that never asks, or passes the request on (2xx, the origin's 403, a 5xx), does not.
 */
function edgeRefusalRow(id: string, what: string, r: SendResult, o: EdgeInput): CheckRow {
  const host = new URL(o.url).host;
  const fix = `Make the edge require and verify client certificates against the platform's CA bundle (mtls edge ${o.kind} writes that configuration; nginx: ssl_verify_client on and ssl_client_certificate). An HTTPS tunnel that terminates TLS without asking for client certificates cannot be used.`;
  if (refusedAtHandshake(r))
    return row(id, G, 'pass', `${host} refuses ${what} at the handshake (${r.error.explanation.title}).`);
  if (r.status === undefined)
    return row(
      id,
      G,
      'warn',
      `Could not tell whether ${host} refuses ${what}: ${r.error?.explanation.title ?? 'no answer'}.`,
      'Check that the edge is running and reachable, then run the check again.',
    );
  const notRequired = (why: string): CheckRow =>
    row(id, G, 'fail', `The edge does not require client certificates: ${why}.`, fix);
  if (r.observation.certificateRequested === false)
    return notRequired(`${host} did not ask for one during the handshake and answered ${what} with HTTP ${r.status}`);
  const reached = originRefusal(r);
  if (reached !== undefined)
    return notRequired(
      `${host} passed ${what} on to your server, which refused it (HTTP ${r.status} "${reached}"); the edge must refuse it itself`,
    );
  if (r.status < 400 || r.status >= 500) return notRequired(`${host} answered ${what} with HTTP ${r.status}`);
  const said = firstLine(r.body);
  return row(
    id,
    G,
    'pass',
    `${host} asks for a client certificate and refuses ${what} itself with HTTP ${r.status}${said ? ` ("${said}")` : ''}.`,
  );
}

function firstLine(body: string | undefined): string {
  const text = (body ?? '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function trustRow(o: EdgeInput): CheckRow {
  const file = o.config.caPath;
  const remote =
    'What cannot be checked from here: which roots the deployed edge really trusts (a handshake does not reveal them, and only the platform holds a key for its certificate).';
  const regenerate = `Regenerate the edge configuration from this bundle (mtls edge ${o.kind}) and redeploy it whenever the bundle changes.`;
  const r = o.clientRoots;
  if (r === undefined)
    return row('edge-trust', G, 'warn', `The CA bundle ${file} could not be judged. ${remote}`, regenerate);
  const text = `The edge's trust comes from the CA bundle it was generated from, ${file}: ${r.message} ${remote}`;
  return r.status === 'pass'
    ? row('edge-trust', G, 'pass', text)
    : row(
        'edge-trust',
        G,
        r.status,
        text,
        `${r.fix ?? "Keep only the platform's roots in the bundle."} ${regenerate}`,
        r.action,
      );
}

async function originRow(o: EdgeInput, throwawayPem: string): Promise<CheckRow> {
  if (o.origin === undefined)
    return row(
      'edge-origin',
      G,
      'warn',
      "Not checked: whether the origin refuses requests that did not come through the edge. Give --origin http://ORIGIN:PORT/webhook (its own address, not the edge's).",
      'Run the check again with --origin.',
    );
  const forged = forgedEdgeHeaders(o.config.edge || edgeFormat[o.kind], o.forgeWith ?? throwawayPem);
  if (forged === undefined)
    return row('edge-origin', G, 'warn', `Not checked: no certificate header format for MTLS_EDGE=${o.config.edge}.`);
  const claimed =
    o.forgeWith !== undefined ? 'a client certificate your CA bundle accepts' : 'a certificate from a throwaway CA';
  const sent = `a request straight to ${o.origin} with a forged ${Object.keys(forged)[0] ?? ''} header claiming ${claimed}, without X-Mtls-Edge-Secret`;
  const answer = await rawRequest(
    o.origin,
    { ...o.headers, ...forged, 'content-type': 'application/json' },
    JSON.stringify(sampleRequest(o.platform)),
    o.signal,
  );
  if ('error' in answer)
    return row(
      'edge-origin',
      G,
      'warn',
      `Could not reach the origin ${o.origin} from here (${answer.error}). If its ingress admits only the edge, that is as it should be; otherwise check the address.`,
      "Run the check from a machine outside the edge's network to be sure.",
    );
  const said = /"error"\s*:\s*"([^"]*)"/.exec(answer.body)?.[1] ?? firstLine(answer.body);
  if (answer.status === 403 && /not from the trusted edge/.test(said))
    return row('edge-origin', G, 'pass', `The origin refused ${sent} (HTTP 403 "${said}").`);
  if (answer.status === 403) {
    return row(
      'edge-origin',
      G,
      'warn',
      `The origin refused ${sent}, but for the certificate (HTTP 403 "${said}"), not for where the request came from: with a certificate it accepts, the forgery may pass.`,
      'Put a client certificate of your CA in certs/client-fullchain.pem (with client-key.pem) so the check can forge a convincing header, and make sure MTLS_EDGE_TRUSTED / MTLS_EDGE_SECRET are set.',
    );
  }
  const how =
    answer.status === 401
      ? 'took the forged certificate as the caller (only the Authorization check then refused it, HTTP 401)'
      : `answered HTTP ${answer.status}`;
  return row(
    'edge-origin',
    G,
    'fail',
    `The origin is reachable around the edge: ${sent} ${how}. Anyone who reaches the origin can claim any client certificate.`,
    `Set MTLS_EDGE_SECRET (the edge adds X-Mtls-Edge-Secret; mtls edge ${o.kind} writes both sides) and MTLS_EDGE_TRUSTED to the edge's addresses only, and restrict ingress to the origin: Cloud Run ingress "internal and Cloud Load Balancing", security groups or firewall rules admitting only the load balancer, a Kubernetes NetworkPolicy.`,
  );
}

/** One POST on a new connection (http or https; the origin's certificate is not what this row checks). */
function rawRequest(
  url: string,
  headers: Record<string, string>,
  body: string,
  signal?: AbortSignal,
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve({ error: `"${url}" is not a URL` });
      return;
    }
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      {
        method: 'POST',
        headers,
        agent: false,
        timeout: TIMEOUT_MS,
        rejectUnauthorized: false,
        ...(signal ? { signal } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d.length + text.length > 65_536 ? '' : d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', (e) => resolve({ error: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(body);
  });
}
