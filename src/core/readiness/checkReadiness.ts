/**
 * The go-live readiness check: reads a scaffolded server's configuration and the files it names, measures
 * the running server, and (with a public URL) what the platform will reach there; one row per check.
 */
import * as path from 'node:path';
import {
  configuredAuthorization,
  LegacyServerError,
  readServerConfig,
  serverFileIn,
  serverFileName,
  type ServerConfig,
} from '../scaffold/index';
import { shellQuote } from '../shellQuote';
import type { ClientCredentials } from '../http/index';
import { checkPortFree, certificateOnPort } from '../localProbes';
import { authenticationRow } from './authenticationRow';
import { rootCertificates } from 'node:tls';
import { behaviourRows, edgeSampleRows } from './behaviourRows';
import { edgeRows } from './edgeRows';
import { findCustomClient, findDevClient, serverAnchorPem } from './projectCredentials';
import { certificateLoader, coversHost, shortName } from './certificates';
import { clientTrustRows } from './clientTrustRows';
import { reachabilityRows } from './reachabilityRows';
import { serverCertificateRows } from './serverCertificateRows';
import {
  row,
  type CheckRow,
  type ReadinessOptions,
  type ReadinessReport,
  type ReadinessVerdict,
  type StartedServer,
} from './types';

/** Something listens where the server would: its port is taken on that address. */
const listening = async (host: string, port: number): Promise<boolean> =>
  (await checkPortFree(port, host)) === 'EADDRINUSE';

function authHeaders(auth: string): Record<string, string> | undefined {
  const m = /^(\S+)\s+([\s\S]+)$/.exec(auth.trim());
  if (!m) return undefined;
  const scheme = m[1] ?? '';
  const secret = m[2] ?? '';
  if (/^basic$/i.test(scheme)) return { authorization: `Basic ${Buffer.from(secret).toString('base64')}` };
  if (/^bearer$/i.test(scheme)) return { authorization: `Bearer ${secret}` };
  return undefined;
}

function verdictOf(rows: readonly CheckRow[]): ReadinessVerdict {
  if (rows.some((r) => r.status === 'fail')) return 'not-ready';
  return rows.some((r) => r.status === 'warn') ? 'ready-with-warnings' : 'ready';
}

/** Behind an edge: the platform's sample goes through the public URL (the edge), not to the server directly. */
async function edgeBehaviourRows(
  o: ReadinessOptions,
  config: ServerConfig,
  client: (ClientCredentials & { label: string }) | undefined,
  anchorPem: string | undefined,
  headers: Record<string, string> | undefined,
): Promise<CheckRow[]> {
  if (o.url === undefined || client === undefined) {
    const missing =
      o.url === undefined
        ? 'no public URL was given (--url)'
        : "no client certificate in this folder is issued by the server's CA bundle";
    return [
      row(
        'sample-response',
        'behaviour',
        'warn',
        `Behind an edge (MTLS_EDGE=${config.edge}) the platform's sample is sent through the edge, and ${missing}: it was not sent.`,
        "Run the check with --url (the edge's address) and a client certificate of your CA in certs/client-fullchain.pem with client-key.pem.",
      ),
    ];
  }
  // The edge presents its own certificate: a public one (the system store) or one of this project's CAs.
  const caPem = anchorPem ? [anchorPem, ...rootCertificates].join('\n') : undefined;
  return edgeSampleRows({
    url: o.url,
    platform: o.platform,
    client,
    serverTrust: caPem ? { caPem } : {},
    headers,
    idTokenMode: config.authMode === 'google-id-token',
    platformTimeoutMs: o.platformTimeoutMs,
    signal: o.signal,
  });
}

/** Runs every check; never throws for what it finds (each finding is a row). */
export async function checkReadiness(o: ReadinessOptions): Promise<ReadinessReport> {
  const dir = path.resolve(o.dir);
  const now = o.now ?? new Date();
  const load = certificateLoader(now, o.decode);
  const env = o.env ?? process.env;
  const rows: CheckRow[] = [];
  const report = (): ReadinessReport => ({
    platform: o.platform,
    dir,
    ...(o.url ? { url: o.url } : {}),
    checkedAt: now.toISOString(),
    rows,
    verdict: verdictOf(rows),
  });
  const found = await serverFileIn(dir);
  if (found === undefined) {
    rows.push(
      row(
        'server-file',
        'configuration',
        'fail',
        `No ${serverFileName} in ${dir}: the check reads the server's settings from it (${serverFileName} --print-config).`,
        'Scaffold the webhook server (mtls scaffold) or run the check in its folder (--dir).',
        'scaffoldServer',
      ),
    );
    return report();
  }
  const file = found.file;
  const shownFile = path.basename(file);
  let config: ServerConfig;
  let authorization: string;
  try {
    [config, authorization] = await Promise.all([
      readServerConfig(file, env, o.runtime),
      configuredAuthorization(file, env, o.runtime),
    ]);
    rows.push(
      row(
        'server-file',
        'configuration',
        'pass',
        `${shownFile}: serves ${path.relative(dir, config.certPath)} on ${config.host}:${config.port}, trusts clients from ${path.relative(dir, config.caPath)}.`,
      ),
    );
  } catch (e) {
    if (e instanceof LegacyServerError) {
      rows.push(
        row(
          'server-file',
          'configuration',
          'fail',
          `${shownFile} is a single-file server from an earlier mTLS Workbench (template ${e.version}): its settings cannot be read.`,
          `Convert it (your config and handlers are kept): mtls scaffold --upgrade ${shellQuote(file)}.`,
          'updateServer',
        ),
      );
    } else {
      rows.push(
        row(
          'server-file',
          'configuration',
          'fail',
          `${shownFile} did not give its settings: ${(e as Error).message}`,
          `Fix what it says, then check that mtls serve ${serverFileName} --print-config prints them.`,
        ),
      );
    }
    return report();
  }
  const certsDir = path.join(dir, 'certs');
  const searchDirs = [...new Set([dir, certsDir, path.dirname(config.certPath), path.dirname(config.caPath)])];
  let publicHost: string | undefined;
  try {
    publicHost = o.url ? new URL(o.url).hostname.replace(/^\[|\]$/g, '') : undefined;
  } catch {
    publicHost = undefined;
  }

  const server = await serverCertificateRows({
    certPath: config.certPath,
    platform: o.platform,
    publicHost,
    searchDirs,
    now,
    load,
  });
  rows.push(...server.rows);
  const custom =
    o.platform === 'cx'
      ? await findCustomClient([dir, certsDir, path.join(dir, 'cx-client'), path.dirname(config.caPath)])
      : undefined;
  rows.push(
    ...(await clientTrustRows({
      caPath: config.caPath,
      platform: o.platform,
      allowedClients: config.allowedClients,
      acceptAnyPublicClient: config.acceptAnyPublicClient,
      now,
      load,
      ...(custom ? { customClientCert: custom.cert } : {}),
    })),
  );
  rows.push(
    authenticationRow({
      platform: o.platform,
      mode: config.authMode,
      hasSecret: config.authHasSecret,
      idTokenAudience: config.idTokenAudience,
      idTokenEmail: config.idTokenEmail,
      idTokenSubject: config.idTokenSubject,
    }),
  );

  // Behaviour: against the running server (started for the check when nothing listens on its port).
  const edgeMode = config.edge !== '';
  const client = custom ?? (await findDevClient(certsDir, config.caPath, load));
  const localHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  let started: StartedServer | undefined;
  try {
    if (!(await listening(localHost, config.port))) {
      if (!o.startServer) {
        rows.push(
          row(
            'server-running',
            'behaviour',
            'fail',
            `Nothing listens on ${localHost}:${config.port}, so the server's behaviour could not be measured.`,
            'Start the webhook server, then run the check again.',
            'startServer',
          ),
        );
      } else {
        try {
          started = await o.startServer(file, config.port);
          rows.push(
            row('server-running', 'behaviour', 'pass', `Started ${shownFile} for the check on ${started.url}.`),
          );
        } catch (e) {
          rows.push(
            row(
              'server-running',
              'behaviour',
              'fail',
              `${shownFile} did not start: ${(e as Error).message.split('\n')[0]}`,
              'Fix what the start-up line says, then run the check again.',
              'startServer',
            ),
          );
        }
      }
    } else if (edgeMode) {
      // Behind an edge the server speaks plain HTTP (or TLS without client certificates): nothing to compare.
      rows.push(
        row(
          'server-running',
          'behaviour',
          'pass',
          `The server is running on ${localHost}:${config.port} behind an edge (MTLS_EDGE=${config.edge}, listening with ${config.edgeListen}).`,
        ),
      );
    } else {
      // Something listens there: this project's server only if it presents the configured certificate.
      const leaf = server.leaf?.x509;
      const there = await certificateOnPort(localHost, config.port);
      if ('error' in there) {
        rows.push(
          row(
            'server-running',
            'behaviour',
            'fail',
            `Something listens on ${localHost}:${config.port}, but not this webhook server: ${there.error}.`,
            'Stop whatever holds the port, or give the server another one (MTLS_PORT), then run the check again.',
            'startServer',
          ),
        );
      } else if (leaf !== undefined && there.sha256 !== leaf.fingerprint256) {
        rows.push(
          row(
            'server-running',
            'behaviour',
            'fail',
            `The server on ${localHost}:${config.port} presents ${there.subject} (SHA-256 ${there.sha256.slice(0, 23)}…), not this project's certificate ${shortName(leaf)} (${leaf.fingerprint256.slice(0, 23)}…): another server holds the port.`,
            'Stop the other server, or give this one another port (MTLS_PORT), then run the check again.',
            'startServer',
          ),
        );
      } else {
        rows.push(
          row(
            'server-running',
            'behaviour',
            'pass',
            `The server is running on ${localHost}:${config.port}${leaf !== undefined ? " and presents this project's certificate" : ''}.`,
          ),
        );
      }
    }
    if (rows[rows.length - 1]?.status === 'pass' && edgeMode) {
      rows.push(
        ...(await edgeBehaviourRows(
          o,
          config,
          client,
          server.leaf?.x509 ? await serverAnchorPem(server.leaf.x509, config.certPath, searchDirs, load) : undefined,
          authHeaders(authorization),
        )),
      );
    } else if (rows[rows.length - 1]?.status === 'pass') {
      const shownHost = localHost.includes(':') ? `[${localHost}]` : localHost;
      const localUrl = `https://${shownHost}:${config.port}${config.webhookPaths[0] ?? '/webhook'}`;
      const leaf = server.leaf?.x509;
      const caPem = leaf ? await serverAnchorPem(leaf, config.certPath, searchDirs, load) : undefined;
      const verifiable = leaf !== undefined && coversHost(leaf, localHost);
      // Read before the server is stopped: a server started for the check keeps its output only while it runs.
      const port = config.port;
      const serverLog = started?.output
        ? () => started?.output?.() ?? ''
        : o.serverLog
          ? () => o.serverLog?.(port) ?? ''
          : undefined;
      rows.push(
        ...(await behaviourRows({
          url: localUrl,
          platform: o.platform,
          ...(client ? { client } : {}),
          serverTrust: verifiable ? (caPem ? { caPem } : {}) : { insecure: true },
          headers: authHeaders(authorization),
          idTokenMode: config.authMode === 'google-id-token',
          platformTimeoutMs: o.platformTimeoutMs,
          signal: o.signal,
          ...(serverLog ? { serverLog } : {}),
        })),
      );
    }
    // The public URL leads to this server (through a tunnel or an edge): a server started for the check still runs.
    if (o.url)
      rows.push(
        ...(await reachabilityRows({
          url: o.url,
          platform: o.platform,
          localLeaf: server.leaf?.x509,
          edge: o.edge,
          edgeMode: config.edge,
          signal: o.signal,
        })),
      );
    else
      rows.push(
        row(
          'url',
          'reachability',
          'warn',
          'No public URL given: whether the platform reaches this server end to end (DNS, tunnels, proxies) was not checked.',
          'Run the check with --url https://YOUR.HOST/webhook.',
        ),
      );
    if (o.url && o.edge) {
      rows.push(
        ...(await edgeRows({
          kind: o.edge,
          url: o.url,
          platform: o.platform,
          config,
          clientRoots: rows.find((x) => x.id === 'client-roots'),
          ...(o.origin !== undefined ? { origin: o.origin } : {}),
          ...(client?.certPem ? { forgeWith: client.certPem } : {}),
          headers: authHeaders(authorization),
          signal: o.signal,
        })),
      );
    } else if (o.edge) {
      rows.push(
        row(
          'edge',
          'edge',
          'fail',
          `--edge ${o.edge} checks the edge at the public URL, and none was given.`,
          "Run the check with --url https://YOUR.HOST/webhook (the edge's address).",
        ),
      );
    }
  } finally {
    await started?.stop().catch(() => undefined);
  }
  return report();
}
