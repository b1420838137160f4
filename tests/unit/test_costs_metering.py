"""Metering an invocation: GB-seconds from the measured duration, DynamoDB capacity from the table's
counters, invocation costs shared by the tickets served, a flush that never fails the handler, and
Step Functions transitions counted from our ASL."""

import json
from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError
from mentiondesk.costs import metering
from mentiondesk.costs.ledger import CostLine
from mentiondesk.costs.metering import (
    Meter,
    bill_express_duration,
    meter_handler,
    metered,
    record_agent_time,
    record_cost,
    serve_ticket,
    serve_ticket_of,
)
from mentiondesk.store.costs import CostStore
from mentiondesk.store.factory import Store
from mentiondesk.workflow import SlaTimers, WorkflowStarter

from tests.conftest import http_event

pytestmark = pytest.mark.unit


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Context:
    function_name = "mentiondesk-prod-SendReplyFunction-abc"
    memory_limit_in_mb = 512
    aws_request_id = "req-42"


def by_item(lines: list[CostLine]) -> dict[str, list[CostLine]]:
    out: dict[str, list[CostLine]] = {}
    for line in lines:
        out.setdefault(line.item, []).append(line)
    return out


def test_gb_seconds_are_memory_times_the_duration_rounded_up_to_the_millisecond() -> None:
    # Given a 512 MB function that ran 123.4 ms by the clock
    clock = FakeClock()
    meter = Meter("send_reply", "ap-northeast-1", 512, clock, request_id="r1", tenant="acme")
    meter.start()
    clock.now += 0.1234
    # When it finishes for one ticket
    lines = by_item(meter.finish(["T1"]))
    # Then 124 billed ms × 0.5 GB, one request, priced in Tokyo
    assert meter.duration_ms == 124
    assert lines["aws.lambda.gb_s"][0].quantity == Decimal("0.062")
    assert lines["aws.lambda.gb_s"][0].amount_nanos == 827  # 0.062 × 13,333.4 = 826.67
    assert lines["aws.lambda.request"][0].amount_nanos == 200
    assert {line.ticket_id for group in lines.values() for line in group} == {"T1"}
    assert {line.region for group in lines.values() for line in group} == {"ap-northeast-1"}


def test_a_whole_millisecond_is_not_rounded_up_again() -> None:
    clock = FakeClock()
    meter = Meter("api", "us-east-1", 1024, clock)
    meter.start()
    clock.now += 0.05
    by_item(meter.finish())
    assert meter.duration_ms == 50


def test_dynamodb_capacity_is_what_this_invocations_calls_reported_including_half_units(store: Store) -> None:
    # Given a table that had been used before this invocation
    store.directory.tenants()
    clock = FakeClock()
    # When the invocation makes an eventually consistent read, a strong one and a transaction
    flushed: list[list[CostLine]] = []
    with metered(Context(), "sla_check", flush=flushed.append, clock=clock, tenant="acme") as meter:
        meter.serve("acme", "T1")
        metering.note_dynamodb("GetItem", "read", 0.5)
        metering.note_dynamodb("GetItem", "read", 1.0)
        metering.note_dynamodb("TransactWriteItems", "write", 6.0)
    lines = by_item(flushed[0])
    # Then only this invocation's units are billed, half units kept
    assert lines["aws.dynamodb.read_unit"][0].quantity == Decimal("1.5")
    assert lines["aws.dynamodb.read_unit"][0].amount_nanos == 188  # 187.5, half to even
    assert lines["aws.dynamodb.write_unit"][0].quantity == Decimal("6.0")
    assert meter.calls == {"GetItem": 2, "TransactWriteItems": 1}


def test_every_call_of_the_store_is_counted_on_the_current_meter(store: Store) -> None:
    # Given a real table (moto reports consumed capacity on each call)
    with metered(Context(), "api", flush=lambda lines: None, tenant="acme") as meter:
        store.directory.tenants()
        store.table.get({"PK": "X", "SK": "Y"})
    # Then the meter saw both calls, and calls outside it are not its own
    store.table.get({"PK": "X", "SK": "Y"})
    assert meter.calls == {"Query": 1, "GetItem": 1}
    assert meter.consumed["read"] > 0


def test_a_batch_shares_the_invocation_evenly_among_its_tickets() -> None:
    # Given an SQS batch of 10 messages for 10 tickets, on a 512 MB function that ran 1 s
    clock = FakeClock()
    meter = Meter("send_reply", "us-east-1", 512, clock, tenant="acme")
    meter.start()
    for n in range(10):
        meter.serve("acme", f"T{n}", channel="x", team="support")
    meter.add("aws.sqs.request", 2, "request")  # the batch's receive and delete
    meter.add("x.post_create", 1, "post", ticket_id="T3")
    clock.now += 1.0
    lines = by_item(meter.finish())
    # Then each ticket gets a tenth of every invocation-level cost; the shares add up to the whole
    requests = lines["aws.lambda.request"]
    assert len(requests) == 10
    assert {line.quantity for line in requests} == {Decimal("0.1")}
    assert sum(line.amount_nanos or 0 for line in requests) == 200
    gb_s = lines["aws.lambda.gb_s"]
    assert sum(line.amount_nanos or 0 for line in gb_s) == 6667  # 0.5 GB-s × 13,333.4 n$
    assert sum(line.amount_nanos or 0 for line in lines["aws.sqs.request"]) == 800
    assert {line.channel for line in gb_s} == {"x"}
    # And a cost for one ticket goes to that ticket alone
    assert [(line.ticket_id, line.amount_nanos) for line in lines["x.post_create"]] == [("T3", 15_000_000)]


def test_an_invocation_that_served_no_ticket_is_untied() -> None:
    clock = FakeClock()
    meter = Meter("poll_x_search", "us-east-1", 512, clock, tenant="acme")
    meter.start()
    meter.add("x.post_read", 3, "post")
    clock.now += 0.2
    lines = meter.finish()
    assert {line.ticket_id for line in lines} == {None}
    assert {line.tenant for line in lines} == {"acme"}
    assert by_item(lines)["x.post_read"][0].amount_nanos == 15_000_000


def test_a_tenants_untied_cost_never_lands_on_another_tenants_ticket() -> None:
    # Given a poll over two tenants' monitors: acme's found a post (a ticket), globex's found nothing
    clock = FakeClock()
    meter = Meter("poll_x_search", "us-east-1", 512, clock)
    meter.start()
    meter.serve("acme", "T1")
    meter.add("x.post_read", 1, "post", tenant="acme")
    meter.add("x.post_read", 2, "post", tenant="globex")
    meter.add("x.user_read", 0, "user", tenant="globex")  # nothing new: no line
    reads = by_item(meter.finish())["x.post_read"]
    # Then acme's read is on its ticket and globex's reads are globex's, untied
    assert sorted((r.tenant, r.ticket_id, r.quantity) for r in reads) == [("acme", "T1", 1), ("globex", None, 2)]
    assert "x.user_read" not in by_item(meter.finish())


def test_unknown_dimensions_are_refused() -> None:
    meter = Meter("api", "us-east-1", 512, FakeClock())
    with pytest.raises(ValueError, match="dimensions"):
        meter.add("aws.sqs.request", 1, "request", colour="red")


# -- metered(): the handler's context manager ------------------------------------------------------------


def test_metered_flushes_the_invocation_to_the_ledger(store: Store) -> None:
    # Given a handler behind the HTTP API that serves a ticket and posts a reply
    clock = FakeClock()
    with metered(Context(), "send_reply", store.table, event=http_event("POST", "/x"), clock=clock) as meter:
        store.directory.tenants()  # one DynamoDB read
        serve_ticket("acme", "T1", channel="x")
        record_cost("x.post_create", 1, "post", ticket_id="T1", tenant="acme")
        clock.now += 0.2
    # Then its ledger holds the request, GB-seconds, the read, the API request and the post, once each
    ledger = CostStore(store.table).ticket("acme", "T1")
    assert {line.item for line in ledger.lines} == {
        "aws.lambda.request",
        "aws.lambda.gb_s",
        "aws.dynamodb.read_unit",
        "aws.apigw.request",
        "x.post_create",
    }
    assert {line.source for line in ledger.lines} == {"send_reply"}
    assert {line.request_id for line in ledger.lines} == {"req-42"}
    assert ledger.total_nanos == sum(line.amount_nanos or 0 for line in ledger.lines)
    assert meter.duration_ms == 200


def test_a_failed_flush_is_logged_and_counted_and_the_handler_answer_stands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a ledger that cannot be written
    counted: list[str] = []
    monkeypatch.setattr(metering.metrics, "add_metric", lambda name, **_: counted.append(name))

    def broken(lines: list[CostLine]) -> None:
        raise RuntimeError("DynamoDB is down")

    # When the handler finishes
    with metered(Context(), "send_reply", flush=broken) as meter:
        meter.serve("acme", "T1")
        answer = {"statusCode": 200}
    # Then its answer stands, and the failure is a metric
    assert answer == {"statusCode": 200}
    assert counted == ["CostFlushFailed"]


def test_a_handler_error_propagates_and_its_costs_are_still_flushed() -> None:
    flushed: list[list[CostLine]] = []
    with pytest.raises(KeyError), metered(Context(), "triage_assign", flush=flushed.append):
        raise KeyError("boom")
    assert [line.item for line in flushed[0]] == ["aws.lambda.request", "aws.lambda.gb_s"]


def test_record_cost_outside_an_invocation_does_nothing() -> None:
    record_cost("x.post_create", 1, "post")
    serve_ticket("acme", "T1")
    assert metering.current_meter() is None


def test_the_decorator_meters_each_invocation(store: Store) -> None:
    # Given a handler decorated with its function name and table
    @meter_handler("triage_classify", lambda: store.table)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        serve_ticket("acme", event["ticket_id"])
        return {"ok": True}

    # When it is invoked
    assert handler({"ticket_id": "T9"}, Context()) == {"ok": True}
    # Then its lines are on the ticket
    assert CostStore(store.table).ticket("acme", "T9").line_count == 2


def test_agent_time_and_timer_starts_are_recorded_on_the_invocations_ticket() -> None:
    # Given an API call in which an agent handled a ticket for 90 s and the SLA timer was started anew
    class Client:
        def __init__(self) -> None:
            self.names: set[str] = set()

        def create_schedule(self, Name: str, **_: Any) -> None:
            if Name in self.names:
                raise ClientError({"Error": {"Code": "ConflictException"}}, "CreateSchedule")
            self.names.add(Name)

    class Ticket:
        tenant_id, id, platform, team, account_id = "acme", "T1", "x", "support", "900"

    flushed: list[list[CostLine]] = []
    timers = SlaTimers(Client(), "sla", "arn:aws:lambda:us-east-1:123456789012:function:f", "arn:aws:iam::1:role/r")
    with metered(Context(), "api", flush=flushed.append, tenant="acme"):
        serve_ticket_of(Ticket())
        record_agent_time("acme", "T1", 90, "24.00")
        assert timers.start("acme", "T1", 2, "2026-11-23T10:00:00.000Z") is True
        assert timers.start("acme", "T1", 2, "2026-11-23T10:00:00.000Z") is False
    # Then the ticket carries 90 s at $24/h ($0.60); scheduling a wake costs nothing (its invocation is
    # billed when it fires, by the wake itself)
    lines = by_item(flushed[0])
    assert lines["agent.handling_seconds"][0].amount_nanos == 600_000_000
    assert lines["agent.handling_seconds"][0].component == "agent"
    assert "aws.states.transition" not in lines and "aws.scheduler.invocation" not in lines
    assert {line.ticket_id for line in flushed[0]} == {"T1"}
    assert {line.brand for line in flushed[0]} == {"900"}


def test_an_sla_wake_bills_its_scheduled_invocation(store: Any, tenant: str) -> None:
    # Given a wake whose ticket is gone (the cheapest wake: it reads, finds nothing, ends the timer)
    from datetime import UTC, datetime

    from mentiondesk.errors import TicketNotFound
    from mentiondesk.sla import service as sla

    flushed: list[list[CostLine]] = []
    with metered(Context(), "sla_check", flush=flushed.append, tenant=tenant), pytest.raises(TicketNotFound):
        sla.check(store, tenant, "01TICKET00000000000000000A", 3, datetime(2026, 11, 23, tzinfo=UTC))
    # Then the one Scheduler invocation that ran it is billed to the ticket, at the Region's price
    (line,) = by_item(flushed[0])["aws.scheduler.invocation"]
    assert line.quantity == 1 and line.ticket_id == "01TICKET00000000000000000A"
    assert line.amount_nanos == {"us-east-1": 1000, "ap-northeast-1": 1250}[line.region]


# -- Step Functions Express ---------------------------------------------------------------------------


def test_a_triage_run_bills_one_request_when_started_and_its_duration_when_it_ends() -> None:
    class Client:
        def __init__(self) -> None:
            self.inputs: list[dict[str, Any]] = []

        def start_execution(self, input: str, **_: Any) -> None:
            self.inputs.append(json.loads(input))

    client = Client()
    flushed: list[list[CostLine]] = []
    with metered(Context(), "webhook_x", flush=flushed.append, tenant="acme"):
        assert WorkflowStarter(client, "arn:aws:states:us-east-1:1:stateMachine:T").start_triage("acme", "T1")
        # Express does not refuse a second start of a name: it is started, and its run ends at the claim
        assert WorkflowStarter(client, "arn:aws:states:us-east-1:1:stateMachine:T").start_triage("acme", "T1")
    (first, second) = client.inputs
    assert first["claim"]["name"] == second["claim"]["name"] == "triage-acme-T1"
    assert first["claim"]["run"] != second["claim"]["run"]  # so the second finds the name held by another run
    assert first["claim"]["expires_at"] > 0 and first["started_at"].endswith("Z")
    assert sum(line.quantity for line in by_item(flushed[0])["aws.states.express_request"]) == 2
    with metered(Context(), "triage_assign", flush=flushed.append, tenant="acme"):
        bill_express_duration("acme", "T1", "2026-11-23T10:00:00.000Z", "2026-11-23T10:00:00.850Z")
    # 850 ms is billed as 900 ms at 64 MB: 0.05625 GB-s
    (line,) = by_item(flushed[1])["aws.states.express_gb_s"]
    assert line.quantity == Decimal("0.05625") and line.ticket_id == "T1"
