export { checkReadiness } from './checkReadiness';
export { renderReadiness, readinessJson } from './renderReadiness';
export { ACCEPT_UNPINNED_ENV } from './clientTrustRows';
export type { CheckRow, CheckStatus, FixAction, ReadinessOptions, ReadinessReport, ReadinessVerdict } from './types';
