// What every edge config generator takes and returns. The generators are pure: they get the project's
// settings (as the server resolves them) and return the files to write and the commands to run next.
import type { OutputFile } from '../files';

/** The edges we write a configuration for. */
export const edgeTargets = ['nginx', 'haproxy', 'caddy', 'ingress-nginx', 'envoy', 'gcp', 'aws'] as const;

export type EdgeTarget = (typeof edgeTargets)[number];

export function isEdgeTarget(s: string): s is EdgeTarget {
  return (edgeTargets as readonly string[]).includes(s);
}

/** The header format the origin reads (its MTLS_EDGE) for each edge. */
export const edgeFormat: Readonly<Record<EdgeTarget, string>> = {
  nginx: 'nginx',
  haproxy: 'rfc9440',
  caddy: 'rfc9440',
  'ingress-nginx': 'ingress-nginx',
  envoy: 'xfcc',
  gcp: 'gcp-alb',
  aws: 'aws-alb',
};

/** One line per edge, for pickers and `--help`. */
export const edgeDescriptions: Readonly<Record<EdgeTarget, string>> = {
  nginx: 'nginx terminates mTLS and forwards X-SSL-Client-Cert (URL-escaped PEM)',
  haproxy: 'HAProxy terminates mTLS and forwards RFC 9440 Client-Cert',
  caddy: 'Caddy terminates mTLS and forwards RFC 9440 Client-Cert',
  'ingress-nginx': 'Kubernetes ingress-nginx: Ingress annotations, CA Secret, Deployment and Service',
  envoy: 'Envoy terminates mTLS and forwards x-forwarded-client-cert (XFCC)',
  gcp: 'Google Cloud external Application Load Balancer: TrustConfig, ServerTlsPolicy, Cloud Run',
  aws: 'AWS Application Load Balancer: trust store in S3, listener in verify mode',
};

/** The environment variable the edge (where it can) and the origin read the shared secret from. */
export const edgeSecretEnv = 'MTLS_EDGE_SECRET';

/** What a generator needs: the project's settings and where the edge listens and reaches the origin. */
export interface EdgeOptions {
  readonly kind: EdgeTarget;
  /** The folder with server.mts (absolute). */
  readonly projectDir: string;
  /** The folder the files go to (absolute): paths in the configs are written relative to it where useful. */
  readonly outDir: string;
  /** The server's files, absolute, as `server.mts --print-config` resolves them. */
  readonly certPath: string;
  readonly keyPath: string;
  readonly caPath: string;
  /** The CA bundle's text (Kubernetes Secret, Google TrustConfig, AWS trust store). */
  readonly caPem: string;
  /** The server's configured port (the container port; the default origin port). */
  readonly port: number;
  /** The public host name clients call (server_name, Ingress host); default: any. */
  readonly host?: string;
  /** Where the edge reaches the origin, e.g. http://127.0.0.1:8443 (default: loopback on `port`). */
  readonly origin?: string;
  /** The edge adds X-Mtls-Edge-Secret with this value (read from MTLS_EDGE_SECRET where the edge can). */
  readonly secret?: string;
  /** Where the proxy listens, host:port (default 0.0.0.0:443). */
  readonly listen?: string;
  /** The address the proxy connects to the origin from (default 127.0.0.3 for a loopback origin). */
  readonly edgeSource?: string;
  /** The proxy's own state (pid, logs, temporary files), absolute (default: outDir/run). */
  readonly stateDir?: string;
  /** nginx's `user` (workers run as it); default none. Running nginx as root on scratch files needs 'root'. */
  readonly user?: string;
  /** Whether the project folder has a package.json (the Dockerfile installs its dependencies). */
  readonly hasPackageJson?: boolean;
}

/** What a generator returns. */
export interface EdgeBundle {
  readonly kind: EdgeTarget;
  /** The origin's MTLS_EDGE. */
  readonly format: string;
  /** Files relative to outDir; secrets (keys, the edge secret) are 0600. */
  readonly files: readonly OutputFile[];
  /** What the origin needs in its environment (the secret shown as a reference, never its value). */
  readonly originEnv: Readonly<Record<string, string>>;
  /** Shell lines to run next, every value quoted. */
  readonly next: readonly string[];
  /** What the user should know (trade-offs, what the edge cannot do). */
  readonly notes: readonly string[];
}
