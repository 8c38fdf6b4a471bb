/**
 * The decoder's result shapes. Everything is plain JSON (dates as ISO strings), so the CLI can print it
 * with `--json` and the VS Code tree can cache it without custom serialisation.
 */

/** Where an item came from inside its file. */
export interface ItemSource {
  /** Container format the item was found in. */
  readonly format: 'pem' | 'der' | 'pkcs7' | 'pkcs12';
  /** 1-based PEM block number (for PEM input). */
  readonly block?: number;
  /** 1-based line of the BEGIN line (for PEM input). */
  readonly line?: number;
  /** The PEM label, e.g. `CERTIFICATE`. */
  readonly label?: string;
  /** Position inside a PKCS#7 / PKCS#12 container (0-based). */
  readonly index?: number;
  /** PKCS#12 friendlyName attribute, when present. */
  readonly friendlyName?: string;
}

export interface NameAttribute {
  /** OpenSSL short name (`CN`, `O`, `emailAddress`…) or the dotted OID when unknown. */
  readonly type: string;
  readonly oid: string;
  readonly value: string;
  /** 0-based index of the RDN it belongs to (attributes sharing one are a multi-valued RDN). */
  readonly rdn: number;
}

export interface DistinguishedName {
  /** Attributes in DER order (most significant first, as `openssl -nameopt sep_multiline` lists them). */
  readonly attributes: readonly NameAttribute[];
  /** RFC 4514 one-line form (least significant first: `CN=…, O=…, C=…`). */
  readonly text: string;
}

export interface PublicKeyInfo {
  /** `RSA`, `RSA-PSS`, `EC`, `Ed25519`, `Ed448`, `DSA`, … or the OID. */
  readonly algorithm: string;
  /** Key size in bits (RSA modulus, EC field, 255/456 for Ed25519/Ed448). */
  readonly bits?: number;
  /** EC curve (`P-256`, …) or the OID of an unnamed curve. */
  readonly curve?: string;
  /** SHA-256 of the DER SubjectPublicKeyInfo, colon-separated: what links keys, CSRs and certificates. */
  readonly spkiSha256: string;
}

export interface SignatureAlgorithm {
  readonly oid: string;
  /** OpenSSL's name, e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `rsassaPss`, `ED25519`. */
  readonly name: string;
  /** The digest: from the OID, or for RSA-PSS from its parameters. */
  readonly hash?: string;
  /** RSA-PSS only. */
  readonly pss?: { readonly hash: string; readonly mgf1Hash: string; readonly saltLength: number };
}

export type GeneralName =
  | { readonly type: 'DNS' | 'email' | 'URI'; readonly value: string }
  | { readonly type: 'IP'; readonly value: string }
  | { readonly type: 'dirName'; readonly value: string; readonly name: DistinguishedName }
  | { readonly type: 'otherName'; readonly oid: string; readonly value: string }
  | { readonly type: 'registeredID'; readonly value: string }
  | { readonly type: 'other'; readonly value: string };

export interface Extension {
  readonly oid: string;
  /** Readable name (`Subject Alternative Name`) or the OID. */
  readonly name: string;
  readonly critical: boolean;
  /** Hex of the extension value, for extensions we do not decode (and for all, when asked). */
  readonly valueHex?: string;
  /** Why decoding this extension failed, when it did (the certificate is still shown). */
  readonly error?: string;
}

export interface CertificateExtensions {
  readonly subjectAltName?: readonly GeneralName[];
  readonly keyUsage?: readonly string[];
  readonly extendedKeyUsage?: readonly string[];
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLength?: number };
  readonly subjectKeyIdentifier?: string;
  readonly authorityKeyIdentifier?: {
    readonly keyId?: string;
    readonly issuer?: readonly GeneralName[];
    readonly serial?: string;
  };
  readonly authorityInfoAccess?: {
    readonly ocsp: readonly string[];
    readonly caIssuers: readonly string[];
    readonly other: readonly string[];
  };
  readonly crlDistributionPoints?: readonly string[];
  readonly certificatePolicies?: readonly {
    readonly oid: string;
    readonly cps: readonly string[];
    readonly userNotices: readonly string[];
  }[];
  readonly nameConstraints?: { readonly permitted: readonly GeneralName[]; readonly excluded: readonly GeneralName[] };
  /** RFC 5280 4.2.1.11: how many more certificates down the path before a policy is required / mapping stops. */
  readonly policyConstraints?: { readonly requireExplicitPolicy?: number; readonly inhibitPolicyMapping?: number };
  /** RFC 5280 4.2.1.14: how many more certificates down the path may still match anyPolicy. */
  readonly inhibitAnyPolicy?: number;
  /** RFC 6962: the Certificate Transparency logs' promises to publish this certificate. */
  readonly signedCertificateTimestamps?: readonly SignedCertificateTimestamp[];
}

/** One SCT. A version other than v1 has an unknown layout and is kept as `data` (colon hex). */
export type SignedCertificateTimestamp =
  | {
      readonly version: 1;
      /** The log's id (SHA-256 of its key), colon hex as `openssl x509 -text` prints it. */
      readonly logId: string;
      /** The same id in base64, as CT log lists (Chrome's, Apple's) name logs. */
      readonly logIdBase64: string;
      /** ISO 8601 UTC, to the millisecond. */
      readonly timestamp: string;
      /** Colon hex; '' when there are none. */
      readonly extensions: string;
      /** TLS HashAlgorithm name ("sha256"). */
      readonly hash: string;
      /** TLS SignatureAlgorithm name ("ecdsa", "rsa"). */
      readonly signatureAlgorithm: string;
      /** The pair as OpenSSL names it ("ecdsa-with-SHA256"), when it has a name. */
      readonly signatureName?: string;
      /** Colon hex. */
      readonly signature: string;
    }
  | { readonly version: number; readonly data: string };

export type CertificateRole = 'root' | 'intermediate' | 'leaf';
export type CertificateUsage = 'server' | 'client' | 'server+client' | 'ca' | 'any' | 'other';

/**
 * Every problem the decoder can report. Producers (problems.ts, decode.ts, pkcs12.ts) and consumers (the
 * certificate fields, the tree, diagnostics) share this union, so a renamed code fails to compile instead of
 * silently never matching.
 */
export const PROBLEM_CODES = [
  'expired',
  'not-yet-valid',
  'expiring',
  'self-signed-leaf',
  'broken-chain',
  'missing-issuer',
  'bad-self-signature',
  'signature-not-checked',
  'sha1-signature',
  'md5-signature',
  'weak-rsa',
  'server-without-san',
  'server-without-serverauth',
  'client-without-clientauth',
  'no-digital-signature',
  'extension-not-decoded',
  'csr-bad-signature',
  'legacy-rc2',
  'negative-serial',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface Problem {
  readonly severity: 'error' | 'warning' | 'info';
  readonly code: ProblemCode;
  readonly message: string;
  /** Index into `DecodedFile.items` of the item concerned, when there is one. */
  readonly item?: number;
}

export interface DecodedCertificate extends CertificateExtensions {
  readonly source: ItemSource;
  /** 1, 2 or 3 (as printed by openssl, not the 0-based DER value). */
  readonly version: number;
  /** Hex as `openssl x509 -serial` prints it: uppercase, whole octets, no leading zero octets, "-" before a negative one. */
  readonly serial: string;
  readonly subject: DistinguishedName;
  readonly issuer: DistinguishedName;
  readonly notBefore: string;
  readonly notAfter: string;
  /** Whole days from `now` until notAfter (negative once expired). */
  readonly daysLeft: number;
  readonly validity: 'valid' | 'expired' | 'not-yet-valid';
  readonly publicKey: PublicKeyInfo;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** Every extension in certificate order with its critical flag (decoded ones also appear above). */
  readonly extensions: readonly Extension[];
  /** Colon-separated uppercase hex, like `openssl x509 -fingerprint`. */
  readonly fingerprints: { readonly sha1: string; readonly sha256: string };
  /** Subject and issuer names are byte-identical. */
  readonly selfIssued: boolean;
  /** Self-issued and the signature verifies with its own key. */
  readonly selfSigned: boolean;
  readonly isCa: boolean;
  readonly role: CertificateRole;
  readonly usage: CertificateUsage;
  /** Problems found for this certificate (also listed in `DecodedFile.problems`). */
  readonly problems: readonly Problem[];
  /** The certificate itself, PEM-encoded (public data; lets the UI export or copy it). */
  readonly pem: string;
}

export interface DecodedPrivateKey {
  readonly source: ItemSource;
  /** `RSA`, `EC`, `Ed25519`, … or `unknown` while encrypted. */
  readonly algorithm: string;
  readonly bits?: number;
  readonly curve?: string;
  /** The container: `PKCS#8`, `PKCS#1 (RSA PRIVATE KEY)`, `SEC1 (EC PRIVATE KEY)`. */
  readonly format: string;
  readonly encrypted: boolean;
  /** How it is encrypted, e.g. `PBES2, PBKDF2 (hmacWithSHA256), AES-256-CBC`. */
  readonly encryption?: string;
  /** SHA-256 of the matching public key's SPKI (absent while encrypted). Never key material. */
  readonly spkiSha256?: string;
}

export interface DecodedPublicKey extends PublicKeyInfo {
  readonly source: ItemSource;
  readonly format: string;
}

export interface DecodedCsr {
  readonly source: ItemSource;
  readonly version: number;
  readonly subject: DistinguishedName;
  readonly publicKey: PublicKeyInfo;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** Extensions requested through the extensionRequest attribute. */
  readonly requested: CertificateExtensions;
  readonly extensions: readonly Extension[];
  readonly signatureValid: boolean;
  /** Attribute OIDs other than extensionRequest (challengePassword values are never shown). */
  readonly otherAttributes: readonly string[];
}

export interface DecodedCrl {
  readonly source: ItemSource;
  readonly issuer?: DistinguishedName;
  readonly thisUpdate?: string;
  readonly nextUpdate?: string;
  readonly revokedCount?: number;
}

export type DecodedItem =
  | ({ readonly kind: 'certificate' } & DecodedCertificate)
  | ({ readonly kind: 'privateKey' } & DecodedPrivateKey)
  | ({ readonly kind: 'publicKey' } & DecodedPublicKey)
  | ({ readonly kind: 'csr' } & DecodedCsr)
  | ({ readonly kind: 'crl' } & DecodedCrl);

/**
 * Why (part of) a file could not be decoded. `too-costly`: it asks for more key derivation than a file may
 * cost. `timeout` / `worker-failed`: the decoding worker passed its deadline or died (the file is not decoded).
 */
export type DecodeErrorCode =
  | 'empty'
  | 'not-recognised'
  | 'pem-truncated'
  | 'pem-base64'
  | 'der'
  | 'needs-passphrase'
  | 'wrong-passphrase'
  | 'unsupported'
  | 'too-costly'
  | 'timeout'
  | 'worker-failed'
  | 'internal';

export interface DecodeError {
  readonly code: DecodeErrorCode;
  readonly message: string;
  readonly block?: number;
  readonly line?: number;
}

export interface ChainLink {
  /** Index into `items` of the certificate. */
  readonly item: number;
  /**
   * Index into `items` of its issuer found in the same set (the one whose key verified it, else the first same-name
   * candidate whose key did not), or null.
   */
  readonly issuer: number | null;
  /** The issuer's key verified this certificate's signature (self-signed: its own key). */
  readonly verified: boolean;
  /** The file holds more signatures than one file may cost to check: this certificate's were not checked. */
  readonly unchecked?: true;
}

export interface ChainInfo {
  readonly links: readonly ChainLink[];
  /** Certificate item indices from the leaf (or lowest certificate) up to the top found, when the set forms one path. */
  readonly path: readonly number[];
  /** The path ends at a self-signed root and every signature on it verified. */
  readonly complete: boolean;
  /** Private-key item index → certificate item index whose public key it matches. */
  readonly keyMatches: readonly { readonly key: number; readonly certificate: number }[];
}

export interface DecodedFile {
  readonly fileName?: string;
  readonly format: 'pem' | 'der' | 'pkcs7' | 'pkcs12' | 'unknown';
  readonly items: readonly DecodedItem[];
  readonly errors: readonly DecodeError[];
  /** PKCS#12 that needs a passphrase which was not given (or the empty one did not work). */
  readonly needsPassphrase?: boolean;
  readonly chain: ChainInfo;
  readonly problems: readonly Problem[];
}

export interface DecodeOptions {
  readonly fileName?: string;
  readonly passphrase?: string;
  /** The clock for validity and days left (tests, `--now`). */
  readonly now?: Date;
  /** Warn when a certificate expires within this many days (default 30). */
  readonly expiryWarningDays?: number;
}
