/** Messages between the decoding worker and the thread that owns it (plain data: structured clone). */
import type { OpenedKeyPem } from '../credentials/openedKeyPem';
import type { OpenedPkcs12 } from '../credentials/pkcs12ToPem';
import type { DecodedFile } from '../x509';

/** What to decode: a file's bytes (any format) or PEM text (a selection, a hover). */
export type DecodeInput = { readonly bytes: Uint8Array } | { readonly text: string };

export interface DecodeRequest {
  readonly id: number;
  readonly kind?: 'decode';
  readonly input: DecodeInput;
  readonly fileName?: string;
  /** PKCS#12 passphrase; travels only in this message, never logged. */
  readonly passphrase?: string;
  readonly expiryWarningDays?: number;
  /** Judge validity at this time instead of now. */
  readonly now?: Date;
}

/** Open a PKCS#12 file for TLS (its chain and key as PEM): the key derivation runs in the worker. */
export interface Pkcs12PemRequest {
  readonly id: number;
  readonly kind: 'pkcs12-pem';
  readonly bytes: Uint8Array;
  /** Travels only in this message, never logged. */
  readonly passphrase?: string;
}

/** Open an encrypted PEM private key for TLS (unencrypted PKCS#8 PEM back): its key derivation runs in the worker. */
export interface KeyPemRequest {
  readonly id: number;
  readonly kind: 'key-pem';
  readonly pem: string;
  /** Travels only in this message, never logged. */
  readonly passphrase?: string;
}

export type WorkerRequest = DecodeRequest | Pkcs12PemRequest | KeyPemRequest;

export type DecodeReply =
  { readonly id: number; readonly result: DecodedFile } | { readonly id: number; readonly failure: string };
export interface Pkcs12PemReply {
  readonly id: number;
  readonly opened: OpenedPkcs12;
}

export interface KeyPemReply {
  readonly id: number;
  /** The plain key: held in memory only, never written or logged. */
  readonly openedKey: OpenedKeyPem;
}

export type WorkerReply = DecodeReply | Pkcs12PemReply | KeyPemReply;
