// The scaffolded mTLS webhook server, its preflight checks and how to launch it.
export { renderServer, parsePlatforms, defaultServerPort, type ServerTemplateOptions, type Platform } from './renderServer';
export { platformNames } from './template/platforms';
export { scaffoldServer, scaffoldServerFiles, serverFileSet, removeStaleMachinery, scaffoldObstacles, serverFileName, tsconfigName, type ScaffoldResult } from './scaffoldServer';
export { serverReadyLine, serverErrorLine } from './serverLines';
export { readServerConfig, configuredAuthorization, type ServerConfig, type AuthMode, type ReadServerConfigOptions } from './serverConfig';
export { serverFileIn, resolveServerFile, legacyServerFileName, refuseLegacyServer, LegacyServerError } from './serverLocation';
export { preflight, formatProblem, type PreflightProblem, type PreflightCode } from './preflight';
export { PreflightError } from './preflightError';
export { serverStartCodes, preflightCodes, isServerStartCode, startActions, type ServerStartCode, type StartAction } from './startCodes';
export { planLaunch, strategyFor, parseNodeVersion, findNodeOnPath, defaultLoaderPath, type LaunchOptions, type LaunchPlan, type LaunchStrategy } from './launch';
export { awaitServerReady, ServerStartError, type StartupWatch } from './serverStartup';
export { planUpgrade, planUpgradeFile, planMachineryUpgrade, applyUpgrade, upgradeDiff, templateVersionOf, UpgradeRefusedError, type UpgradePlan, type UpgradeResult, type MachineryChange } from './upgradeServer';
export { templateVersion, templateChangelog, changesSince } from './template/changelog';
export { unifiedDiff } from './unifiedDiff';
export { nodeTypesInstall, hasNodeTypes, nodeTypesPackage, type NodeTypesInstall } from './nodeTypes';
