import { generateClientFromCa } from '../../core/pki/index';
import { stringOpt, type CliCommand } from '../command';
import {
  caDetails,
  caOptions,
  generateDetails,
  generateOptions,
  leafFromArgs,
  outDir,
  readCa,
  writeAndReport,
} from '../options';

export const clientCommand: CliCommand = {
  name: 'client',
  summary: 'Generate a client certificate signed by an existing CA',
  usage: 'mtls client --ca-cert F --ca-key F --out DIR --cn NAME [options]',
  details:
    [
      caDetails('extra intermediates after it go into the fullchain'),
      '  --name PREFIX           file name prefix instead of "client" (PREFIX-key.pem, PREFIX-crt.pem, PREFIX-fullchain.pem)',
    ].join('\n') +
    '\n' +
    generateDetails(undefined, 'none') +
    '\n\nThe certificate has extendedKeyUsage clientAuth only.\n',
  options: {
    ...generateOptions,
    ...caOptions,
    name: { type: 'string' },
  },
  required: ['ca-cert', 'ca-key', 'out', 'cn'],
  async run({ values }, ctx) {
    const dir = outDir(values, ctx);
    const leaf = leafFromArgs(values, ctx.env);
    const set = await generateClientFromCa({
      ...leaf,
      ...(await readCa(values, ctx)),
      namePrefix: stringOpt(values, 'name'),
    });
    await writeAndReport(set, dir, values, ctx);
    return 0;
  },
};
