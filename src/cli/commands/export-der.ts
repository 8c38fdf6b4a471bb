import * as path from 'node:path';
import { writeFileSet } from '../../core/files';
import { exportDer } from '../../core/pki/index';
import { stringOpt, UsageError, type CliCommand } from '../command';
import { readText } from '../options';

export const exportDerCommand: CliCommand = {
  name: 'export-der',
  summary: 'Export a CA certificate as DER for Dialogflow CX custom CA upload',
  usage: 'mtls export-der --cert F --out F.der [--server-cert F --host NAME]',
  details:
    [
      '  --cert FILE         the CA certificate that issued your webhook server certificate (PEM)',
      '  --out FILE.der      the DER file to upload in Dialogflow CX (webhook → custom CA certificates)',
      '  --server-cert FILE  your server certificate (leaf first; intermediates may follow) to check as CX will',
      '  --host NAME         the webhook host name; the server certificate needs a SAN for it',
      '  --force             overwrite an existing file',
      '',
      "CX custom CAs verify your *server*, not Dialogflow's client certificate. The DER is written even when",
      'problems are found; the exit code is then 1.',
    ].join('\n') + '\n',
  options: {
    cert: { type: 'string' },
    out: { type: 'string' },
    'server-cert': { type: 'string' },
    host: { type: 'string' },
    force: { type: 'boolean' },
  },
  required: ['cert', 'out'],
  async run({ values }, ctx) {
    const serverFile = stringOpt(values, 'server-cert');
    const host = stringOpt(values, 'host');
    if (host !== undefined && serverFile === undefined)
      throw new UsageError('--host needs --server-cert (the certificate to check against that host)');
    const result = exportDer({
      caCertPem: await readText(ctx, stringOpt(values, 'cert') ?? '', 'the CA certificate'),
      serverCertPem: serverFile === undefined ? undefined : await readText(ctx, serverFile, 'the server certificate'),
      host,
    });
    const out = path.resolve(ctx.cwd, stringOpt(values, 'out') ?? '');
    await writeFileSet(path.dirname(out), [{ name: path.basename(out), contents: result.der }], {
      overwrite: values['force'] === true,
      within: ctx.cwd,
    });
    ctx.out(
      `Wrote ${out} (${result.der.length} bytes DER): upload it in Dialogflow CX under the webhook's custom CA certificates.`,
    );
    for (const note of result.notes) ctx.out(note);
    if (serverFile === undefined) {
      ctx.out('Tip: add --server-cert FILE --host NAME to check the server certificate the way CX will.');
    }
    if (result.problems.length > 0) {
      ctx.err(['Problems CX will hit with this setup:', ...result.problems.map((p) => `  - ${p}`)].join('\n'));
      return 1;
    }
    if (serverFile !== undefined)
      ctx.out(`The server certificate chains to this CA${host ? ` and covers ${host}` : ''}.`);
    return 0;
  },
};
