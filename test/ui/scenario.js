// @ts-check
// The UI scenario, step by step. Each step drives the workbench as a person would and asserts on what
// the screen shows (or on a side effect on disk), then takes a screenshot.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** @typedef {{ page: import('playwright-core').Page, workspace: string, shot: (name: string) => Promise<unknown>, log: (...a: unknown[]) => void }} Ui */

/** Resolves once `probe()` is true — a wait on a condition, never a fixed time; fails after `ms`. */
async function until(what, /** @type {() => boolean} */ probe, /** @type {number} */ ms) {
  for (const end = Date.now() + ms; !probe(); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

/** Runs a command from the palette by its title (retries: the palette snapshots the command list). */
async function runFromPalette(/** @type {Ui} */ ui, title) {
  const { page } = ui;
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    try {
      await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 3000 });
      break;
    } catch (e) {
      if (attempt >= 10) throw new Error(`"${title}" is not in the command palette`);
      await page.keyboard.press('Escape');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 });
    }
  }
  await page.keyboard.press('Enter');
}

/** True once the command palette lists `title` (then closes the palette without running it). */
async function paletteLists(/** @type {Ui} */ ui, title) {
  const { page } = ui;
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  const found = await page
    .locator('.quick-input-list .monaco-list-row', { hasText: title })
    .first()
    .waitFor({ timeout: 5000 })
    .then(
      () => true,
      () => false,
    );
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 });
  return found;
}

/** Opens the mTLS Workbench activity-bar container. */
async function openCertificatesView(/** @type {Ui} */ ui) {
  const { page } = ui;
  // With one view in the container, its header merges into the sidebar title ("MTLS WORKBENCH: CERTIFICATES").
  const title = page.locator('.part.sidebar .composite.title', { hasText: /Certificates/i });
  if (await title.isVisible().catch(() => false)) return;
  await page.locator('.activitybar .action-item a[aria-label^="mTLS Workbench"]').first().click();
  await title.waitFor({ timeout: 20000 });
}

/** A row of the Certificates tree. */
function treeRow(/** @type {Ui} */ ui, text) {
  return ui.page.locator('.part.sidebar .monaco-list-row', { hasText: text }).first();
}

const steps = [
  {
    name: 'the Getting Started walkthrough opens, shows the handshake picture, and its first step completes by opening the view',
    async run(/** @type {Ui} */ ui) {
      const { page } = ui;
      await runFromPalette(ui, 'Welcome: Open Walkthrough');
      await page
        .locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with mTLS webhooks' })
        .first()
        .click();
      const walkthrough = page.locator('.gettingStartedContainer');
      await walkthrough
        .locator('.getting-started-step', { hasText: 'What mutual TLS is' })
        .first()
        .waitFor({ timeout: 20000 });
      await walkthrough
        .locator('img[src*="handshake.svg"], .getting-started-media img')
        .first()
        .waitFor({ timeout: 20000 });
      await ui.shot('0-walkthrough.png');
      await walkthrough.getByRole('button', { name: 'Open the Certificates view' }).first().click();
      await page.locator('.part.sidebar .composite.title', { hasText: /Certificates/i }).waitFor({ timeout: 20000 });
      // Back to the walkthrough, the way a person would on any VS Code (1.139 shows the Welcome page in its tab
      // instead): open it again from the palette. Its first step is now checked.
      await runFromPalette(ui, 'Welcome: Open Walkthrough');
      await page
        .locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with mTLS webhooks' })
        .first()
        .click();
      await walkthrough
        .locator('.getting-started-step', { hasText: 'What mutual TLS is' })
        .locator('.codicon-pass-filled, .complete, [aria-checked="true"]')
        .first()
        .waitFor({ timeout: 15000 });
      await walkthrough
        .locator('.getting-started-step', { hasText: 'Generate a development CA chain' })
        .first()
        .click();
      await walkthrough.getByRole('button', { name: 'Generate CA Chain' }).first().waitFor({ timeout: 10000 });
      await ui.shot('0b-walkthrough-step-done.png');
      await page.keyboard.press('Control+W');
    },
  },
  {
    name: 'the command palette lists the mTLS commands and runs "mTLS: Show Log"',
    async run(/** @type {Ui} */ ui) {
      // A palette opened while the previous editor is still closing can lose its Enter on 1.139: one more try.
      const log = ui.page.locator('.part.panel', { hasText: 'activated' }).first();
      for (let attempt = 1; ; attempt++) {
        await runFromPalette(ui, 'mTLS: Show Log');
        try {
          await log.waitFor({ timeout: 10000 });
          break;
        } catch (e) {
          if (attempt >= 2) throw e;
        }
      }
      await ui.shot('1-palette-show-log.png');
      // The going-live commands are in the palette too.
      for (const title of [
        'mTLS: Create Dialogflow CX Custom Client Certificate',
        'mTLS: Create Kore.ai Client Certificate Kit',
        'mTLS: Check Go-Live Readiness',
        'mTLS: Use Client Certificate In',
        'mTLS: Update Webhook Server',
      ]) {
        if (!(await paletteLists(ui, title))) throw new Error(`"${title}" is not in the command palette`);
      }
    },
  },
  {
    name: 'the Certificates view (own activity-bar icon) shows the workspace certificate files by folder',
    async run(/** @type {Ui} */ ui) {
      await openCertificatesView(ui);
      await treeRow(ui, 'fixture-ca.pem').waitFor({ timeout: 20000 });
      await treeRow(ui, 'fixture-client.crt').waitFor({ timeout: 20000 });
      await treeRow(ui, 'other').waitFor({ timeout: 5000 });
      await ui.shot('2-certificates-view.png');
    },
  },
  {
    name: 'runs "mTLS: Generate CA Chain…" from the palette through its prompts; files appear in the tree',
    async run(/** @type {Ui} */ ui) {
      const { page } = ui;
      await runFromPalette(ui, 'mTLS: Generate CA Chain');
      const qi = page.locator('.quick-input-widget');
      await qi.locator('.quick-input-title', { hasText: 'Key type' }).waitFor({ timeout: 10000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'ECDSA P-256' }).first().click();
      await qi.locator('.quick-input-title', { hasText: 'Server certificate names' }).waitFor({ timeout: 10000 });
      await page.keyboard.press('Enter'); // accept the default SANs
      await qi.locator('.quick-input-title', { hasText: 'Private keys' }).waitFor({ timeout: 10000 });
      await page.keyboard.press('Enter'); // unencrypted
      const key = path.join(ui.workspace, 'certs', 'client-key.pem');
      await until('certs/client-key.pem', () => fs.existsSync(key), 20000);
      if (!fs.existsSync(key)) throw new Error('certs/client-key.pem was not written');
      if ((fs.statSync(key).mode & 0o777) !== 0o600) throw new Error('client key is not mode 0600');
      await openCertificatesView(ui);
      await treeRow(ui, 'ca-root-crt.pem').waitFor({ timeout: 20000 });
      await treeRow(ui, 'server-fullchain.pem').waitFor({ timeout: 20000 });
      await ui.shot('2b-generated-chain.png');
    },
  },
  {
    name: 'right-clicking a certificate in the explorer offers "Decode Certificate"',
    async run(/** @type {Ui} */ ui) {
      const { page } = ui;
      await page.keyboard.press('Control+Shift+E');
      const explorer = page.locator('.explorer-folders-view');
      await explorer.waitFor();
      const folder = explorer.locator('.monaco-list-row', { hasText: 'certs' }).first();
      if ((await folder.getAttribute('aria-expanded')) !== 'true') await folder.click();
      const file = explorer.locator('.monaco-list-row', { hasText: 'fixture-ca.pem' }).first();
      await file.waitFor({ timeout: 10000 });
      await file.click({ button: 'right' });
      const item = page.locator('.monaco-menu .action-item', { hasText: 'Decode Certificate' }).first();
      await item.waitFor({ timeout: 10000 });
      await ui.shot('3-explorer-context-menu.png');
      await item.click();
      // The decoded document opens beside, read-only, reading like `openssl x509 -text`.
      await page.locator('.tab', { hasText: 'fixture-ca.pem.decoded.txt' }).first().waitFor({ timeout: 15000 });
      await page.locator('.view-lines', { hasText: 'Fixture Root CA' }).first().waitFor({ timeout: 10000 });
      await ui.shot('3b-decoded-document.png');
      // A folder must not offer Decode (when clause), but offers Scaffold.
      await folder.click({ button: 'right' });
      await page
        .locator('.monaco-menu .action-item', { hasText: 'Scaffold Webhook Server' })
        .first()
        .waitFor({ timeout: 10000 });
      if (await page.locator('.monaco-menu .action-item', { hasText: 'Decode Certificate' }).count())
        throw new Error('Decode offered on a folder');
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'the Certificates view expands a certificate into its decoded fields and flags the expired one',
    async run(/** @type {Ui} */ ui) {
      const { page } = ui;
      await openCertificatesView(ui);
      await page
        .locator('.part.sidebar .monaco-list-row[aria-expanded="true"]', { hasText: 'Fixture Root CA' })
        .first()
        .waitFor({ timeout: 5000 })
        .catch(async () => {
          await treeRow(ui, 'fixture-ca.pem').click();
          await page.keyboard.press('ArrowRight');
          await treeRow(ui, 'Fixture Root CA').waitFor({ timeout: 10000 });
          await treeRow(ui, 'Fixture Root CA').click();
          await page.keyboard.press('ArrowRight');
        });
      await treeRow(ui, 'SHA-256 fingerprint').waitFor({ timeout: 10000 });
      await treeRow(ui, 'Basic constraints').waitFor({ timeout: 5000 });
      // the expired fixture shows its problem at a glance
      await treeRow(ui, 'expired.pem').click();
      await page.keyboard.press('ArrowRight');
      await treeRow(ui, 'expired.test').waitFor({ timeout: 10000 });
      const rowText = await treeRow(ui, 'expired.test').innerText();
      if (!/expired/.test(rowText)) throw new Error(`expired certificate row says "${rowText}"`);
      await ui.shot('4-certificate-fields.png');
    },
  },
  {
    name: 'scaffolds and starts the webhook server from the palette; the terminal logs who connected and who was refused',
    async run(/** @type {Ui} */ ui) {
      const { page } = ui;
      const { execFileSync, spawnSync } = require('node:child_process');
      await runFromPalette(ui, 'mTLS: Scaffold Webhook Server');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'All platforms' }).first().click();
      const server = path.join(ui.workspace, 'server.mts');
      await until('server.mts', () => fs.existsSync(server), 10000);
      if (!fs.existsSync(server)) throw new Error('server.mts was not written');
      await page.locator('.tab', { hasText: 'server.mts' }).first().waitFor({ timeout: 10000 });
      await runFromPalette(ui, 'mTLS: Start Webhook Server');
      const port = ui.serverPort;
      const status = page.locator('.statusbar-item', { hasText: `mTLS :${port}` }).first();
      await status.waitFor({ timeout: 30000 });
      const certs = path.join(ui.workspace, 'certs');
      const body = JSON.stringify({
        detectIntentResponseId: 'ui-1',
        fulfillmentInfo: { tag: 'welcome' },
        text: 'hi',
        languageCode: 'en',
      });
      const ok = execFileSync(
        'curl',
        [
          '-sS',
          '--cacert',
          path.join(certs, 'ca-root-crt.pem'),
          '--cert',
          path.join(certs, 'client-crt.pem'),
          '--key',
          path.join(certs, 'client-key.pem'),
          '-H',
          'content-type: application/json',
          '--data',
          body,
          `https://127.0.0.1:${port}/`,
        ],
        { encoding: 'utf8' },
      );
      if (!/fulfillmentResponse/.test(ok)) throw new Error(`unexpected reply: ${ok}`);
      const refused = spawnSync(
        'curl',
        [
          '-sS',
          '--cacert',
          path.join(certs, 'ca-root-crt.pem'),
          '-H',
          'content-type: application/json',
          '--data',
          body,
          `https://127.0.0.1:${port}/`,
        ],
        { encoding: 'utf8' },
      );
      if (refused.status === 0) throw new Error('a client without a certificate was served');
      // What the terminal shows (DOM renderer, see run.js): the served request with the client's identity,
      // and the refused handshake with its reason.
      await page.locator('.xterm-rows').first().waitFor({ timeout: 10000 });
      const shown = await page
        .waitForFunction(
          () => {
            const text = [...document.querySelectorAll('.xterm-rows')].map((r) => r.textContent ?? '').join('\n');
            return /POST \/ 200 [\d.]+ms client \S/.test(text) && /refused handshake from \S+ \[[^\]]+\]: \S/.test(text)
              ? text
              : undefined;
          },
          undefined,
          { timeout: 15000 },
        )
        .catch(async () => {
          const text = await page.locator('.xterm-rows').allInnerTexts();
          throw new Error(
            `the server terminal does not show the accepted request and the refused handshake:\n${text.join('\n')}`,
          );
        });
      ui.log(
        'terminal:',
        String(await shown.jsonValue())
          .split('\n')
          .filter((l) => /POST|refused/.test(l))
          .join(' | '),
      );
      await ui.shot('5-server-terminal.png');
      // Send the Dialogflow CX sample through the palette: URL (defaults to the running server), sample, certificate.
      await runFromPalette(ui, 'View: Close All Editor Groups');
      await runFromPalette(ui, 'mTLS: Send Sample Webhook Request');
      const qi = page.locator('.quick-input-widget');
      await qi.locator('.quick-input-title', { hasText: 'Webhook URL' }).waitFor({ timeout: 10000 });
      await page.keyboard.press('Enter');
      await qi.locator('.quick-input-title', { hasText: 'What to send' }).waitFor({ timeout: 10000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Dialogflow CX' }).first().click();
      await qi.locator('.quick-input-title', { hasText: 'Client certificate' }).waitFor({ timeout: 10000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'client-fullchain.pem' }).first().click();
      await page
        .locator('.tab', { hasText: /webhook-200/ })
        .first()
        .waitFor({ timeout: 30000 });
      await page
        .locator('.view-lines', { hasText: /TLSv1\.3|TLSv1\.2/ })
        .first()
        .waitFor({ timeout: 10000 });
      await ui.shot('6-send-result.png');
      // The same request without a client certificate: the timeline marks step 4 failed, with the server's own refusal line.
      await runFromPalette(ui, 'View: Close All Editor Groups');
      await runFromPalette(ui, 'mTLS: Send Sample Webhook Request');
      await qi.locator('.quick-input-title', { hasText: 'Webhook URL' }).waitFor({ timeout: 10000 });
      await page.keyboard.press('Enter');
      await qi.locator('.quick-input-title', { hasText: 'What to send' }).waitFor({ timeout: 10000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Dialogflow CX' }).first().click();
      await qi.locator('.quick-input-title', { hasText: 'Client certificate' }).waitFor({ timeout: 10000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'No client certificate' }).first().click();
      await page
        .locator('.tab', { hasText: /webhook-failed/ })
        .first()
        .waitFor({ timeout: 30000 });
      // (Monaco renders spaces as no-break spaces: \s matches both.) Step 4 is the failed one, with the cause, and
      // the server's own refusal of that connection is merged in under it.
      await page
        .locator('.view-lines', {
          hasText: /4\s+Platform\s+presents\s+its\s+client\s+certificate\s+[\d.]+\s+ms\s+FAILED/,
        })
        .first()
        .waitFor({ timeout: 10000 });
      await page
        .locator('.view-lines', { hasText: /server\s+log:\s+\S+\s+refused\s+handshake\s+from/ })
        .first()
        .waitFor({ timeout: 10000 });
      await page.keyboard.press('Escape'); // dismiss the notification's focus, keep the document in view
      await page.waitForTimeout(500);
      await ui.shot('6b-handshake-timeline.png');
      await runFromPalette(ui, 'mTLS: Stop Webhook Server');
      await status.waitFor({ state: 'hidden', timeout: 15000 });
    },
  },
  {
    name: 'runs "mTLS: Check Go-Live Readiness…" from the palette: one row per check, pass / warn / fail, in a report',
    async run(/** @type {Ui} */ ui) {
      const { page } = ui;
      await runFromPalette(ui, 'View: Close All Editor Groups');
      await runFromPalette(ui, 'mTLS: Check Go-Live Readiness');
      const qi = page.locator('.quick-input-widget');
      await qi.locator('.quick-input-title', { hasText: 'which platform' }).waitFor({ timeout: 10000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Dialogflow CX' }).first().click();
      await qi.locator('.quick-input-title', { hasText: 'public URL' }).waitFor({ timeout: 10000 });
      await page.keyboard.press('Enter'); // no public URL: the reachability rows say so
      // The check starts server.mts (nothing listens on its port now), measures it and stops it again.
      await page
        .locator('.tab', { hasText: /go-live-readiness-cx/ })
        .first()
        .waitFor({ timeout: 90000 });
      const lines = page.locator('.view-lines');
      // (Monaco renders spaces as no-break spaces: \s matches both.)
      await lines
        .filter({ hasText: /Go-live\s+readiness\s+for\s+Dialogflow\s+CX/ })
        .first()
        .waitFor({ timeout: 10000 });
      // A dev chain is not what Dialogflow trusts: the report says so at the top, row by row.
      await lines
        .filter({ hasText: /NOT\s+READY/ })
        .first()
        .waitFor({ timeout: 10000 });
      await lines
        .filter({ hasText: /FAIL\s+server-public-trust/ })
        .first()
        .waitFor({ timeout: 10000 });
      await lines
        .filter({ hasText: /PASS\s+server-chain/ })
        .first()
        .waitFor({ timeout: 10000 });
      await page.keyboard.press('Escape');
      await ui.shot('6c-go-live-readiness.png');
    },
  },
  {
    name: 'in a folder without certificates, the Certificates view welcomes with buttons that run the commands',
    async run(/** @type {Ui} */ ui) {
      const { page } = ui;
      const empty = path.join(path.dirname(ui.workspace), 'empty-workspace');
      fs.mkdirSync(empty, { recursive: true });
      fs.writeFileSync(path.join(empty, 'README.md'), '# nothing here yet\n');
      await page.goto(page.url().replace(/\?folder=[^&]*/, `?folder=${encodeURIComponent(empty)}`), {
        waitUntil: 'commit',
        timeout: 180000,
      });
      await page.locator('.monaco-workbench').waitFor({ timeout: 180000 });
      await page.locator('.activitybar .action-item a[aria-label^="mTLS Workbench"]').first().click();
      const welcome = page.locator('.part.sidebar .welcome-view-content');
      await welcome.getByText('No certificate or key files found').first().waitFor({ timeout: 20000 });
      await welcome.getByRole('button', { name: 'Set Up Webhook Project' }).first().waitFor({ timeout: 5000 });
      await ui.shot('7-welcome-empty-workspace.png');
      await welcome.getByRole('button', { name: 'Set Up Webhook Project' }).first().click();
      await page
        .locator('.quick-input-widget .quick-input-title', { hasText: 'which platform' })
        .waitFor({ timeout: 10000 });
      await page.keyboard.press('Escape');
    },
  },
];

module.exports = { steps, runFromPalette, openCertificatesView, treeRow, fs, path };
