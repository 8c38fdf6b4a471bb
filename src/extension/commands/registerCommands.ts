import * as vscode from 'vscode';
import { Commands } from '../ids';
import type { CommandDeps } from './deps';
import { revealInExplorer } from './revealInExplorer';
import { guarded } from './guard';
import { generateChainCommand } from './generate/generateChain';
import { generateSelfSignedCommand } from './generate/generateSelfSigned';
import { generateClientCommand } from './generate/generateClient';
import { exportPkcs12Command } from './generate/exportPkcs12';
import { createTrustBundleCommand } from './generate/createTrustBundle';
import { exportDerCommand } from './generate/exportDer';
import { createKoreKitCommand } from './kits/createKoreKit';
import { createCxClientCertificateCommand } from './kits/createCxClientCertificate';
import type { ErrorAction } from '../platform/notify';
import { trustActions } from '../platform/trust';
import { decodeCertificateCommand } from './decode/decodeCertificate';
import { copyPem, copyValue } from './decode/copy';
import { scaffoldServerCommand } from './server/scaffoldServer';
import { addNodeTypesCommand } from './server/addNodeTypes';
import { changePortAndStart, PreflightError, startServerCommand } from './server/startServer';
import { stopServerCommand } from './server/stopServer';
import { ServerStartError } from '../../core/scaffold';
import { sendRequestCommand } from './send/sendRequest';
import { probeEndpointCommand } from './send/probeEndpoint';
import { useClientCertificateInCommand } from './config/useClientCertificateIn';
import { setupProjectCommand } from './setup/setupProject';
import { checkReadinessCommand } from './golive/checkReadiness';
import { FilesExistError } from '../../core/files';

/** Registers every command; the returned disposables go to context.subscriptions. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const g = <A extends unknown[], R>(fn: (deps: CommandDeps, ...args: A) => Promise<R>) => guarded(deps.log, (...args: A) => fn(deps, ...args), generateActions);
  const table: [string, (...args: any[]) => unknown][] = [
    [Commands.generateSelfSigned, g(generateSelfSignedCommand)],
    [Commands.generateChain, g(generateChainCommand)],
    [Commands.generateClient, g(generateClientCommand)],
    [Commands.exportPkcs12, g(exportPkcs12Command)],
    [Commands.createTrustBundle, g(createTrustBundleCommand)],
    [Commands.exportDer, g(exportDerCommand)],
    [Commands.createKoreKit, g(createKoreKitCommand)],
    [Commands.createCxClientCertificate, g(createCxClientCertificateCommand)],
    [Commands.decodeCertificate, g(decodeCertificateCommand)],
    [Commands.copyValue, copyValue],
    [Commands.copyPem, copyPem],
    [Commands.scaffoldServer, g(scaffoldServerCommand)],
    [Commands.addNodeTypes, g(addNodeTypesCommand)],
    [Commands.startServer, guarded(deps.log, (t?: unknown) => startServerCommand(deps, t), serverActions)],
    [Commands.stopServer, g(stopServerCommand)],
    [Commands.changePortAndStart, (args?: { file?: string }) => changePortAndStart(deps, args)],
    [Commands.sendRequest, g(sendRequestCommand)],
    [Commands.probeEndpoint, g(probeEndpointCommand)],
    [Commands.useClientCertificateIn, g(useClientCertificateInCommand)],
    [Commands.setupProject, g(setupProjectCommand)],
    [Commands.checkReadiness, g(checkReadinessCommand)],
    [Commands.refreshCertificates, () => deps.tree.refresh()],
    [Commands.revealInExplorer, revealInExplorer],
    [Commands.showLog, () => deps.log.show()],
  ];
  return table.map(([id, handler]) => vscode.commands.registerCommand(id, handler));
}

/** Buttons for generate failures: existing files → look at them; no workspace → open a folder. */
function generateActions(err: unknown): ErrorAction[] {
  if (trustActions(err).length) return trustActions(err);
  if (err instanceof FilesExistError && err.existing[0]) return [{ title: 'Reveal in Explorer', command: Commands.revealInExplorer, args: [vscode.Uri.file(err.existing[0])] }];
  if ((err as { code?: string }).code === 'E_NO_WORKSPACE') return [{ title: 'Open Folder', command: 'workbench.action.files.openFolder' }];
  return [];
}

/** Buttons for a server that cannot start: missing/bad files → generate; port problems → change port. */
function serverActions(err: unknown): ErrorAction[] {
  if (trustActions(err).length) return trustActions(err);
  const code = err instanceof PreflightError ? err.problems[0].code : err instanceof ServerStartError ? err.serverCode : undefined;
  if (!code) return [];
  if (/^(ENOENT_|BAD_CERT|BAD_KEY|BAD_CA|KEY_MISMATCH|CERT_EXPIRED)/.test(code)) return [{ title: 'Generate Certificates', command: Commands.generateChain }];
  const file = err instanceof PreflightError ? err.file : undefined;
  if (/^(EADDRINUSE|EACCES|EADDRNOTAVAIL)$/.test(code)) return [{ title: 'Change Port', command: Commands.changePortAndStart, args: [{ file }] }];
  if (code === 'BAD_PASSPHRASE') return [{ title: 'Enter Passphrase', command: Commands.startServer, args: [{ file, askPassphrase: true }] }];
  return [];
}
