// Issue 4, item 7: import a CSV through the file picker (with refused lines), Start Drafting,
// watch the progress move, see the drafts arrive in the table without a reload; then edit a
// draft's subject inline, approve it, reload, and find both stuck.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  sharedDraftd, assertPageClean, waitUntil, waitVisible, screenshot, textOf,
  makeProspects, csvText, CSV_FIELDS,
} from './harness.mjs';

const GOOD = 200;          // prospects imported
const DELAY_MS = 25;       // per draft: the job takes >= 5 s, so its progress is observable

describe('import, drafting with live progress, review', () => {
  const fx = sharedDraftd({ delayMs: DELAY_MS, page: true });
  const prospects = makeProspects(GOOD, 'imp');
  const companyOf = new Map(prospects.map((p) => [p.email, p.company]));

  test('empty database → import with refused lines → Start Drafting → progress → drafts in the table, no reload', async () => {
    const { server, page } = fx;
    await page.goto(server.url + '/');

    // Empty database: the empty state says what to do.
    await waitVisible(page, page.locator('#empty'), '#empty on an empty database', { server });
    const empty = await textOf(page, '#empty');
    assert.match(empty, /No prospects yet/, `#empty text: ${empty}`);
    assert.match(empty, /Import/, `#empty text: ${empty}`);
    assert.equal(await page.locator('#prospects tbody tr.prospect').count(), 0);
    await screenshot(page, '01-empty');

    // Anything that reloads the page loses this.
    await page.evaluate(() => { window.__noReload = 1; });

    // The file: header on line 1, then the good rows, with three bad rows placed at known lines:
    // line 5 has no email, line 9 an invalid one, line 12 repeats line 2's email (other case),
    // and an unknown column "notes" that must be reported as ignored.
    const header = [...CSV_FIELDS, 'notes'];
    const rows = prospects.map((p) => [...CSV_FIELDS.map((f) => p[f]), 'n']);
    rows.splice(3, 0, ['', 'Nomail', 'Person', 'Nowhere Ltd', 'CTO', 'n']);               // line 5
    rows.splice(7, 0, ['not-an-email', 'Bad', 'Address', 'Nowhere Ltd', 'CTO', 'n']);     // line 9
    rows.splice(10, 0, [prospects[0].email.toUpperCase(), 'Again', 'Dup', 'X', 'CTO', 'n']); // line 12
    const csv = csvText(header, rows);
    const lines = csv.split('\n');
    assert.equal(lines[4].split(',')[0], '', 'fixture: line 5 has no email');
    assert.equal(lines[8].split(',')[0], 'not-an-email', 'fixture: line 9 has an invalid email');
    assert.equal(lines[11].split(',')[0], prospects[0].email.toUpperCase(), 'fixture: line 12 is a duplicate');
    const file = path.join(server.dir, 'prospects-with-bad-rows.csv');
    fs.writeFileSync(file, csv);

    await page.setInputFiles('#import-file', file);

    await waitVisible(page, page.locator('#import-report'), '#import-report after the import', { server });
    await waitUntil(page, 'the import report to list refused lines',
      () => document.querySelectorAll('#import-report li').length > 0, undefined, { server });
    const report = await textOf(page, '#import-report');
    assert.match(report, new RegExp(`Imported ${GOOD}\\b`), `#import-report: ${report}`);
    assert.match(report, /\b1 duplicate skipped/, `#import-report: ${report}`);
    assert.match(report, /\b2 rows refused/, `#import-report: ${report}`);
    assert.match(report, /notes/, `#import-report should mention the ignored column "notes": ${report}`);
    const items = await page.locator('#import-report li').allTextContents();
    const norm = items.map((t) => t.replace(/\s+/g, ' ').trim());
    // Exactly the refused lines, each "Line L: <the server's message>".
    assert.equal(norm.length, 2, `#import-report li: ${JSON.stringify(norm)}`);
    assert.equal(norm[0], 'Line 5: email is empty');
    assert.equal(norm[1], 'Line 9: email "not-an-email" has no @');
    assert.equal(await page.getAttribute('#import-report', 'role'), 'status');

    // The table and the counts refresh after the import.
    await waitUntil(page, 'the imported rows in the table',
      () => document.querySelectorAll('#prospects tbody tr.prospect').length === 50, undefined, { server });
    await waitUntil(page, '#empty to go away', () => !window.__bt.shown('#empty'), undefined, { server });
    assert.equal(await textOf(page, '#page-info'), `1–50 of ${GOOD}`);
    await waitUntil(page, `the "None" filter to count ${GOOD}`,
      (n) => new RegExp(`\\b${n}\\b`).test(window.__bt.text('button[data-filter="none"]') || ''), GOOD, { server });
    await screenshot(page, '02-import-report');

    // Nothing drafted yet: the Drafted filter's empty state says to start drafting.
    await page.locator('#status-filter button[data-filter="drafted"]').click();
    await waitVisible(page, page.locator('#empty'), '#empty for the Drafted filter before any job', { server });
    assert.match(await textOf(page, '#empty'), /start drafting/i, 'the empty Drafted filter says to start drafting');
    await page.locator('#status-filter button[data-filter="all"]').click();
    await waitUntil(page, 'all rows back', () =>
      document.querySelectorAll('#prospects tbody tr.prospect').length === 50 && !window.__bt.shown('#empty'),
    undefined, { server });

    // The panel must keep its height while progress updates: record it on every change of
    // the count while the job runs.
    await page.evaluate(() => {
      window.__heights = [];
      const note = () => {
        const s = window.__bt.panel();
        if (s.rawStatus === 'running' && s.count) window.__heights.push(s.height);
      };
      new MutationObserver(note).observe(document.querySelector('#job-panel'),
        { subtree: true, childList: true, characterData: true, attributes: true });
    });

    const start = page.getByRole('button', { name: 'Start Drafting', exact: true });
    await start.click();

    await waitVisible(page, page.locator('#job-progress'), '#job-progress after Start Drafting', { server });
    assert.equal(await page.getAttribute('#job-progress', 'role'), 'progressbar');
    assert.equal(await page.getAttribute('#job-progress', 'aria-valuemin'), '0');
    assert.equal(await page.getAttribute('#job-progress', 'aria-valuemax'), '100');

    // An intermediate state, all read at one instant: some drafts made, not all; running;
    // the percentage consistent with the count; Start disabled and Cancel usable meanwhile.
    const mid = await waitUntil(page, 'an intermediate progress state (0 < drafts_created < total, Running)', (total) => {
      const s = window.__bt.panel();
      if (!s.count || s.count.total !== total) return false;
      if (!(s.count.done > 0 && s.count.done < total)) return false;
      if (s.status !== 'Running' || s.rawStatus !== 'running') return false;
      return s;
    }, GOOD, { server });
    await screenshot(page, '03-drafting-in-progress');
    const pct = Math.floor((mid.count.done * 100) / GOOD);
    assert.ok(Number(mid.valuenow) >= pct - 1 && Number(mid.valuenow) <= pct + 1,
      `aria-valuenow ${mid.valuenow} for ${mid.countText}`);
    assert.match(mid.percent, /^\d{1,3}%$/, `#job-percent: ${mid.percent}`);
    assert.equal(mid.startDisabled, true, 'Start Drafting is disabled while the job runs');
    assert.equal(mid.cancelUsable, true, 'Cancel drafting is visible and enabled while the job runs');
    assert.ok(mid.jobId, '#job-panel has data-job-id');

    // The table refreshes while drafts arrive (the first page is drafted first), before the end.
    await waitUntil(page, 'drafted rows in the table while the job is still running', () => {
      const s = window.__bt.panel();
      return s.rawStatus === 'running' &&
        document.querySelector('#prospects tbody tr.prospect[data-status="drafted"]') !== null;
    }, undefined, { server });

    // The end: 100 %, Completed, every count right.
    const end = await waitUntil(page, 'the job to complete', () => {
      const s = window.__bt.panel();
      return s.status === 'Completed' ? s : false;
    }, undefined, { server, timeout: 60000 });
    const job = await server.apiOk('GET', `/api/pipeline/draft/jobs/${end.jobId}`);
    assert.equal(job.status, 'completed');
    assert.equal(end.rawStatus, 'completed');
    assert.equal(end.jobId, mid.jobId, 'the same job is shown from start to end');
    assert.equal(end.countText, `${GOOD} / ${GOOD} drafts`);
    assert.equal(end.percent, '100%');
    assert.equal(end.valuenow, '100');
    assert.equal(end.failed, '0 failed');
    assert.equal(end.startDisabled, false, 'Start Drafting is enabled again');
    assert.notEqual(end.cancelUsable, true, 'Cancel drafting is hidden or disabled after the end');

    // The table shows the drafts (subjects) without a reload.
    await waitUntil(page, 'every row of the first page drafted with its subject', () => {
      const rows = [...document.querySelectorAll('#prospects tbody tr.prospect')];
      return rows.length === 50 && rows.every((r) => r.dataset.status === 'drafted' &&
        !/^—?$/.test(r.querySelector('.subject').textContent.trim()));
    }, undefined, { server });
    const shown = await page.$$eval('#prospects tbody tr.prospect', (rows) => rows.map((r) => ({
      email: r.querySelector('.email').textContent.trim(),
      subject: r.querySelector('.subject').textContent.replace(/\s+/g, ' ').trim(),
      status: r.querySelector('.status').textContent.trim(),
    })));
    for (const r of shown) {
      assert.ok(companyOf.has(r.email), `row email ${r.email} is one of the imported ones`);
      assert.equal(r.subject, `A quick idea for ${companyOf.get(r.email)}`, `subject of ${r.email}`);
      assert.equal(r.status, 'Drafted', `status badge of ${r.email}`);
    }
    await waitUntil(page, `the "Drafted" filter to count ${GOOD}`,
      (n) => new RegExp(`\\b${n}\\b`).test(window.__bt.text('button[data-filter="drafted"]') || ''), GOOD, { server });
    await screenshot(page, '04-drafting-completed');

    assert.equal(await page.evaluate(() => window.__noReload), 1, 'the page was never reloaded');
    const heights = await page.evaluate(() => window.__heights);
    assert.ok(heights.length >= 2, `progress updates observed while running: ${heights.length}`);
    assert.equal(new Set(heights).size, 1,
      `#job-panel height while progress updated: ${[...new Set(heights)].join(', ')} px (layout jump)`);
    assertPageClean(page);
  });

  test('edit a draft subject inline, approve, reload: both stick', async () => {
    const { server, page } = fx;
    const first = await server.apiOk('GET', '/api/prospects?limit=1');
    const p = first.items[0];
    assert.equal(p.draft_status, 'drafted', 'precondition: the previous test drafted every prospect');

    const row = page.locator(`#prospects tbody tr.prospect[data-id="${p.id}"]`);
    const open = page.getByRole('button', { name: `Open draft for ${p.email}`, exact: true });
    await open.click();
    const detail = page.locator(`#prospects tr.detail[data-id="${p.id}"]`);
    await waitVisible(page, detail, 'the expanded draft row', { server });
    assert.equal(await row.locator('.expand').getAttribute('aria-expanded'), 'true');
    assert.ok(await page.getByRole('button', { name: `Close draft for ${p.email}`, exact: true }).isVisible(),
      'the expand button is renamed "Close draft for EMAIL"');
    // The detail row comes right after its row.
    assert.equal(await page.evaluate((id) =>
      document.querySelector(`tr.prospect[data-id="${id}"]`).nextElementSibling ===
      document.querySelector(`tr.detail[data-id="${id}"]`), p.id), true, 'tr.detail follows its row');

    const subject = detail.getByLabel('Subject', { exact: true });
    const body = detail.getByLabel('Body', { exact: true });
    assert.equal(await subject.inputValue(), p.draft_subject);
    assert.equal(await body.inputValue(), p.draft_body);
    await screenshot(page, '05-draft-editor');

    const edited = `Edited: a better idea for ${p.company} ✓`;
    await subject.fill(edited);
    await detail.getByRole('button', { name: 'Save', exact: true }).click();
    await waitUntil(page, 'the row subject to show the edit', ({ id, edited }) =>
      window.__bt.text(`tr.prospect[data-id="${id}"] .subject`) === edited, { id: p.id, edited }, { server });

    await page.locator(`#prospects tr.detail[data-id="${p.id}"]`)
      .getByRole('button', { name: 'Approve', exact: true }).click();
    await waitUntil(page, 'the row to be Approved in place', (id) => {
      const r = document.querySelector(`tr.prospect[data-id="${id}"]`);
      return r && r.dataset.status === 'approved' && r.querySelector('.status').textContent.trim() === 'Approved';
    }, p.id, { server });
    assert.equal(await page.evaluate(() => window.__noReload), 1, 'saving and approving did not reload');
    assertPageClean(page);

    // The server has it, and so does the page after a reload.
    const saved = await server.apiOk('GET', `/api/prospects/${p.id}`);
    assert.equal(saved.draft_subject, edited);
    assert.equal(saved.draft_status, 'approved');
    assert.equal(saved.draft_body, p.draft_body);

    await page.reload();
    await waitUntil(page, 'the approved, edited row after the reload', ({ id, edited }) => {
      const r = document.querySelector(`tr.prospect[data-id="${id}"]`);
      return r && r.dataset.status === 'approved' &&
        r.querySelector('.status').textContent.trim() === 'Approved' &&
        r.querySelector('.subject').textContent.replace(/\s+/g, ' ').trim() === edited;
    }, { id: p.id, edited }, { server });
    await waitUntil(page, 'the "Approved" filter to count 1',
      () => /\b1\b/.test(window.__bt.text('button[data-filter="approved"]') || ''), undefined, { server });
    await page.getByRole('button', { name: `Open draft for ${p.email}`, exact: true }).click();
    const detail2 = page.locator(`#prospects tr.detail[data-id="${p.id}"]`);
    await waitVisible(page, detail2, 'the expanded row after the reload', { server });
    assert.equal(await detail2.getByLabel('Subject', { exact: true }).inputValue(), edited);
    assertPageClean(page);
  });
});
