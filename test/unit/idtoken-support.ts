// Shared fixtures for the ID-token tests: the verifier exactly as server.ts contains it (the template text,
// types stripped by amaro, Node's own stripper), and a real JWKS server on 127.0.0.1 that counts its hits.
import { createRequire } from 'node:module';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { idTokenSection } from '../../src/core/scaffold/template/idToken';

/** The options createIdTokenVerifier takes in the generated server. */
export interface IdTokenOptions {
  audience: string;
  email: string;
  subject: string;
  jwks: string;
  issuers?: string[];
  skewSeconds?: number;
  fetchTimeoutMs?: number;
  refetchIntervalMs?: number;
  now?: () => number;
}

export interface IdTokenVerdict {
  ok: boolean;
  check: string;
  reason: string;
  observed: string;
}

export interface GeneratedVerifier {
  createIdTokenVerifier(o: IdTokenOptions): { verify(token: string): Promise<IdTokenVerdict>; warmUp(): Promise<string> };
  idTokenConfigProblem(o: IdTokenOptions): string | null;
}

/** Evaluates the generated verifier section on its own (it needs nothing from the rest of server.ts). */
export function loadGeneratedVerifier(): GeneratedVerifier {
  const repoRequire = createRequire(path.join(process.cwd(), 'package.json'));
  const amaro = repoRequire('amaro') as { transformSync(s: string, o: { mode: string }): { code: string } };
  const { code } = amaro.transformSync(idTokenSection, { mode: 'strip-only' });
  return new Function('process', 'Buffer', `${code}\nreturn { createIdTokenVerifier, idTokenConfigProblem };`)(process, Buffer) as GeneratedVerifier;
}

/** A JWKS server on 127.0.0.1: `body` and `headers` may change between requests; `hits` counts them. */
export interface JwksServer {
  url: string;
  hits: number;
  body: string;
  headers: Record<string, string>;
  status: number;
  /** When true, requests are accepted but never answered (a hung server). */
  hang: boolean;
  close(): Promise<void>;
}

export async function jwksServer(body: string): Promise<JwksServer> {
  const state: JwksServer = { url: '', hits: 0, body, headers: { 'cache-control': 'public, max-age=300' }, status: 200, hang: false, close: async () => undefined };
  const server = http.createServer((req, res) => {
    state.hits++;
    if (state.hang) return;
    res.writeHead(state.status, { 'content-type': 'application/json', ...state.headers });
    res.end(state.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/v3/certs`;
  state.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return state;
}
