/** The go-live readiness report: one row per check, JSON-serialisable for `mtls check --json`. */
import type { Platform } from '../webhook/index';
import type { HandshakeTimeline } from '../http/index';
import type { Decode } from './certificates';
import type { ReadServerConfigOptions } from '../scaffold/serverConfig';
import type { EdgeTarget } from '../edge/types';

export type CheckStatus = 'pass' | 'warn' | 'fail';

/** What a row's fix is, when one of our own commands performs it (VS Code shows it as a button). */
export type FixAction =
  'generateChain' | 'createTrustBundle' | 'exportDer' | 'scaffoldServer' | 'updateServer' | 'startServer';

export type CheckGroup =
  'configuration' | 'server certificate' | 'client trust' | 'authentication' | 'behaviour' | 'reachability' | 'edge';

export interface CheckRow {
  /** Stable id, e.g. `server-san`, `url-same-certificate`. */
  readonly id: string;
  readonly group: CheckGroup;
  readonly status: CheckStatus;
  /** What was found, one or two sentences. */
  readonly message: string;
  /** What to do about it (absent on a pass that needs nothing). */
  readonly fix?: string;
  readonly action?: FixAction;
  /** The five-step handshake of the TLS connection this row measured (rows that connected only). */
  readonly handshake?: HandshakeTimeline;
  /** Which connection that was, e.g. "the sample request with your dev client certificate". */
  readonly connection?: string;
}

/** 'ready' when no row fails or warns; 'ready-with-warnings' when only warnings; else 'not-ready'. */
export type ReadinessVerdict = 'ready' | 'ready-with-warnings' | 'not-ready';

export interface ReadinessReport {
  readonly platform: Platform;
  readonly dir: string;
  readonly url?: string;
  readonly checkedAt: string;
  readonly rows: readonly CheckRow[];
  readonly verdict: ReadinessVerdict;
}

/** A server started for the check, stopped when the check ends. */
export interface StartedServer {
  readonly url: string;
  /** What the server printed so far: its refused-handshake lines join our failed handshakes. */
  output?(): string;
  stop(): Promise<void>;
}

export interface ReadinessOptions {
  /** The project folder holding server.mts. */
  readonly dir: string;
  readonly platform: Platform;
  /** The public URL the platform will call; enables the reachability rows. */
  readonly url?: string;
  /**
   * The kind of TLS-terminating edge in front of the server (`mtls edge` kinds: nginx, haproxy, gcp…): the public
   * URL is then expected to end TLS, and the edge rows check that it enforces mTLS in the server's place.
   */
  readonly edge?: EdgeTarget;
  /** The origin's own URL behind the edge: the check sends it a forged certificate header around the edge. */
  readonly origin?: string;
  /** The clock for expiry and for which platform roots are current (tests, `--now`). */
  readonly now?: Date;
  /** The environment the server runs with (MTLS_* overrides); default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How the server file is run to read its settings (--print-config): the runtime; default this one. */
  readonly runtime?: ReadServerConfigOptions;
  /** Starts server.mts when nothing listens on its port; absent → the behaviour rows say to start it. */
  readonly startServer?: (file: string, port: number) => Promise<StartedServer>;
  /** The platform's webhook timeout in ms (CX: the agent's setting, 5 000 by default). */
  readonly platformTimeoutMs?: number;
  /**
   * The log of the server already running on `port`, when it is ours (a VS Code terminal, `--server-log`):
   * its refused-handshake lines are shown next to the failed handshakes. A server started for the check
   * is read through its own `output`.
   */
  readonly serverLog?: (port: number) => Promise<string> | string;
  /** Decodes the certificate files the check reads (the extension: its worker threads); default in-process. */
  readonly decode?: Decode;
  readonly signal?: AbortSignal;
}

export const row = (
  id: string,
  group: CheckGroup,
  status: CheckStatus,
  message: string,
  fix?: string,
  action?: FixAction,
): CheckRow => ({
  id,
  group,
  status,
  message,
  ...(fix !== undefined ? { fix } : {}),
  ...(action !== undefined ? { action } : {}),
});

/** `r` with the handshake of the connection that decided it. */
export const measured = (r: CheckRow, handshake: HandshakeTimeline, connection: string): CheckRow => ({
  ...r,
  handshake,
  connection,
});
