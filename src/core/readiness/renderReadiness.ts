/** The readiness report as text (CLI output, VS Code document) and as the documented JSON shape. */
import { platformLabel } from '../webhook/index';
import type { CheckRow, ReadinessReport } from './types';

const mark: Record<CheckRow['status'], string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };

const verdictText: Record<ReadinessReport['verdict'], string> = {
  ready: 'READY: every check passed.',
  'ready-with-warnings': 'READY WITH WARNINGS: nothing fails, but read the warnings.',
  'not-ready': 'NOT READY: the platform would fail to reach or trust this webhook (see FAIL rows).',
};

/** Rows grouped under their heading, each with its fix indented below. */
export function renderReadiness(r: ReadinessReport): string {
  const lines = [`Go-live readiness for ${platformLabel[r.platform]}: ${r.dir}${r.url ? ` → ${r.url}` : ''}`, verdictText[r.verdict]];
  let group = '';
  for (const x of r.rows) {
    if (x.group !== group) {
      group = x.group;
      lines.push('', `${group[0]?.toUpperCase() ?? ''}${group.slice(1)}:`);
    }
    lines.push(`  ${mark[x.status]}  ${x.id}: ${x.message}`);
    if (x.fix && x.status !== 'pass') lines.push(`        fix: ${x.fix}`);
  }
  const n = (s: CheckRow['status']) => r.rows.filter((x) => x.status === s).length;
  lines.push('', `${n('pass')} passed, ${n('warn')} warnings, ${n('fail')} failed.`);
  return lines.join('\n') + '\n';
}

/** `mtls check --json`: `{ rows: [{ id, status, message, fix }], verdict }` plus context. */
export function readinessJson(r: ReadinessReport): object {
  return { platform: r.platform, dir: r.dir, url: r.url, checkedAt: r.checkedAt, verdict: r.verdict, rows: r.rows.map((x) => ({ id: x.id, group: x.group, status: x.status, message: x.message, fix: x.fix ?? null, action: x.action ?? null })) };
}
