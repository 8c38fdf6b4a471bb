import { stubCommand } from './stub';

export const probeCommand = stubCommand({
  name: 'probe',
  summary: 'Check that an endpoint really enforces mTLS',
  usage: 'mtls probe URL --cert F --key F [--ca F] [--json]',
  details: '  --cert VALUE\n  --key VALUE\n  --ca VALUE\n  --json\n',
  options: {
    'cert': { type: 'string' },
    'key': { type: 'string' },
    'ca': { type: 'string' },
    'json': { type: 'boolean' }
  },
  positionals: { names: 'URL', min: 1, max: 1 },
});
