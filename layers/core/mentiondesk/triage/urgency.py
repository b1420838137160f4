"""Urgency of a customer post: high, normal or low.

``high`` (DESIGN.md): an outage or the author is blocked now, money lost, safety, something
time-critical today, account security, or anger likely to spread. ``low``: praise, chit-chat and
suggestions with nothing at stake. Everything else a person should answer in the normal course is
``normal``.

Evidence comes from situation cues (money: 二重請求, charged twice; security: 乗っ取り, hacked;
safety: 発火, smoke; outage: 障害, is down; anger that spreads: 拡散, 消費者センター, lawyer), from
time cues that only count next to a problem (今日中, 至急, my flight leaves in an hour), from the
post's intent probabilities (praise and chit-chat are low, problems and complaints normal) and, in
public channels, from very strong negative sentiment. A softmax turns the three totals into
probabilities.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from mentiondesk.triage.intent import Cue, CueTable, IntentResult, round_to_one
from mentiondesk.triage.normalize import PLACEHOLDER_RE
from mentiondesk.triage.sentiment import SentimentResult

Urgency = Literal["high", "normal", "low"]
URGENCIES: tuple[Urgency, ...] = ("high", "normal", "low")

# Channels where the post is private: anger there does not spread.
PRIVATE_CHANNELS = frozenset({"x_dm", "instagram_dm", "facebook_dm", "messenger", "dm", "email"})

# Tags: money, security, safety, outage (high on their own), spread (high in public), fury (high in
# public with very strong anger), now (high only next to a problem, complaint or question), calm.
_LEXICON = """
[money]
3.0 | 二重請求 | 二重に請求 | 二重引き落とし | 二重に引き落と | 2重請求 | 2回請求 | 2回引き落と | 二回請求
3.0 | 二回引き落と | 身に覚えのない請求 | 身に覚えのない引き落とし | 身に覚えのない決済 | 身に覚えのない課金
3.0 | 不正利用 | 不正請求 | 勝手に課金 | 勝手に引き落と | 過剰請求 | 多く請求 | 請求が2回 | 請求が二重
3.0 | 引き落とされ | 手数料を取られ | お金を取られ | 料金を取られ | 二重決済 | 2回決済 | 決済が2回
2.0 | 返金されない | 返金されていない | 返金されてない | 返金されません | 返金がない | お金が戻 | 返金してください
2.0 | 払い戻しされ | 返金して
3.0 | charged twice | double charged | charged me twice | billed twice | double charge | unauthorized charge
3.0 | unauthorised charge | fraudulent charge | fraudulent charges | unauthorized transaction | stolen card
3.0 | took my money | money taken | charged for something | used my card | never made | didn't make
3.0 | didn't order | never ordered
2.0 | overcharged | not refunded | no refund | still no refund | haven't been refunded | never refunded

[security]
3.5 | 乗っ取 | 不正ログイン | 不正アクセス | 身に覚えのないログイン | なりすまし | ハッキング | ハックされ
3.5 | パスワードが勝手に | 勝手にパスワード | 勝手にログイン | フィッシング | 個人情報が漏 | 情報漏洩 | 流出
3.5 | 垢乗っ取 | 知らない端末 | 勝手に投稿 | 勝手に開け | 勝手に入ら | 勝手に部屋 | アカウントが停止
2.5 | 本物ですか | 偽物ですか | 詐欺メール | 偽メール
3.5 | hacked | hacker | compromised | someone logged into | someone accessed | unauthorized access
3.5 | unauthorized login | phishing | password was changed | identity theft | data breach | account takeover
3.5 | someone else logged

[safety]
3.5 | 発火 | 火が出 | 火花 | 煙が | 煙出 | 焦げ臭 | 焦げくさ | 爆発 | 破裂 | 感電 | 漏電 | ガス漏れ | 怪我 | けが
3.5 | ケガ | 火傷 | やけど | 異物 | 食中毒 | アレルギー | 救急 | 蕁麻疹 | じんましん | 吐き気 | 嘔吐 | 体調不良
3.5 | 熱くなって | 膨らんで | 膨張 | 混入 | 片が入 | 腫れ | 湿疹 | かぶれ
2.5 | 危険 | 危な | 腹痛 | お腹を壊 | お腹壊 | 血が | 病院 | ヒリヒリ | 真っ赤 | 肌荒れ | 怖すぎ
3.5 | fire | caught fire | on fire | smoke | smoking | sparks | sparking | exploded | explode | burned | burnt
3.5 | injured | injury | allergic | allergy | food poisoning | choking | electric shock | gas leak | overheating
3.5 | overheated | melted | ambulance | bleeding | hospitalized | rash | swollen | burning smell
2.5 | leaking water | flooding | flooded
2.5 | unsafe | dangerous | burn | hurt | sick | hospital
0 | no smoking | non smoking | smoking room | hot dog | fire tv | smoke alarm test | sick of | sick and tired

[outage]
3.0 | 通信障害 | システム障害 | 鯖落ち | サーバー落ち | 全く繋がらない | 全く使えない | 全然繋がらない
3.0 | 全然使えない | 一切使えない | 一切繋がらない | 開通しない | 開通しません | ログインできない | ログインできません
3.0 | ログインできず | ログイン出来ない | ログイン出来ません | 決済できない | 決済できません | 支払いできない
3.0 | 支払えない | 払えない | 払えません | 圏外 | 障害 | 止まっています | 止まってる | 閉じ込め | 繋がらなすぎ
3.0 | つながらなすぎ
2.0 | 繋がらない | つながらない | 繋がりません | つながりません | 使えない | 使えません | 動かない | 動きません
2.0 | 起動しない | 起動しません | 詰んだ | 立ち往生 | 足止め | 乗れない | 乗れません | 入れない | 入れません
2.0 | 表示されない | 表示されません | 開かない | 開きません | 止まった | 弾かれ | チャージできない | 真っ白
2.0 | 見つからない | 見つかりません | 反応しない | 反応しません | 出てこない | 出てきません
0 | 電話が繋がらない | 電話繋がらない | 電話がつながらない | 電話つながらない | 電話も繋がらない
0 | 電話もつながらない | サポートに繋がらない | 窓口に繋がらない | 繋がらないけど大丈夫 | 使えないのは残念
3.0 | outage | is down | are down | went down | server down | servers down | app down | site down | website down
3.0 | can't log in | cant log in | cannot log in | can't login | cant login | cannot login | locked out
3.0 | stranded | no internet | no service | no signal | can't access | cant access | cannot access
3.0 | can't pay | cannot pay | can't check in | cant check in | cannot check in | stuck at
2.0 | not working | doesn't work | won't work | isn't working | stopped working | won't load | keeps crashing

[spread]
3.0 | 拡散 | 晒し | 晒す | 晒します | 炎上 | 消費者センター | 消費生活センター | 国民生活センター | 消費者庁
3.0 | 弁護士 | 訴え | 訴訟 | 裁判 | 警察 | 通報 | 不買 | みんな気をつけ | 皆さん気をつけ | 皆さんも気をつけ
3.0 | 口コミに書 | レビューに書
3.0 | lawyer | attorney | sue | suing | lawsuit | legal action | better business bureau | report you
3.0 | reporting you | going viral | spread the word | everyone should know | boycott | news station | media
0 | social media

[fury]
2.0 | 許さない | 許せない | 金返せ | ふざけるな | ふざけんな | 激怒 | ブチギレ | 詐欺 | 二度と | 最悪
2.0 | furious | livid | outraged | disgusting | unacceptable | scam | never again | worst

[now]
3.0 | 至急 | 大至急 | 急ぎ | 急いで | 今すぐ | すぐに対応 | 今日中 | 本日中 | 今夜中 | 間に合わない | 間に合いません
3.0 | 間に合わ | 今日の便 | 今日のフライト | 本日の便 | 出発まで | 搭乗 | 締め切り | 締切 | 期限が今日 | 今日まで
3.0 | まであと | 開演 | 出番 | 入場列 | 並んでる | 並んでます | 並んでいる | 後ろに人 | 来ちゃう | 目の前で
3.0 | 乗り遅れ | で出発 | 出発なのに
2.0 | 今日 | 本日 | 今夜 | 今晩 | 今朝 | 今から | このあと | 朝から | さっきから | 先ほどから | 昨日から | 今も
2.0 | 空港 | 駅に着 | 現地 | 仕事にならない | 仕事にならん | 仕事ができない | 困っています | 困ってます | 困る
2.0 | もうすぐ | 間もなく | レジで | 改札 | フロントで | 今 | 人質
0 | 今回 | 今月 | 今年 | 今まで | 今更 | 今さら | 今週 | 今期 | 今の | 今は | 今でも | 今日も
0 | 今日は休み | 本日もありがとう | 今日からよろしく | 毎日 | 今日も遅延 | 今風 | 今頃
3.0 | urgent | urgently | asap | immediately | right now | emergency | in an hour | in 2 hours | in two hours
3.0 | in 30 minutes | leaves in | flight leaves | boarding | at the gate | about to miss | going to miss
3.0 | will miss | miss my flight | miss my connection | deadline | tonight | this morning | today | now
2.0 | at the airport | since this morning | all day | for hours | can't work | cant work | in line
0 | today's | now that | right now i'm | until now | by now

[calm]
2.0 | いつか | そのうち | 今度 | 今後 | 次回 | 将来 | 暇な時 | 急ぎません | 急ぎではない | 急ぎじゃない | 時間がある時
2.0 | お時間のある時 | お手すきの際 | ご検討 | 要望 | 提案 | 参考までに
2.0 | no rush | no hurry | whenever | someday | in the future | next time | just curious | out of curiosity | fyi
2.0 | not urgent | suggestion | feature request
"""

# "今" alone is a time cue here (今レジ前, 今改札で): no one-kanji isolation rule.
_TABLE = CueTable(_LEXICON, isolate_single_kanji=False)
_ASCII_LETTER_RE = re.compile("[a-z]")
# "あと20分", "in 15 minutes", "leaves in 1 hour": a deadline counted in minutes or hours.
_SOON_RE = re.compile(
    r"あと[0-9一二三四五六七八九十半]+(?:分|時間)|\bin (?:[0-9]+|a few|ten|twenty|thirty) (?:min|minutes|mins)\b"
)

# Evidence per tag, and how intent probabilities shift the three totals.
_DIRECT = frozenset({"money", "security", "safety", "outage"})
_NOW_NEEDS_TROUBLE = 0.6  # problem + complaint + question probability at which time cues count in full
_NOW_CAP = 4.0
_NOW_WEIGHT = 0.9  # one strong time cue (今日中, boarding) makes a problem high; "today" alone does not
_SPREAD_PRIVATE = 0.3  # anger in a DM does not spread
_ANGER_NET = -5.0  # sentiment net at or below this, with a fury word, is anger likely to spread in public
_ANGER_HIGH = 3.0
# low and normal follow the intent: praise, chit-chat and wishes can wait; problems, complaints and
# questions are answered in the normal course. A clear high cue (3.0) beats a confident problem.
_NORMAL_PRIOR = 0.3
_FROM_INTENT = 2.4
_OUTAGE_CAP = 3.5
_SHARPNESS = 1.3
_MAX_CUES = 6


@dataclass(frozen=True, slots=True)
class UrgencyResult:
    """Label, probabilities over :data:`URGENCIES` (summing to 1) and the reasons ("money: 二重請求")."""

    label: Urgency
    scores: dict[str, float]
    cues: tuple[str, ...]


def detect_urgency_normalized(
    text: str, intent: IntentResult, sentiment: SentimentResult, channel: str | None = None
) -> UrgencyResult:
    """Urgency of text already passed through :func:`~mentiondesk.triage.normalize.normalize`."""
    if "<" in text:
        text = PLACEHOLDER_RE.sub(lambda m: " " * len(m.group()), text)
    has_latin = _ASCII_LETTER_RE.search(text) is not None
    hits = _TABLE.find(text, has_latin, not text.isascii())
    hits.extend(Cue("now", 3.0, m.start(), m.end(), m.group()) for m in _SOON_RE.finditer(text))
    p = intent.scores
    troubled = p["problem"] + p["complaint"]
    private = (channel or "").lower() in PRIVATE_CHANNELS

    per_tag: dict[str, float] = {}
    now_seen: set[str] = set()
    now_total = outage_total = 0.0
    reasons: list[tuple[float, str]] = []
    for hit in hits:
        if _negated(text, hit.start, hit.end):
            continue
        weight = hit.weight
        if hit.tag in _DIRECT:
            # A situation word in praise or chit-chat ("決済できないことが減った", news of a leak) is not an incident.
            weight *= min(1.0, 0.4 + troubled + 0.4 * p["question"])
        elif hit.tag == "spread":
            weight *= min(1.0, 0.3 + troubled) * (_SPREAD_PRIVATE if private else 1.0)
        elif hit.tag == "now" and hit.text not in now_seen:
            now_seen.add(hit.text)
            now_total += weight
        if hit.tag == "outage":
            outage_total += weight  # two symptoms (開かない, 動かない) are a blocked user
        per_tag[hit.tag] = max(per_tag.get(hit.tag, 0.0), weight)  # one reason per kind counts once
        reasons.append((weight, f"{hit.tag}: {hit.text}"))
    if outage_total:
        per_tag["outage"] = min(outage_total, _OUTAGE_CAP)

    high = sum(w for tag, w in per_tag.items() if tag in _DIRECT) + per_tag.get("spread", 0.0)
    # Time pressure counts next to a problem, a complaint or a question about one's own case.
    now = min(now_total, _NOW_CAP) * min(1.0, (troubled + 0.5 * p["question"]) / _NOW_NEEDS_TROUBLE)
    high += _NOW_WEIGHT * now
    if not private and troubled > 0.5:
        fury = per_tag.get("fury", 0.0)
        if fury and sentiment.net <= _ANGER_NET:
            high += _ANGER_HIGH
            reasons.append((_ANGER_HIGH, "anger"))
    calm = per_tag.get("calm", 0.0)

    low = _FROM_INTENT * (p["praise"] + p["other"] + p["request"]) + calm
    normal = _NORMAL_PRIOR + _FROM_INTENT * (troubled + p["question"])
    logits = (_SHARPNESS * high, _SHARPNESS * normal, _SHARPNESS * low)
    peak = max(logits)
    exps = [math.exp(z - peak) for z in logits]
    total = sum(exps)
    probs = round_to_one([e / total for e in exps])
    label = URGENCIES[probs.index(max(probs))]
    reasons.sort(key=lambda r: -r[0])
    cues: list[str] = []
    for _, reason in reasons:
        if reason not in cues and (label == "low") == reason.startswith("calm"):
            cues.append(reason)
            if len(cues) == _MAX_CUES:
                break
    return UrgencyResult(label=label, scores=dict(zip(URGENCIES, probs, strict=True)), cues=tuple(cues))


def _negated(text: str, start: int, end: int) -> bool:
    """不具合はありません / "no outage": the situation is denied, not reported."""
    after = text[end : end + 6]
    if after.startswith(("はありません", "はない", "なし", "ではない", "はございません", "は解消", "は直り")):
        return True
    before = text[max(0, start - 12) : start].split()
    return bool(before) and before[-1] in {"no", "not", "never", "without"}
