"""Every route, attacked the same ways: no token (401), a role outside its entry (403), another
tenant's ids (404, as for a missing one), unknown fields (400) and malformed bodies (422), and a
stale version (409). A route missing from CASES fails here, like one missing from ROUTE_ROLES."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from mentiondesk.api.authz import PUBLIC, ROUTE_ROLES
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import Author, InboundMessage
from mentiondesk.store.factory import Store

from tests.conftest import ACCOUNT_ID, RecordingStarter, access_claims, load_function
from tests.unit.test_api import call

pytestmark = pytest.mark.unit
ROLES = ("admin", "supervisor", "agent", "finance")
CUSTOMER = "x:2000000000000000009"


def claims(role: str, tenant: str = "acme") -> dict[str, Any]:
    return access_claims(
        f"user-{'admin' if role == 'admin' else 'lead' if role == 'supervisor' else 'alice'}", role, tenant=tenant
    )


@dataclass
class World:
    """Ids of one of each resource of tenant acme."""

    ids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    body: Callable[[World], Any] | None = None  # a valid body (None: the route takes none)
    query: dict[str, str] = field(default_factory=dict)
    stale: Callable[[World], Any] | None = None  # a body with a stale version (versioned routes)
    stale_query: dict[str, str] | None = None
    resource: bool = True  # has ids in its path that another tenant must not reach


RULE = {
    "name": "Refunds",
    "trigger": "ticket_created",
    "order": 10,
    "condition": {"field": "text", "op": "contains_any", "value": ["返金"]},
    "actions": [{"type": "add_tags", "tags": ["refund"]}],
}
POLICY = {"name": "VIP", "order": 5, "condition": None, "targets": {"first_response_minutes": 10}}
TEMPLATE = {"name": "Thanks", "bodies": {"ja": "{customer_name}様、ありがとうございます。"}}
CALENDAR = {"timezone": "Asia/Tokyo", "hours": {"0": [{"start": "09:00", "end": "18:00"}]}}
REPLY = "山田様、お待たせしました。確認いたします。担当：Alice"


def v(n: int, **rest: Any) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"version": n, **rest}


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/api/me"): Case(resource=False),
    ("PUT", "/api/me/status"): Case(body=lambda w: {"online": True}, resource=False),
    ("GET", "/api/tickets"): Case(resource=False),
    ("GET", "/api/tickets/<ticket_id>"): Case(),
    ("PATCH", "/api/tickets/<ticket_id>"): Case(body=v(1, priority="high"), stale=v(99, priority="high")),
    ("POST", "/api/tickets/<ticket_id>/labels"): Case(body=v(1, intent="complaint"), stale=v(99, intent="complaint")),
    ("POST", "/api/tickets/<ticket_id>/assignment"): Case(
        body=v(1, agent_id="user-alice"), stale=v(99, agent_id="user-alice")
    ),
    ("POST", "/api/tickets/<ticket_id>/notes"): Case(body=lambda w: {"text": "見ています"}),
    ("PUT", "/api/tickets/<ticket_id>/presence"): Case(body=lambda w: {"state": "typing"}),
    ("DELETE", "/api/tickets/<ticket_id>/presence"): Case(),
    ("POST", "/api/tickets/<ticket_id>/lint"): Case(body=lambda w: {"text": REPLY, "mode": "public"}),
    ("GET", "/api/tickets/<ticket_id>/template-suggestions"): Case(query={"mode": "public"}),
    ("POST", "/api/tickets/<ticket_id>/replies"): Case(body=v(1, text=REPLY), stale=v(99, text=REPLY)),
    ("POST", "/api/tickets/<ticket_id>/hide"): Case(
        body=lambda w: {"version": 1, "message_id": w.ids["message_id"]},
        stale=lambda w: {"version": 99, "message_id": w.ids["message_id"]},
    ),
    ("POST", "/api/tickets/<ticket_id>/outbox/<item_id>/decision"): Case(body=lambda w: {"decision": "cancel"}),
    ("GET", "/api/settings/replies"): Case(resource=False),
    ("GET", "/api/settings/csat"): Case(resource=False),
    ("PUT", "/api/settings/csat"): Case(body=v(0, enabled=True), stale=v(7, enabled=True), resource=False),
    ("PUT", "/api/settings/replies"): Case(
        body=v(0, assignee_only=True), stale=v(7, assignee_only=True), resource=False
    ),
    ("GET", "/api/customers/<customer_id>"): Case(),
    ("DELETE", "/api/customers/<customer_id>"): Case(),
    ("POST", "/api/customers/<customer_id>/links"): Case(body=lambda w: {"customer_id": "instagram:17800000000000001"}),
    ("GET", "/api/channels"): Case(resource=False),
    ("POST", "/api/channels"): Case(
        body=lambda w: {"platform": "instagram", "account_id": "17841400000000777", "handle": "acme"}, resource=False
    ),
    ("POST", "/api/channels/reconnect"): Case(body=lambda w: {"platform": "x", "account_id": ACCOUNT_ID}),
    ("POST", "/api/channels/x-connect"): Case(
        body=lambda w: {"account_id": ACCOUNT_ID, "refresh_token": "a-refresh-token-x"}, resource=False
    ),
    ("GET", "/api/monitors"): Case(resource=False),
    ("POST", "/api/monitors"): Case(
        body=lambda w: {"kind": "mentions", "account_id": ACCOUNT_ID, "name": "Mentions 2"}, resource=False
    ),
    ("GET", "/api/monitors/<monitor_id>"): Case(),
    ("PATCH", "/api/monitors/<monitor_id>"): Case(body=v(1, name="Renamed"), stale=v(99, name="Renamed")),
    ("DELETE", "/api/monitors/<monitor_id>"): Case(query={"version": "1"}, stale_query={"version": "99"}),
    ("GET", "/api/alerts"): Case(resource=False),
    ("GET", "/api/sla-policies"): Case(resource=False),
    ("POST", "/api/sla-policies"): Case(body=lambda w: {**POLICY, "id": "vip2"}, resource=False),
    ("GET", "/api/sla-policies/<policy_id>"): Case(),
    ("PUT", "/api/sla-policies/<policy_id>"): Case(body=v(1, **POLICY), stale=v(99, **POLICY)),
    ("DELETE", "/api/sla-policies/<policy_id>"): Case(query={"version": "1"}, stale_query={"version": "99"}),
    ("GET", "/api/teams"): Case(resource=False),
    ("POST", "/api/teams"): Case(body=lambda w: {"id": "billing", "name": "Billing"}, resource=False),
    ("PATCH", "/api/teams/<team_id>"): Case(body=v(1, name="Support JP"), stale=v(99, name="Support JP")),
    ("PUT", "/api/teams/<team_id>/calendar"): Case(body=v(1, calendar=CALENDAR), stale=v(99, calendar=CALENDAR)),
    ("GET", "/api/agents"): Case(resource=False),
    ("POST", "/api/agents"): Case(body=lambda w: {"email": "new@acme.test", "name": "New"}, resource=False),
    ("PATCH", "/api/agents/<user_id>"): Case(body=v(1, capacity=5), stale=v(99, capacity=5)),
    ("GET", "/api/audit"): Case(query={"month": "2026-11"}, resource=False),
    ("GET", "/api/reports/summary"): Case(query={"from": "2026-11-01", "to": "2026-11-30"}, resource=False),
    ("GET", "/api/reports/backlog"): Case(resource=False),
    ("GET", "/api/reports/tickets"): Case(query={"metric": "tickets"}, resource=False),
    ("GET", "/api/reports/tickets.csv"): Case(query={"from": "2026-11-01", "to": "2026-11-30"}, resource=False),
    ("GET", "/api/reports/voc"): Case(resource=False),
    ("GET", "/api/reports/voc/<week_start>"): Case(),
    ("GET", "/api/costs/summary"): Case(query={"month": "2026-11"}, resource=False),
    ("GET", "/api/costs/tickets.csv"): Case(query={"month": "2026-11"}, resource=False),
    ("GET", "/api/tickets/<ticket_id>/costs"): Case(),
    ("POST", "/api/tickets/<ticket_id>/time"): Case(body=lambda w: {"seconds": 30, "beat_id": "beat-0001"}),
    ("GET", "/api/settings/costs"): Case(resource=False),
    ("PUT", "/api/settings/costs"): Case(
        body=v(0, benchmark_phone_usd="6.50"), stale=v(7, benchmark_phone_usd="6.50"), resource=False
    ),
    ("GET", "/api/settings/voc"): Case(resource=False),
    ("PUT", "/api/settings/voc"): Case(body=v(0, hour=17), stale=v(7, hour=17), resource=False),
    ("GET", "/api/me/notifications"): Case(resource=False),
    ("GET", "/api/rules"): Case(resource=False),
    ("POST", "/api/rules"): Case(body=lambda w: {**RULE, "id": "refunds2"}, resource=False),
    ("POST", "/api/rules/dry-run"): Case(body=lambda w: {"rule": RULE, "days": 7}, resource=False),
    ("GET", "/api/rules/<rule_id>"): Case(),
    ("PUT", "/api/rules/<rule_id>"): Case(body=v(1, **RULE), stale=v(99, **RULE)),
    ("DELETE", "/api/rules/<rule_id>"): Case(query={"version": "1"}, stale_query={"version": "99"}),
    ("GET", "/api/templates"): Case(resource=False),
    ("POST", "/api/templates"): Case(body=lambda w: {**TEMPLATE, "id": "thanks2"}, resource=False),
    ("GET", "/api/templates/<template_id>"): Case(),
    ("PUT", "/api/templates/<template_id>"): Case(body=v(1, **TEMPLATE), stale=v(99, **TEMPLATE)),
    ("DELETE", "/api/templates/<template_id>"): Case(query={"version": "1"}, stale_query={"version": "99"}),
}


@pytest.fixture
def world(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, World]:
    import boto3

    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    monkeypatch.setenv("SEND_QUEUE_URL", boto3.client("sqs").create_queue(QueueName="send")["QueueUrl"])
    monkeypatch.delenv("USER_POOL_ID", raising=False)
    from mentiondesk.api import deps

    for cached in (deps.send_queue, deps.notifier, deps.accounts):
        cached.cache_clear()
    api = load_function("api")
    admin = claims("admin")
    IngestService(store, RecordingStarter(), clock=lambda: "2026-11-23T09:00:00.000Z").apply(
        [
            InboundMessage(
                platform="x",
                account_id=ACCOUNT_ID,
                native_id="9800000000000000001",
                kind="reply",
                conversation_id="9800000000000000000",
                author=Author(platform_user_id="2000000000000000009", handle="taro", display_name="山田"),
                text="返金してください",
                created_at="2026-11-23T09:00:00.000Z",
            )
        ]
    )
    w = World()
    detail = store.tickets.detail("acme", store.tickets.inbox("acme", None, 1, None).items[0].id)
    w.ids |= {"ticket_id": detail.ticket.id, "message_id": detail.messages[0].id, "customer_id": CUSTOMER}
    w.ids |= {"team_id": "support", "user_id": "user-bob", "week_start": "2026-11-17"}
    from mentiondesk.store.voc import VocStore

    VocStore(store.table).save("acme", "2026-11-17", {"topics": []}, {}, "2026-11-24T09:00:00.000Z")
    assert call(api, "POST", "/api/rules", admin, {**RULE, "id": "refunds"})[0] == 201
    assert call(api, "POST", "/api/templates", admin, {**TEMPLATE, "id": "thanks"})[0] == 201
    assert call(api, "POST", "/api/sla-policies", admin, {**POLICY, "id": "vip"})[0] == 201
    w.ids |= {"rule_id": "refunds", "template_id": "thanks", "policy_id": "vip"}
    status, monitor = call(
        api, "POST", "/api/monitors", admin, {"kind": "mentions", "account_id": ACCOUNT_ID, "name": "M"}
    )
    assert status == 201, monitor
    w.ids["monitor_id"] = monitor["id"]
    store.directory.put_agent(store.directory.agent("acme", "user-alice").model_copy(update={"role": "agent"}))
    # An outbox item: a reply typed by the admin (who may reply to anything)
    status, queued = call(
        api, "POST", f"/api/tickets/{w.ids['ticket_id']}/replies", admin, {"version": 1, "text": REPLY}
    )
    assert status == 202, queued
    w.ids["item_id"] = queued["outbox"]["id"]
    return api, w


def path_of(template: str, w: World) -> str:
    path = template
    for name, value in w.ids.items():
        path = path.replace(f"<{name}>", value)
    assert "<" not in path, path
    return path


PROTECTED = sorted(k for k, roles in ROUTE_ROLES.items() if roles != PUBLIC)


def test_every_protected_route_has_a_case() -> None:
    assert set(PROTECTED) - set(CASES) == set()
    assert set(CASES) - set(PROTECTED) == set()


def test_without_a_token_every_route_is_401(world: tuple[Any, World]) -> None:
    api, w = world
    for method, template in PROTECTED:
        case = CASES[(method, template)]
        body = case.body(w) if case.body else None
        status = call(api, method, path_of(template, w), None, body, query=case.query or None)[0]
        assert status == 401, (method, template, status)


def test_a_role_outside_a_routes_entry_is_403(world: tuple[Any, World]) -> None:
    api, w = world
    for method, template in PROTECTED:
        case = CASES[(method, template)]
        for role in sorted(set(ROLES) - ROUTE_ROLES[(method, template)]):
            body = case.body(w) if case.body else None
            status = call(api, method, path_of(template, w), claims(role), body, query=case.query or None)[0]
            assert status == 403, (method, template, role, status)


def test_another_tenants_ids_answer_404(world: tuple[Any, World]) -> None:
    api, w = world
    for method, template in PROTECTED:
        case = CASES[(method, template)]
        if not case.resource:
            continue
        role = next(r for r in ROLES if r in ROUTE_ROLES[(method, template)])
        body = case.body(w) if case.body else None
        status, answer = call(api, method, path_of(template, w), claims(role, "globex"), body, query=case.query or None)
        assert status == 404, (method, template, status, answer)


def test_unknown_fields_are_400_and_malformed_bodies_422(world: tuple[Any, World]) -> None:
    api, w = world
    for method, template in PROTECTED:
        case = CASES[(method, template)]
        if case.body is None:
            continue
        role = next(r for r in ("admin", "supervisor", "agent") if r in ROUTE_ROLES[(method, template)])
        path = path_of(template, w)
        body = case.body(w)
        sneaky = {**body, "tenant_id": "globex"} if isinstance(body, dict) else body
        status, answer = call(api, method, path, claims(role), sneaky, query=case.query or None)
        assert status == 400, (method, template, status, answer)
        assert "tenant_id" in str(answer), (method, template, answer)
        for malformed in (["not", "an", "object"], "text"):
            status = call(api, method, path, claims(role), malformed, query=case.query or None)[0]
            assert status in (400, 422), (method, template, malformed, status)


def test_a_stale_version_is_409_with_the_current_state(world: tuple[Any, World]) -> None:
    api, w = world
    for (method, template), case in CASES.items():
        if case.stale is None and case.stale_query is None:
            continue
        role = next(r for r in ("admin", "supervisor", "agent") if r in ROUTE_ROLES[(method, template)])
        body = case.stale(w) if case.stale else None
        status, answer = call(api, method, path_of(template, w), claims(role), body, query=case.stale_query or None)
        assert status == 409, (method, template, status, answer)
        assert answer.get("current"), (method, template, answer)


def test_the_openapi_document_matches_what_the_routes_accept(world: tuple[Any, World]) -> None:
    import jsonschema

    api, w = world
    status, document = call(api, "GET", "/api/openapi.json")
    assert status == 200
    components = document["components"]
    for method, template in PROTECTED:
        # Every route is documented, with its path parameters
        path = template.replace("<", "{").replace(">", "}")
        operation = document["paths"][path][method.lower()]
        documented = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert documented == {n[1:-1] for n in template.split("/") if n.startswith("<")}, (method, template)
        case = CASES[(method, template)]
        if case.body is None:
            assert "requestBody" not in operation, (method, template)
            continue
        # The body the route takes validates against the document, and an unknown field does not
        schema = {**operation["requestBody"]["content"]["application/json"]["schema"], "components": components}
        validator = jsonschema.Draft202012Validator(schema)
        body = case.body(w)
        assert not list(validator.iter_errors(body)), (
            method,
            template,
            [e.message for e in validator.iter_errors(body)],
        )
        assert list(validator.iter_errors({**body, "tenant_id": "globex"})), (method, template)
