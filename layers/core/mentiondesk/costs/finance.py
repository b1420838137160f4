"""What finance reads: a month's cost per ticket (mean, median, p90, total) by component, channel, team
and brand against the benchmark cost per contact; every ticket's costs as CSV; a ticket's own ledger;
the monthly budgets per platform and per keyword monitor, with their alerts at 80% and 100%.

A month is a report month (Asia/Tokyo), read with one Query (paged) of its partition: the rollups and
every ticket's total (store/costs.py). Definitions are in docs/reports.md ("Costs").
"""

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mentiondesk.clock import iso, utcnow
from mentiondesk.costs.ledger import COMPONENTS, CostLine
from mentiondesk.errors import Conflict, InvalidRequest, NotFound
from mentiondesk.observability import logger, metrics
from mentiondesk.prices import NANOS_PER_USD, nanos_to_usd
from mentiondesk.store.alerts import AlertStore, new_alert
from mentiondesk.store.costs import CostStore, RollupRow, TicketTotal, per_ticket, report_month
from mentiondesk.store.dynamo import Table
from mentiondesk.store.rollups import REPORT_TZ
from mentiondesk.store.settings import SettingsStore

PLATFORMS = ("x", "meta", "google")
PLATFORM_NAMES = {"x": "X", "meta": "Meta (Facebook, Instagram)", "google": "Google"}
_PLATFORM_OF_PREFIX = {"x": "x", "meta": "meta", "instagram": "meta", "facebook": "meta", "google": "google"}
WARNING_SHARE = Decimal("0.8")
SETTINGS_ID = "costs"
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
Money = Annotated[Decimal, Field(ge=0, le=1_000_000, max_digits=9, decimal_places=2)]


class CostSettingsIn(BaseModel):
    """The benchmark cost per contact and the monthly platform budgets (None: no cap)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=0, description="The version you read (0 the first time)")
    benchmark_phone_usd: Money = Decimal("6.00")
    benchmark_social_usd: Money = Decimal("1.00")
    budgets: dict[Literal["x", "meta", "google"], Money | None] = Field(default_factory=dict)


DEFAULT_SETTINGS: dict[str, Any] = {
    "version": 0,
    "benchmark_phone_usd": "6.00",
    "benchmark_social_usd": "1.00",
    "benchmark_source": "2012 study: social care about $1 per interaction, phone about $6",
    "budgets": dict.fromkeys(PLATFORMS),
}


def _settings_store(table: Table) -> SettingsStore:
    return SettingsStore(table, "POLICY", "cost settings")


def cost_settings(table: Table, tenant: str) -> dict[str, Any]:
    """The tenant's cost settings, or the defaults (version 0) before anyone saved them."""
    try:
        saved = _settings_store(table).get(tenant, SETTINGS_ID, consistent=False)
    except NotFound:
        return dict(DEFAULT_SETTINGS)
    return {**DEFAULT_SETTINGS, **saved, "budgets": {**DEFAULT_SETTINGS["budgets"], **saved.get("budgets", {})}}


def save_cost_settings(table: Table, tenant: str, body: CostSettingsIn, who: str) -> dict[str, Any]:
    document = {
        "benchmark_phone_usd": str(body.benchmark_phone_usd),
        "benchmark_social_usd": str(body.benchmark_social_usd),
        "budgets": {p: (str(v) if v is not None else None) for p, v in body.budgets.items()},
        "updated_at": iso(utcnow()),
        "updated_by": who,
    }
    store = _settings_store(table)
    if body.version == 0:
        try:
            store.create(tenant, SETTINGS_ID, document)
        except Conflict:
            raise Conflict("the settings changed since you read them", current=cost_settings(table, tenant)) from None
    else:
        try:
            store.replace(tenant, SETTINGS_ID, body.version, document)
        except NotFound:
            raise Conflict("the settings changed since you read them", current=cost_settings(table, tenant)) from None
    return cost_settings(table, tenant)


def month_or_current(month: str | None, now: datetime | None = None) -> str:
    if month is None:
        return (now or utcnow()).astimezone(REPORT_TZ).strftime("%Y-%m")
    if not re.fullmatch(MONTH, month):
        raise InvalidRequest("month is YYYY-MM")
    return month


def usd(nanos: int | None) -> str | None:
    return nanos_to_usd(nanos) if nanos is not None else None


def platform_of(item: str) -> str | None:
    return _PLATFORM_OF_PREFIX.get(item.split(".", 1)[0])


def platform_spend(rows: Iterable[RollupRow]) -> dict[str, int]:
    """Nano-dollars of platform fees per platform in the month's rollups."""
    spend = dict.fromkeys(PLATFORMS, 0)
    for row in rows:
        platform = platform_of(row.item) if row.component == "platform" else None
        if platform:
            spend[platform] += row.amount_nanos
    return spend


def _state(share: Decimal | None) -> str:
    if share is None:
        return "ok"
    return "exceeded" if share >= 1 else "warning" if share >= WARNING_SHARE else "ok"


def _budget(scope: str, key: str, name: str, cap_usd: str, spent_nanos: int) -> dict[str, Any]:
    cap_nanos = int(Decimal(cap_usd) * NANOS_PER_USD)
    share = Decimal(spent_nanos) / cap_nanos if cap_nanos else None
    return {
        "scope": scope,
        "key": key,
        "name": name,
        "cap_usd": cap_usd,
        "spent_usd": usd(spent_nanos),
        "share": round(float(share), 4) if share is not None else None,
        "state": "exceeded" if cap_nanos == 0 and spent_nanos else _state(share),
    }


def budgets(
    table: Table, tenant: str, month: str, rows: list[RollupRow], settings: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every budget of the month: the platform caps (from the rollups) and each keyword monitor's own
    (the poller's spend, which counts UTC months)."""
    from mentiondesk.store.monitors import MonitorStore

    spend = platform_spend(rows)
    out = [
        _budget("platform", p, PLATFORM_NAMES[p], cap, spend[p])
        for p, cap in settings["budgets"].items()
        if cap is not None and p in spend
    ]
    for monitor in sorted(MonitorStore(table).for_tenant(tenant), key=lambda m: m.name):
        spent = monitor.spend_micros if monitor.spend_month == month else 0
        budget = _budget("monitor", monitor.id, monitor.name, monitor.monthly_budget_usd, spent * 1000)
        budget["status"] = monitor.status
        out.append(budget)
    return out


def _per_dimension(tickets: list[TicketTotal], untied: dict[str, int], dimension: str) -> list[dict[str, Any]]:
    groups: dict[str, list[TicketTotal]] = {}
    for total in tickets:
        groups.setdefault(getattr(total, dimension) or "-", []).append(total)
    out = []
    for value in sorted(set(groups) | set(untied)):
        members = groups.get(value, [])
        spent = sum(t.total_nanos for t in members) + untied.get(value, 0)
        out.append(
            {
                "value": value,
                "tickets": len(members),
                "usd": usd(spent),
                "per_ticket_usd": usd(round(sum(t.total_nanos for t in members) / len(members))) if members else None,
            }
        )
    return sorted(out, key=lambda r: (-Decimal(r["usd"]), r["value"]))


def summary(table: Table, tenant: str, month: str) -> dict[str, Any]:
    """The month for the finance screen (an empty month is zeros, and None for the figures of nothing)."""
    costs = CostStore(table).month_of(tenant, month)
    settings = cost_settings(table, tenant)
    rows, tickets = costs.rollups, costs.tickets
    total = sum(r.amount_nanos for r in rows)
    ticket_total = sum(t.total_nanos for t in tickets)
    by_component: dict[str, int] = dict.fromkeys(COMPONENTS, 0)
    for row in rows:
        by_component[row.component] = by_component.get(row.component, 0) + row.amount_nanos
    figures = per_ticket(tickets)
    median = figures["median"]
    phone, social = Decimal(settings["benchmark_phone_usd"]), Decimal(settings["benchmark_social_usd"])

    def versus(benchmark: Decimal) -> float | None:
        if median is None or not benchmark:
            return None
        return round(float(Decimal(median) / NANOS_PER_USD / benchmark), 6)

    untied: dict[str, dict[str, int]] = {d: {} for d in ("channel", "team", "brand")}
    # Costs tied to no ticket have no ticket total: they count in the dimension's spend, not per ticket.
    tied_by: dict[str, dict[str, int]] = {d: {} for d in untied}
    for t in tickets:
        for d in untied:
            key = getattr(t, d) or "-"
            tied_by[d][key] = tied_by[d].get(key, 0) + t.total_nanos
    for row in rows:
        for d in untied:
            key = getattr(row, d) or "-"
            untied[d][key] = untied[d].get(key, 0) + row.amount_nanos
    for d in untied:
        untied[d] = {k: v - tied_by[d].get(k, 0) for k, v in untied[d].items() if v - tied_by[d].get(k, 0)}
    from mentiondesk.store.directory import DirectoryStore

    directory = DirectoryStore(table)
    brands = {c.account_id: f"{c.platform} @{c.handle}" for c in directory.channels(tenant)}
    teams = {t.id: t.name for t in directory.teams(tenant)}
    by_brand = _per_dimension(tickets, untied["brand"], "brand")
    for brand_row in by_brand:
        brand_row["name"] = brands.get(brand_row["value"])
    by_team = _per_dimension(tickets, untied["team"], "team")
    for team_row in by_team:
        team_row["name"] = teams.get(team_row["value"])
    return {
        "month": month,
        "currency": "USD",
        "timezone": str(REPORT_TZ),
        "tickets": len(tickets),
        "total_usd": usd(total),
        "ticket_total_usd": usd(ticket_total),
        "untied_usd": usd(total - ticket_total),
        "per_ticket": {f"{k}_usd": usd(v) for k, v in figures.items()},
        "by_component": [
            {"component": c, "usd": usd(n), "share": round(n / total, 4) if total else None}
            for c, n in by_component.items()
        ],
        "by_channel": _per_dimension(tickets, untied["channel"], "channel"),
        "by_team": by_team,
        "by_brand": by_brand,
        "by_item": _items(rows),
        "unpriced_lines": sum(r.unpriced_count for r in rows),
        "benchmark": {
            "phone_usd": settings["benchmark_phone_usd"],
            "social_usd": settings["benchmark_social_usd"],
            "source": settings["benchmark_source"],
            "median_vs_phone": versus(phone),
            "median_vs_social": versus(social),
        },
        "budgets": budgets(table, tenant, month, rows, settings),
    }


def _items(rows: list[RollupRow]) -> list[dict[str, Any]]:
    items: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        item = items.setdefault(
            (row.component, row.item),
            {"component": row.component, "item": row.item, "unit": row.unit, "q": Decimal(0), "n": 0, "l": 0, "u": 0},
        )
        item["q"] += row.quantity
        item["n"] += row.amount_nanos
        item["l"] += row.lines
        item["u"] += row.unpriced_count
    return [
        {
            "component": i["component"],
            "item": i["item"],
            "unit": i["unit"],
            "quantity": format(i["q"].normalize(), "f"),
            # A line with no price is "unpriced", never $0: an item all of whose lines are unpriced has no amount
            "usd": usd(i["n"]) if i["u"] < i["l"] else None,
            "lines": i["l"],
            "unpriced": i["u"],
        }
        for i in sorted(items.values(), key=lambda i: (-i["n"], i["item"]))
    ]


TICKET_COLUMNS = (
    "month",
    "ticket_id",
    "channel",
    "team",
    "brand",
    "brand_name",
    "lines",
    "unpriced_lines",
    *(f"{c}_usd" for c in COMPONENTS),
    "total_usd",
)


def tickets_csv(table: Table, tenant: str, month: str) -> str:
    """One row per ticket with costs in the month, most expensive first (a spreadsheet's CSV)."""
    from mentiondesk.reports.service import csv_text, spreadsheet_id
    from mentiondesk.store.directory import DirectoryStore

    accounts = {c.account_id: c for c in DirectoryStore(table).channels(tenant)}
    tickets = sorted(CostStore(table).month_of(tenant, month).tickets, key=lambda t: (-t.total_nanos, t.ticket_id))
    rows = [
        {
            "month": month,
            "ticket_id": t.ticket_id,
            "channel": t.channel or "",
            "team": t.team or "",
            "brand": spreadsheet_id(t.channel, t.brand),
            "brand_name": f"{t.channel} @{accounts[t.brand].handle}" if t.brand in accounts else "",
            "lines": t.lines,
            "unpriced_lines": t.unpriced_count,
            **{f"{c}_usd": nanos_to_usd(t.by_component.get(c, 0)) for c in COMPONENTS},
            "total_usd": nanos_to_usd(t.total_nanos),
        }
        for t in tickets
    ]
    return csv_text(TICKET_COLUMNS, rows)


def line_out(line: CostLine) -> dict[str, Any]:
    return {
        "at": line.at,
        "component": line.component,
        "item": line.item,
        "quantity": format(line.quantity.normalize(), "f"),
        "unit": line.unit,
        "unit_price_usd": format(line.unit_price_usd.normalize(), "f") if line.unit_price_usd is not None else None,
        "usd": usd(line.amount_nanos),
        "source": line.source,
        "shares": line.shares,
        "region": line.region,
        "price_read_on": line.price_read_on,
    }


def ticket_ledger(table: Table, tenant: str, ticket_id: str) -> dict[str, Any]:
    costs = CostStore(table).ticket(tenant, ticket_id)
    return {
        "ticket_id": ticket_id,
        "total_usd": usd(costs.total_nanos),
        "by_component": {c: usd(costs.by_component.get(c, 0)) for c in COMPONENTS},
        "line_count": costs.line_count,
        "unpriced_lines": costs.unpriced_count,
        "lines": [line_out(line) for line in costs.lines],
    }


# -- platform budgets: alerts at 80% and 100% ----------------------------------------------------------


def check_platform_budgets(table: Table, tenant: str, at: str) -> list[str]:
    """After platform fees were booked: tell the tenant's admins once a month when a platform's spend
    passes 80% and 100% of its cap. At 100% of X's, the keyword (search) monitors pause until the month
    turns or the cap is raised; the brand's own mentions and DMs are still read and replies still go
    out (customers are waiting). Answers the alert keys raised now."""
    settings = cost_settings(table, tenant)
    caps = {p: v for p, v in settings["budgets"].items() if v is not None}
    if not caps:
        return []
    month = report_month(at)
    spend = platform_spend(CostStore(table).month(tenant, month, "platform"))
    alerts = AlertStore(table)
    raised = []
    for platform, cap in caps.items():
        cap_nanos = int(Decimal(cap) * NANOS_PER_USD)
        spent = spend.get(platform, 0)
        for level, share in (("100", Decimal(1)), ("80", WARNING_SHARE)):
            if spent < cap_nanos * share or (not cap_nanos and not spent):
                continue
            name = PLATFORM_NAMES[platform]
            message = (
                f"{name} fees reached ${nanos_to_usd(spent)[:-5]} in {month}: {level}% of the ${cap} monthly budget."
            )
            if level == "100" and platform == "x":
                message += " Keyword monitors are paused until the month turns or the budget is raised;"
                message += " mentions, DMs and replies continue."
            key = f"platform-budget#{platform}#{month}#{level}"
            if alerts.raise_once(
                new_alert(
                    tenant,
                    "platform_budget_exceeded" if level == "100" else "platform_budget_warning",
                    platform,
                    message,
                    at,
                    severity="critical" if level == "100" else "warning",
                ),
                key,
            ):
                raised.append(key)
                metrics.add_metric(name="PlatformBudgetAlert", unit="Count", value=1)
            if level == "100" and platform == "x":
                pause_keyword_monitors(table, tenant, month)
            break  # the higher level covers the lower
    return raised


PLATFORM_PAUSE_REASON = "X budget of the month reached"


def pause_keyword_monitors(table: Table, tenant: str, month: str) -> int:
    from mentiondesk.store.monitors import MonitorStore

    monitors = MonitorStore(table)
    paused = 0
    for monitor in monitors.for_tenant(tenant):
        if monitor.kind != "search" or monitor.status != "active":
            continue
        try:
            monitors.update_settings(
                tenant,
                monitor.id,
                monitor.version,
                {"status": "budget_exhausted", "status_reason": f"{PLATFORM_PAUSE_REASON} ({month})"},
            )
            paused += 1
        except Conflict:
            logger.info("a monitor changed while pausing it for the platform budget", extra={"monitor_id": monitor.id})
    return paused


def resume_keyword_monitors(table: Table, tenant: str) -> int:
    """Monitors paused for the X platform budget go back to active (the budget was raised)."""
    from mentiondesk.store.monitors import MonitorStore

    monitors = MonitorStore(table)
    resumed = 0
    for monitor in monitors.for_tenant(tenant):
        if monitor.status == "budget_exhausted" and (monitor.status_reason or "").startswith(PLATFORM_PAUSE_REASON):
            try:
                changes = {"status": "active", "status_reason": None}
                monitors.update_settings(tenant, monitor.id, monitor.version, changes)
                resumed += 1
            except Conflict:
                logger.info("a monitor changed while resuming it", extra={"monitor_id": monitor.id})
    return resumed


def x_budget_left(table: Table, tenant: str, now: datetime) -> bool:
    """Whether X's monthly cap (if any) still has room."""
    cap = cost_settings(table, tenant)["budgets"].get("x")
    if cap is None:
        return True
    spend = platform_spend(CostStore(table).month(tenant, month_or_current(None, now), "platform"))
    return spend["x"] < int(Decimal(cap) * NANOS_PER_USD)
