// Shared helpers of the browser tests: a draftd of our own per test file (fresh SQLite
// database in a temp dir), Debian's chromium through playwright-core, pages that record
// uncaught errors and dialogs, wait helpers that say what they waited for, screenshots.
//
// Environment:
//   DRAFTD_BIN      draftd binary (default ../../build/draftd from this directory)
//   SCREENSHOT_DIR  where screenshots go (default ../../build/screenshots)
//   CHROMIUM        chromium binary (default /usr/bin/chromium)
//
// A missing draftd, chromium or sqlite3 is an error that fails the test, never a skip.

import { spawn, spawnSync } from 'node:child_process';
import { before, after } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const DRAFTD_BIN = process.env.DRAFTD_BIN
  ? path.resolve(process.env.DRAFTD_BIN)
  : path.resolve(HERE, '../../build/draftd');
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR
  ? path.resolve(process.env.SCREENSHOT_DIR)
  : path.resolve(HERE, '../../build/screenshots');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Waits are generous: the machine is small and shared. Nothing measures time.
export const WAIT_MS = 30000;

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function tail(text, lines = 40) {
  return text.split('\n').slice(-lines).join('\n');
}

/* ---------------------------------------------------------------- draftd */

// Servers still running when this process exits (a hook that never ran, a crash) are
// killed, so no draftd outlives its test file. Normal runs stop them in `after`.
const liveServers = new Set();
process.on('exit', () => {
  for (const child of liveServers) {
    try { child.kill('SIGKILL'); } catch { /* gone */ }
  }
});

function serverEnv(dbUrl, extra) {
  const env = { ...process.env };
  // Only what we set below may configure the server under test.
  for (const k of ['DATABASE_URL', 'HOST', 'PORT', 'WORKERS', 'AUTO_MIGRATE', 'LOG_LEVEL',
    'DRAFTD_TEST_DRAFT_DELAY_MS', 'DRAFTD_LEASE_SECONDS']) delete env[k];
  return { ...env, DATABASE_URL: dbUrl, ...extra };
}

/**
 * Starts `draftd serve` on a fresh SQLite database in a temp dir.
 * options.delayMs sets DRAFTD_TEST_DRAFT_DELAY_MS (each draft takes that much longer).
 * Returns { url, port, dir, dbPath, api, importCsv, sqlite, stop, cleanup, stderr }.
 */
export async function startDraftd({ delayMs, workers } = {}) {
  if (!isExecutable(DRAFTD_BIN)) {
    throw new Error(`draftd binary not found or not executable at ${DRAFTD_BIN}: ` +
      'build it (make) or set DRAFTD_BIN to its absolute path');
  }
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'draftd-browser-'));
  const dbPath = path.join(dir, 'draftd.db');
  const dbUrl = `sqlite:${dbPath}`; // README "Configuration": sqlite:PATH (not sqlite://)

  const mig = spawnSync(DRAFTD_BIN, ['migrate', 'up'], {
    env: serverEnv(dbUrl, {}), encoding: 'utf8', timeout: 30000,
  });
  if (mig.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`draftd migrate up failed (status ${mig.status}${mig.error ? ', ' + mig.error.message : ''}):\n` +
      `${mig.stdout}\n${mig.stderr}`);
  }

  const extra = { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' };
  if (delayMs) extra.DRAFTD_TEST_DRAFT_DELAY_MS = String(delayMs);
  if (workers) extra.WORKERS = String(workers);
  // PORT=0: draftd picks a free port and logs it (README "Configuration"), so no other
  // process can take the port between choosing and listening.
  const child = spawn(DRAFTD_BIN, ['serve'], {
    env: serverEnv(dbUrl, extra), stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveServers.add(child);
  let stderr = '';
  let exit = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => { exit = { code, signal }; liveServers.delete(child); resolve(exit); });
    child.on('error', (err) => { exit = { code: null, signal: null, error: err }; liveServers.delete(child); resolve(exit); });
  });
  const onData = (d) => {
    stderr += d.toString();
    if (stderr.length > 400000) stderr = stderr.slice(-200000);
  };
  child.stderr.on('data', onData);
  child.stdout.on('data', onData);

  const server = {
    dir, dbPath, dbUrl, port: 0, url: '',
    stderr: () => stderr,
    exited: () => exit,
  };

  const fail = async (why) => {
    if (!exit) { child.kill('SIGKILL'); await exited; }
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`draftd serve did not come up: ${why}\n--- its output ---\n${tail(stderr)}`);
  };

  const deadline = Date.now() + WAIT_MS;
  while (!server.port) {
    const m = /msg="listening"[^\n]*\bport=(\d+)/.exec(stderr);
    if (m) { server.port = Number(m[1]); break; }
    if (exit) return fail(`it exited (${JSON.stringify(exit)})`);
    if (Date.now() > deadline) return fail('no "listening" log line');
    await sleep(25);
  }
  server.url = `http://127.0.0.1:${server.port}`;
  for (;;) {
    try {
      const r = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) break;
    } catch { /* not yet */ }
    if (exit) return fail(`it exited (${JSON.stringify(exit)})`);
    if (Date.now() > deadline) return fail('/api/health never answered 200');
    await sleep(50);
  }

  /** Calls the API: body objects are sent as JSON, strings with the given content type. */
  server.api = async (method, urlPath, body, contentType) => {
    const init = { method, headers: {}, signal: AbortSignal.timeout(WAIT_MS) };
    if (body !== undefined) {
      if (typeof body === 'string') {
        init.body = body;
        init.headers['Content-Type'] = contentType || 'text/plain';
      } else {
        init.body = JSON.stringify(body);
        init.headers['Content-Type'] = 'application/json';
      }
    }
    const r = await fetch(server.url + urlPath, init);
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, json, text, headers: r.headers };
  };

  /** The API call that must answer `status`; returns its JSON. */
  server.apiOk = async (method, urlPath, body, status = 200, contentType) => {
    const r = await server.api(method, urlPath, body, contentType);
    if (r.status !== status) {
      throw new Error(`${method} ${urlPath}: expected ${status}, got ${r.status}: ${r.text}`);
    }
    return r.json;
  };

  server.importCsv = (csv) => server.apiOk('POST', '/api/prospects/import', csv, 200, 'text/csv');

  /** Waits until job `id` is in one of `statuses`; returns the job. */
  server.waitJob = async (id, statuses) => {
    const until = Date.now() + 60000;
    for (;;) {
      const job = await server.apiOk('GET', `/api/pipeline/draft/jobs/${id}`);
      if (statuses.includes(job.status)) return job;
      if (Date.now() > until) throw new Error(`job ${id} never reached ${statuses}: ${JSON.stringify(job)}`);
      await sleep(100);
    }
  };

  /** Runs SQL on the live database with the sqlite3 command-line shell. */
  server.sqlite = (sql) => {
    // A busy timeout, so a statement waits for a running job's write transaction.
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', dbPath, sql],
      { encoding: 'utf8', timeout: 30000 });
    if (r.error) throw new Error(`cannot run sqlite3 (is it installed?): ${r.error.message}`);
    if (r.status !== 0) throw new Error(`sqlite3 ${JSON.stringify(sql)} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  };

  /** SIGTERM, then waits for the exit (SIGKILL after 15 s). Idempotent. */
  server.stop = async () => {
    if (!exit) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15000);
      await exited;
      clearTimeout(t);
    }
    return exit;
  };

  /**
   * Stops draftd and removes its files. A draftd that did not exit 0 on SIGTERM (a crash,
   * a sanitizer report when DRAFTD_BIN is the ASan build) fails the test with its log.
   */
  server.cleanup = async () => {
    const end = await server.stop();
    const log = server.stderr();
    fs.rmSync(dir, { recursive: true, force: true });
    if (!end || end.code !== 0) {
      throw new Error(`draftd did not exit cleanly (${JSON.stringify(end)}); its log ends:\n` +
        log.split('\n').slice(-40).join('\n'));
    }
  };

  return server;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/* ---------------------------------------------------------------- data */

/** n fictional prospects: { email, first_name, last_name, company, title }. */
export function makeProspects(n, prefix = 'p') {
  const out = [];
  for (let i = 1; i <= n; i++) {
    out.push({
      email: `${prefix}${i}@example.com`,
      first_name: `First${i}`,
      last_name: `Last${i}`,
      company: `Company ${i}`,
      title: i % 3 ? 'CTO' : 'Head of Sales',
    });
  }
  return out;
}

export const CSV_FIELDS = ['email', 'first_name', 'last_name', 'company', 'title'];

function csvField(v) {
  const s = v == null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text (header line 1) of rows given as arrays of field values. */
export function csvText(header, rows) {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

/* ---------------------------------------------------------------- browser */

const problems = new WeakMap();

/**
 * Launches chromium with a fresh profile. Returns { context, newPage, close }.
 * Pages from newPage() record uncaught errors (`pageerror`), dialogs (dismissed at once)
 * and Content-Security-Policy violations reported on the console.
 */
export async function launchBrowser() {
  if (!isExecutable(CHROMIUM)) {
    throw new Error(`chromium not found or not executable at ${CHROMIUM}: ` +
      'install it (apt-get install chromium) or set CHROMIUM to its path');
  }
  const profile = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'draftd-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
    });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw new Error(`cannot launch chromium (${CHROMIUM}): ${e.message}`);
  }
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      await page.addInitScript(installPageHelpers);
      const p = { pageErrors: [], dialogs: [], csp: [], console: [] };
      problems.set(page, p);
      page.on('pageerror', (err) => p.pageErrors.push(String(err && err.stack || err)));
      page.on('dialog', (d) => {
        p.dialogs.push(`${d.type()}: ${d.message()}`);
        d.dismiss().catch(() => {});
      });
      page.on('console', (m) => {
        const text = m.text();
        if (m.type() === 'error' || m.type() === 'warning') p.console.push(`${m.type()}: ${text}`);
        if (/Content Security Policy/i.test(text)) p.csp.push(text);
      });
      page.on('response', (r) => {
        if (r.status() >= 400) p.console.push(`http ${r.status()} ${r.request().method()} ${r.url()}`);
      });
      page.on('requestfailed', (r) => {
        p.console.push(`request failed: ${r.method()} ${r.url()}: ${r.failure() ? r.failure().errorText : ''}`);
      });
      page.setDefaultTimeout(WAIT_MS);
      return page;
    },
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Fails when the page had an uncaught error, a dialog (alert/confirm…) or a CSP violation. */
export function assertPageClean(page) {
  const p = problems.get(page);
  if (!p) throw new Error('assertPageClean: page was not made by newPage()');
  const msgs = [];
  if (p.pageErrors.length) msgs.push(`uncaught page errors:\n  ${p.pageErrors.join('\n  ')}`);
  if (p.dialogs.length) msgs.push(`dialogs opened (an XSS payload would do this):\n  ${p.dialogs.join('\n  ')}`);
  if (p.csp.length) msgs.push(`Content-Security-Policy violations:\n  ${p.csp.join('\n  ')}`);
  if (msgs.length) throw new Error(msgs.join('\n'));
}

/** What the page shows now, for failure messages. */
export async function describePage(page, server) {
  let dom = '';
  try {
    dom = await page.evaluate(() => {
      const txt = (sel) => {
        const el = document.querySelector(sel);
        if (!el) return `${sel}: (absent)`;
        const shown = !el.hidden && el.getClientRects().length > 0;
        const attrs = ['data-job-id', 'data-status', 'aria-valuenow']
          .filter((a) => el.hasAttribute(a)).map((a) => `${a}=${el.getAttribute(a)}`).join(' ');
        return `${sel}${shown ? '' : ' (hidden)'}${attrs ? ' [' + attrs + ']' : ''}: ` +
          JSON.stringify((el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 600));
      };
      const rows = [...document.querySelectorAll('#prospects tbody tr.prospect')].slice(0, 3)
        .map((r) => `  row data-id=${r.dataset.id} data-status=${r.dataset.status}: ` +
          JSON.stringify(r.textContent.replace(/\s+/g, ' ').trim().slice(0, 200)));
      return [location.href, txt('#alerts'), txt('#schema-banner'), txt('#job-panel'),
        txt('#job-note'), txt('#import-report'), txt('#empty'), txt('#table-error'),
        txt('#page-info'), txt('#status-filter'),
        `rows: ${document.querySelectorAll('#prospects tbody tr.prospect').length}`, ...rows].join('\n');
    });
  } catch (e) {
    dom = `(could not read the page: ${e.message})`;
  }
  const p = problems.get(page);
  let out = `--- page ---\n${dom}`;
  if (p && (p.pageErrors.length || p.console.length)) {
    out += `\n--- page errors / console ---\n${[...p.pageErrors, ...p.console].slice(-15).join('\n')}`;
  }
  if (server) out += `\n--- draftd (last lines) ---\n${tail(server.stderr(), 15)}`;
  return out;
}

/**
 * Waits until fn(arg) is truthy in the page; returns its value. On timeout the error says
 * what was awaited and what the page showed, and a screenshot FAILED-<slug>.png is saved.
 */
export async function waitUntil(page, what, fn, arg, { timeout = WAIT_MS, server } = {}) {
  try {
    const h = await page.waitForFunction(fn, arg, { timeout, polling: 50 });
    return await h.jsonValue();
  } catch (e) {
    const slug = what.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    await screenshot(page, `FAILED-${slug}`).catch(() => {});
    throw new Error(`waiting for ${what}: ${e.message.split('\n')[0]}\n${await describePage(page, server)}`);
  }
}

/** Waits for a locator to be visible (or other state), with the page state on failure. */
export async function waitVisible(page, locator, what, { state = 'visible', timeout = WAIT_MS, server } = {}) {
  try {
    await locator.first().waitFor({ state, timeout });
  } catch (e) {
    const slug = what.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    await screenshot(page, `FAILED-${slug}`).catch(() => {});
    throw new Error(`waiting for ${what} (${state}): ${e.message.split('\n')[0]}\n${await describePage(page, server)}`);
  }
}

/** Screenshot into SCREENSHOT_DIR/<name>.png. */
export async function screenshot(page, name, opts = {}) {
  await fs.promises.mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, ...opts });
  return file;
}

/** Normalised text content of the first match of a selector ('' when absent). */
export async function textOf(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    return el ? el.textContent.replace(/\s+/g, ' ').trim() : '';
  }, selector);
}

/*
 * Read-only helpers installed in every page before its scripts run, for the wait
 * conditions (page functions cannot import): window.__bt.text(sel), .shown(sel), .panel().
 */
function installPageHelpers() {
  const text = (sel, root = document) => {
    const el = root.querySelector(sel);
    return el ? el.textContent.replace(/\s+/g, ' ').trim() : null;
  };
  const shown = (elOrSel) => {
    const el = typeof elOrSel === 'string' ? document.querySelector(elOrSel) : elOrSel;
    if (!el || el.hidden || el.closest('[hidden]')) return false;
    if (el.getClientRects().length === 0) return false;
    const cs = getComputedStyle(el);
    return cs.visibility !== 'hidden' && cs.display !== 'none';
  };
  // "#job-count" text is "37 / 70 drafts" (total "…" while unknown; "1,234" allowed).
  const parseCount = (t) => {
    const m = /([\d,]+)\s*\/\s*([\d,]+|…)\s*drafts?/.exec(t || '');
    const num = (x) => Number(x.replace(/,/g, ''));
    return m ? { done: num(m[1]), total: m[2] === '…' ? null : num(m[2]) } : null;
  };
  const panel = () => {
    const p = document.querySelector('#job-panel');
    const bar = document.querySelector('#job-progress');
    const buttons = p ? [...p.querySelectorAll('button')] : [];
    const byName = (name) => buttons.find((b) =>
      (b.getAttribute('aria-label') || b.textContent).replace(/\s+/g, ' ').trim() === name) || null;
    const start = byName('Start Drafting');
    const cancel = byName('Cancel drafting');
    return {
      jobId: p ? p.getAttribute('data-job-id') : null,
      rawStatus: p ? p.getAttribute('data-status') : null,
      status: text('#job-status'),
      countText: text('#job-count'),
      count: parseCount(text('#job-count')),
      percent: text('#job-percent'),
      failed: text('#job-failed'),
      valuenow: bar ? bar.getAttribute('aria-valuenow') : null,
      barShown: shown(bar),
      startDisabled: start ? start.disabled : null,
      cancelUsable: cancel ? shown(cancel) && !cancel.disabled : null,
      height: p ? p.getBoundingClientRect().height : null,
    };
  };
  Object.defineProperty(window, '__bt', { value: { text, shown, panel, parseCount } });
}

/* ---------------------------------------------------------------- fixture */

/**
 * The draftd and chromium a describe() block shares; call it in the block's body. Its
 * `before` starts draftd ({ delayMs, workers }), runs `prepare(server)` (the data the
 * tests need), launches chromium and, with `page: true`, opens one page; its `after`
 * closes and removes them. Node 18 skips `after` when `before` fails, so a failed set-up
 * undoes itself, then fails. Returns { server, browser, page }, filled once `before` ran.
 */
export function sharedDraftd({ delayMs, workers, prepare, page = false } = {}) {
  const fx = { server: null, browser: null, page: null };
  async function teardown() {
    const { browser, server } = fx;
    fx.browser = fx.server = fx.page = null;
    if (browser) await browser.close();
    if (server) await server.cleanup();
  }
  before(async () => {
    try {
      fx.server = await startDraftd({ delayMs, workers });
      if (prepare) await prepare(fx.server);
      fx.browser = await launchBrowser();
      if (page) fx.page = await fx.browser.newPage();
    } catch (e) {
      await teardown();
      throw e;
    }
  });
  after(teardown);
  return fx;
}
