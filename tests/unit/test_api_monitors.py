"""Keyword and mentions monitors in the API: validation, roles, optimistic locking, budgets, alerts."""

from typing import Any

import pytest
from mentiondesk.store.factory import Store

from tests.conftest import ACCOUNT_ID, access_claims, load_function
from tests.unit.test_api import call

pytestmark = pytest.mark.unit
ADMIN = access_claims("user-admin", "admin")
LEAD = access_claims("user-lead", "supervisor")
AGENT = access_claims("user-alice", "agent")


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    return load_function("api")


SEARCH = {
    "kind": "search",
    "account_id": ACCOUNT_ID,
    "name": "Outage listening",
    "query": "(acme OR アクメ) (遅い OR 繋がらない)",
    "languages": ["ja"],
    "interval_minutes": 10,
    "monthly_budget_usd": "25.50",
}


def create(api: Any, body: dict[str, Any] | None = None) -> dict[str, Any]:
    status, monitor = call(api, "POST", "/api/monitors", ADMIN, body or SEARCH)
    assert status == 201, monitor
    return dict(monitor)


def test_admin_creates_a_search_monitor_and_leads_can_see_it(api: Any) -> None:
    monitor = create(api)
    assert monitor["status"] == "active" and monitor["monthly_budget_usd"] == "25.50"
    assert monitor["spend_usd"] == "0.000000" and monitor["version"] == 1 and monitor["cycle"] is None
    status, page = call(api, "GET", "/api/monitors", LEAD)
    assert status == 200 and [m["id"] for m in page["items"]] == [monitor["id"]]
    assert call(api, "GET", f"/api/monitors/{monitor['id']}", LEAD)[1]["query"] == SEARCH["query"]


def test_agents_may_not_see_or_change_monitors(api: Any) -> None:
    monitor = create(api)
    assert call(api, "GET", "/api/monitors", AGENT)[0] == 403
    assert call(api, "POST", "/api/monitors", AGENT, SEARCH)[0] == 403
    assert call(api, "POST", "/api/monitors", LEAD, SEARCH)[0] == 403
    assert call(api, "PATCH", f"/api/monitors/{monitor['id']}", LEAD, {"version": 1, "name": "x"})[0] == 403
    assert call(api, "DELETE", f"/api/monitors/{monitor['id']}", AGENT, query={"version": "1"})[0] == 403


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"query": None}, 400),  # a search needs a query
        ({"kind": "mentions"}, 400),  # a mentions monitor has none
        ({"query": "acme " * 110}, 422),  # over X's 512 characters
        ({"query": "a" * 490}, 400),  # fits alone, not with the language filter
        ({"account_id": "123"}, 400),  # not a channel of this tenant
        ({"account_id": "../etc"}, 422),
        ({"languages": ["japanese"]}, 422),
        ({"interval_minutes": 0}, 422),
        ({"monthly_budget_usd": "-1"}, 422),
        ({"monthly_budget_usd": "1.005"}, 422),
        ({"spend_micros": 0}, 400),  # state is not writable: mass assignment
        ({"status": "active"}, 400),
    ],
)
def test_bad_monitors_are_refused_with_a_clear_error(api: Any, change: dict[str, Any], status: int) -> None:
    body = {**SEARCH, **change}
    body = {k: v for k, v in body.items() if v is not None}
    answer_status, answer = call(api, "POST", "/api/monitors", ADMIN, body)
    assert answer_status == status and answer["message"]
    assert call(api, "GET", "/api/monitors", ADMIN)[1]["items"] == []


def test_mentions_monitor_without_query(api: Any) -> None:
    body = {"kind": "mentions", "account_id": ACCOUNT_ID, "name": "Own mentions", "monthly_budget_usd": 5}
    monitor = create(api, body)
    assert monitor["query"] is None and monitor["languages"] == ["ja", "en"] and monitor["monthly_budget_usd"] == "5"


def test_updates_use_optimistic_locking_and_a_new_query_starts_over(api: Any, store: Store, tenant: str) -> None:
    monitor = create(api)
    # Given the poller has been through some results
    store.monitors.update_settings(tenant, monitor["id"], 1, {"since_id": "1999"})
    status, stale = call(api, "PATCH", f"/api/monitors/{monitor['id']}", ADMIN, {"version": 1, "name": "Renamed"})
    assert status == 409 and stale["current"]["version"] == 2
    status, updated = call(
        api, "PATCH", f"/api/monitors/{monitor['id']}", ADMIN, {"version": 2, "query": "acme 壊れた"}
    )
    assert status == 200 and updated["version"] == 3 and updated["since_id"] is None
    assert call(api, "PATCH", f"/api/monitors/{monitor['id']}", ADMIN, {"version": 3, "query": None})[0] == 400
    assert call(api, "PATCH", f"/api/monitors/{monitor['id']}", ADMIN, {"version": 3, "since_id": "1"})[0] == 400


def test_pause_resume_and_raising_an_exhausted_budget(api: Any, store: Store, tenant: str) -> None:
    monitor = create(api)
    path = f"/api/monitors/{monitor['id']}"
    paused = call(api, "PATCH", path, ADMIN, {"version": 1, "status": "paused"})[1]
    assert paused["status"] == "paused" and "user-admin" in paused["status_reason"]
    resumed = call(api, "PATCH", path, ADMIN, {"version": 2, "status": "active"})[1]
    assert resumed["status"] == "active" and resumed["status_reason"] is None
    store.monitors.update_settings(tenant, monitor["id"], 3, {"status": "budget_exhausted", "status_reason": "r"})
    raised = call(api, "PATCH", path, ADMIN, {"version": 4, "monthly_budget_usd": "100"})[1]
    assert raised["status"] == "active" and raised["monthly_budget_usd"] == "100"


def test_delete_and_other_tenants(api: Any) -> None:
    monitor = create(api)
    other = access_claims("user-eve", "admin", tenant="other")
    assert call(api, "GET", f"/api/monitors/{monitor['id']}", other)[0] == 404
    assert call(api, "PATCH", f"/api/monitors/{monitor['id']}", other, {"version": 1, "name": "x"})[0] == 404
    current = {"version": str(call(api, "GET", f"/api/monitors/{monitor['id']}", ADMIN)[1]["version"])}
    assert call(api, "DELETE", f"/api/monitors/{monitor['id']}", other, query=current)[0] == 404
    assert call(api, "DELETE", f"/api/monitors/{monitor['id']}", ADMIN, query={"version": "99"})[0] == 409
    assert call(api, "DELETE", f"/api/monitors/{monitor['id']}", ADMIN)[0] == 422  # the version is required
    assert call(api, "DELETE", f"/api/monitors/{monitor['id']}", ADMIN, query=current)[0] == 204
    assert call(api, "DELETE", f"/api/monitors/{monitor['id']}", ADMIN, query=current)[0] == 404
    assert call(api, "GET", "/api/monitors/not-an-id", ADMIN)[0] == 422


def test_alerts_are_listed_for_leads_newest_first(api: Any, store: Store, tenant: str) -> None:
    from mentiondesk.store.alerts import new_alert

    store.alerts.raise_once(new_alert(tenant, "monitor_refused", "m1", "first", "2026-11-23T09:00:00.000Z"), "a")
    store.alerts.raise_once(new_alert(tenant, "monitor_refused", "m1", "again", "2026-11-23T09:01:00.000Z"), "a")
    store.alerts.raise_once(new_alert(tenant, "channel_revoked", "x:1", "second", "2026-11-23T10:00:00.000Z"), "b")
    status, page = call(api, "GET", "/api/alerts", LEAD)
    assert status == 200 and [a["message"] for a in page["items"]] == ["second", "first"]
    assert call(api, "GET", "/api/alerts", AGENT)[0] == 403
