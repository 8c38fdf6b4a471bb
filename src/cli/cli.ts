import { main } from './main';

// The bin entry: real streams, real exit code.
main(process.argv.slice(2), {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`mtls: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
