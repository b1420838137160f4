"""Inbox views (all, mine, team, unassigned, SLA at risk) and filters: paging never skips a ticket,
bad values are refused, other tenants stay invisible."""

from typing import Any

import pytest
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import Author, ChannelAccount, InboundMessage, Team
from mentiondesk.store import keys
from mentiondesk.store.factory import Store

from tests.conftest import ACCOUNT_ID, RecordingStarter, access_claims, load_function, make_agent
from tests.unit.test_api import call

pytestmark = pytest.mark.unit
ALICE = access_claims("user-alice", "agent")
CAROL = access_claims("user-carol", "agent")


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    store.directory.put_team(Team(tenant_id=tenant, id="vip", name="VIP"))
    store.directory.put_agent(make_agent("carol", team="vip"))
    return load_function("api")


def post(store: Store, n: int, text: str, **labels: Any) -> str:
    native = f"95{n:017d}"
    IngestService(store, RecordingStarter(), clock=lambda: f"2026-11-23T09:{n:02d}:00.000Z").apply(
        [
            InboundMessage(
                platform="x",
                account_id=ACCOUNT_ID,
                native_id=native,
                kind="mention",
                conversation_id=native,
                author=Author(platform_user_id=f"u{n}", handle=f"user{n}"),
                text=text,
                created_at="2026-11-23T09:00:00.000Z",
            )
        ]
    )
    found = store.tickets.find_native("acme", "x", native)
    assert found is not None
    ticket_id = str(found["ticket_id"])
    if labels:
        names = {f"#f{i}": k for i, k in enumerate(labels)}
        vals = {f":f{i}": v for i, v in enumerate(labels.values())}
        store.table.update(
            {"PK": keys.ticket_pk("acme", ticket_id), "SK": keys.TICKET_SK},
            "SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(labels))),
            names=names,
            vals=vals,
        )
    return ticket_id


def ids(api: Any, claims: dict[str, Any], **query: str) -> list[str]:
    status, page = call(api, "GET", "/api/tickets", claims, query=query)
    assert status == 200, page
    return [t["id"] for t in page["items"]]


def test_views_and_filters(api: Any, store: Store) -> None:
    refund = post(store, 1, "返金してください", intent="complaint", sentiment="negative", tags=["billing"])
    mine = post(
        store,
        2,
        "how do I reset my router?",
        intent="question",
        language="en",
        assignee={"id": "user-alice", "name": "Alice"},
    )
    vip = post(store, 3, "VIP customer here", team="vip", urgency="high")
    quiet = post(store, 4, "新商品おいしかった", intent="praise", sentiment="positive")
    assert ids(api, ALICE, view="mine") == [mine]
    assert set(ids(api, ALICE, view="unassigned")) == {refund, vip, quiet}
    assert ids(api, CAROL, view="team") == [vip]
    assert set(ids(api, ALICE, view="team")) == {refund, mine, quiet}
    assert ids(api, ALICE, intent="complaint") == [refund]
    assert ids(api, ALICE, sentiment="positive") == [quiet]
    assert ids(api, ALICE, urgency="high") == [vip]
    assert ids(api, ALICE, language="en") == [mine]
    assert ids(api, ALICE, tag="billing") == [refund]
    assert ids(api, ALICE, q="router") == [mine]
    assert ids(api, ALICE, q="返金") == [refund]
    assert ids(api, ALICE, assignee="user-alice") == [mine]
    assert ids(api, ALICE, channel="instagram") == []
    assert ids(api, ALICE, intent="complaint", tag="nope") == []


def test_a_filtered_view_pages_without_skipping(api: Any, store: Store) -> None:
    wanted = {post(store, n, f"質問 {n}", intent="question" if n % 3 == 0 else "other") for n in range(1, 22)}
    wanted = {t for t in wanted if store.tickets.get("acme", t).intent == "question"}
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        query = {"intent": "question", "limit": "3"} | ({"cursor": cursor} if cursor else {})
        status, page = call(api, "GET", "/api/tickets", ALICE, query=query)
        assert status == 200 and len(page["items"]) <= 3
        seen += [t["id"] for t in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == len(wanted) == 7 and set(seen) == wanted


def test_sla_at_risk_lists_running_clocks_nearest_first(api: Any, store: Store) -> None:
    late = post(store, 1, "a")
    soon = post(store, 2, "b")
    post(store, 3, "c")  # no clock
    for ticket_id, due in ((late, "2026-11-23T12:00:00.000Z"), (soon, "2026-11-23T10:00:00.000Z")):
        store.tickets.set_sla(
            "acme",
            ticket_id,
            0,
            {"policy_id": "p", "started_at": "x", "clocks": [], "due_at": due, "wake_at": None, "generation": 0},
        )
    assert ids(api, ALICE, view="sla_at_risk") == [soon, late]
    assert ids(api, ALICE, view="sla_at_risk", status="pending") == []


@pytest.mark.parametrize(
    "query",
    [{"view": "everything"}, {"intent": "angry"}, {"channel": "myspace"}, {"language": "日本語"}, {"limit": "0"}],
)
def test_bad_filters_are_refused(api: Any, query: dict[str, str]) -> None:
    assert call(api, "GET", "/api/tickets", ALICE, query=query)[0] == 422


def test_another_tenants_tickets_never_show(api: Any, store: Store) -> None:
    store.directory.register_channel(
        ChannelAccount(tenant_id="other", platform="x", account_id="555", handle="o", created_at="x", created_by="x")
    )
    IngestService(store, RecordingStarter(), clock=lambda: "2026-11-23T09:00:00.000Z").apply(
        [
            InboundMessage(
                platform="x",
                account_id="555",
                native_id="9600000000000000001",
                kind="mention",
                conversation_id="c",
                author=Author(platform_user_id="z"),
                text="返金 other tenant",
                created_at="2026-11-23T09:00:00.000Z",
            )
        ]
    )
    assert ids(api, ALICE, q="other tenant") == []
    assert ids(api, ALICE, view="unassigned", status="all") == []
