// What an upgrade of a scaffolded server would do, and why it may be refused.
import { MtlsError } from '../errors';
import type { OutputFile } from '../files';
import type { Platform } from '../webhook/platform';

/** Why a server cannot be upgraded automatically; nothing was changed. */
export class UpgradeRefusedError extends MtlsError {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super('E_UPGRADE_REFUSED', `Cannot upgrade ${file}: ${reason}. Nothing was changed.`);
    this.name = 'UpgradeRefusedError';
  }
}

/** One file of the machinery folder, old against new. */
export interface MachineryChange {
  readonly name: string;
  readonly change: 'added' | 'changed' | 'removed';
  readonly oldText?: string;
  readonly newText?: string;
}

/** What an upgrade would do. */
export interface UpgradePlan {
  /**
   * 'migrate': a single-file server.ts (templates 1–4) becomes server.mts + mtls-server/; 'machinery': the
   * mtls-server/ folder beside a server.mts is replaced by the current one.
   */
  readonly kind: 'migrate' | 'machinery';
  /** The old server.ts ('migrate'), or the folder's server.mts ('machinery'). Absolute. */
  readonly file: string;
  /** The folder everything is written to. */
  readonly dir: string;
  /** Template version that wrote the file or folder (1: before versions were recorded). */
  readonly fromVersion: number;
  readonly toVersion: number;
  /** The platforms of the old server.ts ('migrate'; empty for 'machinery', which serves any). */
  readonly platforms: readonly Platform[];
  /** True when the folder already has the current machinery (nothing to do). */
  readonly upToDate: boolean;
  /** 'migrate': the old server.ts and the server.mts made from it; 'machinery': both empty. */
  readonly oldText: string;
  readonly newText: string;
  /** One line per change since fromVersion (from the template changelog). */
  readonly changes: readonly string[];
  /** What is written into `dir` (names relative to it). */
  readonly files: readonly OutputFile[];
  /** 'machinery': the files that differ between the old folder and the new one. */
  readonly machinery: readonly MachineryChange[];
  /** What the user should know (a tsconfig.json left as it was, names their code uses that are gone). */
  readonly notes: readonly string[];
  /** Where the old file or folder goes (the first free name from this one on). */
  readonly backup: string;
}
