"""X (Account Activity API and its successor X Activity API): CRC, signatures, payloads.

Both APIs sign with HMAC-SHA256 of the raw body under the app's consumer secret, base64-encoded,
in `x-twitter-webhooks-signature: sha256=<base64>`. Always verify the untouched raw bytes.
"""

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mentiondesk.clock import iso
from mentiondesk.errors import MalformedPayload, SignatureInvalid
from mentiondesk.models import Author, InboundMessage, MediaRef

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
_PREFIX = "sha256="


def crc_response_token(consumer_secret: str, crc_token: str) -> str:
    """The `response_token` X expects for a CRC challenge."""
    digest = hmac.new(consumer_secret.encode(), crc_token.encode(), hashlib.sha256).digest()
    return _PREFIX + base64.b64encode(digest).decode()


def verify_signature(consumer_secret: str, raw_body: bytes, header: str | None) -> None:
    """Raise SignatureInvalid unless the header is one well-formed signature of exactly these bytes.

    API Gateway joins repeated headers with commas, so a comma means two signatures: refused.
    The comparison is constant-time.
    """
    if not header or "," in header or not header.startswith(_PREFIX):
        raise SignatureInvalid("missing or malformed signature header")
    try:
        given = base64.b64decode(header[len(_PREFIX) :].strip(), validate=True)
    except ValueError as error:
        raise SignatureInvalid("malformed signature") from error
    expected = hmac.new(consumer_secret.encode(), raw_body, hashlib.sha256).digest()
    if not hmac.compare_digest(given, expected):
        raise SignatureInvalid("signature does not match the body")


def sign(consumer_secret: str, raw_body: bytes) -> str:
    """The header value X would send for this body (used by the demo simulator and tests)."""
    return (
        _PREFIX
        + base64.b64encode(hmac.new(consumer_secret.encode(), raw_body, hashlib.sha256).digest()).decode()
    )


# -- payload models (providers add fields: ignore what we do not use) ---------------------------


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class XUser(_Loose):
    id_str: str
    screen_name: str | None = None
    name: str | None = None
    followers_count: int | None = None
    verified: bool | None = None


class XExtendedTweet(_Loose):
    full_text: str


class XMedia(_Loose):
    type: str = "photo"
    media_url_https: str | None = None
    expanded_url: str | None = None


class XEntities(_Loose):
    media: list[XMedia] = Field(default_factory=list)


class XTweet(_Loose):
    id_str: str
    created_at: str
    text: str = ""
    truncated: bool = False
    extended_tweet: XExtendedTweet | None = None
    in_reply_to_status_id_str: str | None = None
    is_quote_status: bool = False
    quoted_status_id_str: str | None = None
    user: XUser
    lang: str | None = None
    entities: XEntities | None = None
    extended_entities: XEntities | None = None


class XActivityEnvelope(_Loose):
    """The envelope of an Account Activity delivery; only the event lists we handle are typed."""

    for_user_id: str | None = None
    user_has_blocked: str | None = None
    tweet_create_events: list[dict[str, Any]] = Field(default_factory=list)


EVENT_KEYS = (
    "tweet_create_events",
    "favorite_events",
    "follow_events",
    "unfollow_events",
    "block_events",
    "unblock_events",
    "mute_events",
    "unmute_events",
    "direct_message_events",
    "direct_message_indicate_typing_events",
    "direct_message_mark_read_events",
    "tweet_delete_events",
    "user_event",
)


def parse_envelope(payload: Any) -> XActivityEnvelope:
    """Validate the envelope of a parsed body; MalformedPayload if it is not an X delivery."""
    if not isinstance(payload, dict):
        raise MalformedPayload("the body is not a JSON object")
    try:
        return XActivityEnvelope.model_validate(payload)
    except ValidationError as error:
        raise MalformedPayload(f"not an X activity envelope: {error.error_count()} error(s)") from error


def parse_tweet(raw: Any) -> XTweet:
    try:
        return XTweet.model_validate(raw)
    except ValidationError as error:
        raise MalformedPayload(
            f"tweet event is not in the documented shape: {error.error_count()} error(s)"
        ) from error


def _created_at(value: str) -> str:
    try:
        return iso(datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y"))
    except ValueError as error:
        raise MalformedPayload("tweet created_at is not in X's format") from error


def normalize_tweet(tweet: XTweet, account_id: str) -> InboundMessage:
    """One tweet addressed to (or about) our account as a normalised inbound message."""
    text = tweet.extended_tweet.full_text if tweet.extended_tweet else tweet.text
    kind = "reply" if tweet.in_reply_to_status_id_str else ("quote" if tweet.is_quote_status else "mention")
    handle = tweet.user.screen_name
    media_source = tweet.extended_entities or tweet.entities
    media = tuple(
        MediaRef(type=m.type, url=m.media_url_https or m.expanded_url or "")
        for m in (media_source.media if media_source else [])
        if m.media_url_https or m.expanded_url
    )
    return InboundMessage(
        platform="x",
        account_id=account_id,
        native_id=tweet.id_str,
        kind=kind,
        # The thread is identified by its first post; a reply's thread is resolved through the
        # post it answers when that post is ours to know (see TicketStore.record_inbound).
        conversation_id=tweet.in_reply_to_status_id_str or tweet.id_str,
        reply_to=tweet.in_reply_to_status_id_str,
        author=Author(
            platform_user_id=tweet.user.id_str,
            handle=handle,
            display_name=tweet.user.name,
            followers=tweet.user.followers_count,
            verified=bool(tweet.user.verified),
        ),
        text=text,
        lang_hint=tweet.lang if tweet.lang and tweet.lang != "und" else None,
        created_at=_created_at(tweet.created_at),
        url=f"https://x.com/{handle}/status/{tweet.id_str}" if handle else None,
        media=media,
    )


def x_timestamp(dt: datetime) -> str:
    """X's v1.1 `created_at` format (for fixtures and the demo simulator)."""
    return dt.astimezone(UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")
