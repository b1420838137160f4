"""Fuzzing what reads customer and agent text: template variables, X's weighted length and the reply
lint, the personal-data detector and its masking, and the triage normaliser."""

import unicodedata
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from mentiondesk.models import Author
from mentiondesk.replies import lint
from mentiondesk.sla.calendar import DEFAULT_CALENDAR, BusinessCalendar
from mentiondesk.templates import (
    LANGUAGE_FALLBACK,
    VARIABLES,
    WITHHELD_IN_PUBLIC,
    RenderContext,
    Template,
    TemplateIn,
    addressed,
    render,
    render_for,
)
from mentiondesk.triage.normalize import normalize, strip_placeholders
from mentiondesk.triage.pii import PII_TYPES, find_pii, fold, mask_pii
from pydantic import ValidationError

from tests.fuzz.strategies import NASTY_STRINGS, TEMPLATE, json_objects, mutated

pytestmark = [pytest.mark.fuzz, pytest.mark.unit]

# -- templates -------------------------------------------------------------------------------------


@given(document=mutated([TEMPLATE]) | json_objects)
@example(document={**TEMPLATE, "bodies": {"ja": "{unknown}"}})
@example(document={**TEMPLATE, "bodies": {"ja": "a } b"}})
@example(document={**TEMPLATE, "bodies": {"ja": "{{customer_name}"}})
def test_any_json_as_a_template_is_a_template_or_a_validation_error(document: Any) -> None:
    # Given a documented template with parts broken, or any JSON object
    # When validated (the API's POST /api/templates), Then a template or a ValidationError (400)
    try:
        template = TemplateIn.model_validate(document)
    except ValidationError:
        return
    assert template.bodies


# A body as pieces, with the text each piece must render to: literal text, escaped braces, variables.
# No lone surrogates: pydantic refuses them as a body (ValidationError), which is right but not this test's point.
literal = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="{}"), min_size=1, max_size=15)
values = st.dictionaries(
    st.sampled_from(sorted(VARIABLES)), st.text(max_size=20) | st.sampled_from(["{ticket_id}", "{{", "}"])
)


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str, list[tuple[str, str | None]]]:
    pieces: list[tuple[str, str | None]] = []
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        kind = draw(st.sampled_from(["text", "open", "close", "variable"]))
        if kind == "text":
            pieces.append((draw(literal), None))
        elif kind == "open":
            pieces.append(("{{", None))
        elif kind == "close":
            pieces.append(("}}", None))
        else:
            pieces.append(("", draw(st.sampled_from(sorted(VARIABLES)))))
    return "".join(f"{{{name}}}" if name else text for text, name in pieces), pieces


def _expected(pieces: list[tuple[str, str | None]], variables: dict[str, str]) -> str:
    return "".join(variables.get(name, "") if name else {"{{": "{", "}}": "}"}.get(text, text) for text, name in pieces)


def _template(body: str) -> Template:
    return Template.model_validate(
        {
            "name": "t",
            "bodies": {"ja": body},
            "id": "t1",
            "tenant_id": "acme",
            "created_at": "",
            "updated_at": "",
            "updated_by": "",
        }
    )


@given(body=bodies(), variables=values)
@example(
    body=("{{customer_name}}", [("{{", None), ("customer_name", None), ("}}", None)]), variables={"customer_name": "x"}
)
def test_rendering_fills_each_variable_once_and_unescapes_braces(
    body: tuple[str, list[tuple[str, str | None]]], variables: dict[str, str]
) -> None:
    # Given a valid body of text, {{, }} and {variables}, and any values (some looking like variables)
    text, pieces = body
    template = _template(text)
    # When rendered
    language, rendered = render(template, "ja", variables)
    # Then every variable is its value exactly once (a value is never expanded again) and {{ }} are braces
    assert language == "ja"
    assert rendered == _expected(pieces, variables)


names = (
    st.none()
    | st.text(max_size=30)
    | st.sampled_from(
        ["【公式】さくら🌸@低浮上", "株式会社アクメ", "Acme Inc.", "たろうさん", "Tom | coffee", "(株)", "　"]
    )
)


@given(
    body=bodies(),
    language=st.none() | st.sampled_from(["ja", "en", "zh-TW", "EN", ""]) | st.text(max_size=8),
    display=names,
    handle=st.none() | st.text(max_size=16),
    agent=st.text(max_size=30),
    mode=st.sampled_from(["public", "dm", "private_reply"]),
    texts=st.lists(st.text(max_size=60) | st.sampled_from(["注文番号 A-12345 です", "order #ABC-98765"]), max_size=3),
    calendar=st.sampled_from([None, DEFAULT_CALENDAR]),
)
def test_render_for_any_ticket_context_never_raises(
    body: tuple[str, list[tuple[str, str | None]]],
    language: str | None,
    display: str | None,
    handle: str | None,
    agent: str,
    mode: str,
    texts: list[str],
    calendar: BusinessCalendar | None,
) -> None:
    # Given a valid template and any customer, agent, language, mode and messages
    template = Template.model_validate({**_template(body[0]).model_dump(), "bodies": {"ja": body[0], "en": body[0]}})
    context = RenderContext(
        language=language,
        customer=Author(platform_user_id="1", display_name=display, handle=handle),
        agent_name=agent,
        mode=mode,
        customer_texts=tuple(texts),
        calendar=calendar,
    )
    # When rendered for that context
    rendered = render_for(template, context)
    # Then only known warnings, missing names only variables the body uses, no order number in public
    assert set(rendered.warnings) <= {LANGUAGE_FALLBACK, WITHHELD_IN_PUBLIC}
    assert set(rendered.missing) <= {name for _, name in body[1] if name}
    if mode == "public" and "order_number" in {name for _, name in body[1]}:
        assert "order_number" in rendered.missing


@given(display=names.map(lambda n: n or ""), handle=st.text(max_size=10))
@example(display="様【公式】", handle="")
@example(display="Acme Inc.", handle="@acme")
def test_addressing_any_display_name_only_adds_a_japanese_honorific(display: str, handle: str) -> None:
    # Given any display name and handle
    # When the customer is addressed in English and in Japanese
    plain, japanese = addressed(display, handle, "en"), addressed(display, handle, "ja")
    # Then Japanese is the same name with at most 様 or 御中 added
    assert japanese.startswith(plain)
    assert japanese[len(plain) :] in ("", "様", "御中", " 御中")
    assert (plain == "") == (japanese == "")


# -- X's weighted length and the reply lint --------------------------------------------------------

plain_ascii = st.text(st.characters(max_codepoint=127, blacklist_characters="."), max_size=60)
cjk = st.text(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF) | st.sampled_from("あいうえおかがアイウエオガー"),
    max_size=30,
)
no_dot_no_zwj = st.text(st.characters(blacklist_characters=".\u200d"), max_size=40)


@given(text=st.text(max_size=300) | st.sampled_from(NASTY_STRINGS))
@example(text="👨\u200d")
@example(text="1\ufe0f\u20e3 🇯🇵 🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f")
def test_weighted_length_is_never_negative_and_zero_only_when_empty(text: str) -> None:
    # Given any text, When X's weighted length is counted
    length = lint.weighted_length(text)
    # Then it is at least one per unit and at most 2 per character plus 23 per URL
    nfc = unicodedata.normalize("NFC", text)
    assert (length == 0) == (nfc == "")
    assert length <= 2 * len(nfc) + 23 * len(lint.extract_urls(text))
    assert all(url in nfc for url in lint.extract_urls(text))


@given(ascii_text=plain_ascii, cjk_text=cjk, ascii_first=st.booleans())
def test_ascii_counts_one_and_cjk_counts_two(ascii_text: str, cjk_text: str, ascii_first: bool) -> None:
    # Given ASCII without a dot (so no link) and CJK characters
    text = ascii_text + cjk_text if ascii_first else cjk_text + ascii_text
    # When counted, Then each ASCII character weighs 1 and each CJK character 2
    assert lint.weighted_length(text) == len(ascii_text) + 2 * len(unicodedata.normalize("NFC", cjk_text))


@given(before=no_dot_no_zwj, after=no_dot_no_zwj)
def test_weighted_length_never_shrinks_when_text_is_appended(before: str, after: str) -> None:
    # Given text without links (no dot) and without emoji joiners
    # When more is appended, Then the weighted length does not go down
    assert lint.weighted_length(before + after) >= lint.weighted_length(before)


@given(path=st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-_/"), max_size=200), words=plain_ascii)
def test_every_link_weighs_23_however_long(path: str, words: str) -> None:
    # Given a post with one link of any length
    text = f"{words} https://example.com/{path}"
    # When counted, Then the link weighs 23 (X shortens it to t.co)
    assert lint.weighted_length(text) == len(words) + 1 + 23


@given(
    text=st.text(max_size=200),
    platform=st.sampled_from(["x", "instagram", "facebook", "google"]),
    mode=st.sampled_from(["public", "dm", "private_reply"]),
    language=st.none() | st.sampled_from(["ja", "en"]),
    name=st.none() | st.text(max_size=20),
    handle=st.none() | st.text(max_size=15),
    agent=st.text(max_size=20),
    now=st.sampled_from(["", "2026-11-23T09:00:00.000Z", "not a time"]),  # our own clock sets it
    recent=st.lists(
        st.builds(
            lint.RecentReply,
            text=st.text(max_size=60),
            customer_id=st.sampled_from(["x:1", "x:2"]),
            sent_at=st.sampled_from(NASTY_STRINGS),
        ),
        max_size=3,
    ),
    symbols=st.text(max_size=10),
)
@example(
    text="Hello",
    platform="x",
    mode="public",
    language="en",
    name=None,
    handle=None,
    agent="",
    now="2026-11-23T09:00:00.000Z",
    recent=[lint.RecentReply("Hello", "x:2", "0001-01-01T00:00:00+01:00")],
    symbols="",
)
def test_reply_lint_of_any_reply_never_raises(
    text: str,
    platform: str,
    mode: str,
    language: str | None,
    name: str | None,
    handle: str | None,
    agent: str,
    now: str,
    recent: list[lint.RecentReply],
    symbols: str,
) -> None:
    # Given any reply draft, ticket context and brand policy
    context = lint.LintContext(
        platform=platform,  # type: ignore[arg-type]
        mode=mode,  # type: ignore[arg-type]
        language=language,
        customer_id="x:1",
        customer_name=name,
        customer_handle=handle,
        agent_name=agent,
        intent="complaint",
        sentiment="negative",
        urgency="high",
        account_id="900000000000000001",
        now=now,
        recent_replies=tuple(recent),
    )
    # When the composer lints it
    result = lint.lint(text, context, lint.BrandPolicy(allowed_symbols=symbols))
    # Then a result, and on a public X post the length is X's weighted length
    assert result.length >= 0
    if platform == "x" and mode == "public":
        assert result.length == lint.weighted_length(text)


# -- personal data ---------------------------------------------------------------------------------

PII_PIECES = [
    "090-1234-5678",
    "０９０ー１２３４ー５６７８",
    "電話 0312345678",
    "+81 90 1234 5678",
    "0120-123-456",
    "taro@example.com",
    "ｔａｒｏ＠ｅｘａｍｐｌｅ.com",
    "〒150-0001 東京都渋谷区神宮前1-2-3",
    "4111 1111 1111 1111",
    "4111111111111112",
    "注文番号 A-12345",
    "order #ABC-98765",
    "名前は山田太郎です",
    "山田花子と申します",
    "my name is John Smith",
    "booked under Jane Doe",
    "https://example.com/090-1234-5678",
]
pii_texts = st.lists(
    st.sampled_from(PII_PIECES) | st.text(max_size=6) | st.sampled_from([" ", "、", "。", "/", "1", "@", "-", "様"]),
    max_size=10,
).map("".join)


@given(text=pii_texts | st.text(max_size=200))
@example(text="taro@example.com090-1234-5678")  # the e-mail survived masking before
@example(text="ｔａｒｏ＠ｅｘａｍｐｌｅ.com　０９０ー１２３４ー５６７８")
def test_pii_spans_are_inside_the_text_and_masking_removes_them(text: str) -> None:
    # Given any text, with or without personal data
    # When personal data is looked for
    found = find_pii(text)
    # Then each find is a known type and a non-empty span of the original text, in order, never overlapping
    end = 0
    for match in found:
        assert match.type in PII_TYPES
        assert end <= match.start < match.end <= len(text)
        end = match.end
    # And masking replaces exactly those spans, and leaves nothing the detector still finds
    masked = mask_pii(text)
    if not found:
        assert masked == text
    for match in found:
        assert f"<{match.type}>" in masked
    assert find_pii(masked) == []


@given(text=st.text(max_size=200))
def test_pii_folding_keeps_every_offset(text: str) -> None:
    # Given any text, When folded for matching, Then one character stays one character
    assert len(fold(text)) == len(text)


@given(
    before=st.text(st.sampled_from("あいうえおabc ！？、。"), max_size=15),
    after=st.text(st.sampled_from("あいうえおabc ！？、。"), max_size=15),
    piece=st.sampled_from(["090-1234-5678", "taro@example.com", "4111 1111 1111 1111", "〒150-0001"]),
)
def test_personal_data_between_ordinary_words_is_found(before: str, after: str, piece: str) -> None:
    # Given a phone number, an e-mail, a card or a postcode between ordinary words
    text = f"{before} {piece} {after}"
    # When looked for, Then a find covers it, and masking removes it
    start = len(before) + 1
    assert any(m.start <= start and start + len(piece) <= m.end for m in find_pii(text))
    assert piece not in mask_pii(text)


# -- the triage normaliser -------------------------------------------------------------------------


@given(text=st.text(max_size=200) | st.sampled_from(NASTY_STRINGS))
@example(text="e\u200d\u0301")
@example(text="ｿﾗﾓﾊﾞｲﾙ最高ーーー!!!! @BestAirline https://x.co/a")
def test_normalize_is_idempotent_and_never_raises(text: str) -> None:
    # Given any text, When normalised twice, Then the second pass changes nothing (as documented)
    once = normalize(text)
    assert normalize(once) == once
    assert "<" not in strip_placeholders(once) or "<" in unicodedata.normalize("NFKC", text)
