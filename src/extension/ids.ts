/** Every command, view, context key and setting id in one place (they must match package.json). */
export const Commands = {
  generateSelfSigned: 'mtls.generateSelfSigned',
  generateChain: 'mtls.generateChain',
  generateClient: 'mtls.generateClient',
  exportPkcs12: 'mtls.exportPkcs12',
  createTrustBundle: 'mtls.createTrustBundle',
  exportDer: 'mtls.exportDer',
  createKoreKit: 'mtls.createKoreKit',
  createCxClientCertificate: 'mtls.createCxClientCertificate',
  decodeCertificate: 'mtls.decodeCertificate',
  scaffoldServer: 'mtls.scaffoldServer',
  addNodeTypes: 'mtls.addNodeTypes',
  startServer: 'mtls.startServer',
  updateServer: 'mtls.updateServer',
  stopServer: 'mtls.stopServer',
  sendRequest: 'mtls.sendRequest',
  probeEndpoint: 'mtls.probeEndpoint',
  setupProject: 'mtls.setupProject',
  refreshCertificates: 'mtls.refreshCertificates',
  revealInExplorer: 'mtls.revealInExplorer',
  showLog: 'mtls.showLog',
  copyValue: 'mtls.copyValue',
  copyPem: 'mtls.copyPem',
  changePortAndStart: 'mtls.changePortAndStart',
  useClientCertificateIn: 'mtls.useClientCertificateIn',
  checkReadiness: 'mtls.checkReadiness',
  deployBehindLoadBalancer: 'mtls.deployBehindLoadBalancer',
} as const;

export const Views = {
  container: 'mtls',
  certificates: 'mtls.certificates',
} as const;

export const ContextKeys = {
  serverRunning: 'mtls.serverRunning',
} as const;

export const Settings = {
  section: 'mtls',
  certificatesFolder: 'certificatesFolder',
  defaultKeyType: 'defaultKeyType',
  leafValidityDays: 'leafValidityDays',
  caValidityDays: 'caValidityDays',
  expiryWarningDays: 'expiryWarningDays',
  certificateGlob: 'certificateGlob',
  certificateExclude: 'certificateExclude',
  offerGitignore: 'offerGitignore',
  kdfIterations: 'kdfIterations',
  decodeTimeoutMs: 'decodeTimeoutMs',
  serverPort: 'server.port',
  serverNodePath: 'server.nodePath',
} as const;

/** A setting's full id, as `affectsConfiguration` and the Settings editor take it ('mtls.decodeTimeoutMs'). */
export const settingId = (key: (typeof Settings)[Exclude<keyof typeof Settings, 'section'>]): string =>
  `${Settings.section}.${key}`;

/** Status bar items (their ids name them in the status bar's context menu). */
export const StatusBarItems = {
  server: 'mtls.server',
} as const;

export const LOG_NAME = 'mTLS';
/** The Problems panel's collection of certificate diagnostics. */
export const DIAGNOSTICS_NAME = 'mtls';
