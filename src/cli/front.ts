import { overviewAnswer } from './overview';

// The bin's CommonJS front door. `mtls`, `--help` and `--version` are answered here, from the command registry
// alone, without loading any command; anything else hands over to the CLI proper (one chunk per
// subcommand, required when it runs).
const answer = overviewAnswer(process.argv.slice(2));
if (answer) {
  process.stdout.write(`${answer.text}\n`);
  process.exitCode = answer.code;
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS bin runs the CLI chunk in place
  require('./mtls.js');
}
