import { parseArgs } from 'node:util';
import { commands } from './commands/index';
import { overviewAnswer } from './overview';
import { UsageError, type CliCommand, type CliContext } from './command';
import { fromFileSystemError, MtlsError } from '../core/errors';
import { terminalText } from '../core/terminalText';

function commandHelp(c: CliCommand): string {
  return [
    /[.?!]$/.test(c.summary) ? c.summary : `${c.summary}.`,
    '',
    `Usage: ${c.usage}`,
    '',
    'Options:',
    c.details.trimEnd(),
    '  --help            show this help',
  ].join('\n');
}

/** The first line of a usage error; parseArgs's "argument is ambiguous" (a value that starts with a dash) made plain. */
function usageLine(message: string): string {
  const first = message.split('\n')[0];
  const dashed = /^Option '(-[^']+)' argument is ambiguous/.exec(first);
  return dashed ? `${dashed[1]} needs a value; one that starts with a dash is written ${dashed[1]}=VALUE` : first;
}

/** Runs `mtls` with the given arguments; resolves to the exit code (0 ok, 1 failed, 2 usage). */
export async function main(argv: readonly string[], given: CliContext): Promise<number> {
  // The one way out to the terminal: subjects, SANs, URIs, bodies and errors quoting them come from servers and
  // files, and their control and bidi characters must show as escapes, never act (clear the screen, write the
  // clipboard, reverse a file name). The CLI writes no escape sequences of its own.
  const ctx: CliContext = { ...given, out: (t) => given.out(terminalText(t)), err: (t) => given.err(terminalText(t)) };
  const [name, ...rest] = argv;
  const answer = overviewAnswer(argv);
  if (answer) {
    ctx.out(answer.text);
    return answer.code;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    ctx.err(`mtls: unknown command '${name}'\nUsage: mtls <command> [options]   (mtls --help lists the commands)`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.out(commandHelp(command));
    return 0;
  }
  try {
    const parsed = parseArgs({ args: [...rest], options: command.options, allowPositionals: true, strict: true });
    const pos = command.positionals ?? { names: '', min: 0, max: 0 };
    if (parsed.positionals.length < pos.min) throw new UsageError(`missing argument ${pos.names}`);
    if (parsed.positionals.length > pos.max)
      throw new UsageError(`unexpected argument '${parsed.positionals[pos.max]}'`);
    for (const r of command.required ?? []) {
      if (parsed.values[r] === undefined) throw new UsageError(`missing option --${r}`);
    }
    return await command.run({ values: parsed.values, positionals: parsed.positionals }, ctx);
  } catch (thrown) {
    const e = fromFileSystemError(thrown);
    if (
      e instanceof UsageError ||
      (e instanceof Error && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS'))
    ) {
      ctx.err(`mtls ${name}: ${usageLine(e.message)}\nUsage: ${command.usage}`);
      return 2;
    }
    if (e instanceof MtlsError) {
      ctx.err(`mtls ${name}: ${e.message}`);
      return 1;
    }
    ctx.err(`mtls ${name}: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  }
}
