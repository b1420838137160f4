"""SLA clocks, computed from a ticket's timeline (DESIGN.md, "Semantics that must be exact").

The state of every clock is a pure function of the timeline, the policy's targets, the team's
calendar and the current time, so it can be recomputed at any moment (a message arrives, the status
changes, a timer wakes up) and always agrees with itself:

- first response: ticket created → the first agent reply (public or DM);
- next response: each customer message that arrives after an agent reply → the next agent reply;
  every such message left unanswered past the target is its own miss;
- resolution: created → resolved, paused while the ticket waits on the customer (pending); a
  reopened ticket's clock runs again from where it stopped.

Resolving or closing a ticket also ends the response clocks still waiting (nobody owes a reply to
spam or to a ticket solved elsewhere); they count as stopped, not met, and a breach before that stays.

All durations are business time on the calendar. Reminders fire at fractions of a target (default
50% and 80%); escalation levels fire at the breach and at offsets after it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mentiondesk.sla.calendar import BusinessCalendar

Metric = Literal["first_response", "next_response", "resolution"]


class SlaTargets(BaseModel):
    """A policy's targets in business minutes (None: no target for that metric) and its alerts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    first_response_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 365)
    next_response_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 365)
    resolution_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 365)
    reminders: tuple[float, ...] = (0.5, 0.8)
    escalation_minutes: tuple[int, ...] = (0,)  # business minutes after the breach: level 1, 2, ...

    @field_validator("reminders")
    @classmethod
    def _fractions(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0 < f < 1 for f in value):
            raise ValueError("reminders are fractions of the target, between 0 and 1")
        return tuple(sorted(set(value)))

    @field_validator("escalation_minutes")
    @classmethod
    def _offsets(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(m < 0 for m in value):
            raise ValueError("escalation offsets are minutes after the breach, 0 or more")
        return tuple(sorted(set(value)))


@dataclass(frozen=True)
class Entry:
    """One line of a ticket's timeline."""

    at: datetime
    kind: Literal["customer", "reply", "status"]
    status: str | None = None  # for kind "status": open, pending, resolved, closed


@dataclass(frozen=True)
class Alert:
    """A reminder or an escalation that is due at `at` (fire once; `key` identifies it)."""

    key: str
    metric: Metric
    kind: Literal["reminder", "breach", "escalation"]
    at: datetime
    level: int = 0


@dataclass
class Clock:
    metric: Metric
    started_at: datetime
    due_at: datetime | None  # None while paused or stopped
    stopped_at: datetime | None = None
    paused: bool = False
    breached: bool = False
    breached_at: datetime | None = None
    elapsed_seconds: float = 0.0
    alerts: list[Alert] = field(default_factory=list)
    anchor: str = ""  # what the clock is for: "ticket", or the customer message's time for next response
    ended_by: Literal["reply", "status"] | None = None  # what stopped it: an agent's reply, or resolve/close

    @property
    def outcome(self) -> Literal["met", "missed", "closed"] | None:
        """missed once breached; met when answered (or, for resolution, resolved) in time; closed when
        the ticket was resolved or closed before anyone replied; None while it runs or is paused."""
        if self.breached:
            return "missed"
        if self.stopped_at is None:
            return None
        if self.metric != "resolution" and self.ended_by == "status":
            return "closed"
        return "met"


@dataclass
class SlaState:
    clocks: list[Clock]

    @property
    def misses(self) -> list[Clock]:
        return [c for c in self.clocks if c.breached]

    def pending_alerts(self, now: datetime, fired: frozenset[str] = frozenset()) -> list[Alert]:
        """Alerts due by `now` that have not fired yet, oldest first."""
        due = [a for c in self.clocks for a in c.alerts if a.at <= now and a.key not in fired]
        return sorted(due, key=lambda a: a.at)

    def next_alert_at(self, now: datetime, fired: frozenset[str] = frozenset()) -> datetime | None:
        """When a timer must wake next (None: every clock is stopped, paused or past its last alert)."""
        future = [a.at for c in self.clocks for a in c.alerts if a.at > now and a.key not in fired]
        return min(future) if future else None

    def earliest_due(self) -> datetime | None:
        """The nearest due time of a running clock (the inbox sorts by it; the queue is ordered by it)."""
        due = [c.due_at for c in self.clocks if c.due_at is not None and c.stopped_at is None]
        return min(due) if due else None


def evaluate(
    timeline: Sequence[Entry], created_at: datetime, targets: SlaTargets, calendar: BusinessCalendar, now: datetime
) -> SlaState:
    """Every clock of the ticket as of `now` (the timeline may hold entries after `now`: ignored)."""
    entries = sorted((e for e in timeline if e.at <= now), key=lambda e: e.at)
    # The clocks start in the state the ticket is in at the start (a rule may have closed it already).
    before = [e for e in entries if e.kind == "status" and e.at < created_at]
    if before:
        entries = [Entry(created_at, "status", before[-1].status)] + [
            e for e in entries if not (e.kind == "status" and e.at < created_at)
        ]
        entries.sort(key=lambda e: e.at)
    clocks: list[Clock] = []
    if targets.first_response_minutes:
        clocks.append(_first_response(entries, created_at, targets, calendar, now))
    if targets.next_response_minutes:
        clocks.extend(_next_responses(entries, targets, calendar, now))
    if targets.resolution_minutes:
        clocks.append(_resolution(entries, created_at, targets, calendar, now))
    return SlaState(clocks)


def _response_clock(
    metric: Metric,
    start: datetime,
    answered: datetime | None,
    minutes: int,
    targets: SlaTargets,
    calendar: BusinessCalendar,
    now: datetime,
    anchor: str,
    ended_by: Literal["reply", "status"] | None = None,
) -> Clock:
    seconds = minutes * 60.0
    due = calendar.add_business_time(start, seconds)
    end = answered or now
    clock = Clock(
        metric=metric,
        started_at=start,
        due_at=None if answered else due,
        stopped_at=answered,
        elapsed_seconds=calendar.business_seconds_between(start, end),
        anchor=anchor,
        ended_by=ended_by if answered else None,
    )
    if end > due:
        clock.breached, clock.breached_at = True, due
    if answered is None:
        clock.alerts = _alerts(metric, anchor, start, seconds, 0.0, targets, calendar)
    return clock


def _first_response(
    entries: list[Entry], created_at: datetime, targets: SlaTargets, calendar: BusinessCalendar, now: datetime
) -> Clock:
    # Resolving or closing the ticket before any reply ends the wait too (spam, a duplicate, solved elsewhere).
    end = next((e for e in entries if _ends_wait(e) and e.at >= created_at), None)
    minutes = targets.first_response_minutes or 0
    return _response_clock(
        "first_response", created_at, end.at if end else None, minutes, targets, calendar, now, "ticket", _by(end)
    )


def _by(entry: Entry | None) -> Literal["reply", "status"] | None:
    if entry is None:
        return None
    return "reply" if entry.kind == "reply" else "status"


def _ends_wait(entry: Entry) -> bool:
    return entry.kind == "reply" or (entry.kind == "status" and entry.status in ("resolved", "closed"))


def _next_responses(
    entries: list[Entry], targets: SlaTargets, calendar: BusinessCalendar, now: datetime
) -> list[Clock]:
    """A clock for each customer message that came after an agent reply, until the next reply."""
    clocks: list[Clock] = []
    replied = False
    waiting: list[Entry] = []
    minutes = targets.next_response_minutes or 0
    for entry in entries:
        if _ends_wait(entry):
            for message in waiting:
                anchor = message.at.isoformat()
                clocks.append(
                    _response_clock(
                        "next_response", message.at, entry.at, minutes, targets, calendar, now, anchor, _by(entry)
                    )
                )
            waiting = []
            replied = replied or entry.kind == "reply"
        elif entry.kind == "customer" and replied:
            waiting.append(entry)
    for message in waiting:
        anchor = message.at.isoformat()
        clocks.append(_response_clock("next_response", message.at, None, minutes, targets, calendar, now, anchor))
    return clocks


def _resolution(
    entries: list[Entry], created_at: datetime, targets: SlaTargets, calendar: BusinessCalendar, now: datetime
) -> Clock:
    """Runs while open, pauses while pending, stops at resolved/closed, runs again when reopened."""
    seconds = (targets.resolution_minutes or 0) * 60.0
    elapsed = 0.0
    running_since: datetime | None = created_at
    stopped_at: datetime | None = None
    paused = False
    breached_at: datetime | None = None

    def account(until: datetime) -> None:
        nonlocal elapsed, breached_at
        if running_since is None:
            return
        span = calendar.business_seconds_between(running_since, until)
        if breached_at is None and elapsed + span > seconds:
            breached_at = calendar.add_business_time(running_since, seconds - elapsed)
        elapsed += span

    for entry in entries:
        if entry.kind != "status" or entry.at < created_at:
            continue
        if entry.status in ("resolved", "closed"):
            account(entry.at)
            running_since, stopped_at, paused = None, entry.at, False
        elif entry.status == "pending":
            account(entry.at)
            running_since, paused = None, True
            stopped_at = None
        elif entry.status == "open" and running_since is None:
            running_since, stopped_at, paused = entry.at, None, False
    before_run = elapsed  # business time used before the current run (if the clock runs now)
    if running_since is not None:
        account(now)
    remaining = max(0.0, seconds - before_run)
    due = calendar.add_business_time(running_since, remaining) if running_since is not None else None
    clock = Clock(
        metric="resolution",
        started_at=created_at,
        due_at=due,
        stopped_at=stopped_at,
        paused=paused,
        breached=breached_at is not None,
        breached_at=breached_at,
        elapsed_seconds=elapsed,
        anchor="ticket",
        ended_by="status" if stopped_at is not None else None,
    )
    if running_since is not None:
        # Alerts are placed on the current run: what is left of each threshold from the time it resumed.
        clock.alerts = _alerts("resolution", "ticket", running_since, seconds, before_run, targets, calendar)
    return clock


def _alerts(
    metric: Metric,
    anchor: str,
    resumed_at: datetime,
    target_seconds: float,
    elapsed_before: float,
    targets: SlaTargets,
    calendar: BusinessCalendar,
) -> list[Alert]:
    alerts: list[Alert] = []
    for fraction in targets.reminders:
        threshold = target_seconds * fraction
        if threshold > elapsed_before:
            at = calendar.add_business_time(resumed_at, threshold - elapsed_before)
            alerts.append(Alert(f"{metric}:{anchor}:reminder:{fraction:g}", metric, "reminder", at))
    for level, offset in enumerate(targets.escalation_minutes, start=1):
        threshold = target_seconds + offset * 60.0
        at = (
            calendar.add_business_time(resumed_at, threshold - elapsed_before)
            if threshold > elapsed_before
            else resumed_at
        )
        kind: Literal["breach", "escalation"] = "breach" if offset == 0 else "escalation"
        alerts.append(Alert(f"{metric}:{anchor}:level:{level}", metric, kind, at, level))
    return alerts
