"""SLA clocks on stored tickets: policy choice, timers by generation, stale timers restarted, moot checks."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import Author, InboundMessage, Team
from mentiondesk.sla import service
from mentiondesk.sla.calendar import ALWAYS_OPEN
from mentiondesk.store.factory import Store

from tests.conftest import ACCOUNT_ID, RecordingStarter

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


class FakeTimers:
    def __init__(self) -> None:
        self.started: list[tuple[int, str]] = []
        self.stopped: list[int] = []

    def start(self, tenant: str, ticket_id: str, generation: int, wake_at: str) -> bool:
        self.started.append((generation, wake_at))
        return True

    def stop(self, tenant: str, ticket_id: str, generation: int, wake_at: str) -> None:
        self.stopped.append(generation)


def policy(store: Store, tenant: str, policy_id: str, order: int, condition: Any, **targets: Any) -> None:
    store.sla_policies.create(
        tenant,
        policy_id,
        {
            "id": policy_id,
            "name": policy_id,
            "order": order,
            "condition": condition,
            "targets": targets,
            "tenant_id": tenant,
            "created_at": "x",
            "updated_at": "x",
            "updated_by": "u",
        },
    )


def ticket(store: Store, text: str = "質問があります") -> str:
    IngestService(store, RecordingStarter(), clock=lambda: "2026-11-23T00:00:00.000Z").apply(
        [
            InboundMessage(
                platform="x",
                account_id=ACCOUNT_ID,
                native_id="9400000000000000001",
                kind="mention",
                conversation_id="c",
                author=Author(platform_user_id="u1"),
                text=text,
                created_at="2026-11-23T00:00:00.000Z",
            )
        ]
    )
    return store.tickets.inbox("acme", None, 1, None).items[0].id


@pytest.fixture
def always_open(store: Store, tenant: str) -> None:
    store.directory.put_team(Team(tenant_id=tenant, id="support", name="Support", calendar=ALWAYS_OPEN))


def test_the_first_matching_policy_in_order_applies_unless_a_rule_chose(
    store: Store, tenant: str, always_open: None
) -> None:
    policy(store, tenant, "catch-all", 100, None, first_response_minutes=60)
    policy(
        store,
        tenant,
        "questions",
        10,
        {"field": "text", "op": "contains_any", "value": ["質問"]},
        first_response_minutes=15,
    )
    timers = FakeTimers()
    ticket_id = ticket(store)
    result = service.start(store, timers, tenant, ticket_id, T0)
    assert result["policy_id"] == "questions" and result["due_at"] == "2026-11-23T00:15:00.000Z"
    assert timers.started == [(1, "2026-11-23T00:07:30.000Z")]  # the 50% reminder
    # Starting again changes nothing (the workflow step may be retried)
    assert service.start(store, timers, tenant, ticket_id, T0 + timedelta(seconds=1))["policy_id"] == "questions"
    assert len(timers.started) == 1


def test_a_stale_timer_is_replaced_and_a_moot_one_ends(store: Store, tenant: str, always_open: None) -> None:
    policy(store, tenant, "p", 1, None, first_response_minutes=60, resolution_minutes=600)
    timers = FakeTimers()
    ticket_id = ticket(store)
    service.start(store, timers, tenant, ticket_id, T0)
    assert timers.started == [(1, "2026-11-23T00:30:00.000Z")]
    # The timer died: nothing fired, and a change an hour later finds the wake time long past
    service.refresh(store, timers, tenant, ticket_id, T0 + timedelta(hours=1))
    assert timers.started[-1][0] == 2 and timers.started[-1][1] == "2026-11-23T01:00:00.000Z"
    assert timers.stopped == [1]
    # Generation 1 waking now is moot; generation 2 fires what is due
    assert service.check(store, tenant, ticket_id, 1, T0 + timedelta(hours=1))["moot"] is True
    fired = service.check(store, tenant, ticket_id, 2, T0 + timedelta(hours=1))
    assert fired["moot"] is False
    kinds = [e.type for e in store.tickets.detail(tenant, ticket_id).events if e.type.startswith("sla_")]
    assert kinds == ["sla_reminder", "sla_reminder", "sla_breached"]


def test_a_deleted_policy_leaves_no_clocks(store: Store, tenant: str, always_open: None) -> None:
    policy(store, tenant, "p", 1, None, first_response_minutes=60)
    timers = FakeTimers()
    ticket_id = ticket(store)
    service.start(store, timers, tenant, ticket_id, T0)
    store.sla_policies.delete(tenant, "p", 1)
    result = service.refresh(store, timers, tenant, ticket_id, T0 + timedelta(minutes=1))
    assert result["status"] == "stopped" and result["due_at"] is None and timers.stopped == [1]


def test_timer_wakes_are_one_time_schedules_named_by_generation_and_wake_time(aws: None) -> None:
    import json

    import boto3
    from mentiondesk.workflow import SlaTimers, wake_of

    scheduler = boto3.client("scheduler")
    scheduler.create_schedule_group(Name="sla")
    role = "arn:aws:iam::123456789012:role/scheduler"
    target = "arn:aws:lambda:us-east-1:123456789012:function:sla-check"
    dlq = "arn:aws:sqs:us-east-1:123456789012:failed"
    timers = SlaTimers(scheduler, "sla", target, role, dlq)
    ticket_id = "01TICKET00000000000000000A"
    assert timers.start("acme", ticket_id, 1, "2099-11-23T00:07:30.250Z") is True
    # A retried start is the same schedule: not made twice
    assert timers.start("acme", ticket_id, 1, "2099-11-23T00:07:30.250Z") is False
    assert timers.start("acme", ticket_id, 1, "2099-11-23T00:09:00.000Z") is True  # a racing writer's wake
    names = sorted(s["Name"] for s in scheduler.list_schedules(GroupName="sla")["Schedules"])
    assert len(names) == 2 and all(n.startswith(f"sla-{ticket_id}-1-") and len(n) <= 64 for n in names)
    first = scheduler.get_schedule(GroupName="sla", Name=SlaTimers.name(ticket_id, 1, "2099-11-23T00:07:30.250Z"))
    # Fires once, never before the wake (rounded up to the second), as sla_check with the wake's input
    assert first["ScheduleExpression"] == "at(2099-11-23T00:07:31)" and first["ScheduleExpressionTimezone"] == "UTC"
    assert wake_of(first["ScheduleExpression"]).isoformat() == "2099-11-23T00:07:31+00:00"
    assert first["ActionAfterCompletion"] == "DELETE" and first["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert first["Target"]["Arn"] == target and first["Target"]["RoleArn"] == role
    assert first["Target"]["DeadLetterConfig"] == {"Arn": dlq}
    assert json.loads(first["Target"]["Input"]) == {
        "tenant_id": "acme",
        "ticket_id": ticket_id,
        "generation": 1,
        "wake_at": "2099-11-23T00:07:30.250Z",
    }
    timers.stop("acme", ticket_id, 1, "2099-11-23T00:07:30.250Z")
    timers.stop("acme", ticket_id, 7, "2099-11-23T00:07:30.250Z")  # never made (or fired already): fine
    assert [s["Name"] for s in scheduler.list_schedules(GroupName="sla")["Schedules"]] == [
        SlaTimers.name(ticket_id, 1, "2099-11-23T00:09:00.000Z")
    ]
    long_id = "T" * 60
    assert len(SlaTimers.name(long_id, 123456, "2099-11-23T00:07:30.000Z")) <= 64


def test_a_wake_already_due_is_set_a_few_seconds_ahead() -> None:
    # Scheduler never fires a one-time schedule whose time has passed: a refresh that finds an alert due
    # now schedules it MIN_LEAD seconds on (the check then fires it; nothing is skipped)
    from mentiondesk.clock import iso, utcnow
    from mentiondesk.workflow import SlaTimers, at_expression, wake_of

    before = utcnow()
    fired_at = wake_of(at_expression(iso(before - timedelta(minutes=3)), not_before=SlaTimers.MIN_LEAD))
    assert before + timedelta(seconds=SlaTimers.MIN_LEAD) <= fired_at <= utcnow() + timedelta(seconds=7)


def test_an_unreadable_wake_expression_is_refused() -> None:
    from mentiondesk.workflow import wake_of

    with pytest.raises(ValueError, match="one-time"):
        wake_of("rate(1 minute)")
