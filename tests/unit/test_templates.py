"""Reply templates: variables per language (honorifics, signatures, support hours), the customer's order
number only in private, metadata checked when saved, and which templates suit a ticket best."""

import random
from datetime import time
from typing import Any

import pytest
from mentiondesk.api import documents
from mentiondesk.errors import InvalidRequest
from mentiondesk.models import Author, Ticket
from mentiondesk.rules.service import apply_rules
from mentiondesk.sla.calendar import DEFAULT_CALENDAR, BusinessCalendar, Interval
from mentiondesk.store.factory import Store
from mentiondesk.templates import (
    LANGUAGE_FALLBACK,
    WITHHELD_IN_PUBLIC,
    RenderContext,
    Template,
    TemplateIn,
    render,
    render_for,
    suggest,
)

from tests.unit.test_rules_service import NOW, FakeSession, notifier, save_rule, ticket

pytestmark = pytest.mark.unit

TICKET_ID = "01JTEMPLATETICKET000000000"


def template(template_id: str = "t1", **fields: Any) -> Template:
    """A stored template; `bodies` defaults to one Japanese and one English body."""
    document: dict[str, Any] = {
        "id": template_id,
        "tenant_id": "acme",
        "name": fields.pop("name", template_id),
        "bodies": fields.pop("bodies", {"ja": "{customer_honorific}", "en": "{customer_honorific}"}),
        "created_at": "2026-11-01T00:00:00.000Z",
        "updated_at": "2026-11-01T00:00:00.000Z",
        "updated_by": "user-lead",
        **fields,
    }
    return Template.model_validate(document)


def customer(display_name: str | None = "山田 太郎", handle: str | None = "yamada_t") -> Author:
    return Author(platform_user_id="700000000000000001", handle=handle, display_name=display_name)


def a_ticket(**fields: Any) -> Ticket:
    values: dict[str, Any] = {
        "id": TICKET_ID,
        "tenant_id": "acme",
        "platform": "x",
        "kind": "mention",
        "account_id": "900000000000000001",
        "team": "support",
        "customer": customer(),
        "subject": "荷物が届かない",
        "last_message_excerpt": "注文番号A12345678の荷物がまだ届きません",
        "language": "ja",
        "intent": "complaint",
        "tags": ["shipping", "late", "tracking"],
        "created_at": "2026-11-23T09:00:00.000Z",
        "updated_at": "2026-11-23T09:00:00.000Z",
        **fields,
    }
    return Ticket.model_validate(values)


def rendered(body: str, language: str = "ja", **context: Any) -> Any:
    return render_for(template(bodies={language: body}), RenderContext(language=language, **context))


# --- the customer's name ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("display_name", "handle", "language", "expected"),
    [
        ("山田 太郎", "yamada_t", "ja", "山田 太郎様"),
        ("たろうさん", "taro", "ja", "たろうさん"),  # never たろうさん様
        ("はなちゃん", "hana", "ja", "はなちゃん"),
        ("鈴木様", "suzuki", "ja", "鈴木様"),
        ("株式会社アクメ", "acme_jp", "ja", "株式会社アクメ御中"),
        ("アクメ（株）", "acme_jp", "ja", "アクメ（株）御中"),
        ("ＴＡＲＯ＠お休み中", "taro", "ja", "ＴＡＲＯ様"),
        ("たろう(30)", "taro", "ja", "たろう様"),
        ("Acme Inc.", "acme", "ja", "Acme Inc. 御中"),
        (None, "taro_y", "ja", "@taro_y様"),  # a Latin handle and no display name
        ("さくら🌸@低浮上", "sakura", "ja", "さくら様"),  # decorations are not part of the name
        ("【公式】みどり", "midori", "ja", "みどり様"),
        ("Susan", "susan", "ja", "Susan様"),  # ends in "san" but has no honorific
        ("Emma Brown", "emma_b", "en", "Emma Brown"),  # English adds no honorific
        ("山田 太郎", "yamada_t", "en", "山田 太郎"),
        (None, "emma_b", "en", "@emma_b"),
        ("Tom-san", "tom", "ja", "Tom-san"),
    ],
)
def test_the_customer_is_addressed_with_the_honorific_of_the_bodys_language(
    display_name: str | None, handle: str, language: str, expected: str
) -> None:
    # Given a body that addresses the customer
    # When it is rendered for a customer with this name
    result = rendered("{customer_honorific}", language, customer=customer(display_name, handle))
    # Then the name carries the right honorific, once
    assert result.text == expected and result.missing == []


def test_the_honorific_follows_the_body_chosen_not_the_tickets_language() -> None:
    # Given a template with a Japanese body only, and an English ticket
    only_ja = template(bodies={"ja": "{customer_honorific}、お問い合わせありがとうございます。"})
    # When it is rendered
    result = render_for(only_ja, RenderContext(language="en", customer=customer("Emma Brown", "emma_b")))
    # Then the Japanese body addresses her in Japanese, and says it fell back
    assert result.language == "ja" and result.text.startswith("Emma Brown様、")
    assert result.warnings == [LANGUAGE_FALLBACK]


def test_a_customer_without_any_name_leaves_the_variable_missing() -> None:
    result = rendered("{customer_honorific}、{customer_name}", customer=customer(None, None))
    assert result.text == "、" and result.missing == ["customer_honorific", "customer_name"]


# --- the agent's signature ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "language", "first", "signature"),
    [
        ("佐藤 花子", "ja", "佐藤", "担当：佐藤"),  # the family name comes first and is what agents sign with
        ("佐藤　花子", "ja", "佐藤", "担当：佐藤"),  # an ideographic space
        ("Hanako Sato", "en", "Hanako", "^Hanako"),
        ("Hanako Sato", "ja", "Hanako", "担当：Sato"),  # the family name of a Latin name is its last word
        ("佐藤 花子", "en", "佐藤", "^佐藤"),
        ("Mika", "en", "Mika", "^Mika"),
    ],
)
def test_agents_sign_in_the_style_of_the_bodys_language(agent: str, language: str, first: str, signature: str) -> None:
    # Given a body with the agent's names and signature
    # When it is rendered for this agent
    result = rendered("{agent_first_name}|{agent_signature}|{agent_name}", language, agent_name=agent)
    # Then the signature is 担当：<family name> in Japanese and ^<first name> in English
    assert result.text == f"{first}|{signature}|{' '.join(agent.split())}"


def test_an_automatic_reply_has_no_agent_to_sign() -> None:
    result = rendered("ご連絡ありがとうございます。{agent_signature}")
    assert result.text == "ご連絡ありがとうございます。" and result.missing == ["agent_signature"]


# --- the order number ---------------------------------------------------------------------------

MESSAGES = ("荷物がまだ届きません", "注文番号はA12345678です。確認お願いします")
ORDER_BODY = "{customer_honorific}、ご注文（{order_number}）の配送状況を確認いたします。"


def test_the_order_number_is_withheld_in_a_public_reply() -> None:
    # Given the customer wrote their order number
    # When a template that echoes it is rendered for a public reply
    result = rendered(ORDER_BODY, customer=customer(), customer_texts=MESSAGES, mode="public")
    # Then it renders empty, and the result says why
    assert "A12345678" not in result.text
    assert result.missing == ["order_number"] and result.warnings == [WITHHELD_IN_PUBLIC]


@pytest.mark.parametrize("mode", ["dm", "private_reply"])
def test_the_order_number_is_filled_in_a_private_message(mode: str) -> None:
    result = rendered(ORDER_BODY, customer=customer(), customer_texts=MESSAGES, mode=mode)
    assert result.text == "山田 太郎様、ご注文（A12345678）の配送状況を確認いたします。"
    assert result.missing == [] and result.warnings == []


def test_the_first_order_number_the_detector_finds_is_used_in_english_too() -> None:
    # Given an English customer who gave two references
    texts = ("Hi, my order #558812 never arrived", "also booking ref ZX98765")
    # When a DM template is rendered
    result = rendered(
        "Hi {customer_honorific}, about order {order_number}:",
        "en",
        customer=customer("Emma", None),
        customer_texts=texts,
        mode="dm",
    )
    # Then the first one is echoed back
    assert result.text == "Hi Emma, about order 558812:"


def test_without_an_order_number_a_dm_reports_it_missing_without_a_warning() -> None:
    result = rendered(ORDER_BODY, customer=customer(), customer_texts=("届きません",), mode="dm")
    assert result.missing == ["order_number"] and result.warnings == []


def test_a_template_without_the_order_number_gets_no_warning_in_public() -> None:
    result = rendered("{customer_honorific}、ありがとうございます。", customer=customer(), customer_texts=MESSAGES)
    assert result.warnings == []


# --- support hours ------------------------------------------------------------------------------


def test_support_hours_describe_the_default_calendar_in_each_language() -> None:
    ja = rendered("受付時間：{support_hours}", "ja", calendar=DEFAULT_CALENDAR)
    en = rendered("We are here {support_hours} (JST).", "en", calendar=DEFAULT_CALENDAR)
    assert ja.text == "受付時間：平日 9:00〜18:00"
    assert en.text == "We are here weekdays 9:00–18:00 (JST)."


def test_support_hours_list_days_with_different_hours_in_groups() -> None:
    # Given a lunch break Monday to Thursday, short Fridays and Saturday mornings
    split = [Interval(time(9), time(12)), Interval(time(13), time(18))]
    calendar = BusinessCalendar(
        hours={
            0: split,
            1: split,
            2: split,
            3: split,
            4: [Interval(time(9), time(15))],
            5: [Interval(time(10), time(13))],
        }
    )
    # When the hours are described
    ja = rendered("{support_hours}", "ja", calendar=calendar)
    en = rendered("{support_hours}", "en", calendar=calendar)
    # Then each group of days is listed once, in weekday order
    assert ja.text == "月〜木 9:00〜12:00、13:00〜18:00／金 9:00〜15:00／土 10:00〜13:00"
    assert en.text == "Mon–Thu 9:00–12:00, 13:00–18:00; Fri 9:00–15:00; Sat 10:00–13:00"


def test_support_hours_name_weekends_and_round_the_clock_days() -> None:
    calendar = BusinessCalendar(
        timezone="UTC",
        hours={5: [Interval(time(0), time(0))], 6: [Interval(time(0), time(0))], 2: [Interval(time(10), time(16))]},
    )
    assert rendered("{support_hours}", "ja", calendar=calendar).text == "水 10:00〜16:00／土日 24時間"
    assert rendered("{support_hours}", "en", calendar=calendar).text == "Wed 10:00–16:00; weekends 24 hours"


def test_support_hours_without_a_calendar_are_missing() -> None:
    assert rendered("{support_hours}").missing == ["support_hours"]


# --- saving -------------------------------------------------------------------------------------


def test_unknown_variables_are_refused_when_saved() -> None:
    # Given a body with a variable nobody fills
    body = {"name": "Apology", "bodies": {"ja": "{customer_honorific}、{coupon_code}をどうぞ"}}
    # When it is saved
    with pytest.raises(InvalidRequest) as refused:
        documents.parse(TemplateIn, body, "template")
    # Then the answer names the body and the variable, and lists the known ones
    assert [d["loc"] for d in refused.value.details or []] == [["bodies"]]
    assert "unknown variable {coupon_code}" in str(refused.value) and "{support_hours}" in str(refused.value)


def fields_named(error: InvalidRequest) -> set[str]:
    """The top-level fields a 400 names."""
    return {str(loc[0]) for d in error.details or [] if isinstance(loc := d["loc"], list) and loc}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"intents": ["complain"]}, "intents"),
        ({"channels": ["tiktok"]}, "channels"),
        ({"modes": ["email"]}, "modes"),
        ({"tags": [" shipping"]}, "tags"),
        ({"tags": [f"t{i}" for i in range(21)]}, "tags"),
        ({"brand": "   "}, "brand"),
        ({"audience": "vip"}, "audience"),
    ],
)
def test_invalid_metadata_is_refused_naming_the_field(change: dict[str, Any], field: str) -> None:
    # Given a valid template with one bad piece of metadata
    body = {"name": "お詫び", "bodies": {"ja": "{customer_honorific}、申し訳ございません。"}, **change}
    # When it is saved
    with pytest.raises(InvalidRequest) as refused:
        documents.parse(TemplateIn, body, "template")
    # Then the 400 names the field (and nothing else)
    assert fields_named(refused.value) == {field}


def test_metadata_is_saved_without_duplicates_and_old_templates_still_load() -> None:
    # Given a template with metadata, and one stored before metadata existed
    saved = documents.parse(
        TemplateIn,
        {
            "name": "お詫び",
            "bodies": {"ja": "申し訳ございません。"},
            "intents": ["complaint", "complaint"],
            "channels": ["x"],
            "modes": ["public"],
            "tags": ["apology"],
            "brand": "acme_help",
        },
        "template",
    )
    old = Template.model_validate(
        {
            "id": "away",
            "tenant_id": "acme",
            "name": "Away",
            "bodies": {"ja": "{customer_name}様"},
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "updated_by": "u",
        }
    )
    # Then the first keeps each value once, the second suits anything
    assert saved.intents == ["complaint"] and saved.brand == "acme_help"
    assert (old.intents, old.channels, old.modes, old.tags, old.brand) == ([], [], [], [], None)


# --- the old render -----------------------------------------------------------------------------


def test_render_keeps_its_signature_and_behaviour() -> None:
    # Given a template as rules used it before: customer_name with a 様 written in the body
    away = template(bodies={"ja": "{customer_name}様、{{営業時間外}}です。{brand}", "en": "Hi {customer_name}!"})
    variables = {"customer_name": "太郎", "brand": "acme_help"}
    # When it is rendered with a plain dict of variables
    # Then the ticket's language, else the first body, is filled as before
    assert render(away, "ja", variables) == ("ja", "太郎様、{営業時間外}です。acme_help")
    assert render(away, "en", variables) == ("en", "Hi 太郎!")
    assert render(away, "fr", variables) == ("ja", "太郎様、{営業時間外}です。acme_help")
    assert render(away, None, {}) == ("ja", "様、{営業時間外}です。")
    assert render(away, "en-GB", variables) == ("en", "Hi 太郎!")  # a regional tag finds its language


def test_an_automatic_public_reply_gets_the_new_variables_but_never_the_order_number(store: Store, tenant: str) -> None:
    # Given an away template using the new variables and a rule that auto-replies with it
    body = "{customer_honorific}、返金のご依頼を承りました（{order_number}）。受付時間：{support_hours}"
    store.templates.create(tenant, "away", template("away", tenant_id=tenant, bodies={"ja": body}).model_dump())
    save_rule(store, tenant, [{"type": "auto_reply", "template_id": "away"}])
    ticket_id = ticket(store, tenant, "返金してください。注文番号 A12345678")
    # When the rules run on the public mention
    apply_rules(store, notifier(FakeSession()), tenant, ticket_id, ["ticket_created"], "created", NOW)
    # Then the reply addresses 太郎様, states the hours and leaves the order number out
    reply = store.tickets.detail(tenant, ticket_id).outbox[0]
    assert reply["text"] == "太郎様、返金のご依頼を承りました（）。受付時間：平日 9:00〜18:00"


# --- ranking ------------------------------------------------------------------------------------

JA_EN = {
    "ja": "{customer_honorific}、ご不便をおかけし申し訳ございません。{agent_signature}",
    "en": "Hi {customer_honorific}, we're sorry for the trouble. {agent_signature}",
}
CATALOGUE = [
    template(
        "apology-shipping",
        name="お詫び（配送）",
        bodies=JA_EN,
        intents=["complaint"],
        tags=["shipping", "apology", "late"],
    ),
    template("apology", name="お詫び（汎用）", bodies={"ja": "申し訳ございません。"}, intents=["complaint"]),
    template(
        "status",
        name="配送状況のご案内",
        bodies={"ja": "配送状況をご案内します。"},
        intents=["question"],
        tags=["shipping", "late", "tracking"],
    ),
    template("greeting", name="ご挨拶", bodies={"ja": "ご連絡ありがとうございます。"}),
    template(
        "apology-en", name="Apology (English)", bodies={"en": "We're sorry."}, intents=["complaint"], tags=["shipping"]
    ),
    template(
        "apology-ig",
        name="お詫び（Instagram）",
        bodies={"ja": "申し訳ございません。"},
        intents=["complaint"],
        channels=["instagram"],
    ),
    template("apology-dm", name="お詫び（DM）", bodies={"ja": "{order_number}"}, intents=["complaint"], modes=["dm"]),
    template("thanks", name="お礼", bodies={"ja": "ありがとうございます！"}, intents=["praise"]),
]


def test_a_japanese_complaint_ranks_by_language_then_intent_then_tags() -> None:
    # Given a Japanese complaint about a late parcel on X
    # When templates are suggested for a public reply
    ranked = suggest(CATALOGUE, a_ticket(), "public", limit=10)
    # Then Japanese complaint templates come first (the one sharing tags on top), intent beats tags, a
    # template for any intent beats one for another intent, the English-only one comes after every
    # Japanese one, and templates for Instagram or DMs only are left out
    assert [s.template_id for s in ranked] == [
        "apology-shipping",
        "apology",
        "status",
        "greeting",
        "thanks",
        "apology-en",
    ]
    assert ranked[0].reasons == ["language", "intent", "tags"]
    assert ranked[-1].reasons == ["intent", "tags"]
    assert ranked[0].score > ranked[1].score > ranked[2].score > ranked[3].score > ranked[4].score > ranked[5].score


def test_suggestions_are_previews_rendered_for_the_ticket_and_the_agent() -> None:
    # Given the agent's name and the ticket's context
    context = RenderContext(language="ja", customer=customer(), agent_name="佐藤 花子", ticket_id=TICKET_ID)
    # When suggestions are made
    top = suggest(CATALOGUE, a_ticket(), "public", limit=1, context=context)[0]
    # Then the preview is the Japanese body, filled
    assert top.rendered.text == "山田 太郎様、ご不便をおかけし申し訳ございません。担当：佐藤"
    assert top.rendered.language == "ja" and top.rendered.missing == []


def test_an_english_ticket_gets_the_english_body_and_a_dm_gets_dm_templates() -> None:
    # Given an English complaint and an agent with a Latin name
    english = a_ticket(language="en", customer=customer("Emma Brown", "emma_b"))
    context = RenderContext(language="en", customer=english.customer, agent_name="Hanako Sato", mode="dm")
    # When templates are suggested for a DM
    ranked = suggest(CATALOGUE, english, "dm", limit=3, context=context)
    # Then English bodies come first, then the DM-only Japanese complaint template (no longer left out)
    assert [s.template_id for s in ranked] == ["apology-shipping", "apology-en", "apology-dm"]
    assert ranked[0].rendered.text == "Hi Emma Brown, we're sorry for the trouble. ^Hanako"
    assert ranked[1].rendered.text == "We're sorry." and ranked[2].rendered.warnings == [LANGUAGE_FALLBACK]


def test_brand_templates_are_kept_to_their_brand_and_preferred_there() -> None:
    ours = template("ours", name="B ours", bodies={"ja": "x"}, brand="@Acme_Help")
    theirs = template("theirs", name="A theirs", bodies={"ja": "x"}, brand="sister_brand")
    generic = template("generic", name="C generic", bodies={"ja": "x"})
    ranked = suggest([theirs, generic, ours], a_ticket(), "public", context=RenderContext(brand="acme_help"))
    assert [s.template_id for s in ranked] == ["ours", "generic"] and ranked[0].reasons == ["language", "brand"]


def test_ties_are_broken_by_recent_use_then_name_whatever_the_input_order() -> None:
    # Given three templates that fit equally well
    same = [template(i, name=n, bodies={"ja": "x"}) for i, n in (("c", "Bravo"), ("a", "alpha"), ("b", "Charlie"))]
    # When they are ranked in any order, without and with usage counts
    orders = {tuple(s.template_id for s in suggest(random.sample(same, 3), a_ticket(), "public")) for _ in range(10)}
    used = suggest(same, a_ticket(), "public", usage={"b": 3, "c": 1})
    # Then the order is always the same: by name without usage, the more used first with it
    assert orders == {("a", "c", "b")}
    assert [s.template_id for s in used] == ["b", "c", "a"] and used[0].reasons[-1] == "recently_used"
    assert used[0].uses == 3 and len({s.score for s in used}) == 1


def test_the_limit_caps_the_suggestions() -> None:
    assert len(suggest(CATALOGUE, a_ticket(), "public", limit=2)) == 2
    assert suggest([], a_ticket(), "public") == []
