"""The API function: authorization, tenant isolation, inbox, ticket detail, channels."""

import json
from typing import Any

import pytest
from mentiondesk.api.authz import ROUTE_ROLES
from mentiondesk.store.factory import Store

from tests.conftest import (
    Context,
    access_claims,
    http_event,
    load_function,
    make_x_webhook,
    signed,
    tweet_delivery,
)

pytestmark = pytest.mark.unit


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    return load_function("api")


def ingest(store: Store, tweet_id: str, text: str, **kw: Any) -> str:
    webhook = make_x_webhook(store, now=f"2026-11-23T09:00:{int(tweet_id) % 60:02d}.000Z")
    return webhook.receive(*signed(tweet_delivery(tweet_id, text, **kw))).tickets[0]


def call(
    api: Any,
    method: str,
    path: str,
    claims: dict[str, Any] | None = None,
    body: Any = None,
    query: dict[str, str] | None = None,
) -> tuple[int, Any]:
    event = http_event(
        method,
        path,
        claims=claims,
        query=query,
        route_key="ANY /api/{proxy+}",
        body=json.dumps(body).encode() if body is not None else None,
        headers={"content-type": "application/json"},
    )
    result = api.handler(event, Context())
    return result["statusCode"], json.loads(result["body"]) if result.get("body") else None


AGENT = access_claims("user-alice", "agent")


def test_every_route_has_a_role_entry(api: Any) -> None:
    # Given the resolver's registered routes
    routes = {(r.method, r.path) for r in [*api.app._static_routes, *api.app._dynamic_routes]}
    # Then each one is in the deny-by-default table, and the table names no missing route
    assert routes - set(ROUTE_ROLES) == set()
    assert set(ROUTE_ROLES) - routes == set()


def test_health_and_openapi_are_public(api: Any) -> None:
    assert call(api, "GET", "/api/health") == (200, {"status": "ok", "version": "0.1.0"})
    status, schema = call(api, "GET", "/api/openapi.json")
    assert status == 200 and "/api/tickets" in schema["paths"]


@pytest.mark.parametrize(
    "claims",
    [
        None,
        {},
        access_claims("u", "agent", token_use="id"),
        {"sub": "u", "token_use": "access"},
        access_claims("u", "agent", scope="openid email profile"),  # not issued for this API
    ],
)
def test_missing_or_wrong_kind_of_token_is_401(api: Any, claims: dict[str, Any] | None) -> None:
    assert call(api, "GET", "/api/tickets", claims)[0] == 401


def test_inbox_newest_first_and_detail(api: Any, store: Store, tenant: str) -> None:
    # Given two tickets
    older = ingest(store, "11", "最初の投稿")
    newer = ingest(store, "12", "second post")
    # When
    status, page = call(api, "GET", "/api/tickets", AGENT)
    # Then
    assert status == 200
    assert [t["id"] for t in page["items"]] == [newer, older]
    assert page["next"] is None
    status, detail = call(api, "GET", f"/api/tickets/{older}", AGENT)
    assert status == 200 and [m["text"] for m in detail["messages"]] == ["最初の投稿"]
    assert detail["events"][0]["type"] == "ticket_created"


def test_cursor_paging_walks_every_ticket_once(api: Any, store: Store, tenant: str) -> None:
    made = {ingest(store, str(20 + i), f"post {i}") for i in range(5)}
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        status, page = call(api, "GET", "/api/tickets", AGENT, query=query)
        assert status == 200
        seen += [t["id"] for t in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert sorted(seen) == sorted(made)


@pytest.mark.parametrize("cursor", ["not-base64!", "eyJ4IjoxfQ", "W10"])
def test_bad_cursor_is_400(api: Any, tenant: str, cursor: str) -> None:
    assert call(api, "GET", "/api/tickets", AGENT, query={"cursor": cursor})[0] == 400


def test_another_tenants_ticket_is_404_like_a_missing_one(api: Any, store: Store, tenant: str) -> None:
    # Given a ticket of tenant acme
    ticket = ingest(store, "30", "secret stuff")
    # When an agent of another tenant asks for it, or lists
    other = access_claims("user-zed", "agent", tenant="globex")
    # Then it does not exist for them
    assert call(api, "GET", f"/api/tickets/{ticket}", other)[0] == 404
    assert call(api, "GET", "/api/tickets/01ZZZZZZZZZZZZZZZZZZZZZZZZ", AGENT)[0] == 404
    assert call(api, "GET", "/api/tickets/../../x", AGENT)[0] == 404
    assert call(api, "GET", "/api/tickets", other)[1]["items"] == []


def test_status_filter(api: Any, store: Store, tenant: str) -> None:
    ingest(store, "40", "open one")
    assert len(call(api, "GET", "/api/tickets", AGENT, query={"status": "resolved"})[1]["items"]) == 0
    assert len(call(api, "GET", "/api/tickets", AGENT, query={"status": "all"})[1]["items"]) == 1
    assert call(api, "GET", "/api/tickets", AGENT, query={"status": "bogus"})[0] == 422


def test_finance_cannot_read_message_bodies(api: Any, tenant: str) -> None:
    assert call(api, "GET", "/api/tickets", access_claims("user-f", "finance"))[0] == 403


def test_admin_registers_a_channel_once(api: Any, tenant: str) -> None:
    admin = access_claims("user-admin", "admin")
    body = {"platform": "x", "account_id": "555", "handle": "acme_jp"}
    status, created = call(api, "POST", "/api/channels", admin, body)
    assert status == 201 and created["account_id"] == "555"
    assert call(api, "POST", "/api/channels", admin, body)[0] == 409
    ids = [c["account_id"] for c in call(api, "GET", "/api/channels", admin)[1]["items"]]
    assert sorted(ids) == ["555", "900000000000000001"]


def test_agent_may_not_register_channels(api: Any, tenant: str) -> None:
    assert call(api, "POST", "/api/channels", AGENT, {"platform": "x", "account_id": "1", "handle": "h"})[0] == 403


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"platform": "x", "account_id": "1", "handle": "h", "tenant_id": "globex"}, 400),  # mass assignment
        ({"platform": "myspace", "account_id": "1", "handle": "h"}, 422),
        ({"platform": "x", "account_id": "", "handle": "h"}, 422),
    ],
)
def test_channel_body_is_validated_and_unknown_fields_refused(
    api: Any, tenant: str, body: dict[str, str], expected: int
) -> None:
    status, answer = call(api, "POST", "/api/channels", access_claims("user-admin", "admin"), body)
    assert status == expected
    assert answer["message"] == ("unknown fields: tenant_id" if expected == 400 else "invalid request")


def test_me_answers_for_every_role(api: Any, tenant: str) -> None:
    status, me = call(api, "GET", "/api/me", AGENT)
    assert status == 200 and me["name"] == "Alice" and me["role"] == "agent" and me["tenant_id"] == tenant


def test_inbox_is_one_query_and_a_ticket_is_two(api: Any, store: Store, tenant: str) -> None:
    # Given a few tickets and the API's own store
    from mentiondesk.api import deps

    ticket = ingest(store, "50", "budget")
    ingest(store, "51", "budget 2")
    table = deps.store().table
    # When the inbox is listed, then a ticket opened
    table.calls.clear()
    assert call(api, "GET", "/api/tickets", AGENT)[0] == 200
    inbox_calls = dict(table.calls)
    table.calls.clear()
    assert call(api, "GET", f"/api/tickets/{ticket}", AGENT)[0] == 200
    # Then the inbox is one Query; the ticket one for itself (messages, events, notes, outbox, presence)
    # and one for the customer's other tickets, plus the audit record of the view; nothing scans
    assert inbox_calls == {"Query": 1}
    assert dict(table.calls) == {"Query": 2, "PutItem": 1}


def test_api_answers_carry_security_headers(api: Any, tenant: str) -> None:
    for claims, path in ((None, "/api/health"), (AGENT, "/api/tickets"), (None, "/api/tickets")):
        event = http_event("GET", path, claims=claims, route_key="ANY /api/{proxy+}")
        headers = api.handler(event, Context())["headers"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"
