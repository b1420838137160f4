"""SLA clocks on a Tokyo business calendar: business hours, a weekend and a holiday, pauses, misses."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from mentiondesk.sla.calendar import BusinessCalendar
from mentiondesk.sla.clocks import Entry, SlaTargets, evaluate

pytestmark = pytest.mark.unit
JST = ZoneInfo("Asia/Tokyo")
WEEKDAYS = {d: [{"start": "09:00", "end": "18:00"}] for d in range(5)}
CALENDAR = BusinessCalendar(timezone="Asia/Tokyo", hours=WEEKDAYS)


def jst(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in November 2026 in Tokyo (2026-11-23, a Monday, is 勤労感謝の日)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=JST)


def test_first_response_met_with_reminders_at_half_and_eighty_percent() -> None:
    targets = SlaTargets(first_response_minutes=60)
    created = jst(24, 10)
    state = evaluate([Entry(jst(24, 10, 30), "reply")], created, targets, CALENDAR, jst(24, 12))
    (clock,) = state.clocks
    assert clock.stopped_at == jst(24, 10, 30) and not clock.breached and clock.elapsed_seconds == 1800
    # Before the reply, the reminders and the breach were scheduled at 10:30, 10:48 and 11:00
    waiting = evaluate([], created, targets, CALENDAR, jst(24, 10, 1)).clocks[0]
    assert [(a.kind, a.at) for a in waiting.alerts] == [
        ("reminder", jst(24, 10, 30)),
        ("reminder", jst(24, 10, 48)),
        ("breach", jst(24, 11)),
    ]


def test_a_ticket_created_on_friday_evening_is_due_after_the_weekend_and_the_holiday() -> None:
    # Friday 2026-11-20 17:30: 30 minutes that day, then Saturday, Sunday and Monday 11-23 (a holiday)
    state = evaluate([], jst(20, 17, 30), SlaTargets(first_response_minutes=60), CALENDAR, jst(20, 17, 31))
    assert state.clocks[0].due_at == jst(24, 9, 30)
    assert state.earliest_due() == jst(24, 9, 30)


def test_an_unanswered_ticket_breaches_then_escalates() -> None:
    targets = SlaTargets(first_response_minutes=60, escalation_minutes=(0, 120))
    now = jst(24, 14)
    state = evaluate([], jst(24, 10), targets, CALENDAR, now)
    clock = state.clocks[0]
    assert clock.breached and clock.breached_at == jst(24, 11) and clock.due_at == jst(24, 11)
    due = state.pending_alerts(now)
    assert [(a.kind, a.level, a.at) for a in due] == [
        ("reminder", 0, jst(24, 10, 30)),
        ("reminder", 0, jst(24, 10, 48)),
        ("breach", 1, jst(24, 11)),
        ("escalation", 2, jst(24, 13)),
    ]
    # Once fired, nothing is due again; nothing is left to wake up for
    fired = frozenset(a.key for a in due)
    assert state.pending_alerts(now, fired) == [] and state.next_alert_at(now, fired) is None


def test_every_unanswered_customer_message_after_a_reply_is_its_own_miss() -> None:
    targets = SlaTargets(next_response_minutes=30)
    timeline = [
        Entry(jst(24, 10, 5), "reply"),
        Entry(jst(24, 11, 0), "customer"),  # due 11:30
        Entry(jst(24, 11, 20), "customer"),  # due 11:50
        Entry(jst(24, 11, 40), "reply"),  # late for the first, in time for the second
        Entry(jst(24, 13, 0), "customer"),  # due 13:30, still unanswered at 14:00
    ]
    state = evaluate(timeline, jst(24, 10), targets, CALENDAR, jst(24, 14))
    clocks = [(c.started_at, c.breached, c.stopped_at) for c in state.clocks]
    assert clocks == [
        (jst(24, 11), True, jst(24, 11, 40)),
        (jst(24, 11, 20), False, jst(24, 11, 40)),
        (jst(24, 13), True, None),
    ]
    assert len(state.misses) == 2
    # The customer's first message (the ticket itself) starts no next-response clock
    assert evaluate([Entry(jst(24, 10), "customer")], jst(24, 10), targets, CALENDAR, jst(24, 12)).clocks == []


def test_resolution_pauses_while_waiting_on_the_customer() -> None:
    targets = SlaTargets(resolution_minutes=120, reminders=(0.5,))
    timeline = [
        Entry(jst(24, 10, 30), "status", "pending"),  # 30 minutes used
        Entry(jst(25, 10, 0), "status", "open"),  # the customer wrote back the next day
    ]
    state = evaluate(timeline, jst(24, 10), targets, CALENDAR, jst(25, 11))
    clock = state.clocks[0]
    assert clock.elapsed_seconds == 90 * 60 and not clock.breached and not clock.paused
    assert clock.due_at == jst(25, 11, 30)
    # The 50% reminder (60 minutes) fell in the current run at 10:30 on the 25th
    assert [(a.kind, a.at) for a in clock.alerts][:1] == [("reminder", jst(25, 10, 30))]
    # While pending, nothing is due and nothing wakes up
    paused = evaluate(timeline[:1], jst(24, 10), targets, CALENDAR, jst(24, 17)).clocks[0]
    assert paused.paused and paused.due_at is None and paused.alerts == []
    # Resolved in time: stopped and met
    done = evaluate(
        [*timeline, Entry(jst(25, 11, 20), "status", "resolved")], jst(24, 10), targets, CALENDAR, jst(26, 9)
    )
    assert done.clocks[0].stopped_at == jst(25, 11, 20) and not done.clocks[0].breached


def test_a_reopened_ticket_runs_on_from_where_it_stopped_and_can_breach() -> None:
    targets = SlaTargets(resolution_minutes=60)
    timeline = [
        Entry(jst(24, 10, 40), "status", "resolved"),  # 40 minutes used
        Entry(jst(24, 15, 0), "status", "open"),  # reopened: 20 minutes left
    ]
    state = evaluate(timeline, jst(24, 10), targets, CALENDAR, jst(24, 16))
    clock = state.clocks[0]
    assert clock.breached and clock.breached_at == jst(24, 15, 20)


def test_times_outside_business_hours_do_not_count() -> None:
    # Created at 17:50, answered at 09:05 the next business day: 15 business minutes
    state = evaluate(
        [Entry(jst(24, 9, 5) + timedelta(days=1), "reply")],
        jst(24, 17, 50),
        SlaTargets(first_response_minutes=20),
        CALENDAR,
        jst(26, 12),
    )
    assert state.clocks[0].elapsed_seconds == 15 * 60 and not state.clocks[0].breached


@pytest.mark.parametrize("bad", [{"reminders": (1.5,)}, {"escalation_minutes": (-5,)}, {"first_response_minutes": 0}])
def test_bad_targets_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="validation error"):
        SlaTargets(**bad)  # type: ignore[arg-type]


def test_outcomes_tell_met_from_missed_from_closed_without_a_reply() -> None:
    from datetime import UTC, datetime, timedelta

    from mentiondesk.sla.calendar import ALWAYS_OPEN
    from mentiondesk.sla.clocks import Entry, SlaTargets, evaluate

    start = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    targets = SlaTargets(first_response_minutes=30, resolution_minutes=60)
    replied = [
        Entry(start + timedelta(minutes=10), "reply"),
        Entry(start + timedelta(minutes=20), "status", "resolved"),
    ]
    state = evaluate(replied, start, targets, ALWAYS_OPEN, start + timedelta(hours=2))
    assert [c.outcome for c in state.clocks] == ["met", "met"]
    closed = [Entry(start + timedelta(minutes=5), "status", "closed")]
    state = evaluate(closed, start, targets, ALWAYS_OPEN, start + timedelta(hours=2))
    assert [c.outcome for c in state.clocks] == ["closed", "met"]
    late = [Entry(start + timedelta(minutes=45), "reply")]
    state = evaluate(late, start, targets, ALWAYS_OPEN, start + timedelta(minutes=50))
    assert [c.outcome for c in state.clocks] == ["missed", None]
    state = evaluate([], start, targets, ALWAYS_OPEN, start + timedelta(minutes=61))
    assert [c.outcome for c in state.clocks] == ["missed", "missed"]
