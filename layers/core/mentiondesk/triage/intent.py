"""Intent of a customer post: praise, question, problem, complaint, request or other.

The labels (DESIGN.md): ``problem`` is a fault that needs fixing (届かない, can't log in, charged
twice); ``complaint`` is dissatisfaction with people, policy or price (対応が悪い, 値上げ, rude staff),
venting and sarcasm; ``request`` is a wish or suggestion (してほしい, please add); ``question`` asks
for information; ``praise`` thanks or appraises the brand; ``other`` is chit-chat, spam, unrelated.

Scoring is cue phrases plus sentence type, on :func:`~mentiondesk.triage.normalize.normalize`-d
text: each intent collects evidence from its cue lexicon (Japanese by substring, English by word
n-grams, both plain dict look-ups), cues are cancelled by negation (不具合はありません, no problem)
and weakened in hypotheticals (壊れたら, if it breaks); question sentences, "why" questions, the
sentiment's net score and its sarcasm flips add evidence; a softmax turns evidence into
probabilities. ``other`` has a fixed prior, so a post with no cue at all is ``other``.

:class:`CueTable` is the matcher, shared with :mod:`mentiondesk.triage.urgency`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from mentiondesk.triage.normalize import PLACEHOLDER_RE
from mentiondesk.triage.sentiment import SentimentResult

Intent = Literal["praise", "question", "problem", "complaint", "request", "other"]
INTENTS: tuple[Intent, ...] = ("praise", "question", "problem", "complaint", "request", "other")

_EN_TOKEN_RE = re.compile(r"[a-z0-9#][a-z0-9'+_]*")
_ASCII_LETTER_RE = re.compile("[a-z]")


@dataclass(frozen=True, slots=True)
class Cue:
    """One lexicon hit: its tag (an intent or urgency reason), weight and span in the scanned text."""

    tag: str
    weight: float
    start: int
    end: int
    text: str


class CueTable:
    """Tagged cue phrases matched longest-first: ASCII entries on word tokens, others by substring.

    The spec is a text block: ``[tag]`` lines open a section, then ``weight | entry | entry ...``
    lines. An entry of weight 0 is a blocker: it matches (hiding shorter entries inside it) and
    yields nothing. Entries must be written in normalised form (lower case, half-width ASCII).
    """

    def __init__(
        self, spec: str, extra: dict[str, tuple[str, float]] | None = None, isolate_single_kanji: bool = True
    ) -> None:
        """``extra`` adds generated entries; it never overrides one written in ``spec``.

        With ``isolate_single_kanji`` a one-kanji entry does not match inside a longer kanji word.
        """
        self.isolate_single_kanji = isolate_single_kanji
        table: dict[str, tuple[str, float]] = {}
        tag = ""
        for raw_line in spec.splitlines():
            line = raw_line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                tag = line[1:-1]
                continue
            head, *entries = (part.strip() for part in line.split(" | "))
            for entry in entries:
                if entry in table:
                    raise ValueError(f"cue {entry!r} is listed twice")
                table[entry] = (tag, float(head))
        for entry, value in (extra or {}).items():
            table.setdefault(entry, value)
        self.words = {k: v for k, v in table.items() if k.isascii()}
        self.free = {k: v for k, v in table.items() if not k.isascii()}
        first: dict[str, set[int]] = {}
        for phrase in self.words:
            parts = phrase.split(" ")
            first.setdefault(parts[0], set()).add(len(parts))
        self._first_word = {w: tuple(sorted(n, reverse=True)) for w, n in first.items()}
        prefix: dict[str, set[int]] = {}
        for key in self.free:
            prefix.setdefault(key[:2] if len(key) > 1 else key, set()).add(len(key))
        self._prefix = {p: tuple(sorted(n, reverse=True)) for p, n in prefix.items()}
        self._first_char = frozenset(key[0] for key in self.free)

    def find(self, text: str, has_latin: bool = True, has_other: bool = True) -> list[Cue]:
        """All non-blocker hits in ``text`` (normalised), in order of position within each script."""
        hits: list[Cue] = []
        if has_latin:
            self._find_words(text, hits)
        if has_other:
            self._find_free(text, hits)
        return hits

    def _find_words(self, text: str, hits: list[Cue]) -> None:
        words, spans = _word_tokens(text)
        first_word, table = self._first_word, self.words
        count = len(words)
        i = 0
        while i < count:
            lengths = first_word.get(words[i])
            if lengths is None:
                i += 1
                continue
            for n in lengths:
                if i + n > count:
                    continue
                phrase = " ".join(words[i : i + n]) if n > 1 else words[i]
                entry = table.get(phrase)
                if entry is not None:
                    break
            else:
                i += 1
                continue
            tag, weight = entry
            if weight:
                hits.append(Cue(tag, weight, spans[i][0], spans[i + n - 1][1], phrase))
            i += n

    def _find_free(self, text: str, hits: list[Cue]) -> None:
        next_free = 0
        first_char, prefix, free = self._first_char, self._prefix, self.free
        for start, ch in enumerate(text):
            if start < next_free or ch not in first_char:
                continue
            cue = ""
            for length in prefix.get(text[start : start + 2], ()):
                if text[start : start + length] in free:
                    cue = text[start : start + length]
                    break
            if not cue:
                if ch not in free:
                    continue
                cue = ch
            next_free = start + len(cue)
            if (
                self.isolate_single_kanji
                and len(cue) == 1
                and _is_kanji(cue)
                and ((start and _is_kanji(text[start - 1])) or (next_free < len(text) and _is_kanji(text[next_free])))
            ):
                continue  # a one-kanji cue inside a compound is another word (神 in 神田川)
            tag, weight = free[cue]
            if weight:
                hits.append(Cue(tag, weight, start, next_free, cue))


_last_tokens: tuple[str, list[str], list[tuple[int, int]]] = ("", [], [])


def _word_tokens(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Word tokens and their spans; the intent and urgency tables scan the same text in turn."""
    global _last_tokens
    last = _last_tokens
    if last[0] == text:
        return last[1], last[2]
    matches = list(_EN_TOKEN_RE.finditer(text))
    words = [m.group() for m in matches]
    spans = [m.span() for m in matches]
    _last_tokens = (text, words, spans)
    return words, spans


def _is_kanji(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch == "\u3005"


def _words(text: str) -> frozenset[str]:
    """A word set written as a space-separated string."""
    return frozenset(text.split())


def failure_forms(stems: str) -> list[str]:
    """Expand "nai-stem/masu-stem" pairs into "can't / doesn't" forms (届かない, 届きません, 届かん ...)."""
    forms: list[str] = []
    for pair in stems.split():
        nai, masu = pair.split("/")
        forms += [nai + end for end in ("ない", "なかった", "なくて", "なくな", "ず", "ねー", "ねえ", "ん", "なすぎ")]
        forms += [nai + "なさすぎ", masu + "ません"]
    return forms


# ---------------------------------------------------------------------------------------------
# Lexicon. Weights: 1 weak, 2 clear, 3 decisive. Written in normalised form.
# ---------------------------------------------------------------------------------------------

_LEXICON = """
[problem]
3.0 | 不具合 | 故障 | 壊れ | 破損 | 初期不良 | 不良品 | 誤配 | 未着 | 紛失 | 二重請求 | 二重に請求 | 二重引き落とし
3.0 | 二重に引き落と | 2重請求 | 2回請求 | 2回引き落と | 二回請求 | 鯖落ち | サーバー落ち | 通信障害 | システム障害
3.0 | 違う商品 | 別の商品 | 間違った商品 | 商品が違 | 異物 | 水漏れ | 雨漏り | 異音 | 変な音 | 強制終了 | 開通しない
3.0 | 開通しません | 届いていない | 届いてない | 届いていません | 届いてません | 反映されていない | 反映されてない
3.0 | 反映されていません | 返金されていない | 返金されてない | 返金されていません | ログインできない
3.0 | ログインできません | ログインできず | ログイン出来ない | ログイン出来ません
3.0 | 乗っ取 | 不正ログイン | 不正利用 | 直してください | 直して下さい | 身に覚えのない | 発火 | 火が出 | 火花
3.0 | 煙が | 煙出 | 異臭 | 変な臭い | 変なにおい | 感電 | 漏電 | 膨張 | 膨らんで
2.0 | 仕事にならない | 仕事にならん | 仕事ができない | ログイン通知 | 音がする | 熱くなる | 熱くなって
3.0 | 腫れ | ヒリヒリ | かゆみ | 痒い | かゆい | 肌荒れ | かぶれ | 湿疹 | 赤くなっ | 真っ赤 | 混入 | が入ってた
3.0 | が入っていた | が入ってました | しけって | 湿気って | ログインしようと | 知らない端末 | ログインされた
3.0 | 勝手にログイン | 空っぽ | からっぽ | 中身がない
1.5 | のまま
2.0 | ミス | 間違
2.5 | エラー | バグ | 障害 | 圏外 | フリーズ | 固まる | 固まった | 固まって | 固まります | 落ちる | 落ちた | 落ちて
2.5 | 落ちます
2.5 | 落ちまく | 止まった | 止まって | 止まる | 止まります | 欠品 | 欠け | 割れて | 割れた | 傷が | 傷あり | 汚れが
2.5 | 焦げ
2.5 | カビ | 腐って | 期限切れ | 入っていな | 入ってな | 入っていません | 足りない | 足りません | 途切れ | 切断
2.5 | 消えた
2.5 | 消えて | 消えました | 詰んだ | 詰み | 凍結 | 垢ban | ぐるぐる | 真っ白 | 真っ暗 | 何度やっても | 何回やっても
2.5 | 再起動しても | 引き落とされ | 請求され | 勝手に課金 | 課金され | 遅延 | 欠航 | 運休 | 漏れて | 漏れる
2.5 | 返金してください | 返金して下さい
2.0 | 見合わせ | 重すぎ | 重い | 重くな | 繋がりにくい | つながりにくい | 読み込み | 解決しない | 解決しません
2.0 | 乗り遅れ
2.0 | 乗れなかった | できない | できません | できず | 出来ない | 出来ません | できん | 使えない | 使えません
1.5 | 遅い | 遅れ | 交換 | 返品 | 不良 | 症状 | 再発行
1.0 | ご確認ください | 確認してください | 確認お願いします | 確認をお願いします | 対応お願いします
1.0 | 対応をお願いします | 連絡ください | 連絡下さい | 至急お願いします
0 | 交換したい | 返品したい | 重いもの | 重い荷物 | 問題なく | 問題ない | 問題ありません | 止まらない
0 | 我慢できない | 理解できない | 遅れてすみません | 遅れてごめん | 落ち着 | 気が重い | 見逃せない | 待ちきれない
0 | 待ちきれません | 言葉にできない | 出来ないでしょうか | よろしくお願いします
0 | 宜しくお願いします

3.0 | not working | doesn't work | does not work | isn't working | is not working | stopped working | won't work
3.0 | wont work | won't load | wont load | won't open | wont open | won't let me | wont let me | can't log in
3.0 | cant log in
3.0 | cannot log in | can't login | cant login | cannot login | can't sign in | cant sign in | unable to log in
3.0 | locked out | charged twice | double charged | charged me twice | billed twice | double charge | never arrived
3.0 | hasn't arrived | has not arrived | didn't arrive | never received | haven't received | have not received
3.0 | didn't receive | did not receive | not received | not delivered | wasn't delivered | never delivered
3.0 | wrong item | wrong order | wrong size | keeps crashing | keeps freezing | crashed | crashes | crashing
3.0 | error message | error code | outage | defective | faulty | lost my bag | lost my luggage | lost luggage
3.0 | lost baggage | missing bag | missing luggage | damaged | broken | broke | not refunded | still no refund
3.0 | hacked | compromised | unauthorized charge | unauthorised charge | fraudulent charge | is down | are down
3.0 | went down | server down | servers down | app down | site down | website down | no internet | no signal
3.0 | no service | no wifi | wifi not | can't connect | cant connect | cannot connect | won't connect | keeps dropping
3.0 | please fix | fix this | fix it | someone logged | logged into my account | changed my password | unauthorized
3.0 | unauthorised | suspicious login | suspicious activity | not me | smoking | smoke | sparks | sparking
3.0 | caught fire | on fire | overheating | overheats | overheated | melted | burning smell | won't turn on
3.0 | doesn't turn on | not turning on | won't charge | not charging | stopped charging | grinding noise
3.0 | weird noise | strange noise | loud noise | rattling | buzzing | noise | rash | itchy | swollen
3.0 | allergic reaction | hair in my | bug in my | piece of plastic | glass in | never made | didn't make
3.0 | didn't order | never ordered | did not order | used my card | someone used
2.5 | error | errors | bug | glitch | glitches | frozen | freezes | stuck | missing | lost | delayed | cancelled
2.5 | canceled | leaking | leak | spoiled | expired | mold | overcharged | disconnected | dropped | failed | fails
2.5 | declined | not showing | doesn't show | won't show | can't access | cant access | cannot access | unable to
2.5 | still haven't | still hasn't | still not | still no | missed my connection | missed connection | blank screen
2.5 | please refund
2.0 | can't | cant | cannot | couldn't | won't | wont | doesn't | didn't | slow | down | delay | delays | issue
2.0 | issues | problem | problems | trouble | refund | fix | replace | replacement | reset | please look into
1.0 | please help | pls help | plz help | help me | please check
0 | no problem | no problems | no issue | no issues | not a problem | without delay | no delay | no delays
0 | can't believe | cant believe | can't thank | cant thank | can't stop | couldn't be happier | couldn't have
0 | won't forget | slow down | down to earth | lost and found | refund policy | can't go wrong | doesn't matter
0 | didn't expect | please dm

[complaint]
3.0 | 対応が悪 | 対応悪 | 対応最悪 | 対応がひど | 対応が雑 | 対応が遅 | 対応遅 | 態度 | 無愛想 | 失礼 | 横柄 | 高圧的
3.0 | 上から目線 | 不親切 | たらい回し | 舐めて | なめて | バカにし | 馬鹿にし | 謝罪 | 謝らない | 誠意 | 言い訳
3.0 | 説明不足 | 説明がな | 説明もな | 値上げ | 改悪 | 高すぎ | 割高 | ぼったくり | 有料化 | 手数料 | 送料が高
3.0 | 解約させ | 引き止め | しつこい | 勧誘 | 待たされ | 電話が繋がらない | 電話繋がらない | 電話がつながらない
3.0 | 電話つながらない | 電話つながらなさ | 電話も繋がらない | 電話もつながらない | サポートに繋がらない
3.0 | 窓口に繋がらない | チャットが繋がらない | 返信がない | 返事がない | 連絡がない | 音沙汰 | 放置 | 無視
3.0 | 詐欺 | 金返せ | 不買 | 二度と | もう使わない | 許せない | 許さない | ふざけ | 呆れ | あきれ
2.5 | 店員 | スタッフ | 従業員 | 社員 | オペレーター | 担当者 | 担当の | 窓口 | 電話口 | 接客 | 料金 | 値段 | 価格
2.5 | 規約 | 方針 | 仕様変更 | 廃止 | 改定 | 待ち時間 | テンプレ | 嘘 | 騙 | 最悪 | 最低 | ひどい | 酷い | ありえない
2.5 | あり得ない | ありえん | がっかり | 失望 | 幻滅 | うんざり | 不満 | 苦情 | クレーム | いい加減 | クソ | くそ
2.5 | ゴミ
2.5 | 論外 | 終わってる | 納得できない | 納得いかない | 何考えて | 意味わからん | 意味が分からない | 怒り | 激怒
2.5 | 腹立 | 腹が立 | ムカつ | むかつ | イライラ | 不愉快 | 不快
3.0 | 返信が来ない | 返信が来ません | 返信が来なく | 返事が来ない | 返事が来ません | 連絡が来ない | 連絡が来ません
3.0 | 返信がありません | 連絡がありません | 返信もない | 返信なし | 連絡なし | 何もしない | なにもしない | 嫌い
2.0 | すぎでしょ | すぎだろ | すぎない? | 違いすぎ | 写真と違 | 強気 | 高っ | 分かりにく | わかりにく | 分かりづら
2.0 | わかりづら | 使いにく | 使いづら
2.5 | 感じ悪 | 感じが悪 | わざと | ずる | ズル | 後出し
2.0 | 勝手に
1.5 | しろよ | とけよ | してよ | くれよ
1.0 | 高い | 混雑
1.0 | 言われた
2.0 | 残念 | 行列 | 遅すぎ | 信じられない | どういうこと | どうなって | ルール
2.0 | 頼りにならない
2.0 | 期待外れ | 期待はずれ | 早くしてください | 早くして
1.5 | 😡 | 🤬 | 💢 | 😠 | 👎 | 🙄
0 | 評価が高い | 意識が高い | 高いところ | 背が高い | 値段も手頃 | 値段以上 | 価格以上 | スタッフさん | 店員さん
0 | スタッフの方 | 店員の方 | 担当者様 | 担当の方 | 最低限 | お手頃 | 料金プラン | 料金を教え | 値段を教え

3.0 | rude | rudest | attitude | unprofessional | disrespectful | condescending | hung up | hang up | hangs up
3.0 | on hold | hold time | no response | no reply | no answer | nobody answers | no one answers | nobody responds
3.0 | ignored | ignoring | price increase | raised prices | raised the price | overpriced | rip off | ripoff
3.0 | ripped off | scam | scammed | scammers | never again | never flying | never fly | will never | worst
3.0 | terrible service | horrible service | awful service | bad service | poor service | customer service
3.0 | thanks for nothing | false advertising | misleading | liars | lied | waste of time | do better
3.0 | how hard is it | sick of | fed up | tired of | treat customers | treat your customers | disgrace
3.0 | are you kidding | are you serious | are you joking | do you even | do you care
2.5 | staff | employee | employees | agent | agents | representative | rep | reps | manager | crew | attendant
2.5 | flight attendant | gate agent | policy | policies | fee | fees | price | prices | pricing | expensive
2.5 | terrible | horrible | awful | ridiculous | unacceptable | pathetic | disgusting | disappointed
2.5 | disappointing | disappointment | useless | incompetent | joke | shame | ashamed | angry | furious | livid
2.5 | pissed | upset | frustrated | frustrating | annoyed | annoying | unhappy | not happy | outrageous
2.5 | appalling | horrendous | sucks | suck | wtf | smh | ugh | hate | lies | lie | liar | customer care
2.0 | charge | charged | please respond | please reply | greedy | gouging | robbery | too expensive
1.0 | again | as usual | as always | yet again | once again
2.0 | wait | waiting | waited | hours | hour | line | queue | no one | nobody | excuse | excuses
1.5 | seriously
0 | great staff | friendly staff | helpful staff | lovely staff | kind staff | staff were | staff was
0 | wait to | waiting for my | waiting to | thanks again | hold on | again soon | again next | see you again
0 | fly again | flying again | again and again | agent was | agents were | crew was | crew were
0 | opening hours | business hours | store hours | hours of operation | office hours | online

[praise]
3.0 | 神対応 | 助かりました | 助かった | 助かります | 助かる | 感謝 | ありがとうございました | 最高 | 大満足 | 感動
3.0 | 美味し | おいし | 美味かった | うまかった | 絶品 | 丁寧 | 親切 | 迅速 | 対応が早 | 対応早 | 快適 | 大好き
3.0 | リピ確 | リピート | また行きます | また来ます | また利用 | また使い | また泊まり | おすすめ | オススメ
3.0 | 素晴らし
3.0 | 優勝 | 神アプデ | 推せる | 満足 | 完璧 | 素敵 | 使いやす | わかりやす | 分かりやす | 見やす | 便利 | 気に入
2.5 | ありがとう | ありがと | あざす | あざっす | サンキュー | 好き | 優しい | やさしい | 安心 | 心強い | 早かった
2.5 | 早く届 | すぐ届 | 感激 | 嬉しかった | 良かった | よかった | 最強 | さすが | 流石 | 神 | 天才 | 可愛 | かわい
2.5 | うまい | うますぎ | うめぇ | うめー | 美味い | 旨い | 美味すぎ | おめでとう | 推します | 一生推 | ありがた
2.0 | 早すぎ | 早っ | はやっ | 笑顔 | 元気が出 | 元気出 | びっくり
2.5 | 元気もらえ | 元気をもらえ | リピ
2.0 | 良い | いい | 嬉しい | うれしい | 綺麗 | きれい | 清潔 | スムーズ | 楽しかった | 癒さ | 癒やさ | 😍 | 🥰
2.0 | 👏 | 🙌 | 💯 | ❤ | 💕 | ✨
0 | どうでもいい | 良いのか | いいのか | いいですか
0 | よいですか | 良いですか | 良いでしょうか | いいでしょうか | 気にいらない | 気に入らない | 好きな時 | 好きなだけ
0 | 好きなもの | 好きなの | いいので | 良いので | いいから | よかったら | 良かったら | いいな | 嬉しいんですが
0 | 嬉しいのですが

3.0 | thank you | thanks | thx | ty | tysm | thank u | kudos | shoutout | shout out | appreciate | appreciated
3.0 | love | loved | loving | amazing | awesome | excellent | fantastic | wonderful | outstanding | superb
3.0 | great job | good job | well done | great service | excellent service | amazing service | you rock
3.0 | best | impressed | recommend | highly recommend | helpful | friendly | delicious | perfect | brilliant
3.0 | lifesaver | above and beyond | five stars | 5 stars | made my day | so easy | smooth
2.5 | great | nice | lovely | kind | quick | fast | easy | comfortable | beautiful | happy | glad | pleased
2.5 | professional | courteous | efficient | seamless | favorite | favourite | enjoyed | enjoy
0 | thanks in advance | thank you in advance | thx in advance | any help | no thanks | best way | best time
0 | best option | i'd love | love to see | love it if | love to know | nice if | great if
0 | be great | be nice | be lovely | happy to | glad to | not great | not nice | not impressed
0 | kind of | fast forward | best regards | kind regards | thanks a lot

[question]
2.5 | 教えて | 知りたい | 分かりますか | わかりますか | ありますか | ありますでしょうか | できますか | 出来ますか
2.5 | 可能ですか | 可能でしょうか | 何時 | いつまで | いつから | どこで | どこに | どこから | どうやって | どうすれば
2.5 | どうしたら | どうやったら | 何日 | いくら | 何円 | 対象ですか | 大丈夫ですか | 問い合わせ先 | 質問です
2.5 | 質問があ | 確認したい | 確認方法 | 営業時間 | 方法 | 使えますか | 使えるの | できるの | できないでしょうか
2.5 | できませんか | できないですか | できないのでしょうか | 出来ませんか
2.0 | 欲しいのですが | ほしいのですが | 欲しいんですが | ほしいんですが
1.0 | 質問

[asking]
2.5 | でしょうか | ですか | ますか | ませんか | ですかね | ますかね | かな? | の? | んですか | のですか | ❓
2.0 | どこ | いつ | どう | どの | どれ | 何か | 誰か
1.0 | やり方
0 | どうしようもない | いつも | いつもの | どうぞ | どうか | どうも | どうしても | 何度 | 何回 | 何考え | どれだけ
0 | どこまで | いつになったら | いつまで待 | 何か月 | どうするつもり | どこにも | いつでも | どれも

3.0 | how do i | how can i | how to | how long | how much | how many | what time | when does | when do i
3.0 | when will | when is | where can i | where do i | where is the | is there | are there | is it possible
3.0 | any way to | anyone know | does anyone | do you have | do you guys | do you know | can i | could i | may i
3.0 | do i need | will i | am i able | wondering | question | questions | what's the | what is the
3.0 | are you | do you | does it | does the | will there | can we | could we | how come | can you help
3.0 | could you help | please advise | please let me know
2.0 | status | update on | any update | any updates | info | information

[asking]
2.0 | how | what | which | is it
1.0 | when | where | who | please call
0 | how dare | how hard | what a | what the | who cares | what happened | when i | when we | when you | where i
0 | which is | which was | how is this | how is it | is it too much

[request]
3.0 | してほしい | して欲しい | てほしい | て欲しい | でほしい | で欲しい | ほしいです | 欲しいです | 希望します
3.0 | 希望です | 要望 | ご検討 | 検討して | 検討お願い | 導入して | 追加して | 増やして | 復活して | 復活希望
3.0 | 再販 | 再入荷 | 再開して | あったらいいな | あったら嬉しい | あったら助かる | あると嬉しい | あると助かる
3.0 | あると便利 | あればいいのに | あればいいな | くれると嬉しい | くれたら嬉しい | くれたら最高 | くれたら助かる
3.0 | いただけると嬉しい | いただけると助かり | 頂けると嬉しい | 頂けると助かり | できるようにして
3.0 | 作ってほしい | 出してほしい | 発売して | 販売して | 売ってほしい | 置いてほしい | 改善してほしい
3.0 | 提案 | リクエスト | お願いしたい | 対応してほしい | 欲しいな | ほしいな | 欲しい | ほしい
3.0 | 実装して | 対応して欲しい | 増やしてください | 導入を | 追加を | 検討を | 改善を | 充実させ
3.0 | 続けてほしい | 続けて欲しい | やめないで | 終わらないで | 定番化 | 常設 | 電子化 | 多言語化
3.0 | あればいい | あったらいい
2.0 | のにな | あったら | あれば
2.5 | てもらえませんか | ていただけませんか | て頂けませんか | てくれませんか | てもらえないでしょうか
2.5 | ていただけないでしょうか
2.0 | 作って | 出して | 戻して
1.5 | 期待してます | 期待しています
1.0 | ください | 下さい | お願いします | お願いいたします | お願い致します | 🙏
0 | 欲しくない | ほしくない

3.0 | please add | can you add | could you add | please bring back | bring back | would be great if
3.0 | would be nice if | would be nice to | it'd be nice | would love to see | would love it if | would love
3.0 | i wish | wish you | wish there was | wish there were | you should | you guys should | should add
3.0 | please consider | consider adding | suggestion | suggest | feature request | please make | please allow
3.0 | add an option | please offer | please start | please include | let us | allow us | please expand
3.0 | more flights | please fly | any plans to | any chance you | plan on | plans to add | need more
2.5 | wish
0 | best wishes | wishes
2.0 | should have | should offer | hope you | hoping you | please | pls | plz | add | option to
1.5 | should be
0 | let us know

[other]
3.0 | フォロー | 相互 | フォロバ | 副業 | 稼げ | 儲か | 月収 | プレゼント企画 | 応募 | 当選 | 抽選 | 拡散希望
1.5 | 旅行 | 一人旅 | 行ってきます | 行ってきま | おはよう | おやすみ | 誕生日 | ライブ | 見つけた | 出かけ
1.5 | 行ってき | 食べてき | 買ってき
1.0 | 天気 | 暑い | 寒い | 晴れ | 雨

3.0 | follow me | follow back | check out my | giveaway | crypto | bitcoin | nft | earn money | dm me | promo
3.0 | click the link | good morning | good night | happy monday | happy friday | just landed | heading to
3.0 | on my way | vacation | trip | excited | can't wait | cant wait | see you soon | birthday | weekend | weather
3.0 | happy new year | merry christmas | happy holidays | new year | happy birthday
0 | trip was
"""

# JA "can't / doesn't" forms of verbs that describe something failing. masu-stem "" -> no ません form.
_FAILURE_STEMS = (
    "届か/届き 繋がら/繋がり つながら/つながり 使え/使え 動か/動き 開か/開き 起動し/起動し 表示され/表示され "
    "反映され/反映され 読み込め/読み込め 送れ/送れ 受け取れ/受け取れ 戻ら/戻り 直ら/直り 治ら/治り 進ま/進み "
    "押せ/押せ 払え/払え 見れ/見れ 見られ/見られ 入れ/入れ 乗れ/乗れ 買え/買え 開け/開け 点か/点き つか/つき "
    "入ら/入り 出来/出来 反応し/反応し 出てこ/出てき 変わら/変わり 充電でき/充電でき 充電され/充電され "
    "接続でき/接続でき 決済でき/決済でき "
    "支払いでき/支払いでき 再生でき/再生でき 認証でき/認証でき 返金され/返金され 連絡が来/連絡が来 "
    "返信が来/返信が来 来/来 こ/き 出/出 聞こえ/聞こえ 映ら/映り 流れ/流れ 鳴ら/鳴り 冷え/冷え 温まら/温まり"
)
# Generated forms never override hand-written entries (電話繋がらない stays a complaint).
_TABLE = CueTable(_LEXICON, extra=dict.fromkeys(failure_forms(_FAILURE_STEMS), ("problem", 2.5)))

# ---------------------------------------------------------------------------------------------
# Context and scoring
# ---------------------------------------------------------------------------------------------

# JA negation right after a (noun or adjective) cue: 不具合はありません, エラーなく, 丁寧じゃない.
# A cue that already ends in a negative form (届かない) is a failure, not a negated one.
_JA_NEG_AFTER_RE = re.compile(
    r"(?:く|くは|くも|は|も|が|では|じゃ)?(?:ない|なく|なし|無く|無し|ありません|ございません|解消|直りました|直った)"
)
_JA_NEG_ENDINGS = ("ない", "ません", "ず", "ん", "ねー", "ねえ", "なかった", "なくて", "なくな", "なすぎ", "なさすぎ")
# JA hypotheticals after a cue, allowing a light verb between: 壊れたら, 故障した場合, 届かない時は.
_JA_HYPOTHETICAL_RE = re.compile(
    r"(?:し|した|する|して|になっ|になる|が|に|た)?(?:たら|だら|れば|ても|でも|場合|時は|ときは|ときの|時の|なら|と困)"
)
_JA_SERVICE_VERDICT_RE = re.compile(
    r"(対応|態度|接客|説明|サポート|窓口|店員|スタッフ|オペレーター|担当)(?:さん|の方)?[がもはの]?"
    r"[^。.!?\n]{1,6}?(?:悪い|悪すぎ|遅い|遅すぎ|ひどい|ひどすぎ|酷い|雑|最悪|最低|不親切|失礼|冷た)"
)
_JA_WISH_RE = re.compile(
    r"(?:くれ|いただけ|頂け|もらえ|貰え|あ|なる|なっ|なれ)(?:ると|たら|れば)"
    r"[^。.!?\n]{0,3}?(?:嬉し|うれし|助か|有難|ありがた|最高|いい|良い|便利|幸せ)"
)
_EN_NEGATORS = _words("no not never without hardly barely nothing none nobody isn't wasn't aren't")
_EN_HYPOTHETICAL = _words("if in case whether unless")
_EN_CLAUSE_RE = re.compile(r"[,.;:!?()]| but | and | so ")
_HYPOTHETICAL_FACTOR = 0.3

_SENTENCE_RE = re.compile(r"[^。.!?\n]+[。.!?\n]*")
_JA_QUESTION_END_RE = re.compile(
    r"(?:か|かな|かね|かしら|っけ|ですかね|の|のか|んですか|ますか|ですか|でしょうか|ませんか|だろう|だろうか)"
    r"[\s~ー…。.!w笑]*$"
)
# "また止まるんだけど?", "ひどくない?" and "じゃん?" vent; "行こうかな" muses. They ask nothing.
_JA_NOT_QUESTION_RE = re.compile(
    r"(?:けど|けれど|じゃん|やん|くない|じゃね|だろ|じゃないの|でしょ|[うー]かな|[うー]かなあ)[?!\s~ー…w笑]*$"
)
_EN_QUESTION_START = _words(
    "how what when where which who why is are am do does did can could will would should has have may any"
)
_WHY_RE = re.compile(r"\bwhy\b|\bhow come\b|なんで|何で|なぜ|何故|どうして|なんなの|なんなん")
_QUESTION_SENTENCE_WEIGHT = 2.0
_WHY_QUESTION_FACTOR = 0.35  # "why is it still broken?" asks nothing: it blames
_WHY_COMPLAINT = 1.2
# Problem cues inside a question are often asked about rather than reported ("is the app down?").
_PROBLEM_IN_QUESTION = 0.6
_RHETORICAL_NET = 2.5
_RHETORICAL_FACTOR = 0.4
_STRONG_REQUEST = 3.0
_BEFORE_PIVOT = 0.5
_PIVOT_RE = re.compile(r"\bbut\b|\bhowever\b|けど|けれど|ですが|だが|しかし|でも、|ただ、|ものの")
_VENTING = 0.3
_VENTING_WITH_FAULT = 0.3
_FAULT = 2.5
_ASSERTED_REPORT = 2.5
_QUESTION_IN_REPORT = 0.4
_OTHER_PRIOR = 1.5
_SARCASM_COMPLAINT = 3.0
_SHARPNESS = 1.1
_MAX_CUES = 6


@dataclass(frozen=True, slots=True)
class IntentResult:
    """Label, probabilities over :data:`INTENTS` (summing to 1) and the cue words that drove it."""

    label: Intent
    scores: dict[str, float]
    cues: tuple[str, ...]


def detect_intent_normalized(text: str, sentiment: SentimentResult) -> IntentResult:
    """Intent of text already passed through :func:`~mentiondesk.triage.normalize.normalize`.

    ``sentiment`` is the same post's sentiment: its net score and sarcasm flips are evidence too.
    """
    evidence, cues = intent_evidence(text, sentiment)
    return _result(evidence, cues)


def intent_evidence(text: str, sentiment: SentimentResult) -> tuple[dict[str, float], list[Cue]]:
    """Per-intent evidence (before the softmax) and the cues that gave it."""
    if "<" in text:
        text = PLACEHOLDER_RE.sub(lambda m: " " * len(m.group()), text)
    has_latin = _has_ascii_letter(text)
    has_other = not text.isascii()
    hits = _TABLE.find(text, has_latin, has_other)
    if has_other:
        # 対応がめっちゃ遅い, 店員さんの態度が本当に悪い: the target and the verdict with words between.
        for m in _JA_SERVICE_VERDICT_RE.finditer(text):
            if not any(h.tag == "complaint" and h.start < m.end() and m.start() < h.end for h in hits):
                hits.append(Cue("complaint", 3.0, m.start(), m.end(), m.group(1)))
        # してくれると助かります, があると嬉しい: a wish, whatever praise word closes it.
        for m in _JA_WISH_RE.finditer(text):
            hits = [h for h in hits if not (h.tag == "praise" and m.start() <= h.start < m.end())]
            if not any(h.tag == "request" and h.start < m.end() and m.start() < h.end for h in hits):
                hits.append(Cue("request", 3.0, m.start(), m.end(), m.group()))
    sentences = _question_sentences(text, has_latin) if ("?" in text or has_other or has_latin) else []

    evidence: dict[str, float] = dict.fromkeys(INTENTS, 0.0)
    evidence["other"] = _OTHER_PRIOR
    pivot = _last_pivot(text) if any(hit.tag == "praise" for hit in hits) else -1
    info = 0.0  # evidence from words that ask for information (教えて, how do i), not from the form
    kept: list[Cue] = []
    for hit in hits:
        weight = hit.weight * _context_factor(text, hit, has_other)
        if hit.tag == "problem" and sentences and _inside(hit.start, sentences) and not _WHY_RE.search(text):
            weight *= _PROBLEM_IN_QUESTION
        if hit.tag == "praise" and hit.start < pivot:
            weight *= _BEFORE_PIVOT  # "届いたのはよかったけど箱が潰れてた": what follows the pivot counts
        if weight <= 0:
            continue
        if hit.tag == "asking" and not _inside(hit.start, sentences):
            continue  # question words in a sentence that vents or muses ("…じゃないの?", "どこ行こうかな") ask nothing
        tag = "question" if hit.tag == "asking" else hit.tag
        if hit.tag == "question":
            info += weight
        evidence[tag] += weight
        kept.append(Cue(tag, weight, hit.start, hit.end, hit.text))

    if sentences:
        evidence["question"] += _QUESTION_SENTENCE_WEIGHT
        # A fault or grievance stated outside the questions makes them part of the report
        # ("まだ届かない!いつ来るの?" reports a problem; it does not ask for information).
        asserted = sum(c.weight for c in kept if c.tag in {"problem", "complaint"} and not _inside(c.start, sentences))
        if asserted >= _ASSERTED_REPORT:
            evidence["question"] *= _QUESTION_IN_REPORT
    if _WHY_RE.search(text):
        evidence["question"] *= _WHY_QUESTION_FACTOR
        evidence["complaint"] += _WHY_COMPLAINT
    # Cue words repeat ("最高!最高!"): a soft cap keeps one intent from running away.
    for name in INTENTS:
        if evidence[name] > 6.0:
            evidence[name] = 6.0 + math.log1p(evidence[name] - 6.0)

    net = sentiment.net
    if sentences and not info and abs(net) >= _RHETORICAL_NET:
        # "これで謝罪のつもりですか?", "速すぎん?w": a question with feeling and no request for information.
        evidence["question"] *= _RHETORICAL_FACTOR
        if net < 0:
            evidence["complaint"] += _WHY_COMPLAINT
    sarcasm = sum(1 for cue in sentiment.cues if "sarcasm" in cue or "for nothing" in cue)
    ironic = sarcasm or (net < 0 and any(cue.startswith(("great", "love", "thanks")) for cue in sentiment.cues))
    # Irony needs something to be ironic about: "great service as always" with no fault is praise, and
    # the negative score the sentiment gave it for irony is not venting.
    grievance = any(c.tag in {"problem", "complaint"} and c.weight >= _FAULT for c in kept)
    if ironic and not grievance:
        net = max(net, 0.0)
    if ironic and grievance:
        # Irony about a fault is a complaint: the author is not asking anyone to fix the delay.
        evidence["complaint"] += _SARCASM_COMPLAINT
        evidence["praise"] *= 0.2
        evidence["problem"] *= 0.5
    if evidence["request"] >= _STRONG_REQUEST:
        # "美味しい!大盛りも出してほしい", "見づらい。文字を大きくしてほしい": the wish is the point.
        evidence["praise"] *= 0.5
        evidence["complaint"] *= 0.7
    if net > 0:
        # Positive words that are not about the brand (楽しみ, excited) stay "other"; otherwise praise.
        evidence["praise"] += min(net, 4.0) * 0.4
        evidence["complaint"] *= 0.5
    elif net < 0:
        evidence["praise"] *= 0.3 if net < -1.5 else 0.6
        # Venting is a complaint, unless it vents about a concrete fault (then the fault decides).
        venting = min(-net, 6.0) * _VENTING
        evidence["complaint"] += venting * (_VENTING_WITH_FAULT if evidence["problem"] >= _FAULT else 1.0)
        evidence["other"] *= 0.6
    return evidence, kept


def _result(evidence: dict[str, float], cues: list[Cue]) -> IntentResult:
    logits = [_SHARPNESS * evidence[name] for name in INTENTS]
    peak = max(logits)
    exps = [math.exp(z - peak) for z in logits]
    total = sum(exps)
    probs = round_to_one([e / total for e in exps])
    label = INTENTS[probs.index(max(probs))]
    if not cues:
        return IntentResult(label=label, scores=dict(zip(INTENTS, probs, strict=True)), cues=())
    driving = sorted((c for c in cues if c.tag == label), key=lambda c: -c.weight)
    names: list[str] = []
    for cue in driving:
        if cue.text not in names:
            names.append(cue.text)
            if len(names) == _MAX_CUES:
                break
    return IntentResult(label=label, scores=dict(zip(INTENTS, probs, strict=True)), cues=tuple(names))


def _context_factor(text: str, hit: Cue, has_other: bool) -> float:
    """1 normally; 0 when the cue is negated; small when it is hypothetical."""
    if hit.text.isascii():
        before = _EN_CLAUSE_RE.split(text[max(0, hit.start - 40) : hit.start])[-1].split()
        if before and hit.tag in {"problem", "complaint", "praise"}:
            if any(word in _EN_NEGATORS for word in before[-2:]) and hit.text.split(" ", 1)[0] not in _EN_NEGATORS:
                return 0.0
            if any(word in _EN_HYPOTHETICAL for word in before):
                return _HYPOTHETICAL_FACTOR
        return 1.0
    if hit.tag not in {"problem", "complaint", "praise"} or not has_other:
        return 1.0
    if not hit.text.endswith(_JA_NEG_ENDINGS) and _JA_NEG_AFTER_RE.match(text, hit.end):
        return 0.0
    if _JA_HYPOTHETICAL_RE.match(text, hit.end):
        return _HYPOTHETICAL_FACTOR
    # 届かなかったら, 落ちても: the cue's own last kana starts the conditional.
    if text.startswith("ら", hit.end) and hit.text.endswith("た"):
        return _HYPOTHETICAL_FACTOR
    if text.startswith("も", hit.end) and hit.text[-1] in "てで":
        return _HYPOTHETICAL_FACTOR
    return 1.0


def _question_sentences(text: str, has_latin: bool) -> list[tuple[int, int]]:
    """Spans of the sentences that ask something (end in "?", a JA question ending, or start like one)."""
    spans = []
    for match in _SENTENCE_RE.finditer(text):
        raw = match.group()
        sentence = raw.strip()
        if not sentence:
            continue
        lead = len(raw) - len(raw.lstrip())
        if (sentence.endswith("?") or "?" in sentence[-3:]) and not _JA_NOT_QUESTION_RE.search(sentence):
            # "the charger started smoking, is it safe?": only the clause after the break asks.
            cut = max(sentence.rfind(", "), sentence.rfind("、"))
            start = match.start() + lead + cut + 1 if cut > 0 and len(sentence) - cut > 6 else match.start()
            spans.append((start, match.end()))
            continue
        body = sentence.rstrip("。.!\n ")
        if not body.isascii() and _JA_QUESTION_END_RE.search(body) and not _JA_NOT_QUESTION_RE.search(body):
            spans.append((match.start(), match.end()))
        elif has_latin and body.isascii():
            first = body.split(" ", 1)[0]
            if first in _EN_QUESTION_START and len(body.split()) >= 3 and not body.endswith("!"):
                # "can you add dark mode" is a request whatever its shape: request cues outweigh this
                spans.append((match.start(), match.end()))
    return spans


def _last_pivot(text: str) -> int:
    """Position of the last contrast word ("but", けど), or -1."""
    pivot = -1
    for match in _PIVOT_RE.finditer(text):
        pivot = match.start()
    return pivot


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _has_ascii_letter(text: str) -> bool:
    return _ASCII_LETTER_RE.search(text) is not None


def round_to_one(probs: list[float]) -> list[float]:
    """Round to 4 decimals keeping the sum exactly 1.0 (the largest share absorbs the remainder)."""
    rounded = [round(p, 4) for p in probs]
    biggest = rounded.index(max(rounded))
    rounded[biggest] = round(1.0 - sum(r for i, r in enumerate(rounded) if i != biggest), 4)
    return rounded
