import type { CommandDeps } from '../deps';
import { fileFromTarget } from '../shared/pickFile';

/** mTLS: Stop Webhook Server — ends the server(s) started from VS Code (SIGTERM: graceful shutdown). */
export async function stopServerCommand(deps: CommandDeps, target?: unknown): Promise<{ stopped: string[] }> {
  const file = (target as { file?: string } | undefined)?.file ?? fileFromTarget(target);
  return { stopped: await deps.servers.stop(file) };
}
