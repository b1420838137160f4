"""functions/webhook_meta over moto: Instagram and Facebook deliveries become tickets exactly once."""

import json
import threading
from typing import Any

import boto3
import pytest
from mentiondesk.channels import meta
from mentiondesk.models import ChannelAccount
from mentiondesk.store.factory import Store

from tests.conftest import Context, http_event, load_function
from tests.unit.test_meta_channel import IG_ACCOUNT, PAGE_ID, meta_event

pytestmark = pytest.mark.unit
APP_SECRET = "test-meta-app-secret"
VERIFY_TOKEN = "test-verify-token"


@pytest.fixture
def handler(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    for platform, account in (("instagram", IG_ACCOUNT), ("facebook", PAGE_ID)):
        store.directory.register_channel(
            ChannelAccount(
                tenant_id=tenant,
                platform=platform,
                account_id=account,
                handle="acme",
                team="support",
                created_at="2026-11-01T00:00:00.000Z",
                created_by="user-admin",
            )
        )
    machine = boto3.client("stepfunctions").create_state_machine(
        name="wf",
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
        roleArn="arn:aws:iam::123456789012:role/sf",
    )
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("TICKET_WORKFLOW_ARN", machine["stateMachineArn"])
    monkeypatch.setenv("MENTIONDESK_META_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("MENTIONDESK_META_VERIFY_TOKEN", VERIFY_TOKEN)
    monkeypatch.setenv("MAX_BODY_BYTES", "65536")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    module = load_function("webhook_meta")
    module.arn = machine["stateMachineArn"]
    return module


def deliver(handler: Any, payload: dict[str, Any] | bytes, *, secret: str = APP_SECRET) -> tuple[int, Any]:
    # Meta's bytes: non-ASCII escaped as \uXXXX and ", " / ": " separators.
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    event = http_event("POST", "/webhooks/meta", body=body, headers={"X-Hub-Signature-256": meta.sign(secret, body)})
    result = handler.handler(event, Context())
    return result["statusCode"], json.loads(result["body"])


def tickets(store: Store, tenant: str) -> list[Any]:
    return list(store.tickets.inbox(tenant, None, 100, None).items)


def messages(store: Store, tenant: str) -> list[Any]:
    return [m for t in tickets(store, tenant) for m in store.tickets.detail(tenant, t.id).messages]


def test_verification_get_echoes_the_challenge_only_for_our_token(handler: Any) -> None:
    good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    answer = handler.handler(http_event("GET", "/webhooks/meta", query=good), Context())
    assert answer["statusCode"] == 200 and answer["body"] == "1158201444"
    assert answer["headers"]["content-type"].startswith("text/plain")
    wrong = {**good, "hub.verify_token": "guess"}
    assert handler.handler(http_event("GET", "/webhooks/meta", query=wrong), Context())["statusCode"] == 403
    no_challenge = {k: v for k, v in good.items() if k != "hub.challenge"}
    assert handler.handler(http_event("GET", "/webhooks/meta", query=no_challenge), Context())["statusCode"] == 400


def test_instagram_comments_thread_and_own_replies_are_not_customer_messages(
    handler: Any, store: Store, tenant: str
) -> None:
    # Given a comment, a reply to it by another customer, a live comment, our own reply and an insight
    status, answer = deliver(handler, meta_event("ig_comments.json"))
    # Then three customer messages are stored; the reply joins the first comment's ticket
    assert status == 200 and answer["accepted"] == 3
    assert answer["ignored"] == {"own_comment": 1, "story_insights": 1}
    by_native = {m.native_id: m for m in messages(store, tenant)}
    assert by_native["17911100000000002"].ticket_id == by_native["17911100000000001"].ticket_id
    assert by_native["17911100000000003"].ticket_id != by_native["17911100000000001"].ticket_id
    assert len(tickets(store, tenant)) == 2


def test_page_comments_edits_and_removals(handler: Any, store: Store, tenant: str) -> None:
    status, answer = deliver(handler, meta_event("page_feed.json"))
    assert status == 200 and answer["accepted"] >= 1
    stored = {m.native_id: m for m in messages(store, tenant)}
    first = stored["300000000000001_400000000000001"]
    # The edit in the same delivery keeps the newest text and the time of the edit
    assert first.text == "The tracker has said 'out for delivery' for four days now. Is my parcel lost?"
    assert first.edited_at is not None
    # The reply to that comment joined its ticket; its removal keeps the message but not its content
    reply = stored["300000000000001_400000000000002"]
    assert reply.ticket_id == first.ticket_id
    assert reply.deleted_at is not None and not reply.text and not reply.media
    # Our own reply, reactions, status posts, hides and ratings are not customer messages
    ignored = {"own_comment": 1, "feed_reaction": 1, "feed_status": 1, "comment_hide": 1, "ratings": 1}
    assert answer["ignored"] == ignored
    assert len(stored) == 2


def test_messenger_and_instagram_dms_join_the_customers_open_ticket(handler: Any, store: Store, tenant: str) -> None:
    assert deliver(handler, meta_event("messenger.json"))[1]["accepted"] == 2
    assert deliver(handler, meta_event("ig_messaging.json"))[0] == 200
    stored = messages(store, tenant)
    ig = [m for m in stored if m.platform == "instagram" and m.author.platform_user_id == "6611000000000001"]
    assert len(ig) == 2 and ig[0].ticket_id == ig[1].ticket_id
    # Echoes of our own messages are never stored as customer messages
    assert not [m for m in stored if m.author.platform_user_id in (IG_ACCOUNT, PAGE_ID)]


def test_signature_is_checked_on_the_raw_escaped_bytes(handler: Any, store: Store, tenant: str) -> None:
    payload = meta_event("messenger.json")
    escaped = json.dumps(payload).encode()  # what Meta sends: \\u escapes
    assert b"\\u" in escaped
    # A body re-serialised with raw UTF-8 is a different byte string: its signature does not carry over
    raw_utf8 = json.dumps(payload, ensure_ascii=False).encode()
    event = http_event(
        "POST", "/webhooks/meta", body=raw_utf8, headers={"X-Hub-Signature-256": meta.sign(APP_SECRET, escaped)}
    )
    assert handler.handler(event, Context())["statusCode"] == 401
    assert deliver(handler, escaped)[1]["accepted"] == 2


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        {"X-Hub-Signature-256": "sha1=abc"},
    ],
)
def test_unsigned_or_badly_signed_deliveries_write_nothing(
    handler: Any, store: Store, tenant: str, headers: dict[str, str]
) -> None:
    body = json.dumps(meta_event("messenger.json")).encode()
    result = handler.handler(http_event("POST", "/webhooks/meta", body=body, headers=headers), Context())
    assert result["statusCode"] == 401
    assert tickets(store, tenant) == []


def test_wrong_secret_too_large_and_unparseable(handler: Any, store: Store, tenant: str) -> None:
    assert deliver(handler, meta_event("messenger.json"), secret="other")[0] == 401
    assert deliver(handler, b"{" + b" " * 70_000 + b"}")[0] == 413
    status, answer = deliver(handler, b'{"object": "page", "entry": "not a list"}')
    assert status == 200 and answer["quarantined"]
    assert tickets(store, tenant) == []


def test_unknown_object_and_field_are_counted_not_failed(handler: Any, store: Store, tenant: str) -> None:
    payload = {
        "object": "page",
        "entry": [{"id": PAGE_ID, "time": 1795485600, "changes": [{"field": "ratings", "value": {"x": 1}}]}],
    }
    status, answer = deliver(handler, payload)
    assert status == 200 and answer["accepted"] == 0 and sum(answer["ignored"].values()) == 1


def test_redelivery_twice_concurrently_stores_each_message_once(handler: Any, store: Store, tenant: str) -> None:
    fixtures = ["ig_comments.json", "ig_messaging.json", "messenger.json", "page_feed.json", "ig_mentions.json"]
    for name in fixtures:
        deliver(handler, meta_event(name))
    before = sorted(m.native_id for m in messages(store, tenant))
    ticket_count = len(tickets(store, tenant))
    answers: list[dict[str, Any]] = []

    def again(name: str) -> None:
        status, answer = deliver(handler, meta_event(name))
        assert status == 200
        answers.append(answer)

    threads = [threading.Thread(target=again, args=(name,)) for name in fixtures * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(a["accepted"] for a in answers) == 0
    assert sorted(m.native_id for m in messages(store, tenant)) == before
    assert len(tickets(store, tenant)) == ticket_count
    executions = boto3.client("stepfunctions").list_executions(stateMachineArn=handler.arn)["executions"]
    # One triage per ticket, one run per message that joined a ticket: redelivery started nothing twice.
    names = [e["name"] for e in executions]
    assert len(names) == len(set(names))
    assert sum(name.startswith("triage-") for name in names) == ticket_count
    assert sum(name.startswith("msg-") for name in names) == len(before) - ticket_count


# -- Instagram mentions: content read through the Graph API ---------------------------------------


def mentions_handler(handler: Any, answers: dict[str, Any]) -> Any:
    """The loaded webhook with its Graph client answering from `answers` (comment id -> content or error)."""
    from mentiondesk.channels.meta_graph import MentionContent

    class Graph:
        def __init__(self) -> None:
            self.calls: list[str] = []

        def mention_content(self, account_id: str, media_id: str, comment_id: str | None) -> MentionContent | None:
            key = comment_id or media_id
            self.calls.append(key)
            answer = answers.get(key)
            if isinstance(answer, Exception):
                raise answer
            return answer

    handler.webhook.graph = Graph()
    return handler


def test_id_only_mentions_are_stored_with_the_text_graph_gives(handler: Any, store: Store, tenant: str) -> None:
    from mentiondesk.channels.meta_graph import MentionContent, MetaGraphRefused

    mentions_handler(
        handler,
        {
            "17944400000000001": MentionContent(
                text="@acme 充電できない",
                author_id="5511000000000099",
                username="yui",
                created_at=None,
                url=None,
                media=(),
            ),
            "18033300000000002": MetaGraphRefused("token expired", 400, 190),
        },
    )
    status, answer = deliver(handler, meta_event("ig_mentions.json"))
    assert status == 200 and answer["accepted"] == 2  # the refused one is kept too, as ids
    by_native = {m.native_id: m for m in messages(store, tenant)}
    assert by_native["17944400000000001"].text == "@acme 充電できない"
    assert by_native["17944400000000001"].author.handle == "yui"
    assert by_native["18033300000000002"].text == ""
    # No customer profile is made for a message without an author; the admins hear about the token
    assert store.customers.profile(tenant, "instagram:5511000000000099")["message_count"] == 1
    alerts = store.alerts.recent(tenant)
    assert [(a.kind, a.severity) for a in alerts] == [("meta_graph_refused", "critical")]


def test_graph_outage_answers_503_so_meta_delivers_again(handler: Any, store: Store, tenant: str) -> None:
    from mentiondesk.channels.meta_graph import MetaGraphError

    mentions_handler(handler, {"17944400000000001": MetaGraphError("Graph answered 500", 500)})
    status, _ = deliver(handler, meta_event("ig_mentions.json"))
    assert status == 503 and tickets(store, tenant) == []


def test_events_for_an_unregistered_account_are_acknowledged_and_stored_nowhere(
    handler: Any, store: Store, tenant: str
) -> None:
    payload = meta_event("messenger.json")
    for entry in payload["entry"]:
        entry["id"] = "999999999999999"
        for event in entry.get("messaging", []):
            event["recipient"]["id"] = "999999999999999"
    status, answer = deliver(handler, payload)
    assert status == 200 and answer["accepted"] == 0 and answer["ignored"].get("unknown_account", 0) >= 1
    assert tickets(store, tenant) == []
