"""Finance: a month's cost per ticket against a hand count, the CSV, a ticket's ledger, handling time,
platform budgets with their alerts, and the cost settings."""

from typing import Any

import pytest
from mentiondesk.costs import finance
from mentiondesk.costs.ledger import CostLine, priced_line
from mentiondesk.errors import InvalidRequest
from mentiondesk.store.costs import CostStore
from mentiondesk.store.factory import Store

from tests.conftest import access_claims, http_event, load_function
from tests.unit.test_api import Context, call
from tests.unit.test_x_poller import make_monitor

pytestmark = pytest.mark.unit
AT = "2026-11-23T01:00:00.000Z"  # 10:00 in Tokyo: November


def line(item: str, quantity: Any, ticket_id: str | None, request_id: str, **kw: Any) -> CostLine:
    fields: dict[str, Any] = {
        "tenant": "acme",
        "ticket_id": ticket_id,
        "item": item,
        "quantity": quantity,
        "unit": "unit",
        "region": "ap-northeast-1",
        "at": AT,
        "source": "test",
        "request_id": request_id,
        "channel": "x",
        "team": "support",
        "brand": "acme_help",
    }
    fields.update(kw)
    return priced_line(**fields)


@pytest.fixture
def month(store: Store, tenant: str) -> dict[str, int]:
    """Three tickets and an untied inbox page, by hand:
    T1: an X reply ($0.015) and a Lambda request (200 n$)            = 15,000,200 n$
    T2: a Lambda request and 3 unpriced SQS requests (Tokyo has none)  =        200 n$
    T3 (Instagram): 2 GB-s of Lambda (26,666.8 n$ -> 26,667)           =     26,667 n$
    untied: an inbox page's API request (1,290 n$)"""
    costs = CostStore(store.table)
    costs.record([line("x.post_create", 1, "T1", "r1"), line("aws.lambda.request", 1, "T1", "r1")])
    costs.record([line("aws.lambda.request", 1, "T2", "r2"), line("aws.sqs.request", 3, "T2", "r2")])
    costs.record([line("aws.lambda.gb_s", 2, "T3", "r3", channel="instagram", brand="acme_ig")])
    costs.record([line("aws.apigw.request", 1, None, "r4", channel=None, team=None, brand=None)])
    return {"T1": 15_000_200, "T2": 200, "T3": 26_667, "untied": 1_290}


def test_the_months_figures_match_a_hand_count(store: Store, month: dict[str, int]) -> None:
    report = finance.summary(store.table, "acme", "2026-11")
    assert report["tickets"] == 3
    assert report["total_usd"] == "0.015028357"  # 15,000,200 + 200 + 26,667 + 1,290
    assert report["ticket_total_usd"] == "0.015027067" and report["untied_usd"] == "0.000001290"
    # Per ticket: median T3, p90 the nearest rank (the third of three), mean of the three
    assert report["per_ticket"] == {
        "mean_usd": "0.005009022",
        "median_usd": "0.000026667",
        "p90_usd": "0.015000200",
    }
    components = {c["component"]: c["usd"] for c in report["by_component"]}
    assert components == {"platform": "0.015000000", "ai": "0.000000000", "aws": "0.000028357", "agent": "0.000000000"}
    channels = {r["value"]: (r["tickets"], r["usd"], r["per_ticket_usd"]) for r in report["by_channel"]}
    assert channels["x"] == (2, "0.015000400", "0.007500200")
    assert channels["instagram"] == (1, "0.000026667", "0.000026667")
    assert channels["-"] == (0, "0.000001290", None)  # the untied inbox page: spend, no tickets
    # The unpriced SQS requests are "unpriced", never $0
    sqs = next(i for i in report["by_item"] if i["item"] == "aws.sqs.request")
    assert (sqs["usd"], sqs["unpriced"], sqs["quantity"]) == (None, 1, "3")
    assert report["unpriced_lines"] == 1
    # Against the benchmark: the median ticket is 0.0027% of a $1 social contact
    assert report["benchmark"]["social_usd"] == "1.00" and report["benchmark"]["phone_usd"] == "6.00"
    assert report["benchmark"]["median_vs_social"] == 0.000027


def test_an_empty_month_is_zeros_and_a_bad_month_is_refused(store: Store, tenant: str) -> None:
    report = finance.summary(store.table, "acme", "2025-01")
    assert report["tickets"] == 0 and report["total_usd"] == "0.000000000"
    assert report["per_ticket"] == {"mean_usd": None, "median_usd": None, "p90_usd": None}
    assert report["benchmark"]["median_vs_social"] is None
    for bad in ("2026-13", "2026-1", "november"):
        with pytest.raises(InvalidRequest):
            finance.month_or_current(bad)


def test_the_ticket_costs_csv_opens_in_a_spreadsheet(
    store: Store, month: dict[str, int], table_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TABLE_NAME", table_name)
    api = load_function("api")
    event = http_event(
        "GET",
        "/api/costs/tickets.csv",
        claims=access_claims("f", "finance"),
        query={"month": "2026-11"},
        route_key="ANY /api/{proxy+}",
    )
    answer = api.handler(event, Context())
    headers = {k.lower(): v for k, v in (answer.get("headers") or {}).items()}
    headers |= {k.lower(): v[0] for k, v in (answer.get("multiValueHeaders") or {}).items()}
    assert answer["statusCode"] == 200 and headers["content-type"].startswith("text/csv"), headers
    body = answer["body"]
    assert body.startswith("\ufeff") and "\r\n" in body
    rows = [r.split(",") for r in body.removeprefix("\ufeff").strip().split("\r\n")]
    assert rows[0] == list(finance.TICKET_COLUMNS)
    assert [r[1] for r in rows[1:]] == ["T1", "T3", "T2"]  # most expensive first
    column = {name: n for n, name in enumerate(rows[0])}
    assert rows[1][-1] == "0.015000200" and rows[3][column["unpriced_lines"]] == "1"  # T2 has its unpriced line
    # Account ids carry their platform, so a spreadsheet keeps them as text, every digit
    assert rows[2][column["brand"]] == "instagram:acme_ig"


def test_handling_time_is_priced_at_the_agents_rate_and_a_retried_beat_counts_once(
    store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.unit.test_reports import post

    monkeypatch.setenv("TABLE_NAME", table_name)
    api = load_function("api")
    ticket_id = post(store, "9600000000000000001", "mention", 0)
    admin, alice, bob = (
        access_claims(u, r) for u, r in (("user-admin", "admin"), ("user-alice", "agent"), ("user-bob", "agent"))
    )
    # Given Alice costs $30 an hour; Bob has no rate
    agent = store.directory.agent("acme", "user-alice")
    status, _ = call(
        api, "PATCH", "/api/agents/user-alice", admin, {"version": agent.version, "hourly_rate_usd": "30.00"}
    )
    assert status == 200
    # When the page reports a minute of Alice's time twice (a retry) and a minute of Bob's
    for claims, beat in ((alice, "beat-000001"), (alice, "beat-000001"), (bob, "beat-000002")):
        status, body = call(api, "POST", f"/api/tickets/{ticket_id}/time", claims, {"seconds": 60, "beat_id": beat})
        assert status == 202, body
    # Then the ticket has one minute of Alice at $0.50, and one of Bob unpriced
    ledger = finance.ticket_ledger(store.table, "acme", ticket_id)
    agent_lines = [ln for ln in ledger["lines"] if ln["item"] == "agent.handling_seconds"]
    assert sorted((ln["quantity"], ln["usd"] or "unpriced") for ln in agent_lines) == [
        ("60", "0.500000000"),
        ("60", "unpriced"),
    ]
    assert ledger["by_component"]["agent"] == "0.500000000" and ledger["unpriced_lines"] >= 1
    # A beat longer than five minutes, or without an id, is refused
    assert (
        call(api, "POST", f"/api/tickets/{ticket_id}/time", alice, {"seconds": 301, "beat_id": "beat-000003"})[0] == 422
    )
    assert call(api, "POST", f"/api/tickets/{ticket_id}/time", alice, {"seconds": 30})[0] == 422
    # Supervisors do not see rates; admins do
    assert call(api, "GET", "/api/agents", admin)[1]["items"][1]["hourly_rate_usd"] in ("30.00", None)
    lead = access_claims("user-lead", "supervisor")
    assert all(a["hourly_rate_usd"] is None for a in call(api, "GET", "/api/agents", lead)[1]["items"])


def test_platform_budgets_warn_at_80_and_stop_keyword_reads_at_100(
    store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mentiondesk.costs.metering import metered

    monkeypatch.setenv("TABLE_NAME", table_name)
    api = load_function("api")
    admin = access_claims("user-admin", "admin")
    keywords = make_monitor(store, "acme", "search")
    mentions = make_monitor(store, "acme", "mentions")
    # Given an X budget of $0.05 a month
    status, saved = call(api, "PUT", "/api/settings/costs", admin, {"version": 0, "budgets": {"x": "0.05"}})
    assert status == 200 and saved["budgets"]["x"] == "0.05"

    def reply_fee(n: int) -> None:
        with metered(Context(), "send_reply", store.table, tenant="acme") as meter:
            meter.serve("acme", f"T{n}", channel="x")
            meter.add("x.post_create", 1, "post", ticket_id=f"T{n}")

    # When two replies cost $0.030 (60%): nothing; a third, $0.045 (90%): a warning
    reply_fee(1)
    reply_fee(2)
    assert store.alerts.recent("acme") == []
    reply_fee(3)
    assert [a.kind for a in store.alerts.recent("acme")] == ["platform_budget_warning"]
    # A fourth, $0.060 (120%): the budget is exceeded, keyword monitors pause, mentions go on
    reply_fee(4)
    kinds = sorted(a.kind for a in store.alerts.recent("acme"))
    assert kinds == ["platform_budget_exceeded", "platform_budget_warning"]
    assert store.monitors.get("acme", keywords.id).status == "budget_exhausted"
    assert store.monitors.get("acme", mentions.id).status == "active"
    # Each alert is raised once a month
    reply_fee(5)
    assert len(store.alerts.recent("acme")) == 2
    # The finance screen shows the budget as exceeded
    report = finance.summary(store.table, "acme", finance.month_or_current(None))
    x = next(b for b in report["budgets"] if b["scope"] == "platform")
    assert x["state"] == "exceeded" and x["spent_usd"] == "0.075000000"
    # Raising the budget resumes the keyword monitor
    status, saved = call(
        api, "PUT", "/api/settings/costs", admin, {"version": saved["version"], "budgets": {"x": "1.00"}}
    )
    assert status == 200
    assert store.monitors.get("acme", keywords.id).status == "active"
    # A stale save is a conflict carrying the current settings
    status, body = call(api, "PUT", "/api/settings/costs", admin, {"version": 1, "budgets": {"x": "2.00"}})
    assert status == 409 and body["current"]["budgets"]["x"] == "1.00"
