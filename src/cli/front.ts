import { overviewAnswer } from './overview';

// The bin's CommonJS front door. `mtls`, `--help` and `--version` are answered here, from the command registry
// alone, without starting Node's ES module loader; anything else hands over to the ES module CLI (one chunk per
// subcommand). `require` of this file is what dist/cli.js does first.
const answer = overviewAnswer(process.argv.slice(2));
if (answer) {
  process.stdout.write(`${answer.text}\n`);
  process.exitCode = answer.code;
} else {
  void import('./mtls.mjs' as string);
}
