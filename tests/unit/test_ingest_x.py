"""The X webhook logic against moto: stored exactly once, threaded, routed, quarantined."""

import json
import threading
from typing import Any

import boto3
import pytest
from mentiondesk.errors import PayloadTooLarge, SignatureInvalid
from mentiondesk.store.factory import Store

from tests.conftest import ACCOUNT_ID, RecordingStarter, make_x_webhook, signed, tweet_delivery, x_event

pytestmark = pytest.mark.unit


make_webhook = make_x_webhook


def dm_delivery(event_id: str, text: str, sender: str = "700000000000000001") -> dict[str, Any]:
    return {
        "for_user_id": ACCOUNT_ID,
        "direct_message_events": [
            {
                "type": "message_create",
                "id": event_id,
                "created_timestamp": "1795424400000",
                "message_create": {
                    "target": {"recipient_id": ACCOUNT_ID},
                    "sender_id": sender,
                    "message_data": {"text": text},
                },
            }
        ],
        "users": {sender: {"id": sender, "name": "山田 太郎", "screen_name": "taro_y"}},
    }


def all_items(table_name: str) -> list[dict[str, Any]]:
    # Test-only inspection of everything written (never on a request path).
    return list(boto3.client("dynamodb").scan(TableName=table_name)["Items"])


def test_mention_opens_ticket_and_starts_workflow(store: Store, tenant: str) -> None:
    # Given a signed mention for the tenant's account
    starter = RecordingStarter()
    body, sig = signed(x_event("tweet_create_mention_ja.json"))
    # When
    outcome = make_webhook(store, starter).receive(body, sig)
    # Then
    assert outcome.accepted == 1 and outcome.duplicates == 0
    ticket = store.tickets.get(tenant, outcome.tickets[0])
    assert ticket.status == "open" and ticket.platform == "x" and ticket.customer.handle == "taro_y"
    assert ticket.triage_state == "pending"
    assert starter.started == [(tenant, ticket.id)]
    detail = store.tickets.detail(tenant, ticket.id)
    assert [m.native_id for m in detail.messages] == ["1992000000000000123"]
    assert [e.type for e in detail.events] == ["ticket_created"]


def test_redelivery_stores_nothing_new_and_restarts_idempotently(store: Store, tenant: str, table_name: str) -> None:
    # Given a delivery already processed
    starter = RecordingStarter()
    webhook = make_webhook(store, starter)
    body, sig = signed(x_event("tweet_create_mention_ja.json"))
    first = webhook.receive(body, sig)
    before = len(all_items(table_name))
    # When X delivers it again (days later, same body)
    again = webhook.receive(body, sig)
    # Then no second message or ticket; the start is repeated (its name makes it a no-op)
    assert again.accepted == 0 and again.duplicates == 1
    assert len(all_items(table_name)) == before
    assert again.tickets == first.tickets
    assert starter.started == [(tenant, first.tickets[0])] * 2


def test_reply_in_thread_joins_the_ticket(store: Store, tenant: str) -> None:
    # Given a first post and the customer's reply to it
    webhook = make_webhook(store)
    first = webhook.receive(*signed(tweet_delivery("100", "荷物が届かない")))
    # When
    reply = webhook.receive(*signed(tweet_delivery("101", "まだ届きません", reply_to="100")))
    # Then both messages sit on one ticket
    assert reply.tickets == first.tickets
    detail = store.tickets.detail(tenant, first.tickets[0])
    assert [m.native_id for m in detail.messages] == ["100", "101"]
    assert detail.ticket.message_count == 2
    assert [e.type for e in detail.events] == ["ticket_created", "message_received"]


def test_reply_to_unknown_post_opens_a_new_ticket(store: Store, tenant: str) -> None:
    webhook = make_webhook(store)
    first = webhook.receive(*signed(tweet_delivery("200", "hello")))
    other = webhook.receive(*signed(tweet_delivery("201", "hi again", reply_to="999")))
    assert other.tickets != first.tickets


def test_own_posts_are_not_customer_messages(store: Store, tenant: str) -> None:
    outcome = make_webhook(store).receive(*signed(tweet_delivery("300", "our reply", user_id=ACCOUNT_ID)))
    assert outcome.accepted == 0 and outcome.ignored == {"own_post": 1}


def test_unknown_account_is_acknowledged_and_stores_nothing(store: Store, tenant: str, table_name: str) -> None:
    before = len(all_items(table_name))
    outcome = make_webhook(store).receive(*signed(tweet_delivery("400", "hi", for_user_id="123")))
    assert outcome.accepted == 0 and outcome.ignored == {"unknown_account": 1}
    assert len(all_items(table_name)) == before


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1,2,3]",
        json.dumps({"for_user_id": ACCOUNT_ID, "tweet_create_events": [{"id_str": "1"}]}).encode(),
    ],
)
def test_signed_but_unparseable_body_is_quarantined(store: Store, tenant: str, body: bytes) -> None:
    # Given a correctly signed body we cannot use
    body, sig = signed(body)
    # When
    outcome = make_webhook(store).receive(body, sig)
    # Then it is kept for a person, not dropped
    assert outcome.quarantined
    kept = store.quarantine.recent("x")
    assert [k["id"] for k in kept] == [outcome.quarantined]
    assert kept[0]["size"] == len(body)


def test_bad_signature_writes_nothing(store: Store, tenant: str, table_name: str) -> None:
    before = len(all_items(table_name))
    body, _ = signed(x_event("tweet_create_mention_ja.json"))
    with pytest.raises(SignatureInvalid):
        make_webhook(store).receive(body, signed(body, secret="old-secret")[1])
    assert len(all_items(table_name)) == before


def test_oversized_body_is_refused_before_verifying(store: Store, tenant: str) -> None:
    with pytest.raises(PayloadTooLarge):
        make_webhook(store, limit=1024).receive(b"x" * 1025, "sha256=whatever")


def test_dm_is_stored_and_later_dms_join_within_the_window(store: Store, tenant: str) -> None:
    # Given a customer's DM, then another 2 hours later, then one 30 hours after that
    clock = iter(["2026-11-23T09:00:00.000Z", "2026-11-23T11:00:00.000Z", "2026-11-24T17:00:00.000Z"])
    webhook = make_x_webhook(store, now=lambda: next(clock))
    first = webhook.receive(*signed(x_event("direct_message_events.json")))
    second = webhook.receive(*signed(dm_delivery("1992000000000000790", "追加で写真を送ります")))
    later = webhook.receive(*signed(dm_delivery("1992000000000000791", "また問題が起きました")))
    # Then the first two share a ticket and the third opens a new one
    assert first.accepted == 1 and second.accepted == 1
    assert second.tickets == first.tickets
    assert later.tickets != first.tickets
    detail = store.tickets.detail(tenant, first.tickets[0])
    assert [m.kind for m in detail.messages] == ["dm", "dm"]
    assert detail.messages[0].author.handle == "taro_y"


def resolve(store: Store, tenant: str, ticket_id: str, at: str) -> None:
    """What the agent API's status change does to the ticket item (status, its index key, the time)."""
    from mentiondesk.store import keys

    store.table.update(
        {"PK": keys.ticket_pk(tenant, ticket_id), "SK": keys.TICKET_SK},
        "SET #s = :s, GSI1PK = :g, resolved_at = :at, updated_at = :at",
        names={"#s": "status"},
        vals={":s": "resolved", ":g": keys.status_gsi(tenant, "resolved"), ":at": at},
    )


@pytest.mark.parametrize(
    ("later", "reopens"),
    [("2026-11-23T20:00:00.000Z", True), ("2026-11-25T09:00:00.000Z", False)],
)
def test_a_resolved_ticket_reopens_only_within_the_window(store: Store, tenant: str, later: str, reopens: bool) -> None:
    # Given a DM ticket resolved at 10:00 and a 24-hour window
    clock = iter(["2026-11-23T09:00:00.000Z", later])
    webhook = make_x_webhook(store, now=lambda: next(clock), dm_window_seconds=86_400)
    first = webhook.receive(*signed(x_event("direct_message_events.json"))).tickets[0]
    resolve(store, tenant, first, "2026-11-23T10:00:00.000Z")
    # When the customer writes again
    again = webhook.receive(*signed(dm_delivery("1992000000000000795", "やっぱりまだダメです"))).tickets[0]
    # Then within the window the ticket reopens; after it, a new ticket opens and the old one stays resolved
    ticket = store.tickets.detail(tenant, first)
    if reopens:
        assert again == first and ticket.ticket.status == "open"
        assert ticket.events[-1].type == "ticket_reopened"
        assert first in [t.id for t in store.tickets.inbox(tenant, "open", 10, None).items]
    else:
        assert again != first and ticket.ticket.status == "resolved"


def test_a_reply_in_a_thread_resolved_long_ago_opens_a_new_ticket(store: Store, tenant: str) -> None:
    clock = iter(["2026-11-23T09:00:00.000Z", "2026-11-30T09:00:00.000Z"])
    webhook = make_x_webhook(store, now=lambda: next(clock))
    first = webhook.receive(*signed(tweet_delivery("950", "@acme_help 届かない"))).tickets[0]
    resolve(store, tenant, first, "2026-11-23T12:00:00.000Z")
    later = webhook.receive(*signed(tweet_delivery("951", "@acme_help また届かない", reply_to="950"))).tickets[0]
    assert later != first
    message = store.tickets.detail(tenant, later).messages[0]
    assert message.reply_to == "950"  # the thread is still recorded on the message


def test_typing_and_own_dm_echoes_are_counted_not_stored(store: Store, tenant: str) -> None:
    typing = {
        "for_user_id": ACCOUNT_ID,
        "direct_message_indicate_typing_events": [
            {
                "created_timestamp": "1795424400000",
                "sender_id": "700000000000000001",
                "target": {"recipient_id": ACCOUNT_ID},
            }
        ],
    }
    assert make_x_webhook(store).receive(*signed(typing)).ignored == {"direct_message_indicate_typing": 1}
    echo = dm_delivery("1992000000000000800", "ご連絡ありがとうございます", sender=ACCOUNT_ID)
    assert make_x_webhook(store).receive(*signed(echo)).ignored == {"own_dm": 1}


def test_deleted_tweet_loses_its_content_but_the_ticket_stays(store: Store, tenant: str) -> None:
    # Given a stored mention
    webhook = make_x_webhook(store)
    ticket = webhook.receive(*signed(tweet_delivery("600", "消します"))).tickets[0]
    # When the customer deletes it (twice: X may redeliver)
    delete = {
        "for_user_id": ACCOUNT_ID,
        "tweet_delete_events": [
            {"status": {"id": "600", "user_id": "700000000000000001"}, "timestamp_ms": "1795424400000"}
        ],
    }
    assert webhook.receive(*signed(delete)).deleted == 1
    assert webhook.receive(*signed(delete)).deleted == 1
    # Then the message is marked and emptied, once
    detail = store.tickets.detail(tenant, ticket)
    assert detail.messages[0].text == "" and detail.messages[0].deleted_at
    assert [e.type for e in detail.events].count("message_deleted") == 1


def test_delete_before_create_keeps_the_post_out(store: Store, tenant: str) -> None:
    webhook = make_x_webhook(store)
    delete = {
        "for_user_id": ACCOUNT_ID,
        "tweet_delete_events": [
            {"status": {"id": "700", "user_id": "700000000000000001"}, "timestamp_ms": "1795424400000"}
        ],
    }
    webhook.receive(*signed(delete))
    late = webhook.receive(*signed(tweet_delivery("700", "deleted already")))
    assert late.accepted == 0 and late.duplicates == 1 and late.tickets == []


def test_reply_arriving_before_its_parent_still_threads(store: Store, tenant: str) -> None:
    webhook = make_x_webhook(store)
    reply = webhook.receive(*signed(tweet_delivery("801", "(reply first)", reply_to="800")))
    parent = webhook.receive(*signed(tweet_delivery("800", "(parent later)")))
    assert parent.tickets == reply.tickets
    assert reply.accepted == 1 and parent.accepted == 1


def test_revoke_stops_the_account(store: Store, tenant: str) -> None:
    # Given the brand account revokes our app
    revoke = {
        "user_event": {
            "revoke": {
                "date_time": "2026-11-23T10:00:00+00:00",
                "target": {"app_id": "1"},
                "source": {"user_id": ACCOUNT_ID},
            }
        }
    }
    webhook = make_x_webhook(store)
    assert webhook.receive(*signed(revoke)).revoked == 1
    # Then the channel shows revoked and later posts are not stored
    assert [c.status for c in store.directory.channels(tenant)] == ["revoked"]
    after = webhook.receive(*signed(tweet_delivery("900", "hello?")))
    assert after.accepted == 0 and after.ignored == {"account_revoked": 1}
    # And the tenant's admins have one critical alert, even when X repeats the event
    webhook.receive(*signed(revoke))
    alerts = store.alerts.recent(tenant)
    assert [(a.kind, a.severity, a.subject) for a in alerts] == [("channel_revoked", "critical", f"x:{ACCOUNT_ID}")]


def test_concurrent_deliveries_of_one_event_make_one_ticket(store: Store, tenant: str, table_name: str) -> None:
    # Given the same event delivered on four connections at once
    body, sig = signed(tweet_delivery("500", "同時配信"))
    results: list[Any] = []

    def deliver() -> None:
        results.append(make_webhook(store).receive(body, sig))

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    # When
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Then exactly one message and one ticket exist
    assert sum(r.accepted for r in results) == 1
    assert sum(r.duplicates for r in results) == 3
    assert len({r.tickets[0] for r in results}) == 1
    tickets = [i for i in all_items(table_name) if i["SK"]["S"] == "TICKET"]
    messages = [i for i in all_items(table_name) if i["SK"]["S"].startswith("MSG#")]
    assert len(tickets) == 1 and len(messages) == 1


def test_an_admin_reconnects_a_revoked_account(
    store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json as _json

    from tests.conftest import Context, access_claims, http_event, load_function

    revoke = {"user_event": {"revoke": {"date_time": "2026-11-23T10:00:00+00:00", "source": {"user_id": ACCOUNT_ID}}}}
    make_x_webhook(store).receive(*signed(revoke))
    monkeypatch.setenv("TABLE_NAME", table_name)
    api = load_function("api")

    def reconnect(role: str, account: str = ACCOUNT_ID) -> tuple[int, dict[str, object]]:
        event = http_event(
            "POST",
            "/api/channels/reconnect",
            body=_json.dumps({"platform": "x", "account_id": account}).encode(),
            headers={"content-type": "application/json"},
            claims=access_claims(f"user-{role}", role),
            route_key="ANY /api/{proxy+}",
        )
        answer = api.handler(event, Context())
        return answer["statusCode"], _json.loads(answer["body"])

    assert reconnect("agent")[0] == 403
    assert reconnect("admin", "123")[0] == 404
    status, channel = reconnect("admin")
    assert status == 200 and channel["status"] == "active" and channel["revoked_at"] is None
    assert reconnect("admin")[0] == 409  # not revoked any more
    assert make_x_webhook(store).receive(*signed(tweet_delivery("960", "hello again"))).accepted == 1


def test_x_activity_api_mentions_and_dms_become_tickets_once(store: Store, tenant: str) -> None:
    import json as _json

    from tests.conftest import EVENTS

    posts = _json.loads((EVENTS / "x_activity" / "post.json").read_text(encoding="utf-8"))
    webhook = make_x_webhook(store)
    # Given an X Activity API mention delivered to the same webhook, signed the same way
    first = webhook.receive(*signed(posts["mention_ja"]))
    again = webhook.receive(*signed(posts["mention_ja"]))
    # Then it is one ticket with the author from `includes`
    assert first.accepted == 1 and again.duplicates == 1
    message = store.tickets.detail(tenant, first.tickets[0]).messages[0]
    assert message.kind == "mention" and message.author.handle == "taro_y" and "回線" in message.text
    # And an encrypted X Chat event is counted, never a ticket
    chat = _json.loads((EVENTS / "x_activity" / "chat.json").read_text(encoding="utf-8"))
    sample = next(iter(chat.values())) if "data" not in chat else chat
    outcome = webhook.receive(*signed(sample))
    assert outcome.accepted == 0 and all(k.startswith("activity:chat") for k in outcome.ignored)
