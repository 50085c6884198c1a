// The Cluster Manager UI (docs/ui.md): a small single-page app over the coordinator's own REST API, no framework and
// nothing from elsewhere. Every value from the API is put in the page as text (textContent), never as markup, and
// the page's Content-Security-Policy allows scripts from this origin only.

const TLS_FOR = { enabled: 'Clients and databases + Between databases', replica_ssl: 'Between databases only' };

// ------------------------------------------------------------------------------------------------ DOM and session

/** An element: attributes (on* are listeners, false/null left out), then children (text or nodes). */
export function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (k === 'value') e.value = v;
    else if (k === 'checked' || k === 'selected') e[k] = true;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const session = {
  get auth() { return sessionStorage.getItem('auth'); },
  get user() { return JSON.parse(sessionStorage.getItem('user') || 'null'); },
  get admin() { return session.user?.role === 'admin'; },
  set(auth, user) { sessionStorage.setItem('auth', auth); sessionStorage.setItem('user', JSON.stringify(user)); },
  clear() { sessionStorage.removeItem('auth'); sessionStorage.removeItem('user'); },
};

class ApiError extends Error {
  constructor(status, body) {
    super(body?.description || body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error_code;
    this.field = body?.field;
  }
}

/** A call to the coordinator's API with the signed-in user's credentials; an API refusal is thrown as ApiError. */
async function api(method, path, body, auth = session.auth) {
  // X-Requested-With: a refusal comes without a Basic challenge, so the browser shows no password dialog of its own
  const headers = { Accept: 'application/json', 'X-Requested-With': 'redis-sync-ui' };
  if (auth) headers.Authorization = 'Basic ' + auth;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (r.status === 401 && auth === session.auth) {
    session.clear();
    location.hash = '#/login';
    throw new ApiError(401, json);
  }
  if (!r.ok) throw new ApiError(r.status, json);
  return json;
}

const main = () => document.getElementById('main');

/** A message for the next page shown (e.g. "Saved." after a form re-renders its page). */
let flash = null;

function show(...nodes) {
  const m = main();
  m.replaceChildren(...(flash ? [banner('ok', flash)] : []), ...nodes);
  flash = null;
  return m;
}

function banner(kind, text) {
  return h('div', { class: 'banner ' + kind, role: kind === 'bad' ? 'alert' : 'status' }, text);
}

// ------------------------------------------------------------------------------------------------ routes

const routes = [
  [/^#\/login$/, loginPage],
  [/^#\/databases$/, databasesPage],
  [/^#\/databases\/new$/, newDatabasePage],
  [/^#\/databases\/(\d+)(?:\/(configuration|security))?$/, databasePage],
  [/^#\/crdbs$/, crdbsPage],
  [/^#\/crdbs\/new$/, newCrdbPage],
  [/^#\/crdbs\/([0-9a-zA-Z-]+)$/, crdbPage],
  [/^#\/cluster$/, clusterPage],
];

/** A page's periodic refresh: one at a time, stopped when another page is shown. */
let pageTimer = null;
function every(ms, fn) {
  clearInterval(pageTimer);
  pageTimer = setInterval(() => { if (document.body.contains(main())) fn(); }, ms);
}

async function route() {
  const hash = location.hash || '#/databases';
  if (!session.auth && hash !== '#/login') {
    location.hash = '#/login';
    return;
  }
  chrome();
  clearInterval(pageTimer);
  for (const [re, page] of routes) {
    const m = hash.match(re);
    if (m) {
      try {
        await page(...m.slice(1));
      } catch (e) {
        if (e.status !== 401) show(banner('bad', e.message));
      }
      return;
    }
  }
  show(h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/databases' }, 'Databases')));
}

function chrome() {
  const user = session.user;
  document.getElementById('nav').hidden = !user;
  document.getElementById('logout').hidden = !user;
  document.getElementById('who').textContent = user ? `${user.username} (${user.role})` : '';
  const section = (location.hash.split('/')[1] || '');
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.nav === section) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}

// ------------------------------------------------------------------------------------------------ login

function loginPage() {
  const error = h('p', { class: 'error', id: 'login-error', role: 'alert' });
  const user = h('input', { type: 'text', id: 'username', name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'card login', 'aria-describedby': 'login-error', onsubmit: async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    const auth = btoa(unescape(encodeURIComponent(user.value + ':' + pass.value)));
    try {
      const me = await api('GET', '/ui-api/session', undefined, auth);
      session.set(auth, me);
      location.hash = '#/databases';
    } catch (e) {
      error.textContent = e.status === 401 ? 'Wrong user name or password.' : e.message;
      pass.focus();
    }
  } },
  h('h1', {}, 'Sign in'),
  h('div', { class: 'field' }, h('label', { for: 'username', class: 'block' }, 'User name'), user),
  h('div', { class: 'field' }, h('label', { for: 'password', class: 'block' }, 'Password'), pass),
  error,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'sign-in' }, 'Sign in')));
  show(form);
  user.focus();
}

// ------------------------------------------------------------------------------------------------ databases

function tlsLabel(mode) {
  if (mode === 'enabled') return h('span', { class: 'pill on' }, 'On: clients and databases');
  if (mode === 'replica_ssl') return h('span', { class: 'pill on' }, 'On: between databases');
  return h('span', { class: 'pill off' }, 'Off');
}

function statusLabel(status) {
  return h('span', { class: 'pill ' + (status === 'active' ? 'on' : 'bad') }, status || 'unknown');
}

function endpointOf(b) {
  const ep = (b.endpoints || [])[0];
  return ep ? `${ep.dns_name}:${b.port}` : String(b.port);
}

async function databasesPage() {
  const [bdbs, crdbs] = await Promise.all([api('GET', '/v1/bdbs'), api('GET', '/v1/crdbs')]);
  const crdbNames = Object.fromEntries((crdbs || []).map((c) => [c.guid, c.name]));
  bdbs.sort((a, b) => a.name.localeCompare(b.name) || a.cluster.localeCompare(b.cluster));
  const rows = bdbs.map((b) => h('tr', { 'data-uid': b.uid },
    h('td', {}, h('a', { href: `#/databases/${b.uid}` }, b.name)),
    h('td', {}, b.cluster),
    h('td', {}, h('code', {}, endpointOf(b))),
    h('td', {}, tlsLabel(b.tls_mode)),
    h('td', {}, statusLabel(b.status)),
    h('td', {}, b.crdt_guid ? `${crdbNames[b.crdt_guid] || b.crdt_guid}` : '—'),
    h('td', {}, (b.replica_sources || []).length ? `${b.replica_sources.length} source(s)` : '—')));
  show(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Databases'),
      session.admin ? h('a', { href: '#/databases/new', class: 'button primary', id: 'create-database' }, 'Create database') : null),
    h('table', { id: 'databases' },
      h('thead', {}, h('tr', {}, ['Name', 'Cluster', 'Endpoint', 'TLS', 'Status', 'Active-Active', 'Replica Of'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No databases yet.')))));
}

function newDatabasePage() {
  if (!session.admin) {
    show(banner('bad', 'Only an admin can create a database.'));
    return;
  }
  const clusters = session.user.clusters || [];
  const errors = {};
  const err = (name) => (errors[name] = h('p', { class: 'error', id: `err-${name}` }));
  const form = h('form', { class: 'card', id: 'new-database', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'db-name', class: 'block' }, 'Database name'),
      h('input', { type: 'text', id: 'db-name', required: true, 'aria-describedby': 'err-name' }), err('name')),
    h('div', { class: 'field' }, h('label', { for: 'db-cluster', class: 'block' }, 'Cluster'),
      h('select', { id: 'db-cluster', 'aria-describedby': 'err-cluster' }, clusters.map((c) => h('option', { value: c }, c))), err('cluster')),
    h('div', { class: 'field' }, h('label', { for: 'db-memory', class: 'block' }, 'Memory limit (MB)'),
      h('input', { type: 'number', id: 'db-memory', min: 1, value: '100', 'aria-describedby': 'err-memory_size' }), err('memory_size')),
    h('div', { class: 'field' }, h('label', { for: 'db-port', class: 'block' }, 'Port (optional)'),
      h('input', { type: 'number', id: 'db-port', min: 1, max: 65535, 'aria-describedby': 'err-port' }), err('port')),
    h('fieldset', { 'aria-describedby': 'err-tls_mode' }, h('legend', {}, 'TLS'),
      h('label', {}, h('input', { type: 'radio', name: 'new-tls', id: 'new-tls-off', value: 'off', checked: true }), 'Off'),
      h('label', {}, h('input', { type: 'radio', name: 'new-tls', id: 'new-tls-on', value: 'on' }), 'On'), err('tls_mode')),
    h('p', { class: 'error', id: 'err-form', role: 'alert' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'create' }, 'Create'),
      h('a', { href: '#/databases', class: 'button' }, 'Cancel')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    Object.values(errors).forEach((e) => (e.textContent = ''));
    form.querySelector('#err-form').textContent = '';
    const body = { name: form.querySelector('#db-name').value.trim(), cluster: form.querySelector('#db-cluster').value,
      memory_size: Math.round(Number(form.querySelector('#db-memory').value) * 1024 * 1024),
      tls_mode: form.querySelector('#new-tls-on').checked ? 'enabled' : 'disabled' };
    const port = form.querySelector('#db-port').value;
    if (port) body.port = Number(port);
    try {
      const created = await api('POST', '/v1/bdbs', body);
      location.hash = `#/databases/${created.uid}`;
    } catch (e) {
      const root = (e.field || '').split(/[.[]/)[0];
      (errors[root] || form.querySelector('#err-form')).textContent = e.message;
    }
  });
  show(h('h1', {}, 'Create database'), form);
  form.querySelector('#db-name').focus();
}

async function databasePage(uid, tab = 'configuration') {
  const b = await api('GET', `/v1/bdbs/${uid}`);
  const tabs = h('div', { class: 'tabs', role: 'tablist' },
    [['configuration', 'Configuration'], ['security', 'Security']].map(([id, label]) =>
      h('a', { href: `#/databases/${uid}/${id}`, role: 'tab', id: `tab-${id}`, 'aria-selected': String(tab === id) }, label)));
  const panel = h('section', { role: 'tabpanel', 'aria-labelledby': `tab-${tab}` });
  show(h('h1', {}, b.name, ' ', h('span', { class: 'muted' }, `on ${b.cluster}`)), tabs, panel);
  if (tab === 'security') await securityView(b, panel); else configurationView(b, panel);
}

function configurationView(b, panel) {
  const props = [
    ['Cluster', b.cluster], ['Endpoint', endpointOf(b)], ['Status', statusLabel(b.status)],
    ['Memory limit', `${Math.round((b.memory_size || 0) / 1048576)} MB`], ['TLS', tlsLabel(b.tls_mode)],
    ['Active-Active', b.crdt_guid ? b.crdt_guid : 'No'],
  ];
  panel.append(h('div', { class: 'card' }, h('dl', { class: 'props' }, props.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))));
  replicaOfView(b, panel);
}

// ------------------------------------------------------------------------------------------------ Replica Of

function replicaOfView(b, panel) {
  const sources = b.replica_sources || [];
  const table = h('table', { id: 'replica-sources' },
    h('thead', {}, h('tr', {}, ['Source', 'Encryption', 'Status', 'Lag', 'Last error'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, sources.length ? sources.map((s) => h('tr', { 'data-source': s.uri },
      h('td', {}, h('code', {}, s.uri)), h('td', {}, s.encryption ? 'On' : 'Off'),
      h('td', { class: 'source-status' }, statusPill(s.status)), h('td', { class: 'source-lag' }, s.lag === undefined ? '—' : `${s.lag} ms`),
      h('td', { class: 'source-error' }, s.last_error || '—')))
      : h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'This database replicates from no source.'))));
  const section = h('section', { id: 'replica-of' }, h('div', { class: 'toolbar' }, h('h2', {}, 'Replica Of'),
    session.admin ? h('button', { type: 'button', id: 'add-source', onclick: () => { form.hidden = false; form.querySelector('#source-uri').focus(); } },
      'Add source') : null), table);
  const errForm = h('p', { class: 'error', id: 'err-replica_sources', role: 'alert' });
  const form = h('form', { class: 'card', id: 'source-form', hidden: true, novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'source-uri', class: 'block' }, 'Source database URL'),
      h('input', { type: 'text', id: 'source-uri', size: 50, placeholder: 'redis://[admin:<password>@]<host>:<port>',
        'aria-describedby': 'err-replica_sources' })),
    h('div', { class: 'field' }, h('label', {}, h('input', { type: 'checkbox', id: 'source-encryption' }), 'Encryption (TLS)')),
    h('div', { class: 'field' }, h('label', { for: 'source-cert', class: 'block' },
      "Source's server certificate (PEM; the source cluster's proxy certificate. Optional for a source in this suite: it is trusted automatically)"),
    h('textarea', { id: 'source-cert' })),
    errForm,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'add-source-confirm' }, 'Add source'),
      h('button', { type: 'button', onclick: () => { form.hidden = true; } }, 'Cancel')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    errForm.textContent = '';
    const added = { uri: form.querySelector('#source-uri').value.trim(), encryption: form.querySelector('#source-encryption').checked };
    const cert = form.querySelector('#source-cert').value.trim();
    if (cert) added.server_cert = cert + '\n';
    try {
      await api('PUT', `/v1/bdbs/${b.uid}`, { replica_sources: [...sources, added] });
      await route();
    } catch (e) { errForm.textContent = e.message; }
  });
  section.append(form);
  panel.append(section);
  syncerCertificate(b.cluster).then((c) => section.append(c));
  every(2000, async () => {
    const now = await api('GET', `/v1/bdbs/${b.uid}`).catch(() => null);
    if (!now) return;
    for (const s of now.replica_sources || []) {
      const row = [...table.querySelectorAll('tr[data-source]')].find((r) => r.dataset.source === s.uri);
      if (!row) continue;
      row.querySelector('.source-status').replaceChildren(statusPill(s.status));
      row.querySelector('.source-lag').textContent = s.lag === undefined ? '—' : `${s.lag} ms`;
      row.querySelector('.source-error').textContent = s.last_error || '—';
    }
  });
}

function statusPill(status) {
  return h('span', { class: 'pill ' + (status === 'in-sync' || status === 'active' ? 'on' : status === 'syncing' ? '' : 'bad') }, status || 'unknown');
}

/** The seed's manual Replica Of step: this cluster's syncer certificate, to paste into the source. */
async function syncerCertificate(cluster) {
  const certs = await api('GET', `/v1/cluster/certificates?cluster=${encodeURIComponent(cluster)}`).catch(() => null);
  if (!certs || !certs.syncer_cert) return h('p', { class: 'muted' }, 'The syncer certificate is not available.');
  const pem = h('textarea', { id: 'syncer-cert', readonly: true, 'aria-label': `Syncer certificate of ${cluster}` }, certs.syncer_cert);
  const copied = h('span', { class: 'muted', role: 'status', id: 'syncer-cert-copied' });
  return h('div', { class: 'card' }, h('h2', {}, `Syncer certificate of ${cluster}`),
    h('p', { class: 'muted' }, "A source with mutual TLS needs it (the seed: copy it, then paste it into the source's Security tab). "
      + 'Sources in this suite trust it already.'),
    pem, h('div', { class: 'actions' }, h('button', { type: 'button', id: 'copy-syncer-cert', onclick: async () => {
      try { await navigator.clipboard.writeText(certs.syncer_cert); copied.textContent = 'Copied.'; }
      catch { pem.select(); copied.textContent = 'Selected: press Ctrl+C to copy.'; }
    } }, 'Copy'), copied));
}

// ------------------------------------------------------------------------------------------------ Active-Active

/** A task's progress, live, until it is finished or failed; resolves with the last state. */
async function watchTask(id, box) {
  for (;;) {
    const t = await api('GET', `/v1/crdb_tasks/${id}`);
    box.replaceChildren(h('div', { class: 'banner ' + (t.status === 'failed' ? 'bad' : 'ok'), role: 'status', id: 'task-progress',
      'data-status': t.status },
    `Task ${t.id} (${t.operation || 'task'}): ${t.status}`,
    (t.errors || []).map((e) => h('div', {}, `${e.cluster_name || ''}: ${e.description || e.message || JSON.stringify(e)}`))));
    if (t.status === 'finished' || t.status === 'failed') return t;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function crdbsPage() {
  const crdbs = await api('GET', '/v1/crdbs');
  crdbs.sort((a, b) => a.name.localeCompare(b.name));
  show(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Active-Active databases'),
      session.admin ? h('a', { href: '#/crdbs/new', class: 'button primary', id: 'create-crdb' }, 'Create Active-Active database') : null),
    h('table', { id: 'crdbs' },
      h('thead', {}, h('tr', {}, ['Name', 'Participating clusters', 'TLS', 'GUID'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, crdbs.length ? crdbs.map((c) => h('tr', {},
        h('td', {}, h('a', { href: `#/crdbs/${c.guid}` }, c.name)),
        h('td', {}, c.instances.map((i) => i.cluster.name + (i.membership ? ` (${i.membership})` : '')).join(', ')),
        h('td', {}, h('span', { class: 'pill ' + (c.encryption ? 'on' : 'off') }, c.encryption ? 'On' : 'Off')),
        h('td', {}, h('code', {}, c.guid))))
        : h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No Active-Active databases yet.')))));
}

function newCrdbPage() {
  if (!session.admin) {
    show(banner('bad', 'Only an admin can create an Active-Active database.'));
    return;
  }
  const clusters = session.user.clusters || [];
  const progress = h('div', { id: 'crdb-progress' });
  const errForm = h('p', { class: 'error', id: 'err-form', role: 'alert' });
  const form = h('form', { class: 'card', id: 'new-crdb', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'crdb-name', class: 'block' }, 'Database name'), h('input', { type: 'text', id: 'crdb-name' })),
    h('div', { class: 'field' }, h('label', { for: 'crdb-memory', class: 'block' }, 'Memory limit (MB)'),
      h('input', { type: 'number', id: 'crdb-memory', min: 1, value: '100' })),
    h('fieldset', {}, h('legend', {}, 'Participating clusters'),
      clusters.map((c) => h('label', {}, h('input', { type: 'checkbox', name: 'crdb-cluster', value: c, id: `crdb-cluster-${c}`, checked: true }), c))),
    h('fieldset', {}, h('legend', {}, 'TLS'),
      h('p', { class: 'muted' }, 'Encrypt the replication between the participating clusters (the syncers use mutual TLS).'),
      h('label', {}, h('input', { type: 'radio', name: 'crdb-tls', id: 'crdb-tls-on', value: 'on' }), 'On'),
      h('label', {}, h('input', { type: 'radio', name: 'crdb-tls', id: 'crdb-tls-off', value: 'off', checked: true }), 'Off')),
    errForm,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'create-crdb-confirm' }, 'Create'),
      h('a', { href: '#/crdbs', class: 'button' }, 'Cancel')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    errForm.textContent = '';
    const name = form.querySelector('#crdb-name').value.trim();
    const body = { name, encryption: form.querySelector('#crdb-tls-on').checked,
      default_db_config: { name, memory_size: Math.round(Number(form.querySelector('#crdb-memory').value) * 1048576) },
      instances: [...form.querySelectorAll('input[name=crdb-cluster]:checked')].map((c) => ({ cluster: { name: c.value } })) };
    try {
      const task = await api('POST', '/v1/crdbs', body);
      form.querySelector('#create-crdb-confirm').disabled = true;
      const t = await watchTask(task.id, progress);
      if (t.status === 'finished') location.hash = `#/crdbs/${task.crdb_guid || t.crdb_guid}`;
      else form.querySelector('#create-crdb-confirm').disabled = false;
    } catch (e) { errForm.textContent = e.message; }
  });
  show(h('h1', {}, 'Create Active-Active database'), progress, form);
  form.querySelector('#crdb-name').focus();
}

/**
 * A channel's lag over the last ten minutes as a small step chart: the coordinator's samples ([epoch-ms, lag-ms], as
 * the syncer-service reported them), each held until the next, the last one until now.
 */
function sparkline(samples, now) {
  const w = 160; const hgt = 32; const span = 600000;
  const max = Math.max(1000, ...samples.map((p) => p[1]));
  const x = (t) => Math.max(0, w - ((now - t) / span) * w).toFixed(1);
  const y = (lag) => (hgt - 2 - (lag / max) * (hgt - 4)).toFixed(1);
  const pts = [];
  samples.forEach(([t, lag], n) => {
    if (n > 0) pts.push(`${x(t)},${y(samples[n - 1][1])}`);
    pts.push(`${x(t)},${y(lag)}`);
  });
  if (samples.length) pts.push(`${w},${y(samples[samples.length - 1][1])}`);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', w); svg.setAttribute('height', hgt); svg.setAttribute('class', 'spark');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `lag over the last 10 minutes: ${samples.length} reports, at most ${Math.max(0, ...samples.map((p) => p[1]))} ms`);
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', pts.join(' ')); line.setAttribute('fill', 'none'); line.setAttribute('stroke', '#c6302b');
  line.setAttribute('stroke-width', '1.5');
  svg.append(line);
  return svg;
}

async function crdbPage(guid) {
  // The header (with the switch) is made once, and again after a switch; the two tables' rows are refreshed every
  // 2 s in place, so the page never takes the keyboard focus away from a button.
  const progress = h('div', { id: 'encryption-progress' });
  const header = h('div', { class: 'card' });
  const instances = h('tbody', {});
  const channels = h('tbody', {});
  show(h('h1', { id: 'crdb-title' }, 'Active-Active database'), progress, header,
    h('h2', {}, 'Participating clusters'),
    h('table', { id: 'crdb-instances' },
      h('thead', {}, h('tr', {}, ['Cluster', 'Database', 'Endpoint', 'TLS', 'Status', 'Membership'].map((t) => h('th', { scope: 'col' }, t)))),
      instances),
    h('h2', {}, 'Channels'),
    h('table', { id: 'crdb-channels' },
      h('thead', {}, h('tr', {}, ['From → To', 'State', 'Lag', 'Lag, last 10 minutes', 'TLS', 'Peer subject', 'Peer certificate expires',
        'Full / partial resyncs', 'Last error'].map((t) => h('th', { scope: 'col' }, t)))),
      channels));
  const renderHeader = (c) => {
    document.getElementById('crdb-title').replaceChildren(c.name, ' ', h('span', { class: 'muted' }, 'Active-Active'));
    header.replaceChildren(h('div', { class: 'toolbar' },
      h('div', {}, h('strong', {}, 'TLS between clusters: '), h('span', { id: 'crdb-encryption', class: 'pill ' + (c.encryption ? 'on' : 'off') },
        c.encryption ? 'On' : 'Off')),
      session.admin ? h('button', { type: 'button', id: 'toggle-encryption', onclick: async (ev) => {
        ev.target.disabled = true;
        try {
          const task = await api('PATCH', `/v1/crdbs/${guid}`, { encryption: !c.encryption });
          await watchTask(task.id, progress);
        } catch (e) { progress.replaceChildren(banner('bad', e.message)); }
        const now = await refresh();
        renderHeader(now);
        document.getElementById('toggle-encryption')?.focus();
      } }, c.encryption ? 'Turn TLS off' : 'Turn TLS on') : null));
  };
  const refresh = async () => {
    const c = await api('GET', `/v1/crdbs/${guid}`);
    const [bdbs, lags] = await Promise.all([Promise.all(c.instances.map((i) => api('GET', `/v1/bdbs/${i.db_uid}`).catch(() => null))),
      api('GET', `/ui-api/crdbs/${guid}/lag`).catch(() => ({ now: Date.now(), channels: {} }))]);
    instances.replaceChildren(...c.instances.map((i, n) => h('tr', {},
      h('td', {}, i.cluster.name),
      h('td', {}, h('a', { href: `#/databases/${i.db_uid}` }, bdbs[n] ? bdbs[n].name : String(i.db_uid))),
      h('td', {}, bdbs[n] ? h('code', {}, endpointOf(bdbs[n])) : '—'),
      h('td', {}, bdbs[n] ? tlsLabel(bdbs[n].tls_mode) : '—'),
      h('td', {}, bdbs[n] ? statusLabel(bdbs[n].status) : '—'),
      h('td', {}, i.membership || 'active'))));
    channels.replaceChildren(...c.channels.map((ch) => h('tr', { 'data-channel': `${ch.from}>${ch.to}`, 'data-tls': String(!!ch.tls?.enabled) },
      h('td', {}, `${ch.from} → ${ch.to}`),
      h('td', {}, statusPill(ch.status)),
      h('td', {}, typeof ch.lag === 'number' ? `${ch.lag} ms` : '—'),
      h('td', {}, sparkline(lags.channels[`${ch.from}>${ch.to}`] || [], lags.now)),
      h('td', { class: 'channel-tls' }, ch.tls?.enabled ? `${ch.tls.protocol} ${ch.tls.cipher}` : 'Off'),
      h('td', {}, ch.tls?.peer_subject || '—'),
      h('td', {}, ch.tls?.peer_not_after || '—'),
      h('td', {}, `${ch.full_resyncs ?? 0} / ${ch.partial_resyncs ?? 0}`),
      h('td', {}, ch.last_error || '—'))));
    return c;
  };
  renderHeader(await refresh());
  every(2000, () => refresh().catch(() => {}));
}

// ------------------------------------------------------------------------------------------------ Cluster › Security › Certificates

const CERT_NAMES = [['proxy', 'proxy_cert', 'Server authentication (proxy: the databases\' endpoints)'], ['syncer', 'syncer_cert', 'Syncer (replication between clusters)']];

async function clusterPage() {
  const clusters = session.user.clusters || [];
  const all = await Promise.all(clusters.map(async (cl) => {
    const certs = await api('GET', `/v1/cluster/certificates?cluster=${encodeURIComponent(cl)}`).catch(() => ({}));
    const infos = await Promise.all(CERT_NAMES.map(([, field]) => certs[field] ? describe(certs[field]).catch(() => null) : null));
    return { cluster: cl, infos, certs };
  }));
  const cards = all.map(({ cluster, infos, certs }) => {
    const progress = h('div', {});
    const rows = CERT_NAMES.map(([name, , label], n) => {
      const leaf = infos[n]?.certificates?.[0];
      return h('tr', { 'data-cert': `${cluster}/${name}` }, h('td', {}, label), h('td', {}, leaf ? leaf.subject : '—'),
        h('td', { class: 'not-after' }, leaf ? leaf.not_after : '—'),
        h('td', {}, session.admin ? h('button', { type: 'button', id: `rotate-${cluster}-${name}`, onclick: async (ev) => {
          ev.target.disabled = true;
          try {
            await api('POST', `/v1/cluster/certificates/rotate?cluster=${encodeURIComponent(cluster)}`, { name });
            progress.replaceChildren(banner('ok', `Rotation of the ${name} certificate of ${cluster} requested: its owner re-keys now.`));
          } catch (e) { progress.replaceChildren(banner('bad', e.message)); }
          ev.target.disabled = false;
        } }, 'Rotate') : null));
    });
    const upErr = h('p', { class: 'error', id: `err-upload-${cluster}`, role: 'alert' });
    const upload = h('form', { class: 'card', id: `upload-${cluster}`, hidden: true, novalidate: true },
      h('div', { class: 'field' }, h('label', { for: `upload-name-${cluster}`, class: 'block' }, 'Certificate'),
        h('select', { id: `upload-name-${cluster}` }, CERT_NAMES.map(([name, , label]) => h('option', { value: name }, label)))),
      h('div', { class: 'field' }, h('label', { for: `upload-cert-${cluster}`, class: 'block' }, 'Certificate chain (PEM, leaf first)'),
        h('textarea', { id: `upload-cert-${cluster}` })),
      h('div', { class: 'field' }, h('label', { for: `upload-key-${cluster}`, class: 'block' }, 'Private key (PEM; sent to cert-service only, never shown again)'),
        h('textarea', { id: `upload-key-${cluster}`, autocomplete: 'off' })),
      upErr,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: `upload-confirm-${cluster}` }, 'Upload'),
        h('button', { type: 'button', onclick: () => { upload.hidden = true; } }, 'Cancel')));
    upload.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      upErr.textContent = '';
      const key = upload.querySelector(`#upload-key-${cluster}`);
      try {
        await api('PUT', `/v1/cluster/update_cert?cluster=${encodeURIComponent(cluster)}`, { name: upload.querySelector(`#upload-name-${cluster}`).value,
          certificate: upload.querySelector(`#upload-cert-${cluster}`).value, key: key.value });
        key.value = '';
        await route();
      } catch (e) { upErr.textContent = e.message; }
    });
    return h('section', { class: 'card', 'data-cluster': cluster },
      h('div', { class: 'toolbar' }, h('h2', {}, cluster),
        session.admin ? h('button', { type: 'button', id: `upload-${cluster}-open`, onclick: () => { upload.hidden = false; } }, 'Upload') : null),
      progress,
      h('table', {}, h('thead', {}, h('tr', {}, ['Certificate', 'Subject', 'Expires', ''].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows)),
      certs.proxy_cert ? serverCertificate(cluster, certs.proxy_cert) : null,
      session.admin ? upload : null);
  });
  // the API's certificate: the control plane's, one for the whole suite (operator files or cert-service's)
  const apiPem = await api('GET', '/ui-api/api-certificate').catch(() => null);
  const apiInfo = apiPem && apiPem.pem ? await describe(apiPem.pem).catch(() => null) : null;
  const apiLeaf = apiInfo?.certificates?.[0];
  const apiCard = h('section', { class: 'card', 'data-cluster': 'control-plane' }, h('h2', {}, 'Control plane'),
    h('table', {}, h('thead', {}, h('tr', {}, ['Certificate', 'Subject', 'Expires'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, h('tr', { 'data-cert': 'control-plane/api' }, h('td', {}, 'API (REST API and this UI)'),
        h('td', {}, apiLeaf ? apiLeaf.subject : '—'), h('td', { class: 'not-after' }, apiLeaf ? apiLeaf.not_after : '—')))),
    h('p', { class: 'muted' }, 'Renewed by the coordinator before it expires; an operator-supplied one is read again from its files (docs/api.md).'));
  if (apiLeaf) all.push({ cluster: 'control-plane', infos: [null, null], api: apiLeaf });
  show(h('h1', {}, 'Cluster ', h('span', { class: 'muted' }, '› Security › Certificates')), expiryTimeline(all), ...cards, apiCard);
}

/** The seed's "Cluster > Security > Certificates > Server authentication": the proxy certificate, to copy or download. */
function serverCertificate(cluster, pem) {
  const text = h('textarea', { id: `proxy-cert-${cluster}`, readonly: true, 'aria-label': `Server (proxy) certificate of ${cluster}` }, pem);
  const said = h('span', { class: 'muted', role: 'status' });
  return h('details', {}, h('summary', {}, 'Server authentication: proxy_cert.pem (for redis-cli --tls --cacert)'), text,
    h('div', { class: 'actions' },
      h('button', { type: 'button', id: `copy-proxy-cert-${cluster}`, onclick: async () => {
        try { await navigator.clipboard.writeText(pem); said.textContent = 'Copied.'; }
        catch { text.select(); said.textContent = 'Selected: press Ctrl+C to copy.'; }
      } }, 'Copy'),
      h('a', { class: 'button', href: URL.createObjectURL(new Blob([pem], { type: 'application/x-pem-file' })),
        download: `${cluster}-proxy_cert.pem`, id: `download-proxy-cert-${cluster}` }, 'Download'),
      said));
}

/** Every cluster certificate's remaining lifetime, on one time axis from now. */
function expiryTimeline(all) {
  const items = [];
  for (const { cluster, infos, api: apiLeaf } of all) {
    CERT_NAMES.forEach(([name], n) => {
      const leaf = infos[n]?.certificates?.[0];
      if (leaf) items.push({ label: `${cluster} ${name}`, end: Date.parse(leaf.not_after) });
    });
    if (apiLeaf) items.push({ label: 'API', end: Date.parse(apiLeaf.not_after) });
  }
  const now = Date.now();
  const last = Math.max(now + 86400000, ...items.map((i) => i.end));
  const w = 900; const row = 22; const left = 170;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', w); svg.setAttribute('height', items.length * row + 24); svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Certificate expiry timeline'); svg.setAttribute('id', 'expiry-timeline');
  const text = (x, y, t, anchor = 'start') => {
    const e = document.createElementNS(ns, 'text');
    e.setAttribute('x', x); e.setAttribute('y', y); e.setAttribute('font-size', '12'); e.setAttribute('text-anchor', anchor); e.textContent = t;
    return e;
  };
  items.forEach((it, n) => {
    const y = n * row + 4;
    const bar = document.createElementNS(ns, 'rect');
    const width = Math.max(2, ((it.end - now) / (last - now)) * (w - left - 90));
    const days = (it.end - now) / 86400000;
    bar.setAttribute('x', left); bar.setAttribute('y', y); bar.setAttribute('height', row - 8); bar.setAttribute('width', width);
    bar.setAttribute('fill', days < 7 ? '#b42318' : days < 30 ? '#d97706' : '#1f7a3a');
    svg.append(text(left - 8, y + 11, it.label, 'end'), bar, text(left + width + 6, y + 11, `${days.toFixed(1)} days`));
  });
  svg.append(text(left, items.length * row + 18, 'now'), text(w - 90, items.length * row + 18, new Date(last).toISOString().slice(0, 10), 'end'));
  return h('div', { class: 'card' }, h('h2', {}, 'Certificate expiry'), svg);
}

// ------------------------------------------------------------------------------------------------ Security tab

/** What a PEM entry is (subject, issuer, expiry, pinned leaf or CA chain), as the coordinator reads it. */
async function describe(pem) {
  return api('POST', '/ui-api/certificate', { pem });
}

function certCard(pem, info, onRemove) {
  const leaf = info ? info.certificates[0] : null;
  return h('div', { class: 'cert' },
    info ? [
      h('div', { class: 'subject' }, leaf.subject),
      h('div', { class: 'muted' }, `Issuer: ${leaf.issuer}`),
      h('div', { class: 'muted' }, 'Expires: ', leaf.not_after, leaf.expired ? h('span', { class: 'pill bad' }, ' expired') : null),
      h('div', {}, h('span', { class: 'pill' }, info.use === 'ca_chain' ? `CA chain (${info.certificates.length}): trusts what it signed`
        : 'Pinned leaf: this exact certificate')),
    ] : h('div', { class: 'muted' }, 'A certificate this page cannot read'),
    onRemove ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'link', onclick: onRemove }, 'Remove')) : null);
}

async function securityView(b, panel) {
  const certs = (b.authentication_ssl_client_certs || []).map((c) => c.client_cert);
  const infos = await Promise.all(certs.map((p) => describe(p).catch(() => null)));
  const mtls = certs.length > 0;
  const validation = b.client_cert_subject_validation_type || 'disabled';
  const subjects = b.authorized_subjects || [];
  const rows = [
    ['TLS', b.tls_mode === 'disabled' ? 'Off' : 'On'],
    ['Apply TLS for', TLS_FOR[b.tls_mode] || '—'],
    ['Mutual TLS (Client authentication)', mtls ? 'On' : 'Off'],
    ['Enforce client authentication', b.enforce_client_authentication === 'enabled' ? 'Yes' : 'No'],
    ['Additional certificate validations', validation === 'san_cn' ? 'By Subject Alternative Name'
      : validation === 'full_subject' ? 'By full Subject Name' : 'No validation'],
    ['Allow outdated certificates', b.mtls_allow_outdated_certs ? 'Yes' : 'No'],
  ];
  panel.append(h('div', { class: 'card', id: 'security-view' },
    h('div', { class: 'toolbar' }, h('h2', {}, 'TLS - Transport Layer Security for secure connections'),
      session.admin ? h('button', { type: 'button', id: 'edit-security', onclick: () => securityEdit(b, panel, infos) }, 'Edit') : null),
    h('dl', { class: 'props' }, rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-prop': k }, v)])),
    mtls ? [h('h2', {}, 'Certificates'), certs.map((p, i) => certCard(p, infos[i]))] : null,
    subjects.length ? [h('h2', {}, 'Authorized subjects'), h('ul', {}, subjects.map((s) => h('li', {}, subjectText(s))))] : null));
}

function subjectText(s) {
  return ['CN', 'OU', 'O', 'L', 'ST', 'C'].filter((k) => s[k] && s[k].length)
    .map((k) => `${k}=${Array.isArray(s[k]) ? s[k].join(', ') : s[k]}`).join(', ');
}

function securityEdit(b, panel, infos) {
  const state = {
    certs: (b.authentication_ssl_client_certs || []).map((c, i) => ({ pem: c.client_cert, info: infos[i] })),
    subjects: (b.authorized_subjects || []).map((s) => ({ ...s })),
  };
  const errors = {};
  const err = (name) => (errors[name] = h('p', { class: 'error', id: `err-${name}` }));
  const radio = (name, id, value, checked, label) =>
    h('label', {}, h('input', { type: 'radio', name, id, value, checked }), label);

  const tlsOn = b.tls_mode !== 'disabled';
  const applyFor = h('select', { id: 'apply-tls-for', 'aria-describedby': 'err-tls_mode' },
    Object.entries(TLS_FOR).map(([v, t]) => h('option', { value: v, selected: b.tls_mode === v }, t)));
  const mtls = h('input', { type: 'checkbox', id: 'mtls', checked: state.certs.length > 0 });
  const enforce = h('input', { type: 'checkbox', id: 'enforce-client-auth', checked: b.enforce_client_authentication === 'enabled',
    'aria-describedby': 'err-enforce_client_authentication' });
  const validation = b.client_cert_subject_validation_type || 'disabled';
  const outdated = h('input', { type: 'checkbox', id: 'allow-outdated', checked: !!b.mtls_allow_outdated_certs,
    'aria-describedby': 'err-mtls_allow_outdated_certs' });

  const certList = h('div', { id: 'cert-list' });
  const renderCerts = () => certList.replaceChildren(...state.certs.map((c, i) =>
    certCard(c.pem, c.info, () => { state.certs.splice(i, 1); renderCerts(); })));
  renderCerts();

  const pemInput = h('textarea', { id: 'new-cert-pem', 'aria-describedby': 'err-new-cert', placeholder: '-----BEGIN CERTIFICATE-----' });
  const fileInput = h('input', { type: 'file', id: 'new-cert-file', accept: '.pem,.crt,.cer' });
  fileInput.addEventListener('change', async () => { if (fileInput.files[0]) pemInput.value = await fileInput.files[0].text(); });
  const addError = h('p', { class: 'error', id: 'err-new-cert' });
  const addBox = h('div', { class: 'card', id: 'add-cert-box', hidden: true },
    h('label', { for: 'new-cert-pem', class: 'block' }, 'Certificate (PEM): paste it, or upload a file'),
    pemInput, h('p', {}, h('label', { for: 'new-cert-file' }, 'Upload'), fileInput), addError,
    h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'add-cert-confirm', class: 'primary', onclick: async () => {
        addError.textContent = '';
        try {
          const info = await describe(pemInput.value);
          state.certs.push({ pem: pemInput.value.trim() + '\n', info });
          pemInput.value = '';
          addBox.hidden = true;
          renderCerts();
        } catch (e) { addError.textContent = e.message; }
      } }, 'Done'),
      h('button', { type: 'button', onclick: () => { addBox.hidden = true; } }, 'Cancel')));

  const subjectList = h('div', { id: 'subject-list' });
  const renderSubjects = () => subjectList.replaceChildren(...state.subjects.map((s, i) => {
    const input = (k, label, value) => h('label', {}, label,
      h('input', { type: 'text', id: `subject-${i}-${k}`, value: value || '', 'aria-describedby': `err-authorized_subjects-${i}`, oninput: (ev) => {
        s[k] = k === 'OU' ? ev.target.value.split(',').map((x) => x.trim()).filter(Boolean) : ev.target.value.trim();
        const stale = document.getElementById(`err-authorized_subjects-${i}`); // said of the value before this edit
        if (stale) stale.textContent = '';
      } }));
    return h('div', {},
      h('div', { class: 'subject-row', 'data-subject': i },
        input('CN', 'Common Name (CN)', s.CN), input('O', 'Organization (O)', s.O),
        input('OU', 'Organizational Units (OU, comma-separated)', Array.isArray(s.OU) ? s.OU.join(', ') : s.OU),
        input('L', 'Locality (L)', s.L), input('ST', 'State (ST)', s.ST), input('C', 'Country (C)', s.C),
        h('button', { type: 'button', class: 'link', onclick: () => { state.subjects.splice(i, 1); renderSubjects(); } }, 'Remove')),
      h('p', { class: 'error', id: `err-authorized_subjects-${i}` }));
  }));
  renderSubjects();

  const form = h('form', { class: 'card', id: 'security-form', novalidate: true },
    h('h2', {}, 'TLS - Transport Layer Security for secure connections'),
    h('fieldset', { 'aria-describedby': 'err-tls_mode' }, h('legend', {}, 'TLS'),
      radio('tls', 'tls-on', 'on', tlsOn, 'On'), radio('tls', 'tls-off', 'off', !tlsOn, 'Off')),
    h('div', { class: 'field indent', id: 'tls-options' },
      h('div', { class: 'field' }, h('label', { for: 'apply-tls-for', class: 'block' }, 'Apply TLS for'), applyFor, err('tls_mode')),
      h('div', { class: 'field' }, h('label', {}, mtls, 'Mutual TLS (Client authentication)')),
      h('div', { class: 'indent', id: 'mtls-options' },
        h('div', { class: 'field', 'aria-describedby': 'err-authentication_ssl_client_certs' },
          h('strong', {}, 'Certificates'), certList, err('authentication_ssl_client_certs'),
          h('button', { type: 'button', id: 'add-cert', onclick: () => { addBox.hidden = false; pemInput.focus(); } }, '+ Add certificate'),
          addBox),
        h('div', { class: 'field' }, h('label', {}, enforce, 'Enforce client authentication'), err('enforce_client_authentication')),
        h('fieldset', { class: 'field', 'aria-describedby': 'err-client_cert_subject_validation_type' },
          h('legend', {}, 'Additional certificate validations'),
          h('p', { class: 'muted' }, 'They apply to a certificate chain without a leaf (a root and intermediate CA certificates); '
            + 'with a leaf certificate, mutual client authentication skips them.'),
          radio('validation', 'validation-none', 'disabled', validation === 'disabled', 'No validation'),
          radio('validation', 'validation-san', 'san_cn', validation === 'san_cn', 'By Subject Alternative Name'),
          radio('validation', 'validation-full', 'full_subject', validation === 'full_subject', 'By full Subject Name'),
          err('client_cert_subject_validation_type')),
        h('div', { class: 'indent', id: 'validation-options' },
          subjectList, err('authorized_subjects'),
          h('button', { type: 'button', id: 'add-subject', onclick: () => { state.subjects.push({ CN: '' }); renderSubjects(); } }, '+ Add validation')),
        h('div', { class: 'field' }, h('label', {}, outdated, 'Allow outdated certificates'), err('mtls_allow_outdated_certs')))),
    h('p', { class: 'error', id: 'err-form', role: 'alert' }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'save-security' }, 'Save'),
      h('button', { type: 'button', id: 'cancel-security', onclick: () => route() }, 'Cancel')));

  const sync = () => {
    const on = form.querySelector('#tls-on').checked;
    form.querySelector('#tls-options').hidden = !on;
    form.querySelector('#mtls-options').hidden = !mtls.checked;
    form.querySelector('#validation-options').hidden = form.querySelector('#validation-none').checked;
  };
  form.addEventListener('change', sync);
  sync();

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    form.querySelectorAll('.error').forEach((e) => (e.textContent = ''));
    const on = form.querySelector('#tls-on').checked;
    const withMtls = on && mtls.checked;
    const withValidation = withMtls && !form.querySelector('#validation-none').checked;
    const body = {
      tls_mode: on ? applyFor.value : 'disabled',
      authentication_ssl_client_certs: withMtls ? state.certs.map((c) => ({ client_cert: c.pem })) : [],
      enforce_client_authentication: withMtls && enforce.checked ? 'enabled' : 'disabled',
      client_cert_subject_validation_type: withValidation
        ? (form.querySelector('#validation-full').checked ? 'full_subject' : 'san_cn') : 'disabled',
      authorized_subjects: withValidation ? state.subjects.map(clean) : [],
      mtls_allow_outdated_certs: withMtls && outdated.checked,
    };
    try {
      await api('PUT', `/v1/bdbs/${b.uid}`, body);
      flash = 'Saved. The endpoint applies it to new connections.';
      await route();
    } catch (e) {
      const target = fieldError(form, e.field);
      target.textContent = e.message;
      target.scrollIntoView({ block: 'center' });
    }
  });
  panel.replaceChildren(form);
  form.querySelector(tlsOn ? '#tls-on' : '#tls-off').focus();
}

/** A subject row as the API takes it: empty attributes left out. */
function clean(s) {
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    if (Array.isArray(v) ? v.length : v) out[k] = v;
  }
  return out;
}

/** Where an API refusal goes: next to the field it names ("authorized_subjects[1]" is that row), else on top. */
function fieldError(form, field) {
  if (field) {
    const m = field.match(/^([a-z_]+)(?:\[(\d+)])?/);
    const row = m && m[2] !== undefined && form.querySelector(`#err-${m[1]}-${m[2]}`);
    const whole = m && form.querySelector(`#err-${m[1]}`);
    if (row) return row;
    if (whole) return whole;
  }
  return form.querySelector('#err-form');
}

// ------------------------------------------------------------------------------------------------ start

document.getElementById('logout').addEventListener('click', () => {
  session.clear();
  location.hash = '#/login';
});
window.addEventListener('hashchange', route);
route();
