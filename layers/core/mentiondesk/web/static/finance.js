// Mentiondesk agent UI — the Finance screen (#/finance): what a month cost, per ticket and per part,
// against the phone and social-care benchmarks and the budgets; and a ticket's own cost ledger,
// shown in the ticket view. Mounted by app.js for admins, supervisors and finance.
//
// renderFinance(container, { me, onError }) → cleanup function.
// ticketCostSection(ticketId, { onError }) → a collapsible "Cost" section for the ticket view.
//
// Amounts arrive as decimal strings with up to nine places: they are shown rounded to what a person
// reads ($12.34 a month, $0.0012 a ticket), the exact value in the title and in the CSV files. A line
// without a price says "unpriced", never $0.

import { ApiError, apiDownload, apiGet, apiSend } from './api.js';
import { h, svg, isObject, str, num } from './dom.js';
import { addStrings, formatDateTime, formatNumber, getLanguage, t, tOr } from './i18n.js';
import { chartCard, dataTable, downloadCsv, downloadIcon, hbarChart, saveBlob, shareBar } from './charts.js';

const COMPONENTS = ['platform', 'ai', 'aws', 'agent'];
const COMPONENT_TONE = { platform: 'blue', ai: 'violet', aws: 'orange', agent: 'green' };
const GROUPS = ['channel', 'team', 'brand'];
const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;
const MONEY_RE = /^\d{1,7}(?:\.\d{1,2})?$/;

const memo = {
  owner: null,
  month: null, // null: the server's current month
  summary: null, // { month, data, at }
  group: 'channel',
  settings: null, // { data, draft, feedback, busy }
  names: null, // { team: Map, brand: Map } for admins and supervisors
};

const ticketCosts = new Map(); // ticket id → { open, data, error, loading }
const ticketCostEls = new Map(); // ticket id → the section on the page

const enc = encodeURIComponent;

/** A dollar amount as a person reads it: cents for a dollar or more, two significant digits below. */
export function usd(value) {
  if (value === null || value === undefined || value === '') return '—';
  const n = Number(value);
  if (!Number.isFinite(n)) return str(value);
  const abs = Math.abs(n);
  const digits = abs > 0 && abs < 0.995 ? Math.min(9, Math.max(2, Math.ceil(-Math.log10(abs)) + 1)) : 2;
  return formatNumber(n, { style: 'currency', currency: 'USD', currencyDisplay: 'narrowSymbol', minimumFractionDigits: 2, maximumFractionDigits: digits });
}

function money(value, testid) {
  const exact = value === null || value === undefined ? null : str(value);
  return h('span', { class: 'fn-money', title: exact ? `$${exact}` : null, 'data-testid': testid || null }, usd(value));
}

function pct(v, digits = 1) {
  const n = num(v);
  if (n === null) return '—';
  const places = n > 0 && n < 0.001 ? 3 : n < 0.1 ? Math.max(digits, 1) : 0;
  return formatNumber(n, { style: 'percent', maximumFractionDigits: places });
}

function monthName(month) {
  if (!MONTH_RE.test(str(month))) return str(month);
  const d = new Date(`${month}-01T00:00:00Z`);
  return new Intl.DateTimeFormat(getLanguage() === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'UTC', year: 'numeric', month: 'long' }).format(d);
}

function shiftMonth(month, delta) {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + delta, 1));
  return d.toISOString().slice(0, 7);
}

function componentName(c) {
  return tOr('finance.component', c);
}

function groupValueLabel(group, value) {
  const v = str(value);
  if (!v || v === '-') return t('finance.untiedRow');
  if (group === 'channel') return tOr('channel', v);
  if (memo.names && memo.names[group] && memo.names[group].has(v)) return memo.names[group].get(v);
  return v;
}

/** Team and brand-account names for admins and supervisors (finance sees the ids: the directory is not theirs). */
async function loadNames(ctx) {
  if (memo.names || !['admin', 'supervisor'].includes(ctx.me.role)) return;
  memo.names = { team: new Map(), brand: new Map() };
  const items = (page) => (isObject(page) && Array.isArray(page.items) ? page.items.filter(isObject) : []);
  await Promise.allSettled([
    apiGet('/api/teams').then((p) => items(p).forEach((x) => memo.names.team.set(str(x.id), str(x.name) || str(x.id)))),
    apiGet('/api/channels').then((p) =>
      items(p).forEach((c) => memo.names.brand.set(str(c.account_id), `${tOr('channel', c.platform)} · ${str(c.handle)}`)),
    ),
  ]);
}

function liveRegion() {
  return h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
}

// ------------------------------------------------------------ the screen

export function renderFinance(container, { me, onError } = {}) {
  const who = isObject(me) ? me : {};
  if (memo.owner !== str(who.user_id)) {
    memo.owner = str(who.user_id);
    memo.month = null;
    memo.summary = null;
    memo.group = 'channel';
    memo.settings = null;
    memo.names = null;
  }
  const ctx = {
    me: who,
    admin: who.role === 'admin',
    onError: typeof onError === 'function' ? onError : () => {},
    cleanups: [],
    leaving: false,
    live: liveRegion(),
  };
  const title = h('h1', { id: 'finance-title', class: 'rp-title', tabindex: '-1' }, t('finance.title'));
  const content = h('div', { class: 'rp-content', 'data-testid': 'finance-content' });
  const status = h('p', { class: 'rp-status', 'data-testid': 'finance-status' });
  const monthInput = h('input', { id: 'fn-month', type: 'month', class: 'input input-sm fn-month', 'data-testid': 'finance-month' });
  const prev = h('button', { type: 'button', class: 'btn btn-sm fn-step', 'data-testid': 'finance-prev', 'aria-label': t('finance.prevMonth'), title: t('finance.prevMonth') }, '‹');
  const next = h('button', { type: 'button', class: 'btn btn-sm fn-step', 'data-testid': 'finance-next', 'aria-label': t('finance.nextMonth'), title: t('finance.nextMonth') }, '›');
  const exportButton = h('button', { type: 'button', class: 'btn btn-sm', 'data-testid': 'finance-export' }, downloadIcon(), h('span', null, t('finance.export')));
  const frame = h(
    'section',
    { class: 'rp fn', 'data-testid': 'finance', 'aria-labelledby': 'finance-title' },
    h(
      'div',
      { class: 'rp-inner' },
      h('header', { class: 'rp-head' }, title, h('p', { class: 'rp-lead muted' }, t('finance.lead'))),
      h(
        'div',
        { class: 'rp-toolbar', role: 'group', 'aria-label': t('finance.toolbarLabel') },
        h(
          'div',
          { class: 'rp-field' },
          h('label', { for: 'fn-month', class: 'filter-label' }, t('finance.month')),
          h('div', { class: 'fn-month-row' }, prev, monthInput, next),
        ),
        h('div', { class: 'rp-toolbar-end' }, exportButton),
      ),
      status,
      content,
    ),
    ctx.live,
  );
  container.replaceChildren(frame);
  const pageTitle = `${t('finance.title')} – Mentiondesk`;
  document.title = pageTitle;
  queueMicrotask(() => {
    if (!ctx.leaving) document.title = pageTitle;
  });

  let gen = 0;
  const paint = () => {
    // Keep keyboard focus on the same control across a repaint (by id, else by test id).
    const active = document.activeElement;
    const inside = active && content.contains(active);
    const focusId = inside ? active.id : '';
    const focusTestId = inside && !focusId ? active.getAttribute('data-testid') : '';
    for (const stop of ctx.cleanups.splice(0)) stop();
    const s = memo.summary;
    const month = memo.month || (s && s.month) || '';
    monthInput.value = month;
    prev.disabled = !month;
    next.disabled = !month;
    if (!s) {
      status.textContent = '';
      content.setAttribute('aria-busy', 'true');
      content.replaceChildren(h('p', { class: 'rp-loading muted' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading')));
      return;
    }
    content.removeAttribute('aria-busy');
    status.replaceChildren(
      h('span', null, t('finance.statusLine', { month: monthName(s.month), currency: str(s.data.currency) || 'USD' })),
      h('span', { class: 'rp-status-sep', 'aria-hidden': 'true' }, '·'),
      h('span', null, t('reports.updatedAt', { time: formatDateTime(s.at) })),
      ...(memo.month && memo.month !== s.month ? [h('span', { class: 'rp-status-busy' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading'))] : []),
    );
    content.replaceChildren(...financeContent(ctx, s.data, () => paint()));
    const again = focusId ? document.getElementById(focusId) : focusTestId ? content.querySelector(`[data-testid="${CSS.escape(focusTestId)}"]`) : null;
    if (again && content.contains(again)) again.focus({ preventScroll: true });
  };

  async function load(force = false) {
    if (!force && memo.summary && (!memo.month || memo.summary.month === memo.month)) {
      paint();
      return;
    }
    gen += 1;
    const mine = gen;
    paint();
    try {
      const data = await apiGet(`/api/costs/summary${memo.month ? `?month=${enc(memo.month)}` : ''}`);
      if (mine !== gen || ctx.leaving) return;
      if (!isObject(data)) throw new ApiError(200, 'Invalid cost summary');
      // The server names teams and brand accounts: finance, who may not read the directory, sees names too.
      memo.names = memo.names || { team: new Map(), brand: new Map() };
      for (const group of ['team', 'brand']) {
        const rows = Array.isArray(data[`by_${group}`]) ? data[`by_${group}`].filter(isObject) : [];
        for (const row of rows) if (row.name && !memo.names[group].has(str(row.value))) memo.names[group].set(str(row.value), str(row.name));
      }
      const month = MONTH_RE.test(str(data.month)) ? data.month : memo.month;
      memo.summary = { month, data, at: new Date().toISOString() };
      memo.month = month;
      paint();
    } catch (err) {
      if (mine !== gen || ctx.leaving) return;
      ctx.onError(err);
      if (!memo.summary) content.replaceChildren(h('p', { class: 'rp-loading muted' }, t('finance.loadFailed')));
    }
  }

  const goTo = (month) => {
    if (!MONTH_RE.test(month)) return;
    memo.month = month;
    load(false);
  };
  monthInput.addEventListener('change', () => goTo(monthInput.value));
  prev.addEventListener('click', () => memo.month && goTo(shiftMonth(memo.month, -1)));
  next.addEventListener('click', () => memo.month && goTo(shiftMonth(memo.month, 1)));
  exportButton.addEventListener('click', async () => {
    if (exportButton.getAttribute('aria-disabled') === 'true') return;
    exportButton.setAttribute('aria-disabled', 'true');
    const month = memo.month || (memo.summary && memo.summary.month) || '';
    try {
      const file = await apiDownload(`/api/costs/tickets.csv${month ? `?month=${enc(month)}` : ''}`);
      saveBlob(file.blob, file.filename || `costs-${month || 'month'}.csv`);
      ctx.live.textContent = t('finance.exported');
    } catch (err) {
      ctx.onError(err);
    } finally {
      exportButton.removeAttribute('aria-disabled');
    }
  });

  ctx.reload = () => load(true);
  loadNames(ctx).then(() => {
    if (!ctx.leaving && memo.summary) paint();
  });
  load(false);
  if (ctx.admin) loadSettings(ctx);
  return () => {
    ctx.leaving = true;
    for (const stop of ctx.cleanups.splice(0)) stop();
  };
}

function kpi(id, label, value, sub, tone) {
  return h(
    'div',
    { class: ['rp-kpi', tone ? `is-${tone}` : null], 'data-testid': `fin-${id}` },
    h('span', { class: 'rp-kpi-label' }, label),
    h('span', { class: 'rp-kpi-value', 'data-testid': 'kpi-value' }, value),
    sub ? h('span', { class: 'rp-kpi-sub' }, sub) : null,
  );
}

function financeContent(ctx, d, repaint) {
  const per = isObject(d.per_ticket) ? d.per_ticket : {};
  const unpriced = num(d.unpriced_lines) || 0;
  const figures = h(
    'section',
    { class: 'rp-kpis', 'aria-label': t('reports.headline'), 'data-testid': 'finance-figures' },
    kpi('total', t('finance.k.total'), money(d.total_usd), [
      h('span', { class: 'rp-sub-line' }, t('finance.k.tied'), ' ', money(d.ticket_total_usd)),
      h('span', { class: 'rp-sub-line' }, t('finance.k.untied'), ' ', money(d.untied_usd)),
    ]),
    kpi('median', t('finance.k.median'), money(per.median_usd), [
      h('span', { class: 'rp-sub-line' }, t('finance.k.p90'), ' ', money(per.p90_usd, 'fin-p90')),
      h('span', { class: 'rp-sub-line' }, t('finance.k.mean'), ' ', money(per.mean_usd, 'fin-mean')),
    ]),
    kpi('tickets', t('finance.k.tickets'), formatNumber(num(d.tickets) || 0), t('finance.k.ticketsSub')),
    kpi('unpriced', t('finance.k.unpriced'), formatNumber(unpriced), unpriced ? t('finance.k.unpricedSome') : t('finance.k.unpricedNone'), unpriced ? 'warn' : 'good'),
  );
  // Paired by height: the two bar charts side by side, then the split and the budgets.
  const cards = [benchmarkCard(d, ctx), groupCard(d, repaint), componentCard(d), budgetsCard(d), itemsCard(d)];
  for (const c of cards) ctx.cleanups.push(c.cleanup);
  const out = [figures, h('div', { class: 'rp-grid' }, cards.map((c) => c.el))];
  if (ctx.admin) out.push(settingsCard(ctx));
  return out;
}

// ------------------------------------------------------------ the cards

function benchmarkCard(d, ctx) {
  const per = isObject(d.per_ticket) ? d.per_ticket : {};
  const b = isObject(d.benchmark) ? d.benchmark : {};
  const rows = [
    { key: 'median', label: t('finance.b.median'), usd: per.median_usd, tone: 'blue' },
    { key: 'p90', label: t('finance.b.p90'), usd: per.p90_usd, tone: 'sky' },
    { key: 'social', label: t('finance.b.social'), usd: b.social_usd, tone: 'sent-neutral' },
    { key: 'phone', label: t('finance.b.phone'), usd: b.phone_usd, tone: 'slate' },
  ];
  const social = Number(b.social_usd);
  const phone = Number(b.phone_usd);
  const ratio = (v, base) => (Number.isFinite(Number(v)) && v !== null && base > 0 ? Number(v) / base : null);
  const title = t('finance.c.benchmark');
  const median = per.median_usd;
  const vsSocial = num(b.median_vs_social) ?? ratio(median, social);
  const vsPhone = num(b.median_vs_phone) ?? ratio(median, phone);
  const lead =
    median === null || median === undefined
      ? h('p', { class: 'fn-lead muted', 'data-testid': 'benchmark-lead' }, t('finance.b.noTickets', { social: usd(b.social_usd), phone: usd(b.phone_usd) }))
      : h(
          'p',
          { class: 'fn-lead', 'data-testid': 'benchmark-lead' },
          t('finance.b.lead1', { cost: usd(median) }),
          ' ',
          h('strong', null, t('finance.b.leadSocial', { pct: pct(vsSocial) })),
          ' ',
          t('finance.b.lead2', { social: usd(b.social_usd) }),
          ' ',
          h('strong', null, t('finance.b.leadPhone', { pct: pct(vsPhone) })),
          ' ',
          t('finance.b.lead3', { phone: usd(b.phone_usd) }),
        );
  return chartCard({
    id: 'fn-benchmark',
    testid: 'chart-benchmark',
    title,
    subtitle: t('finance.c.benchmarkSub'),
    lead,
    draw: (host) =>
      hbarChart(host, {
        title,
        scale: 'log',
        valueLabel: t('finance.perTicket'),
        items: rows.map((r) => ({ label: r.label, value: r.usd === null || r.usd === undefined ? null : Number(r.usd), display: usd(r.usd), tone: r.tone })),
        format: (v) => usd(v),
        rowHeight: 34,
      }),
    note: ctx.admin ? `${t('finance.c.benchmarkNote')} ${t('finance.c.benchmarkEdit')}` : t('finance.c.benchmarkNote'),
    table: () =>
      dataTable({
        caption: title,
        testid: 'table-benchmark',
        columns: [{ label: t('finance.item') }, { label: t('finance.perTicket'), numeric: true }, { label: t('finance.vsSocial'), numeric: true }, { label: t('finance.vsPhone'), numeric: true }],
        rows: rows.map((r) => [r.label, money(r.usd), pct(ratio(r.usd, social)), pct(ratio(r.usd, phone))]),
      }),
    csv: () => ({
      filename: `cost-benchmark-${str(d.month)}.csv`,
      header: ['what', 'usd_per_ticket'],
      rows: rows.map((r) => [r.key, r.usd === null || r.usd === undefined ? '' : str(r.usd)]),
    }),
  });
}

function componentCard(d) {
  const list = Array.isArray(d.by_component) ? d.by_component.filter(isObject) : [];
  const byKey = new Map(list.map((c) => [str(c.component), c]));
  const keys = [...COMPONENTS.filter((c) => byKey.has(c)), ...[...byKey.keys()].filter((c) => !COMPONENTS.includes(c))];
  const ordered = keys.map((c) => byKey.get(c));
  const parts = ordered.map((c) => ({
    key: str(c.component),
    label: componentName(c.component),
    value: Number(c.usd) || 0,
    display: `${usd(c.usd)} (${pct(c.share)})`,
    tone: COMPONENT_TONE[c.component] || 'slate',
    usd: c.usd,
    share: c.share,
  }));
  const title = t('finance.c.components');
  const total = Number(d.total_usd) || 0;
  // Beside the bar, each part's colour, amount and share: the figures a person reads first.
  const figures = h(
    'ul',
    { class: 'fn-parts', 'data-testid': 'component-parts' },
    parts.map((p) =>
      h(
        'li',
        { class: 'fn-part', dataset: { component: p.key } },
        h('span', { class: `ch-swatch ch-tone-${p.tone}`, 'aria-hidden': 'true' }),
        h('span', { class: 'fn-part-name' }, p.label),
        h('span', { class: 'fn-part-value' }, money(p.usd)),
        h('span', { class: 'fn-part-share muted' }, pct(p.share)),
      ),
    ),
  );
  return chartCard({
    id: 'fn-components',
    testid: 'chart-components',
    title,
    subtitle: t('finance.c.componentsSub'),
    lead: total > 0 ? null : h('p', { class: 'fn-lead muted' }, t('finance.c.nothing')),
    draw: (host) => shareBar(host, { title, parts, valueLabel: t('finance.amount') }),
    extra: figures,
    table: () =>
      dataTable({
        caption: title,
        testid: 'table-components',
        columns: [{ label: t('finance.component') }, { label: t('finance.amount'), numeric: true }, { label: t('finance.share'), numeric: true }],
        rows: parts.map((p) => [p.label, money(p.usd), pct(p.share)]),
        foot: [t('reports.total'), money(d.total_usd), total > 0 ? pct(1) : '—'],
      }),
    csv: () => ({
      filename: `cost-by-component-${str(d.month)}.csv`,
      header: ['component', 'usd', 'share'],
      rows: parts.map((p) => [p.key, str(p.usd), num(p.share) ?? '']),
    }),
  });
}

function groupCard(d, repaint) {
  const group = GROUPS.includes(memo.group) ? memo.group : 'channel';
  const rows = (Array.isArray(d[`by_${group}`]) ? d[`by_${group}`].filter(isObject) : []).slice().sort((a, b) => (Number(b.per_ticket_usd) || 0) - (Number(a.per_ticket_usd) || 0));
  // The chart compares cost per ticket; spend tied to no ticket has none, so only the table lists it.
  const charted = rows.filter((r) => r.per_ticket_usd !== null && r.per_ticket_usd !== undefined);
  const buttons = GROUPS.map((g) =>
    h('button', { type: 'button', class: 'ch-seg-btn', 'data-testid': `finance-group-${g}`, dataset: { group: g }, 'aria-pressed': String(g === group) }, t(`finance.group.${g}`)),
  );
  for (const b of buttons) {
    b.addEventListener('click', () => {
      memo.group = b.dataset.group;
      repaint();
      document.querySelector(`[data-testid="finance-group-${memo.group}"]`)?.focus();
    });
  }
  const tools = h('div', { class: 'ch-seg', role: 'group', 'aria-label': t('finance.groupLabel') }, buttons);
  const title = t(`finance.c.group.${group}`);
  return chartCard({
    id: `fn-group-${group}`,
    testid: 'chart-group',
    title,
    subtitle: t('finance.c.groupSub'),
    tools,
    draw: (host) =>
      hbarChart(host, {
        title,
        valueLabel: t('finance.perTicket'),
        items: charted.map((r) => ({ label: groupValueLabel(group, r.value), value: Number(r.per_ticket_usd) || 0, display: usd(r.per_ticket_usd), tone: 'blue' })),
        format: (v) => usd(v),
        empty: !charted.length,
        tipLines: (i) => [
          { label: t('finance.perTicket'), value: usd(charted[i].per_ticket_usd), tone: 'blue' },
          { label: t('finance.k.tickets'), value: formatNumber(num(charted[i].tickets) || 0) },
          { label: t('finance.amount'), value: usd(charted[i].usd) },
        ],
      }),
    table: () =>
      dataTable({
        caption: title,
        testid: 'table-group',
        columns: [{ label: t(`finance.group.${group}`) }, { label: t('finance.k.tickets'), numeric: true }, { label: t('finance.amount'), numeric: true }, { label: t('finance.perTicket'), numeric: true }],
        rows: rows.map((r) => [h('span', { dir: 'auto' }, groupValueLabel(group, r.value)), formatNumber(num(r.tickets) || 0), money(r.usd), money(r.per_ticket_usd)]),
      }),
    csv: () => ({
      filename: `cost-by-${group}-${str(d.month)}.csv`,
      header: [group, 'tickets', 'usd', 'usd_per_ticket'],
      rows: rows.map((r) => [str(r.value), num(r.tickets) || 0, str(r.usd), str(r.per_ticket_usd)]),
    }),
  });
}

function budgetBar(share, state) {
  const fill = Math.max(0, Math.min(1, num(share) || 0)) * 100;
  return svg(
    'svg',
    { class: `fn-bar is-${state}`, viewBox: '0 0 100 10', preserveAspectRatio: 'none', width: '100%', height: 10, 'aria-hidden': 'true', focusable: 'false' },
    svg('rect', { class: 'fn-bar-track', x: 0, y: 0, width: 100, height: 10 }),
    svg('rect', { class: 'fn-bar-fill', x: 0, y: 0, width: fill, height: 10 }),
    svg('line', { class: 'fn-bar-mark', x1: 80, x2: 80, y1: 0, y2: 10 }),
  );
}

function budgetsCard(d) {
  const list = Array.isArray(d.budgets) ? d.budgets.filter(isObject) : [];
  const stateOf = (b) => (['ok', 'warning', 'exceeded'].includes(b.state) ? b.state : num(b.share) >= 1 ? 'exceeded' : num(b.share) >= 0.8 ? 'warning' : 'ok');
  const el = h(
    'section',
    { class: 'ch-card fn-budgets', 'data-testid': 'finance-budgets', 'aria-labelledby': 'fn-budgets-title' },
    h(
      'header',
      { class: 'ch-head' },
      h('div', { class: 'ch-heading' }, h('h2', { id: 'fn-budgets-title', class: 'ch-title' }, t('finance.c.budgets')), h('p', { class: 'ch-sub' }, t('finance.c.budgetsSub'))),
    ),
    list.length
      ? h(
          'ul',
          { class: 'fn-budget-list' },
          list.map((b) => {
            const state = stateOf(b);
            return h(
              'li',
              { class: ['fn-budget', `is-${state}`], 'data-testid': 'budget-row', dataset: { state, key: str(b.key), scope: str(b.scope) } },
              h(
                'div',
                { class: 'fn-budget-head' },
                h('span', { class: 'fn-budget-name', dir: 'auto' }, str(b.name) || str(b.key)),
                h('span', { class: 'chip chip-quiet' }, t(`finance.scope.${b.scope === 'monitor' ? 'monitor' : 'platform'}`)),
                state === 'ok' ? null : h('span', { class: `chip ${state === 'exceeded' ? 'chip-sla-over' : 'chip-warn'}`, 'data-testid': 'budget-state' }, t(`finance.state.${state}`)),
              ),
              budgetBar(b.share, state),
              h('p', { class: 'fn-budget-text' }, t('finance.spentOf', { spent: usd(b.spent_usd), cap: usd(b.cap_usd), pct: pct(b.share, 0) })),
            );
          }),
        )
      : h('p', { class: 'muted' }, t('finance.c.noBudgets')),
  );
  return { el, cleanup: () => {} };
}

function itemsCard(d) {
  const items = (Array.isArray(d.by_item) ? d.by_item.filter(isObject) : []).slice().sort((a, b) => {
    const av = a.usd === null || a.usd === undefined ? -1 : Number(a.usd);
    const bv = b.usd === null || b.usd === undefined ? -1 : Number(b.usd);
    return bv - av || str(a.item).localeCompare(str(b.item));
  });
  const unpricedWord = () => h('span', { class: 'chip chip-warn', 'data-testid': 'unpriced' }, t('finance.unpriced'));
  const csv = h('button', { type: 'button', class: 'btn btn-sm btn-quiet ch-csv', 'data-testid': 'table-items-csv', 'aria-label': t('charts.downloadNamed', { title: t('finance.c.items') }) }, downloadIcon(), 'CSV');
  csv.addEventListener('click', () =>
    downloadCsv(
      `cost-items-${str(d.month)}.csv`,
      ['component', 'item', 'unit', 'quantity', 'usd', 'lines', 'unpriced_lines'],
      items.map((it) => [str(it.component), str(it.item), str(it.unit), str(it.quantity), it.usd === null || it.usd === undefined ? 'unpriced' : str(it.usd), num(it.lines) || 0, num(it.unpriced) || 0]),
    ),
  );
  const el = h(
    'section',
    { class: 'ch-card is-wide', 'data-testid': 'finance-items', 'aria-labelledby': 'fn-items-title' },
    h(
      'header',
      { class: 'ch-head' },
      h('div', { class: 'ch-heading' }, h('h2', { id: 'fn-items-title', class: 'ch-title' }, t('finance.c.items')), h('p', { class: 'ch-sub' }, t('finance.c.itemsSub'))),
      h('div', { class: 'ch-tools' }, csv),
    ),
    items.length
      ? dataTable({
          caption: t('finance.c.items'),
          testid: 'table-items',
          columns: [
            { label: t('finance.item') },
            { label: t('finance.component') },
            { label: t('finance.quantity'), numeric: true },
            { label: t('finance.amount'), numeric: true },
            { label: t('finance.lines'), numeric: true },
          ],
          rows: items.map((it) => [
            h('code', { class: 'fn-item' }, str(it.item)),
            h('span', { class: 'fn-component' }, h('span', { class: `ch-swatch ch-tone-${COMPONENT_TONE[it.component] || 'slate'}`, 'aria-hidden': 'true' }), componentName(it.component)),
            `${formatNumber(Number(it.quantity) || 0, { maximumFractionDigits: 6 })} ${str(it.unit)}`,
            it.usd === null || it.usd === undefined ? unpricedWord() : [money(it.usd), num(it.unpriced) ? h('span', { class: 'muted small' }, ` ${t('finance.someUnpriced', { n: formatNumber(it.unpriced) })}`) : null],
            formatNumber(num(it.lines) || 0),
          ]),
        })
      : h('p', { class: 'muted' }, t('finance.c.nothing')),
  );
  return { el, cleanup: () => {} };
}

// ------------------------------------------------------------ cost settings (admins)

async function loadSettings(ctx) {
  if (memo.settings && memo.settings.data) return;
  try {
    const data = await apiGet('/api/settings/costs');
    if (ctx.leaving) return;
    memo.settings = { data: isObject(data) ? data : {}, draft: null, feedback: null, busy: false };
  } catch (err) {
    if (ctx.leaving) return;
    memo.settings = { data: null, draft: null, feedback: { kind: 'error', text: t('finance.s.loadFailed') }, busy: false };
    if (!(err instanceof ApiError) || err.network || err.status === 401) ctx.onError(err);
  }
  const slot = document.getElementById('fn-settings');
  if (slot) slot.replaceWith(settingsCard(ctx));
}

function draftOf(data) {
  const budgets = isObject(data.budgets) ? data.budgets : {};
  return {
    phone: str(data.benchmark_phone_usd),
    social: str(data.benchmark_social_usd),
    budgets: Object.fromEntries(Object.entries(budgets).map(([k, v]) => [k, v === null || v === undefined ? '' : str(v)])),
  };
}

function settingsCard(ctx) {
  const st = memo.settings;
  const card = h('section', { id: 'fn-settings', class: 'ch-card is-wide fn-settings', 'data-testid': 'cost-settings', 'aria-labelledby': 'fn-settings-title' });
  const head = h(
    'header',
    { class: 'ch-head' },
    h('div', { class: 'ch-heading' }, h('h2', { id: 'fn-settings-title', class: 'ch-title' }, t('finance.s.title')), h('p', { class: 'ch-sub' }, t('finance.s.sub'))),
  );
  if (!st || (!st.data && !st.feedback)) {
    card.append(head, h('p', { class: 'muted' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading')));
    return card;
  }
  if (!st.data) {
    card.append(head, h('p', { class: 'muted' }, st.feedback.text));
    return card;
  }
  if (!st.draft) st.draft = draftOf(st.data);
  const draft = st.draft;
  const problems = {};
  const input = (id, value, onInput, label, hint, testid) => {
    const el = h('input', { id, class: 'input', type: 'text', inputmode: 'decimal', autocomplete: 'off', 'data-testid': testid, 'aria-describedby': `${id}-hint` });
    el.value = value;
    el.addEventListener('input', () => {
      onInput(el.value.trim());
      if (st.feedback && st.feedback.kind === 'saved') {
        st.feedback = null; // an edit after saving: "Saved." no longer describes the form
        paintFeedback();
      }
    });
    problems[id] = el;
    return h(
      'div',
      { class: 'fn-field' },
      h('label', { for: id, class: 'label' }, label),
      h('div', { class: 'fn-money-input' }, h('span', { class: 'fn-prefix', 'aria-hidden': 'true' }, '$'), el),
      h('p', { id: `${id}-hint`, class: 'fn-hint' }, hint),
    );
  };
  const keys = Object.keys(draft.budgets);
  const feedback = h('div', { id: 'fn-settings-feedback', class: 'fn-feedback', 'data-testid': 'cost-settings-feedback' });
  const paintFeedback = () => {
    const fb = st.feedback;
    feedback.replaceChildren();
    feedback.className = 'fn-feedback';
    if (!fb) return;
    feedback.classList.add(fb.kind === 'saved' ? 'is-ok' : 'is-problem');
    feedback.setAttribute('role', fb.kind === 'saved' ? 'status' : 'alert');
    feedback.append(h('p', { 'data-testid': fb.kind === 'saved' ? 'form-saved' : fb.kind === 'conflict' ? 'conflict' : 'form-problems' }, fb.text));
    if (fb.items) feedback.append(h('ul', null, fb.items.map((x) => h('li', null, x))));
    if (fb.kind === 'conflict') {
      const again = h('button', { type: 'button', class: 'btn btn-sm', 'data-testid': 'conflict-reload' }, t('finance.s.reload'));
      again.addEventListener('click', async () => {
        memo.settings = null;
        await loadSettings(ctx);
        document.getElementById('fn-phone')?.focus();
      });
      feedback.append(again);
    }
  };
  const save = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'cost-settings-save' }, t('finance.s.save'));
  const form = h(
    'form',
    { class: 'fn-form', novalidate: true },
    h(
      'fieldset',
      { class: 'fn-group' },
      h('legend', { class: 'fn-legend' }, t('finance.s.benchmarks')),
      h(
        'div',
        { class: 'fn-fields' },
        input('fn-phone', draft.phone, (v) => (draft.phone = v), t('finance.s.phone'), t('finance.s.phoneHint'), 'benchmark-phone'),
        input('fn-social', draft.social, (v) => (draft.social = v), t('finance.s.social'), t('finance.s.socialHint'), 'benchmark-social'),
      ),
    ),
    keys.length
      ? h(
          'fieldset',
          { class: 'fn-group' },
          h('legend', { class: 'fn-legend' }, t('finance.s.budgets')),
          h(
            'div',
            { class: 'fn-fields' },
            keys.map((k) => input(`fn-budget-${k}`, draft.budgets[k], (v) => (draft.budgets[k] = v), tOr('finance.budgetKey', k), t('finance.s.budgetHint'), `budget-${k}`)),
          ),
        )
      : null,
    h('div', { class: 'fn-buttons' }, save, h('span', { class: 'muted small' }, t('finance.s.version', { n: formatNumber(num(st.data.version) || 0) }))),
    feedback,
  );
  paintFeedback();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (st.busy) return;
    const wrong = [];
    const check = (id, value, allowEmpty, label) => {
      const ok = (allowEmpty && value === '') || MONEY_RE.test(value);
      const el = problems[id];
      if (ok) {
        el.removeAttribute('aria-invalid');
      } else {
        el.setAttribute('aria-invalid', 'true');
        wrong.push(`${label}: ${t('finance.s.errMoney')}`);
      }
    };
    check('fn-phone', draft.phone, false, t('finance.s.phone'));
    check('fn-social', draft.social, false, t('finance.s.social'));
    for (const k of keys) check(`fn-budget-${k}`, draft.budgets[k], true, tOr('finance.budgetKey', k));
    if (wrong.length) {
      st.feedback = { kind: 'problems', text: t('finance.s.problems'), items: wrong };
      paintFeedback();
      form.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    const body = {
      version: st.data.version,
      benchmark_phone_usd: draft.phone,
      benchmark_social_usd: draft.social,
      budgets: Object.fromEntries(keys.map((k) => [k, draft.budgets[k] === '' ? null : draft.budgets[k]])),
    };
    st.busy = true;
    save.setAttribute('aria-disabled', 'true');
    save.textContent = t('finance.s.saving');
    try {
      const saved = await apiSend('PUT', '/api/settings/costs', body);
      st.data = isObject(saved) ? saved : { ...st.data, ...body, version: (num(st.data.version) || 0) + 1 };
      st.draft = draftOf(st.data);
      st.feedback = { kind: 'saved', text: t('finance.s.saved') };
      st.busy = false;
      const fresh = settingsCard(ctx);
      card.replaceWith(fresh);
      fresh.querySelector('[data-testid="cost-settings-save"]')?.focus();
      ctx.reload(); // the benchmarks and budgets shown above come from the summary
      return;
    } catch (err) {
      st.busy = false;
      save.removeAttribute('aria-disabled');
      save.textContent = t('finance.s.save');
      if (err instanceof ApiError && err.status === 409) {
        st.feedback = { kind: 'conflict', text: t('finance.s.conflict') };
      } else if (err instanceof ApiError && (err.status === 400 || err.status === 422)) {
        const details = err.body && Array.isArray(err.body.details) ? err.body.details.filter(isObject).map((x) => `${(Array.isArray(x.loc) ? x.loc.filter((p) => p !== 'body').join(' › ') : '') || '—'}: ${str(x.msg)}`) : [];
        st.feedback = { kind: 'problems', text: err.serverMessage || t('finance.s.problems'), items: details };
      } else if (err instanceof ApiError && err.status === 403) {
        st.feedback = { kind: 'problems', text: t('finance.s.forbidden') };
      } else {
        ctx.onError(err);
        return;
      }
      paintFeedback();
    }
  });
  card.append(head, form);
  return card;
}

// ------------------------------------------------------------ a ticket's own ledger (ticket view)

function lineText(line) {
  const qty = `${formatNumber(Number(line.quantity) || 0, { maximumFractionDigits: 6 })} ${str(line.unit)}`.trim();
  const price = line.unit_price_usd === null || line.unit_price_usd === undefined ? t('finance.unpriced') : `${usd(line.unit_price_usd)} / ${str(line.unit) || '1'}`;
  return `${qty} × ${price}`;
}

function fillTicketCost(el, id, onError) {
  const st = ticketCosts.get(id) || { open: false };
  const summary = el.querySelector('summary');
  const total = st.data ? usd(st.data.total_usd) : '';
  summary.replaceChildren(
    ...[h('span', { class: 'fn-cost-title' }, t('finance.t.title')), total ? h('span', { class: 'count', 'data-testid': 'ticket-cost-total' }, total) : null].filter(Boolean),
  );
  const body = el.querySelector('.fn-cost-body');
  if (!st.open) {
    body.replaceChildren();
    return;
  }
  if (st.error) {
    const retry = h('button', { type: 'button', class: 'btn btn-sm' }, t('retry'));
    retry.addEventListener('click', () => fetchTicketCost(id, onError, true));
    body.replaceChildren(h('p', { class: 'muted' }, st.error), retry);
    return;
  }
  if (!st.data) {
    body.replaceChildren(h('p', { class: 'muted', 'aria-busy': 'true' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading')));
    return;
  }
  const d = st.data;
  const lines = Array.isArray(d.lines) ? d.lines.filter(isObject) : [];
  const parts = isObject(d.by_component) ? Object.entries(d.by_component) : [];
  const unpriced = num(d.unpriced_lines) || 0;
  const kids = [
    h(
      'p',
      { class: 'fn-cost-total' },
      h('strong', { title: `$${str(d.total_usd)}` }, usd(d.total_usd)),
      ' ',
      h('span', { class: 'muted' }, t('finance.t.lines', { n: formatNumber(lines.length) })),
    ),
    parts.length
      ? h(
          'ul',
          { class: 'fn-cost-parts' },
          parts.map(([c, v]) => h('li', null, h('span', { class: `ch-swatch ch-tone-${COMPONENT_TONE[c] || 'slate'}`, 'aria-hidden': 'true' }), `${componentName(c)} `, money(v))),
        )
      : null,
    unpriced ? h('p', { class: 'fn-cost-warn' }, t('finance.t.unpriced', { n: formatNumber(unpriced) })) : null,
    lines.length
      ? h(
          'ol',
          { class: 'fn-cost-lines', 'data-testid': 'ticket-cost-lines', tabindex: '0', 'aria-label': t('finance.t.linesLabel') },
          lines.map((line) =>
            h(
              'li',
              { class: 'fn-cost-line', 'data-testid': 'ticket-cost-line' },
              h(
                'p',
                { class: 'fn-cost-line-top' },
                h('code', { class: 'fn-item' }, str(line.item)),
                line.usd === null || line.usd === undefined ? h('span', { class: 'chip chip-warn' }, t('finance.unpriced')) : money(line.usd),
              ),
              h(
                'p',
                { class: 'fn-cost-line-meta muted' },
                `${componentName(line.component)} · ${lineText(line)}`,
                num(line.shares) && line.shares > 1 ? ` · ${t('finance.t.shares', { n: formatNumber(line.shares) })}` : '',
              ),
              h('p', { class: 'fn-cost-line-meta muted' }, `${formatDateTime(line.at)}${line.source ? ` · ${str(line.source)}` : ''}`),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('finance.t.none')),
  ];
  body.replaceChildren(...kids.filter(Boolean));
}

async function fetchTicketCost(id, onError, force = false) {
  const st = ticketCosts.get(id);
  if (!st || (st.loading && !force)) return;
  st.loading = true;
  st.error = null;
  const repaint = () => {
    const el = ticketCostEls.get(id);
    if (el && el.isConnected) fillTicketCost(el, id, onError);
  };
  repaint();
  try {
    const data = await apiGet(`/api/tickets/${enc(id)}/costs`);
    st.data = isObject(data) ? data : { lines: [] };
  } catch (err) {
    if (err instanceof ApiError && !err.network && err.status !== 401) {
      st.error = err.status === 404 ? t('finance.t.missing') : t('finance.t.failed');
    } else {
      st.error = t('finance.t.failed');
      onError(err);
    }
  } finally {
    st.loading = false;
  }
  repaint();
}

/** The ticket view's "Cost" section: closed at first; opening it loads the ticket's ledger. */
export function ticketCostSection(id, { onError } = {}) {
  const report = typeof onError === 'function' ? onError : () => {};
  if (!ticketCosts.has(id)) {
    if (ticketCosts.size > 50) ticketCosts.delete(ticketCosts.keys().next().value);
    ticketCosts.set(id, { open: false, data: null, error: null, loading: false });
  }
  const st = ticketCosts.get(id);
  const el = h(
    'details',
    { class: 'ticket-section fn-ticket-cost', 'data-testid': 'ticket-cost', open: st.open },
    h('summary', { class: 'section-title fn-cost-summary', 'data-testid': 'ticket-cost-toggle', dataset: { focusKey: 'ticket-cost' } }),
    h('div', { class: 'fn-cost-body' }),
  );
  el.addEventListener('toggle', () => {
    if (st.open === el.open) return;
    st.open = el.open;
    if (st.open) fetchTicketCost(id, report, true);
    else fillTicketCost(el, id, report);
  });
  ticketCostEls.set(id, el);
  fillTicketCost(el, id, report);
  return el;
}

// ------------------------------------------------------------ the module's words

addStrings({
  en: {
    navFinance: 'Costs',
    'finance.title': 'Costs',
    'finance.lead': 'What handling customers cost this month: platform fees, AI, AWS and agent time, per ticket.',
    'finance.toolbarLabel': 'Month',
    'finance.month': 'Month',
    'finance.prevMonth': 'Previous month',
    'finance.nextMonth': 'Next month',
    'finance.export': 'Export cost per ticket (CSV)',
    'finance.exported': 'The cost export was downloaded.',
    'finance.loadFailed': 'The costs could not be loaded.',
    'finance.statusLine': '{month} · amounts in {currency}',
    'finance.untiedRow': 'Not tied to a ticket',
    'finance.k.total': 'Total this month',
    'finance.k.tied': 'Tickets',
    'finance.k.untied': 'Not tied to a ticket',
    'finance.k.median': 'Cost per ticket (median)',
    'finance.k.p90': '90th percentile',
    'finance.k.mean': 'Mean',
    'finance.k.tickets': 'Tickets',
    'finance.k.ticketsSub': 'Tickets with costs this month',
    'finance.k.unpriced': 'Unpriced lines',
    'finance.k.unpricedSome': 'Lines with no price in their region; left out of the totals, not counted as $0.',
    'finance.k.unpricedNone': 'Every line has a price.',
    'finance.component.platform': 'Platform fees',
    'finance.component.ai': 'AI',
    'finance.component.aws': 'AWS',
    'finance.component.agent': 'Agent time',
    'finance.c.benchmark': 'Cost per ticket against the benchmarks',
    'finance.c.benchmarkSub': 'Logarithmic scale: each gridline is ten times the one before.',
    'finance.c.benchmarkNote': 'Benchmarks: a ticket answered by phone, and by a social-care team without this tool.',
    'finance.c.benchmarkEdit': 'You can change them below.',
    'finance.b.median': 'Your median ticket',
    'finance.b.p90': 'Your 90th percentile',
    'finance.b.social': 'Social-care benchmark',
    'finance.b.phone': 'Phone benchmark',
    'finance.b.noTickets': 'No ticket has costs this month yet. The benchmarks: social care {social} and a phone call {phone} per ticket.',
    'finance.b.lead1': 'A median ticket costs {cost}:',
    'finance.b.leadSocial': '{pct}',
    'finance.b.lead2': 'of the social-care benchmark ({social}) and',
    'finance.b.leadPhone': '{pct}',
    'finance.b.lead3': 'of a phone call ({phone}).',
    'finance.c.components': 'Where the money goes',
    'finance.c.componentsSub': 'The month’s total by part.',
    'finance.c.nothing': 'No costs recorded this month.',
    'finance.c.group.channel': 'Cost per ticket by channel',
    'finance.c.group.team': 'Cost per ticket by team',
    'finance.c.group.brand': 'Cost per ticket by brand account',
    'finance.c.groupSub': 'Ticket costs divided by the tickets of each.',
    'finance.groupLabel': 'Group by',
    'finance.group.channel': 'Channel',
    'finance.group.team': 'Team',
    'finance.group.brand': 'Brand',
    'finance.c.budgets': 'Budgets',
    'finance.c.budgetsSub': 'Spend this month against each cap: amber from 80 %, red at 100 %.',
    'finance.c.noBudgets': 'No budget caps are set.',
    'finance.c.items': 'Items',
    'finance.c.itemsSub': 'Every priced item of the month, largest first.',
    'finance.scope.platform': 'Platform',
    'finance.scope.monitor': 'Monitor',
    'finance.state.warning': 'Near the cap',
    'finance.state.exceeded': 'Over the cap',
    'finance.spentOf': '{spent} of {cap} ({pct})',
    'finance.perTicket': 'Per ticket',
    'finance.vsSocial': 'Against social',
    'finance.vsPhone': 'Against phone',
    'finance.item': 'Item',
    'finance.component': 'Part',
    'finance.quantity': 'Quantity',
    'finance.amount': 'Amount',
    'finance.share': 'Share',
    'finance.lines': 'Lines',
    'finance.unpriced': 'unpriced',
    'finance.someUnpriced': '+ {n} unpriced',
    'finance.budgetKey.x': 'X API (monthly)',
    'finance.budgetKey.meta': 'Meta (monthly)',
    'finance.budgetKey.google': 'Google (monthly)',
    'finance.s.title': 'Benchmarks and budgets',
    'finance.s.sub': 'Only admins can change these.',
    'finance.s.benchmarks': 'Benchmarks (US dollars per ticket)',
    'finance.s.phone': 'Phone',
    'finance.s.phoneHint': 'What a ticket answered by phone costs.',
    'finance.s.social': 'Social care',
    'finance.s.socialHint': 'What a social-care ticket costs without this tool.',
    'finance.s.budgets': 'Monthly budget caps (US dollars)',
    'finance.s.budgetHint': 'Leave empty for no cap.',
    'finance.s.save': 'Save',
    'finance.s.saving': 'Saving…',
    'finance.s.saved': 'Saved.',
    'finance.s.version': 'Version {n}',
    'finance.s.problems': 'Please correct the following:',
    'finance.s.errMoney': 'an amount such as 6 or 6.50',
    'finance.s.conflict': 'Someone else changed these settings since you opened them, so they were not saved. Reload to see their version.',
    'finance.s.reload': 'Reload',
    'finance.s.forbidden': 'Your role may not change these settings.',
    'finance.s.loadFailed': 'The cost settings could not be loaded.',
    'finance.t.title': 'Cost',
    'finance.t.lines': ({ n }) => (n === '1' ? 'in 1 line' : `in ${n} lines`),
    'finance.t.linesLabel': 'Cost lines',
    'finance.t.unpriced': ({ n }) => `${n} unpriced: not in the total.`,
    'finance.t.shares': 'shared by {n}',
    'finance.t.none': 'No costs recorded for this ticket yet.',
    'finance.t.missing': 'This server does not report ticket costs yet.',
    'finance.t.failed': 'The costs could not be loaded.',
  },
  ja: {
    navFinance: 'コスト',
    'finance.title': 'コスト',
    'finance.lead': '今月のお客様対応にかかった費用（プラットフォーム料金・AI・AWS・担当者の作業時間）をチケット単位で表示します。',
    'finance.toolbarLabel': '月',
    'finance.month': '月',
    'finance.prevMonth': '前の月',
    'finance.nextMonth': '次の月',
    'finance.export': 'チケット別コストを書き出す（CSV）',
    'finance.exported': 'コストの CSV をダウンロードしました。',
    'finance.loadFailed': 'コストを読み込めませんでした。',
    'finance.statusLine': '{month}・金額の単位 {currency}',
    'finance.untiedRow': 'チケットに紐づかない費用',
    'finance.k.total': '今月の合計',
    'finance.k.tied': 'チケット分',
    'finance.k.untied': 'チケットに紐づかない費用',
    'finance.k.median': 'チケットあたりの費用（中央値）',
    'finance.k.p90': '90 パーセンタイル',
    'finance.k.mean': '平均',
    'finance.k.tickets': 'チケット',
    'finance.k.ticketsSub': '今月費用が発生したチケット',
    'finance.k.unpriced': '単価未設定の明細',
    'finance.k.unpricedSome': 'リージョンの単価がない明細です。合計には含めず、$0 としても数えません。',
    'finance.k.unpricedNone': 'すべての明細に単価があります。',
    'finance.component.platform': 'プラットフォーム料金',
    'finance.component.ai': 'AI',
    'finance.component.aws': 'AWS',
    'finance.component.agent': '担当者の作業時間',
    'finance.c.benchmark': 'チケットあたりの費用とベンチマークの比較',
    'finance.c.benchmarkSub': '対数目盛：目盛り線ごとに 10 倍になります。',
    'finance.c.benchmarkNote': 'ベンチマーク：電話で対応した場合と、このツールを使わずにソーシャル対応した場合の 1 件あたりの費用。',
    'finance.c.benchmarkEdit': '下の設定で変更できます。',
    'finance.b.median': '自社の中央値',
    'finance.b.p90': '自社の 90 パーセンタイル',
    'finance.b.social': 'ソーシャル対応のベンチマーク',
    'finance.b.phone': '電話対応のベンチマーク',
    'finance.b.noTickets': '今月はまだ費用が発生したチケットがありません。ベンチマークは 1 件あたりソーシャル対応 {social}、電話 {phone} です。',
    'finance.b.lead1': 'チケット 1 件の費用の中央値は {cost} で、',
    'finance.b.leadSocial': '{pct}',
    'finance.b.lead2': '（ソーシャル対応のベンチマーク {social} 比）、',
    'finance.b.leadPhone': '{pct}',
    'finance.b.lead3': '（電話 1 件 {phone} 比）です。',
    'finance.c.components': '費用の内訳',
    'finance.c.componentsSub': '今月の合計を種類別に表示します。',
    'finance.c.nothing': '今月の費用はまだ記録されていません。',
    'finance.c.group.channel': 'チャネル別のチケットあたり費用',
    'finance.c.group.team': 'チーム別のチケットあたり費用',
    'finance.c.group.brand': 'ブランドアカウント別のチケットあたり費用',
    'finance.c.groupSub': 'チケットの費用をそれぞれのチケット数で割った値です。',
    'finance.groupLabel': 'グループ',
    'finance.group.channel': 'チャネル',
    'finance.group.team': 'チーム',
    'finance.group.brand': 'ブランド',
    'finance.c.budgets': '予算',
    'finance.c.budgetsSub': '今月の支出と上限。80% で黄色、100% で赤になります。',
    'finance.c.noBudgets': '予算の上限は設定されていません。',
    'finance.c.items': '明細項目',
    'finance.c.itemsSub': '今月の項目別の費用（金額の大きい順）。',
    'finance.scope.platform': 'プラットフォーム',
    'finance.scope.monitor': 'モニター',
    'finance.state.warning': '上限に近づいています',
    'finance.state.exceeded': '上限を超えました',
    'finance.spentOf': '{cap} 中 {spent}（{pct}）',
    'finance.perTicket': 'チケットあたり',
    'finance.vsSocial': 'ソーシャル比',
    'finance.vsPhone': '電話比',
    'finance.item': '項目',
    'finance.component': '種類',
    'finance.quantity': '数量',
    'finance.amount': '金額',
    'finance.share': '割合',
    'finance.lines': '明細数',
    'finance.unpriced': '単価未設定',
    'finance.someUnpriced': '＋単価未設定 {n} 件',
    'finance.budgetKey.x': 'X API（月額）',
    'finance.budgetKey.meta': 'Meta（月額）',
    'finance.budgetKey.google': 'Google（月額）',
    'finance.s.title': 'ベンチマークと予算',
    'finance.s.sub': '変更できるのは管理者だけです。',
    'finance.s.benchmarks': 'ベンチマーク（チケット 1 件あたり・米ドル）',
    'finance.s.phone': '電話',
    'finance.s.phoneHint': '電話で 1 件対応した場合の費用。',
    'finance.s.social': 'ソーシャル対応',
    'finance.s.socialHint': 'このツールを使わずにソーシャルで 1 件対応した場合の費用。',
    'finance.s.budgets': '月間予算の上限（米ドル）',
    'finance.s.budgetHint': '空欄にすると上限なし。',
    'finance.s.save': '保存',
    'finance.s.saving': '保存しています…',
    'finance.s.saved': '保存しました。',
    'finance.s.version': 'バージョン {n}',
    'finance.s.problems': '次の点を修正してください：',
    'finance.s.errMoney': '6 や 6.50 のような金額を入力してください',
    'finance.s.conflict': 'この設定は開いた後に他の人が変更したため、保存されませんでした。再読み込みして最新の内容を確認してください。',
    'finance.s.reload': '再読み込み',
    'finance.s.forbidden': 'このロールではこの設定を変更できません。',
    'finance.s.loadFailed': 'コストの設定を読み込めませんでした。',
    'finance.t.title': 'コスト',
    'finance.t.lines': ({ n }) => `明細 ${n} 件`,
    'finance.t.linesLabel': 'コストの明細',
    'finance.t.unpriced': ({ n }) => `単価未設定 ${n} 件（合計に含みません）。`,
    'finance.t.shares': '{n} 件で按分',
    'finance.t.none': 'このチケットの費用はまだ記録されていません。',
    'finance.t.missing': 'このサーバーではまだチケットの費用を表示できません。',
    'finance.t.failed': 'コストを読み込めませんでした。',
  },
});
