import { stubCommand } from './stub';

export const sendCommand = stubCommand({
  name: 'send',
  summary: 'Send a sample webhook request with a client certificate',
  usage: 'mtls send URL [--sample cx|es|kore|FILE] --cert F --key F [--ca F] [--json]',
  details: '  --sample VALUE\n  --cert VALUE\n  --key VALUE\n  --ca VALUE\n  --passphrase-env VALUE\n  --header VALUE\n  --json\n',
  options: {
    'sample': { type: 'string' },
    'cert': { type: 'string' },
    'key': { type: 'string' },
    'ca': { type: 'string' },
    'passphrase-env': { type: 'string' },
    'header': { type: 'string' },
    'json': { type: 'boolean' }
  },
  positionals: { names: 'URL', min: 1, max: 1 },
});
