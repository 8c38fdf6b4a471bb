import { generateSelfSigned } from '../../core/pki/index';
import type { CliCommand } from '../command';
import { generateDetails, generateOptions, leafFromArgs, outDir, writeAndReport } from '../options';

export const selfsignedCommand: CliCommand = {
  name: 'selfsigned',
  summary: 'Generate a self-signed server certificate and key',
  usage: 'mtls selfsigned --out DIR [options]',
  details:
    generateDetails('localhost', 'localhost,127.0.0.1,::1 plus the CN') +
    '\n\nWrites server-key.pem and server-crt.pem (CA:false, serverAuth).\n',
  options: generateOptions,
  required: ['out'],
  async run({ values }, ctx) {
    const dir = outDir(values, ctx);
    const set = await generateSelfSigned(leafFromArgs(values, ctx.env));
    await writeAndReport(set, dir, values, ctx);
    return 0;
  },
};
