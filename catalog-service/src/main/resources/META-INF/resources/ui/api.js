// The catalog API as the UI uses it: bearer token from sessionStorage, JSON in and out, every non-2xx
// answer turned into an ApiError carrying the server's `detail` (never swallowed).

const TOKEN_KEY = 'kbr.token';

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }

  /** A sentence for the user: what went wrong and, for 401/403, what to do. */
  describe() {
    if (this.status === 401) {
      return 'Not signed in, or your token has expired or was rejected (401). Sign in again with a valid token.'
        + (this.detail && this.detail !== 'Unauthorized' ? ' Server: ' + this.detail : '');
    }
    if (this.status === 403) {
      return 'You are not allowed to do this (403): ' + (this.detail || 'this needs another role or another mailbox.');
    }
    if (this.status === 0) {
      return this.detail;
    }
    return this.detail ? `${this.detail} (HTTP ${this.status})` : `The server answered HTTP ${this.status}.`;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  const t = (value || '').trim().replace(/^Bearer\s+/i, '');
  if (t) {
    sessionStorage.setItem(TOKEN_KEY, t);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * Takes a token handed over in the URL fragment (/ui/#token=...; as an identity provider's redirect does)
 * into sessionStorage and removes it from the address bar and the history.
 */
export function takeTokenFromFragment() {
  const m = location.hash.match(/(?:^#|[&/])(?:access_)?token=([^&]+)/);
  if (!m) {
    return false;
  }
  setToken(decodeURIComponent(m[1]));
  history.replaceState(null, '', location.pathname + location.search + '#/');
  return true;
}

/** Calls the API; resolves to the parsed JSON (or null for an empty body), rejects with ApiError. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  const t = token();
  if (t) {
    headers.Authorization = 'Bearer ' + t;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network', 'The catalog service cannot be reached: ' + e.message);
  }
  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!response.ok) {
    const detail = (json && (json.detail || json.message || json.title)) || text.trim() || response.statusText;
    throw new ApiError(response.status, (json && json.error) || String(response.status), detail);
  }
  return json;
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '' && v !== false) {
      q.set(k, String(v));
    }
  }
  const s = q.toString();
  return s ? '?' + s : '';
}
