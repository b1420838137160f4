"""Text normalisation shared by the triage classifiers.

Social posts spell the same thing many ways: full-width ``ＷｉＦｉ`` and half-width ``ｿﾗﾓﾊﾞｲﾙ``,
``最高ーーー!!!!``, ``wwwww``, curly apostrophes, emoji with skin-tone and variation selectors. Every
lexicon lookup in this package runs on the output of :func:`normalize`, and the lexicons themselves are
passed through it at import time, so both sides always agree on one spelling.

URLs, e-mail addresses and ``@handles`` are replaced by the placeholders :data:`URL`, :data:`EMAIL`
and :data:`USER`; they carry no sentiment and must not count as words (a handle such as
``@BestAirline`` would otherwise read as praise). The placeholders are bracketed so the word matchers,
which refuse a match preceded by ``<``, never see them as words.
"""

from __future__ import annotations

import re
import unicodedata

URL = "<url>"
EMAIL = "<email>"
USER = "<user>"

# Patterns run on lower-cased text. Order matters: e-mail before handle (the handle pattern would
# eat the domain part).
# URL characters are ASCII only, so Japanese text glued to a link ("…/a見て") is kept.
_URL_RE = re.compile(r"(?:https?://|www\.)[a-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+")
_EMAIL_RE = re.compile(r"[a-z0-9.+_-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+")
# X/Instagram handles are ASCII only; a Japanese display name after "@" stays text.
_HANDLE_RE = re.compile(r"(?<![a-z0-9_@.])@[a-z0-9_]{1,30}(?:\.[a-z0-9_]+)*")
PLACEHOLDER_RE = re.compile(r"<(?:url|email|user)>")

# NFKC leaves these apart although people use them interchangeably. Decorations (variation
# selectors, skin tones, zero-width joiners and spaces, the BOM) are dropped so that "❤️" and "❤",
# "👍🏻" and "👍" hit the same lexicon entry. Pairs and str.replace rather than str.translate or a
# character-class regex: translate with a dict is ~40x slower on short strings, and a regex class
# spanning the BMP takes milliseconds to compile at import.
_REPLACEMENTS: tuple[tuple[str, str], ...] = (
    ("\u2019", "'"),  # right single quote -> apostrophe (don’t -> don't)
    ("\u2018", "'"),
    ("\u02bc", "'"),
    ("\u201c", '"'),
    ("\u201d", '"'),
    ("\u301c", "~"),  # wave dash 〜 -> ~ (NFKC already maps the full-width tilde ～)
    ("\u2015", "ー"),  # horizontal bar / box-drawing line typed as a long vowel mark
    ("\u2500", "ー"),
    ("\ufe0f", ""),
    ("\ufe0e", ""),
    ("\u200b", ""),
    ("\u200c", ""),
    ("\u200d", ""),
    ("\u2060", ""),
    ("\ufeff", ""),
    *((chr(code), "") for code in range(0x1F3FB, 0x1F400)),  # skin-tone modifiers
)
# Long vowel marks, tildes and sokuon only stretch a word, and a run of 草/笑 is one laugh:
# one of each is enough.
_STRETCH_RE = re.compile(r"([ー~っッ・草笑])\1+")
# Any other character repeated three or more times keeps two: "!!!!" -> "!!", "wwww" -> "ww",
# "sooooo" -> "soo". Two keeps the emphasis visible to the scorer. Digits and rating stars are
# counts, never touched ("1000" stays a number, "★★★★★" stays five stars).
_REPEAT_RE = re.compile(r"([^\d★☆])\1\1+")
_ANY_TRIPLE_RE = re.compile(r"(.)\1\1")  # cheap pre-check: most posts have no triple at all


def normalize(text: str) -> str:
    """Return ``text`` in the canonical form the triage lexicons are written in.

    NFKC (full/half width), lower-cased Latin, placeholders for URLs/e-mails/handles, collapsed
    stretching and repetition, single spaces. Idempotent: ``normalize(normalize(t)) == normalize(t)``.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).lower()
    for old, new in _REPLACEMENTS:
        if old in text:
            text = text.replace(old, new)
    if not unicodedata.is_normalized("NFKC", text):  # a dropped joiner let "e" + "\u0301" meet: compose them
        text = unicodedata.normalize("NFKC", text)
    # The placeholder patterns are only run when their anchor character is present.
    if "http" in text or "www." in text:
        text = _URL_RE.sub(f" {URL} ", text)
    if "@" in text:
        text = _EMAIL_RE.sub(f" {EMAIL} ", text)
        text = _HANDLE_RE.sub(f" {USER} ", text)
    text = _STRETCH_RE.sub(r"\1", text)
    if _ANY_TRIPLE_RE.search(text):
        text = _REPEAT_RE.sub(r"\1\1", text)
    return " ".join(text.split())


def strip_placeholders(normalized: str) -> str:
    """Remove the URL/e-mail/handle placeholders from already normalised text."""
    return PLACEHOLDER_RE.sub(" ", normalized).strip()
