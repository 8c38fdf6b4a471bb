import * as vscode from 'vscode';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { awaitServerReady } from '../../core/scaffold/serverStartup';
import type { LaunchPlan } from '../../core/scaffold/launch';
import { ContextKeys, Commands, StatusBarItems } from '../ids';
import { requireTrust } from '../platform/trust';
import { PtyChannel } from '../platform/ptyChannel';

// Enough for thousands of log lines; older output is only in the terminal.
const OUTPUT_KEPT = 256 * 1024;

export interface RunningServer {
  readonly file: string;
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly terminal: vscode.Terminal;
  readonly strategy: string;
}

interface Entry {
  child: ChildProcess;
  /** The tail of what the server printed: its refusal lines go next to our failed handshakes. */
  output: string;
  terminal: vscode.Terminal;
  server?: RunningServer;
}

/**
 * Runs scaffolded servers in VS Code terminals. Each runs as our own child process behind a
 * pseudoterminal (not a shell), so the extension sees the server's ready and error lines, the status bar
 * can show the port, Stop and closing the terminal end the process, and Ctrl+C works as usual.
 */
export class ServerManager implements vscode.Disposable {
  private readonly servers = new Map<string, Entry>();
  private readonly status = vscode.window.createStatusBarItem(
    StatusBarItems.server,
    vscode.StatusBarAlignment.Left,
    50,
  );

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.status.name = 'mTLS webhook server';
    this.status.command = Commands.stopServer;
  }

  /** Running servers (ready ones). */
  running(): RunningServer[] {
    return [...this.servers.values()].flatMap((e) => (e.server ? [e.server] : []));
  }

  /** What the running server on `port` printed lately (undefined when that port is not one of ours). */
  outputOf(port: number): string | undefined {
    return [...this.servers.values()].find((e) => e.server?.port === port)?.output;
  }

  /** The status bar text, as shown (for tests). */
  statusText(): string | undefined {
    return this.running().length ? this.status.text : undefined;
  }

  /** Starts `file` with `plan` in a terminal; resolves once the server printed its ready line. */
  async start(file: string, plan: LaunchPlan, timeoutMs = 30_000): Promise<RunningServer> {
    requireTrust('Starting a webhook server'); // the one place a process is started, whoever asks
    const existing = this.servers.get(file);
    if (existing?.server) {
      existing.terminal.show(true);
      return existing.server;
    }
    const channel = new PtyChannel();
    const write = (text: string) => channel.write(text);
    const name = `mTLS server: ${vscode.workspace.asRelativePath(file, false)}`;
    const pty: vscode.Pseudoterminal = {
      onDidWrite: channel.onDidWrite,
      onDidClose: channel.onDidClose,
      open: () =>
        write(
          `\x1b[2m$ ${[plan.command, ...plan.args].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}\r\n${plan.note}\r\n\x1b[0m`,
        ),
      // The terminal was closed (by the user, or disposed): the server stops and its terminal's events go.
      close: () => {
        this.kill(file);
        channel.dispose();
      },
      handleInput: (data) => {
        if (data === '\x03') this.kill(file); // Ctrl+C
      },
    };
    const terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('server-process') });
    const child: ChildProcess = spawn(plan.command, plan.args, {
      cwd: path.dirname(file),
      env: plan.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.servers.set(file, { child, terminal, output: '' });
    const echo = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      const entry = this.servers.get(file);
      if (entry) entry.output = (entry.output + text).slice(-OUTPUT_KEPT);
      write(text.replace(/\r?\n/g, '\r\n'));
    };
    child.stdout?.on('data', echo);
    child.stderr?.on('data', echo);
    child.on('error', (e) => write(`\r\n${e.message}\r\n`));
    child.on('exit', (code, signal) => {
      write(`\r\n\x1b[2m— server stopped (${signal ?? `exit code ${code}`}) —\x1b[0m\r\n`);
      this.log.info(`server ${file} stopped (${signal ?? `exit code ${code}`})`);
      this.servers.delete(file);
      this.updateStatus();
    });
    terminal.show(true);
    let url: string;
    try {
      url = await awaitServerReady(child, {
        timeoutMs,
        command: plan.command,
        detail: () => `See the terminal "${name}".`,
        spawnHint: 'Set mtls.server.nodePath to a Node.js 20.16+ executable.',
      });
    } catch (e) {
      this.kill(file);
      throw e;
    }
    const server: RunningServer = {
      file,
      url,
      port: Number(new URL(url).port),
      pid: child.pid ?? 0,
      terminal,
      strategy: plan.strategy,
    };
    const entry = this.servers.get(file);
    if (entry) entry.server = server;
    this.log.info(`server started: ${url} (pid ${server.pid}, ${plan.strategy}) from ${file}`);
    this.updateStatus();
    return server;
  }

  /** Stops one server (or all); resolves when the processes have exited. */
  async stop(file?: string): Promise<string[]> {
    const files = file ? [file] : [...this.servers.keys()];
    const stopped: string[] = [];
    await Promise.all(
      files.map(async (f) => {
        const e = this.servers.get(f);
        if (!e) return;
        const exited = new Promise<void>((r) => (e.child.exitCode !== null ? r() : e.child.once('exit', () => r())));
        this.kill(f);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (e.child.exitCode === null && e.child.signalCode === null) e.child.kill('SIGKILL'); // graceful shutdown took too long
        stopped.push(f);
      }),
    );
    return stopped;
  }

  private kill(file: string): void {
    const e = this.servers.get(file);
    if (e && e.child.exitCode === null && e.child.signalCode === null) e.child.kill('SIGTERM'); // the server shuts down gracefully on SIGTERM
  }

  private updateStatus(): void {
    const running = this.running();
    void vscode.commands.executeCommand('setContext', ContextKeys.serverRunning, running.length > 0);
    if (running.length === 0) {
      this.status.hide();
      return;
    }
    this.status.text = `$(server-process) mTLS ${running.map((s) => `:${s.port}`).join(' ')}`;
    this.status.tooltip = `${running.map((s) => s.url).join('\n')}\nClick to stop.`;
    this.status.show();
  }

  dispose(): void {
    for (const f of this.servers.keys()) this.kill(f);
    this.status.dispose();
  }
}
