/** The readiness report as text (CLI output, VS Code document) and as the documented JSON shape. */
import { platformLabel } from '../webhook/index';
import { compactSteps, renderHandshakeTimeline, type HandshakeTimeline } from '../http/index';
import type { CheckRow, ReadinessReport } from './types';

const mark: Record<CheckRow['status'], string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };

const verdictText: Record<ReadinessReport['verdict'], string> = {
  ready: 'READY: every check passed.',
  'ready-with-warnings': 'READY WITH WARNINGS: nothing fails, but read the warnings.',
  'not-ready': 'NOT READY: the platform would fail to reach or trust this webhook (see FAIL rows).',
};

const INDENT = '        ';

// Handshakes that ended the same way tell the same story: the second one gets one line, not five steps.
const sameEnding = (h: HandshakeTimeline): string => {
  const f = h.failedStep !== undefined ? h.steps[h.failedStep - 1] : undefined;
  return f ? `${f.step} ${f.error?.code ?? f.summary} ${f.server?.code ?? ''}` : 'ok';
};

/**
 * Rows grouped under their heading, each with its fix indented below. A failing or warning row that made
 * a TLS connection gets that connection's five handshake steps (passing rows stay one line); a handshake
 * that ended like one already drawn gets one line.
 */
export function renderReadiness(r: ReadinessReport): string {
  const lines = [
    `Go-live readiness for ${platformLabel[r.platform]}: ${r.dir}${r.url ? ` → ${r.url}` : ''}`,
    verdictText[r.verdict],
  ];
  const drawn = new Map<string, string>();
  let group = '';
  for (const x of r.rows) {
    if (x.group !== group) {
      group = x.group;
      lines.push('', `${group[0]?.toUpperCase() ?? ''}${group.slice(1)}:`);
    }
    lines.push(`  ${mark[x.status]}  ${x.id}: ${x.message}`);
    if (x.fix && x.status !== 'pass') lines.push(`${INDENT}fix: ${x.fix}`);
    const h = x.handshake;
    if (h === undefined || x.status === 'pass') continue;
    const earlier = drawn.get(sameEnding(h));
    if (earlier !== undefined) {
      lines.push(`${INDENT}handshake ${compactSteps(h)} (in five steps under ${earlier} above)`);
      continue;
    }
    drawn.set(sameEnding(h), x.id);
    if (x.connection) lines.push(`${INDENT}Connection: ${x.connection}`);
    lines.push(
      ...renderHandshakeTimeline(h)
        .trimEnd()
        .split('\n')
        .map((l) => INDENT + l),
    );
  }
  const n = (s: CheckRow['status']) => r.rows.filter((x) => x.status === s).length;
  lines.push('', `${n('pass')} passed, ${n('warn')} warnings, ${n('fail')} failed.`);
  return lines.join('\n') + '\n';
}

/**
 * `mtls check --json`: `{ rows: [{ id, status, message, fix }], verdict }` plus context; rows that made a
 * TLS connection add `connection` and `handshake` (`handshake.steps`: the five steps, passing or not).
 */
export function readinessJson(r: ReadinessReport): object {
  return {
    platform: r.platform,
    dir: r.dir,
    url: r.url,
    checkedAt: r.checkedAt,
    verdict: r.verdict,
    rows: r.rows.map((x) => ({
      id: x.id,
      group: x.group,
      status: x.status,
      message: x.message,
      fix: x.fix ?? null,
      action: x.action ?? null,
      ...(x.handshake ? { connection: x.connection ?? null, handshake: x.handshake } : {}),
    })),
  };
}
