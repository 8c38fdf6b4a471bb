import * as path from 'node:path';
import { writeFileSet } from '../../core/files';
import { readInputFile } from '../../core/inputFile';
import { configTargets, exportClientConfig, isConfigTarget } from '../../core/clientConfig/index';
import { isPlatform } from '../../core/webhook/index';
import { stringOpt, UsageError, type CliCommand } from '../command';

/** The file's text (a byte order mark kept, as U+FEFF), or undefined when there is no such file. */
async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return (await readInputFile(file)).toString('utf8');
  } catch (e) {
    if (((e as Error).cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
    throw e;
  }
}

export const exportConfigCommand: CliCommand = {
  name: 'export-config',
  summary: 'Point REST Client, curl, httpie, Node or Postman at the webhook with your client certificate',
  usage: `mtls export-config --for ${configTargets.join('|')} --cert F --key F [--ca F] [--url URL]`,
  details:
    [
      '  --for CLIENT            rest-client: adds the host to rest-client.certificates in .vscode/settings.json',
      '                          (merged: other settings and comments stay) and writes mtls-webhook.http;',
      '                          curl, httpie: prints the command line; node: a node:https / undici snippet and',
      '                          the NODE_EXTRA_CA_CERTS line; postman: the values to enter in its settings',
      '  --cert FILE             your client certificate (PEM; intermediates after the leaf are sent too)',
      '  --key FILE              its private key',
      '  --ca FILE               the CA that verifies the SERVER (your dev root); without it, the system roots',
      '  --url URL               the webhook (default https://localhost:4433/)',
      '  --platform cx|es|kore   the sample request to use (default cx)',
      '  --workspace DIR         rest-client: the workspace folder (default: the current folder)',
      "  --passphrase-env VAR    the variable commands read an encrypted key's passphrase from (default",
      '                          MTLS_KEY_PASSPHRASE); a passphrase is never written into files or commands',
      '  --force                 rest-client: replace an existing mtls-webhook.http',
      '',
      'Server verification stays on everywhere (no -k / --verify=no); REST Client cannot verify servers, it says so.',
    ].join('\n') + '\n',
  options: {
    for: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    ca: { type: 'string' },
    url: { type: 'string' },
    platform: { type: 'string' },
    workspace: { type: 'string' },
    'passphrase-env': { type: 'string' },
    force: { type: 'boolean' },
  },
  required: ['for', 'cert', 'key'],
  async run({ values }, ctx) {
    const target = stringOpt(values, 'for') ?? '';
    if (!isConfigTarget(target)) throw new UsageError(`--for ${target}: use ${configTargets.join(', ')}`);
    const platform = stringOpt(values, 'platform');
    if (platform !== undefined && !isPlatform(platform))
      throw new UsageError(`--platform ${platform}: use cx, es or kore`);
    const passphraseEnv = stringOpt(values, 'passphrase-env');
    if (passphraseEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(passphraseEnv))
      throw new UsageError(`--passphrase-env ${passphraseEnv}: not an environment variable name`);
    const workspace = path.resolve(ctx.cwd, stringOpt(values, 'workspace') ?? '.');
    // Paths in settings are relative to the workspace; in commands, to where the user runs them.
    const baseDir = target === 'rest-client' ? workspace : ctx.cwd;
    const settingsFile = path.join(workspace, '.vscode', 'settings.json');
    const existing = target === 'rest-client' ? await readIfExists(settingsFile) : undefined;
    const ca = stringOpt(values, 'ca');
    const r = await exportClientConfig(
      {
        target,
        baseDir,
        certFile: path.resolve(ctx.cwd, stringOpt(values, 'cert') ?? ''),
        keyFile: path.resolve(ctx.cwd, stringOpt(values, 'key') ?? ''),
        ...(ca !== undefined ? { caFile: path.resolve(ctx.cwd, ca) } : {}),
        ...(stringOpt(values, 'url') !== undefined ? { url: stringOpt(values, 'url') } : {}),
        ...(platform !== undefined ? { platform } : {}),
        ...(passphraseEnv !== undefined ? { passphraseEnv } : {}),
      },
      existing,
    );
    if (r.restClient) {
      const rc = r.restClient;
      const httpPath = path.join(workspace, rc.httpFilePath);
      const oldHttp = await readIfExists(httpPath);
      const writeHttp = oldHttp === undefined || oldHttp === rc.httpFile || values['force'] === true;
      await writeFileSet(workspace, [{ name: rc.settingsPath, contents: rc.settings }], { overwrite: true });
      if (writeHttp)
        await writeFileSet(workspace, [{ name: rc.httpFilePath, contents: rc.httpFile }], { overwrite: true });
      ctx.out(
        `${existing === undefined ? 'Created' : 'Updated'} ${settingsFile}: "rest-client.certificates" → "${rc.host}" = ${JSON.stringify(rc.entry)}${existing === undefined ? '' : ' (everything else kept)'}`,
      );
      ctx.out(
        writeHttp
          ? `Wrote ${httpPath}: open it and click "Send Request".`
          : `${httpPath} exists and differs: left as is (--force replaces it).`,
      );
    } else {
      ctx.out(r.text);
    }
    for (const n of r.notes) ctx.err(`note: ${n}`);
    return 0;
  },
};
