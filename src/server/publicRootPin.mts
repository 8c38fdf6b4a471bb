// A public root in the client CA bundle vouches for every client certificate it ever issued, to anyone: with
// one, the server starts only when the client identity is pinned, or the user says any such client may call.
import * as nodeCrypto from 'node:crypto';
import * as tls from 'node:tls';
import { certificateBlocks } from './credentials.mts';
import { log, fail } from './log.mts';

/** Subjects (CN, else the whole DN) of the certificates in the PEM bundle that are also in Node's root store. */
export function publicRootsIn(bundle: string): string[] {
  // Compared as DER, not as PEM text: the same root may come under another label (TRUSTED CERTIFICATE, which
  // also carries trust settings, or X509 CERTIFICATE) or with its base64 wrapped differently.
  const der = (pem: string): string =>
    Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64').toString('base64');
  const store = new Set(tls.rootCertificates.map(der));
  const found: string[] = [];
  for (const pem of certificateBlocks(bundle)) {
    let cert: nodeCrypto.X509Certificate;
    try {
      cert = new nodeCrypto.X509Certificate(pem);
    } catch {
      // The bundle was checked whole at start-up (credentials.mts): a block that does not parse is not loaded.
      continue;
    }
    if (!store.has(cert.raw.toString('base64'))) continue;
    found.push(/^CN=(.*)$/m.exec(cert.subject)?.[1] ?? cert.subject.replace(/\n/g, ', '));
  }
  return found;
}

/**
 * Refuses to start when the bundle holds a public root but no client identity is pinned, unless the user
 * explicitly accepts that any client certificate from that CA gets in.
 */
export function requirePinForPublicRoots(
  caPath: string,
  bundle: string,
  allowedClients: string[],
  acceptAnyPublicClient: boolean,
): void {
  const roots = publicRootsIn(bundle);
  if (roots.length === 0) return;
  const names = roots.map((r) => JSON.stringify(r)).join(', ');
  if (allowedClients.length > 0) {
    log('public root(s) in the CA bundle: ' + names + '; only pinned clients get in: ' + allowedClients.join(', '));
    return;
  }
  if (acceptAnyPublicClient) {
    log(
      'WARNING: the CA bundle holds public root(s) ' +
        names +
        ' and no client identity is pinned: ANY client certificate they issued is accepted (MTLS_ACCEPT_ANY_PUBLIC_CLIENT)',
    );
    return;
  }
  fail(
    'PUBLIC_ROOT_UNPINNED',
    'the CA bundle ' +
      caPath +
      ' holds public root(s) ' +
      names +
      ', which vouch for every client certificate they issue to anyone: ' +
      'pin the client identity with MTLS_ALLOWED_CLIENTS (Dialogflow: "Google LLC") or allowedClients in server.mts, ' +
      'or set MTLS_ACCEPT_ANY_PUBLIC_CLIENT=1 to accept any such certificate',
  );
}
