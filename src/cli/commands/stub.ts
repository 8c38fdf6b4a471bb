import type { CliCommand } from '../command';
import { NotImplementedError } from '../../core/errors';

/** A subcommand whose issue has not landed: it has real help, and says plainly that it does nothing yet. */
export function stubCommand(def: Omit<CliCommand, 'run'>): CliCommand {
  return {
    ...def,
    run: async () => {
      throw new NotImplementedError('this command');
    },
  };
}
