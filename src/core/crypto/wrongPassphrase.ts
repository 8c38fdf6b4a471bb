/**
 * Whether a PEM private key failed to open because of its passphrase. OpenSSL's message for a wrong one
 * varies: usually "bad decrypt" (the padding check), "interrupted or cancelled" for an empty one, and about one
 * time in 256 the garbage it decrypts to passes the padding check and only its key decoder refuses it
 * ("unsupported"). Whether the key is encrypted at all is read from the PEM, never guessed from the message.
 */

/** True when the PEM text holds a passphrase-protected private key (PKCS#8, or legacy Proc-Type encryption). */
export function isEncryptedKeyPem(pem: string): boolean {
  return /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem);
}

/** True when loading `pem` with `passphrase` failed with `error` because the passphrase is wrong. */
export function isWrongPassphrase(pem: string, passphrase: string | undefined, error: unknown): boolean {
  const text = `${(error as NodeJS.ErrnoException | undefined)?.code ?? ''} ${error instanceof Error ? error.message : String(error)}`;
  return (
    passphrase !== undefined &&
    isEncryptedKeyPem(pem) &&
    /BAD_DECRYPT|INTERRUPTED|bad decrypt|DECODER|unsupported/i.test(text)
  );
}
