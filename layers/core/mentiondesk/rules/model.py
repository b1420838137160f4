"""Rule definitions as supervisors write them: a trigger, a condition tree and actions.

Everything here is validated when a rule is saved, so the engine never meets a rule it cannot run:
unknown fields, a wrong operator for a field, bad values, unsafe regular expressions and trees that
are too large are refused with a :class:`pydantic.ValidationError` that names the field.

A condition is ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": {...}}`` or a leaf
``{"field": ..., "op": ..., "value": ...}``. Leaves read :class:`mentiondesk.rules.engine.Facts`.

Limits (constants below): a tree at most :data:`MAX_DEPTH` levels deep with at most :data:`MAX_NODES`
nodes; keyword lists of 1..100 entries of 1..100 characters; regular expressions of at most
:data:`MAX_PATTERN_CHARS` characters that pass :func:`check_pattern`; 1..20 actions per rule.
"""

from __future__ import annotations

import importlib
import re
import typing
import unicodedata
from collections.abc import Callable, Sequence
from email.utils import parseaddr
from functools import lru_cache
from typing import Annotated, Final, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    StrictBool,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from mentiondesk.models import DisplayName, MessageKind, Platform, Sentiment

Trigger = Literal["message_received", "ticket_created", "ticket_updated", "sla_warning", "sla_breached"]
# The contract labels (DESIGN.md); repeated rather than imported so rules do not load the triage lexicons.
Intent = Literal["praise", "question", "problem", "complaint", "request", "other"]
Urgency = Literal["high", "normal", "low"]
Priority = Literal["low", "normal", "high", "urgent"]

MAX_DEPTH: Final = 8  # a leaf alone is depth 1
MAX_NODES: Final = 100  # every all/any/not and every leaf counts
MAX_KEYWORDS: Final = 100
MAX_KEYWORD_CHARS: Final = 100
MAX_PATTERN_CHARS: Final = 300
MAX_REPEAT_BOUND: Final = 100  # the largest n in {n} / {m,n}
MAX_ACTIONS: Final = 20
# Regular expressions see at most this many characters of the folded text (the engine truncates).
# It also stands for "unbounded" when the pattern check estimates backtracking cost.
REGEX_INPUT_CHARS: Final = 3_000
# Product of the ranges of quantifiers that can match the same characters one after another
# (".*a.*b" is 3,000 x 3,000): the ways a failing match is retried from one start. Above this one
# crafted post could stall the rules step; see check_pattern.
MAX_BACKTRACK_FACTOR: Final = 3_000


class _Model(BaseModel):
    # Frozen: the engine caches compiled conditions on the objects themselves.
    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )


# --- value types --------------------------------------------------------------------------------

Ref = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^\S+$")]
"""An id of something stored elsewhere (team, agent, template, SLA policy, channel account)."""

TagName = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^\S(?:.*\S)?$")]
LanguageCode = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2}$"),
    BeforeValidator(lambda value: value.lower() if isinstance(value, str) else value),
]

# Characters that carry nothing a reader sees: whitespace, format and control characters,
# combining marks alone, modifiers (skin tones), variation selectors.
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me", "Sk"})


def _check_keyword(keyword: str) -> str:
    if all(unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in keyword):
        raise ValueError("a keyword must contain a visible character")
    return keyword


Keyword = Annotated[str, StringConstraints(min_length=1, max_length=MAX_KEYWORD_CHARS), AfterValidator(_check_keyword)]
Keywords = Annotated[list[Keyword], Field(min_length=1, max_length=MAX_KEYWORDS)]


# --- leaf conditions ----------------------------------------------------------------------------


class ConditionNode(_Model):
    """Base of every condition, composite or leaf."""

    # The engine's compiled form of this subtree: (id(self), compiled). The id guards against
    # model_copy, which copies private attributes onto a different object.
    _compiled: tuple[int, object] | None = PrivateAttr(default=None)


class ChannelCondition(ConditionNode):
    """The platform the message came from."""

    field: Literal["channel"] = "channel"
    op: Literal["in"] = "in"
    value: list[Platform] = Field(min_length=1)


class KindCondition(ConditionNode):
    """What kind of message it is (mention, reply, DM, review...)."""

    field: Literal["kind"] = "kind"
    op: Literal["in"] = "in"
    value: list[MessageKind] = Field(min_length=1)


class TextContainsAny(ConditionNode):
    """The text contains at least one keyword (compared after width and case folding)."""

    field: Literal["text"] = "text"
    op: Literal["contains_any"]
    value: Keywords


class TextNotContains(ConditionNode):
    """The text is known and contains none of the keywords."""

    field: Literal["text"] = "text"
    op: Literal["not_contains"]
    value: Keywords


class TextMatches(ConditionNode):
    """The regular expression finds a match in the folded text: case-insensitive, in the first
    :data:`REGEX_INPUT_CHARS` characters, ``^``/``$`` at the ends of the text (see :func:`check_pattern`)."""

    field: Literal["text"] = "text"
    op: Literal["matches"]
    value: str = Field(min_length=1, max_length=MAX_PATTERN_CHARS)

    @field_validator("value")
    @classmethod
    def _safe_pattern(cls, value: str) -> str:
        check_pattern(value)
        return value

    @property
    def normalized_pattern(self) -> str:
        """The pattern the engine compiles: NFKC of what the supervisor wrote."""
        return unicodedata.normalize("NFKC", self.value)


TextCondition = Annotated[TextContainsAny | TextMatches | TextNotContains, Field(discriminator="op")]


class SentimentCondition(ConditionNode):
    field: Literal["sentiment"] = "sentiment"
    op: Literal["in"] = "in"
    value: list[Sentiment] = Field(min_length=1)


class IntentCondition(ConditionNode):
    field: Literal["intent"] = "intent"
    op: Literal["in"] = "in"
    value: list[Intent] = Field(min_length=1)


class UrgencyCondition(ConditionNode):
    field: Literal["urgency"] = "urgency"
    op: Literal["in"] = "in"
    value: list[Urgency] = Field(min_length=1)


class LanguageCondition(ConditionNode):
    """ISO 639-1 codes; a fact such as ``ja-JP`` is compared by its primary subtag."""

    field: Literal["language"] = "language"
    op: Literal["in"] = "in"
    value: list[LanguageCode] = Field(min_length=1, max_length=100)


class AuthorFollowersCondition(ConditionNode):
    field: Literal["author_followers"] = "author_followers"
    op: Literal["gte", "lte", "gt", "lt"]
    value: int = Field(ge=0, le=10_000_000_000)


class AuthorVerifiedCondition(ConditionNode):
    field: Literal["author_verified"] = "author_verified"
    op: Literal["is"] = "is"
    value: StrictBool


class CustomerTagsCondition(ConditionNode):
    """Tags on the customer; compared without regard to case or width."""

    field: Literal["customer_tags"] = "customer_tags"
    op: Literal["has_any", "has_all"]
    value: list[TagName] = Field(min_length=1, max_length=100)


class BusinessHoursCondition(ConditionNode):
    """Whether the message arrived within the team's business hours."""

    field: Literal["business_hours"] = "business_hours"
    op: Literal["is"] = "is"
    value: StrictBool


class AccountCondition(ConditionNode):
    """Our channel account the message was addressed to (X user id, Page/IG id, GBP location)."""

    field: Literal["account"] = "account"
    op: Literal["in"] = "in"
    value: list[Ref] = Field(min_length=1, max_length=100)


class RatingCondition(ConditionNode):
    """Google review stars."""

    field: Literal["rating"] = "rating"
    op: Literal["gte", "lte"]
    value: int = Field(ge=1, le=5)


class TicketTagsCondition(ConditionNode):
    field: Literal["ticket_tags"] = "ticket_tags"
    op: Literal["has_any"] = "has_any"
    value: list[TagName] = Field(min_length=1, max_length=100)


class PriorityCondition(ConditionNode):
    field: Literal["priority"] = "priority"
    op: Literal["in"] = "in"
    value: list[Priority] = Field(min_length=1)


LeafCondition = (
    ChannelCondition
    | KindCondition
    | TextContainsAny
    | TextMatches
    | TextNotContains
    | SentimentCondition
    | IntentCondition
    | UrgencyCondition
    | LanguageCondition
    | AuthorFollowersCondition
    | AuthorVerifiedCondition
    | CustomerTagsCondition
    | BusinessHoursCondition
    | AccountCondition
    | RatingCondition
    | TicketTagsCondition
    | PriorityCondition
)

FIELDS: Final = (
    "channel",
    "kind",
    "text",
    "sentiment",
    "intent",
    "urgency",
    "language",
    "author_followers",
    "author_verified",
    "customer_tags",
    "business_hours",
    "account",
    "rating",
    "ticket_tags",
    "priority",
)


# --- composite conditions -----------------------------------------------------------------------


def _within_limits(parts: Sequence[ConditionNode]) -> None:
    # Checked on every composite as it is built (bottom-up), so a tree over the limits is refused
    # at the first node that crosses them.
    depth = 1 + max((condition_depth(part) for part in parts), default=0)
    if depth > MAX_DEPTH:
        raise PydanticCustomError(
            "condition_too_deep",
            "condition tree is nested {depth} levels deep; at most {limit} are allowed",
            {"depth": depth, "limit": MAX_DEPTH},
        )
    nodes = 1 + sum(condition_size(part) for part in parts)
    if nodes > MAX_NODES:
        raise PydanticCustomError(
            "condition_too_large",
            "condition tree has {nodes} conditions; at most {limit} are allowed",
            {"nodes": nodes, "limit": MAX_NODES},
        )


class All(ConditionNode):
    """Every sub-condition holds."""

    all: list[Condition] = Field(min_length=1, max_length=MAX_NODES)

    @field_validator("all")
    @classmethod
    def _limits(cls, value: list[ConditionNode]) -> list[ConditionNode]:
        _within_limits(value)
        return value


class Any(ConditionNode):
    """At least one sub-condition holds."""

    any: list[Condition] = Field(min_length=1, max_length=MAX_NODES)

    @field_validator("any")
    @classmethod
    def _limits(cls, value: list[ConditionNode]) -> list[ConditionNode]:
        _within_limits(value)
        return value


class Not(ConditionNode):
    """The sub-condition does not hold (``{"not": {...}}`` in JSON)."""

    not_: Condition = Field(alias="not")

    @field_validator("not_")
    @classmethod
    def _limits(cls, value: ConditionNode) -> ConditionNode:
        _within_limits([value])
        return value


def _condition_tag(value: object) -> str | None:
    if isinstance(value, dict):
        if "field" in value:
            field = value["field"]
            return field if isinstance(field, str) else None
        for key, tag in (("all", "all"), ("any", "any"), ("not", "not"), ("not_", "not")):
            if key in value:
                return tag
        return None
    if isinstance(value, All):
        return "all"
    if isinstance(value, Any):
        return "any"
    if isinstance(value, Not):
        return "not"
    field = getattr(value, "field", None)
    return field if isinstance(field, str) else None


def _known_field(value: object) -> object:
    # Caught here rather than by the discriminator so that the message names the field.
    if isinstance(value, dict) and isinstance(value.get("field"), str) and value["field"] not in FIELDS:
        raise PydanticCustomError(
            "unknown_condition_field",
            "unknown condition field '{field}'; known fields: {known}",
            {"field": value["field"], "known": ", ".join(FIELDS)},
        )
    return value


Condition = Annotated[
    Annotated[All, Tag("all")]
    | Annotated[Any, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[ChannelCondition, Tag("channel")]
    | Annotated[KindCondition, Tag("kind")]
    | Annotated[TextCondition, Tag("text")]
    | Annotated[SentimentCondition, Tag("sentiment")]
    | Annotated[IntentCondition, Tag("intent")]
    | Annotated[UrgencyCondition, Tag("urgency")]
    | Annotated[LanguageCondition, Tag("language")]
    | Annotated[AuthorFollowersCondition, Tag("author_followers")]
    | Annotated[AuthorVerifiedCondition, Tag("author_verified")]
    | Annotated[CustomerTagsCondition, Tag("customer_tags")]
    | Annotated[BusinessHoursCondition, Tag("business_hours")]
    | Annotated[AccountCondition, Tag("account")]
    | Annotated[RatingCondition, Tag("rating")]
    | Annotated[TicketTagsCondition, Tag("ticket_tags")]
    | Annotated[PriorityCondition, Tag("priority")],
    Discriminator(
        _condition_tag,
        custom_error_type="invalid_condition",
        custom_error_message='a condition is an object with "all", "any" or "not", or a "field" with "op" and "value"',
    ),
    BeforeValidator(_known_field),
]

All.model_rebuild()
Any.model_rebuild()
Not.model_rebuild()


def children(condition: ConditionNode) -> Sequence[ConditionNode]:
    """The direct sub-conditions of a node (none for a leaf)."""
    if isinstance(condition, All):
        return condition.all
    if isinstance(condition, Any):
        return condition.any
    if isinstance(condition, Not):
        return (condition.not_,)
    return ()


def condition_depth(condition: ConditionNode) -> int:
    """Levels in the tree; a leaf alone is 1."""
    subs = children(condition)
    return 1 + max((condition_depth(sub) for sub in subs), default=0)


def condition_size(condition: ConditionNode) -> int:
    """Number of nodes in the tree, leaves included."""
    return 1 + sum(condition_size(sub) for sub in children(condition))


# --- actions ------------------------------------------------------------------------------------


class SetTeam(_Model):
    type: Literal["set_team"] = "set_team"
    team: Ref


class AssignAgent(_Model):
    type: Literal["assign_agent"] = "assign_agent"
    agent_id: Ref


class SetPriority(_Model):
    type: Literal["set_priority"] = "set_priority"
    priority: Priority


class AddTags(_Model):
    type: Literal["add_tags"] = "add_tags"
    tags: list[TagName] = Field(min_length=1, max_length=20)


class RemoveTags(_Model):
    type: Literal["remove_tags"] = "remove_tags"
    tags: list[TagName] = Field(min_length=1, max_length=20)


class HideComment(_Model):
    """Hide the comment on the platform (Instagram/Facebook comment hiding)."""

    type: Literal["hide_comment"] = "hide_comment"


class AutoReply(_Model):
    type: Literal["auto_reply"] = "auto_reply"
    template_id: Ref


class SetSlaPolicy(_Model):
    type: Literal["set_sla_policy"] = "set_sla_policy"
    policy_id: Ref


# Addresses we are willing to send to: a plain mailbox, no display name, no whitespace (which could
# smuggle headers), a dotted domain.
_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def _check_slack_webhook(url: str) -> None:
    # Only Slack's own webhook host: a rule must not make us call arbitrary URLs.
    parts = urlsplit(url)
    if (
        parts.scheme != "https"
        or parts.hostname != "hooks.slack.com"
        or parts.port is not None
        or parts.username is not None
        or parts.password is not None
        or parts.netloc != "hooks.slack.com"
        or len(parts.path) <= 1
        or any(ch.isspace() for ch in url)
    ):
        raise PydanticCustomError(
            "invalid_slack_webhook", "a Slack target must be an incoming webhook URL https://hooks.slack.com/..."
        )


def _check_email(address: str) -> None:
    if len(address) > 254 or not _EMAIL_RE.match(address) or parseaddr(address)[1] != address:
        raise PydanticCustomError("invalid_email", "an email target must be a plain address such as team@example.com")


class Notify(_Model):
    """Tell people elsewhere: a Slack incoming webhook or an email address."""

    type: Literal["notify"] = "notify"
    channel: Literal["slack", "email"]
    target: str = Field(min_length=1, max_length=500)
    message_template: str | None = Field(default=None, min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _target_fits_channel(self) -> Notify:
        if self.channel == "slack":
            _check_slack_webhook(self.target)
        else:
            _check_email(self.target)
        return self


class MarkSpam(_Model):
    type: Literal["mark_spam"] = "mark_spam"


class Ignore(_Model):
    """Close the message without a ticket for anyone to work."""

    type: Literal["ignore"] = "ignore"


Action = Annotated[
    SetTeam
    | AssignAgent
    | SetPriority
    | AddTags
    | RemoveTags
    | HideComment
    | AutoReply
    | SetSlaPolicy
    | Notify
    | MarkSpam
    | Ignore,
    Field(discriminator="type"),
]
# Actions that set one thing: two of them in one rule would contradict each other (or reply twice).
_SINGULAR_ACTIONS: Final = frozenset(
    {"set_team", "assign_agent", "set_priority", "hide_comment", "auto_reply", "set_sla_policy", "mark_spam", "ignore"}
)


class Rule(_Model):
    """One automation rule: when ``trigger`` happens and ``condition`` holds, apply ``actions``.

    Rules with the same trigger run in ``order`` (ties by ``id``); ``stop_on_match`` ends the run
    after this rule fires.
    """

    id: Ref
    name: DisplayName
    enabled: bool = True
    trigger: Trigger
    order: int = Field(ge=0, le=1_000_000)
    condition: Condition
    actions: list[Action] = Field(min_length=1, max_length=MAX_ACTIONS)
    stop_on_match: bool = True

    @field_validator("actions")
    @classmethod
    def _no_conflicting_actions(cls, value: list[Action]) -> list[Action]:
        seen: set[str] = set()
        for action in value:
            if action.type in _SINGULAR_ACTIONS and action.type in seen:
                raise PydanticCustomError(
                    "duplicate_action", "action '{type}' may appear only once in a rule", {"type": action.type}
                )
            seen.add(action.type)
        return value


# --- regular expression safety ------------------------------------------------------------------
#
# Python's re backtracks, so a pattern can take exponential time ((a+)+ on "aaaa…!") or high
# polynomial time (.*a.*b, \d+\d+x) on an adversarial post. check_pattern refuses, on the parsed
# pattern:
#   - back-references (matching with them is NP-hard);
#   - a variable quantifier inside another repeated quantifier: (a+)+, (\w+\s?)*, (?:\d{1,3},)+;
#   - alternatives inside a repeated group that can start with the same character: (a|ab)+;
#   - repeat counts above MAX_REPEAT_BOUND;
#   - quantifiers that can match the same characters one after another (a chain), followed by
#     something that can fail, when the product of their ranges (unbounded counts as
#     REGEX_INPUT_CHARS, x? as 2) exceeds MAX_BACKTRACK_FACTOR: .*a.*b, \d+\d+x, \d+\d+$, [^x]*y.*z,
#     a?a?…a (12 times) are refused; .*a, 注文番号.*\d+, \w+\s+\w+x, \d{2,4}-?\d{2,4}, .{0,50}a.{0,50}b
#     are fine.
# Not caught: overlap across a repeated group's boundary, and cost inside lookarounds. Every match
# also pays for search trying each start. With REGEX_INPUT_CHARS the worst accepted pattern costs
# about REGEX_INPUT_CHARS x MAX_BACKTRACK_FACTOR simple steps on a crafted post (~0.1 s); ordinary
# rules take microseconds. A linear-time engine (RE2) would remove the residual risk.

_Item = tuple[typing.Any, typing.Any]  # (opcode, argument) as re._parser produces them

_PARSER: typing.Any
try:  # The stdlib's own parser: private, but the only exact reading of Python's syntax.
    _PARSER = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - every supported Python has it
    _PARSER = None

# Full-width forms that NFKC turns into regex syntax. Refused rather than silently changing meaning:
# "返金（至急）" would become a group and "ですか？" a quantifier.
_METACHARACTERS = frozenset("\\.^$*+?{}[]()|")

# A fixed sample of characters stands in for "every character" when comparing character sets:
# two sets overlap (or one contains the other) as far as these probes can tell.
_PROBES = "".join(chr(code) for code in (9, 10, 13, *range(32, 127))) + "あアー漢字。、「」・😀éßΩж①"
_FULL: Final = (1 << len(_PROBES)) - 1
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_ZERO_WIDTH = frozenset({"AT", "ASSERT", "ASSERT_NOT"})
_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


def _name(opcode: object) -> str:
    return str(getattr(opcode, "name", opcode))


def _mask_where(predicate: Callable[[str], bool]) -> int:
    mask = 0
    for index, ch in enumerate(_PROBES):
        if predicate(ch):
            mask |= 1 << index
    return mask


@lru_cache(maxsize=64)
def _category_mask(name: str) -> int:
    regex = _CATEGORIES.get(name)
    if regex is None:
        return _FULL
    compiled = re.compile(regex)
    return _mask_where(lambda ch: compiled.fullmatch(ch) is not None)


@lru_cache(maxsize=1024)
def _literal_mask(code: int) -> int:
    target = chr(code).casefold()
    return _mask_where(lambda ch: ch.casefold() == target)


@lru_cache(maxsize=256)
def _range_mask(low: int, high: int) -> int:
    return _mask_where(lambda ch: any(low <= ord(c) <= high for c in (ch, ch.lower(), ch.upper()) if len(c) == 1))


def _refuse(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def check_pattern(pattern: str) -> re.Pattern[str]:
    """Validate a rule's regular expression and return it compiled as the engine runs it.

    The pattern is NFKC-normalised (``ＷｉＦｉ`` means ``WiFi``) and matched case-insensitively
    against the folded text. Raises :class:`PydanticCustomError` saying what is wrong.
    """
    if len(pattern) > MAX_PATTERN_CHARS:
        raise _refuse("pattern_too_long", f"regular expression is longer than {MAX_PATTERN_CHARS} characters")
    for ch in pattern:
        if ch.isascii():
            continue
        hits = [c for c in unicodedata.normalize("NFKC", ch) if c in _METACHARACTERS]
        if hits:
            raise _refuse(
                "pattern_fullwidth_operator",
                f"'{ch}' becomes the regular expression operator '{hits[0]}' after width folding; "
                f"write '\\{hits[0]}' to match it as a character",
            )
    normalized = unicodedata.normalize("NFKC", pattern)
    try:
        compiled = re.compile(normalized, re.IGNORECASE)
    except (re.error, OverflowError) as exc:  # OverflowError: a repeat count such as {99999999999}
        raise _refuse("invalid_pattern", f"invalid regular expression: {exc}") from None
    if _PARSER is None:  # pragma: no cover
        if re.search(r"[)\]][*+?{]", normalized):
            raise _refuse("pattern_unsafe", "quantified groups are not supported on this Python")
        return compiled
    _Analyzer().sequence(list(_PARSER.parse(normalized, re.IGNORECASE)), [])
    return compiled


class _Active:
    """A variable quantifier earlier in the sequence that could still consume what comes next."""

    __slots__ = ("factor", "mask")

    def __init__(self, mask: int, factor: int) -> None:
        self.mask = mask
        self.factor = factor


def _dedupe(active: list[_Active]) -> list[_Active]:
    # Optional parts and alternatives fork the walk; without this a run of "x?" would double it.
    unique: dict[tuple[int, int], _Active] = {}
    for entry in active:
        unique.setdefault((entry.mask, entry.factor), entry)
    return list(unique.values())


class _Analyzer:
    """Walks the parse tree of a pattern and raises on the shapes listed above."""

    def sequence(self, items: list[_Item], active: list[_Active], can_fail: bool = True) -> list[_Active]:
        for op, av in items:
            active = self.item(_name(op), av, active, can_fail)
        return active

    def item(self, op: str, av: typing.Any, active: list[_Active], can_fail: bool) -> list[_Active]:
        if op in {"GROUPREF", "GROUPREF_EXISTS"}:
            raise _refuse("pattern_backreference", "back-references such as \\1 or (?P=name) are not allowed")
        if op == "SUBPATTERN":
            return self.sequence(list(av[3]), active, can_fail)
        if op == "ATOMIC_GROUP":
            return self.sequence(list(av), active, can_fail)
        if op == "BRANCH":
            merged: list[_Active] = []
            for alternative in av[1]:
                merged.extend(self.sequence(list(alternative), list(active), can_fail))
            return _dedupe(merged)
        if op in _REPEATS:
            low, high, body = av
            return self.repeat(int(low), int(high), list(body), active, can_fail)
        if can_fail:
            self.fail_point(active)
        if op in _ZERO_WIDTH:
            if op != "AT":
                self.sequence(list(av[1]), [])
            return active  # zero-width: a chain of quantifiers goes on through it
        mask = self.char_mask(op, av)
        return [entry for entry in active if mask & ~entry.mask == 0]

    def repeat(self, low: int, high: int, body: list[_Item], active: list[_Active], can_fail: bool) -> list[_Active]:
        unbounded = high >= 1 << 16  # MAXREPEAT is far above any count we accept
        if (not unbounded and high > MAX_REPEAT_BOUND) or low > MAX_REPEAT_BOUND:
            raise _refuse("pattern_repeat_too_large", f"repeat counts above {MAX_REPEAT_BOUND} are not allowed")
        if low == high:  # a fixed count is the body written out that many times
            for _ in range(low):
                active = self.sequence(body, active, can_fail)
            return active
        if high <= 1:
            # Optional: the body may or may not be there (its failing costs nothing), and a run of
            # overlapping optionals (a?a?a?…) multiplies the ways to match like any quantifier.
            after = _dedupe(active + self.sequence(body, list(active), can_fail=False))
            return _dedupe([*after, self.chained(self.body_mask(body), 2, active)])
        if self.has_variable_repeat(body):
            raise _refuse(
                "pattern_nested_quantifier",
                "nested quantifiers such as (a+)+ can take exponential time; use one quantifier or a character class",
            )
        self.check_alternatives(body)
        self.sequence(body, [], can_fail=False)  # back-references and lookarounds inside
        if low >= 1 and can_fail:
            self.fail_point(active)
        mask = self.body_mask(body)
        entry = self.chained(mask, REGEX_INPUT_CHARS if unbounded else high - low + 1, active)
        kept = active if low == 0 else [a for a in active if mask & ~a.mask == 0]
        return _dedupe([*kept, entry])

    def chained(self, mask: int, own: int, active: list[_Active]) -> _Active:
        """A quantifier of ``own`` choices after ``active`` ones that may match the same characters."""
        factor = max([own, *(entry.factor * own for entry in active if entry.mask & mask)])
        return _Active(mask, min(factor, MAX_BACKTRACK_FACTOR + 1))

    def fail_point(self, active: list[_Active]) -> None:
        """Something that can fail follows: every way the chain before it splits the text is retried."""
        if any(entry.factor > MAX_BACKTRACK_FACTOR for entry in active):
            raise _refuse(
                "pattern_overlapping_quantifiers",
                "quantifiers that can match the same characters one after another, followed by more "
                "pattern (like .*a.*b or \\d+\\d+x), can take very long on a crafted post; make them "
                "match different characters (\\D*\\d+) or bound them (.{0,20})",
            )

    def has_variable_repeat(self, items: list[_Item]) -> bool:
        for op, av in items:
            name = _name(op)
            if name in _REPEATS:
                low, high, body = av
                inner = [list(body)]
                if low != high:
                    return True
            elif name == "SUBPATTERN":
                inner = [list(av[3])]
            elif name == "ATOMIC_GROUP":
                inner = [list(av)]
            elif name == "BRANCH":
                inner = [list(alternative) for alternative in av[1]]
            else:
                continue
            if any(self.has_variable_repeat(sub) for sub in inner):
                return True
        return False

    def check_alternatives(self, items: list[_Item]) -> None:
        for op, av in items:
            name = _name(op)
            if name == "BRANCH":
                seen = 0
                for alternative in av[1]:
                    first, nullable = self.first(list(alternative))
                    if nullable or first & seen:
                        raise _refuse(
                            "pattern_ambiguous_alternatives",
                            "alternatives inside a repeated group must start with different characters, "
                            "as in (?:foo|bar)+; (a|ab)+ can take exponential time",
                        )
                    seen |= first
                    self.check_alternatives(list(alternative))
            elif name == "SUBPATTERN":
                self.check_alternatives(list(av[3]))
            elif name == "ATOMIC_GROUP":
                self.check_alternatives(list(av))

    def first(self, items: list[_Item]) -> tuple[int, bool]:
        """Characters a match of ``items`` can start with, and whether the match can be empty."""
        mask = 0
        for op, av in items:
            name = _name(op)
            if name in _ZERO_WIDTH:
                continue
            if name == "SUBPATTERN":
                sub, nullable = self.first(list(av[3]))
            elif name == "ATOMIC_GROUP":
                sub, nullable = self.first(list(av))
            elif name == "BRANCH":
                sub, nullable = 0, False
                for alternative in av[1]:
                    alt_mask, alt_nullable = self.first(list(alternative))
                    sub |= alt_mask
                    nullable = nullable or alt_nullable
            elif name in _REPEATS:
                sub, nullable = self.first(list(av[2]))
                nullable = nullable or av[0] == 0
            else:
                sub, nullable = self.char_mask(name, av), False
            mask |= sub
            if not nullable:
                return mask, False
        return mask, True

    def body_mask(self, items: list[_Item]) -> int:
        """Every character a match of ``items`` can contain."""
        mask = 0
        for op, av in items:
            name = _name(op)
            if name in _ZERO_WIDTH:
                continue
            if name == "SUBPATTERN":
                mask |= self.body_mask(list(av[3]))
            elif name == "ATOMIC_GROUP":
                mask |= self.body_mask(list(av))
            elif name == "BRANCH":
                for alternative in av[1]:
                    mask |= self.body_mask(list(alternative))
            elif name in _REPEATS:
                mask |= self.body_mask(list(av[2]))
            else:
                mask |= self.char_mask(name, av)
        return mask

    def char_mask(self, op: str, av: typing.Any) -> int:
        """Characters a single-character item can match (all of them when unsure)."""
        if op == "LITERAL":
            return _literal_mask(int(av))
        if op == "NOT_LITERAL":
            return _FULL & ~_literal_mask(int(av))
        if op != "IN":
            return _FULL  # ANY, and anything unforeseen
        mask = 0
        negate = False
        for entry_op, entry_av in av:
            entry = _name(entry_op)
            if entry == "NEGATE":
                negate = True
            elif entry == "LITERAL":
                mask |= _literal_mask(int(entry_av))
            elif entry == "RANGE":
                mask |= _range_mask(int(entry_av[0]), int(entry_av[1]))
            elif entry == "CATEGORY":
                mask |= _category_mask(_name(entry_av))
            else:
                mask = _FULL
        return _FULL & ~mask if negate else mask
