/**
 * "Send as Dialogflow": a throwaway chain shaped like Dialogflow's real client certificate (root →
 * intermediate → leaf CN=Google LLC, clientAuth; the client sends leaf + intermediate). The real one is
 * issued by SSL.com; we cannot have its key, so the server must trust this TEST root instead while testing.
 */
import { freshClientChain } from './throwawayCerts';

/** Leaf + intermediate to send, the leaf's key, and the TEST root the server must trust. */
export interface DialogflowLikeClient {
  certPem: string;
  keyPem: string;
  rootPem: string;
  intermediatePem: string;
}

/** Builds the Dialogflow-shaped client chain (RSA 2048, like the real one); valid for 7 days. */
export async function dialogflowLikeClient(): Promise<DialogflowLikeClient> {
  const org = 'mTLS Workbench TEST (not SSL.com)';
  const { root, intermediate, leaf } = await freshClientChain({
    keyType: 'rsa2048',
    days: 7,
    root: { cn: 'TEST Root Certification Authority RSA', org, country: 'US' },
    intermediate: { cn: 'TEST Client Certificate Intermediate CA RSA R2', org, country: 'US' },
    leaf: { cn: 'Google LLC', org: 'Google LLC', country: 'US' },
  });
  return {
    certPem: leaf.certPem + intermediate.certPem,
    keyPem: leaf.keyPem,
    rootPem: root.certPem,
    intermediatePem: intermediate.certPem,
  };
}
