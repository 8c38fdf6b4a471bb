import * as vscode from 'vscode';
import { keyTypes, parseKeyType, parseSans, type KeyType } from '../../../core/pki';
import { orCancel } from '../guard';

/** Quick pick of the key type, the configured default first. */
async function pickKeyType(preferred: string): Promise<KeyType> {
  const items = keyTypes.map((k) => ({ label: k.label, detail: k.detail, id: k.id, picked: k.id === preferred }));
  items.sort((a, b) => Number(b.picked) - Number(a.picked));
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Key type',
    placeHolder: 'RSA 2048 is accepted by every platform',
  });
  return orCancel(pick).id;
}

/** Input box for subject alternative names, validated as the user types. */
export async function askSans(title: string, value: string): Promise<string[]> {
  const text = await vscode.window.showInputBox({
    title,
    value,
    prompt: 'Comma-separated: DNS:name, IP:address, email:addr, URI:uri',
    validateInput: (v) => {
      try {
        parseSans(v);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  return parseSans(orCancel(text));
}

/** Input box for a common name. */
export async function askText(title: string, value: string, prompt?: string): Promise<string> {
  return orCancel(
    await vscode.window.showInputBox({
      title,
      value,
      prompt,
      validateInput: (v) => (v.trim() ? undefined : 'Required'),
    }),
  ).trim();
}

/** Asks whether to encrypt private keys; returns the passphrase or undefined for plain keys. */
export async function askKeyEncryption(): Promise<string | undefined> {
  const pick = orCancel(
    await vscode.window.showQuickPick(
      [
        {
          label: 'Unencrypted private keys',
          detail: 'Servers start without a passphrase (files are mode 0600)',
          encrypt: false,
        },
        {
          label: 'Encrypt private keys with a passphrase',
          detail: 'PKCS#8 with AES-256; you will need the passphrase to use them',
          encrypt: true,
        },
      ],
      { title: 'Private keys' },
    ),
  );
  return pick.encrypt ? askNewPassphrase('Passphrase for the private keys') : undefined;
}

/** Asks for a new passphrase twice (never stored, never logged). */
export async function askNewPassphrase(title: string): Promise<string> {
  const first = orCancel(
    await vscode.window.showInputBox({
      title,
      password: true,
      prompt: 'At least 4 characters',
      validateInput: (v) => (v.length >= 4 ? undefined : 'At least 4 characters'),
    }),
  );
  orCancel(
    await vscode.window.showInputBox({
      title: `${title} (again)`,
      password: true,
      validateInput: (v) => (v === first ? undefined : 'The passphrases differ'),
    }),
  );
  return first;
}

/** Fields every leaf-generating command accepts in its argument object. */
export interface LeafArgs {
  keyType?: string;
  sans?: string | string[];
  days?: number;
  org?: string;
  keyPassphrase?: string;
  /** PBKDF2 iterations for an encrypted key (default: setting mtls.kdfIterations). */
  kdfIterations?: number;
  overwrite?: boolean;
  gitignore?: boolean;
}

/** The key type from an argument, a prompt (interactive) or the configured default. */
export async function resolveKeyType(
  arg: string | undefined,
  interactive: boolean,
  preferred: string,
): Promise<KeyType> {
  if (arg) return parseKeyType(arg);
  return interactive ? pickKeyType(preferred) : parseKeyType(preferred);
}

/** SANs given as an array or as "DNS:a,IP:b" text (validated). */
export function sansArg(value: string | string[]): string[] {
  return Array.isArray(value) ? value : parseSans(value);
}

/** Asks for the passphrase of an encrypted PEM key when interactive; otherwise returns `given`. */
export async function keyPassphraseFor(
  pem: string,
  file: string,
  given: string | undefined,
  interactive: boolean,
): Promise<string | undefined> {
  if (given !== undefined || !interactive || !/ENCRYPTED/.test(pem)) return given;
  return orCancel(
    await vscode.window.showInputBox({ title: `Passphrase of ${file.split(/[\\/]/).pop()}`, password: true }),
  );
}
