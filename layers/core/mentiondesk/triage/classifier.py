"""The built-in triage classifier: one call, one immutable result per post.

:func:`classify` normalises the text once, detects the language, scores the sentiment, infers the
intent and the urgency from cue phrases and finds personal data (spans in the original text, never
the values). The intent feeds back into the sentiment (a complaint about a price rise is negative
even in calm words). It is pure Python with lexicons compiled at import, so it runs inside the
Lambda layer with no model download and no network, at thousands of posts per second on one core.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from mentiondesk.triage.intent import INTENTS, Intent, IntentResult, detect_intent_normalized, round_to_one
from mentiondesk.triage.language import UNDETERMINED, detect_language_normalized
from mentiondesk.triage.normalize import normalize
from mentiondesk.triage.pii import PiiDetector, PiiMatch, find_pii
from mentiondesk.triage.sentiment import LABELS, SentimentResult, analyze_sentiment_normalized
from mentiondesk.triage.urgency import URGENCIES, Urgency, UrgencyResult, detect_urgency_normalized

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
    intent: Intent = "other"
    intent_scores: dict[str, float] = Field(
        default_factory=lambda: {str(name): float(name == "other") for name in INTENTS},
        description="praise/question/problem/complaint/request/other, summing to 1.0",
    )
    intent_cues: list[str] = Field(default_factory=list, description="cue phrases that drove the intent")
    urgency: Urgency = "normal"
    urgency_scores: dict[str, float] = Field(
        default_factory=lambda: {str(name): float(name == "normal") for name in URGENCIES},
        description="high/normal/low, summing to 1.0",
    )
    urgency_cues: list[str] = Field(
        default_factory=list, description='reasons for the urgency, "<kind>: <cue>" (money, security, now, ...)'
    )
    pii: list[PiiMatch] = Field(default_factory=list, description="personal data found: type and span, no value")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def scores(self) -> dict[str, dict[str, float]]:
        """Probabilities per label: ``{"sentiment": {...}, "intent": {...}, "urgency": {...}}``."""
        return {"sentiment": self.sentiment_scores, "intent": self.intent_scores, "urgency": self.urgency_scores}


def classify(
    text: str,
    lang_hint: str | None = None,
    *,
    channel: str | None = None,
    pii_detector: PiiDetector | None = None,
) -> Classification:
    """Classify a post: language, sentiment, intent, urgency and personal data.

    ``lang_hint`` is the platform's language tag (e.g. X's ``lang``); it is used when detection is
    unsure (score below 0.6) and agrees with what the script allows. ``channel`` (``x_dm``,
    ``x_mention``, ...) tells private from public posts: anger only spreads in public.
    ``pii_detector`` carries a tenant's own order-number patterns.
    """
    text = text or ""
    normalized = normalize(text)
    language, language_score = detect_language_normalized(normalized)
    hint = _clean_hint(lang_hint)
    if hint and hint != language and language_score < _HINT_THRESHOLD and _hint_plausible(hint, language):
        language, language_score = hint, _HINT_THRESHOLD
    sentiment = analyze_sentiment_normalized(normalized)
    intent = detect_intent_normalized(normalized, sentiment)
    urgency = detect_urgency_normalized(normalized, intent, sentiment, channel)
    polite = language == "ja" and _JA_POLITE_RE.search(normalized) is not None
    label, scores, cues = _fuse_sentiment(sentiment, intent, urgency, polite)
    return Classification(
        language=language,
        language_score=language_score,
        sentiment=label,
        sentiment_scores=scores,
        cues=cues,
        intent=intent.label,
        intent_scores=intent.scores,
        intent_cues=list(intent.cues),
        urgency=urgency.label,
        urgency_scores=urgency.scores,
        urgency_cues=list(urgency.cues),
        pii=(pii_detector.find(text) if pii_detector else find_pii(text)),
    )


# How much the intent moves the sentiment, as log-odds per unit of intent probability. Complaints
# are negative and praise positive by definition; a fault reported in plain words is negative, but a
# polite Japanese report (…ました。…お願いできますか) is the calm, neutral kind.
_INTENT_SENTIMENT: dict[str, dict[str, float]] = {
    "praise": {"positive": 1.0},
    "complaint": {"negative": 1.0},
    "problem": {"negative": 1.0},
    "question": {"neutral": 0.4},
    "request": {"neutral": 0.4},
}
_URGENT_NEGATIVE = 0.8
_POLITE_PROBLEM = 0.3
_JA_POLITE_RE = re.compile(r"です|ます|ください|下さい|お願い|でしょうか|いただけ|頂け")
_MAX_CUES = 8


def _fuse_sentiment(
    sentiment: SentimentResult, intent: IntentResult, urgency: UrgencyResult, polite: bool
) -> tuple[Literal["positive", "neutral", "negative"], dict[str, float], list[str]]:
    """The lexicon's sentiment moved by the intent and urgency (log-linear), with the cues behind the label."""
    logits: dict[str, float] = {label: math.log(max(sentiment.scores[label], 1e-4)) for label in LABELS}
    for name, shifts in _INTENT_SENTIMENT.items():
        weight = intent.scores[name] * (_POLITE_PROBLEM if polite and name == "problem" else 1.0)
        for label, shift in shifts.items():
            logits[label] += weight * shift
    # An outage, lost money, a safety or security incident is bad news in any words.
    logits["negative"] += urgency.scores["high"] * (_POLITE_PROBLEM if polite else 1.0) * _URGENT_NEGATIVE
    peak = max(logits.values())
    exps = [math.exp(logits[label] - peak) for label in LABELS]
    total = sum(exps)
    probs = round_to_one([e / total for e in exps])
    label = LABELS[probs.index(max(probs))]
    cues = list(sentiment.cues)
    if label != sentiment.label and label != "neutral":
        # The intent tipped it: its cue phrases explain the label better than the lexicon's.
        cues = list(dict.fromkeys([*intent.cues, *cues]))[:_MAX_CUES]
    return label, dict(zip(LABELS, probs, strict=True)), cues


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
