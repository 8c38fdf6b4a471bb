import type { DecodedCertificate, DecodedItem, DecodeError, Problem } from '../x509';
import { itemLabel, type Field } from '../certificateFields';
import { itemIcon, severityIcon, type RowIcon } from './rowIcon';

/** An item's row (a certificate, key, CSR… inside a file). */
export interface ItemRow {
  readonly label: string;
  readonly description: string;
  /** The worst problem's message after the label, else the label and description. */
  readonly tooltip: string;
  /** The worst problem's severity icon, else the item's own. */
  readonly icon: RowIcon;
  /** The context value's facets, `item` first (`item:cert:leaf:client:expired`): menus match on them. */
  readonly facets: readonly string[];
}

/** A field's row (Subject, Validity…): the label with the value as description, or the value alone. */
export interface FieldRow {
  readonly label: string;
  readonly description?: string;
  readonly tooltip: string;
  readonly icon?: RowIcon;
}

/** A problem's or decode error's row. */
export interface MessageRow {
  readonly label: string;
  readonly icon: RowIcon;
  readonly facets: readonly string[];
  /** The file is encrypted: the row opens the passphrase prompt. */
  readonly needsPassphrase: boolean;
}

/** The problem a row shows: the first error, else the first warning (info never). */
export function worstProblem(problems: readonly Problem[]): Problem | undefined {
  return problems.find((p) => p.severity === 'error') ?? problems.find((p) => p.severity === 'warning');
}

/** A leaf a client can present (the `client` facet: "Use Client Certificate In…" is offered on it). */
export function isClientLeaf(c: DecodedCertificate): boolean {
  return c.role === 'leaf' && (c.usage === 'client' || c.usage === 'server+client');
}

/** An item's label, description, tooltip, icon and context facets. */
export function itemRow(it: DecodedItem): ItemRow {
  const { label, description } = itemLabel(it);
  const worst = worstProblem(it.kind === 'certificate' ? it.problems : []);
  const facets = ['item', it.kind === 'certificate' ? 'cert' : it.kind];
  if (it.kind === 'certificate') {
    facets.push(it.role);
    if (it.isCa) facets.push('ca');
    if (isClientLeaf(it)) facets.push('client');
    if (it.validity === 'expired') facets.push('expired');
  }
  return {
    label,
    description,
    tooltip: worst ? `${label} — ${worst.message}` : `${label} (${description})`,
    icon: worst ? severityIcon(worst.severity) : itemIcon(it),
    facets,
  };
}

/** A field's row; a field a problem concerns carries that problem's severity icon. */
export function fieldRow(f: Field): FieldRow {
  return {
    label: f.label || f.value,
    description: f.label ? f.value : undefined,
    tooltip: `${f.label ? `${f.label}: ` : ''}${f.value}`,
    ...(f.severity ? { icon: severityIcon(f.severity) } : {}),
  };
}

/** A problem's or decode error's row: decode errors show as errors. */
export function messageRow(m: Problem | DecodeError): MessageRow {
  const needsPassphrase = m.code === 'needs-passphrase';
  return {
    label: m.message,
    icon: severityIcon('severity' in m ? m.severity : 'error'),
    facets: needsPassphrase ? ['message', 'passphrase'] : ['message'],
    needsPassphrase,
  };
}
