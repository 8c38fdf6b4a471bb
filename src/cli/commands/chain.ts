import { stubCommand } from './stub';

export const chainCommand = stubCommand({
  name: 'chain',
  summary: 'Generate a dev CA chain: root, intermediate, server and client leaves',
  usage: 'mtls chain --out DIR [options]',
  details: '  --out VALUE\n',
  options: {
    'out': { type: 'string' }
  },
});
