"""Customer profiles: history one Query away, identities linked as one person, tenant isolation."""

from typing import Any

import pytest
from mentiondesk.store.factory import Store

from tests.conftest import access_claims, load_function, make_x_webhook, signed, tweet_delivery
from tests.unit.test_api import call

pytestmark = pytest.mark.unit
AGENT = access_claims("user-alice", "agent")


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    return load_function("api")


def post(store: Store, tweet_id: str, user_id: str, handle: str, minute: int) -> str:
    webhook = make_x_webhook(store, now=f"2026-11-23T09:{minute:02d}:00.000Z")
    return str(
        webhook.receive(*signed(tweet_delivery(tweet_id, f"post {tweet_id}", user_id=user_id, handle=handle))).tickets[
            0
        ]
    )


def test_profile_lists_the_customers_tickets_newest_first(api: Any, store: Store, tenant: str) -> None:
    # Given two tickets from one customer and one from another
    first = post(store, "1", "111", "taro", 1)
    second = post(store, "2", "111", "taro", 2)
    post(store, "3", "222", "hanako", 3)
    # When the customer is opened (by the id the inbox shows)
    status, ticket = call(api, "GET", f"/api/tickets/{first}", AGENT)
    assert status == 200 and ticket["customer_id"] == "x:111"
    status, profile = call(api, "GET", "/api/customers/x:111", AGENT)
    # Then their history is there, and only theirs
    assert status == 200
    assert [t["ticket_id"] for t in profile["tickets"]] == [second, first]
    assert profile["handle"] == "taro" and profile["message_count"] == 2 and profile["identities"] == ["x:111"]


def test_linking_identities_merges_history(api: Any, store: Store, tenant: str) -> None:
    # Given one person with two X identities (old and new account) and a third account
    old = post(store, "10", "111", "taro_old", 1)
    new = post(store, "11", "222", "taro_new", 2)
    third = post(store, "12", "333", "taro_alt", 3)
    # When an agent links them
    status, linked = call(api, "POST", "/api/customers/x:222/links", AGENT, {"customer_id": "x:111"})
    assert status == 200 and linked["identities"] == ["x:111", "x:222"]
    call(api, "POST", "/api/customers/x:333/links", AGENT, {"customer_id": "x:111"})
    # Then every identity shows the whole history, whichever is opened
    for identity in ("x:111", "x:222", "x:333"):
        profile = call(api, "GET", f"/api/customers/{identity}", AGENT)[1]
        assert profile["identities"] == ["x:111", "x:222", "x:333"], identity
        assert {t["ticket_id"] for t in profile["tickets"]} == {old, new, third}


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/customers/x:999", None, 404),
        ("/api/customers/myspace:1", None, 400),
        ("/api/customers/x:111/links", {"customer_id": "x:111"}, 400),
        ("/api/customers/x:111/links", {"customer_id": "x:999"}, 404),
        ("/api/customers/x:111/links", {"customer_id": "x:1", "tenant_id": "globex"}, 400),
    ],
)
def test_bad_customer_requests(api: Any, store: Store, tenant: str, path: str, body: Any, status: int) -> None:
    post(store, "20", "111", "taro", 1)
    assert call(api, "POST" if body is not None else "GET", path, AGENT, body)[0] == status


def test_another_tenant_sees_no_customer(api: Any, store: Store, tenant: str) -> None:
    post(store, "30", "111", "taro", 1)
    other = access_claims("user-zed", "agent", tenant="globex")
    assert call(api, "GET", "/api/customers/x:111", other)[0] == 404
    assert call(api, "GET", "/api/customers/x:111", access_claims("user-f", "finance"))[0] == 403
