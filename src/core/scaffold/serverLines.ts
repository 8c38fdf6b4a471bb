// The lines a scaffolded server prints at start-up, which the CLI and the VS Code layer wait for. Their own
// module, so waiting for a server does not load the server template.

/**
 * Startup line printed by the generated server; group 1 is its URL, group 2 the CA bundle. The VS Code layer waits
 * for it. Behind an edge that terminates TLS (MTLS_EDGE) the URL may be http:// and the parenthesis names the edge:
 * `(behind an edge: nginx; client certificates verified from X-SSL-Client-Cert; CA: …)`.
 */
export const serverReadyLine =
  /^mTLS webhook listening on (https:\/\/\S+|http:\/\/\S+) \((?:client certificates required|behind an edge: [a-z0-9-]+; client certificates verified from [^;\n]*); CA: (.*)\)$/m;

/** Startup failure line of the generated server: group 1 is the code (EADDRINUSE, ENOENT_KEY, …). */
export const serverErrorLine = /^mtls-server error \[([A-Z0-9_]+)\]: (.*)$/m;
