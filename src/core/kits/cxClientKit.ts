/**
 * The Dialogflow CX custom client certificate (agent-level `clientCertificateSettings`, v3 API): a client
 * certificate from the user's CA, its key encrypted with a generated passphrase, and the settings object
 * whose key and passphrase point at Secret Manager secret versions. The tool calls no Google API: it
 * prints the exact commands that create the secrets, grant access and update the agent.
 */
import { X509Certificate } from 'node:crypto';
import { InputError } from '../errors';
import { shellQuote } from '../shellQuote';
import { describeCertificate, issueClientCertificate, privateKeyFilePem } from '../pki';
import { generatePassphrase, leftoversOf, type Kit, type KitIssueOptions } from './kitFolder';

export const CxClientFiles = {
  cert: 'cx-client-crt.pem',
  key: 'cx-client-key.pem',
  passphrase: 'cx-client-passphrase.txt',
  settings: 'cx-client-certificate-settings.json',
} as const;

/** `Agent.ClientCertificateSettings` in its JSON form (lowerCamelCase of the proto's field names). */
export interface CxClientCertificateSettings {
  sslCertificate: string;
  privateKey: string;
  passphrase: string;
}

export interface CxClientOptions extends KitIssueOptions {
  /** Google Cloud project id (default: the placeholder PROJECT_ID). */
  project?: string;
  /** Secret names: PREFIX-key and PREFIX-passphrase (default cx-client). */
  secretPrefix?: string;
  /** Agent location and id, for the update command (defaults: global, AGENT_ID). */
  location?: string;
  agent?: string;
  /** The kit folder as the commands should name it (relative to where they run). */
  shownDir?: string;
}

const PROJECT_PLACEHOLDER = 'PROJECT_ID';

/** Secret Manager secret ids: 1–255 of letters, digits, '-' and '_'. */
function checkSecretPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(prefix))
    throw new InputError(
      `Secret prefix "${prefix}" may only use letters, digits, "-" and "_" (Secret Manager secret ids).`,
    );
  return prefix;
}

function checkProject(project: string): string {
  // Project ids: 6–30 lowercase letters, digits and hyphens, starting with a letter.
  if (project !== PROJECT_PLACEHOLDER && !/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(project))
    throw new InputError(
      `"${project}" is not a Google Cloud project id (6–30 lowercase letters, digits and hyphens, starting with a letter).`,
    );
  return project;
}

function checkName(value: string, what: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(value))
    throw new InputError(`${what} "${value}" may only use letters, digits, "-" and "_".`);
  return value;
}

/** The exact shell commands that install the certificate on the agent (create secrets, grant the service agent, update the agent). */
function cxInstallCommands(o: {
  project: string;
  keySecret: string;
  passphraseSecret: string;
  location: string;
  agent: string;
  dir: string;
}): string[] {
  // Paths are shell-quoted: the user pastes these lines into a shell, and the kit folder may hold any character.
  const f = (name: string) => shellQuote(o.dir ? `${o.dir.replace(/\/$/, '')}/${name}` : name);
  const host = o.location === 'global' ? 'dialogflow.googleapis.com' : `${o.location}-dialogflow.googleapis.com`;
  const member = '"serviceAccount:service-${PROJECT_NUMBER}@gcp-sa-dialogflow.iam.gserviceaccount.com"';
  return [
    `gcloud secrets create ${o.keySecret} --project=${o.project} --replication-policy=automatic --data-file=${f(CxClientFiles.key)}`,
    `gcloud secrets create ${o.passphraseSecret} --project=${o.project} --replication-policy=automatic --data-file=${f(CxClientFiles.passphrase)}`,
    `PROJECT_NUMBER=$(gcloud projects describe ${o.project} --format='value(projectNumber)')`,
    `gcloud secrets add-iam-policy-binding ${o.keySecret} --project=${o.project} --member=${member} --role=roles/secretmanager.secretAccessor`,
    `gcloud secrets add-iam-policy-binding ${o.passphraseSecret} --project=${o.project} --member=${member} --role=roles/secretmanager.secretAccessor`,
    `{ printf '{"clientCertificateSettings":'; cat ${f(CxClientFiles.settings)}; printf '}'; } | curl -sS -X PATCH -H "Authorization: Bearer $(gcloud auth print-access-token)" -H "x-goog-user-project: ${o.project}" -H "Content-Type: application/json" --data-binary @- "https://${host}/v3/projects/${o.project}/locations/${o.location}/agents/${o.agent}?updateMask=clientCertificateSettings"`,
  ];
}

/** Issues the CX client certificate and lays out its files, settings object and install commands (nothing is written here). */
export async function buildCxClientKit(
  o: CxClientOptions,
): Promise<Kit & { settings: CxClientCertificateSettings; commands: string[] }> {
  const project = checkProject(o.project ?? PROJECT_PLACEHOLDER);
  const prefix = checkSecretPrefix(o.secretPrefix ?? 'cx-client');
  const location = checkName(o.location ?? 'global', 'Location');
  const agent = checkName(o.agent ?? 'AGENT_ID', 'Agent id');
  const issued = await issueClientCertificate(o, 'dialogflow-cx-agent');
  const passphrase = generatePassphrase();
  const keySecret = `${prefix}-key`;
  const passphraseSecret = `${prefix}-passphrase`;
  // Version 1: the first version of a secret created by the commands below.
  const version = (secret: string) => `projects/${project}/secrets/${secret}/versions/1`;
  const settings: CxClientCertificateSettings = {
    sslCertificate: issued.cert.pem,
    privateKey: version(keySecret),
    passphrase: version(passphraseSecret),
  };
  const F = CxClientFiles;
  const commands = cxInstallCommands({ project, keySecret, passphraseSecret, location, agent, dir: o.shownDir ?? '' });
  const instructions = [
    `Dialogflow CX custom client certificate (${describeCertificate(F.cert, issued.cert, 'client', issued.notAfter).subject}, clientAuth, issued by ${subjectOf(issued.caChain[0])}, expires ${issued.notAfter.toISOString().slice(0, 10)}).`,
    `  ${F.cert}  the certificate: "sslCertificate" of the settings object`,
    `  ${F.key}  its private key, encrypted PKCS#8: goes into secret ${keySecret}`,
    `  ${F.passphrase}  the generated passphrase (mode 0600; no newline): goes into secret ${passphraseSecret}`,
    `  ${F.settings}  the agent's clientCertificateSettings${project === PROJECT_PLACEHOLDER ? ' (replace PROJECT_ID, or rerun with --project)' : ''}`,
    '',
    'Install it on the agent (run these yourself; this tool calls no Google API):',
    ...commands.map((c) => `  ${c}`),
    '',
    'Every webhook of the agent then presents this certificate. Your webhook server must trust the CA that issued it',
    '(scaffolded server.mts: MTLS_CA=<that CA bundle, e.g. ca-crt.pem>) instead of the public SSL.com root, and can',
    `pin it with MTLS_ALLOWED_CLIENTS="${o.cn ?? 'dialogflow-cx-agent'}". Delete ${F.passphrase} once the secret exists.`,
  ].join('\n');
  const files: Kit['files'] = [
    { name: F.cert, contents: issued.cert.pem },
    {
      name: F.key,
      contents: await privateKeyFilePem(issued.keys.privateKey, passphrase, o.kdfIterations),
      secret: true,
    },
    { name: F.passphrase, contents: passphrase, secret: true },
    { name: F.settings, contents: JSON.stringify(settings, null, 2) + '\n' },
  ];
  return {
    files,
    certificates: [describeCertificate(F.cert, issued.cert, 'client', issued.notAfter)],
    instructions,
    leftovers: leftoversOf(F, files),
    settings,
    commands,
  };
}

const subjectOf = (der: Buffer) => new X509Certificate(der).subject.split('\n').reverse().join(', ');
