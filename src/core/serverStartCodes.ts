// The codes of a scaffolded server's start-up failure line (`mtls-server error [CODE]: …`, written by the machinery's
// fail()) and of the preflight that checks the same things first, with what a user can do about each. The machinery
// cannot import this file (it copies on its own): test/unit/start-codes.test.ts keeps the list equal to its fail() codes.

/** Every code a server's failure line or the preflight reports. */
export const serverStartCodes = [
  'EADDRINUSE',
  'EACCES',
  'EADDRNOTAVAIL',
  'LISTEN',
  'ENOENT_KEY',
  'ENOENT_CERT',
  'ENOENT_CA',
  'READ_KEY',
  'READ_CERT',
  'READ_CA',
  'BAD_KEY',
  'BAD_CERT',
  'BAD_CA',
  'BAD_PASSPHRASE',
  'KEY_MISMATCH',
  'CERT_EXPIRED',
  'CERT_ORDER',
  'PUBLIC_ROOT_UNPINNED',
  'BAD_AUTH',
  'ID_TOKEN_CONFIG',
  'BAD_PORT',
  'BAD_SETTING',
  'EDGE_CONFIG',
] as const;

export type ServerStartCode = (typeof serverStartCodes)[number];

/** Whether a code read from a server's output is one of ours (a listen failure may carry any of Node's codes). */
export function isServerStartCode(code: string): code is ServerStartCode {
  return (serverStartCodes as readonly string[]).includes(code);
}

/** The codes the preflight reports: what the server checks at start-up, checked before starting it. */
export const preflightCodes = [
  'EADDRINUSE',
  'EACCES',
  'EADDRNOTAVAIL',
  'ENOENT_KEY',
  'ENOENT_CERT',
  'ENOENT_CA',
  'BAD_KEY',
  'BAD_CERT',
  'BAD_CA',
  'BAD_PASSPHRASE',
  'KEY_MISMATCH',
  'CERT_EXPIRED',
] as const satisfies readonly ServerStartCode[];

export type PreflightCode = (typeof preflightCodes)[number];

/** What a user can do when the server cannot start, offered as a button. */
export type StartAction = 'generate-certificates' | 'change-port' | 'enter-passphrase' | 'none';

/** Missing or unusable key, certificate or CA → generate them; the port → choose another; encrypted key → ask. */
export const startActions = {
  EADDRINUSE: 'change-port',
  EACCES: 'change-port',
  EADDRNOTAVAIL: 'change-port',
  LISTEN: 'none',
  ENOENT_KEY: 'generate-certificates',
  ENOENT_CERT: 'generate-certificates',
  ENOENT_CA: 'generate-certificates',
  READ_KEY: 'none',
  READ_CERT: 'none',
  READ_CA: 'none',
  BAD_KEY: 'generate-certificates',
  BAD_CERT: 'generate-certificates',
  BAD_CA: 'generate-certificates',
  BAD_PASSPHRASE: 'enter-passphrase',
  KEY_MISMATCH: 'generate-certificates',
  CERT_EXPIRED: 'generate-certificates',
  CERT_ORDER: 'none',
  PUBLIC_ROOT_UNPINNED: 'none',
  BAD_AUTH: 'none',
  ID_TOKEN_CONFIG: 'none',
  BAD_PORT: 'none',
  BAD_SETTING: 'none',
  EDGE_CONFIG: 'none',
} as const satisfies Record<ServerStartCode, StartAction>;
