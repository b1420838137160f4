"""The cost ledger: nano-dollar amounts that add up exactly, splitting, and the store (lines in the
ticket's partition, its running total, monthly rollups, one transaction per flush, idempotent)."""

from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError
from mentiondesk.costs.ledger import (
    CostLine,
    agent_time_line,
    allocate,
    component_of,
    merge,
    priced_line,
    split,
    total_nanos,
)
from mentiondesk.store.costs import CostStore, TicketTotal, costs_pk, per_ticket, ticket_costs_from_items, totals_by
from mentiondesk.store.factory import Store

pytestmark = pytest.mark.unit
AT = "2026-11-23T09:00:00.000Z"


def line(item: str, quantity: Any, ticket_id: str | None = "T1", request_id: str = "req-1", **kw: Any) -> CostLine:
    fields: dict[str, Any] = {
        "tenant": "acme",
        "ticket_id": ticket_id,
        "item": item,
        "quantity": quantity,
        "unit": "unit",
        "region": "us-east-1",
        "at": AT,
        "source": "send_reply",
        "request_id": request_id,
        "channel": "x",
        "team": "support",
        "brand": "acme_help",
    }
    fields.update(kw)
    return priced_line(**fields)


# -- amounts -------------------------------------------------------------------------------------------


def test_sub_micro_dollar_prices_add_up_exactly_in_nano_dollars() -> None:
    # Given a lifecycle's DynamoDB writes and reads, one line each (0.625 and 0.125 µ$ a unit)
    lines = [line("aws.dynamodb.write_unit", 1, request_id=f"r{n}") for n in range(10)]
    lines += [line("aws.dynamodb.read_unit", "0.5", request_id=f"q{n}") for n in range(15)]
    # Then the sum is exact: 10 × 625 + 15 × 62.5 n$
    assert [line.amount_nanos for line in lines[:1]] == [625]
    assert total_nanos(lines) == 6250 + 15 * 62  # 62.5 rounds half to even, once per line
    assert line("aws.dynamodb.read_unit", "1.5").amount_nanos == 188  # 187.5 -> 188 (even)


def test_a_lambda_line_is_rounded_once_to_the_nano_dollar() -> None:
    # 0.5 GB × 0.123 s at 13,333.4 n$ per GB-s = 820.0041 n$
    gb_s = line("aws.lambda.gb_s", Decimal("0.0615"))
    assert gb_s.amount_nanos == 820
    assert gb_s.unit_price_usd == Decimal("0.0000133334")
    assert gb_s.price_read_on == "2026-11-01"
    assert gb_s.component == "aws"


def test_an_unpriced_line_has_no_amount_rather_than_zero() -> None:
    sqs = line("aws.sqs.request", 2, region="ap-northeast-1")
    assert sqs.amount_nanos is None
    assert sqs.unit_price_usd is None
    assert not sqs.priced
    assert total_nanos([sqs, line("aws.lambda.request", 1)]) == 200


def test_components_come_from_the_item_name() -> None:
    assert [component_of(i) for i in ("x.post_create", "ai.comprehend.unit", "aws.sqs.request")] == [
        "platform",
        "ai",
        "aws",
    ]
    assert component_of("agent.handling_seconds") == "agent"
    with pytest.raises(ValueError, match="component"):
        component_of("coffee")


def test_agent_time_is_seconds_times_the_hourly_rate() -> None:
    # Given 7 minutes of active handling at 3,000 ¥/h ≈ $20/h
    priced = agent_time_line(
        tenant="acme", ticket_id="T1", seconds=420, hourly_rate_usd="20", at=AT, source="api", request_id="r"
    )
    unpriced = agent_time_line(
        tenant="acme", ticket_id="T1", seconds=420, hourly_rate_usd=None, at=AT, source="api", request_id="r"
    )
    # Then $2.333... exactly to the nano-dollar, and without a rate it is unpriced
    assert priced.amount_nanos == 2_333_333_333
    assert priced.component == "agent"
    assert unpriced.amount_nanos is None


def test_allocate_splits_an_amount_into_shares_that_add_up() -> None:
    assert allocate(1001, 3) == [334, 334, 333]
    assert sum(allocate(7, 10)) == 7
    with pytest.raises(ValueError, match="part"):
        allocate(1, 0)


def test_split_gives_each_ticket_an_even_share_and_keeps_the_whole_amount() -> None:
    # Given one invocation's GB-seconds shared by three tickets of different channels
    whole = line("aws.lambda.gb_s", Decimal("0.25"), ticket_id=None)
    targets = [("acme", f"T{n}", {"channel": c}) for n, c in enumerate(("x", "instagram", "google"))]
    # When split
    shares = split(whole, targets)  # type: ignore[arg-type]
    # Then each has a third of the quantity, and the amounts add up to the whole
    assert [s.ticket_id for s in shares] == ["T0", "T1", "T2"]
    assert [s.channel for s in shares] == ["x", "instagram", "google"]
    assert all(s.quantity == Decimal("0.083333333") and s.shares == 3 for s in shares)
    assert sum(s.amount_nanos or 0 for s in shares) == whole.amount_nanos


def test_merge_adds_up_lines_of_the_same_ticket_and_item() -> None:
    merged = merge([line("x.post_create", 1), line("x.post_create", 1), line("x.post_create", 1, ticket_id="T2")])
    assert [(m.ticket_id, m.quantity, m.amount_nanos) for m in merged] == [
        ("T1", 2, 30_000_000),
        ("T2", 1, 15_000_000),
    ]


# -- the store -----------------------------------------------------------------------------------------


def lifecycle_lines(request_id: str = "req-1", ticket_id: str = "T1") -> list[CostLine]:
    return [
        line("aws.lambda.request", 1, ticket_id, request_id),
        line("aws.lambda.gb_s", Decimal("0.0615"), ticket_id, request_id),
        line("aws.dynamodb.write_unit", 7, ticket_id, request_id),
        line("aws.dynamodb.read_unit", Decimal("2.5"), ticket_id, request_id),
        line("x.post_create", 1, ticket_id, request_id),
    ]


def test_a_flush_is_one_transaction_with_the_lines_the_total_and_the_rollups(store: Store) -> None:
    # Given one invocation's lines for a ticket
    lines = lifecycle_lines()
    costs = CostStore(store.table)
    before = store.table.calls["TransactWriteItems"]
    # When flushed
    result = costs.record(lines)
    # Then one TransactWriteItems wrote them: the record, the ticket's month total, a rollup per component
    assert (result.written, result.duplicates, result.transactions) == (5, 0, 1)
    assert store.table.calls["TransactWriteItems"] - before == 1
    assert len(ledger_actions(lines)) == 4
    ledger = costs.ticket("acme", "T1")
    assert ledger.total_nanos == total_nanos(lines) == 200 + 820 + 4375 + 312 + 15_000_000
    assert ledger.by_component == {"platform": 15_000_000, "aws": 5707}
    assert sorted(line.item for line in ledger.lines) == sorted(line.item for line in lines)
    assert ledger.lines[0].quantity == Decimal(str(ledger.lines[0].quantity))
    assert ledger.line_count == 5


def ledger_actions(lines: list[CostLine]) -> list[Any]:
    from mentiondesk.store.costs import _actions

    return _actions([lines])


def test_the_same_invocation_flushed_twice_is_counted_once(store: Store) -> None:
    # Given a flush that happened, and the same invocation (same request id) flushing again
    costs = CostStore(store.table)
    costs.record(lifecycle_lines())
    # When it is retried (a Lambda retried with the same request id)
    again = costs.record(lifecycle_lines())
    # Then nothing changed: not the lines, not the total, not the rollups
    assert (again.written, again.duplicates) == (0, 5)
    assert costs.ticket("acme", "T1").total_nanos == 15_005_707
    rows = costs.month("acme", "2026-11")
    assert sum(r.lines for r in rows) == 5
    assert sum(r.amount_nanos for r in rows) == 15_005_707


def test_rollups_count_by_month_component_item_and_dimension_without_a_scan(store: Store) -> None:
    # Given two invocations (different shards) for two tickets, one on another channel, and an unpriced line
    costs = CostStore(store.table)
    costs.record(lifecycle_lines("req-a", "T1"))
    costs.record(lifecycle_lines("req-b", "T2"))
    costs.record([line("aws.sqs.request", 3, "T3", "req-c", region="ap-northeast-1", channel="instagram")])
    # When the month is read (one Query on the tenant's month partition)
    queries = store.table.calls["Query"]
    rows = costs.month("acme", "2026-11")
    # Then the shards are added up per item and dimension, with the unpriced line counted as such
    assert store.table.calls["Query"] - queries == 1
    writes = next(r for r in rows if r.item == "aws.dynamodb.write_unit")
    assert (writes.quantity, writes.amount_nanos, writes.lines, writes.channel) == (14, 8750, 2, "x")
    sqs = next(r for r in rows if r.item == "aws.sqs.request")
    assert (sqs.amount_nanos, sqs.unpriced_count, sqs.channel) == (0, 1, "instagram")
    assert totals_by(rows, "channel") == {"x": 2 * 15_005_707, "instagram": 0}
    assert totals_by(rows, "component")["platform"] == 30_000_000
    items = store.table.query_all(
        KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": costs_pk("acme", "2026-11")}
    )
    assert {i["shard"] for i in items if i["entity"] == "cost_rollup"} <= {0, 1, 2, 3}
    # And the unpriced line is on its ticket's total too, and on the ticket's month total
    assert costs.ticket("acme", "T3").unpriced_count == 1
    month = costs.month_of("acme", "2026-11")
    assert {t.ticket_id: t.unpriced_count for t in month.tickets} == {"T1": 0, "T2": 0, "T3": 1}
    assert {t.ticket_id: t.total_nanos for t in month.tickets}["T1"] == 15_005_707
    assert per_ticket(month.tickets) == {"mean": 10_003_805, "median": 15_005_707, "p90": 15_005_707}


def test_lines_tied_to_no_ticket_go_straight_to_the_rollups(store: Store) -> None:
    # Given a keyword poll's reads that found nothing
    costs = CostStore(store.table)
    writes = store.table.calls["UpdateItem"]
    result = costs.record([line("x.post_read", 4, None, "poll-1"), line("aws.lambda.request", 1, None, "poll-1")])
    # Then they are in the month's rollups (one UpdateItem per component), on no ticket, with no transaction
    assert (result.written, result.transactions, result.rollup_updates) == (2, 0, 2)
    assert store.table.calls["UpdateItem"] - writes == 2
    month = costs.month_of("acme", "2026-11")
    assert sum(r.amount_nanos for r in month.rollups) == 20_000_200 and month.tickets == []
    assert {(r.item, r.quantity) for r in month.rollups} == {("x.post_read", 4), ("aws.lambda.request", 1)}


def test_the_report_month_is_tokyos(store: Store) -> None:
    # 2026-11-30 15:30 UTC is 2026-12-01 00:30 in Tokyo: December's
    CostStore(store.table).record([line("aws.lambda.request", 1, "T1", "late", at="2026-11-30T15:30:00Z")])
    assert CostStore(store.table).month("acme", "2026-11") == []
    assert CostStore(store.table).month("acme", "2026-12")[0].lines == 1


def test_per_ticket_figures() -> None:
    def total(nanos: int) -> TicketTotal:
        return TicketTotal("T", None, None, None, nanos, {}, 1, 0)

    assert per_ticket([]) == {"mean": None, "median": None, "p90": None}
    assert per_ticket([total(n) for n in range(1, 11)]) == {"mean": 6, "median": 6, "p90": 9}  # 5.5 rounds to even


def test_the_ticket_detail_query_reads_the_ledger_with_the_ticket(store: Store) -> None:
    # Given a ticket partition with a flushed ledger
    CostStore(store.table).record(lifecycle_lines())
    # When the whole partition is read (as opening a ticket does)
    items = store.table.query_all(
        KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": "TENANT#acme#TICKET#T1"}
    )
    # Then the ledger is in it
    assert ticket_costs_from_items(items).total_nanos == 15_005_707


def test_more_lines_than_one_transaction_holds_are_written_in_several(store: Store) -> None:
    lines = [line("aws.lambda.request", 1, f"T{n}", "batch-1") for n in range(40)]
    result = CostStore(store.table).record(lines)
    assert (result.written, result.transactions) == (40, 2)
    assert CostStore(store.table).ticket("acme", "T39").total_nanos == 200


class ConflictingTable:
    """A table whose first transaction is cancelled by a concurrent one (TransactionConflict)."""

    def __init__(self, table: Any, conflicts: int) -> None:
        self.table = table
        self.conflicts = conflicts

    def transact(self, items: Any) -> None:
        if self.conflicts:
            self.conflicts -= 1
            codes = [{"Code": "None"}] * (len(items) - 1) + [{"Code": "TransactionConflict"}]
            raise ClientError(
                {"Error": {"Code": "TransactionCanceledException"}, "CancellationReasons": codes},
                "TransactWriteItems",
            )
        self.table.transact(items)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.table, name)


def test_a_transaction_conflict_is_tried_again(store: Store) -> None:
    costs = CostStore(ConflictingTable(store.table, conflicts=2), sleep=lambda _s: None)  # type: ignore[arg-type]
    assert costs.record(lifecycle_lines()).written == 5
    assert CostStore(store.table).ticket("acme", "T1").total_nanos == 15_005_707


def test_a_flush_with_one_record_written_before_still_writes_the_others(store: Store) -> None:
    # Given a beat of handling time recorded by an earlier request (its record exists)
    costs = CostStore(store.table)
    beat = line("aws.lambda.request", 1, "T1", "time-beat-1")
    costs.record([beat])
    # When a later invocation flushes its own lines together with the same beat again (a page retry)
    result = costs.record([beat, *lifecycle_lines("req-9", "T1")])
    # Then its own lines are written and the beat is not counted twice
    assert (result.written, result.duplicates) == (5, 1)
    assert costs.ticket("acme", "T1").total_nanos == 200 + 15_005_707
