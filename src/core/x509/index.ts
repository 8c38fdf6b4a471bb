/** Public API of the decoder: what the CLI, the VS Code tree and the hovers use. */
export { decodeBytes, decodeBytesAsync, decodePemText, decodePemTextAsync, looksLikeCertificateFile } from './decode';
export { findPemBlocks, toPem, type PemBlockLocation } from './pem';
export { renderText, summarize } from './render';
export { matchKeyToCertificates } from './chain';
export type * from './types';
