"""The built-in triage classifier: one call, one immutable result per post.

:func:`classify` normalises the text once, detects the language and scores the sentiment. It is pure
Python with lexicons compiled at import, so it runs inside the Lambda layer with no model download
and no network, at thousands of posts per second on one core.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mentiondesk.triage.language import UNDETERMINED, detect_language_normalized
from mentiondesk.triage.normalize import normalize
from mentiondesk.triage.sentiment import analyze_sentiment_normalized

CLASSIFIER_NAME = "builtin-v1"

# Below this detection score the platform's own language field (X's ``lang``) is trusted more.
_HINT_THRESHOLD = 0.6
# X reports these when it has no language; they are not hints.
_NON_LANGUAGE_HINTS = frozenset({"", "und", "zxx", "qam", "qct", "qht", "qme", "qst", "art"})
_LATIN_GUESSES = frozenset({"en", "es", "fr", "de", "pt"})
_NON_LATIN_LANGUAGES = frozenset({"ja", "zh", "ko", "ru", "ar", "he", "el", "th", "hi", "uk", "fa"})
# Legacy codes some platforms still send.
_HINT_ALIASES = {"in": "id", "iw": "he", "ji": "yi", "jw": "jv"}


class Classification(BaseModel):
    """Triage result for one post."""

    model_config = ConfigDict(frozen=True)

    language: str = Field(description='ISO 639-1 code, or "und" when undetermined')
    language_score: float = Field(ge=0.0, le=1.0)
    sentiment: Literal["positive", "neutral", "negative"]
    sentiment_scores: dict[str, float] = Field(description="positive/neutral/negative, summing to 1.0")
    cues: list[str] = Field(default_factory=list, description="cue words/emoji that drove the sentiment")
    classifier: str = CLASSIFIER_NAME


def classify(text: str, lang_hint: str | None = None) -> Classification:
    """Classify a post's language and sentiment.

    ``lang_hint`` is the platform's language tag (e.g. X's ``lang``); it is used when detection is
    unsure (score below 0.6) and agrees with what the script allows.
    """
    normalized = normalize(text or "")
    language, language_score = detect_language_normalized(normalized)
    hint = _clean_hint(lang_hint)
    if hint and hint != language and language_score < _HINT_THRESHOLD and _hint_plausible(hint, language):
        language, language_score = hint, _HINT_THRESHOLD
    sentiment = analyze_sentiment_normalized(normalized)
    return Classification(
        language=language,
        language_score=language_score,
        sentiment=sentiment.label,
        sentiment_scores=sentiment.scores,
        cues=list(sentiment.cues),
    )


def _clean_hint(lang_hint: str | None) -> str | None:
    if not lang_hint:
        return None
    # "ja-JP", "en_US" -> primary subtag.
    code = lang_hint.strip().lower().replace("_", "-").split("-", 1)[0]
    if code in _NON_LANGUAGE_HINTS or not (2 <= len(code) <= 3) or not code.isalpha():
        return None
    return _HINT_ALIASES.get(code, code)


def _hint_plausible(hint: str, detected: str) -> bool:
    """A hint may refine a guess within the same script, or name text we could not read at all.

    It never turns kana into English: platforms tag by account settings as often as by text.
    """
    if detected == UNDETERMINED:
        return True
    if detected in {"ja", "zh"}:
        return hint in {"ja", "zh"}
    if detected == "ko":
        return False
    # Latin-script guesses (en by default, es/fr/de/pt by stopwords) may be refined by a Latin-script hint.
    return detected in _LATIN_GUESSES and hint not in _NON_LATIN_LANGUAGES
