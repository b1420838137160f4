// Mentiondesk agent UI — strings and locale-aware formatting.
// Every user-visible string lives in DICT; values are either templates with
// {name} placeholders or functions of the params object (for plurals).

const DICT = {
  en: {
    skipToContent: 'Skip to content',
    noscript: 'Mentiondesk needs JavaScript.',
    navLabel: 'Main',
    navInbox: 'Inbox',
    languageLabel: 'Display language',
    signOut: 'Sign out',
    currentUser: 'Signed in as {name}, {role}',

    signInTitle: 'Sign in to Mentiondesk',
    signInLead: 'Handle customer posts from X, Instagram and Facebook in one shared inbox.',
    devModeNote: 'Development sign-in — no password is checked. Never enable this in production.',
    emailLabel: 'Work email',
    emailPlaceholder: 'you@example.com',
    signIn: 'Sign in',
    signingIn: 'Signing in…',
    demoUsers: 'Demo users',
    demoUsersHint: 'Sign in with one click as:',
    cognitoLead: 'You will be sent to your organisation’s sign-in page.',
    signInWithCognito: 'Continue to sign-in',
    redirecting: 'Redirecting to sign-in…',
    completingSignIn: 'Completing sign-in…',
    loadingConfig: 'Loading…',

    inboxTitle: 'Inbox',
    statusFilter: 'Status',
    loading: 'Loading…',
    loadMore: 'Load more',
    loadingMore: 'Loading more…',
    emptyInbox: 'No tickets with this status.',
    showingCount: ({ n }) => (n === 1 ? '1 ticket' : `${n} tickets`),
    newTickets: ({ n }) => (n === 1 ? '1 new ticket' : `${n} new tickets`),
    unread: 'Unread',
    unassigned: 'Unassigned',
    messagesCount: ({ n }) => (n === 1 ? '1 message' : `${n} messages`),
    verified: 'Verified account',
    rating: '{n} of 5 stars',
    followers: ({ n }) => `${n} followers`,
    lastActivity: 'Last activity {time}',

    'status.open': 'Open',
    'status.pending': 'Pending',
    'status.resolved': 'Resolved',
    'status.closed': 'Closed',
    'status.all': 'All',

    'sentiment.positive': 'Positive',
    'sentiment.neutral': 'Neutral',
    'sentiment.negative': 'Negative',
    'sentiment.none': 'Not classified',

    'lang.ja': 'Japanese',
    'lang.en': 'English',
    'lang.none': 'Language unknown',

    'triage.pending': 'Triage pending',
    'triage.done': 'Triaged',
    'triage.failed': 'Triage failed',

    'kind.mention': 'Mention',
    'kind.reply': 'Reply',
    'kind.dm': 'DM',
    'kind.quote': 'Quote',
    'kind.comment': 'Comment',
    'kind.review': 'Review',
    'kind.post': 'Keyword post',

    'channel.x': 'X',
    'channel.instagram': 'Instagram',
    'channel.facebook': 'Facebook',
    'channel.google': 'Google reviews',

    'role.admin': 'Admin',
    'role.supervisor': 'Supervisor',
    'role.agent': 'Agent',
    'role.finance': 'Finance',

    selectTicket: 'Select a ticket to read the conversation.',
    shortcutsTitle: 'Keyboard shortcuts',
    shortcutMove: 'next / previous ticket',
    shortcutOpen: 'open the selected ticket',
    shortcutBack: 'back to the list',
    shortcutReply: 'reply',
    shortcutAssign: 'assign to me',
    shortcutResolve: 'resolve',
    navSettings: 'Settings',
    viewsLabel: 'Views',
    correctTitle: 'Labels wrong? Correct them (this teaches your model)',
    correctSave: 'Save labels',
    labelsCorrected: 'Labels corrected.',
    'view.all': 'All',
    'view.mine': 'Mine',
    'view.team': 'My team',
    'view.unassigned': 'Unassigned',
    'view.sla_at_risk': 'SLA at risk',
    filtersTitle: 'Filters and search',
    filterAny: 'Any',
    searchLabel: 'Search',
    searchPlaceholder: 'Words in the subject or latest message',
    actionsLabel: 'Ticket actions',
    actionAssignMe: 'Assign to me',
    actionUnassign: 'Give back',
    actionResolve: 'Resolve',
    actionPending: 'Wait for customer',
    actionReopen: 'Reopen',
    staleTicket: 'A colleague changed this ticket a moment ago. It now shows their change; check it and try again.',
    assignedToYou: 'Assigned to you.',
    unassignedDone: 'Given back to the team queue.',
    statusChanged: 'Status: {status}.',
    ticketUpdated: 'Ticket updated.',
    presenceViewing: '{name} is viewing',
    presenceTyping: '{name} is typing…',
    notesTitle: 'Private notes',
    noNotes: 'No notes yet. Notes are never sent to the customer.',
    noteLabel: 'Add a private note (@name notifies a colleague)',
    noteAdd: 'Add note',
    noteAdded: 'Note added.',
    otherTickets: 'This customer’s other tickets',
    noOtherTickets: 'No other tickets.',
    backToInbox: 'Back to inbox',
    closeTicket: 'Close',
    ticketLoading: 'Loading ticket…',
    ticketNotFound: 'This ticket could not be found.',

    metaStatus: 'Status',
    metaAssignee: 'Assignee',
    metaSentiment: 'Sentiment',
    metaIntent: 'Intent',
    metaUrgency: 'Urgency',
    metaPii: 'Personal data',
    metaSla: 'SLA',
    metaPriority: 'Priority',
    metaTags: 'Tags',
    'priority.low': 'Low priority',
    'priority.normal': 'Normal',
    'priority.high': 'High priority',
    'priority.urgent': 'Urgent',
    'metric.first_response': 'First response',
    'metric.next_response': 'Next response',
    'metric.resolution': 'Resolution',
    slaLeft: '{time} left',
    slaOver: '{time} overdue',
    slaDueAt: 'Due {time}',
    slaMet: 'Met',
    slaMissed: 'Missed',
    slaClosed: 'Closed without a reply',
    slaPaused: 'Paused (waiting on the customer)',
    durMinutes: '{n}m',
    durHours: ({ h, m }) => (m ? `${h}h ${m}m` : `${h}h`),
    durDays: '{n}d',
    ruleMatched: 'Matched rule keyword “{keyword}”',
    'intent.praise': 'Praise',
    'intent.question': 'Question',
    'intent.problem': 'Problem',
    'intent.complaint': 'Complaint',
    'intent.request': 'Request',
    'intent.other': 'Other',
    'urgency.high': 'Urgent',
    'urgency.normal': 'Normal',
    'urgency.low': 'Low',
    'pii.phone': 'phone number',
    'pii.email': 'email',
    'pii.postal_address': 'postal address',
    'pii.card_number': 'card number',
    'pii.order_number': 'order number',
    'pii.full_name': 'full name',
    metaLanguage: 'Language',
    metaTriage: 'Triage',
    metaTeam: 'Team',
    metaChannel: 'Channel',
    metaCreated: 'Created',
    metaUpdated: 'Last activity',
    metaTicketId: 'Ticket ID',

    conversation: 'Conversation',
    activity: 'Activity',
    noMessages: 'No messages yet.',
    noEvents: 'No activity yet.',
    openPost: 'Post:',
    unsafeLink: '(not a web link, not opened)',
    attachments: 'Attachments',
    'media.photo': 'Photo',
    'media.video': 'Video',
    'media.animated_gif': 'GIF',
    inReplyTo: 'In reply to {id}',
    'direction.inbound': 'Customer',
    'direction.outbound': 'Team',

    'event.ticket_created': 'Ticket created',
    'event.message_received': 'Message received',
    'event.classified': 'Classified automatically',
    'event.assigned': ({ name }) => (name ? `Assigned to ${name}` : 'Assigned'),
    'event.queued': ({ team }) => (team ? `Placed in the ${team} queue` : 'Placed in the queue'),
    'event.triage_failed': 'Automatic triage failed',
    'event.rule_fired': 'Rule “{name}” applied',
    'event.rule_action_failed': 'A rule action failed: {action}',
    'event.rule_notified': 'Rule notification sent ({channel})',
    'event.sla_reminder': ({ metric }) => `SLA reminder: ${metric}`,
    'event.sla_breached': ({ metric }) => `SLA missed: ${metric}`,
    'event.sla_escalated': ({ metric, level }) => `SLA escalation level ${level}: ${metric}`,
    'event.status_changed': 'Status changed to {to}',
    'event.ticket_reopened': 'Reopened by a new message',
    eventMatched: 'Matched: {words}',
    'event.unknown': 'Event: {type}',
    eventSentiment: 'Sentiment: {value}',
    eventLanguage: 'Language: {value}',
    eventStrategy: 'Method: {value}',
    eventReason: 'Reason: {value}',
    eventScores: 'Scores',
    eventBy: 'by {actor}',
    'strategy.round_robin': 'round robin',
    'strategy.least_busy': 'least busy',
    'strategy.manual': 'manual',
    'strategy.load_balanced': 'load balanced',
    'strategy.returning_customer': 'returning customer',
    'strategy.rule': 'by a rule',
    'actor.system': 'System',
    'actor.you': 'you',

    dismiss: 'Dismiss',
    retry: 'Try again',
    justNow: 'just now',
    errorPrefix: 'Error',
    errorNetwork: 'Cannot reach the server. Retrying automatically…',
    errorServer: ({ status, message }) =>
      message ? `The server returned an error (${status}): ${message}` : `The server returned an error (${status}).`,
    errorConfig: 'Could not load the sign-in settings.',
    errorStart: 'Could not load your account.',
    errorSignIn: ({ message }) => (message ? `Sign-in failed: ${message}` : 'Sign-in failed.'),
    errorEmailRequired: 'Enter an email address.',
    errorState: 'Sign-in could not be verified (the state did not match). Please sign in again.',
    errorCognito: ({ message }) => `Sign-in was not completed: ${message}`,
    errorCognitoConfig: 'Sign-in is not configured correctly (identity provider settings are missing).',
    errorCrypto: 'This browser cannot sign in securely here (needs HTTPS).',
    sessionExpired: 'Your session has ended. Please sign in again.',
    signedOut: 'You have signed out.',
  },

  ja: {
    skipToContent: '本文へスキップ',
    noscript: 'Mentiondesk を使うには JavaScript が必要です。',
    navLabel: 'メイン',
    navInbox: '受信箱',
    languageLabel: '表示言語',
    signOut: 'サインアウト',
    currentUser: '{name}（{role}）としてサインイン中',

    signInTitle: 'Mentiondesk にサインイン',
    signInLead: 'X・Instagram・Facebook のお客様の投稿を、ひとつの共有受信箱で対応します。',
    devModeNote: '開発用サインインです。パスワードは確認されません。本番環境では有効にしないでください。',
    emailLabel: '仕事用メールアドレス',
    emailPlaceholder: 'you@example.com',
    signIn: 'サインイン',
    signingIn: 'サインインしています…',
    demoUsers: 'デモユーザー',
    demoUsersHint: 'ワンクリックでサインイン：',
    cognitoLead: '組織のサインインページに移動します。',
    signInWithCognito: 'サインインへ進む',
    redirecting: 'サインインページへ移動しています…',
    completingSignIn: 'サインインを完了しています…',
    loadingConfig: '読み込み中…',

    inboxTitle: '受信箱',
    statusFilter: 'ステータス',
    loading: '読み込み中…',
    loadMore: 'さらに読み込む',
    loadingMore: '読み込み中…',
    emptyInbox: 'このステータスのチケットはありません。',
    showingCount: ({ n }) => `${n} 件`,
    newTickets: ({ n }) => `新しいチケットが ${n} 件あります`,
    unread: '未読',
    unassigned: '未割り当て',
    messagesCount: ({ n }) => `メッセージ ${n} 件`,
    verified: '認証済みアカウント',
    rating: '星{n}つ（5段階）',
    followers: ({ n }) => `フォロワー ${n}`,
    lastActivity: '最終更新 {time}',

    'status.open': '未対応',
    'status.pending': '保留中',
    'status.resolved': '解決済み',
    'status.closed': 'クローズ',
    'status.all': 'すべて',

    'sentiment.positive': 'ポジティブ',
    'sentiment.neutral': 'ニュートラル',
    'sentiment.negative': 'ネガティブ',
    'sentiment.none': '未分類',

    'lang.ja': '日本語',
    'lang.en': '英語',
    'lang.none': '言語不明',

    'triage.pending': '自動判定中',
    'triage.done': '判定済み',
    'triage.failed': '自動判定に失敗',

    'kind.mention': 'メンション',
    'kind.reply': 'リプライ',
    'kind.dm': 'DM',
    'kind.quote': '引用',
    'kind.comment': 'コメント',
    'kind.review': 'クチコミ',
    'kind.post': 'キーワード投稿',

    'channel.x': 'X',
    'channel.instagram': 'Instagram',
    'channel.facebook': 'Facebook',
    'channel.google': 'Google クチコミ',

    'role.admin': '管理者',
    'role.supervisor': 'スーパーバイザー',
    'role.agent': 'エージェント',
    'role.finance': '経理',

    selectTicket: 'チケットを選ぶと会話が表示されます。',
    shortcutsTitle: 'キーボードショートカット',
    shortcutMove: '次 / 前のチケット',
    shortcutOpen: '選択中のチケットを開く',
    shortcutBack: '一覧に戻る',
    shortcutReply: '返信',
    shortcutAssign: '自分に割り当て',
    shortcutResolve: '解決',
    navSettings: '設定',
    viewsLabel: '表示',
    correctTitle: '分類が違う場合は修正（あなたのチームのモデルが学習します）',
    correctSave: '分類を保存',
    labelsCorrected: '分類を修正しました。',
    'view.all': 'すべて',
    'view.mine': '自分の担当',
    'view.team': '自分のチーム',
    'view.unassigned': '未割り当て',
    'view.sla_at_risk': 'SLA 期限が近い',
    filtersTitle: '絞り込みと検索',
    filterAny: 'すべて',
    searchLabel: '検索',
    searchPlaceholder: '件名・最新メッセージの語句',
    actionsLabel: 'チケットの操作',
    actionAssignMe: '自分に割り当て',
    actionUnassign: '担当を外す',
    actionResolve: '解決',
    actionPending: 'お客様の返答待ち',
    actionReopen: '再オープン',
    staleTicket: '他の担当者がたった今このチケットを変更しました。変更後の内容を表示しています。確認してからもう一度操作してください。',
    assignedToYou: 'あなたに割り当てました。',
    unassignedDone: 'チームのキューに戻しました。',
    statusChanged: 'ステータス：{status}',
    ticketUpdated: 'チケットを更新しました。',
    presenceViewing: '{name} さんが閲覧中',
    presenceTyping: '{name} さんが入力中…',
    notesTitle: '社内メモ',
    noNotes: 'メモはまだありません。メモはお客様には送信されません。',
    noteLabel: '社内メモを追加（@名前 で同僚に通知）',
    noteAdd: 'メモを追加',
    noteAdded: 'メモを追加しました。',
    otherTickets: 'このお客様の他のチケット',
    noOtherTickets: '他のチケットはありません。',
    backToInbox: '受信箱に戻る',
    closeTicket: '閉じる',
    ticketLoading: 'チケットを読み込み中…',
    ticketNotFound: 'このチケットは見つかりませんでした。',

    metaStatus: 'ステータス',
    metaAssignee: '担当者',
    metaSentiment: '感情',
    metaIntent: '意図',
    metaUrgency: '緊急度',
    metaPii: '個人情報',
    metaSla: 'SLA',
    metaPriority: '優先度',
    metaTags: 'タグ',
    'priority.low': '優先度 低',
    'priority.normal': '通常',
    'priority.high': '優先度 高',
    'priority.urgent': '最優先',
    'metric.first_response': '初回応答',
    'metric.next_response': '次回応答',
    'metric.resolution': '解決',
    slaLeft: '残り{time}',
    slaOver: '{time}超過',
    slaDueAt: '期限 {time}',
    slaMet: '達成',
    slaMissed: '未達',
    slaClosed: '返信せずにクローズ',
    slaPaused: '一時停止中（お客様の返信待ち）',
    durMinutes: '{n}分',
    durHours: ({ h, m }) => (m ? `${h}時間${m}分` : `${h}時間`),
    durDays: '{n}日',
    ruleMatched: 'ルールのキーワード「{keyword}」に一致',
    'intent.praise': '称賛',
    'intent.question': '質問',
    'intent.problem': '不具合',
    'intent.complaint': '苦情',
    'intent.request': '要望',
    'intent.other': 'その他',
    'urgency.high': '至急',
    'urgency.normal': '通常',
    'urgency.low': '低',
    'pii.phone': '電話番号',
    'pii.email': 'メールアドレス',
    'pii.postal_address': '住所',
    'pii.card_number': 'カード番号',
    'pii.order_number': '注文番号',
    'pii.full_name': '氏名',
    metaLanguage: '言語',
    metaTriage: '自動判定',
    metaTeam: 'チーム',
    metaChannel: 'チャネル',
    metaCreated: '作成日時',
    metaUpdated: '最終更新',
    metaTicketId: 'チケット ID',

    conversation: '会話',
    activity: '履歴',
    noMessages: 'メッセージはまだありません。',
    noEvents: '履歴はまだありません。',
    openPost: '投稿：',
    unsafeLink: '（Web のリンクではないため開けません）',
    attachments: '添付',
    'media.photo': '写真',
    'media.video': '動画',
    'media.animated_gif': 'GIF',
    inReplyTo: '{id} への返信',
    'direction.inbound': 'お客様',
    'direction.outbound': 'チーム',

    'event.ticket_created': 'チケットが作成されました',
    'event.message_received': 'メッセージを受信しました',
    'event.classified': '自動分類されました',
    'event.assigned': ({ name }) => (name ? `${name} さんに割り当てられました` : '割り当てられました'),
    'event.queued': ({ team }) => (team ? `${team} キューに追加されました` : 'キューに追加されました'),
    'event.triage_failed': '自動判定に失敗しました',
    'event.rule_fired': 'ルール「{name}」を適用しました',
    'event.rule_action_failed': 'ルールの処理に失敗しました: {action}',
    'event.rule_notified': 'ルールの通知を送信しました（{channel}）',
    'event.sla_reminder': ({ metric }) => `SLAリマインダー: ${metric}`,
    'event.sla_breached': ({ metric }) => `SLA未達: ${metric}`,
    'event.sla_escalated': ({ metric, level }) => `SLAエスカレーション レベル${level}: ${metric}`,
    'event.status_changed': 'ステータスを「{to}」に変更しました',
    'event.ticket_reopened': '新しいメッセージで再オープンしました',
    eventMatched: '一致: {words}',
    'event.unknown': 'イベント：{type}',
    eventSentiment: '感情：{value}',
    eventLanguage: '言語：{value}',
    eventStrategy: '方式：{value}',
    eventReason: '理由：{value}',
    eventScores: 'スコア',
    eventBy: '実行者：{actor}',
    'strategy.round_robin': 'ラウンドロビン',
    'strategy.least_busy': '対応数が最少の担当者',
    'strategy.manual': '手動',
    'strategy.load_balanced': '負荷分散',
    'strategy.returning_customer': '前回の担当者',
    'strategy.rule': 'ルールによる割り当て',
    'actor.system': 'システム',
    'actor.you': 'あなた',

    dismiss: '閉じる',
    retry: '再試行',
    justNow: 'たった今',
    errorPrefix: 'エラー',
    errorNetwork: 'サーバーに接続できません。自動的に再試行しています…',
    errorServer: ({ status, message }) =>
      message ? `サーバーでエラーが発生しました（${status}）：${message}` : `サーバーでエラーが発生しました（${status}）。`,
    errorConfig: 'サインイン設定を読み込めませんでした。',
    errorStart: 'アカウント情報を読み込めませんでした。',
    errorSignIn: ({ message }) => (message ? `サインインできませんでした：${message}` : 'サインインできませんでした。'),
    errorEmailRequired: 'メールアドレスを入力してください。',
    errorState: 'サインインを確認できませんでした（state が一致しません）。もう一度サインインしてください。',
    errorCognito: ({ message }) => `サインインが完了しませんでした：${message}`,
    errorCognitoConfig: 'サインインの設定が正しくありません（認証プロバイダーの設定がありません）。',
    errorCrypto: 'このブラウザーではここから安全にサインインできません（HTTPS が必要です）。',
    sessionExpired: 'セッションが終了しました。もう一度サインインしてください。',
    signedOut: 'サインアウトしました。',
  },
};

export const LANGUAGES = [
  { code: 'ja', label: '日本語' },
  { code: 'en', label: 'English' },
];

const LANG_KEY = 'md.lang';
const DEFAULT_TZ = 'Asia/Tokyo';

let current = 'en';
let timeZone = DEFAULT_TZ;
let formatters = new Map();

function storageGet(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function storageSet(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* storage disabled: the choice just is not remembered */
  }
}

export function initLanguage() {
  const saved = storageGet(LANG_KEY);
  if (saved === 'ja' || saved === 'en') {
    current = saved;
  } else {
    const nav = (navigator.languages && navigator.languages[0]) || navigator.language || '';
    current = nav.toLowerCase().startsWith('ja') ? 'ja' : 'en';
  }
  document.documentElement.lang = current;
  return current;
}

export function getLanguage() {
  return current;
}

export function setLanguage(code) {
  if (code !== 'ja' && code !== 'en') return;
  current = code;
  formatters = new Map();
  storageSet(LANG_KEY, code);
  document.documentElement.lang = code;
}

/**
 * Add a feature module's own strings ({en: {...}, ja: {...}}), so each module keeps its words beside
 * its code. A key defined twice is a mistake and throws at start-up.
 */
export function addStrings(dict) {
  for (const code of ['en', 'ja']) {
    for (const [key, value] of Object.entries(dict[code] || {})) {
      if (key in DICT[code]) throw new Error(`string ${key} defined twice`);
      DICT[code][key] = value;
    }
  }
}

/** Translate `key`; unknown keys fall back to English, then to the key itself. */
export function t(key, params = {}) {
  let value = DICT[current][key];
  if (value === undefined) value = DICT.en[key];
  if (value === undefined) return key;
  if (typeof value === 'function') return value(params);
  return value.replace(/\{(\w+)\}/g, (_, name) => (params[name] === undefined ? '' : String(params[name])));
}

/** Translate a "namespace.value" key if it exists, otherwise return the raw value. */
export function tOr(prefix, value) {
  if (value === null || value === undefined || value === '') return '';
  const key = `${prefix}.${value}`;
  if (key in DICT[current] || key in DICT.en) return t(key);
  return String(value);
}

export function setTimeZone(tz) {
  if (typeof tz !== 'string' || !tz) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    timeZone = tz;
    formatters = new Map();
  } catch {
    /* invalid zone from the server: keep the default */
  }
}

export function getTimeZone() {
  return timeZone;
}

function locale() {
  return current === 'ja' ? 'ja-JP' : 'en-GB';
}

function formatter(name, make) {
  let f = formatters.get(name);
  if (!f) {
    f = make(locale());
    formatters.set(name, f);
  }
  return f;
}

function toDate(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "23 Nov 2026, 18:00" / "2026/11/23 18:00" in the team time zone. */
export function formatDateTime(iso) {
  const d = toDate(iso);
  if (!d) return '';
  return formatter('dt', (loc) =>
    new Intl.DateTimeFormat(loc, { timeZone, dateStyle: 'medium', timeStyle: 'short' }),
  ).format(d);
}

/** Full date and time including seconds and the zone name (for tooltips). */
export function formatDateTimeFull(iso) {
  const d = toDate(iso);
  if (!d) return '';
  return formatter('dtfull', (loc) =>
    new Intl.DateTimeFormat(loc, {
      timeZone,
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'short',
    }),
  ).format(d);
}

function sameYearInZone(a, b) {
  const f = formatter('year', (loc) => new Intl.DateTimeFormat(loc, { timeZone, year: 'numeric' }));
  return f.format(a) === f.format(b);
}

/** Relative time for recent events ("5 min ago"), short absolute date after a day. */
export function formatRelative(iso, now = Date.now()) {
  const d = toDate(iso);
  if (!d) return '';
  const seconds = Math.round((now - d.getTime()) / 1000);
  if (seconds < 45) return t('justNow');
  const rtf = formatter('rel', (loc) => new Intl.RelativeTimeFormat(loc, { numeric: 'auto', style: 'short' }));
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return rtf.format(-minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 24) return rtf.format(-hours, 'hour');
  if (sameYearInZone(d, new Date(now))) {
    return formatter('short', (loc) =>
      new Intl.DateTimeFormat(loc, { timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }),
    ).format(d);
  }
  return formatter('date', (loc) => new Intl.DateTimeFormat(loc, { timeZone, dateStyle: 'medium' })).format(d);
}

export function formatNumber(n, options) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '';
  const key = `num:${JSON.stringify(options || {})}`;
  return formatter(key, (loc) => new Intl.NumberFormat(loc, options)).format(n);
}

export function formatCompact(n) {
  return formatNumber(n, { notation: 'compact', maximumFractionDigits: 1 });
}
