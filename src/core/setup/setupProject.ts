/**
 * The guided flow from an empty folder to a verified mTLS webhook: CA chain → server.mts → start → sample
 * request → probe → summary. Shared by `mtls init` and VS Code's "Set Up Webhook Project…"; only how the
 * server is started differs (a background process, or a terminal), so that is passed in.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { dialogflowClientPin, generateChain, type KeyType } from '../pki';
import { serverFileIn, serverFileName } from '../scaffold';
import { scaffoldServerFiles } from '../scaffold/scaffoldServer';
import { writeFileSet } from '../files';
import { sendWebhook, probeEndpoint, type SendResult, type ProbeResult } from '../http';
import { sampleRequest, platformLabel, type Platform } from '../webhook';
import { MtlsError } from '../errors';
import { pathExists as exists } from '../localProbes';
import { shellQuote } from '../shellQuote';

export type SetupStep = 'certificates' | 'server' | 'start' | 'send' | 'probe';

export const setupStepLabels: Record<SetupStep, string> = {
  certificates: 'Generating the CA chain',
  server: `Scaffolding ${serverFileName}`,
  start: 'Starting the server',
  send: 'Sending the sample request',
  probe: 'Probing mTLS enforcement',
};

export interface StartedServer {
  readonly url: string;
  stop(): Promise<void>;
}

export interface SetupOptions {
  /** The project folder (created when missing). Certificates go to DIR/certs. */
  readonly dir: string;
  readonly platform: Platform;
  readonly keyType?: KeyType;
  readonly port: number;
  readonly signal?: AbortSignal;
  /** Starts DIR/server.mts on the port (background process or terminal). */
  readonly startServer: (file: string, port: number) => Promise<StartedServer>;
  /** Stop the server at the end (CLI). VS Code leaves it running in its terminal. */
  readonly stopAtEnd: boolean;
  readonly onStep?: (step: SetupStep, state: 'start' | 'done' | 'reused' | 'failed', detail?: string) => void;
}

export interface SetupSummary {
  readonly dir: string;
  readonly platform: Platform;
  readonly created: string[];
  readonly reused: string[];
  readonly url?: string;
  readonly send?: SendResult;
  readonly probe?: ProbeResult;
  /** True when every step ran and the probe says mTLS is enforced. */
  readonly ok: boolean;
  readonly failedStep?: SetupStep;
  readonly error?: string;
  readonly cancelled?: boolean;
  readonly serverRunning: boolean;
  readonly nextSteps: string[];
}

const CHAIN_FILES = [
  'ca-root-crt.pem',
  'ca-root-key.pem',
  'ca-intermediate-crt.pem',
  'ca-intermediate-key.pem',
  'ca-crt.pem',
  'server-key.pem',
  'server-crt.pem',
  'server-fullchain.pem',
  'client-key.pem',
  'client-crt.pem',
  'client-fullchain.pem',
];

/** What to do after a local success, per platform. */
function nextSteps(platform: Platform, dir: string): string[] {
  const certs = path.join(dir, 'certs');
  const common = [
    'Expose the server on a public HTTPS address the platform can reach (it cannot call 127.0.0.1), with a certificate the platform trusts.',
  ];
  const check = `Before pointing ${platformLabel[platform]} at it, check go-live readiness: mtls check --platform ${platform} --dir ${shellQuote(dir)} --url https://YOUR.HOST/webhook (VS Code: mTLS: Check Go-Live Readiness…).`;
  if (platform === 'kore') {
    return [
      ...common,
      `Import Kore.ai's CA root and intermediate: mtls trust-bundle --platform kore --import kore-ca.pem --out ${shellQuote(path.join(certs, 'ca-kore.pem'))}, and point MTLS_CA at it.`,
      `Installed (on-premises) bot platform: make its client-certificate kit from this CA (private key, client certificate, CA root, intermediates, README.txt): mtls kore-client --ca-cert ${shellQuote(path.join(certs, 'ca-crt.pem'))} --ca-key ${shellQuote(path.join(certs, 'ca-intermediate-key.pem'))} --out ${shellQuote(path.join(dir, 'kore-kit'))} --p12 (VS Code: Create Kore.ai Client Certificate Kit…).`,
      check,
    ];
  }
  return [
    ...common,
    `Give the server the Google trust bundle instead of the dev CA: mtls trust-bundle --platform dialogflow --out ${shellQuote(path.join(certs, 'ca-dialogflow.pem'))}, then MTLS_CA=${shellQuote(path.join(certs, 'ca-dialogflow.pem'))} (SSL.com root; GTS Root R1 only until 2026-12-01).`,
    `Pin the client identity: ${dialogflowClientPin().env} (server.mts refuses to start with the public SSL.com root and no pin).`,
    `Verify the Google ID token ${platformLabel[platform]} sends: MTLS_AUTH=google-id-token MTLS_ID_TOKEN_AUDIENCE=https://YOUR.HOST/webhook MTLS_ID_TOKEN_EMAIL=service-PROJECT_NUMBER@gcp-sa-dialogflow.iam.gserviceaccount.com. Test it offline first: mtls send https://localhost:PORT/webhook --as-dialogflow --jwks-out ${shellQuote(path.join(certs, 'test-jwks.json'))} prints the settings that make server.mts accept its test token.`,
    ...(platform === 'cx'
      ? [
          'For a private server certificate, upload your CA in DER as a CX custom CA: mtls export-der --cert certs/ca-root-crt.pem --out ca-root.der --server-cert certs/server-fullchain.pem --host YOUR.HOST',
        ]
      : []),
    check,
  ];
}

/** Runs the flow; never throws for a failing step (the summary says which failed and why). */
export async function setupProject(o: SetupOptions): Promise<SetupSummary> {
  const dir = path.resolve(o.dir);
  const certs = path.join(dir, 'certs');
  const created: string[] = [];
  const reused: string[] = [];
  let step: SetupStep = 'certificates';
  let server: StartedServer | undefined;
  let send: SendResult | undefined;
  let probe: ProbeResult | undefined;
  const check = () => {
    if (o.signal?.aborted) throw new MtlsError('E_CANCELLED', 'cancelled');
  };
  const base = { dir, platform: o.platform, created, reused, nextSteps: nextSteps(o.platform, dir) };
  try {
    o.onStep?.('certificates', 'start');
    const present = await Promise.all(CHAIN_FILES.map((f) => exists(path.join(certs, f))));
    if (present.every(Boolean)) {
      reused.push(...CHAIN_FILES.map((f) => path.join(certs, f)));
      o.onStep?.('certificates', 'reused', certs);
    } else if (present.some(Boolean)) {
      throw new MtlsError(
        'E_PARTIAL_CHAIN',
        `${certs} holds only part of a CA chain (${CHAIN_FILES.filter((_, i) => present[i]).join(', ')}). Nothing was overwritten: choose another folder, or move those files away.`,
      );
    } else {
      const set = await generateChain({ keyType: o.keyType, client: { cn: `${o.platform}-webhook-client` } });
      created.push(...(await writeFileSet(certs, set.files, { within: dir })).written);
      o.onStep?.('certificates', 'done', `${set.files.length} files in ${certs}`);
    }
    check();

    step = 'server';
    o.onStep?.('server', 'start');
    const file = path.join(dir, serverFileName);
    if ((await serverFileIn(dir))?.legacy === false) {
      reused.push(file);
      o.onStep?.('server', 'reused', file);
    } else {
      // Refused for a single-file server.ts of ours: the upgrade converts it, keeping its config and handlers.
      const scaffold = await scaffoldServerFiles(dir, { port: o.port, platform: o.platform }, { within: dir });
      created.push(...scaffold.written);
      o.onStep?.('server', 'done', scaffold.note !== undefined ? `${file} (${scaffold.note})` : file);
    }
    check();

    step = 'start';
    o.onStep?.('start', 'start');
    server = await o.startServer(file, o.port);
    o.onStep?.('start', 'done', server.url);
    check();

    const read = (f: string) => fs.readFile(path.join(certs, f), 'utf8');
    const creds = {
      certPem: await read('client-fullchain.pem'),
      keyPem: await read('client-key.pem'),
      caPem: await read('ca-root-crt.pem'),
    };
    step = 'send';
    o.onStep?.('send', 'start');
    const url = server.url.replace(/\/?$/, '/');
    send = await sendWebhook({
      url,
      platform: o.platform,
      body: sampleRequest(o.platform),
      ...creds,
      signal: o.signal,
    });
    if (send.error)
      throw new MtlsError(
        'E_SEND',
        `${send.error.explanation.title}: ${send.error.explanation.cause} ${send.error.explanation.fix}`,
      );
    if (send.status !== 200)
      throw new MtlsError(
        'E_SEND',
        `the server answered HTTP ${send.status} to the ${platformLabel[o.platform]} sample`,
      );
    o.onStep?.('send', 'done', `HTTP ${send.status} in ${Math.round(send.timing.totalMs)} ms`);
    check();

    step = 'probe';
    o.onStep?.('probe', 'start');
    probe = await probeEndpoint(url, creds, { signal: o.signal, platform: o.platform });
    o.onStep?.('probe', probe.verdict === 'enforced' ? 'done' : 'failed', probe.summary);
    if (o.stopAtEnd) await server.stop();
    return {
      ...base,
      url: server.url,
      send,
      probe,
      ok: probe.verdict === 'enforced',
      failedStep: probe.verdict === 'enforced' ? undefined : 'probe',
      error: probe.verdict === 'enforced' ? undefined : probe.summary,
      serverRunning: !o.stopAtEnd,
    };
  } catch (e) {
    const cancelled = o.signal?.aborted === true;
    o.onStep?.(step, 'failed', (e as Error).message);
    // A cancelled or failed run stops the server it started; files already written stay, and are listed.
    if (server && (cancelled || o.stopAtEnd)) await server.stop().catch(() => undefined);
    return {
      ...base,
      url: server?.url,
      send,
      probe,
      ok: false,
      failedStep: step,
      error: cancelled ? 'cancelled' : (e as Error).message,
      cancelled,
      serverRunning: !!server && !cancelled && !o.stopAtEnd,
    };
  }
}

/** The summary as text (CLI output, VS Code document). */
export function renderSetupSummary(s: SetupSummary): string {
  const lines = [`mTLS webhook project for ${platformLabel[s.platform]} in ${s.dir}`, ''];
  lines.push(
    s.ok
      ? 'Result: OK — the server verifies client certificates and answered the sample request.'
      : s.cancelled
        ? 'Result: cancelled.'
        : `Result: FAILED at "${setupStepLabels[s.failedStep ?? 'certificates']}": ${s.error}`,
  );
  if (s.created.length) lines.push('', 'Created:', ...s.created.map((f) => `  ${path.relative(s.dir, f)}`));
  if (s.reused.length)
    lines.push('', 'Reused (left untouched):', ...s.reused.map((f) => `  ${path.relative(s.dir, f)}`));
  if (s.url) lines.push('', `Server: ${s.url}${s.serverRunning ? ' (running)' : ' (stopped)'}`);
  if (s.send)
    lines.push(
      `Sample request: ${s.send.error ? s.send.error.explanation.title : `HTTP ${s.send.status} in ${Math.round(s.send.timing.totalMs)} ms, ${s.send.tls?.protocol ?? ''}`}`,
    );
  if (s.probe) {
    lines.push(`Probe: ${s.probe.summary}`);
    for (const r of s.probe.rows)
      lines.push(`  ${r.pass ? 'ok ' : 'BAD'} ${r.label}: expected ${r.expected}, observed ${r.observed}`);
  }
  lines.push('', 'Next steps:', ...s.nextSteps.map((n, i) => `  ${i + 1}. ${n}`));
  return lines.join('\n');
}
