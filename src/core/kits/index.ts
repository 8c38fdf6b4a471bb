/** Client-certificate kits: a certificate issued from the user's CA, laid out for one platform. Pure: returns files, writes nothing. */
export { checkKitFolder, removeLeftovers, type Kit, type KitIssueOptions } from './kitFolder';
export { buildKoreKit, koreCloudMessage, KoreKitFiles, type KoreKitOptions } from './koreKit';
export { buildCxClientKit, CxClientFiles, type CxClientOptions, type CxClientCertificateSettings } from './cxClientKit';
