/** Wraps DER in PEM armour: 64-character base64 lines between BEGIN/END markers, trailing newline. */
export function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64');
  let out = `-----BEGIN ${label}-----\n`;
  for (let i = 0; i < b64.length; i += 64) out += b64.slice(i, i + 64) + '\n';
  return `${out}-----END ${label}-----\n`;
}
