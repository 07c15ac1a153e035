// The template dialog: load, edit (with placeholder buttons that insert at the cursor),
// save. A 422 (unknown placeholder, bad template) is shown inside the dialog, which stays
// open; other failures are shown there too and in the page's alerts.
import {api} from './api.js';
import {showAlert, notice} from './alerts.js';
import {$, el} from './dom.js';

const FIELDS = ['first_name', 'last_name', 'company', 'title', 'website', 'email'];

const dialog = $('template-dialog');
const form = $('template-form');
const subject = $('template-subject');
const body = $('template-body');
const error = $('template-error');
let lastField = body;       // where a placeholder button inserts
let opener = null;

export function initTemplate() {
  renderPlaceholders(FIELDS);
  $('open-template').addEventListener('click', open);
  $('template-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => { if (opener) opener.focus(); });
  for (const field of [subject, body]) field.addEventListener('focus', () => { lastField = field; });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    save();
  });
  // Esc closes the dialog natively (the 'cancel' event); nothing to add.
}

function renderPlaceholders(names) {
  $('placeholders').replaceChildren(...names.map((name) => {
    const text = `{{${name}}}`;
    return el('button', {type: 'button', class: 'chip code', onclick: () => insert(text)}, text);
  }));
}

/** Inserts text at the cursor of the subject or body field last used, and puts the cursor after it. */
function insert(text) {
  const field = lastField;
  field.focus();
  field.setRangeText(text, field.selectionStart, field.selectionEnd, 'end');
  field.dispatchEvent(new Event('input', {bubbles: true}));
}

function showError(message) {
  error.textContent = message;
  error.hidden = !message;
}

async function open() {
  opener = document.activeElement;
  showError('');
  // Never save over the stored template with the blank fields of a failed load.
  $('template-save').disabled = true;
  form.classList.add('is-loading');
  subject.value = '';
  body.value = '';
  dialog.showModal();
  subject.focus();
  try {
    const t = await api('GET', '/api/templates/draft');
    subject.value = t.subject || '';
    body.value = t.body || '';
    if (Array.isArray(t.placeholders) && t.placeholders.length) renderPlaceholders(t.placeholders);
    $('template-save').disabled = false;
  } catch (err) {
    showError(`Could not load the template: ${err.message}`);
    showAlert('Could not load the template', err);
  } finally {
    form.classList.remove('is-loading');
  }
}

let saving = false;

async function save() {
  if (saving || $('template-save').disabled) return;
  saving = true;
  showError('');
  form.classList.add('is-saving');
  try {
    await api('PUT', '/api/templates/draft', {subject: subject.value, body: body.value});
    dialog.close();
    notice('Template saved. New drafts use it; existing drafts stay as they are.');
  } catch (err) {
    showError(`Could not save the template: ${err.message}`);
    if (err.status !== 422) showAlert('Could not save the template', err);
    // Back to the field the message is about, when the server says which one.
    const part = err.details && err.details.part;
    if (part === 'subject') subject.focus();
    else if (part === 'body') body.focus();
  } finally {
    saving = false;
    form.classList.remove('is-saving');
  }
}
