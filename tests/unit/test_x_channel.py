"""X CRC, signatures and normalisation."""

import base64
import hashlib
import hmac

import pytest
from mentiondesk.channels import x
from mentiondesk.errors import MalformedPayload, SignatureInvalid

from tests.conftest import x_event

pytestmark = pytest.mark.unit


def test_crc_response_token_matches_x_algorithm() -> None:
    # Given the algorithm X documents (HMAC-SHA256 of the token under the consumer secret, base64)
    expected = "sha256=" + base64.b64encode(hmac.new(b"test", b"challenge_string", hashlib.sha256).digest()).decode()
    # When / Then
    assert x.crc_response_token("test", "challenge_string") == expected
    assert x.crc_response_token("test", "challenge_string") == "sha256=SYYKwb5URQ4OnNXL3KWDH9ph6EIaP+4PTQFxLk5FIK4="


def test_signature_public_vector_verifies() -> None:
    # Given autohook's published vector (consumer secret "test")
    body = b'{"test_number":1,"test_string":"two"}'
    # When / Then: no exception
    x.verify_signature("test", body, "sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI=")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha1=abc",
        "YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI=",
        "sha256=not base64!!",
        "sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI=,sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI=",
    ],
)
def test_missing_malformed_or_doubled_signature_is_refused(header: str | None) -> None:
    # Given a good body and a bad header / When / Then
    with pytest.raises(SignatureInvalid):
        x.verify_signature("test", b'{"test_number":1,"test_string":"two"}', header)


def test_any_one_byte_change_or_old_secret_fails() -> None:
    # Given a Japanese body with emoji and its signature
    body = '{"text":"回線が繋がらない😭"}'.encode()
    header = x.sign("current", body)
    x.verify_signature("current", body, header)
    # When a byte changes, or the old secret is used / Then
    for i in range(len(body)):
        changed = bytearray(body)
        changed[i] ^= 0x01
        with pytest.raises(SignatureInvalid):
            x.verify_signature("current", bytes(changed), header)
    with pytest.raises(SignatureInvalid):
        x.verify_signature("previous", body, header)


def test_reserialised_json_fails_verification() -> None:
    # Given the escaped form X may send (\\u escapes) signed as received
    raw = b'{"text":"\\u56de\\u7dda"}'
    header = x.sign("s", raw)
    # When the same JSON is re-serialised as UTF-8 / Then it no longer verifies
    with pytest.raises(SignatureInvalid):
        x.verify_signature("s", '{"text":"回線"}'.encode(), header)
    x.verify_signature("s", raw, header)


def test_normalize_mention_keeps_author_and_language() -> None:
    # Given a Japanese mention
    envelope = x.parse_envelope(x_event("tweet_create_mention_ja.json"))
    tweet = x.parse_tweet(envelope.tweet_create_events[0])
    # When
    message = x.normalize_tweet(tweet, envelope.for_user_id or "")
    # Then
    assert message.kind == "mention"
    assert message.native_id == "1992000000000000123"
    assert message.author.handle == "taro_y" and message.author.followers == 128
    assert message.lang_hint == "ja"
    assert message.created_at == "2026-11-23T08:59:31.000Z"
    assert message.url == "https://x.com/taro_y/status/1992000000000000123"


def test_normalize_longform_uses_full_text_and_keeps_media() -> None:
    # Given a truncated long post
    envelope = x.parse_envelope(x_event("tweet_create_longform_en.json"))
    # When
    message = x.normalize_tweet(x.parse_tweet(envelope.tweet_create_events[0]), "900000000000000001")
    # Then
    assert message.text.endswith("Photo attached.")
    assert "…" not in message.text
    assert [m.url for m in message.media] == ["https://pbs.twimg.com/media/router.jpg"]
    assert message.author.verified is True


@pytest.mark.parametrize(
    "raw",
    [
        {"id_str": "1", "created_at": "Mon Nov 23 08:59:31 +0000 2026"},  # no user
        {"id_str": "1", "created_at": "yesterday", "user": {"id_str": "2"}},  # bad date
        {"created_at": "Mon Nov 23 08:59:31 +0000 2026", "user": {"id_str": "2"}},  # no id_str
    ],
)
def test_tweets_not_in_the_documented_shape_are_malformed(raw: dict[str, object]) -> None:
    with pytest.raises(MalformedPayload):
        x.normalize_tweet(x.parse_tweet(raw), "1")


def test_envelope_must_be_an_object() -> None:
    with pytest.raises(MalformedPayload):
        x.parse_envelope([1, 2])


def test_retweets_are_counted_not_tickets() -> None:
    from tests.conftest import tweet_delivery

    delivery = tweet_delivery("811", "RT @acme_help: 新商品のお知らせ")
    delivery["tweet_create_events"][0]["retweeted_status"] = {"id_str": "810", "text": "新商品のお知らせ"}
    events = x.parse_delivery(delivery)
    assert [(e.__class__.__name__, getattr(e, "kind", "")) for e in events] == [("IgnoredEvent", "retweet")]


@pytest.mark.parametrize(
    "payload",
    [
        {"data": {"event_type": "profile.update.bio", "filter": {"user_id": "2244994945"}, "payload": {}}},
        {"data": [{"event_type": "follow.follow", "filter": {"user_id": "1"}}, {"event_type": "news.new"}]},
        {"event_type": "chat.received", "filter": {"user_id": "1"}, "payload": {"encrypted_content": "..."}},
    ],
)
def test_x_activity_api_events_are_counted_by_type(payload: dict[str, object]) -> None:
    # XAA delivers no posts; its events are acknowledged and counted under their type
    events = x.parse_delivery(payload)
    assert events and all(e.kind.startswith("activity:") for e in events)  # type: ignore[union-attr]


@pytest.mark.parametrize("payload", [{}, {"for_user_id": "1"}, {"something": "else"}, {"data": {"no": "type"}}])
def test_a_signed_delivery_with_nothing_we_know_is_malformed_so_it_is_quarantined(payload: dict[str, object]) -> None:
    with pytest.raises(MalformedPayload):
        x.parse_delivery(payload)


def test_links_are_kept_as_references_including_those_past_the_first_140_characters() -> None:
    from tests.conftest import tweet_delivery

    raw = tweet_delivery("812", "@acme_help 注文ページが開きません https://t.co/a1")["tweet_create_events"][0]
    raw["entities"] = {"urls": [{"url": "https://t.co/a1", "expanded_url": "https://shop.example.jp/orders/123"}]}
    raw["truncated"] = True
    raw["extended_tweet"] = {
        "full_text": "@acme_help 注文ページが開きません https://t.co/a1 スクショも https://t.co/b2",
        "entities": {
            "urls": [
                {"url": "https://t.co/a1", "expanded_url": "https://shop.example.jp/orders/123"},
                {"url": "https://t.co/b2", "expanded_url": "https://imgur.example/shot.png"},
            ]
        },
    }
    message = x.normalize_tweet(x.parse_tweet(raw), "900000000000000001")
    assert [(m.type, m.url) for m in message.media] == [
        ("link", "https://shop.example.jp/orders/123"),
        ("link", "https://imgur.example/shot.png"),
    ]
