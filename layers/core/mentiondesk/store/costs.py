"""The cost ledger in the table: each line, each ticket's running total, and monthly rollups.

PK                                     SK                                             item
TENANT#{t}#TICKET#{ticket}             COST#{request_id}#{item}                       a line of the ticket
TENANT#{t}#TICKET#{ticket}             COST                                           the ticket's running total
TENANT#{t}#COSTLINES#{yyyy-mm}         COST#{request_id}#{item}                       a line tied to no ticket
TENANT#{t}#COSTS#{yyyy-mm}             {component}#{item}#{channel}#{team}#{brand}#{shard}  monthly rollup
("-" is the tenant of costs no tenant can be charged with, and any unknown dimension.)

Opening a ticket reads its ledger in the same Query as its messages (the `COST` prefix sorts with
them), or alone with `begins_with(SK, "COST")`. The sort key holds the request id, not the time, so
a retried invocation (same request id) lands on the same keys and its write is refused: a flush is
one TransactWriteItems whose line Puts are conditional on the line not existing, so a flush that was
already recorded changes nothing at all — not the total, not the rollups.

The running total is a small item of its own, not an attribute of the ticket item: the ticket item is
in up to four indexes with every attribute projected, so an ADD there would be written again into
each index at the ticket's full size, and a transaction touching it would cancel (or be cancelled by)
the ticket's own versioned transactions (TransactionConflict). Rollups are only ever ADDed to, and
spread over SHARDS items by request id so concurrent flushes rarely touch the same one; a report
reads one month of one tenant with one Query and adds the shards up. Never a scan.
"""

import random
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

SHARDS = 4
COST_SK = "COST"
_LINES_PER_TRANSACTION = 33  # a line, its rollup and its ticket total: at most 99 actions of the 100 allowed
_CONFLICT_ATTEMPTS = 4
_LINE_FIELDS = set(CostLine.model_fields)


def costs_pk(tenant: str, month: str) -> str:
    """The monthly rollups of a tenant (month is YYYY-MM)."""
    return f"TENANT#{tenant}#COSTS#{month}"


def untied_pk(tenant: str, month: str) -> str:
    """Lines of a month that belong to no ticket."""
    return f"TENANT#{tenant}#COSTLINES#{month}"


def line_sk(request_id: str, item: str) -> str:
    return f"COST#{request_id}#{item}"


def rollup_sk(component: str, item: str, dimension: str, shard: int) -> str:
    return f"{component}#{item}#{dimension}#{shard}"


def shard_of(request_id: str) -> int:
    return zlib.crc32(request_id.encode()) % SHARDS


def line_key(line: CostLine) -> dict[str, str]:
    pk = keys.ticket_pk(line.tenant, line.ticket_id) if line.ticket_id else untied_pk(line.tenant, line.at[:7])
    return {"PK": pk, "SK": line_sk(line.request_id, line.item)}


def line_item(line: CostLine) -> dict[str, Any]:
    """The stored line: exact Decimal strings for quantity and price, integer nano-dollars."""
    item: dict[str, Any] = {**line_key(line), "entity": "cost_line"}
    item.update(line.model_dump(mode="json", exclude_none=True))
    return item


def line_from_item(item: dict[str, Any]) -> CostLine:
    return CostLine.model_validate({k: v for k, v in item.items() if k in _LINE_FIELDS})


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
    total: dict[str, Any] = {}
    lines: list[CostLine] = []
    for item in items:
        sk = str(item.get("SK", ""))
        if sk == COST_SK:
            total = item
        elif sk.startswith(COST_SK + "#"):
            lines.append(line_from_item(item))
    lines.sort(key=lambda line: (line.at, line.request_id, line.item))
    return TicketCosts(
        total_nanos=int(total.get("cost_nanos", 0)),
        by_component={c: int(total[f"{c}_nanos"]) for c in COMPONENTS if f"{c}_nanos" in total},
        lines=lines,
        line_count=int(total.get("lines", 0)),
        unpriced_count=int(total.get("unpriced_count", 0)),
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


@dataclass
class FlushResult:
    written: int = 0  # lines written now
    duplicates: int = 0  # lines already recorded by an earlier flush of the same invocation
    transactions: int = 0


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
        """Write one invocation's lines: one TransactWriteItems (more only past 33 lines) holding each
        line, its rollup ADDs and the ticket totals. Idempotent per request id and item."""
        result = FlushResult()
        merged = merge(lines)
        for start in range(0, len(merged), _LINES_PER_TRANSACTION):
            chunk = merged[start : start + _LINES_PER_TRANSACTION]
            if self._write(chunk):
                result.written += len(chunk)
            else:
                result.duplicates += len(chunk)
            result.transactions += 1
        return result

    def _write(self, lines: list[CostLine]) -> bool:
        """One transaction; False when its lines were recorded before (a retried invocation)."""
        actions = _actions(lines)
        for attempt in range(_CONFLICT_ATTEMPTS):
            try:
                self.table.transact(actions)
                return True
            except ClientError as error:
                if error_code(error) != "TransactionCanceledException":
                    raise
                codes = cancellation_codes(error)
                if "ConditionalCheckFailed" in codes[: len(lines)]:
                    return False
                if "TransactionConflict" not in codes or attempt + 1 == _CONFLICT_ATTEMPTS:
                    raise
                # A concurrent flush holds the same rollup shard or ticket total: try again shortly.
                self.sleep(random.uniform(0, 0.05 * 2**attempt))  # noqa: S311
        raise AssertionError("unreachable")

    # -- reading ----------------------------------------------------------------------------------

    def ticket(self, tenant: str, ticket_id: str) -> TicketCosts:
        """A ticket's ledger and running total (one Query on the ticket's partition, COST prefix)."""
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :cost)",
            ExpressionAttributeValues={":pk": keys.ticket_pk(tenant, ticket_id), ":cost": COST_SK},
        )
        return ticket_costs_from_items(items)

    def untied(self, tenant: str, month: str) -> list[CostLine]:
        """The month's lines tied to no ticket (polls that found nothing, inbox pages, schedule ticks)."""
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": untied_pk(tenant, month)}
        )
        return sorted((line_from_item(i) for i in items), key=lambda line: (line.at, line.request_id))

    def month(self, tenant: str, month: str) -> list[RollupRow]:
        """The month's rollups of a tenant, shards added up (one Query)."""
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": costs_pk(tenant, month)}
        )
        rows: dict[tuple[str, str, str, str, str], dict[str, Any]] = {}
        for item in items:
            key = tuple(str(item.get(k) or "-") for k in ("component", "item", "channel", "team", "brand"))
            row = rows.setdefault(
                key,  # type: ignore[arg-type]
                {"unit": item.get("unit", ""), "quantity": Decimal(0), "amount": 0, "lines": 0, "unpriced": 0},
            )
            row["quantity"] += Decimal(str(item.get("quantity", 0)))
            row["amount"] += int(item.get("amount_nanos", 0))
            row["lines"] += int(item.get("lines", 0))
            row["unpriced"] += int(item.get("unpriced_count", 0))
        return [
            RollupRow(
                component=component,
                item=item,
                unit=str(row["unit"]),
                channel=None if channel == "-" else channel,
                team=None if team == "-" else team,
                brand=None if brand == "-" else brand,
                quantity=row["quantity"],
                amount_nanos=row["amount"],
                lines=row["lines"],
                unpriced_count=row["unpriced"],
            )
            for (component, item, channel, team, brand), row in sorted(rows.items())
        ]


def totals_by(rows: Iterable[RollupRow], dimension: str) -> dict[str, int]:
    """Nano-dollars per value of one dimension ("component", "channel", "team", "brand", "item")."""
    out: dict[str, int] = {}
    for row in rows:
        value = getattr(row, dimension) or "-"
        out[value] = out.get(value, 0) + row.amount_nanos
    return out


def _actions(lines: list[CostLine]) -> list[dict[str, Any]]:
    """The transaction: each line (only if new), then the rollup and ticket-total ADDs, each item once
    (a transaction may not touch an item twice)."""
    actions: list[dict[str, Any]] = [
        {"Put": {"Item": line_item(line), "ConditionExpression": "attribute_not_exists(PK)"}} for line in lines
    ]
    rollups: dict[tuple[str, str], dict[str, Any]] = {}
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for line in lines:
        shard = shard_of(line.request_id)
        month = line.at[:7]
        rollup = rollups.setdefault(
            (costs_pk(line.tenant, month), rollup_sk(line.component, line.item, line.dimension, shard)),
            {"line": line, "shard": shard, "month": month, "quantity": Decimal(0), "amount": 0, "n": 0, "unpriced": 0},
        )
        rollup["quantity"] += line.quantity
        rollup["amount"] += line.amount_nanos or 0
        rollup["n"] += 1
        rollup["unpriced"] += 0 if line.priced else 1
        if line.ticket_id:
            total = totals.setdefault(
                (line.tenant, line.ticket_id), {"amount": 0, "n": 0, "unpriced": 0, **{c: 0 for c in COMPONENTS}}
            )
            total["amount"] += line.amount_nanos or 0
            total[line.component] += line.amount_nanos or 0
            total["n"] += 1
            total["unpriced"] += 0 if line.priced else 1
    for (pk, sk), r in rollups.items():
        first: CostLine = r["line"]
        fields = {
            "entity": "cost_rollup",
            "month": r["month"],
            "component": first.component,
            "item": first.item,
            "unit": first.unit,
            "shard": r["shard"],
            **{d: getattr(first, d) for d in ("channel", "team", "brand") if getattr(first, d)},
        }
        counters = {
            "quantity": r["quantity"],
            "amount_nanos": r["amount"],
            "lines": r["n"],
            "unpriced_count": r["unpriced"],
        }
        actions.append({"Update": _set_add({"PK": pk, "SK": sk}, fields, counters)})
    for (tenant, ticket_id), t in totals.items():
        counters = {"cost_nanos": t["amount"], "lines": t["n"], "unpriced_count": t["unpriced"]}
        counters.update({f"{c}_nanos": t[c] for c in COMPONENTS if t[c]})
        key = {"PK": keys.ticket_pk(tenant, ticket_id), "SK": COST_SK}
        actions.append({"Update": _set_add(key, {"entity": "cost_total"}, counters)})
    return actions


def _set_add(key: dict[str, str], fields: dict[str, Any], counters: dict[str, Any]) -> dict[str, Any]:
    """An Update that SETs `fields` and ADDs `counters`, every attribute name through a placeholder."""
    names: dict[str, str] = {}
    vals: dict[str, Any] = {}
    sets, adds = [], []
    for n, (name, value) in enumerate(fields.items()):
        names[f"#s{n}"], vals[f":s{n}"] = name, value
        sets.append(f"#s{n} = :s{n}")
    for n, (name, value) in enumerate(counters.items()):
        names[f"#a{n}"], vals[f":a{n}"] = name, value
        adds.append(f"#a{n} :a{n}")
    return {
        "Key": key,
        "UpdateExpression": f"SET {', '.join(sets)} ADD {', '.join(adds)}",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": vals,
    }
