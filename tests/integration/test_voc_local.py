"""The weekly voice of the customer on the local stack: the hourly schedule finds the tenant's time
(Tuesday 18:00 in Tokyo by default), builds the week's topics from real tickets, puts the HTML and
CSV in the reports bucket and makes the week browsable in the app."""

from collections.abc import Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from mentiondesk import clock
from mentiondesk.local import demo
from mentiondesk.local.simulator import Simulator
from mentiondesk.local.stack import LocalStack

from tests.integration.test_local_stack import auth, wait_for

pytestmark = pytest.mark.integration
FUNCTION = "ReportWeeklyFunction"
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(port=0, demo=True, simulate=False, time_scale=60, virtual_time=True) as running:
        yield running


def weeks(stack: LocalStack) -> list[dict[str, object]]:
    answer = requests.get(f"{stack.url}/api/reports/voc", headers=auth(stack, "lead@demo.local"), timeout=5)
    answer.raise_for_status()
    return list(answer.json()["items"])


def test_the_weekly_report_runs_at_its_time_and_is_in_s3_and_the_app(stack: LocalStack) -> None:
    # The schedule is the template's: an hourly tick the stack runs on its own
    scheduled = {f.logical_id for f in stack.template.functions.values() if f.schedules}
    assert FUNCTION in scheduled
    # Given customers wrote this week (requests and complaints in Japanese and English)
    simulator = Simulator(stack.url, stack.secrets, stack.google, stack.fakes, seed=23)
    for _ in range(24):
        simulator.post_one()
    wait_for(
        lambda: sum(1 for t in stack.store.tickets.inbox(demo.TENANT, "open", 100, None).items if t.intent) >= 20,
        timeout=30,
    )
    # And the team's weekly time is set ten minutes from now (Tokyo); turning it on catches up the same
    # time a week ago (a week before these posts), once
    due = clock.utcnow().astimezone(TOKYO).replace(second=0, microsecond=0) + timedelta(minutes=10)
    policy = {"version": 0, "weekday": due.weekday(), "hour": due.hour, "minute": due.minute, "language": "ja"}
    saved = requests.put(
        f"{stack.url}/api/settings/voc", json=policy, headers=auth(stack, "lead@demo.local"), timeout=5
    )
    assert saved.status_code == 200, saved.text
    stack.tick(FUNCTION)
    stack.tick(FUNCTION)
    before = len(weeks(stack))
    assert before == 1
    # When the hour ticks before the time, nothing runs
    clock.advance_to(due - timedelta(minutes=2))
    stack.tick(FUNCTION)
    assert len(weeks(stack)) == before
    # And the tick after it runs this week's report, once
    clock.advance_to(due + timedelta(minutes=1))
    stack.tick(FUNCTION)
    stack.tick(FUNCTION)
    listed = weeks(stack)
    assert len(listed) == before + 1
    latest = max(listed, key=lambda w: str(w["week_start"]))
    # Then the week has topics from these posts, counted
    answer = requests.get(
        f"{stack.url}/api/reports/voc/{latest['week_start']}", headers=auth(stack, "lead@demo.local"), timeout=5
    )
    report = answer.json()
    report = report.get("report", report)
    # Then its figures match a hand count of the tickets opened this week, and it has topics
    opened = stack.store.tickets.active_since(demo.TENANT, "2000", 1000)[0]
    tickets = [t for t in opened if t.intent and clock.parse_iso(t.created_at) < due]  # the week ends at the time
    considered = [t for t in tickets if t.intent in ("request", "complaint", "problem")]
    assert report["total_posts"] == len(tickets) >= 20
    assert report["considered_posts"] == len(considered)
    assert report["topics"] and all(t["count"] >= 1 and t["examples"] for t in report["topics"])
    assert report["previous_total_posts"] == 0  # the week before the demo is empty
    # And the HTML page and the CSV are in the reports bucket
    s3 = stack.client("s3")
    bucket = stack.template.names["ReportsBucket"]
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    week = str(latest["week_start"])
    assert {f"voc/{demo.TENANT}/{week}.html", f"voc/{demo.TENANT}/{week}.csv"} <= keys
    html = s3.get_object(Bucket=bucket, Key=f"voc/{demo.TENANT}/{week}.html")["Body"].read().decode()
    assert html.startswith("<!doctype html>") and "Content-Security-Policy" in html
    assert stack.schedule_errors.get(FUNCTION, 0) == 0
