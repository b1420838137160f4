"""Fault injection on the local stack (reliability properties 7, 11, 13, 15 and 17).

AWS errors are injected into the boto3 clients the in-process functions really use (botocore's
before-call hook), scoped to one function; platform faults come from fake X; queue redeliveries are
real SQS redeliveries of the same message. Every test asserts the end state the fault must leave:
nothing lost, nothing doubled, every failure visible to a person or an alarm.
"""

import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from botocore.awsrequest import AWSResponse
from mentiondesk import clock
from mentiondesk.channels import x
from mentiondesk.errors import TransientStoreError
from mentiondesk.local import demo
from mentiondesk.local.stack import LocalStack
from mentiondesk.local.template import load_template
from mentiondesk.replies import platforms
from mentiondesk.store.factory import aws_client
from mentiondesk.store.outbox import OutboxRef
from mentiondesk.triage import task

from tests.integration.test_local_stack import auth, wait_for
from tests.integration.test_replies_local import detail, outbox_status, posts_to, reply, text_for

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

TRIAGE_ATTEMPTS = 5  # the "Classify Message" Task: the first try and its Retry's MaxAttempts of 4
_ids = itertools.count(int(time.time() * 1000) * 1000 + 7)
_customers = itertools.cycle(demo.CUSTOMERS)


# -- the fault injector ---------------------------------------------------------------------------


class WorkerKilled(Exception):
    """Stands in for a Lambda instance dying: raised out of an AWS call, nothing after it runs."""


@dataclass
class Fault:
    """One injected AWS error: `code` (HTTP `status`) for `operation` calls made by `function`."""

    function: str
    code: str
    status: int
    times: int | None  # None: every call until the test ends or `stop()`
    when: Callable[[], bool] | None = None
    kill: bool = False
    injected: int = 0

    def stop(self) -> None:
        self.times = 0

    def takes(self) -> bool:
        if self.times is not None and self.injected >= self.times:
            return False
        return self.when is None or self.when()


class AwsFaults:
    """Answers chosen AWS calls of one in-process function with an error, before any request is sent.

    botocore's before-call hook answers instead of the service, so the SDK's own retries are skipped:
    the code sees the error its retries would finally have raised. A call is matched by the function
    running on the calling thread (the local stack runs each invocation on its caller's thread), so the
    test's own reads and the other functions are untouched.
    """

    def __init__(self, stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
        self._local = threading.local()
        self._hooks: list[tuple[Any, str, Callable[..., Any]]] = []
        self.invocations: Counter[str] = Counter()  # per logical id, since this injector was made
        by_name = {f.name: f.logical_id for f in stack.template.functions.values()}
        original = stack.runtime.invoke

        def invoke(function_ref: str, event: Any) -> Any:
            previous = getattr(self._local, "function", None)
            self._local.function = by_name.get(function_ref, function_ref)
            self.invocations[self._local.function] += 1
            try:
                return original(function_ref, event)
            finally:
                self._local.function = previous

        monkeypatch.setattr(stack.runtime, "invoke", invoke)

    def fail(
        self,
        service: str,
        operation: str | None,
        code: str,
        *,
        function: str,
        status: int = 400,
        times: int | None = None,
        when: Callable[[], bool] | None = None,
        kill: bool = False,
    ) -> Fault:
        """Fail `function`'s `service` calls (`operation`, or every one when None) with `code`."""
        fault = Fault(function, code, status, times, when, kill)
        client = aws_client(service)  # the cached client every in-process function shares
        event = f"before-call.{client.meta.service_model.service_id.hyphenize()}"
        if operation:
            event += f".{operation}"

        def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
            if getattr(self._local, "function", None) != fault.function or not fault.takes():
                return None
            fault.injected += 1
            if fault.kill:
                raise WorkerKilled("the worker died")
            error = {"Error": {"Code": code, "Message": "injected by the test"}}
            return AWSResponse("https://fault.invalid", status, {}, None), {
                **error,
                "ResponseMetadata": {"HTTPStatusCode": status, "RetryAttempts": 2},
            }

        client.meta.events.register(event, answer)
        self._hooks.append((client, event, answer))
        return fault

    def remove(self) -> None:
        for client, event, handler in self._hooks:
            client.meta.events.unregister(event, handler)
        self._hooks.clear()


class QueueRedelivery:
    """The SQS event source mapping with the visibility timeout scaled to zero: a message that failed
    (or whose delete was lost) is received again at once, as the same SQS message. Records every
    delivery: message id, body and ApproximateReceiveCount."""

    def __init__(self, stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
        self.deliveries: list[tuple[str, str, int]] = []
        self.lose_delete: Callable[[dict[str, Any]], bool] = lambda _message: False
        original = stack.deliver

        def deliver(function_id: str, queue_id: str, messages: list[dict[str, Any]]) -> list[str]:
            lost = {m["MessageId"] for m in messages if self.lose_delete(m)}
            for m in messages:
                count = int(m.get("Attributes", {}).get("ApproximateReceiveCount", 0))
                self.deliveries.append((m["MessageId"], m["Body"], count))
            # A receipt handle SQS does not know: the mapping's DeleteMessageBatch fails for that message.
            handed = [
                {**m, "ReceiptHandle": f"lost-{m['MessageId']}"} if m["MessageId"] in lost else m for m in messages
            ]
            failed = original(function_id, queue_id, handed)
            sqs = stack.client("sqs")
            url = stack.queue_url(queue_id)
            for m in messages:
                if m["MessageId"] in lost or m["MessageId"] in failed:
                    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
            return failed

        monkeypatch.setattr(stack, "deliver", deliver)

    def counts(self, message_id: str) -> list[int]:
        """The ApproximateReceiveCount of each delivery of one message."""
        return [count for mid, _body, count in self.deliveries if mid == message_id]

    def of_ticket(self, ticket_id: str) -> list[tuple[str, str, int]]:
        """The deliveries of messages naming an outbox item of the ticket."""
        return [d for d in self.deliveries if f'"{ticket_id}"' in d[1]]


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    # Virtual time: send leases and the sweeper run on a clock the test moves; minute schedules tick each second.
    with LocalStack(port=0, demo=True, simulate=False, time_scale=60, virtual_time=True) as running:
        yield running


@pytest.fixture
def faults(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsFaults]:
    injector = AwsFaults(stack, monkeypatch)
    yield injector
    injector.remove()


@pytest.fixture
def redelivery(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> QueueRedelivery:
    return QueueRedelivery(stack, monkeypatch)


# -- helpers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    tweet_id: str
    marker: str
    body: bytes
    signature: str


def new_mention(stack: LocalStack, *, on_x: bool = False) -> Mention:
    """A customer's new mention of the demo account and its signed Account Activity delivery, as X sends it
    (and sends it again after a 5xx). With `on_x` the post exists on fake X too, so a reply to it is
    accepted there (and the mentions poller may find it as well: a duplicate, stored once)."""
    tweet_id = str(next(_ids))
    customer = next(_customers)
    marker = f"fi{tweet_id[-9:]}"
    text = f"@{demo.X_HANDLE} 注文した商品がまだ届きません {marker}"
    now = datetime.now(UTC)
    if on_x:
        stack.fakes.x_api.add_post(
            {
                "id": tweet_id,
                "text": text,
                "created_at": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "conversation_id": tweet_id,
                "lang": customer.lang,
            },
            {"id": customer.id, "username": customer.handle, "name": customer.name},
        )
    body = json.dumps(demo.build_delivery(customer, text, tweet_id, None, now), ensure_ascii=False).encode()
    return Mention(tweet_id, marker, body, x.sign(stack.secrets["MENTIONDESK_X_CONSUMER_SECRET"], body))


def deliver(stack: LocalStack, mention: Mention) -> requests.Response:
    return requests.post(
        f"{stack.url}/webhooks/x",
        data=mention.body,
        timeout=10,
        headers={"content-type": "application/json", x.SIGNATURE_HEADER: mention.signature},
    )


def tickets_of(stack: LocalStack, mention: Mention) -> list[dict[str, Any]]:
    """The tickets an agent sees for the mention (every status), by its marker text."""
    answer = requests.get(
        f"{stack.url}/api/tickets", params={"status": "all", "q": mention.marker}, headers=auth(stack), timeout=5
    )
    answer.raise_for_status()
    return list(answer.json()["items"])


def settled_ticket(stack: LocalStack, mention: Mention, state: str = "done") -> dict[str, Any]:
    """The mention's one ticket, as the inbox lists it, once its triage reached `state` (done: classified
    and assigned). Polls the table, not the API: an API call would queue behind the functions under test."""
    found = wait_for(lambda: stack.store.tickets.find_native(demo.TENANT, "x", mention.tweet_id), timeout=20)
    ticket_id = str(found["ticket_id"])
    wait_for(lambda: stack.store.tickets.get(demo.TENANT, ticket_id).triage_state == state, timeout=20)
    (listed,) = tickets_of(stack, mention)
    assert listed["id"] == ticket_id and listed["triage_state"] == state
    return listed


def status_of(stack: LocalStack, ticket_id: str, item_id: str) -> str | None:
    """An outbox item's status, read from the table."""
    item = stack.store.outbox.find(demo.TENANT, ticket_id, item_id)
    return str(item["status"]) if item else None


def runs_of(stack: LocalStack, ticket_id: str, status: str | None = None) -> list[dict[str, Any]]:
    """The ticket's triage executions (optionally only those with `status`)."""
    sfn = stack.client("stepfunctions")
    arn = stack.state_machine_arn()
    listed = sfn.list_executions(stateMachineArn=arn, **({"statusFilter": status} if status else {}))
    return [e for e in listed["executions"] if e["name"].endswith(ticket_id)]


def finished_runs(stack: LocalStack, ticket_id: str) -> list[str]:
    """The statuses of the ticket's triage executions once none is running any more."""

    def settled() -> list[str] | None:
        statuses = [r["status"] for r in runs_of(stack, ticket_id)]
        return statuses if statuses and "RUNNING" not in statuses else None

    return list(wait_for(settled))


def ready_ticket(stack: LocalStack) -> tuple[dict[str, Any], str]:
    """A new mention made into a classified, assigned ticket on the SLA clock; and the mention's id."""
    mention = new_mention(stack, on_x=True)
    assert deliver(stack, mention).status_code == 200
    ticket = settled_ticket(stack, mention)
    wait_for(lambda: stack.store.tickets.get(demo.TENANT, ticket["id"]).sla_due_at)
    return detail(stack, ticket["id"]), mention.tweet_id


def resend(stack: LocalStack, ticket_id: str, item_id: str) -> None:
    """Send the outbox item's queue message again (what a redelivery or a sweeper's requeue hands over)."""
    stored = stack.store.outbox.find(demo.TENANT, ticket_id, item_id)
    assert stored is not None
    stack.client("sqs").send_message(
        QueueUrl=stack.queue_url("SendQueue"), MessageBody=json.dumps(OutboxRef.of(stored).as_dict())
    )


def notifications(stack: LocalStack) -> list[dict[str, Any]]:
    answer = requests.get(f"{stack.url}/api/me/notifications", headers=auth(stack), timeout=5)
    answer.raise_for_status()
    return list(answer.json()["items"])


def alarm_on(template: dict[str, Any], namespace: str, metric: str, dimension: dict[str, Any]) -> dict[str, Any]:
    """The template's alarm on `metric` whose one dimension's value is `dimension` (an intrinsic)."""
    found = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
        and r["Properties"].get("Namespace") == namespace
        and r["Properties"].get("MetricName") == metric
        and [d["Value"] for d in r["Properties"].get("Dimensions", [])] == [dimension]
    ]
    assert len(found) == 1, f"no single {namespace} {metric} alarm on {dimension}"
    return found[0]


# -- (a) DynamoDB and Step Functions errors during a webhook delivery ------------------------------

WEBHOOK_FAULTS = [
    # The message's write fails: nothing is stored.
    pytest.param(
        "dynamodb", "TransactWriteItems", "ProvisionedThroughputExceededException", 400, False, id="ddb-throughput"
    ),
    pytest.param("dynamodb", "TransactWriteItems", "ThrottlingException", 400, False, id="ddb-throttling"),
    pytest.param("dynamodb", "TransactWriteItems", "InternalServerError", 500, False, id="ddb-500"),
    # The workflow's start fails after the message was stored: the retry finds it and starts the triage.
    pytest.param("stepfunctions", "StartExecution", "ThrottlingException", 400, True, id="sfn-throttling"),
]


@pytest.mark.parametrize(("service", "operation", "code", "status", "stored_first"), WEBHOOK_FAULTS)
def test_a_fault_during_a_webhook_answers_5xx_and_xs_retry_makes_exactly_one_triaged_ticket(
    stack: LocalStack, faults: AwsFaults, service: str, operation: str, code: str, status: int, stored_first: bool
) -> None:
    # Given the X webhook's calls to the service fail (throttled or erroring, after the SDK's own retries)
    fault = faults.fail(service, operation, code, status=status, function="WebhookXFunction")
    mention = new_mention(stack)
    # When X delivers a mention
    first = deliver(stack, mention)
    # Then the webhook answers 5xx, so X delivers it again
    assert first.status_code >= 500, first.text
    assert fault.injected >= 1
    assert len(tickets_of(stack, mention)) == int(stored_first)
    # When the service recovers and X's retry arrives with the same body
    fault.stop()
    again = deliver(stack, mention)
    # Then it is accepted, and there is exactly one ticket, triaged by exactly one run
    assert again.status_code == 200, again.text
    ticket = settled_ticket(stack, mention)
    assert ticket["assignee"] is not None and ticket["language"] == "ja"
    assert len(tickets_of(stack, mention)) == 1
    assert finished_runs(stack, ticket["id"]) == ["SUCCEEDED"]
    assert detail(stack, ticket["id"])["message_count"] == 1


# -- (a) DynamoDB errors during a workflow task --------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status"),
    [
        pytest.param("ProvisionedThroughputExceededException", 400, id="throughput"),
        pytest.param("ThrottlingException", 400, id="throttling"),
        pytest.param("InternalServerError", 500, id="500"),
    ],
)
def test_a_transient_store_fault_in_a_workflow_task_is_absorbed_by_the_asl_retry(
    stack: LocalStack, faults: AwsFaults, code: str, status: int
) -> None:
    # Given "Classify Message"'s first two reads of the table fail
    fault = faults.fail("dynamodb", None, code, status=status, function="TriageClassifyFunction", times=2)
    mention = new_mention(stack)
    # When the mention arrives
    assert deliver(stack, mention).status_code == 200
    # Then the ASL's Retry runs the task again and the ticket ends classified and assigned
    ticket = settled_ticket(stack, mention)
    assert fault.injected == 2
    assert faults.invocations["TriageClassifyFunction"] >= 2
    assert ticket["assignee"] is not None and ticket["sentiment"] is not None
    assert finished_runs(stack, ticket["id"]) == ["SUCCEEDED"]


def test_a_persistent_store_fault_fails_the_run_and_leaves_the_ticket_visible_as_a_triage_failure(
    stack: LocalStack, faults: AwsFaults
) -> None:
    # Given the table throttles every call "Classify Message" makes, however often it is retried
    fault = faults.fail("dynamodb", None, "ProvisionedThroughputExceededException", function="TriageClassifyFunction")
    mention = new_mention(stack)
    # When the mention arrives
    assert deliver(stack, mention).status_code == 200
    # Then the task is tried as often as its Retry allows, then caught: the ticket is in the inbox,
    # marked as a triage failure with the error's name, unassigned
    ticket = settled_ticket(stack, mention, state="failed")
    assert faults.invocations["TriageClassifyFunction"] == TRIAGE_ATTEMPTS
    assert fault.injected >= TRIAGE_ATTEMPTS
    assert ticket["assignee"] is None and ticket["status"] == "open"
    item = stack.store.tickets.task_detail(demo.TENANT, ticket["id"]).item
    assert item["triage_error"] == "TransientStoreError"
    # And the run FAILED, which the workflow's failure alarm counts
    assert finished_runs(stack, ticket["id"]) == ["FAILED"]
    (run,) = runs_of(stack, ticket["id"], "FAILED")
    failed = stack.client("stepfunctions").describe_execution(executionArn=run["executionArn"])
    assert failed["error"] == "TriageFailed"
    alarm = alarm_on(load_template(stack.root).raw, "AWS/States", "ExecutionsFailed", {"Ref": "TicketWorkflow"})
    assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"


# -- (e) an exception in a workflow task ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raised", "attempts"),
    [
        pytest.param(TransientStoreError, TRIAGE_ATTEMPTS, id="transient-retried-then-caught"),
        pytest.param(ValueError, 1, id="bug-caught-at-once"),
    ],
)
def test_an_exception_in_triage_classify_is_retried_then_caught_and_recorded_never_dropped(
    stack: LocalStack, faults: AwsFaults, monkeypatch: pytest.MonkeyPatch, raised: type[Exception], attempts: int
) -> None:
    # Given the classifier raises on every try
    def broken(*_: Any, **__: Any) -> Any:
        raise raised("injected by the test")

    monkeypatch.setattr(task, "classify", broken)
    mention = new_mention(stack)
    # When the mention arrives
    assert deliver(stack, mention).status_code == 200
    # Then the task ran as often as the ASL retries that error (a bug is not retried), then was caught:
    # the ticket is recorded as a triage failure with the error's name, in the inbox
    ticket = settled_ticket(stack, mention, state="failed")
    assert faults.invocations["TriageClassifyFunction"] == attempts
    assert stack.store.tickets.task_detail(demo.TENANT, ticket["id"]).item["triage_error"] == raised.__name__
    # And the execution is FAILED (what the workflow's failure alarm counts), never silently succeeded
    assert finished_runs(stack, ticket["id"]) == ["FAILED"]


# -- (b) the send queue redelivers the same message -----------------------------------------------


def test_a_redelivered_send_queue_message_posts_nothing_a_second_time(
    stack: LocalStack, redelivery: QueueRedelivery
) -> None:
    # Given a ready ticket, and an event source mapping that loses its delete of the reply's message once
    ticket, tweet_id = ready_ticket(stack)
    redelivery.lose_delete = lambda m: (
        f'"{ticket["id"]}"' in m["Body"] and m["Attributes"].get("ApproximateReceiveCount") == "1"
    )
    # When the agent replies, and SQS hands the same message over again after it was processed
    answer = reply(stack, ticket, text_for(ticket))
    assert answer.status_code == 202, answer.text
    item_id = answer.json()["outbox"]["id"]
    wait_for(lambda: len(redelivery.of_ticket(ticket["id"])) >= 2)
    # Then it was one SQS message received twice
    (message_id,) = {mid for mid, _body, _count in redelivery.of_ticket(ticket["id"])}
    assert redelivery.counts(message_id)[:2] == [1, 2]
    # And X has the reply exactly once, the thread shows it once, the item is SENT
    wait_for(lambda: status_of(stack, ticket["id"], item_id) == "SENT")
    assert len(posts_to(stack, tweet_id)) == 1
    outbound = [m for m in detail(stack, ticket["id"])["messages"] if m["direction"] == "outbound"]
    assert len(outbound) == 1


# -- (d) the worker dies between the platform's answer and its record ------------------------------


def test_a_worker_killed_after_the_platform_answered_never_posts_twice(
    stack: LocalStack, faults: AwsFaults, redelivery: QueueRedelivery
) -> None:
    # Given a send_reply worker that dies at its first table call after X accepted the post
    ticket, tweet_id = ready_ticket(stack)
    fault = faults.fail(
        "dynamodb",
        None,
        "WorkerKilled",
        function="SendReplyFunction",
        times=1,
        when=lambda: len(posts_to(stack, tweet_id)) > 0,
        kill=True,
    )
    # When the agent replies, and SQS redelivers the message the dead worker never finished
    answer = reply(stack, ticket, text_for(ticket))
    assert answer.status_code == 202, answer.text
    item_id = answer.json()["outbox"]["id"]
    wait_for(lambda: fault.injected == 1 and len(redelivery.of_ticket(ticket["id"])) >= 2)
    # Then X has the post once, and the redelivery found the item leased by the dead worker and sent nothing
    assert len(posts_to(stack, tweet_id)) == 1
    assert outbox_status(stack, ticket["id"], item_id) == "SENDING"
    # When the lease runs out, the sweeper settles it as UNKNOWN and the agent is told
    clock.advance_to(clock.utcnow() + timedelta(seconds=90))
    wait_for(lambda: status_of(stack, ticket["id"], item_id) == "UNKNOWN")
    assert any(n["kind"] == "reply_unknown" and n["ticket_id"] == ticket["id"] for n in notifications(stack))
    # And one more delivery of its message still posts nothing: X has the reply exactly once
    before = len(redelivery.of_ticket(ticket["id"]))
    resend(stack, ticket["id"], item_id)
    wait_for(lambda: len(redelivery.of_ticket(ticket["id"])) > before)
    assert len(posts_to(stack, tweet_id)) == 1
    assert outbox_status(stack, ticket["id"], item_id) == "UNKNOWN"


# -- (f) a poison message -------------------------------------------------------------------------


def test_a_poison_send_queue_message_is_dead_lettered_alone_and_the_dead_letter_queue_alarms(
    stack: LocalStack, redelivery: QueueRedelivery
) -> None:
    # Given the send queue redrives to its dead-letter queue after five receives, as template.yaml says
    sqs = stack.client("sqs")
    url = stack.queue_url("SendQueue")
    dlq_url = stack.queue_url("SendDeadLetterQueue")
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]
    redrive = json.loads(attributes["RedrivePolicy"])
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert redrive["deadLetterTargetArn"] == dlq_arn and int(redrive["maxReceiveCount"]) == 5
    # And a reply already sent, whose message comes again in one batch with a poison message
    ticket, tweet_id = ready_ticket(stack)
    answer = reply(stack, ticket, text_for(ticket))
    assert answer.status_code == 202, answer.text
    item_id = answer.json()["outbox"]["id"]
    wait_for(lambda: status_of(stack, ticket["id"], item_id) == "SENT")
    stored = stack.store.outbox.find(demo.TENANT, ticket["id"], item_id)
    assert stored is not None
    poison = '{"tenant": "demo", "ticket_id": "t", "sk": "NOT-AN-OUTBOX-ITEM"}'
    # When both are sent
    sent = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "poison", "MessageBody": poison},
            {"Id": "valid", "MessageBody": json.dumps(OutboxRef.of(stored).as_dict())},
        ],
    )
    ids = {entry["Id"]: entry["MessageId"] for entry in sent["Successful"]}

    # Then the poison message is tried five times and lands in the dead-letter queue, alone
    def dead_lettered() -> list[dict[str, Any]]:
        got = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        return list(got.get("Messages") or [])

    (dead,) = wait_for(dead_lettered, timeout=20)
    assert dead["MessageId"] == ids["poison"] and dead["Body"] == poison
    assert redelivery.counts(ids["poison"]) == [1, 2, 3, 4, 5]
    # And the valid message was taken once and posted nothing again
    assert redelivery.counts(ids["valid"]) == [1]
    assert len(posts_to(stack, tweet_id)) == 1
    # And the dead-letter queue has an alarm on any message in it
    alarm = alarm_on(
        load_template(stack.root).raw,
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"Fn::GetAtt": ["SendDeadLetterQueue", "QueueName"]},
    )
    assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"


# -- (c) the platform takes the post, then times out ----------------------------------------------


def test_a_post_accepted_then_timed_out_is_unknown_never_resent_and_the_agent_is_told(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given X stores the next post and then keeps the client waiting past its time-out
    # (the sender's 10 s time-out scaled to 0.5 s; X answers only after 2 s)
    ticket, tweet_id = ready_ticket(stack)
    exchange = platforms._exchange

    def scaled(session: Any, method: str, url: str, token: str, payload: Any, timeout: float, **kw: Any) -> Any:
        return exchange(session, method, url, token, payload, min(timeout, 0.5), **kw)

    monkeypatch.setattr(platforms, "_exchange", scaled)
    stack.fakes.x_api.fault_next("accept_then_hang", hang_seconds=2.0)
    # When the agent replies
    answer = reply(stack, ticket, text_for(ticket))
    assert answer.status_code == 202, answer.text
    item_id = answer.json()["outbox"]["id"]
    # Then the reply is UNKNOWN (X may have it: a person decides), with the reason
    wait_for(lambda: status_of(stack, ticket["id"], item_id) == "UNKNOWN")
    assert len(posts_to(stack, tweet_id)) == 1
    item = next(o for o in detail(stack, ticket["id"])["outbox"] if o["id"] == item_id)
    assert "did not answer in time" in item["reason"]
    # And the agent who wrote it is told
    assert any(n["kind"] == "reply_unknown" and n["ticket_id"] == ticket["id"] for n in notifications(stack))
    # When the queue hands its message over again and the sweeper runs long after any lease or grace
    resend(stack, ticket["id"], item_id)
    runs = stack.schedule_runs.get("SendReplyFunction", 0)
    clock.advance_to(clock.utcnow() + timedelta(minutes=10))
    wait_for(lambda: stack.schedule_runs.get("SendReplyFunction", 0) >= runs + 2)
    # Then it is never posted again and stays UNKNOWN
    assert len(posts_to(stack, tweet_id)) == 1
    assert outbox_status(stack, ticket["id"], item_id) == "UNKNOWN"
