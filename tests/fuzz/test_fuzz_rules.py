"""Fuzzing the rule condition language: parsing any JSON or string as a condition, a rule or a regular
expression, and evaluating any valid condition on any facts (highlights always point into the text)."""

import re
import unicodedata
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from mentiondesk.rules import engine
from mentiondesk.rules.model import Condition, ConditionNode, Not, Rule, check_pattern
from pydantic import TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from tests.fuzz.strategies import json_objects, json_values, mutated

pytestmark = [pytest.mark.fuzz, pytest.mark.unit]

CONDITION: TypeAdapter[Any] = TypeAdapter(Condition)

PLATFORMS = ["x", "instagram", "facebook", "google"]
KINDS = ["mention", "reply", "quote", "dm", "comment", "review", "post"]
SENTIMENTS = ["positive", "neutral", "negative"]
INTENTS = ["praise", "question", "problem", "complaint", "request", "other"]
URGENCIES = ["high", "normal", "low"]
PRIORITIES = ["low", "normal", "high", "urgent"]
PATTERNS = [
    r"返金",
    r"\d{3}-\d{4}",
    r"^help",
    r"(?:foo|bar)+",
    r"wi-?fi$",
    r".{0,20}遅い",
    r"(a+)+",
    r".*a.*b",
    "a{99999999999}",
]

words = st.text(min_size=1, max_size=12)
keywords = st.lists(words, min_size=1, max_size=5)
tags = st.lists(st.from_regex(r"[A-Za-z0-9ぁ-ん]{1,10}", fullmatch=True), min_size=1, max_size=4)


def _leaf(field: str, op: Any, value: Any) -> Any:
    return st.fixed_dictionaries(
        {"field": st.just(field), "op": op if isinstance(op, st.SearchStrategy) else st.just(op), "value": value}
    )


leaves = st.one_of(
    _leaf("channel", "in", st.lists(st.sampled_from(PLATFORMS), min_size=1)),
    _leaf("kind", "in", st.lists(st.sampled_from(KINDS), min_size=1)),
    _leaf("text", st.sampled_from(["contains_any", "not_contains"]), keywords),
    _leaf("text", "matches", st.sampled_from(PATTERNS) | st.text(min_size=1, max_size=30)),
    _leaf("sentiment", "in", st.lists(st.sampled_from(SENTIMENTS), min_size=1)),
    _leaf("intent", "in", st.lists(st.sampled_from(INTENTS), min_size=1)),
    _leaf("urgency", "in", st.lists(st.sampled_from(URGENCIES), min_size=1)),
    _leaf("language", "in", st.lists(st.sampled_from(["ja", "en", "JA", "zz", "e"]), min_size=1)),
    _leaf("author_followers", st.sampled_from(["gte", "lte", "gt", "lt", "eq"]), st.integers(-5, 10**11)),
    _leaf("author_verified", "is", st.booleans() | st.just("true")),
    _leaf("customer_tags", st.sampled_from(["has_any", "has_all"]), tags),
    _leaf("business_hours", "is", st.booleans()),
    _leaf("account", "in", st.lists(st.from_regex(r"[0-9]{1,18}", fullmatch=True), min_size=1)),
    _leaf("rating", st.sampled_from(["gte", "lte"]), st.integers(0, 6)),
    _leaf("ticket_tags", "has_any", tags),
    _leaf("priority", "in", st.lists(st.sampled_from(PRIORITIES), min_size=1)),
)
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4).map(lambda parts: {"all": parts}),
        st.lists(inner, min_size=1, max_size=4).map(lambda parts: {"any": parts}),
        inner.map(lambda part: {"not": part}),
    ),
    max_leaves=12,
)

facts = st.builds(
    engine.Facts,
    channel=st.none() | st.sampled_from(PLATFORMS),
    kind=st.none() | st.sampled_from(KINDS),
    text=st.none() | st.text(max_size=200),
    sentiment=st.none() | st.sampled_from(SENTIMENTS),
    intent=st.none() | st.sampled_from(INTENTS),
    urgency=st.none() | st.sampled_from(URGENCIES),
    language=st.none() | st.sampled_from(["ja", "ja-JP", "en_US", "", "EN"]) | st.text(max_size=6),
    author_followers=st.none() | st.integers(-1, 10**10),
    author_verified=st.none() | st.booleans(),
    customer_tags=st.none() | st.lists(st.text(max_size=10)),
    business_hours=st.none() | st.booleans(),
    account=st.none() | st.text(max_size=18),
    rating=st.none() | st.integers(1, 5),
    ticket_tags=st.none() | st.lists(st.text(max_size=10)),
    priority=st.none() | st.sampled_from(PRIORITIES),
)


def _parsed(data: Any) -> ConditionNode | None:
    try:
        return CONDITION.validate_python(data)
    except ValidationError:
        return None


# -- parsing ---------------------------------------------------------------------------------------


@given(data=json_values | conditions | mutated([{"all": [{"field": "text", "op": "contains_any", "value": ["返金"]}]}]))
@example(data={"field": "text", "op": "matches", "value": "a{99999999999}"})  # was an OverflowError
@example(
    data={
        "not": {
            "not": {"not": {"not": {"not": {"not": {"not": {"not": {"field": "rating", "op": "gte", "value": 1}}}}}}}
        }
    }
)
@example(data={"field": None, "all": []})
def test_any_json_as_a_condition_is_a_condition_or_a_validation_error(data: Any) -> None:
    # Given any JSON value (or a condition tree, valid or not)
    # When it is read as a rule condition
    # Then it is a condition node or a pydantic ValidationError naming the problem: nothing else escapes
    node = _parsed(data)
    assert node is None or isinstance(node, ConditionNode)


@given(
    rule=mutated(
        [
            {
                "id": "r1",
                "name": "Refunds",
                "trigger": "message_received",
                "order": 1,
                "condition": {"field": "text", "op": "contains_any", "value": ["返金"]},
                "actions": [
                    {"type": "set_priority", "priority": "high"},
                    {"type": "notify", "channel": "slack", "target": "https://hooks.slack.com/services/T/B/x"},
                    {"type": "notify", "channel": "email", "target": "team@example.com"},
                ],
            }
        ]
    )
    | json_objects
)
@example(
    rule={
        "id": "r",
        "name": "n",
        "trigger": "message_received",
        "order": 0,
        "condition": {"field": "text", "op": "matches", "value": "x{4294967296}"},
        "actions": [{"type": "ignore"}],
    }
)
def test_any_json_as_a_rule_is_a_rule_or_a_validation_error(rule: Any) -> None:
    # Given a documented rule with parts broken, or any JSON object
    # When validated as a rule, Then a Rule or a ValidationError (the API answers 400 naming the field)
    try:
        parsed = Rule.model_validate(rule)
    except ValidationError:
        return
    assert 1 <= len(parsed.actions) <= 20


regex_like = st.text(alphabet="()[]{}*+?|.^$\\-,:=!<>#0123456789aAzあ（）？ ", max_size=60)


@given(pattern=regex_like | st.text(max_size=310))
@example(pattern="a{99999999999}")
@example(pattern="a{1,4294967296}")
@example(pattern="(" * 149 + ")" * 149)
@example(pattern="ですか？")
def test_check_pattern_refuses_only_with_a_pydantic_error(pattern: str) -> None:
    # Given any string as a supervisor's regular expression
    # When it is checked
    try:
        compiled = check_pattern(pattern)
    except PydanticCustomError:
        return  # refused with a reason the API shows
    # Then an accepted pattern compiles to exactly what the engine runs
    assert compiled.pattern == unicodedata.normalize("NFKC", pattern)
    assert compiled.flags & re.IGNORECASE


# -- evaluation ------------------------------------------------------------------------------------


@given(data=conditions, facts=facts)
@example(data={"field": "text", "op": "contains_any", "value": ["ｶﾞ"]}, facts=engine.Facts(text="ｶﾞｶﾞ"))
@example(data={"field": "text", "op": "contains_any", "value": ["fi"]}, facts=engine.Facts(text="ﬁx ﬁ"))
@example(data={"field": "text", "op": "matches", "value": "^"}, facts=engine.Facts(text="e\u0301"))
def test_evaluating_any_condition_on_any_facts_gives_highlights_inside_the_text(data: Any, facts: engine.Facts) -> None:
    # Given a valid condition and any facts
    condition = _parsed(data)
    assume(condition is not None)
    assert condition is not None
    # When it is evaluated
    result = engine.evaluate(condition, facts)
    # Then highlights (only when it matched) are sorted, apart, and name a piece of the original text
    assert isinstance(result.matched, bool)
    if not result.matched:
        assert result.highlights == []
    text = facts.text or ""
    previous_end = -1
    for highlight in result.highlights:
        assert 0 <= highlight.start < highlight.end <= len(text)
        assert highlight.text == text[highlight.start : highlight.end]
        assert highlight.start >= previous_end
        previous_end = highlight.end
    # And "not" is exactly the opposite
    assert engine.evaluate(Not(not_=condition), facts).matched is not result.matched


@given(
    keyword=st.from_regex(r"[A-Za-z0-9]{1,10}", fullmatch=True),
    before=st.text(st.characters(max_codepoint=127), max_size=20),
    after=st.text(st.characters(max_codepoint=127), max_size=20),
    full_width=st.booleans(),
)
def test_a_keyword_in_the_text_matches_in_any_width_and_case(
    keyword: str, before: str, after: str, full_width: bool
) -> None:
    # Given a post containing the keyword, perhaps in full-width letters and another case
    written = keyword.swapcase()
    if full_width:
        written = "".join(chr(ord(ch) + 0xFEE0) for ch in written)
    condition = CONDITION.validate_python({"field": "text", "op": "contains_any", "value": [keyword]})
    # When evaluated
    result = engine.evaluate(condition, engine.Facts(text=before + written + after))
    # Then it matches, a highlight touches where the keyword was written, and each one is the keyword
    assert result.matched
    start, end = len(before), len(before) + len(written)
    assert any(h.start < end and start < h.end for h in result.highlights)
    assert all(keyword.casefold() in unicodedata.normalize("NFKC", h.text).casefold() for h in result.highlights)


@given(text=st.text(max_size=120))
@example(text="ｶﾞ㈱ﬁ\u200b👍🏻e\u0301")
def test_fold_text_maps_every_folded_character_into_the_original(text: str) -> None:
    # Given any text, When folded
    folded = engine.fold_text(text)
    # Then every folded range maps back to a range of the original text, in order
    assert folded.original == text
    previous = 0
    for index in range(len(folded.text)):
        start, end = folded.span(index, index + 1)
        assert 0 <= start < end <= len(text) or (start == 0 and end == len(text))
        assert start >= previous
        previous = start
