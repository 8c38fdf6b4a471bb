/**
 * REST Client (humao.rest-client) set-up: a `rest-client.certificates` entry per host:port in the
 * workspace's settings.json, edited as text so other settings, comments and formatting stay as they were.
 */
import { applyEdits, modify, parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { hasBomText, stripBomText } from '../byteOrderMark';
import { InputError } from '../errors';
import { sampleRequest, type Platform } from '../webhook/index';
import { platformHeaders } from '../http/webhookRequest';

/** What REST Client reads for one host. Paths are absolute or relative to the workspace folder. */
export interface RestClientCertificate {
  cert: string;
  key: string;
}

/** REST Client's key for a URL: "host:port" (the port always written, so the entry matches exactly). */
export function restClientHost(url: URL): string {
  return `${url.hostname}:${url.port || '443'}`;
}

/**
 * settings.json text with `rest-client.certificates[host]` set to `entry`; everything else (other
 * settings, other hosts, comments) is kept, and so is a leading byte order mark (VS Code reads such files and
 * keeps the mark when it saves them). Throws InputError for a file that is not JSON with comments.
 */
export function mergeRestClientSettings(
  existing: string | undefined,
  host: string,
  entry: RestClientCertificate,
): string {
  const bom = existing !== undefined && hasBomText(existing) ? '\ufeff' : '';
  const body = existing === undefined ? undefined : stripBomText(existing);
  const text = body === undefined || body.trim() === '' ? '{}\n' : body;
  const errors: ParseError[] = [];
  const root: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const e = errors[0];
    const line = text.slice(0, e.offset).split('\n').length;
    throw new InputError(
      `.vscode/settings.json is not valid JSON (${printParseErrorCode(e.error)} on line ${line}): fix it first; nothing was changed.`,
    );
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root))
    throw new InputError('.vscode/settings.json does not hold a JSON object: fix it first; nothing was changed.');
  const certificates = (root as Record<string, unknown>)['rest-client.certificates'];
  if (
    certificates !== undefined &&
    (certificates === null || typeof certificates !== 'object' || Array.isArray(certificates))
  ) {
    throw new InputError(
      '"rest-client.certificates" in .vscode/settings.json is not an object: fix it first; nothing was changed.',
    );
  }
  const indent = /\n(\t| +)"/.exec(text)?.[1] ?? '  ';
  const edits = modify(text, ['rest-client.certificates', host], entry, {
    formattingOptions: {
      insertSpaces: indent !== '\t',
      tabSize: indent === '\t' ? 1 : indent.length,
      eol: text.includes('\r\n') ? '\r\n' : '\n',
    },
  });
  const out = applyEdits(text, edits);
  return `${bom}${out}${out.endsWith('\n') ? '' : '\n'}`;
}

/** A .http file with the platform's sample request, ready to send with REST Client. */
export function restClientHttpFile(url: string, platform: Platform, settingsNote: string): string {
  const headers = platformHeaders(platform);
  return [
    `# ${platform === 'kore' ? 'Kore.ai service-node' : `Dialogflow ${platform.toUpperCase()}`} sample webhook request.`,
    `# The client certificate comes from ${settingsNote}.`,
    '# Click "Send Request" above the request line (REST Client extension).',
    '',
    '###',
    `POST ${url}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    JSON.stringify(sampleRequest(platform), null, 2),
    '',
  ].join('\n');
}
