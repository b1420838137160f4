"""X Activity API (XAA) deliveries: the successor of Account Activity, on the same webhook.

An XAA body is `{"data": {event_uuid, filter, event_type, tag, payload, includes}}` (one event or a list).
Its post events carry X API v2 Post objects, normalised by `x_api.parse_page`; its legacy DM events
carry Account Activity's `direct_message_events`, normalised by `x.normalize_dm` so a customer's DMs
land in the same conversation whichever API delivered them. Event shapes:
https://docs.x.com/x-api/activity/event-payloads
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

# Imported as a module, read only at call time: x.py delegates its XAA bodies here, so each module
# may be imported first without the other being half-initialised at the moment a name is read.
from mentiondesk.channels import x as account_activity
from mentiondesk.channels.x_api import Source, parse_page
from mentiondesk.clock import iso, now_iso
from mentiondesk.errors import MalformedPayload
from mentiondesk.models import (
    AccountRevocation,
    IgnoredEvent,
    InboundEvent,
    InboundMessage,
    MessageDeletion,
    MessageKind,
)

_EVENT_TYPE = re.compile(r"[A-Za-z0-9_.]{1,64}")
_DIGITS = re.compile(r"[0-9]{1,20}")

# Posts by others addressed to the filtered user (our account): X has already decided they concern us.
_ADDRESSED: dict[str, MessageKind | None] = {
    "post.mention.create": None,  # mention, or reply/quote when the post also answers or quotes us
    "post.reply.create": "reply",
    "post.quote.create": "quote",
}
_POST_TYPES = ("post.create", "post.delete", "post.repost.create", *_ADDRESSED)
_DM_TYPES = ("dm.received", "dm.sent")


def parse_activity(payload: dict[str, Any], *, now: Callable[[], str] = now_iso) -> list[InboundEvent] | None:
    """Every event of an XAA delivery, normalised in order; None when the body is not an XAA delivery.

    Event types we do not turn into messages are counted as `activity:<event_type>`; a known event in
    the wrong shape raises MalformedPayload. `now` dates events X sends without a time (post.delete).
    """
    if not isinstance(payload, dict):
        return None
    # The documented body wraps the event in `data`; a bare event object is accepted as well.
    data = payload.get("data", payload)
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) and "event_type" in item for item in items):
        return None
    events: list[InboundEvent] = []
    for item in items:
        events.extend(_event(item, now))
    return events


def _event(item: dict[str, Any], now: Callable[[], str]) -> list[InboundEvent]:
    raw_type = item.get("event_type")
    event_type = raw_type if isinstance(raw_type, str) and _EVENT_TYPE.fullmatch(raw_type) else "unknown"
    account = _filter_user(item.get("filter"))
    if event_type == "oauth.revoke":
        # X may send this one with an empty filter: the user who revoked is in the payload.
        return [_revocation(item, now)]
    if event_type not in _POST_TYPES and event_type not in _DM_TYPES:
        # Likes, follows, profile, mutes, blocks, Spaces, broadcasts, news, and chat.* (X Chat is
        # end-to-end encrypted: without the user's chat keys there is no text to show).
        return [IgnoredEvent(platform="x", kind=f"activity:{event_type}", account_id=account)]
    if account is None:
        # A customer message we cannot route to an account: quarantined for a person, never dropped.
        raise MalformedPayload(f"{event_type} event without a user_id filter")
    if event_type in _DM_TYPES:
        return _direct_messages(item, account, event_type)
    if event_type == "post.delete":
        return [_deletion(item, account, now)]
    return [_post(item, account, event_type)]


def _filter_user(value: Any) -> str | None:
    user_id = value.get("user_id") if isinstance(value, dict) else None
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        user_id = str(user_id)
    return user_id if isinstance(user_id, str) and _DIGITS.fullmatch(user_id) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _payload(item: dict[str, Any], event_type: str) -> dict[str, Any]:
    payload = item.get("payload")
    if not isinstance(payload, dict):
        raise MalformedPayload(f"{event_type} event without a payload object")
    return payload


def _users(raw: Any) -> list[dict[str, Any]]:
    """v2 user objects; some XAA samples wrap each one as `{"data": {...}}`."""
    users: list[dict[str, Any]] = []
    for user in raw if isinstance(raw, list) else []:
        if isinstance(user, dict) and "id" not in user and isinstance(user.get("data"), dict):
            user = user["data"]
        if isinstance(user, dict):
            users.append(user)
    return users


def _post(item: dict[str, Any], account: str, event_type: str) -> InboundEvent:
    post = _payload(item, event_type)
    includes = _dict(item.get("includes"))
    media = includes.get("media") if isinstance(includes.get("media"), list) else []
    source: Source = "search" if event_type == "post.create" else "mentions"
    page = parse_page(
        {"data": [post], "includes": {"users": _users(includes.get("users")), "media": media}}, account, source=source
    )
    if not page.posts:
        reason = next((name for name, count in page.skipped.items() if count), "malformed")
        if reason == "malformed":
            raise MalformedPayload(f"{event_type} payload is not a post in the documented shape")
        return IgnoredEvent(platform="x", kind=reason, account_id=account)
    message = page.posts[0]
    if event_type == "post.repost.create":
        return IgnoredEvent(platform="x", kind="retweet", account_id=account)
    if event_type not in _ADDRESSED and message.kind == "post":
        # post.create reports the filtered user's own posts; one by anybody else that neither
        # mentions, answers nor quotes us is not for us.
        return IgnoredEvent(platform="x", kind=f"activity:{event_type}", account_id=account)
    return _refine(message, post, _ADDRESSED.get(event_type))


def _refine(message: InboundMessage, post: dict[str, Any], kind: MessageKind | None) -> InboundMessage:
    """What XAA says beyond a v2 page: the event type names a reply or quote the post fields did not
    show (a post that both answers and quotes us keeps one kind whichever event delivers it first);
    replies name their parent."""
    update: dict[str, Any] = {}
    if kind is not None and message.kind == "mention":
        update["kind"] = kind
    parent = post.get("in_reply_to_tweet_id")
    if message.reply_to is None and isinstance(parent, str) and _DIGITS.fullmatch(parent):
        update["reply_to"] = parent
    return message.model_copy(update=update) if update else message


def _deletion(item: dict[str, Any], account: str, now: Callable[[], str]) -> MessageDeletion:
    payload = _payload(item, "post.delete")
    post_id = payload.get("id")
    if not isinstance(post_id, str) or not _DIGITS.fullmatch(post_id):
        raise MalformedPayload("post.delete payload without a post id")
    # The documented payload carries no time; Account Activity's timestamp_ms is used if X adds one.
    stamp = payload.get("timestamp_ms")
    deleted_at = _from_ms(stamp) if isinstance(stamp, str | int) and not isinstance(stamp, bool) else now()
    return MessageDeletion(platform="x", account_id=account, native_id=post_id, deleted_at=deleted_at)


def _direct_messages(item: dict[str, Any], account: str, event_type: str) -> list[InboundEvent]:
    """Legacy (unencrypted) DMs, in Account Activity's shape; users map to `{"data": v2 user}`."""
    payload = _payload(item, event_type)
    raw_events = payload.get("direct_message_events")
    if not isinstance(raw_events, list) or not raw_events:
        raise MalformedPayload(f"{event_type} payload without direct_message_events")
    users = _dm_users(payload.get("users"))
    events: list[InboundEvent] = []
    for raw in raw_events:
        try:
            dm = account_activity.XDirectMessageEvent.model_validate(raw)
        except ValidationError as error:
            raise MalformedPayload(f"{event_type} direct message is not in the documented shape") from error
        if dm.type != "message_create" or dm.message_create is None:
            events.append(IgnoredEvent(platform="x", kind=f"activity:{event_type}", account_id=account))
        elif dm.message_create.sender_id == account:
            events.append(IgnoredEvent(platform="x", kind="own_dm", account_id=account))
        else:
            events.append(account_activity.normalize_dm(dm, account, users))
    return events


def _dm_users(raw: Any) -> dict[str, dict[str, Any]]:
    """XAA's v2 users map in the v1.1 field names `normalize_dm` reads."""
    users: dict[str, dict[str, Any]] = {}
    if not isinstance(raw, dict):
        return users
    for user_id, entry in raw.items():
        user = entry.get("data", entry) if isinstance(entry, dict) else None
        if not isinstance(user_id, str) or not isinstance(user, dict):
            continue
        followers = _dict(user.get("public_metrics")).get("followers_count")
        users[user_id] = {
            "screen_name": user.get("username") if isinstance(user.get("username"), str) else None,
            "name": user.get("name") if isinstance(user.get("name"), str) else None,
            "followers_count": followers if isinstance(followers, int) and not isinstance(followers, bool) else None,
            "verified": user.get("verified") is True,
        }
    return users


def _revocation(item: dict[str, Any], now: Callable[[], str]) -> AccountRevocation:
    payload = _payload(item, "oauth.revoke")
    user_id = _filter_user(payload)
    if user_id is None:
        raise MalformedPayload("oauth.revoke payload without the user who revoked")
    return AccountRevocation(platform="x", account_id=user_id, at=_instant(payload.get("date_time"), now))


def _instant(value: Any, now: Callable[[], str]) -> str:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
            return iso(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
        except (ValueError, OverflowError):  # OverflowError: in UTC it falls outside years 1-9999
            return now()
    return now()


def _from_ms(value: str | int) -> str:
    try:
        return iso(datetime.fromtimestamp(int(value) / 1000, tz=UTC))
    except (ValueError, OverflowError, OSError) as error:
        raise MalformedPayload("timestamp_ms is not epoch milliseconds") from error
