// Issue 4, item 6: labels and keyboard use for every control. Every visible control has an
// accessible name (in the main view, with a review row open, and in the template dialog),
// and the main flows work from the keyboard alone: Import CSV opens the file picker,
// Start Drafting starts a job, Open moves focus into the review form and Escape gives it
// back, the template dialog opens, takes focus and closes on Escape.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sharedDraftd, assertPageClean, waitUntil, makeProspects, csvText, CSV_FIELDS,
} from './harness.mjs';

const N = 30;

/**
 * The visible controls of `root` that have no accessible name: a button or link without
 * text or aria-label, a form field without a <label>, aria-label or aria-labelledby.
 * (Runs in the page.)
 */
function unnamedControls(rootSelector) {
  const root = document.querySelector(rootSelector) || document;
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const labelled = (el) => {
    if ((el.getAttribute('aria-label') || '').trim()) return true;
    const by = el.getAttribute('aria-labelledby');
    if (by && by.split(/\s+/).some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
    return false;
  };
  const bad = [];
  for (const el of root.querySelectorAll('button, a[href], input, select, textarea, summary')) {
    const isFile = el.matches('input[type=file]');   // visually hidden; its <label> is the control
    if (!isFile && !visible(el)) continue;
    let ok = labelled(el);
    if (!ok && el.matches('button, a[href], summary')) ok = el.textContent.trim() !== '';
    if (!ok && el.labels) ok = [...el.labels].some((l) => l.textContent.trim() !== '');
    if (!ok) bad.push(el.outerHTML.slice(0, 120));
  }
  return bad;
}

/** Presses Tab until `predicate(document.activeElement)` holds (at most `max` times). */
async function tabTo(page, what, predicate, arg, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(predicate, arg)) return;
  }
  throw new Error(`Tab never reached ${what} in ${max} presses`);
}

describe('keyboard and labels', () => {
  const fx = sharedDraftd({
    delayMs: 20,
    page: true,
    prepare: async (server) => {
      await server.apiOk('POST', '/api/prospects', makeProspects(3, 'lbl'), 201);
    },
  });

  test('every visible control has an accessible name', async () => {
    const { server, page } = fx;
    await page.goto(server.url + '/');
    await waitUntil(page, 'rows', () => document.querySelectorAll('#prospects tbody tr.prospect').length === 3,
      undefined, { server });
    assert.deepEqual(await page.evaluate(unnamedControls, 'body'), [], 'main view');

    await page.locator('#prospects tbody tr.prospect .expand').first().click();
    await waitUntil(page, 'the review row', () => !!document.querySelector('#prospects tr.detail'),
      undefined, { server });
    assert.deepEqual(await page.evaluate(unnamedControls, '#prospects'), [], 'review row');

    await page.getByRole('button', { name: 'Edit template', exact: true }).click();
    await waitUntil(page, 'the dialog', () => document.querySelector('#template-dialog').open,
      undefined, { server });
    assert.deepEqual(await page.evaluate(unnamedControls, '#template-dialog'), [], 'template dialog');
    await page.keyboard.press('Escape');
    await waitUntil(page, 'the dialog to close', () => !document.querySelector('#template-dialog').open,
      undefined, { server });
    assertPageClean(page);
  });

  test('import, start drafting, review and the template dialog from the keyboard alone', async () => {
    const { server, page } = fx;
    await page.goto(server.url + '/');
    await waitUntil(page, 'the page loaded', () =>
      document.querySelectorAll('#prospects tbody tr.prospect').length >= 3, undefined, { server });

    // Import CSV: Tab reaches the file input (its styled label is what shows the focus) and
    // Space opens the file picker.
    await tabTo(page, 'the Import CSV file input', () => document.activeElement?.id === 'import-file');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
    const ps = makeProspects(N, 'kbd');
    await chooser.setFiles({
      name: 'keyboard.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csvText(CSV_FIELDS, ps.map((p) => CSV_FIELDS.map((f) => p[f])))),
    });
    await waitUntil(page, `the import report saying Imported ${N}`, (n) => {
      const r = document.querySelector('#import-report');
      return r && !r.hidden && r.textContent.includes(`Imported ${n}`);
    }, N, { server });

    // Start Drafting with Enter.
    await page.evaluate(() => document.activeElement.blur());
    await tabTo(page, 'Start Drafting', () => document.activeElement?.id === 'start-drafting');
    await page.keyboard.press('Enter');
    const jobs = await waitUntil(page, 'a job on the panel', () =>
      document.querySelector('#job-panel').dataset.jobId || false, undefined, { server });
    assert.match(jobs, /^\d+$/);
    await server.waitJob(Number(jobs), ['completed']);
    await waitUntil(page, 'the panel to say Completed', () =>
      /Completed/.test(document.querySelector('#job-status').textContent), undefined, { server });

    // Open a row's review with Enter: focus moves into the form; Escape closes it and
    // gives focus back to the row's button.
    await tabTo(page, 'a row\'s Open button', () =>
      document.activeElement?.matches('#prospects tr.prospect .expand'));
    const rowId = await page.evaluate(() => document.activeElement.closest('tr.prospect').dataset.id);
    await page.keyboard.press('Enter');
    await waitUntil(page, 'focus inside the review form', (id) => {
      const d = document.querySelector(`#prospects tr.detail[data-id="${id}"]`);
      return !!d && d.contains(document.activeElement);
    }, rowId, { server });
    await page.keyboard.press('Escape');
    await waitUntil(page, 'the review row closed and focus back on its button', (id) =>
      !document.querySelector(`#prospects tr.detail[data-id="${id}"]`) &&
      document.activeElement?.closest('tr.prospect')?.dataset.id === id, rowId, { server });

    // The template dialog: Enter opens it with focus inside, Escape closes it and focus
    // returns to Edit template.
    await page.evaluate(() => document.activeElement.blur());
    await tabTo(page, 'Edit template', () => document.activeElement?.id === 'open-template');
    await page.keyboard.press('Enter');
    await waitUntil(page, 'the dialog open with focus inside', () => {
      const d = document.querySelector('#template-dialog');
      return d.open && d.contains(document.activeElement);
    }, undefined, { server });
    await page.keyboard.press('Escape');
    await waitUntil(page, 'the dialog closed, focus on Edit template', () =>
      !document.querySelector('#template-dialog').open &&
      document.activeElement?.id === 'open-template', undefined, { server });
    assertPageClean(page);
  });
});
