import { stubCommand } from './stub';

export const initCommand = stubCommand({
  name: 'init',
  summary: 'Set up a webhook project: chain, server, request and probe',
  usage: 'mtls init [--platform cx|es|kore] [--dir DIR] [--port N] [--key TYPE]',
  details: '  --platform VALUE\n  --dir VALUE\n  --port VALUE\n  --key VALUE\n',
  options: {
    'platform': { type: 'string' },
    'dir': { type: 'string' },
    'port': { type: 'string' },
    'key': { type: 'string' }
  },
});
