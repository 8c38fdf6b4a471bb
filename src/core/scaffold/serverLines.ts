// The lines a scaffolded server prints at start-up, which the CLI and the VS Code layer wait for. Their own
// module, so waiting for a server does not load the server template.

/** Startup line printed by the generated server; group 1 is its URL. The VS Code layer waits for it. */
export const serverReadyLine = /^mTLS webhook listening on (https:\/\/\S+) \(client certificates required; CA: (.*)\)$/m;

/** Startup failure line of the generated server: group 1 is the code (EADDRINUSE, ENOENT_KEY, …). */
export const serverErrorLine = /^mtls-server error \[([A-Z0-9_]+)\]: (.*)$/m;
