// The server's two kinds of output: log lines (stdout, timestamped) and one machine-readable failure line; and
// the limit that keeps a flood of refusals from drowning the log.

/** One timestamped log line on stdout. */
export function log(line: string): void {
  process.stdout.write(new Date().toISOString() + ' ' + line + '\n');
}

/** One machine-readable line, then exit 1: the VS Code layer and mtls serve look for this prefix. */
export function fail(code: string, message: string): never {
  process.stderr.write('mtls-server error [' + code + ']: ' + message + '\n');
  process.exit(1);
}

/** How many lines a limited log shows, and how it words the count of those it held back. */
export interface LogLimit {
  /** Lines shown per key in each window; the first ones are shown at once, so a single event is never delayed. */
  perWindow: number;
  windowMs: number;
  /** The line that ends a window in which `held` lines of `key` were not shown. */
  summary: (key: string, held: number, seconds: number) => string;
}

// However many addresses a flood comes from, the log keeps this many windows open; later keys share one.
const maxWindows = 64;
const otherKeys = 'other addresses';

/**
 * A log that shows at most `perWindow` lines per key (a client's address) in each window, which starts at the key's
 * first line, and ends a window that held lines back with one line counting them: thousands of refused
 * connections become a few lines, and the count still says how many there were.
 */
export function limitedLog(limit: LogLimit): (key: string, line: string) => void {
  const windows = new Map<string, { shown: number; held: number }>();
  return (key, line) => {
    const k = windows.has(key) || windows.size < maxWindows ? key : otherKeys;
    let w = windows.get(k);
    if (w === undefined) {
      const opened = { shown: 0, held: 0 };
      windows.set(k, opened);
      // unref: a pending count must not keep a stopping server alive.
      setTimeout(() => {
        windows.delete(k);
        if (opened.held > 0) log(limit.summary(k, opened.held, Math.round(limit.windowMs / 1000)));
      }, limit.windowMs).unref();
      w = opened;
    }
    if (w.shown < limit.perWindow) {
      w.shown++;
      log(line);
    } else {
      w.held++;
    }
  };
}
