import { commands } from './commands/index';

declare const MTLS_VERSION: string | undefined;
const version = typeof MTLS_VERSION === 'string' ? MTLS_VERSION : 'dev';

/** `mtls`, `mtls --help` and `mtls --version` print from the registry alone: no command module is loaded. */
export function overviewAnswer(argv: readonly string[]): { text: string; code: number } | undefined {
  const name = argv[0];
  if (name === undefined || name === '--help' || name === '-h' || name === 'help')
    return { text: overview(), code: name === undefined ? 2 : 0 };
  if (name === '--version' || name === '-v') return { text: version, code: 0 };
  return undefined;
}

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'mtls — mutual-TLS certificates and webhooks (mTLS Workbench)',
    '',
    'Usage: mtls <command> [options]      mtls <command> --help',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options: --help, --version',
  ].join('\n');
}
