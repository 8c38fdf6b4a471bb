import type { CliCommand } from '../command';

/** A subcommand as `mtls --help` lists it; `load` imports its module only when that subcommand runs. */
export interface CommandEntry {
  readonly name: string;
  /** The same one-line summary as the command's own (a unit test keeps them equal). */
  readonly summary: string;
  readonly load: () => Promise<CliCommand>;
}

// The registry: adding a subcommand is one line here. `mtls --help` and the dispatch in main.ts read only
// this list, so starting `mtls` costs nothing per command; a command's module (and what it pulls in, e.g.
// undici for the commands that send) is loaded when that command runs. Order = the order `mtls --help` lists.
export const commands: readonly CommandEntry[] = [
  {
    name: 'selfsigned',
    summary: 'Generate a self-signed server certificate and key',
    load: async () => (await import('./selfsigned.js')).selfsignedCommand,
  },
  {
    name: 'chain',
    summary: 'Generate a dev CA chain: root, intermediate, server and client leaves',
    load: async () => (await import('./chain.js')).chainCommand,
  },
  {
    name: 'client',
    summary: 'Generate a client certificate signed by an existing CA',
    load: async () => (await import('./client.js')).clientCommand,
  },
  {
    name: 'kore-client',
    summary: 'Create a Kore.ai client-certificate kit (on-premises bot platform) from your CA',
    load: async () => (await import('./kore-client.js')).koreClientCommand,
  },
  {
    name: 'cx-client',
    summary: 'Create a Dialogflow CX custom client certificate (agent clientCertificateSettings) from your CA',
    load: async () => (await import('./cx-client.js')).cxClientCommand,
  },
  {
    name: 'p12',
    summary: 'Export a certificate and key as PKCS#12 (.p12)',
    load: async () => (await import('./p12.js')).p12Command,
  },
  {
    name: 'trust-bundle',
    summary: "Write the CA bundle that verifies a platform's client certificate",
    load: async () => (await import('./trust-bundle.js')).trustBundleCommand,
  },
  {
    name: 'export-der',
    summary: 'Export a CA certificate as DER for Dialogflow CX custom CA upload',
    load: async () => (await import('./export-der.js')).exportDerCommand,
  },
  {
    name: 'decode',
    summary: 'Decode certificates, keys, CSRs, PKCS#7 and PKCS#12 files',
    load: async () => (await import('./decode.js')).decodeCommand,
  },
  {
    name: 'scaffold',
    summary: 'Write an mTLS webhook (server.mts + mtls-server/), or upgrade one to the current template',
    load: async () => (await import('./scaffold.js')).scaffoldCommand,
  },
  {
    name: 'serve',
    summary: 'Run a scaffolded server.mts on this Node',
    load: async () => (await import('./serve.js')).serveCommand,
  },
  {
    name: 'send',
    summary: 'Send a sample webhook request with a client certificate',
    load: async () => (await import('./send.js')).sendCommand,
  },
  {
    name: 'probe',
    summary: 'Check that an endpoint really enforces mTLS',
    load: async () => (await import('./probe.js')).probeCommand,
  },
  {
    name: 'export-config',
    summary: 'Point REST Client, curl, httpie, Node or Postman at the webhook with your client certificate',
    load: async () => (await import('./export-config.js')).exportConfigCommand,
  },
  {
    name: 'init',
    summary: 'Set up a webhook project: chain, server, request and probe',
    load: async () => (await import('./init.js')).initCommand,
  },
  {
    name: 'edge',
    summary: 'Write the config of a proxy or load balancer that enforces mTLS in front of the webhook',
    load: async () => (await import('./edge.js')).edgeCommand,
  },
  {
    name: 'check',
    summary: 'Go-live readiness: will the platform reach and trust this webhook?',
    load: async () => (await import('./check.js')).checkCommand,
  },
];
