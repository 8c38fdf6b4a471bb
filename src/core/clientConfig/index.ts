/** Configuring other HTTP clients (REST Client, curl, httpie, Node, Postman) to present the client certificate. */
export {
  exportClientConfig,
  configTargets,
  isConfigTarget,
  REST_CLIENT_SETTINGS,
  REST_CLIENT_HTTP_FILE,
  type ConfigTarget,
  type ExportConfigOptions,
  type ExportedConfig,
} from './exportConfig';
export { toCurl, toOpensslSClient, type CommandFiles } from './equivalentCommands';
export { mergeRestClientSettings, type RestClientCertificate } from './restClient';
