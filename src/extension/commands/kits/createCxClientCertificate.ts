import * as vscode from 'vscode';
import { notify } from '../../platform/notify';
import { buildCxClientKit, type CxClientCertificateSettings } from '../../../core/kits';
import type { CommandDeps } from '../deps';
import { isArgsWith } from '../guard';
import type { GenerateResult } from '../shared/writeGenerated';
import { resolveKitInputs, writeKitAndShow, type KitArgs } from './kitInputs';

/** Argument object for mtls.createCxClientCertificate. */
export interface CxClientArgs extends KitArgs {
  /** Google Cloud project id (default: the placeholder PROJECT_ID). */
  project?: string;
  /** Secret names PREFIX-key and PREFIX-passphrase (default cx-client). */
  secretPrefix?: string;
  location?: string;
  agent?: string;
}

export interface CxClientResult extends GenerateResult {
  readonly settings: CxClientCertificateSettings;
  readonly commands: readonly string[];
  readonly document?: string;
}

/** The result document: Markdown, each command in its own shell block so it can be copied as is. */
function resultMarkdown(instructions: string, commands: readonly string[]): string {
  const [first, ...rest] = instructions.split('\n\nInstall it on the agent')[0].split('\n');
  const after = instructions.split('\n\n').slice(-1)[0];
  const steps = [
    'Create the secret holding the key',
    'Create the secret holding the passphrase',
    'Look up the project number',
    'Let the Dialogflow service agent read the key',
    '… and the passphrase',
    'Update the agent (PATCH clientCertificateSettings)',
  ];
  return [
    '# Dialogflow CX custom client certificate',
    '',
    first,
    '',
    ...rest.map((l) => `- ${l.trim()}`),
    '',
    '## Install it on the agent',
    '',
    'Run these yourself (this tool calls no Google API). Each block copies as one command.',
    '',
    ...commands.flatMap((c, i) => [`${i + 1}. ${steps[i] ?? ''}`, '', '```sh', c, '```', '']),
    after,
    '',
  ].join('\n');
}

/** mTLS: Create Dialogflow CX Custom Client Certificate… — from the palette or on a CA in the Certificates view. */
export async function createCxClientCertificateCommand(deps: CommandDeps, target?: unknown): Promise<CxClientResult> {
  const args = isArgsWith<CxClientArgs>(target, 'caCert') ? target : undefined;
  const interactive = args === undefined;
  const a: Partial<CxClientArgs> = args ?? {};
  const inputs = await resolveKitInputs(deps, a, target, interactive, {
    cn: 'dialogflow-cx-agent',
    folder: 'cx-client',
    what: 'CX client certificate',
  });
  const project =
    a.project ??
    (interactive
      ? (
          await vscode.window.showInputBox({
            title: 'Google Cloud project id of the agent (optional)',
            prompt: 'Leave empty to keep the PROJECT_ID placeholder in the commands',
          })
        )?.trim() || undefined
      : undefined);
  const kit = await buildCxClientKit({
    ...inputs,
    project,
    secretPrefix: a.secretPrefix,
    location: a.location,
    agent: a.agent,
    shownDir: inputs.folder,
  });
  const result = await writeKitAndShow(deps, kit, inputs.folder, {
    interactive,
    overwrite: inputs.overwrite,
    gitignore: a.gitignore,
    open: a.open,
    docName: 'cx-client-certificate',
    docText: resultMarkdown(kit.instructions, kit.commands),
    language: 'markdown',
  });
  if (interactive) {
    void notify(
      'info',
      'CX client certificate created. The install commands are in the document.',
      'Copy All Commands',
    ).then((pick) => {
      if (pick) void vscode.env.clipboard.writeText(kit.commands.join('\n') + '\n');
    });
  }
  return { ...result, settings: kit.settings, commands: kit.commands };
}
