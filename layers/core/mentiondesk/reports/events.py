"""What each counted event adds to the report rollups (store/rollups.py): the measures of a reply that
went out, a resolution, an SLA outcome. Pure: callers put the items into the transaction of the change.

Definitions (docs/reports.md): first response = ticket created → first agent reply (public or DM)
sent, counted on the ticket's creation day; next response = the first customer message after an
agent reply → the next agent reply, counted on that customer message's day; resolution = created →
resolved (each time it is resolved), counted on the resolution day. Each in wall-clock seconds and in
business seconds on the team's calendar.
"""

from typing import Any

from mentiondesk.clock import parse_iso
from mentiondesk.models import Message, Ticket
from mentiondesk.sla.calendar import BusinessCalendar
from mentiondesk.store import rollups


def _seconds(calendar: BusinessCalendar, start: str, end: str) -> tuple[float, float]:
    a, b = parse_iso(start), parse_iso(end)
    return max(0.0, (b - a).total_seconds()), calendar.business_seconds_between(a, b)


def reply_sent(
    ticket: Ticket, messages: list[Message], reply_at: str, agent: str, calendar: BusinessCalendar
) -> list[dict[str, Any]]:
    """The rollup items of an agent's reply that reached the customer (before it is in `messages`)."""
    dims = rollups.ticket_dims(ticket, agent=agent)
    measured: list[rollups.Contribution] = [(rollups.report_day(reply_at), dims, {"replies": 1})]
    earlier_replies = [m for m in messages if m.direction == "outbound" and m.received_at <= reply_at]
    if not earlier_replies:
        wall, business = _seconds(calendar, ticket.created_at, reply_at)
        counters = {**rollups.duration("frt", wall), **rollups.duration("frt_bh", business), "first_replies": 1}
        if ticket.kind in rollups.PUBLIC_KINDS:
            counters["mentions_answered"] = 1
        measured.append((rollups.report_day(ticket.created_at), dims, counters))
        return rollups.merged(ticket.tenant_id, ticket.id, measured)
    last_reply = max(m.received_at for m in earlier_replies)
    waiting = sorted(
        m.received_at
        for m in messages
        if m.direction == "inbound"
        and m.deleted_at is None
        and m.received_at > last_reply
        and m.received_at <= reply_at
    )
    if waiting:
        wall, business = _seconds(calendar, waiting[0], reply_at)
        counters = {**rollups.duration("nrt", wall), **rollups.duration("nrt_bh", business)}
        measured.append((rollups.report_day(waiting[0]), dims, counters))
    return rollups.merged(ticket.tenant_id, ticket.id, measured)


def resolved(ticket: Ticket, at: str, calendar: BusinessCalendar) -> list[dict[str, Any]]:
    """The rollup items of a ticket resolved (or closed straight from open) at `at`."""
    wall, business = _seconds(calendar, ticket.created_at, at)
    agent = ticket.assignee.id if ticket.assignee else None
    counters = {**rollups.duration("res", wall), **rollups.duration("res_bh", business), "resolved": 1}
    return rollups.updates(
        ticket.tenant_id, ticket.id, rollups.report_day(at), rollups.ticket_dims(ticket, agent=agent), counters
    )


def _clock_field(clock: Any, name: str) -> Any:
    return clock.get(name) if isinstance(clock, dict) else getattr(clock, name, None)


def sla_outcomes(ticket: Ticket, before: list[Any], after: list[Any], policy_id: str | None) -> list[dict[str, Any]]:
    """The rollup items of SLA clocks that got their outcome (met or missed) in this change."""
    had = {(_clock_field(c, "metric"), _clock_field(c, "started_at")) for c in before if _clock_field(c, "outcome")}
    counters: dict[str, float] = {}
    for clock in after:
        outcome, metric = _clock_field(clock, "outcome"), _clock_field(clock, "metric")
        if outcome in ("met", "missed") and (metric, _clock_field(clock, "started_at")) not in had:
            key = f"sla_{outcome}_{metric}"
            counters[key] = counters.get(key, 0) + 1
    if not counters:
        return []
    agent = ticket.assignee.id if ticket.assignee else None
    dims = rollups.ticket_dims(ticket, agent=agent, policy=policy_id)
    return rollups.updates(ticket.tenant_id, ticket.id, rollups.report_day(ticket.created_at), dims, counters)
