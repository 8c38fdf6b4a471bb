import type { DecodedFile } from '../x509';
import { certificateFields, itemLabel, otherItemFields, type Field } from '../certificateFields';

/** A decoded file by the name the tree shows for it. */
export type NamedFile = readonly [name: string, file: DecodedFile];

/**
 * The fields under an item: a private key names the files with its certificate, a certificate the issuer in the
 * same file (and whether its signature verifies) and the files with its private key, then the item's own fields.
 * `decoded` lists the files decoded so far; it is read only when the item needs it.
 */
export function itemFields(file: DecodedFile, index: number, decoded: () => readonly NamedFile[]): Field[] {
  const it = file.items[index];
  if (it.kind !== 'certificate') {
    const fields = otherItemFields(it);
    const match = it.kind === 'privateKey' && it.spkiSha256 ? certificatesWithKey(decoded(), it.spkiSha256) : [];
    return match.length ? [{ label: 'Matches certificate', value: match.join(', ') }, ...fields] : fields;
  }
  const link = file.chain.links.find((l) => l.item === index);
  const issuer = link && link.issuer !== null && link.issuer !== index ? file.items[link.issuer] : undefined;
  const chain: Field[] =
    issuer && issuer.kind === 'certificate'
      ? [
          {
            label: 'Issued by (this file)',
            value: `${itemLabel(issuer).label}${link?.verified ? ' — signature verified' : ' — signature does NOT verify'}`,
            severity: link?.verified ? undefined : 'error',
          },
        ]
      : [];
  const key = keysFor(decoded(), it.publicKey.spkiSha256);
  return [...chain, ...(key.length ? [{ label: 'Private key', value: key.join(', ') }] : []), ...certificateFields(it)];
}

/** Files (names) holding a certificate with this public key. */
function certificatesWithKey(decoded: readonly NamedFile[], spki: string): string[] {
  return decoded.flatMap(([name, f]) =>
    f.items.some((i) => i.kind === 'certificate' && i.publicKey.spkiSha256 === spki) ? [name] : [],
  );
}

/** Files (names) holding the private key of this public key. */
function keysFor(decoded: readonly NamedFile[], spki: string): string[] {
  return decoded.flatMap(([name, f]) =>
    f.items.some((i) => i.kind === 'privateKey' && i.spkiSha256 === spki) ? [name] : [],
  );
}
