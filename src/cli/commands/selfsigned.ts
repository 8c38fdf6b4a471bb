import { stubCommand } from './stub';

export const selfsignedCommand = stubCommand({
  name: 'selfsigned',
  summary: 'Generate a self-signed server certificate and key',
  usage: 'mtls selfsigned --out DIR [options]',
  details: '  --out VALUE\n',
  options: {
    'out': { type: 'string' }
  },
});
