import * as vscode from 'vscode';
import { showError, type ErrorAction } from '../platform/notify';

/** Thrown when the user dismisses a prompt: the command ends quietly. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

/** An argument object: a plain object whose required field `key` is a string (tree nodes and Uris are not). */
export function isArgsWith<T extends object>(x: unknown, key: keyof T & string): x is T {
  return typeof x === 'object' && x !== null && typeof (x as Record<string, unknown>)[key] === 'string';
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
      const programmatic = args.length > 0 && args[0] !== undefined && !(args[0] instanceof vscode.Uri) && typeof args[0] === 'object' && !('resourceUri' in (args[0] as object));
      if (programmatic) throw e;
      return undefined;
    }
  };
}
