"""Meta webhooks (Instagram, Facebook Page feed, Messenger): verification, signatures, payloads.

Meta checks the callback with a GET (`hub.mode=subscribe`, our `hub.verify_token`, echo
`hub.challenge`) and signs every POST with HMAC-SHA256 of the raw body under the app secret,
lowercase hex, in `X-Hub-Signature-256: sha256=<hex>`. Meta signs the bytes it sends (non-ASCII
escaped as \\uXXXX, ", " and ": " separators): verify those untouched, never re-serialised JSON.
"""

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mentiondesk.clock import iso
from mentiondesk.errors import Forbidden, InvalidRequest, MalformedPayload, SignatureInvalid
from mentiondesk.models import (
    Author,
    IgnoredEvent,
    InboundEvent,
    InboundMessage,
    MediaRef,
    MessageDeletion,
    MessageEdit,
)

SIGNATURE_HEADER = "x-hub-signature-256"
_PREFIX = "sha256="
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")

MetaPlatform = Literal["instagram", "facebook"]
PLATFORM_BY_OBJECT: dict[str, MetaPlatform] = {"instagram": "instagram", "page": "facebook"}

# Meta mixes epoch seconds (entry.time of changes, created_time) and milliseconds (messaging
# timestamp, Messenger entry.time). 1e11 s is the year 5138 and 1e11 ms is 1973: a safe divide.
_MS_THRESHOLD = 100_000_000_000

# Author of an event Meta delivers without one (mentions; feed comments when Meta withholds `from`).
UNKNOWN_AUTHOR_ID = ""


def verify_subscription(params: Mapping[str, str], verify_token: str) -> str:
    """The `hub.challenge` to answer (as text/plain) when Meta verifies our callback URL.

    Forbidden unless `hub.mode` is "subscribe" and `hub.verify_token` is ours (constant-time);
    InvalidRequest when the challenge is missing.
    """
    given = params.get("hub.verify_token") or ""
    token_ok = hmac.compare_digest(given.encode(), verify_token.encode())
    if params.get("hub.mode") != "subscribe" or not verify_token or not token_ok:
        raise Forbidden("verification mode or token does not match")
    challenge = params.get("hub.challenge")
    if not challenge:
        raise InvalidRequest("hub.challenge is missing")
    return challenge


def verify_signature(app_secret: str, raw_body: bytes, header: str | None) -> None:
    """Raise SignatureInvalid unless the header is one well-formed signature of exactly these bytes.

    API Gateway joins repeated headers with commas, so a comma means two signatures: refused.
    The comparison is constant-time.
    """
    value = (header or "").strip()
    if "," in value or not value.startswith(_PREFIX):
        raise SignatureInvalid("missing or malformed signature header")
    given = value[len(_PREFIX) :]
    if not _HEX_DIGEST.fullmatch(given):
        raise SignatureInvalid("malformed signature")
    expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise SignatureInvalid("signature does not match the body")


def sign(app_secret: str, raw_body: bytes) -> str:
    """The header value Meta would send for this body (used by the demo simulator and tests)."""
    return _PREFIX + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()


# -- payload models (providers add fields: ignore what we do not use) ---------------------------


class _Loose(BaseModel):
    # Meta sends ids as strings; tolerate a number where a string id is expected.
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


_M = TypeVar("_M", bound=_Loose)
Timestamp = int | float | str


class MetaEntry(_Loose):
    id: str
    time: Timestamp | None = None
    changes: list[dict[str, Any]] = Field(default_factory=list)
    messaging: list[dict[str, Any]] = Field(default_factory=list)
    standby: list[dict[str, Any]] = Field(default_factory=list)


class MetaEnvelope(_Loose):
    object_: str = Field(alias="object")
    entry: list[MetaEntry]


class MetaChange(_Loose):
    field: str
    value: Any = None


class MetaFrom(_Loose):
    id: str
    username: str | None = None
    name: str | None = None


class IgMedia(_Loose):
    id: str
    media_product_type: str | None = None


class IgCommentValue(_Loose):
    """`comments` and `live_comments` on our Instagram media."""

    id: str
    text: str = ""
    from_: MetaFrom | None = Field(default=None, alias="from")
    media: IgMedia
    parent_id: str | None = None
    created_time: Timestamp | None = None
    timestamp: Timestamp | None = None


class IgMentionValue(_Loose):
    """`mentions`: only ids; the caption or comment is fetched through the Graph API."""

    media_id: str
    comment_id: str | None = None
    text: str = ""
    from_: MetaFrom | None = Field(default=None, alias="from")


class FeedItem(_Loose):
    item: str
    verb: str | None = None


class FeedPost(_Loose):
    id: str | None = None
    permalink_url: str | None = None


class FeedCommentValue(_Loose):
    """A Page `feed` change with `item: "comment"`; `sender_id`/`sender_name` before Graph v2.11."""

    item: str
    verb: str
    comment_id: str
    post_id: str
    parent_id: str | None = None
    message: str = ""
    from_: MetaFrom | None = Field(default=None, alias="from")
    sender_id: str | None = None
    sender_name: str | None = None
    created_time: Timestamp | None = None
    photo: str | None = None
    video: str | None = None
    post: FeedPost | None = None


class MetaParty(_Loose):
    id: str


class MetaAttachmentPayload(_Loose):
    url: str | None = None


class MetaAttachment(_Loose):
    type: str = "file"
    payload: MetaAttachmentPayload | None = None
    url: str | None = None  # Messenger `fallback` attachments carry the link here


class MetaStory(_Loose):
    id: str | None = None
    url: str | None = None


class MetaReplyTo(_Loose):
    mid: str | None = None
    story: MetaStory | None = None


class MetaMessage(_Loose):
    mid: str
    text: str = ""
    attachments: list[MetaAttachment] = Field(default_factory=list)
    is_echo: bool = False
    is_deleted: bool = False
    reply_to: MetaReplyTo | None = None


class MetaMessageEdit(_Loose):
    mid: str
    text: str = ""


class MetaMessagingEvent(_Loose):
    """One `messaging[]` item; its kind is the key besides sender/recipient/timestamp."""

    sender: MetaParty | None = None
    recipient: MetaParty | None = None
    timestamp: Timestamp | None = None


_ENVELOPE_KEYS = frozenset({"sender", "recipient", "timestamp"})
_COMMENT_FIELDS = frozenset({"comments", "live_comments"})
# The App Dashboard's "Test" button sends a messaging event as a change with field "messages".
_MESSAGING_FIELDS = frozenset({"messages"})


def _model(model: type[_M], raw: Any, what: str) -> _M:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise MalformedPayload(f"{what} is not in the documented shape: {error.error_count()} error(s)") from error


def parse_envelope(payload: Any) -> tuple[MetaPlatform, MetaEnvelope]:
    """Validate the envelope of a parsed body; MalformedPayload if it is not a delivery we take."""
    if not isinstance(payload, dict):
        raise MalformedPayload("the body is not a JSON object")
    try:
        envelope = MetaEnvelope.model_validate(payload)
    except ValidationError as error:
        raise MalformedPayload(f"not a Meta webhook envelope: {error.error_count()} error(s)") from error
    platform = PLATFORM_BY_OBJECT.get(envelope.object_)
    if platform is None:
        raise MalformedPayload("a Meta object we do not subscribe to")
    return platform, envelope


def parse_delivery(payload: Any) -> list[InboundEvent]:
    """Every event of one Meta delivery (object `instagram` or `page`), normalised, in order.

    Our own comments and message echoes become IgnoredEvent, as do fields and messaging events
    we do not use; a known event in the wrong shape raises MalformedPayload.
    """
    platform, envelope = parse_envelope(payload)
    events: list[InboundEvent] = []
    for entry in envelope.entry:
        for raw in entry.changes:
            events.append(_change(platform, entry, _model(MetaChange, raw, "change")))
        for raw in entry.messaging:
            events.append(_messaging(platform, entry, raw))
        for _ in entry.standby:
            # Handover protocol: another app owns the thread; we only watch.
            events.append(IgnoredEvent(platform=platform, kind="standby", account_id=entry.id))
    return events


# -- time ---------------------------------------------------------------------------------------


def _instant(value: Timestamp) -> datetime:
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{1,30}", text):  # bounded: int() refuses strings of over 4,300 digits
            value = int(text)
        else:
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError as error:
                raise MalformedPayload("timestamp is neither epoch nor ISO-8601") from error
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            if abs(value) >= _MS_THRESHOLD:
                return datetime.fromtimestamp(value // 1000, tz=UTC) + timedelta(milliseconds=value % 1000)
            return datetime.fromtimestamp(value, tz=UTC)
        seconds = value / 1000 if abs(value) >= _MS_THRESHOLD else value
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (ValueError, OverflowError, OSError, TypeError) as error:
        raise MalformedPayload("timestamp is out of range") from error


def _when(*candidates: Timestamp | None) -> str:
    """The first timestamp given, as `clock.iso`; the entry's time is the last candidate."""
    for value in candidates:
        if value is not None and value != "":
            try:
                return iso(_instant(value))
            except OverflowError as error:  # a valid time whose UTC form falls outside years 1-9999
                raise MalformedPayload("timestamp is out of range") from error
    raise MalformedPayload("event without any timestamp")


# -- changes (comments, mentions, Page feed) -----------------------------------------------------


def _change(platform: MetaPlatform, entry: MetaEntry, change: MetaChange) -> InboundEvent:
    if change.field in _MESSAGING_FIELDS and isinstance(change.value, dict):
        return _messaging(platform, entry, change.value)
    if platform == "instagram":
        if change.field in _COMMENT_FIELDS:
            return _ig_comment(entry, _model(IgCommentValue, change.value, f"{change.field} change"))
        if change.field == "mentions":
            return _ig_mention(entry, _model(IgMentionValue, change.value, "mentions change"))
    elif change.field == "feed":
        return _feed(entry, change.value)
    return IgnoredEvent(platform=platform, kind=change.field, account_id=entry.id)


def _author(source: MetaFrom | None) -> Author:
    if source is None:
        return Author(platform_user_id=UNKNOWN_AUTHOR_ID)
    return Author(platform_user_id=source.id, handle=source.username, display_name=source.name)


def _ig_comment(entry: MetaEntry, value: IgCommentValue) -> InboundEvent:
    """A comment (or live comment) on our media; `parent_id` makes it a reply to that comment."""
    if value.from_ is not None and value.from_.id == entry.id:
        return IgnoredEvent(platform="instagram", kind="own_comment", account_id=entry.id)
    return InboundMessage(
        platform="instagram",
        account_id=entry.id,
        native_id=value.id,
        kind="comment",
        conversation_id=value.media.id,
        reply_to=value.parent_id,
        author=_author(value.from_),
        text=value.text,
        created_at=_when(value.created_time, value.timestamp, entry.time),
    )


def _ig_mention(entry: MetaEntry, value: IgMentionValue) -> InboundMessage:
    """Our account was @mentioned in a caption (media only) or a comment (media and comment)."""
    return InboundMessage(
        platform="instagram",
        account_id=entry.id,
        native_id=value.comment_id or value.media_id,
        kind="mention",
        conversation_id=value.media_id,
        author=_author(value.from_),
        text=value.text,
        created_at=_when(entry.time),
    )


def _feed(entry: MetaEntry, raw: Any) -> InboundEvent:
    """A Page feed change: comments are messages, edits and removals; other items are counted."""
    head = _model(FeedItem, raw, "feed change")
    if head.item != "comment":
        return IgnoredEvent(platform="facebook", kind=f"feed_{head.item}", account_id=entry.id)
    value = _model(FeedCommentValue, raw, "feed comment")
    source = value.from_ or (
        MetaFrom(id=value.sender_id, name=value.sender_name) if value.sender_id is not None else None
    )
    if source is not None and source.id == entry.id:
        return IgnoredEvent(platform="facebook", kind="own_comment", account_id=entry.id)
    at = _when(value.created_time, entry.time)
    if value.verb == "edited":
        return MessageEdit(
            platform="facebook", account_id=entry.id, native_id=value.comment_id, text=value.message, edited_at=at
        )
    if value.verb == "remove":
        return MessageDeletion(platform="facebook", account_id=entry.id, native_id=value.comment_id, deleted_at=at)
    if value.verb != "add":
        return IgnoredEvent(platform="facebook", kind=f"comment_{value.verb}", account_id=entry.id)
    media = tuple(MediaRef(type=kind, url=url) for kind, url in (("photo", value.photo), ("video", value.video)) if url)
    return InboundMessage(
        platform="facebook",
        account_id=entry.id,
        native_id=value.comment_id,
        kind="comment",
        conversation_id=value.post_id,
        # A top-level comment's parent is the post itself.
        reply_to=value.parent_id if value.parent_id and value.parent_id != value.post_id else None,
        author=_author(source),
        text=value.message,
        created_at=at,
        # The post's permalink: where the comment is seen in context.
        url=value.post.permalink_url if value.post else None,
        media=media,
    )


# -- messaging (Instagram DMs, Messenger) ---------------------------------------------------------


def _messaging(platform: MetaPlatform, entry: MetaEntry, raw: Any) -> InboundEvent:
    event = _model(MetaMessagingEvent, raw, "messaging event")
    if "message" in raw:
        return _message(platform, entry, event, _model(MetaMessage, raw["message"], "message"))
    if "message_edit" in raw:
        edit = _model(MetaMessageEdit, raw["message_edit"], "message_edit")
        if event.sender is not None and event.sender.id == entry.id:
            return IgnoredEvent(platform=platform, kind="own_message", account_id=entry.id)
        return MessageEdit(
            platform=platform,
            account_id=entry.id,
            native_id=edit.mid,
            text=edit.text,
            edited_at=_when(event.timestamp, entry.time),
        )
    kind = next((key for key in raw if key not in _ENVELOPE_KEYS), "messaging_unknown")
    return IgnoredEvent(platform=platform, kind=kind, account_id=entry.id)


def _message(platform: MetaPlatform, entry: MetaEntry, event: MetaMessagingEvent, message: MetaMessage) -> InboundEvent:
    """A DM from a customer; all DMs from one customer share their sender id as conversation."""
    if message.is_echo or (event.sender is not None and event.sender.id == entry.id):
        return IgnoredEvent(platform=platform, kind="own_message", account_id=entry.id)
    if event.sender is None:
        raise MalformedPayload("message without a sender")
    at = _when(event.timestamp, entry.time)
    if message.is_deleted:
        return MessageDeletion(
            platform=platform, account_id=entry.id, native_id=message.mid, deleted_at=at, reason="unsent"
        )
    media: list[MediaRef] = []
    for attachment in message.attachments:
        url = (attachment.payload.url if attachment.payload else None) or attachment.url
        if url:
            media.append(MediaRef(type=attachment.type, url=url))
    reply = message.reply_to
    if reply is not None and reply.story is not None and reply.story.url:
        media.append(MediaRef(type="story_reply", url=reply.story.url))
    story_mention = any(attachment.type == "story_mention" for attachment in message.attachments)
    return InboundMessage(
        platform=platform,
        account_id=entry.id,
        native_id=message.mid,
        kind="mention" if story_mention else "dm",
        conversation_id=event.sender.id,
        reply_to=reply.mid if reply is not None else None,
        author=Author(platform_user_id=event.sender.id),
        text=message.text,
        created_at=at,
        media=tuple(media),
    )
