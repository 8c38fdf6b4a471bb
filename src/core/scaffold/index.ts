// The scaffolded mTLS webhook server, its preflight checks and how to launch it.
export { parsePlatforms, defaultServerPort, type ServerTemplateOptions } from './renderServer';
export {
  scaffoldServer,
  scaffoldServerFiles,
  serverFileSet,
  removeStaleMachinery,
  scaffoldObstacles,
  serverFileName,
  type ScaffoldResult,
} from './scaffoldServer';
export {
  readServerConfig,
  configuredAuthorization,
  type ServerConfig,
  type AuthMode,
  type ReadServerConfigOptions,
} from './serverConfig';
export { serverFileIn, resolveServerFile, legacyServerFileName, LegacyServerError } from './serverLocation';
export { preflight, formatProblem, type PreflightProblem, type PreflightCode } from './preflight';
export { planLaunch, findNodeOnPath, type LaunchOptions, type LaunchPlan, type LaunchStrategy } from './launch';
export { awaitServerReady, ServerStartError, type StartupWatch } from './serverStartup';
export {
  planUpgradeFile,
  applyUpgrade,
  upgradeDiff,
  type UpgradePlan,
  type UpgradeResult,
  type MachineryChange,
} from './upgradeServer';
export { templateVersion, changesSince } from './template/changelog';
export { nodeTypesInstall, hasNodeTypes, nodeTypesPackage, type NodeTypesInstall } from './nodeTypes';
