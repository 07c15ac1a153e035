// Errors in plain sight: one alert per failed call (#alerts), the schema banner
// (#schema-banner) when /api/health/schema says the database does not match, and
// short success notices (#notice).
import {api} from './api.js';
import {$, el} from './dom.js';

/**
 * showAlert('Could not start drafting', err): adds "Could not start drafting: <server message>"
 * unless the same text is already shown (then that alert counts the repeat instead).
 */
export function showAlert(action, err) {
  const message = err && err.message ? err.message : String(err);
  const text = `${action}: ${message}`;
  const box = $('alerts');
  const same = [...box.children].find((a) => a.dataset.text === text);
  if (same) {
    const n = Number(same.dataset.repeats || 1) + 1;
    same.dataset.repeats = String(n);
    same.querySelector('.alert-repeats').textContent = `(${n} times)`;
    return same;
  }
  const meta = [new Date().toLocaleTimeString()];
  if (err && err.status) meta.push(`HTTP ${err.status}`);
  if (err && err.code && err.code !== 'network') meta.push(err.code);

  const alert = el('div', {class: 'alert', role: 'alert', dataset: {text}},
    el('div', {class: 'alert-body'},
      el('p', {class: 'alert-text'}, el('strong', null, `${action}:`), ' ', message),
      el('p', {class: 'alert-meta'}, meta.join(' · '), ' ', el('span', {class: 'alert-repeats'}))),
    el('button', {type: 'button', class: 'button small', onclick: () => dismiss(alert)}, 'Dismiss'));
  box.append(alert);
  return alert;
}

function dismiss(alert) {
  // Keep keyboard users in the stack: focus the next alert's button, if any.
  const next = alert.nextElementSibling || alert.previousElementSibling;
  alert.remove();
  if (next) next.querySelector('button').focus();
}

let noticeTimer = 0;
/** A success message in the #notice status region; it fades after a few seconds. */
export function notice(text) {
  const n = $('notice');
  n.textContent = text;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { n.textContent = ''; }, 6000);
}

// ---- schema banner -------------------------------------------------------------------

let schemaCheck = null;

/** Asks /api/health/schema and shows or hides the banner. One check at a time. */
export function checkSchema() {
  if (!schemaCheck) {
    schemaCheck = runSchemaCheck().finally(() => { schemaCheck = null; });
  }
  return schemaCheck;
}

async function runSchemaCheck() {
  const banner = $('schema-banner');
  try {
    await api('GET', '/api/health/schema');
    banner.hidden = true;
    banner.replaceChildren();
  } catch (err) {
    if (err.name === 'AbortError') return;
    if (err.body && Array.isArray(err.body.problems)) {
      renderBanner(err.body);
    } else if (err.code !== 'network') {
      // The check itself could not run (e.g. the database is unreachable): say so.
      showAlert('Could not check the database schema', err);
    }
    // A network failure is already reported by whichever call hit it.
  }
}

/** <li><strong>jobs.drafts_created</strong> — missing</li>, "migration 2 (add_job_progress_columns) — pending", … */
function problemItem(p) {
  let what;
  if (p.table) what = p.column ? `${p.table}.${p.column}` : p.table;
  else if (p.migration !== undefined) what = `migration ${p.migration}${p.name ? ` (${p.name})` : ''}`;
  else if (p.statement) what = `statement ${p.statement}`;
  else what = 'schema';
  return el('li', null, el('strong', null, what), ` — ${p.problem || p.message || 'problem'}`);
}

function renderBanner(body) {
  const banner = $('schema-banner');
  const versions = body.schema_version === body.latest_version
    ? `The database is at schema version ${body.schema_version}, the version this build expects, but its tables differ from it.`
    : `The database is at schema version ${body.schema_version}; this build expects version ${body.latest_version}.`;
  banner.replaceChildren(
    el('h2', null, 'The database schema does not match this draftd'),
    el('p', null, versions, ' Calls that touch the problems below fail until it is fixed.'),
    el('ul', {class: 'problems'}, body.problems.map(problemItem)),
    el('p', {class: 'fix'}, 'Fix: ', el('code', null, body.fix || 'draftd migrate up')),
    el('button', {type: 'button', class: 'button small', onclick: () => checkSchema()}, 'Check again'));
  banner.hidden = false;
}
