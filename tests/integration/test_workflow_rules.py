"""Rules through the real ticket workflow on moto's executor: every action, each trigger, and the
guarantee that a run applies nothing twice."""

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from mentiondesk.local import demo
from mentiondesk.local.stack import LocalStack
from mentiondesk.models import Team

from tests.integration.test_local_stack import get, post_tweet, token, wait_for

pytestmark = pytest.mark.integration
LEAD = "lead@demo.local"


def call(stack: LocalStack, method: str, path: str, body: Any = None, email: str = LEAD) -> requests.Response:
    return requests.request(
        method, f"{stack.url}{path}", json=body, timeout=5, headers={"authorization": f"Bearer {token(stack, email)}"}
    )


@pytest.fixture(autouse=True, scope="module")
def _without_demo_rules(stack: LocalStack) -> None:
    """Each test brings its own rules; the demo's would fire on the same posts."""
    for rule in stack.store.rules.list(demo.TENANT):
        stack.store.rules.delete(demo.TENANT, rule["id"], rule["version"])


@pytest.fixture
def rules(stack: LocalStack) -> Iterator[Any]:
    """Create rules through the API; they are deleted after the test."""
    made: list[str] = []

    def create(rule_id: str, trigger: str, condition: dict[str, Any], actions: list[dict[str, Any]], **kw: Any) -> None:
        body = {
            "id": rule_id,
            "name": f"rule {rule_id}",
            "trigger": trigger,
            "order": kw.pop("order", 10),
            "condition": condition,
            "actions": actions,
            **kw,
        }
        response = call(stack, "POST", "/api/rules", body)
        assert response.status_code == 201, response.text
        made.append(rule_id)

    yield create
    for rule_id in made:
        current = call(stack, "GET", f"/api/rules/{rule_id}")
        if current.status_code == 200:
            assert call(stack, "DELETE", f"/api/rules/{rule_id}?version={current.json()['version']}").status_code == 204


def keyword(*words: str) -> dict[str, Any]:
    return {"field": "text", "op": "contains_any", "value": list(words)}


def done(stack: LocalStack, subject: str) -> dict[str, Any]:
    found = wait_for(
        lambda: [
            t
            for t in get(stack, "/api/tickets", status="all").json()["items"]
            if t["subject"] == subject and t["triage_state"] == "done"
        ]
    )
    return dict(get(stack, f"/api/tickets/{found[0]['id']}").json())


def fired(detail: dict[str, Any]) -> list[str]:
    return [e["detail"]["rule_id"] for e in detail["events"] if e["type"] == "rule_fired"]


def test_team_priority_tags_and_highlights(stack: LocalStack, rules: Any) -> None:
    # Given a billing team nobody is online in, and a rule for refund requests
    stack.store.directory.put_team(Team(tenant_id=demo.TENANT, id="billing", name="Billing"))
    rules(
        "refunds",
        "ticket_created",
        keyword("返金", "refund"),
        [
            {"type": "set_team", "team": "billing"},
            {"type": "set_priority", "priority": "high"},
            {"type": "add_tags", "tags": ["refund", "money"]},
        ],
    )
    # When a customer asks for a refund
    post_tweet(stack, "8700000000000000001", "二重に請求されました。返金してください", user_id="7700000000000000001")
    t = done(stack, "二重に請求されました。返金してください")
    # Then the ticket moved to billing (queued there: nobody online), high priority, tagged,
    # and the page can highlight the words that made the rule fire
    assert (t["team"], t["priority"], t["tags"]) == ("billing", "high", ["refund", "money"])
    assert (
        t["assignee"] is None and t["events"][-1]["type"] == "queued" and t["events"][-1]["detail"]["team"] == "billing"
    )
    assert [(h["text"], h["rule_id"]) for h in t["highlights"]] == [("返金", "refunds")]
    assert fired(t) == ["refunds"]
    event = next(e for e in t["events"] if e["type"] == "rule_fired")
    assert event["detail"]["trigger"] == "ticket_created" and event["detail"]["matched"] == ["返金"]


def test_assign_agent_and_remove_tags_across_triggers(stack: LocalStack, rules: Any) -> None:
    agent2 = demo.user_id("agent2@demo.local")
    rules(
        "to-agent2",
        "ticket_created",
        keyword("請求書"),
        [
            {"type": "assign_agent", "agent_id": agent2},
            {"type": "add_tags", "tags": ["invoice", "triage-me"]},
        ],
        stop_on_match=False,
    )
    rules(
        "untag",
        "message_received",
        {"field": "ticket_tags", "op": "has_any", "value": ["triage-me"]},
        [
            {"type": "remove_tags", "tags": ["triage-me"]},
        ],
    )
    post_tweet(stack, "8700000000000000011", "請求書を再発行してほしいです", user_id="7700000000000000011")
    t = done(stack, "請求書を再発行してほしいです")
    # ticket_created ran first, then message_received saw its tag and removed it
    assert fired(t) == ["to-agent2", "untag"]
    assert t["tags"] == ["invoice"]
    assert t["assignee"]["id"] == agent2
    assert next(e for e in t["events"] if e["type"] == "assigned")["detail"]["strategy"] == "rule"


def test_set_sla_policy(stack: LocalStack, rules: Any) -> None:
    rules("vip-sla", "ticket_created", keyword("VIPプラン"), [{"type": "set_sla_policy", "policy_id": "urgent"}])
    post_tweet(stack, "8700000000000000021", "VIPプランについて教えてください", user_id="7700000000000000021")
    t = done(stack, "VIPプランについて教えてください")
    # A calm question would get the standard policy; the rule chose the urgent one
    assert t["urgency"] != "high" and t["sla_policy_id"] == "urgent"
    first = next(c for c in t["sla_clocks"] if c["metric"] == "first_response")
    assert first["due_at"] is not None


@pytest.mark.parametrize(("action", "tag"), [("mark_spam", "spam"), ("ignore", "ignored")])
def test_spam_and_ignore_close_the_ticket_unassigned_with_no_clock(
    stack: LocalStack, rules: Any, action: str, tag: str
) -> None:
    word = f"フォロワー購入{tag}"
    rules(f"drop-{tag}", "ticket_created", keyword(word), [{"type": action}])
    post_tweet(
        stack, f"87000000000000001{len(tag):02d}", f"{word}はこちら http://spam.example", user_id="7700000000000000031"
    )
    t = done(stack, f"{word}はこちら http://spam.example")
    assert t["status"] == "closed" and tag in t["tags"] and t["assignee"] is None
    assert t["sla_due_at"] is None
    closed = next(e for e in t["events"] if e["type"] == "status_changed")
    assert closed["detail"] == {"from": "open", "to": "closed"} and closed["actor"] == f"rule:drop-{tag}"


def test_hide_comment_and_auto_reply_go_to_the_outbox_once_per_conversation(stack: LocalStack, rules: Any) -> None:
    response = call(
        stack,
        "POST",
        "/api/templates",
        {
            "id": "away",
            "name": "Away message",
            "bodies": {
                "ja": "{customer_name}様、お問い合わせありがとうございます。担当者より折り返しご連絡します。",
                "en": "Thanks {customer_name}, we will get back to you soon.",
            },
        },
    )
    assert response.status_code == 201, response.text
    try:
        rules(
            "away-reply",
            "message_received",
            keyword("荒らし", "サポートへ"),
            [
                {"type": "auto_reply", "template_id": "away"},
            ],
            stop_on_match=False,
        )
        rules("hide-trolls", "message_received", keyword("荒らし"), [{"type": "hide_comment"}], order=20)
        # A reply under the brand's post (X lets the author hide replies to their own posts); both posts
        # exist on (fake) X, which the outbox sender talks to
        brand = {"id": demo.X_ACCOUNT_ID, "username": demo.X_HANDLE, "name": "Mentiondesk"}
        troll = {"id": "7700000000000000041", "username": "troll", "name": "山田 太郎"}
        root = {"id": "1900000000000000000", "text": "新商品のお知らせ", "created_at": "2026-11-20T00:00:00.000Z"}
        stack.fakes.x_api.add_post(root, brand)
        stack.fakes.x_api.add_post(
            {
                "id": "8700000000000000041",
                "text": "荒らしです",
                "created_at": "2026-11-20T00:01:00.000Z",
                "conversation_id": "1900000000000000000",
                "in_reply_to_user_id": demo.X_ACCOUNT_ID,
            },
            troll,
        )
        post_tweet(
            stack, "8700000000000000041", "荒らしです", user_id="7700000000000000041", reply_to="1900000000000000000"
        )
        t = done(stack, "荒らしです")
        ops = [(o["operation"], o["source"]) for o in t["outbox"]]
        assert ops == [("reply", "rule:away-reply"), ("hide_comment", "rule:hide-trolls")]
        # The send queue takes both to X: the away message once, in the thread; the reply hidden
        ticket_id = t["id"]

        def settled() -> dict[str, Any] | None:
            d = dict(get(stack, f"/api/tickets/{ticket_id}").json())
            return d if [o["status"] for o in d["outbox"]] == ["SENT", "SENT"] else None

        t = wait_for(settled)
        assert stack.fakes.x_api.is_hidden("8700000000000000041")
        posts = [s for s in stack.fakes.x_api.sent if s["kind"] == "post" and s["target"] == "8700000000000000041"]
        assert len(posts) == 1 and posts[0]["text"].startswith("山田 太郎様、")
        assert [m["direction"] for m in t["messages"]] == ["inbound", "outbound"]
        reply = t["outbox"][0]
        assert reply["text"].startswith("山田 太郎様、") and reply["language"] == "ja" and reply["mode"] == "public"
        assert t["outbox"][1]["target_native_id"] == "8700000000000000041"
        # The same customer writes again in the thread: no second away message
        post_tweet(
            stack,
            "8700000000000000042",
            "サポートへ連絡したい",
            user_id="7700000000000000041",
            reply_to="8700000000000000041",
        )
        wait_for(
            lambda: (
                len([e for e in get(stack, f"/api/tickets/{t['id']}").json()["events"] if e["type"] == "rule_fired"])
                == 3
            )
        )
        again = get(stack, f"/api/tickets/{t['id']}").json()
        assert [o["operation"] for o in again["outbox"]] == ["reply", "hide_comment"]
    finally:
        for rule_id in ("away-reply", "hide-trolls"):
            version = call(stack, "GET", f"/api/rules/{rule_id}").json()["version"]
            call(stack, "DELETE", f"/api/rules/{rule_id}?version={version}")
        version = call(stack, "GET", "/api/templates/away").json()["version"]
        assert call(stack, "DELETE", f"/api/templates/away?version={version}").status_code == 204


def test_notify_by_slack_and_email_and_a_dead_webhook_is_recorded_not_retried(stack: LocalStack, rules: Any) -> None:
    rules(
        "shout",
        "ticket_created",
        keyword("炎上"),
        [
            {"type": "notify", "channel": "slack", "target": "https://hooks.slack.com/services/T0001/B0001/secret1"},
            {
                "type": "notify",
                "channel": "email",
                "target": "social-leads@example.com",
                "message_template": "Possible flare-up",
            },
        ],
        stop_on_match=False,
    )
    rules(
        "dead-hook",
        "ticket_created",
        keyword("炎上"),
        [
            {"type": "notify", "channel": "slack", "target": "https://hooks.slack.com/services/revoked/B0002/secret2"},
        ],
        order=20,
    )
    sent_before = stack.client("ses").get_send_quota()["SentLast24Hours"]
    post_tweet(stack, "8700000000000000051", "この対応は炎上しますよ", user_id="7700000000000000051")
    t = done(stack, "この対応は炎上しますよ")
    outcomes = [
        (e["type"], e["detail"].get("channel") or e["detail"].get("action"))
        for e in t["events"]
        if e["type"] in ("rule_notified", "rule_action_failed")
    ]
    assert sorted(outcomes) == [
        ("rule_action_failed", "notify:slack"),
        ("rule_notified", "email"),
        ("rule_notified", "slack"),
    ]
    failed = next(e for e in t["events"] if e["type"] == "rule_action_failed")
    assert failed["detail"]["reason"] == "Slack answered 404" and "secret2" not in str(failed)
    posted = [
        c
        for c in requests.get(f"{stack.url}/_local/outbound", timeout=5).json()["items"]
        if c["provider"] == "slack" and c["path"] == "/services/T0001/B0001/secret1"
    ]
    assert len(posted) == 1 and "この対応は炎上しますよ" in posted[0]["body"]["text"]
    assert stack.client("ses").get_send_quota()["SentLast24Hours"] == sent_before + 1
    alerts = call(stack, "GET", "/api/alerts").json()["items"]
    assert any(a["kind"] == "rule_action_failed" and a["subject"] == "rule:dead-hook" for a in alerts)


def test_ticket_updated_rules_run_when_an_agent_changes_the_status(stack: LocalStack, rules: Any) -> None:
    rules("watch", "ticket_created", keyword("解約"), [{"type": "add_tags", "tags": ["churn-risk"]}])
    rules(
        "churn-followup",
        "ticket_updated",
        {
            "all": [
                {"field": "ticket_tags", "op": "has_any", "value": ["churn-risk"]},
                {"field": "priority", "op": "in", "value": ["normal"]},
            ]
        },
        [{"type": "set_priority", "priority": "urgent"}, {"type": "add_tags", "tags": ["retention"]}],
    )
    post_tweet(stack, "8700000000000000061", "解約を考えています", user_id="7700000000000000061")
    t = done(stack, "解約を考えています")
    assert t["tags"] == ["churn-risk"] and t["priority"] == "normal"
    response = call(
        stack, "PATCH", f"/api/tickets/{t['id']}", {"version": t["version"], "status": "pending"}, "agent1@demo.local"
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["priority"] == "urgent" and changed["tags"] == ["churn-risk", "retention"]
    # The rule's own change is not an update that fires rules again
    after = get(stack, f"/api/tickets/{t['id']}").json()
    assert fired(after) == ["watch", "churn-followup"]
