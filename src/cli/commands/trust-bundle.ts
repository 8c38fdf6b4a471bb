import { stubCommand } from './stub';

export const trustBundleCommand = stubCommand({
  name: 'trust-bundle',
  summary: "Write the CA bundle that verifies a platform's client certificate",
  usage: 'mtls trust-bundle --platform dialogflow|kore --out FILE',
  details: '  --platform VALUE\n  --out VALUE\n',
  options: {
    'platform': { type: 'string' },
    'out': { type: 'string' }
  },
});
