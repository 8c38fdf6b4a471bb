import type { DecodedItem } from '../x509';

/** A row's icon: a codicon id, in the list's error or warning colour or in none. */
export interface RowIcon {
  readonly codicon: string;
  readonly colour?: 'error' | 'warning';
}

/** The icon of a problem, decode error or flagged field: error and warning in their colours, info plain. */
export function severityIcon(severity: 'error' | 'warning' | 'info'): RowIcon {
  if (severity === 'error') return { codicon: 'error', colour: 'error' };
  if (severity === 'warning') return { codicon: 'warning', colour: 'warning' };
  return { codicon: 'info' };
}

/** The icon of an item without problems: what it is (CA, client, server certificate, key, CSR, CRL). */
export function itemIcon(it: DecodedItem): RowIcon {
  switch (it.kind) {
    case 'certificate':
      return {
        codicon: it.isCa
          ? 'workspace-trusted'
          : it.usage === 'client'
            ? 'person'
            : it.usage === 'server' || it.usage === 'server+client'
              ? 'server'
              : 'verified',
      };
    case 'privateKey':
      return { codicon: 'key' };
    case 'publicKey':
      return { codicon: 'unlock' };
    case 'csr':
      return { codicon: 'git-pull-request-create' };
    case 'crl':
      return { codicon: 'list-flat' };
  }
}
