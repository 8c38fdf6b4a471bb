// Every MtlsError code, and what a user can do about it: the VS Code layer turns the action into a button, the
// CLI prints the message. Codes are stable: callers branch on them, never on the message.
import type { PreflightCode } from './serverStartCodes';

/** The codes with one meaning each (the families below carry a second code after their prefix). */
export const mtlsErrorCodes = [
  'E_INPUT',
  'E_READ',
  'E_WRITE',
  'E_EXISTS',
  'E_SYMLINK',
  'E_NO_WORKSPACE',
  'E_UNTRUSTED',
  'E_CANCELLED',
  'E_ASN1',
  'E_KDF_LIMIT',
  'E_PKCS12_TIMEOUT',
  'E_PKCS12_WORKER',
  'E_KEY_TIMEOUT',
  'E_KEY_WORKER',
  'E_SEND',
  'RESPONSE_TOO_LARGE',
  'E_PARTIAL_CHAIN',
  'E_ROOT_MISSING',
  'E_NODE',
  'E_NODE_VERSION',
  'E_NO_LOADER',
  'E_NO_MACHINERY',
  'E_NPM',
  'E_NPM_MISSING',
  'ENOENT_SERVER',
  'E_LEGACY_SERVER',
  'E_UPGRADE_REFUSED',
  'E_SERVER_CONFIG',
  'E_SERVER_CONFIG_TIMEOUT',
  'E_SERVER_TIMEOUT',
  'E_SERVER_SPAWN',
  'E_SERVER_EXIT',
  // The decoder's: a cancelled background decode, and a PKCS#12 file it could not open.
  'cancelled',
  'needs-passphrase',
  'wrong-passphrase',
  'unsupported',
  'too-costly',
] as const;

/**
 * An MtlsError's code: one of the above, a file-system failure (`E_FS_` + Node's code), a server's start-up
 * failure line (`E_SERVER_` + its code, which may be any of Node's) or a preflight problem (`E_PREFLIGHT_` + its code).
 */
export type MtlsErrorCode =
  (typeof mtlsErrorCodes)[number] | `E_FS_${string}` | `E_SERVER_${string}` | `E_PREFLIGHT_${PreflightCode}`;

/** What a user can do about an error, offered as a button. */
export type ErrorActionKind = 'open-folder' | 'manage-workspace-trust' | 'reveal-existing' | 'none';

/** Each code's action; the families have none of their own (a start failure's code has one: startActions). */
export const errorActions = {
  E_INPUT: 'none',
  E_READ: 'none',
  E_WRITE: 'none',
  E_EXISTS: 'reveal-existing',
  E_SYMLINK: 'none',
  E_NO_WORKSPACE: 'open-folder',
  E_UNTRUSTED: 'manage-workspace-trust',
  E_CANCELLED: 'none',
  E_ASN1: 'none',
  E_KDF_LIMIT: 'none',
  E_PKCS12_TIMEOUT: 'none',
  E_PKCS12_WORKER: 'none',
  E_KEY_TIMEOUT: 'none',
  E_KEY_WORKER: 'none',
  E_SEND: 'none',
  RESPONSE_TOO_LARGE: 'none',
  E_PARTIAL_CHAIN: 'none',
  E_ROOT_MISSING: 'none',
  E_NODE: 'none',
  E_NODE_VERSION: 'none',
  E_NO_LOADER: 'none',
  E_NO_MACHINERY: 'none',
  E_NPM: 'none',
  E_NPM_MISSING: 'none',
  ENOENT_SERVER: 'none',
  E_LEGACY_SERVER: 'none',
  E_UPGRADE_REFUSED: 'none',
  E_SERVER_CONFIG: 'none',
  E_SERVER_CONFIG_TIMEOUT: 'none',
  E_SERVER_TIMEOUT: 'none',
  E_SERVER_SPAWN: 'none',
  E_SERVER_EXIT: 'none',
  cancelled: 'none',
  'needs-passphrase': 'none',
  'wrong-passphrase': 'none',
  unsupported: 'none',
  'too-costly': 'none',
} as const satisfies Record<(typeof mtlsErrorCodes)[number], ErrorActionKind>;

/** The action for an error's code ('none' for the families). */
export function errorActionOf(code: MtlsErrorCode): ErrorActionKind {
  return (mtlsErrorCodes as readonly string[]).includes(code)
    ? errorActions[code as (typeof mtlsErrorCodes)[number]]
    : 'none';
}
