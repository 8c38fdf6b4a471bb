import { DEFAULT_CA_DAYS, generateChain } from '../../core/pki/index';
import { stringOpt, type CliCommand } from '../command';
import {
  generateDetails,
  generateOptions,
  intOpt,
  kdfIterationsOpt,
  keyPassphrase,
  leafFromArgs,
  outDir,
  writeAndReport,
} from '../options';

export const chainCommand: CliCommand = {
  name: 'chain',
  summary: 'Generate a dev CA chain: root, intermediate, server and client leaves',
  usage: 'mtls chain --out DIR [options]',
  details:
    generateDetails('localhost (server)', 'localhost,127.0.0.1,::1 plus the CN (server)') +
    '\n' +
    [
      '  --client-cn NAME        client certificate common name (default mtls-client)',
      '  --client-san LIST       client certificate SANs (default none)',
      `  --ca-days N             root and intermediate validity (default ${DEFAULT_CA_DAYS})`,
      '',
      'Writes ca-root-crt.pem, ca-root-key.pem, ca-intermediate-crt.pem, ca-intermediate-key.pem,',
      'ca-crt.pem (intermediate + root: what a server uses to verify clients), server-key.pem,',
      'server-crt.pem, server-fullchain.pem (leaf + intermediate), client-key.pem, client-crt.pem,',
      'client-fullchain.pem. --cn/--san apply to the server certificate; the client one gets clientAuth only.',
    ].join('\n') +
    '\n',
  options: {
    ...generateOptions,
    'client-cn': { type: 'string' },
    'client-san': { type: 'string' },
    'ca-days': { type: 'string' },
  },
  required: ['out'],
  async run({ values }, ctx) {
    const dir = outDir(values, ctx);
    const server = leafFromArgs(values, ctx.env);
    const clientCn = stringOpt(values, 'client-cn');
    const client = { ...leafFromArgs(values, ctx.env, 'client-cn', 'client-san'), cn: clientCn, org: server.org };
    const set = await generateChain({
      keyType: server.keyType,
      org: server.org,
      caDays: intOpt(values, 'ca-days'),
      keyPassphrase: keyPassphrase(values, ctx.env),
      kdfIterations: kdfIterationsOpt(values),
      server,
      client,
    });
    await writeAndReport(set, dir, values, ctx);
    return 0;
  },
};
