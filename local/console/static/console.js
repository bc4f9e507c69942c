// The local console: plain DOM, no framework, no build. It reads GET /_local/state and acts
// through the public API (as a user it signed in) and the local-only /_local/… routes.

const $ = (selector, root = document) => root.querySelector(selector);
const esc = (value) =>
  String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
const time = (iso) => (iso ? esc(String(iso).replace('T', ' ').slice(0, 19)) : '—');

/** Tokens of the users this console signed in, by user id (this tab only). */
const sessions = new Map(Object.entries(JSON.parse(sessionStorage.getItem('linkguard-console') ?? '{}')));
const saveSessions = () =>
  sessionStorage.setItem('linkguard-console', JSON.stringify(Object.fromEntries(sessions)));

let state;
let webhooks = { enabled: true, webhooks: [] };
let tab = location.hash.slice(1) || 'items';

function notice(text, isError = false) {
  const el = $('#notice');
  el.textContent = text;
  el.className = isError ? 'error' : '';
}

async function call(method, path, { json, form, token } = {}) {
  const headers = {};
  if (json !== undefined) headers['content-type'] = 'application/json';
  if (form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(path, {
    method,
    headers,
    body:
      json !== undefined ? JSON.stringify(json) : form !== undefined ? new URLSearchParams(form) : undefined,
  });
  const text = await response.text();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!response.ok) {
    const why = body?.code ?? body?.error ?? response.status;
    throw new Error(`${method} ${path}: ${response.status} ${why}${body?.detail ? ` — ${body.detail}` : ''}`);
  }
  return body;
}

/** Calls the API as a user this console signed in, refreshing the access token once if it expired. */
async function asUser(userId, method, path, options = {}) {
  const tokens = sessions.get(userId);
  if (tokens === undefined) throw new Error('sign this user in here first');
  try {
    return await call(method, path, { ...options, token: tokens.access });
  } catch (error) {
    if (!/: 401 /.test(error.message)) throw error;
    const renewed = await call('POST', '/v1/oauth/token', {
      form: { grant_type: 'refresh_token', refresh_token: tokens.refresh },
    });
    sessions.set(userId, { access: renewed.access_token, refresh: renewed.refresh_token });
    saveSessions();
    return call(method, path, { ...options, token: renewed.access_token });
  }
}

function remember(tokens) {
  sessions.set(tokens.user.id, { access: tokens.access_token, refresh: tokens.refresh_token });
  saveSessions();
  return tokens.user;
}

const actions = {
  /** Phone sign-up: send a code, read it from the outbox as the phone would, verify. */
  async signupPhone() {
    const phone = $('[data-testid=signup-phone]').value.replace(/[\s-]/g, '');
    await call('POST', '/v1/auth/sms/send', { json: { phone } });
    const { messages } = await call('GET', `/_local/outbox?to=${encodeURIComponent(phone)}`);
    const code = messages.at(-1)?.message.match(/\d{6}/)?.[0];
    if (code === undefined) throw new Error('no code in the outbox');
    const user = remember(await call('POST', '/v1/auth/sms/verify', { json: { phone, code } }));
    $('[data-testid=signup-phone]').value = randomPhone();
    return `Signed up ${user.displayName} by SMS (code ${code} read from the outbox).`;
  },
  async signupPassword() {
    const username = $('[data-testid=signup-username]').value.trim();
    const user = remember(
      await call('POST', '/v1/auth/register', {
        json: { username, password: $('[data-testid=signup-password]').value, displayName: username },
      }),
    );
    $('[data-testid=signup-username]').value = randomName();
    return `Registered ${user.displayName}.`;
  },
  /** Links a bank as the user: Link token → the user finishes Link (emulator) → exchange. */
  async link(button) {
    const userId = button.dataset.user;
    const institutionId = $(`select[data-institution-for="${userId}"]`).value;
    const { linkToken } = await asUser(userId, 'POST', '/v1/plaid/link-token');
    const done = await call('POST', '/_local/plaid/link/complete', { json: { linkToken, institutionId } });
    const item = await asUser(userId, 'POST', '/v1/plaid/items', {
      json: {
        publicToken: done.publicToken,
        linkToken,
        metadata: {
          institutionId: done.metadata.institution.institution_id,
          accounts: done.metadata.accounts.map(({ id, mask, name }) => ({ id, mask, name })),
          linkSessionId: done.metadata.link_session_id,
        },
      },
    });
    location.hash = 'items';
    return `Linked ${item.institutionName ?? institutionId}: Item ${item.itemId}.`;
  },
  async break(button) {
    const itemId = button.dataset.item;
    const errorCode = $(`select[data-error-for="${itemId}"]`).value || null;
    const result = await call('POST', `/_local/plaid/items/${itemId}/error`, { json: { errorCode } });
    return `Plaid now answers ${errorCode ?? 'no error'} for this Item${result.webhook ? `; webhook ${result.webhook} sent` : '; no webhook'}.`;
  },
  /** The emulator fails per Item: "down" is INSTITUTION_DOWN on every Item of the institution. */
  async institutionDown(button) {
    const items = state.items.filter((i) => i.institutionId === button.dataset.institution);
    for (const i of items)
      await call('POST', `/_local/plaid/items/${i.itemId}/error`, {
        json: { errorCode: 'INSTITUTION_DOWN' },
      });
    return `${button.dataset.name} is down: INSTITUTION_DOWN on its ${items.length} Item(s). Plaid sends no webhook for that: the next poller pass notices, and alerts nobody.`;
  },
  async expire(button) {
    const result = await call('POST', `/_local/plaid/items/${button.dataset.item}/pending-expiration`, {
      json: {},
    });
    return `Consent now expires ${result.consentExpirationTime}; webhook ${result.webhook} sent.`;
  },
  async resend(button) {
    await call('POST', `/_local/plaid/webhooks/${button.dataset.webhook}/resend`, { json: {} });
    return `Webhook ${button.dataset.webhook} sent again (a duplicate delivery).`;
  },
  /** The user repairs the Item in Link's update mode, then the app asks us to verify it. */
  async repair(button) {
    const { item: itemId, user: userId } = button.dataset;
    const { linkToken } = await asUser(userId, 'POST', `/v1/plaid/items/${itemId}/link-token`);
    await call('POST', '/_local/plaid/link/complete', { json: { linkToken } });
    const item = await asUser(userId, 'POST', `/v1/plaid/items/${itemId}/repair`);
    return `Repaired in update mode: ${item.status}.`;
  },
  async poll() {
    const r = await call('POST', '/_local/poller/run', { json: {} });
    return `Poller: checked ${r.checked}, changed ${r.changed}, notified ${r.notified}.`;
  },
  async clock(button) {
    const r = await call('POST', '/_local/clock', {
      json: { advanceSeconds: Number(button.dataset.seconds) },
    });
    return `Clock moved: now ${time(r.now)} (${Math.round(r.offsetSeconds / 3600)} h ahead).`;
  },
  async webhooks(input) {
    await call('POST', '/_local/plaid/webhooks', { json: { enabled: input.checked } });
    return `Plaid webhooks ${input.checked ? 'on' : 'off: only the poller notices breaks now'}.`;
  },
};

const randomPhone = () =>
  `+86 139 ${String(Math.floor(Math.random() * 1e8))
    .padStart(8, '0')
    .replace(/(\d{4})(\d{4})/, '$1 $2')}`;
const randomName = () => `user-${Math.random().toString(36).slice(2, 7)}`;

function statusBadge(status) {
  return `<span class="badge status-${esc(status)}" data-testid="status">${esc(status)}</span>`;
}

function usersTab() {
  const signup = `<section class="card grid2">
    <div><h2>Sign up with a phone</h2>
      <div class="row"><input type="text" data-testid="signup-phone" value="${esc(randomPhone())}" size="20">
      <button type="button" class="primary" data-action="signupPhone" data-testid="signup-phone-button">Send code &amp; verify</button></div>
      <p class="muted">Sends an SMS code, reads it from the outbox, verifies it: a new user with a verified phone (SMS alerts apply).</p></div>
    <div><h2>Sign up with a password</h2>
      <div class="row"><input type="text" data-testid="signup-username" value="${esc(randomName())}" size="14">
      <input type="text" data-testid="signup-password" value="purple-otter-bakes-42" size="20">
      <button type="button" data-action="signupPassword">Register</button></div></div>
  </section>`;
  const cards = state.users.map((u) => {
    const here = sessions.has(u.id);
    const institutions = (state.plaid?.institutions ?? [])
      .map((i) => `<option value="${esc(i.id)}">${esc(i.name)}</option>`)
      .join('');
    return `<section class="card" data-testid="user" data-user="${esc(u.id)}">
      <h2>${esc(u.displayName)} <span class="muted mono">${esc(u.id)}</span>
        ${here ? '<span class="badge">signed in here</span>' : ''}</h2>
      <div class="row muted">phone ${esc(u.phone ?? '—')} · email ${esc(u.email ?? '—')}${u.email ? (u.emailConfirmed ? ' (confirmed)' : ' (unconfirmed)') : ''} · since ${time(u.createdAt)} · bank links ${u.items.length}</div>
      ${
        here && state.plaid
          ? `<div class="row" style="margin-top:.5rem"><select data-institution-for="${esc(u.id)}">${institutions}</select>
             <button type="button" class="primary" data-action="link" data-user="${esc(u.id)}" data-testid="link-bank">Link a bank</button></div>`
          : here
            ? ''
            : '<p class="muted">Signed in elsewhere: sign up or in here to act as this user.</p>'
      }
      <h3>Identities</h3>
      <table><tr><th>type</th><th>label</th><th>linked</th></tr>${u.identities
        .map((i) => `<tr><td>${esc(i.type)}</td><td>${esc(i.label)}</td><td>${time(i.linkedAt)}</td></tr>`)
        .join('')}</table>
      <h3>Sessions</h3>
      <table><tr><th>session</th><th>started</th><th>last used</th><th>client</th><th></th></tr>${u.sessions
        .map(
          (s) => `<tr><td class="mono">${esc(s.id)}</td><td>${time(s.at)}</td><td>${time(s.lastUsedAt)}</td>
          <td>${esc(s.ip)} · ${esc(String(s.userAgent ?? '').slice(0, 40))}</td>
          <td>${s.live ? '<span class="badge status-healthy">live</span>' : `<span class="badge">${s.revokedAt ? 'revoked' : 'expired'}</span>`}</td></tr>`,
        )
        .join('')}</table>
      <details data-key="audit-${esc(u.id)}"><summary>Audit history (${u.events.length})</summary>
      <table><tr><th>at</th><th>event</th><th>detail</th><th>from</th></tr>${u.events
        .map(
          (e) =>
            `<tr><td>${time(e.at)}</td><td>${esc(e.type)}</td><td class="mono">${esc(e.detail ? JSON.stringify(e.detail) : '')}</td><td>${esc(e.ip ?? '')}</td></tr>`,
        )
        .join('')}</table></details>
    </section>`;
  });
  return signup + (cards.join('') || '<p class="muted">No users yet.</p>');
}

function itemsTab() {
  if (state.items.length === 0)
    return '<section class="card"><p>No bank links yet. Sign a user up (Users), then <b>Link a bank</b>.</p></section>';
  const errors = (state.plaid?.errors ?? []).map((c) => `<option>${esc(c)}</option>`).join('');
  return state.items
    .map((item) => {
      const here = sessions.has(item.userId);
      const lastWebhook = webhooks.webhooks.filter((w) => w.itemId === item.itemId).at(-1);
      return `<section class="card" data-testid="item" data-item="${esc(item.itemId)}">
        <h2>${esc(item.institutionName)} ${statusBadge(item.status)}
          <span class="muted">of ${esc(item.userName ?? item.userId)}</span> <span class="muted mono">${esc(item.itemId)}</span></h2>
        ${item.reason ? `<p data-testid="reason">${esc(item.reason)}</p>` : ''}
        <div class="row muted">linked ${time(item.createdAt)} · checked ${time(item.lastCheckedAt)} · next check ${time(item.nextCheckAt)}
          · at Plaid: ${item.atPlaid ? esc(item.atPlaid.removed ? 'removed' : (item.atPlaid.errorCode ?? 'no error')) : '—'}</div>
        <div class="row" style="margin-top:.5rem">
          <select data-error-for="${esc(item.itemId)}" data-testid="error-select"><option value="">(no error)</option>${errors}</select>
          <button type="button" class="primary" data-action="break" data-item="${esc(item.itemId)}" data-testid="break">Set at Plaid</button>
          <button type="button" data-action="institutionDown" data-institution="${esc(item.institutionId)}" data-name="${esc(item.institutionName)}" title="INSTITUTION_DOWN on every Item of this institution">Institution down</button>
          <button type="button" data-action="expire" data-item="${esc(item.itemId)}" title="Consent expires in 7 days; Plaid sends PENDING_EXPIRATION">Fire PENDING_EXPIRATION</button>
          ${lastWebhook ? `<button type="button" data-action="resend" data-webhook="${esc(lastWebhook.id)}" title="Deliver the last webhook again">Resend ${esc(lastWebhook.webhookCode)}</button>` : ''}
          <button type="button" data-action="repair" data-item="${esc(item.itemId)}" data-user="${esc(item.userId)}" ${here ? '' : 'disabled title="sign this user in here first"'} data-testid="repair">Repair in Link</button>
        </div>
        <div class="grid2">
          <div><h3>Timeline</h3><table data-testid="timeline">${item.timeline
            .map(
              (
                t,
              ) => `<tr><td>${time(t.at)}</td><td><span class="kind kind-${esc(t.kind)}">${esc(t.kind)}</span></td>
              <td>${esc(t.text)}</td><td class="muted">${esc(t.source ?? '')}</td></tr>`,
            )
            .join('')}</table></div>
          <div><h3>Alerts: why or why not</h3><ul class="why" data-testid="why">${item.alerts.map((l) => `<li>${esc(l)}</li>`).join('')}</ul></div>
        </div>
      </section>`;
    })
    .join('');
}

function outboxTab() {
  return `<section class="card"><h2>Outbox <span class="muted">what SNS would have sent: SMS, the alert topic, email</span></h2>
    <table data-testid="outbox"><tr><th>at</th><th>channel</th><th>to</th><th>message</th></tr>${state.outbox
      .map(
        (
          m,
        ) => `<tr><td>${time(m.at)}</td><td class="channel-${esc(m.channel)}">${esc(m.channel)}</td><td>${esc(m.to)}</td>
        <td>${esc(m.message)}${m.attributes?.eventType ? ` <span class="muted">(${esc(m.attributes.eventType)})</span>` : ''}</td></tr>`,
      )
      .join('')}</table></section>`;
}

function webhooksTab() {
  return `<section class="card"><h2>Webhooks sent by the Plaid emulator ${webhooks.enabled ? '' : '<span class="badge">off</span>'}</h2>
    <table><tr><th>#</th><th>at</th><th>webhook</th><th>Item</th><th>outcome</th></tr>${[...webhooks.webhooks]
      .reverse()
      .map(
        (
          w,
        ) => `<tr><td>${esc(w.id)}</td><td>${time(w.at)}</td><td>${esc(w.webhookType)} ${esc(w.webhookCode)}</td>
        <td class="mono">${esc(w.itemId)}</td><td>${esc(w.outcome)}${w.status ? ` (${esc(w.status)})` : ''}</td></tr>`,
      )
      .join('')}</table></section>`;
}

const TABS = { users: usersTab, items: itemsTab, outbox: outboxTab, webhooks: webhooksTab };

function render() {
  if (state === undefined) return;
  const open = new Set([...document.querySelectorAll('details[open]')].map((d) => d.dataset.key));
  const chosen = new Map(
    [...document.querySelectorAll('select')].map((s) => [
      s.dataset.errorFor ?? s.dataset.institutionFor,
      s.value,
    ]),
  );
  const typed = new Map(
    [...document.querySelectorAll('input[type=text]')].map((i) => [i.dataset.testid, i.value]),
  );
  $('#main').innerHTML = (TABS[tab] ?? itemsTab)();
  for (const d of document.querySelectorAll('details')) if (open.has(d.dataset.key)) d.open = true;
  for (const s of document.querySelectorAll('select')) {
    const value = chosen.get(s.dataset.errorFor ?? s.dataset.institutionFor);
    if (value !== undefined) s.value = value;
  }
  for (const i of document.querySelectorAll('input[type=text]'))
    if (typed.has(i.dataset.testid)) i.value = typed.get(i.dataset.testid);
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.tab === tab);
  $('[data-testid=clock]').textContent =
    `now ${state.now.replace('T', ' ').slice(0, 19)} UTC${state.clock?.offsetSeconds ? ` (+${Math.round(state.clock.offsetSeconds / 3600)} h)` : ''}`;
  $('[data-testid=webhooks-enabled]').checked = webhooks.enabled;
  for (const b of document.querySelectorAll('[data-action=clock]')) b.disabled = !state.features.clock;
  $('[data-action=poll]').disabled = !state.features.poller;
}

async function refresh() {
  const [next, sent] = await Promise.all([
    call('GET', '/_local/state'),
    call('GET', '/_local/plaid/webhooks').catch(() => ({ enabled: false, webhooks: [] })),
  ]);
  state = next;
  webhooks = sent;
  document.body.dataset.loaded = 'true';
  render();
}

document.addEventListener('click', async (event) => {
  const target = event.target.closest('[data-action]');
  if (target === null || target.type === 'checkbox') return;
  event.preventDefault();
  await run(target);
});
document.addEventListener('change', async (event) => {
  if (event.target.matches?.('input[type=checkbox][data-action]')) await run(event.target);
});
window.addEventListener('hashchange', () => {
  tab = location.hash.slice(1) || 'items';
  render();
});

async function run(target) {
  const action = actions[target.dataset.action];
  if (action === undefined) return;
  target.disabled = true;
  notice('…');
  try {
    notice(await action(target));
  } catch (error) {
    notice(error.message, true);
  } finally {
    target.disabled = false;
    await refresh().catch((error) => notice(error.message, true));
  }
}

setInterval(() => {
  const busy = document.activeElement?.matches?.('select, input[type=text]');
  if ($('#auto').checked && !busy) refresh().catch((error) => notice(error.message, true));
}, 2000);
refresh().catch((error) => notice(error.message, true));
