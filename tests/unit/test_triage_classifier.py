"""Unit tests for the built-in triage classifier: normalisation, language, sentiment.

Every example post here was written for these tests (casual Japanese with net slang, kaomoji,
emoji, half/full width; English with sarcasm and negation). No third-party data is used.
"""

from __future__ import annotations

import pytest
from mentiondesk.triage import Classification, classify
from mentiondesk.triage import sentiment as sentiment_module
from mentiondesk.triage.language import detect_language
from mentiondesk.triage.normalize import normalize
from pydantic import ValidationError

pytestmark = pytest.mark.unit


# --- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＷｉＦｉが繋がらない", "wifiが繋がらない"),  # full-width Latin -> ASCII, lower case
        ("ｿﾗﾓﾊﾞｲﾙ", "ソラモバイル"),  # half-width katakana -> full width
        ("最高ーーーー！！！！", "最高ー!!"),  # long vowel marks and exclamations collapse
        ("遅すぎwwwww草草草", "遅すぎww草"),
        ("sooooo slow", "soo slow"),
        ("I don’t know", "i don't know"),  # curly apostrophe
        ("👍🏻❤️", "👍❤"),  # skin tone and variation selector dropped
    ],
)
def test_normalize_canonical_forms(raw: str, expected: str) -> None:
    # Given a post spelled with width variants, stretching or decorations
    # When it is normalised
    result = normalize(raw)
    # Then it has the one spelling the lexicons are written in
    assert result == expected


def test_normalize_replaces_urls_handles_and_emails_with_placeholders() -> None:
    # Given a post with a handle, a link and an e-mail address
    raw = "@SkyJet_Help 荷物まだ？ https://t.co/AbC123 連絡先 taro.y@example.com"
    # When it is normalised
    result = normalize(raw)
    # Then none of them survive as words
    assert result == "<user> 荷物まだ? <url> 連絡先 <email>"


def test_normalize_keeps_numbers_and_star_ratings_intact() -> None:
    # Given repeated digits and a five-star rating
    # When they are normalised
    # Then counts are not collapsed like stretched letters
    assert normalize("1000円") == "1000円"
    assert normalize("★★★★★") == "★★★★★"


def test_normalize_is_idempotent() -> None:
    # Given an already normalised post
    once = normalize("ＡＰＰ落ちすぎｗｗｗｗ！！ https://example.com (´；ω；｀)")
    # When it is normalised again
    twice = normalize(once)
    # Then nothing changes
    assert twice == once


# --- language --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("注文した商品がまだ届きません", "ja"),
        ("最悪", "ja"),  # kana-less, but 悪 is a Japanese-only form
        ("今日も遅延", "ja"),
        ("ｱﾌﾟﾘ落ちた", "ja"),
        ("iPhoneのアプリでログインできない", "ja"),  # English product name inside Japanese
        ("我们的航班延误了三个小时", "zh"),
        ("배송이 아직 안 왔어요", "ko"),
        ("my order still hasn't arrived", "en"),
        ("I really love ポケモン cafe, the staff were so kind", "en"),  # katakana word inside English
        ("mi vuelo está retrasado otra vez, gracias por nada", "es"),
        ("der Flug ist schon wieder nicht pünktlich", "de"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    # Given a post in a known language
    # When its language is detected
    code, score = detect_language(text)
    # Then the ISO 639-1 code is right, with a usable score
    assert code == expected
    assert 0.4 <= score <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "😭😭😭", "🙏✨", "https://t.co/x @someone", "(´・ω・`)", "(T_T)"])
def test_detect_language_undetermined_for_nothing_to_read(text: str) -> None:
    # Given a post with no words (empty, emoji, kaomoji, links and handles only)
    # When its language is detected
    code, score = detect_language(text)
    # Then it is undetermined with a low score
    assert code == "und"
    assert score < 0.3


def test_clear_japanese_scores_higher_than_terse_kanji() -> None:
    # Given a full Japanese sentence and a two-kanji post
    # When both are detected
    _, long_score = detect_language("アプリにログインしようとするとエラーが出て進めません")
    _, short_score = detect_language("最悪")
    # Then the longer evidence is more confident
    assert long_score > short_score


def test_lang_hint_used_only_when_detection_is_unsure() -> None:
    # Given a kana-less two-kanji post (unsure: could be Chinese) and a clear English post
    # When both are classified with a platform hint of "ja"
    terse = classify("欠航", lang_hint="ja")
    english = classify("my bag never arrived and nobody answers the phone", lang_hint="ja")
    # Then the hint settles the unsure one and is ignored for the clear one
    assert terse.language == "ja"
    assert english.language == "en"


@pytest.mark.parametrize("hint", [None, "", "und", "qme", "zxx"])
def test_lang_hint_without_a_language_is_ignored(hint: str | None) -> None:
    # Given an emoji-only post and a hint that names no language
    # When it is classified
    result = classify("😭😭", lang_hint=hint)
    # Then the language stays undetermined
    assert result.language == "und"


def test_lang_hint_with_region_subtag() -> None:
    # Given an unreadable post and a hint with a region subtag
    # When it is classified
    result = classify("🙏", lang_hint="ja-JP")
    # Then the primary language is used
    assert result.language == "ja"


# --- sentiment: the three classes ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "@SkyJetAir my flight has been delayed 3 times and nobody at the gate can tell us anything",
        "Still waiting on my refund after 6 weeks. This is ridiculous",
        "you charged me twice for the same order and support won't answer",
        "can't log in to the app since the update, keeps saying error 500",
        "45 minutes on hold and then they hung up on me. never again",
        "注文した商品がまだ届かない！いつ来るの？",
        "ネット全然繋がらないんだけど…仕事にならん😡",
        "二重請求されてます。早く返金してください",
        "サポートの対応が悪すぎる。最悪",
        "ｱﾌﾟﾘ落ちまくって草も生えない",
        "電話つながらなさすぎて泣きそう(´;ω;`)",
        "レジで30分待たされた。店員も無愛想",
        "★1 二度と行きません",
    ],
)
def test_negative_posts(text: str) -> None:
    # Given a complaint
    # When it is classified
    result = classify(text)
    # Then it is negative, most probably so
    assert result.sentiment == "negative"
    assert result.sentiment_scores["negative"] == max(result.sentiment_scores.values())


@pytest.mark.parametrize(
    "text",
    [
        "Huge thanks to Maria at the help desk, she fixed my booking in 5 minutes!",
        "love the new app update, checkout is so much faster now 😍",
        "great job on getting my lost bag back so quickly, really appreciate it",
        "昨日問い合わせた件、すぐに対応していただき本当に助かりました！ありがとうございます🙏",
        "新作のチーズケーキめちゃくちゃ美味しかった✨リピ確です",
        "店員さんが神対応すぎた…また行きます(^^)",
        "ＳＯＲＡモバイルに乗り換えて正解、めっちゃ快適",
        "★★★★★ 最高のホテルでした",
    ],
)
def test_positive_posts(text: str) -> None:
    # Given praise
    # When it is classified
    result = classify(text)
    # Then it is positive
    assert result.sentiment == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "What time does the Shibuya store open on Sundays?",
        "Is there a way to change the email address on my account?",
        "Just landed in Denver.",
        "明日の営業時間は何時までですか？",
        "ポイントの有効期限ってどこで確認できますか",
        "駅前の店舗、今日から改装工事らしい",
        "再配達お願いしたいのですが、可能でしょうか？",
        # a calm, formal problem report asks for help without venting
        "届いた商品に傷がありました。交換をお願いできますでしょうか。",
        # a wish phrased as a condition is a request, not praise
        "土日も営業してくれると嬉しいです",
        "Is my flight to Osaka on time?",
    ],
)
def test_neutral_posts(text: str) -> None:
    # Given a question, a statement or a polite request with no attitude toward the brand
    # When it is classified
    result = classify(text)
    # Then it is neutral
    assert result.sentiment == "neutral"


# --- negation --------------------------------------------------------------------------------


def test_english_negation_flips_praise() -> None:
    # Given the same praise word asserted and negated
    # When both are classified
    plain = classify("the staff were helpful")
    negated = classify("the staff were not helpful at all")
    # Then negation turns it into a complaint
    assert plain.sentiment == "positive"
    assert negated.sentiment == "negative"
    assert any("not" in cue and "helpful" in cue for cue in negated.cues)


def test_english_negated_complaint_is_not_a_complaint() -> None:
    # Given litotes
    result = classify("not bad at all, the replacement arrived quickly")
    # Then it is not negative
    assert result.sentiment != "negative"
    assert result.sentiment_scores["positive"] > result.sentiment_scores["negative"]


def test_japanese_negation_suffix_flips_adjective() -> None:
    # Given the same adjective with and without ない
    plain = classify("このラーメン美味しい")
    negated = classify("このラーメン美味しくない")
    # When classified, Then the negated form is negative
    assert plain.sentiment == "positive"
    assert negated.sentiment == "negative"
    assert "美味しくない" in negated.cues


def test_japanese_negated_problem_is_neutral_to_positive() -> None:
    # Given 問題ない ("no problem")
    result = classify("今のところ問題ないです")
    # Then it is not a complaint and leans positive
    assert result.sentiment != "negative"
    assert result.sentiment_scores["positive"] > result.sentiment_scores["negative"]


def test_japanese_negated_past_praise() -> None:
    # Given 良くなかった ("was not good")
    result = classify("全然良くなかった")
    # Then it is negative
    assert result.sentiment == "negative"


# --- sarcasm ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "great, another 2 hours on hold. thanks for nothing",
        "Oh I just love waiting in line for an hour to talk to a robot",
        "thanks for losing my suitcase again, as usual",
        "Wow, delayed again. Amazing service as always 🙄",
        "さすがスカイジェット、今日も遅延",
        "安定の遅延ありがとうございます",
        "毎朝遅延してくれるおかげで遅延証明書が集まります🙄",
    ],
)
def test_sarcasm_is_negative(text: str) -> None:
    # Given praise words used ironically about a failure
    # When classified
    result = classify(text)
    # Then the post is negative and the irony is visible in the cues
    assert result.sentiment == "negative"
    assert any("sarcasm" in cue or "nothing" in cue or "love waiting" in cue for cue in result.cues)


def test_sincere_sasuga_stays_positive() -> None:
    # Given さすが with no complaint around it
    result = classify("さすがスカイジェット、対応が早くて助かりました")
    # Then it is praise, not sarcasm
    assert result.sentiment == "positive"
    assert not any("sarcasm" in cue for cue in result.cues)


# --- laughter, emoji, kaomoji, intensity -----------------------------------------------------


def test_laughter_alone_leans_positive() -> None:
    # Given net-slang laughter with nothing negative
    result = classify("配達早すぎて草ｗｗｗ")
    # Then it leans positive
    assert result.sentiment != "negative"
    assert result.sentiment_scores["positive"] > result.sentiment_scores["negative"]


def test_laughter_at_a_failure_is_not_praise() -> None:
    # Given laughter next to a failure
    result = classify("アプリまた落ちたwww")
    # Then the failure decides
    assert result.sentiment == "negative"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("😭😭😭", "negative"), ("😡", "negative"), ("🙏✨", "positive"), ("👍", "positive")],
)
def test_emoji_only_posts(text: str, expected: str) -> None:
    # Given a post made only of emoji
    result = classify(text)
    # Then the emoji polarity decides and the language is undetermined
    assert result.sentiment == expected
    assert result.language == "und"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("(´；ω；｀)", "negative"), ("(T_T)", "negative"), ("(＾＾)", "positive"), ("(*´ω`*)", "positive")],
)
def test_kaomoji(text: str, expected: str) -> None:
    # Given a kaomoji alone (full-width variants included)
    result = classify(text)
    # Then its parts decide the polarity
    assert result.sentiment == expected


def test_intensifier_strengthens_the_same_cue() -> None:
    # Given a mild cue with and without an intensifier
    plain = classify("対応が遅い")
    boosted = classify("対応がめっちゃ遅い")
    # Then the boosted one is more confidently negative
    assert boosted.sentiment_scores["negative"] > plain.sentiment_scores["negative"]


def test_but_clause_decides_mixed_post() -> None:
    # Given thanks followed by "but" and a complaint
    result = classify("Thanks for the quick reply, but my bag is still missing")
    # Then the part after "but" decides
    assert result.sentiment == "negative"


# --- result contract -------------------------------------------------------------------------


def test_empty_string() -> None:
    # Given an empty post
    result = classify("")
    # Then it is neutral, undetermined and explains nothing
    assert result.sentiment == "neutral"
    assert result.language == "und"
    assert result.cues == []
    assert sum(result.sentiment_scores.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "text",
    ["", "ok", "最悪", "great, another delay", "🙏", "(^^)", "届いた商品に傷がありました", "?" * 50],
)
def test_scores_are_a_distribution(text: str) -> None:
    # Given any post
    result = classify(text)
    # Then the three scores are probabilities summing to 1 and the label has the largest
    assert set(result.sentiment_scores) == {"positive", "neutral", "negative"}
    assert all(0.0 <= p <= 1.0 for p in result.sentiment_scores.values())
    assert sum(result.sentiment_scores.values()) == pytest.approx(1.0, abs=1e-9)
    assert result.sentiment_scores[result.sentiment] == max(result.sentiment_scores.values())


def test_very_long_text() -> None:
    # Given a very long post mixing a complaint, praise and noise (~20k characters)
    text = ("荷物が届かない。サポートに電話しても繋がらない。" * 300) + ("thanks for nothing " * 300) + ("w" * 2000)
    # When it is classified
    result = classify(text)
    # Then it completes with a valid, bounded result
    assert result.sentiment == "negative"
    assert result.language == "ja"
    assert len(result.cues) <= 8
    assert sum(result.sentiment_scores.values()) == pytest.approx(1.0)


def test_cues_name_what_drove_the_label() -> None:
    # Given a complaint with several cue words
    result = classify("荷物がまだ届かない！サポートも繋がらないし最悪😡")
    # Then the cues list the negative drivers, at most 8
    assert {"届かない", "最悪", "😡"} <= set(result.cues)
    assert 1 <= len(result.cues) <= 8


def test_deterministic() -> None:
    # Given the same post classified twice
    text = "great, another 2 hours on hold 🙄 さすがです"
    # When compared
    first, second = classify(text), classify(text)
    # Then the results are identical
    assert first == second
    assert first.model_dump() == second.model_dump()


def test_result_is_frozen_and_named() -> None:
    # Given a classification
    result = classify("ありがとう")
    # When someone tries to change it
    # Then pydantic refuses, and the classifier name is recorded
    assert isinstance(result, Classification)
    assert result.classifier == "builtin-v1"
    with pytest.raises(ValidationError):
        result.sentiment = "negative"  # type: ignore[misc]


def test_lexicon_entries_are_in_normalised_form() -> None:
    # Given the built-in lexicons (written pre-normalised so import stays fast)
    # When each entry is normalised
    # Then it is unchanged; otherwise it could never match normalised text
    entries = [*sentiment_module._EN_TABLE, *sentiment_module._FREE_TABLE]
    not_normalised = [entry for entry in entries if normalize(entry) != entry]
    assert not_normalised == []


def test_english_lexicon_entries_are_whole_tokens() -> None:
    # Given the English phrase lexicon, looked up by word tokens
    # When each entry is tokenised like a post
    # Then it round-trips; otherwise it could never match
    tokenize = sentiment_module._EN_TOKEN_RE.findall
    broken = [entry for entry in sentiment_module._EN_TABLE if " ".join(tokenize(entry)) != entry]
    assert broken == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "あ" * 200_000 + " refund " * 20_000,
        bytes(range(256)).decode("latin-1") * 50,
        "".join(chr(c) for c in range(0x2000, 0x2100)) + "\u200b\u200d\ufeff\ud7ff",
        "返金 please!!! 今すぐ refund してください 😡😡😡 (´;ω;`) ｱﾌﾟﾘが落ちる",
        "🙏" * 5000,
        "\x00\x01\x02 null bytes \x7f",
    ],
    ids=["empty", "blank", "huge", "binary", "symbols", "mixed", "emoji", "control"],
)
def test_bad_input_classifies_without_error(text: str) -> None:
    from mentiondesk.triage.learned import features

    result = classify(text, "ja")
    assert result.sentiment in ("positive", "neutral", "negative")
    assert result.intent in ("praise", "question", "problem", "complaint", "request", "other")
    assert result.urgency in ("high", "normal", "low")
    assert abs(sum(result.sentiment_scores.values()) - 1.0) < 1e-6
    assert isinstance(features(text), dict)
