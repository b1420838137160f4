// Mentiondesk agent UI — the Reports screen (#/reports) and the weekly voice of the customer
// (#/reports/voc), mounted by app.js for admins, supervisors and finance.
//
// renderReports(container, { me, onError, openTicket }) → cleanup function.
//
// The headline figures and the charts read GET /api/reports/summary (always dimension=all, so the
// headline does not change with the breakdown; the chosen dimension is a second request), the
// backlog GET /api/reports/backlog, and a figure or bar opens its tickets from GET
// /api/reports/tickets in a dialog. What was loaded, the period, the dimension and an open
// drill-down live in module state, so a language switch or a trip to a ticket and back shows the
// same view. Customer words (the voice-of-the-customer examples) only ever go into text nodes.

import { ApiError, apiDownload, apiGet } from './api.js';
import { h, isObject, str, num } from './dom.js';
import { addStrings, formatDateTime, formatDateTimeFull, formatNumber, getLanguage, getTimeZone, t, tOr } from './i18n.js';
import { chartCard, columnChart, dataTable, downloadCsv, downloadIcon, hbarChart, saveBlob } from './charts.js';

const REPORT_TZ = 'Asia/Tokyo'; // the reporting day (store/rollups.py REPORT_TZ)
const DIMENSIONS = ['all', 'channel', 'team', 'account', 'agent', 'intent', 'sentiment', 'language', 'policy'];
const PRESETS = ['7', '30', 'custom'];
const MAX_DAYS = 400;
const LEADS = new Set(['admin', 'supervisor']);
const STAFF = new Set(['admin', 'supervisor', 'agent']);
const AGES = ['under_1h', 'under_4h', 'under_1d', 'under_3d', 'older'];
const SLA_METRICS = ['first_response', 'next_response', 'resolution'];
const MEASURES = ['tickets', 'replies', 'resolved', 'mentions_unanswered', 'first_response', 'resolution', 'sla', 'csat'];
const MEASURE_DRILL = {
  tickets: 'tickets',
  replies: 'replied',
  resolved: 'resolved',
  mentions_unanswered: 'mentions_unanswered',
  first_response: 'replied',
  resolution: 'resolved',
  sla: 'sla_missed',
  csat: 'csat',
};
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

// ------------------------------------------------------------ module state

const memo = {
  owner: null,
  preset: '7',
  custom: { from: '', to: '' },
  dimension: 'channel',
  measure: null, // the breakdown's measure; null: the dimension's default
  report: null, // { key, all, dim, backlog, at }
  names: null, // { agent: Map, team: Map, account: Map, policy: Map }
  drill: null, // { spec, data, error, lastTicket }
  voc: { weeks: null, selected: null, week: null, error: null },
};

function resetFor(owner) {
  if (memo.owner === owner) return;
  memo.owner = owner;
  memo.preset = '7';
  memo.custom = { from: '', to: '' };
  memo.dimension = 'channel';
  memo.measure = null;
  memo.report = null;
  memo.names = null;
  memo.drill = null;
  memo.voc = { weeks: null, selected: null, week: null, error: null };
}

// ------------------------------------------------------------ small utils

const enc = encodeURIComponent;

function locale() {
  return getLanguage() === 'ja' ? 'ja-JP' : 'en-GB';
}

/** Today's date (YYYY-MM-DD) in a time zone. */
export function dayIn(tz, date = new Date()) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function daysBetween(a, b) {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);
}

/** A reporting day as text: 'short' (axis), 'long' (tooltip), 'medium' (period). */
export function fmtDay(day, style = 'medium') {
  if (!DAY_RE.test(str(day))) return str(day);
  const d = new Date(`${day}T00:00:00Z`);
  const options =
    style === 'short'
      ? getLanguage() === 'ja'
        ? { month: 'numeric', day: 'numeric' }
        : { day: 'numeric', month: 'short' }
      : style === 'long'
        ? { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }
        : { dateStyle: 'medium' };
  return new Intl.DateTimeFormat(locale(), { timeZone: 'UTC', ...options }).format(d);
}

/** A compact date and time for tables ("24 Nov, 04:23"; the year only when it is not this one). */
export function fmtShortTime(iso) {
  const d = iso ? new Date(iso) : null;
  if (!d || Number.isNaN(d.getTime())) return '—';
  const zone = getTimeZone();
  const sameYear = new Intl.DateTimeFormat('en', { timeZone: zone, year: 'numeric' }).format(d) === new Intl.DateTimeFormat('en', { timeZone: zone, year: 'numeric' }).format(new Date());
  return new Intl.DateTimeFormat(locale(), {
    timeZone: zone,
    year: sameYear ? undefined : 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
}

function timeCell(iso) {
  if (!iso) return '—';
  return h('time', { datetime: iso, title: formatDateTimeFull(iso) }, fmtShortTime(iso));
}

export function fmtRange(from, to) {
  return from === to ? fmtDay(from) : t('reports.range', { from: fmtDay(from), to: fmtDay(to) });
}

export function fmtDuration(seconds) {
  const v = num(seconds);
  if (v === null) return '—';
  const s = Math.round(v);
  if (s < 60) return t('reports.dur.s', { n: s });
  if (Math.round(s / 60) < 60) return t('reports.dur.m', { n: Math.round(s / 60) });
  if (s < 48 * 3600) {
    let hours = Math.floor(s / 3600);
    let minutes = Math.round((s - hours * 3600) / 60);
    if (minutes === 60) {
      hours += 1;
      minutes = 0;
    }
    return minutes ? t('reports.dur.hm', { h: hours, m: minutes }) : t('reports.dur.h', { n: hours });
  }
  let days = Math.floor(s / 86400);
  let hours = Math.round((s - days * 86400) / 3600);
  if (hours === 24) {
    days += 1;
    hours = 0;
  }
  return hours ? t('reports.dur.dh', { d: days, h: hours }) : t('reports.dur.d', { n: days });
}

export function fmtPct(v) {
  const n = num(v);
  if (n === null) return '—';
  return formatNumber(n, { style: 'percent', maximumFractionDigits: n > 0 && n < 0.1 ? 1 : 0 });
}

function fmtCount(v) {
  return formatNumber(num(v) ?? 0);
}

function compliance(sla, metrics = SLA_METRICS) {
  let met = 0;
  let missed = 0;
  for (const m of metrics) {
    const x = isObject(sla) && isObject(sla[m]) ? sla[m] : {};
    met += num(x.met) || 0;
    missed += num(x.missed) || 0;
  }
  return { met, missed, rate: met + missed ? met / (met + missed) : null };
}

function periodOf() {
  const today = dayIn(REPORT_TZ);
  if (memo.preset === 'custom' && DAY_RE.test(memo.custom.from) && DAY_RE.test(memo.custom.to)) {
    return { from: memo.custom.from, to: memo.custom.to };
  }
  const span = memo.preset === '30' ? 29 : 6;
  return { from: addDays(today, -span), to: today };
}

function statusChip(status) {
  const known = ['open', 'pending', 'resolved', 'closed'].includes(status);
  return h('span', { class: `chip chip-${known ? `status-${status}` : 'quiet'}` }, tOr('status', status) || '—');
}

function sentimentChip(s) {
  if (!s) return '—';
  const known = ['positive', 'neutral', 'negative'].includes(s);
  return h('span', { class: `chip chip-${known ? `sent-${s}` : 'quiet'}` }, h('span', { class: 'sr-only' }, `${t('reports.col.sentiment')}: `), tOr('sentiment', s));
}

function channelText(channel, kind) {
  const c = tOr('channel', channel) || '—';
  return kind ? `${c} · ${tOr('kind', kind)}` : c;
}

function liveRegion() {
  return h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
}

function say(region, text) {
  if (!region) return;
  region.textContent = '';
  setTimeout(() => {
    region.textContent = text;
  }, 60);
}

// ------------------------------------------------------------ names of dimension values

async function loadNames(me) {
  if (memo.names) return memo.names;
  const names = { agent: new Map(), team: new Map(), account: new Map(), policy: new Map() };
  memo.names = names;
  if (!LEADS.has(me.role)) return names; // finance: the directory is not theirs to read
  const items = (page) => (isObject(page) && Array.isArray(page.items) ? page.items.filter(isObject) : []);
  const jobs = [
    apiGet('/api/agents').then((p) => items(p).forEach((a) => names.agent.set(str(a.id), str(a.name) || str(a.email)))),
    apiGet('/api/teams').then((p) => items(p).forEach((x) => names.team.set(str(x.id), str(x.name) || str(x.id)))),
    apiGet('/api/channels').then((p) =>
      items(p).forEach((c) => names.account.set(str(c.account_id), `${tOr('channel', c.platform)} · ${str(c.handle)}`)),
    ),
    apiGet('/api/sla-policies').then((p) => items(p).forEach((x) => names.policy.set(str(x.id), str(x.name) || str(x.id)))),
  ];
  await Promise.allSettled(jobs); // a missing name shows the raw value; never an error for this
  return names;
}

function valueLabel(dimension, value) {
  const v = str(value);
  if (dimension === 'all') return t('reports.allTickets');
  if (dimension === 'agent' && v === 'automation') return t('reports.automation');
  if (dimension === 'channel') return tOr('channel', v);
  if (dimension === 'sentiment') return tOr('sentiment', v);
  if (dimension === 'language') return tOr('lang', v) || v;
  if (dimension === 'intent') return tOr('intent', v);
  const known = memo.names && memo.names[dimension] ? memo.names[dimension].get(v) : null;
  return known || v;
}

// ------------------------------------------------------------ the frame

export function renderReports(container, { me, onError, openTicket } = {}) {
  const who = isObject(me) ? me : {};
  resetFor(str(who.user_id));
  const ctx = {
    me: who,
    lead: LEADS.has(who.role),
    staff: STAFF.has(who.role),
    onError: typeof onError === 'function' ? onError : () => {},
    openTicket: typeof openTicket === 'function' ? openTicket : null,
    cleanups: [],
    leaving: false,
  };
  const title = h('h1', { id: 'reports-title', class: 'rp-title', tabindex: '-1' }, t('reports.title'));
  const tabs = ctx.staff
    ? h(
        'nav',
        { class: 'rp-tabs', 'aria-label': t('reports.tabsLabel') },
        h('a', { href: '#/reports', class: 'rp-tab', 'data-testid': 'reports-tab-overview', dataset: { tab: 'overview' } }, t('reports.tab.overview')),
        h('a', { href: '#/reports/voc', class: 'rp-tab', 'data-testid': 'reports-tab-voc', dataset: { tab: 'voc' } }, t('reports.tab.voc')),
      )
    : null;
  const body = h('div', { class: 'rp-body' });
  ctx.live = liveRegion();
  ctx.dialog = drillDialog(ctx);
  const frame = h(
    'section',
    { class: 'rp', 'data-testid': 'reports', 'aria-labelledby': 'reports-title' },
    h('div', { class: 'rp-inner' }, h('header', { class: 'rp-head' }, title, tabs), body),
    ctx.live,
    ctx.dialog.el,
  );
  container.replaceChildren(frame);

  let tab = null;
  const show = (next, { focus }) => {
    tab = next;
    for (const a of tabs ? tabs.querySelectorAll('a') : []) {
      if (a.dataset.tab === tab) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    for (const stop of ctx.cleanups.splice(0)) stop();
    const pageTitle = `${t(tab === 'voc' ? 'reports.tab.voc' : 'reports.title')} – Mentiondesk`;
    document.title = pageTitle;
    queueMicrotask(() => {
      if (tab === next) document.title = pageTitle; // after app.js sets its own
    });
    body.replaceChildren(tab === 'voc' ? vocView(ctx) : overview(ctx));
    if (focus) title.focus();
  };
  const tabOf = () => (ctx.staff && /^#\/reports\/voc(\/|$)/.test(location.hash) ? 'voc' : 'overview');
  const onHash = () => {
    if (!/^#\/reports(\/|$)/.test(location.hash)) return;
    if (tabOf() !== tab) show(tabOf(), { focus: true });
  };
  window.addEventListener('hashchange', onHash);
  show(tabOf(), { focus: false });
  if (memo.drill && tab === 'overview') ctx.dialog.open(null, { restore: true });
  return () => {
    ctx.leaving = true;
    if (!ctx.keepDrill) memo.drill = null;
    window.removeEventListener('hashchange', onHash);
    for (const stop of ctx.cleanups.splice(0)) stop();
    ctx.dialog.dispose();
  };
}

// ------------------------------------------------------------ overview: toolbar, figures, charts

function overview(ctx) {
  const content = h('div', { class: 'rp-content', 'data-testid': 'reports-content', 'aria-live': 'off' });
  const status = h('p', { class: 'rp-status', 'data-testid': 'reports-status' });
  const root = h('div', { class: 'rp-overview' }, toolbar(ctx, () => load(true)), status, content);
  let gen = 0;
  let loading = false;

  const paintStatus = () => {
    const r = memo.report;
    if (!r) {
      status.textContent = '';
      return;
    }
    status.replaceChildren(
      h('span', null, t('reports.periodNote', { range: fmtRange(r.from, r.to), tz: r.timezone || REPORT_TZ })),
      h('span', { class: 'rp-status-sep', 'aria-hidden': 'true' }, '·'),
      h('span', null, t('reports.updatedAt', { time: formatDateTime(r.at) })),
      ...(loading ? [h('span', { class: 'rp-status-busy' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading'))] : []),
    );
  };
  const paint = () => {
    for (const stop of ctx.cleanups.splice(0)) stop();
    paintStatus();
    const r = memo.report;
    if (!r) {
      content.setAttribute('aria-busy', 'true');
      content.replaceChildren(h('p', { class: 'rp-loading muted' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading')));
      return;
    }
    content.removeAttribute('aria-busy');
    content.replaceChildren(figures(ctx, r), charts(ctx, r, () => paint()));
  };

  async function load(force = false) {
    const { from, to } = periodOf();
    const key = `${from}|${to}|${memo.dimension}`;
    if (!force && memo.report && memo.report.key === key) {
      paint();
      return;
    }
    gen += 1;
    const mine = gen;
    loading = true;
    // Keep the figures on screen while the new ones load (the status line says so).
    if (memo.report && content.childElementCount) paintStatus();
    else paint();
    const dimension = memo.dimension;
    const q = `from=${enc(from)}&to=${enc(to)}`;
    try {
      const [all, dim, backlog] = await Promise.all([
        apiGet(`/api/reports/summary?${q}&dimension=all`),
        dimension === 'all' ? null : apiGet(`/api/reports/summary?${q}&dimension=${enc(dimension)}`),
        ctx.lead ? apiGet('/api/reports/backlog').catch(() => null) : null,
        loadNames(ctx.me),
      ]);
      if (mine !== gen || ctx.leaving) return;
      loading = false;
      if (!isObject(all) || !isObject(all.total)) throw new ApiError(200, 'Invalid report');
      // The server names the values (a person, a team, an account): finance reads names too.
      if (isObject(dim) && Array.isArray(dim.rows) && memo.names && memo.names[dimension]) {
        for (const row of dim.rows.filter(isObject)) {
          if (row.label && !memo.names[dimension].has(str(row.value))) memo.names[dimension].set(str(row.value), str(row.label));
        }
      }
      memo.report = {
        key,
        from: str(all.from) || from,
        to: str(all.to) || to,
        timezone: str(all.timezone) || REPORT_TZ,
        dimension,
        all,
        dim: isObject(dim) ? dim : all,
        backlog: isObject(backlog) ? backlog : null,
        at: new Date().toISOString(),
      };
      paint();
      say(ctx.live, t('reports.loaded', { range: fmtRange(memo.report.from, memo.report.to) }));
    } catch (err) {
      if (mine !== gen || ctx.leaving) return;
      loading = false;
      paintStatus();
      if (err instanceof ApiError && err.status === 400) {
        status.textContent = t('reports.badPeriod', { message: err.serverMessage });
        return;
      }
      ctx.onError(err);
      if (!memo.report) content.replaceChildren(h('p', { class: 'rp-loading muted' }, t('reports.loadFailed')));
    }
  }
  ctx.reload = load;
  load(false);
  return root;
}

function toolbar(ctx, refresh) {
  const today = dayIn(REPORT_TZ);
  const presetButtons = PRESETS.map((p) =>
    h(
      'button',
      { type: 'button', class: 'ch-seg-btn', 'data-testid': `period-${p}`, dataset: { preset: p }, 'aria-pressed': String(memo.preset === p) },
      t(`reports.preset.${p}`),
    ),
  );
  const period = periodOf();
  const fromInput = h('input', { id: 'rp-from', type: 'date', class: 'input input-sm rp-date', max: today, 'data-testid': 'period-from' });
  const toInput = h('input', { id: 'rp-to', type: 'date', class: 'input input-sm rp-date', max: today, 'data-testid': 'period-to' });
  fromInput.value = memo.custom.from || period.from;
  toInput.value = memo.custom.to || period.to;
  const apply = h('button', { type: 'submit', class: 'btn btn-sm btn-primary', 'data-testid': 'period-apply' }, t('reports.apply'));
  const problem = h('p', { id: 'rp-period-problem', class: 'rp-problem', role: 'alert' });
  const custom = h(
    'form',
    { class: 'rp-custom', 'data-testid': 'period-custom', novalidate: true },
    h('div', { class: 'rp-field' }, h('label', { for: 'rp-from', class: 'filter-label' }, t('reports.from')), fromInput),
    h('div', { class: 'rp-field' }, h('label', { for: 'rp-to', class: 'filter-label' }, t('reports.to')), toInput),
    apply,
    problem,
  );
  custom.hidden = memo.preset !== 'custom';
  custom.addEventListener('submit', (e) => {
    e.preventDefault();
    const from = fromInput.value;
    const to = toInput.value;
    let message = '';
    if (!DAY_RE.test(from) || !DAY_RE.test(to)) message = t('reports.errDays');
    else if (to < from) message = t('reports.errOrder');
    else if (daysBetween(from, to) >= MAX_DAYS) message = t('reports.errLong', { n: MAX_DAYS });
    problem.textContent = message;
    for (const input of [fromInput, toInput]) {
      if (message) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', 'rp-period-problem');
      } else {
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
      }
    }
    if (message) return;
    memo.custom = { from, to };
    ctx.reload(false);
  });
  for (const b of presetButtons) {
    b.addEventListener('click', () => {
      memo.preset = b.dataset.preset;
      for (const other of presetButtons) other.setAttribute('aria-pressed', String(other === b));
      custom.hidden = memo.preset !== 'custom';
      if (memo.preset === 'custom') {
        // Start from the period on screen; nothing reloads until Apply.
        if (!memo.custom.from && memo.report) memo.custom = { from: memo.report.from, to: memo.report.to };
        fromInput.value = memo.custom.from || fromInput.value;
        toInput.value = memo.custom.to || toInput.value;
        fromInput.focus();
        return;
      }
      ctx.reload(false);
    });
  }
  const dim = h(
    'select',
    { id: 'rp-dimension', class: 'select select-sm', 'data-testid': 'report-dimension' },
    DIMENSIONS.map((d) => h('option', { value: d }, t(`reports.dim.${d}`))),
  );
  dim.value = memo.dimension;
  dim.addEventListener('change', () => {
    memo.dimension = dim.value;
    memo.measure = null;
    ctx.reload(false);
  });
  const exportButton = h(
    'button',
    { type: 'button', class: 'btn btn-sm', 'data-testid': 'export-tickets' },
    downloadIcon(),
    h('span', null, t('reports.exportTickets')),
  );
  const notice = h('p', { class: 'rp-notice', role: 'status', 'data-testid': 'export-notice' });
  exportButton.addEventListener('click', () => exportTickets(ctx, exportButton, notice));
  const refreshButton = h('button', { type: 'button', class: 'btn btn-sm btn-quiet', 'data-testid': 'reports-refresh' }, t('reports.refresh'));
  refreshButton.addEventListener('click', () => refresh());
  return h(
    'div',
    { class: 'rp-toolbar', role: 'group', 'aria-label': t('reports.toolbarLabel') },
    h(
      'div',
      { class: 'rp-field' },
      h('span', { class: 'filter-label', id: 'rp-period-label' }, t('reports.period')),
      h('div', { class: 'ch-seg rp-presets', role: 'group', 'aria-labelledby': 'rp-period-label' }, presetButtons),
    ),
    custom,
    h('div', { class: 'rp-field' }, h('label', { for: 'rp-dimension', class: 'filter-label' }, t('reports.breakdown')), dim),
    h('div', { class: 'rp-toolbar-end' }, refreshButton, exportButton),
    notice,
  );
}

async function exportTickets(ctx, button, notice) {
  if (button.getAttribute('aria-disabled') === 'true') return;
  const { from, to } = periodOf();
  button.setAttribute('aria-disabled', 'true');
  notice.textContent = '';
  try {
    const file = await apiDownload(`/api/reports/tickets.csv?from=${enc(from)}&to=${enc(to)}`);
    saveBlob(file.blob, file.filename || `tickets-${from}-${to}.csv`);
    // A cut export says so where it was asked for (role=status: read out too).
    if (file.truncated) notice.textContent = t('reports.exportCut', { n: formatNumber(Number(file.truncated)) });
    else say(ctx.live, t('reports.exported'));
  } catch (err) {
    ctx.onError(err);
  } finally {
    button.removeAttribute('aria-disabled');
  }
}

// ------------------------------------------------------------ headline figures

function kpi({ id, label, value, unit, sub, drill, tone, ctx }) {
  const inner = [
    h('span', { class: 'rp-kpi-label' }, label),
    h('span', { class: 'rp-kpi-value', 'data-testid': 'kpi-value' }, value, unit ? h('span', { class: 'rp-kpi-unit' }, unit) : null),
    sub ? h('span', { class: 'rp-kpi-sub' }, sub) : null,
  ];
  if (!drill) return h('div', { class: ['rp-kpi', tone ? `is-${tone}` : null], 'data-testid': `kpi-${id}` }, inner);
  const b = h(
    'button',
    { type: 'button', class: ['rp-kpi', 'is-link', tone ? `is-${tone}` : null], 'data-testid': `kpi-${id}`, 'aria-describedby': 'rp-kpi-hint' },
    inner,
    h('span', { class: 'rp-kpi-go', 'aria-hidden': 'true' }, '→'),
  );
  b.addEventListener('click', () => ctx.dialog.open({ metric: drill }, { trigger: b }));
  return b;
}

function durationSub(d, b) {
  const p90 = isObject(d) ? d.p90_seconds : null;
  const bm = isObject(b) ? b.median_seconds : null;
  const bp = isObject(b) ? b.p90_seconds : null;
  return [
    h('span', { class: 'rp-sub-line' }, t('reports.p90', { v: fmtDuration(p90) })),
    h('span', { class: 'rp-sub-line' }, t('reports.business', { median: fmtDuration(bm), p90: fmtDuration(bp) })),
  ];
}

function figures(ctx, r) {
  const x = r.all.total;
  const frt = isObject(x.first_response) ? x.first_response : {};
  const res = isObject(x.resolution) ? x.resolution : {};
  const sla = compliance(x.sla);
  const csat = isObject(x.csat) ? x.csat : {};
  const unanswered = num(x.mentions_unanswered) || 0;
  return h(
    'section',
    { class: 'rp-kpis', 'aria-label': t('reports.headline'), 'data-testid': 'report-figures' },
    h('p', { id: 'rp-kpi-hint', class: 'sr-only' }, t('reports.kpiHint')),
    kpi({ ctx, id: 'tickets', label: t('reports.k.tickets'), value: fmtCount(x.tickets), sub: t('reports.k.messagesIn', { n: fmtCount(x.messages_in) }), drill: 'tickets' }),
    kpi({ ctx, id: 'replies', label: t('reports.k.replies'), value: fmtCount(x.replies), sub: t('reports.k.firstReplies', { n: fmtCount(x.first_replies) }), drill: 'replied' }),
    kpi({ ctx, id: 'resolved', label: t('reports.k.resolved'), value: fmtCount(x.resolved), sub: t('reports.k.classified', { n: fmtCount(x.classified) }), drill: 'resolved' }),
    kpi({
      ctx,
      id: 'mentions-unanswered',
      label: t('reports.k.unanswered'),
      value: fmtCount(unanswered),
      sub: num(x.mentions)
        ? t('reports.k.replyRate', { rate: fmtPct(x.mention_reply_rate), n: fmtCount(x.mentions) })
        : t('reports.k.noMentions'),
      drill: 'mentions_unanswered',
      tone: unanswered > 0 ? 'alert' : 'good',
    }),
    kpi({ ctx, id: 'first-response', label: t('reports.k.frt'), value: fmtDuration(frt.median_seconds), sub: durationSub(frt, x.first_response_business) }),
    kpi({ ctx, id: 'resolution', label: t('reports.k.resolution'), value: fmtDuration(res.median_seconds), sub: durationSub(res, x.resolution_business) }),
    kpi({
      ctx,
      id: 'sla',
      label: t('reports.k.sla'),
      value: fmtPct(sla.rate),
      sub: SLA_METRICS.map((m) =>
        h('span', { class: 'rp-sub-line', 'data-testid': `kpi-sla-${m}` }, `${tOr('metric', m)} ${fmtPct(compliance(x.sla, [m]).rate)}`),
      ),
      drill: 'sla_missed',
      tone: sla.rate !== null && sla.rate < 0.9 ? 'alert' : null,
    }),
    kpi({
      ctx,
      id: 'csat',
      label: t('reports.k.csat'),
      value: num(csat.average) === null ? '—' : formatNumber(csat.average, { minimumFractionDigits: 1, maximumFractionDigits: 2 }),
      unit: num(csat.average) === null ? null : ' / 5',
      sub: t('reports.k.csatSub', { n: fmtCount(csat.answers), share: fmtPct(csat.satisfied_share) }),
      drill: 'csat',
    }),
  );
}

// ------------------------------------------------------------ charts

function charts(ctx, r, repaint) {
  const cards = [volumeCard(ctx, r), breakdownCard(ctx, r, repaint), sentimentCard(ctx, r), slaCard(ctx, r), r.backlog ? backlogCard(ctx, r) : null, csatCard(ctx, r)].filter(Boolean);
  for (const c of cards) ctx.cleanups.push(c.cleanup);
  return h('div', { class: 'rp-grid' }, cards.map((c) => c.el));
}

function daysOf(r) {
  return Array.isArray(r.all.days) ? r.all.days.filter((d) => isObject(d) && DAY_RE.test(str(d.day))) : [];
}

function drillButton(ctx, text, spec, label) {
  const b = h('button', { type: 'button', class: 'ch-link', 'aria-label': label || null }, text);
  b.addEventListener('click', () => ctx.dialog.open(spec, { trigger: b }));
  return b;
}

function volumeCard(ctx, r) {
  const days = daysOf(r);
  const series = [
    { key: 'tickets', label: t('reports.s.tickets'), tone: 'blue', metric: 'tickets' },
    { key: 'replies', label: t('reports.s.replies'), tone: 'violet', metric: 'replied' },
    { key: 'resolved', label: t('reports.s.resolved'), tone: 'green', metric: 'resolved' },
  ];
  const title = t('reports.c.volume');
  const empty = days.every((d) => !series.some((s) => num(d[s.key])));
  return chartCard({
    id: 'rp-volume',
    testid: 'chart-volume',
    title,
    subtitle: t('reports.c.volumeSub'),
    wide: true,
    legend: series,
    draw: (host) =>
      columnChart(host, {
        title,
        categories: days.map((d) => ({ label: fmtDay(d.day, 'long'), short: fmtDay(d.day, 'short') })),
        series,
        value: (ci, si) => num(days[ci][series[si].key]) || 0,
        empty,
        height: 250,
        onSelect: (ci, si) => ctx.dialog.open({ metric: series[si].metric, from: days[ci].day, to: days[ci].day }),
        hitLabel: (ci, si) => t('reports.hit', { label: `${fmtDay(days[ci].day, 'long')} · ${series[si].label}`, value: fmtCount(days[ci][series[si].key]) }),
      }),
    table: () =>
      dataTable({
        caption: title,
        testid: 'table-volume',
        columns: [{ label: t('reports.day') }, { label: t('reports.s.messagesIn'), numeric: true }, ...series.map((s) => ({ label: s.label, numeric: true }))],
        rows: days.map((d) => [
          fmtDay(d.day, 'long'),
          fmtCount(d.messages_in),
          ...series.map((s) =>
            num(d[s.key]) ? drillButton(ctx, fmtCount(d[s.key]), { metric: s.metric, from: d.day, to: d.day }, t('reports.hit', { label: `${fmtDay(d.day, 'long')} · ${s.label}`, value: fmtCount(d[s.key]) })) : '0',
          ),
        ]),
        foot: [t('reports.total'), fmtCount(r.all.total.messages_in), ...series.map((s) => fmtCount(r.all.total[s.key]))],
      }),
    csv: () => ({
      filename: `volume-${r.from}-${r.to}.csv`,
      header: ['day', 'tickets', 'messages_in', 'replies', 'resolved'],
      rows: days.map((d) => [d.day, num(d.tickets) || 0, num(d.messages_in) || 0, num(d.replies) || 0, num(d.resolved) || 0]),
    }),
  });
}

function sentimentCard(ctx, r) {
  const days = daysOf(r);
  const series = ['positive', 'neutral', 'negative'].map((s) => ({ key: `sentiment_${s}`, label: tOr('sentiment', s), tone: `sent-${s}`, metric: `sentiment_${s}` }));
  const title = t('reports.c.sentiment');
  const empty = days.every((d) => !series.some((s) => num(d[s.key])));
  return chartCard({
    id: 'rp-sentiment',
    testid: 'chart-sentiment',
    title,
    subtitle: t('reports.c.sentimentSub'),
    legend: series,
    draw: (host) =>
      columnChart(host, {
        title,
        stacked: true,
        categories: days.map((d) => ({ label: fmtDay(d.day, 'long'), short: fmtDay(d.day, 'short') })),
        series,
        value: (ci, si) => num(days[ci][series[si].key]) || 0,
        empty,
        height: 220,
        onSelect: (ci, si) => ctx.dialog.open({ metric: series[si].metric, from: days[ci].day, to: days[ci].day }),
        hitLabel: (ci, si) => t('reports.hit', { label: `${fmtDay(days[ci].day, 'long')} · ${series[si].label}`, value: fmtCount(days[ci][series[si].key]) }),
      }),
    table: () =>
      dataTable({
        caption: title,
        testid: 'table-sentiment',
        columns: [{ label: t('reports.day') }, ...series.map((s) => ({ label: s.label, numeric: true }))],
        rows: days.map((d) => [
          fmtDay(d.day, 'long'),
          ...series.map((s) => (num(d[s.key]) ? drillButton(ctx, fmtCount(d[s.key]), { metric: s.metric, from: d.day, to: d.day }) : '0')),
        ]),
        foot: [t('reports.total'), ...series.map((s) => fmtCount(r.all.total[s.key]))],
      }),
    csv: () => ({
      filename: `sentiment-${r.from}-${r.to}.csv`,
      header: ['day', 'positive', 'neutral', 'negative'],
      rows: days.map((d) => [d.day, ...series.map((s) => num(d[s.key]) || 0)]),
    }),
  });
}

function measureOf(row, measure) {
  if (!isObject(row)) return null;
  switch (measure) {
    case 'first_response':
      return isObject(row.first_response) ? num(row.first_response.median_seconds) : null;
    case 'resolution':
      return isObject(row.resolution) ? num(row.resolution.median_seconds) : null;
    case 'sla':
      return compliance(row.sla).rate;
    case 'csat':
      return isObject(row.csat) ? num(row.csat.average) : null;
    default:
      return num(row[measure]) ?? 0;
  }
}

function measureText(value, measure) {
  if (value === null) return '—';
  if (measure === 'first_response' || measure === 'resolution') return fmtDuration(value);
  if (measure === 'sla') return fmtPct(value);
  if (measure === 'csat') return formatNumber(value, { minimumFractionDigits: 1, maximumFractionDigits: 2 });
  return fmtCount(value);
}

function defaultMeasure(dimension) {
  if (dimension === 'agent') return 'replies';
  if (dimension === 'policy') return 'sla';
  return 'tickets';
}

function breakdownCard(ctx, r, repaint) {
  const dimension = r.dimension;
  const dimLabel = t(`reports.dim.${dimension}`);
  const title = t(`reports.by.${dimension}`);
  if (dimension === 'all') {
    return {
      el: h(
        'section',
        { class: 'ch-card is-wide rp-hint-card', 'data-testid': 'chart-breakdown' },
        h('h2', { class: 'ch-title' }, t('reports.c.breakdown')),
        h('p', { class: 'muted' }, t('reports.c.breakdownHint')),
      ),
      cleanup: () => {},
    };
  }
  // Tickets and mentions are counted when they open, before anyone holds them: not per agent.
  const measures = dimension === 'agent' ? MEASURES.filter((m) => m !== 'tickets' && m !== 'mentions_unanswered') : MEASURES;
  const measure = measures.includes(memo.measure) ? memo.measure : defaultMeasure(dimension);
  const rows = (Array.isArray(r.dim.rows) ? r.dim.rows.filter(isObject) : []).slice();
  const chartRows = rows
    .map((row) => ({ row, value: measureOf(row, measure) }))
    .sort((a, b) => (b.value ?? -1) - (a.value ?? -1) || str(a.row.value).localeCompare(str(b.row.value)));
  const select = h(
    'select',
    { id: 'rp-measure', class: 'select select-sm', 'data-testid': 'breakdown-measure' },
    measures.map((m) => h('option', { value: m }, t(`reports.m.${m}`))),
  );
  select.value = measure;
  select.addEventListener('change', () => {
    memo.measure = select.value;
    repaint();
    document.getElementById('rp-measure')?.focus();
  });
  const tools = h('div', { class: 'rp-field rp-inline-field' }, h('label', { for: 'rp-measure', class: 'filter-label' }, t('reports.measure')), select);
  const spec = (row, metric) => ({ metric, dimension, value: str(row.value), valueLabel: valueLabel(dimension, row.value) });
  const countCell = (row, key, metric) =>
    num(row[key]) ? drillButton(ctx, fmtCount(row[key]), spec(row, metric), t('reports.hit', { label: `${valueLabel(dimension, row.value)} · ${t(`reports.m.${key}`)}`, value: fmtCount(row[key]) })) : '0';
  const perAgent = dimension === 'agent';
  const columns = [
    { label: dimLabel },
    perAgent ? null : { label: t('reports.m.tickets'), numeric: true },
    { label: t('reports.m.replies'), numeric: true },
    { label: t('reports.m.resolved'), numeric: true },
    { label: t('reports.col.frtMedian'), numeric: true },
    { label: t('reports.col.frtP90'), numeric: true },
    { label: t('reports.col.resMedian'), numeric: true },
    perAgent ? null : { label: t('reports.col.replyRate'), numeric: true },
    { label: t('reports.col.sla'), numeric: true },
    { label: t('reports.col.csat'), numeric: true },
  ];
  const keep = columns.map((c) => c !== null);
  return chartCard({
    id: `rp-breakdown-${dimension}`,
    testid: 'chart-breakdown',
    title,
    subtitle: t('reports.c.breakdownSub', { measure: t(`reports.m.${measure}`) }),
    wide: true,
    tools,
    draw: (host) =>
      hbarChart(host, {
        title,
        valueLabel: t(`reports.m.${measure}`),
        items: chartRows.slice(0, 25).map(({ row, value }) => ({ label: valueLabel(dimension, row.value), value, display: measureText(value, measure), tone: 'blue' })),
        format: (v) => measureText(v, measure),
        empty: !rows.length,
        onSelect: (i) => ctx.dialog.open(spec(chartRows[i].row, MEASURE_DRILL[measure])),
        hitLabel: (i) => t('reports.hit', { label: valueLabel(dimension, chartRows[i].row.value), value: measureText(chartRows[i].value, measure) }),
      }),
    table: () =>
      dataTable({
        caption: title,
        testid: 'table-breakdown',
        columns: columns.filter(Boolean),
        rows: rows.map((row) =>
          [
          valueLabel(dimension, row.value),
          countCell(row, 'tickets', 'tickets'),
          countCell(row, 'replies', 'replied'),
          countCell(row, 'resolved', 'resolved'),
          fmtDuration(isObject(row.first_response) ? row.first_response.median_seconds : null),
          fmtDuration(isObject(row.first_response) ? row.first_response.p90_seconds : null),
          fmtDuration(isObject(row.resolution) ? row.resolution.median_seconds : null),
          fmtPct(row.mention_reply_rate),
          fmtPct(compliance(row.sla).rate),
          isObject(row.csat) && num(row.csat.average) !== null ? `${measureText(row.csat.average, 'csat')} (${fmtCount(row.csat.answers)})` : '—',
          ].filter((_, i) => keep[i]),
        ),
      }),
    csv: () => ({
      filename: `by-${dimension}-${r.from}-${r.to}.csv`,
      header: [
        dimension,
        'name',
        'tickets',
        'replies',
        'resolved',
        'mentions',
        'mentions_unanswered',
        'first_response_median_seconds',
        'first_response_p90_seconds',
        'first_response_business_median_seconds',
        'resolution_median_seconds',
        'resolution_p90_seconds',
        'sla_met',
        'sla_missed',
        'csat_answers',
        'csat_average',
      ],
      rows: rows.map((row) => {
        const sla = compliance(row.sla);
        const d = (name, key) => (isObject(row[name]) ? row[name][key] : null);
        return [
          str(row.value),
          valueLabel(dimension, row.value),
          num(row.tickets) || 0,
          num(row.replies) || 0,
          num(row.resolved) || 0,
          num(row.mentions) || 0,
          num(row.mentions_unanswered) || 0,
          d('first_response', 'median_seconds'),
          d('first_response', 'p90_seconds'),
          d('first_response_business', 'median_seconds'),
          d('resolution', 'median_seconds'),
          d('resolution', 'p90_seconds'),
          sla.met,
          sla.missed,
          isObject(row.csat) ? num(row.csat.answers) || 0 : 0,
          isObject(row.csat) ? row.csat.average : null,
        ];
      }),
    }),
  });
}

function slaCard(ctx, r) {
  const sla = r.all.total.sla;
  const items = SLA_METRICS.map((m) => ({ metric: m, ...compliance(sla, [m]) }));
  const title = t('reports.c.sla');
  return chartCard({
    id: 'rp-sla',
    testid: 'chart-sla',
    title,
    subtitle: t('reports.c.slaSub'),
    draw: (host) =>
      hbarChart(host, {
        title,
        valueLabel: t('reports.col.sla'),
        items: items.map((it) => ({ label: tOr('metric', it.metric), value: it.rate, display: fmtPct(it.rate), tone: it.rate !== null && it.rate < 0.9 ? 'red' : 'green' })),
        format: fmtPct,
        rowHeight: 40,
        empty: items.every((it) => it.rate === null),
        tipLines: (i) => [
          { label: t('reports.met'), value: fmtCount(items[i].met), tone: 'green' },
          { label: t('reports.missed'), value: fmtCount(items[i].missed), tone: 'red' },
        ],
        onSelect: () => ctx.dialog.open({ metric: 'sla_missed' }),
        hitLabel: (i) => t('reports.slaHit', { metric: tOr('metric', items[i].metric), rate: fmtPct(items[i].rate), missed: fmtCount(items[i].missed) }),
      }),
    table: () =>
      dataTable({
        caption: title,
        testid: 'table-sla',
        columns: [{ label: t('reports.metric') }, { label: t('reports.met'), numeric: true }, { label: t('reports.missed'), numeric: true }, { label: t('reports.col.sla'), numeric: true }],
        rows: items.map((it) => [tOr('metric', it.metric), fmtCount(it.met), fmtCount(it.missed), fmtPct(it.rate)]),
      }),
    note: t('reports.c.slaNote'),
    csv: () => ({
      filename: `sla-${r.from}-${r.to}.csv`,
      header: ['metric', 'met', 'missed', 'compliance'],
      rows: items.map((it) => [it.metric, it.met, it.missed, it.rate === null ? '' : Number(it.rate.toFixed(4))]),
    }),
  });
}

function backlogCard(ctx, r) {
  const b = r.backlog;
  const part = (status) => (isObject(b[status]) ? b[status] : { count: 0, by_age: {} });
  const open = part('open');
  const pending = part('pending');
  const series = [
    { key: 'open', label: tOr('status', 'open'), tone: 'blue', data: open },
    { key: 'pending', label: tOr('status', 'pending'), tone: 'amber', data: pending },
  ];
  const ageOf = (s, age) => (isObject(s.data.by_age) ? num(s.data.by_age[age]) || 0 : 0);
  const oldest = Math.max(num(open.oldest_seconds) || 0, num(pending.oldest_seconds) || 0);
  const title = t('reports.c.backlog');
  return chartCard({
    id: 'rp-backlog',
    testid: 'chart-backlog',
    title,
    subtitle: t('reports.c.backlogSub', {
      open: fmtCount(open.count),
      pending: fmtCount(pending.count),
      oldest: oldest ? fmtDuration(oldest) : '—',
    }),
    legend: series,
    draw: (host) =>
      columnChart(host, {
        title,
        stacked: true,
        categories: AGES.map((a) => ({ label: t(`reports.age.${a}`), short: t(`reports.age.${a}`) })),
        series,
        value: (ci, si) => ageOf(series[si], AGES[ci]),
        empty: !num(open.count) && !num(pending.count),
        height: 220,
      }),
    table: () =>
      dataTable({
        caption: title,
        testid: 'table-backlog',
        columns: [{ label: t('reports.age') }, ...series.map((s) => ({ label: s.label, numeric: true }))],
        rows: AGES.map((a) => [t(`reports.age.${a}`), ...series.map((s) => fmtCount(ageOf(s, a)))]),
        foot: [t('reports.total'), fmtCount(open.count), fmtCount(pending.count)],
      }),
    csv: () => ({
      filename: `backlog-${dayIn(REPORT_TZ)}.csv`,
      header: ['age', 'open', 'pending'],
      rows: AGES.map((a) => [a, ageOf(series[0], a), ageOf(series[1], a)]),
    }),
  });
}

function csatCard(ctx, r) {
  const csat = isObject(r.all.total.csat) ? r.all.total.csat : {};
  const dist = isObject(csat.distribution) ? csat.distribution : {};
  const ratings = [5, 4, 3, 2, 1];
  const answers = num(csat.answers) || 0;
  const title = t('reports.c.csat');
  const label = (n) => `${'★'.repeat(n)}${'☆'.repeat(5 - n)}`;
  return chartCard({
    id: 'rp-csat',
    testid: 'chart-csat',
    title,
    subtitle:
      answers && num(csat.average) !== null
        ? t('reports.c.csatSub', { avg: formatNumber(csat.average, { minimumFractionDigits: 1, maximumFractionDigits: 2 }), n: fmtCount(answers) })
        : t('reports.c.csatNone'),
    draw: (host) =>
      hbarChart(host, {
        title,
        valueLabel: t('reports.answers'),
        items: ratings.map((n) => ({ label: label(n), value: num(dist[String(n)]) || 0, tone: n >= 4 ? 'green' : n === 3 ? 'sent-neutral' : 'red' })),
        empty: !answers,
        onSelect: () => ctx.dialog.open({ metric: 'csat' }),
        hitLabel: (i) => t('reports.hit', { label: t('reports.stars', { n: ratings[i] }), value: fmtCount(dist[String(ratings[i])]) }),
      }),
    table: () =>
      dataTable({
        caption: title,
        testid: 'table-csat',
        columns: [{ label: t('reports.rating') }, { label: t('reports.answers'), numeric: true }, { label: t('reports.share'), numeric: true }],
        rows: ratings.map((n) => [t('reports.stars', { n }), fmtCount(dist[String(n)]), answers ? fmtPct((num(dist[String(n)]) || 0) / answers) : '—']),
        foot: [t('reports.total'), fmtCount(answers), answers ? fmtPct(1) : '—'],
      }),
    csv: () => ({
      filename: `csat-${r.from}-${r.to}.csv`,
      header: ['rating', 'answers'],
      rows: ratings.map((n) => [n, num(dist[String(n)]) || 0]),
    }),
  });
}

// ------------------------------------------------------------ drill-down: the tickets behind a figure

const DRILL_METRICS = [
  'tickets',
  'resolved',
  'replied',
  'mentions_unanswered',
  'sla_missed',
  'sla_met',
  'sentiment_positive',
  'sentiment_neutral',
  'sentiment_negative',
  'csat',
];

function drillDialog(ctx) {
  const heading = h('h2', { id: 'drill-title', class: 'rp-dialog-title' });
  const sub = h('p', { class: 'rp-dialog-sub', 'data-testid': 'drill-sub' });
  const close = h('button', { type: 'button', class: 'btn btn-quiet btn-sm rp-dialog-close', 'data-testid': 'drill-close' }, t('reports.close'));
  const csv = h('button', { type: 'button', class: 'btn btn-sm', 'data-testid': 'drill-csv' }, downloadIcon(), 'CSV');
  const body = h('div', { class: 'rp-dialog-body' });
  const el = h(
    'dialog',
    { class: 'rp-dialog', 'data-testid': 'drill', 'aria-labelledby': 'drill-title' },
    h('header', { class: 'rp-dialog-head' }, h('div', { class: 'rp-dialog-heading' }, heading, sub), h('div', { class: 'rp-dialog-tools' }, csv, close)),
    body,
  );
  let trigger = null;
  let gen = 0;
  close.addEventListener('click', () => el.close());
  el.addEventListener('click', (e) => {
    if (e.target === el) el.close(); // a click on the backdrop
  });
  el.addEventListener('close', () => {
    if (ctx.leaving) return;
    const testid = memo.drill ? memo.drill.triggerTestId : null;
    memo.drill = null;
    gen += 1;
    // After a trip to a ticket and back the figure is a new element: find it again by its test id.
    const again = testid ? el.closest('.rp')?.querySelector(`[data-testid="${CSS.escape(testid)}"]`) : null;
    const back = trigger && trigger.isConnected ? trigger : again || document.getElementById('reports-title');
    trigger = null;
    back?.focus({ preventScroll: false });
  });
  csv.addEventListener('click', () => {
    const d = memo.drill;
    if (!d || !d.data) return;
    downloadCsv(
      `tickets-${d.spec.metric}-${d.spec.from}-${d.spec.to}.csv`,
      ['ticket_id', 'created_at', 'channel', 'kind', 'status', 'team', 'assignee_name', 'intent', 'sentiment', 'language', 'last_reply_at', 'resolved_at', 'csat_rating'],
      d.data.tickets.map((tk) => [
        str(tk.id),
        str(tk.created_at),
        str(tk.channel),
        str(tk.kind),
        str(tk.status),
        str(tk.team),
        str(tk.assignee_name),
        str(tk.intent),
        str(tk.sentiment),
        str(tk.language),
        str(tk.last_reply_at),
        str(tk.resolved_at),
        tk.csat_rating ?? '',
      ]),
    );
  });

  const paint = () => {
    const d = memo.drill;
    if (!d) return;
    const s = d.spec;
    heading.textContent = t(`reports.drill.${s.metric}`);
    const filter = s.dimension && s.dimension !== 'all' ? `${t(`reports.dim.${s.dimension}`)}: ${s.valueLabel || valueLabel(s.dimension, s.value)}` : null;
    sub.textContent = [filter, fmtRange(s.from, s.to)].filter(Boolean).join(' · ');
    csv.hidden = !d.data || !d.data.tickets.length;
    if (d.error) {
      body.replaceChildren(h('p', { class: 'rp-dialog-message' }, d.error));
      return;
    }
    if (!d.data) {
      body.replaceChildren(h('p', { class: 'rp-dialog-message', 'aria-busy': 'true' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading')));
      return;
    }
    const list = d.data.tickets;
    const count = h(
      'p',
      { class: 'rp-dialog-count', 'data-testid': 'drill-count' },
      t('reports.ticketsN', { n: list.length, shown: fmtCount(list.length) }),
      d.data.truncated ? h('span', { class: 'muted' }, ` ${t('reports.drillCut')}`) : null,
    );
    if (!list.length) {
      body.replaceChildren(count, h('p', { class: 'rp-dialog-message muted' }, t('reports.drillNone')));
      return;
    }
    const rows = list.map((tk) => {
      const id = str(tk.id);
      const opened = fmtShortTime(tk.created_at);
      let first;
      if (ctx.staff && ctx.openTicket) {
        first = h(
          'a',
          { href: `#/tickets/${enc(id)}`, class: 'rp-ticket-link', 'data-testid': 'drill-open', dataset: { ticketId: id }, title: id, 'aria-label': t('reports.openTicket', { time: opened, id }) },
          opened,
        );
        first.addEventListener('click', (e) => {
          if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
          e.preventDefault();
          memo.drill.lastTicket = id;
          ctx.leaving = true;
          ctx.keepDrill = true; // coming back to the report shows this list again
          ctx.openTicket(id);
        });
      } else {
        first = h('span', { title: id }, opened);
      }
      return h(
        'tr',
        { 'data-testid': 'drill-row', dataset: { ticketId: id } },
        h('th', { scope: 'row' }, first),
        h(
          'td',
          null,
          channelText(tk.channel, tk.kind),
          tk.language ? h('span', { class: 'chip chip-lang rp-lang', title: tOr('lang', tk.language) }, h('span', { 'aria-hidden': 'true' }, str(tk.language).toUpperCase()), h('span', { class: 'sr-only' }, tOr('lang', tk.language))) : null,
        ),
        h('td', null, statusChip(str(tk.status))),
        h('td', null, h('span', { dir: 'auto' }, tk.team ? valueLabel('team', tk.team) : '—')),
        h('td', null, h('span', { dir: 'auto' }, str(tk.assignee_name) || t('unassigned'))),
        h(
          'td',
          null,
          h(
            'span',
            { class: 'rp-labels' },
            tk.intent ? h('span', { class: 'chip chip-quiet' }, h('span', { class: 'sr-only' }, `${t('reports.col.intent')}: `), tOr('intent', tk.intent)) : null,
            tk.sentiment ? sentimentChip(str(tk.sentiment)) : null,
            !tk.intent && !tk.sentiment ? '—' : null,
          ),
        ),
        h('td', null, timeCell(tk.last_reply_at)),
        h('td', null, timeCell(tk.resolved_at)),
        h('td', { class: 'is-num' }, num(tk.csat_rating) === null ? '—' : `${tk.csat_rating}★`),
      );
    });
    body.replaceChildren(
      count,
      h(
        'div',
        { class: 'ch-table-wrap rp-drill-wrap', tabindex: '0', role: 'region', 'aria-label': heading.textContent },
        h(
          'table',
          { class: 'ch-table rp-drill-table', 'data-testid': 'drill-table' },
          h('caption', { class: 'sr-only' }, `${heading.textContent} ${sub.textContent}`),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['opened', 'channel', 'status', 'team', 'assignee', 'labels', 'lastReply', 'resolvedAt', 'rating'].map((k) =>
                h('th', { scope: 'col', class: k === 'rating' ? 'is-num' : null }, t(`reports.col.${k}`)),
              ),
            ),
          ),
          h('tbody', null, rows),
        ),
      ),
    );
  };

  async function fetchDrill() {
    gen += 1;
    const mine = gen;
    const s = memo.drill.spec;
    const q = new URLSearchParams({ from: s.from, to: s.to, metric: s.metric });
    if (s.dimension && s.dimension !== 'all') {
      q.set('dimension', s.dimension);
      q.set('value', s.value);
    }
    try {
      const data = await apiGet(`/api/reports/tickets?${q}`);
      if (mine !== gen || !memo.drill) return;
      const opened = (tk) => Date.parse(str(tk.created_at)) || 0;
      memo.drill.data = {
        // newest first, as the Opened column reads
        tickets: (isObject(data) && Array.isArray(data.tickets) ? data.tickets.filter(isObject) : []).sort((a, b) => opened(b) - opened(a)),
        truncated: Boolean(isObject(data) && data.truncated),
      };
      paint();
      say(ctx.live, t('reports.ticketsN', { n: memo.drill.data.tickets.length, shown: fmtCount(memo.drill.data.tickets.length) }));
    } catch (err) {
      if (mine !== gen || !memo.drill) return;
      if (err instanceof ApiError && !err.network && err.status !== 401) {
        memo.drill.error = err.status === 404 ? t('reports.drillMissing') : t('errorServer', { status: err.status, message: err.serverMessage });
        paint();
        return;
      }
      el.close();
      ctx.onError(err);
    }
  }

  return {
    el,
    /** Open for `spec` ({metric, from?, to?, dimension?, value?}), or reopen the remembered one. */
    open(spec, { trigger: from, restore = false } = {}) {
      if (!restore) {
        if (!DRILL_METRICS.includes(spec.metric)) return;
        const period = memo.report ? { from: memo.report.from, to: memo.report.to } : periodOf();
        trigger = from || (document.activeElement && document.activeElement !== document.body ? document.activeElement : null);
        memo.drill = {
          spec: { from: period.from, to: period.to, dimension: 'all', ...spec },
          data: null,
          error: null,
          lastTicket: null,
          triggerTestId: trigger ? trigger.getAttribute('data-testid') : null,
        };
      }
      paint();
      if (!el.open) el.showModal();
      if (restore && memo.drill.data) {
        const id = memo.drill.lastTicket;
        const link = id ? el.querySelector(`[data-testid="drill-open"][data-ticket-id="${CSS.escape(id)}"]`) : null;
        (link || close).focus();
        link?.closest('tr')?.scrollIntoView({ block: 'nearest' });
      } else {
        close.focus();
        fetchDrill();
      }
    },
    dispose() {
      gen += 1;
      if (el.open) el.close();
    },
  };
}

// ------------------------------------------------------------ the weekly voice of the customer

function vocView(ctx) {
  const list = h('div', { class: 'rp-voc-list' });
  const detail = h('div', { class: 'rp-voc-detail', 'data-testid': 'voc-week' });
  const root = h('div', { class: 'rp-voc', 'data-testid': 'voc' }, list, detail);
  const st = memo.voc;

  const paintList = () => {
    if (st.error && !st.weeks) {
      list.replaceChildren(h('p', { class: 'muted' }, t('reports.loadFailed')));
      return;
    }
    if (!st.weeks) {
      list.replaceChildren(h('p', { class: 'muted' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading')));
      return;
    }
    if (!st.weeks.length) {
      list.replaceChildren(h('h2', { class: 'rp-voc-h' }, t('reports.voc.weeks')), h('p', { class: 'muted' }, t('reports.voc.none')));
      return;
    }
    list.replaceChildren(
      h('h2', { class: 'rp-voc-h', id: 'voc-weeks-title' }, t('reports.voc.weeks')),
      h(
        'ul',
        { class: 'rp-voc-weeks', 'aria-labelledby': 'voc-weeks-title' },
        st.weeks.map((w) => {
          const b = h(
            'button',
            { type: 'button', class: 'rp-voc-weekbtn', 'data-testid': 'voc-week-button', dataset: { week: w.week_start }, 'aria-current': w.week_start === st.selected ? 'true' : null },
            h('span', { class: 'rp-voc-weekname' }, t('reports.voc.weekOf', { day: fmtDay(w.week_start) })),
            h('span', { class: 'muted small' }, t('reports.voc.topicsN', { n: num(w.topics) || 0 })),
          );
          b.addEventListener('click', () => select(w.week_start, true));
          return h('li', null, b);
        }),
      ),
    );
  };

  const paintDetail = () => {
    for (const stop of ctx.cleanups.splice(0)) stop();
    if (!st.selected) {
      detail.replaceChildren();
      return;
    }
    if (!st.week || st.week.key !== st.selected) {
      detail.replaceChildren(h('p', { class: 'muted' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading')));
      return;
    }
    if (st.week.error) {
      detail.replaceChildren(h('p', { class: 'muted' }, st.week.error));
      return;
    }
    detail.replaceChildren(...weekView(ctx, st.week.data).filter(Boolean));
  };

  async function select(week, focus) {
    st.selected = week;
    paintList();
    paintDetail();
    if (st.week && st.week.key === week) return;
    try {
      const data = await apiGet(`/api/reports/voc/${enc(week)}`);
      if (st.selected !== week || ctx.leaving) return;
      st.week = { key: week, data: isObject(data) && isObject(data.report) ? data.report : {} };
    } catch (err) {
      if (st.selected !== week || ctx.leaving) return;
      if (!(err instanceof ApiError) || err.network || err.status === 401) ctx.onError(err);
      st.week = { key: week, error: t('reports.loadFailed') };
    }
    paintDetail();
    if (focus) document.getElementById('voc-week-title')?.focus();
  }

  (async () => {
    paintList();
    paintDetail();
    if (!st.weeks) {
      try {
        const data = await apiGet('/api/reports/voc');
        if (ctx.leaving) return;
        st.weeks = isObject(data) && Array.isArray(data.items) ? data.items.filter((w) => isObject(w) && DAY_RE.test(str(w.week_start))) : [];
      } catch (err) {
        if (ctx.leaving) return;
        st.error = true;
        ctx.onError(err);
      }
    }
    paintList();
    if (st.weeks && st.weeks.length) select(st.selected || st.weeks[0].week_start, false);
  })();
  return root;
}

function topicLabel(topic) {
  return getLanguage() === 'ja' ? str(topic.label_ja) || str(topic.label_en) : str(topic.label_en) || str(topic.label_ja);
}

function trendChip(topic) {
  const delta = num(topic.delta) || 0;
  const prev = fmtCount(topic.previous_count);
  const trend = ['new', 'up', 'down'].includes(topic.trend) ? topic.trend : 'same';
  const text = {
    new: t('reports.voc.trend.new'),
    up: `▲ ${t('reports.voc.trend.up', { n: fmtCount(Math.abs(delta)) })}`,
    down: `▼ ${t('reports.voc.trend.down', { n: fmtCount(Math.abs(delta)) })}`,
    same: t('reports.voc.trend.same'),
  }[trend];
  return h('span', { class: `chip rp-trend is-${trend}`, title: t('reports.voc.prev', { n: prev }), 'data-testid': 'voc-trend' }, text);
}

function countChips(map, ns) {
  if (!isObject(map)) return [];
  return Object.entries(map)
    .filter(([, n]) => num(n))
    .map(([k, n]) => h('span', { class: 'chip chip-tag' }, `${tOr(ns, k) || k} ${fmtCount(n)}`));
}

function weekView(ctx, report) {
  const topics = Array.isArray(report.topics) ? report.topics.filter(isObject) : [];
  const gone = Array.isArray(report.disappeared) ? report.disappeared.filter(isObject) : [];
  const startDay = str(report.week_start) ? dayIn(str(report.timezone) || REPORT_TZ, new Date(report.week_start)) : memo.voc.selected;
  const endDay = str(report.week_end) ? addDays(dayIn(str(report.timezone) || REPORT_TZ, new Date(report.week_end)), -1) : startDay;
  const title = h('h2', { id: 'voc-week-title', class: 'rp-voc-title', tabindex: '-1' }, t('reports.voc.title', { range: fmtRange(startDay, endDay) }));
  const delta = (num(report.total_posts) || 0) - (num(report.previous_total_posts) || 0);
  const stats = h(
    'div',
    { class: 'rp-kpis rp-kpis-3' },
    h(
      'div',
      { class: 'rp-kpi' },
      h('span', { class: 'rp-kpi-label' }, t('reports.voc.posts')),
      h('span', { class: 'rp-kpi-value' }, fmtCount(report.total_posts)),
      h('span', { class: 'rp-kpi-sub' }, t('reports.voc.postsPrev', { n: fmtCount(report.previous_total_posts), delta: `${delta > 0 ? '+' : delta < 0 ? '−' : '±'}${fmtCount(Math.abs(delta))}` })),
    ),
    h(
      'div',
      { class: 'rp-kpi' },
      h('span', { class: 'rp-kpi-label' }, t('reports.voc.considered')),
      h('span', { class: 'rp-kpi-value' }, fmtCount(report.considered_posts)),
      h('span', { class: 'rp-kpi-sub' }, t('reports.voc.consideredSub', { intents: (Array.isArray(report.grouped_intents) ? report.grouped_intents : []).map((i) => tOr('intent', i)).join(' · ') })),
    ),
    h(
      'div',
      { class: 'rp-kpi' },
      h('span', { class: 'rp-kpi-label' }, t('reports.voc.topics')),
      h('span', { class: 'rp-kpi-value' }, fmtCount(topics.length)),
      h('span', { class: 'rp-kpi-sub' }, t('reports.voc.unlisted', { n: fmtCount(report.unlisted_posts) })),
    ),
  );
  const chartTitle = t('reports.voc.chart');
  const card = chartCard({
    id: 'rp-voc-topics',
    testid: 'chart-voc',
    title: chartTitle,
    subtitle: t('reports.voc.chartSub'),
    wide: true,
    draw: (host) =>
      hbarChart(host, {
        title: chartTitle,
        valueLabel: t('reports.voc.thisWeek'),
        items: topics.map((tp) => ({ label: topicLabel(tp), value: num(tp.count) || 0, tone: 'blue' })),
        empty: !topics.length,
        tipLines: (i) => [
          { label: t('reports.voc.thisWeek'), value: fmtCount(topics[i].count), tone: 'blue' },
          { label: t('reports.voc.lastWeek'), value: fmtCount(topics[i].previous_count), tone: 'sent-neutral' },
        ],
        onSelect: (i) => document.getElementById(`voc-topic-${i}`)?.focus(),
        hitLabel: (i) => t('reports.voc.hit', { label: topicLabel(topics[i]), n: fmtCount(topics[i].count) }),
      }),
    table: () =>
      dataTable({
        caption: chartTitle,
        testid: 'table-voc',
        columns: [{ label: t('reports.voc.topic') }, { label: t('reports.voc.thisWeek'), numeric: true }, { label: t('reports.voc.lastWeek'), numeric: true }, { label: t('reports.voc.trend') }],
        rows: topics.map((tp) => [topicLabel(tp), fmtCount(tp.count), fmtCount(tp.previous_count), trendChip(tp)]),
      }),
    csv: () => ({
      filename: `voice-of-the-customer-${startDay}.csv`,
      header: ['topic', 'label_en', 'label_ja', 'count', 'previous_count', 'delta', 'trend', 'posts'],
      rows: topics.map((tp) => [str(tp.key), str(tp.label_en), str(tp.label_ja), num(tp.count) || 0, num(tp.previous_count) || 0, num(tp.delta) || 0, str(tp.trend), num(tp.post_count) || 0]),
    }),
  });
  ctx.cleanups.push(card.cleanup);
  const cards = topics.map((tp, i) => topicCard(ctx, tp, i));
  return [
    h('header', { class: 'rp-voc-head' }, title, h('p', { class: 'muted small' }, t('reports.voc.lead'))),
    stats,
    card.el,
    topics.length ? h('h2', { class: 'rp-voc-h' }, t('reports.voc.topicList')) : null,
    topics.length ? h('ol', { class: 'rp-topics', 'data-testid': 'voc-topics' }, cards) : h('p', { class: 'muted' }, t('reports.voc.noTopics')),
    gone.length
      ? h(
          'section',
          { class: 'rp-gone', 'aria-labelledby': 'voc-gone-title' },
          h('h2', { id: 'voc-gone-title', class: 'rp-voc-h' }, t('reports.voc.gone')),
          h('ul', null, gone.map((g) => h('li', null, h('span', null, topicLabel(g)), h('span', { class: 'muted' }, ` ${t('reports.voc.goneCounts', { prev: fmtCount(g.previous_count), n: fmtCount(g.count) })}`)))),
        )
      : null,
  ];
}

function topicCard(ctx, tp, i) {
  const examples = Array.isArray(tp.examples) ? tp.examples.filter(isObject) : [];
  const terms = Array.isArray(tp.terms) ? tp.terms.map(str).filter(Boolean) : [];
  return h(
    'li',
    { class: 'rp-topic', 'data-testid': 'voc-topic' },
    h(
      'header',
      { class: 'rp-topic-head' },
      h('h3', { id: `voc-topic-${i}`, class: 'rp-topic-title', tabindex: '-1' }, topicLabel(tp)),
      h('span', { class: 'rp-topic-count' }, t('reports.voc.customers', { n: fmtCount(tp.count) })),
      trendChip(tp),
    ),
    terms.length ? h('p', { class: 'rp-topic-terms muted small' }, t('reports.voc.terms', { words: terms.slice(0, 8).join(getLanguage() === 'ja' ? '、' : ', ') })) : null,
    h('p', { class: 'rp-topic-chips' }, countChips(tp.channels, 'channel'), countChips(tp.languages, 'lang')),
    examples.length
      ? h(
          'ul',
          { class: 'rp-examples', 'aria-label': t('reports.voc.examples') },
          examples.map((ex) =>
            h(
              'li',
              { class: 'rp-example' },
              h('blockquote', { class: 'rp-example-text', dir: 'auto', lang: ex.language === 'ja' || ex.language === 'en' ? ex.language : null }, str(ex.text)),
              h(
                'p',
                { class: 'rp-example-meta muted small' },
                `${tOr('channel', ex.channel)} · ${tOr('intent', ex.intent)} · ${formatDateTime(ex.created_at)}`,
                ctx.staff && ctx.openTicket && ex.ticket_id
                  ? [' · ', openLink(ctx, str(ex.ticket_id))]
                  : null,
              ),
            ),
          ),
        )
      : null,
  );
}

function openLink(ctx, id) {
  const a = h('a', { href: `#/tickets/${enc(id)}`, 'data-testid': 'voc-open-ticket' }, t('reports.voc.openTicket'));
  a.addEventListener('click', (e) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    ctx.leaving = true;
    ctx.openTicket(id);
  });
  return a;
}

// ------------------------------------------------------------ the module's words

addStrings({
  en: {
    navReports: 'Reports',
    'reports.title': 'Reports',
    'reports.tabsLabel': 'Report pages',
    'reports.tab.overview': 'Overview',
    'reports.tab.voc': 'Voice of the customer',
    'reports.toolbarLabel': 'Report period and breakdown',
    'reports.period': 'Period',
    'reports.preset.7': 'Last 7 days',
    'reports.preset.30': 'Last 30 days',
    'reports.preset.custom': 'Custom',
    'reports.from': 'From',
    'reports.to': 'To',
    'reports.apply': 'Apply',
    'reports.breakdown': 'Break down by',
    'reports.measure': 'Measure',
    'reports.refresh': 'Refresh',
    'reports.close': 'Close',
    'reports.exportTickets': 'Export tickets (CSV)',
    'reports.exported': 'The ticket export was downloaded.',
    'reports.exportCut': 'The export stopped at {n} tickets: choose a shorter period for the rest.',
    'reports.errDays': 'Give both days.',
    'reports.errOrder': 'The end is before the start.',
    'reports.errLong': 'A report covers at most {n} days.',
    'reports.badPeriod': 'This period cannot be reported: {message}',
    'reports.loadFailed': 'The report could not be loaded.',
    'reports.loaded': 'Report for {range} loaded.',
    'reports.range': '{from} – {to}',
    'reports.periodNote': '{range} · days in {tz}',
    'reports.updatedAt': 'updated {time}',
    'reports.headline': 'Headline figures',
    'reports.kpiHint': 'Opens the tickets behind this figure.',
    'reports.k.tickets': 'Tickets opened',
    'reports.k.messagesIn': ({ n }) => `${n} customer messages`,
    'reports.k.replies': 'Replies sent',
    'reports.k.firstReplies': ({ n }) => `${n} first replies`,
    'reports.k.resolved': 'Resolved',
    'reports.k.classified': ({ n }) => `${n} tickets classified`,
    'reports.k.unanswered': 'Mentions nobody answered',
    'reports.k.replyRate': 'Reply rate {rate} of {n} mentions',
    'reports.k.noMentions': 'No brand mentions in this period',
    'reports.k.frt': 'First response (median)',
    'reports.k.resolution': 'Resolution (median)',
    'reports.k.sla': 'SLA compliance',
    'reports.k.csat': 'Customer satisfaction',
    'reports.k.csatSub': ({ n, share }) => `${n} answers · ${share} satisfied`,
    'reports.p90': '90th percentile {v}',
    'reports.business': 'Business hours {median} · p90 {p90}',
    'reports.dur.s': '{n}s',
    'reports.dur.m': '{n}m',
    'reports.dur.h': '{n}h',
    'reports.dur.hm': '{h}h {m}m',
    'reports.dur.d': '{n}d',
    'reports.dur.dh': '{d}d {h}h',
    'reports.s.tickets': 'Tickets',
    'reports.s.replies': 'Replies',
    'reports.s.resolved': 'Resolved',
    'reports.s.messagesIn': 'Messages in',
    'reports.c.volume': 'Volume per day',
    'reports.c.volumeSub': 'Tickets opened, replies sent and tickets resolved each day. Select a bar to see its tickets.',
    'reports.c.sentiment': 'Sentiment per day',
    'reports.c.sentimentSub': 'New tickets by the sentiment of their first message.',
    'reports.by.channel': 'By channel',
    'reports.by.team': 'By team',
    'reports.by.account': 'By brand account',
    'reports.by.agent': 'Agent performance',
    'reports.by.intent': 'By intent',
    'reports.by.sentiment': 'By sentiment',
    'reports.by.language': 'By language',
    'reports.by.policy': 'By SLA policy',
    'reports.c.breakdown': 'Breakdown',
    'reports.c.breakdownHint': 'Choose a channel, team, agent or another breakdown above to compare them here.',
    'reports.c.breakdownSub': 'Bars: {measure}. The table shows every figure.',
    'reports.c.sla': 'SLA compliance',
    'reports.c.slaSub': 'Targets met out of all targets decided in the period.',
    'reports.c.slaNote': 'A ticket closed before a target was reached counts neither as met nor missed.',
    'reports.c.backlog': 'Backlog by age',
    'reports.c.backlogSub': ({ open, pending, oldest }) => `Now: ${open} open, ${pending} pending · oldest ${oldest}`,
    'reports.c.csat': 'Satisfaction ratings',
    'reports.c.csatSub': 'Average {avg} from {n} answers',
    'reports.c.csatNone': 'No ratings in this period.',
    'reports.hit': '{label}: {value}. Show the tickets.',
    'reports.slaHit': '{metric}: {rate} met, {missed} missed. Show the tickets that missed.',
    'reports.day': 'Day',
    'reports.total': 'Total',
    'reports.metric': 'Target',
    'reports.met': 'Met',
    'reports.missed': 'Missed',
    'reports.age': 'Age',
    'reports.rating': 'Rating',
    'reports.answers': 'Answers',
    'reports.share': 'Share',
    'reports.stars': ({ n }) => (n === 1 ? '1 star' : `${n} stars`),
    'reports.allTickets': 'All tickets',
    'reports.automation': 'Automation (rules)',
    'reports.dim.all': 'Nothing (totals only)',
    'reports.dim.channel': 'Channel',
    'reports.dim.team': 'Team',
    'reports.dim.account': 'Brand account',
    'reports.dim.agent': 'Agent',
    'reports.dim.intent': 'Intent',
    'reports.dim.sentiment': 'Sentiment',
    'reports.dim.language': 'Language',
    'reports.dim.policy': 'SLA policy',
    'reports.m.tickets': 'Tickets',
    'reports.m.replies': 'Replies',
    'reports.m.resolved': 'Resolved',
    'reports.m.mentions_unanswered': 'Mentions nobody answered',
    'reports.m.first_response': 'First response (median)',
    'reports.m.resolution': 'Resolution (median)',
    'reports.m.sla': 'SLA compliance',
    'reports.m.csat': 'Satisfaction (average)',
    'reports.col.frtMedian': 'First response',
    'reports.col.frtP90': 'First response p90',
    'reports.col.resMedian': 'Resolution',
    'reports.col.replyRate': 'Mention reply rate',
    'reports.col.sla': 'SLA compliance',
    'reports.col.csat': 'Satisfaction',
    'reports.col.opened': 'Opened',
    'reports.col.channel': 'Channel',
    'reports.col.status': 'Status',
    'reports.col.team': 'Team',
    'reports.col.assignee': 'Assignee',
    'reports.col.intent': 'Intent',
    'reports.col.labels': 'Labels',
    'reports.col.sentiment': 'Sentiment',
    'reports.col.language': 'Language',
    'reports.col.lastReply': 'Last reply',
    'reports.col.resolvedAt': 'Resolved',
    'reports.col.rating': 'Rating',
    'reports.age.under_1h': '< 1 hour',
    'reports.age.under_4h': '1–4 hours',
    'reports.age.under_1d': '4–24 hours',
    'reports.age.under_3d': '1–3 days',
    'reports.age.older': '> 3 days',
    'reports.drill.tickets': 'Tickets opened',
    'reports.drill.resolved': 'Tickets resolved',
    'reports.drill.replied': 'Tickets replied to',
    'reports.drill.mentions_unanswered': 'Mentions nobody answered',
    'reports.drill.sla_missed': 'Tickets that missed an SLA target',
    'reports.drill.sla_met': 'Tickets that met their SLA targets',
    'reports.drill.sentiment_positive': 'Positive tickets',
    'reports.drill.sentiment_neutral': 'Neutral tickets',
    'reports.drill.sentiment_negative': 'Negative tickets',
    'reports.drill.csat': 'Rated tickets',
    'reports.ticketsN': ({ n, shown }) => (n === 1 ? '1 ticket' : `${shown} tickets`),
    'reports.drillCut': '(the newest 500; the CSV export has them all)',
    'reports.drillNone': 'No tickets.',
    'reports.drillMissing': 'Listing these tickets is not available on this server yet.',
    'reports.openTicket': 'Open the ticket opened {time} ({id})',
    'reports.voc.weeks': 'Weeks',
    'reports.voc.none': 'No weekly report yet. The first one is made at the scheduled time (Tuesdays 18:00 by default).',
    'reports.voc.weekOf': 'Week of {day}',
    'reports.voc.topicsN': ({ n }) => (n === 1 ? '1 topic' : `${n} topics`),
    'reports.voc.title': 'Voice of the customer, {range}',
    'reports.voc.lead': 'Requests, complaints and problems grouped into topics across Japanese and English; each customer counts once per topic.',
    'reports.voc.posts': 'Customer posts',
    'reports.voc.postsPrev': '{delta} against the week before ({n})',
    'reports.voc.considered': 'Requests, complaints and problems',
    'reports.voc.consideredSub': '{intents}',
    'reports.voc.topics': 'Topics',
    'reports.voc.unlisted': ({ n }) => (n === '1' ? '1 post in no listed topic' : `${n} posts in no listed topic`),
    'reports.voc.chart': 'Topics this week',
    'reports.voc.chartSub': 'Customers who raised each topic. Select a bar to read its examples.',
    'reports.voc.thisWeek': 'This week',
    'reports.voc.lastWeek': 'Last week',
    'reports.voc.topic': 'Topic',
    'reports.voc.trend': 'Trend',
    'reports.voc.trend.new': 'New',
    'reports.voc.trend.up': '{n} more',
    'reports.voc.trend.down': '{n} fewer',
    'reports.voc.trend.same': 'Same as last week',
    'reports.voc.prev': 'Last week: {n}',
    'reports.voc.hit': '{label}: {n} customers. Read the examples.',
    'reports.voc.topicList': 'Topics and examples',
    'reports.voc.noTopics': 'No topic was raised by two or more customers this week.',
    'reports.voc.customers': ({ n }) => (n === '1' ? '1 customer' : `${n} customers`),
    'reports.voc.terms': 'Words: {words}',
    'reports.voc.examples': 'Example posts',
    'reports.voc.openTicket': 'Open ticket',
    'reports.voc.gone': 'Gone quiet since last week',
    'reports.voc.goneCounts': '(last week {prev}, this week {n})',
  },
  ja: {
    navReports: 'レポート',
    'reports.title': 'レポート',
    'reports.tabsLabel': 'レポートのページ',
    'reports.tab.overview': '概要',
    'reports.tab.voc': 'お客様の声',
    'reports.toolbarLabel': '期間と内訳',
    'reports.period': '期間',
    'reports.preset.7': '過去 7 日間',
    'reports.preset.30': '過去 30 日間',
    'reports.preset.custom': '期間を指定',
    'reports.from': '開始日',
    'reports.to': '終了日',
    'reports.apply': '適用',
    'reports.breakdown': '内訳',
    'reports.measure': '指標',
    'reports.refresh': '更新',
    'reports.close': '閉じる',
    'reports.exportTickets': 'チケットを書き出す（CSV）',
    'reports.exported': 'チケットの CSV をダウンロードしました。',
    'reports.exportCut': '書き出しは {n} 件で打ち切られました。残りは期間を短くして書き出してください。',
    'reports.errDays': '開始日と終了日を入力してください。',
    'reports.errOrder': '終了日が開始日より前です。',
    'reports.errLong': 'レポートの期間は最大 {n} 日です。',
    'reports.badPeriod': 'この期間のレポートは作成できません：{message}',
    'reports.loadFailed': 'レポートを読み込めませんでした。',
    'reports.loaded': '{range} のレポートを読み込みました。',
    'reports.range': '{from} ～ {to}',
    'reports.periodNote': '{range}・日付は {tz} 基準',
    'reports.updatedAt': '{time} 更新',
    'reports.headline': '主要な数値',
    'reports.kpiHint': 'この数値の対象チケットを表示します。',
    'reports.k.tickets': '新規チケット',
    'reports.k.messagesIn': ({ n }) => `お客様のメッセージ ${n} 件`,
    'reports.k.replies': '送信した返信',
    'reports.k.firstReplies': ({ n }) => `初回返信 ${n} 件`,
    'reports.k.resolved': '解決',
    'reports.k.classified': ({ n }) => `自動分類 ${n} 件`,
    'reports.k.unanswered': '未返信のメンション',
    'reports.k.replyRate': 'メンション {n} 件中 返信率 {rate}',
    'reports.k.noMentions': 'この期間のメンションはありません',
    'reports.k.frt': '初回応答時間（中央値）',
    'reports.k.resolution': '解決までの時間（中央値）',
    'reports.k.sla': 'SLA 達成率',
    'reports.k.csat': '顧客満足度',
    'reports.k.csatSub': ({ n, share }) => `回答 ${n} 件・満足 ${share}`,
    'reports.p90': '90 パーセンタイル {v}',
    'reports.business': '営業時間 {median}・p90 {p90}',
    'reports.dur.s': '{n}秒',
    'reports.dur.m': '{n}分',
    'reports.dur.h': '{n}時間',
    'reports.dur.hm': '{h}時間{m}分',
    'reports.dur.d': '{n}日',
    'reports.dur.dh': '{d}日{h}時間',
    'reports.s.tickets': 'チケット',
    'reports.s.replies': '返信',
    'reports.s.resolved': '解決',
    'reports.s.messagesIn': '受信メッセージ',
    'reports.c.volume': '日別の件数',
    'reports.c.volumeSub': '日ごとの新規チケット・送信した返信・解決したチケット。棒を選ぶと対象チケットを表示します。',
    'reports.c.sentiment': '日別の感情',
    'reports.c.sentimentSub': '新規チケットを最初のメッセージの感情で分類しています。',
    'reports.by.channel': 'チャネル別',
    'reports.by.team': 'チーム別',
    'reports.by.account': 'ブランドアカウント別',
    'reports.by.agent': '担当者別の実績',
    'reports.by.intent': '意図別',
    'reports.by.sentiment': '感情別',
    'reports.by.language': '言語別',
    'reports.by.policy': 'SLA ポリシー別',
    'reports.c.breakdown': '内訳',
    'reports.c.breakdownHint': '上の「内訳」でチャネル・チーム・担当者などを選ぶと、ここで比較できます。',
    'reports.c.breakdownSub': '棒グラフ：{measure}。表ではすべての数値を表示します。',
    'reports.c.sla': 'SLA 達成率',
    'reports.c.slaSub': '期間内に判定された目標のうち達成した割合。',
    'reports.c.slaNote': '目標時間の前にクローズしたチケットは、達成にも未達にも数えません。',
    'reports.c.backlog': '未解決チケットの経過時間',
    'reports.c.backlogSub': ({ open, pending, oldest }) => `現在：未対応 ${open} 件・保留中 ${pending} 件・最も古いもの ${oldest}`,
    'reports.c.csat': '満足度の評価',
    'reports.c.csatSub': '回答 {n} 件の平均 {avg}',
    'reports.c.csatNone': 'この期間の評価はありません。',
    'reports.hit': '{label}：{value}。対象チケットを表示します。',
    'reports.slaHit': '{metric}：達成率 {rate}、未達 {missed} 件。未達のチケットを表示します。',
    'reports.day': '日付',
    'reports.total': '合計',
    'reports.metric': '目標',
    'reports.met': '達成',
    'reports.missed': '未達',
    'reports.age': '経過時間',
    'reports.rating': '評価',
    'reports.answers': '回答数',
    'reports.share': '割合',
    'reports.stars': ({ n }) => `星${n}つ`,
    'reports.allTickets': 'すべてのチケット',
    'reports.automation': '自動応答（ルール）',
    'reports.dim.all': 'なし（合計のみ）',
    'reports.dim.channel': 'チャネル',
    'reports.dim.team': 'チーム',
    'reports.dim.account': 'ブランドアカウント',
    'reports.dim.agent': '担当者',
    'reports.dim.intent': '意図',
    'reports.dim.sentiment': '感情',
    'reports.dim.language': '言語',
    'reports.dim.policy': 'SLA ポリシー',
    'reports.m.tickets': 'チケット',
    'reports.m.replies': '返信',
    'reports.m.resolved': '解決',
    'reports.m.mentions_unanswered': '未返信のメンション',
    'reports.m.first_response': '初回応答時間（中央値）',
    'reports.m.resolution': '解決までの時間（中央値）',
    'reports.m.sla': 'SLA 達成率',
    'reports.m.csat': '満足度（平均）',
    'reports.col.frtMedian': '初回応答',
    'reports.col.frtP90': '初回応答 p90',
    'reports.col.resMedian': '解決まで',
    'reports.col.replyRate': 'メンション返信率',
    'reports.col.sla': 'SLA 達成率',
    'reports.col.csat': '満足度',
    'reports.col.opened': '作成日時',
    'reports.col.channel': 'チャネル',
    'reports.col.status': 'ステータス',
    'reports.col.team': 'チーム',
    'reports.col.assignee': '担当者',
    'reports.col.intent': '意図',
    'reports.col.labels': '分類',
    'reports.col.sentiment': '感情',
    'reports.col.language': '言語',
    'reports.col.lastReply': '最終返信',
    'reports.col.resolvedAt': '解決日時',
    'reports.col.rating': '評価',
    'reports.age.under_1h': '1時間未満',
    'reports.age.under_4h': '1～4時間',
    'reports.age.under_1d': '4～24時間',
    'reports.age.under_3d': '1～3日',
    'reports.age.older': '3日以上',
    'reports.drill.tickets': '新規チケット',
    'reports.drill.resolved': '解決したチケット',
    'reports.drill.replied': '返信したチケット',
    'reports.drill.mentions_unanswered': '未返信のメンション',
    'reports.drill.sla_missed': 'SLA 目標が未達のチケット',
    'reports.drill.sla_met': 'SLA 目標を達成したチケット',
    'reports.drill.sentiment_positive': 'ポジティブなチケット',
    'reports.drill.sentiment_neutral': 'ニュートラルなチケット',
    'reports.drill.sentiment_negative': 'ネガティブなチケット',
    'reports.drill.csat': '評価のあるチケット',
    'reports.ticketsN': ({ shown }) => `${shown} 件`,
    'reports.drillCut': '（新しい 500 件のみ。すべては CSV で書き出せます）',
    'reports.drillNone': '該当するチケットはありません。',
    'reports.drillMissing': 'このサーバーではまだチケットの一覧を表示できません。',
    'reports.openTicket': '{time} 作成のチケットを開く（{id}）',
    'reports.voc.weeks': '週',
    'reports.voc.none': '週次レポートはまだありません。最初のレポートは設定した時刻（既定では毎週火曜 18:00）に作成されます。',
    'reports.voc.weekOf': '{day} の週',
    'reports.voc.topicsN': ({ n }) => `トピック ${n} 件`,
    'reports.voc.title': 'お客様の声（{range}）',
    'reports.voc.lead': '要望・苦情・不具合を日本語と英語をまとめてトピックに分類しています。1 人のお客様は 1 トピックにつき 1 件と数えます。',
    'reports.voc.posts': 'お客様の投稿',
    'reports.voc.postsPrev': '前週（{n} 件）比 {delta}',
    'reports.voc.considered': '要望・苦情・不具合',
    'reports.voc.consideredSub': '{intents}',
    'reports.voc.topics': 'トピック',
    'reports.voc.unlisted': ({ n }) => `どのトピックにも入らない投稿 ${n} 件`,
    'reports.voc.chart': '今週のトピック',
    'reports.voc.chartSub': '各トピックを挙げたお客様の数。棒を選ぶと投稿例に移動します。',
    'reports.voc.thisWeek': '今週',
    'reports.voc.lastWeek': '前週',
    'reports.voc.topic': 'トピック',
    'reports.voc.trend': '傾向',
    'reports.voc.trend.new': '新規',
    'reports.voc.trend.up': '{n} 件増',
    'reports.voc.trend.down': '{n} 件減',
    'reports.voc.trend.same': '前週と同じ',
    'reports.voc.prev': '前週：{n} 件',
    'reports.voc.hit': '{label}：{n} 人。投稿例を表示します。',
    'reports.voc.topicList': 'トピックと投稿例',
    'reports.voc.noTopics': '今週は 2 人以上のお客様が挙げたトピックはありません。',
    'reports.voc.customers': ({ n }) => `${n} 人`,
    'reports.voc.terms': '語句：{words}',
    'reports.voc.examples': '投稿例',
    'reports.voc.openTicket': 'チケットを開く',
    'reports.voc.gone': '前週から見られなくなったトピック',
    'reports.voc.goneCounts': '（前週 {prev} 件、今週 {n} 件）',
  },
});
