"""The local stack driven over HTTP: the real template, handlers and ASL on moto's executor."""

import json
import time
from typing import Any

import pytest
import requests
from mentiondesk.channels import x
from mentiondesk.local import demo
from mentiondesk.local.stack import LocalStack

from tests.conftest import tweet_delivery

pytestmark = pytest.mark.integration
SECRET = "local-x-consumer-secret"


def token(stack: LocalStack, email: str = "agent1@demo.local") -> str:
    response = requests.post(f"{stack.url}/auth/dev-login", json={"email": email}, timeout=5)
    response.raise_for_status()
    return str(response.json()["token"])


def get(stack: LocalStack, path: str, email: str = "agent1@demo.local", **params: Any) -> requests.Response:
    return requests.get(
        f"{stack.url}{path}",
        params=params,
        timeout=5,
        headers={"authorization": f"Bearer {token(stack, email)}"},
    )


def post_tweet(stack: LocalStack, tweet_id: str, text: str, **kw: Any) -> requests.Response:
    payload = tweet_delivery(tweet_id, text, for_user_id=demo.X_ACCOUNT_ID, **kw)
    body = json.dumps(payload, ensure_ascii=False).encode()
    return requests.post(
        f"{stack.url}/webhooks/x",
        data=body,
        timeout=5,
        headers={"content-type": "application/json", x.SIGNATURE_HEADER: x.sign(SECRET, body)},
    )


def auth(stack: LocalStack, email: str = "agent1@demo.local") -> dict[str, str]:
    """The Authorization header of a dev-login token for a demo person."""
    return {"authorization": f"Bearer {token(stack, email)}"}


def wait_for(predicate: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_signed_mention_becomes_an_assigned_classified_ticket(stack: LocalStack) -> None:
    # (How fast is measured by `make bench` (e2e_local_ms), never by a timed test.)
    # Given a signed tweet_create_events delivery for the demo account
    response = post_tweet(stack, "8000000000000000001", "@mentiondesk_jp 昨日から回線が繋がらない😭 困ってます")
    assert response.status_code == 200 and response.json()["accepted"] == 1

    # When the workflow has run / Then the ticket is in the inbox, classified and assigned
    def assigned() -> dict[str, Any] | None:
        items = get(stack, "/api/tickets").json()["items"]
        found = [t for t in items if t["subject"].startswith("@mentiondesk_jp 昨日から")]
        return found[0] if found and found[0]["assignee"] else None

    ticket = wait_for(assigned, timeout=10.0)
    assert ticket["language"] == "ja" and ticket["sentiment"] == "negative"
    assert ticket["assignee"]["name"] in ("佐藤 美咲", "Alex Morgan")
    assert ticket["triage_state"] == "done"
    detail = get(stack, f"/api/tickets/{ticket['id']}").json()
    # The demo's outage rule tagged it, and its SLA clocks run under the urgent policy
    assert [e["type"] for e in detail["events"]] == ["ticket_created", "classified", "rule_fired", "assigned"]
    assert ticket["tags"] == ["outage"] and ticket["priority"] == "urgent"
    assert ticket["sla_policy_id"] == "urgent" and ticket["sla_due_at"] is not None
    executions = [e for e in stack.executions() if e["name"].endswith(ticket["id"])]
    assert [e["status"] for e in executions] == ["SUCCEEDED"]


def test_redelivery_makes_no_second_ticket_or_execution(stack: LocalStack) -> None:
    first = post_tweet(stack, "8000000000000000002", "help please")
    again = post_tweet(stack, "8000000000000000002", "help please")
    assert first.json()["accepted"] == 1 and again.json()["duplicates"] == 1
    all_items = get(stack, "/api/tickets", status="all").json()["items"]
    assert len([t for t in all_items if t["subject"] == "help please"]) == 1


def test_webhook_errors_over_http(stack: LocalStack) -> None:
    crc = requests.get(f"{stack.url}/webhooks/x", params={"crc_token": "abc"}, timeout=5)
    assert crc.status_code == 200 and crc.json() == {"response_token": x.crc_response_token(SECRET, "abc")}
    assert requests.get(f"{stack.url}/webhooks/x", timeout=5).status_code == 400
    body = json.dumps(tweet_delivery("1", "x", for_user_id=demo.X_ACCOUNT_ID)).encode()
    bad = requests.post(
        f"{stack.url}/webhooks/x", data=body, timeout=5, headers={x.SIGNATURE_HEADER: x.sign("wrong", body)}
    )
    assert bad.status_code == 401
    payload = json.dumps(tweet_delivery("8000000000000000004", "hello", for_user_id="42")).encode()
    unknown_account = requests.post(
        f"{stack.url}/webhooks/x",
        data=payload,
        timeout=5,
        headers={x.SIGNATURE_HEADER: x.sign(SECRET, payload)},
    )
    assert unknown_account.status_code == 200 and unknown_account.json()["accepted"] == 0
    big = b"{" + b" " * 300_000 + b"}"
    assert (
        requests.post(
            f"{stack.url}/webhooks/x", data=big, timeout=5, headers={x.SIGNATURE_HEADER: x.sign(SECRET, big)}
        ).status_code
        == 413
    )


def test_api_needs_a_valid_token(stack: LocalStack) -> None:
    assert requests.get(f"{stack.url}/api/tickets", timeout=5).status_code == 401
    forged = requests.get(f"{stack.url}/api/tickets", timeout=5, headers={"authorization": "Bearer a.b.c"})
    assert forged.status_code == 401
    id_token = stack.auth.issue("agent1@demo.local", token_use="id")
    assert (
        requests.get(f"{stack.url}/api/tickets", timeout=5, headers={"authorization": f"Bearer {id_token}"}).status_code
        == 401
    )
    expired = stack.auth.issue("agent1@demo.local", now=time.time() - 10 * 3600)
    assert (
        requests.get(f"{stack.url}/api/tickets", timeout=5, headers={"authorization": f"Bearer {expired}"}).status_code
        == 401
    )
    assert requests.post(f"{stack.url}/auth/dev-login", json={"email": "eve@evil.test"}, timeout=5).status_code == 401
    assert get(stack, "/api/health").json()["status"] == "ok"


def test_admin_registers_a_channel_over_http(stack: LocalStack) -> None:
    headers = {"authorization": f"Bearer {token(stack, 'admin@demo.local')}"}
    body = {"platform": "x", "account_id": "1600000000000000001", "handle": "mentiondesk_en"}
    created = requests.post(f"{stack.url}/api/channels", json=body, headers=headers, timeout=5)
    assert created.status_code == 201
    assert requests.post(f"{stack.url}/api/channels", json=body, headers=headers, timeout=5).status_code == 409
    agent_headers = {"authorization": f"Bearer {token(stack)}"}
    assert requests.post(f"{stack.url}/api/channels", json=body, headers=agent_headers, timeout=5).status_code == 403


def test_page_is_served_with_strict_security_headers(stack: LocalStack) -> None:
    page = requests.get(f"{stack.url}/", timeout=5)
    assert page.status_code == 200 and "<html" in page.text.lower()
    csp = page.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    config = requests.get(f"{stack.url}/auth/config", timeout=5).json()
    assert config["mode"] == "dev" and "agent1@demo.local" in [u["email"] for u in config["demo_users"]]
    assert requests.get(f"{stack.url}/static/../template.yaml", timeout=5).status_code == 404


def test_schedule_assigns_queued_tickets_when_an_agent_comes_online(stack: LocalStack) -> None:
    # Given every agent offline, a new ticket waits in the team queue
    for agent in demo.DEMO_USERS:
        stack.store.directory.put_agent(agent.model_copy(update={"online": False}))
    try:
        post_tweet(stack, "8000000000000000010", "nobody home?")
        queued = wait_for(
            lambda: [
                t
                for t in get(stack, "/api/tickets").json()["items"]
                if t["subject"] == "nobody home?" and t["triage_state"] == "done"
            ]
        )
        assert queued[0]["assignee"] is None
    finally:
        for agent in demo.DEMO_USERS:
            stack.store.directory.put_agent(agent)
    # When the schedule ticks (every minute / time_scale 60 = every second)
    ticket = wait_for(
        lambda: [
            t for t in get(stack, "/api/tickets").json()["items"] if t["subject"] == "nobody home?" and t["assignee"]
        ],
        timeout=5,
    )
    # Then it is assigned by the scheduled function
    assert ticket[0]["assignee"] is not None
    assert stack.schedule_runs.get("AssignQueuedFunction", 0) >= 1


def test_fake_platforms_record_outbound_calls(stack: LocalStack) -> None:
    # X posts with a user's token (the demo account's, as connected at start), like the real API
    user_token = stack.fakes.x_api.issue_user_tokens(demo.X_ACCOUNT_ID).access_token
    answer = requests.post(
        f"{stack.url}/_fake/x/2/tweets",
        json={"text": "ご連絡ありがとうございます"},
        headers={"authorization": f"Bearer {user_token}"},
        timeout=5,
    )
    assert answer.status_code == 201 and answer.json()["data"]["text"] == "ご連絡ありがとうございます"
    calls = requests.get(f"{stack.url}/_local/outbound", timeout=5).json()["items"]
    assert calls[-1]["provider"] == "x" and calls[-1]["path"] == "/2/tweets"


def all_tickets(stack: LocalStack) -> list[dict[str, Any]]:
    return list(get(stack, "/api/tickets", status="all", limit=100).json()["items"])


def message_count(stack: LocalStack, tickets: list[dict[str, Any]]) -> int:
    return sum(len(get(stack, f"/api/tickets/{t['id']}").json()["messages"]) for t in tickets)


def test_the_simulator_speaks_every_channel_and_redelivery_twice_concurrently_adds_nothing(
    stack: LocalStack,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from mentiondesk.local.simulator import Simulator

    # Given the demo simulator sending two messages on every channel, signed like each platform signs
    before = {t["id"] for t in all_tickets(stack)}
    simulator = Simulator(stack.url, stack.secrets, stack.google, stack.fakes, seed=7)
    for channel in Simulator.CHANNELS:
        for _ in range(2):
            simulator.post_one(channel)
    # (keyword posts wait in the fake X API until the demo's keyword monitor polls: make it due now)
    for monitor in stack.store.monitors.for_tenant(demo.TENANT):
        stack.store.monitors.update_settings(demo.TENANT, monitor.id, monitor.version, {"next_run_at": "2000-01-01"})
    new = wait_for(
        lambda: (
            (t := [t for t in all_tickets(stack) if t["id"] not in before])
            and message_count(stack, t) == 2 * len(Simulator.CHANNELS)
            and t
        ),
        timeout=10,
    )
    # Then every platform shows up in the inbox, keyword posts found by polling among them
    assert {t["channel"] for t in new} == {"x", "instagram", "facebook", "google"}
    assert "post" in {t["kind"] for t in new}
    # Instagram mentions arrive as ids; their text and author were read from the (fake) Graph API
    ig_mentions = [t for t in new if t["channel"] == "instagram" and t["kind"] == "mention"]
    assert ig_mentions and all(t["subject"] and t["customer"]["handle"] for t in ig_mentions)
    # Meta DMs carry only the sender's id; the name comes from the (fake) User Profile APIs
    meta_dms = [t for t in new if t["channel"] in ("instagram", "facebook") and t["kind"] == "dm"]
    assert meta_dms and all(t["customer"]["display_name"] for t in meta_dms)
    monitors = get(stack, "/api/monitors", "admin@demo.local").json()["items"]
    assert monitors[0]["billable_reads"] >= 2 and float(monitors[0]["spend_usd"]) > 0
    assert {c["path"] for c in stack.fakes.x_api.calls} == {"/2/tweets/search/recent"}
    messages = message_count(stack, new)

    # When every delivery is sent again, twice, concurrently
    def redeliver(delivery: tuple[str, bytes, dict[str, str]]) -> dict[str, Any]:
        path, body, headers = delivery
        response = requests.post(f"{stack.url}{path}", data=body, headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        return dict(response.json())

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(redeliver, [*simulator.deliveries, *simulator.deliveries]))
    # Then no delivery is accepted twice and nothing new is stored
    assert sum(a["accepted"] for a in answers) == 0
    assert sum(a["duplicates"] for a in answers) == 2 * len(simulator.deliveries)
    after = [t for t in all_tickets(stack) if t["id"] not in before]
    assert len(after) == len(new) and message_count(stack, after) == messages


def test_an_admin_connects_an_x_accounts_dms_and_they_are_polled(stack: LocalStack) -> None:
    from datetime import UTC, datetime, timedelta

    admin = {"authorization": f"Bearer {token(stack, 'admin@demo.local')}"}
    account = demo.X_ACCOUNT_ID
    issued = stack.fakes.x_api.issue_user_tokens(account, user={"username": demo.X_HANDLE, "name": "Mentiondesk"})
    connect = f"{stack.url}/api/channels/x-connect"
    # Roles, a token X does not know, then the account's own refresh token
    agent = {"authorization": f"Bearer {token(stack)}"}
    body = {"account_id": account, "refresh_token": issued.refresh_token}
    assert requests.post(connect, json=body, headers=agent, timeout=10).status_code == 403
    refused = requests.post(connect, json={**body, "refresh_token": "not-a-token-x"}, headers=admin, timeout=10)
    assert refused.status_code == 400 and "not-a-token" not in refused.text
    answer = requests.post(connect, json=body, headers=admin, timeout=10)
    assert answer.status_code == 200 and answer.json() == {"account_id": account, "connected": True}
    # The refresh token was used once (X rotates it): handing it over again is refused
    assert requests.post(connect, json=body, headers=admin, timeout=10).status_code == 400
    # When a customer's DM waits at X
    # (already waiting when the monitor is created, so whichever tick polls first finds it; stamped a
    # few seconds ahead because a new monitor only turns DMs from its creation on into tickets)
    now = (datetime.now(UTC) + timedelta(seconds=5)).isoformat(timespec="seconds").replace("+00:00", "Z")
    sender = {"id": "2000000000000000301", "username": "dm_customer", "name": "DM さん"}
    event = {
        "id": str(int(time.time() * 1000) << 22),
        "event_type": "MessageCreate",
        "text": "注文番号 A-1234 の件でDMしました",
        "sender_id": sender["id"],
        "dm_conversation_id": f"{account}-{sender['id']}",
        "created_at": now,
    }
    stack.fakes.x_api.add_dm(event, sender)
    # A DM monitor for the account; one per account
    monitor = {"kind": "dms", "account_id": account, "name": "DMs", "interval_minutes": 1}
    created = requests.post(f"{stack.url}/api/monitors", json=monitor, headers=admin, timeout=10)
    assert created.status_code == 201, created.text
    assert requests.post(f"{stack.url}/api/monitors", json=monitor, headers=admin, timeout=10).status_code == 409
    # Then the schedule reads it with the account's token and it becomes a DM ticket
    found = wait_for(
        lambda: [t for t in all_tickets(stack) if t["kind"] == "dm" and t["customer"]["handle"] == "dm_customer"],
        timeout=10,
    )
    assert found[0]["subject"].startswith("注文番号")
    assert any(c["path"] == "/2/dm_events" for c in stack.fakes.x_api.calls)
