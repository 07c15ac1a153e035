// fetch wrapper: JSON in and out, every failure becomes an ApiError that carries the
// HTTP status and the server's {"error":{"code","message","details"}}.

export class ApiError extends Error {
  constructor(message, {status = 0, code = '', details = {}, body = null} = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;   // 0: the request never got an answer (network, server down)
    this.code = code;
    this.details = details || {};
    this.body = body;       // the whole parsed answer, when there was one
  }
}

// Called (with the ApiError) after any 5xx answer; app.js uses it to re-check the schema,
// so a failing Start Drafting on a broken database also shows what is broken.
let serverErrorHook = null;
export function onServerError(fn) { serverErrorHook = fn; }

/**
 * api('GET', '/api/prospects?limit=50')
 * api('PATCH', '/api/prospects/3', {draft_status: 'approved'})
 * api('POST', '/api/prospects/import', file, {type: 'text/csv'})   // raw body
 * Resolves with the parsed JSON (null for 204); rejects with ApiError.
 * An aborted request (options.signal) rejects with the DOMException 'AbortError'.
 */
export async function api(method, path, body, {type, signal} = {}) {
  const init = {method, headers: {Accept: 'application/json'}, signal, cache: 'no-store'};
  if (body !== undefined) {
    if (type) {
      init.body = body;
      init.headers['Content-Type'] = type;
    } else {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
  }

  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(`Cannot reach draftd: ${e.message || 'network error'}`, {code: 'network'});
  }

  let text;
  try {
    text = await response.text();
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(`Cannot reach draftd: the answer was cut off (${e.message})`, {status: response.status, code: 'network'});
  }

  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's HTML page, a truncated body): say so instead of guessing.
      const err = new ApiError(`HTTP ${response.status} ${response.statusText}: the answer is not JSON`, {status: response.status, code: 'bad_response'});
      if (response.status >= 500 && serverErrorHook) serverErrorHook(err);
      throw err;
    }
  }

  if (!response.ok) {
    const e = (data && data.error) || {};
    const err = new ApiError(e.message || `HTTP ${response.status} ${response.statusText}`,
      {status: response.status, code: e.code || '', details: e.details, body: data});
    if (response.status >= 500 && serverErrorHook) serverErrorHook(err);
    throw err;
  }
  return data;
}

/** Builds "path?a=1&b=x" from the params that are not '' / null / undefined. */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== '' && v !== null && v !== undefined) q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
