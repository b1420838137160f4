"""Priority and tags by hand, with status, in one locked change; rules on ticket_updated see it."""

from typing import Any

import pytest
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import Author, InboundMessage
from mentiondesk.store.factory import Store

from tests.conftest import ACCOUNT_ID, RecordingStarter, access_claims, load_function
from tests.unit.test_api import call

pytestmark = pytest.mark.unit
ALICE = access_claims("user-alice", "agent")


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    return load_function("api")


@pytest.fixture
def ticket(store: Store, tenant: str) -> str:
    IngestService(store, RecordingStarter(), clock=lambda: "2026-11-23T09:00:00.000Z").apply(
        [
            InboundMessage(
                platform="x",
                account_id=ACCOUNT_ID,
                native_id="9900000000000000001",
                kind="mention",
                conversation_id="c",
                author=Author(platform_user_id="u1"),
                text="help",
                created_at="2026-11-23T09:00:00.000Z",
            )
        ]
    )
    return store.tickets.inbox("acme", None, 1, None).items[0].id


def patch(api: Any, ticket_id: str, body: dict[str, Any]) -> tuple[int, Any]:
    return call(api, "PATCH", f"/api/tickets/{ticket_id}", ALICE, body)  # type: ignore[no-any-return]


def test_priority_tags_and_status_in_one_change(api: Any, store: Store, ticket: str) -> None:
    status, t = patch(api, ticket, {"version": 1, "priority": "high", "tags": ["vip", "billing", "vip"]})
    assert status == 200 and t["priority"] == "high" and t["tags"] == ["vip", "billing"] and t["version"] == 2
    status, t = patch(api, ticket, {"version": 2, "tags": [], "status": "pending"})
    assert status == 200 and t["tags"] == [] and t["status"] == "pending" and t["priority"] == "high"
    events = [(e.type, e.actor) for e in store.tickets.detail("acme", ticket).events]
    assert ("ticket_updated", "user-alice") in events and ("status_changed", "user-alice") in events


def test_a_rule_on_ticket_updated_sees_a_tag_an_agent_added(api: Any, store: Store, ticket: str) -> None:
    store.rules.create(
        "acme",
        "vip-up",
        {
            "id": "vip-up",
            "name": "VIP up",
            "trigger": "ticket_updated",
            "order": 1,
            "condition": {"field": "ticket_tags", "op": "has_any", "value": ["VIP"]},
            "actions": [{"type": "set_priority", "priority": "urgent"}],
        },
    )
    status, t = patch(api, ticket, {"version": 1, "tags": ["vip"]})
    assert status == 200 and t["priority"] == "urgent"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"version": 1}, 400),
        ({"version": 1, "priority": "asap"}, 422),
        ({"version": 1, "tags": [" padded "]}, 422),
        ({"version": 1, "tags": ["x"] * 21}, 422),
        ({"version": 1, "assignee": {"id": "me"}}, 400),  # mass assignment
        ({"version": 9, "priority": "low"}, 409),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(
    api: Any, store: Store, ticket: str, body: Any, expected: int
) -> None:
    assert patch(api, ticket, body)[0] == expected
    t = store.tickets.get("acme", ticket)
    assert (t.version, t.priority, t.tags) == (1, "normal", [])
