"""Assign, transfer and unassign by hand: capacity, roles, locking, the queue, notifications."""

from typing import Any

import pytest
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import Author, InboundMessage
from mentiondesk.store.factory import Store

from tests.conftest import ACCOUNT_ID, RecordingStarter, access_claims, load_function, make_agent
from tests.unit.test_api import call

pytestmark = pytest.mark.unit
ALICE = access_claims("user-alice", "agent")
BOB = access_claims("user-bob", "agent")
LEAD = access_claims("user-lead", "supervisor")


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    store.directory.put_agent(make_agent("lead", role="supervisor"))
    store.directory.put_agent(make_agent("fin", role="finance", team=None))
    return load_function("api")


def ticket(store: Store, n: int = 1) -> str:
    native = f"97{n:017d}"
    IngestService(store, RecordingStarter(), clock=lambda: "2026-11-23T09:00:00.000Z").apply(
        [
            InboundMessage(
                platform="x",
                account_id=ACCOUNT_ID,
                native_id=native,
                kind="mention",
                conversation_id=native,
                author=Author(platform_user_id=f"u{n}"),
                text="help",
                created_at="2026-11-23T09:00:00.000Z",
            )
        ]
    )
    found = store.tickets.find_native("acme", "x", native)
    assert found is not None
    return str(found["ticket_id"])


def assign(api: Any, claims: dict[str, Any], ticket_id: str, version: int, agent: str | None, **kw: Any) -> Any:
    return call(
        api, "POST", f"/api/tickets/{ticket_id}/assignment", claims, {"version": version, "agent_id": agent, **kw}
    )


def active(store: Store, user: str) -> int:
    return store.directory.agent("acme", user).active_count


def test_take_transfer_and_give_back(api: Any, store: Store) -> None:
    t = ticket(store)
    status, taken = assign(api, ALICE, t, 1, "user-alice")
    assert status == 200 and taken["assignee"]["id"] == "user-alice" and active(store, "user-alice") == 1
    status, moved = assign(api, LEAD, t, taken["version"], "user-bob")
    assert status == 200 and moved["assignee"]["id"] == "user-bob"
    assert (active(store, "user-alice"), active(store, "user-bob")) == (0, 1)
    bob_feed = call(api, "GET", "/api/me/notifications", BOB)[1]["items"]
    assert [(n["kind"], n["ticket_id"], n["detail"]["by"]) for n in bob_feed] == [("assigned", t, "user-lead")]
    status, back = assign(api, BOB, t, moved["version"], None)
    assert status == 200 and back["assignee"] is None and active(store, "user-bob") == 0
    assert [q.id for q in store.tickets.queued("acme", "support")] == [t]
    kinds = [(e.type, e.actor) for e in store.tickets.detail("acme", t).events if e.type != "ticket_created"]
    assert kinds == [("assigned", "user-alice"), ("transferred", "user-lead"), ("unassigned", "user-bob")]


def test_agents_take_for_themselves_only_and_never_force(api: Any, store: Store) -> None:
    t = ticket(store)
    assert assign(api, ALICE, t, 1, "user-bob")[0] == 403
    assert assign(api, ALICE, t, 1, "user-alice", force=True)[0] == 403
    assert assign(api, LEAD, t, 1, "user-bob")[0] == 200
    assert assign(api, ALICE, t, 2, None)[0] == 403  # not hers to give back


def test_capacity_is_respected_unless_a_supervisor_forces(api: Any, store: Store) -> None:
    store.directory.put_agent(make_agent("bob", capacity=1))
    first, second = ticket(store, 1), ticket(store, 2)
    assert assign(api, LEAD, first, 1, "user-bob")[0] == 200
    status, body = assign(api, LEAD, second, 1, "user-bob")
    assert status == 409 and "capacity" in body["message"] and body["current"]["assignee"] is None
    assert assign(api, LEAD, second, 1, "user-bob", force=True)[0] == 200
    assert active(store, "user-bob") == 2


def test_bad_targets_stale_versions_and_other_tenants(api: Any, store: Store) -> None:
    t = ticket(store)
    assert assign(api, LEAD, t, 1, "user-ghost")[0] == 400
    assert assign(api, LEAD, t, 1, "user-fin")[0] == 400
    assert assign(api, LEAD, t, 7, "user-bob")[0] == 409
    assert assign(api, LEAD, "01J00000000000000000000000", 1, "user-bob")[0] == 404
    other = access_claims("user-x", "supervisor", tenant="other")
    assert assign(api, other, t, 1, None)[0] == 404
    sneaky = {"version": 1, "agent_id": "user-bob", "x": 1}
    assert call(api, "POST", f"/api/tickets/{t}/assignment", LEAD, sneaky)[0] == 400  # mass assignment
