"""Rule evaluation: which rules fire for a message or ticket, and which words made them fire.

Pure logic: callers build :class:`Facts` from a message, its ticket and its triage, and apply the
returned actions themselves. Evaluation is deterministic: the same rules and facts always give the
same answer in the same order.

Text conditions compare a folded form of both sides (:func:`fold_text`): NFKC (full-width Latin and
digits to ASCII, half-width katakana to full width, ligatures and circled digits expanded), then case
folding, then dropping variation selectors, skin-tone modifiers and invisible characters. Hiragana
and katakana are *not* folded into each other (``あかうんと`` does not match ``アカウント``): they
are different spellings to a Japanese reader. Keywords match as substrings, so an English keyword
also matches inside longer words; use a ``matches`` rule with ``\\b`` for whole words. Highlights
are reported in offsets of the original text.
"""

from __future__ import annotations

import hashlib
import itertools
import operator
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from mentiondesk.models import MessageKind, Platform, Sentiment
from mentiondesk.rules.model import (
    REGEX_INPUT_CHARS,
    AccountCondition,
    Action,
    All,
    Any,
    AuthorFollowersCondition,
    AuthorVerifiedCondition,
    BusinessHoursCondition,
    ChannelCondition,
    ConditionNode,
    CustomerTagsCondition,
    Intent,
    IntentCondition,
    KindCondition,
    LanguageCondition,
    Not,
    Priority,
    PriorityCondition,
    RatingCondition,
    Rule,
    SentimentCondition,
    TextContainsAny,
    TextMatches,
    TextNotContains,
    TicketTagsCondition,
    Trigger,
    Urgency,
    UrgencyCondition,
)

# --- facts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """Everything a condition can read. ``None`` means unknown: no leaf condition holds on it."""

    channel: Platform | None = None
    kind: MessageKind | None = None
    text: str | None = None
    sentiment: Sentiment | None = None
    intent: Intent | None = None
    urgency: Urgency | None = None
    language: str | None = None  # ISO 639-1; "ja-JP" is read as "ja"
    author_followers: int | None = None
    author_verified: bool | None = None
    customer_tags: Collection[str] | None = None
    business_hours: bool | None = None  # the message arrived within the team's business hours
    account: str | None = None  # our channel account the message was addressed to
    rating: int | None = None  # Google review stars
    ticket_tags: Collection[str] | None = None
    priority: Priority | None = None

    # Derived forms, computed once per Facts however many rules read them.

    @cached_property
    def folded(self) -> FoldedText | None:
        """The text as keyword and regex conditions see it."""
        return None if self.text is None else fold_text(self.text)

    @cached_property
    def language_code(self) -> str | None:
        if not self.language:
            return None
        return self.language.replace("_", "-").split("-", 1)[0].lower()

    @cached_property
    def folded_customer_tags(self) -> frozenset[str] | None:
        return _fold_tags(self.customer_tags)

    @cached_property
    def folded_ticket_tags(self) -> frozenset[str] | None:
        return _fold_tags(self.ticket_tags)


def _fold_tags(tags: Collection[str] | None) -> frozenset[str] | None:
    return None if tags is None else frozenset(fold_tag(tag) for tag in tags)


def fold_tag(tag: str) -> str:
    """Tags compare without regard to width or case (``VIP``, ``ｖｉｐ`` and ``vip`` are one tag)."""
    return unicodedata.normalize("NFKC", tag).casefold()


# --- text folding with an offset map ------------------------------------------------------------

_ZWJ = "\u200d"
# Dropped from the folded text: they change how a character looks, not what it says, and are
# sometimes inserted to dodge keyword filters (zero-width space, soft hyphen).
_DROP = frozenset(
    "\u00ad\u200b\u200c\u2060\ufeff"
    + "".join(chr(code) for code in range(0xFE00, 0xFE10))  # variation selectors (emoji ❤️ vs ❤)
    + "".join(chr(code) for code in range(0x1F3FB, 0x1F400))  # skin tones
    + "".join(chr(code) for code in range(0xE0100, 0xE01F0))  # ideographic variation selectors
)
# Half-width voiced sound marks: NFKC composes ｶﾞ into ガ although they are separate characters.
_HALFWIDTH_VOICED = frozenset("\uff9e\uff9f")


@dataclass(frozen=True)
class FoldedText:
    """Folded text plus, for each of its characters, the span of the original it came from."""

    original: str
    text: str
    starts: Sequence[int] | None = None  # None: the folding kept every offset (ASCII)
    ends: Sequence[int] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the folded range ``[start, end)`` (``end > start``)."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


def _attaches(text: str, index: int) -> bool:
    # True when text[index] belongs with the character before it: combining marks, voiced marks,
    # Hangul vowel/final jamo (which compose), variation selectors, and both sides of a ZWJ.
    ch = text[index]
    if ch in _DROP or ch == _ZWJ or text[index - 1] == _ZWJ:
        return True
    if ch < "\u0300":
        return False
    return ch in _HALFWIDTH_VOICED or "\u1160" <= ch <= "\u11ff" or unicodedata.category(ch)[0] == "M"


_DROP_RE = re.compile("[\u00ad\u200b\u200c\u2060\ufeff\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0100-\U000e01ef]")


def _fold_piece(piece: str) -> str:
    return _DROP_RE.sub("", unicodedata.normalize("NFKC", piece).casefold())


def fold_text(text: str) -> FoldedText:
    """Fold ``text`` for matching and map every folded character back to the original.

    The text is cut into clusters (a character and whatever attaches to it); each cluster is
    folded on its own, so every folded character maps to the cluster it came from. NFKC may change
    length (``ｶﾞ`` -> ``ガ``, ``ﬁ`` -> ``fi``, ``㈱`` -> ``(株)``); highlights then cover the whole
    cluster.
    """
    if text.isascii():
        return FoldedText(text, text.lower())
    if unicodedata.is_normalized("NFKC", text) and not _MAY_ATTACH_RE.search(text):
        # Nothing to compose, widen, drop or attach: only case can change, never the length of
        # a character (casefold never deletes one).
        folded = text.casefold()
        if len(folded) == len(text):
            return FoldedText(text, folded)
    return _fold_clusters(text)


# A superset of the characters _attaches accepts (combining-mark blocks rather than the exact
# category): a post without any of them can skip the cluster walk.
_MAY_ATTACH_RE = re.compile(
    "[\u00ad\u0300-\u036f\u0483-\u0489\u0591-\u08ff\u0900-\u109f\u1160-\u11ff\u135d-\u135f\u1700-\u1dff"
    "\u200b-\u200d\u2060\u20d0-\u20ff\u2cef-\u2cf1\u2d7f\u2de0-\u2dff\u302a-\u302f\u3099\u309a"
    "\ua66f-\uabff\ufb1e\ufe00-\ufe0f\ufe20-\ufe2f\ufeff\uff9e\uff9f"
    "\U00010000-\U0001efff\U0001f3fb-\U0001f3ff\U000e0000-\U000e01ef]"
)


# Folded form of single characters seen so far: most posts reuse a few hundred characters.
_CHAR_CACHE: dict[str, str] = {}
_CHAR_CACHE_SIZE = 65_536


def _fold_char(ch: str) -> str:
    folded = _CHAR_CACHE.get(ch)
    if folded is None:
        folded = _fold_piece(ch)
        if len(_CHAR_CACHE) < _CHAR_CACHE_SIZE:
            _CHAR_CACHE[ch] = folded
    return folded


def _fold_clusters(text: str) -> FoldedText:
    n = len(text)
    # Only characters the cheap regex flags (and those right after a ZWJ) can attach.
    candidates: set[int] = set()
    for match in _MAY_ATTACH_RE.finditer(text):
        candidates.add(match.start())
        if match.group() == _ZWJ:
            candidates.add(match.start() + 1)
    attached = {j for j in candidates if 0 < j < n and _attaches(text, j)}
    if attached:
        bounds = [i for i in range(n) if i not in attached]
        bounds.append(n)
        spans = list(itertools.pairwise(bounds))
        pieces = [_fold_char(text[a]) if b - a == 1 else _fold_piece(text[a:b]) for a, b in spans]
    else:
        spans = [(i, i + 1) for i in range(n)]
        pieces = [_fold_char(ch) for ch in text]
    folded = "".join(pieces)
    if folded != _fold_piece(text):
        # A composition across clusters we did not foresee: stay correct, lose precision.
        folded = _fold_piece(text)
        return FoldedText(text, folded, [0] * len(folded), [n] * len(folded))
    if all(len(piece) == 1 for piece in pieces) and len(pieces) == n:
        return FoldedText(text, folded)  # one folded character per original character
    starts: list[int] = []
    ends: list[int] = []
    for (a, b), piece in zip(spans, pieces, strict=True):
        starts.extend([a] * len(piece))
        ends.extend([b] * len(piece))
    return FoldedText(text, folded, starts, ends)


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Highlight:
    """A span of the original text that made a keyword or regex condition hold."""

    start: int
    end: int
    text: str
    keyword: str  # the keyword or pattern as the supervisor wrote it (the first one, when merged)


@dataclass(frozen=True)
class Evaluation:
    matched: bool
    highlights: list[Highlight]


@dataclass(frozen=True)
class Fired:
    """A rule whose condition held: the caller applies ``actions`` in order."""

    rule_id: str
    actions: list[Action]
    highlights: list[Highlight]


# --- compiled conditions ------------------------------------------------------------------------

_Span = tuple[int, int, str]  # original start, original end, keyword


class _Node:
    __slots__ = ()

    def matches(self, facts: Facts) -> bool:
        raise NotImplementedError

    def spans(self, facts: Facts, out: list[_Span]) -> None:
        """Append the spans behind a match; called only when :meth:`matches` is true."""


class _AllNode(_Node):
    __slots__ = ("parts",)

    def __init__(self, parts: list[_Node]) -> None:
        self.parts = parts

    def matches(self, facts: Facts) -> bool:
        return all(part.matches(facts) for part in self.parts)

    def spans(self, facts: Facts, out: list[_Span]) -> None:
        for part in self.parts:
            part.spans(facts, out)


class _AnyNode(_AllNode):
    __slots__ = ()

    def matches(self, facts: Facts) -> bool:
        return any(part.matches(facts) for part in self.parts)

    def spans(self, facts: Facts, out: list[_Span]) -> None:
        for part in self.parts:  # every branch that holds contributed, not only the first
            if part.matches(facts):
                part.spans(facts, out)


class _NotNode(_Node):
    __slots__ = ("part",)

    def __init__(self, part: _Node) -> None:
        self.part = part

    def matches(self, facts: Facts) -> bool:
        return not self.part.matches(facts)


class _InNode(_Node):
    __slots__ = ("attr", "values")

    def __init__(self, attr: str, values: Iterable[object]) -> None:
        self.attr = attr
        self.values = frozenset(values)

    def matches(self, facts: Facts) -> bool:
        value = getattr(facts, self.attr)
        return value is not None and value in self.values


class _IsNode(_Node):
    __slots__ = ("attr", "value")

    def __init__(self, attr: str, value: bool) -> None:
        self.attr = attr
        self.value = value

    def matches(self, facts: Facts) -> bool:
        value = getattr(facts, self.attr)
        return value is not None and bool(value) is self.value


_COMPARISONS: dict[str, Callable[[int, int], bool]] = {
    "gte": operator.ge,
    "lte": operator.le,
    "gt": operator.gt,
    "lt": operator.lt,
}


class _CompareNode(_Node):
    __slots__ = ("attr", "compare", "value")

    def __init__(self, attr: str, op: str, value: int) -> None:
        self.attr = attr
        self.compare = _COMPARISONS[op]
        self.value = value

    def matches(self, facts: Facts) -> bool:
        value = getattr(facts, self.attr)
        return value is not None and self.compare(value, self.value)


class _TagsNode(_Node):
    __slots__ = ("attr", "every", "values")

    def __init__(self, attr: str, values: Iterable[str], every: bool) -> None:
        self.attr = attr
        self.values = frozenset(fold_tag(value) for value in values)
        self.every = every

    def matches(self, facts: Facts) -> bool:
        tags: frozenset[str] | None = getattr(facts, self.attr)
        if tags is None:
            return False
        return self.values <= tags if self.every else not self.values.isdisjoint(tags)


class _KeywordsNode(_Node):
    __slots__ = ("keywords", "negate")

    def __init__(self, keywords: Iterable[str], negate: bool) -> None:
        # (as written, folded); a keyword that folds to nothing could never mean anything
        self.keywords = [(keyword, folded) for keyword in keywords if (folded := fold_text(keyword).text)]
        self.negate = negate

    def matches(self, facts: Facts) -> bool:
        folded = facts.folded
        if folded is None:
            return False
        text = folded.text
        found = any(needle in text for _, needle in self.keywords)
        return not found if self.negate else found

    def spans(self, facts: Facts, out: list[_Span]) -> None:
        folded = facts.folded
        if self.negate or folded is None:
            return
        text = folded.text
        for keyword, needle in self.keywords:
            at = text.find(needle)
            while at >= 0:
                start, end = folded.span(at, at + len(needle))
                out.append((start, end, keyword))
                at = text.find(needle, at + len(needle))


class _RegexNode(_Node):
    __slots__ = ("pattern", "regex")

    def __init__(self, pattern: str, regex: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.regex = regex

    def matches(self, facts: Facts) -> bool:
        folded = facts.folded
        return folded is not None and self.regex.search(folded.text, 0, REGEX_INPUT_CHARS) is not None

    def spans(self, facts: Facts, out: list[_Span]) -> None:
        folded = facts.folded
        if folded is None:
            return
        for match in self.regex.finditer(folded.text, 0, REGEX_INPUT_CHARS):
            if match.end() > match.start():  # an empty match holds but shows nothing
                start, end = folded.span(match.start(), match.end())
                out.append((start, end, self.pattern))


def _compile(condition: ConditionNode) -> _Node:
    if isinstance(condition, All):
        return _AllNode([compile_condition(part) for part in condition.all])
    if isinstance(condition, Any):
        return _AnyNode([compile_condition(part) for part in condition.any])
    if isinstance(condition, Not):
        return _NotNode(compile_condition(condition.not_))
    if isinstance(
        condition,
        ChannelCondition
        | KindCondition
        | SentimentCondition
        | IntentCondition
        | UrgencyCondition
        | AccountCondition
        | PriorityCondition,
    ):
        return _InNode(condition.field, condition.value)
    if isinstance(condition, LanguageCondition):
        return _InNode("language_code", condition.value)
    if isinstance(condition, TextContainsAny | TextNotContains):
        return _KeywordsNode(condition.value, negate=isinstance(condition, TextNotContains))
    if isinstance(condition, TextMatches):
        return _RegexNode(condition.value, re.compile(condition.normalized_pattern, re.IGNORECASE))
    if isinstance(condition, AuthorFollowersCondition | RatingCondition):
        return _CompareNode(condition.field, condition.op, condition.value)
    if isinstance(condition, AuthorVerifiedCondition | BusinessHoursCondition):
        return _IsNode(condition.field, condition.value)
    if isinstance(condition, CustomerTagsCondition):
        return _TagsNode("folded_customer_tags", condition.value, every=condition.op == "has_all")
    if isinstance(condition, TicketTagsCondition):
        return _TagsNode("folded_ticket_tags", condition.value, every=False)
    raise TypeError(f"not a condition: {type(condition).__name__}")


def _cached(condition: ConditionNode) -> _Node | None:
    # Straight from the private-attribute dict: pydantic's __getattr__ path costs more than a
    # whole leaf evaluation.
    private = condition.__pydantic_private__
    cached = private.get("_compiled") if private else None
    if cached is not None and cached[0] == id(condition) and isinstance(cached[1], _Node):
        return cached[1]
    return None


def compile_condition(condition: ConditionNode) -> _Node:
    """The condition's compiled form, built once per condition object."""
    node = _cached(condition)
    if node is None:
        node = _compile(condition)
        condition._compiled = (id(condition), node)
    return node


# Rules are re-read from the store on every invocation, as new objects: this keeps their compiled
# conditions across warm invocations. Keyed by rule id and the condition's JSON, so an edited rule
# never reuses a stale entry.
_RULE_CACHE: OrderedDict[tuple[str, str], _Node] = OrderedDict()
_RULE_CACHE_SIZE = 4096
_RULE_CACHE_LOCK = threading.Lock()


def _compile_rule(rule: Rule) -> _Node:
    condition: ConditionNode = rule.condition
    node = _cached(condition)
    if node is not None:
        return node
    key = (rule.id, hashlib.sha256(condition.model_dump_json().encode()).hexdigest())
    with _RULE_CACHE_LOCK:
        node = _RULE_CACHE.get(key)
        if node is not None:
            _RULE_CACHE.move_to_end(key)
    if node is None:
        node = _compile(condition)
        with _RULE_CACHE_LOCK:
            _RULE_CACHE[key] = node
            while len(_RULE_CACHE) > _RULE_CACHE_SIZE:
                _RULE_CACHE.popitem(last=False)
    condition._compiled = (id(condition), node)
    return node


# --- evaluation ---------------------------------------------------------------------------------


def _highlights(node: _Node, facts: Facts) -> list[Highlight]:
    spans: list[_Span] = []
    node.spans(facts, spans)
    if not spans or facts.text is None:
        return []
    spans.sort(key=lambda span: (span[0], -span[1]))
    merged: list[_Span] = []
    for start, end, keyword in spans:
        if merged and start < merged[-1][1]:
            first_start, first_end, first_keyword = merged[-1]
            merged[-1] = (first_start, max(first_end, end), first_keyword)
        else:
            merged.append((start, end, keyword))
    text = facts.text
    return [Highlight(start, end, text[start:end], keyword) for start, end, keyword in merged]


def evaluate(condition: ConditionNode, facts: Facts) -> Evaluation:
    """Whether ``condition`` holds for ``facts``, with the spans of the text that made it hold.

    Highlights come only from branches that contributed: every branch of an ``any`` that holds,
    nothing under a ``not``. They are sorted, and overlapping spans are merged.
    """
    node = compile_condition(condition)
    if not node.matches(facts):
        return Evaluation(False, [])
    return Evaluation(True, _highlights(node, facts))


def run_rules(rules: Iterable[Rule], trigger: Trigger, facts: Facts) -> list[Fired]:
    """The enabled rules for ``trigger`` whose condition holds, in ``order`` (ties by id).

    A fired rule with ``stop_on_match`` ends the run.
    """
    selected = sorted((rule for rule in rules if rule.enabled and rule.trigger == trigger), key=_rule_order)
    fired: list[Fired] = []
    for rule in selected:
        node = _compile_rule(rule)
        if node.matches(facts):
            fired.append(Fired(rule.id, list(rule.actions), _highlights(node, facts)))
            if rule.stop_on_match:
                break
    return fired


def _rule_order(rule: Rule) -> tuple[int, str]:
    return rule.order, rule.id


def dry_run(rule: Rule, facts_list: Iterable[Facts]) -> list[int]:
    """Indexes of ``facts_list`` whose facts the rule's condition holds for.

    Trigger, ``enabled`` and other rules are ignored: this answers "which of these tickets would
    this rule have matched".
    """
    node = _compile_rule(rule)
    return [index for index, facts in enumerate(facts_list) if node.matches(facts)]
