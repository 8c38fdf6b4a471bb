/** The five-step handshake timeline as text (the CLI's output and the VS Code result document). */
import type { HandshakeStep, HandshakeTimeline } from './handshakeTypes';

const mark: Record<HandshakeStep['status'], string> = { ok: '✔', failed: '✖', 'not-reached': '·' };

/** Five lines (plus details), the failed step marked ✖ with its cause, fix and the server's log line. */
export function renderHandshakeTimeline(t: HandshakeTimeline): string {
  // Not a signature algorithm: Node tells which ones both sides allow for the client's signature, not which one
  // either side used (step 2 lists them as such).
  const negotiated = [
    t.protocol,
    t.cipher,
    t.clientPort !== undefined ? `client port ${t.clientPort}` : undefined,
  ].filter(Boolean);
  const lines = [
    `Handshake, in five steps${negotiated.length ? ` (${negotiated.join(', ')})` : ''}: ${t.outcome === 'ok' ? 'completed' : `FAILED at step ${t.failedStep}`}`,
  ];
  const w = Math.max(...t.steps.map((s) => s.name.length));
  for (const s of t.steps) {
    const at = s.atMs !== undefined ? `${s.atMs.toFixed(1).padStart(7)} ms` : ' '.repeat(10);
    lines.push(`  ${mark[s.status]} ${s.step}  ${s.name.padEnd(w)}  ${at}  ${s.summary}`);
    const pad = '       ';
    for (const d of s.details) lines.push(`${pad}${d}`);
    if (s.error) {
      lines.push(`${pad}error: ${s.error.message}`, `${pad}cause: ${s.error.cause}`, `${pad}fix:   ${s.error.fix}`);
    }
    if (s.server) lines.push(`${pad}server log: ${s.server.line}`);
  }
  return lines.join('\n') + '\n';
}
