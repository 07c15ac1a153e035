// CSV import from the file picker: the file is sent as is (text/csv) and the report says
// what was imported, skipped and refused (with line numbers).
import {api} from './api.js';
import {showAlert} from './alerts.js';
import {$, el, fmt, plural} from './dom.js';

const MAX_LISTED = 200;   // refused lines listed on the page; the rest are counted

export function initImporter({refresh}) {
  const input = $('import-file');
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    await importFile(file);
    input.value = '';        // choosing the same file again imports it again
    refresh();
  });
}

async function importFile(file) {
  const report = $('import-report');
  const label = document.querySelector('label[for="import-file"]');
  label.classList.add('is-busy');
  report.replaceChildren(el('p', {class: 'muted'}, `Importing ${file.name}…`));
  report.hidden = false;
  try {
    const result = await api('POST', '/api/prospects/import', file, {type: 'text/csv'});
    renderReport(file.name, result);
  } catch (err) {
    report.hidden = true;
    report.replaceChildren();
    showAlert(`Could not import ${file.name}`, err);
  } finally {
    label.classList.remove('is-busy');
  }
}

function renderReport(name, r) {
  const errors = r.errors || [];
  const refused = r.error_count ?? errors.length;
  const summary = [
    el('span', {class: 'stat ok'}, `Imported ${fmt(r.imported)}`),
    el('span', {class: 'stat'}, plural(r.skipped_duplicates, 'duplicate skipped', 'duplicates skipped')),
    el('span', {class: refused ? 'stat bad' : 'stat'}, plural(refused, 'row refused', 'rows refused')),
  ];
  const parts = [
    el('div', {class: 'report-head'},
      el('h2', {class: 'card-title'}, `Import of ${name}`),
      el('button', {type: 'button', class: 'button small', onclick: hide}, 'Hide report')),
    // Only the refused lines are list items (the stats are not).
    el('p', {class: 'report-stats'}, summary.flatMap((s, i) => (i ? [el('span', {class: 'sep', 'aria-hidden': 'true'}, ' · '), s] : [s]))),
  ];
  if (r.ignored_columns && r.ignored_columns.length) {
    parts.push(el('p', {class: 'muted'}, `Ignored columns (not prospect fields): ${r.ignored_columns.join(', ')}`));
  }
  if (errors.length) {
    const shown = errors.slice(0, MAX_LISTED);
    parts.push(el('p', null, 'Refused rows, by line of the file:'),
      el('ul', {class: 'report-errors'}, shown.map((e) => el('li', null, `Line ${e.line}: ${e.message}`))));
    const more = refused - shown.length;
    if (more > 0) parts.push(el('p', {class: 'muted'}, `…and ${plural(more, 'more refused row', 'more refused rows')} not listed.`));
  }
  const report = $('import-report');
  report.replaceChildren(...parts);
  report.hidden = false;
}

function hide() {
  const report = $('import-report');
  report.hidden = true;
  report.replaceChildren();
  $('import-file').focus();
}
