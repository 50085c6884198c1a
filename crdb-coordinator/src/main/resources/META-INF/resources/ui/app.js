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

function show(...nodes) {
  const m = main();
  m.replaceChildren(...nodes);
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
];

async function route() {
  const hash = location.hash || '#/databases';
  if (!session.auth && hash !== '#/login') {
    location.hash = '#/login';
    return;
  }
  chrome();
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
  if ((b.replica_sources || []).length) {
    panel.append(h('h2', {}, 'Replica Of'), h('table', { id: 'replica-sources' },
      h('thead', {}, h('tr', {}, ['Source', 'Encryption', 'Status', 'Lag', 'Last error'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, b.replica_sources.map((s) => h('tr', {}, h('td', {}, h('code', {}, s.uri)), h('td', {}, s.encryption ? 'On' : 'Off'),
        h('td', {}, s.status), h('td', {}, s.lag === undefined ? '—' : `${s.lag} ms`), h('td', {}, s.last_error || '—'))))));
  }
}

// ------------------------------------------------------------------------------------------------ Security tab

/** What a PEM entry is (subject, issuer, expiry, pinned leaf or CA chain), as the coordinator reads it. */
async function describe(pem) {
  return api('POST', '/ui-api/certificate', { client_cert: pem });
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
    ['Additional certificate validations', validation === 'san_cn' ? 'Subject Alternative Name'
      : validation === 'full_subject' ? 'Full Subject Name' : 'Off'],
    ['Allow outdated certificates', b.mtls_allow_outdated_certs ? 'Yes' : 'No'],
  ];
  panel.append(h('div', { class: 'card', id: 'security-view' },
    h('div', { class: 'toolbar' }, h('h2', {}, 'TLS - Transport Layer Security'),
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
  const validations = h('input', { type: 'checkbox', id: 'cert-validations', checked: validation !== 'disabled' });
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
      } }, 'Add'),
      h('button', { type: 'button', onclick: () => { addBox.hidden = true; } }, 'Cancel')));

  const subjectList = h('div', { id: 'subject-list' });
  const renderSubjects = () => subjectList.replaceChildren(...state.subjects.map((s, i) => {
    const input = (k, label, value) => h('label', {}, label,
      h('input', { type: 'text', id: `subject-${i}-${k}`, value: value || '', oninput: (ev) => {
        s[k] = k === 'OU' ? ev.target.value.split(',').map((x) => x.trim()).filter(Boolean) : ev.target.value.trim();
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
    h('h2', {}, 'TLS - Transport Layer Security'),
    h('fieldset', { 'aria-describedby': 'err-tls_mode' }, h('legend', {}, 'TLS'),
      radio('tls', 'tls-on', 'on', tlsOn, 'On'), radio('tls', 'tls-off', 'off', !tlsOn, 'Off')),
    h('div', { class: 'field indent', id: 'tls-options' },
      h('div', { class: 'field' }, h('label', { for: 'apply-tls-for', class: 'block' }, 'Apply TLS for'), applyFor, err('tls_mode')),
      h('div', { class: 'field' }, h('label', {}, mtls, 'Mutual TLS (Client authentication)')),
      h('div', { class: 'indent', id: 'mtls-options' },
        h('div', { class: 'field', 'aria-describedby': 'err-authentication_ssl_client_certs' },
          h('strong', {}, 'Certificates'), certList, err('authentication_ssl_client_certs'),
          h('button', { type: 'button', id: 'add-cert', onclick: () => { addBox.hidden = false; pemInput.focus(); } }, 'Add certificate'),
          addBox),
        h('div', { class: 'field' }, h('label', {}, enforce, 'Enforce client authentication'), err('enforce_client_authentication')),
        h('div', { class: 'field' }, h('label', {}, validations, 'Additional certificate validations')),
        h('div', { class: 'indent', id: 'validation-options' },
          h('fieldset', { 'aria-describedby': 'err-client_cert_subject_validation_type' }, h('legend', {}, 'Validate'),
            radio('validation', 'validation-san', 'san_cn', validation !== 'full_subject', 'Subject Alternative Name'),
            radio('validation', 'validation-full', 'full_subject', validation === 'full_subject', 'Full Subject Name'),
            err('client_cert_subject_validation_type')),
          subjectList, err('authorized_subjects'),
          h('button', { type: 'button', id: 'add-subject', onclick: () => { state.subjects.push({ CN: '' }); renderSubjects(); } }, 'Add subject')),
        h('div', { class: 'field' }, h('label', {}, outdated, 'Allow outdated certificates'), err('mtls_allow_outdated_certs')))),
    h('p', { class: 'error', id: 'err-form', role: 'alert' }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'save-security' }, 'Save'),
      h('button', { type: 'button', id: 'cancel-security', onclick: () => route() }, 'Cancel')));

  const sync = () => {
    const on = form.querySelector('#tls-on').checked;
    form.querySelector('#tls-options').hidden = !on;
    form.querySelector('#mtls-options').hidden = !mtls.checked;
    form.querySelector('#validation-options').hidden = !validations.checked;
  };
  form.addEventListener('change', sync);
  sync();

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    form.querySelectorAll('.error').forEach((e) => (e.textContent = ''));
    const on = form.querySelector('#tls-on').checked;
    const withMtls = on && mtls.checked;
    const withValidation = withMtls && validations.checked;
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
      location.hash = `#/databases/${b.uid}/security`;
      await route();
      panel.prepend(banner('ok', 'Saved. The endpoint applies it to new connections.'));
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
