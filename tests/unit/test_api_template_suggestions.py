"""GET /api/tickets/<id>/template-suggestions: ranked templates rendered for the ticket and the agent
asking, for staff only, within the tenant."""

from typing import Any

import pytest
from mentiondesk.models import Agent
from mentiondesk.store.factory import Store

from tests.conftest import TENANT, access_claims, load_function
from tests.unit.test_api import call, ingest
from tests.unit.test_rules_service import ticket

pytestmark = pytest.mark.unit
LEAD = access_claims("user-lead", "supervisor")
HANAKO = access_claims("user-hanako", "agent")
EMMA = access_claims("user-emma", "agent")
APOLOGY = (
    "{customer_honorific}、ご迷惑をおかけし申し訳ございません。ご注文{order_number}の状況を確認いたします。"
    "受付時間は{support_hours}です。{agent_signature}"
)
TEMPLATES = [
    {
        "id": "apology-shipping",
        "name": "お詫び（配送）",
        "bodies": {"ja": APOLOGY, "en": "Hi {customer_honorific}, sorry for the delay. {agent_signature}"},
        "intents": ["complaint"],
        "tags": ["shipping"],
    },
    {"id": "thanks", "name": "お礼", "bodies": {"ja": "ありがとうございます！"}, "intents": ["praise"]},
    {"id": "apology-en", "name": "Apology", "bodies": {"en": "We're sorry."}, "intents": ["complaint"]},
    {"id": "apology-ig", "name": "お詫び（IG）", "bodies": {"ja": "申し訳ございません。"}, "channels": ["instagram"]},
]


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    for user_id, name in (("user-hanako", "佐藤 花子"), ("user-emma", "Emma Clark")):
        store.directory.put_agent(
            Agent(id=user_id, tenant_id=TENANT, email=f"{user_id}@acme.test", name=name, role="agent")
        )
    return load_function("api")


@pytest.fixture
def complaint(api: Any, store: Store) -> str:
    """A Japanese complaint on X from 山田 太郎 (@taro_y) with an order number, and the templates."""
    ticket_id = ingest(store, "1850000000000000001", "@acme_help 注文番号A12345678の荷物がまだ届きません")
    labels = {"language": "ja", "sentiment": "negative", "scores": {}, "intent": "complaint", "urgency": "normal"}
    store.tickets.set_classification(TENANT, ticket_id, 1, labels, "2026-11-23T09:01:00.000Z")
    for template in TEMPLATES:
        assert call(api, "POST", "/api/templates", LEAD, template)[0] == 201
    return ticket_id


def path(ticket_id: str) -> str:
    return f"/api/tickets/{ticket_id}/template-suggestions"


def test_an_agent_gets_ranked_templates_rendered_for_the_ticket_and_for_them(api: Any, complaint: str) -> None:
    # Given a Japanese complaint and templates for several intents, languages and channels
    # When 佐藤 花子 asks for suggestions for a public reply
    status, page = call(api, "GET", path(complaint), HANAKO)
    # Then the Japanese complaint template comes first, the English-only one last, the Instagram one not at all
    assert status == 200, page
    assert (page["ticket_id"], page["mode"], page["language"]) == (complaint, "public", "ja")
    assert [i["template_id"] for i in page["items"]] == ["apology-shipping", "thanks", "apology-en"]
    top = page["items"][0]
    assert top["reasons"] == ["language", "intent"] and top["score"] > page["items"][1]["score"]
    # And it reads as she would send it: 様, the team's hours, her family name, no order number in public
    assert top["preview"] == {
        "language": "ja",
        "text": "山田 太郎様、ご迷惑をおかけし申し訳ございません。ご注文の状況を確認いたします。"
        "受付時間は平日 9:00〜18:00です。担当：佐藤",
        "missing": ["order_number"],
        "warnings": ["order_number_withheld_in_public"],
    }


def test_in_a_dm_the_order_number_is_echoed_and_the_limit_holds(api: Any, complaint: str) -> None:
    status, page = call(api, "GET", path(complaint), HANAKO, query={"mode": "dm", "limit": "1"})
    assert status == 200 and page["mode"] == "dm" and len(page["items"]) == 1
    assert "ご注文A12345678の状況" in page["items"][0]["preview"]["text"]
    assert page["items"][0]["preview"]["warnings"] == []


def test_a_dm_ticket_is_answered_in_a_dm_unless_asked_otherwise(api: Any, store: Store) -> None:
    # Given a DM with an order number, and a template that echoes it
    dm = ticket(store, TENANT, "注文番号A12345678の件です", kind="dm")
    assert call(api, "POST", "/api/templates", LEAD, {**TEMPLATES[0], "intents": []})[0] == 201
    # When suggestions are asked for without a mode
    status, page = call(api, "GET", path(dm), HANAKO)
    # Then they are for a DM, so the order number is filled
    assert status == 200 and page["mode"] == "dm"
    assert "ご注文A12345678の状況" in page["items"][0]["preview"]["text"]


def test_the_signature_is_the_calling_agents(api: Any, complaint: str) -> None:
    text = call(api, "GET", path(complaint), EMMA)[1]["items"][0]["preview"]["text"]
    assert text.endswith("担当：Clark")


@pytest.mark.parametrize(
    ("claims", "status"),
    [(None, 401), (access_claims("user-fin", "finance"), 403)],
)
def test_only_staff_may_ask(api: Any, complaint: str, claims: dict[str, Any] | None, status: int) -> None:
    assert call(api, "GET", path(complaint), claims)[0] == status


@pytest.mark.parametrize(
    ("ticket", "claims"),
    [
        ("01JNOSUCHTICKET00000000000", HANAKO),  # the shape of an id, but no ticket
        ("not-an-id", HANAKO),
        (None, access_claims("user-hanako", "agent", tenant="globex")),  # another tenant's ticket
    ],
)
def test_unknown_and_foreign_tickets_are_not_found(
    api: Any, complaint: str, ticket: str | None, claims: dict[str, Any]
) -> None:
    assert call(api, "GET", path(ticket or complaint), claims)[0] == 404


@pytest.mark.parametrize("query", [{"mode": "email"}, {"limit": "0"}, {"limit": "21"}])
def test_a_bad_mode_or_limit_is_a_422(api: Any, complaint: str, query: dict[str, str]) -> None:
    assert call(api, "GET", path(complaint), HANAKO, query=query)[0] == 422
