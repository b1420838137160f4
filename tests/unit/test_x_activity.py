"""X Activity API (XAA) deliveries normalised: posts, DMs, deletions, revocations, counted events.

Fixtures in tests/events/x_activity/ are ours, in the shapes of https://docs.x.com/x-api/activity/event-payloads.
"""

import copy
import json
from typing import Any

import pytest
from mentiondesk.channels import x
from mentiondesk.channels.x_activity import parse_activity
from mentiondesk.errors import MalformedPayload
from mentiondesk.models import (
    AccountRevocation,
    Author,
    IgnoredEvent,
    InboundEvent,
    InboundMessage,
    MediaRef,
    MessageDeletion,
)

from tests.conftest import ACCOUNT_ID, EVENTS, tweet_delivery

pytestmark = pytest.mark.unit

NOW = "2026-11-23T11:00:00.000Z"
OUR_POST = "2124700000000000001"
TARO, HANAKO, JANE = "700000000000000001", "700000000000000002", "700000000000000005"


def delivery(family: str, name: str) -> dict[str, Any]:
    """One named delivery of tests/events/x_activity/<family>.json (a fresh copy: tests may bend it)."""
    deliveries: dict[str, dict[str, Any]] = json.loads((EVENTS / "x_activity" / f"{family}.json").read_text("utf-8"))
    return copy.deepcopy(deliveries[name])


def parse(body: dict[str, Any]) -> list[InboundEvent]:
    events = parse_activity(body, now=lambda: NOW)
    assert events is not None
    return events


def only(body: dict[str, Any]) -> InboundEvent:
    events = parse(body)
    assert len(events) == 1
    return events[0]


# -- what is an XAA delivery ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"for_user_id": ACCOUNT_ID},
        tweet_delivery("811", "回線が繋がらない"),
        {"data": {"no": "type"}},
        {"data": []},
        {"data": [{"event_type": "post.create"}, "not an event"]},
        {"data": "post.create"},
    ],
)
def test_a_body_that_is_not_an_xaa_delivery_gives_none(body: dict[str, Any]) -> None:
    # Given a body without an event_type object under data / When / Then: x.py goes on with Account Activity
    assert parse_activity(body) is None


def test_the_envelope_may_be_one_event_or_a_list_and_order_is_kept() -> None:
    # Given the documented single-event body, and the same events as a list
    mention, dm = delivery("post", "mention_ja"), delivery("dm", "received_ja")
    as_list = {"data": [mention["data"], dm["data"]]}
    # When
    one, many = parse(mention), parse(as_list)
    # Then
    assert one == many[:1]
    assert [e.kind for e in many] == ["mention", "dm"]  # type: ignore[union-attr]


def test_a_bare_event_without_the_data_wrapper_is_accepted() -> None:
    # Given an event object at the top level (as the stream prints them)
    body = delivery("post", "mention_ja")["data"]
    # When / Then
    assert parse(body) == parse(delivery("post", "mention_ja"))


# -- posts ------------------------------------------------------------------------------------------


def test_a_mention_becomes_a_message_with_the_author_from_includes() -> None:
    # Given a customer's Japanese post that @mentions our account
    body = delivery("post", "mention_ja")
    # When
    message = only(body)
    # Then
    assert message == InboundMessage(
        platform="x",
        account_id=ACCOUNT_ID,
        native_id="2124800000000000011",
        kind="mention",
        conversation_id="2124800000000000011",
        reply_to=None,
        author=Author(platform_user_id=TARO, handle="taro_y", display_name="山田 太郎", followers=42, verified=False),
        text="@acme_help 昨日から回線が繋がらないです。ルーターのランプが赤く点滅しています",
        lang_hint="ja",
        created_at="2026-11-23T09:00:00.000Z",
        url="https://x.com/taro_y/status/2124800000000000011",
    )


def test_a_reply_to_our_post_keeps_its_thread_parent_and_photo() -> None:
    # Given a direct reply (English) to our post, with a photo expanded in includes.media
    body = delivery("post", "reply_en")
    # When
    message = only(body)
    # Then
    assert isinstance(message, InboundMessage)
    assert (message.kind, message.reply_to, message.conversation_id) == ("reply", OUR_POST, OUR_POST)
    assert message.author == Author(
        platform_user_id=JANE, handle="jane_doe", display_name="Jane Doe", followers=310, verified=True
    )
    assert message.lang_hint == "en"
    assert message.created_at == "2026-11-23T09:05:30.250Z"
    assert message.media == (MediaRef(type="photo", url="https://pbs.twimg.com/media/Gx2124800000099.jpg"),)


def test_a_reply_event_is_a_reply_even_when_only_in_reply_to_tweet_id_says_so() -> None:
    # Given a reply event whose post lacks referenced_tweets and in_reply_to_user_id
    body = delivery("post", "reply_en")
    del body["data"]["payload"]["referenced_tweets"]
    del body["data"]["payload"]["in_reply_to_user_id"]
    # When
    message = only(body)
    # Then: the event type and in_reply_to_tweet_id fill what the post fields do not show
    assert isinstance(message, InboundMessage)
    assert (message.kind, message.reply_to) == ("reply", OUR_POST)


def test_a_quote_without_includes_has_no_handle_and_links_the_quoted_post() -> None:
    # Given a quote of our post delivered with empty includes (as X's own sample is)
    body = delivery("post", "quote_ja")
    # When
    message = only(body)
    # Then
    assert isinstance(message, InboundMessage)
    assert message.kind == "quote"
    assert message.author == Author(platform_user_id=HANAKO)
    assert message.url == "https://x.com/i/web/status/2124800000000000013"
    assert message.media == (MediaRef(type="link", url=f"https://twitter.com/acme_help/status/{OUR_POST}"),)


def test_a_long_post_keeps_its_full_text() -> None:
    # Given a mention whose text is cut at 280 characters and whose note_tweet holds all of it
    body = delivery("post", "long_mention_en")
    full = body["data"]["payload"]["note_tweet"]["text"]
    assert len(full) > 280 and body["data"]["payload"]["text"] != full
    # When
    message = only(body)
    # Then
    assert isinstance(message, InboundMessage)
    assert message.text == full


@pytest.mark.parametrize("lang", ["und", "zxx", "qme", "qht"])
def test_posts_without_a_language_of_their_own_have_no_language_hint(lang: str) -> None:
    # Given an emoji-only mention in X's "no language" codes
    body = delivery("post", "mention_und")
    body["data"]["payload"]["lang"] = lang
    # When
    message = only(body)
    # Then
    assert isinstance(message, InboundMessage)
    assert message.lang_hint is None


def test_our_own_post_is_ignored() -> None:
    # Given post.create for our account (our own post, the filtered user is its author)
    body = delivery("post", "own_post")
    # When / Then
    assert only(body) == IgnoredEvent(platform="x", kind="own_post", account_id=ACCOUNT_ID)


def test_a_mention_we_wrote_ourselves_is_ignored_as_our_own_post() -> None:
    # Given a mention event whose author is our account
    body = delivery("post", "mention_ja")
    body["data"]["payload"]["author_id"] = ACCOUNT_ID
    # When / Then
    assert only(body) == IgnoredEvent(platform="x", kind="own_post", account_id=ACCOUNT_ID)


@pytest.mark.parametrize("strip_reference", [False, True])
def test_a_repost_is_counted_not_a_ticket(strip_reference: bool) -> None:
    # Given a customer's repost of our post (with or without its retweeted reference)
    body = delivery("post", "repost")
    if strip_reference:
        del body["data"]["payload"]["referenced_tweets"]
    # When / Then
    assert only(body) == IgnoredEvent(platform="x", kind="retweet", account_id=ACCOUNT_ID)


def test_a_post_create_by_someone_else_that_does_not_address_us_is_counted() -> None:
    # Given post.create naming another author and no mention, reply or quote of ours
    body = delivery("post", "own_post")
    body["data"]["payload"]["author_id"] = TARO
    # When / Then
    assert only(body) == IgnoredEvent(platform="x", kind="activity:post.create", account_id=ACCOUNT_ID)


def test_a_deleted_post_is_marked_deleted_at_delivery_time() -> None:
    # Given post.delete, whose documented payload is only the post id and author id
    body = delivery("post", "delete")
    # When / Then
    assert only(body) == MessageDeletion(
        platform="x", account_id=ACCOUNT_ID, native_id="2124800000000000017", deleted_at=NOW
    )


def test_a_deleted_post_uses_timestamp_ms_when_x_sends_one() -> None:
    # Given post.delete carrying Account Activity's timestamp_ms
    body = delivery("post", "delete")
    body["data"]["payload"]["timestamp_ms"] = "1795424400000"
    # When
    deletion = only(body)
    # Then
    assert isinstance(deletion, MessageDeletion)
    assert deletion.deleted_at == "2026-11-23T09:00:00.000Z"


# -- direct messages and X Chat ---------------------------------------------------------------------


def test_a_dm_to_us_shares_the_account_activity_conversation_of_its_sender() -> None:
    # Given a customer's unencrypted DM delivered by XAA, and the same DM as Account Activity delivers it
    body = delivery("dm", "received_ja")
    payload = body["data"]["payload"]
    aaa = {
        "for_user_id": ACCOUNT_ID,
        "direct_message_events": payload["direct_message_events"],
        "users": {TARO: {"id": TARO, "screen_name": "taro_y", "name": "山田 太郎", "followers_count": 42}},
    }
    # When
    message = only(body)
    # Then
    assert message == InboundMessage(
        platform="x",
        account_id=ACCOUNT_ID,
        native_id="2124800000000000021",
        kind="dm",
        conversation_id=f"dm:{TARO}",
        author=Author(platform_user_id=TARO, handle="taro_y", display_name="山田 太郎", followers=42, verified=False),
        text="DMで失礼します。注文番号は A-1029 です。まだ届かないのですが、いつ来ますか？",
        created_at="2026-11-23T09:10:00.000Z",
    )
    assert message == x.parse_delivery(aaa)[0]


def test_a_dm_we_sent_is_ignored() -> None:
    # Given dm.sent by our account / When / Then
    assert only(delivery("dm", "sent")) == IgnoredEvent(platform="x", kind="own_dm", account_id=ACCOUNT_ID)


def test_a_dm_without_its_users_map_still_names_the_sender() -> None:
    # Given a DM whose users map is missing
    body = delivery("dm", "received_ja")
    del body["data"]["payload"]["users"]
    # When
    message = only(body)
    # Then
    assert isinstance(message, InboundMessage)
    assert message.author == Author(platform_user_id=TARO)


@pytest.mark.parametrize("name", ["received", "sent"])
def test_encrypted_x_chat_events_are_counted_under_their_type(name: str) -> None:
    # Given X Chat events: their message is ciphertext only the user's chat keys open
    body = delivery("chat", name)
    # When / Then: counted, nothing of the payload kept
    assert only(body) == IgnoredEvent(platform="x", kind=f"activity:chat.{name}", account_id=ACCOUNT_ID)


# -- revocation and counted events ------------------------------------------------------------------


def test_an_oauth_revoke_with_an_empty_filter_revokes_the_account_in_its_payload() -> None:
    # Given oauth.revoke, which X may send with an empty filter
    body = delivery("oauth", "revoke")
    assert body["data"]["filter"] == {}
    # When / Then
    assert only(body) == AccountRevocation(platform="x", account_id=ACCOUNT_ID, at="2026-11-23T10:15:00.000Z")


def test_an_oauth_revoke_without_a_readable_time_is_dated_now() -> None:
    # Given a revoke whose date_time is missing
    body = delivery("oauth", "revoke")
    del body["data"]["payload"]["date_time"]
    # When / Then
    assert only(body) == AccountRevocation(platform="x", account_id=ACCOUNT_ID, at=NOW)


@pytest.mark.parametrize(
    ("family", "name", "event_type"),
    [
        ("like", "inbound", "like.create"),
        ("follow", "follow", "follow.follow"),
        ("follow", "unfollow", "follow.unfollow"),
        ("profile", "bio", "profile.update.bio"),
        ("mute", "mute", "mute.mute"),
        ("block", "block", "block.block"),
        ("spaces", "start", "spaces.start"),
        ("broadcast", "chat", "broadcast.chat"),
    ],
)
def test_events_that_are_not_customer_messages_are_counted_for_our_account(
    family: str, name: str, event_type: str
) -> None:
    # Given an event on our account that is not a message for an agent / When / Then
    assert only(delivery(family, name)) == IgnoredEvent(
        platform="x", kind=f"activity:{event_type}", account_id=ACCOUNT_ID
    )


def test_a_keyword_filtered_event_has_no_account() -> None:
    # Given news.new, filtered by keyword rather than by user / When / Then
    assert only(delivery("news", "new")) == IgnoredEvent(platform="x", kind="activity:news.new", account_id=None)


@pytest.mark.parametrize("event_type", ["dm.read", "dm.indicate_typing", "chat.conversation_join", "post.edit"])
def test_documented_receipts_and_unknown_types_are_counted_under_their_type(event_type: str) -> None:
    # Given an event with no payload we use (read receipts, typing, a type X adds later)
    body = {"data": {"event_uuid": "1", "filter": {"user_id": ACCOUNT_ID}, "event_type": event_type}}
    # When / Then
    assert only(body) == IgnoredEvent(platform="x", kind=f"activity:{event_type}", account_id=ACCOUNT_ID)


@pytest.mark.parametrize("event_type", ["post.create; rm -rf", "a" * 65, "", 7, None, "プロフィール"])
def test_an_event_type_we_would_not_put_in_a_metric_name_is_unknown(event_type: object) -> None:
    # Given an event type outside [A-Za-z0-9_.]{1,64} / When / Then
    body = {"data": {"filter": {"user_id": ACCOUNT_ID}, "event_type": event_type, "payload": {}}}
    assert only(body) == IgnoredEvent(platform="x", kind="activity:unknown", account_id=ACCOUNT_ID)


# -- malformed known events ---------------------------------------------------------------------------


def _set(body: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    """Set (or, with value None, delete) a dotted path under data."""
    node = body["data"]
    *parents, last = path.split(".")
    for key in parents:
        node = node[key] if not key.isdigit() else node[int(key)]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return body


@pytest.mark.parametrize(
    ("family", "name", "path", "value"),
    [
        ("post", "mention_ja", "payload", "not an object"),
        ("post", "mention_ja", "payload", None),
        ("post", "mention_ja", "payload.id", None),
        ("post", "mention_ja", "payload.id", "12ab"),
        ("post", "mention_ja", "payload.text", None),
        ("post", "mention_ja", "payload.author_id", None),
        ("post", "mention_ja", "filter", {"keyword": "acme"}),
        ("post", "reply_en", "filter.user_id", "our account"),
        ("post", "delete", "payload.id", None),
        ("post", "delete", "payload.timestamp_ms", "yesterday"),
        ("dm", "received_ja", "payload.direct_message_events", []),
        ("dm", "received_ja", "payload.direct_message_events", None),
        ("dm", "received_ja", "payload.direct_message_events.0.message_create.sender_id", None),
        ("dm", "received_ja", "payload.direct_message_events.0.created_timestamp", "soon"),
        ("dm", "sent", "filter", {}),
        ("oauth", "revoke", "payload.user_id", None),
        ("oauth", "revoke", "payload", None),
    ],
)
def test_a_known_event_in_the_wrong_shape_is_malformed(family: str, name: str, path: str, value: object) -> None:
    # Given a documented event bent out of its documented shape
    body = _set(delivery(family, name), path, value)
    # When / Then: quarantined for a person, never dropped
    with pytest.raises(MalformedPayload):
        parse_activity(body, now=lambda: NOW)


# -- through the X webhook's parser -----------------------------------------------------------------


def test_the_x_webhook_parser_delegates_xaa_deliveries() -> None:
    # Given an XAA mention as the X webhook receives it
    body = delivery("post", "mention_ja")
    # When
    events = x.parse_delivery(body)
    # Then
    assert events == parse_activity(body)
