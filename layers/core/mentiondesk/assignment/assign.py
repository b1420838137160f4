"""Assignment per team: round robin, load balanced (active count or share of capacity), or manual.

Eligible = online, in the ticket's team, an agent or supervisor, under capacity (active tickets
only), and with the skills the ticket needs: its language, its channel and its product tags, each
only when the agent lists any. A returning customer goes to the agent who last helped them when that
agent is eligible. The claim is one conditional transaction, so two workers never assign one ticket
twice and no agent goes over capacity. Nobody eligible: the ticket waits in the team queue (a sparse
index) and is assigned when someone becomes eligible (the assign_queued schedule).
"""

from typing import Any

from mentiondesk.errors import Conflict, NotFound, TicketNotFound, TransientStoreError
from mentiondesk.models import Agent, Team, Ticket
from mentiondesk.observability import metrics
from mentiondesk.store.factory import Store

MAX_ATTEMPTS = 5


def is_eligible(agent: Agent, ticket: Ticket) -> bool:
    return (
        agent.online
        and agent.role in ("agent", "supervisor")
        and agent.team == ticket.team
        and agent.active_count < agent.capacity
        and (not agent.languages or not ticket.language or ticket.language in agent.languages)
        and (not agent.channels or ticket.platform in agent.channels)
        and (not agent.product_tags or not ticket.tags or bool(set(agent.product_tags) & set(ticket.tags)))
    )


def eligible_agents(agents: list[Agent], ticket: Ticket, team: Team | None = None) -> list[Agent]:
    """Agents who may take this ticket now, best first for the team's strategy."""
    fit = [a for a in agents if is_eligible(a, ticket)]
    strategy, balance = (team.strategy, team.balance) if team else ("round_robin", "count")
    # Never-assigned agents first, then the oldest last assignment; the id keeps ties stable.
    by_wait = sorted(fit, key=lambda a: (a.last_assigned_at or "", a.id))
    if strategy == "load_balanced":
        if balance == "share":
            return sorted(by_wait, key=lambda a: a.active_count / a.capacity)
        return sorted(by_wait, key=lambda a: a.active_count)
    return by_wait


def assign_ticket(store: Store, tenant: str, ticket_id: str, now: str, enqueue: bool = True) -> dict[str, Any]:
    """Assign one ticket. Idempotent: an assigned ticket is reported, not reassigned."""
    for _attempt in range(MAX_ATTEMPTS):
        try:
            ticket = store.tickets.get(tenant, ticket_id)
        except NotFound as error:
            raise TicketNotFound(ticket_id) from error
        if ticket.assignee:
            return {"status": "assigned", "agent_id": ticket.assignee.id, "agent_name": ticket.assignee.name}
        if ticket.status in ("resolved", "closed"):
            # A rule marked it spam or ignored it: nobody needs to work it.
            if ticket.triage_state != "done":
                store.tickets.mark_triaged(tenant, ticket.id)
            return {"status": "not_assigned", "reason": ticket.status}
        team = store.directory.team(tenant, ticket.team)
        if team and team.strategy == "manual":
            # Manual teams pick their own tickets from the queue.
            if enqueue and store.tickets.enqueue(tenant, ticket, now):
                metrics.add_metric(name="TicketQueued", unit="Count", value=1)
            return {"status": "queued", "team": ticket.team}
        candidates = eligible_agents(store.directory.agents(tenant), ticket, team)
        if not candidates:
            if enqueue and store.tickets.enqueue(tenant, ticket, now):
                metrics.add_metric(name="TicketQueued", unit="Count", value=1)
            return {"status": "queued", "team": ticket.team}
        strategy: str = team.strategy if team else "round_robin"
        agent = candidates[0]
        returning = _last_agent(store, tenant, ticket)
        preferred = next((a for a in candidates if a.id == returning), None) if returning else None
        if preferred is not None:
            agent, strategy = preferred, "returning_customer"
        chosen = next((a for a in candidates if a.id == ticket.rule_agent_id), None) if ticket.rule_agent_id else None
        if chosen is not None:
            # A rule's assign_agent wins when that agent can take the ticket; otherwise the team's strategy.
            agent, strategy = chosen, "rule"
        try:
            store.tickets.claim(tenant, ticket, agent, strategy, now)
        except Conflict:
            continue  # another worker moved first (this ticket or this agent): read again
        metrics.add_metric(name="TicketAssigned", unit="Count", value=1)
        return {"status": "assigned", "agent_id": agent.id, "agent_name": agent.name}
    raise TransientStoreError("assignment kept conflicting")


def _last_agent(store: Store, tenant: str, ticket: Ticket) -> str | None:
    """The agent who last helped this customer (set when a ticket of theirs is claimed)."""
    if not ticket.customer.platform_user_id:
        return None
    try:
        profile = store.customers.profile(tenant, f"{ticket.platform}:{ticket.customer.platform_user_id}")
    except NotFound:
        return None
    agent_id = profile.get("last_agent_id")
    return str(agent_id) if agent_id else None


def assign_waiting(store: Store, tenant: str, now: str, per_team: int = 25, teams: list[str] | None = None) -> int:
    """Give queued tickets, oldest first, to agents who have become eligible (all teams, or `teams`).
    Returns how many. Called every minute, and at once when an agent comes online or frees a place."""
    assigned = 0
    for team in store.directory.teams(tenant):
        if teams is not None and team.id not in teams:
            continue
        for ticket in store.tickets.queued(tenant, team.id, limit=per_team):
            result = assign_ticket(store, tenant, ticket.id, now, enqueue=False)
            if result["status"] != "assigned":
                break  # nobody eligible in this team: the rest of its queue waits too
            assigned += 1
    return assigned
