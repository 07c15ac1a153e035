// draftd's page: wires the modules together. No framework, no build step: each file in
// web/ is served as is (and embedded in the binary).
import {onServerError} from './api.js';
import {checkSchema, showAlert} from './alerts.js';
import {initProspects, refresh} from './prospects.js';
import {initJob} from './job.js';
import {initImporter} from './importer.js';
import {initTemplate} from './template.js';

// A 5xx may come from a schema that drifted under the running server: check it again,
// so the banner names the table and column next to the failed call's alert.
onServerError(() => checkSchema());

// A bug in this page must not fail silently either.
window.addEventListener('error', (e) => showAlert('The page hit an error', e.error || e.message));
window.addEventListener('unhandledrejection', (e) => showAlert('The page hit an error', e.reason));

initProspects();
initImporter({refresh});
initTemplate();

checkSchema();
refresh();
initJob({refresh});
