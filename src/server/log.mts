// The server's two kinds of output: log lines (stdout, timestamped) and one machine-readable failure line.

/** One timestamped log line on stdout. */
export function log(line: string): void {
  process.stdout.write(new Date().toISOString() + ' ' + line + '\n');
}

/** One machine-readable line, then exit 1: the VS Code layer and mtls serve look for this prefix. */
export function fail(code: string, message: string): never {
  process.stderr.write('mtls-server error [' + code + ']: ' + message + '\n');
  process.exit(1);
}
