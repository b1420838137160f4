"""Reliability properties 11-18 of ../shared/notes/reliability.md: queues, workflows, replies, infrastructure.

Each test's name starts with the property it proves. Replies go through functions/send_reply's real
handler over moto SQS queues built from template.yaml (with a small stand-in for Lambda's event source
mapping), the real X sender against a scripted HTTP session, and one virtual clock shared by the sender
and moto's SQS, so visibility timeouts and delays pass without sleeping. The ticket workflow runs on
moto's Step Functions executor with the real task handlers. Properties 17 (the ASL half) and 18 read
template.yaml and every *.asl.json; each checker is also shown to catch a broken copy.
"""

import copy
import dataclasses
import functools
import io
import json
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from mentiondesk.clock import iso
from mentiondesk.ingest.service import IngestService
from mentiondesk.local.template import LocalTemplate, load_template
from mentiondesk.models import Author, InboundMessage, TicketEvent
from mentiondesk.replies.platforms import PlatformSenders, XSender
from mentiondesk.replies.queue import SendQueue
from mentiondesk.replies.sender import OutboxSender
from mentiondesk.store.factory import Store
from mentiondesk.store.outbox import OutboxConflict, OutboxRef, OutboxStore, OutboxTransitions, outbox_item
from requests.structures import CaseInsensitiveDict

from tests.conftest import (
    ACCOUNT_ID,
    ROOT,
    TENANT,
    Context,
    RecordingStarter,
    access_claims,
    http_event,
    load_function,
    make_agent,
)

pytestmark = pytest.mark.reliability

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
X_BASE = "https://api.x.test"
CUSTOMER = "2000000000000000001"
TRANSIENT_LAMBDA_ERRORS = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
}
TRANSIENT_DYNAMODB_ERRORS = {"DynamoDB.ThrottlingException", "DynamoDB.ProvisionedThroughputExceededException"}
ASYNC_EVENT_TYPES = {"Schedule", "ScheduleV2", "EventBridgeRule", "CloudWatchEvent", "SNS", "S3"}


@functools.cache
def template() -> LocalTemplate:
    return load_template(ROOT)


# -- time, the scripted X API, tickets ----------------------------------------------------------------


class VirtualClock:
    """The sender's clock, and moto's SQS clock too (visibility timeouts, delays) once `drive_sqs` ran."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def drive_sqs(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from moto.sqs import models as sqs_models

        monkeypatch.setattr(sqs_models, "unix_time_millis", lambda *_: self.now.timestamp() * 1000)
        monkeypatch.setattr(sqs_models, "unix_time", lambda *_: self.now.timestamp())


class Response:
    """What the sender reads of a requests.Response."""

    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        self.status_code = status
        self._body = body
        self.headers = CaseInsensitiveDict(headers or {})

    def json(self) -> Any:
        return self._body


class ScriptedX:
    """X's API as an HTTP session: answers in order (then 201 for every post) and records when each
    request arrived by the virtual clock."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.answers: list[Response | BaseException] = []
        self.calls: list[tuple[datetime, str, dict[str, Any]]] = []
        self.lock = threading.Lock()

    def request(self, method: str, url: str, *, data: bytes, headers: dict[str, str], timeout: float) -> Response:
        with self.lock:
            self.calls.append((self.clock(), url, json.loads(data)))
            answer = self.answers.pop(0) if self.answers else posted(f"19000000000000{len(self.calls):05d}")
        if isinstance(answer, BaseException):
            raise answer
        return answer


def posted(post_id: str) -> Response:
    return Response(201, {"data": {"id": post_id, "text": "..."}})


def x_sender(session: ScriptedX, clock: VirtualClock) -> PlatformSenders:
    return PlatformSenders(
        {
            "x": XSender(
                lambda account: "user-token", base_url=X_BASE, session=session, clock=lambda: clock().timestamp()
            )
        }
    )


class NoTimers:
    def start(self, tenant: str, ticket_id: str, generation: int, wake_at: str) -> bool:
        return True

    def stop(self, tenant: str, ticket_id: str, generation: int, wake_at: str) -> None:
        return None


def a_ticket(store: Store, native_id: str = "9400000000000000001", at: datetime = T0) -> str:
    IngestService(store, RecordingStarter(), clock=lambda: iso(at)).apply(
        [
            InboundMessage(
                platform="x",
                account_id=ACCOUNT_ID,
                native_id=native_id,
                kind="mention",
                conversation_id=native_id,
                author=Author(platform_user_id=CUSTOMER, handle="tom", display_name="Tom"),
                text="@acme_help my order has not arrived",
                created_at=iso(at),
            )
        ]
    )
    found = store.tickets.inbox(TENANT, None, 50, None).items
    return next(t.id for t in found if store.tickets.detail(TENANT, t.id).messages[0].native_id == native_id)


def queue_reply(store: Store, ticket_id: str, text: str = "Tom, sorry for the wait: we are on it. ^Alice") -> OutboxRef:
    """An agent's reply stored in the ticket's outbox, as the API stores it (PENDING)."""
    ticket = store.tickets.get(TENANT, ticket_id)
    native_id = store.tickets.detail(TENANT, ticket_id).messages[0].native_id
    item = outbox_item(
        TENANT,
        ticket_id,
        "reply",
        "agent:user-alice",
        iso(T0),
        platform="x",
        account_id=ACCOUNT_ID,
        mode="public",
        reply_to_native_id=native_id,
        conversation_id=native_id,
        customer_id=f"x:{CUSTOMER}",
        text=text,
        author_name="Alice",
    )
    event = TicketEvent(type="reply_queued", at=iso(T0), actor="user-alice", detail={"outbox_id": item["id"]})
    store.tickets.queue_outbox(TENANT, ticket_id, ticket.version, item, event)
    return OutboxRef.of(item)


# -- send_reply over moto SQS, as Lambda's event source mapping drives it -----------------------------


class WorkerDied(BaseException):
    """The Lambda instance stopped mid-invocation (a time-out, out of memory): nothing after it runs."""


@dataclasses.dataclass
class Delivery:
    received: list[dict[str, Any]]
    failed: set[str]  # message ids that come back after the visibility timeout
    crashed: bool = False

    @property
    def bodies(self) -> list[str]:
        return [m["Body"] for m in self.received]


@dataclasses.dataclass
class SendReply:
    module: Any
    sqs: Any
    queue_url: str
    dead_letter_url: str
    max_receive_count: int
    visibility_timeout: int
    x: ScriptedX
    clock: VirtualClock

    def enqueue(self, ref: OutboxRef) -> None:
        """What the API does after storing an outbox item (the product's own SendQueue)."""
        SendQueue(self.sqs, self.queue_url)(ref)

    def deliver(self, worker: str) -> Delivery:
        """One poll of Lambda's SQS event source mapping: receive a batch, invoke, delete what succeeded
        (ReportBatchItemFailures). A failed invocation deletes nothing: the whole batch comes back."""
        got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, AttributeNames=["All"])
        messages = got.get("Messages", [])
        if not messages:
            return Delivery([], set())
        records = [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": template().arns["SendQueue"],
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
        everything = {m["MessageId"] for m in messages}
        try:
            answer = self.module.handler({"Records": records}, context(worker))
        except WorkerDied:
            return Delivery(messages, everything, crashed=True)
        except Exception:  # Powertools raises when every record of a batch failed
            return Delivery(messages, everything)
        failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
        done = [
            {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
            for n, m in enumerate(messages)
            if m["MessageId"] not in failed
        ]
        if done:
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=done)
        return Delivery(messages, failed)

    def sweep(self) -> dict[str, int]:
        """The every-minute schedule's invocation."""
        result: dict[str, int] = self.module.handler({"source": "aws.scheduler"}, context("sweeper"))
        return result

    def counts(self, url: str | None = None) -> dict[str, int]:
        names = [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ]
        attributes = self.sqs.get_queue_attributes(QueueUrl=url or self.queue_url, AttributeNames=names)["Attributes"]
        return {
            "visible": int(attributes[names[0]]),
            "in_flight": int(attributes[names[1]]),
            "delayed": int(attributes[names[2]]),
        }

    def dead_letters(self) -> list[str]:
        got = self.sqs.receive_message(QueueUrl=self.dead_letter_url, MaxNumberOfMessages=10)
        return [m["Body"] for m in got.get("Messages", [])]


def context(request_id: str) -> Context:
    ctx = Context()
    ctx.aws_request_id = request_id
    return ctx


def create_queues(sqs: Any) -> dict[str, str]:
    """Every queue of template.yaml, dead-letter queues first (a redrive policy must find its target);
    moto's account and region make the template's resolved ARNs the real ones."""
    t = template()
    urls: dict[str, str] = {}
    queues = sorted(t.resources("AWS::SQS::Queue").items(), key=lambda q: "RedrivePolicy" in q[1]["Properties"])
    for logical_id, resource in queues:
        props = t.resolve(resource["Properties"])
        attributes = {
            k: json.dumps(v) if isinstance(v, dict) else str(v)
            for k, v in props.items()
            if k in ("VisibilityTimeout", "MessageRetentionPeriod", "RedrivePolicy", "DelaySeconds")
        }
        urls[logical_id] = sqs.create_queue(QueueName=t.names[logical_id], Attributes=attributes)["QueueUrl"]
    return urls


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def send_reply(
    store: Store, tenant: str, table_name: str, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> SendReply:
    clock.drive_sqs(monkeypatch)
    sqs = boto3.client("sqs")
    urls = create_queues(sqs)
    redrive = template().raw["Resources"]["SendQueue"]["Properties"]["RedrivePolicy"]
    dead_letter_queue = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("SEND_QUEUE_URL", urls["SendQueue"])
    monkeypatch.setenv("SLA_SCHEDULE_GROUP", "mentiondesk-sla-test")
    monkeypatch.setenv("SLA_CHECK_FUNCTION_ARN", "arn:aws:lambda:us-east-1:123456789012:function:sla-check")
    monkeypatch.setenv("SLA_SCHEDULER_ROLE_ARN", "arn:aws:iam::123456789012:role/sla-scheduler")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    module = load_function("send_reply")
    x = ScriptedX(clock)
    module.sender.clock = clock
    module.sender.timers = NoTimers()
    module.sender.platforms = x_sender(x, clock)
    return SendReply(
        module=module,
        sqs=sqs,
        queue_url=urls["SendQueue"],
        dead_letter_url=urls[dead_letter_queue],
        max_receive_count=int(redrive["maxReceiveCount"]),
        visibility_timeout=int(template().raw["Resources"]["SendQueue"]["Properties"]["VisibilityTimeout"]),
        x=x,
        clock=clock,
    )


def outbox(store: Store, ref: OutboxRef) -> dict[str, Any]:
    item = store.outbox.get(ref)
    assert item is not None
    return item


def outbound_messages(store: Store, ticket_id: str) -> list[str | None]:
    return [m.native_id for m in store.tickets.detail(TENANT, ticket_id).messages if m.direction == "outbound"]


# -- 11. A poison message ---------------------------------------------------------------------------


@pytest.mark.unit
def test_p11_one_poison_message_fails_alone_and_lands_in_the_dead_letter_queue_after_max_receive_count(
    send_reply: SendReply, store: Store
) -> None:
    # Given a batch of three: two replies of two tickets, and between them a message naming no outbox item
    first, second = a_ticket(store, "9400000000000000011"), a_ticket(store, "9400000000000000012")
    good = [queue_reply(store, first), queue_reply(store, second)]
    send_reply.enqueue(good[0])
    poison = '{"tenant": "acme", "ticket_id": "01TICKET00000000000000000A"}'
    send_reply.sqs.send_message(QueueUrl=send_reply.queue_url, MessageBody=poison)
    send_reply.enqueue(good[1])
    # When send_reply takes the batch
    delivery = send_reply.deliver("req-1")
    # Then the two replies are posted once each, and only the poison message is reported failed
    assert len(delivery.received) == 3
    poison_id = next(m["MessageId"] for m in delivery.received if m["Body"] == poison)
    assert delivery.failed == {poison_id} and not delivery.crashed
    assert [outbox(store, ref)["status"] for ref in good] == ["SENT", "SENT"]
    assert len(send_reply.x.calls) == 2
    # When it keeps failing, coming back after each visibility timeout
    receives = 1
    while True:
        send_reply.clock.advance(send_reply.visibility_timeout + 1)
        again = send_reply.deliver(f"req-{receives + 1}")
        if not again.received:
            break
        assert again.bodies == [poison] and again.failed == {poison_id}
        receives += 1
        assert receives <= send_reply.max_receive_count, "the poison message was received past maxReceiveCount"
    # Then it was tried exactly maxReceiveCount times (template.yaml) and now waits in the dead-letter queue
    assert receives == send_reply.max_receive_count == 5
    assert send_reply.dead_letters() == [poison]
    assert send_reply.counts() == {"visible": 0, "in_flight": 0, "delayed": 0}
    # And the good replies were never posted again
    assert len(send_reply.x.calls) == 2
    assert [len(outbound_messages(store, t)) for t in (first, second)] == [1, 1]


@pytest.mark.unit
def test_p11_the_send_queues_dead_letter_queue_has_an_alarm_that_fires_on_one_message() -> None:
    # Given the send queue's redrive policy in template.yaml
    resources = template().raw["Resources"]
    dead_letter_queue = resources["SendQueue"]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
    # When its alarms are looked up / Then one alarms as soon as one message is in it, to the alarm topic
    alarms = dead_letter_alarms(template(), dead_letter_queue)
    assert alarms, f"{dead_letter_queue} has no CloudWatch alarm"
    assert all(a["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in alarms)
    assert resources["SendReplyFunction"]["Properties"]["Events"]["Queue"]["Properties"]["FunctionResponseTypes"] == [
        "ReportBatchItemFailures"
    ]


# -- 12. X 429 -------------------------------------------------------------------------------------


@pytest.mark.unit
def test_p12_x_429_makes_no_call_before_x_rate_limit_reset_and_the_reply_is_deferred_not_dead_lettered(
    send_reply: SendReply, store: Store
) -> None:
    # Given X's posting window spent until 30 minutes from now (beyond SQS's 15-minute delay ceiling)
    reset = int(T0.timestamp()) + 1800
    headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)}
    send_reply.x.answers.append(Response(429, {"title": "Too Many Requests", "status": 429}, headers))
    ticket_id = a_ticket(store)
    ref = queue_reply(store, ticket_id)
    send_reply.enqueue(ref)
    # When send_reply takes it and X answers 429
    first = send_reply.deliver("req-1")
    # Then the message succeeded (nothing to retry or dead-letter) and the reply waits, PENDING, for the reset
    assert first.failed == set() and len(send_reply.x.calls) == 1
    item = outbox(store, ref)
    assert (item["status"], item["not_before"]) == ("PENDING", iso(datetime.fromtimestamp(reset, tz=UTC)))
    assert send_reply.counts() == {"visible": 0, "in_flight": 0, "delayed": 1}
    # When the deferred message comes back (SQS delays at most 15 minutes), and a stray duplicate with it
    send_reply.clock.advance(901)
    send_reply.enqueue(ref)
    early = send_reply.deliver("req-2")
    # Then neither calls X: the reset has not come; the reply is deferred again
    assert len(early.received) == 2 and early.failed == set()
    assert len(send_reply.x.calls) == 1
    assert outbox(store, ref)["status"] == "PENDING"
    assert send_reply.counts()["delayed"] >= 1
    # When the reset has passed and the deferred message arrives
    send_reply.clock.now = datetime.fromtimestamp(reset, tz=UTC) + timedelta(seconds=1)
    for n in range(3):  # both deferred messages are due now; each delivery takes up to ten
        assert send_reply.deliver(f"req-{n + 3}").failed == set()
    # Then it is posted exactly once, never before the reset, and nothing was dead-lettered
    assert outbox(store, ref)["status"] == "SENT"
    assert len(send_reply.x.calls) == 2
    assert all(at.timestamp() >= reset for at, _, _ in send_reply.x.calls[1:])
    assert send_reply.dead_letters() == []
    assert outbound_messages(store, ticket_id) == [outbox(store, ref)["platform_id"]]


# -- 13. At most once ----------------------------------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize("found_by", ["redelivery", "sweeper"])
def test_p13_a_reply_is_posted_at_most_once_even_if_the_worker_dies_after_the_platform_answered(
    send_reply: SendReply, store: Store, monkeypatch: pytest.MonkeyPatch, found_by: str
) -> None:
    # Given a worker that dies after X answered 201, before it records SENT
    original = OutboxTransitions.sent

    def dies(self: OutboxTransitions, *args: Any, **kwargs: Any) -> None:
        raise WorkerDied

    monkeypatch.setattr(OutboxTransitions, "sent", dies)
    ticket_id = a_ticket(store)
    ref = queue_reply(store, ticket_id)
    send_reply.enqueue(ref)
    assert send_reply.deliver("req-dies").crashed
    monkeypatch.setattr(OutboxTransitions, "sent", original)
    assert len(send_reply.x.calls) == 1 and outbox(store, ref)["status"] == "SENDING"
    # When a duplicate of the message arrives while the dead worker's lease still runs
    send_reply.clock.advance(30)
    send_reply.enqueue(ref)
    assert send_reply.deliver("req-2").failed == set()
    # Then nothing is posted
    assert len(send_reply.x.calls) == 1
    # When the lease has run out and either the sweeper or the original message (after its visibility
    # timeout) finds the item first
    if found_by == "sweeper":
        send_reply.clock.advance(31)
        assert send_reply.sweep()["abandoned"] == 1
    send_reply.clock.advance(send_reply.visibility_timeout + 1)
    assert send_reply.deliver("req-3").failed == set()
    send_reply.clock.advance(3600)
    send_reply.sweep()
    send_reply.deliver("req-4")
    # Then X got the post once; the item is UNKNOWN for a person, who is told
    assert len(send_reply.x.calls) == 1
    item = outbox(store, ref)
    assert (item["status"], item["reason_code"]) == ("UNKNOWN", "abandoned")
    assert [n["kind"] for n in store.notifications.recent(TENANT, "user-alice")] == ["reply_unknown"]
    assert send_reply.counts() == {"visible": 0, "in_flight": 0, "delayed": 0}
    assert send_reply.dead_letters() == []


# -- 14. The lease ----------------------------------------------------------------------------------


@pytest.mark.unit
def test_p14_two_workers_racing_on_one_outbox_item_exactly_one_wins_the_lease(
    store: Store, tenant: str, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two workers that both read the item as PENDING before either claims it
    ticket_id = a_ticket(store)
    ref = queue_reply(store, ticket_id)
    both_read = threading.Barrier(2, timeout=10)
    read = OutboxStore.get

    def get_then_wait(self: OutboxStore, wanted: OutboxRef) -> dict[str, Any] | None:
        item = read(self, wanted)
        if threading.current_thread().name.startswith("worker-"):
            both_read.wait()
        return item

    monkeypatch.setattr(OutboxStore, "get", get_then_wait)
    x = ScriptedX(clock)
    workers = [
        OutboxSender(store, x_sender(x, clock), NoTimers(), lambda r, d: None, f"w{n}", clock=clock) for n in (1, 2)
    ]
    outcomes: dict[str, str] = {}
    threads = [
        threading.Thread(target=lambda w=w: outcomes.__setitem__(w.worker, w.process(ref)), name=f"worker-{w.worker}")
        for w in workers
    ]
    # When both process it at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    # Then exactly one took the lease and posted; the other stood aside
    assert sorted(outcomes.values()) == ["sent", "skipped"]
    winner = next(w for w, outcome in outcomes.items() if outcome == "sent")
    assert len(x.calls) == 1
    item = outbox(store, ref)
    assert (item["status"], item["last_owner"], item["attempts"]) == ("SENT", winner, 1)


@pytest.mark.unit
def test_p14_the_lease_is_a_conditional_write_many_threads_claim_and_one_succeeds(store: Store, tenant: str) -> None:
    # Given one PENDING item and eight workers released together
    ref = queue_reply(store, a_ticket(store))
    item_id = outbox(store, ref)["id"]
    transitions = OutboxTransitions(store.table)
    start = threading.Barrier(8, timeout=10)
    won: list[str] = []
    lost: list[str | None] = []

    def claim(worker: str) -> None:
        start.wait()
        try:
            transitions.claim(ref, item_id, worker, iso(T0), iso(T0 + timedelta(seconds=60)))
            won.append(worker)
        except OutboxConflict as conflict:
            lost.append(conflict.status)

    threads = [threading.Thread(target=claim, args=(f"w{n}",)) for n in range(8)]
    # When they all claim it
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    # Then one holds the lease; seven were told it is already SENDING
    assert len(won) == 1 and lost == ["SENDING"] * 7
    item = outbox(store, ref)
    assert (item["lease_owner"], item["attempts"]) == (won[0], 1)


# -- 15. Permanent refusals and ambiguous answers ------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (
            Response(403, {"detail": "You are not allowed to create a Tweet with duplicate content.", "status": 403}),
            "duplicate",
        ),
        (Response(401, {"title": "Unauthorized", "status": 401}), "token_expired"),
        (Response(400, {"title": "Invalid Request", "status": 400}), "http_400"),
    ],
    ids=["403-duplicate", "401-token", "400-invalid"],
)
def test_p15_a_permanent_4xx_marks_the_reply_failed_and_tells_the_agent(
    send_reply: SendReply, store: Store, answer: Response, code: str
) -> None:
    # Given X refuses the post for good
    send_reply.x.answers.append(answer)
    ticket_id = a_ticket(store)
    ref = queue_reply(store, ticket_id)
    send_reply.enqueue(ref)
    # When send_reply takes it
    delivery = send_reply.deliver("req-1")
    # Then the reply is FAILED with a reason the agent can read, and the message is done (not retried)
    assert delivery.failed == set()
    item = outbox(store, ref)
    assert (item["status"], item["reason_code"]) == ("FAILED", code)
    assert item["reason"] and "user-token" not in item["reason"]
    # And the agent who wrote it is told, on the ticket and in their notifications
    (note,) = store.notifications.recent(TENANT, "user-alice")
    assert (note["kind"], note["ticket_id"]) == ("reply_failed", ticket_id)
    assert store.tickets.detail(TENANT, ticket_id).events[-1].type == "reply_failed"
    # And nothing resends it: not a redelivery, not the sweeper
    send_reply.enqueue(ref)
    send_reply.clock.advance(3600)
    send_reply.sweep()
    send_reply.deliver("req-2")
    assert len(send_reply.x.calls) == 1 and outbox(store, ref)["status"] == "FAILED"
    assert send_reply.dead_letters() == []


@pytest.mark.unit
@pytest.mark.parametrize(
    "ambiguous",
    [requests.ReadTimeout("read timed out"), Response(503, {"title": "Service Unavailable"})],
    ids=["read-timeout", "503-after-sending"],
)
def test_p15_an_ambiguous_timeout_marks_the_reply_unknown_and_it_is_never_resent_automatically(
    send_reply: SendReply, store: Store, ambiguous: Any
) -> None:
    # Given X may have taken the post but its answer never came (or came as a 5xx)
    send_reply.x.answers.append(ambiguous)
    ticket_id = a_ticket(store)
    ref = queue_reply(store, ticket_id)
    send_reply.enqueue(ref)
    # When send_reply takes it
    assert send_reply.deliver("req-1").failed == set()
    # Then it is UNKNOWN, and the agent is told a person must decide
    item = outbox(store, ref)
    assert (item["status"], item["reason_code"]) == ("UNKNOWN", "ambiguous")
    assert [n["kind"] for n in store.notifications.recent(TENANT, "user-alice")] == ["reply_unknown"]
    # And over the next day no redelivery or sweep posts it again
    for n in range(3):
        send_reply.clock.advance(8 * 3600)
        send_reply.enqueue(ref)
        assert send_reply.deliver(f"req-{n + 2}").failed == set()
        assert send_reply.sweep() == {"requeued": 0, "abandoned": 0, "settled": 0}
    assert len(send_reply.x.calls) == 1
    assert outbox(store, ref)["status"] == "UNKNOWN" and outbound_messages(store, ticket_id) == []
    assert send_reply.counts() == {"visible": 0, "in_flight": 0, "delayed": 0}


# -- 16. Optimistic locking through the API ---------------------------------------------------------


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    return load_function("api")


def call(api: Any, method: str, path: str, claims: dict[str, Any], body: Any = None) -> tuple[int, Any]:
    event = http_event(
        method,
        path,
        claims=claims,
        route_key="ANY /api/{proxy+}",
        body=json.dumps(body).encode() if body is not None else None,
        headers={"content-type": "application/json"},
    )
    result = api.handler(event, Context())
    return result["statusCode"], json.loads(result["body"]) if result.get("body") else None


ALICE = access_claims("user-alice", "agent")
BOB = access_claims("user-bob", "agent")


@pytest.mark.unit
def test_p16_two_agents_saving_the_same_ticket_version_one_gets_200_the_other_409(api: Any, store: Store) -> None:
    # Given two agents who opened the same ticket at the same version
    ticket_id = a_ticket(store)
    path = f"/api/tickets/{ticket_id}"
    seen = [call(api, "GET", path, who)[1]["version"] for who in (ALICE, BOB)]
    assert seen[0] == seen[1]
    # When both save a change against that version
    first = call(api, "PATCH", path, ALICE, {"version": seen[0], "priority": "high"})
    second = call(api, "PATCH", path, BOB, {"version": seen[1], "status": "pending"})
    # Then the first succeeds, the second gets 409 with the ticket as it is now, and its change is not applied
    assert first[0] == 200 and first[1]["version"] == seen[0] + 1
    assert second[0] == 409 and second[1]["current"]["version"] == seen[0] + 1
    ticket = store.tickets.get(TENANT, ticket_id)
    assert (ticket.priority, ticket.status, ticket.version) == ("high", "open", seen[0] + 1)


@pytest.mark.unit
def test_p16_a_save_that_lands_between_the_others_check_and_write_wins_and_the_other_gets_409(
    api: Any, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Alice's save has checked the version, and Bob's save of the same version runs before her write
    from mentiondesk.store.tickets import TicketStore

    ticket_id = a_ticket(store)
    path = f"/api/tickets/{ticket_id}"
    version = store.tickets.get(TENANT, ticket_id).version
    check = TicketStore._at_version
    answers: dict[str, tuple[int, Any]] = {}

    def check_then_bob_saves(self: TicketStore, tenant: str, ticket: str, wanted: int) -> Any:
        current = check(self, tenant, ticket, wanted)
        if "bob" not in answers:
            answers["bob"] = (0, None)  # Bob's own check must not start a third save
            answers["bob"] = call(api, "PATCH", path, BOB, {"version": version, "status": "pending"})
        return current

    monkeypatch.setattr(TicketStore, "_at_version", check_then_bob_saves)
    # When Alice's save goes on to its write
    answers["alice"] = call(api, "PATCH", path, ALICE, {"version": version, "status": "resolved"})
    # Then only the conditional write decided: Bob's save won, Alice's got 409, and Bob's change stands
    assert answers["bob"][0] == 200, answers["bob"]
    assert answers["alice"][0] == 409 and answers["alice"][1]["current"]["status"] == "pending"
    ticket = store.tickets.get(TENANT, ticket_id)
    assert (ticket.status, ticket.version) == ("pending", version + 1)
    changes = [e for e in store.tickets.detail(TENANT, ticket_id).events if e.type == "status_changed"]
    assert [(e.actor, e.detail["to"]) for e in changes] == [("user-bob", "pending")]


# -- 17. One triage per ticket on moto's executor; every Task guarded ------------------------------


@dataclasses.dataclass
class Executor:
    sfn: Any
    arn: str
    store: Store
    runtime: Any

    def wait(self, count: int, timeout: float = 20) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            runs = self.sfn.list_executions(stateMachineArn=self.arn)["executions"]
            if len(runs) >= count and all(r["status"] != "RUNNING" for r in runs):
                return list(runs)
            assert time.monotonic() < deadline, f"executions still running: {runs}"
            time.sleep(0.05)

    def states(self, run: dict[str, Any]) -> list[str]:
        history = self.sfn.get_execution_history(executionArn=run["executionArn"])["events"]
        return [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]


@pytest.fixture
def executor(monkeypatch: pytest.MonkeyPatch) -> Iterator[Executor]:
    """In-process moto running the ticket workflow from template.yaml for real: its ASL with the
    template's substitutions, an Express state machine, each task calling the function's real handler
    (mentiondesk.local.runtime); Retry intervals scaled down 100 times."""
    from mentiondesk.api import deps
    from mentiondesk.local import runtime as local_runtime
    from mentiondesk.models import ChannelAccount, Team
    from mentiondesk.store import factory
    from mentiondesk.store.factory import store_for
    from moto import mock_aws

    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    factory.aws_client.cache_clear()
    deps.reset()
    previous = local_runtime._active
    t = template()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        quiet = {
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
        runtime = local_runtime.LambdaRuntime(t, quiet)
        local_runtime.install_moto_patches(runtime, time_scale=100)
        props = t.resolve(t.raw["Resources"]["Table"]["Properties"])
        boto3.client("dynamodb").create_table(
            TableName=t.names["Table"],
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=props["AttributeDefinitions"],
            KeySchema=props["KeySchema"],
            GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
        )
        role = boto3.client("iam").create_role(RoleName="workflow", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as archive:
            archive.writestr("app.py", "# runs in-process\n")
        lam = boto3.client("lambda")
        for logical_id in (
            "TriageClassifyFunction",
            "TriageRulesFunction",
            "TriageSlaFunction",
            "TriageAssignFunction",
        ):
            function = t.functions[logical_id]
            lam.create_function(
                FunctionName=function.name,
                Runtime="python3.12",
                Role=role,
                Handler=function.handler,
                Code={"ZipFile": code.getvalue()},
            )
        boto3.client("scheduler").create_schedule_group(Name=t.names["SlaSchedules"])
        machine = t.state_machines["TicketWorkflow"]
        assert machine.kind == "EXPRESS"
        sfn = boto3.client("stepfunctions")
        arn = sfn.create_state_machine(
            name=machine.name, definition=machine.definition, roleArn=role, type=machine.kind
        )["stateMachineArn"]
        store = store_for(t.names["Table"])
        store.directory.put_tenant(TENANT, "Acme", "2026-11-01T00:00:00.000Z")
        store.directory.put_team(Team(tenant_id=TENANT, id="support", name="Support"))
        for agent in (make_agent("alice"), make_agent("bob")):
            store.directory.put_agent(agent)
        store.directory.register_channel(
            ChannelAccount(
                tenant_id=TENANT,
                platform="x",
                account_id=ACCOUNT_ID,
                handle="acme_help",
                team="support",
                created_at="2026-11-01T00:00:00.000Z",
                created_by="user-admin",
            )
        )
        try:
            yield Executor(sfn, arn, store, runtime)
        finally:
            local_runtime._active = previous
    factory.aws_client.cache_clear()
    deps.reset()


def triaged_once(executor: Executor, ticket_id: str) -> None:
    """The ticket shows one triage: classified once, assigned once, one agent's capacity taken once."""
    detail = executor.store.tickets.detail(TENANT, ticket_id)
    assert [e.type for e in detail.events] == ["ticket_created", "classified", "assigned"]
    assert detail.ticket.assignee is not None and detail.ticket.version == 3
    counts = [executor.store.directory.agent(TENANT, f"user-{n}").active_count for n in ("alice", "bob")]
    assert sorted(counts) == [0, 1]


def now_ticket(executor: Executor, native_id: str) -> str:
    return a_ticket(executor.store, native_id, at=datetime.now(UTC))


@pytest.mark.integration
def test_p17_workflow_starter_twice_for_one_ticket_triages_it_once(executor: Executor) -> None:
    from mentiondesk.workflow import WorkflowStarter, execution_name

    # Given a new ticket
    ticket_id = now_ticket(executor, "9400000000000000171")
    starter = WorkflowStarter(executor.sfn, executor.arn)
    # When ingest starts its triage twice (a redelivered webhook, a retried start)
    starts = [starter.start_triage(TENANT, ticket_id), starter.start_triage(TENANT, ticket_id)]
    runs = executor.wait(1)
    # Then one run, named after the ticket, triaged it; the second start did not run the tasks again
    assert starts[0] is True
    assert {r["name"] for r in runs} == {execution_name(TENANT, ticket_id)}
    states = [executor.states(r) for r in runs]
    assert sum("Classify Message" in s for s in states) == 1
    assert all(r["status"] == "SUCCEEDED" for r in runs)
    assert executor.runtime.invocations["TriageClassifyFunction"] == 1
    assert executor.runtime.invocations["TriageAssignFunction"] == 1
    triaged_once(executor, ticket_id)


@pytest.mark.integration
def test_p17_two_express_runs_with_the_same_claim_triage_the_ticket_once(executor: Executor) -> None:
    from mentiondesk.workflow import execution_name

    # Given a new ticket and two runs Express accepted for the same execution name (Express does not
    # dedupe names): each carries the claim for that name, with its own run id
    ticket_id = now_ticket(executor, "9400000000000000172")
    name = execution_name(TENANT, ticket_id)
    expires = int(time.time()) + 86400
    for n in (1, 2):
        claim = {"name": name, "run": uuid.uuid4().hex, "expires_at": expires}
        executor.sfn.start_execution(
            stateMachineArn=executor.arn,
            name=f"run{n}-{ticket_id}",
            input=json.dumps({"tenant_id": TENANT, "ticket_id": ticket_id, "claim": claim}),
        )
    # When both have run
    runs = executor.wait(2)
    # Then one claimed the name and triaged; the other ended at "Already Running" as a success
    paths = sorted((executor.states(r) for r in runs), key=len)
    assert paths[0] == ["Has A Claim", "Claim The Run", "Already Running"]
    assert paths[1][:3] == ["Has A Claim", "Claim The Run", "Classify Message"] and paths[1][-1] == "Triage Done"
    assert all(r["status"] == "SUCCEEDED" for r in runs)
    assert executor.runtime.invocations["TriageClassifyFunction"] == 1
    triaged_once(executor, ticket_id)


@pytest.mark.integration
def test_p17_an_express_duplicate_of_one_run_same_claim_and_run_id_still_triages_the_ticket_once(
    executor: Executor,
) -> None:
    from mentiondesk.workflow import execution_name

    # Given Express running one start twice (at least once): identical input, the same claim and run id,
    # so both pass "Claim The Run" (a run may retry its own claim)
    ticket_id = now_ticket(executor, "9400000000000000173")
    claim = {"name": execution_name(TENANT, ticket_id), "run": uuid.uuid4().hex, "expires_at": int(time.time()) + 86400}
    payload = json.dumps({"tenant_id": TENANT, "ticket_id": ticket_id, "claim": claim})
    for n in (1, 2):
        executor.sfn.start_execution(stateMachineArn=executor.arn, name=f"dup{n}-{ticket_id}", input=payload)
    # When both have run
    runs = executor.wait(2)
    # Then each task recorded its work once: one classification, one assignment, one capacity taken
    assert all(r["status"] == "SUCCEEDED" for r in runs)
    triaged_once(executor, ticket_id)


def asl_files() -> list[Path]:
    """Every *.asl.json of the project (not of its virtual environments or build output)."""
    skip = {"node_modules", "tests"}
    tops = [p for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name not in skip]
    return sorted(f for top in tops for f in top.rglob("*.asl.json"))


def task_states(states: dict[str, Any], where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every Task state, in branches (Parallel) and item processors (Map) too."""
    for name, state in states.items():
        if state.get("Type") == "Task":
            yield f"{where}{name}", state
        for branch in state.get("Branches", []):
            yield from task_states(branch["States"], f"{where}{name} / ")
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:
            yield from task_states(processor["States"], f"{where}{name} / ")


def task_problems(definition: dict[str, Any]) -> list[str]:
    """What a Task lacks: a timeout, a Retry on transient errors of what it calls, a Catch-all."""
    problems = []
    for name, state in task_states(definition["States"]):
        timeout = state.get("TimeoutSeconds")
        if not (isinstance(timeout, int) and 0 < timeout <= 300) and "TimeoutSecondsPath" not in state:
            problems.append(f"{name}: no TimeoutSeconds (at most the Express limit, 300 s)")
        retried = {error for retrier in state.get("Retry", []) for error in retrier.get("ErrorEquals", [])}
        resource = str(state.get("Resource", ""))
        transient = {"States.Timeout"}
        if ":lambda:" in resource or resource.startswith("arn:aws:lambda:") or "FunctionArn}" in resource:
            transient |= TRANSIENT_LAMBDA_ERRORS
        elif ":dynamodb:" in resource:
            transient |= TRANSIENT_DYNAMODB_ERRORS
        missing = transient - retried if "States.ALL" not in retried else set()
        if missing:
            problems.append(f"{name}: no Retry on {sorted(missing)}")
        catchers = state.get("Catch", [])
        if not catchers or "States.ALL" not in catchers[-1].get("ErrorEquals", []):
            problems.append(f"{name}: no Catch ending in States.ALL")
    return problems


@pytest.mark.unit
def test_p17_every_task_of_every_asl_file_has_a_timeout_a_retry_on_transient_errors_and_a_catch() -> None:
    # Given every ASL file in the project
    files = asl_files()
    assert files, "no *.asl.json found"
    # When each Task state is checked / Then none lacks a timeout, a transient Retry or a Catch
    problems = [
        f"{p.relative_to(ROOT)}: {problem}" for p in files for problem in task_problems(json.loads(p.read_text()))
    ]
    assert problems == []
    tasks = [name for p in files for name, _ in task_states(json.loads(p.read_text())["States"])]
    assert len(tasks) >= 6


@pytest.mark.unit
def test_p17_the_task_check_catches_a_missing_timeout_retry_or_catch() -> None:
    # Given the ticket workflow with one guard removed from "Assign Agent" at a time
    definition = json.loads((ROOT / "infra/statemachines/ticket_workflow.asl.json").read_text())
    broken = {"TimeoutSeconds": "no TimeoutSeconds", "Retry": "no Retry on", "Catch": "no Catch"}
    for key, expected in broken.items():
        changed = copy.deepcopy(definition)
        del changed["States"]["Assign Agent"][key]
        # When it is checked / Then exactly that is reported, for that state
        problems = task_problems(changed)
        assert len(problems) == 1 and problems[0].startswith("Assign Agent: " + expected), problems
    throttled_only = copy.deepcopy(definition)
    throttled_only["States"]["Classify Message"]["Retry"][0]["ErrorEquals"] = ["Lambda.TooManyRequestsException"]
    assert any("Lambda.ServiceException" in p for p in task_problems(throttled_only))


# -- 18. Infrastructure ------------------------------------------------------------------------------


def target_of(reference: Any) -> str | None:
    """The logical id a `!GetAtt X.Arn` / `!Ref X` names (None for anything else)."""
    if isinstance(reference, dict) and len(reference) == 1:
        ((key, arg),) = reference.items()
        if key == "Fn::GetAtt":
            return str(arg[0] if isinstance(arg, list) else arg.split(".", 1)[0])
        if key == "Ref":
            return str(arg)
    return None


def functions_of(t: LocalTemplate) -> dict[str, dict[str, Any]]:
    return {k: v.get("Properties", {}) for k, v in t.resources("AWS::Serverless::Function").items()}


def on_failure(props: dict[str, Any]) -> str | None:
    destination = ((props.get("EventInvokeConfig") or {}).get("DestinationConfig") or {}).get("OnFailure") or {}
    return target_of(destination.get("Destination")) or target_of((props.get("DeadLetterQueue") or {}).get("TargetArn"))


def dead_letter_queues(t: LocalTemplate) -> set[str]:
    """Queues something fails over to: redrive targets, on-failure destinations, schedules' DLQs."""
    found: set[str] = set()
    for props in (r.get("Properties", {}) for r in t.resources("AWS::SQS::Queue").values()):
        found.add(target_of((props.get("RedrivePolicy") or {}).get("deadLetterTargetArn")) or "")
    for props in functions_of(t).values():
        found.add(on_failure(props) or "")
        for event in (props.get("Events") or {}).values():
            found.add(target_of((event.get("Properties", {}).get("DeadLetterConfig") or {}).get("Arn")) or "")
        variables = (props.get("Environment") or {}).get("Variables") or {}
        found.add(target_of(variables.get("SLA_DEAD_LETTER_ARN")) or "")
    for resource in t.resources("AWS::Scheduler::Schedule").values():
        found.add(target_of((resource["Properties"]["Target"].get("DeadLetterConfig") or {}).get("Arn")) or "")
    for resource in t.resources("AWS::Events::Rule").values():
        for target in resource["Properties"].get("Targets", []):
            found.add(target_of((target.get("DeadLetterConfig") or {}).get("Arn")) or "")
    return found - {""}


def dead_letter_alarms(t: LocalTemplate, queue: str) -> list[dict[str, Any]]:
    """Alarms that fire as soon as one message is visible in `queue`."""
    alarms = []
    for resource in t.resources("AWS::CloudWatch::Alarm").values():
        props = resource["Properties"]
        watched = {target_of(d.get("Value")) for d in props.get("Dimensions", []) if d.get("Name") == "QueueName"}
        fires_on_one = (props.get("ComparisonOperator"), props.get("Threshold")) in (
            ("GreaterThanThreshold", 0),
            ("GreaterThanOrEqualToThreshold", 1),
        )
        if (
            queue in watched
            and props.get("Namespace") == "AWS/SQS"
            and props.get("MetricName") == "ApproximateNumberOfMessagesVisible"
            and fires_on_one
            and props.get("AlarmActions")
        ):
            alarms.append(props)
    return alarms


def queue_problems(t: LocalTemplate) -> list[str]:
    dead = dead_letter_queues(t)
    problems = []
    for logical_id, resource in t.resources("AWS::SQS::Queue").items():
        props = resource.get("Properties", {})
        if logical_id in dead:
            if not dead_letter_alarms(t, logical_id):
                problems.append(f"{logical_id} (a dead-letter queue) has no alarm on its first message")
            continue
        redrive = props.get("RedrivePolicy") or {}
        if not target_of(redrive.get("deadLetterTargetArn")) or int(redrive.get("maxReceiveCount", 0)) < 1:
            problems.append(f"{logical_id} has no RedrivePolicy")
    return problems


def async_target_problems(t: LocalTemplate) -> list[str]:
    """Functions invoked asynchronously (schedules, rules, notifications, or named as a timer's target
    in another function's environment) need an on-failure destination; the schedules themselves a DLQ."""
    functions = functions_of(t)
    env_values = {
        str(v)
        for props in functions.values()
        for v in t.resolve((props.get("Environment") or {}).get("Variables") or {}).values()
    }
    problems = []
    for logical_id, props in functions.items():
        events = (props.get("Events") or {}).items()
        asynchronous = [name for name, e in events if e["Type"] in ASYNC_EVENT_TYPES]
        if (asynchronous or t.arns[logical_id] in env_values) and not on_failure(props):
            problems.append(f"{logical_id} is invoked asynchronously and has no on-failure destination")
        for name, event in events:
            scheduled = event["Type"] in ("Schedule", "ScheduleV2", "EventBridgeRule", "CloudWatchEvent")
            if scheduled and not target_of((event.get("Properties", {}).get("DeadLetterConfig") or {}).get("Arn")):
                problems.append(f"{logical_id}.{name} has no DeadLetterConfig")
        variables = (props.get("Environment") or {}).get("Variables") or {}
        if "SLA_SCHEDULE_GROUP" in variables and not target_of(variables.get("SLA_DEAD_LETTER_ARN")):
            problems.append(f"{logical_id} creates SLA schedules without SLA_DEAD_LETTER_ARN")
    for logical_id, resource in t.resources("AWS::Scheduler::Schedule").items():
        if not (resource["Properties"]["Target"].get("DeadLetterConfig") or {}).get("Arn"):
            problems.append(f"{logical_id} has no DeadLetterConfig")
    for logical_id, resource in t.resources("AWS::Events::Rule").items():
        for target in resource["Properties"].get("Targets", []):
            if not (target.get("DeadLetterConfig") or {}).get("Arn"):
                problems.append(f"{logical_id} target {target.get('Id')} has no DeadLetterConfig")
    return problems


def throttling_problems(t: LocalTemplate) -> list[str]:
    apis = {**t.resources("AWS::Serverless::HttpApi"), **t.resources("AWS::ApiGatewayV2::Stage")}
    problems = [] if apis else ["no HTTP API found"]
    for logical_id, resource in apis.items():
        settings = resource.get("Properties", {}).get("DefaultRouteSettings") or {}
        for key in ("ThrottlingBurstLimit", "ThrottlingRateLimit"):
            if not (isinstance(settings.get(key), int | float) and settings[key] > 0):
                problems.append(f"{logical_id} has no DefaultRouteSettings.{key}")
    return problems


def visibility_problems(t: LocalTemplate) -> list[str]:
    problems = []
    for logical_id, props in functions_of(t).items():
        timeout = t.functions[logical_id].timeout
        for event in (props.get("Events") or {}).values():
            if event["Type"] != "SQS":
                continue
            queue = target_of(event["Properties"]["Queue"]) or ""
            visibility = int(t.raw["Resources"][queue].get("Properties", {}).get("VisibilityTimeout", 30))
            needed = 6 * timeout + int(event["Properties"].get("MaximumBatchingWindowInSeconds", 0))
            if visibility < needed:
                problems.append(f"{queue}: VisibilityTimeout {visibility} < 6 x {logical_id}'s timeout ({needed})")
    return problems


def backup_problems(t: LocalTemplate) -> list[str]:
    tables = t.resources("AWS::DynamoDB::Table")
    problems = [] if tables else ["no table found"]
    for logical_id, resource in tables.items():
        pitr = resource["Properties"].get("PointInTimeRecoverySpecification") or {}
        if pitr.get("PointInTimeRecoveryEnabled") is not True:
            problems.append(f"{logical_id} has no point-in-time recovery")
    return problems


INFRA_CHECKS: dict[str, Callable[[LocalTemplate], list[str]]] = {
    "every queue has a redrive policy and every dead-letter queue an alarm": queue_problems,
    "every async target has an on-failure destination": async_target_problems,
    "the HTTP API has throttling": throttling_problems,
    "visibility timeout >= 6 x the consumer's timeout": visibility_problems,
    "point-in-time recovery is on": backup_problems,
}


@pytest.mark.unit
@pytest.mark.parametrize("check", list(INFRA_CHECKS), ids=[f.__name__ for f in INFRA_CHECKS.values()])
def test_p18_template_yaml_meets_the_infrastructure_property(check: str) -> None:
    # Given template.yaml as deployed / When it is checked / Then nothing is missing
    assert INFRA_CHECKS[check](template()) == []


@pytest.mark.unit
def test_p18_the_template_has_what_the_checks_look_at() -> None:
    # Given template.yaml / Then the checks above had something to check (a renamed key would pass them empty)
    t = template()
    assert len(t.resources("AWS::SQS::Queue")) >= 3 and {
        "SendDeadLetterQueue",
        "FailedInvocationsQueue",
    } <= dead_letter_queues(t)
    assert t.functions["SendReplyFunction"].queues == [("SendQueue", 10)]
    async_functions = [k for k, p in functions_of(t).items() if on_failure(p)]
    assert "SlaCheckFunction" in async_functions and len(async_functions) >= 6


def broken(mutate: Callable[[dict[str, Any]], None]) -> LocalTemplate:
    raw = copy.deepcopy(template().raw)
    mutate(raw["Resources"])
    return dataclasses.replace(template(), raw=raw)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("check", "mutate", "expected"),
    [
        (queue_problems, lambda r: r["SendQueue"]["Properties"].pop("RedrivePolicy"), "SendQueue has no RedrivePolicy"),
        (
            queue_problems,
            lambda r: r.pop("SendDeadLetterAlarm"),
            "SendDeadLetterQueue (a dead-letter queue) has no alarm",
        ),
        (
            queue_problems,
            lambda r: r["FailedInvocationsAlarm"]["Properties"].update(Threshold=5),
            "FailedInvocationsQueue",
        ),
        (
            async_target_problems,
            lambda r: r["SlaCheckFunction"]["Properties"].pop("EventInvokeConfig"),
            "SlaCheckFunction",
        ),
        (
            async_target_problems,
            lambda r: r["PollXSearchFunction"]["Properties"].pop("EventInvokeConfig"),
            "PollXSearchFunction",
        ),
        (
            async_target_problems,
            lambda r: r["SendReplyFunction"]["Properties"]["Events"]["EveryMinute"]["Properties"].pop(
                "DeadLetterConfig"
            ),
            "SendReplyFunction.EveryMinute has no DeadLetterConfig",
        ),
        (
            async_target_problems,
            lambda r: r["ApiFunction"]["Properties"]["Environment"]["Variables"].pop("SLA_DEAD_LETTER_ARN"),
            "ApiFunction creates SLA schedules",
        ),
        (throttling_problems, lambda r: r["HttpApi"]["Properties"].pop("DefaultRouteSettings"), "ThrottlingBurstLimit"),
        (visibility_problems, lambda r: r["SendQueue"]["Properties"].update(VisibilityTimeout=179), "SendQueue"),
        (visibility_problems, lambda r: r["SendQueue"]["Properties"].pop("VisibilityTimeout"), "SendQueue"),
        (
            backup_problems,
            lambda r: r["Table"]["Properties"]["PointInTimeRecoverySpecification"].update(
                PointInTimeRecoveryEnabled=False
            ),
            "Table has no point-in-time recovery",
        ),
    ],
    ids=[
        "no-redrive",
        "dlq-without-alarm",
        "alarm-too-late",
        "sla-check-no-destination",
        "poller-no-destination",
        "schedule-no-dlq",
        "sla-timers-no-dlq",
        "api-no-throttling",
        "visibility-too-short",
        "visibility-default",
        "pitr-off",
    ],
)
def test_p18_each_infrastructure_check_catches_what_it_guards(
    check: Callable[[LocalTemplate], list[str]], mutate: Callable[[dict[str, Any]], None], expected: str
) -> None:
    # Given template.yaml with one safeguard removed / When checked / Then that is reported
    problems = check(broken(mutate))
    assert any(expected in p for p in problems), problems


@pytest.mark.unit
def test_p18_sla_timer_schedules_made_at_run_time_carry_a_retry_policy_and_a_dead_letter_queue() -> None:
    from mentiondesk.workflow import SlaTimers

    # Given the SLA timers as functions build them (the template gives them SLA_DEAD_LETTER_ARN)
    class Scheduler:
        def __init__(self) -> None:
            self.created: list[dict[str, Any]] = []

        def create_schedule(self, **request: Any) -> None:
            self.created.append(request)

    scheduler = Scheduler()
    dead_letter = template().arns["FailedInvocationsQueue"]
    timers = SlaTimers(
        scheduler, "group", "arn:aws:lambda:us-east-1:123456789012:function:sla", "arn:aws:iam::1:role/r", dead_letter
    )
    # When a wake is scheduled
    timers.start(TENANT, "01TICKET00000000000000000A", 1, iso(T0 + timedelta(hours=1)))
    # Then Scheduler retries it and fails over to the alarmed queue
    (target,) = [c["Target"] for c in scheduler.created]
    assert target["DeadLetterConfig"] == {"Arn": dead_letter}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    assert dead_letter_alarms(template(), "FailedInvocationsQueue")
