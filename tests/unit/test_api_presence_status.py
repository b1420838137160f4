"""Agents going online and tickets changing status: capacity is freed and the team queue drains at once."""

import json
from typing import Any

import pytest
from mentiondesk.store.factory import Store

from tests.conftest import access_claims, load_function, make_agent, make_x_webhook, signed, tweet_delivery
from tests.unit.test_api import call

pytestmark = pytest.mark.unit
NOW = "2026-11-23T09:00:00.000Z"


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    return load_function("api")


def new_ticket(store: Store, tweet_id: str) -> str:
    delivery = tweet_delivery(tweet_id, f"help {tweet_id}", user_id=str(710000000000000000 + int(tweet_id)))
    return make_x_webhook(store, now=NOW).receive(*signed(delivery)).tickets[0]


def as_agent(name: str) -> dict[str, Any]:
    return access_claims(f"user-{name}", "agent")


def test_going_online_takes_waiting_tickets_at_once(api: Any, store: Store, tenant: str) -> None:
    from mentiondesk.assignment.assign import assign_ticket

    # Given everybody away and two tickets waiting in the team queue
    for name in ("alice", "bob"):
        store.directory.put_agent(make_agent(name, online=False))
    waiting = [new_ticket(store, "11"), new_ticket(store, "12")]
    for ticket in waiting:
        assert assign_ticket(store, tenant, ticket, NOW)["status"] == "queued"
    # When Alice goes online
    status, answer = call(api, "PUT", "/api/me/status", as_agent("alice"), {"online": True})
    # Then both are hers now, without waiting for the schedule
    assert status == 200 and answer == {"online": True, "assigned_from_queue": 2}
    assert {store.tickets.get(tenant, t).assignee.id for t in waiting} == {"user-alice"}  # type: ignore[union-attr]
    assert store.tickets.queued(tenant, "support", limit=10) == []
    # Going away assigns nothing; someone who is not a user of the tenant is refused
    assert call(api, "PUT", "/api/me/status", as_agent("alice"), {"online": False})[1]["assigned_from_queue"] == 0
    assert call(api, "PUT", "/api/me/status", as_agent("nobody"), {"online": True})[0] == 404
    assert call(api, "PUT", "/api/me/status", as_agent("alice"), {"online": "yes", "extra": 1})[0] == 400


def test_resolving_frees_capacity_and_the_next_waiting_ticket_is_assigned(api: Any, store: Store, tenant: str) -> None:
    from mentiondesk.assignment.assign import assign_ticket

    # Given Alice alone online with room for one ticket, which she has, and another ticket waiting
    store.directory.put_agent(make_agent("alice", capacity=1))
    store.directory.put_agent(make_agent("bob", online=False))
    first, second = new_ticket(store, "21"), new_ticket(store, "22")
    assert assign_ticket(store, tenant, first, NOW)["agent_id"] == "user-alice"
    assert assign_ticket(store, tenant, second, NOW)["status"] == "queued"
    # When she resolves the first
    version = store.tickets.get(tenant, first).version
    status, ticket = call(
        api, "PATCH", f"/api/tickets/{first}", as_agent("alice"), {"version": version, "status": "resolved"}
    )
    # Then the waiting one is hers, and her count is still within capacity
    assert status == 200, ticket
    assert ticket["status"] == "resolved"
    assert store.tickets.get(tenant, second).assignee.id == "user-alice"  # type: ignore[union-attr]
    assert store.directory.agent(tenant, "user-alice").active_count == 1
    events = [e.type for e in store.tickets.detail(tenant, first).events]
    assert events[-1] == "status_changed"


def test_a_stale_version_gets_409_with_the_current_ticket(api: Any, store: Store, tenant: str) -> None:
    ticket = new_ticket(store, "31")
    current = store.tickets.get(tenant, ticket)
    status, answer = call(
        api, "PATCH", f"/api/tickets/{ticket}", as_agent("alice"), {"version": 99, "status": "pending"}
    )
    assert status == 409 and answer["current"]["version"] == current.version
    assert call(api, "PATCH", f"/api/tickets/{ticket}", as_agent("alice"), {"version": 1, "status": "gone"})[0] == 422
    other = access_claims("user-eve", "agent", tenant="other")
    assert call(api, "PATCH", f"/api/tickets/{ticket}", other, {"version": 1, "status": "closed"})[0] == 404
    assert (
        call(api, "PATCH", f"/api/tickets/{ticket}", access_claims("f", "finance"), {"version": 1, "status": "closed"})[
            0
        ]
        == 403
    )


def test_reopening_an_assigned_ticket_counts_it_again(api: Any, store: Store, tenant: str) -> None:
    from mentiondesk.assignment.assign import assign_ticket

    ticket = new_ticket(store, "41")
    assign_ticket(store, tenant, ticket, NOW)
    owner = store.tickets.get(tenant, ticket).assignee.id  # type: ignore[union-attr]
    version = store.tickets.get(tenant, ticket).version
    call(api, "PATCH", f"/api/tickets/{ticket}", as_agent("alice"), {"version": version, "status": "resolved"})
    assert store.directory.agent(tenant, owner).active_count == 0
    version = store.tickets.get(tenant, ticket).version
    status, _ = call(api, "PATCH", f"/api/tickets/{ticket}", as_agent("alice"), {"version": version, "status": "open"})
    assert status == 200 and store.directory.agent(tenant, owner).active_count == 1
    assert json.dumps(store.tickets.get(tenant, ticket).status) == '"open"'
