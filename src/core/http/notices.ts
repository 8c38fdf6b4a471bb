/**
 * The one-line notifications VS Code shows after a send or a probe. Their text quotes what a server chose (a
 * probe's summary can quote Node's host-name error, which lists every SAN of the server's certificate), and a
 * notification turns `[label](command:…)` into a link that runs a command: the text is made plain here.
 */
import { noticeText } from '../markdownText';
import type { ProbeResult } from './probeEndpoint';
import type { SendResult } from './types';

export interface Notice {
  readonly severity: 'info' | 'warning' | 'error';
  /** Safe for a notification: no link syntax survives. */
  readonly text: string;
}

/** The probe's verdict as a notification: information when enforced, an error otherwise. */
export function probeNotice(r: ProbeResult): Notice {
  return { severity: r.verdict === 'enforced' ? 'info' : 'error', text: noticeText(`mTLS: ${r.summary}`) };
}

/** A send's outcome as a notification: the failure and its fix, or the status and how many checks complained. */
export function sendNotice(r: SendResult): Notice {
  const complaints = r.checks.filter((c) => c.severity !== 'info').length;
  const text = r.error
    ? `mTLS: ${r.error.explanation.title}. ${r.error.explanation.fix}`
    : `mTLS: HTTP ${r.status} in ${Math.round(r.timing.totalMs)} ms${complaints > 0 ? ` — ${complaints} response warning(s)` : ''}`;
  const severity = r.error ? 'error' : r.checks.some((c) => c.severity === 'error') ? 'warning' : 'info';
  return { severity, text: noticeText(text) };
}
