import * as path from 'node:path';
import { buildCxClientKit, CxClientFiles } from '../../core/kits/index';
import { stringOpt, type CliCommand } from '../command';
import { kitDetails, kitInputs, kitOptions, writeKit } from '../kit';

export const cxClientCommand: CliCommand = {
  name: 'cx-client',
  summary: 'Create a Dialogflow CX custom client certificate (agent clientCertificateSettings) from your CA',
  usage: 'mtls cx-client --ca-cert F --ca-key F --out DIR [--cn NAME] [--project P] [--secret-prefix S] [options]',
  details:
    [
      kitDetails('dialogflow-cx-agent'),
      '  --project ID            Google Cloud project id (default: the placeholder PROJECT_ID)',
      '  --secret-prefix S       Secret Manager secret names S-key and S-passphrase (default cx-client)',
      '  --location L            agent location for the update command (default global)',
      '  --agent ID              agent id for the update command (default: the placeholder AGENT_ID)',
      '',
      `Writes ${CxClientFiles.cert} (clientAuth), ${CxClientFiles.key} (PKCS#8 encrypted with a generated passphrase),`,
      `${CxClientFiles.passphrase} (mode 0600) and ${CxClientFiles.settings} (the agent's clientCertificateSettings),`,
      'then prints the gcloud commands that create the two secrets, grant the Dialogflow service agent',
      'roles/secretmanager.secretAccessor on them and update the agent. It calls no Google API itself.',
    ].join('\n') + '\n',
  options: {
    ...kitOptions,
    project: { type: 'string' },
    'secret-prefix': { type: 'string' },
    location: { type: 'string' },
    agent: { type: 'string' },
  },
  async run({ values }, ctx) {
    const inputs = await kitInputs(values, ctx);
    const rel = path.relative(ctx.cwd, inputs.dir);
    const kit = await buildCxClientKit({
      ...inputs,
      project: stringOpt(values, 'project'),
      secretPrefix: stringOpt(values, 'secret-prefix'),
      location: stringOpt(values, 'location'),
      agent: stringOpt(values, 'agent'),
      shownDir: rel.startsWith('..') || path.isAbsolute(rel) ? inputs.dir : rel,
    });
    await writeKit(kit, inputs.dir, inputs.force, ctx);
    ctx.out(`\n${kit.instructions.trimEnd()}`);
    return 0;
  },
};
