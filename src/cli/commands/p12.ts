import { stubCommand } from './stub';

export const p12Command = stubCommand({
  name: 'p12',
  summary: 'Export a certificate and key as PKCS#12 (.p12)',
  usage: 'mtls p12 --cert F --key F [--chain F] --out F.p12 --passphrase-env VAR',
  details: '  --cert VALUE\n  --key VALUE\n  --chain VALUE\n  --out VALUE\n  --passphrase-env VALUE\n',
  options: {
    'cert': { type: 'string' },
    'key': { type: 'string' },
    'chain': { type: 'string' },
    'out': { type: 'string' },
    'passphrase-env': { type: 'string' }
  },
});
