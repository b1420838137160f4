"""Rules and templates in the API: refused with a clear 400 when saved (never at run time), roles,
optimistic locking, dry runs over recent tickets."""

from typing import Any

import pytest
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import Author, InboundMessage
from mentiondesk.store.factory import Store

from tests.conftest import ACCOUNT_ID, RecordingStarter, access_claims, load_function
from tests.unit.test_api import call

pytestmark = pytest.mark.unit
LEAD = access_claims("user-lead", "supervisor")
AGENT = access_claims("user-alice", "agent")

RULE = {
    "id": "refunds",
    "name": "Refunds to billing",
    "trigger": "ticket_created",
    "order": 10,
    "condition": {
        "any": [
            {"field": "text", "op": "contains_any", "value": ["返金", "refund"]},
            {"field": "text", "op": "matches", "value": "charged\\s+twice"},
        ]
    },
    "actions": [{"type": "set_team", "team": "support"}, {"type": "add_tags", "tags": ["refund"]}],
}


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    return load_function("api")


def test_a_supervisor_saves_reads_replaces_and_deletes_a_rule(api: Any) -> None:
    status, rule = call(api, "POST", "/api/rules", LEAD, RULE)
    assert status == 201 and rule["version"] == 1 and rule["updated_by"] == "user-lead"
    assert call(api, "GET", "/api/rules", LEAD)[1]["items"][0]["condition"] == RULE["condition"]
    status, replaced = call(api, "PUT", "/api/rules/refunds", LEAD, {**RULE, "version": 1, "enabled": False})
    assert status == 200 and replaced["version"] == 2 and replaced["enabled"] is False
    status, stale = call(api, "PUT", "/api/rules/refunds", LEAD, {**RULE, "version": 1})
    assert status == 409 and stale["current"]["enabled"] is False
    assert call(api, "DELETE", "/api/rules/refunds", LEAD, query={"version": "2"})[0] == 204
    assert call(api, "GET", "/api/rules/refunds", LEAD)[0] == 404


def test_agents_may_not_see_rules_which_can_hold_webhook_secrets(api: Any) -> None:
    assert call(api, "POST", "/api/rules", LEAD, RULE)[0] == 201
    assert call(api, "GET", "/api/rules", AGENT)[0] == 403
    assert call(api, "GET", "/api/rules/refunds", AGENT)[0] == 403
    assert call(api, "POST", "/api/rules", AGENT, {**RULE, "id": "x"})[0] == 403
    assert call(api, "POST", "/api/rules/dry-run", AGENT, {"rule": RULE})[0] == 403


@pytest.mark.parametrize(
    ("change", "where", "needle"),
    [
        ({"condition": {"field": "text", "op": "matches", "value": "(a+)+$"}}, "condition", "exponential time"),
        ({"condition": {"field": "text", "op": "matches", "value": "[unclosed"}}, "condition", "regular expression"),
        ({"condition": {"field": "mood", "op": "in", "value": ["sad"]}}, "condition", ""),
        ({"condition": {"field": "sentiment", "op": "in", "value": ["furious"]}}, "condition", ""),
        ({"trigger": "ticket_deleted"}, "trigger", ""),
        ({"actions": []}, "actions", ""),
        ({"actions": [{"type": "launch_rocket"}]}, "actions", ""),
        ({"actions": [{"type": "set_team", "team": "nobody-here"}]}, "actions.0.team", "no team"),
        ({"actions": [{"type": "assign_agent", "agent_id": "user-ghost"}]}, "actions.0.agent_id", "no agent"),
        ({"actions": [{"type": "auto_reply", "template_id": "missing"}]}, "actions.0.template_id", "no template"),
        ({"actions": [{"type": "set_sla_policy", "policy_id": "gold"}]}, "actions.0.policy_id", "no SLA policy"),
        ({"actions": [{"type": "notify", "channel": "slack", "target": "https://evil.example/hook"}]}, "actions", ""),
        ({"actions": [{"type": "notify", "channel": "email", "target": "a@b.c\\nBcc: x@y.z"}]}, "actions", ""),
        ({"surprise": True}, "surprise", ""),
    ],
)
def test_an_invalid_rule_is_refused_when_saved_with_a_400_naming_the_field(
    api: Any, change: dict[str, Any], where: str, needle: str
) -> None:
    status, body = call(api, "POST", "/api/rules", LEAD, {**RULE, **change})
    assert status == 400, body
    assert any(".".join(map(str, d["loc"])).startswith(where) for d in body["details"]), body
    assert needle in body["message"]
    assert call(api, "GET", "/api/rules", LEAD)[1]["items"] == []


def test_templates_refuse_unknown_variables_and_cannot_be_deleted_while_a_rule_uses_them(api: Any) -> None:
    bad = {"id": "away", "name": "Away", "bodies": {"ja": "{customer_name}様 {secret}"}}
    status, body = call(api, "POST", "/api/templates", LEAD, bad)
    assert status == 400 and "unknown variable {secret}" in body["message"]
    good = {"id": "away", "name": "Away", "bodies": {"ja": "{customer_name}様、{{営業時間外}}です"}}
    assert call(api, "POST", "/api/templates", LEAD, good)[0] == 201
    assert call(api, "GET", "/api/templates", AGENT)[1]["items"][0]["bodies"]["ja"] == good["bodies"]["ja"]
    rule = {**RULE, "id": "away-rule", "actions": [{"type": "auto_reply", "template_id": "away"}]}
    assert call(api, "POST", "/api/rules", LEAD, rule)[0] == 201
    status, body = call(api, "DELETE", "/api/templates/away", LEAD, query={"version": "1"})
    assert status == 400 and "away-rule" in body["message"]


def _ingest(store: Store, native_id: str, text: str) -> None:
    service = IngestService(store, RecordingStarter(), clock=lambda: "2026-11-23T09:00:00.000Z")
    message = InboundMessage(
        platform="x",
        account_id=ACCOUNT_ID,
        native_id=native_id,
        kind="mention",
        conversation_id=native_id,
        author=Author(platform_user_id=f"u{native_id}", handle="taro"),
        text=text,
        created_at="2026-11-23T09:00:00.000Z",
    )
    service.apply([message])


def test_a_dry_run_shows_which_recent_tickets_would_match_and_on_which_words(api: Any, store: Store) -> None:
    _ingest(store, "9000000000000000001", "二重に請求されたので返金してください")
    _ingest(store, "9000000000000000002", "I was charged  twice this month")
    _ingest(store, "9000000000000000003", "新商品おいしかったです")
    status, result = call(api, "POST", "/api/rules/dry-run", LEAD, {"rule": RULE, "days": 30})
    assert status == 200, result
    assert result["scanned"] == 3 and not result["truncated"]
    words = sorted(h["text"] for m in result["matched"] for msg in m["messages"] for h in msg["highlights"])
    assert words == ["charged  twice", "返金"]
    # Nothing was changed by trying it
    assert all("refund" not in t["tags"] for t in call(api, "GET", "/api/tickets", AGENT)[1]["items"])
    assert call(api, "GET", "/api/rules", LEAD)[1]["items"] == []


def test_a_dry_run_checks_its_input(api: Any) -> None:
    assert call(api, "POST", "/api/rules/dry-run", LEAD, {"rule": RULE, "days": 0})[0] == 400
    assert call(api, "POST", "/api/rules/dry-run", LEAD, {"days": 7})[0] == 400
    bad = {**RULE, "condition": {"field": "text", "op": "matches", "value": "(x+)+y"}}
    assert call(api, "POST", "/api/rules/dry-run", LEAD, {"rule": bad})[0] == 400


def test_the_away_message_recipe_in_docs_saves(api: Any) -> None:
    template = {
        "id": "away",
        "name": "Away message",
        "bodies": {
            "ja": "{customer_name}様、営業時間内にご連絡します。",
            "en": "Thanks {customer_name}, we are away now.",
        },
    }
    assert call(api, "POST", "/api/templates", LEAD, template)[0] == 201
    away = {
        "id": "away",
        "name": "Away message",
        "trigger": "message_received",
        "order": 1,
        "condition": {"field": "business_hours", "op": "is", "value": False},
        "actions": [{"type": "auto_reply", "template_id": "away"}],
    }
    status, body = call(api, "POST", "/api/rules", LEAD, away)
    assert status == 201, body
