// The drafting card: Start Drafting, live progress of the job, Cancel, 409 "already
// drafting", and on load the job that is running (or the last one's final state).
//
// Progress is the share of targets the job has dealt with (drafted + failed) out of
// total_targets, so a job with some failed prospects still ends at 100 %.
import {api, withQuery} from './api.js';
import {showAlert} from './alerts.js';
import {$, setText, fmt, plural, time} from './dom.js';

const LABEL = {pending: 'Pending', running: 'Running', completed: 'Completed', failed: 'Failed', cancelled: 'Cancelled'};
const isActive = (j) => j && (j.status === 'pending' || j.status === 'running');

const POLL_MS = 500;        // progress poll while a job is active
const REFRESH_MS = 1000;    // at most one table + counts refresh per second while drafts arrive

let job = null;             // the job the card shows
let pollTimer = 0;
let pollFailures = 0;
let note409 = '';           // "Already drafting — job N", kept while that job is shown
let cancelling = false;
let refreshTable = () => {};
let lastRefresh = 0;
let refreshTimer = 0;

const panel = $('job-panel');
const startBtn = $('start-drafting');
const cancelBtn = $('cancel-drafting');

/** refresh: reloads the table and counts. Resolves once the card shows the state on load. */
export async function initJob({refresh}) {
  refreshTable = refresh;
  startBtn.addEventListener('click', start);
  cancelBtn.addEventListener('click', cancel);
  document.addEventListener('draftd:counts', (e) => showHint(e.detail));
  await resume();
}

// ---- finding the job on load ---------------------------------------------------------

async function newest(status) {
  const page = await api('GET', withQuery('/api/jobs', {job_type: 'draft', status, limit: 1}));
  return page.items[0] || null;
}

async function resume() {
  try {
    const found = (await newest('running')) || (await newest('pending')) || (await newest(''));
    if (found) follow(found);
    else render(null);
  } catch (err) {
    render(null);
    showNote(`The drafting jobs could not be read: ${err.message}`, true);
    showAlert('Could not load the drafting jobs', err);
  }
}

// ---- actions -------------------------------------------------------------------------

async function start() {
  const hadFocus = document.activeElement === startBtn;
  startBtn.disabled = true;
  note409 = '';
  try {
    const answer = await api('POST', '/api/pipeline/draft');
    follow({id: answer.job_id, status: answer.status || 'pending', drafts_created: 0, drafts_failed: 0, total_targets: null});
  } catch (err) {
    const other = err.details && err.details.job_id;
    if (err.status === 409 && other) {
      // Someone (another tab, the command line) is drafting already: show that job instead.
      note409 = `Already drafting — job ${other}`;
      follow({id: other, status: 'pending', drafts_created: 0, drafts_failed: 0, total_targets: null});
    } else {
      startBtn.disabled = isActive(job);
      showAlert('Could not start drafting', err);
      // Also next to the button: on a phone the alert may be out of sight.
      if (!isActive(job)) showNote(`Drafting did not start: ${err.message}`, true);
      if (hadFocus) startBtn.focus();
      return;
    }
  }
  // The Start button is disabled now: hand the keyboard focus to Cancel.
  if (hadFocus && !cancelBtn.hidden) cancelBtn.focus({preventScroll: true});
}

async function cancel() {
  if (!isActive(job) || cancelling) return;
  cancelling = true;
  render(job);
  try {
    const answer = await api('POST', `/api/pipeline/draft/jobs/${job.id}/cancel`);
    if (job && answer.id === job.id) render(answer);
  } catch (err) {
    cancelling = false;
    showAlert('Could not cancel drafting', err);
  }
  poll();
}

// ---- polling -------------------------------------------------------------------------

/** Shows a job and polls it until it ends. */
function follow(j) {
  if (!job || job.id !== j.id) cancelling = false;
  job = j;
  render(j);
  pollFailures = 0;
  if (isActive(j)) poll();
}

async function poll() {
  clearTimeout(pollTimer);
  if (!job) return;
  const id = job.id;
  try {
    const j = await api('GET', `/api/pipeline/draft/jobs/${id}`);
    if (!job || job.id !== id) return;          // another job took the card meanwhile
    pollFailures = 0;
    update(j);
  } catch (err) {
    if (!job || job.id !== id) return;
    pollFailures++;
    showAlert('Could not read the drafting progress', err);   // repeats are counted, not stacked
    if (err.status === 404) {                     // the job is gone: stop asking
      job = {...job, status: 'failed', error: err.message};
      render(job);
      return;
    }
  }
  // Back off while the server does not answer, but keep trying: it may come back.
  if (isActive(job)) pollTimer = setTimeout(poll, pollFailures ? Math.min(8000, POLL_MS * 2 ** pollFailures) : POLL_MS);
}

/** A polled job: render it, refresh the table as drafts arrive, and once more at the end. */
function update(j) {
  const before = job;
  job = j;
  render(j);
  const moved = j.drafts_created !== before.drafts_created || j.drafts_failed !== before.drafts_failed;
  if (isActive(before) && !isActive(j)) {
    clearTimeout(refreshTimer);
    refreshTimer = 0;
    refreshNow();
  } else if (moved) {
    const wait = lastRefresh + REFRESH_MS - Date.now();
    if (wait <= 0) refreshNow();
    else if (!refreshTimer) refreshTimer = setTimeout(refreshNow, wait);
  }
}

function refreshNow() {
  refreshTimer = 0;
  lastRefresh = Date.now();
  refreshTable();
}

// ---- rendering -----------------------------------------------------------------------

function percentOf(j) {
  const total = j.total_targets;
  if (total === null || total === undefined) return 0;
  if (total === 0) return j.status === 'completed' ? 100 : 0;
  // Floor, so 100 % means every target was dealt with.
  return Math.min(100, Math.floor((100 * (j.drafts_created + j.drafts_failed)) / total));
}

function render(j) {
  panel.classList.toggle('no-job', !j);
  const bar = $('job-progress');
  if (!j) {
    delete panel.dataset.jobId;
    delete panel.dataset.status;
    setText($('job-status'), '');
    setText($('job-meta'), '');
    showNote('No drafting run yet');
    $('job-error').hidden = true;
    bar.setAttribute('aria-valuenow', '0');
    bar.firstElementChild.style.width = '0%';
    startBtn.disabled = false;
    cancelBtn.hidden = true;
    return;
  }

  const active = isActive(j);
  const pct = percentOf(j);
  const known = j.total_targets !== null && j.total_targets !== undefined;
  panel.dataset.jobId = String(j.id);
  panel.dataset.status = j.status;

  const status = $('job-status');
  setText(status, LABEL[j.status] || j.status);
  status.className = `job-status status-${j.status}`;

  bar.setAttribute('aria-valuenow', String(pct));
  bar.setAttribute('aria-valuetext', known ? `${pct}%, ${j.drafts_created} of ${j.total_targets} drafts` : 'waiting to start');
  bar.classList.toggle('indeterminate', active && !known);
  bar.classList.toggle('done', j.status === 'completed');
  bar.firstElementChild.style.width = `${pct}%`;

  setText($('job-count'), `${fmt(j.drafts_created)} / ${known ? fmt(j.total_targets) : '…'} drafts`);
  setText($('job-percent'), `${pct}%`);
  setText($('job-failed'), `${fmt(j.drafts_failed)} failed`);
  $('job-failed').classList.toggle('has-failed', j.drafts_failed > 0);
  setText($('job-meta'), meta(j));

  // A 409's note stays while its job is shown (until the next Start), then gets the outcome.
  const outcome = noteFor(j, known);
  showNote(note409 ? (active ? note409 : `${note409}. ${outcome}`) : outcome);
  const error = $('job-error');
  if (j.status === 'failed') {
    setText(error, `Drafting failed: ${j.error || 'the job ended without a message'}`);
    error.hidden = false;
  } else {
    error.hidden = true;
  }

  startBtn.disabled = active;
  const cancelHadFocus = document.activeElement === cancelBtn;
  cancelBtn.hidden = !active;
  // Cancel is never disabled while shown (that would drop the keyboard focus); a second
  // click while cancelling is ignored, and the note says the job is stopping.
  // Cancel disappears when the job ends; keep the keyboard focus on the card.
  if (!active && cancelHadFocus) startBtn.focus({preventScroll: true});
  if (!active) cancelling = false;
}

function showNote(text, isError = false) {
  const note = $('job-note');
  setText(note, text);
  note.classList.toggle('is-error', isError);
}

function noteFor(j, known) {
  const failed = j.drafts_failed > 0
    ? `${plural(j.drafts_failed, 'prospect', 'prospects')} could not be drafted: see the Failed filter.` : '';
  switch (j.status) {
    case 'pending': return 'Waiting for a drafting worker…';
    case 'running': return cancelling ? 'Stopping after the current batch…' : 'Drafts appear in the table as they are written.';
    case 'completed':
      if (known && j.total_targets === 0) return 'Nothing to draft: every prospect already has a draft or a decision.';
      return failed || 'All drafts written.';
    case 'cancelled': return `Cancelled. ${failed}`.trim();
    default: return failed;   // failed: the job's error is shown below
  }
}

function meta(j) {
  const parts = [`Job ${j.id}`];
  if (j.started_at) parts.push(`started ${time(j.started_at)}`);
  if (j.finished_at) {
    parts.push(`ended ${time(j.finished_at)}`);
    const secs = (Date.parse(j.finished_at) - Date.parse(j.started_at || j.created_at)) / 1000;
    if (Number.isFinite(secs) && secs >= 0) parts.push(secs < 60 ? `${secs.toFixed(1)} s` : `${Math.round(secs / 60)} min`);
  }
  return parts.join(' · ');
}

/** "12 prospects to draft" under the card's title, from the counts. */
function showHint(counts) {
  const n = (counts.none || 0) + (counts.failed || 0);
  let text;
  if (!counts.total) text = 'Import prospects first, then draft them here.';
  else if (n === 0) text = 'Every prospect has a draft.';
  else text = `${plural(n, 'prospect has', 'prospects have')} no draft yet.`;
  setText($('job-hint'), text);
}
