// Issue 4, item 7 (and the Drafting panel of the page contract): a reload in the middle of
// a job finds it again and keeps showing its progress; Cancel drafting; a 409 when a job is
// already running shows "Already drafting — job N" and that job's progress.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sharedDraftd, assertPageClean, waitUntil, screenshot,
  makeProspects, csvText, CSV_FIELDS,
} from './harness.mjs';

const N = 300;
const DELAY_MS = 30;   // a job over all of them takes >= 9 s

describe('drafting jobs across reloads, cancel, and 409', () => {
  const fx = sharedDraftd({
    delayMs: DELAY_MS,
    page: true,
    prepare: async (server) => {
      const ps = makeProspects(N, 'job');
      const rep = await server.importCsv(csvText(CSV_FIELDS, ps.map((p) => CSV_FIELDS.map((f) => p[f]))));
      assert.equal(rep.imported, N, `import: ${JSON.stringify(rep)}`);
    },
  });

  test('a reload mid-job resumes the progress view; Cancel drafting stops it', async () => {
    const { server, page } = fx;
    await page.goto(server.url + '/');
    await waitUntil(page, 'rows and "No drafting run yet"', () =>
      document.querySelectorAll('#prospects tbody tr.prospect').length > 0 &&
      /No drafting run yet/.test(window.__bt.text('#job-panel') || ''), undefined, { server });

    await page.getByRole('button', { name: 'Start Drafting', exact: true }).click();
    const before = await waitUntil(page, 'the job running with 0 < drafts_created < total', (total) => {
      const s = window.__bt.panel();
      return s.rawStatus === 'running' && s.status === 'Running' && s.count &&
        s.count.total === total && s.count.done > 0 && s.count.done < total ? s : false;
    }, N, { server });
    const jobId = before.jobId;
    assert.match(jobId || '', /^\d+$/, `#job-panel data-job-id: ${jobId}`);

    await page.evaluate(() => { window.__beforeReload = 1; });
    await page.reload();
    assert.equal(await page.evaluate(() => window.__beforeReload), undefined, 'the page really reloaded');

    // After the reload the page finds the running job by itself…
    const after1 = await waitUntil(page, `job ${jobId} shown as Running after the reload`, (id) => {
      const s = window.__bt.panel();
      return s.jobId === id && s.rawStatus === 'running' && s.status === 'Running' && s.count &&
        s.count.done > 0 ? s : false;
    }, jobId, { server });
    assert.equal(after1.count.total, N);
    assert.equal(after1.startDisabled, true, 'Start Drafting disabled while the found job runs');
    assert.equal(after1.barShown, true, '#job-progress shown after the reload');
    // …and keeps following it: the count goes on increasing.
    const after2 = await waitUntil(page, 'the count to keep increasing after the reload', ({ id, done }) => {
      const s = window.__bt.panel();
      return s.jobId === id && s.count && s.count.done > done ? s : false;
    }, { id: jobId, done: after1.count.done }, { server });
    assert.equal(after2.rawStatus, 'running', `the job was still running when the count moved (${after2.countText}); ` +
      'too fast a job for this test');

    // Cancel.
    const cancel = page.getByRole('button', { name: 'Cancel drafting', exact: true });
    await cancel.click();
    const end = await waitUntil(page, 'the job to show Cancelled', () => {
      const s = window.__bt.panel();
      return s.status === 'Cancelled' ? s : false;
    }, undefined, { server });
    const job = await server.apiOk('GET', `/api/pipeline/draft/jobs/${jobId}`);
    assert.equal(job.status, 'cancelled');
    assert.equal(end.jobId, jobId);
    assert.equal(end.rawStatus, 'cancelled');
    assert.ok(job.drafts_created < N, `the job stopped early (${job.drafts_created} / ${N})`);
    // The final numbers are the job's.
    await waitUntil(page, 'the cancelled job\'s final count', (want) =>
      window.__bt.panel().countText === want, `${job.drafts_created} / ${job.total_targets} drafts`, { server });
    await waitUntil(page, 'Start Drafting enabled again after the cancel',
      () => window.__bt.panel().startDisabled === false, undefined, { server });
    assert.notEqual((await page.evaluate(() => window.__bt.panel())).cancelUsable, true,
      'Cancel drafting hidden or disabled after the cancel');
    assertPageClean(page);
  });

  test('409: a job started elsewhere → "Already drafting — job N" and its progress', async () => {
    const { server, page } = fx;
    await page.goto(server.url + '/');
    // Idle page: the last job is final, so Start Drafting is enabled.
    await waitUntil(page, 'an idle panel with Start Drafting enabled', () => {
      const s = window.__bt.panel();
      return s.startDisabled === false && s.status && !/Pending|Running/.test(s.status);
    }, undefined, { server });

    // Someone else starts a job (redraft, so it has targets whatever the first test left).
    const started = await server.apiOk('POST', '/api/pipeline/draft', { redraft: true }, 202);
    const jobId = String(started.job_id);

    await page.getByRole('button', { name: 'Start Drafting', exact: true }).click();
    await waitUntil(page, '#job-note "Already drafting — job N"', (id) =>
      (window.__bt.text('#job-note') || '').includes(`Already drafting — job ${id}`), jobId, { server });
    const s = await waitUntil(page, `the panel to follow job ${jobId}'s live progress`, (id) => {
      const st = window.__bt.panel();
      return st.jobId === id && st.rawStatus === 'running' && st.status === 'Running' &&
        st.count && st.count.done > 0 ? st : false;
    }, jobId, { server });
    assert.equal(s.count.total, N, 'redraft targets every prospect');
    await screenshot(page, '06-already-drafting-409');
    // Only the API's job exists: the click created none.
    const jobs = await server.apiOk('GET', '/api/jobs?limit=10');
    assert.equal(jobs.total, 2, `jobs: ${JSON.stringify(jobs.items.map((j) => [j.id, j.status]))}`);

    await server.apiOk('POST', `/api/pipeline/draft/jobs/${jobId}/cancel`);
    await waitUntil(page, 'the panel to show the job Cancelled', () =>
      window.__bt.panel().status === 'Cancelled', undefined, { server });
    assertPageClean(page);
  });
});
