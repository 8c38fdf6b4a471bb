import * as vscode from 'vscode';
import { Commands } from '../ids';
import type { CommandDeps } from './deps';
import { notAvailable } from './notAvailable';
import { revealInExplorer } from './revealInExplorer';

/** Registers every command; the returned disposables go to context.subscriptions. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const table: [string, (...args: any[]) => unknown][] = [
    [Commands.generateSelfSigned, notAvailable('Generate Self-Signed Server Certificate')],
    [Commands.generateChain, notAvailable('Generate CA Chain')],
    [Commands.generateClient, notAvailable('Generate Client Certificate')],
    [Commands.exportPkcs12, notAvailable('Export PKCS#12')],
    [Commands.createTrustBundle, notAvailable('Create Platform Trust Bundle')],
    [Commands.exportDer, notAvailable('Export CA as DER')],
    [Commands.decodeCertificate, notAvailable('Decode Certificate')],
    [Commands.scaffoldServer, notAvailable('Scaffold Webhook Server')],
    [Commands.startServer, notAvailable('Start Webhook Server')],
    [Commands.stopServer, notAvailable('Stop Webhook Server')],
    [Commands.sendRequest, notAvailable('Send Sample Webhook Request')],
    [Commands.probeEndpoint, notAvailable('Probe mTLS Endpoint')],
    [Commands.setupProject, notAvailable('Set Up Webhook Project')],
    [Commands.refreshCertificates, () => deps.tree.refresh()],
    [Commands.revealInExplorer, revealInExplorer],
    [Commands.showLog, () => deps.log.show()],
  ];
  return table.map(([id, handler]) => vscode.commands.registerCommand(id, handler));
}
