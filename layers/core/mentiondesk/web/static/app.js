// Mentiondesk agent UI — entry point (ES module, no build step).
//
// Security rules followed throughout: no innerHTML, no inline styles or
// handlers; customer text only ever goes into text nodes; only absolute
// http(s) URLs become links (see dom.js).

import {
  LANGUAGES,
  formatCompact,
  formatDateTime,
  formatDateTimeFull,
  formatNumber,
  formatRelative,
  getLanguage,
  initLanguage,
  setLanguage,
  setTimeZone,
  t,
  tOr,
} from './i18n.js';
import {
  ApiError,
  ConfigError,
  CryptoUnavailableError,
  StateMismatchError,
  UnauthorizedError,
  apiGet,
  apiSend,
  clearToken,
  cognitoLogoutUrl,
  completeCognitoLogin,
  devLogin,
  getAuthConfig,
  getToken,
  isCognitoReturn,
  startCognitoLogin,
} from './api.js';
import { h, safeHttpUrl, svg, isObject, str } from './dom.js';
import { createComposer } from './composer.js';
import { renderSettings } from './settings.js';
import { handling } from './handling.js';
import { renderReports } from './reports.js';
import { renderFinance, ticketCostSection } from './finance.js';

const POLL_MS = 2000;
const PRESENCE_MS = 20000; // "still here" on the open ticket (the API lets it lapse after 45 s)
const LEADS = new Set(['admin', 'supervisor']);
const REPORT_READERS = new Set(['admin', 'supervisor', 'finance']); // reports and costs: figures, no customer words
const SCREENS = ['settings', 'reports', 'finance']; // the screens besides the inbox, each at #/<name>
const PAGE_SIZE = 50;
const NEW_HIGHLIGHT_MS = 4000;
const MAX_SEEN = 5000;
const STATUSES = ['open', 'pending', 'resolved', 'closed', 'all'];
const SENTIMENTS = ['positive', 'neutral', 'negative'];
const TRIAGE_STATES = ['pending', 'done', 'failed'];
const CHANNELS = ['x', 'instagram', 'facebook', 'google'];
const VIEWS = ['all', 'mine', 'team', 'unassigned', 'sla_at_risk'];
const INTENTS = ['praise', 'question', 'problem', 'complaint', 'request', 'other'];
const URGENCIES = ['high', 'normal', 'low'];
const NARROW = window.matchMedia('(max-width: 959px)');
const LOAD_ID = Math.random().toString(36).slice(2);

const X_LOGO =
  'M18.244 2.25h3.308l-7.227 8.26 8.502 11.24H16.17l-5.214-6.817L4.99 21.75H1.68l7.73-8.835L1.254 2.25H8.08l4.713 6.231zm-1.161 17.52h1.833L7.084 4.126H5.117z';

const state = {
  screen: 'boot', // boot | message | signin | app
  messageKey: 'loadingConfig',
  messageRetry: null,
  config: null,
  me: null,
  loginEmail: '',
  loginBusy: false,

  status: readStatus(),
  view: 'all', // all | mine | team | unassigned | sla_at_risk
  filters: {}, // channel, sentiment, intent, urgency, language, tag, q
  tickets: [],
  index: new Map(),
  next: null,
  pages: 0,
  listLoaded: false,
  listGen: 0,
  loadingMore: false,

  selectedId: null,
  openId: null,
  openTicket: null,
  openJson: '',
  openError: null,
  focusTicketOnLoad: false,
  savedListAnchor: null,

  seen: new Set(),
  busy: false, // an action on the open ticket is in flight
  screenView: 'inbox', // inbox | settings | reports | finance

  pollActive: false,
  polling: false,
  pollTimer: null,
};

const refs = {};
const rowCache = new Map(); // ticket id -> { li, link, sig }
const alerts = new Map(); // key -> { el, text: () => string, tone, shown }

// ------------------------------------------------------------ small utils

function readStatus() {
  try {
    const s = sessionStorage.getItem('md.status');
    return STATUSES.includes(s) ? s : 'open';
  } catch {
    return 'open';
  }
}

function writeStatus(s) {
  try {
    sessionStorage.setItem('md.status', s);
  } catch {
    /* ignore */
  }
}

function timeValue(iso) {
  const n = Date.parse(iso);
  return Number.isNaN(n) ? 0 : n;
}

function displayName(person) {
  if (!isObject(person)) return '—';
  return str(person.display_name) || str(person.name) || str(person.handle) || '—';
}

function firstChar(text) {
  const chars = Array.from(str(text).trim());
  return chars.length ? chars[0].toUpperCase() : '?';
}

// ------------------------------------------------------------ alerts & announcements

function showAlert(text, { key, tone = 'error' } = {}) {
  const k = key || `alert-${Math.random().toString(36).slice(2)}`;
  let entry = alerts.get(k);
  if (!entry) {
    entry = { el: h('div', { class: `alert alert-${tone}`, dataset: { alertKey: k } }), text, tone, shown: null };
    alerts.set(k, entry);
    refs.alerts.append(entry.el);
    while (alerts.size > 4) dismissAlert(alerts.keys().next().value);
  }
  entry.text = text;
  renderAlert(k, entry);
}

function renderAlert(key, entry) {
  const message = entry.text();
  if (entry.shown === message) return; // don't re-announce an unchanged alert on every poll
  entry.shown = message;
  entry.el.replaceChildren(
    h('span', { class: 'alert-icon', 'aria-hidden': 'true' }, entry.tone === 'error' ? '!' : 'i'),
    h('p', { class: 'alert-text' }, message),
    h(
      'button',
      { type: 'button', class: 'alert-dismiss', 'aria-label': t('dismiss'), title: t('dismiss'), onclick: () => dismissAlert(key) },
      '×',
    ),
  );
}

function dismissAlert(key) {
  const entry = alerts.get(key);
  if (!entry) return;
  const hadFocus = entry.el.contains(document.activeElement);
  entry.el.remove();
  alerts.delete(key);
  if (hadFocus) refs.main.focus({ preventScroll: true });
}

function clearAlerts() {
  for (const key of [...alerts.keys()]) dismissAlert(key);
}

function rerenderAlerts() {
  for (const [key, entry] of alerts) {
    entry.shown = null;
    renderAlert(key, entry);
  }
}

let announceTimer = null;
function announce(message) {
  clearTimeout(announceTimer);
  refs.announcer.textContent = '';
  announceTimer = setTimeout(() => {
    refs.announcer.textContent = message;
  }, 60);
}

function errorText(err) {
  if (err && err.network) return t('errorNetwork');
  if (err instanceof ApiError) return t('errorServer', { status: err.status, message: err.serverMessage });
  return t('errorServer', { status: '—', message: str(err && err.message) });
}

/** Show an error from an API call; a 401 ends the session instead. */
function reportError(err, key) {
  if (err && err.name === 'AbortError') return;
  if (err instanceof UnauthorizedError) {
    sessionEnded();
    return;
  }
  if (err && err.network) {
    showAlert(() => t('errorNetwork'), { key: 'network' });
    return;
  }
  if (!(err instanceof ApiError)) console.error(err); // programming error: keep it visible to developers too
  showAlert(() => errorText(err), { key });
}

// ------------------------------------------------------------ icons & chips

function channelIcon(channel) {
  const label = tOr('channel', channel) || '?';
  if (channel === 'x') {
    return h(
      'span',
      { class: 'channel channel-x', role: 'img', 'aria-label': label, title: label },
      svg('svg', { viewBox: '0 0 24 24', width: 13, height: 13, 'aria-hidden': 'true', focusable: 'false' }, svg('path', { d: X_LOGO, fill: 'currentColor' })),
    );
  }
  const short = { instagram: 'IG', facebook: 'FB', google: 'G' }[channel] || str(channel).slice(0, 2).toUpperCase() || '?';
  const cls = CHANNELS.includes(channel) ? channel : 'other';
  return h('span', { class: `channel channel-${cls}`, role: 'img', 'aria-label': label, title: label }, h('span', { 'aria-hidden': 'true' }, short));
}

function stars(rating) {
  const n = Math.max(0, Math.min(5, rating));
  const label = t('rating', { n });
  return h('span', { class: 'stars', role: 'img', 'aria-label': label, title: label }, '★'.repeat(n) + '☆'.repeat(5 - n));
}

function verifiedBadge() {
  const label = t('verified');
  return h(
    'span',
    { class: 'verified', role: 'img', 'aria-label': label, title: label },
    svg(
      'svg',
      { viewBox: '0 0 16 16', width: 14, height: 14, 'aria-hidden': 'true', focusable: 'false' },
      svg('circle', { cx: 8, cy: 8, r: 8, fill: 'currentColor' }),
      svg('path', { d: 'M4.5 8.2 7 10.6l4.6-5', fill: 'none', stroke: '#fff', 'stroke-width': 1.8, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }),
    ),
  );
}

function personIcon() {
  return svg(
    'svg',
    { class: 'icon', viewBox: '0 0 16 16', width: 12, height: 12, 'aria-hidden': 'true', focusable: 'false' },
    svg('circle', { cx: 8, cy: 5, r: 3, fill: 'currentColor' }),
    svg('path', { d: 'M2 15c0-3.3 2.7-5.5 6-5.5s6 2.2 6 5.5z', fill: 'currentColor' }),
  );
}

function messageCount(n) {
  return h(
    'span',
    { class: 'chip chip-count', title: t('messagesCount', { n }) },
    svg(
      'svg',
      { class: 'icon', viewBox: '0 0 16 16', width: 12, height: 12, 'aria-hidden': 'true', focusable: 'false' },
      svg('path', { d: 'M2 3.5A1.5 1.5 0 0 1 3.5 2h9A1.5 1.5 0 0 1 14 3.5v6a1.5 1.5 0 0 1-1.5 1.5H7l-3.2 2.8V11h-.3A1.5 1.5 0 0 1 2 9.5z', fill: 'currentColor' }),
    ),
    h('span', { 'aria-hidden': 'true' }, formatNumber(n)),
    h('span', { class: 'sr-only' }, t('messagesCount', { n })),
  );
}

function chip(text, tone, srPrefix) {
  return h('span', { class: `chip chip-${tone}` }, srPrefix ? h('span', { class: 'sr-only' }, `${srPrefix}: `) : null, text);
}

function statusChip(status) {
  const tone = STATUSES.includes(status) ? `status-${status}` : 'quiet';
  return chip(tOr('status', status) || '—', tone, t('metaStatus'));
}

function sentimentChip(sentiment, { withEmpty = false } = {}) {
  if (!sentiment) return withEmpty ? chip(t('sentiment.none'), 'quiet', t('metaSentiment')) : null;
  const tone = SENTIMENTS.includes(sentiment) ? `sent-${sentiment}` : 'quiet';
  return chip(tOr('sentiment', sentiment), tone, t('metaSentiment'));
}

function languageChip(language, { short = true, withEmpty = false } = {}) {
  if (!language) return withEmpty ? chip(t('lang.none'), 'quiet', t('metaLanguage')) : null;
  const full = tOr('lang', language);
  if (!short) return chip(full, 'lang', t('metaLanguage'));
  return h(
    'span',
    { class: 'chip chip-lang', title: full },
    h('span', { 'aria-hidden': 'true' }, str(language).toUpperCase()),
    h('span', { class: 'sr-only' }, `${t('metaLanguage')}: ${full}`),
  );
}

function triageChip(triage) {
  if (!triage) return null;
  const tone = TRIAGE_STATES.includes(triage) ? `triage-${triage}` : 'quiet';
  return chip(tOr('triage', triage), tone);
}

// SLA: the nearest due time of a running clock, as a countdown that turns amber in the last fifth
// of the target (the last 15 minutes when the start is unknown) and red once it is overdue.
function validIso(v) {
  return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : null;
}

function slaStart(tk) {
  const clocks = Array.isArray(tk.sla_clocks) ? tk.sla_clocks.filter(isObject) : [];
  const running = clocks.find((c) => c.due_at === tk.sla_due_at && validIso(c.started_at));
  return running ? running.started_at : null;
}

function shortDuration(minutes) {
  if (minutes < 60) return t('durMinutes', { n: minutes });
  if (minutes < 48 * 60) return t('durHours', { h: Math.floor(minutes / 60), m: minutes % 60 });
  return t('durDays', { n: Math.round(minutes / (24 * 60)) });
}

function slaState(due, start, now = Date.now()) {
  const left = Date.parse(due) - now;
  const minutes = Math.round(Math.abs(left) / 60000);
  if (left < 0) return { tone: 'sla-over', text: t('slaOver', { time: shortDuration(minutes) }) };
  const span = start ? Date.parse(due) - Date.parse(start) : 0;
  const warn = span > 0 ? left <= span * 0.2 : left <= 15 * 60000;
  return { tone: warn ? 'sla-warn' : 'sla-ok', text: t('slaLeft', { time: shortDuration(minutes) }) };
}

function slaChip(due, start) {
  if (!validIso(due)) return null;
  const { tone, text } = slaState(due, start);
  return h(
    'span',
    {
      class: `chip chip-${tone}`,
      title: t('slaDueAt', { time: formatDateTimeFull(due) }),
      dataset: { slaDue: due, slaStart: start || '' },
      'data-testid': 'sla-chip',
    },
    h('span', { class: 'sr-only' }, `${t('metaSla')}: `),
    h('span', { class: 'sla-text' }, text),
  );
}

function updateSlaChips(now = Date.now()) {
  for (const el of document.querySelectorAll('[data-sla-due]')) {
    const { tone, text } = slaState(el.dataset.slaDue, el.dataset.slaStart || null, now);
    const label = el.querySelector('.sla-text');
    if (label && label.textContent !== text) label.textContent = text;
    for (const name of ['sla-ok', 'sla-warn', 'sla-over']) el.classList.toggle(`chip-${name}`, name === tone);
  }
}

function priorityChip(priority) {
  if (priority !== 'high' && priority !== 'urgent') return null;
  return chip(tOr('priority', priority), priority === 'urgent' ? 'sent-negative' : 'warn', t('metaPriority'));
}

function tagChips(tags, limit = 3) {
  const list = Array.isArray(tags) ? tags.filter((x) => typeof x === 'string') : [];
  const shown = list.slice(0, limit).map((tag) => h('span', { class: 'chip chip-tag', dir: 'auto' }, h('span', { class: 'sr-only' }, `${t('metaTags')}: `), tag));
  if (list.length > limit) shown.push(h('span', { class: 'chip chip-tag' }, `+${list.length - limit}`));
  return shown;
}

function slaClockList(tk) {
  const clocks = Array.isArray(tk.sla_clocks) ? tk.sla_clocks.filter(isObject) : [];
  if (!clocks.length) return null;
  return h(
    'ul',
    { class: 'sla-clocks', 'data-testid': 'sla-clocks' },
    clocks.map((c) => {
      let status;
      if (c.due_at) status = slaChip(c.due_at, c.started_at);
      else if (c.paused) status = chip(t('slaPaused'), 'quiet');
      else if (c.outcome === 'missed' || c.breached) status = chip(t('slaMissed'), 'sent-negative');
      else if (c.outcome === 'closed') status = chip(t('slaClosed'), 'quiet');
      else status = chip(t('slaMet'), 'sent-positive');
      return h('li', { class: 'sla-clock' }, h('span', { class: 'sla-metric' }, tOr('metric', c.metric)), status);
    }),
  );
}

// Customer text with the words that made a rule fire marked: text nodes and <mark> only.
function highlighted(text, spans) {
  const marks = spans
    .filter((x) => Number.isInteger(x.start) && Number.isInteger(x.end) && x.start < x.end && x.end <= text.length)
    .sort((a, b) => a.start - b.start);
  const out = [];
  let at = 0;
  for (const span of marks) {
    if (span.start < at) continue;
    if (span.start > at) out.push(text.slice(at, span.start));
    out.push(h('mark', { class: 'rule-hit', title: t('ruleMatched', { keyword: str(span.keyword) }) }, text.slice(span.start, span.end)));
    at = span.end;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

function timeEl(iso, { relative = false } = {}) {
  const valid = !Number.isNaN(Date.parse(iso));
  return h(
    'time',
    {
      datetime: valid ? iso : null,
      title: valid ? formatDateTimeFull(iso) : null,
      dataset: relative && valid ? { rel: '1' } : null,
    },
    valid ? (relative ? formatRelative(iso) : formatDateTime(iso)) : '—',
  );
}

function updateRelativeTimes() {
  const now = Date.now();
  updateSlaChips(now);
  for (const el of document.querySelectorAll('time[data-rel]')) {
    const text = formatRelative(el.getAttribute('datetime'), now);
    if (el.textContent !== text) el.textContent = text;
  }
}

// ------------------------------------------------------------ top bar

function bindShell() {
  refs.main = document.getElementById('main');
  refs.alerts = document.getElementById('alerts');
  refs.announcer = document.getElementById('announcer');
  refs.nav = document.getElementById('topnav');
  refs.user = document.getElementById('current-user');
  refs.langSwitch = document.getElementById('lang-switch');
  refs.signout = document.getElementById('signout');
  refs.skip = document.getElementById('skip-link');

  refs.langButtons = LANGUAGES.map(({ code, label }) => {
    const b = h('button', { type: 'button', class: 'lang-btn', lang: code, 'data-testid': `lang-${code}`, dataset: { lang: code } }, label);
    b.addEventListener('click', () => switchLanguage(code));
    return b;
  });
  refs.langSwitch.replaceChildren(...refs.langButtons);
  refs.signout.addEventListener('click', signOut);
  refs.skip.addEventListener('click', (e) => {
    e.preventDefault(); // the "#main" fragment must not be read as a route
    refs.main.focus();
  });
  refs.inboxLink = h('a', { href: '#/', class: 'topnav-link', 'aria-current': 'page' });
  refs.inboxLink.addEventListener('click', (e) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    if (state.screenView !== 'inbox') {
      location.hash = '#/';
      return;
    }
    if (state.openId) closeTicket();
    refs.inboxTitle?.focus();
  });
  refs.settingsLink = h('a', { href: '#/settings', class: 'topnav-link', 'data-testid': 'nav-settings' });
  refs.reportsLink = h('a', { href: '#/reports', class: 'topnav-link', 'data-testid': 'nav-reports' });
  refs.financeLink = h('a', { href: '#/finance', class: 'topnav-link', 'data-testid': 'nav-finance' });
  refs.nav.replaceChildren(refs.inboxLink, refs.reportsLink, refs.financeLink, refs.settingsLink);
}

function renderShell() {
  refs.skip.textContent = t('skipToContent');
  refs.langSwitch.setAttribute('aria-label', t('languageLabel'));
  for (const b of refs.langButtons) b.setAttribute('aria-pressed', String(b.dataset.lang === getLanguage()));
  refs.inboxLink.textContent = t('navInbox');
  refs.settingsLink.textContent = t('navSettings');
  refs.reportsLink.textContent = t('navReports');
  refs.financeLink.textContent = t('navFinance');
  const role = state.me ? state.me.role : null;
  refs.inboxLink.hidden = role === 'finance'; // finance reads figures, never the tickets
  refs.settingsLink.hidden = !LEADS.has(role);
  refs.reportsLink.hidden = !REPORT_READERS.has(role);
  refs.financeLink.hidden = !REPORT_READERS.has(role);
  const links = { inbox: refs.inboxLink, settings: refs.settingsLink, reports: refs.reportsLink, finance: refs.financeLink };
  for (const [view, link] of Object.entries(links)) {
    if (view === state.screenView) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  refs.signout.textContent = t('signOut');

  const me = state.me;
  refs.nav.hidden = !me;
  refs.signout.hidden = !me;
  refs.user.hidden = !me;
  if (me) {
    const role = tOr('role', me.role);
    refs.user.replaceChildren(
      h('span', { class: 'sr-only' }, t('currentUser', { name: displayName(me), role })),
      h('span', { class: 'avatar avatar-sm', 'aria-hidden': 'true' }, firstChar(displayName(me))),
      h('span', { class: 'user-name', 'aria-hidden': 'true', dir: 'auto' }, displayName(me)),
      h('span', { class: 'chip chip-role', 'aria-hidden': 'true' }, role),
    );
    refs.user.title = str(me.email);
  } else {
    refs.user.replaceChildren();
  }
  updateTitle();
}

function updateTitle() {
  let title = 'Mentiondesk';
  if (state.screen === 'signin') title = `${t('signInTitle')}`;
  else if (state.screen === 'app') {
    const tk = state.openTicket;
    title = tk ? `${displayName(tk.customer)} – Mentiondesk` : `${t('inboxTitle')} – Mentiondesk`;
  }
  if (document.title !== title) document.title = title;
}

function switchLanguage(code) {
  if (code === getLanguage()) return;
  setLanguage(code);
  renderShell();
  rerenderAlerts();
  if (state.screen === 'app' && state.screenView !== 'inbox') {
    showScreen(state.screenView);
  } else if (state.screen === 'app') {
    const anchor = captureListAnchor();
    const paneTop = refs.ticketPane.scrollTop;
    renderApp();
    restoreListAnchor(anchor);
    refs.ticketPane.scrollTop = paneTop;
  } else if (state.screen === 'signin') {
    renderSignIn();
  } else if (state.screen === 'message') {
    renderMessage(state.messageKey, state.messageRetry);
  }
  updateTitle();
}

// ------------------------------------------------------------ generic screens

function renderMessage(key, retry = null) {
  state.screen = 'message';
  state.messageKey = key;
  state.messageRetry = retry;
  const box = h(
    'div',
    { class: 'center-box', 'aria-busy': retry ? null : 'true' },
    retry ? null : h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    h('p', { class: 'center-text' }, t(key)),
    retry ? h('button', { type: 'button', class: 'btn btn-primary', onclick: retry }, t('retry')) : null,
  );
  refs.main.replaceChildren(box);
  updateTitle();
}

// ------------------------------------------------------------ sign-in

function renderSignIn() {
  state.screen = 'signin';
  const cfg = state.config || {};
  const cognito = cfg.mode === 'cognito';
  const card = h(
    'section',
    { class: 'signin-card', 'aria-labelledby': 'signin-title' },
    h('div', { class: 'signin-brand', 'aria-hidden': 'true' }, h('span', { class: 'brand-mark brand-mark-lg' })),
    h('h1', { id: 'signin-title', class: 'signin-title', tabindex: '-1' }, t('signInTitle')),
    h('p', { class: 'signin-lead' }, t('signInLead')),
    cognito ? cognitoSignIn(cfg.cognito) : devSignIn(cfg),
  );
  refs.main.replaceChildren(h('div', { class: 'signin-wrap' }, card));
  updateTitle();
}

function devSignIn(cfg) {
  const input = h('input', {
    id: 'login-email',
    class: 'input',
    type: 'email',
    name: 'email',
    autocomplete: 'username',
    inputmode: 'email',
    spellcheck: 'false',
    placeholder: t('emailPlaceholder'),
    'data-testid': 'login-email',
    'aria-required': 'true',
  });
  input.value = state.loginEmail;
  input.addEventListener('input', () => {
    state.loginEmail = input.value;
    input.removeAttribute('aria-invalid');
  });
  const submit = h(
    'button',
    { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': 'login-submit' },
    state.loginBusy ? t('signingIn') : t('signIn'),
  );
  const form = h(
    'form',
    { class: 'signin-form', novalidate: true, 'aria-busy': state.loginBusy ? 'true' : null },
    h('label', { for: 'login-email', class: 'label' }, t('emailLabel')),
    input,
    submit,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    doDevLogin(input.value.trim(), input);
  });

  const users = Array.isArray(cfg.demo_users) ? cfg.demo_users.filter((u) => isObject(u) && typeof u.email === 'string') : [];
  const demo = users.length
    ? h(
        'section',
        { class: 'demo-users', 'aria-labelledby': 'demo-title' },
        h('h2', { id: 'demo-title', class: 'demo-title' }, t('demoUsers')),
        h('p', { class: 'muted small' }, t('demoUsersHint')),
        h(
          'ul',
          { class: 'demo-list' },
          users.map((u) =>
            h(
              'li',
              null,
              h(
                'button',
                {
                  type: 'button',
                  class: 'demo-user',
                  'data-testid': `demo-user-${u.email}`,
                  onclick: () => doDevLogin(u.email, null),
                },
                h('span', { class: 'avatar', 'aria-hidden': 'true' }, firstChar(u.name || u.email)),
                h('span', { class: 'demo-user-text' }, h('span', { class: 'demo-user-name', dir: 'auto' }, str(u.name) || u.email), h('span', { class: 'demo-user-email' }, u.email)),
                u.role ? h('span', { class: 'chip chip-role' }, tOr('role', u.role)) : null,
              ),
            ),
          ),
        ),
      )
    : null;

  if (state.loginBusy) {
    for (const el of [input, submit]) el.setAttribute('aria-disabled', 'true');
  }
  return [h('p', { class: 'note', role: 'note' }, t('devModeNote')), form, demo];
}

async function doDevLogin(email, input) {
  if (state.loginBusy) return;
  if (!email) {
    input?.setAttribute('aria-invalid', 'true');
    showAlert(() => t('errorEmailRequired'), { key: 'login' });
    input?.focus();
    return;
  }
  state.loginEmail = email;
  state.loginBusy = true;
  renderSignIn();
  try {
    await devLogin(email);
  } catch (err) {
    state.loginBusy = false;
    renderSignIn();
    const message = err && err.serverMessage;
    showAlert(() => (err && err.network ? t('errorNetwork') : t('errorSignIn', { message })), { key: 'login' });
    document.getElementById('login-email')?.focus();
    return;
  }
  state.loginBusy = false;
  dismissAlert('login');
  await startSession({ focus: true });
}

function cognitoSignIn(cognito) {
  const button = h('button', { type: 'button', class: 'btn btn-primary btn-block', 'data-testid': 'login-submit' }, t('signInWithCognito'));
  button.addEventListener('click', async () => {
    try {
      renderMessage('redirecting');
      await startCognitoLogin(cognito);
    } catch (err) {
      renderSignIn();
      showAlert(() => cognitoErrorText(err), { key: 'login' });
    }
  });
  return [h('p', { class: 'muted' }, t('cognitoLead')), button];
}

function cognitoErrorText(err) {
  if (err instanceof ConfigError) return t('errorCognitoConfig');
  if (err instanceof CryptoUnavailableError) return t('errorCrypto');
  if (err instanceof StateMismatchError) return t('errorState');
  if (err && err.network) return t('errorNetwork');
  if (err instanceof ApiError) return t('errorCognito', { message: err.serverMessage || String(err.status) });
  return t('errorSignIn', { message: str(err && err.message) });
}

// ------------------------------------------------------------ session

async function loadConfig() {
  renderMessage('loadingConfig');
  try {
    state.config = await getAuthConfig();
    if (!isObject(state.config)) throw new ApiError(200, 'Invalid /auth/config response');
  } catch (err) {
    state.config = null;
    showAlert(() => `${t('errorConfig')} ${errorText(err)}`, { key: 'config' });
    renderMessage('errorConfig', () => {
      dismissAlert('config');
      loadConfig();
    });
    return;
  }
  dismissAlert('config');
  setTimeZone(state.config.tz);

  if (isCognitoReturn()) {
    if (state.config.mode === 'cognito') {
      renderMessage('completingSignIn');
      try {
        await completeCognitoLogin(state.config.cognito);
      } catch (err) {
        renderSignIn();
        showAlert(() => cognitoErrorText(err), { key: 'login' });
        return;
      }
    } else {
      history.replaceState(null, '', location.pathname + location.hash);
    }
  }

  if (getToken()) await startSession();
  else renderSignIn();
}

async function startSession({ focus = false } = {}) {
  renderMessage('loading');
  let me;
  try {
    me = await apiGet('/api/me');
    if (!isObject(me)) throw new ApiError(200, 'Invalid /api/me response');
  } catch (err) {
    if (err instanceof UnauthorizedError) {
      sessionEnded();
      return;
    }
    reportError(err, 'me');
    renderMessage('errorStart', () => startSession({ focus }));
    return;
  }
  dismissAlert('me');
  dismissAlert('session');
  dismissAlert('login');
  state.me = me;
  loadSeen();
  resetList();
  state.screenView = 'inbox';
  let screen = wantedScreen();
  if (screen === 'inbox' && me.role === 'finance') {
    // Finance works with figures only: they land on the costs, never on the inbox.
    history.replaceState(null, '', `${location.pathname}#/finance`);
    screen = 'finance';
  }
  renderShell();
  if (screen !== 'inbox') {
    showScreen(screen, { focus });
  } else {
    renderApp();
    const routeId = parseRoute();
    if (routeId) showTicket(routeId, { focus: false });
    if (focus && !routeId) refs.inboxTitle.focus();
  }
  startPolling();
}

function resetSessionState() {
  stopPolling();
  dropComposer();
  stopPresence();
  closeScreen();
  state.screenView = 'inbox';
  state.me = null;
  state.openId = null;
  state.openTicket = null;
  state.openJson = '';
  state.openError = null;
  state.selectedId = null;
  resetList();
  rowCache.clear();
  document.body.classList.remove('ticket-open');
}

/** The API said 401 (or the token is gone): back to the sign-in screen. */
function sessionEnded() {
  if (state.screen === 'signin' && !state.me) return;
  resetSessionState();
  clearToken();
  renderShell();
  renderSignIn();
  showAlert(() => t('sessionExpired'), { key: 'session', tone: 'info' });
}

function signOut() {
  const logoutUrl = state.config && state.config.mode === 'cognito' ? cognitoLogoutUrl(state.config.cognito) : null;
  resetSessionState();
  clearToken();
  clearAlerts();
  history.replaceState(null, '', `${location.pathname}#/`);
  if (logoutUrl) {
    location.assign(logoutUrl);
    return;
  }
  state.loginEmail = '';
  renderShell();
  renderSignIn();
  announce(t('signedOut'));
  document.getElementById('signin-title')?.focus();
}

// ------------------------------------------------------------ unread ("seen") tracking

function seenKey() {
  return `md.seen.${str(state.me && state.me.tenant_id)}.${str(state.me && state.me.user_id)}`;
}

function loadSeen() {
  try {
    const arr = JSON.parse(localStorage.getItem(seenKey()) || '[]');
    state.seen = new Set(Array.isArray(arr) ? arr.filter((x) => typeof x === 'string') : []);
  } catch {
    state.seen = new Set();
  }
}

function markSeen(id) {
  if (state.seen.has(id)) return;
  state.seen.add(id);
  let arr = [...state.seen];
  if (arr.length > MAX_SEEN) {
    arr = arr.slice(-MAX_SEEN);
    state.seen = new Set(arr);
  }
  try {
    localStorage.setItem(seenKey(), JSON.stringify(arr));
  } catch {
    /* ignore */
  }
}

window.addEventListener('storage', (e) => {
  if (state.me && e.key === seenKey()) {
    loadSeen();
    if (state.screen === 'app') renderList();
  }
});

// ------------------------------------------------------------ app layout

function filterSelect(key, values, labelKey, prefix) {
  const id = `filter-${key}`;
  const select = h(
    'select',
    { id, class: 'select select-sm', 'data-testid': id },
    h('option', { value: '' }, t('filterAny')),
    values.map((v) => h('option', { value: v, selected: state.filters[key] === v }, tOr(prefix, v))),
  );
  select.addEventListener('change', () => setFilter(key, select.value));
  return h('div', { class: 'filter' }, h('label', { for: id, class: 'filter-label' }, t(labelKey)), select);
}

function filterBar() {
  const search = h('input', {
    id: 'inbox-search',
    type: 'search',
    class: 'input input-sm',
    'data-testid': 'inbox-search',
    maxlength: '100',
    placeholder: t('searchPlaceholder'),
    value: state.filters.q || '',
  });
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => setFilter('q', search.value.trim()), 300);
  });
  return h(
    'details',
    { class: 'filter-bar', open: Object.values(state.filters).some(Boolean) },
    h('summary', { class: 'filter-summary' }, t('filtersTitle')),
    h(
      'div',
      { class: 'filter-grid' },
      h('div', { class: 'filter filter-search' }, h('label', { for: 'inbox-search', class: 'filter-label' }, t('searchLabel')), search),
      filterSelect('channel', CHANNELS, 'metaChannel', 'channel'),
      filterSelect('sentiment', SENTIMENTS, 'metaSentiment', 'sentiment'),
      filterSelect('intent', INTENTS, 'metaIntent', 'intent'),
      filterSelect('urgency', URGENCIES, 'metaUrgency', 'urgency'),
      filterSelect('language', ['ja', 'en'], 'metaLanguage', 'lang'),
    ),
  );
}

function renderApp() {
  state.screen = 'app';
  rowCache.clear();

  const select = h(
    'select',
    { id: 'status-filter', class: 'select', 'data-testid': 'status-filter' },
    STATUSES.map((s) => h('option', { value: s, selected: s === state.status }, t(`status.${s}`))),
  );
  select.value = state.status;
  select.addEventListener('change', () => setStatus(select.value));

  refs.inboxTitle = h('h1', { id: 'inbox-title', class: 'pane-title', tabindex: '-1' }, t('inboxTitle'));
  refs.list = h('ul', { class: 'ticket-list', 'data-testid': 'inbox-list', 'aria-labelledby': 'inbox-title' });
  refs.list.addEventListener('focusin', (e) => {
    const li = e.target.closest('li[data-ticket-id]');
    if (li && li.dataset.ticketId !== state.selectedId) {
      state.selectedId = li.dataset.ticketId;
      updateRowClasses();
    }
  });
  refs.listStatus = h('p', { class: 'list-status', 'data-testid': 'inbox-status' });
  refs.loadMore = h('button', { type: 'button', class: 'btn load-more', 'data-testid': 'load-more' }, t('loadMore'));
  refs.loadMore.addEventListener('click', loadMore);
  refs.listScroll = h('div', { class: 'list-scroll' }, refs.list, refs.listStatus, h('div', { class: 'load-more-wrap' }, refs.loadMore));

  refs.viewButtons = VIEWS.map((v) => {
    const b = h('button', { type: 'button', class: 'view-btn', 'data-testid': `view-${v}`, dataset: { view: v }, 'aria-pressed': String(v === state.view) }, t(`view.${v}`));
    b.addEventListener('click', () => setView(v));
    return b;
  });
  const inboxPane = h(
    'section',
    { class: 'pane inbox-pane', 'aria-labelledby': 'inbox-title' },
    h(
      'div',
      { class: 'inbox-toolbar' },
      refs.inboxTitle,
      h('div', { class: 'filter' }, h('label', { for: 'status-filter', class: 'filter-label' }, t('statusFilter')), select),
    ),
    h('div', { class: 'view-tabs', role: 'group', 'aria-label': t('viewsLabel'), 'data-testid': 'inbox-views' }, refs.viewButtons),
    filterBar(),
    refs.listScroll,
  );
  refs.ticketPane = h('section', { class: 'pane ticket-pane', 'aria-label': t('conversation') });
  refs.main.replaceChildren(h('div', { class: 'layout' }, inboxPane, refs.ticketPane));
  renderList();
  renderTicketPane();
  updateTitle();
}

// ------------------------------------------------------------ routing

function ticketHref(id) {
  return `#/tickets/${encodeURIComponent(id)}`;
}

function parseRoute() {
  const m = /^#\/tickets\/([^/?#]+)$/.exec(location.hash);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return null;
  }
}

/** Which screen the address asks for, among those this role may see ('inbox' otherwise). */
function wantedScreen() {
  const m = /^#\/([a-z]+)(\/|$)/.exec(location.hash);
  const name = m && SCREENS.includes(m[1]) ? m[1] : 'inbox';
  const role = state.me ? state.me.role : null;
  if (name === 'settings') return LEADS.has(role) ? name : 'inbox';
  if (name === 'reports' || name === 'finance') return REPORT_READERS.has(role) ? name : 'inbox';
  return name;
}

function onRoute() {
  if (state.screen !== 'app') return;
  const screen = wantedScreen();
  if (screen !== 'inbox') {
    if (state.screenView !== screen) showScreen(screen, { focus: true });
    return;
  }
  if (state.me && state.me.role === 'finance') {
    history.replaceState(null, '', `${location.pathname}#/finance`);
    if (state.screenView !== 'finance') showScreen('finance', { focus: true });
    return;
  }
  if (state.screenView !== 'inbox') {
    state.screenView = 'inbox';
    closeScreen();
    renderShell();
    renderApp();
    refreshList().catch((err) => reportError(err, 'list'));
  }
  const id = parseRoute();
  if (id !== state.openId) showTicket(id, { focus: false });
}

/** Open a ticket from a report: Back (or the ticket's close button) returns to the report. */
function openTicketFromScreen(id) {
  history.pushState({ mdFromList: LOAD_ID }, '', ticketHref(id));
  onRoute();
  refs.ticketPane?.focus({ preventScroll: true });
}

/** Show settings, reports or finance in place of the inbox. */
function showScreen(name, { focus = false } = {}) {
  if (state.openId) showTicket(null, { focus: false });
  state.screen = 'app'; // finance never renders the inbox, which is where this is otherwise set
  state.screenView = name;
  closeScreen();
  renderShell();
  const host = h('div', { class: name === 'settings' ? 'settings-host' : 'reports-host' });
  refs.main.replaceChildren(host);
  const options = { me: state.me, onError: (err) => reportError(err, name) };
  if (name === 'settings') refs.screenCleanup = renderSettings(host, options);
  else if (name === 'reports') refs.screenCleanup = renderReports(host, { ...options, openTicket: openTicketFromScreen });
  else refs.screenCleanup = renderFinance(host, options);
  updateTitle();
  if (focus) document.getElementById(`${name}-title`)?.focus();
}

function closeScreen() {
  if (refs.screenCleanup) refs.screenCleanup();
  refs.screenCleanup = null;
}

function openTicket(id, { focus = true } = {}) {
  if (state.openId === id) {
    if (focus) document.getElementById('ticket-title')?.focus();
    return;
  }
  // One history entry per "inbox → ticket" trip: switching tickets replaces it,
  // so Back / Escape always returns to the list.
  if (state.openId) history.replaceState(history.state, '', ticketHref(id));
  else history.pushState({ mdFromList: LOAD_ID }, '', ticketHref(id));
  showTicket(id, { focus });
}

function closeTicket() {
  if (!state.openId) return;
  if (history.state && history.state.mdFromList === LOAD_ID) {
    history.back(); // popstate → onRoute → showTicket(null)
  } else {
    history.replaceState(null, '', `${location.pathname}${location.search}#/`);
    showTicket(null, { focus: true });
  }
}

function showTicket(id, { focus = false } = {}) {
  const previous = state.openId;
  const pane = refs.ticketPane;
  if (id && NARROW.matches && !previous) state.savedListAnchor = captureListAnchor();

  state.openId = id;
  state.openTicket = null;
  state.openJson = '';
  state.openError = null;
  state.focusTicketOnLoad = Boolean(id && focus);
  document.body.classList.toggle('ticket-open', Boolean(id));

  if (id) {
    state.selectedId = id;
    markSeen(id);
  }
  renderList();
  renderTicketPane();
  updateTitle();

  if (id !== previous) {
    dropComposer();
    if (id) startPresence(id);
    else stopPresence();
  }
  if (id) {
    if (focus) pane.focus({ preventScroll: true });
    loadTicket(id);
  } else {
    if (NARROW.matches && state.savedListAnchor) restoreListAnchor(state.savedListAnchor);
    state.savedListAnchor = null;
    const row = previous && rowCache.get(previous);
    const focusLost = !document.activeElement || document.activeElement === document.body || pane.contains(document.activeElement);
    if (row && (focus || focusLost)) {
      row.link.focus({ preventScroll: true });
      row.li.scrollIntoView({ block: 'nearest' });
    } else if (focus || focusLost) {
      refs.inboxTitle.focus();
    }
  }
}

// ------------------------------------------------------------ inbox list

function resetList() {
  state.listGen += 1;
  state.tickets = [];
  state.index = new Map();
  state.next = null;
  state.pages = 0;
  state.listLoaded = false;
  state.loadingMore = false;
}

function setStatus(status) {
  if (!STATUSES.includes(status) || status === state.status) return;
  state.status = status;
  writeStatus(status);
  reloadList();
}

function validTickets(items) {
  return Array.isArray(items) ? items.filter((x) => isObject(x) && typeof x.id === 'string' && x.id) : [];
}

function setTickets(list) {
  const seenIds = new Set();
  state.tickets = list.filter((tk) => (seenIds.has(tk.id) ? false : seenIds.add(tk.id)));
  state.index = new Map(state.tickets.map((tk) => [tk.id, tk]));
}

/** The inbox request: status, view, filters and search as the API takes them. */
function listParams(extra = {}) {
  const params = new URLSearchParams({ status: state.status, limit: String(PAGE_SIZE), view: state.view, ...extra });
  for (const [key, value] of Object.entries(state.filters)) if (value) params.set(key, value);
  return params;
}

function setView(view) {
  if (!VIEWS.includes(view) || view === state.view) return;
  state.view = view;
  for (const b of refs.viewButtons || []) b.setAttribute('aria-pressed', String(b.dataset.view === view));
  reloadList();
}

function setFilter(key, value) {
  if ((state.filters[key] || '') === value) return;
  state.filters = { ...state.filters, [key]: value };
  reloadList();
}

function reloadList() {
  resetList();
  renderList();
  refs.listScroll.scrollTop = 0;
  refreshList().catch((err) => reportError(err, 'list'));
}

async function refreshList() {
  const gen = state.listGen;
  const data = await apiGet(`/api/tickets?${listParams()}`);
  if (gen !== state.listGen || state.screen !== 'app') return;
  dismissAlert('network');
  dismissAlert('list');
  mergeFirstPage(isObject(data) ? data : {});
}

/** Merge a fresh first page into what is loaded, keeping older pages. */
function mergeFirstPage(data) {
  const items = validTickets(data.items);
  const next = typeof data.next === 'string' && data.next ? data.next : null;
  const firstLoad = !state.listLoaded;
  const pageIds = new Set(items.map((tk) => tk.id));
  let rest = [];
  if (next) {
    // Keep tickets from later pages, except ones that should have been on this
    // page (newer than its last item) but were not: they left this filter.
    const last = items[items.length - 1];
    const lastTime = last ? timeValue(last.updated_at) : Infinity;
    rest = state.tickets.filter((tk) => !pageIds.has(tk.id) && timeValue(tk.updated_at) <= lastTime);
  }
  const newIds = firstLoad ? [] : items.filter((tk) => !state.index.has(tk.id)).map((tk) => tk.id);
  setTickets([...items, ...rest]);
  if (!next) {
    state.next = null;
    state.pages = 1;
  } else if (state.pages <= 1) {
    state.next = next;
    state.pages = 1;
  }
  state.listLoaded = true;
  renderList({ newIds });
  if (newIds.length) announce(t('newTickets', { n: newIds.length }));
}

async function loadMore() {
  if (!state.next || state.loadingMore) return;
  state.loadingMore = true;
  renderList();
  const gen = state.listGen;
  const hadFocus = document.activeElement === refs.loadMore;
  const before = state.tickets.length;
  try {
    const data = await apiGet(`/api/tickets?${listParams({ cursor: state.next })}`);
    if (gen !== state.listGen) return;
    const items = validTickets(isObject(data) ? data.items : null).filter((tk) => !state.index.has(tk.id));
    setTickets([...state.tickets, ...items]);
    state.next = isObject(data) && typeof data.next === 'string' && data.next ? data.next : null;
    state.pages += 1;
  } catch (err) {
    if (gen === state.listGen) reportError(err, 'list');
  } finally {
    if (gen === state.listGen) {
      state.loadingMore = false;
      renderList();
      if (hadFocus && !state.next && state.tickets.length > before) {
        rowCache.get(state.tickets[before].id)?.link.focus();
      }
    }
  }
}

function captureListAnchor() {
  const sc = refs.listScroll;
  if (!sc || !sc.isConnected) return null;
  const scrollTop = sc.scrollTop;
  if (scrollTop <= 0) return { scrollTop: 0, id: null, offset: 0 };
  const top = sc.getBoundingClientRect().top;
  for (const li of refs.list.children) {
    const r = li.getBoundingClientRect();
    if (r.bottom > top + 1) return { scrollTop, id: li.dataset.ticketId, offset: r.top - top };
  }
  return { scrollTop, id: null, offset: 0 };
}

function restoreListAnchor(anchor) {
  const sc = refs.listScroll;
  if (!anchor || !sc) return;
  sc.scrollTop = anchor.scrollTop;
  const row = anchor.id && rowCache.get(anchor.id);
  if (!row || !row.li.isConnected) return;
  const delta = row.li.getBoundingClientRect().top - sc.getBoundingClientRect().top - anchor.offset;
  if (Math.abs(delta) > 0.5) sc.scrollTop += delta;
}

function rowSignature(tk) {
  return `${getLanguage()}|${state.seen.has(tk.id)}|${state.status === 'all'}|${JSON.stringify(tk)}`;
}

function buildRow(id) {
  const link = h('a', { class: 'row-link', href: ticketHref(id) });
  link.addEventListener('click', (e) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return; // new tab etc.
    e.preventDefault();
    openTicket(id, { focus: true });
  });
  const li = h('li', { class: 'row', 'data-testid': 'ticket-row', dataset: { ticketId: id } }, link);
  return { li, link, sig: '' };
}

function rowContent(tk) {
  const c = isObject(tk.customer) ? tk.customer : {};
  const unread = !state.seen.has(tk.id);
  const assignee = isObject(tk.assignee) ? tk.assignee : null;
  const count = typeof tk.message_count === 'number' ? tk.message_count : null;
  return [
    h('span', { class: 'row-icon' }, channelIcon(tk.channel)),
    h(
      'span',
      { class: 'row-body' },
      h(
        'span',
        { class: 'row-line row-top' },
        unread ? h('span', { class: 'unread-dot', 'aria-hidden': 'true' }) : null,
        unread ? h('span', { class: 'sr-only' }, `${t('unread')}: `) : null,
        h('span', { class: 'row-name', dir: 'auto' }, displayName(c)),
        c.verified === true ? verifiedBadge() : null,
        c.handle ? h('span', { class: 'row-handle', dir: 'ltr' }, `@${str(c.handle)}`) : null,
        h('span', { class: 'row-time' }, timeEl(tk.updated_at || tk.created_at, { relative: true })),
      ),
      h('span', { class: 'row-excerpt', dir: 'auto', lang: tk.language || null }, str(tk.last_message_excerpt) || str(tk.subject)),
      h(
        'span',
        { class: 'row-line row-meta' },
        h(
          'span',
          { class: 'row-chips' },
          state.status === 'all' ? statusChip(tk.status) : null,
          slaChip(tk.sla_due_at, slaStart(tk)),
          priorityChip(tk.priority),
          sentimentChip(tk.sentiment),
          tk.urgency === 'high' ? chip(t('urgency.high'), 'sent-negative', t('metaUrgency')) : null,
          tk.intent ? chip(tOr('intent', tk.intent), 'quiet', t('metaIntent')) : null,
          languageChip(tk.language),
          tk.kind && tk.kind !== 'mention' ? chip(tOr('kind', tk.kind), 'quiet') : null,
          triageChip(tk.triage_state),
          ...tagChips(tk.tags),
          count && count > 1 ? messageCount(count) : null,
        ),
        h(
          'span',
          { class: assignee ? 'row-assignee' : 'row-assignee is-unassigned' },
          personIcon(),
          h('span', { class: 'sr-only' }, `${t('metaAssignee')}: `),
          h('span', { dir: 'auto' }, assignee ? displayName(assignee) : t('unassigned')),
        ),
      ),
    ),
  ];
}

function updateRowClasses() {
  for (const [id, row] of rowCache) {
    row.li.classList.toggle('is-selected', id === state.selectedId);
    row.li.classList.toggle('is-open', id === state.openId);
    if (id === state.openId) row.link.setAttribute('aria-current', 'true');
    else row.link.removeAttribute('aria-current');
  }
}

/** Reconcile the list DOM with state.tickets, moving as few nodes as possible. */
function renderList({ newIds = [] } = {}) {
  if (!refs.list) return;
  const anchor = captureListAnchor();
  const active = document.activeElement;
  const listHadFocus = refs.list.contains(active);

  for (const [id, row] of rowCache) {
    if (!state.index.has(id)) {
      row.li.remove();
      rowCache.delete(id);
    }
  }
  let cursor = refs.list.firstElementChild;
  for (const tk of state.tickets) {
    let row = rowCache.get(tk.id);
    if (!row) {
      row = buildRow(tk.id);
      rowCache.set(tk.id, row);
    }
    const sig = rowSignature(tk);
    if (sig !== row.sig) {
      row.sig = sig;
      row.li.classList.toggle('is-unread', !state.seen.has(tk.id));
      row.link.replaceChildren(...rowContent(tk));
    }
    if (row.li === cursor) cursor = cursor.nextElementSibling;
    else refs.list.insertBefore(row.li, cursor);
  }
  updateRowClasses();

  for (const id of newIds) {
    const row = rowCache.get(id);
    if (!row) continue;
    row.li.classList.add('is-new');
    setTimeout(() => row.li.classList.remove('is-new'), NEW_HIGHLIGHT_MS);
  }

  if (anchor && anchor.scrollTop > 0) restoreListAnchor(anchor);
  if (listHadFocus && active.isConnected && document.activeElement !== active) active.focus({ preventScroll: true });

  // Status line, busy state and "Load more".
  const loading = !state.listLoaded;
  refs.list.setAttribute('aria-busy', loading ? 'true' : 'false');
  refs.listStatus.hidden = !(loading || state.tickets.length === 0);
  refs.listStatus.textContent = loading ? t('loading') : state.tickets.length === 0 ? t('emptyInbox') : '';
  refs.loadMore.hidden = !state.next;
  refs.loadMore.textContent = state.loadingMore ? t('loadingMore') : t('loadMore');
  if (state.loadingMore) refs.loadMore.setAttribute('aria-disabled', 'true');
  else refs.loadMore.removeAttribute('aria-disabled');
}

function moveSelection(delta) {
  const ids = state.tickets.map((tk) => tk.id);
  if (!ids.length) return;
  let i = ids.indexOf(state.selectedId);
  if (i === -1) {
    // Nothing selected yet: start from the first row in view, not the top of the list.
    const anchor = captureListAnchor();
    i = Math.max(0, anchor && anchor.id ? ids.indexOf(anchor.id) : 0);
  } else {
    i = Math.min(ids.length - 1, Math.max(0, i + delta));
  }
  if (delta > 0 && ids.indexOf(state.selectedId) === ids.length - 1 && state.next) loadMore();
  state.selectedId = ids[i];
  updateRowClasses();
  const row = rowCache.get(ids[i]);
  if (row) {
    row.link.focus({ preventScroll: true });
    row.li.scrollIntoView({ block: 'nearest' });
  }
}

// ------------------------------------------------------------ ticket view

async function loadTicket(id) {
  let data;
  try {
    data = await apiGet(`/api/tickets/${encodeURIComponent(id)}`);
  } catch (err) {
    if (state.openId !== id) return;
    if (err instanceof ApiError && err.status === 404) {
      state.openError = 'notfound';
      renderTicketPane();
      showAlert(() => `${t('ticketNotFound')} ${errorText(err)}`, { key: 'ticket' });
      return;
    }
    reportError(err, 'ticket');
    return;
  }
  if (state.openId !== id || !isObject(data)) return;
  dismissAlert('ticket');
  dismissAlert('network');
  const json = JSON.stringify(data);
  if (json === state.openJson) return; // unchanged: leave the DOM (and any text selection) alone
  const first = !state.openTicket;
  state.openJson = json;
  state.openTicket = data;
  mergeSummaryFromDetail(data);
  renderTicketPane({ preserve: !first });
  updateTitle();
  if (state.focusTicketOnLoad) {
    state.focusTicketOnLoad = false;
    document.getElementById('ticket-title')?.focus({ preventScroll: true });
  }
}

/** Keep the list row in step with a fresher ticket detail. */
function mergeSummaryFromDetail(detail) {
  const summary = state.index.get(detail.id);
  if (!summary) return;
  if (typeof detail.version === 'number' && typeof summary.version === 'number' && detail.version <= summary.version) return;
  for (const key of Object.keys(summary)) {
    if (key in detail && key !== 'messages' && key !== 'events') summary[key] = detail[key];
  }
  renderList();
}

function renderTicketPane({ preserve = false } = {}) {
  const pane = refs.ticketPane;
  if (!pane) return;
  const top = pane.scrollTop;
  const focused = pane.contains(document.activeElement) ? document.activeElement.closest('[data-focus-key]') : null;
  const focusKey = focused ? focused.dataset.focusKey : null;

  pane.tabIndex = -1;
  let content;
  if (!state.openId) {
    content = emptyPane();
  } else if (state.openError) {
    content = ticketShell(h('p', { class: 'pane-message' }, t('ticketNotFound')));
  } else if (!state.openTicket) {
    content = ticketShell(h('p', { class: 'pane-message', 'aria-busy': 'true' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('ticketLoading')));
  } else {
    content = ticketView(state.openTicket);
  }
  if (pane.firstChild !== content || pane.childNodes.length !== 1) pane.replaceChildren(content);

  if (preserve) {
    pane.scrollTop = top;
    if (focusKey) pane.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus({ preventScroll: true });
  } else {
    pane.scrollTop = 0;
  }
}

function emptyPane() {
  const key = (k) => h('kbd', null, k);
  return h(
    'div',
    { class: 'empty-pane' },
    h('p', { class: 'empty-title' }, t('selectTicket')),
    h(
      'div',
      { class: 'shortcuts' },
      h('h2', { class: 'shortcuts-title' }, t('shortcutsTitle')),
      h(
        'dl',
        null,
        h('div', null, h('dt', null, key('j'), ' / ', key('k')), h('dd', null, t('shortcutMove'))),
        h('div', null, h('dt', null, key('Enter')), h('dd', null, t('shortcutOpen'))),
        h('div', null, h('dt', null, key('Esc')), h('dd', null, t('shortcutBack'))),
        h('div', null, h('dt', null, key('r')), h('dd', null, t('shortcutReply'))),
        h('div', null, h('dt', null, key('a')), h('dd', null, t('shortcutAssign'))),
        h('div', null, h('dt', null, key('e')), h('dd', null, t('shortcutResolve'))),
      ),
    ),
  );
}

function backButton() {
  const b = h(
    'button',
    { type: 'button', class: 'btn btn-quiet back-btn', 'data-testid': 'ticket-close', dataset: { focusKey: 'back' } },
    h('span', { class: 'back-arrow', 'aria-hidden': 'true' }, '←'),
    h('span', { class: 'label-narrow' }, t('backToInbox')),
    h('span', { class: 'label-wide' }, t('closeTicket')),
  );
  b.addEventListener('click', closeTicket);
  return b;
}

/** Loading / not-found states still get the back button and the test id. */
function ticketShell(body) {
  return h('article', { class: 'ticket', 'data-testid': 'ticket-view', dataset: { ticketId: state.openId } }, h('div', { class: 'ticket-toolbar' }, backButton()), body);
}

function metaItem(label, ...value) {
  return h('div', { class: 'meta-item' }, h('dt', null, label), h('dd', null, ...value));
}

function ticketView(tk) {
  const c = isObject(tk.customer) ? tk.customer : {};
  const assignee = isObject(tk.assignee) ? tk.assignee : null;
  const messages = (Array.isArray(tk.messages) ? tk.messages.filter(isObject) : []).sort(
    (a, b) => timeValue(a.created_at) - timeValue(b.created_at),
  );
  const events = (Array.isArray(tk.events) ? tk.events.filter(isObject) : []).sort((a, b) => timeValue(a.at) - timeValue(b.at));

  const header = h(
    'header',
    { class: 'ticket-head' },
    h(
      'div',
      { class: 'ticket-toolbar' },
      backButton(),
      h('span', { class: 'ticket-id' }, h('span', { class: 'sr-only' }, `${t('metaTicketId')}: `), str(tk.id)),
    ),
    h(
      'h2',
      { id: 'ticket-title', class: 'ticket-title', tabindex: '-1', dataset: { focusKey: 'title' } },
      channelIcon(tk.channel),
      h('span', { class: 'ticket-name', dir: 'auto' }, displayName(c)),
      c.verified === true ? verifiedBadge() : null,
      c.handle ? h('span', { class: 'ticket-handle', dir: 'ltr' }, `@${str(c.handle)}`) : null,
    ),
    typeof c.followers === 'number'
      ? h('p', { class: 'ticket-sub muted' }, t('followers', { n: formatCompact(c.followers) }))
      : null,
    h(
      'dl',
      { class: 'ticket-meta' },
      metaItem(t('metaStatus'), statusChip(tk.status)),
      metaItem(
        t('metaAssignee'),
        h('span', { class: assignee ? 'assignee' : 'assignee is-unassigned', dir: 'auto' }, assignee ? displayName(assignee) : t('unassigned')),
      ),
      tk.sla_clocks && tk.sla_clocks.length ? metaItem(t('metaSla'), slaClockList(tk)) : null,
      metaItem(t('metaPriority'), chip(tOr('priority', tk.priority || 'normal'), tk.priority === 'urgent' ? 'sent-negative' : 'quiet')),
      tk.tags && tk.tags.length ? metaItem(t('metaTags'), h('span', { class: 'tag-list' }, tagChips(tk.tags, 20))) : null,
      metaItem(t('metaSentiment'), sentimentChip(tk.sentiment, { withEmpty: true })),
      metaItem(t('metaIntent'), tk.intent ? chip(tOr('intent', tk.intent), 'quiet') : '—'),
      metaItem(t('metaUrgency'), tk.urgency ? chip(tOr('urgency', tk.urgency), tk.urgency === 'high' ? 'sent-negative' : 'quiet') : '—'),
      tk.pii_types && tk.pii_types.length
        ? metaItem(t('metaPii'), tk.pii_types.map((p) => tOr('pii', p)).join(', '))
        : null,
      metaItem(t('metaLanguage'), languageChip(tk.language, { short: false, withEmpty: true })),
      metaItem(t('metaTriage'), triageChip(tk.triage_state) || '—'),
      metaItem(t('metaTeam'), h('span', { dir: 'auto' }, str(tk.team) || '—')),
      metaItem(t('metaChannel'), `${tOr('channel', tk.channel) || '—'}${tk.kind ? ` · ${tOr('kind', tk.kind)}` : ''}`),
      metaItem(t('metaCreated'), timeEl(tk.created_at)),
      metaItem(t('metaUpdated'), timeEl(tk.updated_at)),
    ),
  );

  const thread = h(
    'section',
    { class: 'ticket-section thread-section', 'aria-labelledby': 'thread-title' },
    h('h3', { id: 'thread-title', class: 'section-title' }, t('conversation'), h('span', { class: 'count' }, formatNumber(messages.length))),
    messages.length
      ? h('ol', { class: 'thread' }, messages.map((m, i) => messageItem(m, tk, i)))
      : h('p', { class: 'muted' }, t('noMessages')),
  );

  const side = h(
    'div',
    { class: 'ticket-side' },
    notesSection(tk),
    otherTicketsSection(tk),
    state.me && REPORT_READERS.has(state.me.role) ? ticketCostSection(tk.id, { onError: (err) => reportError(err, 'costs') }) : null,
  );

  const activity = h(
    'section',
    { class: 'ticket-section activity-section', 'aria-labelledby': 'activity-title' },
    h('h3', { id: 'activity-title', class: 'section-title' }, t('activity')),
    events.length ? h('ol', { class: 'timeline' }, events.map((ev) => eventItem(ev, tk))) : h('p', { class: 'muted' }, t('noEvents')),
  );

  // The parts a live update replaces; the composer between them stays where it is (moving it would
  // interrupt a Japanese IME composition and lose the caret).
  const parts = {
    top: [header, ticketActions(tk), labelCorrection(tk), presenceLine(tk)],
    thread: [thread],
    aside: [side, activity],
  };
  const existing = refs.ticketParts;
  if (existing && existing.id === tk.id && existing.article.isConnected) {
    existing.top.replaceChildren(...parts.top);
    existing.thread.replaceChildren(...parts.thread);
    existing.aside.replaceChildren(...parts.aside);
    composerFor(tk);
    return existing.article;
  }
  const top = h('div', { class: 'ticket-top' }, ...parts.top);
  const threadSlot = h('div', { class: 'ticket-thread' }, ...parts.thread);
  const aside = h('div', { class: 'ticket-aside' }, ...parts.aside);
  const article = h(
    'article',
    { class: 'ticket', 'data-testid': 'ticket-view', dataset: { ticketId: tk.id }, 'aria-labelledby': 'ticket-title' },
    top,
    h('div', { class: 'ticket-body' }, h('div', { class: 'ticket-main' }, threadSlot, composerFor(tk)), aside),
  );
  refs.ticketParts = { id: tk.id, article, top, thread: threadSlot, aside };
  return article;
}

// ------------------------------------------------------------ acting on the open ticket

function isMine(tk) {
  return Boolean(tk.assignee && state.me && tk.assignee.id === state.me.user_id);
}

function ticketActions(tk) {
  const id = tk.id;
  const buttons = [];
  if (!isMine(tk) && tk.status !== 'closed') {
    buttons.push(actionButton(t('actionAssignMe'), 'action-assign-me', () => assignTo(id, state.me.user_id), 'a'));
  }
  if (isMine(tk)) {
    buttons.push(actionButton(t('actionUnassign'), 'action-unassign', () => assignTo(id, null)));
  }
  if (tk.status === 'open' || tk.status === 'pending') {
    buttons.push(actionButton(t('actionResolve'), 'action-resolve', () => changeTicket(id, { status: 'resolved' }), 'e'));
  }
  if (tk.status === 'open') {
    buttons.push(actionButton(t('actionPending'), 'action-pending', () => changeTicket(id, { status: 'pending' })));
  }
  if (tk.status === 'resolved' || tk.status === 'closed') {
    buttons.push(actionButton(t('actionReopen'), 'action-reopen', () => changeTicket(id, { status: 'open' })));
  }
  const priority = h(
    'select',
    { id: 'action-priority', class: 'select select-sm', 'data-testid': 'action-priority', dataset: { focusKey: 'priority' } },
    ['low', 'normal', 'high', 'urgent'].map((p) => h('option', { value: p, selected: (tk.priority || 'normal') === p }, tOr('priority', p))),
  );
  priority.addEventListener('change', () => changeTicket(id, { priority: priority.value }));
  return h(
    'div',
    { class: 'ticket-actions', role: 'group', 'aria-label': t('actionsLabel'), 'data-testid': 'ticket-actions' },
    ...buttons,
    h('label', { class: 'filter-label', for: 'action-priority' }, t('metaPriority')),
    priority,
  );
}

function actionButton(label, testId, run, key = null) {
  const b = h(
    'button',
    { type: 'button', class: 'btn btn-sm', 'data-testid': testId, dataset: { focusKey: testId }, disabled: state.busy },
    label,
    key ? h('kbd', { class: 'kbd-hint', 'aria-hidden': 'true' }, key) : null,
  );
  if (key) b.setAttribute('aria-keyshortcuts', key);
  b.addEventListener('click', run);
  return b;
}

/** Run one change of the open ticket; a stale version reloads it and says a colleague changed it. */
async function act(id, change, done) {
  if (state.busy) return;
  state.busy = true;
  try {
    await change();
    announce(done);
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      showAlert(() => t('staleTicket'), { key: 'action', tone: 'info' });
    } else {
      reportError(err, 'action');
    }
  } finally {
    state.busy = false;
    state.openJson = '';
    if (state.openId === id) await loadTicket(id);
    refreshList().catch((err) => reportError(err, 'list'));
  }
}

function currentVersion(id) {
  return state.openTicket && state.openTicket.id === id ? state.openTicket.version : state.index.get(id)?.version;
}

function assignTo(id, agentId) {
  return act(
    id,
    () => apiSend('POST', `/api/tickets/${encodeURIComponent(id)}/assignment`, { version: currentVersion(id), agent_id: agentId }),
    agentId ? t('assignedToYou') : t('unassignedDone'),
  );
}

function changeTicket(id, fields) {
  return act(
    id,
    () => apiSend('PATCH', `/api/tickets/${encodeURIComponent(id)}`, { version: currentVersion(id), ...fields }),
    fields.status ? t('statusChanged', { status: tOr('status', fields.status) }) : t('ticketUpdated'),
  );
}

/** Agents correct the classifier: the labels stay on the ticket and teach the tenant's model. */
function labelCorrection(tk) {
  const fields = [
    ['sentiment', SENTIMENTS, 'metaSentiment'],
    ['intent', INTENTS, 'metaIntent'],
    ['urgency', URGENCIES, 'metaUrgency'],
  ];
  const selects = fields.map(([key, values, label]) => {
    const id = `correct-${key}`;
    const select = h(
      'select',
      { id, class: 'select select-sm', 'data-testid': id, dataset: { focusKey: id } },
      values.map((v) => h('option', { value: v, selected: tk[key] === v }, tOr(key, v))),
    );
    return [key, select, h('div', { class: 'filter' }, h('label', { for: id, class: 'filter-label' }, t(label)), select)];
  });
  const save = h('button', { type: 'submit', class: 'btn btn-sm', 'data-testid': 'correct-save' }, t('correctSave'));
  const form = h('form', { class: 'correct-form' }, ...selects.map(([, , wrap]) => wrap), save);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const changes = {};
    for (const [key, select] of selects) if (select.value !== tk[key]) changes[key] = select.value;
    if (!Object.keys(changes).length) return;
    act(tk.id, () => apiSend('POST', `/api/tickets/${encodeURIComponent(tk.id)}/labels`, { version: currentVersion(tk.id), ...changes }), t('labelsCorrected'));
  });
  const details = h(
    'details',
    { class: 'correct-labels', 'data-testid': 'correct-labels', open: refs.correctOpen === tk.id },
    h('summary', { class: 'filter-summary' }, t('correctTitle')),
    form,
  );
  details.addEventListener('toggle', () => {
    refs.correctOpen = details.open ? tk.id : null; // kept open across the live re-renders
  });
  return details;
}

// ------------------------------------------------------------ who else is here

function presenceLine(tk) {
  const others = (Array.isArray(tk.presence) ? tk.presence : []).filter((p) => isObject(p) && p.user_id !== state.me?.user_id);
  const line = h('p', { class: 'presence', 'data-testid': 'presence', 'aria-live': 'polite' });
  if (!others.length) {
    line.hidden = true;
    return line;
  }
  line.append(
    ...others.map((p) =>
      h('span', { class: `presence-item is-${p.state === 'typing' ? 'typing' : 'viewing'}` }, h('span', { class: 'avatar avatar-sm', 'aria-hidden': 'true' }, firstChar(str(p.name))), t(p.state === 'typing' ? 'presenceTyping' : 'presenceViewing', { name: str(p.name) })),
    ),
  );
  return line;
}

function startPresence(id) {
  stopPresence();
  const beat = () => apiSend('PUT', `/api/tickets/${encodeURIComponent(id)}/presence`, { state: 'viewing' }).catch(() => {});
  beat();
  refs.presenceTimer = setInterval(beat, PRESENCE_MS);
  refs.presenceId = id;
  handling.start(id); // the agent's active seconds on it, for the ticket's cost
}

function stopPresence() {
  clearInterval(refs.presenceTimer);
  refs.presenceTimer = null;
  const id = refs.presenceId;
  refs.presenceId = null;
  handling.stop();
  if (id && getToken()) apiSend('DELETE', `/api/tickets/${encodeURIComponent(id)}/presence`).catch(() => {});
}

// ------------------------------------------------------------ the composer, notes, the customer's other tickets

function composerFor(tk) {
  if (!refs.composer || refs.composer.id !== tk.id) {
    dropComposer();
    refs.composer = createComposer({ ticket: tk, me: state.me, onChanged: () => act(tk.id, async () => {}, '') });
    refs.composer.id = tk.id;
  }
  refs.composer.update(tk);
  return refs.composer.el;
}

function dropComposer() {
  if (refs.composer) refs.composer.destroy();
  refs.composer = null;
}

function notesSection(tk) {
  const notes = (Array.isArray(tk.notes) ? tk.notes.filter(isObject) : []).sort((a, b) => timeValue(a.at) - timeValue(b.at));
  const input = h('textarea', { id: 'note-text', class: 'textarea', rows: '2', maxlength: '5000', 'data-testid': 'note-text', dataset: { focusKey: 'note' } });
  input.value = refs.noteDraft && refs.noteDraft.id === tk.id ? refs.noteDraft.text : '';
  input.addEventListener('input', () => {
    refs.noteDraft = { id: tk.id, text: input.value };
  });
  const add = h('button', { type: 'submit', class: 'btn btn-sm', 'data-testid': 'note-add' }, t('noteAdd'));
  const form = h('form', { class: 'note-form' }, h('label', { for: 'note-text', class: 'sr-only' }, t('noteLabel')), input, add);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    act(
      tk.id,
      async () => {
        await apiSend('POST', `/api/tickets/${encodeURIComponent(tk.id)}/notes`, { text });
        refs.noteDraft = null;
      },
      t('noteAdded'),
    );
  });
  return h(
    'section',
    { class: 'ticket-section notes-section', 'aria-labelledby': 'notes-title' },
    h('h3', { id: 'notes-title', class: 'section-title' }, t('notesTitle'), h('span', { class: 'count' }, formatNumber(notes.length))),
    notes.length
      ? h(
          'ol',
          { class: 'notes', 'data-testid': 'notes' },
          notes.map((n) => h('li', { class: 'note' }, h('p', { class: 'note-meta muted' }, h('span', { dir: 'auto' }, str(n.author_name)), ' · ', timeEl(n.at)), h('p', { class: 'note-text', dir: 'auto' }, str(n.text)))),
        )
      : h('p', { class: 'muted' }, t('noNotes')),
    form,
  );
}

function otherTicketsSection(tk) {
  const others = Array.isArray(tk.other_tickets) ? tk.other_tickets.filter(isObject) : [];
  return h(
    'section',
    { class: 'ticket-section others-section', 'aria-labelledby': 'others-title' },
    h('h3', { id: 'others-title', class: 'section-title' }, t('otherTickets'), h('span', { class: 'count' }, formatNumber(others.length))),
    others.length
      ? h(
          'ul',
          { class: 'other-tickets', 'data-testid': 'other-tickets' },
          others.map((o) => h('li', null, h('a', { href: ticketHref(str(o.id)) }, h('span', { dir: 'auto' }, str(o.subject) || str(o.id))), ' ', timeEl(o.created_at))),
        )
      : h('p', { class: 'muted' }, t('noOtherTickets')),
  );
}

function urlLine(label, url, focusKey) {
  const safe = safeHttpUrl(url);
  if (safe) {
    return h(
      'p',
      { class: 'msg-link' },
      h('span', { class: 'muted' }, label, ' '),
      h('a', { href: safe, target: '_blank', rel: 'noopener noreferrer', class: 'url', dataset: { focusKey } }, safe),
    );
  }
  return h(
    'p',
    { class: 'msg-link is-unsafe' },
    h('span', { class: 'muted' }, label, ' ', t('unsafeLink'), ' '),
    h('code', { class: 'url' }, str(url)),
  );
}

/** How the platform shows this message: a private conversation, a review, or a public post. */
function messageStyle(m, tk) {
  if (m.kind === 'dm' || (m.direction === 'outbound' && tk.kind === 'dm')) return 'dm';
  if (m.kind === 'review' || tk.channel === 'google') return 'review';
  return 'public';
}

function messageItem(m, tk, index) {
  const a = isObject(m.author) ? m.author : {};
  const outbound = m.direction === 'outbound';
  const media = Array.isArray(m.media) ? m.media.filter(isObject) : [];
  const key = str(m.id) || String(index);
  return h(
    'li',
    {
      class: `msg ${outbound ? 'msg-out' : 'msg-in'} msg-style-${messageStyle(m, tk)}`,
      'data-testid': 'ticket-message',
      dataset: { messageId: m.id },
    },
    h(
      'article',
      { class: 'msg-card' },
      h(
        'header',
        { class: 'msg-head' },
        h('span', { class: 'avatar', 'aria-hidden': 'true' }, firstChar(displayName(a))),
        h(
          'span',
          { class: 'msg-who' },
          h('span', { class: 'msg-author', dir: 'auto' }, displayName(a)),
          a.verified === true ? verifiedBadge() : null,
          a.handle ? h('span', { class: 'msg-handle', dir: 'ltr' }, `@${str(a.handle)}`) : null,
          outbound ? chip(t('direction.outbound'), 'quiet') : null,
          m.kind ? chip(tOr('kind', m.kind), 'quiet') : null,
          Number.isInteger(m.rating) ? stars(m.rating) : null,
        ),
        h('span', { class: 'msg-time' }, timeEl(m.created_at)),
      ),
      h(
        'p',
        { class: 'msg-text', dir: 'auto', lang: tk.language || null },
        highlighted(str(m.text), (Array.isArray(tk.highlights) ? tk.highlights : []).filter((x) => isObject(x) && x.message_id === m.id)),
      ),
      media.length
        ? h(
            'div',
            { class: 'msg-media' },
            h('p', { class: 'muted small' }, t('attachments')),
            h('ul', null, media.map((md, i) => h('li', null, urlLine(`${tOr('media', md.type) || '?'}:`, md.url, `media-${key}-${i}`)))),
          )
        : null,
      m.url ? urlLine(t('openPost'), m.url, `url-${key}`) : null,
      m.reply_to && messageStyle(m, tk) === 'public' ? h('p', { class: 'muted small' }, t('inReplyTo', { id: str(m.reply_to) })) : null,
    ),
  );
}

function actorName(actor, tk, events) {
  if (!actor || actor === 'system') return t('actor.system');
  if (state.me && actor === state.me.user_id) return t('actor.you');
  if (isObject(tk.assignee) && tk.assignee.id === actor && tk.assignee.name) return str(tk.assignee.name);
  for (const ev of events) {
    if (isObject(ev.detail) && ev.detail.agent_id === actor && ev.detail.agent_name) return str(ev.detail.agent_name);
  }
  return str(actor);
}

function scoreLabel(path) {
  return path
    .map((part) => (SENTIMENTS.includes(part) ? t(`sentiment.${part}`) : part === 'sentiment' ? t('metaSentiment') : part === 'language' ? t('metaLanguage') : tOr('lang', part)))
    .join(' › ');
}

function flattenScores(value, path = [], out = []) {
  if (out.length >= 24) return out;
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) flattenScores(v, [...path, k], out);
  } else if (path.length) {
    out.push([path, value]);
  }
  return out;
}

function scoresList(scores) {
  const entries = flattenScores(scores);
  if (!entries.length) return null;
  return h(
    'div',
    { class: 'scores' },
    h('p', { class: 'scores-title' }, t('eventScores')),
    h(
      'dl',
      null,
      entries.map(([path, v]) => {
        const label = scoreLabel(path);
        const isNum = typeof v === 'number' && Number.isFinite(v);
        return h(
          'div',
          { class: 'score' },
          h('dt', null, label),
          h(
            'dd',
            null,
            isNum && v >= 0 && v <= 1 ? h('meter', { min: '0', max: '1', value: String(v), 'aria-label': label }) : null,
            h('span', { class: 'score-value' }, isNum ? formatNumber(v, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : str(typeof v === 'object' ? JSON.stringify(v) : v)),
          ),
        );
      }),
    ),
  );
}

function eventTitle(ev) {
  const d = isObject(ev.detail) ? ev.detail : {};
  switch (ev.type) {
    case 'assigned':
      return t('event.assigned', { name: str(d.agent_name) || str(d.agent_id) });
    case 'queued':
      return t('event.queued', { team: str(d.team) || str(d.queue) });
    case 'rule_fired':
      return t('event.rule_fired', { name: str(d.rule_name) || str(d.rule_id) });
    case 'rule_action_failed':
      return t('event.rule_action_failed', { action: str(d.action) });
    case 'rule_notified':
      return t('event.rule_notified', { channel: str(d.channel) });
    case 'sla_reminder':
    case 'sla_breached':
    case 'sla_escalated':
      return t(`event.${ev.type}`, { metric: tOr('metric', d.metric), level: d.level });
    case 'status_changed':
      return t('event.status_changed', { to: tOr('status', d.to) });
    case 'ticket_created':
    case 'message_received':
    case 'classified':
    case 'triage_failed':
    case 'ticket_reopened':
      return t(`event.${ev.type}`);
    default:
      return t('event.unknown', { type: str(ev.type) || '?' });
  }
}

function eventDetails(ev) {
  const d = isObject(ev.detail) ? ev.detail : {};
  const lines = [];
  if (ev.type === 'classified') {
    const parts = [];
    if (d.sentiment) parts.push(t('eventSentiment', { value: tOr('sentiment', d.sentiment) }));
    if (d.language) parts.push(t('eventLanguage', { value: tOr('lang', d.language) }));
    if (parts.length) lines.push(h('p', { class: 'event-detail' }, parts.join(' · ')));
    if (d.scores !== undefined) lines.push(scoresList(d.scores));
  } else if (ev.type === 'assigned' && d.strategy) {
    lines.push(h('p', { class: 'event-detail' }, t('eventStrategy', { value: tOr('strategy', d.strategy) })));
  } else if (ev.type === 'rule_fired' && Array.isArray(d.matched) && d.matched.length) {
    lines.push(h('p', { class: 'event-detail' }, t('eventMatched', { words: d.matched.map(str).join('、') })));
  } else if (ev.type === 'rule_action_failed' && d.reason) {
    lines.push(h('p', { class: 'event-detail' }, t('eventReason', { value: str(d.reason) })));
  } else if (ev.type === 'triage_failed') {
    const reason = str(d.reason) || str(d.error) || str(d.message);
    if (reason) lines.push(h('p', { class: 'event-detail' }, t('eventReason', { value: reason })));
  }
  return lines;
}

function eventItem(ev, tk) {
  const events = Array.isArray(tk.events) ? tk.events.filter(isObject) : [];
  const known = [
    'ticket_created',
    'message_received',
    'classified',
    'assigned',
    'queued',
    'triage_failed',
    'rule_fired',
    'sla_reminder',
    'sla_breached',
    'sla_escalated',
  ];
  const type = known.includes(ev.type) ? ev.type : 'other';
  return h(
    'li',
    { class: `event event-${type}`, 'data-testid': 'ticket-event', dataset: { eventType: str(ev.type) } },
    h('span', { class: 'event-dot', 'aria-hidden': 'true' }),
    h(
      'div',
      { class: 'event-body' },
      h('p', { class: 'event-title' }, eventTitle(ev)),
      eventDetails(ev),
      h('p', { class: 'event-meta' }, timeEl(ev.at), h('span', { 'aria-hidden': 'true' }, ' · '), h('span', null, t('eventBy', { actor: actorName(ev.actor, tk, events) }))),
    ),
  );
}

// ------------------------------------------------------------ polling

function startPolling() {
  stopPolling();
  state.pollActive = true;
  tick();
}

function stopPolling() {
  state.pollActive = false;
  clearTimeout(state.pollTimer);
  state.pollTimer = null;
}

function schedule(ms) {
  clearTimeout(state.pollTimer);
  state.pollTimer = null;
  if (!state.pollActive || document.hidden) return;
  state.pollTimer = setTimeout(tick, ms);
}

async function tick() {
  state.pollTimer = null;
  if (state.polling || !state.pollActive) return;
  state.polling = true;
  try {
    const jobs = state.screenView === 'inbox' ? [refreshList().catch((err) => reportError(err, 'list'))] : [];
    if (state.openId && !state.openError) jobs.push(loadTicket(state.openId));
    await Promise.all(jobs);
    if (state.screen === 'app') updateRelativeTimes();
  } catch (err) {
    reportError(err, 'poll');
  } finally {
    state.polling = false;
    schedule(POLL_MS);
  }
}

function onVisibility() {
  if (!state.pollActive) return;
  if (document.hidden) {
    clearTimeout(state.pollTimer);
    state.pollTimer = null;
  } else {
    tick();
  }
}

// ------------------------------------------------------------ keyboard

function onKeyDown(e) {
  if (state.screen !== 'app' || state.screenView !== 'inbox' || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
  const target = e.target instanceof Element ? e.target : null;
  const typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  const ticketFullScreen = NARROW.matches && state.openId;

  if (e.key === 'Escape') {
    if (target && (target.tagName === 'TEXTAREA' || target.tagName === 'INPUT')) {
      target.blur(); // leave the field (a draft is never closed away by Escape)
      return;
    }
    if (state.openId && !(target && target.tagName === 'SELECT')) {
      e.preventDefault();
      closeTicket();
    }
    return;
  }
  if (typing) return;
  if (e.key === 'j' || e.key === 'k') {
    if (ticketFullScreen) return;
    e.preventDefault();
    moveSelection(e.key === 'j' ? 1 : -1);
  } else if ((e.key === 'r' || e.key === 'a' || e.key === 'e') && state.openTicket && state.openId) {
    e.preventDefault();
    if (e.key === 'r') {
      refs.composer?.focus?.();
    } else {
      const testId = e.key === 'a' ? 'action-assign-me' : 'action-resolve';
      refs.ticketPane.querySelector(`[data-testid="${testId}"]`)?.click();
    }
  } else if (e.key === 'Enter') {
    if (target && target.closest('a, button, summary, [role="button"]')) return; // native activation
    if (ticketFullScreen || !state.selectedId || !state.index.has(state.selectedId)) return;
    e.preventDefault();
    openTicket(state.selectedId, { focus: true });
  }
}

// ------------------------------------------------------------ boot

function boot() {
  initLanguage();
  bindShell();
  renderShell();
  document.addEventListener('keydown', onKeyDown);
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('popstate', onRoute);
  window.addEventListener('hashchange', onRoute);
  loadConfig();
}

boot();
