// Issue 4, items 4 and 7: errors in plain sight. Each test gets its own draftd, because
// each one breaks it (a 422 template, a table dropped, a column dropped, the server stopped).
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  startDraftd, launchBrowser, assertPageClean, waitUntil, waitVisible, screenshot, textOf,
  makeProspects, csvText, CSV_FIELDS,
} from './harness.mjs';

const servers = [];   // every draftd started here, stopped and removed in `after`

async function serverWith(n, prefix) {
  const server = await startDraftd();
  servers.push(server);
  const ps = makeProspects(n, prefix);
  const rep = await server.importCsv(csvText(CSV_FIELDS, ps.map((p) => CSV_FIELDS.map((f) => p[f]))));
  assert.equal(rep.imported, n, `import: ${JSON.stringify(rep)}`);
  return server;
}

/** Texts of the role=alert elements under #alerts. */
function alertTexts(page) {
  return page.$$eval('#alerts [role="alert"]', (els) =>
    els.map((e) => e.textContent.replace(/\s+/g, ' ').trim()));
}

/** Waits for an alert under #alerts containing every one of `parts`; returns its text. */
function waitAlert(page, what, parts, server) {
  return waitUntil(page, what, (want) => {
    const el = [...document.querySelectorAll('#alerts .alert[role="alert"]')].find((e) =>
      window.__bt.shown(e) && want.every((w) => e.textContent.replace(/\s+/g, ' ').includes(w)));
    return el ? el.textContent.replace(/\s+/g, ' ').trim() : false;
  }, parts, { server });
}

async function loaded(page, server, rows) {
  await page.goto(server.url + '/');
  await waitUntil(page, `${rows} rows loaded`, (n) =>
    document.querySelectorAll('#prospects tbody tr.prospect').length === n, rows, { server });
}

describe('errors in plain sight', () => {
  let browser;

  before(async () => { browser = await launchBrowser(); });
  after(async () => {
    if (browser) await browser.close();
    for (const s of servers.splice(0)) await s.cleanup();
  });

  test('template editor: a 422 shows its message in the dialog, which stays open; a good one saves', async () => {
    const server = await serverWith(5, 'tpl');
    const page = await browser.newPage();
    await loaded(page, server, 5);

    await page.getByRole('button', { name: 'Edit template', exact: true }).click();
    const dialog = page.locator('#template-dialog');
    await waitUntil(page, 'the template dialog to open',
      () => document.querySelector('#template-dialog').open === true, undefined, { server });
    const current = await server.apiOk('GET', '/api/templates/draft');
    const subject = dialog.getByLabel('Subject template', { exact: true });
    const body = dialog.getByLabel('Body template', { exact: true });
    await waitUntil(page, 'the dialog to hold the current template', (want) => {
      const d = document.querySelector('#template-dialog');
      const vals = [...d.querySelectorAll('input, textarea')].map((e) => e.value);
      return vals.includes(want.subject) && vals.includes(want.body);
    }, { subject: current.subject, body: current.body }, { server });
    assert.equal(await subject.inputValue(), current.subject);
    assert.equal(await body.inputValue(), current.body);
    const placeholders = await textOf(page, '#placeholders');
    for (const f of ['first_name', 'last_name', 'company', 'title', 'website', 'email']) {
      assert.ok(placeholders.includes(`{{${f}}}`), `#placeholders lists {{${f}}}: ${placeholders}`);
    }

    await subject.fill('Hello {{nope}}');
    await dialog.getByRole('button', { name: 'Save template', exact: true }).click();
    // What the server answers for this template, verbatim.
    const answer = await server.api('PUT', '/api/templates/draft', { subject: 'Hello {{nope}}', body: current.body });
    assert.equal(answer.status, 422);
    const message = answer.json.error.message;
    assert.match(message, /nope/);
    await waitUntil(page, '#template-error to show the 422 message', (m) => {
      const el = document.querySelector('#template-dialog #template-error');
      return el && window.__bt.shown(el) && el.getAttribute('role') === 'alert' && el.textContent.includes(m);
    }, message, { server });
    assert.equal(await page.evaluate(() => document.querySelector('#template-dialog').open), true,
      'the dialog stays open after a 422');
    assert.equal(await subject.inputValue(), 'Hello {{nope}}', 'the typed subject is kept');
    await screenshot(page, '10-template-dialog-error');
    assert.equal((await server.apiOk('GET', '/api/templates/draft')).subject, current.subject,
      'nothing was saved');

    const good = 'Hello {{first_name|there}} from {{company}}';
    await subject.fill(good);
    await dialog.getByRole('button', { name: 'Save template', exact: true }).click();
    await waitUntil(page, 'the dialog to close after a good save',
      () => document.querySelector('#template-dialog').open === false, undefined, { server });
    assert.equal((await server.apiOk('GET', '/api/templates/draft')).subject, good);
    assertPageClean(page);
    await page.close();
  });

  test('an import the server cannot read (422) shows the alert, not a report', async () => {
    const server = await serverWith(3, 'imp422');
    const page = await browser.newPage();
    await loaded(page, server, 3);
    const csv = 'name,company\nAda,Engines\n';      // no email column
    const answer = await server.api('POST', '/api/prospects/import', csv, 'text/csv');
    assert.equal(answer.status, 422, `the server on a file without emails: ${answer.text}`);
    const file = path.join(server.dir, 'no-email-column.csv');
    fs.writeFileSync(file, csv);
    await page.setInputFiles('#import-file', file);
    await waitAlert(page, 'an alert with the import\'s 422 message', [answer.json.error.message], server);
    assert.equal(await page.evaluate(() => window.__bt.shown('#import-report')), false,
      'no import report for a refused file');
    assert.equal(await page.locator('#prospects tbody tr.prospect').count(), 3, 'the rows stay');
    assertPageClean(page);
    await page.close();
  });

  test('a failing list keeps the table (or says it failed) and never shows #empty', async () => {
    const server = await serverWith(30, 'lst');
    const page = await browser.newPage();
    await loaded(page, server, 30);

    // Make every status-filtered list fail on the server: drop the counters table that the
    // list statements read (the triggers on prospects reference it; SQLite allows the drop).
    server.sqlite('DROP TABLE prospect_counts');
    const answer = await server.api('GET', '/api/prospects?skip=0&limit=50&draft_status=drafted');
    // A missing table is schema drift: 503 schema_mismatch (src/store/store.c).
    assert.equal(answer.status, 503, `the broken list: ${answer.text}`);
    assert.equal(answer.json.error.code, 'schema_mismatch');
    const message = answer.json.error.message;

    // Zero prospects are drafted: had the call succeeded this would be the "start drafting"
    // empty state. It fails, so the page must say so instead.
    await page.locator('#status-filter button[data-filter="drafted"]').click();
    const alert = await waitAlert(page, 'an alert with the list\'s error message', [message], server);
    assert.ok(alert.length > message.length, `the alert names the action too: ${alert}`);
    await waitUntil(page, 'rows kept or #table-error shown', (m) => {
      const rows = document.querySelectorAll('#prospects tbody tr.prospect').length;
      const te = document.querySelector('#table-error');
      return rows === 30 || (te && window.__bt.shown(te) && te.textContent.includes(`Could not load prospects: ${m}`));
    }, message, { server });
    assert.equal(await page.evaluate(() => window.__bt.shown('#empty')), false, '#empty must not stand in for an error');
    await screenshot(page, '12-list-error', { fullPage: true });
    // Dismiss removes it.
    const mine = page.locator('#alerts .alert[role="alert"]', { hasText: message });
    await mine.first().getByRole('button', { name: 'Dismiss' }).click();
    await waitUntil(page, 'the dismissed alert to go', (m) =>
      ![...document.querySelectorAll('#alerts .alert[role="alert"]')].some((e) =>
        window.__bt.shown(e) && e.textContent.includes(m)), message, { server });
    assertPageClean(page);
    await page.close();
  });

  test('a column dropped under the running server: Start Drafting shows the error naming it and the schema banner', async () => {
    const server = await serverWith(10, 'sch');
    const page = await browser.newPage();
    await loaded(page, server, 10);
    assert.equal(await page.evaluate(() => window.__bt.shown('#schema-banner')), false,
      'no schema banner on a good schema');

    // SQLite 3.35+ drops a column unless an index, trigger or view uses it; none uses
    // jobs.drafts_created, so the plain statement works.
    server.sqlite('ALTER TABLE jobs DROP COLUMN drafts_created');

    await page.getByRole('button', { name: 'Start Drafting', exact: true }).click();

    // What the server answers, verbatim (the page's request failed the same way: no job exists).
    const start = await server.api('POST', '/api/pipeline/draft');
    assert.equal(start.status, 503, `POST /api/pipeline/draft on the broken schema: ${start.text}`);
    assert.equal(start.json.error.code, 'schema_mismatch');
    const message = start.json.error.message;
    assert.match(message, /drafts_created/);
    const alert = await waitAlert(page, 'the Start Drafting error naming the column',
      ['Could not start drafting', message], server);
    assert.match(alert, /drafts_created/);

    const schema = await server.api('GET', '/api/health/schema');
    assert.equal(schema.status, 503);
    await waitVisible(page, page.locator('#schema-banner'), '#schema-banner after the 5xx', { server });
    assert.equal(await page.getAttribute('#schema-banner', 'role'), 'alert');
    await waitUntil(page, 'the banner to list jobs.drafts_created — missing', () =>
      [...document.querySelectorAll('#schema-banner li')].some((li) =>
        li.textContent.replace(/\s+/g, ' ').includes('jobs.drafts_created — missing')), undefined, { server });
    const codes = await page.$$eval('#schema-banner code', (els) => els.map((e) => e.textContent.trim()));
    assert.ok(codes.includes(schema.json.fix), `#schema-banner <code> shows the fix ${JSON.stringify(schema.json.fix)}: ${JSON.stringify(codes)}`);
    const banner = await textOf(page, '#schema-banner');
    assert.ok(banner.includes(String(schema.json.latest_version)), `the banner shows the versions: ${banner}`);
    await screenshot(page, '07-schema-banner');
    assertPageClean(page);

    // A fresh load shows the banner at once, and the failing jobs call as an alert (not as
    // "No drafting run yet"), while the prospects still list.
    await page.reload();
    await waitVisible(page, page.locator('#schema-banner'), '#schema-banner on load', { server });
    const jobs = await server.api('GET', '/api/jobs?status=running&limit=1');
    assert.equal(jobs.status, 503);
    await waitAlert(page, 'an alert with the jobs call\'s error on load', [jobs.json.error.message], server);
    await waitUntil(page, 'the rows after the reload',
      () => document.querySelectorAll('#prospects tbody tr.prospect').length === 10, undefined, { server });
    assert.doesNotMatch(await textOf(page, '#job-panel'), /No drafting run yet/,
      'the panel does not claim there was no run when the jobs call failed');
    assertPageClean(page);
    await page.close();
  });

  test('a job that fails shows its error in #job-error and the Failed status', async () => {
    const server = await startDraftd({ delayMs: 30 });
    servers.push(server);
    const ps = makeProspects(200, 'fail');
    const rep = await server.importCsv(csvText(CSV_FIELDS, ps.map((p) => CSV_FIELDS.map((f) => p[f]))));
    assert.equal(rep.imported, 200, `import: ${JSON.stringify(rep)}`);
    const page = await browser.newPage();
    await loaded(page, server, 50);

    await page.getByRole('button', { name: 'Start Drafting', exact: true }).click();
    const running = await waitUntil(page, 'the job running with some drafts written', () => {
      const s = window.__bt.panel();
      return s.rawStatus === 'running' && s.count && s.count.done > 0 ? s : false;
    }, undefined, { server });
    // The next batch's write needs prospects.draft_error: without it the batch fails and the
    // runner ends the job `failed` with the database's message.
    server.sqlite('ALTER TABLE prospects DROP COLUMN draft_error');

    const job = await waitUntil(page, 'the job to show Failed', () => {
      const s = window.__bt.panel();
      return s.status === 'Failed' ? s : false;
    }, undefined, { server });
    assert.equal(job.jobId, running.jobId);
    assert.equal(job.rawStatus, 'failed');
    const api = await server.apiOk('GET', `/api/pipeline/draft/jobs/${running.jobId}`);
    assert.equal(api.status, 'failed');
    assert.match(api.error, /draft_error/);
    await waitVisible(page, page.locator('#job-error'), '#job-error', { server });
    assert.equal(await page.getAttribute('#job-error', 'role'), 'alert');
    const shown = (await textOf(page, '#job-error')).replace(/\s+/g, ' ');
    assert.ok(shown.includes(api.error), `#job-error shows the job's error ${JSON.stringify(api.error)}: ${shown}`);
    await screenshot(page, '13-job-failed');
    assertPageClean(page);
    await page.close();
  });

  test('server gone: a control says "Cannot reach draftd"; the list failing never shows #empty', async () => {
    const server = await serverWith(12, 'down');
    const page = await browser.newPage();
    await loaded(page, server, 12);

    const exit = await server.stop();
    assert.equal(exit.code, 0, `draftd stopped cleanly on SIGTERM: ${JSON.stringify(exit)}`);

    await page.getByRole('button', { name: 'Start Drafting', exact: true }).click();
    await waitAlert(page, 'an alert "Cannot reach draftd" after Start Drafting',
      ['Could not start drafting', 'Cannot reach draftd'], server);

    // A search nothing matches: had the list answered, this would be "No prospects match".
    const alertsBefore = (await alertTexts(page)).length;
    const failed = page.waitForEvent('requestfailed',
      (r) => r.url().includes('/api/prospects?') && r.url().includes('zzz-matches-nothing'));
    await page.getByLabel('Search prospects', { exact: true }).fill('zzz-matches-nothing');
    await failed;
    await waitUntil(page, 'the failed search to be reported (a new alert or #table-error)', (n) =>
      document.querySelectorAll('#alerts .alert[role="alert"]').length > n ||
      window.__bt.shown('#table-error'), alertsBefore, { server });
    await waitUntil(page, 'rows kept or #table-error shown', () => {
      const rows = document.querySelectorAll('#prospects tbody tr.prospect').length;
      const te = document.querySelector('#table-error');
      return rows === 12 || (te && window.__bt.shown(te) && /Could not load prospects: /.test(te.textContent));
    }, undefined, { server });
    assert.equal(await page.evaluate(() => window.__bt.shown('#empty')), false, '#empty must not stand in for an error');
    const alerts = await alertTexts(page);
    assert.ok(alerts.some((t) => t.includes('Cannot reach draftd')), JSON.stringify(alerts));
    await screenshot(page, '11-server-unreachable', { fullPage: true });
    assertPageClean(page);
    await page.close();
  });
});
