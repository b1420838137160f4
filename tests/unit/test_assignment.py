"""Assignment against moto: round robin, load balancing, skills, returning customers, the team queue,
atomic claims."""

import threading
from typing import Any

import pytest
from mentiondesk.assignment.assign import assign_ticket, assign_waiting, eligible_agents
from mentiondesk.models import Author, Ticket
from mentiondesk.store.factory import Store

from tests.conftest import make_agent, make_x_webhook, signed, tweet_delivery

pytestmark = pytest.mark.unit
NOW = "2026-11-23T09:00:00.000Z"


def new_ticket(store: Store, tweet_id: str, customer: str | None = None) -> str:
    """A new ticket; each tweet id is a different customer unless `customer` says otherwise."""
    webhook = make_x_webhook(store, now=NOW)
    user_id = customer or str(700000000000000000 + int(tweet_id))
    return webhook.receive(*signed(tweet_delivery(tweet_id, "help", user_id=user_id))).tickets[0]


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


def ticket_for(**fields: Any) -> Ticket:
    base: dict[str, Any] = {
        "id": "T",
        "tenant_id": "acme",
        "platform": "x",
        "kind": "mention",
        "account_id": "1",
        "team": "support",
        "customer": Author(platform_user_id="9"),
        "subject": "",
        "last_message_excerpt": "",
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Ticket(**{**base, **fields})


def test_channel_and_product_skills() -> None:
    agents = [
        make_agent("ig_only", channels=["instagram"]),
        make_agent("routers", product_tags=["router"]),
        make_agent("anyone"),
    ]
    names = [a.name for a in eligible_agents(agents, ticket_for(platform="x", tags=["billing"]))]
    assert names == ["Anyone"]
    names = sorted(a.name for a in eligible_agents(agents, ticket_for(platform="instagram", tags=["router"])))
    assert names == ["Anyone", "Ig_Only", "Routers"]


def test_load_balanced_by_count_and_by_share_of_capacity() -> None:
    from mentiondesk.models import Team

    agents = [
        make_agent("busy", active_count=4, capacity=20),  # 20% of capacity, 4 tickets
        make_agent("light", active_count=2, capacity=4),  # 50% of capacity, 2 tickets
    ]
    by_count = Team(tenant_id="acme", id="support", name="S", strategy="load_balanced", balance="count")
    by_share = by_count.model_copy(update={"balance": "share"})
    assert eligible_agents(agents, ticket_for(), by_count)[0].name == "Light"
    assert eligible_agents(agents, ticket_for(), by_share)[0].name == "Busy"


def test_load_balanced_team_assigns_the_least_busy_agent(store: Store, tenant: str) -> None:
    from mentiondesk.models import Team

    store.directory.put_team(Team(tenant_id=tenant, id="support", name="Support", strategy="load_balanced"))
    store.directory.put_agent(make_agent("alice", active_count=3))
    result = assign_ticket(store, tenant, new_ticket(store, "70"), NOW)
    assert result["agent_id"] == "user-bob"
    detail = store.tickets.detail(tenant, store.tickets.find_native(tenant, "x", "70")["ticket_id"])
    assert detail.events[-1].detail["strategy"] == "load_balanced"


def test_a_returning_customer_goes_back_to_their_last_agent_when_eligible(store: Store, tenant: str) -> None:
    first = new_ticket(store, "80", customer="700000000000000999")
    helper = assign_ticket(store, tenant, first, "2026-11-23T09:00:01.000Z")["agent_id"]
    # Another customer in between would normally move round robin on to the other agent
    assign_ticket(store, tenant, new_ticket(store, "81"), "2026-11-23T09:00:02.000Z")
    again = new_ticket(store, "82", customer="700000000000000999")
    result = assign_ticket(store, tenant, again, "2026-11-23T09:00:03.000Z")
    assert result["agent_id"] == helper
    assert store.tickets.detail(tenant, again).events[-1].detail["strategy"] == "returning_customer"
    # Unless that agent is not eligible any more: then the team's strategy decides
    store.directory.put_agent(make_agent(helper.removeprefix("user-"), online=False))
    other = assign_ticket(store, tenant, new_ticket(store, "83", customer="700000000000000999"), NOW)
    assert other["agent_id"] != helper


def test_manual_teams_queue_every_ticket(store: Store, tenant: str) -> None:
    from mentiondesk.models import Team

    store.directory.put_team(Team(tenant_id=tenant, id="support", name="Support", strategy="manual"))
    ticket = new_ticket(store, "90")
    assert assign_ticket(store, tenant, ticket, NOW) == {"status": "queued", "team": "support"}
    assert [t.id for t in store.tickets.queued(tenant, "support", limit=10)] == [ticket]
