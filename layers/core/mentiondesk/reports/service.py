"""Reports read from the rollups (store/rollups.py): a period of one dimension is one Query.

Every figure is defined in docs/reports.md. An empty period answers zeros (and None for the
medians and percentiles of nothing), never an error.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from mentiondesk.clock import iso, parse_iso
from mentiondesk.errors import InvalidRequest
from mentiondesk.models import Ticket
from mentiondesk.store import rollups
from mentiondesk.store.factory import Store

MAX_DAYS = 400
COUNTERS = (
    "tickets",
    "messages_in",
    "classified",
    "replies",
    "first_replies",
    "resolved",
    "mentions",
    "mentions_answered",
    "sentiment_positive",
    "sentiment_neutral",
    "sentiment_negative",
)
SLA_METRICS = ("first_response", "next_response", "resolution")


def period(first: str, last: str) -> tuple[str, str]:
    """A valid, bounded day range (YYYY-MM-DD, both included)."""
    try:
        a, b = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        raise InvalidRequest("from and to are days: YYYY-MM-DD") from None
    if b < a:
        raise InvalidRequest("to is before from")
    if (b - a).days >= MAX_DAYS:
        raise InvalidRequest(f"a report covers at most {MAX_DAYS} days")
    return a.isoformat(), b.isoformat()


def percentile(histogram: dict[int, float], q: float) -> float | None:
    """The q-quantile (0 < q < 1) of a bucketed distribution, interpolated inside its bucket; None
    when it is empty. Accurate to the bucket's width (10%)."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    rank = q * total
    seen = 0.0
    for k in sorted(histogram):
        count = histogram[k]
        if seen + count >= rank and count > 0:
            low = 0.0 if k == 0 else rollups.edge(k - 1)
            high = rollups.edge(k)
            if high == float("inf"):
                return low
            return round(low + (high - low) * (rank - seen) / count, 1)
        seen += count
    return None


def _duration(row: dict[str, float], name: str) -> dict[str, Any]:
    n = int(row.get(f"{name}_n", 0))
    histogram = {
        int(key.removeprefix(f"{name}_h")): value
        for key, value in row.items()
        if key.startswith(f"{name}_h") and key.removeprefix(f"{name}_h").isdigit()
    }
    return {
        "count": n,
        "mean_seconds": round(row.get(f"{name}_sum", 0.0) / n, 1) if n else None,
        "median_seconds": percentile(histogram, 0.5),
        "p90_seconds": percentile(histogram, 0.9),
    }


def _figures(row: dict[str, float]) -> dict[str, Any]:
    counts = {name: int(row.get(name, 0)) for name in COUNTERS}
    mentions, answered = counts["mentions"], counts["mentions_answered"]
    sla: dict[str, Any] = {}
    for metric in SLA_METRICS:
        met, missed = int(row.get(f"sla_met_{metric}", 0)), int(row.get(f"sla_missed_{metric}", 0))
        sla[metric] = {
            "met": met,
            "missed": missed,
            "compliance": round(met / (met + missed), 4) if met + missed else None,
        }
    answers = int(row.get("csat_answers", 0))
    csat = {
        "answers": answers,
        "average": round(row.get("csat_sum", 0.0) / answers, 2) if answers else None,
        "distribution": {str(r): int(row.get(f"csat_r{r}", 0)) for r in range(1, 6)},
        "satisfied_share": round((row.get("csat_r4", 0) + row.get("csat_r5", 0)) / answers, 4) if answers else None,
    }
    return {
        **counts,
        "csat": csat,
        "mentions_unanswered": max(0, mentions - answered),
        "mention_reply_rate": round(answered / mentions, 4) if mentions else None,
        "first_response": _duration(row, "frt"),
        "first_response_business": _duration(row, "frt_bh"),
        "next_response": _duration(row, "nrt"),
        "next_response_business": _duration(row, "nrt_bh"),
        "resolution": _duration(row, "res"),
        "resolution_business": _duration(row, "res_bh"),
        "sla": sla,
    }


def _add(into: dict[str, float], item: dict[str, Any]) -> None:
    for key, value in item.items():
        if key in ("PK", "SK", "entity", "day", "value"):
            continue
        if isinstance(value, int | float) or hasattr(value, "as_integer_ratio"):
            into[key] = into.get(key, 0.0) + float(value)


def summary(store: Store, tenant: str, first: str, last: str, dimension: str = "all") -> dict[str, Any]:
    """The report over [first, last] by `dimension`: a row per value, the total, and the days."""
    if dimension not in rollups.DIMENSIONS:
        raise InvalidRequest(f"dimension is one of {', '.join(rollups.DIMENSIONS)}")
    first, last = period(first, last)
    items = rollups.RollupReader(store.table).days(tenant, dimension, first, last)
    by_value: dict[str, dict[str, float]] = defaultdict(dict)
    by_day: dict[str, dict[str, float]] = defaultdict(dict)
    total: dict[str, float] = {}
    for item in items:
        _add(by_value[str(item["value"])], item)
        _add(by_day[str(item["day"])], item)
        _add(total, item)
    days = []
    day = date.fromisoformat(first)
    while day <= date.fromisoformat(last):
        row = by_day.get(day.isoformat(), {})
        days.append(
            {
                "day": day.isoformat(),
                **{name: int(row.get(name, 0)) for name in COUNTERS},
            }
        )
        day += timedelta(days=1)
    labels = value_labels(store, tenant, dimension)
    return {
        "from": first,
        "to": last,
        "dimension": dimension,
        "timezone": str(rollups.REPORT_TZ),
        "total": _figures(total),
        "rows": sorted(
            ({"value": value, "label": labels.get(value), **_figures(row)} for value, row in by_value.items()),
            key=lambda r: (-r["tickets"], -r["replies"], r["value"]),
        ),
        "days": days,
    }


def value_labels(store: Store, tenant: str, dimension: str) -> dict[str, str]:
    """Display names of a dimension's values (a person's name for an agent id, a team's name, an
    account's handle, a policy's name), so every reader of a report sees names, finance included."""
    if dimension == "agent":
        return {a.id: a.name for a in store.directory.agents(tenant)}
    if dimension == "team":
        return {t.id: t.name for t in store.directory.teams(tenant)}
    if dimension == "account":
        return {c.account_id: f"{c.platform} @{c.handle}" for c in store.directory.channels(tenant)}
    if dimension == "policy":
        from mentiondesk.store.settings import SettingsStore

        return {
            str(p["id"]): str(p.get("name") or p["id"])
            for p in SettingsStore(store.table, "SLA", "SLA policy").list(tenant)
            if "id" in p
        }
    return {}


AGE_BUCKETS = (("under_1h", 3600), ("under_4h", 4 * 3600), ("under_1d", 86400), ("under_3d", 3 * 86400))


def backlog(store: Store, tenant: str, now: datetime) -> dict[str, Any]:
    """Open and pending tickets now, by age since they were created (reads the open-ticket index)."""
    counts: dict[str, Any] = {}
    for status in ("open", "pending"):
        ages = {name: 0 for name, _ in AGE_BUCKETS} | {"older": 0}
        cursor = None
        total = 0
        oldest: float | None = None
        while True:
            page = store.tickets.inbox(tenant, status, 100, cursor)
            for ticket in page.items:
                age = (now - parse_iso(ticket.created_at)).total_seconds()
                total += 1
                oldest = age if oldest is None else max(oldest, age)
                name = next((n for n, limit in AGE_BUCKETS if age < limit), "older")
                ages[name] += 1
            cursor = page.next
            if not cursor:
                break
        counts[status] = {"count": total, "by_age": ages, "oldest_seconds": round(oldest, 1) if oldest else None}
    return counts


EXPORT_LIMIT = 20_000  # tickets per export: beyond, ask for a shorter period
EXPORT_COLUMNS = (
    "ticket_id",
    "created_at",
    "channel",
    "kind",
    "team",
    "account_id",
    "status",
    "priority",
    "language",
    "intent",
    "sentiment",
    "urgency",
    "assignee_id",
    "assignee_name",
    "message_count",
    "last_reply_at",
    "resolved_at",
    "sla_policy_id",
    "sla_due_at",
    "sla_met",
    "sla_missed",
    "csat_rating",
    "tags",
)


def _period_tickets(
    store: Store, tenant: str, first: str, last: str
) -> tuple[str, str, datetime, datetime, list[Ticket], bool]:
    """The checked period, its bounds in the report timezone, and the tickets active since it began
    (up to EXPORT_LIMIT; True when there were more)."""
    first, last = period(first, last)
    start = datetime.combine(date.fromisoformat(first), datetime.min.time(), rollups.REPORT_TZ)
    end = datetime.combine(date.fromisoformat(last) + timedelta(days=1), datetime.min.time(), rollups.REPORT_TZ)
    tickets, more = store.tickets.active_since(tenant, iso(start), EXPORT_LIMIT)
    return first, last, start, end, tickets, more


def export_rows(store: Store, tenant: str, first: str, last: str) -> tuple[list[dict[str, Any]], bool]:
    """One row per ticket opened in [first, last] (report days), oldest first; True when cut at the limit.
    No customer words: finance reads it too."""
    first, last, start, end, tickets, more = _period_tickets(store, tenant, first, last)
    rows = []
    for t in tickets:
        created = parse_iso(t.created_at)
        if not (start <= created < end):
            continue
        outcomes = [c.outcome for c in t.sla_clocks]
        rows.append(
            {
                "ticket_id": t.id,
                "created_at": t.created_at,
                "channel": t.platform,
                "kind": t.kind,
                "team": t.team,
                "account_id": spreadsheet_id(t.platform, t.account_id),
                "status": t.status,
                "priority": t.priority,
                "language": t.language or "",
                "intent": t.intent or "",
                "sentiment": t.sentiment or "",
                "urgency": t.urgency or "",
                "assignee_id": t.assignee.id if t.assignee else "",
                "assignee_name": t.assignee.name if t.assignee else "",
                "message_count": t.message_count,
                "last_reply_at": t.last_reply_at or "",
                "resolved_at": t.resolved_at or "",
                "sla_policy_id": t.sla_policy_id or "",
                "sla_due_at": t.sla_due_at or "",
                "sla_met": outcomes.count("met"),
                "sla_missed": outcomes.count("missed"),
                "csat_rating": t.csat_rating if t.csat_rating is not None else "",
                "tags": " ".join(t.tags),
            }
        )
    rows.sort(key=lambda r: (r["created_at"], r["ticket_id"]))
    return rows, more


def export_csv(rows: list[dict[str, Any]]) -> str:
    """The ticket export's rows as CSV for a spreadsheet."""
    return csv_text(EXPORT_COLUMNS, rows)


def spreadsheet_id(platform: str | None, account_id: str | None) -> str:
    """A platform account id as "x:1500000000000000001": a spreadsheet keeps every digit of text,
    while a bare 19-digit id would become 1.5E+18."""
    if not account_id:
        return ""
    return f"{platform}:{account_id}" if platform else account_id


def csv_text(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    """Rows as CSV for a spreadsheet: UTF-8 with a BOM (Excel reads Japanese right), CRLF, one header
    row, and cells that would start a formula (=, +, -, @) quoted with a leading apostrophe."""
    import csv
    import io

    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in columns])
    return out.getvalue()


def _cell(value: Any) -> str:
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


DRILL_METRICS = (
    "tickets",
    "resolved",
    "replied",
    "mentions_unanswered",
    "sla_met",
    "sla_missed",
    "sentiment_positive",
    "sentiment_neutral",
    "sentiment_negative",
    "csat",
)
DRILL_LIMIT = 500  # tickets listed per drill-down; the CSV export has them all


def _drill_match(ticket: Ticket, metric: str, start: datetime, end: datetime) -> bool:
    """Whether a ticket is one of those counted in `metric` over [start, end) (docs/reports.md)."""

    def inside(at: str | None) -> bool:
        return at is not None and start <= parse_iso(at) < end

    created = inside(ticket.created_at)
    if metric == "tickets":
        return created
    if metric == "resolved":
        return inside(ticket.resolved_at)
    if metric == "replied":
        return inside(ticket.last_reply_at)
    if metric == "mentions_unanswered":
        return created and ticket.kind in rollups.PUBLIC_KINDS and ticket.last_reply_at is None
    if metric in ("sla_met", "sla_missed"):
        outcome = metric.removeprefix("sla_")
        return created and any(c.outcome == outcome for c in ticket.sla_clocks)
    if metric.startswith("sentiment_"):
        return created and ticket.sentiment == metric.removeprefix("sentiment_")
    if metric == "csat":
        return created and ticket.csat_rating is not None
    raise InvalidRequest(f"metric is one of {', '.join(DRILL_METRICS)}")


def drill(
    store: Store,
    tenant: str,
    first: str,
    last: str,
    metric: str,
    dimension: str = "all",
    value: str | None = None,
) -> dict[str, Any]:
    """The tickets behind a report figure: those counted in `metric` over the period, optionally only
    those whose `dimension` is `value`. Reads the tickets active since the period began (GSI2, paged),
    so no scan; at most DRILL_LIMIT listed, newest first."""
    if metric not in DRILL_METRICS:
        raise InvalidRequest(f"metric is one of {', '.join(DRILL_METRICS)}")
    if dimension not in rollups.DIMENSIONS:
        raise InvalidRequest(f"dimension is one of {', '.join(rollups.DIMENSIONS)}")
    if dimension != "all" and not value:
        raise InvalidRequest("a dimension needs a value")
    first, last, start, end, tickets, more = _period_tickets(store, tenant, first, last)
    listed: list[dict[str, Any]] = []
    for t in tickets:
        if not _drill_match(t, metric, start, end):
            continue
        if dimension != "all":
            dims = rollups.ticket_dims(t, agent=t.assignee.id if t.assignee else None, policy=t.sla_policy_id)
            if dims.get(dimension) != value:
                continue
        if len(listed) == DRILL_LIMIT:
            more = True
            break
        listed.append(
            {
                "id": t.id,
                "created_at": t.created_at,
                "channel": t.platform,
                "kind": t.kind,
                "status": t.status,
                "team": t.team,
                "assignee_name": t.assignee.name if t.assignee else None,
                "intent": t.intent,
                "sentiment": t.sentiment,
                "language": t.language,
                "last_reply_at": t.last_reply_at,
                "resolved_at": t.resolved_at,
                "csat_rating": t.csat_rating,
            }
        )
    return {
        "metric": metric,
        "from": first,
        "to": last,
        "dimension": dimension,
        "value": value,
        "tickets": listed,
        "truncated": more,
    }
