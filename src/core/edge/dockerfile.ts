// A container image of the webhook for edges that run it as a service (Kubernetes, Cloud Run, ECS): the
// user's server.mts and the generated mtls-server/, the CA bundle it verifies forwarded certificates with.
import * as path from 'node:path';
import { MtlsError } from '../errors';
import type { OutputFile } from '../files';
import { edgeFormat, type EdgeOptions } from './types';

/** The port the container listens on ($PORT overrides it on Cloud Run). */
export const containerPort = 8080;

/** The CA bundle's path inside the project (posix), or an error when it lies outside the build context. */
export function caInProject(o: EdgeOptions): string {
  const rel = path.relative(o.projectDir, o.caPath);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new MtlsError(
      'E_INPUT',
      `The CA bundle ${o.caPath} is outside ${o.projectDir}: copy it into the project (e.g. certs/) so the image can include it.`,
    );
  }
  return rel.split(path.sep).join('/');
}

/** Dockerfile: build it with `docker build -f OUT/Dockerfile PROJECT`. */
export function dockerfile(o: EdgeOptions): OutputFile {
  const ca = caInProject(o);
  const lines = [
    '# The webhook behind an edge that terminates mutual TLS. Build from the project folder:',
    '#   docker build -f <this file> -t mtls-webhook <folder with server.mts>',
    'FROM node:24-slim',
    'WORKDIR /app',
    ...(o.hasPackageJson ? ['COPY package*.json ./', 'RUN npm ci --omit=dev'] : []),
    'COPY server.mts ./',
    'COPY mtls-server/ ./mtls-server/',
    '# The CA bundle: the webhook verifies every forwarded certificate against it, as the edge did.',
    `COPY ${JSON.stringify(ca)} ${JSON.stringify(`./${ca}`)}`,
    `ENV MTLS_EDGE=${edgeFormat[o.kind]} MTLS_HOST=0.0.0.0 MTLS_CA=/app/${ca} PORT=${containerPort}`,
    'USER node',
    `EXPOSE ${containerPort}`,
    'CMD ["node", "server.mts"]',
    '',
  ];
  return { name: 'Dockerfile', contents: lines.join('\n') };
}
