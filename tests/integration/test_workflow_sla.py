"""SLA clocks through the real ticket workflow on moto's executor and the SLA timers' one-time
schedules, with time scaled to zero.

The stack runs on virtual time: the local scheduler fires a wake as soon as the test moves the clock
to it, so a weekend, a Japanese national holiday and hours of business time pass in milliseconds
while every alert fires at exactly the instant it would in production.
"""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from mentiondesk import clock
from mentiondesk.clock import iso
from mentiondesk.config import SlaSettings
from mentiondesk.local import demo
from mentiondesk.local.stack import LocalStack
from mentiondesk.models import Author, Message
from mentiondesk.sla import service as sla
from mentiondesk.workflow import SlaTimers

from tests.integration.test_local_stack import get, post_tweet, token, wait_for

pytestmark = pytest.mark.integration

LEAD = "lead@demo.local"
WEEKDAYS_9_TO_6 = {
    "timezone": "Asia/Tokyo",
    "hours": {str(d): [{"start": "09:00", "end": "18:00"}] for d in range(5)},
    "japanese_holidays": True,
}
AROUND_THE_CLOCK = {
    "timezone": "Asia/Tokyo",
    "hours": {str(d): [{"start": "00:00", "end": "24:00"}] for d in range(7)},
    "japanese_holidays": False,
}


@pytest.fixture(scope="module")
def vstack() -> Iterator[LocalStack]:
    with LocalStack(port=0, demo=True, simulate=False, time_scale=60, virtual_time=True) as running:
        # Only the tickets a test posts: the demo's keyword monitor would add its own.
        for monitor in running.store.monitors.for_tenant(demo.TENANT):
            running.store.monitors.update_settings(demo.TENANT, monitor.id, monitor.version, {"status": "paused"})
        for rule in running.store.rules.list(demo.TENANT):
            running.store.rules.delete(demo.TENANT, rule["id"], rule["version"])
        yield running


def call(stack: LocalStack, method: str, path: str, body: Any = None, email: str = LEAD) -> requests.Response:
    return requests.request(
        method,
        f"{stack.url}{path}",
        json=body,
        timeout=5,
        headers={"authorization": f"Bearer {token(stack, email)}"},
    )


@pytest.fixture
def team_calendar(vstack: LocalStack) -> Iterator[Any]:
    def put(calendar: dict[str, Any]) -> None:
        team = next(t for t in call(vstack, "GET", "/api/teams").json()["items"] if t["id"] == "support")
        response = call(
            vstack, "PUT", "/api/teams/support/calendar", {"version": team["version"], "calendar": calendar}
        )
        assert response.status_code == 200, response.text

    yield put
    put(json.loads(demo.DEMO_CALENDAR.model_dump_json()))


@pytest.fixture
def policy(vstack: LocalStack) -> Iterator[Any]:
    made: list[str] = []

    def create(policy_id: str, targets: dict[str, Any]) -> None:
        body = {"id": policy_id, "name": f"test {policy_id}", "order": 1, "targets": targets}
        response = call(vstack, "POST", "/api/sla-policies", body)
        assert response.status_code == 201, response.text
        made.append(policy_id)

    yield create
    for policy_id in made:
        version = call(vstack, "GET", f"/api/sla-policies/{policy_id}").json()["version"]
        call(vstack, "DELETE", f"/api/sla-policies/{policy_id}?version={version}")


def ticket(stack: LocalStack, ticket_id: str) -> dict[str, Any]:
    return dict(get(stack, f"/api/tickets/{ticket_id}").json())


def triaged(stack: LocalStack, subject: str) -> dict[str, Any]:
    found = wait_for(
        lambda: [
            t
            for t in get(stack, "/api/tickets", status="all").json()["items"]
            if t["subject"] == subject and t["triage_state"] == "done" and t["sla_clocks"]
        ]
    )
    return ticket(stack, found[0]["id"])


def settle(stack: LocalStack, ticket_id: str) -> dict[str, Any]:
    """Wait until the SLA timer has dealt with everything due by now (its next wake is in the future)."""
    now = iso(clock.utcnow())
    raw = stack.store.tickets.get

    def settled() -> bool:
        t = raw(demo.TENANT, ticket_id)
        return t.sla_wake_at is None or t.sla_wake_at > now

    try:
        wait_for(settled)
    except AssertionError:
        raise AssertionError(f"the SLA timer did not settle: {timer_failures(stack)}") from None
    return ticket(stack, ticket_id)


def timer_failures(stack: LocalStack) -> dict[str, object]:
    """Which SLA wakes failed, and how often (for assertion messages)."""
    return {"wakes": dict(stack.schedule_errors), "sla_check errors": stack.runtime.errors["SlaCheckFunction"]}


def sla_events(detail: dict[str, Any]) -> list[tuple[str, str, int, str]]:
    return [
        (e["type"], e["detail"]["metric"], e["detail"]["level"], e["at"])
        for e in detail["events"]
        if e["type"].startswith("sla_")
    ]


def at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def timers(stack: LocalStack) -> SlaTimers:
    environment = stack.runtime.environment(stack.template.functions["TriageSlaFunction"])
    return SlaTimers.from_settings(SlaSettings.from_env(environment))


def reply(stack: LocalStack, ticket_id: str, when: datetime) -> None:
    """An agent's reply reaching the customer, as the outbox records it once SENT."""
    sent = iso(when)
    message = Message(
        id=f"01REPLY{int(when.timestamp()):019d}",
        ticket_id=ticket_id,
        direction="outbound",
        platform="x",
        kind="reply",
        native_id=f"reply-{int(when.timestamp())}",
        conversation_id="c",
        author=Author(platform_user_id=demo.X_ACCOUNT_ID, handle=demo.X_HANDLE),
        text="お問い合わせありがとうございます。",
        created_at=sent,
        received_at=sent,
    )
    assert stack.store.tickets.record_reply(demo.TENANT, message)
    sla.refresh(stack.store, timers(stack), demo.TENANT, ticket_id, clock.utcnow())


def set_status(stack: LocalStack, ticket_id: str, status: str) -> dict[str, Any]:
    version = ticket(stack, ticket_id)["version"]
    response = call(
        stack, "PATCH", f"/api/tickets/{ticket_id}", {"version": version, "status": status}, "agent1@demo.local"
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def pending_wakes(stack: LocalStack, ticket_id: str) -> list[dict[str, Any]]:
    """The ticket's SLA wakes still scheduled (a wake deletes itself once delivered)."""
    return [s for s in stack.schedules() if json.loads(s["Target"]["Input"])["ticket_id"] == ticket_id]


def test_first_response_across_a_weekend_and_a_japanese_holiday_with_reminders_and_escalation(
    vstack: LocalStack, team_calendar: Any, policy: Any
) -> None:
    # Given weekday hours 09:00-18:00 in Tokyo and a 60-minute first response target with reminders
    # at 50% and 80%, the breach, and a second escalation level 30 business minutes later
    team_calendar(WEEKDAYS_9_TO_6)
    policy("first60", {"first_response_minutes": 60, "reminders": [0.5, 0.8], "escalation_minutes": [0, 30]})
    # When a mention arrives on Friday 2027-01-08 at 17:50 JST (Monday the 11th is 成人の日)
    clock.advance_to(datetime(2027, 1, 8, 8, 50, tzinfo=UTC))
    post_tweet(vstack, "8600000000000000001", "返品の方法を教えてください", user_id="7600000000000000001")
    t = triaged(vstack, "返品の方法を教えてください")
    started = at(t["sla_started_at"] if "sla_started_at" in t else t["sla_clocks"][0]["started_at"])
    # Then 10 minutes count on Friday and the other 50 on Tuesday: due 09:50 JST on the 12th,
    # the first reminder at 09:20, and the inbox's due order has it
    assert t["sla_policy_id"] == "first60"
    assert t["sla_due_at"].startswith("2027-01-12T00:50:0")
    raw = vstack.store.tickets.get(demo.TENANT, t["id"])
    assert raw.sla_wake_at is not None and raw.sla_wake_at.startswith("2027-01-12T00:20:0")
    assert t["id"] in [x["id"] for x in get(vstack, "/api/tickets", sort="due").json()["items"]]
    assert started.strftime("%Y-%m-%d") == "2027-01-08"

    # The weekend and the holiday pass: nothing fires
    clock.advance_to(datetime(2027, 1, 11, 3, 0, tzinfo=UTC))
    assert sla_events(settle(vstack, t["id"])) == []

    # Tuesday 09:21 JST: the 50% reminder
    clock.advance_to(datetime(2027, 1, 12, 0, 21, tzinfo=UTC))
    detail = settle(vstack, t["id"])
    assert [e[:3] for e in sla_events(detail)] == [("sla_reminder", "first_response", 0)]
    # 09:51: the 80% reminder and the breach (level 1)
    clock.advance_to(datetime(2027, 1, 12, 0, 51, tzinfo=UTC))
    detail = settle(vstack, t["id"])
    assert [e[:3] for e in sla_events(detail)] == [
        ("sla_reminder", "first_response", 0),
        ("sla_reminder", "first_response", 0),
        ("sla_breached", "first_response", 1),
    ]
    assert detail["sla_clocks"][0]["breached"] is True
    assert detail["sla_clocks"][0]["breached_at"].startswith("2027-01-12T00:50:0")
    # 10:21: escalation level 2, and then nothing is left to time: the timer ends
    clock.advance_to(datetime(2027, 1, 12, 1, 21, tzinfo=UTC))
    detail = settle(vstack, t["id"])
    assert sla_events(detail)[-1][:3] == ("sla_escalated", "first_response", 2)
    wait_for(lambda: not pending_wakes(vstack, t["id"]))
    assert timer_failures(vstack)["sla_check errors"] == 0
    # The assignee heard of every alert; the supervisor of the breach and the escalation
    assignee = detail["assignee"]["id"]
    agent_email = next(u.email for u in demo.DEMO_USERS if u.id == assignee)
    mine = [n["kind"] for n in call(vstack, "GET", "/api/me/notifications", email=agent_email).json()["items"]]
    assert sorted(mine) == sorted(["sla_reminder", "sla_reminder", "sla_breached", "sla_escalated"])
    lead = [n["kind"] for n in call(vstack, "GET", "/api/me/notifications").json()["items"]]
    assert sorted(k for k in lead if k.startswith("sla_")) == ["sla_breached", "sla_escalated"]


def test_replies_pause_and_resolution_stop_the_clocks_and_the_timer(
    vstack: LocalStack, team_calendar: Any, policy: Any
) -> None:
    # Given a team open around the clock and first/next response 30 minutes, resolution 120 minutes
    team_calendar(AROUND_THE_CLOCK)
    policy(
        "all3",
        {
            "first_response_minutes": 30,
            "next_response_minutes": 30,
            "resolution_minutes": 120,
            "reminders": [0.5],
            "escalation_minutes": [0],
        },
    )
    clock.advance_to(datetime(2027, 2, 1, 0, 0, tzinfo=UTC))
    post_tweet(vstack, "8600000000000000101", "注文した商品がまだ届きません", user_id="7600000000000000101")
    t = triaged(vstack, "注文した商品がまだ届きません")
    s = at(t["sla_clocks"][0]["started_at"])
    clocks = {c["metric"]: c for c in t["sla_clocks"]}
    assert at(clocks["first_response"]["due_at"]) == s + timedelta(minutes=30)
    assert at(clocks["resolution"]["due_at"]) == s + timedelta(minutes=120)
    assert at(t["sla_due_at"]) == s + timedelta(minutes=30)

    # An agent replies after 10 minutes: first response met, its reminder (at 15) never fires
    clock.advance_to(s + timedelta(minutes=10))
    reply(vstack, t["id"], clock.utcnow())
    detail = settle(vstack, t["id"])
    clocks = {c["metric"]: c for c in detail["sla_clocks"]}
    assert clocks["first_response"]["stopped_at"] and not clocks["first_response"]["breached"]
    assert at(detail["sla_due_at"]) == s + timedelta(minutes=120)

    # The customer writes again at 12 minutes: a next response clock, due 30 minutes later
    clock.advance_to(s + timedelta(minutes=12))
    post_tweet(
        vstack,
        "8600000000000000102",
        "追跡番号はありますか？",
        user_id="7600000000000000101",
        reply_to="8600000000000000101",
    )
    asked = wait_for(lambda: [c for c in ticket(vstack, t["id"])["sla_clocks"] if c["metric"] == "next_response"])[0]
    assert at(asked["due_at"]) - at(asked["started_at"]) == timedelta(minutes=30)

    # Pending on the customer at 20 minutes: the resolution clock pauses (20 minutes used)
    clock.advance_to(s + timedelta(minutes=20))
    detail = set_status(vstack, t["id"], "pending")
    clocks = {c["metric"]: c for c in detail["sla_clocks"]}
    assert clocks["resolution"]["paused"] and clocks["resolution"]["due_at"] is None

    # The next response goes unanswered past its target: reminder, then breach
    clock.advance_to(at(asked["due_at"]) + timedelta(minutes=1))
    detail = settle(vstack, t["id"])
    assert [e[:3] for e in sla_events(detail)] == [
        ("sla_reminder", "next_response", 0),
        ("sla_breached", "next_response", 1),
    ]
    clock.advance_to(s + timedelta(minutes=50))
    reply(vstack, t["id"], clock.utcnow())

    # Reopened at 80 minutes: the resolution clock resumes with 100 minutes left
    clock.advance_to(s + timedelta(minutes=80))
    detail = set_status(vstack, t["id"], "open")
    clocks = {c["metric"]: c for c in detail["sla_clocks"]}
    resumed = at(clocks["resolution"]["due_at"]) - (s + timedelta(minutes=80))
    assert abs(resumed - timedelta(minutes=100)) < timedelta(seconds=2)

    # Resolved at 100 minutes: every clock stops, no due time, no timer left running
    clock.advance_to(s + timedelta(minutes=100))
    detail = set_status(vstack, t["id"], "resolved")
    assert detail["sla_due_at"] is None
    assert not any(c["breached"] for c in detail["sla_clocks"] if c["metric"] == "resolution")
    wait_for(lambda: not pending_wakes(vstack, t["id"]))
    assert t["id"] not in [x["id"] for x in get(vstack, "/api/tickets", sort="due", status="all").json()["items"]]
    # Nothing else fired, ever
    clock.advance_to(s + timedelta(hours=5))
    assert [e[:3] for e in sla_events(ticket(vstack, t["id"]))] == [
        ("sla_reminder", "next_response", 0),
        ("sla_breached", "next_response", 1),
    ]


def test_sla_warnings_and_breaches_are_rule_triggers(vstack: LocalStack, team_calendar: Any, policy: Any) -> None:
    team_calendar(AROUND_THE_CLOCK)
    policy("fast", {"first_response_minutes": 10, "reminders": [0.5], "escalation_minutes": [0]})
    made = []
    for rule_id, trigger, actions in (
        ("warned", "sla_warning", [{"type": "add_tags", "tags": ["sla-warned"]}]),
        (
            "missed",
            "sla_breached",
            [{"type": "add_tags", "tags": ["sla-missed"]}, {"type": "set_priority", "priority": "urgent"}],
        ),
    ):
        body = {
            "id": rule_id,
            "name": rule_id,
            "trigger": trigger,
            "order": 1,
            "condition": {"field": "channel", "op": "in", "value": ["x"]},
            "actions": actions,
        }
        assert call(vstack, "POST", "/api/rules", body).status_code == 201
        made.append(rule_id)
    try:
        clock.advance_to(datetime(2027, 3, 1, 0, 0, tzinfo=UTC))
        post_tweet(vstack, "8600000000000000201", "アプリにログインできません", user_id="7600000000000000201")
        t = triaged(vstack, "アプリにログインできません")
        s = at(t["sla_clocks"][0]["started_at"])
        clock.advance_to(s + timedelta(minutes=6))
        detail = settle(vstack, t["id"])
        assert detail["tags"] == ["sla-warned"] and detail["priority"] == "normal"
        clock.advance_to(s + timedelta(minutes=11))
        detail = settle(vstack, t["id"])
        assert detail["tags"] == ["sla-warned", "sla-missed"] and detail["priority"] == "urgent"
        assert [e["detail"]["trigger"] for e in detail["events"] if e["type"] == "rule_fired"] == [
            "sla_warning",
            "sla_breached",
        ]
    finally:
        for rule_id in made:
            version = call(vstack, "GET", f"/api/rules/{rule_id}").json()["version"]
            call(vstack, "DELETE", f"/api/rules/{rule_id}?version={version}")
