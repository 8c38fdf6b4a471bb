/** Plain-text reports of a send and a probe (the CLI's default output and the VS Code result document). */
import type { ProbeResult } from './probeEndpoint';
import type { SendResult, SentIdToken, TlsDetails } from './types';
import { renderHandshakeTimeline } from './renderHandshake';
import type { HandshakeTimeline } from './handshakeTypes';

const ms = (v: number | undefined): string => (v === undefined ? '—' : `${v.toFixed(1)} ms`);

/** A human-readable report of one send. */
export function renderSendResult(r: SendResult): string {
  const lines: string[] = [];
  for (const w of r.warnings) lines.push(`!!! ${w}`);
  lines.push(
    `${r.request.method} ${r.request.url}${r.request.platform ? `  (${r.request.platform} sample, ${r.request.bytes} bytes)` : ''}`,
  );
  if (r.error) {
    // The answer's head can come before the failure (a body cut at the limit, or one that never finished).
    if (r.status !== undefined) lines.push(`HTTP ${r.status}  ${r.bytes ?? 0} bytes of body received`);
    lines.push(
      '',
      `FAILED: ${r.error.explanation.title} [${r.error.code}]`,
      `  cause: ${r.error.explanation.cause}`,
      `  fix:   ${r.error.explanation.fix}`,
      `  error: ${r.error.message.trim().split('\n')[0]}`,
    );
  } else {
    lines.push(`HTTP ${r.status ?? '?'}  ${r.bytes ?? 0} bytes`);
  }
  lines.push('', renderHandshakeTimeline(r.handshake).trimEnd());
  const t = r.timing;
  lines.push(
    '',
    `Timing: ${t.reusedConnection ? 'reused connection' : `dns ${ms(t.dnsMs)}, connect ${ms(t.connectMs)}, TLS handshake ${ms(t.tlsMs)}`}, first byte ${ms(t.ttfbMs)}, total ${ms(t.totalMs)}`,
  );
  if (r.tls) {
    const s = r.tls;
    lines.push(
      `TLS: ${s.protocol ?? '?'}, ${s.cipher ?? '?'}, ALPN ${s.alpn ?? 'none'}, server certificate ${s.verification === 'verified' ? 'verified' : `NOT VERIFIED${s.authorizationError ? ` (would have failed: ${s.authorizationError})` : ''}`}`,
    );
    lines.push(
      `Client certificate: ${clientCertificateLine(s.clientCertificate, r.status !== undefined || r.error?.code === 'NOT_HTTP')}`,
    );
    lines.push('Server chain:');
    s.serverChain.forEach((c, i) =>
      lines.push(
        `  ${i}: ${c.subject}`,
        `     issuer ${c.issuer}`,
        `     valid ${c.validFrom} → ${c.validTo}`,
        `     sha256 ${c.sha256}`,
      ),
    );
  }
  if (r.checks.length > 0) {
    lines.push('', 'Response checks:');
    for (const c of r.checks) lines.push(`  ${c.severity.toUpperCase()}: ${c.message}${c.path ? ` (${c.path})` : ''}`);
  } else if (!r.error && r.request.platform && r.request.platform !== 'kore') {
    lines.push('', 'Response checks: the body is a valid WebhookResponse within the limits.');
  }
  if (r.body !== undefined && r.body !== '') lines.push('', 'Body:', r.body);
  return lines.join('\n') + '\n';
}

/** What went out as our client certificate; `answered`: the server answered after the handshake. */
function clientCertificateLine(c: TlsDetails['clientCertificate'], answered: boolean): string {
  const configured = c.subject ? ` (${c.subject})` : '';
  if (c.presented) return `presented${configured}`;
  if (c.requested === false)
    return `none sent: the server did not ask for one${configured ? `; configured${configured}` : ''}`;
  if (c.subject) return `configured${configured}`;
  if (c.requested)
    return answered
      ? 'none sent, although the server asked for one; it answered without one, so it does not enforce mTLS'
      : 'none sent, although the server asked for one';
  return 'none';
}

/** What the send document shows after the report: the equivalent commands and the test credentials a send used. */
export interface SendDocumentParts {
  /** The same request as commands, secrets as $ENV references. */
  readonly curl: string;
  readonly openssl: string;
  readonly idToken?: SentIdToken;
  /** The throwaway Dialogflow-shaped chain's test root, which the server must trust. */
  readonly dialogflowTestRoot?: string;
}

/**
 * The send's result document: the report, the same request with curl and openssl, the server's certificates as PEM
 * (to hover or decode), then the test ID token and test root a Dialogflow-shaped send used.
 */
export function renderSendDocument(r: SendResult, p: SendDocumentParts): string {
  const chain = r.tls?.serverChain.length
    ? `\n\nThe server's certificates as PEM — hover one for a summary, or select it and run "mTLS: Decode Certificate":\n${r.tls.serverChain.map((c) => c.pem.trim()).join('\n')}`
    : '';
  const idToken = p.idToken;
  const token = idToken
    ? `\n\nAttached a TEST Google ID token (aud ${idToken.audience}, email ${idToken.email}, kid ${idToken.kid}, expires ${idToken.expiresAt}), signed by a throwaway key.` +
      (idToken.jwksFile
        ? ` Its JWKS is in ${idToken.jwksFile}; server.mts accepts it with:\n  ${idToken.serverEnv}`
        : ' Pass jwksOut to write its JWKS.')
    : '';
  const extra =
    chain +
    token +
    (p.dialogflowTestRoot
      ? `\n\nThe throwaway Dialogflow-shaped chain's test root (the server must trust it, like the SSL.com root in production):\n${p.dialogflowTestRoot}`
      : '');
  return `${renderSendResult(r)}\n\nSame request with curl:\n  ${p.curl}\n\nTLS only, with openssl:\n  ${p.openssl}${extra}\n`;
}

/** A human-readable report of a probe: expected vs observed per row, then the verdict. */
export function renderProbeResult(r: ProbeResult): string {
  const lines: string[] = [...r.warnings.map((w) => `!!! ${w}`), `Probe ${r.url}`, ''];
  const w = Math.max(...r.rows.map((x) => x.label.length), 10);
  for (const row of r.rows) {
    lines.push(
      `${row.pass ? 'ok  ' : 'FAIL'}  ${row.label.padEnd(w)}  expected ${row.expected.padEnd(8)}  observed ${row.observed.padEnd(17)}  ${row.detail}`,
    );
    lines.push(`      handshake ${compactSteps(row.handshake)}`);
  }
  lines.push('', `${r.verdict === 'enforced' ? 'PASS' : 'FAIL'}: ${r.summary}`);
  return lines.join('\n') + '\n';
}

/** The probe's result document: the report, then each row's whole handshake in five steps. */
export function renderProbeDocument(r: ProbeResult): string {
  const timelines = r.rows.map((row) => `${row.label}:\n${renderHandshakeTimeline(row.handshake)}`).join('\n');
  return `${renderProbeResult(r)}\nEach row's handshake, in five steps\n\n${timelines}`;
}

const glyph = { ok: '✔', failed: '✖', 'not-reached': '·' } as const;

/** "✔1 ✔2 ✔3 ✖4 ·5 — failed at 4: …" plus the server's reason when its log line was merged. */
export function compactSteps(t: HandshakeTimeline): string {
  const marks = t.steps.map((s) => `${glyph[s.status]}${s.step}`).join(' ');
  const f = t.failedStep !== undefined ? t.steps[t.failedStep - 1] : undefined;
  if (!f) return `${marks}  completed`;
  return `${marks}  failed at step ${f.step} (${f.name})${f.server ? `; server: [${f.server.code}] ${f.server.reason}` : ''}`;
}
