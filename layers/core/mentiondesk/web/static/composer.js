// Mentiondesk agent UI — the reply composer (mounted in the ticket view by app.js).
//
// createComposer({ ticket, me, onChanged }) → { el, update(ticket), destroy(), focus() }. The element is
// built once per open ticket and kept across the ticket pane's re-renders (app.js re-attaches it),
// so a draft and its caret survive the live updates: update() only touches what depends on the
// ticket (the modes, the outbox, the version) and never rebuilds the text area.
//
// The server is the one judge of a reply: the live checks are its /lint answer, and a send the checks
// block comes back as a 400 that can be overridden (with a reason) where the brand allows it.

import { ApiError, UnauthorizedError, apiGet, apiSend } from './api.js';
import { h, safeHttpUrl, uid, isObject, str } from './dom.js';
import { addStrings, formatDateTime, formatDateTimeFull, formatNumber, getLanguage, t, tOr } from './i18n.js';

const LINT_DELAY_MS = 300;
const TYPING_EVERY_MS = 8000; // the API keeps "typing" for a while; more often is noise
const TEMPLATE_LIMIT = 5;
const EXCERPT_CHARS = 140;
const WARN_SHARE = 0.9;
const LINT_CODES = new Set([
  'empty',
  'length',
  'cost_url',
  'personal_name',
  'personal_signature',
  'copy_paste',
  'selling',
  'pii_public',
  'symbols',
  'emoji',
]);
const SEVERITIES = ['block', 'warn', 'info'];
const IS_MAC = /Mac|iPhone|iPad/.test((navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || '');

// Drafts outlive the composer (closing a ticket with Escape, switching tickets) for this page load only.
const drafts = new Map(); // "<user>:<ticket>" -> { text, mode, templateId }

// ------------------------------------------------------------ strings

function list(items, lang) {
  return items.join(lang === 'ja' ? '、' : ', ');
}

function piiList(types, lang) {
  return Array.isArray(types) ? list(types.map((x) => tOr('pii', x)), lang) : '';
}

function charList(chars, lang) {
  return Array.isArray(chars) ? list(chars.map(String), lang) : '';
}

function sellingList(categories, lang) {
  return Array.isArray(categories) ? list(categories.map((c) => tOr('composer.selling', c)), lang) : '';
}

addStrings({
  en: {
    'composer.title': 'Reply',
    'composer.modeLegend': 'Send as',
    'composer.mode.public': 'Public reply',
    'composer.mode.dm': 'DM',
    'composer.mode.private_reply': 'Private reply',
    'composer.op.hide': 'Hide comment',
    'composer.op.show': 'Show comment',
    'composer.textLabel': 'Your reply',
    'composer.templatesLabel': 'Template',
    'composer.templatesChoose': 'Choose a template…',
    'composer.templatesLoading': 'Loading templates…',
    'composer.templatesNone': 'No templates suit this ticket',
    'composer.templatesFailed': 'Templates could not be loaded',
    'composer.templateInsert': 'Insert',
    'composer.templateInserted': 'Template “{name}” inserted.',
    'composer.templatePreview': 'Preview',
    'composer.templateMissing': ({ names }) => `Empty in this ticket: ${names}`,
    'composer.tw.order_number_withheld_in_public': 'The order number is left out of a public reply.',
    'composer.tw.language_fallback': 'No body in the ticket’s language: this is the template’s other language.',
    'composer.var.customer_name': 'customer name',
    'composer.var.customer_handle': 'customer handle',
    'composer.var.customer_honorific': 'customer name',
    'composer.var.agent_name': 'your name',
    'composer.var.agent_first_name': 'your name',
    'composer.var.agent_signature': 'your signature',
    'composer.var.brand': 'brand',
    'composer.var.order_number': 'order number',
    'composer.var.support_hours': 'support hours',
    'composer.length': '{length} / {limit}',
    'composer.lengthTitleWeighted': 'Length as X counts it: CJK characters and emoji count 2, links 23',
    'composer.lengthTitle': 'Characters, against the channel’s limit',
    'composer.costPublic': 'This reply costs ${cost} on X; a link makes a post cost more.',
    'composer.costWithLink': 'This reply costs ${cost} on X because of the link; without it ${without}.',
    'composer.costDm': 'This DM costs ${cost} on X.',
    'composer.checksNone': 'No problems found.',
    'composer.checksSummary': ({ block, warn, info }) =>
      [block ? `${block} blocking` : '', warn ? `${warn} to check` : '', info ? `${info} ${info === 1 ? 'note' : 'notes'}` : '']
        .filter(Boolean)
        .join(', ') + '.',
    'composer.checksFailed': 'The checks could not run just now; they will when you type again.',
    'composer.sev.block': 'Blocks sending',
    'composer.sev.warn': 'Check',
    'composer.sev.info': 'Note',
    'composer.check.empty': 'The reply is empty: write a message first.',
    'composer.check.length.block': ({ length, limit, channel }) =>
      length ? `Too long for ${channel}: ${length} of ${limit}. Shorten it.` : `Too long for ${channel}: shorten it.`,
    'composer.check.length.warn': ({ length, limit, channel }) =>
      length ? `Close to the ${channel} limit (${length} of ${limit}).` : `Close to the ${channel} limit.`,
    'composer.check.cost_url': ({ with_url, without_url }) =>
      with_url ? `The link makes this post cost $${with_url} on X instead of $${without_url}; drop it if it is not needed.` : 'A link makes this post cost more on X.',
    'composer.check.personal_name': 'Address the customer by name.',
    'composer.check.personal_signature': 'Sign with your name (e.g. 担当：佐藤 or ^Sato).',
    'composer.check.copy_paste': ({ count, days }) =>
      count
        ? `Nearly the same as ${count} ${count === 1 ? 'reply' : 'replies'} sent to other customers in the last ${days} days: make it personal.`
        : 'Nearly the same as replies sent to other customers: make it personal.',
    'composer.check.selling': ({ categories }) =>
      categories ? `Do not promote to a customer with a problem: remove the ${categories}.` : 'Do not promote to a customer with a problem.',
    'composer.check.pii_public': ({ types }) =>
      types ? `Personal data in a public reply (${types}): move to a DM.` : 'Personal data in a public reply: move to a DM.',
    'composer.check.pii_public_review': ({ types }) =>
      types ? `Personal data in a public review reply (${types}): remove it.` : 'Personal data in a public review reply: remove it.',
    'composer.check.symbols': ({ chars }) => (chars ? `Symbols outside the brand’s style: ${chars}` : 'Symbols outside the brand’s style.'),
    'composer.check.emoji': ({ chars }) => (chars ? `No emoji in this reply: ${chars}` : 'No emoji in this reply.'),
    'composer.selling.campaign': 'campaign',
    'composer.selling.sale': 'sale',
    'composer.selling.coupon': 'coupon',
    'composer.selling.discount': 'discount',
    'composer.selling.points': 'points offer',
    'composer.selling.new_product': 'new product',
    'composer.selling.purchase': 'call to buy',
    'composer.selling.upgrade': 'upgrade offer',
    'composer.selling.limited_offer': 'limited offer',
    'composer.offerPii': 'Personal data does not belong in public.',
    'composer.offerCustomerPii': 'The customer shared personal data in public: you can continue in private.',
    'composer.moveToDm': 'Move to DM',
    'composer.moveToPrivate': 'Move to a private reply',
    'composer.movedToDm': 'Now sending as a DM.',
    'composer.movedToPrivate': 'Now sending as a private reply.',
    'composer.dmLink': 'Link that opens a DM with us:',
    'composer.send': 'Send',
    'composer.sending': 'Sending…',
    'composer.sendHint': ({ mac }) => (mac ? '⌘ Enter' : 'Ctrl Enter'),
    'composer.queued': 'Reply queued. Its state is shown below.',
    'composer.blocked': 'Not sent: these checks block it.',
    'composer.blockedOverride': 'Not sent: these checks block it. Fix the reply, or send it anyway and say why.',
    'composer.override': 'Send anyway…',
    'composer.overrideReason': 'Why send it anyway?',
    'composer.overrideConfirm': 'Send anyway',
    'composer.overrideCancel': 'Back',
    'composer.overrideTooShort': 'Say why in at least 3 characters.',
    'composer.forbidden': ({ message }) => (message ? `Not sent: ${message}` : 'Not sent: you may not reply to this ticket.'),
    'composer.invalid': ({ message }) => (message ? `Not sent: ${message}` : 'Not sent: the server refused the reply.'),
    'composer.conflict':
      'A colleague replied or changed this ticket while you were writing. Their reply is shown above; your draft is kept.',
    'composer.network': 'Could not reach the server: nothing was sent, your draft is kept.',
    'composer.serverError': ({ status }) => `The server could not take the reply (${status}); your draft is kept.`,
    'composer.outboxTitle': 'Sent from this ticket',
    'composer.outboxEmpty': 'Nothing sent from this ticket yet.',
    'composer.outboxLabel': 'Replies and their state',
    'composer.st.PENDING': 'Queued',
    'composer.st.SENDING': 'Sending…',
    'composer.st.SENT': 'Sent',
    'composer.st.FAILED': 'Failed',
    'composer.st.UNKNOWN': 'Unknown',
    'composer.st.CANCELLED': 'Cancelled',
    'composer.deferred': 'Waiting for the platform until {time}',
    'composer.failed': 'Failed: {reason}',
    'composer.failedNoReason': 'Failed.',
    'composer.unknown': 'Unknown: the platform may have it — check it there, then tell us.',
    'composer.viewOn': 'View on {channel}',
    'composer.decideSent': 'It was sent',
    'composer.decideResend': 'Send again',
    'composer.decideCancel': 'Cancel',
    'composer.queueAgain': 'Queue again',
    'composer.decided.sent': 'Marked as sent.',
    'composer.decided.resend': 'Queued again.',
    'composer.decided.cancel': 'Cancelled.',
    'composer.decisionStale': 'Someone settled this reply already; its state is shown.',
    'composer.byRule': 'automatic',
  },
  ja: {
    'composer.title': '返信',
    'composer.modeLegend': '送信方法',
    'composer.mode.public': '公開リプライ',
    'composer.mode.dm': 'DM',
    'composer.mode.private_reply': '非公開の返信',
    'composer.op.hide': 'コメントを非表示',
    'composer.op.show': 'コメントを再表示',
    'composer.textLabel': '返信内容',
    'composer.templatesLabel': 'テンプレート',
    'composer.templatesChoose': 'テンプレートを選択…',
    'composer.templatesLoading': 'テンプレートを読み込み中…',
    'composer.templatesNone': 'このチケットに合うテンプレートはありません',
    'composer.templatesFailed': 'テンプレートを読み込めませんでした',
    'composer.templateInsert': '挿入',
    'composer.templateInserted': 'テンプレート「{name}」を挿入しました。',
    'composer.templatePreview': 'プレビュー',
    'composer.templateMissing': ({ names }) => `このチケットでは空欄になります：${names}`,
    'composer.tw.order_number_withheld_in_public': '公開リプライには注文番号を入れません。',
    'composer.tw.language_fallback': 'チケットの言語の本文がないため、別の言語の本文です。',
    'composer.var.customer_name': 'お客様の名前',
    'composer.var.customer_handle': 'お客様のハンドル',
    'composer.var.customer_honorific': 'お客様の名前',
    'composer.var.agent_name': 'あなたの名前',
    'composer.var.agent_first_name': 'あなたの名前',
    'composer.var.agent_signature': '署名',
    'composer.var.brand': 'ブランド名',
    'composer.var.order_number': '注文番号',
    'composer.var.support_hours': '営業時間',
    'composer.length': '{length} / {limit}',
    'composer.lengthTitleWeighted': 'X の数え方の文字数：日本語の文字と絵文字は 2、リンクは 23',
    'composer.lengthTitle': 'チャネルの上限に対する文字数',
    'composer.costPublic': 'この返信の X の料金は ${cost} です。リンクを含めると高くなります。',
    'composer.costWithLink': 'リンクを含むため、この返信の X の料金は ${cost} です（リンクなしなら ${without}）。',
    'composer.costDm': 'この DM の X の料金は ${cost} です。',
    'composer.checksNone': '問題は見つかりません。',
    'composer.checksSummary': ({ block, warn, info }) =>
      [block ? `送信不可 ${block} 件` : '', warn ? `要確認 ${warn} 件` : '', info ? `参考 ${info} 件` : ''].filter(Boolean).join('、') + '。',
    'composer.checksFailed': 'いまはチェックを実行できませんでした。入力を続けると再実行します。',
    'composer.sev.block': '送信不可',
    'composer.sev.warn': '要確認',
    'composer.sev.info': '参考',
    'composer.check.empty': '返信が空です。メッセージを入力してください。',
    'composer.check.length.block': ({ length, limit, channel }) =>
      length ? `${channel} の上限を超えています（${length} / ${limit}）。短くしてください。` : `${channel} の上限を超えています。短くしてください。`,
    'composer.check.length.warn': ({ length, limit, channel }) =>
      length ? `${channel} の上限に近づいています（${length} / ${limit}）。` : `${channel} の上限に近づいています。`,
    'composer.check.cost_url': ({ with_url, without_url }) =>
      with_url
        ? `リンクを含むため X の料金が $${without_url} ではなく $${with_url} になります。不要なら外してください。`
        : 'リンクを含むと X の料金が高くなります。',
    'composer.check.personal_name': 'お客様のお名前を入れてください。',
    'composer.check.personal_signature': '署名を入れてください（例：担当：佐藤、^Sato）。',
    'composer.check.copy_paste': ({ count, days }) =>
      count
        ? `過去 ${days} 日間にほかのお客様へ送った返信 ${count} 件とほぼ同じです。個別の内容にしてください。`
        : 'ほかのお客様へ送った返信とほぼ同じです。個別の内容にしてください。',
    'composer.check.selling': ({ categories }) =>
      categories ? `お困りのお客様への宣伝はやめましょう：${categories}を削除してください。` : 'お困りのお客様への宣伝はやめましょう。',
    'composer.check.pii_public': ({ types }) =>
      types ? `公開リプライに個人情報（${types}）が含まれています。DM に切り替えてください。` : '公開リプライに個人情報が含まれています。DM に切り替えてください。',
    'composer.check.pii_public_review': ({ types }) =>
      types ? `口コミへの公開返信に個人情報（${types}）が含まれています。削除してください。` : '口コミへの公開返信に個人情報が含まれています。削除してください。',
    'composer.check.symbols': ({ chars }) => (chars ? `ブランドの表記ルール外の記号：${chars}` : 'ブランドの表記ルール外の記号があります。'),
    'composer.check.emoji': ({ chars }) => (chars ? `この返信に絵文字は使えません：${chars}` : 'この返信に絵文字は使えません。'),
    'composer.selling.campaign': 'キャンペーン案内',
    'composer.selling.sale': 'セール案内',
    'composer.selling.coupon': 'クーポン案内',
    'composer.selling.discount': '割引案内',
    'composer.selling.points': 'ポイント案内',
    'composer.selling.new_product': '新商品案内',
    'composer.selling.purchase': '購入の呼びかけ',
    'composer.selling.upgrade': 'アップグレード案内',
    'composer.selling.limited_offer': '限定オファー',
    'composer.offerPii': '個人情報は公開の場に書かないでください。',
    'composer.offerCustomerPii': 'お客様が公開の場で個人情報を書いています。非公開のやり取りに切り替えられます。',
    'composer.moveToDm': 'DM に切り替える',
    'composer.moveToPrivate': '非公開の返信に切り替える',
    'composer.movedToDm': 'DM として送信します。',
    'composer.movedToPrivate': '非公開の返信として送信します。',
    'composer.dmLink': 'DM を開くリンク：',
    'composer.send': '送信',
    'composer.sending': '送信中…',
    'composer.sendHint': ({ mac }) => (mac ? '⌘ Enter' : 'Ctrl Enter'),
    'composer.queued': '返信を送信待ちにしました。状態は下に表示されます。',
    'composer.blocked': '送信していません：次のチェックに引っかかっています。',
    'composer.blockedOverride': '送信していません：次のチェックに引っかかっています。返信を直すか、理由を添えてそのまま送信してください。',
    'composer.override': 'このまま送信…',
    'composer.overrideReason': 'このまま送信する理由',
    'composer.overrideConfirm': 'このまま送信',
    'composer.overrideCancel': '戻る',
    'composer.overrideTooShort': '理由を 3 文字以上で入力してください。',
    'composer.forbidden': ({ message }) => (message ? `送信していません：${message}` : '送信していません：このチケットに返信する権限がありません。'),
    'composer.invalid': ({ message }) => (message ? `送信していません：${message}` : '送信していません：サーバーが返信を受け付けませんでした。'),
    'composer.conflict': '入力中に同僚がこのチケットに返信または変更しました。その返信は上に表示されています。下書きはそのまま残っています。',
    'composer.network': 'サーバーに接続できません。何も送信されていません。下書きは残っています。',
    'composer.serverError': ({ status }) => `サーバーが返信を受け付けられませんでした（${status}）。下書きは残っています。`,
    'composer.outboxTitle': 'このチケットからの送信',
    'composer.outboxEmpty': 'このチケットからはまだ何も送信していません。',
    'composer.outboxLabel': '返信と送信状況',
    'composer.st.PENDING': '送信待ち',
    'composer.st.SENDING': '送信中…',
    'composer.st.SENT': '送信済み',
    'composer.st.FAILED': '失敗',
    'composer.st.UNKNOWN': '不明',
    'composer.st.CANCELLED': '取り消し済み',
    'composer.deferred': '{time} までプラットフォームの再開を待っています',
    'composer.failed': '失敗：{reason}',
    'composer.failedNoReason': '失敗しました。',
    'composer.unknown': '不明：プラットフォームに届いている可能性があります。先方で確認してからお知らせください。',
    'composer.viewOn': '{channel} で見る',
    'composer.decideSent': '送信されていた',
    'composer.decideResend': 'もう一度送信',
    'composer.decideCancel': '取り消す',
    'composer.queueAgain': 'もう一度送信待ちにする',
    'composer.decided.sent': '送信済みにしました。',
    'composer.decided.resend': 'もう一度送信待ちにしました。',
    'composer.decided.cancel': '取り消しました。',
    'composer.decisionStale': 'この返信はすでにほかの人が処理しました。現在の状態を表示しています。',
    'composer.byRule': '自動',
  },
});

// ------------------------------------------------------------ small utils

/** replaceChildren, skipping the parts left out (the DOM would print a null as "null"). */
function fill(parent, ...children) {
  parent.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

function blank(text) {
  return str(text).trim() === '';
}

function excerpt(text) {
  const chars = Array.from(str(text).replace(/\s+/g, ' ').trim());
  return chars.length > EXCERPT_CHARS ? `${chars.slice(0, EXCERPT_CHARS - 1).join('')}…` : chars.join('');
}

function httpsUrl(value) {
  const safe = safeHttpUrl(value);
  return safe && safe.startsWith('https:') ? safe : null;
}

/** The reply modes a ticket's channel allows, the default first. */
function modesFor(tk) {
  const dm = tk.kind === 'dm';
  switch (tk.channel) {
    case 'x':
      return dm ? ['dm'] : ['public', 'dm'];
    case 'instagram':
    case 'facebook':
      return dm ? ['dm'] : ['public', 'private_reply'];
    default:
      return ['public'];
  }
}

function countText(n) {
  return typeof n === 'number' ? formatNumber(n) : str(n);
}

/** One check (from /lint, or a 400's details with only a code) in the page's language. */
function checkText(check, tk) {
  const p = isObject(check.params) ? check.params : {};
  const lang = getLanguage();
  const channel = tOr('channel', tk.channel) || str(tk.channel);
  switch (check.code) {
    case 'length': {
      const length = p.weighted_length ?? p.length;
      const key = check.severity === 'warn' ? 'composer.check.length.warn' : 'composer.check.length.block';
      return t(key, { length: length === undefined ? '' : countText(length), limit: countText(p.limit), channel });
    }
    case 'cost_url':
      return t('composer.check.cost_url', { with_url: str(p.with_url), without_url: str(p.without_url) });
    case 'copy_paste':
      return t('composer.check.copy_paste', { count: p.count, days: p.days });
    case 'selling':
      return t('composer.check.selling', { categories: sellingList(p.categories, lang) });
    case 'pii_public':
      return t(tk.channel === 'google' ? 'composer.check.pii_public_review' : 'composer.check.pii_public', { types: piiList(p.types, lang) });
    case 'symbols':
    case 'emoji':
      return t(`composer.check.${check.code}`, { chars: charList(p.chars, lang) });
    case 'empty':
    case 'personal_name':
    case 'personal_signature':
      return t(`composer.check.${check.code}`);
    default:
      return str(check.message) || str(check.code); // a check this page does not know yet: the server's words
  }
}

// ------------------------------------------------------------ the composer

export function createComposer({ ticket, me, onChanged }) {
  const ids = {
    title: uid('composer-title'),
    text: uid('composer-text'),
    templates: uid('composer-templates'),
    length: uid('composer-length'),
    summary: uid('composer-summary'),
    reason: uid('composer-reason'),
    reasonError: uid('composer-reason-error'),
    outboxTitle: uid('composer-outbox-title'),
    modes: uid('composer-mode'),
  };
  const draftKey = `${str(me && me.user_id)}:${ticket.id}`;
  const saved = drafts.get(draftKey);

  const s = {
    tk: ticket,
    version: ticket.version,
    modes: [],
    mode: null,
    templateId: saved ? saved.templateId : null,
    templates: null, // null: loading; [] none; 'failed'
    templatesKey: '',
    templatesSeq: 0,
    lint: null,
    lintFailed: false,
    lintSeq: 0,
    lintAbort: null,
    lintTimer: null,
    policy: null,
    busy: false,
    sendError: null, // { kind: 'blocked', checks: [{ code, severity }] } | { kind: 'message', text: () => string }
    overrideOpen: false,
    overrideInvalid: false,
    localOutbox: new Map(), // queued here, not yet in the ticket detail
    deciding: new Set(),
    lastTyping: 0,
    destroyed: false,
    lang: getLanguage(),
    rows: new Map(), // outbox item id -> { li, sig }
  };

  // ---------------------------------------------------------- the parts built once

  const title = h('h3', { id: ids.title, class: 'section-title' });
  const modeLegend = h('legend', { class: 'composer-label' });
  const modeGroup = h('div', { class: 'composer-mode-options' });
  const modeField = h('fieldset', { class: 'composer-modes', 'data-testid': 'composer-mode', id: ids.modes }, modeLegend, modeGroup);

  const templatesLabel = h('label', { class: 'composer-label', for: ids.templates });
  const templateSelect = h('select', {
    id: ids.templates,
    class: 'select select-sm composer-template-select',
    'data-testid': 'composer-templates',
    dataset: { focusKey: 'composer-templates' },
  });
  const templateInsert = h('button', {
    type: 'button',
    class: 'btn btn-sm',
    'data-testid': 'composer-template-insert',
    dataset: { focusKey: 'composer-template-insert' },
  });
  const templateInfo = h('div', { class: 'composer-template-info', 'data-testid': 'composer-template-info' });
  const templatesRow = h(
    'div',
    { class: 'composer-templates' },
    h('div', { class: 'composer-template-pick' }, templatesLabel, templateSelect, templateInsert),
    templateInfo,
  );

  const textLabel = h('label', { class: 'composer-label', for: ids.text });
  const textarea = h('textarea', {
    id: ids.text,
    class: 'textarea composer-text',
    rows: '5',
    maxlength: '10000',
    dir: 'auto',
    lang: ticket.language || null,
    'data-testid': 'composer-text',
    'aria-describedby': `${ids.length} ${ids.summary}`,
    'aria-keyshortcuts': 'Control+Enter Meta+Enter',
    dataset: { focusKey: 'composer-text' },
  });
  textarea.value = saved ? saved.text : '';

  const lengthEl = h('p', { id: ids.length, class: 'composer-length', 'data-testid': 'composer-length' });
  const costEl = h('p', { class: 'composer-cost muted', 'data-testid': 'composer-cost', hidden: true });
  const meter = h('div', { class: 'composer-meter' }, lengthEl, costEl);

  const summaryEl = h('p', { id: ids.summary, class: 'composer-checks-summary', 'aria-live': 'polite', 'data-testid': 'composer-checks-summary' });
  const checksList = h('ul', { class: 'composer-checks', 'data-testid': 'composer-checks' });
  const offerBox = h('div', { class: 'composer-offer', 'data-testid': 'composer-dm-offer', hidden: true });

  const errorBox = h('div', { class: 'composer-error', role: 'alert', 'data-testid': 'composer-error' });
  const sendButton = h('button', {
    type: 'button',
    class: 'btn btn-primary composer-send',
    'data-testid': 'composer-send',
    'aria-keyshortcuts': 'Control+Enter Meta+Enter',
    dataset: { focusKey: 'composer-send' },
  });
  const statusEl = h('p', { class: 'composer-status muted', role: 'status', 'data-testid': 'composer-status' });
  const actions = h('div', { class: 'composer-actions' }, sendButton, statusEl);

  const outboxHeading = h('h4', { id: ids.outboxTitle, class: 'composer-outbox-title' });
  const outboxEmpty = h('p', { class: 'muted small' });
  const outboxList = h('ul', { class: 'composer-outbox', 'data-testid': 'composer-outbox', 'aria-live': 'polite', 'aria-labelledby': ids.outboxTitle });
  const outboxSection = h('div', { class: 'composer-outbox-wrap' }, outboxHeading, outboxEmpty, outboxList);

  const el = h(
    'section',
    { class: 'ticket-section composer', 'data-testid': 'composer', 'aria-labelledby': ids.title, dataset: { ticketId: ticket.id } },
    title,
    h('div', { class: 'composer-box' }, modeField, templatesRow, textLabel, textarea, meter, summaryEl, checksList, offerBox, errorBox, actions),
    outboxSection,
  );

  // ---------------------------------------------------------- labels (again on a language switch)

  function relabel() {
    title.textContent = t('composer.title');
    modeLegend.textContent = t('composer.modeLegend');
    templatesLabel.textContent = t('composer.templatesLabel');
    templateInsert.textContent = t('composer.templateInsert');
    textLabel.textContent = t('composer.textLabel');
    outboxHeading.textContent = t('composer.outboxTitle');
    outboxEmpty.textContent = t('composer.outboxEmpty');
    renderSendButton();
    renderModes(true);
    renderTemplates();
    renderLint();
    renderError();
    s.rows.forEach((row) => {
      row.sig = '';
    });
    renderOutbox();
  }

  function renderSendButton() {
    sendButton.replaceChildren(
      s.busy ? t('composer.sending') : t('composer.send'),
      h('kbd', { class: 'kbd-hint', 'aria-hidden': 'true' }, t('composer.sendHint', { mac: IS_MAC })),
    );
    if (s.busy) sendButton.setAttribute('aria-disabled', 'true');
    else sendButton.removeAttribute('aria-disabled');
  }

  // ---------------------------------------------------------- modes

  function renderModes(force = false) {
    const modes = modesFor(s.tk);
    const changed = modes.join() !== s.modes.join();
    s.modes = modes;
    if (!modes.includes(s.mode)) {
      const wanted = saved && modes.includes(saved.mode) && s.mode === null ? saved.mode : modes[0];
      s.mode = wanted;
    }
    if (!changed && !force) return;
    const focusedMode = modeGroup.contains(document.activeElement) ? document.activeElement.value : null;
    modeGroup.replaceChildren(
      ...modes.map((m) => {
        const input = h('input', {
          type: 'radio',
          name: ids.modes,
          value: m,
          checked: m === s.mode,
          'data-testid': `composer-mode-${m}`,
          dataset: { focusKey: `composer-mode-${m}` },
        });
        input.addEventListener('change', () => {
          if (input.checked) setMode(m);
        });
        return h('label', { class: 'composer-mode-option' }, input, h('span', null, t(`composer.mode.${m}`)));
      }),
    );
    if (focusedMode) modeGroup.querySelector(`input[value="${CSS.escape(focusedMode)}"]`)?.focus({ preventScroll: true });
  }

  function setMode(mode, { announceIt = false } = {}) {
    if (!s.modes.includes(mode) || mode === s.mode) return;
    s.mode = mode;
    for (const input of modeGroup.querySelectorAll('input[type="radio"]')) input.checked = input.value === mode;
    clearSendError();
    saveDraft();
    loadTemplates();
    lintNow();
    if (announceIt) say(t(mode === 'dm' ? 'composer.movedToDm' : 'composer.movedToPrivate'));
  }

  // ---------------------------------------------------------- templates

  function templatesKeyFor() {
    const tk = s.tk;
    return JSON.stringify([s.mode, tk.language, tk.intent, tk.tags, tk.channel]);
  }

  async function loadTemplates() {
    const key = templatesKeyFor();
    if (key === s.templatesKey) return;
    s.templatesKey = key;
    const seq = ++s.templatesSeq;
    s.templates = null;
    renderTemplates();
    let answer;
    try {
      answer = await apiGet(
        `/api/tickets/${encodeURIComponent(s.tk.id)}/template-suggestions?mode=${encodeURIComponent(s.mode)}&limit=${TEMPLATE_LIMIT}`,
      );
    } catch (err) {
      if (s.destroyed || seq !== s.templatesSeq) return;
      s.templates = 'failed';
      s.templatesKey = ''; // try again on the next update
      renderTemplates();
      return;
    }
    if (s.destroyed || seq !== s.templatesSeq) return;
    s.templates = (isObject(answer) && Array.isArray(answer.items) ? answer.items : []).filter(
      (x) => isObject(x) && typeof x.template_id === 'string' && isObject(x.preview) && typeof x.preview.text === 'string',
    );
    renderTemplates();
  }

  function selectedTemplate() {
    if (!Array.isArray(s.templates)) return null;
    return s.templates.find((x) => x.template_id === templateSelect.value) || null;
  }

  function renderTemplates() {
    const previous = templateSelect.value;
    let options;
    if (s.templates === null) options = [h('option', { value: '' }, t('composer.templatesLoading'))];
    else if (s.templates === 'failed') options = [h('option', { value: '' }, t('composer.templatesFailed'))];
    else if (!s.templates.length) options = [h('option', { value: '' }, t('composer.templatesNone'))];
    else {
      options = [
        h('option', { value: '' }, t('composer.templatesChoose')),
        ...s.templates.map((x) => h('option', { value: x.template_id }, str(x.name) || x.template_id)),
      ];
    }
    templateSelect.replaceChildren(...options);
    if (Array.isArray(s.templates) && s.templates.some((x) => x.template_id === previous)) templateSelect.value = previous;
    const usable = Array.isArray(s.templates) && s.templates.length > 0;
    templateSelect.disabled = !usable;
    renderTemplateInfo();
  }

  function renderTemplateInfo() {
    const chosen = selectedTemplate();
    if (chosen) templateInsert.removeAttribute('aria-disabled');
    else templateInsert.setAttribute('aria-disabled', 'true');
    if (!chosen) {
      templateInfo.replaceChildren();
      templateInfo.hidden = true;
      return;
    }
    const preview = chosen.preview;
    const warnings = (Array.isArray(preview.warnings) ? preview.warnings : []).map((w) => tOr('composer.tw', w));
    const missing = Array.isArray(preview.missing) ? preview.missing.map((m) => tOr('composer.var', m)) : [];
    templateInfo.hidden = false;
    fill(
      templateInfo,
      h('p', { class: 'composer-template-preview', dir: 'auto', lang: str(preview.language) || null, 'data-testid': 'composer-template-preview' }, h('span', { class: 'sr-only' }, `${t('composer.templatePreview')}: `), preview.text),
      warnings.length || missing.length
        ? h(
            'ul',
            { class: 'composer-template-warnings', 'data-testid': 'composer-template-warnings' },
            warnings.map((w) => h('li', null, w)),
            missing.length ? h('li', null, t('composer.templateMissing', { names: list([...new Set(missing)], getLanguage()) })) : null,
          )
        : null,
    );
  }

  function insertTemplate() {
    const chosen = selectedTemplate();
    if (!chosen) return;
    const text = chosen.preview.text;
    // Predictable: an empty draft becomes the template, anything else gets it after a blank line.
    textarea.value = blank(textarea.value) ? text : `${textarea.value.replace(/\s+$/, '')}\n\n${text}`;
    s.templateId = chosen.template_id;
    templateSelect.value = '';
    renderTemplateInfo();
    textarea.focus();
    const end = textarea.value.length;
    textarea.setSelectionRange(end, end);
    onEdited();
    say(t('composer.templateInserted', { name: str(chosen.name) }));
  }

  // ---------------------------------------------------------- live checks

  function scheduleLint() {
    clearTimeout(s.lintTimer);
    s.lintTimer = setTimeout(lintNow, LINT_DELAY_MS);
  }

  async function lintNow() {
    clearTimeout(s.lintTimer);
    s.lintTimer = null;
    if (s.destroyed) return;
    if (s.lintAbort) s.lintAbort.abort();
    const abort = new AbortController();
    s.lintAbort = abort;
    const seq = ++s.lintSeq;
    let answer;
    try {
      answer = await apiSend('POST', `/api/tickets/${encodeURIComponent(s.tk.id)}/lint`, { text: textarea.value, mode: s.mode }, { signal: abort.signal });
    } catch (err) {
      if ((err && err.name === 'AbortError') || s.destroyed || seq !== s.lintSeq) return;
      s.lintFailed = true;
      renderLint();
      return;
    }
    if (s.destroyed || seq !== s.lintSeq || !isObject(answer)) return;
    s.lintAbort = null;
    s.lint = answer;
    s.lintFailed = false;
    renderLint();
  }

  function shownChecks() {
    const checks = s.lint && Array.isArray(s.lint.checks) ? s.lint.checks.filter((c) => isObject(c) && typeof c.code === 'string') : [];
    // "The reply is empty" on an untouched composer is noise; a send attempt says it.
    return blank(textarea.value) ? checks.filter((c) => c.code !== 'empty') : checks;
  }

  function renderLint() {
    const lint = s.lint;
    // Length counter: amber above 90 % of the channel's limit, red over it.
    if (lint && typeof lint.length === 'number' && typeof lint.limit === 'number' && lint.limit > 0) {
      lengthEl.hidden = false;
      lengthEl.textContent = t('composer.length', { length: formatNumber(lint.length), limit: formatNumber(lint.limit) });
      lengthEl.title = s.tk.channel === 'x' && s.mode === 'public' ? t('composer.lengthTitleWeighted') : t('composer.lengthTitle');
      lengthEl.classList.toggle('is-over', lint.length > lint.limit);
      lengthEl.classList.toggle('is-warn', lint.length <= lint.limit && lint.length > WARN_SHARE * lint.limit);
    } else {
      lengthEl.hidden = true;
    }

    // Cost on X.
    const cost = lint && typeof lint.cost_usd === 'string' ? lint.cost_usd : null;
    const urlCheck = lint && Array.isArray(lint.checks) ? lint.checks.find((c) => isObject(c) && c.code === 'cost_url') : null;
    if (cost && s.tk.channel === 'x') {
      costEl.hidden = false;
      if (s.mode !== 'public') costEl.textContent = t('composer.costDm', { cost });
      else if (urlCheck && isObject(urlCheck.params)) costEl.textContent = t('composer.costWithLink', { cost, without: str(urlCheck.params.without_url) });
      else costEl.textContent = t('composer.costPublic', { cost });
    } else {
      costEl.hidden = true;
    }

    // The checks, worst first (the server sorts them).
    const checks = shownChecks();
    checksList.replaceChildren(
      ...checks.map((c) => {
        const severity = SEVERITIES.includes(c.severity) ? c.severity : 'info';
        return h(
          'li',
          { class: `composer-check is-${severity}`, 'data-testid': 'composer-check', dataset: { code: c.code, severity } },
          h('span', { class: `chip composer-sev composer-sev-${severity}` }, t(`composer.sev.${severity}`)),
          h('span', { class: 'composer-check-text' }, checkText(c, s.tk)),
        );
      }),
    );
    checksList.hidden = checks.length === 0;
    let summary = '';
    if (s.lintFailed) summary = t('composer.checksFailed');
    else if (lint && !blank(textarea.value)) {
      const counts = { block: 0, warn: 0, info: 0 };
      for (const c of checks) counts[SEVERITIES.includes(c.severity) ? c.severity : 'info'] += 1;
      summary = checks.length ? t('composer.checksSummary', counts) : t('composer.checksNone');
    }
    // Only a changed summary is re-announced.
    if (summaryEl.textContent !== summary) summaryEl.textContent = summary;
    summaryEl.classList.toggle('is-blocked', Boolean(lint && lint.blocked && !blank(textarea.value)));

    renderOffer();
  }

  function renderOffer() {
    const offer = s.lint && isObject(s.lint.dm_offer) ? s.lint.dm_offer : null;
    const target = offer && (offer.mode === 'dm' || offer.mode === 'private_reply') ? offer.mode : null;
    if (!target || s.mode !== 'public' || !s.modes.includes(target)) {
      offerBox.hidden = true;
      offerBox.replaceChildren();
      return;
    }
    const piiInReply = shownChecks().some((c) => c.code === 'pii_public');
    const link = httpsUrl(offer.link);
    const move = h(
      'button',
      { type: 'button', class: 'btn btn-sm', 'data-testid': 'composer-move-to-dm', dataset: { focusKey: 'composer-move-to-dm' } },
      t(target === 'dm' ? 'composer.moveToDm' : 'composer.moveToPrivate'),
    );
    move.addEventListener('click', () => {
      setMode(target, { announceIt: true });
      textarea.focus();
    });
    offerBox.hidden = false;
    fill(
      offerBox,
      h('p', null, t(piiInReply ? 'composer.offerPii' : 'composer.offerCustomerPii')),
      h('div', { class: 'composer-offer-actions' }, move),
      link
        ? h(
            'p',
            { class: 'composer-offer-link small' },
            h('span', { class: 'muted' }, t('composer.dmLink'), ' '),
            h('a', { href: link, target: '_blank', rel: 'noopener noreferrer', class: 'url', 'data-testid': 'composer-dm-link', dataset: { focusKey: 'composer-dm-link' } }, link),
          )
        : null,
    );
  }

  // ---------------------------------------------------------- sending

  function clearSendError() {
    if (!s.sendError) return;
    s.sendError = null;
    s.overrideOpen = false;
    s.overrideInvalid = false;
    renderError();
  }

  function renderError() {
    const e = s.sendError;
    // The alert region stays in place (empty when there is nothing to say) so screen readers announce it.
    if (!e) {
      errorBox.replaceChildren();
      return;
    }
    if (e.kind !== 'blocked') {
      errorBox.replaceChildren(h('p', { class: 'composer-error-text' }, e.text()));
      return;
    }
    const canOverride = Boolean(s.policy && s.policy.allow_override);
    const parts = [
      h('p', { class: 'composer-error-text' }, t(canOverride ? 'composer.blockedOverride' : 'composer.blocked')),
      h(
        'ul',
        { class: 'composer-blocked', 'data-testid': 'composer-blocked' },
        e.checks.map((c) => h('li', { dataset: { code: c.code } }, checkText(c, s.tk))),
      ),
    ];
    if (canOverride && !s.overrideOpen) {
      const open = h('button', { type: 'button', class: 'btn btn-sm', 'data-testid': 'composer-override', dataset: { focusKey: 'composer-override' } }, t('composer.override'));
      open.addEventListener('click', () => {
        s.overrideOpen = true;
        renderError();
        document.getElementById(ids.reason)?.focus();
      });
      parts.push(h('div', { class: 'composer-error-actions' }, open));
    } else if (canOverride) {
      const reason = h('input', {
        id: ids.reason,
        class: 'input composer-override-reason',
        type: 'text',
        dir: 'auto',
        required: true,
        minlength: '3',
        maxlength: '500',
        autocomplete: 'off',
        'data-testid': 'composer-override-reason',
        'aria-invalid': s.overrideInvalid ? 'true' : null,
        'aria-describedby': s.overrideInvalid ? ids.reasonError : null,
        dataset: { focusKey: 'composer-override-reason' },
      });
      reason.value = s.overrideReason || '';
      reason.addEventListener('input', () => {
        s.overrideReason = reason.value;
        if (s.overrideInvalid && reason.value.trim().length >= 3) {
          s.overrideInvalid = false;
          reason.removeAttribute('aria-invalid');
          reason.removeAttribute('aria-describedby');
          document.getElementById(ids.reasonError)?.remove();
        }
      });
      const confirm = h(
        'button',
        { type: 'submit', class: 'btn btn-sm btn-danger', 'data-testid': 'composer-override-confirm', dataset: { focusKey: 'composer-override-confirm' } },
        t('composer.overrideConfirm'),
      );
      const back = h('button', { type: 'button', class: 'btn btn-sm btn-quiet', 'data-testid': 'composer-override-cancel', dataset: { focusKey: 'composer-override-cancel' } }, t('composer.overrideCancel'));
      back.addEventListener('click', () => {
        s.overrideOpen = false;
        s.overrideInvalid = false;
        renderError();
        errorBox.querySelector('[data-testid="composer-override"]')?.focus();
      });
      const form = h(
        'form',
        { class: 'composer-override-form', novalidate: true },
        h('label', { class: 'composer-label', for: ids.reason }, t('composer.overrideReason')),
        reason,
        s.overrideInvalid ? h('p', { id: ids.reasonError, class: 'composer-field-error' }, t('composer.overrideTooShort')) : null,
        h('div', { class: 'composer-error-actions' }, confirm, back),
      );
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const why = reason.value.trim();
        if (why.length < 3) {
          s.overrideInvalid = true;
          renderError();
          document.getElementById(ids.reason)?.focus();
          return;
        }
        send({ override: true, reason: why });
      });
      parts.push(form);
    }
    fill(errorBox, parts);
  }

  function showMessage(text) {
    s.sendError = { kind: 'message', text };
    s.overrideOpen = false;
    renderError();
  }

  async function send({ override = false, reason = '' } = {}) {
    if (s.busy || s.destroyed) return;
    const text = textarea.value;
    if (blank(text)) {
      s.sendError = { kind: 'blocked', checks: [{ code: 'empty', severity: 'block' }] };
      s.overrideOpen = false;
      renderError();
      textarea.focus();
      return;
    }
    const body = { version: s.version, text, mode: s.mode };
    if (s.templateId) body.template_id = s.templateId;
    if (override) {
      body.override = true;
      body.override_reason = reason;
    }
    s.busy = true;
    renderSendButton();
    say('');
    let answer;
    try {
      answer = await apiSend('POST', `/api/tickets/${encodeURIComponent(s.tk.id)}/replies`, body);
    } catch (err) {
      s.busy = false;
      if (s.destroyed) return;
      renderSendButton();
      sendFailed(err);
      return;
    }
    s.busy = false;
    if (s.destroyed) return;
    renderSendButton();
    if (isObject(answer)) {
      if (typeof answer.version === 'number') s.version = Math.max(s.version, answer.version);
      if (isObject(answer.outbox) && typeof answer.outbox.id === 'string') s.localOutbox.set(answer.outbox.id, answer.outbox);
    }
    // Words typed while the send was on its way are a new draft: keep them.
    if (textarea.value === text) {
      textarea.value = '';
      s.templateId = null;
    }
    s.overrideReason = '';
    saveDraft();
    clearSendError();
    renderOutbox();
    lintNow();
    say(t('composer.queued'));
    if (document.activeElement === sendButton || errorBox.contains(document.activeElement) || !el.contains(document.activeElement)) {
      textarea.focus({ preventScroll: true });
    }
    onChanged?.();
  }

  function sendFailed(err) {
    if (err instanceof UnauthorizedError) {
      onChanged?.(); // app.js sees the 401 on its reload and ends the session (the draft is kept for later)
      return;
    }
    if (err && err.network) {
      showMessage(() => t('composer.network'));
      return;
    }
    if (!(err instanceof ApiError)) {
      console.error(err); // a programming error: keep it visible to developers
      showMessage(() => t('composer.serverError', { status: '—' }));
      return;
    }
    const details = err.body && Array.isArray(err.body.details) ? err.body.details.filter(isObject) : [];
    const lintDetails = details.filter((d) => LINT_CODES.has(str(d.type)));
    const message = err.serverMessage;
    if (err.status === 400 && lintDetails.length) {
      s.sendError = { kind: 'blocked', checks: lintDetails.map((d) => ({ code: str(d.type), severity: 'block', message: str(d.msg) })) };
      s.overrideOpen = false;
      renderError();
      lintNow(); // the live list shows the same findings with their details
      return;
    }
    if (err.status === 400 && details.some((d) => Array.isArray(d.loc) && d.loc.includes('override_reason'))) {
      s.overrideInvalid = true;
      s.overrideOpen = true;
      renderError();
      return;
    }
    if (err.status === 403) {
      showMessage(() => t('composer.forbidden', { message }));
      return;
    }
    if (err.status === 409) {
      showMessage(() => t('composer.conflict'));
      onChanged?.();
      return;
    }
    if (err.status === 400 || err.status === 422) {
      showMessage(() => t('composer.invalid', { message }));
      return;
    }
    showMessage(() => t('composer.serverError', { status: err.status }));
  }

  // ---------------------------------------------------------- the outbox

  function outboxItems() {
    const items = new Map();
    for (const o of s.localOutbox.values()) items.set(o.id, o);
    for (const o of Array.isArray(s.tk.outbox) ? s.tk.outbox : []) {
      if (!isObject(o) || typeof o.id !== 'string') continue;
      items.set(o.id, o);
      s.localOutbox.delete(o.id);
    }
    return [...items.values()].sort((a, b) => {
      const at = str(b.created_at).localeCompare(str(a.created_at));
      return at || str(b.id).localeCompare(str(a.id));
    });
  }

  function decisionButton(item, decision, label, describedBy) {
    const b = h(
      'button',
      {
        type: 'button',
        class: decision === 'sent' ? 'btn btn-sm btn-primary' : 'btn btn-sm',
        'data-testid': `outbox-decision-${decision}`,
        'aria-disabled': s.deciding.has(item.id) ? 'true' : null,
        'aria-describedby': describedBy, // which reply: every item has the same buttons
        dataset: { focusKey: `outbox-${item.id}-${decision}` },
      },
      label,
    );
    b.addEventListener('click', () => decide(item, decision));
    return b;
  }

  function itemContent(o) {
    const status = str(o.status);
    const deferred = status === 'PENDING' && o.not_before && !Number.isNaN(Date.parse(o.not_before));
    const statusLabel = tOr('composer.st', status) || '—';
    let what;
    if (o.operation === 'hide_comment') what = t(o.hidden === false ? 'composer.op.show' : 'composer.op.hide');
    else what = tOr('composer.mode', o.mode) || str(o.mode);
    const valid = !Number.isNaN(Date.parse(o.created_at));
    const head = h(
      'div',
      { class: 'outbox-head' },
      h('span', { class: `chip outbox-status outbox-status-${status.toLowerCase() || 'unknown'}`, 'data-testid': 'outbox-status' }, statusLabel),
      what ? h('span', { class: 'chip chip-quiet' }, what) : null,
      str(o.source).startsWith('rule:') ? h('span', { class: 'chip chip-quiet' }, t('composer.byRule')) : null,
      valid ? h('time', { class: 'outbox-time muted', datetime: o.created_at, title: formatDateTimeFull(o.created_at) }, formatDateTime(o.created_at)) : null,
    );
    const textId = uid('outbox-text');
    const text = o.text ? h('p', { id: textId, class: 'outbox-text', dir: 'auto', lang: str(o.language) || null }, excerpt(o.text)) : null;
    const about = text ? textId : null;
    let detail = null;
    let buttons = [];
    if (deferred) {
      detail = h('p', { class: 'outbox-detail' }, t('composer.deferred', { time: formatDateTime(o.not_before) }));
    } else if (status === 'SENT') {
      const url = httpsUrl(o.platform_url);
      if (url) {
        detail = h(
          'p',
          { class: 'outbox-detail' },
          h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'outbox-link', dataset: { focusKey: `outbox-${o.id}-link` } }, t('composer.viewOn', { channel: tOr('channel', s.tk.channel) })),
        );
      }
    } else if (status === 'FAILED') {
      detail = h('p', { class: 'outbox-detail is-failed' }, o.reason ? t('composer.failed', { reason: str(o.reason) }) : t('composer.failedNoReason'));
      buttons = [decisionButton(o, 'resend', t('composer.queueAgain'), about)];
    } else if (status === 'UNKNOWN') {
      detail = h(
        'p',
        { class: 'outbox-detail is-unknown' },
        t('composer.unknown'),
        o.reason ? h('span', { class: 'outbox-reason muted' }, ` (${str(o.reason)})`) : null,
      );
      buttons = [
        decisionButton(o, 'sent', t('composer.decideSent'), about),
        decisionButton(o, 'resend', t('composer.decideResend'), about),
        decisionButton(o, 'cancel', t('composer.decideCancel'), about),
      ];
    }
    return [head, text, detail, buttons.length ? h('div', { class: 'outbox-actions' }, buttons) : null];
  }

  function renderOutbox() {
    const items = outboxItems();
    outboxEmpty.hidden = items.length > 0;
    const keep = new Set(items.map((o) => o.id));
    for (const [id, row] of s.rows) {
      if (!keep.has(id)) {
        row.li.remove();
        s.rows.delete(id);
      }
    }
    let cursor = outboxList.firstElementChild;
    for (const o of items) {
      let row = s.rows.get(o.id);
      if (!row) {
        row = { li: h('li', { class: 'outbox-item', 'data-testid': 'outbox-item', tabindex: '-1', dataset: { outboxId: o.id } }), sig: '' };
        s.rows.set(o.id, row);
      }
      const sig = JSON.stringify([o.status, o.not_before, o.reason, o.platform_url, o.mode, o.text, o.created_at, s.deciding.has(o.id)]);
      if (sig !== row.sig) {
        row.sig = sig;
        const active = row.li.contains(document.activeElement) ? document.activeElement : null;
        const focusKey = active && active.dataset ? active.dataset.focusKey : null;
        row.li.dataset.status = str(o.status);
        fill(row.li, itemContent(o));
        if (active) {
          const again = focusKey ? row.li.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`) : null;
          (again || row.li).focus({ preventScroll: true });
        }
      }
      if (row.li === cursor) cursor = cursor.nextElementSibling;
      else outboxList.insertBefore(row.li, cursor);
    }
  }

  async function decide(item, decision) {
    if (s.deciding.has(item.id) || s.destroyed) return;
    s.deciding.add(item.id);
    renderOutbox();
    try {
      const answer = await apiSend(
        'POST',
        `/api/tickets/${encodeURIComponent(s.tk.id)}/outbox/${encodeURIComponent(item.id)}/decision`,
        { decision },
      );
      if (s.destroyed) return;
      if (decision === 'resend' && isObject(answer) && typeof answer.id === 'string') s.localOutbox.set(answer.id, answer);
      say(t(`composer.decided.${decision}`));
    } catch (err) {
      if (s.destroyed) return;
      if (err instanceof ApiError && err.status === 409) showMessage(() => t('composer.decisionStale'));
      else sendFailed(err);
    } finally {
      s.deciding.delete(item.id);
    }
    if (s.destroyed) return;
    renderOutbox();
    onChanged?.();
  }

  // ---------------------------------------------------------- typing, drafts, announcements

  function saveDraft() {
    if (blank(textarea.value) && !s.templateId) drafts.delete(draftKey);
    else drafts.set(draftKey, { text: textarea.value, mode: s.mode, templateId: s.templateId });
  }

  function typing() {
    const now = Date.now();
    if (now - s.lastTyping < TYPING_EVERY_MS) return;
    s.lastTyping = now;
    apiSend('PUT', `/api/tickets/${encodeURIComponent(s.tk.id)}/presence`, { state: 'typing' }).catch(() => {});
  }

  function onEdited() {
    if (blank(textarea.value)) s.templateId = null;
    if (!s.busy) say('');
    clearSendError();
    saveDraft();
    scheduleLint();
  }

  let sayTimer = null;
  function say(message) {
    clearTimeout(sayTimer);
    statusEl.textContent = '';
    if (!message) return;
    // A fresh text node after a tick, so the same words are announced again.
    sayTimer = setTimeout(() => {
      statusEl.textContent = message;
    }, 60);
  }

  // ---------------------------------------------------------- events

  textarea.addEventListener('input', () => {
    onEdited();
    if (!blank(textarea.value)) typing();
  });
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  templateSelect.addEventListener('change', renderTemplateInfo);
  templateInsert.addEventListener('click', insertTemplate);
  sendButton.addEventListener('click', () => send());

  // ---------------------------------------------------------- start

  async function loadPolicy() {
    try {
      const policy = await apiGet('/api/settings/replies');
      if (s.destroyed || !isObject(policy)) return;
      s.policy = policy;
      if (s.sendError && s.sendError.kind === 'blocked') renderError();
    } catch {
      /* unknown policy: no override is offered; the server still decides */
    }
  }

  function update(tk) {
    if (!isObject(tk) || tk.id !== s.tk.id) return;
    s.tk = tk;
    if (typeof tk.version === 'number') s.version = Math.max(s.version, tk.version);
    if (tk.language) textarea.setAttribute('lang', tk.language);
    if (s.lang !== getLanguage()) {
      s.lang = getLanguage();
      relabel();
    } else {
      renderModes();
    }
    renderOutbox();
    loadTemplates();
  }

  s.version = ticket.version;
  renderModes(true);
  relabel();
  loadPolicy();
  loadTemplates();
  lintNow();

  return {
    el,
    update,
    focus() {
      textarea.focus();
      if (textarea.selectionStart === 0 && textarea.selectionEnd === 0 && textarea.value) {
        const end = textarea.value.length;
        textarea.setSelectionRange(end, end);
      }
    },
    destroy() {
      s.destroyed = true;
      clearTimeout(s.lintTimer);
      clearTimeout(sayTimer);
      if (s.lintAbort) s.lintAbort.abort();
      saveDraft();
    },
  };
}
