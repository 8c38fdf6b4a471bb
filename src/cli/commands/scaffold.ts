import { stubCommand } from './stub';

export const scaffoldCommand = stubCommand({
  name: 'scaffold',
  summary: 'Write an mTLS webhook server.ts',
  usage: 'mtls scaffold --out DIR [--port 4433] [--platform cx|es|kore|all]',
  details: '  --out VALUE\n  --port VALUE\n  --platform VALUE\n',
  options: {
    'out': { type: 'string' },
    'port': { type: 'string' },
    'platform': { type: 'string' }
  },
});
