import { mergeServerLog, type ObservedHandshake } from '../../../core/http';
import type { CommandDeps } from '../deps';

/**
 * When the URL's port is a server started from VS Code, adds its refusal lines to the failed handshakes
 * in `results` (both sides of a failure in one view). Returns whether the server was ours.
 */
export async function addServerSide(deps: CommandDeps, url: string, results: ObservedHandshake[]): Promise<boolean> {
  const port = Number(new URL(url).port || 443);
  if (deps.servers.outputOf(port) === undefined) return false;
  await mergeServerLog(() => deps.servers.outputOf(port) ?? '', results);
  return true;
}
