// The edge configuration for a project folder: reads the server's effective settings (server.mts
// --print-config) and the files the edge needs, then hands them to the pure generator.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MtlsError } from '../errors';
import { readServerConfig, resolveServerFile, type ReadServerConfigOptions } from '../scaffold/index';
import { generateEdge, secretRequired } from './index';
import { edgeSecretEnv, type EdgeBundle, type EdgeOptions, type EdgeTarget } from './types';

export interface ProjectEdgeRequest {
  readonly kind: EdgeTarget;
  /** The folder with server.mts (absolute). */
  readonly dir: string;
  /** Output folder (absolute; default dir/edge/<kind>). */
  readonly out?: string;
  readonly host?: string;
  readonly origin?: string;
  /** Add X-Mtls-Edge-Secret (always for the edges that need it). */
  readonly secret?: boolean;
  /** MTLS_EDGE_TRUSTED for Kubernetes / AWS. */
  readonly trusted?: string;
  /** The environment the server's settings are read with; MTLS_EDGE_SECRET there is the secret to use. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly runtime?: ReadServerConfigOptions;
  /** Test and advanced overrides of the generator (listen address, edge source, state folder, user). */
  readonly overrides?: Partial<Pick<EdgeOptions, 'listen' | 'edgeSource' | 'stateDir' | 'user'>>;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new MtlsError(
      'E_INPUT',
      `Cannot read ${what} ${file}: ${(e as Error).message}. Generate it first (mtls chain), or point server.mts at it.`,
      { cause: e },
    );
  }
}

/** The bundle for `r.kind` and the folder it goes to. */
export async function projectEdge(
  r: ProjectEdgeRequest,
): Promise<{ bundle: EdgeBundle; outDir: string; serverFile: string }> {
  const env = r.env ?? process.env;
  const serverFile = await resolveServerFile(r.dir);
  // The settings of the server as it runs directly: the edge takes over its certificate, key and CA bundle.
  const config = await readServerConfig(
    serverFile,
    { ...env, MTLS_EDGE: undefined, MTLS_EDGE_TRUSTED: undefined },
    r.runtime,
  );
  const projectDir = path.dirname(serverFile);
  const outDir = r.out ?? path.join(projectDir, 'edge', r.kind);
  const caPem = await readText(config.caPath, 'the CA bundle');
  const needsKey = r.kind === 'haproxy';
  const [certPem, keyPem] = needsKey
    ? await Promise.all([
        readText(config.certPath, 'the server certificate'),
        readText(config.keyPath, 'the server key'),
      ])
    : [];
  const wantSecret = r.secret === true || secretRequired.includes(r.kind);
  const secret = wantSecret ? env[edgeSecretEnv] || randomBytes(32).toString('base64url') : undefined;
  const hasPackageJson = await fs.stat(path.join(projectDir, 'package.json')).then(
    () => true,
    () => false,
  );
  const bundle = generateEdge(
    {
      kind: r.kind,
      projectDir,
      outDir,
      caPem,
      hasPackageJson,
      certPath: config.certPath,
      keyPath: config.keyPath,
      caPath: config.caPath,
      port: config.port,
      ...(r.host !== undefined ? { host: r.host } : {}),
      ...(r.origin !== undefined ? { origin: r.origin } : {}),
      ...(secret !== undefined ? { secret } : {}),
      ...r.overrides,
    },
    {
      ...(certPem !== undefined ? { certPem } : {}),
      ...(keyPem !== undefined ? { keyPem } : {}),
      ...(r.trusted !== undefined ? { trusted: r.trusted } : {}),
    },
  );
  return { bundle, outDir, serverFile };
}
