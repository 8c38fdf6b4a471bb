import { stubCommand } from './stub';

export const clientCommand = stubCommand({
  name: 'client',
  summary: 'Generate a client certificate signed by an existing CA',
  usage: 'mtls client --ca-cert F --ca-key F --out DIR --cn NAME [options]',
  details: '  --ca-cert VALUE\n  --ca-key VALUE\n  --out VALUE\n  --cn VALUE\n',
  options: {
    'ca-cert': { type: 'string' },
    'ca-key': { type: 'string' },
    'out': { type: 'string' },
    'cn': { type: 'string' }
  },
});
