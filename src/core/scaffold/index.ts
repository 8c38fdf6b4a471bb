// The scaffolded mTLS webhook server, its preflight checks and how to launch it.
export { renderServer, parsePlatforms, defaultServerPort, type ServerTemplateOptions, type Platform } from './renderServer';
export { platformNames } from './template/platforms';
export { scaffoldServer, serverFileName } from './scaffoldServer';
export { serverReadyLine, serverErrorLine } from './serverLines';
export { readServerConfig, configuredAuthorization, type ServerConfig } from './serverConfig';
export { preflight, checkPortFree, formatProblem, type PreflightProblem, type PreflightCode } from './preflight';
export { planLaunch, strategyFor, parseNodeVersion, findNodeOnPath, defaultLoaderPath, type LaunchOptions, type LaunchPlan, type LaunchStrategy } from './launch';
export { awaitServerReady, ServerStartError, type StartupWatch } from './serverStartup';
export { planUpgrade, planUpgradeFile, applyUpgrade, upgradeDiff, templateVersionOf, UpgradeRefusedError, type UpgradePlan, type UpgradeResult } from './upgradeServer';
export { templateVersion, templateChangelog, changesSince } from './template/changelog';
export { unifiedDiff } from './unifiedDiff';
export { nodeTypesInstall, hasNodeTypes, nodeTypesPackage, type NodeTypesInstall } from './nodeTypes';
