/** Certificate generation: keys, certificates, chains, PKCS#12, trust bundles. Pure: returns data, writes no files. */
export { keyTypes, parseKeyType, type KeyType } from './keys';
export { parseSans } from './names';
export {
  generateSelfSigned,
  generateChain,
  DEFAULT_LEAF_DAYS,
  DEFAULT_CA_DAYS,
  type SubjectOptions,
  type LeafOptions,
  type ChainOptions,
  type GeneratedSet,
  type GeneratedCertificate,
} from './generate';
export { generateClientFromCa, issueClientCertificate, isSelfSigned, loadCa, type IssuedClient } from './clientFromCa';
export { describe as describeCertificate } from './generate';
export { buildPkcs12 } from './pkcs12';
export { DEFAULT_KDF_ITERATIONS, kdfIterations } from '../crypto/pbes2';
export {
  dialogflowTrustBundle,
  dialogflowClientPin,
  checkBundleExpiry,
  importedTrustBundle,
  koreNotes,
} from './trustBundle';
export { exportDer } from './exportDer';
export type { CertRole } from './certificate';

// Building blocks for other core modules that mint special-purpose certificates (the probe's expired and
// serverAuth-only certificates, the Dialogflow-shaped test chain): one certificate builder for everything.
export { buildCertificate } from './certificate';
export { readCertFields } from './certInfo';
export { generateKeyPair, privateKeyFilePem, privateKeyPem } from './keys';
export { encodeName } from './names';
export { toPem } from '../asn1/pemArmor';
