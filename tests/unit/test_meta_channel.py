"""Meta verification, signatures and normalisation (Instagram, Page feed, Messenger).

Fixtures under tests/events/meta/ are ours, written in the shapes Meta documents.
"""

import base64
import copy
import hashlib
import hmac
import json
import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from mentiondesk.channels import meta
from mentiondesk.clock import iso
from mentiondesk.errors import Forbidden, InvalidRequest, MalformedPayload, SignatureInvalid
from mentiondesk.models import (
    IgnoredEvent,
    InboundEvent,
    InboundMessage,
    MediaRef,
    MessageDeletion,
    MessageEdit,
)

from tests.conftest import EVENTS

pytestmark = pytest.mark.unit

IG_ACCOUNT = "17841455500000001"
PAGE_ID = "104400000000001"
ISO_MS_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def meta_event(name: str) -> dict[str, Any]:
    """A fixture delivery from tests/events/meta/ (written by us in Meta's documented shapes)."""
    data: dict[str, Any] = json.loads((EVENTS / "meta" / name).read_text(encoding="utf-8"))
    return data


def label(event: InboundEvent) -> str:
    """A short name for what an event became, to compare whole deliveries at a glance."""
    if isinstance(event, InboundMessage):
        return f"message:{event.kind}"
    if isinstance(event, MessageEdit):
        return "edit"
    if isinstance(event, MessageDeletion):
        return f"deletion:{event.reason}"
    if isinstance(event, IgnoredEvent):
        return f"ignored:{event.kind}"
    return type(event).__name__


def message(event: InboundEvent) -> InboundMessage:
    assert isinstance(event, InboundMessage), event
    return event


def utc_ms(text: str) -> str:
    """`clock.iso` of a naive UTC time written as text."""
    return iso(datetime.fromisoformat(text).replace(tzinfo=UTC))


def ig_comment_delivery(value: Any, entry_time: Any = 1795482000) -> dict[str, Any]:
    return {
        "object": "instagram",
        "entry": [{"id": IG_ACCOUNT, "time": entry_time, "changes": [{"field": "comments", "value": value}]}],
    }


def messaging_delivery(event: Any, obj: str = "page", entry_time: Any = 1795485900789) -> dict[str, Any]:
    account = PAGE_ID if obj == "page" else IG_ACCOUNT
    return {"object": obj, "entry": [{"id": account, "time": entry_time, "messaging": [event]}]}


GOOD_COMMENT: dict[str, Any] = {
    "id": "17911100000000101",
    "from": {"id": "5511000000000009", "username": "mika.t"},
    "media": {"id": "18022200000000001", "media_product_type": "REELS"},
    "text": "サイズ交換の送料はどちらの負担になりますか？",
}


# -- GET verification ---------------------------------------------------------------------------


def test_verification_echoes_the_challenge() -> None:
    # Given Meta's documented verification request and our configured token
    params = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "meatyhamhock"}
    # When
    answer = meta.verify_subscription(params, "meatyhamhock")
    # Then the challenge comes back verbatim (the handler answers it as text/plain)
    assert answer == "1158201444"


@pytest.mark.parametrize(
    ("given", "configured"),
    [
        ("meatyhamhock-old", "meatyhamhock"),
        ("", "meatyhamhock"),
        (None, "meatyhamhock"),
        ("", ""),
        ("MEATYHAMHOCK", "meatyhamhock"),
    ],
)
def test_verification_with_a_wrong_token_is_forbidden(given: str | None, configured: str) -> None:
    # Given a request whose token is not ours (or no token configured at all)
    params = {"hub.mode": "subscribe", "hub.challenge": "42"}
    if given is not None:
        params["hub.verify_token"] = given
    # When / Then: a 403-type error
    with pytest.raises(Forbidden):
        meta.verify_subscription(params, configured)


@pytest.mark.parametrize("mode", ["unsubscribe", "", "SUBSCRIBE", None])
def test_verification_with_a_wrong_mode_is_forbidden(mode: str | None) -> None:
    # Given the right token but a mode other than "subscribe"
    params = {"hub.challenge": "42", "hub.verify_token": "tok"}
    if mode is not None:
        params["hub.mode"] = mode
    # When / Then
    with pytest.raises(Forbidden):
        meta.verify_subscription(params, "tok")


@pytest.mark.parametrize("challenge", [None, ""])
def test_verification_without_a_challenge_is_an_invalid_request(challenge: str | None) -> None:
    # Given a correct mode and token but no challenge to echo
    params = {"hub.mode": "subscribe", "hub.verify_token": "tok"}
    if challenge is not None:
        params["hub.challenge"] = challenge
    # When / Then
    with pytest.raises(InvalidRequest):
        meta.verify_subscription(params, "tok")


def test_verification_and_signature_compare_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a spy on hmac.compare_digest
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    body = b'{"object": "page", "entry": []}'
    # When both checks run
    meta.verify_subscription({"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1"}, "tok")
    meta.verify_signature("s", body, meta.sign("s", body))
    # Then both compared through it
    assert len(calls) == 2


# -- POST signatures ----------------------------------------------------------------------------


def test_signature_self_computed_vector_verifies() -> None:
    # Given the self-computed vector (app secret "test")
    body = b'{"object":"page","entry":[]}'
    header = "sha256=134aea5e23d7b52d1f5f2e53024e01d0168b65e1875b283e5c33348224f0a8cc"
    # When / Then
    assert meta.sign("test", body) == header
    meta.verify_signature("test", body, header)


def _meta_style_body() -> tuple[bytes, dict[str, Any]]:
    """A body as Meta sends it: non-ASCII escaped as \\uXXXX, ", " and ": " separators."""
    delivery = ig_comment_delivery(GOOD_COMMENT)
    return json.dumps(delivery).encode("ascii"), delivery


def test_japanese_escaped_spaced_body_verifies_on_raw_bytes() -> None:
    # Given the escaped, spaced body and Meta's header computed independently of `sign`
    raw, _ = _meta_style_body()
    assert b"\\u30b5\\u30a4\\u30ba" in raw
    assert b'", "' in raw
    assert b'": "' in raw
    header = "sha256=" + hmac.new(b"app-secret", raw, hashlib.sha256).hexdigest()
    # When
    meta.verify_signature("app-secret", raw, header)
    events = meta.parse_delivery(json.loads(raw))
    # Then the raw bytes verify and the text is Japanese again after parsing
    assert message(events[0]).text == GOOD_COMMENT["text"]


@pytest.mark.parametrize(
    "reserialise",
    [
        lambda obj: json.dumps(obj, separators=(",", ":")).encode(),
        lambda obj: json.dumps(obj, ensure_ascii=False).encode(),
        lambda obj: json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode(),
        lambda obj: json.dumps(obj, sort_keys=True).encode(),
    ],
)
def test_reserialised_body_fails_verification(reserialise: Any) -> None:
    # Given Meta's header over the raw bytes
    raw, delivery = _meta_style_body()
    header = meta.sign("app-secret", raw)
    # When the same JSON is serialised again (as a framework would)
    again = reserialise(json.loads(raw))
    # Then it is the same object but no longer verifies
    assert json.loads(again) == delivery
    assert again != raw
    with pytest.raises(SignatureInvalid):
        meta.verify_signature("app-secret", again, header)


def test_any_one_byte_change_or_another_secret_fails() -> None:
    # Given a signed body
    raw, _ = _meta_style_body()
    header = meta.sign("current", raw)
    meta.verify_signature("current", raw, header)
    # When any byte changes, or a different secret is used / Then
    for i in range(len(raw)):
        changed = bytearray(raw)
        changed[i] ^= 0x01
        with pytest.raises(SignatureInvalid):
            meta.verify_signature("current", bytes(changed), header)
    with pytest.raises(SignatureInvalid):
        meta.verify_signature("previous", raw, header)


_BODY = b'{"object": "page", "entry": []}'
_GOOD = meta.sign("s", _BODY)
_HEX = _GOOD.removeprefix("sha256=")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        _HEX,
        "sha256=" + _HEX.upper(),
        "SHA256=" + _HEX,
        "sha1=" + hmac.new(b"s", _BODY, hashlib.sha1).hexdigest(),
        "sha256=" + _HEX[:-1],
        "sha256=" + _HEX + "0",
        "sha256=" + "g" * 64,
        "sha256=" + base64.b64encode(bytes.fromhex(_HEX)).decode(),
        f"{_GOOD},{_GOOD}",
        f"{_GOOD}, {_GOOD}",
    ],
)
def test_missing_malformed_or_doubled_signature_is_refused(header: str | None) -> None:
    # Given a body whose correct header is _GOOD, and a bad header instead / When / Then
    with pytest.raises(SignatureInvalid):
        meta.verify_signature("s", _BODY, header)


def test_surrounding_whitespace_in_the_header_is_tolerated() -> None:
    # Given a correct header with whitespace a proxy may leave / When / Then: no exception
    meta.verify_signature("s", _BODY, f" {_GOOD} ")


# -- Instagram comments and mentions ------------------------------------------------------------


def test_instagram_comments_batch_in_order() -> None:
    # Given our comments fixture: comment, reply, live comment, our own reply, an unused field
    events = meta.parse_delivery(meta_event("ig_comments.json"))
    # Then each change became one event, in order
    assert [label(e) for e in events] == [
        "message:comment",
        "message:comment",
        "message:comment",
        "ignored:own_comment",
        "ignored:story_insights",
    ]
    assert all(e.platform == "instagram" for e in events)
    assert all(e.account_id == IG_ACCOUNT for e in events)


def test_instagram_comment_maps_every_field() -> None:
    # Given a Japanese comment on our feed post
    # When
    first = message(meta.parse_delivery(meta_event("ig_comments.json"))[0])
    # Then
    assert first.native_id == "17911100000000001"
    assert first.kind == "comment"
    assert first.conversation_id == "18022200000000001"  # the media it sits under
    assert first.reply_to is None
    assert first.author.platform_user_id == "5511000000000001"
    assert first.author.handle == "hanako_cafe"
    assert first.author.display_name is None
    assert first.text.startswith("昨日受け取ったマグカップ")
    assert first.created_at == "2026-11-24T01:00:00.000Z"  # entry.time in seconds
    assert first.lang_hint is None
    assert first.url is None
    assert first.media == ()


def test_instagram_reply_and_live_comment() -> None:
    # Given the reply and the live comment of the fixture
    events = meta.parse_delivery(meta_event("ig_comments.json"))
    # When
    reply, live = message(events[1]), message(events[2])
    # Then the reply answers its parent comment in the same media thread
    assert reply.reply_to == "17911100000000001"
    assert reply.conversation_id == "18022200000000001"
    assert reply.author.handle == "ken.walks"
    # And the live comment is handled like a comment on the live media
    assert live.kind == "comment"
    assert live.conversation_id == "18022200000000009"
    assert live.text == "配信の音声がさっきから途切れ途切れです"


def test_instagram_comment_prefers_its_own_time() -> None:
    # Given a comment that carries its created_time in ms, in an entry stamped in seconds
    value = {**GOOD_COMMENT, "created_time": 1795482061250}
    # When
    event = message(meta.parse_delivery(ig_comment_delivery(value))[0])
    # Then
    assert event.created_at == "2026-11-24T01:01:01.250Z"


def test_instagram_mentions_keep_what_is_given() -> None:
    # Given a mention in someone's comment and one in a caption (ids only, as Meta sends them)
    events = meta.parse_delivery(meta_event("ig_mentions.json"))
    in_comment, in_caption = message(events[0]), message(events[1])
    # Then the comment id (or the media id for captions) is the message's id, the media the thread
    assert in_comment.kind == in_caption.kind == "mention"
    assert in_comment.native_id == "17944400000000001"
    assert in_comment.conversation_id == "18033300000000001"
    assert in_caption.native_id == "18033300000000002"
    assert in_caption.conversation_id == "18033300000000002"
    # And text and author are unknown until fetched through the Graph API
    assert in_comment.text == ""
    assert in_comment.author.platform_user_id == meta.UNKNOWN_AUTHOR_ID
    assert in_comment.author.handle is None
    assert in_comment.created_at == "2026-11-24T01:00:00.000Z"


def test_instagram_mention_with_text_and_author_keeps_them() -> None:
    # Given a mention value that does carry text and an author
    delivery = {
        "object": "instagram",
        "entry": [
            {
                "id": IG_ACCOUNT,
                "time": 1795482000,
                "changes": [
                    {
                        "field": "mentions",
                        "value": {
                            "media_id": "18033300000000003",
                            "comment_id": "17944400000000003",
                            "text": "@mentiondesk_shop the winter mug is lovely!",
                            "from": {"id": "5511000000000007", "username": "leo_in_tokyo"},
                        },
                    }
                ],
            }
        ],
    }
    # When
    event = message(meta.parse_delivery(delivery)[0])
    # Then
    assert event.text == "@mentiondesk_shop the winter mug is lovely!"
    assert event.author.handle == "leo_in_tokyo"


# -- Instagram messaging ------------------------------------------------------------------------


def test_instagram_messaging_batch_in_order() -> None:
    # Given our Instagram messaging fixture (several entries, one or more events each)
    events = meta.parse_delivery(meta_event("ig_messaging.json"))
    # Then
    assert [label(e) for e in events] == [
        "message:dm",
        "message:dm",
        "message:mention",
        "ignored:own_message",
        "deletion:unsent",
        "edit",
        "ignored:read",
        "ignored:reaction",
        "ignored:postback",
        "ignored:referral",
        "message:dm",
    ]
    assert {e.platform for e in events} == {"instagram"}


def test_instagram_dm_maps_every_field() -> None:
    # Given a Japanese DM with a millisecond timestamp
    first = message(meta.parse_delivery(meta_event("ig_messaging.json"))[0])
    # Then
    assert first.account_id == IG_ACCOUNT
    assert first.native_id == "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjAwMQ"
    assert first.kind == "dm"
    assert first.conversation_id == "6611000000000001"  # the customer's IGSID
    assert first.author.platform_user_id == "6611000000000001"
    assert first.author.handle is None
    assert first.text == "注文番号 A-10293 の配送状況を教えてください。"
    assert first.created_at == "2026-11-24T01:01:00.123Z"
    assert first.reply_to is None
    assert first.url is None


def test_instagram_dm_with_attachment_replying_to_a_message() -> None:
    # Given the second DM: an image that replies to the customer's first message
    events = meta.parse_delivery(meta_event("ig_messaging.json"))
    first, second = message(events[0]), message(events[1])
    # Then both messages share the customer's conversation
    assert second.conversation_id == first.conversation_id
    assert second.reply_to == first.native_id
    assert second.media == (
        MediaRef(type="image", url="https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1001&signature=abc"),
    )
    assert second.created_at == "2026-11-24T01:02:00.000Z"


def test_instagram_story_mention_is_a_mention_with_the_story_media() -> None:
    # Given a story mention with no text and no event timestamp
    story = message(meta.parse_delivery(meta_event("ig_messaging.json"))[2])
    # Then
    assert story.kind == "mention"
    assert story.text == ""
    assert story.conversation_id == "6611000000000002"
    assert story.media == (
        MediaRef(type="story_mention", url="https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=2002&signature=def"),
    )
    # And its time comes from entry.time (milliseconds here)
    assert story.created_at == "2026-11-24T01:03:00.000Z"


def test_instagram_unsend_edit_and_story_reply() -> None:
    # Given the fixture's unsend, edit and story reply
    events = meta.parse_delivery(meta_event("ig_messaging.json"))
    unsent, edit, story_reply = events[4], events[5], message(events[10])
    # Then the unsend marks the image DM, the edit changes the first DM
    assert isinstance(unsent, MessageDeletion)
    assert unsent.native_id == "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjAwMg"
    assert unsent.reason == "unsent"
    assert unsent.deleted_at == "2026-11-24T01:04:59.500Z"
    assert isinstance(edit, MessageEdit)
    assert edit.native_id == "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjAwMQ"
    assert edit.text == "注文番号 A-10294 の配送状況を教えてください。"
    assert edit.edited_at == "2026-11-24T01:05:59.250Z"
    # And a reply to our story keeps the story as media
    assert story_reply.kind == "dm"
    assert story_reply.media[0].type == "story_reply"
    assert story_reply.reply_to is None


def test_dashboard_test_messages_change_is_parsed_as_a_dm() -> None:
    # Given the App Dashboard's "Test" delivery, a messaging event inside a `messages` change
    value = {
        "sender": {"id": "6611000000000008"},
        "recipient": {"id": IG_ACCOUNT},
        "timestamp": "1795482000",
        "message": {"mid": "test_mid_1", "text": "test message"},
    }
    delivery = {
        "object": "instagram",
        "entry": [{"id": IG_ACCOUNT, "time": 1795482000, "changes": [{"field": "messages", "value": value}]}],
    }
    # When
    event = message(meta.parse_delivery(delivery)[0])
    # Then
    assert (event.kind, event.native_id, event.conversation_id) == ("dm", "test_mid_1", "6611000000000008")
    assert event.created_at == "2026-11-24T01:00:00.000Z"


# -- Facebook Page feed -------------------------------------------------------------------------


def test_page_feed_batch_in_order() -> None:
    # Given our Page feed fixture
    events = meta.parse_delivery(meta_event("page_feed.json"))
    # Then
    assert [label(e) for e in events] == [
        "message:comment",
        "message:comment",
        "edit",
        "deletion:deleted",
        "ignored:own_comment",
        "ignored:feed_reaction",
        "ignored:feed_status",
        "ignored:comment_hide",
        "ignored:ratings",
    ]
    assert {e.platform for e in events} == {"facebook"}
    assert {e.account_id for e in events} == {PAGE_ID}


def test_page_top_level_comment_maps_every_field() -> None:
    # Given a top-level comment (its parent is the post itself)
    comment = message(meta.parse_delivery(meta_event("page_feed.json"))[0])
    # Then
    assert comment.native_id == "300000000000001_400000000000001"
    assert comment.kind == "comment"
    assert comment.conversation_id == "104400000000001_300000000000001"
    assert comment.reply_to is None
    assert comment.author.platform_user_id == "2500000000000001"
    assert comment.author.display_name == "Emily Carter"
    assert comment.author.handle is None
    assert comment.text.startswith("The tracker has said")
    assert comment.created_at == utc_ms("2026-11-24T01:59:50")  # created_time wins over entry.time
    assert comment.url == "https://www.facebook.com/104400000000001/posts/pfbid02mdshopwinter"


def test_page_reply_with_photo_edit_and_removal() -> None:
    # Given the reply with a photo, the edit of the first comment and the removal of the reply
    events = meta.parse_delivery(meta_event("page_feed.json"))
    reply, edit, removal = message(events[1]), events[2], events[3]
    # Then the reply answers the parent comment
    assert reply.reply_to == "300000000000001_400000000000001"
    assert reply.conversation_id == "104400000000001_300000000000001"
    assert reply.author.display_name == "佐藤 美咲"
    assert reply.media == (MediaRef(type="photo", url="https://scontent.xx.fbcdn.net/v/t39.30808-6/mdshop_box.jpg"),)
    assert reply.url is None
    # And the edit and removal point at the comments they change
    assert isinstance(edit, MessageEdit)
    assert edit.native_id == "300000000000001_400000000000001"
    assert "four days" in edit.text
    assert edit.edited_at == utc_ms("2026-11-24T02:01:40")
    assert isinstance(removal, MessageDeletion)
    assert removal.native_id == "300000000000001_400000000000002"
    assert removal.reason == "deleted"
    assert removal.deleted_at == utc_ms("2026-11-24T02:03:20")


def test_legacy_or_withheld_comment_author() -> None:
    # Given a pre-v2.11 comment (sender_id/sender_name) and one without any author
    base = {
        "item": "comment",
        "verb": "add",
        "post_id": f"{PAGE_ID}_300000000000001",
        "parent_id": f"{PAGE_ID}_300000000000001",
        "created_time": 1795485590,
    }
    legacy = {**base, "comment_id": "c1", "sender_id": 2500000000000005, "sender_name": "Old API", "message": "hi"}
    withheld = {**base, "comment_id": "c2", "message": "店舗の営業時間を教えてください"}
    own_legacy = {**base, "comment_id": "c3", "sender_id": int(PAGE_ID), "message": "Thanks!"}
    delivery = {
        "object": "page",
        "entry": [
            {
                "id": PAGE_ID,
                "time": 1795485600,
                "changes": [{"field": "feed", "value": v} for v in (legacy, withheld, own_legacy)],
            }
        ],
    }
    # When
    events = meta.parse_delivery(delivery)
    # Then
    assert message(events[0]).author.platform_user_id == "2500000000000005"
    assert message(events[0]).author.display_name == "Old API"
    assert message(events[1]).author.platform_user_id == meta.UNKNOWN_AUTHOR_ID
    assert label(events[2]) == "ignored:own_comment"


# -- Messenger ----------------------------------------------------------------------------------


def test_messenger_batch_in_order() -> None:
    # Given our Messenger fixture
    events = meta.parse_delivery(meta_event("messenger.json"))
    # Then
    assert [label(e) for e in events] == [
        "message:dm",
        "message:dm",
        "ignored:own_message",  # is_echo
        "ignored:own_message",  # sent by the page without the echo flag
        "ignored:delivery",
        "ignored:read",
        "ignored:postback",
        "edit",
        "deletion:unsent",
        "ignored:standby",
    ]
    assert {e.platform for e in events} == {"facebook"}
    assert {e.account_id for e in events} == {PAGE_ID}


def test_messenger_dm_and_attachments() -> None:
    # Given a Japanese DM and one with an image and a fallback link
    events = meta.parse_delivery(meta_event("messenger.json"))
    text, attached = message(events[0]), message(events[1])
    # Then
    assert text.native_id == "m_AbCdEf0001"
    assert text.conversation_id == text.author.platform_user_id == "7100000000000001"
    assert text.text == "返金の手続きはいつ頃完了しますか？"
    assert text.created_at == "2026-11-24T02:05:00.456Z"
    assert attached.media == (
        MediaRef(type="image", url="https://scontent.xx.fbcdn.net/v/t1.15752-9/receipt.png"),
        MediaRef(type="fallback", url="https://shop.example.com/mugs/winter"),
    )
    edit, unsent = events[7], events[8]
    assert isinstance(edit, MessageEdit)
    assert (edit.native_id, edit.edited_at) == ("m_AbCdEf0002", "2026-11-24T02:07:59.000Z")
    assert isinstance(unsent, MessageDeletion)
    assert (unsent.native_id, unsent.reason) == ("m_AbCdEf0001", "unsent")


def test_unknown_messaging_event_is_counted_by_its_key() -> None:
    # Given a messaging event type we do not use
    event = {"sender": {"id": "7100000000000001"}, "recipient": {"id": PAGE_ID}, "timestamp": 1, "optin": {"ref": "x"}}
    # When / Then
    assert [label(e) for e in meta.parse_delivery(messaging_delivery(event))] == ["ignored:optin"]


def test_echo_flag_alone_marks_our_own_message() -> None:
    # Given an echo whose sender id is not the entry id (Instagram Login apps may use another id)
    event = {
        "sender": {"id": "17841455500000999"},
        "recipient": {"id": "6611000000000001"},
        "timestamp": 1795482239000,
        "message": {"mid": "m_echo", "text": "ありがとうございます", "is_echo": True},
    }
    # When / Then
    assert [label(e) for e in meta.parse_delivery(messaging_delivery(event, obj="instagram"))] == [
        "ignored:own_message"
    ]


def test_own_edit_is_ignored() -> None:
    # Given an edit of a message the page itself sent
    event = {
        "sender": {"id": PAGE_ID},
        "recipient": {"id": "7100000000000001"},
        "timestamp": 1795485900000,
        "message_edit": {"mid": "m_1", "text": "fixed"},
    }
    # When / Then
    assert [label(e) for e in meta.parse_delivery(messaging_delivery(event))] == ["ignored:own_message"]


# -- time ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stamp",
    [
        1795482061,
        1795482061000,
        "1795482061",
        "1795482061000",
        "2026-11-24T01:01:01+0000",
        "2026-11-24T01:01:01Z",
        "2026-11-24T10:01:01+09:00",
        "2026-11-24T01:01:01",
        1795482061.0,
    ],
)
def test_seconds_milliseconds_and_iso_all_give_the_same_instant(stamp: Any) -> None:
    # Given the same instant written the ways Meta (and its mirrors) write it
    value = {**GOOD_COMMENT, "created_time": stamp}
    # When
    event = message(meta.parse_delivery(ig_comment_delivery(value))[0])
    # Then it is stamped exactly like clock.iso
    assert event.created_at == utc_ms("2026-11-24T01:01:01") == "2026-11-24T01:01:01.000Z"
    assert ISO_MS_Z.fullmatch(event.created_at)


def test_an_iso_time_without_offset_is_utc_whatever_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a Lambda-like process whose local zone is not UTC
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        # When an ISO time comes without an offset
        value = {**GOOD_COMMENT, "created_time": "2026-11-24T01:01:01"}
        event = message(meta.parse_delivery(ig_comment_delivery(value))[0])
    finally:
        monkeypatch.undo()
        time.tzset()
    # Then it is read as UTC
    assert event.created_at == "2026-11-24T01:01:01.000Z"


def test_entry_time_in_seconds_or_milliseconds() -> None:
    # Given DMs without their own timestamp in entries stamped in seconds and in ms
    event = {
        "sender": {"id": "6611000000000001"},
        "recipient": {"id": IG_ACCOUNT},
        "message": {"mid": "m", "text": "hi"},
    }
    in_seconds = messaging_delivery(event, obj="instagram", entry_time=1795482000)
    in_ms = messaging_delivery(event, obj="instagram", entry_time=1795482000999)
    # When / Then
    assert message(meta.parse_delivery(in_seconds)[0]).created_at == "2026-11-24T01:00:00.000Z"
    assert message(meta.parse_delivery(in_ms)[0]).created_at == "2026-11-24T01:00:00.999Z"


# -- envelopes and malformed events -------------------------------------------------------------


def test_an_empty_delivery_has_no_events() -> None:
    # Given the body of the signature vector / When / Then
    assert meta.parse_delivery({"object": "page", "entry": []}) == []
    assert meta.parse_delivery({"object": "instagram", "entry": [{"id": IG_ACCOUNT, "time": 1}]}) == []


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        "object=page",
        {},
        {"object": "page"},
        {"entry": []},
        {"object": "page", "entry": {}},
        {"object": "page", "entry": ["104400000000001"]},
        {"object": "page", "entry": [{"time": 1795485600}]},
        {"object": "page", "entry": [{"id": PAGE_ID, "changes": {"field": "feed"}}]},
        {"object": "whatsapp_business_account", "entry": []},
        {"object": "user", "entry": []},
    ],
)
def test_what_is_not_a_meta_delivery_is_malformed(payload: Any) -> None:
    # Given something that is not an instagram/page delivery / When / Then
    with pytest.raises(MalformedPayload):
        meta.parse_delivery(payload)


def _without(value: dict[str, Any], *path: str) -> dict[str, Any]:
    trimmed = copy.deepcopy(value)
    node = trimmed
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return trimmed


_FEED_COMMENT = meta_event("page_feed.json")["entry"][0]["changes"][0]["value"]
_DM = meta_event("messenger.json")["entry"][0]["messaging"][0]


@pytest.mark.parametrize(
    "payload",
    [
        ig_comment_delivery(_without(GOOD_COMMENT, "id")),
        ig_comment_delivery(_without(GOOD_COMMENT, "media")),
        ig_comment_delivery(_without(GOOD_COMMENT, "media", "id")),
        ig_comment_delivery({**GOOD_COMMENT, "from": {"username": "no_id"}}),
        ig_comment_delivery(GOOD_COMMENT, entry_time=None),
        ig_comment_delivery(GOOD_COMMENT, entry_time="yesterday"),
        ig_comment_delivery("not an object"),
        {
            "object": "instagram",
            "entry": [{"id": IG_ACCOUNT, "time": 1, "changes": [{"field": "mentions", "value": {"comment_id": "1"}}]}],
        },
        {"object": "instagram", "entry": [{"id": IG_ACCOUNT, "time": 1, "changes": [{"value": GOOD_COMMENT}]}]},
        {"object": "instagram", "entry": [{"id": IG_ACCOUNT, "time": 1, "changes": ["comments"]}]},
        {
            "object": "page",
            "entry": [
                {
                    "id": PAGE_ID,
                    "time": 1,
                    "changes": [{"field": "feed", "value": _without(_FEED_COMMENT, "comment_id")}],
                }
            ],
        },
        {
            "object": "page",
            "entry": [
                {"id": PAGE_ID, "time": 1, "changes": [{"field": "feed", "value": _without(_FEED_COMMENT, "post_id")}]}
            ],
        },
        {
            "object": "page",
            "entry": [
                {"id": PAGE_ID, "time": 1, "changes": [{"field": "feed", "value": _without(_FEED_COMMENT, "item")}]}
            ],
        },
        messaging_delivery(_without(_DM, "message", "mid")),
        messaging_delivery(_without(_DM, "sender")),
        messaging_delivery({**_DM, "message": "hello"}),
        messaging_delivery({"sender": _DM["sender"], "timestamp": 1, "message_edit": {"text": "no mid"}}),
        messaging_delivery(_without(_DM, "timestamp"), entry_time=None),
        messaging_delivery("a string"),
    ],
)
def test_a_known_event_missing_required_fields_is_malformed(payload: Any) -> None:
    # Given a delivery whose comment / mention / feed comment / message lacks what we need
    # When / Then
    with pytest.raises(MalformedPayload):
        meta.parse_delivery(payload)


def test_unknown_fields_and_items_are_ignored_not_errors() -> None:
    # Given changes we do not use, one with a value in no shape we know
    delivery = {
        "object": "page",
        "entry": [
            {
                "id": PAGE_ID,
                "time": 1795485600,
                "changes": [
                    {"field": "mention", "value": {"post_id": "p", "item": "post", "verb": "add"}},
                    {"field": "leadgen", "value": "opaque"},
                    {"field": "feed", "value": {"item": "video", "verb": "add"}},
                ],
            }
        ],
    }
    # When / Then
    assert [label(e) for e in meta.parse_delivery(delivery)] == [
        "ignored:mention",
        "ignored:leadgen",
        "ignored:feed_video",
    ]


def test_fixtures_are_in_meta_style_with_no_foreign_keys() -> None:
    # Given every fixture we wrote / Then each is an instagram or page delivery Meta could send
    for path in sorted((EVENTS / "meta").glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        assert set(body) == {"object", "entry"}, path.name
        assert body["object"] in {"instagram", "page"}, path.name
