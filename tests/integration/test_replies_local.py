"""Replies on the local stack: typed in the API, through the outbox, the send queue and send_reply, to
the fake platforms; exactly once even when the worker dies between the platform's answer and the
outbox update, and nothing lost or doubled when the platform fails."""

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
from mentiondesk import clock
from mentiondesk.local import demo
from mentiondesk.local.simulator import Simulator
from mentiondesk.local.stack import LocalStack
from mentiondesk.store.outbox import OutboxRef, OutboxTransitions

from tests.integration.test_local_stack import auth, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    # Virtual time: leases and SLA timers run on a clock the test moves; the minute schedules tick each second.
    with LocalStack(port=0, demo=True, simulate=False, time_scale=60, virtual_time=True) as running:
        yield running


@pytest.fixture(scope="module")
def simulator(stack: LocalStack) -> Simulator:
    return Simulator(stack.url, stack.secrets, stack.google, stack.fakes, seed=11)


def new_ticket(stack: LocalStack, simulator: Simulator, channel: str, platform: str) -> dict[str, Any]:
    sent = simulator.post_one(channel)
    found = wait_for(lambda: stack.store.tickets.find_native(demo.TENANT, platform, sent.native_id))
    ticket_id = str(found["ticket_id"])

    def ready() -> dict[str, Any] | None:
        t = detail(stack, ticket_id)
        return t if t["assignee"] and t["sla_due_at"] else None

    return dict(wait_for(ready))


def detail(stack: LocalStack, ticket_id: str) -> dict[str, Any]:
    answer = requests.get(f"{stack.url}/api/tickets/{ticket_id}", headers=auth(stack), timeout=5)
    answer.raise_for_status()
    return dict(answer.json())


def reply(stack: LocalStack, ticket: dict[str, Any], text: str, **body: Any) -> requests.Response:
    return requests.post(
        f"{stack.url}/api/tickets/{ticket['id']}/replies",
        json={"version": ticket["version"], "text": text, **body},
        headers=auth(stack),
        timeout=10,
    )


def text_for(ticket: dict[str, Any]) -> str:
    name = ticket["customer"]["display_name"] or ticket["customer"]["handle"]
    return f"{name}様、ご連絡ありがとうございます。すぐに確認いたします。担当：Agent One {time.monotonic_ns()}"


def outbox_status(stack: LocalStack, ticket_id: str, item_id: str) -> str:
    return str(next(o["status"] for o in detail(stack, ticket_id)["outbox"] if o["id"] == item_id))


def posts_to(stack: LocalStack, target: str) -> list[dict[str, Any]]:
    return [s for s in stack.fakes.x_api.sent if s["kind"] == "post" and s["target"] == target]


def test_a_reply_reaches_x_once_shows_in_the_thread_and_meets_the_first_response_clock(
    stack: LocalStack, simulator: Simulator
) -> None:
    # Given a new mention, classified, assigned and on the clock
    ticket = new_ticket(stack, simulator, "x_mention", "x")
    mention = ticket["messages"][0]["native_id"]
    # When the agent replies through the API
    answer = reply(stack, ticket, text_for(ticket))
    assert answer.status_code == 202, answer.text
    item_id = answer.json()["outbox"]["id"]
    # Then send_reply (on the send queue) posts it to X once, in the thread of the mention
    wait_for(lambda: outbox_status(stack, ticket["id"], item_id) == "SENT")
    (post,) = posts_to(stack, mention)
    after = detail(stack, ticket["id"])
    outbound = [m for m in after["messages"] if m["direction"] == "outbound"]
    assert [m["native_id"] for m in outbound] == [post["id"]]
    assert "reply_sent" in [e["type"] for e in after["events"]]
    # And the first-response clock is met
    first = next(c for c in after["sla_clocks"] if c["metric"] == "first_response")
    assert first["outcome"] == "met", first
    # And more deliveries of the same queue message change nothing
    ref = OutboxRef.of(stack.store.outbox.find(demo.TENANT, ticket["id"], item_id))  # type: ignore[arg-type]
    sqs = stack.client("sqs")
    for _ in range(2):
        sqs.send_message(QueueUrl=stack.queue_url("SendQueue"), MessageBody=json.dumps(ref.as_dict()))
    time.sleep(1.5)
    assert len(posts_to(stack, mention)) == 1


def test_a_worker_killed_between_the_platforms_answer_and_the_outbox_update_sends_once(
    stack: LocalStack, simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = new_ticket(stack, simulator, "x_mention", "x")
    mention = ticket["messages"][0]["native_id"]

    # Given a send_reply worker that dies right after X answered 201 (before it can record SENT)
    class Killed(Exception):
        pass

    original = OutboxTransitions.sent
    calls = {"n": 0}

    def dies_once(self: OutboxTransitions, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise Killed("the worker died")
        original(self, *args, **kwargs)

    monkeypatch.setattr(OutboxTransitions, "sent", dies_once)
    # When the agent replies
    answer = reply(stack, ticket, text_for(ticket))
    assert answer.status_code == 202, answer.text
    item_id = answer.json()["outbox"]["id"]
    wait_for(lambda: calls["n"] >= 1)
    # Then X has the post, and the item is still leased by the dead worker
    assert len(posts_to(stack, mention)) == 1
    assert outbox_status(stack, ticket["id"], item_id) == "SENDING"
    # When the queue hands the message over again (as SQS does after the visibility timeout)
    item = stack.store.outbox.find(demo.TENANT, ticket["id"], item_id)
    assert item is not None
    sqs = stack.client("sqs")
    sqs.send_message(QueueUrl=stack.queue_url("SendQueue"), MessageBody=json.dumps(OutboxRef.of(item).as_dict()))
    time.sleep(1.5)
    # Then nobody sends it while the lease runs
    assert len(posts_to(stack, mention)) == 1
    # And once the lease ran out, the sweeper (every minute) makes it UNKNOWN: a person decides
    clock.advance_to(clock.utcnow() + timedelta(seconds=90))
    wait_for(lambda: outbox_status(stack, ticket["id"], item_id) == "UNKNOWN")
    sqs.send_message(QueueUrl=stack.queue_url("SendQueue"), MessageBody=json.dumps(OutboxRef.of(item).as_dict()))
    time.sleep(1.5)
    assert len(posts_to(stack, mention)) == 1
    # And the agent is told
    notes = requests.get(f"{stack.url}/api/me/notifications", headers=auth(stack), timeout=5).json()["items"]
    assert any(n["kind"] == "reply_unknown" and n["ticket_id"] == ticket["id"] for n in notes)


def test_a_platform_outage_loses_no_reply_and_doubles_none(stack: LocalStack, simulator: Simulator) -> None:
    # Given X rate-limits the next post, then fails after accepting the one after
    first = new_ticket(stack, simulator, "x_mention", "x")
    second = new_ticket(stack, simulator, "x_mention", "x")
    stack.fakes.x_api.fault_next("rate_limit")
    # When the first reply goes out, it is deferred to X's reset, not failed and not dead-lettered
    a = reply(stack, first, text_for(first)).json()["outbox"]["id"]
    wait_for(lambda: (o := stack.store.outbox.find(demo.TENANT, first["id"], a)) and o.get("not_before"))
    assert outbox_status(stack, first["id"], a) == "PENDING"
    # And once the window has reset it is sent, once
    clock.advance_to(clock.utcnow() + timedelta(minutes=16))
    wait_for(lambda: outbox_status(stack, first["id"], a) == "SENT", timeout=15)
    assert len(posts_to(stack, first["messages"][0]["native_id"])) == 1
    # When X takes the second post and then answers 503
    stack.fakes.x_api.fault_next("accept_then_error")
    second = detail(stack, second["id"])  # its SLA reminders fired while the clock moved: read it again
    answer = reply(stack, second, text_for(second))
    assert answer.status_code == 202, answer.text
    b = answer.json()["outbox"]["id"]
    # Then it is UNKNOWN with the reason, never posted again
    wait_for(lambda: outbox_status(stack, second["id"], b) == "UNKNOWN")
    clock.advance_to(clock.utcnow() + timedelta(minutes=10))
    time.sleep(1.5)
    assert len(posts_to(stack, second["messages"][0]["native_id"])) == 1
    reason = next(o for o in detail(stack, second["id"])["outbox"] if o["id"] == b)["reason"]
    assert reason and "token" not in reason


def test_the_ledger_of_a_ticket_shows_every_line_from_ingest_to_close(stack: LocalStack, simulator: Simulator) -> None:
    # Given a mention that went through ingest and triage, a reply sent to X, two minutes of handling
    # time reported by the page, and the ticket resolved
    ticket = new_ticket(stack, simulator, "x_mention", "x")
    answer = reply(stack, ticket, text_for(ticket))
    assert answer.status_code == 202, answer.text
    wait_for(lambda: outbox_status(stack, ticket["id"], answer.json()["outbox"]["id"]) == "SENT")
    for beat in ("beat-one-0001", "beat-two-0002", "beat-two-0002"):  # the last one a retry
        timed = requests.post(
            f"{stack.url}/api/tickets/{ticket['id']}/time",
            json={"seconds": 60, "beat_id": beat},
            headers=auth(stack),
            timeout=5,
        )
        assert timed.status_code == 202, timed.text
    current = detail(stack, ticket["id"])
    resolved = requests.patch(
        f"{stack.url}/api/tickets/{ticket['id']}",
        json={"version": current["version"], "status": "resolved"},
        headers=auth(stack),
        timeout=5,
    )
    assert resolved.status_code == 200, resolved.text
    # When finance reads the ticket's ledger
    ledger = requests.get(
        f"{stack.url}/api/tickets/{ticket['id']}/costs", headers=auth(stack, "finance@demo.local"), timeout=5
    ).json()
    lines = ledger["lines"]
    sources = {line["source"].split(":")[0] for line in lines}
    items = {line["item"] for line in lines}
    # Then every step that worked for it has its lines: the webhook, each workflow task, the API, the sender
    assert {
        "webhook_x",
        "triage_classify",
        "triage_rules",
        "triage_sla",
        "triage_assign",
        "api",
        "send_reply",
    } <= sources
    assert {
        "aws.lambda.request",
        "aws.lambda.gb_s",
        "aws.dynamodb.write_unit",
        "aws.dynamodb.read_unit",
        "aws.apigw.request",
        "aws.states.express_request",
        "aws.states.express_gb_s",
        "aws.sqs.request",
        "x.post_create",
        "agent.handling_seconds",
    } <= items
    # The reply's X fee is exactly one post; the handling time counted once per beat (120 s, not 180)
    assert [line["usd"] for line in lines if line["item"] == "x.post_create"] == ["0.015000000"]
    agent_seconds = sum(float(line["quantity"]) for line in lines if line["item"] == "agent.handling_seconds")
    assert agent_seconds == 120
    # And the total is the sum of its priced lines, to the nano-dollar
    total = sum(Decimal(line["usd"]) for line in lines if line["usd"] is not None)
    assert Decimal(ledger["total_usd"]) == total
