// Edge configurations: for a project's certificates, the files that put a TLS-terminating proxy or load
// balancer in front of the webhook with mutual TLS enforced at the edge, and what to run next.
import { MtlsError } from '../errors';
import { awsEdge } from './aws';
import { caddyEdge } from './caddy';
import { caInProject, dockerfile } from './dockerfile';
import { envoyEdge } from './envoy';
import { gcpEdge } from './gcp';
import { haproxyEdge } from './haproxy';
import { ingressNginxEdge } from './ingressNginx';
import { nginxEdge } from './nginx';
import type { EdgeBundle, EdgeOptions, EdgeTarget } from './types';

export {
  edgeTargets,
  isEdgeTarget,
  edgeDescriptions,
  type EdgeTarget,
  type EdgeOptions,
  type EdgeBundle,
} from './types';
export { certificateHeaders, overwrittenHeaders } from './headers';
export { gcpHeaderVariables } from './gcp';

/** The edges that cannot connect from a fixed address we choose: the origin trusts a secret header instead. */
export const secretRequired: readonly EdgeTarget[] = ['caddy', 'gcp'];

/** Extra inputs some edges need: HAProxy's crt file holds the server's chain and key. */
export interface EdgeInputs {
  readonly certPem?: string;
  readonly keyPem?: string;
  /** Kubernetes / AWS: the addresses the load balancer connects from (MTLS_EDGE_TRUSTED). */
  readonly trusted?: string;
}

/** The files and next steps for `o.kind`; throws MtlsError for an input it cannot use. */
export function generateEdge(o: EdgeOptions, inputs: EdgeInputs = {}): EdgeBundle {
  if (o.host !== undefined && !/^[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(o.host)) {
    throw new MtlsError('E_INPUT', `--host ${o.host}: a host name, e.g. webhook.example.com`);
  }
  if (o.secret !== undefined && !/^[\x21-\x7e]{16,}$/.test(o.secret)) {
    throw new MtlsError('E_INPUT', 'The edge secret must be at least 16 printable characters without spaces.');
  }
  if (secretRequired.includes(o.kind) && o.secret === undefined) {
    throw new MtlsError(
      'E_INPUT',
      `${o.kind} cannot connect from an address the webhook can trust: it needs the edge secret (--secret-env).`,
    );
  }
  const local = (b: EdgeBundle): EdgeBundle => withDockerfile(o, b);
  switch (o.kind) {
    case 'nginx':
      return local(nginxEdge(o));
    case 'haproxy': {
      if (inputs.certPem === undefined || inputs.keyPem === undefined)
        throw new MtlsError('E_INPUT', 'HAProxy needs the server certificate and key (one crt file).');
      const nl = (s: string): string => (s.endsWith('\n') ? s : `${s}\n`);
      return local(haproxyEdge(o, nl(inputs.certPem) + nl(inputs.keyPem)));
    }
    case 'caddy':
      return local(caddyEdge(o));
    case 'envoy':
      return local(envoyEdge(o));
    case 'ingress-nginx':
      return ingressNginxEdge({ ...o, ...(inputs.trusted ? { trusted: inputs.trusted } : {}) });
    case 'gcp':
      return gcpEdge(o);
    case 'aws':
      return awsEdge({ ...o, ...(inputs.trusted ? { trusted: inputs.trusted } : {}) });
  }
}

/** A proxy on the same host runs the webhook as it is; the Dockerfile is there for running both as containers. */
function withDockerfile(o: EdgeOptions, b: EdgeBundle): EdgeBundle {
  try {
    caInProject(o);
  } catch (e) {
    return { ...b, notes: [...b.notes, `No Dockerfile: ${(e as Error).message}`] };
  }
  return { ...b, files: [...b.files, dockerfile(o)] };
}
