"""The cost ledger in the table: each invocation's lines on its ticket, per-ticket monthly totals and
monthly rollups.

PK                                  SK                                          item
TENANT#{t}#TICKET#{ticket}          COST#{request_id}                           one invocation's lines for the ticket
TENANT#{t}#COSTS#{yyyy-mm}          TICKET#{ticket}                             the ticket's total in the month
TENANT#{t}#COSTS#{yyyy-mm}          R#{component}#{channel}#{team}#{brand}#{shard}  rollup: counters per item
(months are report months, Asia/Tokyo; "-" is the tenant of costs no tenant can be charged with, and
any unknown dimension.)

A flush for tickets is one TransactWriteItems: per ticket one record holding the invocation's lines
(conditional on not existing: the sort key is the request id, so a retried invocation's flush is
refused whole and changes nothing — not the total, not the rollups), an ADD to the ticket's monthly
total, and one ADD per rollup item (a component's items are counters of one item, so an invocation's
AWS lines are one write). That is 3 items for a typical invocation instead of one per line.

Costs tied to no ticket (an inbox page, a keyword poll that found nothing, a schedule tick) keep no
line: they are ADDed straight to the month's rollups, one UpdateItem per rollup item. Those writes are
not idempotent — an invocation retried with the same request id would count twice, which it also cost.

Opening a ticket reads its ledger in the same Query as its messages (the `COST#` prefix sorts with
them). The finance screen reads a month with one Query (paged) on the month partition: every rollup
and every ticket's total, so cost per ticket (median, p90) is exact. The running totals are items of
their own, not attributes of the ticket item: the ticket item is in up to four indexes with every
attribute projected, and a transaction touching it would conflict with the ticket's own versioned
writes. Rollups are only ever ADDed to, spread over SHARDS items by request id. Never a scan.
"""

import random
import statistics
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from mentiondesk.costs.ledger import COMPONENTS, CostLine, merge
from mentiondesk.store import keys
from mentiondesk.store.dynamo import Table, cancellation_codes, error_code
from mentiondesk.store.rollups import report_day

SHARDS = 4
COST_PREFIX = "COST#"
TICKET_PREFIX = "TICKET#"
ROLLUP_PREFIX = "R#"
_RECORDS_PER_TRANSACTION = 24  # two actions per record, and room for the rollup items: at most 100
_CONFLICT_ATTEMPTS = 4
_RECORD_FIELDS = ("tenant", "ticket_id", "at", "region", "source", "request_id", "channel", "team", "brand")
_LINE_FIELDS = ("component", "item", "quantity", "unit", "unit_price_usd", "amount_nanos", "price_read_on", "shares")
_COUNTERS = {"q": "quantity", "n": "amount_nanos", "l": "lines", "u": "unpriced_count"}


def report_month(at: str) -> str:
    """The report month (YYYY-MM, Asia/Tokyo) of an instant."""
    return report_day(at)[:7]


def costs_pk(tenant: str, month: str) -> str:
    """The monthly rollups and ticket totals of a tenant (month is YYYY-MM)."""
    return f"TENANT#{tenant}#COSTS#{month}"


def record_sk(request_id: str) -> str:
    return f"{COST_PREFIX}{request_id}"


def rollup_sk(component: str, dimension: str, shard: int) -> str:
    return f"{ROLLUP_PREFIX}{component}#{dimension}#{shard}"


def shard_of(request_id: str) -> int:
    return zlib.crc32(request_id.encode()) % SHARDS


def record_item(lines: Sequence[CostLine]) -> dict[str, Any]:
    """One invocation's lines for one ticket, as one item (exact Decimal strings, integer nano-dollars)."""
    first = lines[0]
    item: dict[str, Any] = {
        "PK": keys.ticket_pk(first.tenant, first.ticket_id or "-"),
        "SK": record_sk(first.request_id),
        "entity": "cost_record",
    }
    dumped = first.model_dump(mode="json", include=set(_RECORD_FIELDS), exclude_none=True)
    item.update(dumped)
    item["lines"] = [line.model_dump(mode="json", include=set(_LINE_FIELDS), exclude_none=True) for line in lines]
    return item


def lines_from_record(item: dict[str, Any]) -> list[CostLine]:
    common = {k: item[k] for k in _RECORD_FIELDS if item.get(k) is not None}
    return [CostLine.model_validate({**common, **line}) for line in item.get("lines", [])]


@dataclass(frozen=True)
class TicketCosts:
    """A ticket's ledger: its total (priced lines), per component, the lines oldest first."""

    total_nanos: int = 0
    by_component: dict[str, int] = field(default_factory=dict)
    lines: list[CostLine] = field(default_factory=list)
    line_count: int = 0
    unpriced_count: int = 0


def ticket_costs_from_items(items: Iterable[dict[str, Any]]) -> TicketCosts:
    """The ledger out of a ticket partition's items (e.g. the ones its detail Query already read)."""
    lines: list[CostLine] = []
    for item in items:
        if str(item.get("SK", "")).startswith(COST_PREFIX):
            lines += lines_from_record(item)
    lines.sort(key=lambda line: (line.at, line.request_id, line.item))
    by_component: dict[str, int] = {}
    for line in lines:
        if line.amount_nanos is not None:
            by_component[line.component] = by_component.get(line.component, 0) + line.amount_nanos
    return TicketCosts(
        total_nanos=sum(by_component.values()),
        by_component=by_component,
        lines=lines,
        line_count=len(lines),
        unpriced_count=sum(1 for line in lines if not line.priced),
    )


@dataclass(frozen=True)
class RollupRow:
    """One month's counters for a component, item and dimension (its shards added up)."""

    component: str
    item: str
    unit: str
    channel: str | None
    team: str | None
    brand: str | None
    quantity: Decimal
    amount_nanos: int
    lines: int
    unpriced_count: int


@dataclass(frozen=True)
class TicketTotal:
    """What one ticket cost in one month."""

    ticket_id: str
    channel: str | None
    team: str | None
    brand: str | None
    total_nanos: int
    by_component: dict[str, int]
    lines: int
    unpriced_count: int


@dataclass(frozen=True)
class Month:
    """A tenant's month as the finance screen reads it: the rollups and every ticket's total."""

    rollups: list[RollupRow]
    tickets: list[TicketTotal]


@dataclass
class FlushResult:
    written: int = 0  # lines written now
    duplicates: int = 0  # lines already recorded by an earlier flush of the same invocation
    transactions: int = 0
    rollup_updates: int = 0  # untied lines: UpdateItems on the rollups


class CostStore:
    def __init__(
        self,
        table: Table,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.table = table
        self.sleep = sleep

    # -- writing ----------------------------------------------------------------------------------

    def record(self, lines: Sequence[CostLine]) -> FlushResult:
        """Write one invocation's lines: for tickets one TransactWriteItems (more only past 24 tickets)
        holding a record per ticket, its monthly total and the rollup ADDs, idempotent per request id;
        untied lines as rollup ADDs alone."""
        result = FlushResult()
        merged = merge(lines)
        records: dict[tuple[str, str, str], list[CostLine]] = {}
        untied: list[CostLine] = []
        for line in merged:
            if line.ticket_id:
                records.setdefault((line.tenant, line.ticket_id, line.request_id), []).append(line)
            else:
                untied.append(line)
        groups = list(records.values())
        for start in range(0, len(groups), _RECORDS_PER_TRANSACTION):
            chunk = groups[start : start + _RECORDS_PER_TRANSACTION]
            written, transactions = self._write(chunk)
            result.written += sum(len(g) for g in written)
            result.duplicates += sum(len(g) for g in chunk) - sum(len(g) for g in written)
            result.transactions += transactions
        for update in _rollup_updates(untied).values():
            args = _update_args(update)
            self.table.update(
                args["Key"],
                args["UpdateExpression"],
                names=args["ExpressionAttributeNames"],
                vals=args["ExpressionAttributeValues"],
            )
            result.rollup_updates += 1
        result.written += len(untied)
        return result

    def _write(self, records: list[list[CostLine]]) -> tuple[list[list[CostLine]], int]:
        """One transaction for the records (again without those written before, if some were: a
        retried invocation, or a report the page sent twice); answers the records written now and
        the transactions tried."""
        pending = list(records)
        tried = 0
        conflicts = 0
        while pending:
            tried += 1
            try:
                self.table.transact(_actions(pending))
                return pending, tried
            except ClientError as error:
                if error_code(error) != "TransactionCanceledException":
                    raise
                codes = cancellation_codes(error)
                recorded = {n for n, code in enumerate(codes[: len(pending)]) if code == "ConditionalCheckFailed"}
                if recorded:
                    pending = [r for n, r in enumerate(pending) if n not in recorded]
                    continue
                conflicts += 1
                if "TransactionConflict" not in codes or conflicts == _CONFLICT_ATTEMPTS:
                    raise
                # A concurrent flush holds the same rollup shard or ticket total: try again shortly.
                self.sleep(random.uniform(0, 0.05 * 2**conflicts))  # noqa: S311
        return [], tried

    # -- reading ----------------------------------------------------------------------------------

    def ticket(self, tenant: str, ticket_id: str) -> TicketCosts:
        """A ticket's ledger (one Query on the ticket's partition, COST# prefix)."""
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :cost)",
            ExpressionAttributeValues={":pk": keys.ticket_pk(tenant, ticket_id), ":cost": COST_PREFIX},
        )
        return ticket_costs_from_items(items)

    def month_of(self, tenant: str, month: str) -> Month:
        """The month's rollups (shards added up) and every ticket's total: one Query, paged."""
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": costs_pk(tenant, month)}
        )
        rollups = [i for i in items if str(i["SK"]).startswith(ROLLUP_PREFIX)]
        totals = [i for i in items if str(i["SK"]).startswith(TICKET_PREFIX)]
        return Month(rollups=_rows(rollups), tickets=[_ticket_total(i) for i in totals])

    def month(self, tenant: str, month: str, component: str | None = None) -> list[RollupRow]:
        """The month's rollups of a tenant (of one component), shards added up: one Query that reads
        the rollup items alone, not the month's ticket totals."""
        prefix = f"{ROLLUP_PREFIX}{component}#" if component else ROLLUP_PREFIX
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :r)",
            ExpressionAttributeValues={":pk": costs_pk(tenant, month), ":r": prefix},
        )
        return _rows(items)

    def ticket_month_total(self, tenant: str, ticket_id: str, month: str) -> TicketTotal | None:
        item = self.table.get({"PK": costs_pk(tenant, month), "SK": f"{TICKET_PREFIX}{ticket_id}"})
        return _ticket_total(item) if item else None


def _rows(items: list[dict[str, Any]]) -> list[RollupRow]:
    rows: dict[tuple[str, str, str, str, str], dict[str, Any]] = {}
    for item in items:
        dims = tuple(str(item.get(k) or "-") for k in ("channel", "team", "brand"))
        for name, value in item.items():
            prefix, _, line_item = str(name).partition("#")
            if prefix not in _COUNTERS or not line_item:
                continue
            key = (str(item.get("component", "")), line_item, *dims)
            row = rows.setdefault(
                key,  # type: ignore[arg-type]
                {"unit": item.get(f"unit#{line_item}", ""), "q": Decimal(0), "n": 0, "l": 0, "u": 0},
            )
            row[prefix] += Decimal(str(value)) if prefix == "q" else int(value)
    return [
        RollupRow(
            component=component,
            item=line_item,
            unit=str(row["unit"]),
            channel=None if channel == "-" else channel,
            team=None if team == "-" else team,
            brand=None if brand == "-" else brand,
            quantity=row["q"],
            amount_nanos=row["n"],
            lines=row["l"],
            unpriced_count=row["u"],
        )
        for (component, line_item, channel, team, brand), row in sorted(rows.items())
    ]


def _ticket_total(item: dict[str, Any]) -> TicketTotal:
    return TicketTotal(
        ticket_id=str(item["SK"]).removeprefix(TICKET_PREFIX),
        channel=item.get("channel"),
        team=item.get("team"),
        brand=item.get("brand"),
        total_nanos=int(item.get("cost_nanos", 0)),
        by_component={c: int(item[f"{c}_nanos"]) for c in COMPONENTS if f"{c}_nanos" in item},
        lines=int(item.get("lines", 0)),
        unpriced_count=int(item.get("unpriced_count", 0)),
    )


def totals_by(rows: Iterable[RollupRow], dimension: str) -> dict[str, int]:
    """Nano-dollars per value of one dimension ("component", "channel", "team", "brand", "item")."""
    out: dict[str, int] = {}
    for row in rows:
        value = getattr(row, dimension) or "-"
        out[value] = out.get(value, 0) + row.amount_nanos
    return out


def per_ticket(totals: Sequence[TicketTotal]) -> dict[str, int | None]:
    """Mean, median and p90 of what each ticket cost (nano-dollars; None for no tickets). The p90 is
    the nearest rank: the cost at or below which 90% of the tickets are."""
    amounts = sorted(t.total_nanos for t in totals)
    if not amounts:
        return {"mean": None, "median": None, "p90": None}
    rank = max(1, -(-len(amounts) * 9 // 10))
    return {
        "mean": round(sum(amounts) / len(amounts)),
        "median": round(statistics.median(amounts)),
        "p90": amounts[rank - 1],
    }


def _rollup_updates(lines: Iterable[CostLine]) -> dict[tuple[str, str], dict[str, Any]]:
    """The rollup ADDs of some lines, one per rollup item (a transaction may not touch an item twice)."""
    updates: dict[tuple[str, str], dict[str, Any]] = {}
    for line in lines:
        shard = shard_of(line.request_id)
        month = report_month(line.at)
        key = (costs_pk(line.tenant, month), rollup_sk(line.component, line.dimension, shard))
        update = updates.setdefault(
            key,
            {
                "key": {"PK": key[0], "SK": key[1]},
                "fields": {
                    "entity": "cost_rollup",
                    "month": month,
                    "component": line.component,
                    "shard": shard,
                    **{d: getattr(line, d) for d in ("channel", "team", "brand") if getattr(line, d)},
                },
                "counters": {},
            },
        )
        update["fields"][f"unit#{line.item}"] = line.unit
        counters = update["counters"]
        for prefix, value in (
            ("q", line.quantity),
            ("n", line.amount_nanos or 0),
            ("l", 1),
            ("u", 0 if line.priced else 1),
        ):
            if value or prefix in ("n", "l"):
                name = f"{prefix}#{line.item}"
                counters[name] = counters.get(name, 0) + value
    return updates


def _actions(records: list[list[CostLine]]) -> list[dict[str, Any]]:
    """The transaction: each record (only if new), then the ticket totals and rollup ADDs, each item once."""
    actions: list[dict[str, Any]] = [
        {"Put": {"Item": record_item(lines), "ConditionExpression": "attribute_not_exists(PK)"}} for lines in records
    ]
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for lines in records:
        for line in lines:
            pk = costs_pk(line.tenant, report_month(line.at))
            sk = f"{TICKET_PREFIX}{line.ticket_id}"
            total = totals.setdefault(
                (pk, sk),
                {
                    "key": {"PK": pk, "SK": sk},
                    "fields": {"entity": "cost_ticket"},
                    "counters": {"cost_nanos": 0, "lines": 0, "unpriced_count": 0},
                },
            )
            total["fields"].update({d: getattr(line, d) for d in ("channel", "team", "brand") if getattr(line, d)})
            counters = total["counters"]
            counters["cost_nanos"] += line.amount_nanos or 0
            counters["lines"] += 1
            counters["unpriced_count"] += 0 if line.priced else 1
            if line.amount_nanos:
                name = f"{line.component}_nanos"
                counters[name] = counters.get(name, 0) + line.amount_nanos
    actions += [{"Update": _update_args(t)} for t in totals.values()]
    actions += [
        {"Update": _update_args(u)} for u in _rollup_updates(line for lines in records for line in lines).values()
    ]
    return actions


def _update_args(update: dict[str, Any]) -> dict[str, Any]:
    """An Update that SETs `fields` and ADDs `counters`, every attribute name through a placeholder."""
    names: dict[str, str] = {}
    vals: dict[str, Any] = {}
    sets, adds = [], []
    for n, (name, value) in enumerate(update["fields"].items()):
        names[f"#s{n}"], vals[f":s{n}"] = name, value
        sets.append(f"#s{n} = :s{n}")
    for n, (name, value) in enumerate(update["counters"].items()):
        names[f"#a{n}"], vals[f":a{n}"] = name, value
        adds.append(f"#a{n} :a{n}")
    return {
        "Key": update["key"],
        "UpdateExpression": f"SET {', '.join(sets)} ADD {', '.join(adds)}",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": vals,
    }
