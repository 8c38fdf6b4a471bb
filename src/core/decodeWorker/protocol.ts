/** Messages between the decoding worker and the thread that owns it (plain data: structured clone). */
import type { DecodedFile } from '../x509';

/** What to decode: a file's bytes (any format) or PEM text (a selection, a hover). */
export type DecodeInput = { readonly bytes: Uint8Array } | { readonly text: string };

export interface DecodeRequest {
  readonly id: number;
  readonly input: DecodeInput;
  readonly fileName?: string;
  /** PKCS#12 passphrase; travels only in this message, never logged. */
  readonly passphrase?: string;
  readonly expiryWarningDays?: number;
  /** Judge validity at this time instead of now. */
  readonly now?: Date;
}

export type DecodeReply = { readonly id: number; readonly result: DecodedFile } | { readonly id: number; readonly failure: string };
