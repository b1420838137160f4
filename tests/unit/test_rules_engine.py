"""Unit tests for the rule model (validation) and the rule engine (matching, highlights, ordering).

Every example post here was written for these tests.
"""

from __future__ import annotations

from typing import Any as AnyType

import pytest
from mentiondesk.rules import (
    All,
    Any,
    Facts,
    Highlight,
    Not,
    Rule,
    check_pattern,
    dry_run,
    evaluate,
    fold_text,
    run_rules,
)
from mentiondesk.rules import engine as rules_engine
from mentiondesk.rules.engine import _RULE_CACHE
from mentiondesk.rules.model import (
    MAX_DEPTH,
    MAX_NODES,
    REGEX_INPUT_CHARS,
    ChannelCondition,
    Condition,
    TextContainsAny,
)
from pydantic import TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

pytestmark = pytest.mark.unit

CONDITION: TypeAdapter[Condition] = TypeAdapter(Condition)

FULL_FACTS = Facts(
    channel="instagram",
    kind="comment",
    text="ｱｶｳﾝﾄにﾛｸﾞｲﾝできません😭 注文番号12345の返金は？",
    sentiment="negative",
    intent="problem",
    urgency="high",
    language="ja-JP",
    author_followers=12_000,
    author_verified=True,
    customer_tags=["VIP", "repeat"],
    business_hours=False,
    account="17841400000000001",
    rating=2,
    ticket_tags=["billing"],
    priority="urgent",
)


def cond(data: dict[str, AnyType]) -> Condition:
    return CONDITION.validate_python(data)


def make_rule(rule_id: str = "r1", **overrides: AnyType) -> Rule:
    data: dict[str, AnyType] = {
        "id": rule_id,
        "name": f"rule {rule_id}",
        "trigger": "message_received",
        "order": 10,
        "condition": {"field": "channel", "op": "in", "value": ["x", "instagram"]},
        "actions": [{"type": "add_tags", "tags": [rule_id]}],
    }
    data.update(overrides)
    return Rule.model_validate(data)


# --- every field and operator -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "channel", "op": "in", "value": ["instagram", "facebook"]}, True),
        ({"field": "channel", "op": "in", "value": ["x"]}, False),
        ({"field": "kind", "op": "in", "value": ["comment"]}, True),
        ({"field": "kind", "op": "in", "value": ["dm", "review"]}, False),
        ({"field": "text", "op": "contains_any", "value": ["解約", "アカウント"]}, True),
        ({"field": "text", "op": "contains_any", "value": ["解約"]}, False),
        ({"field": "text", "op": "not_contains", "value": ["解約", "宣伝"]}, True),
        ({"field": "text", "op": "not_contains", "value": ["返金"]}, False),
        ({"field": "text", "op": "matches", "value": r"注文番号\d{5}"}, True),
        ({"field": "text", "op": "matches", "value": r"^返金"}, False),
        ({"field": "sentiment", "op": "in", "value": ["negative"]}, True),
        ({"field": "sentiment", "op": "in", "value": ["positive", "neutral"]}, False),
        ({"field": "intent", "op": "in", "value": ["problem", "complaint"]}, True),
        ({"field": "intent", "op": "in", "value": ["praise"]}, False),
        ({"field": "urgency", "op": "in", "value": ["high"]}, True),
        ({"field": "urgency", "op": "in", "value": ["low", "normal"]}, False),
        ({"field": "language", "op": "in", "value": ["ja"]}, True),  # "ja-JP" is read as "ja"
        ({"field": "language", "op": "in", "value": ["EN"]}, False),
        ({"field": "author_followers", "op": "gte", "value": 12_000}, True),
        ({"field": "author_followers", "op": "gt", "value": 12_000}, False),
        ({"field": "author_followers", "op": "lte", "value": 12_000}, True),
        ({"field": "author_followers", "op": "lt", "value": 12_000}, False),
        ({"field": "author_verified", "op": "is", "value": True}, True),
        ({"field": "author_verified", "op": "is", "value": False}, False),
        ({"field": "customer_tags", "op": "has_any", "value": ["vip", "press"]}, True),  # case-insensitive
        ({"field": "customer_tags", "op": "has_all", "value": ["ＶＩＰ", "repeat"]}, True),  # width-insensitive
        ({"field": "customer_tags", "op": "has_all", "value": ["vip", "press"]}, False),
        ({"field": "business_hours", "op": "is", "value": False}, True),
        ({"field": "business_hours", "op": "is", "value": True}, False),
        ({"field": "account", "op": "in", "value": ["17841400000000001"]}, True),
        ({"field": "account", "op": "in", "value": ["accounts/1/locations/2"]}, False),
        ({"field": "rating", "op": "lte", "value": 2}, True),
        ({"field": "rating", "op": "gte", "value": 3}, False),
        ({"field": "ticket_tags", "op": "has_any", "value": ["billing", "shipping"]}, True),
        ({"field": "ticket_tags", "op": "has_any", "value": ["shipping"]}, False),
        ({"field": "priority", "op": "in", "value": ["urgent", "high"]}, True),
        ({"field": "priority", "op": "in", "value": ["low"]}, False),
    ],
)
def test_each_field_and_operator(condition: dict[str, AnyType], expected: bool) -> None:
    # Given a leaf condition and facts that know every field
    # When it is evaluated
    result = evaluate(cond(condition), FULL_FACTS)
    # Then it holds exactly when the fact satisfies the operator
    assert result.matched is expected


@pytest.mark.parametrize(
    "condition",
    [
        {"field": "channel", "op": "in", "value": ["x"]},
        {"field": "kind", "op": "in", "value": ["dm"]},
        {"field": "text", "op": "contains_any", "value": ["返金"]},
        {"field": "text", "op": "not_contains", "value": ["返金"]},
        {"field": "text", "op": "matches", "value": ".*"},
        {"field": "sentiment", "op": "in", "value": ["negative"]},
        {"field": "intent", "op": "in", "value": ["other"]},
        {"field": "urgency", "op": "in", "value": ["low"]},
        {"field": "language", "op": "in", "value": ["ja"]},
        {"field": "author_followers", "op": "lte", "value": 10},
        {"field": "author_verified", "op": "is", "value": False},
        {"field": "customer_tags", "op": "has_any", "value": ["vip"]},
        {"field": "business_hours", "op": "is", "value": False},
        {"field": "account", "op": "in", "value": ["1"]},
        {"field": "rating", "op": "lte", "value": 5},
        {"field": "ticket_tags", "op": "has_any", "value": ["billing"]},
        {"field": "priority", "op": "in", "value": ["normal"]},
    ],
)
def test_missing_facts_never_match_and_never_raise(condition: dict[str, AnyType]) -> None:
    # Given facts where nothing is known
    facts = Facts()
    # When any leaf condition is evaluated, alone and negated
    alone = evaluate(cond(condition), facts)
    negated = evaluate(cond({"not": condition}), facts)
    # Then the leaf does not hold (even "not_contains" or "is false"), and its negation does
    assert alone.matched is False
    assert negated.matched is True
    assert negated.highlights == []


def test_empty_text_is_known_text() -> None:
    # Given a review with stars but no words
    facts = Facts(text="", rating=1)
    # When keyword conditions read it
    # Then it contains nothing, which "not_contains" accepts
    assert evaluate(cond({"field": "text", "op": "contains_any", "value": ["a"]}), facts).matched is False
    assert evaluate(cond({"field": "text", "op": "not_contains", "value": ["a"]}), facts).matched is True


# --- all / any / not ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"all": [{"field": "channel", "value": ["instagram"]}, {"field": "urgency", "value": ["high"]}]}, True),
        ({"all": [{"field": "channel", "value": ["instagram"]}, {"field": "urgency", "value": ["low"]}]}, False),
        ({"any": [{"field": "channel", "value": ["x"]}, {"field": "urgency", "value": ["high"]}]}, True),
        ({"any": [{"field": "channel", "value": ["x"]}, {"field": "urgency", "value": ["low"]}]}, False),
        ({"not": {"field": "channel", "value": ["x"]}}, True),
        ({"not": {"not": {"field": "channel", "value": ["x"]}}}, False),
        (
            {
                "all": [
                    {
                        "any": [
                            {"field": "sentiment", "value": ["negative"]},
                            {"field": "rating", "op": "lte", "value": 2},
                        ]
                    },
                    {"not": {"field": "customer_tags", "op": "has_any", "value": ["blocked"]}},
                ]
            },
            True,
        ),
    ],
)
def test_all_any_not(condition: dict[str, AnyType], expected: bool) -> None:
    # Given a tree of conditions
    # When it is evaluated
    # Then all/any/not combine the leaves as boolean logic
    assert evaluate(cond(condition), FULL_FACTS).matched is expected


def test_python_construction_matches_json() -> None:
    # Given the same tree built in Python and parsed from JSON
    built = All(
        all=[
            ChannelCondition(value=["x"]),
            Not(not_=Any(any=[TextContainsAny(op="contains_any", value=["宣伝"])])),
        ]
    )
    parsed = cond(
        {
            "all": [
                {"field": "channel", "op": "in", "value": ["x"]},
                {"not": {"any": [{"field": "text", "op": "contains_any", "value": ["宣伝"]}]}},
            ]
        }
    )
    # When both are serialised
    # Then they are the same JSON, with "not" as the key
    assert CONDITION.dump_json(built) == CONDITION.dump_json(parsed)
    assert b'"not":' in CONDITION.dump_json(built)


# --- folding and highlights ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "keyword", "span"),
    [
        ("ｱｶｳﾝﾄが凍結された", "アカウント", (0, 5)),  # half-width katakana
        ("ﾛｸﾞｲﾝできない", "ログイン", (0, 5)),  # half-width with dakuten: 5 characters fold to 4
        ("ログインできない", "ﾛｸﾞｲﾝ", (0, 4)),  # and the other way round
        ("新しいＡＢＣカード", "abc", (3, 6)),  # full-width Latin, case
        ("WIFI が遅い", "Wi-Fi", None),  # different spelling: no match
        ("ＷｉＦｉが遅い", "wifi", (0, 4)),
        ("ｶﾞｽ代が高い", "カ", None),  # ガ is not カ
        ("ﬁle not found", "file", (0, 3)),  # a ligature folds to two letters
        ("\u00adﬁle", "file", (1, 4)),  # a dropped soft hyphen and a ligature: same length, shifted
        ("大好き❤️ありがとう", "❤", (3, 5)),  # the variation selector goes with the heart
        ("👍🏽 thanks", "👍", (0, 2)),  # the skin tone goes with the thumb
        ("😭😭返金して", "返金", (2, 4)),  # emoji are two UTF-16 units, but one Python character
        ("返\u200b金して", "返金", (0, 3)),  # a zero-width space does not dodge the filter
        ("㈱ソラ", "(株)", (0, 1)),  # one character folds to three
        ("ｱｶｳﾝﾄ", "あかうんと", None),  # hiragana and katakana are not folded together
    ],
)
def test_keyword_highlights_point_into_the_original_text(text: str, keyword: str, span: tuple[int, int] | None) -> None:
    # Given a post written with width, case or emoji variants
    condition = cond({"field": "text", "op": "contains_any", "value": [keyword]})
    # When a keyword condition is evaluated
    result = evaluate(condition, Facts(text=text))
    # Then it matches on the folded form and reports the span of the original characters
    if span is None:
        assert result.matched is False
        assert result.highlights == []
    else:
        start, end = span
        assert result.matched is True
        assert result.highlights == [Highlight(start, end, text[start:end], keyword)]


def test_fold_text_maps_every_folded_character_back() -> None:
    # Given text where NFKC changes the length
    text = "ｶﾞﾝﾀﾞﾑ①ﬀ"
    # When it is folded
    folded = fold_text(text)
    # Then each folded character knows the original cluster it came from
    assert folded.text == "ガンダム1ff"
    assert [folded.span(i, i + 1) for i in range(len(folded.text))] == [
        (0, 2),
        (2, 3),
        (3, 5),
        (5, 6),
        (6, 7),
        (7, 8),
        (7, 8),
    ]


def test_fold_text_keeps_ascii_offsets() -> None:
    # Given plain ASCII
    folded = fold_text("Refund PLEASE")
    # When it is folded
    # Then only case changes and offsets are the identity
    assert folded.text == "refund please"
    assert folded.span(7, 13) == (7, 13)


def test_regex_highlights_map_back_through_width_folding() -> None:
    # Given a regex written in half-width ASCII and full-width katakana
    condition = cond({"field": "text", "op": "matches", "value": r"ログイン.{0,5}でき(ない|ません)"})
    text = "昨日から ﾛｸﾞｲﾝが できません"
    # When it runs against half-width katakana
    result = evaluate(condition, Facts(text=text))
    # Then the highlight covers the original characters
    assert result.matched is True
    assert [h.text for h in result.highlights] == ["ﾛｸﾞｲﾝが できません"]
    assert result.highlights[0].keyword == r"ログイン.{0,5}でき(ない|ません)"


def test_regex_is_case_insensitive_and_nfkc_normalised() -> None:
    # Given a pattern typed with full-width letters and digits
    condition = cond({"field": "text", "op": "matches", "value": r"ＷｉＦｉ\s*\d+"})
    # When it runs on ASCII text in another case
    result = evaluate(condition, Facts(text="wifi 5 is down"))
    # Then it matches as if written in ASCII
    assert result.matched is True
    assert result.highlights[0].text == "wifi 5"


def test_highlights_are_sorted_and_overlaps_merged() -> None:
    # Given keywords that overlap and occur several times
    condition = cond({"field": "text", "op": "contains_any", "value": ["返金", "金して", "遅い"]})
    text = "遅い。返金して。また遅い"
    # When it is evaluated
    result = evaluate(condition, Facts(text=text))
    # Then every occurrence is reported once, in order, overlapping ones merged
    assert [(h.start, h.end, h.text) for h in result.highlights] == [
        (0, 2, "遅い"),
        (3, 7, "返金して"),
        (10, 12, "遅い"),
    ]
    assert result.highlights[1].keyword == "返金"


def test_highlights_come_only_from_branches_that_contributed() -> None:
    # Given an "any" with two matching text branches and a failing one, and a "not" over text
    condition = cond(
        {
            "all": [
                {
                    "any": [
                        {"field": "text", "op": "contains_any", "value": ["返金"]},
                        {"field": "text", "op": "contains_any", "value": ["解約"]},
                        {
                            "all": [
                                {"field": "text", "op": "contains_any", "value": ["遅い"]},
                                {"field": "rating", "op": "lte", "value": 1},
                            ]
                        },
                    ]
                },
                {"not": {"field": "text", "op": "contains_any", "value": ["ありがとう"]}},
                {"field": "text", "op": "not_contains", "value": ["宣伝"]},
            ]
        }
    )
    text = "遅いので解約して返金してほしい"
    # When it is evaluated (rating unknown, so the third branch fails)
    result = evaluate(condition, Facts(text=text))
    # Then only the words of the matching branches are highlighted
    assert result.matched is True
    assert [h.text for h in result.highlights] == ["解約", "返金"]


def test_no_highlights_when_the_condition_fails() -> None:
    # Given a keyword that is present but an "all" that fails elsewhere
    condition = cond(
        {"all": [{"field": "text", "op": "contains_any", "value": ["返金"]}, {"field": "channel", "value": ["x"]}]}
    )
    # When it is evaluated
    result = evaluate(condition, Facts(text="返金して", channel="google"))
    # Then nothing is highlighted
    assert result.matched is False
    assert result.highlights == []


def test_regex_sees_only_the_first_characters_of_a_long_post() -> None:
    # Given a post with the pattern only beyond the regex input cap
    text = "あ" * REGEX_INPUT_CHARS + "返金"
    # When a regex and a keyword condition look for it
    regex = evaluate(cond({"field": "text", "op": "matches", "value": "返金"}), Facts(text=text))
    keyword = evaluate(cond({"field": "text", "op": "contains_any", "value": ["返金"]}), Facts(text=text))
    # Then the regex does not see it (documented limit) while the keyword does
    assert regex.matched is False
    assert keyword.matched is True


# --- validation ---------------------------------------------------------------------------------


def _error(data: AnyType) -> str:
    with pytest.raises(ValidationError) as info:
        CONDITION.validate_python(data)
    return str(info.value)


def test_unknown_field_is_named() -> None:
    message = _error({"field": "followers", "op": "gte", "value": 10})
    assert "unknown condition field 'followers'" in message


def test_wrong_operator_for_a_field_names_the_field() -> None:
    message = _error({"field": "channel", "op": "contains_any", "value": ["x"]})
    assert "channel.op" in message
    assert "Input should be 'in'" in message
    message = _error({"field": "text", "op": "gte", "value": 3})
    assert "text" in message
    assert "'contains_any', 'matches', 'not_contains'" in message
    message = _error({"field": "ticket_tags", "op": "has_all", "value": ["a"]})
    assert "ticket_tags.op" in message


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"field": "sentiment", "op": "in", "value": ["angry"]}, "sentiment.value.0"),
        ({"field": "channel", "op": "in", "value": []}, "channel.value"),
        ({"field": "rating", "op": "gte", "value": 6}, "rating.value"),
        ({"field": "author_followers", "op": "gte", "value": -1}, "author_followers.value"),
        ({"field": "author_verified", "op": "is", "value": "yes"}, "author_verified.value"),
        ({"field": "language", "op": "in", "value": ["jpn"]}, "language.value.0"),
        ({"field": "priority", "op": "in", "value": ["critical"]}, "priority.value.0"),
        ({"field": "text", "op": "contains_any", "value": []}, "text.contains_any.value"),
        ({"field": "text", "op": "contains_any", "value": ["x" * 101]}, "text.contains_any.value.0"),
        ({"field": "text", "op": "contains_any", "value": [f"k{i}" for i in range(101)]}, "text.contains_any.value"),
        ({"field": "text", "op": "contains_any", "value": ["\u200b\ufe0f "]}, "text.contains_any.value.0"),
        ({"field": "channel", "op": "in", "value": ["x"], "extra": 1}, "channel.extra"),
    ],
)
def test_bad_values_are_refused_with_their_location(data: dict[str, AnyType], where: str) -> None:
    assert where in _error(data)


def test_not_a_condition() -> None:
    assert "a condition is an object" in _error({"every": []})
    assert "a condition is an object" in _error("channel is x")


@pytest.mark.parametrize(
    ("pattern", "error"),
    [
        ("[unclosed", "invalid_pattern"),
        ("a" * 301, "string_too_long"),
        ("(a+)+$", "pattern_nested_quantifier"),
        (r"(\w+\s?)*$", "pattern_nested_quantifier"),
        (r"(?:\d{1,3},)+", "pattern_nested_quantifier"),
        ("(a|ab)+c", "pattern_ambiguous_alternatives"),
        (".*a.*b", "pattern_overlapping_quantifiers"),
        (r"\d+\d+x", "pattern_overlapping_quantifiers"),
        (r"\d+\d+$", "pattern_overlapping_quantifiers"),
        ("a?" * 12 + "a" * 12, "pattern_overlapping_quantifiers"),
        (r"(?=.*a.*b)", "pattern_overlapping_quantifiers"),
        (r"(\w)\1", "pattern_backreference"),
        ("(?P<x>a)(?P=x)", "pattern_backreference"),
        ("a{1,500}", "pattern_repeat_too_large"),
        ("返金（至急）", "pattern_fullwidth_operator"),
        ("返金できますか？", "pattern_fullwidth_operator"),
    ],
)
def test_unsafe_or_invalid_patterns_are_refused(pattern: str, error: str) -> None:
    with pytest.raises(ValidationError) as info:
        CONDITION.validate_python({"field": "text", "op": "matches", "value": pattern})
    assert info.value.errors()[0]["type"] == error
    assert info.value.errors()[0]["loc"][:2] == ("text", "matches")


@pytest.mark.parametrize(
    "pattern",
    [
        r"返金.*して",
        r"注文番号.*\d+",
        r"\w+\s+\w+x",
        r"\d{2,4}-?\d{2,4}",
        r".{0,50}a.{0,50}b",
        r"(?:foo|bar)+",
        r"(?:返品|返金|交換)",
        r"https?://\S+",
        r"\bvip\b",
        r"(?:\d{3}-){2}\d{4}",
        r"返金できますか\?",
        "a?" * 11 + "a" * 11,
    ],
)
def test_ordinary_patterns_are_accepted(pattern: str) -> None:
    check_pattern(pattern)


def test_check_pattern_raises_a_custom_error_outside_models() -> None:
    with pytest.raises(PydanticCustomError) as info:
        check_pattern("(a+)+")
    assert info.value.type == "pattern_nested_quantifier"


def _nested(depth: int) -> dict[str, AnyType]:
    node: dict[str, AnyType] = {"field": "channel", "op": "in", "value": ["x"]}
    for _ in range(depth - 1):
        node = {"not": node}
    return node


def test_depth_limit() -> None:
    # Given trees at and just over the depth limit
    # When they are validated
    # Then the deepest allowed passes and the next is refused with a clear message
    cond(_nested(MAX_DEPTH))
    assert f"nested {MAX_DEPTH + 1} levels deep; at most {MAX_DEPTH}" in _error(_nested(MAX_DEPTH + 1))


def test_node_count_limit() -> None:
    leaf = {"field": "channel", "op": "in", "value": ["x"]}
    cond({"any": [leaf] * (MAX_NODES - 1)})
    assert f"has {MAX_NODES + 1} conditions; at most {MAX_NODES}" in _error(
        {"any": [{"all": [leaf] * 50}, {"all": [leaf] * 48}]}
    )


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"type": "notify", "channel": "slack", "target": "http://hooks.slack.com/services/T/B/X"}, "Slack target"),
        ({"type": "notify", "channel": "slack", "target": "https://hooks.slack.com.evil.example/x"}, "Slack target"),
        ({"type": "notify", "channel": "slack", "target": "https://user@hooks.slack.com/services/x"}, "Slack target"),
        ({"type": "notify", "channel": "slack", "target": "https://hooks.slack.com/"}, "Slack target"),
        ({"type": "notify", "channel": "email", "target": "not-an-address"}, "email target"),
        ({"type": "notify", "channel": "email", "target": "a@b.example\nBcc: x@y.example"}, "email target"),
        ({"type": "notify", "channel": "email", "target": "Team <team@example.com>"}, "email target"),
        ({"type": "set_priority", "priority": "critical"}, "set_priority.priority"),
        ({"type": "add_tags", "tags": []}, "add_tags.tags"),
        ({"type": "close_ticket"}, "does not match any of the expected tags"),
        ({"type": "hide_comment", "reason": "spam"}, "hide_comment.reason"),
    ],
)
def test_bad_actions_are_refused(action: dict[str, AnyType], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        make_rule(actions=[action])
    assert message in str(info.value)


def test_good_notify_targets() -> None:
    rule = make_rule(
        actions=[
            {"type": "notify", "channel": "slack", "target": "https://hooks.slack.com/services/T0/B0/abc"},
            {"type": "notify", "channel": "email", "target": "support-leads@example.co.jp", "message_template": "m"},
        ]
    )
    assert len(rule.actions) == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"actions": []}, "at least 1 item"),
        ({"actions": [{"type": "add_tags", "tags": ["a"]}] * 21}, "at most 20 items"),
        (
            {"actions": [{"type": "auto_reply", "template_id": "t1"}, {"type": "auto_reply", "template_id": "t2"}]},
            "only once",
        ),
        ({"name": ""}, "at least 1 character"),
        ({"name": "   "}, "must not be blank"),
        ({"name": "n" * 101}, "at most 100 characters"),
        ({"trigger": "ticket_closed"}, "trigger"),
        ({"order": -1}, "order"),
        ({"id": "has space"}, "id"),
    ],
)
def test_bad_rules_are_refused(overrides: dict[str, AnyType], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        make_rule(**overrides)
    assert message in str(info.value)


def test_rule_json_round_trip() -> None:
    # Given a rule as a supervisor's page would send it
    raw = {
        "id": "vip-complaints",
        "name": "VIP の苦情は至急",
        "enabled": True,
        "trigger": "message_received",
        "order": 10,
        "condition": {
            "all": [
                {"field": "customer_tags", "op": "has_any", "value": ["vip"]},
                {
                    "any": [
                        {"field": "intent", "op": "in", "value": ["complaint", "problem"]},
                        {"field": "text", "op": "matches", "value": r"返金|解約"},
                    ]
                },
                {"not": {"field": "text", "op": "contains_any", "value": ["テスト"]}},
            ]
        },
        "actions": [
            {"type": "set_priority", "priority": "urgent"},
            {"type": "set_team", "team": "escalations"},
            {"type": "notify", "channel": "slack", "target": "https://hooks.slack.com/services/T0/B0/abc"},
        ],
        "stop_on_match": True,
    }
    # When it is parsed and written back
    rule = Rule.model_validate(raw)
    # Then nothing is lost and parsing the output gives the same rule
    assert Rule.model_validate_json(rule.model_dump_json()) == rule
    assert rule.model_dump(exclude_none=True) == raw


def test_rules_are_immutable() -> None:
    rule = make_rule()
    with pytest.raises(ValidationError):
        rule.order = 3  # type: ignore[misc]


# --- run_rules ----------------------------------------------------------------------------------


def test_rules_run_in_order_then_id_and_stop_on_match() -> None:
    # Given rules out of order, a tie on order, a disabled rule and one for another trigger
    rules = [
        make_rule("c", order=20, stop_on_match=False),
        make_rule("b", order=10, stop_on_match=False),
        make_rule("a", order=10, stop_on_match=False),
        make_rule("off", order=1, enabled=False),
        make_rule("other", order=1, trigger="ticket_created"),
        make_rule("stop", order=30, stop_on_match=True),
        make_rule("never", order=40),
    ]
    # When they run for a message
    fired = run_rules(rules, "message_received", Facts(channel="x"))
    # Then enabled rules for the trigger fire by order then id, and the stopping rule is the last
    assert [f.rule_id for f in fired] == ["a", "b", "c", "stop"]
    assert fired[0].actions == list(rules[2].actions)


def test_a_rule_that_does_not_match_does_not_stop_the_run() -> None:
    rules = [
        make_rule("first", order=1, condition={"field": "channel", "value": ["google"]}),
        make_rule("second", order=2),
    ]
    fired = run_rules(rules, "message_received", Facts(channel="x"))
    assert [f.rule_id for f in fired] == ["second"]


def test_fired_rule_carries_highlights() -> None:
    rule = make_rule(condition={"field": "text", "op": "contains_any", "value": ["返金"]})
    fired = run_rules([rule], "message_received", Facts(text="早く返金して"))
    assert fired[0].highlights == [Highlight(2, 4, "返金", "返金")]


def test_no_rules_and_no_facts() -> None:
    assert run_rules([], "message_received", Facts()) == []
    assert run_rules([make_rule()], "message_received", Facts()) == []


def test_edited_rule_with_the_same_id_is_recompiled() -> None:
    # Given a rule evaluated once, then edited (a new object with the same id)
    before = make_rule("edit-me", condition={"field": "text", "op": "contains_any", "value": ["返金"]})
    facts = Facts(text="解約したい")
    assert run_rules([before], "message_received", facts) == []
    after = make_rule("edit-me", condition={"field": "text", "op": "contains_any", "value": ["解約"]})
    copied = before.model_copy(update={"condition": after.condition})
    # When the edited versions run
    # Then they use their own condition, not the cached one
    assert [f.rule_id for f in run_rules([after], "message_received", facts)] == ["edit-me"]
    assert [f.rule_id for f in run_rules([copied], "message_received", facts)] == ["edit-me"]


def test_same_rule_reloaded_hits_the_shared_cache() -> None:
    # Given a rule compiled once
    rule = make_rule("reloaded", condition={"field": "text", "op": "matches", "value": "返金"})
    run_rules([rule], "message_received", Facts(text="x"))
    size = len(_RULE_CACHE)
    # When the same rule is read again as a new object
    again = Rule.model_validate_json(rule.model_dump_json())
    fired = run_rules([again], "message_received", Facts(text="返金"))
    # Then it is not compiled a second time
    assert len(_RULE_CACHE) == size
    assert [f.rule_id for f in fired] == ["reloaded"]


# --- dry_run ------------------------------------------------------------------------------------


def test_dry_run_lists_the_facts_a_rule_would_have_matched() -> None:
    # Given a disabled rule for another trigger, and recent tickets' facts
    rule = make_rule(
        enabled=False,
        trigger="ticket_created",
        condition={
            "all": [
                {"field": "text", "op": "contains_any", "value": ["返金"]},
                {"field": "sentiment", "value": ["negative"]},
            ]
        },
    )
    history = [
        Facts(text="返金して", sentiment="negative"),
        Facts(text="返金ありがとう", sentiment="positive"),
        Facts(),
        Facts(text="ﾍﾝｷﾝ", sentiment="negative"),
        Facts(text="早く返金を", sentiment="negative"),
    ]
    # When it is dry-run
    # Then only the condition decides
    assert dry_run(rule, history) == [0, 4]
    assert dry_run(rule, []) == []


def test_fold_text_falls_back_to_whole_text_spans_when_clusters_disagree(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a clustering that misses a composition (forced here: every character on its own)
    monkeypatch.setattr(rules_engine, "_attaches", lambda text, index: False)
    # When text whose NFKC composes across those clusters is folded
    folded = fold_text("ｶﾞｽ")
    # Then the folded text is still right and every span covers the whole original
    assert folded.text == "ガス"
    assert folded.span(0, 1) == (0, 3)


def test_an_empty_regex_match_holds_without_highlights() -> None:
    result = evaluate(cond({"field": "text", "op": "matches", "value": "x*"}), Facts(text="返金"))
    assert result.matched is True
    assert result.highlights == []


def test_cluster_prefilter_covers_every_attaching_character() -> None:
    # Given every code point that attaches to the character before it
    # When the cheap pre-filter looks at it
    # Then it is flagged, so no cluster is ever split (the offset map depends on it)
    missed = [
        hex(code)
        for code in [*range(0x300, 0x20000), *range(0xE0000, 0xE01F0)]
        if not 0xD800 <= code <= 0xDFFF
        and rules_engine._attaches("a" + chr(code), 1)
        and not rules_engine._MAY_ATTACH_RE.match(chr(code))
    ]
    assert missed == []
