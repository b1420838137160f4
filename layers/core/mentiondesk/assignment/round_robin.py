"""Round robin: the eligible agent who has waited longest since their last assignment gets the ticket.

Eligible = online, in the ticket's team, an agent or supervisor, under capacity, and speaking the
ticket's language when they list languages. The claim is one conditional transaction, so two
workers never assign one ticket twice and no agent goes over capacity. Nobody eligible: the ticket
waits in the team queue (a sparse index) and the assign_queued schedule retries it.
"""

from typing import Any

from mentiondesk.errors import Conflict, NotFound, TicketNotFound, TransientStoreError
from mentiondesk.models import Agent, Ticket
from mentiondesk.observability import metrics
from mentiondesk.store.factory import Store

MAX_ATTEMPTS = 5


def eligible_agents(agents: list[Agent], ticket: Ticket) -> list[Agent]:
    """Agents who may take this ticket now, longest-waiting first."""
    fit = [
        a
        for a in agents
        if a.online
        and a.role in ("agent", "supervisor")
        and a.team == ticket.team
        and a.active_count < a.capacity
        and (not a.languages or not ticket.language or ticket.language in a.languages)
    ]
    # Never-assigned agents first, then the oldest last assignment; the id keeps ties stable.
    return sorted(fit, key=lambda a: (a.last_assigned_at or "", a.id))


def assign_ticket(store: Store, tenant: str, ticket_id: str, now: str, enqueue: bool = True) -> dict[str, Any]:
    """Assign one ticket. Idempotent: an assigned ticket is reported, not reassigned."""
    for _attempt in range(MAX_ATTEMPTS):
        try:
            ticket = store.tickets.get(tenant, ticket_id)
        except NotFound as error:
            raise TicketNotFound(ticket_id) from error
        if ticket.assignee:
            return {"status": "assigned", "agent_id": ticket.assignee.id, "agent_name": ticket.assignee.name}
        team = store.directory.team(tenant, ticket.team)
        candidates = (
            [] if team and team.strategy == "manual" else eligible_agents(store.directory.agents(tenant), ticket)
        )
        if not candidates:
            if enqueue and store.tickets.enqueue(tenant, ticket, now):
                metrics.add_metric(name="TicketQueued", unit="Count", value=1)
            return {"status": "queued", "team": ticket.team}
        agent = candidates[0]
        try:
            store.tickets.claim(tenant, ticket, agent, "round_robin", now)
        except Conflict:
            continue  # another worker moved first (this ticket or this agent): read again
        metrics.add_metric(name="TicketAssigned", unit="Count", value=1)
        return {"status": "assigned", "agent_id": agent.id, "agent_name": agent.name}
    raise TransientStoreError("assignment kept conflicting")


def assign_waiting(store: Store, tenant: str, now: str, per_team: int = 25) -> int:
    """Give queued tickets, oldest first, to agents who have become eligible. Returns how many."""
    assigned = 0
    for team in store.directory.teams(tenant):
        for ticket in store.tickets.queued(tenant, team.id, limit=per_team):
            result = assign_ticket(store, tenant, ticket.id, now, enqueue=False)
            if result["status"] != "assigned":
                break  # nobody eligible in this team: the rest of its queue waits too
            assigned += 1
    return assigned
