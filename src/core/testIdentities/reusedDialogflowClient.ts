/**
 * The Dialogflow-shaped TEST chain, kept between runs: a server started with `--root-out`'s root must still
 * trust the chain the next `send --as-dialogflow` presents. Stored in the user's cache folder (0700 folder,
 * 0600 file), renewed when it has less than a day left; it is a throwaway test chain, never a real key.
 */
import { promises as fs } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileSet } from '../files';
import { dialogflowLikeClient, type DialogflowLikeClient } from './dialogflowLikeClient';

const FILE = 'dialogflow-test-chain.json';

/** Where the cached chain lives: $XDG_CACHE_HOME/mtls-workbench (else ~/.cache/mtls-workbench). */
export function testChainCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'mtls-workbench');
}

function usable(c: Partial<DialogflowLikeClient>): c is DialogflowLikeClient {
  if (
    typeof c.certPem !== 'string' ||
    typeof c.keyPem !== 'string' ||
    typeof c.rootPem !== 'string' ||
    typeof c.intermediatePem !== 'string'
  )
    return false;
  try {
    const leaf = new X509Certificate(c.certPem);
    return (
      Date.parse(leaf.validTo) > Date.now() + 24 * 3600 * 1000 &&
      leaf.checkPrivateKey(createPrivateKey(c.keyPem)) &&
      new X509Certificate(c.intermediatePem).verify(new X509Certificate(c.rootPem).publicKey)
    );
  } catch {
    return false;
  }
}

/** The cached TEST chain when still good for a day, else a new one (then cached). */
export async function reusedDialogflowClient(cacheDir: string): Promise<DialogflowLikeClient & { reused: boolean }> {
  const file = path.join(cacheDir, FILE);
  try {
    const cached = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<DialogflowLikeClient>;
    if (usable(cached)) return { ...cached, reused: true };
  } catch {
    // missing or unreadable: make a new one
  }
  const fresh = await dialogflowLikeClient();
  await fs.mkdir(cacheDir, { recursive: true, mode: 0o700 });
  await writeFileSet(cacheDir, [{ name: FILE, contents: JSON.stringify(fresh), secret: true }], { overwrite: true });
  return { ...fresh, reused: false };
}
