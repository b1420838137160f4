"""Report rollups, kept as events happen: counters per day and dimension, never a scan of tickets.

`TENANT#{t}#ROLLUP#{dim}` / `{day}#{value}#{shard}`: one item per reporting day (in the tenant's
report timezone), dimension value and shard, holding counters that are only ever ADDed to. A
report over any period reads one dimension with one Query on the day range (a year of one
dimension is 365 days x values x 4 shards items: a couple of pages). The shard (a hash of the
ticket id) spreads a busy day's writes over four items, so concurrent transactions rarely touch
the same one.

The updates are written inside the transaction of the change they count (a new ticket, its first
classification, a reply that went out, a resolution, an SLA outcome), so each is counted exactly
once: a retried step whose transaction already happened counts nothing again.

Durations (first response, next response, resolution; wall clock and business hours) are kept as
a count, a sum and a histogram of geometric buckets, from which reports read the median and the
90th percentile to within a bucket's width (see docs/reports.md).
"""

import math
import zlib
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from mentiondesk.clock import parse_iso

REPORT_TZ = ZoneInfo("Asia/Tokyo")  # the reporting day; every team's default calendar is in Tokyo
SHARDS = 4
DIMENSIONS = ("all", "channel", "team", "account", "agent", "intent", "sentiment", "language", "policy")
# Bucket k holds durations in (EDGE(k-1), EDGE(k)] seconds; edges grow by RATIO from FIRST_EDGE, the
# last bucket is open-ended. 1.1 keeps percentiles within 10% up to 60 days in ~130 buckets.
FIRST_EDGE = 10.0
RATIO = 1.1
BUCKETS = 1 + math.ceil(math.log(60 * 86400 / FIRST_EDGE, RATIO))


def edge(k: int) -> float:
    """The upper edge (seconds) of bucket k; the last bucket has none."""
    return math.inf if k >= BUCKETS - 1 else FIRST_EDGE * RATIO**k


def bucket(seconds: float) -> int:
    if seconds <= FIRST_EDGE:
        return 0
    return min(BUCKETS - 1, math.ceil(math.log(seconds / FIRST_EDGE, RATIO) - 1e-9))


def report_day(iso_time: str) -> str:
    """The reporting day of an instant: its date in the report timezone."""
    return parse_iso(iso_time).astimezone(REPORT_TZ).date().isoformat()


def rollup_pk(tenant: str, dim: str) -> str:
    return f"TENANT#{tenant}#ROLLUP#{dim}"


def shard_of(ticket_id: str) -> int:
    return zlib.crc32(ticket_id.encode()) % SHARDS


def duration(name: str, seconds: float) -> dict[str, float]:
    """The counters one measured duration adds: count, sum and its histogram bucket."""
    seconds = max(0.0, float(seconds))
    return {f"{name}_n": 1, f"{name}_sum": round(seconds, 3), f"{name}_h{bucket(seconds)}": 1}


Contribution = tuple[str, Mapping[str, str | None], Mapping[str, float]]
"""(day, dimensions, counters): what one measured event adds."""


def updates(
    tenant: str, ticket_id: str, day: str, dims: Mapping[str, str | None], counters: Mapping[str, float]
) -> list[dict[str, Any]]:
    """Transaction items that ADD `counters` to the day's item of each dimension value (None: skipped)."""
    return merged(tenant, ticket_id, [(day, dims, counters)])


def merged(tenant: str, ticket_id: str, contributions: list[Contribution]) -> list[dict[str, Any]]:
    """Transaction items for several contributions, one per rollup item (a transaction may not touch
    an item twice, and two measures of one change often fall on the same day)."""
    from decimal import Decimal

    shard = shard_of(ticket_id)
    totals: dict[tuple[str, str, str], dict[str, float]] = {}
    for day, dims, counters in contributions:
        for dim, value in dims.items():
            if value is None or value == "" or not counters:
                continue
            into = totals.setdefault((dim, day, str(value)), {})
            for name, amount in counters.items():
                into[name] = into.get(name, 0) + amount
    items = []
    for (dim, day, value), counters in totals.items():
        names = {f"#c{n}": name for n, name in enumerate(counters)}
        vals: dict[str, Any] = {f":c{n}": Decimal(str(round(v, 3))) for n, v in enumerate(counters.values())}
        add = ", ".join(f"#c{n} :c{n}" for n in range(len(counters)))
        items.append(
            {
                "Update": {
                    "Key": {"PK": rollup_pk(tenant, dim), "SK": f"{day}#{value}#{shard}"},
                    "UpdateExpression": f"SET entity = :e, #day = :day, #value = :value ADD {add}",
                    "ExpressionAttributeNames": {**names, "#day": "day", "#value": "value"},
                    "ExpressionAttributeValues": {**vals, ":e": "rollup", ":day": day, ":value": value},
                }
            }
        )
    return items


def ticket_dims(ticket: Any, **more: str | None) -> dict[str, str | None]:
    """The dimensions a ticket is counted under (a Ticket model or its stored item)."""

    def field(name: str) -> Any:
        return ticket.get(name) if isinstance(ticket, dict) else getattr(ticket, name, None)

    return {
        "all": "*",
        "channel": field("platform"),
        "team": field("team"),
        "account": field("account_id"),
        "language": field("language"),
        "intent": field("intent"),
        "sentiment": field("sentiment"),
        **more,
    }


PUBLIC_KINDS = frozenset({"mention", "reply", "quote", "comment", "post"})  # brand mentions: not DMs, not reviews


class RollupReader:
    """Reads a dimension's rollups over a day range (one Query, paged)."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def days(self, tenant: str, dim: str, first_day: str, last_day: str) -> list[dict[str, Any]]:
        return list(
            self.table.query_all(
                KeyConditionExpression="PK = :pk AND SK BETWEEN :a AND :b",
                ExpressionAttributeValues={
                    ":pk": rollup_pk(tenant, dim),
                    ":a": f"{first_day}#",
                    ":b": f"{last_day}#\uffff",
                },
            )
        )
