import { main } from './main';
import { terminalText } from '../core/terminalText';

// The bin entry: real streams, real exit code.
// Until the command reports, the exit code is a failure: a command that ended without a result (its promise
// never settled and nothing was left to run) must not look like a success to a script or CI.
let settled = false;
process.exitCode = 1;
// `mtls decode big.pem | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(settled ? process.exitCode : 0);
    throw e;
  });
}
process.on('exit', () => {
  if (!settled)
    process.stderr.write(`mtls ${process.argv[2] ?? ''}: stopped without a result (an internal error): exit code 1\n`);
});
main(process.argv.slice(2), {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (e: unknown) => {
    settled = true;
    process.stderr.write(`mtls: ${terminalText(String(e))}\n`);
    process.exitCode = 1;
  },
);
