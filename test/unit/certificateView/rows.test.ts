// What the Certificates view shows for decoded files, from certificates the project's PKI generates: row
// descriptions, tooltips, icons and the context facets the menus match on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPkcs12, generateChain } from '../../../src/core/pki/index';
import { decodeBytes, decodePemText, type DecodedFile } from '../../../src/core/x509/index';
import {
  fieldRow,
  fileRow,
  folderDescription,
  itemFields,
  itemRow,
  messageRow,
} from '../../../src/core/certificateView/index';

const DAY_MS = 86_400_000;
/** After the 397-day leaves expired, within the 10-year CA's validity. */
const later = new Date(Date.now() + 500 * DAY_MS);

async function chainFiles(): Promise<Record<string, string>> {
  const set = await generateChain({ keyType: 'ec256' });
  return Object.fromEntries(set.files.map((f) => [f.name, String(f.contents)]));
}
const files = chainFiles();
const decoded = async (name: string, now?: Date): Promise<DecodedFile> =>
  decodePemText((await files)[name], { fileName: name, ...(now ? { now } : {}) });

test('a CA file: "1 certificate", the CA facet, a verified icon; its item is a trusted root', async () => {
  const row = fileRow(await decoded('ca-root-crt.pem'));
  assert.equal(row.description, '1 certificate');
  assert.deepEqual(row.facets, ['file', 'cert', 'ca']);
  assert.deepEqual(row.icon, { codicon: 'verified' });
  assert.deepEqual(row.tooltip, ['1 certificate']);
  const item = itemRow((await decoded('ca-root-crt.pem')).items[0]);
  assert.deepEqual(item.facets, ['item', 'cert', 'root', 'ca']);
  assert.deepEqual(item.icon, { codicon: 'workspace-trusted' });
  assert.equal(item.tooltip, `${item.label} (${item.description})`);
});

test('a client leaf file carries the client facet ("Use Client Certificate In…"); its item is a client leaf', async () => {
  const file = await decoded('client-fullchain.pem');
  const row = fileRow(file);
  assert.equal(row.description, '2 certificates');
  assert.deepEqual(row.facets, ['file', 'cert', 'ca', 'client']);
  const leaf = itemRow(file.items[0]);
  assert.deepEqual(leaf.facets, ['item', 'cert', 'leaf', 'client']);
  assert.deepEqual(leaf.icon, { codicon: 'person' });
  // The server leaf is no client: no facet, the server icon.
  const server = itemRow((await decoded('server-crt.pem')).items[0]);
  assert.deepEqual(server.facets, ['item', 'cert', 'leaf']);
  assert.deepEqual(server.icon, { codicon: 'server' });
  assert.deepEqual(fileRow(await decoded('server-crt.pem')).facets, ['file', 'cert']);
});

test('an expired leaf: the expired facet, the error icon, the problem in both tooltips and the problem facet', async () => {
  const file = await decoded('client-crt.pem', later);
  const item = itemRow(file.items[0]);
  assert.deepEqual(item.facets, ['item', 'cert', 'leaf', 'client', 'expired']);
  assert.deepEqual(item.icon, { codicon: 'error', colour: 'error' });
  const expired = file.problems.find((p) => p.severity === 'error');
  assert.ok(expired, JSON.stringify(file.problems));
  assert.equal(item.tooltip, `${item.label} — ${expired.message}`);
  const row = fileRow(file);
  assert.deepEqual(row.facets, ['file', 'cert', 'client', 'problem']);
  assert.deepEqual(row.icon, { codicon: 'error', colour: 'error' });
  assert.deepEqual(row.tooltip, ['1 certificate', expired.message]);
  const message = messageRow(expired);
  assert.deepEqual(
    [message.label, message.icon, message.facets, message.needsPassphrase],
    [expired.message, { codicon: 'error', colour: 'error' }, ['message'], false],
  );
});

test('a leaf that expires soon: the warning icon in both rows, the problem facet, no expired facet', async () => {
  const file = await decoded('server-crt.pem', new Date(Date.now() + 390 * DAY_MS));
  const warning = file.problems.find((p) => p.severity === 'warning');
  assert.ok(warning, JSON.stringify(file.problems));
  const item = itemRow(file.items[0]);
  assert.deepEqual(item.facets, ['item', 'cert', 'leaf']);
  assert.deepEqual(item.icon, { codicon: 'warning', colour: 'warning' });
  const row = fileRow(file);
  assert.deepEqual(row.facets, ['file', 'cert', 'problem']);
  assert.deepEqual(row.icon, { codicon: 'warning', colour: 'warning' });
  assert.deepEqual(row.tooltip, ['1 certificate', warning.message]);
});

test('a key file: "1 private key", the key facet and icon; it names the files with its certificate', async () => {
  const key = await decoded('client-key.pem');
  const row = fileRow(key);
  assert.equal(row.description, '1 private key');
  assert.deepEqual(row.facets, ['file', 'key']);
  assert.deepEqual(row.icon, { codicon: 'key' });
  assert.deepEqual(itemRow(key.items[0]).facets, ['item', 'privateKey']);
  const others = [
    ['client-crt.pem', await decoded('client-crt.pem')],
    ['server-crt.pem', await decoded('server-crt.pem')],
    ['client-key.pem', key],
  ] as const;
  assert.deepEqual(itemFields(key, 0, () => others)[0], { label: 'Matches certificate', value: 'client-crt.pem' });
  // And the certificate names the file with its private key.
  const cert = others[0][1];
  assert.ok(itemFields(cert, 0, () => others).some((f) => f.label === 'Private key' && f.value === 'client-key.pem'));
});

test('a certificate issued by another in the same file says so, and whether the signature verifies', async () => {
  const file = await decoded('client-fullchain.pem');
  const fields = itemFields(file, 0, () => []);
  assert.equal(fields[0].label, 'Issued by (this file)');
  assert.match(fields[0].value, / — signature verified$/);
  assert.equal(fields[0].severity, undefined);
  // The lookup among other files runs only when an item needs it.
  let asked = 0;
  itemFields(file, 0, () => (asked++, []));
  assert.equal(asked, 1);
});

test('a PKCS#12 file without its passphrase: the lock icon, the error and p12 facets, a passphrase row', async () => {
  const { 'client-crt.pem': certPem, 'client-key.pem': keyPem } = await files;
  const file = decodeBytes(await buildPkcs12({ certPem, keyPem, passphrase: 'right horse' }), {
    fileName: 'client.p12',
  });
  const row = fileRow(file);
  assert.deepEqual(row.icon, { codicon: 'lock' });
  assert.deepEqual(row.facets, ['file', 'p12', 'error']);
  assert.equal(row.description, file.errors[0].message);
  const message = messageRow(file.errors[0]);
  assert.deepEqual(
    [message.facets, message.needsPassphrase, message.icon],
    [['message', 'passphrase'], true, { codicon: 'error', colour: 'error' }],
  );
});

test('fields: label and value, or the value alone; a flagged field carries its severity icon', () => {
  assert.deepEqual(fieldRow({ label: 'Subject', value: 'CN=x' }), {
    label: 'Subject',
    description: 'CN=x',
    tooltip: 'Subject: CN=x',
  });
  assert.deepEqual(fieldRow({ label: '', value: 'DNS:localhost' }), {
    label: 'DNS:localhost',
    description: undefined,
    tooltip: 'DNS:localhost',
  });
  assert.deepEqual(fieldRow({ label: 'Validity', value: 'soon', severity: 'warning' }).icon, {
    codicon: 'warning',
    colour: 'warning',
  });
  assert.equal(folderDescription(1), '1 file');
  assert.equal(folderDescription(3), '3 files');
});
