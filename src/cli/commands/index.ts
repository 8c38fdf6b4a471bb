import type { CliCommand } from '../command';
import { selfsignedCommand } from './selfsigned';
import { chainCommand } from './chain';
import { clientCommand } from './client';
import { p12Command } from './p12';
import { trustBundleCommand } from './trust-bundle';
import { exportDerCommand } from './export-der';
import { exportConfigCommand } from './export-config';
import { decodeCommand } from './decode';
import { scaffoldCommand } from './scaffold';
import { serveCommand } from './serve';
import { sendCommand } from './send';
import { probeCommand } from './probe';
import { initCommand } from './init';
import { koreClientCommand } from './kore-client';
import { cxClientCommand } from './cx-client';
import { checkCommand } from './check';

/** Every subcommand, in the order `mtls --help` lists them. */
export const commands: readonly CliCommand[] = [
  selfsignedCommand,
  chainCommand,
  clientCommand,
  koreClientCommand,
  cxClientCommand,
  p12Command,
  trustBundleCommand,
  exportDerCommand,
  decodeCommand,
  scaffoldCommand,
  serveCommand,
  sendCommand,
  probeCommand,
  exportConfigCommand,
  initCommand,
  checkCommand,
];
