"""Every X payload sample in ../shared/data/payloads through the X adapter.

The samples are third-party material: read from ../shared only, never copied into the project.
"""

import json
from pathlib import Path

import pytest
from mentiondesk.channels import x
from mentiondesk.models import AccountRevocation, IgnoredEvent, InboundMessage, MessageDeletion

pytestmark = pytest.mark.unit

PAYLOADS = Path(__file__).resolve().parents[3] / "shared" / "data" / "payloads"
if not PAYLOADS.is_dir():
    pytest.skip(f"{PAYLOADS} is absent (conformance tests need ../shared beside the checkout)", allow_module_level=True)


def load(name: str) -> object:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def test_every_account_activity_sample_parses() -> None:
    # Given every AAA sample / When parsed / Then no error and at least one event each
    names = sorted(p.name for p in PAYLOADS.glob("x_aaa_*.json"))
    assert len(names) >= 8
    for name in names:
        events = x.parse_delivery(load(name))
        assert events, name


def test_mention_sample_becomes_a_customer_message() -> None:
    (event,) = x.parse_delivery(load("x_aaa_tweet_create_event.chatwoot_fixture.json"))
    assert isinstance(event, InboundMessage)
    assert event.kind == "mention" and event.native_id == "1" and event.author.handle == "surveyjoyHQ"


def test_longform_sample_keeps_the_full_text() -> None:
    events = x.parse_delivery(load("x_aaa_tweet_create_events_longform.docs.json"))
    messages = [e for e in events if isinstance(e, InboundMessage)]
    raw = load("x_aaa_tweet_create_events_longform.docs.json")
    full = raw["tweet_create_events"][0]["extended_tweet"]["full_text"]  # type: ignore[index]
    assert messages and messages[0].text == full
    # ids beyond 2^53 come from id_str, never the rounded number
    assert messages[0].native_id == "1924465506158878979"


def test_own_reply_sample_is_not_a_customer_message() -> None:
    assert x.parse_delivery(load("x_aaa_tweet_create_events_reply.composed.json")) == [
        IgnoredEvent(platform="x", kind="own_post", account_id="2244994945")
    ]


def test_dm_sample_uses_the_users_map() -> None:
    (event,) = x.parse_delivery(load("x_aaa_direct_message_events.docs.json"))
    assert isinstance(event, InboundMessage)
    assert event.kind == "dm" and event.author.handle == "furiouscamper"
    assert event.conversation_id == "dm:3001969357" and event.created_at == "2018-01-19T23:12:40.557Z"


def test_delete_revoke_and_signals() -> None:
    (deleted,) = x.parse_delivery(load("x_aaa_tweet_delete_events.docs.json"))
    assert isinstance(deleted, MessageDeletion) and deleted.native_id == "1045405559317569537"
    (revoked,) = x.parse_delivery(load("x_aaa_user_event_revoke.docs.json"))
    assert isinstance(revoked, AccountRevocation) and revoked.account_id == "63046977"
    for name, kind in (
        ("x_aaa_direct_message_indicate_typing_events.docs.json", "direct_message_indicate_typing"),
        ("x_aaa_direct_message_mark_read_events.docs.json", "direct_message_mark_read"),
        ("x_aaa_favorite_events.composed.json", "favorite"),
    ):
        assert {type(e).__name__ + ":" + getattr(e, "kind", "") for e in x.parse_delivery(load(name))} == {
            f"IgnoredEvent:{kind}"
        }, name


def test_signature_vectors_of_verification_md() -> None:
    x.verify_signature("test", b"test=1&other_test=2", "sha256=25Cu3iwbbiqBTwQRzcKJZwisjf736V2Q8UaTlkfLSoc=")
    assert x.crc_response_token("test", "1158201444") == "sha256=DTU/2PcK7RXY60mEsmE0G7B2U5WgTmlPsdSqtXvvBKY="
