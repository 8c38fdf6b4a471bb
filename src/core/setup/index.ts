/** The guided set-up flow, shared by `mtls init` and VS Code. */
export {
  setupProject,
  renderSetupSummary,
  setupStepLabels,
  type SetupOptions,
  type SetupSummary,
  type SetupStep,
  type StartedServer,
} from './setupProject';
export { startBackgroundServer, type BackgroundServer } from './backgroundServer';
