import { stubCommand } from './stub';

export const exportDerCommand = stubCommand({
  name: 'export-der',
  summary: 'Export a CA certificate as DER for Dialogflow CX custom CA upload',
  usage: 'mtls export-der --cert F --out F.der [--server-cert F --host NAME]',
  details: '  --cert VALUE\n  --out VALUE\n  --server-cert VALUE\n  --host VALUE\n',
  options: {
    'cert': { type: 'string' },
    'out': { type: 'string' },
    'server-cert': { type: 'string' },
    'host': { type: 'string' }
  },
});
