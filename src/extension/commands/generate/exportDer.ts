import * as vscode from 'vscode';
import { notify } from '../../platform/notify';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportDer } from '../../../core/pki';
import type { CommandDeps } from '../deps';
import { orCancel, isArgsWith } from '../guard';
import { fileFromTarget, pickFile } from '../shared/pickFile';
import { readText, workspacePath, workspacePathOf } from '../shared/workspace';
import { writeGenerated, type GenerateResult } from '../shared/writeGenerated';

/** Argument object for mtls.exportDer. */
export interface ExportDerArgs {
  caCert: string;
  out?: string;
  serverCert?: string;
  host?: string;
  overwrite?: boolean;
}

/** mTLS: Export CA as DER for Dialogflow CX — and check the server certificate the way CX will. */
export async function exportDerCommand(
  deps: CommandDeps,
  target?: unknown,
): Promise<GenerateResult & { problems: readonly string[] }> {
  const args = isArgsWith<ExportDerArgs>(target, 'caCert') ? target : undefined;
  const interactive = args === undefined;
  const a: Partial<ExportDerArgs> = args ?? {};
  const caCert = workspacePath(
    a.caCert ?? fileFromTarget(target) ?? (await pickFile('CA certificate to upload to Dialogflow CX')),
  );
  // CX receives the leaf plus intermediates from the server, so check the full chain when it is there.
  const sibling = ['server-fullchain.pem', 'server-crt.pem']
    .map((n) => path.join(path.dirname(caCert), n))
    .find((f) => fs.existsSync(f));
  const serverCert = workspacePathOf(a.serverCert) ?? (interactive ? sibling : undefined);
  const host =
    a.host ??
    (interactive
      ? orCancel(
          await vscode.window.showInputBox({
            title: 'Webhook host name that CX will call',
            prompt: 'e.g. webhook.example.com (must be in the server certificate SAN)',
            value: 'localhost',
          }),
        )
      : undefined);
  let serverPem: string | undefined;
  if (serverCert) {
    try {
      serverPem = await readText(serverCert);
    } catch (e) {
      if (a.serverCert) throw e; // the caller named it: report; a guessed sibling may simply not exist
    }
  }
  const { der, problems, notes } = exportDer({ caCertPem: await readText(caCert), serverCertPem: serverPem, host });
  const out = workspacePathOf(a.out) ?? caCert.replace(/(-crt)?\.(pem|crt|cer)$/, '') + '.der';
  const result = await writeGenerated(deps, path.dirname(out), [{ name: path.basename(out), contents: der }], [], {
    interactive,
    overwrite: a.overwrite,
    gitignore: false,
  });
  for (const n of notes) deps.log.info(`export-der: ${n}`);
  for (const p of problems) deps.log.warn(`export-der: ${p}`);
  if (problems.length > 0)
    void notify(
      'warning',
      `Dialogflow CX would reject the server certificate: ${problems[0]}${problems.length > 1 ? ` (+${problems.length - 1} more in the log)` : ''}`,
    );
  return { ...result, problems };
}
