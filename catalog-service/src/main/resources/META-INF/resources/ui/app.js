// kbr web UI: a user's deleted items and their restore, an administrator's search across mailboxes,
// restore and dump jobs. Plain DOM, no framework; all text goes through textContent (no HTML from data).
import { api, ApiError, clearToken, query, setToken, takeTokenFromFragment, token } from './api.js';

const $ = (id) => document.getElementById(id);
const POLL_MS = 1000;
const PAGE = 100;
const TERMINAL = new Set(['DONE', 'DONE_WITH_FAILURES', 'FAILED']);

const state = {
  me: null,          // {user, roles, stores, open}
  stores: [],        // StoreSummary[] the user may see
  folders: new Map(), // storeGuid -> Map(folderSourceKey -> path string)
  items: new Map(),   // "store/sourceKey" (lower case) -> ItemSummary, to name items in job outcomes
  deleted: { store: null, cursor: null, rows: [], selected: new Set(), gen: 0 },
  search: { params: null, cursor: null, rows: [], selected: new Set(), gen: 0 },
  polls: new Map(),   // job id -> {timer, listeners: Set<fn>}
};

// ---------- small helpers ----------

/** Creates an element; attrs may hold properties (on*, className, dataset...) and attributes. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'className') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const present = (nodes) => nodes.filter((n) => n !== null && n !== undefined && n !== false);
const isAdmin = () => !!state.me && (state.me.admin || state.me.roles.includes('admin'));
const key = (store, sourceKey) => `${String(store).toLowerCase()}/${String(sourceKey).toLowerCase()}`;

function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

function fmtSize(n) {
  if (n === null || n === undefined) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

function fmtDuration(ms) {
  if (!(ms >= 0)) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function storeLabel(guid) {
  const s = state.stores.find((x) => x.guid.toLowerCase() === String(guid || '').toLowerCase());
  if (!s) return guid ? String(guid).slice(0, 8) + '…' : '';
  return s.userName ? `${s.userName} (${s.serverId})` : `${s.guid.slice(0, 8)}… (${s.serverId})`;
}

/** The mailbox's user name alone (the table's Mailbox column; the server is in the tooltip). */
function storeUser(guid) {
  const s = state.stores.find((x) => x.guid.toLowerCase() === String(guid || '').toLowerCase());
  return s && s.userName ? s.userName : storeLabel(guid);
}

function errorText(e) {
  return e instanceof ApiError ? e.describe() : (e && e.message) || String(e);
}

/** Shows an error (or info) in the banner at the top; errors are never swallowed. */
function banner(message, kind = 'error') {
  const b = $('banner');
  b.replaceChildren(h('span', {}, message),
    h('button', { type: 'button', className: 'link', 'aria-label': 'Dismiss', onclick: () => { b.hidden = true; } }, '×'));
  b.className = 'banner ' + kind;
  b.dataset.kind = kind;
  b.hidden = false;
  if (e401(message)) showSignIn(message);
}
const e401 = (m) => typeof m === 'string' && m.includes('(401)');

function inlineError(container, e) {
  const text = errorText(e);
  container.replaceChildren(h('p', { className: 'error', role: 'alert', dataset: { testid: 'error' } }, text));
  if (e instanceof ApiError && e.status === 401) showSignIn(text);
}

function badge(item) {
  if (item.hardDeleted) {
    return h('span', { className: 'badge backup', dataset: { testid: 'label' },
      title: 'Purged from the mail server; restored from the backup copy' }, 'From backup');
  }
  if (item.softDeleted) {
    return h('span', { className: 'badge soft', dataset: { testid: 'label' },
      title: 'Still in the server’s soft-delete window; restored in place by undelete' }, 'Recently deleted — undelete');
  }
  return h('span', { className: 'badge live', dataset: { testid: 'label' } }, 'Not deleted');
}

// ---------- identity ----------

async function loadIdentity() {
  try {
    const me = await api('/api/v1/me');
    const stores = (me.stores || []).map((s) => (typeof s === 'string' ? s : s.guid || s.storeGuid)).filter(Boolean);
    state.me = { user: me.user || me.upn || null, roles: me.roles || me.groups || [], admin: !!me.admin, stores, open: false };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      // A catalog without authentication: nothing to sign in to; everything is visible.
      state.me = { user: null, roles: ['user', 'admin'], stores: null, open: true };
    } else {
      throw e;
    }
  }
  if (isAdmin() || state.me.stores === null) {
    state.stores = await api('/api/v1/stores');
  } else {
    const found = [];
    for (const guid of state.me.stores) {
      try {
        found.push(await api(`/api/v1/stores/${encodeURIComponent(guid)}`));
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) throw e; // a mailbox not backed up yet
      }
    }
    state.stores = found;
  }
  state.stores.sort((a, b) => (a.userName || a.guid).localeCompare(b.userName || b.guid));
}

function renderWho() {
  const who = $('who');
  const me = state.me;
  const parts = [];
  if (me.open) {
    parts.push(h('span', { className: 'badge warn', title: 'The catalog accepts requests without a token' },
      'No authentication configured'));
  } else {
    parts.push(h('span', {}, 'Signed in as ', h('strong', { dataset: { testid: 'user' } }, me.user || '?'),
      ` (${me.roles.join(', ') || 'no role'})`));
    parts.push(h('button', { type: 'button', className: 'link', dataset: { testid: 'signout' },
      onclick: () => { clearToken(); location.hash = '#/'; location.reload(); } }, 'Sign out'));
  }
  who.replaceChildren(...parts);
  for (const el of document.querySelectorAll('[data-admin]')) el.hidden = !isAdmin();
  $('nav').hidden = false;
}

function showSignIn(reason) {
  for (const id of ['view-deleted', 'view-search', 'view-jobs', 'loading']) $(id).hidden = true;
  $('nav').hidden = true;
  $('signin').hidden = false;
  $('signin-reason').textContent = reason || 'This catalog needs an access token.';
  $('signin-token').focus();
}

// ---------- routing ----------

function route() {
  if (!state.me) return;
  const hash = location.hash.replace(/^#\/?/, '');
  const [view, arg] = hash.split('/');
  let name = ['deleted', 'search', 'jobs'].includes(view) ? view : 'deleted';
  if (name === 'search' && !isAdmin()) name = 'deleted';
  for (const v of ['deleted', 'search', 'jobs']) $('view-' + v).hidden = v !== name;
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  $('signin').hidden = true;
  $('loading').hidden = true;
  if (name === 'deleted') showDeleted();
  if (name === 'search') showSearch();
  if (name === 'jobs') showJobs(arg ? decodeURIComponent(arg) : null);
}

// ---------- folders ----------

async function folderPaths(storeGuid) {
  const guid = storeGuid.toLowerCase();
  if (!state.folders.has(guid)) {
    const tree = await api(`/api/v1/stores/${guid}/folders`);
    const paths = new Map();
    for (const f of tree.folders) {
      paths.set(f.sourceKey.toLowerCase(), (f.path && f.path.length ? f.path.join(' / ') : f.displayName) || '(unnamed)');
    }
    state.folders.set(guid, paths);
    state.folderTrees = state.folderTrees || new Map();
    state.folderTrees.set(guid, tree.folders);
  }
  return state.folders.get(guid);
}

function folderName(storeGuid, folderKey) {
  const paths = state.folders.get(String(storeGuid).toLowerCase());
  return (paths && paths.get(String(folderKey).toLowerCase())) || '';
}

// ---------- item table (shared by both views) ----------

function itemTable(rows, selected, { showStore, caption, onChange, testid }) {
  const all = h('input', { type: 'checkbox', 'aria-label': 'Select all items shown', dataset: { testid: 'select-all' } });
  const boxes = [];
  const sync = () => {
    all.checked = rows.length > 0 && rows.every((r) => selected.has(key(r.storeGuid, r.sourceKey)));
    onChange();
  };
  all.addEventListener('change', () => {
    for (const r of rows) {
      if (all.checked) selected.add(key(r.storeGuid, r.sourceKey)); else selected.delete(key(r.storeGuid, r.sourceKey));
    }
    for (const b of boxes) b.checked = all.checked;
    onChange();
  });
  const body = h('tbody', {}, rows.map((r) => {
    const k = key(r.storeGuid, r.sourceKey);
    const box = h('input', { type: 'checkbox', checked: selected.has(k), 'aria-label': `Select “${r.subject || '(no subject)'}”`,
      dataset: { testid: 'select', key: r.sourceKey } });
    box.addEventListener('change', () => { if (box.checked) selected.add(k); else selected.delete(k); sync(); });
    boxes.push(box);
    return h('tr', { dataset: { testid: 'item-row', key: r.sourceKey, store: r.storeGuid } },
      h('td', { className: 'sel' }, box),
      h('td', { dataset: { testid: 'subject' } }, r.subject || h('em', {}, '(no subject)'),
        r.attachmentNames && r.attachmentNames.length ? h('div', { className: 'muted small', title: r.attachmentNames.join(', ') },
          r.attachmentNames.length === 1 ? '1 attachment' : `${r.attachmentNames.length} attachments`) : null),
      h('td', { dataset: { testid: 'sender' } }, r.senderName || '', r.senderEmail ? h('div', { className: 'muted small' }, r.senderEmail) : null),
      showStore ? h('td', { dataset: { testid: 'store' }, title: storeLabel(r.storeGuid) }, storeUser(r.storeGuid)) : null,
      h('td', { dataset: { testid: 'folder' } }, folderName(r.storeGuid, r.folderSourceKey)),
      h('td', { className: 'nowrap' }, fmtTime(r.deliveryTime)),
      h('td', { className: 'nowrap' }, fmtTime(r.deletedAt || r.hardDeletedAt)),
      h('td', { className: 'num' }, fmtSize(r.size)),
      h('td', {}, badge(r)));
  }));
  sync();
  return h('div', { className: 'scroll' }, h('table', { className: 'items', dataset: { testid } },
    h('caption', { className: 'sr-only' }, caption),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', className: 'sel' }, all),
      h('th', { scope: 'col' }, 'Subject'), h('th', { scope: 'col' }, 'From'),
      showStore ? h('th', { scope: 'col' }, 'Mailbox') : null,
      h('th', { scope: 'col' }, 'Folder'), h('th', { scope: 'col' }, 'Received'),
      h('th', { scope: 'col' }, 'Deleted'), h('th', { scope: 'col', className: 'num' }, 'Size'),
      h('th', { scope: 'col' }, 'Status'))),
    body));
}

// ---------- my deleted items ----------

function fillStoreSelect(select, { allOption, sameOption } = {}) {
  const current = select.value;
  const options = [];
  if (allOption) options.push(h('option', { value: '' }, allOption));
  if (sameOption) options.push(h('option', { value: '' }, sameOption));
  for (const s of state.stores) options.push(h('option', { value: s.guid }, storeLabel(s.guid)));
  select.replaceChildren(...options);
  if (current && [...select.options].some((o) => o.value === current)) select.value = current;
}

let deletedWired = false;
async function showDeleted() {
  const select = $('deleted-store');
  if (!deletedWired) {
    deletedWired = true;
    fillStoreSelect(select);
    // a user sees their own mailbox first
    const own = state.stores.find((s) => state.me.user && s.userName === state.me.user);
    if (own) select.value = own.guid;
    select.addEventListener('change', () => loadDeleted(true));
    $('deleted-kind').addEventListener('change', () => renderDeleted());
    $('deleted-restore').addEventListener('click', restoreDeleted);
  }
  if (state.stores.length === 0) {
    $('deleted-results').replaceChildren(h('p', { className: 'empty', dataset: { testid: 'empty' } },
      'No mailbox of yours is in the backup catalog yet.'));
    return;
  }
  if (state.deleted.store !== select.value) await loadDeleted(true);
}

async function loadDeleted(reset) {
  const d = state.deleted;
  const guid = $('deleted-store').value;
  if (reset) {
    d.store = guid; d.cursor = null; d.rows = []; d.selected.clear();
  }
  const gen = ++d.gen; // a later load (another mailbox chosen meanwhile) wins
  const results = $('deleted-results');
  results.setAttribute('aria-busy', 'true');
  try {
    // the folder names and the page of items in parallel
    const [, page] = await Promise.all([folderPaths(guid),
      api('/api/v1/items' + query({ store: guid, deleted: 'only', limit: PAGE, after: d.cursor }))]);
    if (gen !== d.gen) return;
    for (const it of page.items) state.items.set(key(it.storeGuid, it.sourceKey), it);
    d.rows.push(...page.items);
    d.cursor = page.nextCursor;
    renderDeleted();
  } catch (e) {
    if (gen === d.gen) inlineError(results, e);
  } finally {
    results.removeAttribute('aria-busy');
  }
}

function renderDeleted() {
  const d = state.deleted;
  const kind = $('deleted-kind').value;
  const rows = d.rows.filter((r) => kind === 'all' || (kind === 'hard' ? r.hardDeleted : r.softDeleted && !r.hardDeleted));
  const results = $('deleted-results');
  const update = () => {
    const n = d.selected.size;
    $('deleted-count').textContent = `${n} selected`;
    $('deleted-restore').disabled = n === 0;
    $('deleted-restore').textContent = n ? `Restore selected (${n})` : 'Restore selected';
  };
  if (performance.getEntriesByName('kbr-deleted-rendered').length === 0) performance.mark('kbr-deleted-rendered');
  if (rows.length === 0) {
    results.replaceChildren(h('p', { className: 'empty', dataset: { testid: 'empty' } }, 'No deleted items.'));
  } else {
    results.replaceChildren(...present([
      itemTable(rows, d.selected, { showStore: false, caption: 'Deleted items', onChange: update, testid: 'deleted-table' }),
      d.cursor ? h('button', { type: 'button', className: 'more', onclick: () => loadDeleted(false) }, 'Show more') : null]));
  }
  update();
}

async function restoreDeleted() {
  const d = state.deleted;
  const keys = d.rows.filter((r) => d.selected.has(key(r.storeGuid, r.sourceKey))).map((r) => r.sourceKey);
  if (!keys.length) return;
  const button = $('deleted-restore');
  button.disabled = true;
  try {
    const job = await api('/api/v1/restores', { method: 'POST', body: { selection: { storeGuid: d.store, sourceKeys: keys } } });
    d.selected.clear();
    renderDeleted();
    $('deleted-jobs').prepend(jobPanel(job));
  } catch (e) {
    const box = h('div');
    inlineError(box, e);
    $('deleted-jobs').prepend(box);
    button.disabled = false;
  }
}

// ---------- admin search ----------

let searchWired = false;
function showSearch() {
  if (searchWired) return;
  searchWired = true;
  fillStoreSelect($('s-store'), { allOption: 'All mailboxes' });
  fillStoreSelect($('r-target'), { sameOption: 'Each item’s own mailbox' });
  $('s-store').addEventListener('change', async () => {
    const guid = $('s-store').value;
    const folder = $('s-folder');
    folder.replaceChildren(h('option', { value: '' }, 'All folders'));
    folder.disabled = !guid;
    if (!guid) return;
    try {
      await folderPaths(guid);
      for (const f of state.folderTrees.get(guid.toLowerCase())) {
        folder.append(h('option', { value: f.sourceKey }, '\u00a0\u00a0'.repeat(f.depth || 0) + (f.displayName || '(unnamed)')));
      }
    } catch (e) {
      banner(errorText(e));
    }
  });
  $('search-form').addEventListener('submit', (ev) => { ev.preventDefault(); runSearch(true); });
  $('search-form').addEventListener('reset', () => {
    setTimeout(() => { $('s-folder').disabled = true; }, 0);
    $('search-results').replaceChildren(); $('restore-form').hidden = true;
  });
  $('r-selected').addEventListener('click', restoreSelected);
  $('r-matching').addEventListener('click', restoreMatching);
}

function dayStart(value, plusDays = 0) {
  if (!value) return undefined;
  const d = new Date(value + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d.toISOString().replace('.000Z', 'Z');
}

function searchParams() {
  const store = $('s-store').value;
  const folder = $('s-folder').value;
  return {
    store: store || undefined,
    sender: $('s-sender').value.trim() || undefined,
    recipient: $('s-recipient').value.trim() || undefined,
    subject: $('s-subject').value.trim() || undefined,
    from: dayStart($('s-from').value),
    to: dayStart($('s-to').value, 1),
    folder: folder || undefined,
    subfolders: folder && $('s-subfolders').checked ? 'true' : undefined,
    deleted: $('s-deleted').value,
  };
}

async function runSearch(reset) {
  const s = state.search;
  if (reset) {
    s.params = searchParams(); s.cursor = null; s.rows = []; s.selected.clear();
  }
  const gen = ++s.gen;
  const results = $('search-results');
  results.setAttribute('aria-busy', 'true');
  try {
    const page = await api('/api/v1/items' + query({ ...s.params, limit: PAGE, after: s.cursor }));
    if (gen !== s.gen) return;
    const stores = new Set(page.items.map((i) => i.storeGuid.toLowerCase()));
    for (const g of stores) {
      try { await folderPaths(g); } catch (e) { /* folder names are a nicety; the rows still show */ }
    }
    for (const it of page.items) state.items.set(key(it.storeGuid, it.sourceKey), it);
    if (gen !== s.gen) return;
    s.rows.push(...page.items);
    s.cursor = page.nextCursor;
    renderSearch();
  } catch (e) {
    if (gen !== s.gen) return;
    inlineError(results, e);
    $('restore-form').hidden = true;
  } finally {
    results.removeAttribute('aria-busy');
  }
}

function renderSearch() {
  const s = state.search;
  const update = () => {
    const n = s.selected.size;
    $('r-selected').disabled = n === 0;
    $('r-selected').textContent = n ? `Restore selected (${n})` : 'Restore selected';
    $('r-count').textContent = `${s.rows.length}${s.cursor ? '+' : ''} found, ${n} selected`;
  };
  const results = $('search-results');
  if (s.rows.length === 0) {
    results.replaceChildren(h('p', { className: 'empty', dataset: { testid: 'empty' } }, 'Nothing matches.'));
  } else {
    results.replaceChildren(...present([
      h('p', { className: 'muted', dataset: { testid: 'result-count' } }, `${s.rows.length}${s.cursor ? '+' : ''} items`),
      itemTable(s.rows, s.selected, { showStore: true, caption: 'Search results', onChange: update, testid: 'search-table' }),
      s.cursor ? h('button', { type: 'button', className: 'more', onclick: () => runSearch(false) }, 'Show more') : null]));
  }
  $('restore-form').hidden = s.rows.length === 0;
  update();
}

function restoreOptions() {
  const target = {};
  if ($('r-target').value) target.storeGuid = $('r-target').value;
  if ($('r-root').value.trim()) target.restoreRoot = $('r-root').value.trim();
  const body = { conflictMode: $('r-conflict').value, includeMetadata: $('r-meta').checked };
  if (Object.keys(target).length) body.target = target;
  const asOf = $('r-asof').value;
  if (asOf) body.asOf = new Date(asOf).toISOString().replace('.000Z', 'Z');
  return body;
}

async function submitRestores(bodies) {
  const out = $('search-jobs');
  for (const body of bodies) {
    try {
      const job = await api('/api/v1/restores', { method: 'POST', body });
      out.prepend(jobPanel(job));
    } catch (e) {
      const box = h('div');
      inlineError(box, e);
      out.prepend(box);
    }
  }
}

async function restoreSelected() {
  const s = state.search;
  const byStore = new Map();
  for (const r of s.rows) {
    if (!s.selected.has(key(r.storeGuid, r.sourceKey))) continue;
    if (!byStore.has(r.storeGuid)) byStore.set(r.storeGuid, []);
    byStore.get(r.storeGuid).push(r.sourceKey);
  }
  // one job per source mailbox: a restore request names one source store
  const bodies = [...byStore].map(([storeGuid, sourceKeys]) => ({ selection: { storeGuid, sourceKeys }, ...restoreOptions() }));
  await submitRestores(bodies);
}

async function restoreMatching() {
  const p = state.search.params || searchParams();
  if (!p.store) {
    banner('To restore everything matching, choose one mailbox first (a restore reads one source mailbox).');
    return;
  }
  const selection = { storeGuid: p.store };
  if (p.sender) selection.sender = p.sender;
  if (p.recipient) selection.recipient = p.recipient;
  if (p.subject) selection.subjectWords = p.subject.split(/\s+/);
  if (p.from || p.to) selection.period = { field: 'DELIVERY_TIME', from: p.from, to: p.to };
  if (p.folder) { selection.folderSourceKey = p.folder; selection.includeSubfolders = !!p.subfolders; }
  if (p.deleted === 'only') selection.deletedOnly = true;
  await submitRestores([{ selection, ...restoreOptions() }]);
}

// ---------- restore job progress ----------

/** Polls one job until it is terminal; every listener gets each new state. */
function follow(id, listener) {
  let p = state.polls.get(id);
  if (!p) {
    p = { listeners: new Set(), timer: null, last: null };
    state.polls.set(id, p);
    const tick = async () => {
      try {
        const job = await api(`/api/v1/restores/${encodeURIComponent(id)}`);
        p.last = job;
        for (const l of p.listeners) l(job, null);
        if (TERMINAL.has(job.state)) { state.polls.delete(id); return; }
      } catch (e) {
        for (const l of p.listeners) l(null, e);
        if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) { state.polls.delete(id); return; }
      }
      p.timer = setTimeout(tick, POLL_MS);
    };
    p.timer = setTimeout(tick, 0);
  } else if (p.last) {
    listener(p.last, null);
  }
  p.listeners.add(listener);
}

function jobPanel(initial) {
  const panel = h('article', { className: 'card job', dataset: { testid: 'job', job: initial.id }, 'aria-live': 'polite' });
  const render = (job, error) => {
    if (error) {
      const old = panel.querySelector('.error');
      if (old) old.remove();
      panel.append(h('p', { className: 'error', role: 'alert', dataset: { testid: 'error' } }, errorText(error)));
      return;
    }
    panel.replaceChildren(...present(jobView(job)));
  };
  render(initial);
  if (!TERMINAL.has(initial.state)) follow(initial.id, render);
  return panel;
}

function jobView(job) {
  const c = job.counts || { restored: 0, skippedAsDuplicate: 0, undeleted: 0, failed: 0, selected: null };
  const done = c.restored + c.skippedAsDuplicate + c.undeleted + c.failed;
  const total = c.selected;
  const stateClass = { DONE: 'ok', DONE_WITH_FAILURES: 'warn', FAILED: 'bad' }[job.state] || 'busy';
  const items = job.items || [];
  return [
    h('header', { className: 'row' },
      h('h3', {}, 'Restore ', h('a', { href: `#/jobs/${encodeURIComponent(job.id)}` }, h('code', {}, job.id.slice(0, 8)))),
      h('span', { className: 'badge ' + stateClass, dataset: { testid: 'job-state' } }, job.state.replaceAll('_', ' ').toLowerCase()),
      h('span', { className: 'grow' }),
      h('span', { className: 'muted small' }, `${storeLabel(job.storeGuid)} → ${storeLabel(job.targetStoreGuid)}`)),
    h('progress', { max: total || 1, value: total ? done : 0, dataset: { testid: 'job-progress' },
      'aria-label': 'Restore progress' }),
    h('p', { className: 'counts', dataset: { testid: 'job-counts' } },
      total === null || total === undefined ? 'Finding the items… ' : `${done} of ${total} done: `,
      `${c.restored} restored, ${c.undeleted} undeleted, ${c.skippedAsDuplicate} skipped as already there, ${c.failed} failed`),
    job.reason ? h('p', { className: 'error', dataset: { testid: 'job-reason' } }, job.reason) : null,
    items.length ? h('table', { className: 'outcomes', dataset: { testid: 'job-items' } },
      h('caption', { className: 'sr-only' }, 'Outcome of each item'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Item'), h('th', { scope: 'col' }, 'Outcome'), h('th', { scope: 'col' }, 'Reason'))),
      h('tbody', {}, items.map((i) => {
        const it = state.items.get(key(job.storeGuid, i.sourceKey));
        return h('tr', { dataset: { testid: 'job-item', key: i.sourceKey.toLowerCase(), outcome: i.outcome } },
          h('td', {}, it ? (it.subject || '(no subject)') : h('code', {}, i.sourceKey)),
          h('td', {}, h('span', { className: 'badge ' + (i.outcome === 'FAILED' ? 'bad' : 'ok') }, i.outcome.replaceAll('_', ' ').toLowerCase())),
          h('td', {}, i.reason || ''));
      }))) : null,
  ];
}

// ---------- jobs view ----------

async function showJobs(id) {
  const detail = $('job-detail');
  detail.replaceChildren();
  if (id) {
    try {
      detail.append(jobPanel(await api(`/api/v1/restores/${encodeURIComponent(id)}`)));
    } catch (e) {
      inlineError(detail, e);
    }
  }
  await refreshJobLists();
}

const LIST_REFRESH_MS = 5000;
let listTimer = null;

/** The restore and dump lists; refreshed every few seconds while the Jobs view is open. */
async function refreshJobLists() {
  clearTimeout(listTimer);
  const list = $('restore-list');
  try {
    const jobs = await api('/api/v1/restores?limit=50');
    list.replaceChildren(jobs.length === 0 ? h('p', { className: 'empty' }, 'No restores yet.') :
      h('table', { className: 'items', dataset: { testid: 'restore-list' } },
        h('caption', { className: 'sr-only' }, 'Restore jobs, newest first'),
        h('thead', {}, h('tr', {}, ['Job', 'State', 'From', 'Into', 'Progress', 'Requested'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, jobs.map((j) => {
          const c = j.counts;
          const done = c.restored + c.skippedAsDuplicate + c.undeleted + c.failed;
          return h('tr', { dataset: { testid: 'restore-row', job: j.id } },
            h('td', {}, h('a', { href: `#/jobs/${encodeURIComponent(j.id)}` }, h('code', {}, j.id.slice(0, 8)))),
            h('td', {}, j.state.replaceAll('_', ' ').toLowerCase()),
            h('td', {}, storeLabel(j.storeGuid)), h('td', {}, storeLabel(j.targetStoreGuid)),
            h('td', {}, c.selected === null || c.selected === undefined ? '…' : `${done}/${c.selected}` + (c.failed ? ` (${c.failed} failed)` : '')),
            h('td', { className: 'nowrap' }, fmtTime(j.createdAt)));
        }))));
  } catch (e) {
    inlineError(list, e);
  }
  if (isAdmin()) {
    const dumps = $('dump-list');
    try {
      const body = await api('/api/v1/dumps?limit=50');
      const rows = body.dumps || [];
      dumps.replaceChildren(rows.length === 0 ? h('p', { className: 'empty' }, 'No dumps yet.') :
        h('table', { className: 'items', dataset: { testid: 'dump-list' } },
          h('caption', { className: 'sr-only' }, 'Dumps, newest first'),
          h('thead', {}, h('tr', {}, ['Server', 'Kind', 'State', 'Snapshot at', 'Took', 'Size', 'Problems'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, rows.map((d) => h('tr', { dataset: { testid: 'dump-row', server: d.server, dump: d.dumpId } },
            h('td', {}, d.server, h('div', { className: 'muted small' }, d.database || '')),
            h('td', {}, String(d.kind || '').toLowerCase()),
            h('td', {}, h('span', { className: 'badge ' + ({ COMPLETE: 'ok', INCOMPLETE: 'warn', FAILED: 'bad' }[d.state] || 'busy'),
              dataset: { testid: 'dump-state' } }, String(d.state || '').toLowerCase())),
            h('td', { className: 'nowrap' }, fmtTime(d.snapshotAt || d.startedAt)),
            h('td', { className: 'nowrap' }, d.startedAt && d.finishedAt ? fmtDuration(new Date(d.finishedAt) - new Date(d.startedAt)) : ''),
            h('td', { className: 'num' }, fmtSize(d.storedBytes)),
            h('td', { dataset: { testid: 'dump-problems' } }, (d.problems || []).join('; ')))))));
    } catch (e) {
      inlineError(dumps, e);
    }
  }
  if (!$('view-jobs').hidden) listTimer = setTimeout(refreshJobLists, LIST_REFRESH_MS);
}

// ---------- start ----------

async function start() {
  $('signin-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    setToken($('signin-token').value);
    $('signin-token').value = '';
    $('banner').hidden = true;
    if (deletedWired || searchWired) { location.reload(); return; } // views hold the previous identity's data
    await boot();
  });
  window.addEventListener('hashchange', () => {
    // a new token (another identity) starts the page afresh: nothing of the previous identity stays on screen
    if (takeTokenFromFragment()) { location.reload(); return; }
    route();
  });
  takeTokenFromFragment();
  await boot();
}

async function boot() {
  state.me = null;
  try {
    await loadIdentity();
  } catch (e) {
    $('loading').hidden = true;
    if (e instanceof ApiError && e.status === 401) {
      showSignIn(token() ? e.describe() : 'This catalog needs an access token. Paste yours below.');
    } else if (e instanceof ApiError && e.status === 403) {
      showSignIn(e.describe());
    } else {
      banner(errorText(e));
    }
    return;
  }
  renderWho();
  document.body.dataset.ready = 'true';
  route();
}

window.addEventListener('unhandledrejection', (ev) => banner(errorText(ev.reason)));
start();
