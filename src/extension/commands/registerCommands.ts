import * as vscode from 'vscode';
import { Commands } from '../ids';
import type { CommandDeps } from './deps';
import { guarded } from './guard';
import { revealInExplorer } from './revealInExplorer';
import { copyPem, copyValue } from './decode/copy';
import type { ErrorAction } from '../platform/notify';
import { trustActions } from '../platform/trust';
import { MtlsError } from '../../core/errors';
import { errorActionOf } from '../../core/errorCodes';
import { PreflightError } from '../../core/scaffold/preflightError';
import { ServerStartError } from '../../core/scaffold/serverStartup';
import { isServerStartCode, startActions } from '../../core/serverStartCodes';
import { UpdatePreviewProvider } from './server/updatePreview';
import { FilesExistError } from '../../core/files';

type Handler<A extends unknown[], R> = (deps: CommandDeps, ...args: A) => Promise<R>;

/**
 * A command whose module is loaded on its first run, not at activation: activation then costs only the
 * wiring, and what a command needs (undici, the scaffold template, PKCS#12…) loads when it is used.
 */
function lazy<M, A extends unknown[], R>(load: () => Promise<M>, pick: (m: M) => Handler<A, R>): Handler<A, R> {
  return async (deps, ...args) => pick(await load())(deps, ...args);
}

/** Registers every command; the returned disposables go to context.subscriptions. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const preview = new UpdatePreviewProvider();
  const g = <A extends unknown[], R>(fn: (deps: CommandDeps, ...args: A) => Promise<R>) =>
    guarded(deps.log, (...args: A) => fn(deps, ...args), generateActions);
  // The registry: one line per command (id → its module, loaded on first use).
  const table: [string, Parameters<typeof vscode.commands.registerCommand>[1]][] = [
    [
      Commands.generateSelfSigned,
      g(
        lazy(
          () => import('./generate/generateSelfSigned.js'),
          (m) => m.generateSelfSignedCommand,
        ),
      ),
    ],
    [
      Commands.generateChain,
      g(
        lazy(
          () => import('./generate/generateChain.js'),
          (m) => m.generateChainCommand,
        ),
      ),
    ],
    [
      Commands.generateClient,
      g(
        lazy(
          () => import('./generate/generateClient.js'),
          (m) => m.generateClientCommand,
        ),
      ),
    ],
    [
      Commands.exportPkcs12,
      g(
        lazy(
          () => import('./generate/exportPkcs12.js'),
          (m) => m.exportPkcs12Command,
        ),
      ),
    ],
    [
      Commands.createTrustBundle,
      g(
        lazy(
          () => import('./generate/createTrustBundle.js'),
          (m) => m.createTrustBundleCommand,
        ),
      ),
    ],
    [
      Commands.exportDer,
      g(
        lazy(
          () => import('./generate/exportDer.js'),
          (m) => m.exportDerCommand,
        ),
      ),
    ],
    [
      Commands.createKoreKit,
      g(
        lazy(
          () => import('./kits/createKoreKit.js'),
          (m) => m.createKoreKitCommand,
        ),
      ),
    ],
    [
      Commands.createCxClientCertificate,
      g(
        lazy(
          () => import('./kits/createCxClientCertificate.js'),
          (m) => m.createCxClientCertificateCommand,
        ),
      ),
    ],
    [
      Commands.decodeCertificate,
      g(
        lazy(
          () => import('./decode/decodeCertificate.js'),
          (m) => m.decodeCertificateCommand,
        ),
      ),
    ],
    [Commands.copyValue, copyValue],
    [Commands.copyPem, copyPem],
    [
      Commands.scaffoldServer,
      g(
        lazy(
          () => import('./server/scaffoldServer.js'),
          (m) => m.scaffoldServerCommand,
        ),
      ),
    ],
    [
      Commands.addNodeTypes,
      g(
        lazy(
          () => import('./server/addNodeTypes.js'),
          (m) => m.addNodeTypesCommand,
        ),
      ),
    ],
    [
      Commands.startServer,
      guarded(
        deps.log,
        (t?: unknown) =>
          lazy(
            () => import('./server/startServer.js'),
            (m) => m.startServerCommand,
          )(deps, t),
        serverActions,
      ),
    ],
    [
      Commands.updateServer,
      guarded(deps.log, async (t?: unknown) =>
        (await import('./server/updateServer.js')).updateServerCommand(deps, preview, t),
      ),
    ],
    [
      Commands.stopServer,
      g(
        lazy(
          () => import('./server/stopServer.js'),
          (m) => m.stopServerCommand,
        ),
      ),
    ],
    [
      Commands.changePortAndStart,
      async (args?: { file?: string }) => (await import('./server/startServer.js')).changePortAndStart(deps, args),
    ],
    [
      Commands.sendRequest,
      g(
        lazy(
          () => import('./send/sendRequest.js'),
          (m) => m.sendRequestCommand,
        ),
      ),
    ],
    [
      Commands.probeEndpoint,
      g(
        lazy(
          () => import('./send/probeEndpoint.js'),
          (m) => m.probeEndpointCommand,
        ),
      ),
    ],
    [
      Commands.useClientCertificateIn,
      g(
        lazy(
          () => import('./config/useClientCertificateIn.js'),
          (m) => m.useClientCertificateInCommand,
        ),
      ),
    ],
    [
      Commands.setupProject,
      g(
        lazy(
          () => import('./setup/setupProject.js'),
          (m) => m.setupProjectCommand,
        ),
      ),
    ],
    [
      Commands.checkReadiness,
      g(
        lazy(
          () => import('./golive/checkReadiness.js'),
          (m) => m.checkReadinessCommand,
        ),
      ),
    ],
    [
      Commands.deployBehindLoadBalancer,
      g(
        lazy(
          () => import('./deploy/deployBehindLoadBalancer.js'),
          (m) => m.deployBehindLoadBalancerCommand,
        ),
      ),
    ],
    [Commands.refreshCertificates, () => deps.tree.refresh()],
    [Commands.revealInExplorer, revealInExplorer],
    [Commands.showLog, () => deps.log.show()],
  ];
  return [
    ...table.map(([id, handler]) => vscode.commands.registerCommand(id, handler)),
    vscode.workspace.registerTextDocumentContentProvider(UpdatePreviewProvider.scheme, preview),
    preview,
  ];
}

/** Buttons for generate failures: existing files → look at them; no workspace → open a folder. */
function generateActions(err: unknown): ErrorAction[] {
  switch (err instanceof MtlsError ? errorActionOf(err.code) : 'none') {
    case 'manage-workspace-trust':
      return trustActions(err);
    case 'reveal-existing':
      return err instanceof FilesExistError && err.existing[0]
        ? [
            {
              title: 'Reveal in Explorer',
              command: Commands.revealInExplorer,
              args: [vscode.Uri.file(err.existing[0])],
            },
          ]
        : [];
    case 'open-folder':
      return [{ title: 'Open Folder', command: 'workbench.action.files.openFolder' }];
    case 'none':
      return [];
  }
}

/** Buttons for a server that cannot start: missing/bad files → generate; port problems → change port. */
function serverActions(err: unknown): ErrorAction[] {
  if (trustActions(err).length) return trustActions(err);
  const preflight = err instanceof PreflightError ? err : undefined;
  // A server's own failure line: its code comes from the child process's output, so it is checked.
  const code = preflight
    ? preflight.problems[0].code
    : err instanceof ServerStartError && isServerStartCode(err.serverCode)
      ? err.serverCode
      : undefined;
  if (!code) return [];
  const file = preflight?.file;
  switch (startActions[code]) {
    case 'generate-certificates':
      return [{ title: 'Generate Certificates', command: Commands.generateChain }];
    case 'change-port':
      return [{ title: 'Change Port', command: Commands.changePortAndStart, args: [{ file }] }];
    case 'enter-passphrase':
      return [{ title: 'Enter Passphrase', command: Commands.startServer, args: [{ file, askPassphrase: true }] }];
    case 'none':
      return [];
  }
}
