import { buildKoreKit, koreCloudMessage, KoreKitFiles } from '../../core/kits/index';
import { passphraseFromEnv, stringOpt, UsageError, type CliCommand } from '../command';
import { kitDetails, kitInputs, kitOptions, writeKit } from '../kit';
import { readText } from '../options';

export const koreClientCommand: CliCommand = {
  name: 'kore-client',
  summary: 'Create a Kore.ai client-certificate kit (on-premises bot platform) from your CA',
  usage:
    'mtls kore-client --ca-cert F --ca-key F --out DIR [--cn NAME] [--p12] [options]   |   mtls kore-client --cloud',
  details:
    [
      kitDetails('kore-bot-platform'),
      '  --ca-root FILE          the CA root, when --ca-cert does not hold it (e.g. only the intermediate)',
      '  --p12                   also write kore-client.p12 (key + certificate + intermediates)',
      '  --passphrase-env VAR    environment variable holding the .p12 passphrase (default: generated into',
      `                          ${KoreKitFiles.p12Passphrase}, mode 0600)`,
      "  --cloud                 the bot runs on Kore.ai's cloud: explains the trust-bundle path, writes nothing",
      '',
      `Writes ${KoreKitFiles.key} (private key), ${KoreKitFiles.cert} (client certificate, clientAuth),`,
      `${KoreKitFiles.root} (CA root), ${KoreKitFiles.intermediates} (CA intermediates), ${KoreKitFiles.fullchain}`,
      'and README.txt mapping each file to the Kore.ai prerequisite it satisfies. --ca-cert should hold the root',
      '(e.g. ca-crt.pem from mtls chain, with ca-intermediate-key.pem as --ca-key), or give it with --ca-root.',
    ].join('\n') + '\n',
  options: {
    ...kitOptions,
    'ca-root': { type: 'string' },
    p12: { type: 'boolean' },
    'passphrase-env': { type: 'string' },
    cloud: { type: 'boolean' },
  },
  async run({ values }, ctx) {
    if (values['cloud'] === true) {
      ctx.out(koreCloudMessage);
      return 0;
    }
    const p12 = values['p12'] === true;
    const p12Passphrase = passphraseFromEnv(values, ctx.env);
    if (p12Passphrase !== undefined && !p12) throw new UsageError('--passphrase-env is for the .p12: add --p12');
    const inputs = await kitInputs(values, ctx);
    const rootFile = stringOpt(values, 'ca-root');
    const caRootPem = rootFile === undefined ? undefined : await readText(ctx, rootFile, 'the CA root');
    const kit = await buildKoreKit({ ...inputs, caRootPem, p12, p12Passphrase });
    await writeKit(kit, inputs.dir, inputs.force, ctx);
    ctx.out(`\n${kit.instructions.trimEnd()}\n(This text is also in ${inputs.dir}/README.txt.)`);
    return 0;
  },
};
