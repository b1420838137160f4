"""The outbox sender: every reply reaches the platform at most once, whatever fails and whenever."""

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mentiondesk.clock import iso
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import Author, InboundMessage, TicketEvent
from mentiondesk.replies.platforms import (
    SendAmbiguous,
    SendNotDelivered,
    SendRateLimited,
    SendRefused,
    SendRequest,
    Sent,
)
from mentiondesk.replies.sender import OutboxSender, SendPolicy
from mentiondesk.store.factory import Store
from mentiondesk.store.outbox import OutboxRef, outbox_item

from tests.conftest import ACCOUNT_ID, RecordingStarter

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Platform:
    """A scripted platform: answers in order (an exception is raised), and counts what it received."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.received: list[SendRequest] = []
        self.lock = threading.Lock()
        self.during: Any = None  # called inside send, after the platform "took" the request

    def send(self, request: SendRequest) -> Sent:
        with self.lock:
            self.received.append(request)
            answer = self.answers.pop(0) if self.answers else Sent(f"post-{len(self.received)}")
        if self.during:
            self.during()
        if isinstance(answer, BaseException):
            raise answer
        return answer


class Timers:
    def start(self, tenant: str, ticket_id: str, generation: int, wake_at: str) -> bool:
        return True

    def stop(self, tenant: str, ticket_id: str, generation: int, wake_at: str) -> None:
        return None


class Queue:
    def __init__(self) -> None:
        self.sent: list[tuple[OutboxRef, int]] = []

    def __call__(self, ref: OutboxRef, delay_seconds: int) -> None:
        self.sent.append((ref, delay_seconds))


def a_ticket(store: Store) -> str:
    IngestService(store, RecordingStarter(), clock=lambda: iso(T0)).apply(
        [
            InboundMessage(
                platform="x",
                account_id=ACCOUNT_ID,
                native_id="9400000000000000001",
                kind="mention",
                conversation_id="9400000000000000001",
                author=Author(platform_user_id="2000000000000000001", handle="tom", display_name="Tom"),
                text="@acme_help my order has not arrived",
                created_at=iso(T0),
            )
        ]
    )
    return store.tickets.inbox("acme", None, 1, None).items[0].id


def queue_reply(store: Store, tenant: str, ticket_id: str, **fields: Any) -> OutboxRef:
    ticket = store.tickets.get(tenant, ticket_id)
    item = outbox_item(
        tenant,
        ticket_id,
        fields.pop("operation", "reply"),
        "agent:user-alice",
        iso(T0),
        platform="x",
        account_id=ACCOUNT_ID,
        mode="public",
        reply_to_native_id="9400000000000000001",
        conversation_id="9400000000000000001",
        customer_id="x:2000000000000000001",
        text="Tom, sorry for the wait: we are checking now. ^Alice",
        author_name="Alice",
        **fields,
    )
    event = TicketEvent(type="reply_queued", at=iso(T0), actor="user-alice", detail={"outbox_id": item["id"]})
    store.tickets.queue_outbox(tenant, ticket_id, ticket.version, item, event)
    return OutboxRef.of(item)


def sender(store: Store, platform: Platform, clock: Clock, queue: Queue, worker: str = "w1") -> OutboxSender:
    return OutboxSender(store, platform, Timers(), queue, worker, clock=clock, policy=SendPolicy(max_attempts=3))


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_reply_is_sent_once_recorded_in_the_thread_and_redeliveries_do_nothing(
    store: Store, tenant: str, clock: Clock
) -> None:
    # Given a queued reply
    ticket_id = a_ticket(store)
    ref = queue_reply(store, tenant, ticket_id)
    platform, queue = Platform(Sent("1900000000000000001", "https://x.com/i/web/status/1900000000000000001")), Queue()
    # When the worker takes it, and the message is delivered twice more
    worker = sender(store, platform, clock, queue)
    assert worker.process(ref) == "sent"
    assert worker.process(ref) == "skipped" and worker.process(ref) == "skipped"
    # Then X got it once, with the reply's target
    assert len(platform.received) == 1
    request = platform.received[0]
    assert (request.mode, request.target_id, request.account_id) == ("public", "9400000000000000001", ACCOUNT_ID)
    detail = store.tickets.detail(tenant, ticket_id)
    (item,) = detail.outbox
    assert item["status"] == "SENT" and item["platform_id"] == "1900000000000000001"
    assert "GSI5PK" not in store.outbox.get(ref)  # settled items leave the sweep index
    # And the reply is in the thread once, which is what stops the SLA clocks
    outbound = [m for m in detail.messages if m.direction == "outbound"]
    assert [m.native_id for m in outbound] == ["1900000000000000001"]
    assert detail.ticket.model_dump().get("updated_at") == iso(T0)
    assert [e.type for e in detail.events][-1] == "reply_sent"
    # And the copy-paste check will remember it
    assert store.outbox.recent_replies(tenant, iso(T0 - timedelta(days=7)), iso(T0))[0]["customer_id"] == (
        "x:2000000000000000001"
    )


def test_two_workers_racing_send_once(store: Store, tenant: str, clock: Clock) -> None:
    ticket_id = a_ticket(store)
    ref = queue_reply(store, tenant, ticket_id)
    platform = Platform()
    outcomes: list[str] = []
    workers = [sender(store, platform, clock, Queue(), worker=f"w{n}") for n in range(4)]
    threads = [threading.Thread(target=lambda w=w: outcomes.append(w.process(ref))) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(platform.received) == 1
    assert sorted(outcomes) == ["sent", "skipped", "skipped", "skipped"]


def test_a_permanent_refusal_fails_the_reply_and_tells_its_agent(store: Store, tenant: str, clock: Clock) -> None:
    ticket_id = a_ticket(store)
    ref = queue_reply(store, tenant, ticket_id)
    refused = SendRefused("X refused the post as a duplicate of one already sent", status=403, code="duplicate")
    worker = sender(store, Platform(refused), clock, Queue())
    assert worker.process(ref) == "failed"
    item = store.outbox.get(ref)
    assert item is not None and item["status"] == "FAILED" and item["reason_code"] == "duplicate"
    assert "duplicate" in item["reason"]
    (note,) = store.notifications.recent(tenant, "user-alice")
    assert note["kind"] == "reply_failed" and note["ticket_id"] == ticket_id
    assert store.tickets.detail(tenant, ticket_id).events[-1].type == "reply_failed"
    assert worker.process(ref) == "skipped"  # a person may queue it again; the sender never does


def test_an_ambiguous_answer_leaves_it_unknown_and_it_is_never_resent(store: Store, tenant: str, clock: Clock) -> None:
    ticket_id = a_ticket(store)
    ref = queue_reply(store, tenant, ticket_id)
    platform, queue = Platform(SendAmbiguous("X timed out after the post was sent", safe_to_retry=False)), Queue()
    worker = sender(store, platform, clock, queue)
    assert worker.process(ref) == "unknown"
    clock.advance(3600)
    assert worker.process(ref) == "skipped"
    assert worker.sweep() == {"requeued": 0, "abandoned": 0, "settled": 0}
    assert len(platform.received) == 1 and queue.sent == []
    item = store.outbox.get(ref)
    assert item is not None and item["status"] == "UNKNOWN"
    assert store.notifications.recent(tenant, "user-alice")[0]["kind"] == "reply_unknown"


def test_an_idempotent_call_that_timed_out_is_tried_again(store: Store, tenant: str, clock: Clock) -> None:
    ticket_id = a_ticket(store)
    ref = queue_reply(store, tenant, ticket_id, operation="hide_comment", target_native_id="9400000000000000001")
    timeout = SendAmbiguous("X timed out", safe_to_retry=True)
    platform, queue = Platform(timeout, Sent("9400000000000000001:hidden")), Queue()
    worker = sender(store, platform, clock, queue)
    assert worker.process(ref) == "deferred"
    assert queue.sent == [(ref, 30)]
    clock.advance(30)
    assert worker.process(ref) == "sent"
    assert store.tickets.detail(tenant, ticket_id).events[-1].type == "comment_hidden"


def test_a_rate_limit_defers_until_the_window_resets_and_calls_nothing_before(
    store: Store, tenant: str, clock: Clock
) -> None:
    ticket_id = a_ticket(store)
    ref = queue_reply(store, tenant, ticket_id)
    limited = SendRateLimited("X's posting limit is spent", not_before=int(T0.timestamp()) + 600)
    platform, queue = Platform(limited), Queue()
    worker = sender(store, platform, clock, queue)
    # When X answers 429
    assert worker.process(ref) == "deferred"
    # Then it is PENDING again, queued for the reset, not dead-lettered or failed
    item = store.outbox.get(ref)
    assert item is not None and item["status"] == "PENDING" and item["not_before"] == iso(T0 + timedelta(seconds=600))
    assert queue.sent[-1] == (ref, 600)
    # And a message arriving early makes no call, only queues it for the rest of the wait
    clock.advance(100)
    assert worker.process(ref) == "deferred" and len(platform.received) == 1
    assert queue.sent[-1] == (ref, 500)
    clock.advance(500)
    assert worker.process(ref) == "sent" and len(platform.received) == 2


def test_an_unreachable_platform_is_retried_with_backoff_then_failed(store: Store, tenant: str, clock: Clock) -> None:
    ticket_id = a_ticket(store)
    ref = queue_reply(store, tenant, ticket_id)
    down = [SendNotDelivered("X could not be reached") for _ in range(3)]
    platform, queue = Platform(*down), Queue()
    worker = sender(store, platform, clock, queue)
    delays = []
    for _ in range(2):
        assert worker.process(ref) == "deferred"
        delays.append(queue.sent[-1][1])
        clock.advance(queue.sent[-1][1])
    assert delays == [30, 60]
    assert worker.process(ref) == "failed"
    item = store.outbox.get(ref)
    assert item is not None and item["reason_code"] == "unreachable" and "3 attempts" in item["reason"]


def test_a_worker_killed_after_the_platform_answered_never_sends_twice(store: Store, tenant: str, clock: Clock) -> None:
    # Given a worker that dies between X's 201 and the outbox update
    ticket_id = a_ticket(store)
    ref = queue_reply(store, tenant, ticket_id)
    platform, queue = Platform(), Queue()

    class Killed(BaseException):
        pass

    def die() -> None:
        raise Killed

    platform.during = die
    with pytest.raises(Killed):
        sender(store, platform, clock, queue, worker="dies").process(ref)
    platform.during = None
    # When SQS redelivers the message to another worker while the lease runs
    other = sender(store, platform, clock, queue, worker="w2")
    assert other.process(ref) == "skipped"
    # And after the lease the message comes back again, and the sweeper runs
    clock.advance(61)
    assert other.process(ref) == "unknown"
    assert other.sweep()["abandoned"] == 0
    # Then X got the post once, and a person decides what the customer saw
    assert len(platform.received) == 1
    item = store.outbox.get(ref)
    assert item is not None and item["status"] == "UNKNOWN" and item["reason_code"] == "abandoned"


def test_the_sweeper_settles_a_dead_lease_and_the_late_answer_still_counts(
    store: Store, tenant: str, clock: Clock
) -> None:
    ticket_id = a_ticket(store)
    ref = queue_reply(store, tenant, ticket_id)
    platform, queue = Platform(), Queue()
    worker = sender(store, platform, clock, queue, worker="slow")
    sweeper = sender(store, Platform(), clock, queue, worker="sweeper")

    def slow_answer() -> None:
        # The platform takes longer than the lease; the sweeper gives the item up meanwhile.
        clock.advance(61)
        assert sweeper.sweep()["abandoned"] == 1

    platform.during = slow_answer
    # When the answer finally arrives, the worker that held the lease settles it SENT
    assert worker.process(ref) == "sent"
    item = store.outbox.get(ref)
    assert item is not None and item["status"] == "SENT"
    assert [m.direction for m in store.tickets.detail(tenant, ticket_id).messages].count("outbound") == 1


def test_the_sweeper_requeues_an_item_whose_message_was_lost(store: Store, tenant: str, clock: Clock) -> None:
    ticket_id = a_ticket(store)
    ref = queue_reply(store, tenant, ticket_id)
    queue = Queue()
    worker = sender(store, Platform(), clock, queue)
    assert worker.sweep()["requeued"] == 0  # within the grace period its message may still arrive
    clock.advance(61)
    assert worker.sweep()["requeued"] == 1 and queue.sent == [(ref, 0)]
    assert worker.sweep()["requeued"] == 0  # looked at again only a few minutes later
    assert worker.process(ref) == "sent"
    clock.advance(3600)
    assert worker.sweep() == {"requeued": 0, "abandoned": 0, "settled": 0}


def test_a_missing_item_is_nothing_to_do(store: Store, tenant: str, clock: Clock) -> None:
    worker = sender(store, Platform(), clock, Queue())
    assert worker.process(OutboxRef(tenant, "01TICKET00000000000000000A", "OUT#x")) == "missing"
