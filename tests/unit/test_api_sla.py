"""SLA policies and team calendars in the API: validation with clear 400s, roles, optimistic locking."""

from typing import Any

import pytest
from mentiondesk.store.factory import Store

from tests.conftest import access_claims, load_function
from tests.unit.test_api import call

pytestmark = pytest.mark.unit
LEAD = access_claims("user-lead", "supervisor")
AGENT = access_claims("user-alice", "agent")
ADMIN = access_claims("user-admin", "admin")

POLICY = {
    "id": "vip",
    "name": "VIP customers",
    "order": 5,
    "condition": {"field": "customer_tags", "op": "has_any", "value": ["VIP"]},
    "targets": {"first_response_minutes": 10, "resolution_minutes": 120},
}
WEEKDAYS = {
    "timezone": "Asia/Tokyo",
    "hours": {"0": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "18:00"}]},
}


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    return load_function("api")


def test_a_supervisor_creates_replaces_and_deletes_a_policy_agents_read_it(api: Any) -> None:
    status, created = call(api, "POST", "/api/sla-policies", LEAD, POLICY)
    assert status == 201 and created["version"] == 1 and created["targets"]["first_response_minutes"] == 10
    assert created["targets"]["reminders"] == [0.5, 0.8]  # the defaults
    status, page = call(api, "GET", "/api/sla-policies", AGENT)
    assert status == 200 and [p["id"] for p in page["items"]] == ["vip"]
    changed = {**POLICY, "version": 1, "targets": {"first_response_minutes": 5}}
    status, replaced = call(api, "PUT", "/api/sla-policies/vip", LEAD, changed)
    assert status == 200 and replaced["version"] == 2 and replaced["targets"]["resolution_minutes"] is None
    # A stale version answers 409 with the current policy, and changes nothing
    status, stale = call(api, "PUT", "/api/sla-policies/vip", LEAD, {**changed, "name": "old"})
    assert status == 409 and stale["current"]["version"] == 2
    assert call(api, "GET", "/api/sla-policies/vip", AGENT)[1]["name"] == "VIP customers"
    assert call(api, "DELETE", "/api/sla-policies/vip", LEAD, query={"version": "1"})[0] == 409
    assert call(api, "DELETE", "/api/sla-policies/vip", LEAD, query={"version": "2"})[0] == 204
    assert call(api, "GET", "/api/sla-policies/vip", AGENT)[0] == 404


def test_agents_may_not_write_policies_or_calendars(api: Any) -> None:
    assert call(api, "POST", "/api/sla-policies", AGENT, POLICY)[0] == 403
    assert call(api, "PUT", "/api/teams/support/calendar", AGENT, {"version": 1, "calendar": WEEKDAYS})[0] == 403
    assert call(api, "POST", "/api/sla-policies", ADMIN, POLICY)[0] == 201


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"targets": {}}, "targets"),
        ({"targets": {"first_response_minutes": 0}}, "targets.first_response_minutes"),
        ({"targets": {"first_response_minutes": 5, "reminders": [1.5]}}, "targets.reminders"),
        ({"condition": {"field": "text", "op": "matches", "value": "(a+)+$"}}, "condition"),
        ({"condition": {"field": "shoe_size", "op": "in", "value": [1]}}, "condition"),
        ({"name": "   "}, "name"),
        ({"colour": "red"}, "colour"),
        ({"id": "no spaces please"}, "id"),
    ],
)
def test_an_invalid_policy_is_refused_with_a_400_that_names_the_field(
    api: Any, change: dict[str, Any], where: str
) -> None:
    status, body = call(api, "POST", "/api/sla-policies", LEAD, {**POLICY, **change})
    assert status == 400, body
    assert any(".".join(d["loc"]).startswith(where) for d in body["details"]), body
    assert call(api, "GET", "/api/sla-policies", LEAD)[1]["items"] == []


def test_a_team_calendar_is_set_read_and_reset_with_locking(api: Any) -> None:
    status, teams = call(api, "GET", "/api/teams", AGENT)
    support = teams["items"][0]
    assert status == 200 and support["calendar_is_default"] and support["calendar"]["timezone"] == "Asia/Tokyo"
    calendar = {
        **WEEKDAYS,
        "closed_days": ["2026-12-29"],
        "open_days": {"2026-12-26": [{"start": "10:00", "end": "15:00"}]},
    }
    status, team = call(
        api, "PUT", "/api/teams/support/calendar", LEAD, {"version": support["version"], "calendar": calendar}
    )
    assert status == 200, team
    assert team["calendar"]["hours"]["0"] == [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "18:00"}]
    assert not team["calendar_is_default"] and team["version"] == support["version"] + 1
    stale = call(api, "PUT", "/api/teams/support/calendar", LEAD, {"version": support["version"], "calendar": None})
    assert stale[0] == 409
    status, reset = call(
        api, "PUT", "/api/teams/support/calendar", LEAD, {"version": team["version"], "calendar": None}
    )
    assert status == 200 and reset["calendar_is_default"]


@pytest.mark.parametrize(
    ("calendar", "needle"),
    [
        ({"timezone": "Asia/Tokyo", "hours": {}}, "no working time"),
        ({"timezone": "Mars/Olympus", "hours": {"0": [{"start": "09:00", "end": "18:00"}]}}, "timezone"),
        ({"hours": {"0": [{"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}]}}, "overlap"),
        ({"hours": {"7": [{"start": "09:00", "end": "18:00"}]}}, "weekday"),
        ({"hours": {"0": [{"start": "18:00", "end": "09:00"}]}}, "hours"),
    ],
)
def test_a_calendar_without_working_time_or_with_bad_hours_is_refused(
    api: Any, calendar: dict[str, Any], needle: str
) -> None:
    status, body = call(api, "PUT", "/api/teams/support/calendar", LEAD, {"version": 1, "calendar": calendar})
    assert status == 400 and needle in body["message"], body
    assert call(api, "GET", "/api/teams", LEAD)[1]["items"][0]["calendar_is_default"]


def test_an_unknown_team_answers_404(api: Any) -> None:
    assert call(api, "PUT", "/api/teams/nope/calendar", LEAD, {"version": 1, "calendar": WEEKDAYS})[0] == 404
