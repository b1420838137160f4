// Mentiondesk agent UI — the supervisor and admin screens (#/settings), mounted by app.js.
//
// renderSettings(container, { me, onError }) → cleanup function.
//
// Seven screens behind a left sub-navigation (#/settings/<section>): rules, teams and agents,
// business calendars, SLA policies, reply templates, channels and X monitors, the reply policy.
// Each screen keeps what it loaded and any unsaved draft in module state, so the re-render after a
// language switch keeps what was typed. Every save sends the version that was read: a 409 offers a
// reload, a 400 lists the server's problems beside the form. Stored text only goes into text nodes;
// controls an admin alone may use are not shown to supervisors.

import { ApiError, apiGet, apiSend } from './api.js';
import { h, isObject, str } from './dom.js';
import { addStrings, formatDateTime, formatNumber, getLanguage, t, tOr } from './i18n.js';

const SECTIONS = ['rules', 'teams', 'calendars', 'sla', 'templates', 'channels', 'replies'];
const TRIGGERS = ['ticket_created', 'message_received', 'ticket_updated', 'sla_warning', 'sla_breached'];
const ACTION_TYPES = [
  'add_tags',
  'remove_tags',
  'set_priority',
  'set_team',
  'assign_agent',
  'auto_reply',
  'set_sla_policy',
  'hide_comment',
  'notify',
  'mark_spam',
  'ignore',
];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const CHANNELS = ['x', 'instagram', 'facebook', 'google'];
const INTENTS = ['praise', 'question', 'problem', 'complaint', 'request', 'other'];
const STRATEGIES = ['round_robin', 'load_balanced', 'manual'];
const BALANCES = ['count', 'share'];
const ROLES = ['admin', 'supervisor', 'agent', 'finance'];
const MODES = ['public', 'dm', 'private_reply'];
const EMOJI = ['allow', 'deny_on_complaint', 'deny'];
const MONITOR_KINDS = ['mentions', 'search', 'dms'];
// The template variables the server knows (VARIABLES in mentiondesk/templates.py).
const VARIABLES = [
  'customer_honorific',
  'customer_name',
  'customer_handle',
  'agent_signature',
  'agent_name',
  'agent_first_name',
  'brand',
  'ticket_id',
  'order_number',
  'support_hours',
];
// What the simple condition editor covers besides keywords: "field in [values]" leaves.
const COND_FIELDS = [
  { key: 'channel', values: CHANNELS, ns: 'channel' },
  { key: 'sentiment', values: ['positive', 'neutral', 'negative'], ns: 'sentiment' },
  { key: 'intent', values: INTENTS, ns: 'intent' },
  { key: 'urgency', values: ['high', 'normal', 'low'], ns: 'urgency' },
  { key: 'language', values: ['ja', 'en'], ns: 'lang' },
];
const LIST_SPLIT = /[,\n、，]+/;
const TIME_RE = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const MONEY_RE = /^\d{1,7}(?:\.\d{1,2})?$/;
const DRY_RUN_DAYS = 7;
const DRY_RUN_SHOWN = 20;

// ------------------------------------------------------------ module state

const memo = {}; // section → that screen's documents, drafts and messages
let memoOwner = null;

function stateOf(section, init) {
  if (!memo[section]) memo[section] = init();
  return memo[section];
}

// ------------------------------------------------------------ small utils

const enc = encodeURIComponent;

function unique(values) {
  return [...new Set(values)];
}

function splitList(text) {
  return unique(
    str(text)
      .split(LIST_SPLIT)
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

function joinList(values) {
  return Array.isArray(values) ? values.map(str).join(', ') : '';
}

function sameList(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function pretty(value) {
  return value === null || value === undefined ? '' : JSON.stringify(value, null, 2);
}

function wholeNumber(text, min, max) {
  const s = str(text).trim();
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n >= min && n <= max ? n : null;
}

function itemsOf(page) {
  return isObject(page) && Array.isArray(page.items) ? page.items.filter(isObject) : [];
}

function upsert(list, doc, key = 'id') {
  const i = list.findIndex((x) => x[key] === doc[key]);
  if (i === -1) list.push(doc);
  else list[i] = doc;
}

function money(n) {
  const v = Number.isFinite(n) ? n : 0;
  const digits = v > 0 && v < 0.01 ? 4 : 2;
  return formatNumber(v, { style: 'currency', currency: 'USD', currencyDisplay: 'narrowSymbol', minimumFractionDigits: 2, maximumFractionDigits: digits });
}

function formatDay(iso) {
  if (!DATE_RE.test(iso)) return iso;
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  const locale = getLanguage() === 'ja' ? 'ja-JP' : 'en-GB';
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', dateStyle: 'medium' }).format(d);
}

function langName(code) {
  const label = tOr('lang', code);
  return label === code ? code.toUpperCase() : label;
}

function focusId(id) {
  const el = document.getElementById(id);
  if (el) el.focus();
}

/** Replace a screen's content, keeping keyboard focus on the control with the same id. */
function swap(root, content) {
  const active = document.activeElement;
  const focused = active && active !== document.body && root.contains(active) ? active.id : '';
  const scroller = root.closest('.settings-main');
  const top = scroller ? scroller.scrollTop : 0;
  root.replaceChildren(...[content].flat().filter(Boolean));
  if (scroller) scroller.scrollTop = top;
  if (focused) {
    const next = document.getElementById(focused);
    if (next && root.contains(next)) next.focus({ preventScroll: true });
  }
}

// ------------------------------------------------------------ controls (every one labelled)

function field(id, label, control, hint) {
  if (hint) {
    const described = [control.getAttribute('aria-describedby'), `${id}-hint`].filter(Boolean).join(' ');
    control.setAttribute('aria-describedby', described);
  }
  return h(
    'div',
    { class: 'sf-field' },
    h('label', { for: id, class: 'label' }, label),
    control,
    hint ? h('p', { id: `${id}-hint`, class: 'sf-hint' }, hint) : null,
  );
}

function textInput(id, value, onInput, props = {}) {
  const el = h('input', { id, class: 'input', type: 'text', autocomplete: 'off', ...props });
  el.value = str(value);
  el.addEventListener('input', () => onInput(el.value));
  return el;
}

function textArea(id, value, onInput, props = {}) {
  const el = h('textarea', { id, class: 'textarea', rows: '3', ...props });
  el.value = str(value);
  el.addEventListener('input', () => onInput(el.value));
  return el;
}

function selectBox(id, options, value, onChange, props = {}) {
  const el = h(
    'select',
    { id, class: 'select', ...props },
    options.map((o) => h('option', { value: o.value, disabled: o.disabled || null }, o.label)),
  );
  el.value = str(value);
  el.addEventListener('change', () => onChange(el.value));
  return el;
}

function checkBox(id, label, checked, onChange, props = {}) {
  const el = h('input', { id, type: 'checkbox', class: 'sf-check', ...props });
  el.checked = Boolean(checked);
  el.addEventListener('change', () => onChange(el.checked));
  return h('div', { class: 'sf-checkline' }, el, h('label', { for: id }, label));
}

function checkGroup(id, legend, options, selected, onChange, props = {}) {
  const chosen = new Set(selected);
  return h(
    'fieldset',
    { class: 'sf-group', id, ...props },
    h('legend', { class: 'sf-legend' }, legend),
    h(
      'div',
      { class: 'sf-checks' },
      options.map((o) =>
        checkBox(`${id}-${o.value}`, o.label, chosen.has(o.value), (on) => {
          if (on) chosen.add(o.value);
          else chosen.delete(o.value);
          onChange(options.map((x) => x.value).filter((v) => chosen.has(v)));
        }),
      ),
    ),
  );
}

function button(id, label, onClick, { kind = '', testid, busy = false, type = 'button', props = {} } = {}) {
  const el = h(
    'button',
    {
      id,
      type,
      class: ['btn', kind],
      'data-testid': testid || null,
      'aria-disabled': busy ? 'true' : null,
      ...props,
    },
    label,
  );
  if (onClick) {
    el.addEventListener('click', (e) => {
      if (el.getAttribute('aria-disabled') === 'true') {
        e.preventDefault();
        return;
      }
      onClick(e);
    });
  }
  return el;
}

function invalid(fb, key, fbId) {
  const bad = fb && fb.kind === 'problems' && fb.items.some((p) => p.loc[0] === key);
  return bad ? { 'aria-invalid': 'true', 'aria-describedby': fbId } : {};
}

function loadingView() {
  return h('p', { class: 'sf-loading muted', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading'));
}

function loadFailedView(id, retry) {
  return h('div', { class: 'sf-load-failed' }, h('p', null, t('settings.loadFailed')), button(id, t('retry'), retry, { kind: 'btn-sm' }));
}

// ------------------------------------------------------------ saving: problems, conflicts, results

function detailsOf(body, message) {
  const details = body && Array.isArray(body.details) ? body.details.filter(isObject) : [];
  if (!details.length) return [{ loc: [], msg: message || t('settings.invalidGeneric') }];
  return details.map((d) => ({
    loc: (Array.isArray(d.loc) ? d.loc : []).filter((p, i) => !(i === 0 && p === 'body')).map((p) => (typeof p === 'number' ? p : str(p))),
    msg: str(d.msg),
  }));
}

/** What to show beside a form for a failed save; unexpected errors go to the app's banner. */
function failure(err, ctx, { create = false } = {}) {
  if (!err || err.name === 'AbortError') return null;
  if (err instanceof ApiError && !err.network) {
    const body = isObject(err.body) ? err.body : null;
    const current = body && isObject(body.current) ? body.current : null;
    if (err.status === 400 || err.status === 422 || (err.status === 409 && create)) {
      return { kind: 'problems', items: detailsOf(body, err.serverMessage) };
    }
    if (err.status === 409) return { kind: 'conflict', current };
    if (err.status === 403) return { kind: 'forbidden' };
    if (err.status === 404) return { kind: 'gone' };
  }
  ctx.onError(err);
  return null;
}

function locText(loc, labels) {
  if (!loc.length) return '';
  const [head, ...rest] = loc;
  const first = (labels && labels[head]) || str(head);
  const tail = rest.map((p, i) => {
    const index = typeof p === 'number' ? p : /^\d+$/.test(p) ? Number(p) : null;
    if (index === null) return p;
    const parent = i ? rest[i - 1] : head;
    return parent === 'hours' && index <= 6 ? t(`settings.weekday.${index}`) : `#${index + 1}`;
  });
  return [first, ...tail].join(' › ');
}

function feedbackView(fb, { id, labels, onReload } = {}) {
  if (!fb) return h('div', { id, class: 'sf-feedback is-empty' });
  if (fb.kind === 'saved' || fb.kind === 'info' || fb.kind === 'reloaded') {
    const text = fb.text || (fb.kind === 'reloaded' ? t('settings.reloaded') : t('settings.saved'));
    return h('p', { id, class: ['sf-feedback', fb.kind === 'saved' ? 'is-ok' : 'is-info'], role: 'status', 'data-testid': 'form-saved' }, text);
  }
  if (fb.kind === 'problems') {
    return h(
      'div',
      { id, class: 'sf-feedback is-problem', role: 'alert', 'data-testid': 'form-problems' },
      h('p', { class: 'sf-feedback-title' }, t('settings.problemsTitle')),
      h(
        'ul',
        null,
        fb.items.map((p) => {
          const where = locText(p.loc, labels);
          return h('li', null, where ? h('strong', null, `${where}: `) : null, p.msg);
        }),
      ),
    );
  }
  const text = fb.kind === 'conflict' ? t('settings.conflict') : fb.kind === 'gone' ? t('settings.gone') : fb.kind === 'forbidden' ? t('settings.forbidden') : str(fb.text);
  return h(
    'div',
    { id, class: 'sf-feedback is-problem', role: 'alert', 'data-testid': fb.kind === 'conflict' ? 'conflict' : 'form-error' },
    h('p', null, text),
    onReload && (fb.kind === 'conflict' || fb.kind === 'gone')
      ? button(`${id}-reload`, t('settings.reload'), onReload, { kind: 'btn-sm', testid: 'conflict-reload' })
      : null,
  );
}

// ------------------------------------------------------------ conditions: a simple builder and JSON

function emptySimple() {
  return { keywords: '', channel: [], sentiment: [], intent: [], urgency: [], language: [] };
}

/** The simple editor's reading of a condition, or null when only JSON can show it. */
function toSimple(condition) {
  const simple = emptySimple();
  if (condition === null || condition === undefined) return simple;
  if (!isObject(condition)) return null;
  const keys = Object.keys(condition);
  const leaves = keys.length === 1 && Array.isArray(condition.all) ? condition.all : [condition];
  const seen = new Set();
  for (const leaf of leaves) {
    if (!isObject(leaf) || Object.keys(leaf).some((k) => !['field', 'op', 'value'].includes(k))) return null;
    const { field: name, op, value } = leaf;
    if (!Array.isArray(value) || !value.length || !value.every((v) => typeof v === 'string') || seen.has(name)) return null;
    seen.add(name);
    if (name === 'text' && op === 'contains_any') {
      if (value.some((v) => LIST_SPLIT.test(v) || v !== v.trim())) return null; // would not survive the round trip
      simple.keywords = value.join(', ');
      continue;
    }
    const spec = COND_FIELDS.find((f) => f.key === name);
    if (!spec || op !== 'in' || !value.every((v) => spec.values.includes(v))) return null;
    simple[name] = spec.values.filter((v) => value.includes(v));
  }
  return simple;
}

function fromSimple(simple) {
  const leaves = [];
  const keywords = splitList(simple.keywords);
  if (keywords.length) leaves.push({ field: 'text', op: 'contains_any', value: keywords });
  for (const spec of COND_FIELDS) {
    const chosen = spec.values.filter((v) => simple[spec.key].includes(v));
    if (chosen.length) leaves.push({ field: spec.key, op: 'in', value: chosen });
  }
  if (!leaves.length) return null;
  return leaves.length === 1 ? leaves[0] : { all: leaves };
}

function condState(condition) {
  const simple = toSimple(condition);
  return { mode: simple ? 'simple' : 'advanced', simple: simple || emptySimple(), json: pretty(condition), error: '', note: simple ? '' : 'complex' };
}

/** {ok, value} with the condition as edited (null: none), or {ok: false} with the JSON error noted. */
function conditionValue(cs) {
  if (cs.mode === 'simple') return { ok: true, value: fromSimple(cs.simple) };
  const text = cs.json.trim();
  if (!text) return { ok: true, value: null };
  try {
    const value = JSON.parse(text);
    if (value !== null && !isObject(value)) {
      cs.error = t('settings.errJsonObject');
      return { ok: false, error: cs.error };
    }
    cs.error = '';
    return { ok: true, value };
  } catch (e) {
    cs.error = t('settings.errJson', { detail: str(e && e.message) });
    return { ok: false, error: cs.error };
  }
}

function summarizeCondition(condition) {
  if (condition === null || condition === undefined) return t('settings.condAlways');
  const simple = toSimple(condition);
  if (!simple) return t('settings.condCustom');
  const parts = [];
  const words = splitList(simple.keywords);
  if (words.length) parts.push(t('settings.sumKeywords', { words: words.slice(0, 4).join(', ') + (words.length > 4 ? '…' : '') }));
  for (const spec of COND_FIELDS) {
    if (simple[spec.key].length) parts.push(simple[spec.key].map((v) => tOr(spec.ns, v)).join(' / '));
  }
  return parts.join(' · ');
}

function conditionEditor(cs, prefix, paint, { allowNone, bad }) {
  const toSimpleMode = () => {
    if (cs.mode === 'simple') return;
    const parsed = conditionValue(cs);
    if (!parsed.ok) {
      paint();
      return;
    }
    const simple = toSimple(parsed.value);
    if (!simple) {
      cs.note = 'notSimple';
      paint();
      return;
    }
    Object.assign(cs, { mode: 'simple', simple, error: '', note: '' });
    paint();
  };
  const toAdvancedMode = () => {
    if (cs.mode === 'advanced') return;
    Object.assign(cs, { mode: 'advanced', json: pretty(fromSimple(cs.simple)), error: '', note: '' });
    paint();
  };
  const modes = h(
    'div',
    { class: 'sf-segmented', role: 'group', 'aria-label': t('settings.condMode') },
    button(`${prefix}-simple`, t('settings.condSimple'), toSimpleMode, { kind: 'btn-sm', testid: 'cond-mode-simple', props: { 'aria-pressed': String(cs.mode === 'simple') } }),
    button(`${prefix}-advanced`, t('settings.condAdvanced'), toAdvancedMode, { kind: 'btn-sm', testid: 'cond-mode-advanced', props: { 'aria-pressed': String(cs.mode === 'advanced') } }),
  );
  let body;
  if (cs.mode === 'simple') {
    body = h(
      'div',
      { class: 'sf-cond-simple' },
      field(
        `${prefix}-keywords`,
        t('settings.condKeywords'),
        textArea(`${prefix}-keywords`, cs.simple.keywords, (v) => (cs.simple.keywords = v), { rows: '2', 'data-testid': 'cond-keywords' }),
        t('settings.condKeywordsHint'),
      ),
      h(
        'div',
        { class: 'sf-cond-groups' },
        COND_FIELDS.map((spec) =>
          checkGroup(
            `${prefix}-${spec.key}`,
            t(`settings.condField.${spec.key}`),
            spec.values.map((v) => ({ value: v, label: tOr(spec.ns, v) })),
            cs.simple[spec.key],
            (next) => (cs.simple[spec.key] = next),
          ),
        ),
      ),
      h('p', { class: 'sf-hint' }, allowNone ? t('settings.condSimpleHintNone') : t('settings.condSimpleHint')),
    );
  } else {
    const errId = `${prefix}-json-error`;
    const area = textArea(
      `${prefix}-json`,
      cs.json,
      (v) => (cs.json = v),
      {
        rows: '10',
        class: 'textarea sf-code',
        spellcheck: 'false',
        'data-testid': 'cond-json',
        'aria-invalid': cs.error ? 'true' : null,
        'aria-describedby': cs.error ? errId : null,
      },
    );
    const error = h('p', { id: errId, class: 'sf-error', role: 'alert', 'data-testid': 'cond-json-error', hidden: !cs.error }, cs.error);
    // Checked on save, dry run and mode switch only: checking on blur would move the buttons under
    // the pointer of the click that caused the blur. Typing clears a shown error.
    area.addEventListener('input', () => {
      if (!cs.error) return;
      cs.error = '';
      error.hidden = true;
      area.removeAttribute('aria-invalid');
    });
    body = h(
      'div',
      { class: 'sf-cond-advanced' },
      field(`${prefix}-json`, t('settings.condJson'), area, allowNone ? t('settings.condJsonHintNone') : t('settings.condJsonHint')),
      error,
      cs.note ? h('p', { class: 'sf-note' }, t(cs.note === 'complex' ? 'settings.condComplex' : 'settings.condNotSimple')) : null,
    );
  }
  return h(
    'fieldset',
    { class: ['sf-group', 'sf-cond', bad && 'is-invalid'], id: `${prefix}-group` },
    h('legend', { class: 'sf-legend' }, t('settings.condition')),
    modes,
    body,
  );
}

// ------------------------------------------------------------ rule actions

function actionDraft(a) {
  const d = {
    type: str(a.type),
    tags: joinList(a.tags),
    priority: PRIORITIES.includes(a.priority) ? a.priority : 'normal',
    team: str(a.team),
    agent_id: str(a.agent_id),
    template_id: str(a.template_id),
    policy_id: str(a.policy_id),
    channel: a.channel === 'email' ? 'email' : 'slack',
    target: str(a.target),
    message_template: str(a.message_template),
    raw: '',
  };
  if (!ACTION_TYPES.includes(d.type)) {
    d.type = 'raw';
    d.raw = pretty(a);
  }
  return d;
}

function actionValue(d) {
  const need = (value) => (value ? null : t('settings.errChoose'));
  switch (d.type) {
    case 'add_tags':
    case 'remove_tags': {
      const tags = splitList(d.tags);
      return tags.length ? { value: { type: d.type, tags } } : { error: t('settings.errTags') };
    }
    case 'set_priority':
      return { value: { type: d.type, priority: d.priority } };
    case 'set_team':
      return need(d.team) ? { error: need(d.team) } : { value: { type: d.type, team: d.team } };
    case 'assign_agent':
      return need(d.agent_id) ? { error: need(d.agent_id) } : { value: { type: d.type, agent_id: d.agent_id } };
    case 'auto_reply':
      return need(d.template_id) ? { error: need(d.template_id) } : { value: { type: d.type, template_id: d.template_id } };
    case 'set_sla_policy':
      return need(d.policy_id) ? { error: need(d.policy_id) } : { value: { type: d.type, policy_id: d.policy_id } };
    case 'notify': {
      const target = d.target.trim();
      if (!target) return { error: t('settings.errTarget') };
      const value = { type: 'notify', channel: d.channel, target };
      if (d.message_template.trim()) value.message_template = d.message_template.trim();
      return { value };
    }
    case 'raw':
      try {
        const value = JSON.parse(d.raw);
        return isObject(value) ? { value } : { error: t('settings.errJsonObject') };
      } catch (e) {
        return { error: t('settings.errJson', { detail: str(e && e.message) }) };
      }
    default:
      return { value: { type: d.type } };
  }
}

function summarizeActions(actions) {
  const list = Array.isArray(actions) ? actions.filter(isObject) : [];
  return list.map((a) => tOr('settings.action', a.type)).join(', ');
}

function refOptions(items, current, label) {
  const options = [{ value: '', label: t('settings.choose'), disabled: true }];
  for (const item of items) options.push({ value: item.id, label: label(item) });
  if (current && !items.some((x) => x.id === current)) options.push({ value: current, label: current });
  return options;
}

function actionsEditor(actions, prefix, paint, refs, bad) {
  const rows = actions.map((d, i) => {
    const id = `${prefix}-${i}`;
    const n = i + 1;
    const types = ACTION_TYPES.map((v) => ({ value: v, label: tOr('settings.action', v) }));
    if (d.type === 'raw') types.push({ value: 'raw', label: t('settings.actionRaw') });
    const typeSelect = selectBox(`${id}-type`, types, d.type, (v) => {
      d.type = v;
      paint();
    }, { 'data-testid': 'action-type' });
    const options = [];
    switch (d.type) {
      case 'add_tags':
      case 'remove_tags':
        options.push(field(`${id}-tags`, t('settings.tags'), textInput(`${id}-tags`, d.tags, (v) => (d.tags = v), { 'data-testid': 'action-tags' }), t('settings.listHint')));
        break;
      case 'set_priority':
        options.push(field(`${id}-priority`, t('metaPriority'), selectBox(`${id}-priority`, PRIORITIES.map((p) => ({ value: p, label: tOr('priority', p) })), d.priority, (v) => (d.priority = v))));
        break;
      case 'set_team':
        options.push(field(`${id}-team`, t('metaTeam'), selectBox(`${id}-team`, refOptions(refs.teams, d.team, (x) => str(x.name) || x.id), d.team, (v) => (d.team = v))));
        break;
      case 'assign_agent': {
        const people = refs.agents.filter((a) => a.role === 'agent' || a.role === 'supervisor');
        options.push(field(`${id}-agent`, t('metaAssignee'), selectBox(`${id}-agent`, refOptions(people, d.agent_id, (x) => `${str(x.name)} (${str(x.email)})`), d.agent_id, (v) => (d.agent_id = v))));
        break;
      }
      case 'auto_reply':
        options.push(field(`${id}-template`, t('settings.template'), selectBox(`${id}-template`, refOptions(refs.templates, d.template_id, (x) => str(x.name) || x.id), d.template_id, (v) => (d.template_id = v)), refs.templates.length ? null : t('settings.noTemplatesYet')));
        break;
      case 'set_sla_policy':
        options.push(field(`${id}-policy`, t('settings.slaPolicy'), selectBox(`${id}-policy`, refOptions(refs.policies, d.policy_id, (x) => str(x.name) || x.id), d.policy_id, (v) => (d.policy_id = v))));
        break;
      case 'notify':
        options.push(
          field(`${id}-channel`, t('settings.notifyVia'), selectBox(`${id}-channel`, [{ value: 'slack', label: 'Slack' }, { value: 'email', label: t('settings.email') }], d.channel, (v) => {
            d.channel = v;
            paint();
          })),
          field(
            `${id}-target`,
            d.channel === 'slack' ? t('settings.slackWebhook') : t('settings.emailAddress'),
            textInput(`${id}-target`, d.target, (v) => (d.target = v), { type: d.channel === 'slack' ? 'url' : 'email', maxlength: '500', 'data-testid': 'action-target' }),
            d.channel === 'slack' ? t('settings.slackHint') : null,
          ),
          field(`${id}-message`, t('settings.notifyMessage'), textInput(`${id}-message`, d.message_template, (v) => (d.message_template = v), { maxlength: '1000' }), t('settings.optional')),
        );
        break;
      case 'raw':
        options.push(field(`${id}-raw`, t('settings.actionJson'), textArea(`${id}-raw`, d.raw, (v) => (d.raw = v), { rows: '4', class: 'textarea sf-code', spellcheck: 'false' })));
        break;
      default:
        options.push(h('p', { class: 'sf-hint' }, t('settings.actionNoOptions')));
    }
    return h(
      'li',
      { class: 'sf-action', 'data-testid': 'action-row' },
      h('div', { class: 'sf-action-head' }, field(`${id}-type`, t('settings.actionN', { n }), typeSelect)),
      h('div', { class: 'sf-action-options' }, options),
      button(`${id}-remove`, t('settings.remove'), () => {
        actions.splice(i, 1);
        paint();
        focusId(actions.length ? `${prefix}-${Math.min(i, actions.length - 1)}-type` : `${prefix}-add`);
      }, { kind: 'btn-sm btn-quiet', props: { 'aria-label': t('settings.removeActionN', { n }) } }),
    );
  });
  return h(
    'fieldset',
    { class: ['sf-group', 'sf-actions', bad && 'is-invalid'], id: `${prefix}-group` },
    h('legend', { class: 'sf-legend' }, t('settings.actions')),
    rows.length ? h('ol', { class: 'sf-action-list' }, rows) : h('p', { class: 'sf-hint' }, t('settings.noActions')),
    button(`${prefix}-add`, t('settings.addAction'), () => {
      actions.push(actionDraft({ type: 'add_tags' }));
      paint();
      focusId(`${prefix}-${actions.length - 1}-type`);
    }, { kind: 'btn-sm', testid: 'action-add' }),
  );
}

// ------------------------------------------------------------ a list of documents with an editor
// (rules, SLA policies, templates): open one, save with its version, delete, reload after a 409.

function documentScreen(ctx, cfg) {
  const st = stateOf(cfg.key, () => ({ items: null, refs: {}, draft: null, fb: null, listFb: null, busy: false, confirmDelete: false, loadFailed: false, extra: {} }));
  st.confirmDelete = false;
  const p = cfg.prefix;
  const fbId = `sf-${p}-fb`;
  const root = h('div', { class: 'sf-screen', 'data-testid': `settings-${cfg.section}` });
  const api = { st, ctx, paint: () => swap(root, view()), open, fbId };

  async function load() {
    st.loadFailed = false;
    try {
      const names = Object.keys(cfg.refs || {});
      const pages = await Promise.all([apiGet(cfg.path, { signal: ctx.signal }), ...names.map((n) => apiGet(cfg.refs[n], { signal: ctx.signal }))]);
      if (ctx.signal.aborted) return;
      st.items = itemsOf(pages[0]);
      names.forEach((n, i) => (st.refs[n] = itemsOf(pages[i + 1])));
    } catch (err) {
      if (ctx.signal.aborted) return;
      st.loadFailed = true;
      ctx.onError(err);
    }
    api.paint();
  }

  function open(doc) {
    st.draft = doc ? cfg.draftOf(doc) : cfg.blank();
    st.fb = null;
    st.extra = {};
    st.confirmDelete = false;
    api.paint();
    focusId(`sf-${p}-name`);
  }

  async function save() {
    if (st.busy || !st.draft) return;
    const d = st.draft;
    const built = cfg.build(d, st);
    if (!built.ok) {
      st.fb = { kind: 'problems', items: built.problems };
      api.paint();
      return;
    }
    st.busy = true;
    st.fb = null;
    api.paint();
    try {
      const saved = d.id
        ? await apiSend('PUT', `${cfg.path}/${enc(d.id)}`, { ...built.value, version: d.version })
        : await apiSend('POST', cfg.path, built.value);
      upsert(st.items, saved);
      if (st.draft === d) st.draft = cfg.draftOf(saved);
      st.fb = { kind: 'saved' };
    } catch (err) {
      st.fb = failure(err, ctx, { create: !d.id });
    } finally {
      st.busy = false;
    }
    if (!ctx.signal.aborted) api.paint();
  }

  async function reloadDraft() {
    const d = st.draft;
    if (!d || !d.id) return;
    let fresh = st.fb && st.fb.kind === 'conflict' && st.fb.current && st.fb.current.id === d.id ? st.fb.current : null;
    try {
      if (!fresh) fresh = await apiGet(`${cfg.path}/${enc(d.id)}`, { signal: ctx.signal });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        st.items = st.items.filter((x) => x.id !== d.id);
        st.draft = null;
        st.listFb = { kind: 'info', text: t('settings.deletedElsewhere') };
        api.paint();
        return;
      }
      failure(err, ctx);
      return;
    }
    upsert(st.items, fresh);
    st.draft = cfg.draftOf(fresh);
    st.fb = { kind: 'reloaded' };
    st.extra = {};
    api.paint();
    focusId(`sf-${p}-name`);
  }

  async function remove() {
    const d = st.draft;
    if (!d || !d.id || st.busy) return;
    st.busy = true;
    api.paint();
    try {
      await apiSend('DELETE', `${cfg.path}/${enc(d.id)}?version=${enc(d.version)}`);
      st.items = st.items.filter((x) => x.id !== d.id);
      st.draft = null;
      st.listFb = { kind: 'info', text: t('settings.deleted', { name: d.name }) };
    } catch (err) {
      st.fb = failure(err, ctx);
    } finally {
      st.busy = false;
      st.confirmDelete = false;
    }
    if (ctx.signal.aborted) return;
    api.paint();
    focusId(st.draft ? `sf-${p}-delete` : `sf-${p}-new`);
  }

  async function reloadList() {
    st.items = null;
    st.listFb = null;
    api.paint();
    await load();
  }
  api.reloadList = reloadList;

  function row(doc) {
    const selected = st.draft && st.draft.id === doc.id;
    return h(
      'li',
      { class: ['sf-item', selected && 'is-selected', doc.enabled === false && 'is-off'], 'data-testid': `${p}-row`, dataset: { id: doc.id } },
      cfg.rowLead ? cfg.rowLead(doc, api) : null,
      h(
        'button',
        {
          type: 'button',
          id: `sf-${p}-open-${doc.id}`,
          class: 'sf-item-main',
          'data-testid': `${p}-open`,
          'aria-current': selected ? 'true' : null,
          onclick: () => open(doc),
        },
        h('span', { class: 'sf-item-title', dir: 'auto' }, str(doc.name) || doc.id),
        h('span', { class: 'sf-item-meta' }, cfg.rowMeta(doc)),
      ),
    );
  }

  function listPane() {
    const groups = cfg.groups ? cfg.groups(st.items) : [{ title: null, items: st.items }];
    return h(
      'section',
      { class: 'sf-pane sf-list-pane', 'aria-labelledby': `sf-${p}-list-title` },
      h(
        'div',
        { class: 'sf-pane-head' },
        h('h2', { id: `sf-${p}-list-title`, class: 'sf-h2' }, cfg.s.list, h('span', { class: 'count' }, formatNumber(st.items.length))),
        button(`sf-${p}-new`, cfg.s.new, () => open(null), { kind: 'btn-sm', testid: `${p}-new` }),
      ),
      feedbackView(st.listFb, { id: `sf-${p}-list-fb`, onReload: reloadList }),
      st.items.length
        ? groups
            .filter((g) => g.items.length)
            .map((g) => [g.title ? h('h3', { class: 'section-title sf-group-title' }, g.title) : null, h('ul', { class: 'sf-items' }, g.items.map(row))])
        : h('p', { class: 'muted' }, cfg.s.empty),
    );
  }

  function editorPane() {
    const d = st.draft;
    if (!d) return h('section', { class: 'sf-pane sf-editor-pane sf-placeholder' }, h('p', { class: 'muted' }, cfg.s.choose));
    const form = h(
      'form',
      { class: 'sf-pane sf-editor-pane sf-form', 'data-testid': `${p}-editor`, 'aria-labelledby': `sf-${p}-editor-title`, novalidate: true },
      h(
        'div',
        { class: 'sf-pane-head' },
        h('h2', { id: `sf-${p}-editor-title`, class: 'sf-h2' }, d.id ? cfg.s.edit : cfg.s.new),
        d.id ? h('span', { class: 'muted small' }, t('settings.versionN', { n: d.version })) : null,
      ),
      feedbackView(st.fb, { id: fbId, labels: cfg.labels(), onReload: reloadDraft }),
      cfg.fields(d, api),
      h(
        'div',
        { class: 'sf-buttons' },
        button(`sf-${p}-save`, st.busy ? t('settings.saving') : t('settings.save'), null, { kind: 'btn-primary', type: 'submit', testid: `${p}-save`, busy: st.busy }),
        cfg.buttons ? cfg.buttons(d, api) : null,
        h('span', { class: 'sf-spacer' }),
        d.id
          ? button(`sf-${p}-delete`, t('settings.delete'), () => {
              st.confirmDelete = true;
              api.paint();
              focusId(`sf-${p}-delete-yes`);
            }, { kind: 'btn-danger', testid: `${p}-delete` })
          : null,
        button(`sf-${p}-close`, t('settings.close'), () => {
          st.draft = null;
          st.fb = null;
          api.paint();
          focusId(`sf-${p}-new`);
        }, { kind: 'btn-quiet' }),
      ),
      st.confirmDelete
        ? h(
            'div',
            { class: 'sf-confirm', role: 'group', 'aria-labelledby': `sf-${p}-delete-q` },
            h('p', { id: `sf-${p}-delete-q` }, t('settings.confirmDelete', { name: d.name })),
            button(`sf-${p}-delete-yes`, t('settings.deleteYes'), remove, { kind: 'btn-sm btn-danger', testid: 'confirm-delete', busy: st.busy }),
            button(`sf-${p}-delete-no`, t('settings.keep'), () => {
              st.confirmDelete = false;
              api.paint();
              focusId(`sf-${p}-delete`);
            }, { kind: 'btn-sm' }),
          )
        : null,
      cfg.after ? cfg.after(d, api) : null,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      save();
    });
    return form;
  }

  function view() {
    if (st.items === null) return st.loadFailed ? loadFailedView(`sf-${p}-retry`, reloadList) : loadingView();
    return h('div', { class: 'sf-split' }, listPane(), editorPane());
  }

  api.paint(); // what we had (after a language switch), then a fresh copy
  load();
  return { el: root };
}

// ------------------------------------------------------------ 1. rules

function ruleDraft(rule) {
  return {
    id: rule ? rule.id : null,
    version: rule ? rule.version : null,
    name: str(rule && rule.name),
    trigger: (rule && rule.trigger) || 'ticket_created',
    order: String(rule && Number.isInteger(rule.order) ? rule.order : 100),
    enabled: rule ? rule.enabled !== false : true,
    stop_on_match: rule ? rule.stop_on_match !== false : true,
    cond: condState(rule ? rule.condition : null),
    actions: (rule && Array.isArray(rule.actions) ? rule.actions.filter(isObject) : [{ type: 'add_tags' }]).map(actionDraft),
  };
}

/** The rule as the API takes it (no id, version or bookkeeping), or the problems found here. */
function buildRule(d) {
  const problems = [];
  const name = d.name.trim();
  if (!name) problems.push({ loc: ['name'], msg: t('settings.errRequired') });
  const order = wholeNumber(d.order, 0, 1_000_000);
  if (order === null) problems.push({ loc: ['order'], msg: t('settings.errOrder') });
  const cond = conditionValue(d.cond);
  if (!cond.ok) problems.push({ loc: ['condition'], msg: cond.error });
  else if (cond.value === null) problems.push({ loc: ['condition'], msg: t('settings.errConditionNeeded') });
  const actions = [];
  d.actions.forEach((a, i) => {
    const r = actionValue(a);
    if (r.error) problems.push({ loc: ['actions', i], msg: r.error });
    else actions.push(r.value);
  });
  if (!d.actions.length) problems.push({ loc: ['actions'], msg: t('settings.errActionNeeded') });
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    value: { name, enabled: d.enabled, trigger: d.trigger, order, stop_on_match: d.stop_on_match, condition: cond.value, actions },
  };
}

function storedRuleBody(rule) {
  return {
    name: rule.name,
    enabled: rule.enabled !== false,
    trigger: rule.trigger,
    order: rule.order,
    stop_on_match: rule.stop_on_match !== false,
    condition: rule.condition,
    actions: rule.actions,
  };
}

function ruleLabels() {
  return {
    name: t('settings.name'),
    trigger: t('settings.trigger'),
    order: t('settings.order'),
    enabled: t('settings.enabled'),
    stop_on_match: t('settings.stopOnMatch'),
    condition: t('settings.condition'),
    actions: t('settings.actions'),
    version: t('settings.version'),
    rule: t('settings.rule'),
  };
}

/** The customer's words that made a dry run match, marked in the subject (text nodes and <mark>). */
function marked(text, words) {
  const lower = text.toLowerCase();
  if (lower.length !== text.length) return [text];
  const spans = [];
  for (const word of unique(words.map((w) => str(w).toLowerCase()).filter(Boolean))) {
    for (let at = lower.indexOf(word); at !== -1 && spans.length < 50; at = lower.indexOf(word, at + word.length)) {
      spans.push([at, at + word.length]);
    }
  }
  spans.sort((a, b) => a[0] - b[0]);
  const out = [];
  let at = 0;
  for (const [start, end] of spans) {
    if (start < at) continue;
    if (start > at) out.push(text.slice(at, start));
    out.push(h('mark', { class: 'rule-hit' }, text.slice(start, end)));
    at = end;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

function dryRunView(dry) {
  if (!dry) return null;
  if (dry.busy) return h('p', { class: 'sf-dry muted', role: 'status', 'data-testid': 'rule-dry-run-result' }, t('settings.dryRunning'));
  if (dry.fb) return h('div', { class: 'sf-dry', 'data-testid': 'rule-dry-run-result' }, feedbackView(dry.fb, { id: 'sf-rule-dry-fb', labels: ruleLabels() }));
  const r = isObject(dry.result) ? dry.result : {};
  const matched = Array.isArray(r.matched) ? r.matched.filter(isObject) : [];
  const scanned = Number.isInteger(r.scanned) ? r.scanned : 0;
  return h(
    'section',
    { class: 'sf-dry', 'data-testid': 'rule-dry-run-result', 'aria-labelledby': 'sf-dry-title' },
    h('h3', { id: 'sf-dry-title', class: 'section-title' }, t('settings.dryTitle')),
    h(
      'p',
      { class: 'sf-dry-stat', role: 'status' },
      h('strong', { class: 'sf-dry-count', 'data-testid': 'dry-run-count' }, formatNumber(matched.length)),
      ' ',
      h('span', null, t('settings.dryMatched', { n: matched.length })),
      ' ',
      h('span', { class: 'muted' }, t('settings.dryScanned', { n: scanned, days: DRY_RUN_DAYS })),
    ),
    r.truncated ? h('p', { class: 'sf-note' }, t('settings.dryTruncated')) : null,
    matched.length
      ? h(
          'ul',
          { class: 'sf-dry-list' },
          matched.slice(0, DRY_RUN_SHOWN).map((m) => {
            const words = (Array.isArray(m.messages) ? m.messages.filter(isObject) : []).flatMap((msg) =>
              (Array.isArray(msg.highlights) ? msg.highlights.filter(isObject) : []).map((x) => str(x.text) || str(x.keyword)),
            );
            return h(
              'li',
              { class: 'sf-dry-item', 'data-testid': 'dry-run-ticket' },
              h('p', { class: 'sf-dry-subject', dir: 'auto' }, marked(str(m.subject) || str(m.ticket_id), words)),
              h(
                'p',
                { class: 'sf-item-meta' },
                tOr('channel', m.channel),
                ' · ',
                tOr('status', m.status),
                ' · ',
                formatDateTime(m.created_at),
                words.length ? [' · ', t('settings.dryWords', { words: unique(words).join('、') })] : null,
              ),
            );
          }),
        )
      : null,
    matched.length > DRY_RUN_SHOWN ? h('p', { class: 'sf-hint' }, t('settings.dryMore', { n: matched.length - DRY_RUN_SHOWN })) : null,
  );
}

function rulesScreen(ctx) {
  return documentScreen(ctx, {
    key: 'rules',
    section: 'rules',
    prefix: 'rule',
    path: '/api/rules',
    refs: { teams: '/api/teams', agents: '/api/agents', templates: '/api/templates', policies: '/api/sla-policies' },
    s: {
      list: t('settings.rulesList'),
      new: t('settings.ruleNew'),
      edit: t('settings.ruleEdit'),
      empty: t('settings.rulesEmpty'),
      choose: t('settings.ruleChoose'),
    },
    blank: () => ruleDraft(null),
    draftOf: ruleDraft,
    build: buildRule,
    labels: ruleLabels,
    groups(items) {
      const sorted = [...items].sort((a, b) => (a.order ?? 0) - (b.order ?? 0) || str(a.id).localeCompare(str(b.id)));
      const known = TRIGGERS.map((trig) => ({ title: tOr('settings.trigger', trig), items: sorted.filter((r) => r.trigger === trig) }));
      return [...known, { title: t('settings.triggerOther'), items: sorted.filter((r) => !TRIGGERS.includes(r.trigger)) }];
    },
    rowLead(rule, api) {
      const box = h('input', {
        type: 'checkbox',
        id: `sf-rule-on-${rule.id}`,
        class: 'sf-switch',
        'data-testid': 'rule-enabled',
        'aria-label': t('settings.enabledFor', { name: str(rule.name) }),
      });
      box.checked = rule.enabled !== false;
      box.addEventListener('change', async () => {
        const { st, ctx: c } = api;
        const on = box.checked;
        try {
          const saved = await apiSend('PUT', `/api/rules/${enc(rule.id)}`, { ...storedRuleBody(rule), enabled: on, version: rule.version });
          upsert(st.items, saved);
          if (st.draft && st.draft.id === saved.id && st.draft.version === rule.version) {
            st.draft.version = saved.version;
            st.draft.enabled = saved.enabled !== false;
          }
          st.listFb = { kind: 'saved', text: t(on ? 'settings.ruleOn' : 'settings.ruleOff', { name: str(rule.name) }) };
        } catch (err) {
          st.listFb = failure(err, c);
        }
        if (!c.signal.aborted) api.paint();
      });
      return box;
    },
    rowMeta: (rule) => [
      t('settings.orderN', { n: rule.order }),
      ' · ',
      rule.enabled === false ? [t('settings.off'), ' · '] : null,
      summarizeCondition(rule.condition),
      ' → ',
      summarizeActions(rule.actions),
    ],
    fields(d, api) {
      const { st, paint, fbId } = api;
      const fb = st.fb;
      return [
        h(
          'div',
          { class: 'sf-grid' },
          field('sf-rule-name', t('settings.name'), textInput('sf-rule-name', d.name, (v) => (d.name = v), { maxlength: '100', 'data-testid': 'rule-name', ...invalid(fb, 'name', fbId) })),
          field(
            'sf-rule-trigger',
            t('settings.trigger'),
            selectBox('sf-rule-trigger', TRIGGERS.map((v) => ({ value: v, label: tOr('settings.trigger', v) })), d.trigger, (v) => (d.trigger = v), { 'data-testid': 'rule-trigger' }),
          ),
          field(
            'sf-rule-order',
            t('settings.order'),
            textInput('sf-rule-order', d.order, (v) => (d.order = v), { type: 'number', min: '0', max: '1000000', step: '1', inputmode: 'numeric', 'data-testid': 'rule-order', ...invalid(fb, 'order', fbId) }),
            t('settings.orderHint'),
          ),
        ),
        h(
          'div',
          { class: 'sf-checks-row' },
          checkBox('sf-rule-enabled', t('settings.enabled'), d.enabled, (v) => (d.enabled = v), { 'data-testid': 'rule-enabled-edit' }),
          checkBox('sf-rule-stop', t('settings.stopOnMatch'), d.stop_on_match, (v) => (d.stop_on_match = v)),
        ),
        conditionEditor(d.cond, 'sf-rule-cond', paint, { allowNone: false, bad: invalid(fb, 'condition', fbId)['aria-invalid'] }),
        actionsEditor(d.actions, 'sf-rule-act', paint, { teams: st.refs.teams || [], agents: st.refs.agents || [], templates: st.refs.templates || [], policies: st.refs.policies || [] }, invalid(fb, 'actions', fbId)['aria-invalid']),
      ];
    },
    buttons(d, api) {
      const { st, ctx, paint } = api;
      const busy = Boolean(st.extra.dry && st.extra.dry.busy);
      return button('sf-rule-dry', t('settings.dryRun', { days: DRY_RUN_DAYS }), async () => {
        const built = buildRule(d);
        if (!built.ok) {
          st.fb = { kind: 'problems', items: built.problems };
          paint();
          return;
        }
        st.extra.dry = { busy: true };
        paint();
        let dry = null;
        try {
          dry = { result: await apiSend('POST', '/api/rules/dry-run', { rule: built.value, days: DRY_RUN_DAYS }) };
        } catch (err) {
          const fb = failure(err, ctx);
          dry = fb ? { fb } : null;
        }
        if (st.draft !== d) return;
        st.extra.dry = dry;
        if (!ctx.signal.aborted) paint();
      }, { testid: 'rule-dry-run', busy });
    },
    after: (d, api) => dryRunView(api.st.extra.dry),
  });
}

// ------------------------------------------------------------ 2. teams and agents

function agentDraft(a) {
  return {
    base: a,
    role: str(a.role),
    team: str(a.team),
    capacity: String(Number.isInteger(a.capacity) ? a.capacity : ''),
    languages: joinList(a.languages),
    channels: Array.isArray(a.channels) ? [...a.channels] : [],
    product_tags: joinList(a.product_tags),
  };
}

/** The fields of a person that changed, or the problems found here. */
function agentChanges(d, { mayChangeRole }) {
  const a = d.base;
  const problems = [];
  const changes = {};
  const capacity = wholeNumber(d.capacity, 0, 200);
  if (capacity === null) problems.push({ loc: ['capacity'], msg: t('settings.errCapacity') });
  else if (capacity !== a.capacity) changes.capacity = capacity;
  const languages = splitList(d.languages).map((x) => x.toLowerCase());
  if (languages.some((x) => !/^[a-z]{2}$/.test(x))) problems.push({ loc: ['languages'], msg: t('settings.errLanguages') });
  else if (!sameList(languages, a.languages || [])) changes.languages = languages;
  const channels = CHANNELS.filter((c) => d.channels.includes(c));
  if (!sameList(channels, CHANNELS.filter((c) => (a.channels || []).includes(c)))) changes.channels = channels;
  const tags = splitList(d.product_tags);
  if (!sameList(tags, a.product_tags || [])) changes.product_tags = tags;
  if (d.team && d.team !== a.team) changes.team = d.team;
  if (mayChangeRole && d.role && d.role !== a.role) changes.role = d.role;
  return { changes, problems };
}

function isDirtyAgent(d, isAdmin) {
  const { changes, problems } = agentChanges(d, { mayChangeRole: isAdmin });
  return problems.length > 0 || Object.keys(changes).length > 0;
}

function agentLabels() {
  return {
    email: t('emailLabel'),
    name: t('settings.personName'),
    role: t('settings.role'),
    team: t('metaTeam'),
    capacity: t('settings.capacity'),
    languages: t('settings.languages'),
    channels: t('settings.channels'),
    product_tags: t('settings.productTags'),
    id: t('settings.teamId'),
    strategy: t('settings.strategy'),
    balance: t('settings.balance'),
    version: t('settings.version'),
  };
}

function blankTeam() {
  return { id: '', name: '', strategy: 'round_robin', balance: 'count' };
}

function blankPerson(team) {
  return { email: '', name: '', role: 'agent', team: team || '', capacity: '10', languages: 'ja, en', channels: [] };
}

function loadMeter(active, capacity) {
  const cap = Math.max(Number(capacity) || 0, 0);
  const n = Math.max(Number(active) || 0, 0);
  const ratio = cap > 0 ? n / cap : n > 0 ? 1 : 0;
  const tone = ratio >= 1 ? 'over' : ratio >= 0.8 ? 'warn' : 'ok';
  return h(
    'span',
    { class: ['sf-load', `is-${tone}`], 'data-testid': 'agent-load' },
    h('meter', { class: 'sf-meter', min: '0', max: String(Math.max(cap, 1)), value: String(Math.min(n, Math.max(cap, 1))), 'aria-hidden': 'true' }),
    h('span', null, t('settings.load', { n: formatNumber(n), cap: formatNumber(cap) })),
  );
}

function teamsScreen(ctx) {
  const st = stateOf('teams', () => ({
    teams: null,
    agents: null,
    loadFailed: false,
    teamDrafts: {},
    teamFb: {},
    agentDrafts: {},
    agentFb: {},
    busy: {},
    newTeam: blankTeam(),
    newTeamOpen: false,
    newTeamFb: null,
    newPerson: null,
    newPersonOpen: false,
    newPersonFb: null,
  }));
  const root = h('div', { class: 'sf-screen', 'data-testid': 'settings-teams' });
  const paint = () => swap(root, view());

  async function load() {
    st.loadFailed = false;
    try {
      const [teams, agents] = await Promise.all([apiGet('/api/teams', { signal: ctx.signal }), apiGet('/api/agents', { signal: ctx.signal })]);
      if (ctx.signal.aborted) return;
      st.teams = itemsOf(teams);
      st.agents = itemsOf(agents);
      // Drafts nobody typed in follow the fresh documents; edited ones stay (a stale save answers 409).
      for (const a of st.agents) {
        const d = st.agentDrafts[a.id];
        if (d && !isDirtyAgent(d, ctx.isAdmin)) delete st.agentDrafts[a.id];
      }
      for (const tm of st.teams) {
        const d = st.teamDrafts[tm.id];
        if (d && d.name === d.base.name && d.strategy === d.base.strategy && d.balance === d.base.balance) delete st.teamDrafts[tm.id];
      }
    } catch (err) {
      if (ctx.signal.aborted) return;
      st.loadFailed = true;
      ctx.onError(err);
    }
    paint();
  }

  const teamDraft = (tm) => (st.teamDrafts[tm.id] ||= { base: tm, name: str(tm.name), strategy: tm.strategy, balance: tm.balance });
  const agentDraftOf = (a) => (st.agentDrafts[a.id] ||= agentDraft(a));

  async function saveTeam(tm) {
    const d = teamDraft(tm);
    const key = `team:${tm.id}`;
    if (st.busy[key]) return;
    const changes = {};
    if (d.name.trim() !== d.base.name) changes.name = d.name.trim();
    if (d.strategy !== d.base.strategy) changes.strategy = d.strategy;
    if (d.balance !== d.base.balance) changes.balance = d.balance;
    if (!d.name.trim()) {
      st.teamFb[tm.id] = { kind: 'problems', items: [{ loc: ['name'], msg: t('settings.errRequired') }] };
      paint();
      return;
    }
    if (!Object.keys(changes).length) {
      st.teamFb[tm.id] = { kind: 'info', text: t('settings.nothingChanged') };
      paint();
      return;
    }
    st.busy[key] = true;
    paint();
    try {
      const saved = await apiSend('PATCH', `/api/teams/${enc(tm.id)}`, { version: d.base.version, ...changes });
      upsert(st.teams, saved);
      delete st.teamDrafts[tm.id];
      st.teamFb[tm.id] = { kind: 'saved' };
    } catch (err) {
      st.teamFb[tm.id] = failure(err, ctx);
    } finally {
      delete st.busy[key];
    }
    if (!ctx.signal.aborted) paint();
  }

  async function saveAgent(a) {
    const d = agentDraftOf(a);
    const key = `agent:${a.id}`;
    if (st.busy[key]) return;
    const { changes, problems } = agentChanges(d, { mayChangeRole: ctx.isAdmin && a.id !== ctx.me.user_id });
    if (problems.length) {
      st.agentFb[a.id] = { kind: 'problems', items: problems };
      paint();
      return;
    }
    if (!Object.keys(changes).length) {
      st.agentFb[a.id] = { kind: 'info', text: t('settings.nothingChanged') };
      paint();
      return;
    }
    st.busy[key] = true;
    paint();
    try {
      const saved = await apiSend('PATCH', `/api/agents/${enc(a.id)}`, { version: d.base.version, ...changes });
      upsert(st.agents, saved);
      delete st.agentDrafts[a.id];
      st.agentFb[a.id] = { kind: 'saved' };
    } catch (err) {
      st.agentFb[a.id] = failure(err, ctx);
    } finally {
      delete st.busy[key];
    }
    if (!ctx.signal.aborted) paint();
  }

  async function reloadAll(focus) {
    st.agentDrafts = {};
    st.teamDrafts = {};
    st.agentFb = {};
    st.teamFb = {};
    await load();
    if (focus) focusId(focus);
  }

  async function addTeam() {
    const d = st.newTeam;
    const problems = [];
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(d.id.trim())) problems.push({ loc: ['id'], msg: t('settings.errTeamId') });
    if (!d.name.trim()) problems.push({ loc: ['name'], msg: t('settings.errRequired') });
    if (problems.length) {
      st.newTeamFb = { kind: 'problems', items: problems };
      paint();
      return;
    }
    if (st.busy.newTeam) return;
    st.busy.newTeam = true;
    paint();
    try {
      const saved = await apiSend('POST', '/api/teams', { id: d.id.trim(), name: d.name.trim(), strategy: d.strategy, balance: d.balance });
      upsert(st.teams, saved);
      st.newTeam = blankTeam();
      st.newTeamOpen = false;
      st.newTeamFb = { kind: 'saved', text: t('settings.teamAdded', { name: str(saved.name) }) };
    } catch (err) {
      st.newTeamFb = failure(err, ctx, { create: true });
    } finally {
      delete st.busy.newTeam;
    }
    if (ctx.signal.aborted) return;
    paint();
    if (!st.newTeamOpen) focusId('sf-team-add');
  }

  async function addPerson() {
    const d = st.newPerson;
    const problems = [];
    const email = d.email.trim();
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) problems.push({ loc: ['email'], msg: t('settings.errEmail') });
    if (!d.name.trim()) problems.push({ loc: ['name'], msg: t('settings.errRequired') });
    const capacity = wholeNumber(d.capacity, 0, 200);
    if (capacity === null) problems.push({ loc: ['capacity'], msg: t('settings.errCapacity') });
    const languages = splitList(d.languages).map((x) => x.toLowerCase());
    if (languages.some((x) => !/^[a-z]{2}$/.test(x))) problems.push({ loc: ['languages'], msg: t('settings.errLanguages') });
    if (problems.length) {
      st.newPersonFb = { kind: 'problems', items: problems };
      paint();
      return;
    }
    if (st.busy.newPerson) return;
    st.busy.newPerson = true;
    paint();
    try {
      const body = { email, name: d.name.trim(), role: d.role, capacity, languages, channels: CHANNELS.filter((c) => d.channels.includes(c)) };
      if (d.team) body.team = d.team;
      const saved = await apiSend('POST', '/api/agents', body);
      upsert(st.agents, saved);
      st.newPerson = null;
      st.newPersonOpen = false;
      st.newPersonFb = { kind: 'saved', text: t('settings.personAdded', { name: str(saved.name) }) };
    } catch (err) {
      st.newPersonFb = failure(err, ctx, { create: true });
    } finally {
      delete st.busy.newPerson;
    }
    if (ctx.signal.aborted) return;
    paint();
    if (!st.newPersonOpen) focusId('sf-person-add');
  }

  function teamOptions(current) {
    const options = st.teams.map((tm) => ({ value: tm.id, label: str(tm.name) || tm.id }));
    if (!current) options.unshift({ value: '', label: t('settings.noTeam'), disabled: true });
    else if (!st.teams.some((tm) => tm.id === current)) options.push({ value: current, label: current });
    return options;
  }

  function teamCard(tm) {
    const d = teamDraft(tm);
    const id = `sf-team-${tm.id}`;
    const members = st.agents.filter((a) => a.team === tm.id).length;
    const form = h(
      'form',
      { class: 'sf-card sf-form', 'data-testid': 'team-row', dataset: { id: tm.id }, 'aria-labelledby': `${id}-title`, novalidate: true },
      h(
        'div',
        { class: 'sf-card-head' },
        h('h3', { id: `${id}-title`, class: 'sf-h3', dir: 'auto' }, str(tm.name) || tm.id),
        h('span', { class: 'muted small' }, t('settings.teamMeta', { id: tm.id, n: formatNumber(members) })),
      ),
      feedbackView(st.teamFb[tm.id], { id: `${id}-fb`, labels: agentLabels(), onReload: () => reloadAll(`${id}-name`) }),
      h(
        'div',
        { class: 'sf-grid' },
        field(`${id}-name`, t('settings.teamName'), textInput(`${id}-name`, d.name, (v) => (d.name = v), { maxlength: '100', 'data-testid': 'team-name' })),
        field(`${id}-strategy`, t('settings.strategy'), selectBox(`${id}-strategy`, STRATEGIES.map((v) => ({ value: v, label: tOr('settings.strategy', v) })), d.strategy, (v) => (d.strategy = v), { 'data-testid': 'team-strategy' })),
        field(`${id}-balance`, t('settings.balance'), selectBox(`${id}-balance`, BALANCES.map((v) => ({ value: v, label: tOr('settings.balance', v) })), d.balance, (v) => (d.balance = v)), t('settings.balanceHint')),
      ),
      h('div', { class: 'sf-buttons' }, button(`${id}-save`, st.busy[`team:${tm.id}`] ? t('settings.saving') : t('settings.save'), null, { kind: 'btn-primary btn-sm', type: 'submit', testid: 'team-save', busy: st.busy[`team:${tm.id}`] })),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      saveTeam(tm);
    });
    return h('li', null, form);
  }

  function agentCard(a) {
    const d = agentDraftOf(a);
    const id = `sf-agent-${a.id}`;
    const mayChangeRole = ctx.isAdmin && a.id !== ctx.me.user_id;
    const form = h(
      'form',
      { class: 'sf-card sf-form', 'data-testid': 'agent-row', dataset: { id: a.id, email: str(a.email) }, 'aria-labelledby': `${id}-title`, novalidate: true },
      h(
        'div',
        { class: 'sf-card-head' },
        h('span', { class: 'avatar', 'aria-hidden': 'true' }, Array.from(str(a.name).trim())[0] || '?'),
        h('div', { class: 'sf-card-who' }, h('h3', { id: `${id}-title`, class: 'sf-h3', dir: 'auto' }, str(a.name)), h('p', { class: 'muted small' }, str(a.email))),
        mayChangeRole ? null : h('span', { class: 'chip chip-role' }, tOr('role', a.role)),
        h(
          'span',
          { class: ['sf-presence', a.online ? 'is-online' : 'is-offline'], 'data-testid': 'agent-online' },
          h('span', { class: 'sf-dot', 'aria-hidden': 'true' }),
          a.online ? t('settings.online') : t('settings.offline'),
        ),
        loadMeter(a.active_count, a.capacity),
      ),
      feedbackView(st.agentFb[a.id], {
        id: `${id}-fb`,
        labels: agentLabels(),
        onReload: async () => {
          const fb = st.agentFb[a.id];
          if (fb && fb.current && fb.current.id === a.id) {
            upsert(st.agents, fb.current);
            delete st.agentDrafts[a.id];
            st.agentFb[a.id] = { kind: 'reloaded' };
            paint();
            focusId(`${id}-capacity`);
          } else {
            await reloadAll(`${id}-capacity`);
          }
        },
      }),
      h(
        'div',
        { class: 'sf-grid' },
        mayChangeRole
          ? field(`${id}-role`, t('settings.role'), selectBox(`${id}-role`, ROLES.map((r) => ({ value: r, label: tOr('role', r) })), d.role, (v) => (d.role = v), { 'data-testid': 'agent-role' }))
          : null,
        field(`${id}-team`, t('metaTeam'), selectBox(`${id}-team`, teamOptions(d.team), d.team, (v) => (d.team = v), { 'data-testid': 'agent-team' })),
        field(
          `${id}-capacity`,
          t('settings.capacity'),
          textInput(`${id}-capacity`, d.capacity, (v) => (d.capacity = v), { type: 'number', min: '0', max: '200', step: '1', inputmode: 'numeric', 'data-testid': 'agent-capacity', ...invalid(st.agentFb[a.id], 'capacity', `${id}-fb`) }),
          t('settings.capacityHint'),
        ),
        field(`${id}-languages`, t('settings.languages'), textInput(`${id}-languages`, d.languages, (v) => (d.languages = v), { 'data-testid': 'agent-languages', ...invalid(st.agentFb[a.id], 'languages', `${id}-fb`) }), t('settings.languagesHint')),
        field(`${id}-tags`, t('settings.productTags'), textInput(`${id}-tags`, d.product_tags, (v) => (d.product_tags = v), { 'data-testid': 'agent-tags' }), t('settings.listHint')),
      ),
      checkGroup(`${id}-channels`, t('settings.channels'), CHANNELS.map((c) => ({ value: c, label: tOr('channel', c) })), d.channels, (next) => (d.channels = next)),
      h('div', { class: 'sf-buttons' }, button(`${id}-save`, st.busy[`agent:${a.id}`] ? t('settings.saving') : t('settings.save'), null, { kind: 'btn-primary btn-sm', type: 'submit', testid: 'agent-save', busy: st.busy[`agent:${a.id}`] })),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      saveAgent(a);
    });
    return h('li', null, form);
  }

  function newTeamForm() {
    const d = st.newTeam;
    const fb = st.newTeamFb;
    const form = h(
      'form',
      { class: 'sf-card sf-form sf-new', 'data-testid': 'team-new-form', 'aria-labelledby': 'sf-team-new-title', novalidate: true },
      h('h3', { id: 'sf-team-new-title', class: 'sf-h3' }, t('settings.teamAdd')),
      feedbackView(fb, { id: 'sf-team-new-fb', labels: agentLabels() }),
      h(
        'div',
        { class: 'sf-grid' },
        field('sf-team-new-id', t('settings.teamId'), textInput('sf-team-new-id', d.id, (v) => (d.id = v), { maxlength: '64', pattern: '[A-Za-z0-9_-]+', ...invalid(fb, 'id', 'sf-team-new-fb') }), t('settings.teamIdHint')),
        field('sf-team-new-name', t('settings.teamName'), textInput('sf-team-new-name', d.name, (v) => (d.name = v), { maxlength: '100', ...invalid(fb, 'name', 'sf-team-new-fb') })),
        field('sf-team-new-strategy', t('settings.strategy'), selectBox('sf-team-new-strategy', STRATEGIES.map((v) => ({ value: v, label: tOr('settings.strategy', v) })), d.strategy, (v) => (d.strategy = v))),
        field('sf-team-new-balance', t('settings.balance'), selectBox('sf-team-new-balance', BALANCES.map((v) => ({ value: v, label: tOr('settings.balance', v) })), d.balance, (v) => (d.balance = v))),
      ),
      h(
        'div',
        { class: 'sf-buttons' },
        button('sf-team-new-save', t('settings.teamAddSave'), null, { kind: 'btn-primary btn-sm', type: 'submit', busy: st.busy.newTeam }),
        button('sf-team-new-cancel', t('settings.cancel'), () => {
          st.newTeamOpen = false;
          st.newTeamFb = null;
          paint();
          focusId('sf-team-add');
        }, { kind: 'btn-sm btn-quiet' }),
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      addTeam();
    });
    return form;
  }

  function newPersonForm() {
    const d = (st.newPerson ||= blankPerson(st.teams[0] && st.teams[0].id));
    const fb = st.newPersonFb;
    const form = h(
      'form',
      { class: 'sf-card sf-form sf-new', 'data-testid': 'person-new-form', 'aria-labelledby': 'sf-person-new-title', novalidate: true },
      h('h3', { id: 'sf-person-new-title', class: 'sf-h3' }, t('settings.personAdd')),
      feedbackView(fb, { id: 'sf-person-new-fb', labels: agentLabels() }),
      h(
        'div',
        { class: 'sf-grid' },
        field('sf-person-email', t('emailLabel'), textInput('sf-person-email', d.email, (v) => (d.email = v), { type: 'email', maxlength: '254', ...invalid(fb, 'email', 'sf-person-new-fb') })),
        field('sf-person-name', t('settings.personName'), textInput('sf-person-name', d.name, (v) => (d.name = v), { maxlength: '100', ...invalid(fb, 'name', 'sf-person-new-fb') })),
        field('sf-person-role', t('settings.role'), selectBox('sf-person-role', ROLES.map((r) => ({ value: r, label: tOr('role', r) })), d.role, (v) => (d.role = v))),
        field('sf-person-team', t('metaTeam'), selectBox('sf-person-team', teamOptions(d.team), d.team, (v) => (d.team = v))),
        field('sf-person-capacity', t('settings.capacity'), textInput('sf-person-capacity', d.capacity, (v) => (d.capacity = v), { type: 'number', min: '0', max: '200', step: '1', inputmode: 'numeric' })),
        field('sf-person-languages', t('settings.languages'), textInput('sf-person-languages', d.languages, (v) => (d.languages = v)), t('settings.languagesHint')),
      ),
      checkGroup('sf-person-channels', t('settings.channels'), CHANNELS.map((c) => ({ value: c, label: tOr('channel', c) })), d.channels, (next) => (d.channels = next)),
      h('p', { class: 'sf-hint' }, t('settings.personAddHint')),
      h(
        'div',
        { class: 'sf-buttons' },
        button('sf-person-save', t('settings.personAddSave'), null, { kind: 'btn-primary btn-sm', type: 'submit', busy: st.busy.newPerson }),
        button('sf-person-cancel', t('settings.cancel'), () => {
          st.newPersonOpen = false;
          st.newPersonFb = null;
          paint();
          focusId('sf-person-add');
        }, { kind: 'btn-sm btn-quiet' }),
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      addPerson();
    });
    return form;
  }

  function view() {
    if (st.teams === null || st.agents === null) return st.loadFailed ? loadFailedView('sf-teams-retry', () => reloadAll()) : loadingView();
    const teams = [...st.teams].sort((a, b) => str(a.name).localeCompare(str(b.name)));
    const agents = [...st.agents].sort((a, b) => str(a.team).localeCompare(str(b.team)) || str(a.name).localeCompare(str(b.name)));
    return [
      h(
        'section',
        { class: 'sf-section', 'aria-labelledby': 'sf-teams-title' },
        h(
          'div',
          { class: 'sf-pane-head' },
          h('h2', { id: 'sf-teams-title', class: 'sf-h2' }, t('settings.teams'), h('span', { class: 'count' }, formatNumber(teams.length))),
          ctx.isAdmin && !st.newTeamOpen
            ? button('sf-team-add', t('settings.teamAdd'), () => {
                st.newTeamOpen = true;
                st.newTeamFb = null;
                paint();
                focusId('sf-team-new-id');
              }, { kind: 'btn-sm', testid: 'team-add' })
            : null,
        ),
        st.newTeamOpen ? newTeamForm() : feedbackView(st.newTeamFb, { id: 'sf-team-new-fb' }),
        h('ul', { class: 'sf-cards' }, teams.map(teamCard)),
      ),
      h(
        'section',
        { class: 'sf-section', 'aria-labelledby': 'sf-agents-title' },
        h(
          'div',
          { class: 'sf-pane-head' },
          h('h2', { id: 'sf-agents-title', class: 'sf-h2' }, t('settings.people'), h('span', { class: 'count' }, formatNumber(agents.length))),
          ctx.isAdmin && !st.newPersonOpen
            ? button('sf-person-add', t('settings.personAdd'), () => {
                st.newPersonOpen = true;
                st.newPersonFb = null;
                paint();
                focusId('sf-person-email');
              }, { kind: 'btn-sm', testid: 'person-add' })
            : null,
        ),
        ctx.isAdmin ? null : h('p', { class: 'sf-hint' }, t('settings.rolesAdminOnly')),
        st.newPersonOpen ? newPersonForm() : feedbackView(st.newPersonFb, { id: 'sf-person-new-fb' }),
        h('ul', { class: 'sf-cards' }, agents.map(agentCard)),
      ),
    ];
  }

  paint();
  load();
  return { el: root };
}

// ------------------------------------------------------------ 3. calendars and holidays

function intervalsDraft(list) {
  return (Array.isArray(list) ? list.filter(isObject) : []).map((i) => ({ start: str(i.start), end: str(i.end) }));
}

function calendarDraft(team) {
  const cal = isObject(team.calendar) ? team.calendar : {};
  const hours = isObject(cal.hours) ? cal.hours : {};
  const openDays = isObject(cal.open_days) ? cal.open_days : {};
  return {
    base: team,
    timezone: str(cal.timezone) || 'Asia/Tokyo',
    hours: [0, 1, 2, 3, 4, 5, 6].map((day) => intervalsDraft(hours[day] ?? hours[String(day)])),
    japanese_holidays: cal.japanese_holidays !== false,
    closed_days: (Array.isArray(cal.closed_days) ? cal.closed_days.map(str) : []).sort(),
    open_days: Object.keys(openDays)
      .sort()
      .map((date) => ({ date, intervals: intervalsDraft(openDays[date]) })),
    newClosed: '',
    newOpen: '',
  };
}

function buildCalendar(d) {
  const problems = [];
  const checkIntervals = (list, where) => {
    list.forEach((iv, i) => {
      if (!TIME_RE.test(iv.start.trim()) || !TIME_RE.test(iv.end.trim())) {
        problems.push({ loc: ['calendar', where], msg: t('settings.errTime', { n: i + 1 }) });
      }
    });
    return list.map((iv) => ({ start: iv.start.trim(), end: iv.end.trim() }));
  };
  const timezone = d.timezone.trim();
  if (!timezone) problems.push({ loc: ['calendar', t('settings.timezone')], msg: t('settings.errRequired') });
  const hours = {};
  d.hours.forEach((list, day) => {
    const checked = checkIntervals(list, t(`settings.weekday.${day}`));
    if (checked.length) hours[String(day)] = checked;
  });
  const openDays = {};
  for (const od of d.open_days) {
    if (!od.intervals.length) problems.push({ loc: ['calendar', formatDay(od.date)], msg: t('settings.errOpenDayEmpty') });
    openDays[od.date] = checkIntervals(od.intervals, formatDay(od.date));
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: { timezone, hours, japanese_holidays: d.japanese_holidays, closed_days: [...d.closed_days], open_days: openDays } };
}

let timeZones = null;
function timeZoneList() {
  if (!timeZones) {
    try {
      timeZones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    } catch {
      timeZones = [];
    }
    if (!timeZones.includes('Asia/Tokyo')) timeZones = ['Asia/Tokyo', 'UTC', ...timeZones];
  }
  return timeZones;
}

function intervalsEditor(list, id, label, paint) {
  return h(
    'div',
    { class: 'sf-intervals' },
    list.length
      ? h(
          'ul',
          { class: 'sf-interval-list' },
          list.map((iv, i) => {
            const n = i + 1;
            return h(
              'li',
              { class: 'sf-interval' },
              textInput(`${id}-${i}-start`, iv.start, (v) => (iv.start = v), {
                class: 'input sf-time',
                inputmode: 'numeric',
                maxlength: '5',
                placeholder: '09:00',
                'aria-label': t('settings.intervalStart', { day: label, n }),
                'aria-invalid': iv.start && !TIME_RE.test(iv.start.trim()) ? 'true' : null,
              }),
              h('span', { 'aria-hidden': 'true' }, '–'),
              textInput(`${id}-${i}-end`, iv.end, (v) => (iv.end = v), {
                class: 'input sf-time',
                inputmode: 'numeric',
                maxlength: '5',
                placeholder: '18:00',
                'aria-label': t('settings.intervalEnd', { day: label, n }),
                'aria-invalid': iv.end && !TIME_RE.test(iv.end.trim()) ? 'true' : null,
              }),
              button(`${id}-${i}-remove`, '×', () => {
                list.splice(i, 1);
                paint();
                focusId(list.length ? `${id}-${Math.min(i, list.length - 1)}-start` : `${id}-add`);
              }, { kind: 'btn-sm btn-quiet', props: { 'aria-label': t('settings.intervalRemove', { day: label, n }), title: t('settings.remove') } }),
            );
          }),
        )
      : h('span', { class: 'muted sf-closed' }, t('settings.closedAllDay')),
    button(`${id}-add`, t('settings.intervalAdd'), () => {
      const last = list[list.length - 1];
      list.push(last ? { start: last.end === '24:00' ? '00:00' : last.end, end: '24:00' } : { start: '09:00', end: '18:00' });
      paint();
      focusId(`${id}-${list.length - 1}-start`);
    }, { kind: 'btn-sm btn-quiet', props: { 'aria-label': t('settings.intervalAddOn', { day: label }) } }),
  );
}

function calendarsScreen(ctx) {
  const st = stateOf('calendars', () => ({ teams: null, loadFailed: false, selected: null, drafts: {}, fb: {}, busy: false, confirmReset: false }));
  st.confirmReset = false;
  const root = h('div', { class: 'sf-screen', 'data-testid': 'settings-calendars' });
  const paint = () => swap(root, view());

  async function load() {
    st.loadFailed = false;
    try {
      const teams = itemsOf(await apiGet('/api/teams', { signal: ctx.signal }));
      if (ctx.signal.aborted) return;
      st.teams = teams;
      for (const tm of teams) {
        const d = st.drafts[tm.id];
        if (d && d.base.version !== tm.version && JSON.stringify(buildCalendar(d)) === JSON.stringify(buildCalendar(calendarDraft(d.base)))) delete st.drafts[tm.id];
      }
      if (!teams.some((tm) => tm.id === st.selected)) st.selected = teams.length ? teams[0].id : null;
    } catch (err) {
      if (ctx.signal.aborted) return;
      st.loadFailed = true;
      ctx.onError(err);
    }
    paint();
  }

  async function put(team, calendar) {
    if (st.busy) return;
    st.busy = true;
    st.fb[team.id] = null;
    paint();
    try {
      const saved = await apiSend('PUT', `/api/teams/${enc(team.id)}/calendar`, { version: st.drafts[team.id] ? st.drafts[team.id].base.version : team.version, calendar });
      upsert(st.teams, saved);
      st.drafts[team.id] = calendarDraft(saved);
      st.fb[team.id] = { kind: 'saved', text: calendar === null ? t('settings.calendarResetDone') : t('settings.saved') };
    } catch (err) {
      st.fb[team.id] = failure(err, ctx);
    } finally {
      st.busy = false;
      st.confirmReset = false;
    }
    if (!ctx.signal.aborted) paint();
  }

  async function reload(team) {
    delete st.drafts[team.id];
    st.fb[team.id] = null;
    await load();
    st.fb[team.id] = { kind: 'reloaded' };
    paint();
    focusId('sf-cal-tz');
  }

  function editor(team) {
    const d = (st.drafts[team.id] ||= calendarDraft(team));
    const fb = st.fb[team.id];
    const form = h(
      'form',
      { class: 'sf-form sf-calendar', 'data-testid': 'calendar-editor', dataset: { team: team.id }, 'aria-labelledby': 'sf-cal-title', novalidate: true },
      h(
        'div',
        { class: 'sf-pane-head' },
        h('h2', { id: 'sf-cal-title', class: 'sf-h2', dir: 'auto' }, t('settings.calendarOf', { team: str(team.name) || team.id })),
        team.calendar_is_default ? h('span', { class: 'chip chip-quiet', 'data-testid': 'calendar-default' }, t('settings.calendarDefault')) : null,
        h('span', { class: 'muted small' }, t('settings.versionN', { n: d.base.version })),
      ),
      feedbackView(fb, { id: 'sf-cal-fb', labels: { calendar: t('settings.calendar'), version: t('settings.version') }, onReload: () => reload(team) }),
      h(
        'div',
        { class: 'sf-grid' },
        field('sf-cal-tz', t('settings.timezone'), textInput('sf-cal-tz', d.timezone, (v) => (d.timezone = v), { list: 'sf-tz-list', spellcheck: 'false', 'data-testid': 'calendar-timezone' }), t('settings.timezoneHint')),
        h('datalist', { id: 'sf-tz-list' }, timeZoneList().map((z) => h('option', { value: z }))),
      ),
      h(
        'fieldset',
        { class: 'sf-group' },
        h('legend', { class: 'sf-legend' }, t('settings.weeklyHours')),
        h(
          'ul',
          { class: 'sf-week' },
          d.hours.map((list, day) => {
            const label = t(`settings.weekday.${day}`);
            return h('li', { class: 'sf-day', 'data-testid': 'calendar-day', dataset: { day } }, h('span', { class: 'sf-day-name' }, label), intervalsEditor(list, `sf-cal-day-${day}`, label, paint));
          }),
        ),
        h('p', { class: 'sf-hint' }, t('settings.weeklyHoursHint')),
      ),
      checkBox('sf-cal-holidays', t('settings.japaneseHolidays'), d.japanese_holidays, (v) => (d.japanese_holidays = v), { 'data-testid': 'calendar-holidays' }),
      h(
        'fieldset',
        { class: 'sf-group' },
        h('legend', { class: 'sf-legend' }, t('settings.closedDays')),
        d.closed_days.length
          ? h(
              'ul',
              { class: 'sf-chips' },
              d.closed_days.map((day, i) =>
                h(
                  'li',
                  { class: 'chip chip-quiet sf-day-chip' },
                  h('time', { datetime: day }, formatDay(day)),
                  button(`sf-cal-closed-${i}-remove`, '×', () => {
                    d.closed_days.splice(i, 1);
                    paint();
                    focusId('sf-cal-closed-new');
                  }, { kind: 'sf-chip-x', props: { 'aria-label': t('settings.removeDay', { day: formatDay(day) }) } }),
                ),
              ),
            )
          : h('p', { class: 'sf-hint' }, t('settings.noClosedDays')),
        h(
          'div',
          { class: 'sf-inline' },
          h('label', { for: 'sf-cal-closed-new', class: 'sr-only' }, t('settings.closedDayNew')),
          textInput('sf-cal-closed-new', d.newClosed, (v) => (d.newClosed = v), { type: 'date', class: 'input sf-date' }),
          button('sf-cal-closed-add', t('settings.addDay'), () => {
            const day = d.newClosed.trim();
            if (!DATE_RE.test(day)) return;
            d.closed_days = unique([...d.closed_days, day]).sort();
            d.newClosed = '';
            paint();
          }, { kind: 'btn-sm' }),
        ),
      ),
      h(
        'fieldset',
        { class: 'sf-group' },
        h('legend', { class: 'sf-legend' }, t('settings.openDays')),
        h('p', { class: 'sf-hint' }, t('settings.openDaysHint')),
        d.open_days.length
          ? h(
              'ul',
              { class: 'sf-week' },
              d.open_days.map((od, i) => {
                const label = formatDay(od.date);
                return h(
                  'li',
                  { class: 'sf-day' },
                  h('span', { class: 'sf-day-name' }, h('time', { datetime: od.date }, label)),
                  intervalsEditor(od.intervals, `sf-cal-open-${i}`, label, paint),
                  button(`sf-cal-open-${i}-remove`, t('settings.remove'), () => {
                    d.open_days.splice(i, 1);
                    paint();
                    focusId('sf-cal-open-new');
                  }, { kind: 'btn-sm btn-quiet', props: { 'aria-label': t('settings.removeDay', { day: label }) } }),
                );
              }),
            )
          : null,
        h(
          'div',
          { class: 'sf-inline' },
          h('label', { for: 'sf-cal-open-new', class: 'sr-only' }, t('settings.openDayNew')),
          textInput('sf-cal-open-new', d.newOpen, (v) => (d.newOpen = v), { type: 'date', class: 'input sf-date' }),
          button('sf-cal-open-add', t('settings.addDay'), () => {
            const day = d.newOpen.trim();
            if (!DATE_RE.test(day) || d.open_days.some((od) => od.date === day)) return;
            d.open_days = [...d.open_days, { date: day, intervals: [{ start: '09:00', end: '18:00' }] }].sort((a, b) => a.date.localeCompare(b.date));
            d.closed_days = d.closed_days.filter((x) => x !== day);
            d.newOpen = '';
            paint();
          }, { kind: 'btn-sm' }),
        ),
      ),
      h(
        'div',
        { class: 'sf-buttons' },
        button('sf-cal-save', st.busy ? t('settings.saving') : t('settings.save'), null, { kind: 'btn-primary', type: 'submit', testid: 'calendar-save', busy: st.busy }),
        h('span', { class: 'sf-spacer' }),
        team.calendar_is_default
          ? null
          : button('sf-cal-reset', t('settings.calendarReset'), () => {
              st.confirmReset = true;
              paint();
              focusId('sf-cal-reset-yes');
            }, { kind: 'btn-quiet', testid: 'calendar-reset' }),
      ),
      st.confirmReset
        ? h(
            'div',
            { class: 'sf-confirm', role: 'group', 'aria-labelledby': 'sf-cal-reset-q' },
            h('p', { id: 'sf-cal-reset-q' }, t('settings.calendarResetQ')),
            button('sf-cal-reset-yes', t('settings.calendarReset'), () => put(team, null), { kind: 'btn-sm btn-danger', busy: st.busy }),
            button('sf-cal-reset-no', t('settings.keep'), () => {
              st.confirmReset = false;
              paint();
              focusId('sf-cal-reset');
            }, { kind: 'btn-sm' }),
          )
        : null,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const built = buildCalendar(d);
      if (!built.ok) {
        st.fb[team.id] = { kind: 'problems', items: built.problems };
        paint();
        return;
      }
      put(team, built.value);
    });
    return form;
  }

  function view() {
    if (st.teams === null) return st.loadFailed ? loadFailedView('sf-cal-retry', load) : loadingView();
    if (!st.teams.length) return h('p', { class: 'muted' }, t('settings.noTeams'));
    const team = st.teams.find((tm) => tm.id === st.selected) || st.teams[0];
    return [
      st.teams.length > 1
        ? h(
            'div',
            { class: 'sf-inline sf-team-pick' },
            field('sf-cal-team', t('metaTeam'), selectBox('sf-cal-team', st.teams.map((tm) => ({ value: tm.id, label: str(tm.name) || tm.id })), team.id, (v) => {
              st.selected = v;
              st.confirmReset = false;
              paint();
            }, { 'data-testid': 'calendar-team' })),
          )
        : null,
      editor(team),
    ];
  }

  paint();
  load();
  return { el: root };
}

// ------------------------------------------------------------ 4. SLA policies

function percentList(values) {
  return Array.isArray(values) ? values.map((v) => formatNumber(Math.round(Number(v) * 1000) / 10, { useGrouping: false })).join(', ') : '';
}

function slaDraft(p) {
  const tg = p && isObject(p.targets) ? p.targets : {};
  const num = (v) => (Number.isInteger(v) ? String(v) : '');
  return {
    id: p ? p.id : null,
    version: p ? p.version : null,
    name: str(p && p.name),
    order: String(p && Number.isInteger(p.order) ? p.order : 100),
    enabled: p ? p.enabled !== false : true,
    first: num(tg.first_response_minutes),
    next: num(tg.next_response_minutes),
    resolution: num(tg.resolution_minutes),
    reminders: p ? percentList(tg.reminders || []) : '50, 80',
    escalation: p ? joinList((tg.escalation_minutes || []).map(String)) : '0',
    cond: condState(p ? p.condition : null),
  };
}

function buildSla(d) {
  const problems = [];
  const name = d.name.trim();
  if (!name) problems.push({ loc: ['name'], msg: t('settings.errRequired') });
  const order = wholeNumber(d.order, 0, 1_000_000);
  if (order === null) problems.push({ loc: ['order'], msg: t('settings.errOrder') });
  const target = (text, key) => {
    if (!str(text).trim()) return null;
    const n = wholeNumber(text, 1, 60 * 24 * 365);
    if (n === null) problems.push({ loc: ['targets', key], msg: t('settings.errMinutes') });
    return n;
  };
  const targets = {
    first_response_minutes: target(d.first, 'first_response_minutes'),
    next_response_minutes: target(d.next, 'next_response_minutes'),
    resolution_minutes: target(d.resolution, 'resolution_minutes'),
  };
  if (!str(d.first).trim() && !str(d.next).trim() && !str(d.resolution).trim()) problems.push({ loc: ['targets'], msg: t('settings.errTargetNeeded') });
  const reminders = splitList(d.reminders).map((x) => Number(x.replace('%', '')));
  if (reminders.some((x) => !Number.isFinite(x) || x <= 0 || x >= 100)) problems.push({ loc: ['targets', 'reminders'], msg: t('settings.errReminders') });
  const escalation = splitList(d.escalation).map((x) => wholeNumber(x, 0, 60 * 24 * 365));
  if (escalation.some((x) => x === null)) problems.push({ loc: ['targets', 'escalation_minutes'], msg: t('settings.errEscalation') });
  const cond = conditionValue(d.cond);
  if (!cond.ok) problems.push({ loc: ['condition'], msg: cond.error });
  if (problems.length) return { ok: false, problems };
  targets.reminders = reminders.map((x) => Math.round(x * 10) / 1000);
  targets.escalation_minutes = escalation;
  return { ok: true, value: { name, order, enabled: d.enabled, condition: cond.value, targets } };
}

function slaLabels() {
  return {
    name: t('settings.name'),
    order: t('settings.order'),
    enabled: t('settings.enabled'),
    condition: t('settings.condition'),
    targets: t('settings.targets'),
    first_response_minutes: t('metric.first_response'),
    version: t('settings.version'),
  };
}

function minutesText(m) {
  if (!Number.isInteger(m)) return '—';
  if (m % 1440 === 0) return t('durDays', { n: m / 1440 });
  if (m >= 60) return t('durHours', { h: Math.floor(m / 60), m: m % 60 });
  return t('durMinutes', { n: m });
}

function slaScreen(ctx) {
  return documentScreen(ctx, {
    key: 'sla',
    section: 'sla',
    prefix: 'sla',
    path: '/api/sla-policies',
    s: {
      list: t('settings.slaList'),
      new: t('settings.slaNew'),
      edit: t('settings.slaEdit'),
      empty: t('settings.slaEmpty'),
      choose: t('settings.slaChoose'),
    },
    blank: () => slaDraft(null),
    draftOf: slaDraft,
    build: buildSla,
    labels: slaLabels,
    groups: (items) => [{ title: null, items: [...items].sort((a, b) => (a.order ?? 0) - (b.order ?? 0) || str(a.id).localeCompare(str(b.id))) }],
    rowMeta(p) {
      const tg = isObject(p.targets) ? p.targets : {};
      const parts = [
        ['first_response', tg.first_response_minutes],
        ['next_response', tg.next_response_minutes],
        ['resolution', tg.resolution_minutes],
      ]
        .filter(([, m]) => Number.isInteger(m))
        .map(([k, m]) => `${t(`metric.${k}`)} ${minutesText(m)}`);
      return [t('settings.orderN', { n: p.order }), p.enabled === false ? [' · ', t('settings.off')] : null, ' · ', summarizeCondition(p.condition), h('br'), parts.join(' · ')];
    },
    fields(d, api) {
      const { st, paint, fbId } = api;
      const fb = st.fb;
      const minutes = (key, label, value, set) =>
        field(`sf-sla-${key}`, label, textInput(`sf-sla-${key}`, value, set, { type: 'number', min: '1', step: '1', inputmode: 'numeric', 'data-testid': `sla-${key}` }), t('settings.minutesHint'));
      return [
        h(
          'div',
          { class: 'sf-grid' },
          field('sf-sla-name', t('settings.name'), textInput('sf-sla-name', d.name, (v) => (d.name = v), { maxlength: '100', 'data-testid': 'sla-name', ...invalid(fb, 'name', fbId) })),
          field('sf-sla-order', t('settings.order'), textInput('sf-sla-order', d.order, (v) => (d.order = v), { type: 'number', min: '0', max: '1000000', step: '1', inputmode: 'numeric', ...invalid(fb, 'order', fbId) }), t('settings.slaOrderHint')),
        ),
        checkBox('sf-sla-enabled', t('settings.enabled'), d.enabled, (v) => (d.enabled = v)),
        h(
          'fieldset',
          { class: ['sf-group', invalid(fb, 'targets', fbId)['aria-invalid'] && 'is-invalid'] },
          h('legend', { class: 'sf-legend' }, t('settings.targets')),
          h(
            'div',
            { class: 'sf-grid' },
            minutes('first', t('metric.first_response'), d.first, (v) => (d.first = v)),
            minutes('next', t('metric.next_response'), d.next, (v) => (d.next = v)),
            minutes('resolution', t('metric.resolution'), d.resolution, (v) => (d.resolution = v)),
          ),
          h(
            'div',
            { class: 'sf-grid' },
            field('sf-sla-reminders', t('settings.reminders'), textInput('sf-sla-reminders', d.reminders, (v) => (d.reminders = v)), t('settings.remindersHint')),
            field('sf-sla-escalation', t('settings.escalation'), textInput('sf-sla-escalation', d.escalation, (v) => (d.escalation = v)), t('settings.escalationHint')),
          ),
          h('p', { class: 'sf-hint' }, t('settings.businessMinutes')),
        ),
        conditionEditor(d.cond, 'sf-sla-cond', paint, { allowNone: true, bad: invalid(fb, 'condition', fbId)['aria-invalid'] }),
      ];
    },
  });
}

// ------------------------------------------------------------ 5. templates

function templateDraft(tp) {
  const bodies = tp && isObject(tp.bodies) ? tp.bodies : { ja: '', en: '' };
  const langs = Object.keys(bodies).sort((a, b) => (a === 'ja' ? -1 : b === 'ja' ? 1 : a === 'en' ? -1 : b === 'en' ? 1 : a.localeCompare(b)));
  return {
    id: tp ? tp.id : null,
    version: tp ? tp.version : null,
    name: str(tp && tp.name),
    bodies: langs.map((lang) => ({ lang, text: str(bodies[lang]) })),
    intents: tp && Array.isArray(tp.intents) ? [...tp.intents] : [],
    channels: tp && Array.isArray(tp.channels) ? [...tp.channels] : [],
    modes: tp && Array.isArray(tp.modes) ? [...tp.modes] : [],
    tags: joinList(tp && tp.tags),
    brand: str(tp && tp.brand),
    newLang: '',
    lastBody: langs[0] || 'ja',
  };
}

function buildTemplate(d) {
  const problems = [];
  const name = d.name.trim();
  if (!name) problems.push({ loc: ['name'], msg: t('settings.errRequired') });
  const bodies = {};
  for (const b of d.bodies) if (b.text.trim()) bodies[b.lang] = b.text;
  if (!Object.keys(bodies).length) problems.push({ loc: ['bodies'], msg: t('settings.errBodyNeeded') });
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    value: {
      name,
      bodies,
      intents: INTENTS.filter((x) => d.intents.includes(x)),
      channels: CHANNELS.filter((x) => d.channels.includes(x)),
      modes: MODES.filter((x) => d.modes.includes(x)),
      tags: splitList(d.tags),
      brand: d.brand.trim() || null,
    },
  };
}

function templateLabels() {
  return {
    name: t('settings.name'),
    bodies: t('settings.bodies'),
    intents: t('metaIntent'),
    channels: t('settings.channels'),
    modes: t('settings.modes'),
    tags: t('settings.tags'),
    brand: t('settings.brand'),
    version: t('settings.version'),
  };
}

function templatesScreen(ctx) {
  return documentScreen(ctx, {
    key: 'templates',
    section: 'templates',
    prefix: 'tpl',
    path: '/api/templates',
    refs: { channels: '/api/channels' },
    s: {
      list: t('settings.tplList'),
      new: t('settings.tplNew'),
      edit: t('settings.tplEdit'),
      empty: t('settings.tplEmpty'),
      choose: t('settings.tplChoose'),
    },
    blank: () => templateDraft(null),
    draftOf: templateDraft,
    build: buildTemplate,
    labels: templateLabels,
    groups: (items) => [{ title: null, items: [...items].sort((a, b) => str(a.name).localeCompare(str(b.name))) }],
    rowMeta(tp) {
      const langs = isObject(tp.bodies) ? Object.keys(tp.bodies).map((x) => x.toUpperCase()).join(' / ') : '';
      const intents = Array.isArray(tp.intents) && tp.intents.length ? tp.intents.map((x) => tOr('intent', x)).join(', ') : t('settings.anyIntent');
      return [langs, ' · ', intents, tp.brand ? [' · ', str(tp.brand)] : null];
    },
    fields(d, api) {
      const { st, paint, fbId } = api;
      const fb = st.fb;
      const insert = (name) => {
        const body = d.bodies.find((b) => b.lang === d.lastBody) || d.bodies[0];
        if (!body) return;
        const area = document.getElementById(`sf-tpl-body-${body.lang}`);
        if (!area) return;
        area.setRangeText(`{${name}}`, area.selectionStart, area.selectionEnd, 'end');
        body.text = area.value;
        area.focus();
      };
      const bodies = d.bodies.map((b, i) => {
        const id = `sf-tpl-body-${b.lang}`;
        const area = textArea(id, b.text, (v) => (b.text = v), { rows: '5', maxlength: '2000', lang: b.lang, dir: 'auto', 'data-testid': `tpl-body-${b.lang}` });
        area.addEventListener('focus', () => (d.lastBody = b.lang));
        return h(
          'div',
          { class: 'sf-body' },
          field(id, t('settings.bodyIn', { lang: langName(b.lang) }), area),
          d.bodies.length > 1
            ? button(`${id}-remove`, t('settings.remove'), () => {
                d.bodies.splice(i, 1);
                if (d.lastBody === b.lang) d.lastBody = d.bodies[0].lang;
                paint();
                focusId('sf-tpl-lang-new');
              }, { kind: 'btn-sm btn-quiet', props: { 'aria-label': t('settings.removeBody', { lang: langName(b.lang) }) } })
            : null,
        );
      });
      const handles = unique((st.refs.channels || []).map((c) => str(c.handle)).filter(Boolean));
      return [
        field('sf-tpl-name', t('settings.name'), textInput('sf-tpl-name', d.name, (v) => (d.name = v), { maxlength: '100', 'data-testid': 'tpl-name', ...invalid(fb, 'name', fbId) })),
        h(
          'fieldset',
          { class: ['sf-group', invalid(fb, 'bodies', fbId)['aria-invalid'] && 'is-invalid'] },
          h('legend', { class: 'sf-legend' }, t('settings.bodies')),
          h(
            'div',
            { class: 'sf-vars', role: 'group', 'aria-labelledby': 'sf-tpl-vars-label' },
            h('span', { id: 'sf-tpl-vars-label', class: 'sf-hint' }, t('settings.insertVariable')),
            VARIABLES.map((v) =>
              button(`sf-tpl-var-${v}`, `{${v}}`, () => insert(v), {
                kind: 'sf-var',
                testid: 'tpl-var',
                props: { title: t(`settings.var.${v}`), 'aria-label': t('settings.insertVar', { name: `{${v}}`, desc: t(`settings.var.${v}`) }) },
              }),
            ),
          ),
          bodies,
          h(
            'div',
            { class: 'sf-inline' },
            h('label', { for: 'sf-tpl-lang-new', class: 'label' }, t('settings.addLanguage')),
            textInput('sf-tpl-lang-new', d.newLang, (v) => (d.newLang = v), { class: 'input sf-lang', maxlength: '2', placeholder: 'zh', pattern: '[a-z]{2}', spellcheck: 'false' }),
            button('sf-tpl-lang-add', t('settings.add'), () => {
              const lang = d.newLang.trim().toLowerCase();
              if (!/^[a-z]{2}$/.test(lang) || d.bodies.some((b) => b.lang === lang)) return;
              d.bodies.push({ lang, text: '' });
              d.newLang = '';
              d.lastBody = lang;
              paint();
              focusId(`sf-tpl-body-${lang}`);
            }, { kind: 'btn-sm' }),
          ),
          h('p', { class: 'sf-hint' }, t('settings.bodiesHint')),
        ),
        checkGroup('sf-tpl-intents', t('settings.tplIntents'), INTENTS.map((v) => ({ value: v, label: tOr('intent', v) })), d.intents, (next) => (d.intents = next)),
        checkGroup('sf-tpl-channels', t('settings.tplChannels'), CHANNELS.map((v) => ({ value: v, label: tOr('channel', v) })), d.channels, (next) => (d.channels = next)),
        checkGroup('sf-tpl-modes', t('settings.modes'), MODES.map((v) => ({ value: v, label: tOr('settings.mode', v) })), d.modes, (next) => (d.modes = next)),
        h('p', { class: 'sf-hint' }, t('settings.emptyMeansAny')),
        h(
          'div',
          { class: 'sf-grid' },
          field('sf-tpl-tags', t('settings.tags'), textInput('sf-tpl-tags', d.tags, (v) => (d.tags = v)), t('settings.listHint')),
          field('sf-tpl-brand', t('settings.brand'), textInput('sf-tpl-brand', d.brand, (v) => (d.brand = v), { maxlength: '100', list: 'sf-tpl-brands' }), t('settings.brandHint')),
          h('datalist', { id: 'sf-tpl-brands' }, handles.map((x) => h('option', { value: x }))),
        ),
      ];
    },
  });
}

// ------------------------------------------------------------ 6. channels and monitors

function monitorDraft(m) {
  return {
    base: m,
    name: str(m.name),
    query: str(m.query),
    languages: joinList(m.languages),
    interval: String(m.interval_minutes ?? ''),
    budget: str(m.monthly_budget_usd),
    status: m.status === 'paused' ? 'paused' : m.status === 'active' ? 'active' : str(m.status),
  };
}

function monitorChanges(d) {
  const m = d.base;
  const problems = [];
  const changes = {};
  if (!d.name.trim()) problems.push({ loc: ['name'], msg: t('settings.errRequired') });
  else if (d.name.trim() !== m.name) changes.name = d.name.trim();
  if (m.kind === 'search') {
    if (!d.query.trim()) problems.push({ loc: ['query'], msg: t('settings.errRequired') });
    else if (d.query.trim() !== str(m.query)) changes.query = d.query.trim();
  }
  const languages = splitList(d.languages).map((x) => x.toLowerCase());
  if (languages.some((x) => !/^[a-z]{2}$/.test(x))) problems.push({ loc: ['languages'], msg: t('settings.errLanguages') });
  else if (!sameList(languages, m.languages || [])) changes.languages = languages;
  const interval = wholeNumber(d.interval, 1, 1440);
  if (interval === null) problems.push({ loc: ['interval_minutes'], msg: t('settings.errInterval') });
  else if (interval !== m.interval_minutes) changes.interval_minutes = interval;
  const budget = d.budget.trim();
  if (!MONEY_RE.test(budget)) problems.push({ loc: ['monthly_budget_usd'], msg: t('settings.errBudget') });
  else if (Number(budget) !== Number(m.monthly_budget_usd)) changes.monthly_budget_usd = budget;
  if ((d.status === 'active' || d.status === 'paused') && d.status !== m.status) changes.status = d.status;
  return { changes, problems };
}

function channelLabels() {
  return {
    platform: t('settings.platform'),
    account_id: t('settings.accountId'),
    handle: t('settings.handle'),
    team: t('metaTeam'),
    kind: t('settings.monitorKind'),
    name: t('settings.name'),
    query: t('settings.query'),
    languages: t('settings.languages'),
    interval_minutes: t('settings.interval'),
    monthly_budget_usd: t('settings.budget'),
    status: t('metaStatus'),
    version: t('settings.version'),
  };
}

function spendView(m) {
  const spend = Number(m.spend_usd) || 0;
  const budget = Number(m.monthly_budget_usd) || 0;
  const ratio = budget > 0 ? spend / budget : spend > 0 ? 1 : 0;
  const tone = ratio >= 1 ? 'over' : ratio >= 0.8 ? 'warn' : 'ok';
  const max = budget > 0 ? budget : 1;
  return h(
    'div',
    { class: ['sf-spend', `is-${tone}`], 'data-testid': 'monitor-spend', dataset: { tone } },
    h('meter', { class: 'sf-meter', min: '0', max: String(max), value: String(Math.min(spend, max)), 'aria-hidden': 'true' }),
    h(
      'p',
      { class: 'sf-spend-text' },
      t('settings.spendOf', { spend: money(spend), budget: money(budget), pct: formatNumber(ratio, { style: 'percent', maximumFractionDigits: 0 }) }),
      tone === 'ok' ? null : h('strong', { class: 'sf-spend-flag' }, ` ${t(tone === 'over' ? 'settings.spendOver' : 'settings.spendNear')}`),
    ),
    h('p', { class: 'sf-hint' }, t('settings.billableReads', { n: formatNumber(Number(m.billable_reads) || 0), posts: formatNumber(Number(m.posts_found) || 0) })),
  );
}

function blankMonitor(accountId) {
  return { kind: 'mentions', account_id: accountId || '', name: '', query: '', languages: 'ja, en', interval: '5', budget: '10.00' };
}

function channelsScreen(ctx) {
  const st = stateOf('channels', () => ({
    channels: null,
    monitors: null,
    teams: [],
    loadFailed: false,
    chFb: {},
    newCh: { platform: 'x', account_id: '', handle: '', team: '' },
    newChOpen: false,
    newChFb: null,
    monDrafts: {},
    monFb: {},
    newMon: null,
    newMonOpen: false,
    newMonFb: null,
    confirmDelete: null,
    busy: {},
  }));
  st.confirmDelete = null;
  const root = h('div', { class: 'sf-screen', 'data-testid': 'settings-channels' });
  const paint = () => swap(root, view());
  const monDraft = (m) => (st.monDrafts[m.id] ||= monitorDraft(m));

  async function load() {
    st.loadFailed = false;
    try {
      const [channels, monitors, teams] = await Promise.all([
        apiGet('/api/channels', { signal: ctx.signal }),
        apiGet('/api/monitors', { signal: ctx.signal }),
        apiGet('/api/teams', { signal: ctx.signal }),
      ]);
      if (ctx.signal.aborted) return;
      st.channels = itemsOf(channels);
      st.monitors = itemsOf(monitors);
      st.teams = itemsOf(teams);
      for (const m of st.monitors) {
        const d = st.monDrafts[m.id];
        if (d) {
          const { changes, problems } = monitorChanges(d);
          if (!problems.length && !Object.keys(changes).length) delete st.monDrafts[m.id];
          else if (d.base.version === m.version) d.base = m; // fresher spend, same settings
        }
      }
    } catch (err) {
      if (ctx.signal.aborted) return;
      st.loadFailed = true;
      ctx.onError(err);
    }
    paint();
  }

  async function run(key, action) {
    if (st.busy[key]) return;
    st.busy[key] = true;
    paint();
    try {
      await action();
    } finally {
      delete st.busy[key];
    }
    if (!ctx.signal.aborted) paint();
  }

  const chKey = (c) => `${c.platform}:${c.account_id}`;

  function reconnect(c) {
    return run(`ch:${chKey(c)}`, async () => {
      try {
        const saved = await apiSend('POST', '/api/channels/reconnect', { platform: c.platform, account_id: c.account_id });
        const i = st.channels.findIndex((x) => chKey(x) === chKey(c));
        if (i !== -1) st.channels[i] = saved;
        st.chFb[chKey(c)] = { kind: 'saved', text: t('settings.reconnected') };
      } catch (err) {
        const fb = failure(err, ctx);
        st.chFb[chKey(c)] = fb && fb.kind === 'conflict' ? { kind: 'info', text: t('settings.notRevoked') } : fb;
      }
    });
  }

  function registerChannel() {
    const d = st.newCh;
    const problems = [];
    if (!/^[A-Za-z0-9_.:/-]{1,128}$/.test(d.account_id.trim())) problems.push({ loc: ['account_id'], msg: t('settings.errAccountId') });
    if (!d.handle.trim()) problems.push({ loc: ['handle'], msg: t('settings.errRequired') });
    if (problems.length) {
      st.newChFb = { kind: 'problems', items: problems };
      paint();
      return null;
    }
    return run('newCh', async () => {
      try {
        const body = { platform: d.platform, account_id: d.account_id.trim(), handle: d.handle.trim().replace(/^@/, '') };
        if (d.team) body.team = d.team;
        const saved = await apiSend('POST', '/api/channels', body);
        st.channels.push(saved);
        st.newCh = { platform: 'x', account_id: '', handle: '', team: d.team };
        st.newChOpen = false;
        st.newChFb = { kind: 'saved', text: t('settings.channelAdded', { handle: str(saved.handle) }) };
      } catch (err) {
        st.newChFb = failure(err, ctx, { create: true });
      }
    }).then(() => {
      if (!st.newChOpen) focusId('sf-ch-add');
    });
  }

  function saveMonitor(m) {
    const d = monDraft(m);
    const { changes, problems } = monitorChanges(d);
    if (problems.length) {
      st.monFb[m.id] = { kind: 'problems', items: problems };
      paint();
      return null;
    }
    if (!Object.keys(changes).length) {
      st.monFb[m.id] = { kind: 'info', text: t('settings.nothingChanged') };
      paint();
      return null;
    }
    return run(`mon:${m.id}`, async () => {
      try {
        const saved = await apiSend('PATCH', `/api/monitors/${enc(m.id)}`, { version: d.base.version, ...changes });
        upsert(st.monitors, saved);
        delete st.monDrafts[m.id];
        st.monFb[m.id] = { kind: 'saved' };
      } catch (err) {
        st.monFb[m.id] = failure(err, ctx);
      }
    });
  }

  function deleteMonitor(m) {
    const d = monDraft(m);
    return run(`mon:${m.id}`, async () => {
      try {
        await apiSend('DELETE', `/api/monitors/${enc(m.id)}?version=${enc(d.base.version)}`);
        st.monitors = st.monitors.filter((x) => x.id !== m.id);
        delete st.monDrafts[m.id];
        st.newMonFb = { kind: 'info', text: t('settings.deleted', { name: str(m.name) }) };
      } catch (err) {
        st.monFb[m.id] = failure(err, ctx);
      }
      st.confirmDelete = null;
    }).then(() => focusId(st.monitors.some((x) => x.id === m.id) ? `sf-mon-${m.id}-delete` : 'sf-mon-add'));
  }

  async function reloadMonitor(m) {
    const fb = st.monFb[m.id];
    delete st.monDrafts[m.id];
    if (fb && fb.current && fb.current.id === m.id) {
      try {
        upsert(st.monitors, await apiGet(`/api/monitors/${enc(m.id)}`, { signal: ctx.signal }));
      } catch (err) {
        failure(err, ctx);
      }
    } else {
      await load();
    }
    st.monFb[m.id] = { kind: 'reloaded' };
    paint();
    focusId(`sf-mon-${m.id}-name`);
  }

  function createMonitor() {
    const d = st.newMon;
    const problems = [];
    if (!d.account_id) problems.push({ loc: ['account_id'], msg: t('settings.errChoose') });
    if (!d.name.trim()) problems.push({ loc: ['name'], msg: t('settings.errRequired') });
    if (d.kind === 'search' && !d.query.trim()) problems.push({ loc: ['query'], msg: t('settings.errRequired') });
    const languages = splitList(d.languages).map((x) => x.toLowerCase());
    if (languages.some((x) => !/^[a-z]{2}$/.test(x))) problems.push({ loc: ['languages'], msg: t('settings.errLanguages') });
    const interval = wholeNumber(d.interval, 1, 1440);
    if (interval === null) problems.push({ loc: ['interval_minutes'], msg: t('settings.errInterval') });
    if (!MONEY_RE.test(d.budget.trim())) problems.push({ loc: ['monthly_budget_usd'], msg: t('settings.errBudget') });
    if (problems.length) {
      st.newMonFb = { kind: 'problems', items: problems };
      paint();
      return null;
    }
    return run('newMon', async () => {
      try {
        const body = { kind: d.kind, account_id: d.account_id, name: d.name.trim(), languages, interval_minutes: interval, monthly_budget_usd: d.budget.trim() };
        if (d.kind === 'search') body.query = d.query.trim();
        const saved = await apiSend('POST', '/api/monitors', body);
        st.monitors.push(saved);
        st.newMon = null;
        st.newMonOpen = false;
        st.newMonFb = { kind: 'saved', text: t('settings.monitorAdded', { name: str(saved.name) }) };
      } catch (err) {
        st.newMonFb = failure(err, ctx, { create: true });
      }
    }).then(() => {
      if (!st.newMonOpen) focusId('sf-mon-add');
    });
  }

  function teamOptions(current) {
    const options = st.teams.map((tm) => ({ value: tm.id, label: str(tm.name) || tm.id }));
    if (!current) options.unshift({ value: '', label: t('settings.defaultTeam') });
    return options;
  }

  function channelRow(c) {
    const key = chKey(c);
    const id = `sf-ch-${st.channels.indexOf(c)}`;
    const revoked = c.status === 'revoked';
    return h(
      'li',
      { class: 'sf-row', 'data-testid': 'channel-row', dataset: { platform: c.platform, account: c.account_id } },
      h('span', { class: 'chip chip-quiet' }, tOr('channel', c.platform)),
      h('span', { class: 'sf-row-main' }, h('span', { class: 'sf-item-title', dir: 'auto' }, str(c.handle)), h('code', { class: 'sf-id' }, str(c.account_id))),
      h('span', { class: 'muted small' }, t('settings.teamIs', { team: str(c.team) })),
      h('span', { class: ['chip', revoked ? 'chip-sent-negative' : 'chip-sent-positive'] }, tOr('settings.channelStatus', c.status)),
      revoked && c.revoked_at ? h('span', { class: 'muted small' }, t('settings.revokedAt', { time: formatDateTime(c.revoked_at) })) : null,
      ctx.isAdmin && revoked ? button(`${id}-reconnect`, t('settings.reconnect'), () => reconnect(c), { kind: 'btn-sm', testid: 'channel-reconnect', busy: st.busy[`ch:${key}`] }) : null,
      st.chFb[key] ? feedbackView(st.chFb[key], { id: `${id}-fb` }) : null,
    );
  }

  function newChannelForm() {
    const d = st.newCh;
    const fb = st.newChFb;
    const form = h(
      'form',
      { class: 'sf-card sf-form sf-new', 'data-testid': 'channel-new-form', 'aria-labelledby': 'sf-ch-new-title', novalidate: true },
      h('h3', { id: 'sf-ch-new-title', class: 'sf-h3' }, t('settings.channelAdd')),
      feedbackView(fb, { id: 'sf-ch-new-fb', labels: channelLabels() }),
      h(
        'div',
        { class: 'sf-grid' },
        field('sf-ch-platform', t('settings.platform'), selectBox('sf-ch-platform', CHANNELS.map((c) => ({ value: c, label: tOr('channel', c) })), d.platform, (v) => (d.platform = v))),
        field('sf-ch-account', t('settings.accountId'), textInput('sf-ch-account', d.account_id, (v) => (d.account_id = v), { maxlength: '128', spellcheck: 'false', ...invalid(fb, 'account_id', 'sf-ch-new-fb') }), t('settings.accountIdHint')),
        field('sf-ch-handle', t('settings.handle'), textInput('sf-ch-handle', d.handle, (v) => (d.handle = v), { maxlength: '100', ...invalid(fb, 'handle', 'sf-ch-new-fb') })),
        field('sf-ch-team', t('metaTeam'), selectBox('sf-ch-team', teamOptions(d.team), d.team, (v) => (d.team = v))),
      ),
      h(
        'div',
        { class: 'sf-buttons' },
        button('sf-ch-save', t('settings.channelAddSave'), null, { kind: 'btn-primary btn-sm', type: 'submit', busy: st.busy.newCh }),
        button('sf-ch-cancel', t('settings.cancel'), () => {
          st.newChOpen = false;
          st.newChFb = null;
          paint();
          focusId('sf-ch-add');
        }, { kind: 'btn-sm btn-quiet' }),
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      registerChannel();
    });
    return form;
  }

  function monitorCard(m) {
    const id = `sf-mon-${m.id}`;
    const d = ctx.isAdmin ? monDraft(m) : null;
    const fb = st.monFb[m.id];
    const busy = st.busy[`mon:${m.id}`];
    const statusTone = m.status === 'active' ? 'chip-sent-positive' : m.status === 'paused' ? 'chip-quiet' : 'chip-sent-negative';
    const facts = h(
      'dl',
      { class: 'sf-facts' },
      m.kind === 'search' && !ctx.isAdmin ? [h('dt', null, t('settings.query')), h('dd', null, h('code', { dir: 'auto' }, str(m.query)))] : null,
      h('dt', null, t('settings.interval')),
      h('dd', null, t('settings.everyMinutes', { n: formatNumber(Number(m.interval_minutes) || 0) })),
      h('dt', null, t('settings.languages')),
      h('dd', null, (m.languages || []).map(langName).join(', ') || '—'),
      h('dt', null, t('settings.lastRun')),
      h('dd', null, m.last_run_at ? formatDateTime(m.last_run_at) : '—'),
      m.last_error ? [h('dt', null, t('settings.lastError')), h('dd', { class: 'sf-error-text' }, str(m.last_error))] : null,
    );
    let editor = null;
    if (d) {
      const statuses = [
        { value: 'active', label: tOr('settings.monitorStatus', 'active') },
        { value: 'paused', label: tOr('settings.monitorStatus', 'paused') },
      ];
      if (d.status !== 'active' && d.status !== 'paused') statuses.unshift({ value: d.status, label: tOr('settings.monitorStatus', d.status), disabled: true });
      editor = h(
        'div',
        { class: 'sf-monitor-edit' },
        h(
          'div',
          { class: 'sf-grid' },
          field(`${id}-name`, t('settings.name'), textInput(`${id}-name`, d.name, (v) => (d.name = v), { maxlength: '100', ...invalid(fb, 'name', `${id}-fb`) })),
          m.kind === 'search' ? field(`${id}-query`, t('settings.query'), textInput(`${id}-query`, d.query, (v) => (d.query = v), { maxlength: '512', spellcheck: 'false', ...invalid(fb, 'query', `${id}-fb`) }), t('settings.queryHint')) : null,
          field(`${id}-languages`, t('settings.languages'), textInput(`${id}-languages`, d.languages, (v) => (d.languages = v), invalid(fb, 'languages', `${id}-fb`)), t('settings.languagesHint')),
          field(`${id}-interval`, t('settings.intervalMinutes'), textInput(`${id}-interval`, d.interval, (v) => (d.interval = v), { type: 'number', min: '1', max: '1440', step: '1', inputmode: 'numeric', ...invalid(fb, 'interval_minutes', `${id}-fb`) })),
          field(`${id}-budget`, t('settings.budgetUsd'), textInput(`${id}-budget`, d.budget, (v) => (d.budget = v), { inputmode: 'decimal', 'data-testid': 'monitor-budget', ...invalid(fb, 'monthly_budget_usd', `${id}-fb`) }), t('settings.budgetHint')),
          field(`${id}-status`, t('metaStatus'), selectBox(`${id}-status`, statuses, d.status, (v) => (d.status = v), { 'data-testid': 'monitor-status' })),
        ),
        h(
          'div',
          { class: 'sf-buttons' },
          button(`${id}-save`, busy ? t('settings.saving') : t('settings.save'), null, { kind: 'btn-primary btn-sm', type: 'submit', testid: 'monitor-save', busy }),
          h('span', { class: 'sf-spacer' }),
          button(`${id}-delete`, t('settings.delete'), () => {
            st.confirmDelete = m.id;
            paint();
            focusId(`${id}-delete-yes`);
          }, { kind: 'btn-sm btn-danger', testid: 'monitor-delete' }),
        ),
        st.confirmDelete === m.id
          ? h(
              'div',
              { class: 'sf-confirm', role: 'group', 'aria-labelledby': `${id}-delete-q` },
              h('p', { id: `${id}-delete-q` }, t('settings.confirmDelete', { name: str(m.name) })),
              button(`${id}-delete-yes`, t('settings.deleteYes'), () => deleteMonitor(m), { kind: 'btn-sm btn-danger', busy }),
              button(`${id}-delete-no`, t('settings.keep'), () => {
                st.confirmDelete = null;
                paint();
                focusId(`${id}-delete`);
              }, { kind: 'btn-sm' }),
            )
          : null,
      );
    }
    const card = h(
      ctx.isAdmin ? 'form' : 'div',
      { class: 'sf-card sf-form', 'data-testid': 'monitor-row', dataset: { id: m.id }, 'aria-labelledby': `${id}-title`, novalidate: ctx.isAdmin ? true : null },
      h(
        'div',
        { class: 'sf-card-head' },
        h('h3', { id: `${id}-title`, class: 'sf-h3', dir: 'auto' }, str(m.name)),
        h('span', { class: 'chip chip-quiet' }, tOr('settings.monitorKind', m.kind)),
        h('span', { class: ['chip', statusTone], 'data-testid': 'monitor-status-chip' }, tOr('settings.monitorStatus', m.status)),
        m.status_reason ? h('span', { class: 'muted small', dir: 'auto' }, str(m.status_reason)) : null,
      ),
      spendView(m),
      facts,
      feedbackView(fb, { id: `${id}-fb`, labels: channelLabels(), onReload: () => reloadMonitor(m) }),
      editor,
    );
    if (ctx.isAdmin) {
      card.addEventListener('submit', (e) => {
        e.preventDefault();
        saveMonitor(m);
      });
    }
    return h('li', null, card);
  }

  function newMonitorForm(xAccounts) {
    const d = (st.newMon ||= blankMonitor(xAccounts[0] && xAccounts[0].account_id));
    const fb = st.newMonFb;
    const form = h(
      'form',
      { class: 'sf-card sf-form sf-new', 'data-testid': 'monitor-new-form', 'aria-labelledby': 'sf-mon-new-title', novalidate: true },
      h('h3', { id: 'sf-mon-new-title', class: 'sf-h3' }, t('settings.monitorAdd')),
      feedbackView(fb, { id: 'sf-mon-new-fb', labels: channelLabels() }),
      h(
        'div',
        { class: 'sf-grid' },
        field('sf-mon-new-kind', t('settings.monitorKind'), selectBox('sf-mon-new-kind', MONITOR_KINDS.map((k) => ({ value: k, label: tOr('settings.monitorKind', k) })), d.kind, (v) => {
          d.kind = v;
          paint();
        })),
        field('sf-mon-new-account', t('settings.xAccount'), selectBox('sf-mon-new-account', xAccounts.map((c) => ({ value: c.account_id, label: `@${str(c.handle)} (${c.account_id})` })), d.account_id, (v) => (d.account_id = v))),
        field('sf-mon-new-name', t('settings.name'), textInput('sf-mon-new-name', d.name, (v) => (d.name = v), { maxlength: '100', ...invalid(fb, 'name', 'sf-mon-new-fb') })),
        d.kind === 'search' ? field('sf-mon-new-query', t('settings.query'), textInput('sf-mon-new-query', d.query, (v) => (d.query = v), { maxlength: '512', spellcheck: 'false', ...invalid(fb, 'query', 'sf-mon-new-fb') }), t('settings.queryHint')) : null,
        field('sf-mon-new-languages', t('settings.languages'), textInput('sf-mon-new-languages', d.languages, (v) => (d.languages = v)), t('settings.languagesHint')),
        field('sf-mon-new-interval', t('settings.intervalMinutes'), textInput('sf-mon-new-interval', d.interval, (v) => (d.interval = v), { type: 'number', min: '1', max: '1440', step: '1', inputmode: 'numeric' })),
        field('sf-mon-new-budget', t('settings.budgetUsd'), textInput('sf-mon-new-budget', d.budget, (v) => (d.budget = v), { inputmode: 'decimal' }), t('settings.budgetHint')),
      ),
      h(
        'div',
        { class: 'sf-buttons' },
        button('sf-mon-new-save', t('settings.monitorAddSave'), null, { kind: 'btn-primary btn-sm', type: 'submit', busy: st.busy.newMon }),
        button('sf-mon-new-cancel', t('settings.cancel'), () => {
          st.newMonOpen = false;
          st.newMonFb = null;
          paint();
          focusId('sf-mon-add');
        }, { kind: 'btn-sm btn-quiet' }),
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      createMonitor();
    });
    return form;
  }

  function view() {
    if (st.channels === null || st.monitors === null) return st.loadFailed ? loadFailedView('sf-ch-retry', load) : loadingView();
    const xAccounts = st.channels.filter((c) => c.platform === 'x' && c.status === 'active');
    const channels = [...st.channels].sort((a, b) => CHANNELS.indexOf(a.platform) - CHANNELS.indexOf(b.platform) || str(a.handle).localeCompare(str(b.handle)));
    return [
      ctx.isAdmin ? null : h('p', { class: 'sf-note' }, t('settings.channelsAdminOnly')),
      h(
        'section',
        { class: 'sf-section', 'aria-labelledby': 'sf-ch-title' },
        h(
          'div',
          { class: 'sf-pane-head' },
          h('h2', { id: 'sf-ch-title', class: 'sf-h2' }, t('settings.channelAccounts'), h('span', { class: 'count' }, formatNumber(channels.length))),
          ctx.isAdmin && !st.newChOpen
            ? button('sf-ch-add', t('settings.channelAdd'), () => {
                st.newChOpen = true;
                st.newChFb = null;
                paint();
                focusId('sf-ch-platform');
              }, { kind: 'btn-sm', testid: 'channel-add' })
            : null,
        ),
        st.newChOpen ? newChannelForm() : feedbackView(st.newChFb, { id: 'sf-ch-new-fb' }),
        channels.length ? h('ul', { class: 'sf-rows' }, channels.map(channelRow)) : h('p', { class: 'muted' }, t('settings.noChannels')),
      ),
      h(
        'section',
        { class: 'sf-section', 'aria-labelledby': 'sf-mon-title' },
        h(
          'div',
          { class: 'sf-pane-head' },
          h('h2', { id: 'sf-mon-title', class: 'sf-h2' }, t('settings.monitors'), h('span', { class: 'count' }, formatNumber(st.monitors.length))),
          ctx.isAdmin && !st.newMonOpen && xAccounts.length
            ? button('sf-mon-add', t('settings.monitorAdd'), () => {
                st.newMonOpen = true;
                st.newMonFb = null;
                paint();
                focusId('sf-mon-new-kind');
              }, { kind: 'btn-sm', testid: 'monitor-add' })
            : null,
        ),
        h('p', { class: 'sf-hint' }, t('settings.monitorsHint')),
        st.newMonOpen ? newMonitorForm(xAccounts) : feedbackView(st.newMonFb, { id: 'sf-mon-new-fb' }),
        st.monitors.length ? h('ul', { class: 'sf-cards' }, st.monitors.map(monitorCard)) : h('p', { class: 'muted' }, t('settings.noMonitors')),
      ),
    ];
  }

  paint();
  load();
  return { el: root };
}

// ------------------------------------------------------------ 7. reply policy

function replyDraft(p) {
  return {
    base: p,
    assignee_only: p.assignee_only === true,
    require_customer_name: p.require_customer_name !== false,
    require_signature: p.require_signature !== false,
    allowed_symbols: str(p.allowed_symbols),
    emoji: EMOJI.includes(p.emoji) ? p.emoji : 'deny_on_complaint',
    copy_paste_days: String(p.copy_paste_days ?? 7),
    copy_paste_similarity: String(p.copy_paste_similarity ?? 0.9),
    allow_override: p.allow_override !== false,
  };
}

function buildReplyPolicy(d) {
  const problems = [];
  const days = wholeNumber(d.copy_paste_days, 1, 90);
  if (days === null) problems.push({ loc: ['copy_paste_days'], msg: t('settings.errDays') });
  const similarity = Number(d.copy_paste_similarity);
  if (!Number.isFinite(similarity) || similarity <= 0.5 || similarity > 1) problems.push({ loc: ['copy_paste_similarity'], msg: t('settings.errSimilarity') });
  if ([...d.allowed_symbols].length > 100) problems.push({ loc: ['allowed_symbols'], msg: t('settings.errSymbols') });
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    value: {
      version: Number.isInteger(d.base.version) ? d.base.version : 0,
      assignee_only: d.assignee_only,
      require_customer_name: d.require_customer_name,
      require_signature: d.require_signature,
      allowed_symbols: d.allowed_symbols,
      emoji: d.emoji,
      copy_paste_days: days,
      copy_paste_similarity: similarity,
      allow_override: d.allow_override,
    },
  };
}

function repliesScreen(ctx) {
  const st = stateOf('replies', () => ({ policy: null, draft: null, fb: null, busy: false, loadFailed: false }));
  const root = h('div', { class: 'sf-screen', 'data-testid': 'settings-replies' });
  const paint = () => swap(root, view());
  const labels = () => ({
    assignee_only: t('settings.assigneeOnly'),
    require_customer_name: t('settings.requireName'),
    require_signature: t('settings.requireSignature'),
    allowed_symbols: t('settings.allowedSymbols'),
    emoji: t('settings.emoji'),
    copy_paste_days: t('settings.copyDays'),
    copy_paste_similarity: t('settings.copySimilarity'),
    allow_override: t('settings.allowOverride'),
    version: t('settings.version'),
  });

  async function load({ keepDraft = true } = {}) {
    st.loadFailed = false;
    try {
      const policy = await apiGet('/api/settings/replies', { signal: ctx.signal });
      if (ctx.signal.aborted) return;
      const untouched = st.draft && JSON.stringify(buildReplyPolicy(st.draft)) === JSON.stringify(buildReplyPolicy(replyDraft(st.draft.base)));
      st.policy = policy;
      if (!keepDraft || !st.draft || untouched) st.draft = replyDraft(policy);
    } catch (err) {
      if (ctx.signal.aborted) return;
      st.loadFailed = true;
      ctx.onError(err);
    }
    paint();
  }

  async function save() {
    if (st.busy) return;
    const built = buildReplyPolicy(st.draft);
    if (!built.ok) {
      st.fb = { kind: 'problems', items: built.problems };
      paint();
      return;
    }
    st.busy = true;
    st.fb = null;
    paint();
    try {
      const saved = await apiSend('PUT', '/api/settings/replies', built.value);
      st.policy = saved;
      st.draft = replyDraft(saved);
      st.fb = { kind: 'saved' };
    } catch (err) {
      st.fb = failure(err, ctx);
    } finally {
      st.busy = false;
    }
    if (!ctx.signal.aborted) paint();
  }

  async function reload() {
    const current = st.fb && st.fb.current;
    if (current) {
      st.policy = current;
      st.draft = replyDraft(current);
    } else {
      await load({ keepDraft: false });
    }
    st.fb = { kind: 'reloaded' };
    paint();
    focusId('sf-rp-assignee');
  }

  function view() {
    if (!st.draft) return st.loadFailed ? loadFailedView('sf-rp-retry', load) : loadingView();
    const d = st.draft;
    const fb = st.fb;
    const fbId = 'sf-rp-fb';
    const form = h(
      'form',
      { class: 'sf-form sf-narrow', 'data-testid': 'replies-form', 'aria-labelledby': 'sf-rp-title', novalidate: true },
      h(
        'div',
        { class: 'sf-pane-head' },
        h('h2', { id: 'sf-rp-title', class: 'sf-h2' }, t('settings.replyPolicy')),
        h('span', { class: 'muted small' }, d.base.updated_at ? t('settings.updatedAt', { time: formatDateTime(d.base.updated_at) }) : t('settings.defaults')),
      ),
      feedbackView(fb, { id: fbId, labels: labels(), onReload: reload }),
      h(
        'fieldset',
        { class: 'sf-group' },
        h('legend', { class: 'sf-legend' }, t('settings.whoReplies')),
        checkBox('sf-rp-assignee', t('settings.assigneeOnly'), d.assignee_only, (v) => (d.assignee_only = v), { 'data-testid': 'replies-assignee-only' }),
        h('p', { class: 'sf-hint' }, t('settings.assigneeOnlyHint')),
      ),
      h(
        'fieldset',
        { class: 'sf-group' },
        h('legend', { class: 'sf-legend' }, t('settings.checks')),
        checkBox('sf-rp-name', t('settings.requireName'), d.require_customer_name, (v) => (d.require_customer_name = v)),
        checkBox('sf-rp-signature', t('settings.requireSignature'), d.require_signature, (v) => (d.require_signature = v)),
        h(
          'div',
          { class: 'sf-grid' },
          field('sf-rp-symbols', t('settings.allowedSymbols'), textInput('sf-rp-symbols', d.allowed_symbols, (v) => (d.allowed_symbols = v), { maxlength: '100', spellcheck: 'false', ...invalid(fb, 'allowed_symbols', fbId) }), t('settings.allowedSymbolsHint')),
          field('sf-rp-emoji', t('settings.emoji'), selectBox('sf-rp-emoji', EMOJI.map((v) => ({ value: v, label: tOr('settings.emojiRule', v) })), d.emoji, (v) => (d.emoji = v), { 'data-testid': 'replies-emoji' })),
        ),
      ),
      h(
        'fieldset',
        { class: 'sf-group' },
        h('legend', { class: 'sf-legend' }, t('settings.copyPaste')),
        h(
          'div',
          { class: 'sf-grid' },
          field('sf-rp-days', t('settings.copyDays'), textInput('sf-rp-days', d.copy_paste_days, (v) => (d.copy_paste_days = v), { type: 'number', min: '1', max: '90', step: '1', inputmode: 'numeric', ...invalid(fb, 'copy_paste_days', fbId) })),
          field('sf-rp-similarity', t('settings.copySimilarity'), textInput('sf-rp-similarity', d.copy_paste_similarity, (v) => (d.copy_paste_similarity = v), { type: 'number', min: '0.51', max: '1', step: '0.01', inputmode: 'decimal', ...invalid(fb, 'copy_paste_similarity', fbId) }), t('settings.copySimilarityHint')),
        ),
        h('p', { class: 'sf-hint' }, t('settings.copyPasteHint')),
      ),
      checkBox('sf-rp-override', t('settings.allowOverride'), d.allow_override, (v) => (d.allow_override = v)),
      h('p', { class: 'sf-hint' }, t('settings.allowOverrideHint')),
      h('div', { class: 'sf-buttons' }, button('sf-rp-save', st.busy ? t('settings.saving') : t('settings.save'), null, { kind: 'btn-primary', type: 'submit', testid: 'replies-save', busy: st.busy })),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      save();
    });
    return form;
  }

  paint();
  load();
  return { el: root };
}

// ------------------------------------------------------------ the frame: sub-navigation and routing

const SCREENS = {
  rules: rulesScreen,
  teams: teamsScreen,
  calendars: calendarsScreen,
  sla: slaScreen,
  templates: templatesScreen,
  channels: channelsScreen,
  replies: repliesScreen,
};

function sectionOf(hash) {
  const m = /^#\/settings\/([a-z]+)/.exec(hash || '');
  return m && SECTIONS.includes(m[1]) ? m[1] : 'rules';
}

export function renderSettings(container, { me, onError } = {}) {
  const owner = me ? str(me.user_id) : '';
  if (memoOwner !== owner) {
    for (const key of Object.keys(memo)) delete memo[key];
    memoOwner = owner;
  }
  const base = { me: me || {}, isAdmin: Boolean(me && me.role === 'admin'), onError: typeof onError === 'function' ? onError : () => {} };
  const links = SECTIONS.map((s) =>
    h('a', { href: `#/settings/${s}`, class: 'settings-nav-link', 'data-testid': `settings-nav-${s}`, dataset: { section: s } }, t(`settings.section.${s}`)),
  );
  const nav = h('nav', { class: 'settings-nav', 'aria-label': t('settings.navLabel') }, h('ul', null, links.map((a) => h('li', null, a))));
  const title = h('h1', { id: 'settings-title', class: 'settings-title', tabindex: '-1' });
  const body = h('div', { class: 'settings-body' });
  const main = h('div', { class: 'settings-main' }, title, body);
  container.replaceChildren(h('section', { class: 'pane settings', 'data-testid': 'settings', 'aria-labelledby': 'settings-title' }, nav, main));

  let current = null;
  const stop = () => {
    if (current) current.abort.abort();
    current = null;
  };
  const show = (section, { focus }) => {
    stop();
    const abort = new AbortController();
    for (const a of links) {
      if (a.dataset.section === section) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    title.textContent = t(`settings.section.${section}`);
    const screen = SCREENS[section]({ ...base, signal: abort.signal });
    body.replaceChildren(screen.el);
    main.scrollTop = 0;
    current = { section, abort };
    const pageTitle = `${t(`settings.section.${section}`)} – ${t('navSettings')} – Mentiondesk`;
    document.title = pageTitle;
    queueMicrotask(() => {
      if (current && current.section === section) document.title = pageTitle; // after app.js sets its own
    });
    if (focus) title.focus();
  };
  const onHash = () => {
    if (!/^#\/settings(\/|$)/.test(location.hash)) return;
    const section = sectionOf(location.hash);
    if (!current || section !== current.section) show(section, { focus: true });
  };
  window.addEventListener('hashchange', onHash);
  show(sectionOf(location.hash), { focus: false });
  return () => {
    window.removeEventListener('hashchange', onHash);
    stop();
  };
}

// ------------------------------------------------------------ the module's words

addStrings({
  en: {
    'settings.navLabel': 'Settings sections',
    'settings.section.rules': 'Rules',
    'settings.section.teams': 'Teams and agents',
    'settings.section.calendars': 'Calendars and holidays',
    'settings.section.sla': 'SLA policies',
    'settings.section.templates': 'Templates',
    'settings.section.channels': 'Channels and monitors',
    'settings.section.replies': 'Reply policy',

    'settings.loadFailed': 'These settings could not be loaded.',
    'settings.save': 'Save',
    'settings.saving': 'Saving…',
    'settings.saved': 'Saved.',
    'settings.reloaded': 'Showing the latest version. Make your change again and save.',
    'settings.nothingChanged': 'Nothing to save: no field was changed.',
    'settings.problemsTitle': 'Please correct the following:',
    'settings.invalidGeneric': 'The server refused these values.',
    'settings.conflict': 'Someone else changed this since you opened it, so it was not saved. Reload to see their version (your unsaved edits here will be replaced).',
    'settings.gone': 'This no longer exists: someone deleted it.',
    'settings.forbidden': 'Your role may not make this change.',
    'settings.reload': 'Reload',
    'settings.delete': 'Delete',
    'settings.deleteYes': 'Yes, delete',
    'settings.keep': 'Keep',
    'settings.confirmDelete': 'Delete “{name}”? This cannot be undone.',
    'settings.deleted': '“{name}” was deleted.',
    'settings.deletedElsewhere': 'Someone deleted it in the meantime.',
    'settings.close': 'Close',
    'settings.cancel': 'Cancel',
    'settings.add': 'Add',
    'settings.remove': 'Remove',
    'settings.choose': 'Choose…',
    'settings.optional': 'Optional.',
    'settings.version': 'Version',
    'settings.versionN': 'Version {n}',
    'settings.updatedAt': 'Last changed {time}',
    'settings.defaults': 'Defaults (never changed)',
    'settings.name': 'Name',
    'settings.order': 'Order',
    'settings.orderN': 'Order {n}',
    'settings.orderHint': 'Rules with the same trigger run from the lowest number up.',
    'settings.enabled': 'Enabled',
    'settings.enabledFor': 'Enabled: {name}',
    'settings.off': 'Off',
    'settings.listHint': 'Separate with commas.',
    'settings.tags': 'Tags',

    'settings.rule': 'Rule',
    'settings.rulesList': 'Rules',
    'settings.ruleNew': 'New rule',
    'settings.ruleEdit': 'Edit rule',
    'settings.rulesEmpty': 'No rules yet.',
    'settings.ruleChoose': 'Choose a rule to edit it, or create a new one.',
    'settings.ruleOn': 'Rule “{name}” is on.',
    'settings.ruleOff': 'Rule “{name}” is off.',
    'settings.trigger': 'When',
    'settings.trigger.ticket_created': 'A ticket is created',
    'settings.trigger.message_received': 'A message arrives',
    'settings.trigger.ticket_updated': 'A ticket changes',
    'settings.trigger.sla_warning': 'An SLA target is near',
    'settings.trigger.sla_breached': 'An SLA target is missed',
    'settings.triggerOther': 'Other triggers',
    'settings.stopOnMatch': 'Stop here when this rule matches (later rules do not run)',

    'settings.condition': 'Condition',
    'settings.condMode': 'How to write the condition',
    'settings.condSimple': 'Simple',
    'settings.condAdvanced': 'Advanced (JSON)',
    'settings.condKeywords': 'The text contains any of these keywords',
    'settings.condKeywordsHint': 'Separate with commas or new lines. Case and full-width/half-width forms are ignored.',
    'settings.condField.channel': 'Channel',
    'settings.condField.sentiment': 'Sentiment',
    'settings.condField.intent': 'Intent',
    'settings.condField.urgency': 'Urgency',
    'settings.condField.language': 'Language',
    'settings.condSimpleHint': 'Everything you fill in must hold. Leave a group empty to ignore it.',
    'settings.condSimpleHintNone': 'Everything you fill in must hold. Leave everything empty to apply to every ticket.',
    'settings.condJson': 'Condition as JSON',
    'settings.condJsonHint': 'A leaf {"field", "op", "value"}, or {"all": [...]}, {"any": [...]}, {"not": {...}}.',
    'settings.condJsonHintNone': 'A leaf {"field", "op", "value"}, or {"all": [...]}, {"any": [...]}, {"not": {...}}. Empty: every ticket.',
    'settings.condComplex': 'This condition uses more than the simple editor shows, so it is edited as JSON.',
    'settings.condNotSimple': 'The simple editor cannot show this condition; keep editing it as JSON.',
    'settings.condAlways': 'Every ticket',
    'settings.condCustom': 'Custom condition',
    'settings.sumKeywords': 'Words: {words}',

    'settings.actions': 'Actions',
    'settings.actionN': 'Action {n}',
    'settings.addAction': 'Add an action',
    'settings.removeActionN': 'Remove action {n}',
    'settings.noActions': 'No actions yet.',
    'settings.actionNoOptions': 'Nothing more to set.',
    'settings.actionRaw': 'Other (JSON)',
    'settings.actionJson': 'Action as JSON',
    'settings.action.add_tags': 'Add tags',
    'settings.action.remove_tags': 'Remove tags',
    'settings.action.set_priority': 'Set priority',
    'settings.action.set_team': 'Send to a team',
    'settings.action.assign_agent': 'Assign to a person',
    'settings.action.auto_reply': 'Auto-reply with a template',
    'settings.action.set_sla_policy': 'Use an SLA policy',
    'settings.action.hide_comment': 'Hide the comment',
    'settings.action.notify': 'Notify (Slack or email)',
    'settings.action.mark_spam': 'Mark as spam',
    'settings.action.ignore': 'Ignore (no ticket to work)',
    'settings.template': 'Template',
    'settings.noTemplatesYet': 'No templates yet: add one under Templates first.',
    'settings.slaPolicy': 'SLA policy',
    'settings.notifyVia': 'Notify by',
    'settings.email': 'Email',
    'settings.slackWebhook': 'Slack incoming webhook URL',
    'settings.slackHint': 'https://hooks.slack.com/…',
    'settings.emailAddress': 'Email address',
    'settings.notifyMessage': 'Message',

    'settings.dryRun': 'Try on the last {days} days',
    'settings.dryRunning': 'Trying the rule on recent tickets…',
    'settings.dryTitle': 'Dry run (nothing was changed)',
    'settings.dryMatched': ({ n }) => (n === 1 ? 'ticket matched' : 'tickets matched'),
    'settings.dryScanned': ({ n, days }) => `(of ${n} ${n === 1 ? 'ticket' : 'tickets'} with activity in the last ${days} days)`,
    'settings.dryTruncated': 'Only the most recent tickets were tried.',
    'settings.dryWords': 'matched: {words}',
    'settings.dryMore': ({ n }) => `and ${n} more`,

    'settings.errRequired': 'Required.',
    'settings.errOrder': 'A whole number from 0 to 1,000,000.',
    'settings.errConditionNeeded': 'Give at least one condition (a keyword or a choice), or write one as JSON.',
    'settings.errActionNeeded': 'Add at least one action.',
    'settings.errJson': 'Not valid JSON: {detail}',
    'settings.errJsonObject': 'Write a JSON object ({…}).',
    'settings.errTags': 'Give at least one tag.',
    'settings.errChoose': 'Choose one.',
    'settings.errTarget': 'Give where to send the notification.',
    'settings.errCapacity': 'A whole number from 0 to 200.',
    'settings.errLanguages': 'Two-letter language codes such as ja, en.',
    'settings.errEmail': 'An email address such as name@example.com.',
    'settings.errTeamId': 'Letters, digits, - and _ only.',
    'settings.errTime': 'Hours {n}: write times as HH:MM (24:00 for midnight at the end of the day).',
    'settings.errOpenDayEmpty': 'Give hours for the special open day, or remove it.',
    'settings.errMinutes': 'A whole number of minutes (1 or more).',
    'settings.errTargetNeeded': 'Give at least one target.',
    'settings.errReminders': 'Percentages between 0 and 100, such as 50, 80.',
    'settings.errEscalation': 'Whole minutes of 0 or more, such as 0, 30.',
    'settings.errBodyNeeded': 'Write the text in at least one language.',
    'settings.errAccountId': 'The platform’s account id (letters, digits and . _ : / -).',
    'settings.errInterval': 'A whole number of minutes from 1 to 1440.',
    'settings.errBudget': 'An amount in US dollars such as 20 or 20.50.',
    'settings.errDays': 'A whole number of days from 1 to 90.',
    'settings.errSimilarity': 'A number above 0.5 and at most 1.',
    'settings.errSymbols': 'At most 100 characters.',

    'settings.teams': 'Teams',
    'settings.teamName': 'Team name',
    'settings.teamId': 'Team id',
    'settings.teamIdHint': 'Letters, digits, - and _; it cannot be changed later.',
    'settings.teamMeta': ({ id, n }) => `${id} · ${n} ${n === '1' ? 'person' : 'people'}`,
    'settings.teamAdd': 'Add a team',
    'settings.teamAddSave': 'Add the team',
    'settings.teamAdded': 'Team “{name}” added.',
    'settings.strategy': 'Assignment',
    'settings.strategy.round_robin': 'Round robin',
    'settings.strategy.load_balanced': 'Load balanced',
    'settings.strategy.manual': 'Manual (nobody is assigned automatically)',
    'settings.balance': 'Balance by',
    'settings.balance.count': 'Open tickets',
    'settings.balance.share': 'Share of capacity',
    'settings.balanceHint': 'Used by load-balanced assignment.',
    'settings.people': 'People',
    'settings.personAdd': 'Add a person',
    'settings.personAddSave': 'Add the person',
    'settings.personAdded': '{name} was added.',
    'settings.personAddHint': 'They receive an invitation to sign in.',
    'settings.personName': 'Name',
    'settings.role': 'Role',
    'settings.rolesAdminOnly': 'Only admins add people or change roles.',
    'settings.capacity': 'Capacity',
    'settings.capacityHint': 'Open tickets at once.',
    'settings.languages': 'Languages',
    'settings.languagesHint': 'Two-letter codes, separated with commas (ja, en).',
    'settings.channels': 'Channels',
    'settings.productTags': 'Product tags',
    'settings.noTeam': 'No team',
    'settings.online': 'Online',
    'settings.offline': 'Offline',
    'settings.load': 'Load {n} / {cap}',

    'settings.calendar': 'Calendar',
    'settings.calendarOf': 'Business hours of {team}',
    'settings.calendarDefault': 'Default calendar',
    'settings.calendarReset': 'Back to the default calendar',
    'settings.calendarResetQ': 'Go back to the default calendar (weekdays 09:00–18:00 Tokyo time, closed on Japanese holidays)?',
    'settings.calendarResetDone': 'The team uses the default calendar again.',
    'settings.noTeams': 'There are no teams yet.',
    'settings.timezone': 'Time zone',
    'settings.timezoneHint': 'An IANA time zone such as Asia/Tokyo.',
    'settings.weeklyHours': 'Weekly hours',
    'settings.weeklyHoursHint': 'Times are HH:MM in the team’s time zone; 24:00 is midnight at the end of the day. Split overnight shifts at 24:00.',
    'settings.weekday.0': 'Monday',
    'settings.weekday.1': 'Tuesday',
    'settings.weekday.2': 'Wednesday',
    'settings.weekday.3': 'Thursday',
    'settings.weekday.4': 'Friday',
    'settings.weekday.5': 'Saturday',
    'settings.weekday.6': 'Sunday',
    'settings.closedAllDay': 'Closed',
    'settings.intervalStart': '{day}, hours {n}: start',
    'settings.intervalEnd': '{day}, hours {n}: end',
    'settings.intervalRemove': 'Remove {day}, hours {n}',
    'settings.intervalAdd': 'Add hours',
    'settings.intervalAddOn': 'Add hours on {day}',
    'settings.japaneseHolidays': 'Closed on Japanese national holidays',
    'settings.closedDays': 'Company holidays',
    'settings.noClosedDays': 'None.',
    'settings.closedDayNew': 'New company holiday',
    'settings.openDays': 'Special working days',
    'settings.openDaysHint': 'Their hours replace the usual ones for that date, even on a holiday.',
    'settings.openDayNew': 'New special working day',
    'settings.addDay': 'Add the day',
    'settings.removeDay': 'Remove {day}',

    'settings.slaList': 'SLA policies',
    'settings.slaNew': 'New policy',
    'settings.slaEdit': 'Edit policy',
    'settings.slaEmpty': 'No SLA policies yet.',
    'settings.slaChoose': 'Choose a policy to edit it, or create a new one.',
    'settings.slaOrderHint': 'A ticket gets the first enabled policy, from the lowest number up, whose condition holds.',
    'settings.targets': 'Targets',
    'settings.minutesHint': 'Minutes; empty for no target.',
    'settings.reminders': 'Reminders at (% of the target)',
    'settings.remindersHint': 'Such as 50, 80.',
    'settings.escalation': 'Escalations (minutes after a miss)',
    'settings.escalationHint': 'Such as 0, 30: level 1 at once, level 2 after 30 minutes.',
    'settings.businessMinutes': 'All times count business minutes of the team’s calendar.',

    'settings.tplList': 'Templates',
    'settings.tplNew': 'New template',
    'settings.tplEdit': 'Edit template',
    'settings.tplEmpty': 'No templates yet.',
    'settings.tplChoose': 'Choose a template to edit it, or create a new one.',
    'settings.bodies': 'Text',
    'settings.bodyIn': 'Text in {lang}',
    'settings.removeBody': 'Remove the text in {lang}',
    'settings.bodiesHint': 'A ticket is answered in its own language when there is a text for it, otherwise in the first one. Empty texts are left out.',
    'settings.addLanguage': 'Another language (two letters)',
    'settings.insertVariable': 'Insert at the cursor:',
    'settings.insertVar': 'Insert {name}: {desc}',
    'settings.var.customer_name': 'the customer’s display name',
    'settings.var.customer_handle': 'the customer’s @handle',
    'settings.var.customer_honorific': 'the customer addressed politely (山田様, Taro)',
    'settings.var.agent_name': 'the replying agent’s name',
    'settings.var.agent_first_name': 'the name the agent signs with',
    'settings.var.agent_signature': 'the agent’s sign-off (担当：佐藤, ^Hanako)',
    'settings.var.brand': 'the channel account’s name',
    'settings.var.ticket_id': 'the ticket’s id',
    'settings.var.order_number': 'the order number (private replies only)',
    'settings.var.support_hours': 'the team’s business hours',
    'settings.tplIntents': 'Suits these intents',
    'settings.tplChannels': 'Only on these channels',
    'settings.modes': 'Only sent as',
    'settings.mode.public': 'Public reply',
    'settings.mode.dm': 'Direct message',
    'settings.mode.private_reply': 'Private reply',
    'settings.emptyMeansAny': 'Leave a group empty for “any”.',
    'settings.anyIntent': 'Any intent',
    'settings.brand': 'Brand',
    'settings.brandHint': 'A channel handle; empty for every brand.',

    'settings.channelAccounts': 'Channel accounts',
    'settings.channelAdd': 'Register an account',
    'settings.channelAddSave': 'Register',
    'settings.channelAdded': '@{handle} was registered.',
    'settings.channelsAdminOnly': 'Only admins register accounts and change monitors; you can see them here.',
    'settings.channelStatus.active': 'Connected',
    'settings.channelStatus.revoked': 'Access revoked',
    'settings.revokedAt': 'since {time}',
    'settings.reconnect': 'Reconnect',
    'settings.reconnected': 'Reconnected.',
    'settings.notRevoked': 'This account is connected already.',
    'settings.noChannels': 'No channel accounts yet.',
    'settings.platform': 'Platform',
    'settings.accountId': 'Account id',
    'settings.accountIdHint': 'The id the platform gives the account (X user id, Page id, location name).',
    'settings.handle': 'Handle or name',
    'settings.teamIs': 'Team: {team}',
    'settings.defaultTeam': 'Default (support)',
    'settings.monitors': 'X monitors',
    'settings.monitorsHint': 'Each X read is billed; a monitor pauses itself when it reaches its monthly budget.',
    'settings.noMonitors': 'No monitors yet.',
    'settings.monitorAdd': 'Add a monitor',
    'settings.monitorAddSave': 'Add the monitor',
    'settings.monitorAdded': 'Monitor “{name}” added.',
    'settings.monitorKind': 'Kind',
    'settings.monitorKind.mentions': 'Mentions of our account',
    'settings.monitorKind.search': 'Keyword search',
    'settings.monitorKind.dms': 'Direct messages',
    'settings.monitorStatus.active': 'Running',
    'settings.monitorStatus.paused': 'Paused',
    'settings.monitorStatus.budget_exhausted': 'Budget used up',
    'settings.monitorStatus.refused': 'Refused by X',
    'settings.xAccount': 'X account',
    'settings.query': 'Search query',
    'settings.queryHint': 'X search syntax; the language filter is added for you.',
    'settings.interval': 'Runs',
    'settings.intervalMinutes': 'Every (minutes)',
    'settings.everyMinutes': 'every {n} min',
    'settings.budget': 'Monthly budget',
    'settings.budgetUsd': 'Monthly budget (USD)',
    'settings.budgetHint': 'Raising it restarts a monitor that used up its budget.',
    'settings.spendOf': '{spend} of {budget} this month ({pct})',
    'settings.spendNear': '– nearly used up',
    'settings.spendOver': '– budget reached',
    'settings.billableReads': '{n} billable reads · {posts} posts found',
    'settings.lastRun': 'Last run',
    'settings.lastError': 'Last error',

    'settings.replyPolicy': 'How agents reply',
    'settings.whoReplies': 'Who may reply',
    'settings.assigneeOnly': 'Only the ticket’s assignee may reply',
    'settings.assigneeOnlyHint': 'Supervisors and admins always may.',
    'settings.checks': 'Checks before sending',
    'settings.requireName': 'The reply must address the customer by name',
    'settings.requireSignature': 'The reply must end with the agent’s signature',
    'settings.allowedSymbols': 'Allowed symbols',
    'settings.allowedSymbolsHint': 'Other decorative symbols are flagged.',
    'settings.emoji': 'Emoji',
    'settings.emojiRule.allow': 'Allowed',
    'settings.emojiRule.deny_on_complaint': 'Not in replies to complaints',
    'settings.emojiRule.deny': 'Never',
    'settings.copyPaste': 'Copy-and-paste check',
    'settings.copyDays': 'Compare with replies of the last (days)',
    'settings.copySimilarity': 'Flag when at least this alike',
    'settings.copySimilarityHint': '0.9 means 90% the same text.',
    'settings.copyPasteHint': 'The same text sent to many customers looks automated on social media.',
    'settings.allowOverride': 'Agents may send anyway after a warning',
    'settings.allowOverrideHint': 'When off, a failed check blocks the reply.',
  },
  ja: {
    'settings.navLabel': '設定の項目',
    'settings.section.rules': 'ルール',
    'settings.section.teams': 'チームとメンバー',
    'settings.section.calendars': '営業カレンダーと休日',
    'settings.section.sla': 'SLA ポリシー',
    'settings.section.templates': 'テンプレート',
    'settings.section.channels': 'チャネルとモニター',
    'settings.section.replies': '返信ポリシー',

    'settings.loadFailed': '設定を読み込めませんでした。',
    'settings.save': '保存',
    'settings.saving': '保存しています…',
    'settings.saved': '保存しました。',
    'settings.reloaded': '最新の内容を表示しています。もう一度変更して保存してください。',
    'settings.nothingChanged': '変更された項目がないため、保存するものはありません。',
    'settings.problemsTitle': '次の点を修正してください：',
    'settings.invalidGeneric': 'サーバーがこの値を受け付けませんでした。',
    'settings.conflict': '開いたあとで他の人が変更したため、保存されませんでした。再読み込みすると相手の変更後の内容が表示されます（ここでの未保存の編集は置き換えられます）。',
    'settings.gone': 'すでに存在しません（他の人が削除しました）。',
    'settings.forbidden': 'あなたのロールではこの変更はできません。',
    'settings.reload': '再読み込み',
    'settings.delete': '削除',
    'settings.deleteYes': '削除する',
    'settings.keep': '削除しない',
    'settings.confirmDelete': '「{name}」を削除しますか？元に戻せません。',
    'settings.deleted': '「{name}」を削除しました。',
    'settings.deletedElsewhere': 'その間に他の人が削除しました。',
    'settings.close': '閉じる',
    'settings.cancel': 'キャンセル',
    'settings.add': '追加',
    'settings.remove': '削除',
    'settings.choose': '選択してください…',
    'settings.optional': '任意。',
    'settings.version': 'バージョン',
    'settings.versionN': 'バージョン {n}',
    'settings.updatedAt': '最終変更 {time}',
    'settings.defaults': '初期設定（未変更）',
    'settings.name': '名前',
    'settings.order': '順番',
    'settings.orderN': '順番 {n}',
    'settings.orderHint': '同じきっかけのルールは数字の小さい順に実行されます。',
    'settings.enabled': '有効',
    'settings.enabledFor': '有効：{name}',
    'settings.off': '無効',
    'settings.listHint': 'カンマ区切りで入力します。',
    'settings.tags': 'タグ',

    'settings.rule': 'ルール',
    'settings.rulesList': 'ルール一覧',
    'settings.ruleNew': '新しいルール',
    'settings.ruleEdit': 'ルールを編集',
    'settings.rulesEmpty': 'ルールはまだありません。',
    'settings.ruleChoose': '編集するルールを選ぶか、新しいルールを作成してください。',
    'settings.ruleOn': 'ルール「{name}」を有効にしました。',
    'settings.ruleOff': 'ルール「{name}」を無効にしました。',
    'settings.trigger': 'きっかけ',
    'settings.trigger.ticket_created': 'チケットが作成されたとき',
    'settings.trigger.message_received': 'メッセージを受信したとき',
    'settings.trigger.ticket_updated': 'チケットが更新されたとき',
    'settings.trigger.sla_warning': 'SLA 期限が近づいたとき',
    'settings.trigger.sla_breached': 'SLA 期限を超過したとき',
    'settings.triggerOther': 'その他のきっかけ',
    'settings.stopOnMatch': 'このルールに一致したら、以降のルールは実行しない',

    'settings.condition': '条件',
    'settings.condMode': '条件の書き方',
    'settings.condSimple': 'かんたん',
    'settings.condAdvanced': '詳細（JSON）',
    'settings.condKeywords': '本文にいずれかのキーワードを含む',
    'settings.condKeywordsHint': 'カンマまたは改行で区切ります。大文字・小文字、全角・半角は区別しません。',
    'settings.condField.channel': 'チャネル',
    'settings.condField.sentiment': '感情',
    'settings.condField.intent': '意図',
    'settings.condField.urgency': '緊急度',
    'settings.condField.language': '言語',
    'settings.condSimpleHint': '入力した項目すべてを満たすときに一致します。空の項目は無視されます。',
    'settings.condSimpleHintNone': '入力した項目すべてを満たすときに一致します。すべて空にするとすべてのチケットが対象です。',
    'settings.condJson': '条件（JSON）',
    'settings.condJsonHint': '{"field", "op", "value"} の条件、または {"all": [...]}、{"any": [...]}、{"not": {...}}。',
    'settings.condJsonHintNone': '{"field", "op", "value"} の条件、または {"all": [...]}、{"any": [...]}、{"not": {...}}。空にするとすべてのチケットが対象です。',
    'settings.condComplex': 'この条件はかんたん編集で表せない内容を含むため、JSON で編集します。',
    'settings.condNotSimple': 'この条件はかんたん編集では表示できません。JSON のまま編集してください。',
    'settings.condAlways': 'すべてのチケット',
    'settings.condCustom': 'カスタム条件',
    'settings.sumKeywords': 'キーワード：{words}',

    'settings.actions': 'アクション',
    'settings.actionN': 'アクション {n}',
    'settings.addAction': 'アクションを追加',
    'settings.removeActionN': 'アクション {n} を削除',
    'settings.noActions': 'アクションはまだありません。',
    'settings.actionNoOptions': '追加の設定はありません。',
    'settings.actionRaw': 'その他（JSON）',
    'settings.actionJson': 'アクション（JSON）',
    'settings.action.add_tags': 'タグを追加',
    'settings.action.remove_tags': 'タグを外す',
    'settings.action.set_priority': '優先度を設定',
    'settings.action.set_team': 'チームに振り分け',
    'settings.action.assign_agent': '担当者を割り当て',
    'settings.action.auto_reply': 'テンプレートで自動返信',
    'settings.action.set_sla_policy': 'SLA ポリシーを適用',
    'settings.action.hide_comment': 'コメントを非表示',
    'settings.action.notify': '通知（Slack・メール）',
    'settings.action.mark_spam': 'スパムにする',
    'settings.action.ignore': '無視（対応不要にする）',
    'settings.template': 'テンプレート',
    'settings.noTemplatesYet': 'テンプレートがありません。先に「テンプレート」で作成してください。',
    'settings.slaPolicy': 'SLA ポリシー',
    'settings.notifyVia': '通知方法',
    'settings.email': 'メール',
    'settings.slackWebhook': 'Slack の Incoming Webhook URL',
    'settings.slackHint': 'https://hooks.slack.com/…',
    'settings.emailAddress': 'メールアドレス',
    'settings.notifyMessage': 'メッセージ',

    'settings.dryRun': '直近{days}日で試す',
    'settings.dryRunning': '最近のチケットでルールを試しています…',
    'settings.dryTitle': 'テスト実行（何も変更されていません）',
    'settings.dryMatched': '件が一致',
    'settings.dryScanned': '（直近{days}日間に動きのあった {n} 件中）',
    'settings.dryTruncated': '最新のチケットのみで試しました。',
    'settings.dryWords': '一致：{words}',
    'settings.dryMore': '他 {n} 件',

    'settings.errRequired': '入力してください。',
    'settings.errOrder': '0〜1,000,000 の整数で入力してください。',
    'settings.errConditionNeeded': '条件を1つ以上指定してください（キーワードや選択肢、または JSON）。',
    'settings.errActionNeeded': 'アクションを1つ以上追加してください。',
    'settings.errJson': 'JSON として正しくありません：{detail}',
    'settings.errJsonObject': 'JSON オブジェクト（{…}）で書いてください。',
    'settings.errTags': 'タグを1つ以上入力してください。',
    'settings.errChoose': '選択してください。',
    'settings.errTarget': '通知先を入力してください。',
    'settings.errCapacity': '0〜200 の整数で入力してください。',
    'settings.errLanguages': 'ja、en のような2文字の言語コードで入力してください。',
    'settings.errEmail': 'name@example.com のようなメールアドレスを入力してください。',
    'settings.errTeamId': '英数字、- と _ のみ使えます。',
    'settings.errTime': '時間帯 {n}：時刻は HH:MM で入力してください（その日の終わりの0時は 24:00）。',
    'settings.errOpenDayEmpty': '特別営業日の時間帯を入力するか、その日を削除してください。',
    'settings.errMinutes': '1 以上の整数（分）で入力してください。',
    'settings.errTargetNeeded': '目標を1つ以上入力してください。',
    'settings.errReminders': '50, 80 のように 0〜100 の間の割合で入力してください。',
    'settings.errEscalation': '0, 30 のように 0 以上の整数（分）で入力してください。',
    'settings.errBodyNeeded': '少なくとも1つの言語で本文を入力してください。',
    'settings.errAccountId': 'プラットフォームのアカウント ID（英数字と . _ : / -）を入力してください。',
    'settings.errInterval': '1〜1440 の整数（分）で入力してください。',
    'settings.errBudget': '20 や 20.50 のように米ドルの金額で入力してください。',
    'settings.errDays': '1〜90 の整数（日）で入力してください。',
    'settings.errSimilarity': '0.5 より大きく 1 以下の数値で入力してください。',
    'settings.errSymbols': '100 文字以内で入力してください。',

    'settings.teams': 'チーム',
    'settings.teamName': 'チーム名',
    'settings.teamId': 'チーム ID',
    'settings.teamIdHint': '英数字、- と _。あとから変更できません。',
    'settings.teamMeta': ({ id, n }) => `${id} · ${n} 人`,
    'settings.teamAdd': 'チームを追加',
    'settings.teamAddSave': 'チームを追加する',
    'settings.teamAdded': 'チーム「{name}」を追加しました。',
    'settings.strategy': '割り当て方法',
    'settings.strategy.round_robin': 'ラウンドロビン（順番）',
    'settings.strategy.load_balanced': '負荷分散',
    'settings.strategy.manual': '手動（自動では割り当てない）',
    'settings.balance': '負荷の測り方',
    'settings.balance.count': '対応中の件数',
    'settings.balance.share': '上限に対する割合',
    'settings.balanceHint': '負荷分散で使います。',
    'settings.people': 'メンバー',
    'settings.personAdd': 'メンバーを追加',
    'settings.personAddSave': 'メンバーを追加する',
    'settings.personAdded': '{name} さんを追加しました。',
    'settings.personAddHint': 'サインイン用の招待が送られます。',
    'settings.personName': '氏名',
    'settings.role': 'ロール',
    'settings.rolesAdminOnly': 'メンバーの追加とロールの変更は管理者のみ行えます。',
    'settings.capacity': '同時対応の上限',
    'settings.capacityHint': '同時に担当できる未解決チケットの数。',
    'settings.languages': '対応言語',
    'settings.languagesHint': '2文字の言語コードをカンマ区切りで（ja, en）。',
    'settings.channels': 'チャネル',
    'settings.productTags': '製品タグ',
    'settings.noTeam': 'チームなし',
    'settings.online': 'オンライン',
    'settings.offline': 'オフライン',
    'settings.load': '負荷 {n} / {cap}',

    'settings.calendar': 'カレンダー',
    'settings.calendarOf': '{team} の営業時間',
    'settings.calendarDefault': '標準カレンダー',
    'settings.calendarReset': '標準カレンダーに戻す',
    'settings.calendarResetQ': '標準カレンダー（平日 9:00〜18:00 東京時間、祝日休み）に戻しますか？',
    'settings.calendarResetDone': '標準カレンダーに戻しました。',
    'settings.noTeams': 'チームがまだありません。',
    'settings.timezone': 'タイムゾーン',
    'settings.timezoneHint': 'Asia/Tokyo のような IANA タイムゾーン。',
    'settings.weeklyHours': '曜日ごとの営業時間',
    'settings.weeklyHoursHint': '時刻はチームのタイムゾーンで HH:MM。24:00 はその日の終わりの0時です。日をまたぐシフトは 24:00 で分けてください。',
    'settings.weekday.0': '月曜日',
    'settings.weekday.1': '火曜日',
    'settings.weekday.2': '水曜日',
    'settings.weekday.3': '木曜日',
    'settings.weekday.4': '金曜日',
    'settings.weekday.5': '土曜日',
    'settings.weekday.6': '日曜日',
    'settings.closedAllDay': '休み',
    'settings.intervalStart': '{day} 時間帯 {n}：開始',
    'settings.intervalEnd': '{day} 時間帯 {n}：終了',
    'settings.intervalRemove': '{day} 時間帯 {n} を削除',
    'settings.intervalAdd': '時間帯を追加',
    'settings.intervalAddOn': '{day}に時間帯を追加',
    'settings.japaneseHolidays': '日本の祝日は休み',
    'settings.closedDays': '会社の休業日',
    'settings.noClosedDays': 'ありません。',
    'settings.closedDayNew': '新しい休業日',
    'settings.openDays': '特別営業日',
    'settings.openDaysHint': 'その日は祝日でも、ここで指定した時間帯が通常の営業時間に代わります。',
    'settings.openDayNew': '新しい特別営業日',
    'settings.addDay': '日付を追加',
    'settings.removeDay': '{day} を削除',

    'settings.slaList': 'SLA ポリシー一覧',
    'settings.slaNew': '新しいポリシー',
    'settings.slaEdit': 'ポリシーを編集',
    'settings.slaEmpty': 'SLA ポリシーはまだありません。',
    'settings.slaChoose': '編集するポリシーを選ぶか、新しいポリシーを作成してください。',
    'settings.slaOrderHint': 'チケットには、数字の小さい順で条件を満たす最初の有効なポリシーが適用されます。',
    'settings.targets': '目標時間',
    'settings.minutesHint': '分。空欄なら目標なし。',
    'settings.reminders': 'リマインド（目標に対する %）',
    'settings.remindersHint': '例：50, 80',
    'settings.escalation': 'エスカレーション（超過後の分）',
    'settings.escalationHint': '例：0, 30（超過時にレベル1、30分後にレベル2）',
    'settings.businessMinutes': '時間はすべてチームの営業カレンダーの営業時間で数えます。',

    'settings.tplList': 'テンプレート一覧',
    'settings.tplNew': '新しいテンプレート',
    'settings.tplEdit': 'テンプレートを編集',
    'settings.tplEmpty': 'テンプレートはまだありません。',
    'settings.tplChoose': '編集するテンプレートを選ぶか、新しいテンプレートを作成してください。',
    'settings.bodies': '本文',
    'settings.bodyIn': '本文（{lang}）',
    'settings.removeBody': '{lang}の本文を削除',
    'settings.bodiesHint': 'チケットの言語の本文があればその言語で、なければ最初の本文で返信します。空の本文は保存されません。',
    'settings.addLanguage': '言語を追加（2文字）',
    'settings.insertVariable': 'カーソル位置に挿入：',
    'settings.insertVar': '{name} を挿入：{desc}',
    'settings.var.customer_name': 'お客様の表示名',
    'settings.var.customer_handle': 'お客様の @ユーザー名',
    'settings.var.customer_honorific': '敬称つきのお客様名（山田様、Taro）',
    'settings.var.agent_name': '返信する担当者の名前',
    'settings.var.agent_first_name': '担当者の署名用の名前',
    'settings.var.agent_signature': '担当者の署名（担当：佐藤、^Hanako）',
    'settings.var.brand': 'チャネルアカウントの名前',
    'settings.var.ticket_id': 'チケット ID',
    'settings.var.order_number': '注文番号（非公開の返信のみ）',
    'settings.var.support_hours': 'チームの営業時間',
    'settings.tplIntents': '向いている意図',
    'settings.tplChannels': '使うチャネル',
    'settings.modes': '送り方',
    'settings.mode.public': '公開返信',
    'settings.mode.dm': 'DM',
    'settings.mode.private_reply': '非公開返信',
    'settings.emptyMeansAny': '何も選ばなければ「すべて」が対象です。',
    'settings.anyIntent': 'すべての意図',
    'settings.brand': 'ブランド',
    'settings.brandHint': 'チャネルのハンドル名。空欄ならすべてのブランド。',

    'settings.channelAccounts': 'チャネルアカウント',
    'settings.channelAdd': 'アカウントを登録',
    'settings.channelAddSave': '登録する',
    'settings.channelAdded': '@{handle} を登録しました。',
    'settings.channelsAdminOnly': 'アカウントの登録とモニターの変更は管理者のみ行えます（ここでは閲覧できます）。',
    'settings.channelStatus.active': '接続中',
    'settings.channelStatus.revoked': 'アクセス取り消し',
    'settings.revokedAt': '{time} から',
    'settings.reconnect': '再接続',
    'settings.reconnected': '再接続しました。',
    'settings.notRevoked': 'このアカウントはすでに接続されています。',
    'settings.noChannels': 'チャネルアカウントはまだありません。',
    'settings.platform': 'プラットフォーム',
    'settings.accountId': 'アカウント ID',
    'settings.accountIdHint': 'プラットフォームのアカウント ID（X のユーザー ID、ページ ID、ロケーション名）。',
    'settings.handle': 'ハンドル名・名前',
    'settings.teamIs': 'チーム：{team}',
    'settings.defaultTeam': '標準（support）',
    'settings.monitors': 'X モニター',
    'settings.monitorsHint': 'X の読み取りは課金されます。月の予算に達したモニターは自動で停止します。',
    'settings.noMonitors': 'モニターはまだありません。',
    'settings.monitorAdd': 'モニターを追加',
    'settings.monitorAddSave': 'モニターを追加する',
    'settings.monitorAdded': 'モニター「{name}」を追加しました。',
    'settings.monitorKind': '種類',
    'settings.monitorKind.mentions': '自社アカウントへのメンション',
    'settings.monitorKind.search': 'キーワード検索',
    'settings.monitorKind.dms': 'DM',
    'settings.monitorStatus.active': '稼働中',
    'settings.monitorStatus.paused': '一時停止',
    'settings.monitorStatus.budget_exhausted': '予算上限に到達',
    'settings.monitorStatus.refused': 'X が拒否',
    'settings.xAccount': 'X アカウント',
    'settings.query': '検索クエリ',
    'settings.queryHint': 'X の検索構文。言語の条件は自動で付きます。',
    'settings.interval': '実行間隔',
    'settings.intervalMinutes': '実行間隔（分）',
    'settings.everyMinutes': '{n} 分ごと',
    'settings.budget': '月の予算',
    'settings.budgetUsd': '月の予算（米ドル）',
    'settings.budgetHint': '予算を増やすと、予算上限で止まったモニターが再開します。',
    'settings.spendOf': '今月 {spend} / {budget}（{pct}）',
    'settings.spendNear': '― 予算の上限が近づいています',
    'settings.spendOver': '― 予算の上限に達しました',
    'settings.billableReads': '課金対象の読み取り {n} 件 · 見つかった投稿 {posts} 件',
    'settings.lastRun': '前回の実行',
    'settings.lastError': '前回のエラー',

    'settings.replyPolicy': '返信のルール',
    'settings.whoReplies': '返信できる人',
    'settings.assigneeOnly': 'チケットの担当者だけが返信できる',
    'settings.assigneeOnlyHint': 'スーパーバイザーと管理者は常に返信できます。',
    'settings.checks': '送信前のチェック',
    'settings.requireName': '返信にお客様の名前を入れる',
    'settings.requireSignature': '返信の最後に担当者の署名を入れる',
    'settings.allowedSymbols': '使ってよい記号',
    'settings.allowedSymbolsHint': 'これ以外の装飾的な記号は警告されます。',
    'settings.emoji': '絵文字',
    'settings.emojiRule.allow': '使ってよい',
    'settings.emojiRule.deny_on_complaint': '苦情への返信では使わない',
    'settings.emojiRule.deny': '使わない',
    'settings.copyPaste': 'コピペ返信のチェック',
    'settings.copyDays': '比較する過去の返信（日数）',
    'settings.copySimilarity': 'この類似度以上で警告',
    'settings.copySimilarityHint': '0.9 は 90% 同じ文面という意味です。',
    'settings.copyPasteHint': '多くのお客様に同じ文面を送ると、SNS 上では機械的な対応に見えます。',
    'settings.allowOverride': '警告のあとでも担当者が送信できる',
    'settings.allowOverrideHint': 'オフにすると、チェックに通らない返信は送信できません。',
  },
});
