// Rampart dashboard: a small client of the admin API (/client/v4). The token lives in sessionStorage only.
'use strict';
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem('rampart.token') || '';
let current = null;

async function api(method, path, body) {
  const r = await fetch(path, { method, headers: { authorization: 'Bearer ' + token, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const j = await r.json().catch(() => ({ success: false, errors: [{ message: 'HTTP ' + r.status }] }));
  if (!j.success) throw new Error((j.errors || []).map((e) => e.message).join('; ') || 'HTTP ' + r.status);
  return j.result;
}

function cell(tr, text) { const td = document.createElement('td'); td.textContent = text; tr.appendChild(td); return td; }
function show(id) { for (const s of ['login', 'zones', 'zone']) $(s).hidden = s !== id; }

async function signIn() {
  const v = await api('GET', '/client/v4/user/tokens/verify');
  $('who').textContent = v.account ? 'account ' + v.account + ' · ' + v.permissions.join(', ') : 'operator';
  $('logout').hidden = false;
  await listZones();
}

async function listZones() {
  const zones = await api('GET', '/client/v4/zones?per_page=1000');
  const body = $('zone-rows');
  body.replaceChildren();
  for (const z of zones) {
    const tr = document.createElement('tr');
    cell(tr, z.name);
    cell(tr, z.pool.origins.map((o) => o.address).join(', ') || '—');
    cell(tr, z.settings.security_level);
    cell(tr, z.waf ? z.waf.mode : 'off');
    const b = document.createElement('button'); b.textContent = 'Open'; b.dataset.zone = z.name;
    b.addEventListener('click', () => openZone(z.id).catch(fail));
    cell(tr, '').appendChild(b);
    body.appendChild(tr);
  }
  show('zones');
}

async function openZone(id) {
  const z = await api('GET', '/client/v4/zones/' + id);
  current = z;
  $('zone-name').textContent = z.name;
  $('level').value = z.settings.security_level;
  $('zone-msg').textContent = '';
  show('zone');
  await loadEvents();
}

async function loadEvents() {
  const body = $('event-rows');
  body.replaceChildren();
  let events = [];
  try { events = await api('GET', '/client/v4/zones/' + current.id + '/security/events?limit=50'); } catch (e) { $('zone-msg').textContent = 'Events: ' + e.message; }
  for (const e of events) {
    const tr = document.createElement('tr');
    cell(tr, e.time); cell(tr, e.ray); cell(tr, e.action); cell(tr, e.source); cell(tr, e.clientIp);
    cell(tr, e.method + ' ' + e.path); cell(tr, ((e.details && e.details.rules) || []).map((r) => r.id).join(', '));
    body.appendChild(tr);
  }
}

async function setLevel(level) {
  await api('PATCH', '/client/v4/zones/' + current.id + '/settings', { security_level: level });
  $('level').value = level;
  $('zone-msg').textContent = 'Security level is now ' + level + '.';
}

function fail(e) { ($('zones').hidden && $('zone').hidden ? $('login-error') : $('zone-msg')).textContent = e.message; }

$('login-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  token = $('token').value.trim();
  sessionStorage.setItem('rampart.token', token);
  signIn().catch((e) => { $('login-error').textContent = 'Sign-in failed: ' + e.message; show('login'); });
});
$('logout').addEventListener('click', () => { sessionStorage.removeItem('rampart.token'); token = ''; $('logout').hidden = true; $('who').textContent = ''; show('login'); });
$('level').addEventListener('change', () => setLevel($('level').value).catch(fail));
$('under-attack').addEventListener('click', () => setLevel('under_attack').catch(fail));
$('purge').addEventListener('click', () => api('POST', '/client/v4/zones/' + current.id + '/purge_cache', { purge_everything: true }).then((r) => { $('zone-msg').textContent = 'Purged ' + r.removed + ' cached objects.'; }, fail));
$('back').addEventListener('click', () => listZones().catch(fail));
if (token) signIn().catch(() => show('login')); else show('login');
