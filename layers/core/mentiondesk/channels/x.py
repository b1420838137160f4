"""X (Account Activity API and its successor X Activity API): CRC, signatures, payloads.

Both APIs sign with HMAC-SHA256 of the raw body under the app's consumer secret, base64-encoded,
in `x-twitter-webhooks-signature: sha256=<base64>`. Always verify the untouched raw bytes.
"""

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mentiondesk.channels import x_activity
from mentiondesk.clock import iso
from mentiondesk.errors import MalformedPayload, SignatureInvalid
from mentiondesk.models import (
    AccountRevocation,
    Author,
    IgnoredEvent,
    InboundEvent,
    InboundMessage,
    MediaRef,
    MessageDeletion,
)

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
    return _PREFIX + base64.b64encode(hmac.new(consumer_secret.encode(), raw_body, hashlib.sha256).digest()).decode()


# -- payload models (providers add fields: ignore what we do not use) ---------------------------


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _WithIdStr(_Loose):
    """X objects carry `id` (a number that JavaScript rounds past 2^53) and `id_str`: we use id_str.
    Some captured deliveries lack id_str; Python parses JSON integers exactly, so `id` is safe then."""

    @model_validator(mode="before")
    @classmethod
    def _id_str_from_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and "id_str" not in data and isinstance(data.get("id"), int):
            return {**data, "id_str": str(data["id"])}
        return data


_M = TypeVar("_M", bound=_Loose)


class XUser(_WithIdStr):
    id_str: str
    screen_name: str | None = None
    name: str | None = None
    followers_count: int | None = None
    verified: bool | None = None


class XExtendedTweet(_Loose):
    full_text: str
    entities: "XEntities | None" = None
    extended_entities: "XEntities | None" = None


class XMedia(_Loose):
    type: str = "photo"
    media_url_https: str | None = None
    expanded_url: str | None = None


class XUrl(_Loose):
    expanded_url: str | None = None
    url: str | None = None


class XEntities(_Loose):
    media: list[XMedia] = Field(default_factory=list)
    urls: list[XUrl] = Field(default_factory=list)


class XTweet(_WithIdStr):
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
    retweeted_status: dict[str, Any] | None = None


class XActivityEnvelope(_Loose):
    """The envelope of an Account Activity delivery; event lists are parsed one by one."""

    for_user_id: str | None = None
    user_has_blocked: str | None = None
    tweet_create_events: list[dict[str, Any]] = Field(default_factory=list)
    direct_message_events: list[dict[str, Any]] = Field(default_factory=list)
    tweet_delete_events: list[dict[str, Any]] = Field(default_factory=list)
    users: dict[str, dict[str, Any]] = Field(default_factory=dict)
    user_event: dict[str, Any] | None = None


class XDmAttachment(_Loose):
    type: str = "media"
    media: XMedia | None = None


class XMessageData(_Loose):
    text: str = ""
    attachment: XDmAttachment | None = None


class XMessageCreate(_Loose):
    sender_id: str
    message_data: XMessageData


class XDirectMessageEvent(_Loose):
    type: str
    id: str
    created_timestamp: str
    message_create: XMessageCreate | None = None


class XDeletedStatus(_Loose):
    id: str
    user_id: str


class XTweetDelete(_Loose):
    status: XDeletedStatus
    timestamp_ms: str


# Event lists X delivers that are not customer messages: acknowledged and counted.
IGNORED_KEYS = (
    "favorite_events",
    "follow_events",
    "unfollow_events",
    "block_events",
    "unblock_events",
    "mute_events",
    "unmute_events",
    "direct_message_indicate_typing_events",
    "direct_message_mark_read_events",
)
_HANDLED_KEYS = ("tweet_create_events", "direct_message_events", "tweet_delete_events", "user_event")


def parse_envelope(payload: Any) -> XActivityEnvelope:
    """Validate the envelope of a parsed body; MalformedPayload if it is not an X delivery."""
    if not isinstance(payload, dict):
        raise MalformedPayload("the body is not a JSON object")
    try:
        return XActivityEnvelope.model_validate(payload)
    except ValidationError as error:
        raise MalformedPayload(f"not an X activity envelope: {error.error_count()} error(s)") from error


def _model(model: type[_M], raw: Any, what: str) -> _M:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise MalformedPayload(f"{what} is not in the documented shape: {error.error_count()} error(s)") from error


def parse_tweet(raw: Any) -> XTweet:
    return _model(XTweet, raw, "tweet event")


def parse_delivery(payload: Any) -> list[InboundEvent]:
    """Every event of one Account Activity / X Activity delivery, normalised, in order.

    Own posts and DM echoes become IgnoredEvent (X delivers them too); event types we do not use
    are counted, never an error. A known event in the wrong shape raises MalformedPayload.
    """
    envelope = parse_envelope(payload)
    activity = _activity_events(payload)
    if activity is not None:
        return activity
    if not any(key in payload for key in _HANDLED_KEYS) and not any(key.endswith("_events") for key in payload):
        # Signed by X but nothing we know: kept for a person (quarantine), never silently dropped.
        raise MalformedPayload("no Account Activity events and no X Activity event in the delivery")
    account = envelope.for_user_id or ""
    events: list[InboundEvent] = []
    for raw in envelope.tweet_create_events:
        tweet = parse_tweet(raw)
        if tweet.user.id_str == account:
            events.append(IgnoredEvent(platform="x", kind="own_post", account_id=account))
        elif tweet.retweeted_status is not None:
            # A plain retweet of a post (ours or a customer's) says nothing new: counted, not a ticket.
            events.append(IgnoredEvent(platform="x", kind="retweet", account_id=account))
        else:
            events.append(normalize_tweet(tweet, account))
    for raw in envelope.direct_message_events:
        dm = _model(XDirectMessageEvent, raw, "direct message event")
        if dm.type != "message_create" or dm.message_create is None:
            events.append(IgnoredEvent(platform="x", kind=f"dm_{dm.type}", account_id=account))
        elif dm.message_create.sender_id == account:
            events.append(IgnoredEvent(platform="x", kind="own_dm", account_id=account))
        else:
            try:
                events.append(normalize_dm(dm, account, envelope.users))
            except ValidationError as error:  # the users map holds a wrong type (a number as screen_name)
                raise MalformedPayload(f"direct message sender: {error.error_count()} error(s)") from error
    for raw in envelope.tweet_delete_events:
        deleted = _model(XTweetDelete, raw, "tweet delete event")
        events.append(
            MessageDeletion(
                platform="x",
                account_id=account,
                native_id=deleted.status.id,
                deleted_at=_from_ms(deleted.timestamp_ms),
            )
        )
    if envelope.user_event is not None:
        revoke = envelope.user_event.get("revoke")
        source = revoke.get("source", {}) if isinstance(revoke, dict) else {}
        if not isinstance(source, dict) or not source.get("user_id"):
            raise MalformedPayload("user_event without a revoke source")
        at = str(revoke.get("date_time") or "") if isinstance(revoke, dict) else ""
        events.append(AccountRevocation(platform="x", account_id=str(source["user_id"]), at=_iso_or_now(at)))
    for key in payload:
        if key in IGNORED_KEYS or (key.endswith("_events") and key not in _HANDLED_KEYS):
            for _ in payload[key] if isinstance(payload[key], list) else [payload[key]]:
                events.append(IgnoredEvent(platform="x", kind=key.removesuffix("_events"), account_id=account))
    return events


def _activity_events(payload: dict[str, Any]) -> list[InboundEvent] | None:
    """X Activity API (XAA) deliveries (`{"data": {"event_type": ...}}`): see channels/x_activity.py."""
    return x_activity.parse_activity(payload)


def _created_at(value: str) -> str:
    try:
        return iso(datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y"))
    except (ValueError, OverflowError) as error:  # OverflowError: in UTC it falls outside years 1-9999
        raise MalformedPayload("tweet created_at is not in X's format") from error


def _from_ms(value: str) -> str:
    try:
        return iso(datetime.fromtimestamp(int(value) / 1000, tz=UTC))
    except (ValueError, OverflowError, OSError) as error:
        raise MalformedPayload("timestamp is not epoch milliseconds") from error


def _iso_or_now(value: str) -> str:
    try:
        return iso(datetime.fromisoformat(value))
    except (ValueError, OverflowError):
        return iso(datetime.now(UTC))


def normalize_dm(dm: XDirectMessageEvent, account_id: str, users: dict[str, dict[str, Any]]) -> InboundMessage:
    """A customer's DM to our account. All DMs from one customer share a conversation."""
    assert dm.message_create is not None
    sender = dm.message_create.sender_id
    user = users.get(sender, {})
    data = dm.message_create.message_data
    media = data.attachment.media if data.attachment else None
    media_url = (media.media_url_https or media.expanded_url) if media else None
    return InboundMessage(
        platform="x",
        account_id=account_id,
        native_id=dm.id,
        kind="dm",
        conversation_id=f"dm:{sender}",
        author=Author(
            platform_user_id=sender,
            handle=user.get("screen_name"),
            display_name=user.get("name"),
            followers=user.get("followers_count"),
            verified=bool(user.get("verified")),
        ),
        text=data.text,
        created_at=_from_ms(dm.created_timestamp),
        media=(MediaRef(type=media.type, url=media_url),) if media and media_url else (),
    )


def normalize_tweet(tweet: XTweet, account_id: str) -> InboundMessage:
    """One tweet addressed to (or about) our account as a normalised inbound message."""
    text = tweet.extended_tweet.full_text if tweet.extended_tweet else tweet.text
    kind = "reply" if tweet.in_reply_to_status_id_str else ("quote" if tweet.is_quote_status else "mention")
    handle = tweet.user.screen_name
    extended = tweet.extended_tweet
    # A long post's entities live in extended_tweet (the top-level ones cover its first 140 characters).
    media_source = (extended and (extended.extended_entities or extended.entities)) or (
        tweet.extended_entities or tweet.entities
    )
    link_source = (extended and extended.entities) or tweet.entities
    media = [
        MediaRef(type=m.type, url=m.media_url_https or m.expanded_url or "")
        for m in (media_source.media if media_source else [])
        if m.media_url_https or m.expanded_url
    ]
    # Links the customer shared, kept as references (never fetched).
    links = dict.fromkeys(u.expanded_url or u.url for u in (link_source.urls if link_source else []))
    media += [MediaRef(type="link", url=url) for url in links if url and url.startswith(("https://", "http://"))]
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
        media=tuple(media),
    )


def x_timestamp(dt: datetime) -> str:
    """X's v1.1 `created_at` format (for fixtures and the demo simulator)."""
    return dt.astimezone(UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")
