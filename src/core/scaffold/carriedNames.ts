// Code carried from a single-file server.ts into server.mts could use any name of the old file: the
// machinery was in the same file. The names ./mtls-server/ exports, and Node's types the old file imported,
// are imported for it; any other name of the old machinery is reported, since server.mts no longer has it.
import type { ExtraImports } from './renderServer';

/** Values and types ./mtls-server/index.mts exports that old handler code may name. */
const machineryValues = ['HttpError', 'cxReply', 'esReply'];
const machineryTypes = [
  'CxHandler',
  'CxRequest',
  'CxResponse',
  'EsHandler',
  'EsRequest',
  'EsResponse',
  'KoreHandler',
  'WebhookContext',
  'Caller',
];

/** Node's types the single-file machinery imported (type-only). */
const nodeTypes: Record<string, string> = {
  IncomingMessage: 'node:http',
  ServerResponse: 'node:http',
  PeerCertificate: 'node:tls',
  TLSSocket: 'node:tls',
};

/** Every other top-level name the machinery of templates 1–4 declared (frozen: those files no longer change). */
const oldMachineryNames = [
  'answeredEarly',
  'baseDir',
  'certificateBlocks',
  'checkAuthorization',
  'checkSettings',
  'ClientInfo',
  'clientCache',
  'closeUnlessComplete',
  'config',
  'configDefaults',
  'createIdTokenVerifier',
  'Credentials',
  'crypto',
  'describeClient',
  'dispatch',
  'dn',
  'earlyAnswered',
  'fail',
  'field',
  'fromEnv',
  'fs',
  'handleRequest',
  'https',
  'idTokenConfigProblem',
  'IdTokenOptions',
  'IdTokenVerdict',
  'IdTokenVerifier',
  'idTokenVerifier',
  'isAllowedClient',
  'loadCredentials',
  'log',
  'nodeCrypto',
  'onRequest',
  'onTlsClientError',
  'own',
  'path',
  'positiveInteger',
  'publicRootsIn',
  'readBody',
  'readFile',
  'refusalReasons',
  'requestPath',
  'requirePinForPublicRoots',
  'resolveSettings',
  'sameSecret',
  'sendJson',
  'Settings',
  'start',
  'verifyGoogleIdToken',
];

/** `code` without comments and string literals (close enough to find the names it uses). */
function codeOnly(code: string): string {
  return code.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, ' ');
}

/** Whether `code` uses `name` as an identifier (not as a property after a dot, nor as an object key). */
function uses(code: string, name: string): boolean {
  return new RegExp(`(?<![\\w$.])${name}(?![\\w$])(?!\\s*:)`).test(code);
}

/** What code carried from a single-file server needs imported, and the old names it uses that are gone. */
export function carriedNames(
  userCode: string,
  declared: (name: string) => boolean,
): { extra: ExtraImports; missing: string[] } {
  const code = codeOnly(userCode);
  const used = (n: string): boolean => uses(code, n) && !declared(n);
  const machinery = [...machineryValues.filter(used), ...machineryTypes.filter(used).map((n) => `type ${n}`)];
  const byModule = new Map<string, string[]>();
  for (const [name, mod] of Object.entries(nodeTypes))
    if (used(name)) byModule.set(mod, [...(byModule.get(mod) ?? []), name]);
  const lines = [...byModule].map(([mod, names]) => `import type { ${names.join(', ')} } from '${mod}';`);
  return { extra: { machinery, lines }, missing: oldMachineryNames.filter(used) };
}
