// The prospects table: server-side pages (skip/limit), status filter with counts, search,
// and the review row (edit subject/body, approve, reject).
//
// Rendering: a new page is built in a DocumentFragment and swapped in at once; a refresh
// of the same page (while a job drafts) updates the rows in place, keyed by id, so an open
// review form keeps its text and its focus. The previous page stays on screen while the
// next one loads, and a failed load never turns into the empty state.
import {api, withQuery} from './api.js';
import {showAlert} from './alerts.js';
import {$, el, setText, fmt, debounce, time} from './dom.js';

const STATUS_LABEL = {none: 'None', drafted: 'Drafted', approved: 'Approved', rejected: 'Rejected', failed: 'Failed'};

const state = {filter: 'all', q: '', skip: 0, limit: 50, total: 0};
const items = new Map();        // id → prospect, for the rows on screen
const open = new Set();         // ids whose review row is open
let listController = null;      // aborts a list request that a newer one replaced
let countsSeq = 0;              // ignores counts answers that arrive out of order

const table = $('prospects');
const tbody = table.tBodies[0];

// ---- loading -------------------------------------------------------------------------

/** Loads the current page (filter, search, skip, limit). Resolves when done, never rejects. */
export async function loadPage() {
  if (listController) listController.abort();
  const controller = new AbortController();
  listController = controller;
  // Dim the old rows only if the answer is slow, so fast answers do not flicker.
  const slow = setTimeout(() => table.parentElement.classList.add('is-loading'), 250);
  table.setAttribute('aria-busy', 'true');
  try {
    const query = {skip: state.skip, limit: state.limit, q: state.q,
      draft_status: state.filter === 'all' ? '' : state.filter};
    const data = await api('GET', withQuery('/api/prospects', query), undefined, {signal: controller.signal});
    if (controller !== listController) return;
    if (data.items.length === 0 && data.total > 0 && state.skip > 0) {
      // The page is past the end (rows were filtered away meanwhile): show the last page.
      state.skip = Math.floor((data.total - 1) / state.limit) * state.limit;
      listController = null;
      return loadPage();
    }
    state.total = data.total;
    render(data.items);
    $('table-error').hidden = true;
    renderEmpty(data.items.length === 0);
    renderPager();
  } catch (err) {
    if (err.name === 'AbortError' || controller !== listController) return;
    showTableError(err);
  } finally {
    if (controller === listController) {
      clearTimeout(slow);
      table.parentElement.classList.remove('is-loading');
      table.removeAttribute('aria-busy');
    } else {
      clearTimeout(slow);
    }
  }
}

function showTableError(err) {
  // The rows of the last good load stay; #empty never stands in for an error.
  $('empty').hidden = true;
  const box = $('table-error');
  box.querySelector('.table-error-text').textContent = `Could not load prospects: ${err.message}`;
  box.hidden = false;
  showAlert('Could not load prospects', err);
}

/** Loads the per-status counts shown on the filter chips. */
export async function loadCounts() {
  const seq = ++countsSeq;
  try {
    const counts = await api('GET', '/api/prospects/counts');
    if (seq !== countsSeq) return;
    for (const chip of document.querySelectorAll('#status-filter [data-filter]')) {
      const key = chip.dataset.filter === 'all' ? 'total' : chip.dataset.filter;
      const n = counts[key] ?? 0;
      setText(chip.querySelector('.chip-count'), fmt(n));
      chip.classList.toggle('has-items', n > 0);
    }
    document.dispatchEvent(new CustomEvent('draftd:counts', {detail: counts}));
  } catch (err) {
    showAlert('Could not load the counts', err);
  }
}

/** Table and counts together (after an import, while a job drafts, when it ends). */
export function refresh() {
  return Promise.all([loadPage(), loadCounts()]);
}

// ---- rows ----------------------------------------------------------------------------

function fullName(p) {
  return [p.first_name, p.last_name].filter(Boolean).join(' ');
}

function buildRow(p) {
  const expand = el('button', {type: 'button', class: 'button small expand', 'aria-expanded': 'false'});
  const row = el('tr', {class: 'prospect'},
    el('td', {class: 'name'}),
    el('td', {class: 'email'}),
    el('td', {class: 'company'}, el('div', {class: 'company-name'}), el('div', {class: 'title'})),
    el('td', {class: 'status'}, el('span', {class: 'badge'})),
    el('td', {class: 'subject'}),
    el('td', {class: 'actions'}, expand));
  fillRow(row, p);
  return row;
}

/** Writes a prospect into its row; only changed text is touched. */
function fillRow(row, p) {
  items.set(p.id, p);
  row.dataset.id = String(p.id);
  row.dataset.status = p.draft_status;
  const [name, email, company, status, subject] = row.cells;
  setText(name, fullName(p) || '—');
  setText(email, p.email);
  setText(company.firstElementChild, p.company || '—');
  setText(company.lastElementChild, p.title || '');
  const badge = status.firstElementChild;
  badge.className = `badge badge-${p.draft_status}`;
  setText(badge, STATUS_LABEL[p.draft_status] || p.draft_status);
  if (p.draft_error) badge.title = p.draft_error; else badge.removeAttribute('title');
  setText(subject, p.draft_subject || '—');
  subject.title = p.draft_subject || '';
  name.title = fullName(p);
  email.title = p.email;
  setExpanded(row, open.has(p.id));
}

function setExpanded(row, expanded) {
  const button = row.querySelector('.expand');
  const email = items.get(Number(row.dataset.id)).email;
  button.setAttribute('aria-expanded', String(expanded));
  button.setAttribute('aria-label', `${expanded ? 'Close' : 'Open'} draft for ${email}`);
  setText(button, expanded ? 'Close' : 'Open');
  row.classList.toggle('is-open', expanded);
}

/** Puts a page of prospects into the table. */
function render(list) {
  const wanted = new Set(list.map((p) => p.id));
  for (const id of [...open]) if (!wanted.has(id)) open.delete(id);
  const rows = new Map([...tbody.querySelectorAll('tr.prospect')].map((r) => [Number(r.dataset.id), r]));
  items.clear();

  if (!list.some((p) => rows.has(p.id))) {
    // A different page: build it off-document and swap it in at once.
    const frag = document.createDocumentFragment();
    for (const p of list) {
      frag.append(buildRow(p));
      if (open.has(p.id)) frag.append(buildDetail(p));
    }
    tbody.replaceChildren(frag);
    return;
  }

  // The same page again: reuse rows, move a node only when it is out of place (moving a
  // node would blur a focused input inside it).
  const details = new Map([...tbody.querySelectorAll('tr.detail')].map((r) => [Number(r.dataset.id), r]));
  let cursor = tbody.firstChild;
  const place = (node) => {
    if (node === cursor) cursor = cursor.nextSibling;
    else tbody.insertBefore(node, cursor);
  };
  for (const p of list) {
    const row = rows.get(p.id);
    if (row) fillRow(row, p);
    place(row || buildRow(p));
    if (open.has(p.id)) {
      const detail = details.get(p.id);
      if (detail) fillDetail(detail, p);
      place(detail || buildDetail(p));
    }
  }
  while (cursor) {            // whatever is left over is no longer on this page
    const next = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
}

// ---- empty state and pager -------------------------------------------------------------

function renderEmpty(isEmpty) {
  const box = $('empty');
  table.classList.toggle('is-empty', isEmpty);
  if (!isEmpty) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const label = STATUS_LABEL[state.filter];
  let title, text, action = null;
  if (state.filter === 'all' && !state.q) {
    title = 'No prospects yet';
    text = 'Import a CSV file with an email column (and first_name, last_name, company, title, website if you have them) to get started.';
    action = el('button', {type: 'button', class: 'button primary', onclick: () => $('import-file').click()}, 'Choose a CSV file');
  } else if ((state.filter === 'drafted' || state.filter === 'approved') && !state.q) {
    title = state.filter === 'drafted' ? 'No drafts to review' : 'No approved drafts yet';
    text = state.filter === 'drafted'
      ? 'Press Start Drafting to write a draft for every prospect that has none.'
      : 'Start drafting, then open a draft to review and approve it.';
  } else {
    title = 'No prospects match';
    const among = state.filter === 'none' ? 'prospects without a draft' : `${(label || '').toLowerCase()} prospects`;
    if (state.q && label) text = `Nothing matches “${state.q}” among the ${among}.`;
    else if (state.q) text = `Nothing matches “${state.q}”.`;
    else if (state.filter === 'none') text = 'Every prospect has a draft.';
    else if (state.filter === 'failed') text = 'No draft has failed.';
    else text = `No prospect is ${label.toLowerCase()}.`;
    action = el('button', {type: 'button', class: 'button', onclick: showAll}, 'Show all prospects');
  }
  box.replaceChildren(el('p', {class: 'empty-title'}, title), el('p', {class: 'muted'}, text), action);
  box.hidden = false;
}

function renderPager() {
  const {skip, limit, total} = state;
  const first = total === 0 ? 0 : skip + 1;
  const last = Math.min(skip + limit, total);
  setText($('page-info'), total === 0 ? '0 of 0' : `${fmt(first)}–${fmt(last)} of ${fmt(total)}`);
  $('prev-page').disabled = skip === 0;
  $('next-page').disabled = skip + limit >= total;
}

function showAll() {
  state.filter = 'all';
  state.q = '';
  state.skip = 0;
  $('search').value = '';
  syncChips();
  loadPage();
}

function syncChips() {
  for (const chip of document.querySelectorAll('#status-filter [data-filter]')) {
    chip.setAttribute('aria-pressed', String(chip.dataset.filter === state.filter));
  }
}

/** Brings the list's top into view after a page change made from the bottom pager. */
function scrollToList() {
  const section = $('prospects-section');
  if (section.getBoundingClientRect().top < 0) section.scrollIntoView({block: 'start'});
}

// ---- review row ----------------------------------------------------------------------

function buildDetail(p) {
  const id = p.id;
  const subject = el('input', {type: 'text', id: `subject-${id}`, name: 'subject', autocomplete: 'off'});
  const body = el('textarea', {id: `body-${id}`, name: 'body', rows: 10});
  const status = el('span', {class: 'form-status', role: 'status'});
  const approve = el('button', {type: 'button', class: 'button approve', onclick: () => act(detail, 'approved')}, 'Approve');
  const reject = el('button', {type: 'button', class: 'button reject', onclick: () => act(detail, 'rejected')}, 'Reject');
  const form = el('form', {class: 'draft-form', 'aria-label': `Draft for ${p.email}`},
    el('p', {class: 'draft-error', hidden: true}),
    el('div', {class: 'field'}, el('label', {for: subject.id}, 'Subject'), subject),
    el('div', {class: 'field'}, el('label', {for: body.id}, 'Body'), body),
    el('div', {class: 'form-actions'},
      el('button', {type: 'submit', class: 'button primary'}, 'Save'), approve, reject, status));
  const meta = el('dl', {class: 'detail-meta'});
  const detail = el('tr', {class: 'detail', dataset: {id: String(id)}},
    el('td', {colspan: 6}, el('div', {class: 'detail-inner'}, form, meta)));

  form.addEventListener('input', () => {
    form.dataset.dirty = '1';
    setText(status, '');
    syncReviewButtons(form);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    save(detail);
  });
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      toggle(id);
    }
  });
  fillDetail(detail, p);
  return detail;
}

/** Writes a prospect into its review row; the fields only when the user has not edited them. */
function fillDetail(detail, p) {
  const form = detail.querySelector('form');
  const error = form.querySelector('.draft-error');
  if (p.draft_status === 'failed' && p.draft_error) {
    error.replaceChildren(el('strong', null, 'Draft failed: '), p.draft_error);
    error.hidden = false;
  } else {
    error.hidden = true;
  }
  if (!form.dataset.dirty) {
    form.elements.subject.value = p.draft_subject || '';
    form.elements.body.value = p.draft_body || '';
  }
  syncReviewButtons(form);

  const facts = [['Status', STATUS_LABEL[p.draft_status]], ['Title', p.title], ['Website', p.website],
    ['Drafted', p.drafted_at ? `${new Date(p.drafted_at).toLocaleDateString()} ${time(p.drafted_at)}` : '']];
  detail.querySelector('.detail-meta').replaceChildren(...facts.filter(([, v]) => v)
    .flatMap(([k, v]) => [el('dt', null, k), el('dd', null, v)]));
}

/** Approve/Reject need a draft: a subject and a body (typed here or already saved). */
function syncReviewButtons(form) {
  const hasDraft = form.elements.subject.value.trim() !== '' && form.elements.body.value.trim() !== '';
  for (const b of form.querySelectorAll('.approve, .reject')) b.disabled = !hasDraft;
}

function toggle(id) {
  const row = tbody.querySelector(`tr.prospect[data-id="${id}"]`);
  if (!row) return;
  if (open.has(id)) {
    open.delete(id);
    const detail = row.nextElementSibling;
    if (detail && detail.classList.contains('detail')) detail.remove();
    setExpanded(row, false);
    row.querySelector('.expand').focus();
  } else {
    open.add(id);
    const detail = buildDetail(items.get(id));
    row.after(detail);
    setExpanded(row, true);
    detail.querySelector('input').focus();
  }
}

function draftFields(form) {
  const value = (name) => (form.elements[name].value === '' ? null : form.elements[name].value);
  return {draft_subject: value('subject'), draft_body: value('body')};
}

function save(detail) {
  return patch(detail, draftFields(detail.querySelector('form')), 'Could not save the draft', 'Saved.');
}

function act(detail, status) {
  const form = detail.querySelector('form');
  // Unsaved edits go with the decision, in one PATCH, so what was approved is what is shown.
  const body = form.dataset.dirty ? {...draftFields(form), draft_status: status} : {draft_status: status};
  const action = status === 'approved' ? 'Could not approve the draft' : 'Could not reject the draft';
  return patch(detail, body, action, status === 'approved' ? 'Approved.' : 'Rejected.');
}

async function patch(detail, body, action, done) {
  const id = Number(detail.dataset.id);
  const form = detail.querySelector('form');
  const status = form.querySelector('.form-status');
  // Ignore clicks while a change is on its way (buttons are not disabled: that would
  // throw the keyboard focus out of the form).
  if (form.dataset.busy) return;
  form.dataset.busy = '1';
  setText(status, 'Saving…');
  try {
    const p = await api('PATCH', `/api/prospects/${id}`, body);
    delete form.dataset.dirty;
    const row = tbody.querySelector(`tr.prospect[data-id="${id}"]`);
    if (row) fillRow(row, p);
    fillDetail(detail, p);
    setText(status, done);
    loadCounts();
  } catch (err) {
    setText(status, 'Not saved.');
    showAlert(action, err);
  } finally {
    delete form.dataset.busy;
  }
}

// ---- wiring --------------------------------------------------------------------------

export function initProspects() {
  $('status-filter').addEventListener('click', (e) => {
    const chip = e.target.closest('[data-filter]');
    if (!chip || chip.dataset.filter === state.filter) return;
    state.filter = chip.dataset.filter;
    state.skip = 0;
    syncChips();
    loadPage();
  });

  const search = $('search');
  const runSearch = () => {
    const q = search.value.trim();
    if (q === state.q) return;
    state.q = q;
    state.skip = 0;
    loadPage();
  };
  const debounced = debounce(runSearch, 250);
  search.addEventListener('input', debounced);
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      debounced.cancel();
      runSearch();
    }
  });

  $('prev-page').addEventListener('click', () => {
    state.skip = Math.max(0, state.skip - state.limit);
    loadPage().then(scrollToList);
  });
  $('next-page').addEventListener('click', () => {
    if (state.skip + state.limit < state.total) state.skip += state.limit;
    loadPage().then(scrollToList);
  });
  $('page-size').addEventListener('change', (e) => {
    state.limit = Number(e.target.value);
    state.skip = Math.floor(state.skip / state.limit) * state.limit;
    loadPage();
  });
  $('table-retry').addEventListener('click', () => refresh());

  // The Open/Close button, or a click anywhere on a row (not on a control, not a text selection).
  tbody.addEventListener('click', (e) => {
    const row = e.target.closest('tr.prospect');
    if (!row) return;
    if (e.target.closest('.expand') || (!e.target.closest('a, button, input, textarea, select')
        && !String(window.getSelection()))) {
      toggle(Number(row.dataset.id));
    }
  });
}
