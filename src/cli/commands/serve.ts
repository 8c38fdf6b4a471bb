import { stubCommand } from './stub';

export const serveCommand = stubCommand({
  name: 'serve',
  summary: 'Run a scaffolded server.ts on this Node',
  usage: 'mtls serve [server.ts]',
  details: '',
  options: {

  },
  positionals: { names: '[server.ts]', min: 0, max: 1 },
});
