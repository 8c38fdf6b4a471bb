// Shared fixtures for the ID-token tests: the verifier the webhook server runs (src/server/idToken.mts, the
// very file the scaffold copies into the workspace), and a real JWKS server on 127.0.0.1 that counts its hits.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VerifierOptions, IdTokenVerdict, IdTokenVerifier } from '../../../src/server/idToken.mjs' with {
  'resolution-mode': 'import',
};

/** The options createIdTokenVerifier takes in the server. */
export type IdTokenOptions = VerifierOptions;
export type { IdTokenVerdict };

export interface GeneratedVerifier {
  createIdTokenVerifier(o: IdTokenOptions): IdTokenVerifier;
  idTokenConfigProblem(o: IdTokenOptions): string | null;
}

/** The server's verifier module (an ES module: loaded with import()). */
export async function loadGeneratedVerifier(): Promise<GeneratedVerifier> {
  return await import('../../../src/server/idToken.mjs');
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
  const state: JwksServer = {
    url: '',
    hits: 0,
    body,
    headers: { 'cache-control': 'public, max-age=300' },
    status: 200,
    hang: false,
    close: () => Promise.resolve(),
  };
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
