import * as vscode from 'vscode';
import { showError, type ErrorAction } from '../platform/notify';

/** Thrown when the user dismisses a prompt: the command ends quietly. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

/**
 * The argument object a command was run with (by a test, task, keybinding or another command), or undefined when
 * it was run with nothing (the palette), a Uri (explorer and editor menus) or a tree node (which has a resourceUri).
 * The one place that tells them apart.
 */
export function argumentObject<T extends object>(x: unknown): T | undefined {
  return typeof x === 'object' && x !== null && !(x instanceof vscode.Uri) && !('resourceUri' in x)
    ? (x as T)
    : undefined;
}

/** An argument object whose required field `key` is a string. */
export function isArgsWith<T extends object>(x: unknown, key: keyof T & string): x is T {
  return typeof argumentObject<Record<string, unknown>>(x)?.[key] === 'string';
}

/** Returns the value, or throws Cancelled when a prompt was dismissed (undefined). */
export function orCancel<T>(value: T | undefined): T {
  if (value === undefined) throw new Cancelled();
  return value;
}

/**
 * Wraps a command handler: errors become one notification (with actions) and a log entry. When the
 * command was driven by an argument object (tests, tasks, keybindings), the error is also rethrown so
 * the caller sees the failure; from the palette the notification is the whole answer.
 */
export function guarded<A extends unknown[], R>(
  log: vscode.LogOutputChannel,
  handler: (...args: A) => Promise<R>,
  actionsFor: (err: unknown) => ErrorAction[] = () => [],
): (...args: A) => Promise<R | undefined> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (e) {
      if (e instanceof Cancelled) return undefined;
      void showError(log, e, actionsFor(e)); // don't wait: the user may never click
      if (argumentObject(args[0]) !== undefined) throw e;
      return undefined;
    }
  };
}
