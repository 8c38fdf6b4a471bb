import { stubCommand } from './stub';

export const decodeCommand = stubCommand({
  name: 'decode',
  summary: 'Decode certificates, keys, CSRs, PKCS#7 and PKCS#12 files',
  usage: 'mtls decode FILE [--json] [--passphrase-env VAR]',
  details: '  --json\n  --passphrase-env VALUE\n',
  options: {
    'json': { type: 'boolean' },
    'passphrase-env': { type: 'string' }
  },
  positionals: { names: 'FILE', min: 1, max: 1 },
});
