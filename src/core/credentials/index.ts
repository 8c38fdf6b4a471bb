/** Credential files: what a file holds, the checks before any connection, a PKCS#12 file opened as PEM. */
export { checkClientFiles, type NamedFile } from './checkClientFiles';
