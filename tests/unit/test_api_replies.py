"""Replies through the API: the composer's checks enforced on send, the outbox and its queue, the
brand's policy, two agents answering at once, and a person settling a reply whose fate is unknown."""

import json
from typing import Any

import pytest
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import Author, InboundMessage
from mentiondesk.store.factory import Store
from mentiondesk.store.outbox import OutboxRef, OutboxTransitions

from tests.conftest import ACCOUNT_ID, RecordingStarter, access_claims, load_function
from tests.unit.test_api import call

pytestmark = pytest.mark.unit
ALICE = access_claims("user-alice", "agent")
BOB = access_claims("user-bob", "agent")
ADMIN = access_claims("user-admin", "admin")
FINANCE = access_claims("user-fin", "finance")
OTHER_TENANT = access_claims("user-alice", "agent", tenant="globex")
NOW = "2026-11-23T09:00:00.000Z"


@pytest.fixture
def queue_url(aws: None) -> str:
    import boto3

    return str(boto3.client("sqs").create_queue(QueueName="send")["QueueUrl"])


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, queue_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    monkeypatch.setenv("SEND_QUEUE_URL", queue_url)
    from mentiondesk.api import deps

    deps.send_queue.cache_clear()
    deps.notifier.cache_clear()
    return load_function("api")


def queued(queue_url: str) -> list[dict[str, Any]]:
    import boto3

    got = boto3.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in got.get("Messages", [])]


def ticket(
    store: Store, kind: str = "mention", text: str = "@acme_help 荷物が届きません", native: str = "9800000000000000001"
) -> str:
    IngestService(store, RecordingStarter(), clock=lambda: NOW).apply(
        [
            InboundMessage(
                platform="x",
                account_id=ACCOUNT_ID,
                native_id=native,
                kind=kind,  # type: ignore[arg-type]
                conversation_id="2000000000000000009" if kind == "dm" else native,
                author=Author(platform_user_id="2000000000000000009", handle="taro", display_name="山田 太郎"),
                text=text,
                created_at=NOW,
            )
        ]
    )
    found = store.tickets.find_native("acme", "x", native)
    assert found is not None
    return str(found["ticket_id"])


GOOD = "山田様、お待たせして申し訳ございません。配送状況をお調べします。担当：Alice"


def reply(api: Any, ticket_id: str, who: dict[str, Any], version: int, **body: Any) -> tuple[int, Any]:
    return call(api, "POST", f"/api/tickets/{ticket_id}/replies", who, {"version": version, "text": GOOD, **body})


def test_a_reply_is_queued_once_and_a_colleague_answering_the_same_version_is_told(
    api: Any, store: Store, queue_url: str
) -> None:
    t = ticket(store)
    # When Alice replies
    status, answer = reply(api, t, ALICE, 1)
    # Then it waits in the outbox, named on the send queue, and the ticket moved on a version
    assert status == 202, answer
    assert answer["outbox"]["status"] == "PENDING" and answer["outbox"]["mode"] == "public"
    assert answer["version"] == 2
    (message,) = queued(queue_url)
    assert message["ticket_id"] == t and message["sk"].startswith("OUT#")
    item = store.outbox.get(OutboxRef(message["tenant"], message["ticket_id"], message["sk"]))
    assert item is not None and item["reply_to_native_id"] == "9800000000000000001"
    assert item["customer_id"] == "x:2000000000000000009" and item["author_name"] == "Alice"
    # And Bob, who read the same version, is told someone answered: 409 with the ticket as it is now
    status, conflict = reply(api, t, BOB, 1)
    assert status == 409
    detail = call(api, "GET", f"/api/tickets/{t}", BOB)[1]
    assert conflict["current"]["version"] == 2
    assert [(o["status"], o["source"]) for o in detail["outbox"]] == [("PENDING", "agent:user-alice")]
    assert "reply_queued" in [e["type"] for e in detail["events"]]


def test_the_composer_blocks_personal_data_in_public_and_an_override_needs_a_reason(api: Any, store: Store) -> None:
    t = ticket(store)
    draft = "山田様、090-1234-5678 にお電話ください。担当：Alice"
    # The lint route says why and offers a DM
    status, result = call(api, "POST", f"/api/tickets/{t}/lint", ALICE, {"text": draft, "mode": "public"})
    assert status == 200 and result["blocked"] is True
    assert "pii_public" in [c["code"] for c in result["checks"]]
    assert result["dm_offer"]["mode"] == "dm"
    # Sending it is refused, nothing is queued
    status, refused = reply(api, t, ALICE, 1, text=draft)
    assert status == 400 and any(d.get("type") == "pii_public" for d in refused["details"])
    assert call(api, "GET", f"/api/tickets/{t}", ALICE)[1]["outbox"] == []
    # An override without a reason is refused; with one it goes, and says what was overridden
    assert reply(api, t, ALICE, 1, text=draft, override=True)[0] == 400
    status, sent = reply(api, t, ALICE, 1, text=draft, override=True, override_reason="the customer asked for it")
    assert status == 202
    item = store.outbox.find("acme", t, sent["outbox"]["id"])
    assert item is not None and item["overridden"] == ["pii_public"]
    # As a DM it passes the personal-data check
    status, result = call(api, "POST", f"/api/tickets/{t}/lint", ALICE, {"text": draft, "mode": "dm"})
    assert "pii_public" not in [c["code"] for c in result["checks"]]


def test_a_brand_that_allows_no_override_and_only_assignees_replying(api: Any, store: Store) -> None:
    t = ticket(store)
    policy = call(api, "GET", "/api/settings/replies", ALICE)[1]
    assert policy["version"] == 0 and policy["assignee_only"] is False
    # Agents may not change it; a supervisor or admin may
    assert call(api, "PUT", "/api/settings/replies", ALICE, {"version": 0, "assignee_only": True})[0] == 403
    status, saved = call(
        api, "PUT", "/api/settings/replies", ADMIN, {"version": 0, "assignee_only": True, "allow_override": False}
    )
    assert status == 200 and saved["version"] == 1
    assert call(api, "PUT", "/api/settings/replies", ADMIN, {"version": 0, "assignee_only": False})[0] == 409
    # Bob is not the assignee: refused, whatever the text
    ticket_now = call(api, "GET", f"/api/tickets/{t}", BOB)[1]
    assert reply(api, t, BOB, ticket_now["version"])[0] == 403
    # Alice takes it and may reply; overriding a blocking check is not allowed at all
    taken = call(
        api, "POST", f"/api/tickets/{t}/assignment", ALICE, {"version": ticket_now["version"], "agent_id": "user-alice"}
    )[1]
    draft = "山田様、090-1234-5678 までどうぞ。担当：Alice"
    assert reply(api, t, ALICE, taken["version"], text=draft, override=True, override_reason="asked")[0] == 403
    assert reply(api, t, ALICE, taken["version"])[0] == 202


def test_the_channel_decides_which_modes_a_reply_can_take(api: Any, store: Store) -> None:
    mention = ticket(store)
    dm = ticket(store, kind="dm", text="注文の件です", native="9800000000000000002")
    assert reply(api, mention, ALICE, 1, mode="private_reply")[0] == 400  # X has none
    status, answer = reply(api, dm, ALICE, 1, mode="public")
    assert status == 400 and "dm" in answer["message"]
    status, answer = reply(api, dm, ALICE, 1, mode="dm")
    assert status == 202
    item = store.outbox.find("acme", dm, answer["outbox"]["id"])
    assert item is not None and item["recipient_id"] == "2000000000000000009"
    assert reply(api, mention, ALICE, 1, mode="dm")[0] == 202  # X lets the brand DM anyone who allows it


def test_bad_requests_get_clear_answers_and_store_nothing(api: Any, store: Store) -> None:
    t = ticket(store)
    path = f"/api/tickets/{t}/replies"
    assert call(api, "POST", path, None, {"version": 1, "text": GOOD})[0] == 401
    assert call(api, "POST", path, FINANCE, {"version": 1, "text": GOOD})[0] == 403
    assert call(api, "POST", path, OTHER_TENANT, {"version": 1, "text": GOOD})[0] == 404
    assert call(api, "POST", "/api/tickets/not-an-id/replies", ALICE, {"version": 1, "text": GOOD})[0] == 404
    assert call(api, "POST", path, ALICE, {"version": 1, "text": GOOD, "status": "SENT"})[0] == 400
    assert call(api, "POST", path, ALICE, {"version": 1, "text": ""})[0] == 422
    assert call(api, "POST", path, ALICE, {"version": 1, "text": GOOD, "mode": "fax"})[0] == 422
    assert call(api, "POST", path, ALICE, {"version": 7, "text": GOOD})[0] == 409
    assert call(api, "POST", f"/api/tickets/{t}/lint", FINANCE, {"text": "x"})[0] == 403
    assert call(api, "POST", f"/api/tickets/{t}/lint", OTHER_TENANT, {"text": "x"})[0] == 404
    assert call(api, "GET", f"/api/tickets/{t}", ALICE)[1]["outbox"] == []


def test_a_person_settles_a_reply_whose_fate_is_unknown(api: Any, store: Store, queue_url: str) -> None:
    t = ticket(store)
    first = reply(api, t, ALICE, 1)[1]["outbox"]["id"]
    item = store.outbox.find("acme", t, first)
    assert item is not None
    ref = OutboxRef.of(item)
    decide = f"/api/tickets/{t}/outbox/{first}/decision"
    # A PENDING item is the sender's, not a person's
    assert call(api, "POST", decide, ALICE, {"decision": "cancel"})[0] == 409
    box = OutboxTransitions(store.table)
    box.claim(ref, first, "w", NOW, "2026-11-23T09:01:00.000Z")
    box.unknown(ref, "w", NOW, "X timed out after the post was sent")
    queued(queue_url)
    # When Alice checked X and asks to send it again
    status, again = call(api, "POST", decide, ALICE, {"decision": "resend"})
    # Then a new item is queued, the old one is cancelled, nothing else
    assert status == 200 and again["status"] == "PENDING" and again["resend_of"] == first
    outbox = {o["id"]: o["status"] for o in call(api, "GET", f"/api/tickets/{t}", ALICE)[1]["outbox"]}
    assert outbox == {first: "CANCELLED", again["id"]: "PENDING"}
    assert [m["sk"] for m in queued(queue_url)] == [store.outbox.find("acme", t, again["id"])["SK"]]  # type: ignore[index]
    # And one she confirms on X is recorded as sent, in the thread
    second = store.outbox.find("acme", t, again["id"])
    assert second is not None
    ref2 = OutboxRef.of(second)
    box.claim(ref2, again["id"], "w", NOW, "2026-11-23T09:01:00.000Z")
    box.unknown(ref2, "w", NOW, "timed out")
    status, settled = call(
        api,
        "POST",
        f"/api/tickets/{t}/outbox/{again['id']}/decision",
        ALICE,
        {"decision": "sent", "platform_id": "1900000000000000077"},
    )
    assert status == 200 and settled["status"] == "SENT" and settled["decided_by"] == "user-alice"
    thread = call(api, "GET", f"/api/tickets/{t}", ALICE)[1]["messages"]
    assert [m["native_id"] for m in thread if m["direction"] == "outbound"] == ["1900000000000000077"]
    assert call(api, "POST", decide, OTHER_TENANT, {"decision": "cancel"})[0] == 404


def test_hiding_a_comment_goes_through_the_outbox(api: Any, store: Store) -> None:
    t = ticket(store)
    dm = ticket(store, kind="dm", text="注文の件です", native="9800000000000000002")
    message = call(api, "GET", f"/api/tickets/{t}", ALICE)[1]["messages"][0]
    status, answer = call(api, "POST", f"/api/tickets/{t}/hide", ALICE, {"version": 1, "message_id": message["id"]})
    assert status == 202 and answer["outbox"]["operation"] == "hide_comment" and answer["outbox"]["hidden"] is True
    dm_message = call(api, "GET", f"/api/tickets/{dm}", ALICE)[1]["messages"][0]
    assert call(api, "POST", f"/api/tickets/{dm}/hide", ALICE, {"version": 1, "message_id": dm_message["id"]})[0] == 400
    unknown = {"version": 2, "message_id": "01J00000000000000000000000"}
    assert call(api, "POST", f"/api/tickets/{t}/hide", ALICE, unknown)[0] == 400
