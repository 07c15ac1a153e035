// Issue 4, items 2, 6 and 7: data rendered as text, never as HTML (the XSS prospect), the
// export link, pages / status filter / search, and a page readable at 390 px wide.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sharedDraftd, assertPageClean, waitUntil, waitVisible, screenshot, textOf,
  makeProspects,
} from './harness.mjs';

const XSS_FIRST = '<img src=x onerror=alert(1)>';
const XSS_COMPANY = '<script>alert(2)</script>';
const XSS_EMAIL = 'xss@example.com';
const XSS_LAST = 'Tables';
const RENDER_N = 60;   // + the XSS prospect + one without company = 62: two pages of 50

describe('rendering: text not HTML, pages, filter, search, narrow screens', () => {
  let xss;
  const fx = sharedDraftd({
    prepare: async (server) => {
      const created = await server.apiOk('POST', '/api/prospects', [
        { email: XSS_EMAIL, first_name: XSS_FIRST, last_name: XSS_LAST, company: XSS_COMPANY, title: 'CTO' },
        ...makeProspects(RENDER_N, 'ren'),
        // The default template needs {{company}}: this one's draft fails, naming the field.
        { email: 'nocompany@example.com', first_name: 'Nora', last_name: 'Nocompany' },
      ], 201);
      xss = created.items.find((p) => p.email === XSS_EMAIL);
      assert.ok(xss, 'the XSS prospect was created');
      // Draft everything so the subject (which carries the company) is rendered too.
      const job = await server.apiOk('POST', '/api/pipeline/draft', undefined, 202);
      const done = await server.waitJob(job.job_id, ['completed', 'failed', 'cancelled']);
      assert.equal(done.status, 'completed', JSON.stringify(done));
      // One approved prospect, for the status filter.
      await server.apiOk('PATCH', `/api/prospects/${created.items[5].id}`, { draft_status: 'approved' });
    },
  });

  test('the XSS prospect shows as literal text; no element is injected, no dialog fires', async () => {
    const { server, browser } = fx;
    const page = await browser.newPage();
    await page.goto(server.url + '/');
    const row = page.locator(`#prospects tbody tr.prospect[data-id="${xss.id}"]`);
    await waitVisible(page, row, 'the XSS prospect\'s row', { server });
    const cells = await row.evaluate((r) => ({
      name: r.querySelector('.name').textContent.replace(/\s+/g, ' ').trim(),
      company: r.querySelector('.company').textContent.replace(/\s+/g, ' ').trim(),
      subject: r.querySelector('.subject').textContent.replace(/\s+/g, ' ').trim(),
      email: r.querySelector('.email').textContent.trim(),
    }));
    assert.equal(cells.name, `${XSS_FIRST} ${XSS_LAST}`, '.name is first + last as text');
    assert.ok(cells.company.startsWith(XSS_COMPANY), `.company starts with the company as text: ${cells.company}`);
    assert.equal(cells.subject, `A quick idea for ${XSS_COMPANY}`, '.subject as text');
    assert.equal(cells.email, XSS_EMAIL);

    // Nothing was parsed as HTML: no <img src="x">, no <script> in the table.
    assert.equal(await page.locator('#prospects img[src="x"]').count(), 0, 'an <img src=x> was injected');
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'an <img src=x> exists in the page');
    assert.equal(await page.locator('#prospects script').count(), 0, 'a <script> was injected in the table');

    // The expanded draft carries the payload as a value too.
    await page.getByRole('button', { name: `Open draft for ${XSS_EMAIL}`, exact: true }).click();
    const detail = page.locator(`#prospects tr.detail[data-id="${xss.id}"]`);
    await waitVisible(page, detail, 'the XSS prospect\'s draft', { server });
    assert.equal(await detail.getByLabel('Subject', { exact: true }).inputValue(), `A quick idea for ${XSS_COMPANY}`);
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'an <img src=x> appeared on expand');
    await screenshot(page, '08-xss-row-as-text');

    // Search for it: still text.
    await page.getByLabel('Search prospects', { exact: true }).fill('onerror');
    await waitUntil(page, 'the search to leave only the XSS row', (id) => {
      const rows = [...document.querySelectorAll('#prospects tbody tr.prospect')];
      return rows.length === 1 && rows[0].dataset.id === String(id);
    }, xss.id, { server });
    assert.equal(await page.locator('img[src="x"]').count(), 0);

    // Export link: a plain download link to the CSV route, which holds the text as data.
    const link = page.getByRole('link', { name: 'Export CSV', exact: true });
    assert.equal(await link.getAttribute('href'), '/api/prospects/export.csv');
    assert.notEqual(await link.getAttribute('download'), null, 'Export CSV has the download attribute');
    const csv = await page.request.get(server.url + '/api/prospects/export.csv');
    assert.equal(csv.status(), 200);
    assert.ok((await csv.text()).includes(XSS_FIRST), 'the export holds the first name as text');

    // Let any deferred handler (onerror of an injected image) have its chance, by waiting
    // for a full round trip of the page's own event loop and a network fetch.
    await page.evaluate(() => fetch('/api/health').then((r) => r.status));
    assertPageClean(page);   // no dialog (alert(1)/alert(2)), no uncaught error
    await page.close();
  });

  test('pages, rows per page, status filter with counts, search and its empty state', async () => {
    const { server, browser } = fx;
    const total = RENDER_N + 2;
    const page = await browser.newPage();
    await page.goto(server.url + '/');
    const rows = () => page.$$eval('#prospects tbody tr.prospect', (rs) => rs.map((r) => r.dataset.id));
    const info = (want) => waitUntil(page, `#page-info "${want}"`, (w) =>
      window.__bt.text('#page-info') === w, want, { server });

    await info(`1–50 of ${total}`);
    assert.equal((await rows()).length, 50);
    const prev = page.getByRole('button', { name: 'Previous page', exact: true });
    const next = page.getByRole('button', { name: 'Next page', exact: true });
    assert.equal(await prev.isDisabled(), true, 'Previous page disabled on the first page');
    assert.equal(await next.isDisabled(), false);
    const size = page.getByLabel('Rows per page', { exact: true });
    assert.equal(await size.inputValue(), '50');
    assert.deepEqual(await size.locator('option').evaluateAll((os) => os.map((o) => o.value)), ['25', '50', '100']);

    await next.click();
    await info(`51–${total} of ${total}`);
    assert.equal((await rows()).length, total - 50);
    assert.equal(await next.isDisabled(), true, 'Next page disabled on the last page');
    assert.equal(await prev.isDisabled(), false);
    await prev.click();
    await info(`1–50 of ${total}`);
    await size.selectOption('25');
    await info(`1–25 of ${total}`);
    assert.equal((await rows()).length, 25);
    await next.click();
    await info(`26–50 of ${total}`);
    await prev.click();
    await info(`1–25 of ${total}`);

    // Filter chips: label + count, aria-pressed on the active one, rows of that status only.
    const chip = (f) => page.locator(`#status-filter button[data-filter="${f}"]`);
    assert.equal(await page.getAttribute('#status-filter', 'role'), 'group');
    assert.equal(await page.getAttribute('#status-filter', 'aria-label'), 'Filter by draft status');
    await waitUntil(page, 'the chips to show their counts', (n) => {
      const t = (f) => window.__bt.text(`#status-filter button[data-filter="${f}"]`) || '';
      return new RegExp(`^All\\s*${n + 2}$`).test(t('all')) && new RegExp(`^Drafted\\s*${n}$`).test(t('drafted')) &&
        /^Approved\s*1$/.test(t('approved')) && /^Failed\s*1$/.test(t('failed')) && /^None\s*0$/.test(t('none'));
    }, total - 2, { server });
    assert.equal(await chip('all').getAttribute('aria-pressed'), 'true');
    await chip('approved').click();
    await waitUntil(page, 'only the approved row', () => {
      const rs = [...document.querySelectorAll('#prospects tbody tr.prospect')];
      return rs.length === 1 && rs[0].dataset.status === 'approved';
    }, undefined, { server });
    assert.equal(await chip('approved').getAttribute('aria-pressed'), 'true');
    assert.equal(await chip('all').getAttribute('aria-pressed'), 'false');
    await info('1–1 of 1');

    // The failed one: its badge, and its draft_error in the expanded row; the job counts it.
    await chip('failed').click();
    await waitUntil(page, 'only the failed row', () => {
      const rs = [...document.querySelectorAll('#prospects tbody tr.prospect')];
      return rs.length === 1 && rs[0].dataset.status === 'failed' &&
        rs[0].querySelector('.status').textContent.trim() === 'Failed';
    }, undefined, { server });
    const failed = (await server.apiOk('GET', '/api/prospects?draft_status=failed')).items[0];
    assert.match(failed.draft_error || '', /company/, `the server's draft_error: ${failed.draft_error}`);
    await page.getByRole('button', { name: `Open draft for ${failed.email}`, exact: true }).click();
    const detail = page.locator(`#prospects tr.detail[data-id="${failed.id}"]`);
    await waitVisible(page, detail, 'the failed prospect\'s expanded row', { server });
    assert.ok((await detail.textContent()).includes(failed.draft_error), 'the expanded row shows draft_error');
    assert.equal(await textOf(page, '#job-failed'), '1 failed');

    await chip('all').click();
    await info(`1–25 of ${total}`);

    // Search (debounced): by email, then nothing → "No prospects match", not an error.
    const search = page.getByLabel('Search prospects', { exact: true });
    assert.equal(await search.getAttribute('type'), 'search');
    await search.fill('ren42@');
    await waitUntil(page, 'the search to leave ren42 only', () => {
      const rs = [...document.querySelectorAll('#prospects tbody tr.prospect .email')];
      return rs.length === 1 && rs[0].textContent.trim() === 'ren42@example.com';
    }, undefined, { server });
    await search.fill('zzz-nobody');
    await waitVisible(page, page.locator('#empty'), '#empty for a search without match', { server });
    assert.match(await textOf(page, '#empty'), /No prospects match/);
    assert.equal(await page.locator('#prospects tbody tr.prospect').count(), 0);
    assert.equal(await page.locator('#alerts [role="alert"]').count(), 0, 'no alert: nothing failed');
    assertPageClean(page);
    await page.close();
  });

  test('readable at 390 px: no horizontal scroll, rows visible', async () => {
    const { server, browser } = fx;
    const page = await browser.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(server.url + '/');
    await waitUntil(page, 'rows at 390 px', () =>
      document.querySelectorAll('#prospects tbody tr.prospect').length > 0, undefined, { server });
    await waitUntil(page, 'the last job shown as Completed', () =>
      window.__bt.panel().status === 'Completed', undefined, { server });

    const m = await page.evaluate(() => ({
      doc: document.documentElement.scrollWidth,
      body: document.body.scrollWidth,
      inner: window.innerWidth,
    }));
    assert.equal(m.inner, 390);
    assert.ok(m.doc <= 390, `document scrollWidth ${m.doc} > 390: the page scrolls sideways`);
    assert.ok(m.body <= 390, `body scrollWidth ${m.body} > 390`);

    // The first row, its name and status are on screen, inside the 390 px.
    const row = page.locator('#prospects tbody tr.prospect').first();
    assert.ok(await row.isVisible(), 'the first row is visible');
    for (const cell of ['.name', '.status']) {
      const box = await row.locator(cell).boundingBox();
      assert.ok(box && box.width > 0 && box.height > 0, `${cell} of the first row has a size`);
      assert.ok(box.x >= 0 && box.x + box.width <= 390 + 0.5,
        `${cell} of the first row lies within the 390 px (x=${box.x}, width=${box.width})`);
    }
    const start = page.getByRole('button', { name: 'Start Drafting', exact: true });
    const sb = await start.boundingBox();
    assert.ok(sb && sb.x >= 0 && sb.x + sb.width <= 390.5, `Start Drafting within the 390 px: ${JSON.stringify(sb)}`);
    await screenshot(page, '09-narrow-390px', { fullPage: true });
    assertPageClean(page);
    await page.close();
  });
});
