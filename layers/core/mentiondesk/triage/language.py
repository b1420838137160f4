"""Language identification for short social posts, by script and a few cue characters.

Posts reaching Mentiondesk are overwhelmingly Japanese or English, often mixed (an English brand
name inside Japanese text, a Japanese word inside English). Scripts decide almost everything: kana
means Japanese, Hangul means Korean. The hard cases are handled with small, explainable rules:

* Han characters without kana are Chinese unless a Japanese-only character form appears
  (``最悪`` uses the Japanese 悪, Chinese writes 恶/惡) or the iteration mark ``々``.
* Latin text is English unless a handful of stopwords or diacritics clearly point to
  Spanish, French, German or Portuguese.
* Nothing to read (empty, emoji only, URLs and handles only) is ``"und"`` with a low score.

The score is the share of the text written in the winning language, damped for very short texts,
so callers can fall back to a platform's own language field when it is low.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter

from mentiondesk.triage.normalize import normalize, strip_placeholders

UNDETERMINED = "und"

_LATIN_WORD_RE = re.compile("[a-z\u00c0-\u024f]+(?:'[a-z]+)?")
# Latin letters that are not words: kaomoji eyes (T_T, o_o), laughter (w, ww), stray letters.
_NON_WORDS = frozenset({*"bcdefghjklmnopqrstuvwxyz", "ww", "xd", "orz", "otl"})
# Script of a non-ASCII code point, by sorted range starts (bisect). Plain comparisons instead of
# regex character classes: a class spanning the CJK block costs milliseconds to compile at import.
_RANGES: tuple[tuple[int, str], ...] = (
    (0x0080, ""),
    (0x00C0, "latin"),  # accented Latin letters are counted by the word regex
    (0x0250, ""),
    (0x0370, "el"),
    (0x0400, "ru"),
    (0x0530, ""),
    (0x0590, "he"),
    (0x0600, "ar"),
    (0x0700, ""),
    (0x0900, "hi"),
    (0x0980, ""),
    (0x0E00, "th"),
    (0x0E80, ""),
    (0x1100, "ko"),
    (0x1200, ""),
    (0x3005, "han"),  # 々 〆
    (0x3007, ""),
    (0x3041, "kana"),
    (0x3099, ""),  # combining and stand-alone voicing marks (the ﾟ of (ﾟДﾟ) after NFKC)
    (0x309D, "kana"),
    (0x30FB, ""),  # ・ middle dot: kaomoji furniture as often as punctuation
    (0x30FC, "kana"),
    (0x3100, ""),
    (0x3130, "ko"),
    (0x3190, ""),
    (0x31F0, "kana"),
    (0x3200, ""),
    (0x3400, "han"),
    (0x4DC0, ""),
    (0x4E00, "han"),
    (0xA000, ""),
    (0xAC00, "ko"),
    (0xD7B0, ""),
    (0xF900, "han"),
    (0xFB00, ""),
)
_RANGE_STARTS = tuple(start for start, _ in _RANGES)
_RANGE_SCRIPTS = tuple(script for _, script in _RANGES)

# Japanese shinjitai forms that differ from both simplified and traditional Chinese, plus kanji
# created in Japan and the iteration marks. One of them in kana-less Han text means Japanese.
_JA_HAN_CUES = frozenset(
    "悪対応気駅売続遅変実帰広楽薬労働関険経転発戦歳県図済検証沢総択円様込払辺収営従拡鉄銭"
    "歩黒恵顔栄桜浜単乗圧囲斎渋畑峠榊枠匂塀栃"
    "々〆"
)
# Simplified-only forms and Chinese function characters; they break a tie the other way.
_ZH_HAN_CUES = frozenset("们这说时为过还没对吗么个给让进开关发钱买卖东车吧呢啊您很儿")


def _words(text: str) -> frozenset[str]:
    """A word set written as a space-separated string (easier to scan than a list literal)."""
    return frozenset(text.split())


# Stopwords per Latin-script language. English is the default, so it only needs enough words to
# outvote a stray "de" or "la" in an English post.
_LATIN_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and is to you i my me for of it on in this that with was are have be not your at "
        "just can do we they so but what why how no get got been from will please thanks"
    ),
    "es": _words(
        "el la los las que de y es muy pero por para con una mi gracias está esta vuelo hola "
        "del al se lo porque pero nada todo también"
    ),
    "fr": _words(
        "le la les et est je pas pour une des du très merci avec vous c'est mais bonjour "
        "nous sur au aux ce cette qui ne"
    ),
    "de": _words(
        "der die das und ist nicht ich ein eine mit danke sehr auf sie zu für wir auch noch kein keine schon bitte"
    ),
    "pt": _words("o os que de e é não um uma muito obrigado obrigada para com você mas meu minha voo está isso ao"),
}
_LATIN_DIACRITICS: dict[str, str] = {"es": "ñ¿¡", "pt": "ãõ", "de": "ßäöü", "fr": "èêùœ"}


def _invert(stopwords: dict[str, frozenset[str]]) -> dict[str, tuple[str, ...]]:
    """word -> languages listing it, so each word of a post costs one look-up."""
    index: dict[str, tuple[str, ...]] = {}
    for lang, words in stopwords.items():
        for word in words:
            index[word] = (*index.get(word, ()), lang)
    return index


_STOPWORD_LANGS = _invert(_LATIN_STOPWORDS)


def detect_language(text: str) -> tuple[str, float]:
    """Return ``(ISO 639-1 code, confidence 0..1)`` for a post; ``("und", low)`` if unreadable."""
    return detect_language_normalized(normalize(text))


def detect_language_normalized(normalized: str) -> tuple[str, float]:
    """Like :func:`detect_language` for text already passed through :func:`normalize`."""
    text = strip_placeholders(normalized)
    if not text:
        return UNDETERMINED, 0.0

    counts = _count_scripts(text) if not text.isascii() else {}
    # Rough "words" per script so a long English sentence with one katakana brand name stays
    # English, and a Japanese post with an English product name stays Japanese.
    units: dict[str, float] = {}
    kana, han = counts.pop("kana", 0), counts.pop("han", 0)
    if kana:
        units["ja"] = (kana + han) / 2.0
    elif han:
        units[_han_only_language(text)] = han / 1.5
    hangul = counts.pop("ko", 0)
    if hangul:
        units["ko"] = hangul / 1.5
    latin_words = [word for word in _LATIN_WORD_RE.findall(text) if word not in _NON_WORDS]
    if latin_words:
        lang = _latin_language(latin_words)
        units[lang] = units.get(lang, 0.0) + len(latin_words)
    for code, letters in counts.items():
        # A single letter is kaomoji furniture: the ω of (´・ω・`), the Д of (;´Д`).
        if letters >= 2 and code != "latin":
            units[code] = units.get(code, 0.0) + letters / 5.0

    if not units:
        # Only emoji, digits, punctuation or kaomoji.
        return UNDETERMINED, 0.1
    best = max(units, key=units.__getitem__)
    total = sum(units.values())
    share = units[best] / total
    # Two or three words are weak evidence (think "ok", "lol", "欠航"); saturate at ~6 units.
    evidence = min(1.0, 0.55 + units[best] / 12.0)
    if best == "zh" and not _has_any(text, _ZH_HAN_CUES):
        # Kana-less Han with no Chinese-only form either: could be terse Japanese.
        evidence *= 0.75
    return best, round(share * evidence, 3)


def _count_scripts(text: str) -> dict[str, int]:
    """Count non-ASCII characters per script ("kana", "han", "ko", "ru", ...)."""
    counts: dict[str, int] = {}
    # Counter tallies characters in C; only the distinct characters are classified in Python.
    for ch, count in Counter(text).items():
        if ch >= "\x80":
            script = _RANGE_SCRIPTS[bisect_right(_RANGE_STARTS, ord(ch)) - 1]
            if script:
                counts[script] = counts.get(script, 0) + count
    return counts


def _han_only_language(text: str) -> str:
    """Decide between Japanese and Chinese for Han text without kana."""
    ja_cues = sum(1 for ch in text if ch in _JA_HAN_CUES)
    zh_cues = sum(1 for ch in text if ch in _ZH_HAN_CUES)
    return "ja" if ja_cues > zh_cues else "zh"


def _latin_language(words: list[str]) -> str:
    """Pick a Latin-script language by stopword and diacritic votes; English wins ties."""
    votes = dict.fromkeys(_LATIN_STOPWORDS, 0)
    for word in words:
        for lang in _STOPWORD_LANGS.get(word, ()):
            votes[lang] += 1
    joined = "".join(words)
    if not joined.isascii():
        for lang, marks in _LATIN_DIACRITICS.items():
            votes[lang] += 2 * sum(joined.count(mark) for mark in marks)
    best = max(votes, key=votes.__getitem__)
    if best != "en" and votes[best] >= 2 and votes[best] > votes["en"]:
        return best
    return "en"


def _has_any(text: str, chars: frozenset[str]) -> bool:
    return any(ch in chars for ch in text)
