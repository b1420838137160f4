"""SLA clocks of stored tickets: start them after the rules, re-evaluate after every change, and
fire reminders and escalations from the timer (DESIGN.md, "Semantics that must be exact").

A ticket's clocks are recomputed from its timeline (customer messages, agent replies, status changes)
whenever something changes; the result is stored on the ticket (the running clocks, the nearest due
time for the inbox and the team queue, and when the timer must wake next). The timer is a Step
Functions execution per ticket and *generation*: it waits until the wake time, then `check` fires
what is due and answers the next wake time. When a change moves the wake time, a new generation
starts and the old execution is stopped; an old execution that still wakes finds its generation
stale and ends. Nothing polls.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from mentiondesk.clock import iso, parse_iso
from mentiondesk.costs.metering import record_cost
from mentiondesk.errors import NotFound, TransientStoreError
from mentiondesk.models import Agent, Message, Ticket, TicketEvent
from mentiondesk.observability import logger, metrics
from mentiondesk.reports import events
from mentiondesk.rules.facts import ticket_facts
from mentiondesk.sla.calendar import DEFAULT_CALENDAR, BusinessCalendar
from mentiondesk.sla.clocks import Alert, Clock, Entry, SlaState, evaluate
from mentiondesk.sla.policy import SlaPolicy, select_policy
from mentiondesk.store.factory import Store
from mentiondesk.store.notifications import notification_item
from mentiondesk.store.tickets import TicketDetail

MAX_ATTEMPTS = 5
MAX_STORED_CLOCKS = 20
STALE_TIMER = timedelta(minutes=5)
_EVENT_TYPES = {"reminder": "sla_reminder", "breach": "sla_breached", "escalation": "sla_escalated"}


class Timers(Protocol):
    def start(self, tenant: str, ticket_id: str, generation: int, wake_at: str) -> bool: ...

    def stop(self, tenant: str, ticket_id: str, generation: int, wake_at: str) -> None: ...


AlertHook = Callable[[Ticket, Alert], None]
"""Called once per fired alert (the rules' sla_warning / sla_breached triggers)."""


def timeline(detail: TicketDetail) -> list[Entry]:
    """The ticket's life as the clocks see it.

    A customer message on a pending or resolved ticket reopens it (the store does the same), so it is
    also a status change to open. A customer message deleted by its author asks nothing.
    """
    raw: list[tuple[datetime, int, Entry]] = []
    for message in detail.messages:
        at = parse_iso(message.received_at)
        if message.direction == "outbound":
            raw.append((at, 1, Entry(at, "reply")))
        elif message.deleted_at is None:
            raw.append((at, 1, Entry(at, "customer")))
    for event in detail.events:
        if event.type == "status_changed" and isinstance(event.detail.get("to"), str):
            at = parse_iso(event.at)
            raw.append((at, 0, Entry(at, "status", str(event.detail["to"]))))
    entries: list[Entry] = []
    status = "open"
    for _at, _order, entry in sorted(raw, key=lambda r: (r[0], r[1])):
        if entry.kind == "status":
            status = entry.status or status
        elif entry.kind == "customer" and status in ("pending", "resolved"):
            entries.append(Entry(entry.at, "status", "open"))
            status = "open"
        entries.append(entry)
    return entries


def calendar_for(store: Store, tenant: str, team_id: str) -> BusinessCalendar:
    team = store.directory.team(tenant, team_id)
    return team.calendar if team is not None and team.calendar is not None else DEFAULT_CALENDAR


def policies(store: Store, tenant: str) -> list[SlaPolicy]:
    return [SlaPolicy.model_validate(doc) for doc in store.sla_policies.list(tenant)]


def _policy(store: Store, tenant: str, policy_id: str | None) -> SlaPolicy | None:
    if not policy_id:
        return None
    try:
        return SlaPolicy.model_validate(store.sla_policies.get(tenant, policy_id, consistent=False))
    except NotFound:
        return None  # deleted since it was chosen: the ticket has no targets any more


def customer_tags(store: Store, ticket: Ticket) -> list[str]:
    if not ticket.customer.platform_user_id:
        return []
    try:
        profile = store.customers.profile(ticket.tenant_id, f"{ticket.platform}:{ticket.customer.platform_user_id}")
    except NotFound:
        return []
    tags = profile.get("tags") or []
    return [str(t) for t in tags]


def _first_inbound(detail: TicketDetail) -> Message | None:
    return next((m for m in detail.messages if m.direction == "inbound"), None)


@dataclass(frozen=True)
class Evaluated:
    state: SlaState
    clocks: list[dict[str, Any]]
    due_at: str | None
    wake_at: str | None


def _clock_view(clock: Clock) -> dict[str, Any]:
    return {
        "metric": clock.metric,
        "started_at": iso(clock.started_at),
        "due_at": iso(clock.due_at) if clock.due_at else None,
        "stopped_at": iso(clock.stopped_at) if clock.stopped_at else None,
        "paused": clock.paused,
        "breached": clock.breached,
        "breached_at": iso(clock.breached_at) if clock.breached_at else None,
        "outcome": clock.outcome,
    }


def _evaluate(
    detail: TicketDetail, policy: SlaPolicy | None, calendar: BusinessCalendar, started_at: str, now: datetime
) -> Evaluated:
    if policy is None:
        return Evaluated(SlaState([]), [], None, None)
    state = evaluate(timeline(detail), parse_iso(started_at), policy.targets, calendar, now)
    fired = frozenset(detail.ticket.sla_fired)
    # Alerts already due (a clock resumed late, a check that failed) fire at once.
    wake = now if state.pending_alerts(now, fired) else state.next_alert_at(now, fired)
    due = state.earliest_due()
    clocks = [_clock_view(c) for c in state.clocks][-MAX_STORED_CLOCKS:]
    return Evaluated(state, clocks, iso(due) if due else None, iso(wake) if wake else None)


def start(
    store: Store, timers: Timers, tenant: str, ticket_id: str, now: datetime, forced_policy: str | None = None
) -> dict[str, Any]:
    """The workflow's "Start SLA Clocks" step: choose the policy (after the rules ran) and start the clocks.

    Idempotent: a ticket whose clocks started keeps its policy and start time.
    """
    return _save(store, timers, tenant, ticket_id, now, choose=True, forced_policy=forced_policy)


def refresh(store: Store, timers: Timers, tenant: str, ticket_id: str, now: datetime) -> dict[str, Any]:
    """Re-evaluate after a change (a reply was sent, the status changed, the customer wrote again).

    A ticket whose clocks have not started yet is left to its workflow.
    """
    return _save(store, timers, tenant, ticket_id, now, choose=False)


def _save(
    store: Store,
    timers: Timers,
    tenant: str,
    ticket_id: str,
    now: datetime,
    *,
    choose: bool,
    forced_policy: str | None = None,
) -> dict[str, Any]:
    for _attempt in range(MAX_ATTEMPTS):
        detail = store.tickets.task_detail(tenant, ticket_id)
        ticket = detail.ticket
        calendar = calendar_for(store, tenant, ticket.team)
        if ticket.sla_started_at:
            started_at, policy = ticket.sla_started_at, _policy(store, tenant, ticket.sla_policy_id)
        elif choose:
            started_at = iso(now)
            first = _first_inbound(detail)
            at = parse_iso(first.received_at) if first else now
            facts = ticket_facts(ticket, first, customer_tags(store, ticket), calendar, at)
            # A rule's set_sla_policy (stored on the ticket before the clocks start) wins.
            policy = select_policy(policies(store, tenant), facts, forced_policy or ticket.sla_policy_id)
        else:
            return {"status": "not_started"}
        result = _evaluate(detail, policy, calendar, started_at, now)
        generation = ticket.sla_generation
        # A wake time long past means its timer died (it failed, or was lost): start another.
        stale = ticket.sla_wake_at is not None and ticket.sla_wake_at < iso(now - STALE_TIMER)
        moved = result.wake_at != ticket.sla_wake_at or stale
        new_generation = generation + 1 if moved else generation
        if moved and result.wake_at:
            # Start first, store second: a crash in between leaves a timer whose generation is not
            # current yet; the retry starts the same execution name (a no-op) and stores it.
            timers.start(tenant, ticket_id, new_generation, result.wake_at)
        sla = {
            "policy_id": policy.id if policy else None,
            "started_at": started_at,
            "clocks": result.clocks,
            "due_at": result.due_at,
            "wake_at": result.wake_at,
            "generation": new_generation,
        }
        counted = events.sla_outcomes(ticket, ticket.sla_clocks, result.clocks, policy.id if policy else None)
        if not store.tickets.set_sla(tenant, ticket_id, generation, sla, counted):
            continue  # someone else moved the clocks on; read again
        if moved and generation and ticket.sla_wake_at:
            timers.stop(tenant, ticket_id, generation, ticket.sla_wake_at)
        return {"status": "running" if result.due_at else "stopped", **sla}
    raise TransientStoreError("SLA state kept changing under us")


def check(
    store: Store,
    tenant: str,
    ticket_id: str,
    generation: int,
    now: datetime,
    on_alert: AlertHook | None = None,
    timers: Timers | None = None,
) -> dict[str, Any]:
    """One wake of the timer: fire the alerts that are due, set the next wake (with `timers`), store
    the clocks, answer the next wake time.

    ``{"wake_at": None}`` ends the timer: every clock stopped, paused or past its last alert, or this
    wake's generation is no longer current (another took over).
    """
    record_cost("aws.scheduler.invocation", 1, "invocation", ticket_id, tenant=tenant)  # the wake that ran us
    for _attempt in range(MAX_ATTEMPTS):
        detail = store.tickets.task_detail(tenant, ticket_id)
        ticket = detail.ticket
        if ticket.sla_generation != generation or not ticket.sla_started_at:
            return {"wake_at": None, "moot": True, "fired": 0}
        policy = _policy(store, tenant, ticket.sla_policy_id)
        calendar = calendar_for(store, tenant, ticket.team)
        result = _evaluate(detail, policy, calendar, ticket.sla_started_at, now)
        fired = 0
        recipients: list[Agent] | None = None
        for alert in result.state.pending_alerts(now, frozenset(ticket.sla_fired)):
            if recipients is None:
                recipients = store.directory.agents(tenant)
            if _fire(store, ticket, alert, now, recipients):
                fired += 1
                metrics.add_metric(name=f"Sla{alert.kind.capitalize()}", unit="Count", value=1)
                if on_alert is not None:
                    on_alert(ticket, alert)
        if fired:
            continue  # re-read: sla_fired changed, so the next wake does too
        # Never a wake at or before this one (a clock a little behind the scheduler's): one second on.
        wake_at = max(result.wake_at, iso(now + timedelta(seconds=1))) if result.wake_at else None
        if wake_at and timers is not None:
            # Schedule first, store second: a crash in between leaves an extra wake of this generation,
            # which fires, finds nothing due and sets the next one; never a timer that is lost.
            timers.start(tenant, ticket_id, generation, wake_at)
        sla = {
            "policy_id": ticket.sla_policy_id,
            "started_at": ticket.sla_started_at,
            "clocks": result.clocks,
            "due_at": result.due_at,
            "wake_at": wake_at,
            "generation": generation,
        }
        counted = events.sla_outcomes(ticket, ticket.sla_clocks, result.clocks, ticket.sla_policy_id)
        if not store.tickets.set_sla(tenant, ticket_id, generation, sla, counted):
            continue
        return {"wake_at": wake_at, "moot": False, "fired": fired}
    raise TransientStoreError("SLA state kept changing under us")


def _fire(store: Store, ticket: Ticket, alert: Alert, now: datetime, agents: list[Agent]) -> bool:
    detail: dict[str, object] = {"metric": alert.metric, "level": alert.level, "due": iso(alert.at)}
    event = TicketEvent(type=_EVENT_TYPES[alert.kind], at=iso(now), detail=detail)
    people = _recipients(ticket, alert, agents)
    notes = [
        notification_item(
            ticket.tenant_id, person, event.type, ticket.id, iso(now), metric=alert.metric, level=alert.level
        )
        for person in people
    ]
    stored = store.tickets.fire_sla_alert(ticket.tenant_id, ticket.id, alert.key, event, notes)
    if stored:
        logger.info("SLA alert", extra={"kind": alert.kind, "metric": alert.metric, "level": alert.level})
    return stored


def _recipients(ticket: Ticket, alert: Alert, agents: list[Agent]) -> list[str]:
    """The assignee; the team's supervisors too at and after a breach, or when nobody owns the ticket."""
    people: list[str] = []
    if ticket.assignee:
        people.append(ticket.assignee.id)
    if alert.kind != "reminder" or not ticket.assignee:
        people += [a.id for a in agents if a.role == "supervisor" and a.team == ticket.team and a.id not in people]
    return people
