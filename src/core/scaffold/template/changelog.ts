// What each template version changed in the generated machinery, one line per change: "Update Webhook
// Server..." and mtls scaffold --upgrade show the lines newer than the file's version.

/** The version of the server.ts template this code writes. */
export const templateVersion = 3;

/** Version → what it changed, newest last. Version 1 is every server.ts written before versions were recorded. */
export const templateChangelog: readonly { readonly version: number; readonly changes: readonly string[] }[] = [
  { version: 1, changes: ['first template: client certificates required, refusals and clients logged, CX / ES / Kore.ai handlers'] },
  {
    version: 2,
    changes: [
      'your config block and handlers come first; the generated machinery is fenced below them and can be upgraded',
      'runs whatever package.json says ("type": "commonjs", "module" or none): built-ins come from process.getBuiltinModule',
    ],
  },
  {
    version: 3,
    changes: [
      'refuses to start when auth is \'Bearer\' or \'Basic\' with no secret (empty credentials never pass)',
      'drops connections that do not finish the TLS handshake within 10 s (handshakeTimeoutMs) instead of 120 s',
      'caps open connections (maxConnections, default 256) and logs when the cap is reached',
      'answers 400 to a malformed request target instead of 500; absolute-form and //host targets get 404',
    ],
  },
];

/** The changes a file written by template `fromVersion` gets by upgrading to the current template. */
export function changesSince(fromVersion: number): string[] {
  return templateChangelog.filter((e) => e.version > fromVersion).flatMap((e) => e.changes);
}
