export { checkReadiness } from './checkReadiness';
export { renderReadiness, readinessJson } from './renderReadiness';
export type { CheckRow, CheckStatus, FixAction, ReadinessOptions, ReadinessReport, ReadinessVerdict } from './types';
