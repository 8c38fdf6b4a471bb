import type { DecodedFile, DecodedItem } from '../x509';
import { isClientLeaf, worstProblem } from './itemRow';
import { severityIcon, type RowIcon } from './rowIcon';

/** A decoded file's row in the Certificates view. */
export interface FileRow {
  /** What the file holds ("1 certificate · 1 private key"), or why nothing was decoded. */
  readonly description: string;
  /** The tooltip's paragraphs under the file name: the description, then the worst error or problem. */
  readonly tooltip: readonly string[];
  readonly icon: RowIcon;
  /** The context value's facets, `file` first (`file:cert:ca:key:problem`): menus match on them. */
  readonly facets: readonly string[];
}

/** A folder row's description: how many certificate files it holds. */
export function folderDescription(files: number): string {
  return `${files} file${files === 1 ? '' : 's'}`;
}

/** A file row's description, tooltip, icon and context facets from its decode result. */
export function fileRow(file: DecodedFile): FileRow {
  const s = fileSummary(file);
  return {
    description: s.text,
    tooltip: s.worst ? [s.text, s.worst] : [s.text],
    icon: s.icon,
    facets: ['file', ...s.facets],
  };
}

function fileSummary(file: DecodedFile): { text: string; icon: RowIcon; facets: string[]; worst?: string } {
  const count = (k: DecodedItem['kind']) => file.items.filter((i) => i.kind === k).length;
  const parts: string[] = [];
  const n = (c: number, one: string) => (c ? parts.push(`${c} ${one}${c === 1 ? '' : 's'}`) : 0);
  n(count('certificate'), 'certificate');
  n(count('privateKey'), 'private key');
  n(count('publicKey'), 'public key');
  n(count('csr'), 'CSR');
  n(count('crl'), 'CRL');
  const facets: string[] = [];
  if (count('certificate')) facets.push('cert');
  if (file.items.some((i) => i.kind === 'certificate' && i.isCa)) facets.push('ca');
  // A file whose leaf is a client certificate: "Use Client Certificate In…" is offered on it.
  const leaf = file.items.find((i) => i.kind === 'certificate');
  if (leaf?.kind === 'certificate' && isClientLeaf(leaf)) facets.push('client');
  if (count('privateKey')) facets.push('key');
  if (file.format === 'pkcs12') facets.push('p12');
  const error = file.errors[0];
  const problem = worstProblem(file.problems);
  if (error && file.items.length === 0) {
    facets.push('error');
    return {
      text: error.message,
      icon: error.code === 'needs-passphrase' ? { codicon: 'lock' } : severityIcon('error'),
      facets,
      worst: error.message,
    };
  }
  const text = parts.join(' · ') || 'nothing decodable';
  if (error || problem?.severity === 'error')
    return {
      text,
      icon: severityIcon('error'),
      facets: [...facets, 'problem'],
      worst: (error ?? problem)?.message,
    };
  if (problem)
    return {
      text,
      icon: severityIcon('warning'),
      facets: [...facets, 'problem'],
      worst: problem.message,
    };
  return { text, icon: count('certificate') ? { codicon: 'verified' } : { codicon: 'key' }, facets };
}
