"""Round robin against moto: rotation, eligibility, the team queue, atomic claims."""

import threading
from typing import Any

import pytest
from mentiondesk.assignment.round_robin import assign_ticket, assign_waiting, eligible_agents
from mentiondesk.models import Author, Ticket
from mentiondesk.store.factory import Store

from tests.conftest import make_agent, make_x_webhook, signed, tweet_delivery

pytestmark = pytest.mark.unit
NOW = "2026-11-23T09:00:00.000Z"


def new_ticket(store: Store, tweet_id: str) -> str:
    webhook = make_x_webhook(store, now=NOW)
    return webhook.receive(*signed(tweet_delivery(tweet_id, "help"))).tickets[0]


def test_round_robin_alternates_between_online_agents(store: Store, tenant: str) -> None:
    # Given two online agents and four tickets
    tickets = [new_ticket(store, str(i)) for i in range(1, 5)]
    # When each is assigned in turn (times advance like real time)
    owners = [assign_ticket(store, tenant, t, f"2026-11-23T09:00:0{i}.000Z")["agent_id"] for i, t in enumerate(tickets)]
    # Then they alternate, and the ticket records who and how
    assert owners == ["user-alice", "user-bob", "user-alice", "user-bob"]
    detail = store.tickets.detail(tenant, tickets[0])
    assert detail.ticket.assignee and detail.ticket.assignee.id == "user-alice"
    assert detail.ticket.triage_state == "done"
    assert detail.events[-1].type == "assigned" and detail.events[-1].detail["strategy"] == "round_robin"
    assert store.directory.agent(tenant, "user-alice").active_count == 2


def test_assigning_twice_is_idempotent(store: Store, tenant: str) -> None:
    ticket = new_ticket(store, "10")
    first = assign_ticket(store, tenant, ticket, NOW)
    again = assign_ticket(store, tenant, ticket, NOW)
    assert again == first
    assert store.directory.agent(tenant, first["agent_id"]).active_count == 1


def test_nobody_eligible_queues_the_ticket_then_the_sweep_assigns_it(store: Store, tenant: str) -> None:
    # Given every agent offline
    for name in ("alice", "bob"):
        store.directory.put_agent(make_agent(name, online=False))
    ticket = new_ticket(store, "20")
    # When the workflow tries to assign
    result = assign_ticket(store, tenant, ticket, NOW)
    # Then it waits in the team queue
    assert result == {"status": "queued", "team": "support"}
    assert [t.id for t in store.tickets.queued(tenant, "support")] == [ticket]
    assert assign_waiting(store, tenant, NOW) == 0
    # And when bob comes online, the schedule hands it over and the queue empties
    store.directory.put_agent(make_agent("bob", online=True))
    assert assign_waiting(store, tenant, NOW) == 1
    assert store.tickets.get(tenant, ticket).assignee.id == "user-bob"  # type: ignore[union-attr]
    assert store.tickets.queued(tenant, "support") == []


def test_full_agents_are_skipped(store: Store, tenant: str) -> None:
    store.directory.put_agent(make_agent("alice", capacity=1, active_count=1))
    result = assign_ticket(store, tenant, new_ticket(store, "30"), NOW)
    assert result["agent_id"] == "user-bob"


def test_eligibility_rules() -> None:
    ticket = Ticket(
        id="T",
        tenant_id="acme",
        platform="x",
        kind="mention",
        account_id="1",
        team="support",
        customer=Author(platform_user_id="9"),
        subject="",
        last_message_excerpt="",
        created_at=NOW,
        updated_at=NOW,
        language="ja",
    )
    agents = [
        make_agent("a", online=False),
        make_agent("b", team="sales"),
        make_agent("c", role="finance"),
        make_agent("d", languages=["en"]),
        make_agent("e", languages=["ja", "en"], last_assigned_at=NOW),
        make_agent("f"),
    ]
    assert [a.name for a in eligible_agents(agents, ticket)] == ["F", "E"]


def test_concurrent_workers_never_assign_one_ticket_twice(store: Store, tenant: str) -> None:
    ticket = new_ticket(store, "40")
    results: list[dict[str, Any]] = []
    workers = [
        threading.Thread(target=lambda: results.append(assign_ticket(store, tenant, ticket, NOW))) for _ in range(4)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len({r["agent_id"] for r in results}) == 1
    total = sum(store.directory.agent(tenant, f"user-{n}").active_count for n in ("alice", "bob"))
    assert total == 1
