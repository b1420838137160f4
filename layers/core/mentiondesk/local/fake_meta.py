"""The fake Meta Graph API the local stack serves, no network: the mention and sender reads of
MetaGraphClient, and the writes a reply needs.

Reads: `GET /{version}/{ig-user-id}?fields=mentioned_comment.comment_id(<id>){...}` and
`...mentioned_media.media_id(<id>){...}`, and the User Profile API (`GET /{igsid|psid}?fields=...`).
Writes: `POST /{ig-comment-id}/replies` and `POST /{fb-comment-id}/comments` (a public reply),
`POST /{account-id}/messages` (a DM to `recipient.id`, or the one private reply to `recipient.comment_id`),
and `POST /{comment-id}` with `hide` (Instagram) or `is_hidden` (Facebook).

Answered like Graph where a client can tell the difference: only the requested fields (the documented
defaults when none are named), Graph error bodies (400 #100 for an unknown field or parameter, #100/33 for
an object this token cannot see, 401 #190 without a token, 400 #190 for a token that is not the
account's, the messaging window and private-reply errors below), form or JSON bodies, and failures
injected on demand (including the ambiguous ones: accepted, then an error or no answer in time).
"""

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import parse_qsl

Answer = tuple[int, dict[str, Any], dict[str, str]]

_PATH = re.compile(r"(?:/v[0-9]+\.[0-9]+)?/([^/]+)/?")
_WRITE_PATH = re.compile(r"(?:/v[0-9]+\.[0-9]+)?/([^/]+)(?:/(replies|comments|messages))?/?")
_DIGITS = re.compile(r"[0-9]{1,30}")
_FB_OBJECT_ID = re.compile(r"[0-9]{1,30}(?:_[0-9]{1,30})?")  # Facebook comments: {post id}_{comment id}
_BEARER = re.compile(r"bearer (\S+)", re.IGNORECASE)
_NAME = re.compile(r"[a-z_]+")
_SHORTCODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# Fields each node type has; a field outside these is "nonexisting" (#100), as Graph answers.
_SENDER_FIELDS = frozenset(
    {"id", "name", "username", "profile_pic", "follower_count", "is_verified_user", "first_name", "last_name"}
)
_USER_FIELDS = frozenset({"id", "username", "name", "mentioned_comment", "mentioned_media"})
_COMMENT_FIELDS = frozenset(
    {"id", "text", "timestamp", "username", "from", "like_count", "media", "parent_id", "hidden", "replies", "user"}
)
_MEDIA_FIELDS = frozenset(
    {
        "id",
        "caption",
        "comments_count",
        "like_count",
        "media_type",
        "media_product_type",
        "media_url",
        "owner",
        "permalink",
        "shortcode",
        "thumbnail_url",
        "timestamp",
        "username",
    }
)
# What each mention edge returns when no fields are named (the reference marks these "Default").
_DEFAULT_COMMENT_FIELDS = ("id", "text", "timestamp")
_DEFAULT_MEDIA_FIELDS = ("id",)
_TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 341, 613})

MESSAGING_WINDOW_SECONDS = 24 * 3600  # a DM answers the customer's last message within 24 hours...
HUMAN_AGENT_WINDOW_SECONDS = 7 * 86400  # ...or within 7 days with the HUMAN_AGENT tag
PRIVATE_REPLY_SECONDS = 7 * 86400  # one private reply per comment, within 7 days of the comment
MAX_MESSAGE_LENGTH = 2000  # Messenger's text limit (Instagram's is 1000 bytes)
MAX_COMMENT_LENGTH = {"instagram": 2200, "facebook": 8000}
FaultKind = Literal["rate_limit", "server_error", "accept_then_error", "accept_then_hang"]
FAULT_KINDS: frozenset[str] = frozenset({"rate_limit", "server_error", "accept_then_error", "accept_then_hang"})
CommentPlatform = Literal["instagram", "facebook"]
# "(#10) This message is sent outside of allowed window.": Messenger's subcode, and Instagram's.
_WINDOW_CLOSED = {"facebook": 2018278, "instagram": 2534022}
# A second private reply to one comment. Facebook answers "(#10900) Activity already replied to" (the code of
# the older /{comment-id}/private_replies edge, still reported for the Send API); Instagram answers code 10,
# subcode 2534025. Both read from developers' reports rather than a table Meta publishes: treat as best known.
_ALREADY_REPLIED: dict[str, tuple[int, int | None, str]] = {
    "facebook": (10900, None, "(#10900) Activity already replied to"),
    "instagram": (10, 2534025, "(#10) The comment is invalid for a private reply: it already has one"),
}


class _GraphError(Exception):
    def __init__(self, status: int, code: int, message: str, kind: str = "OAuthException", subcode: int | None = None):
        super().__init__(message)
        self.status, self.code, self.kind, self.subcode = status, code, kind, subcode


def _error_body(status: int, code: int, message: str, kind: str, subcode: int | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AFakeTraceId0000"}
    if subcode is not None:
        error["error_subcode"] = subcode
    if code in _TRANSIENT_CODES or status >= 500:
        error["is_transient"] = True
    return {"error": error}


def _missing_object(object_id: str) -> _GraphError:
    return _GraphError(
        400,
        100,
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation.",
        "GraphMethodException",
        33,
    )


@dataclass(frozen=True)
class _Selection:
    """One item of a `fields` expression: `name[.modifier(argument)][{children}]`."""

    name: str
    modifier: str | None = None
    argument: str | None = None
    children: tuple["_Selection", ...] | None = None


class _FieldsParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def parse(self) -> tuple[_Selection, ...]:
        items = self.items()
        if self.at != len(self.text):
            raise self.error()
        return items

    def error(self) -> _GraphError:
        return _GraphError(400, 100, "Syntax error in the fields parameter", "OAuthException", 2500)

    def items(self) -> tuple[_Selection, ...]:
        found = [self.item()]
        while self.peek(","):
            self.at += 1
            found.append(self.item())
        return tuple(found)

    def item(self) -> _Selection:
        name = self.name()
        modifier = argument = None
        if self.peek("."):
            self.at += 1
            modifier = self.name()
            if not self.peek("("):
                raise self.error()
            end = self.text.find(")", self.at)
            if end < 0:
                raise self.error()
            argument = self.text[self.at + 1 : end]
            self.at = end + 1
        children = None
        if self.peek("{"):
            self.at += 1
            children = self.items()
            if not self.peek("}"):
                raise self.error()
            self.at += 1
        return _Selection(name, modifier, argument, children)

    def name(self) -> str:
        match = _NAME.match(self.text, self.at)
        if not match:
            raise self.error()
        self.at = match.end()
        return match.group(0)

    def peek(self, char: str) -> bool:
        return self.text.startswith(char, self.at)


@dataclass
class _Media:
    id: str
    username: str
    timestamp: str
    permalink: str
    media_type: str = "IMAGE"
    media_url: str | None = None
    caption: str | None = None

    def values(self) -> dict[str, Any]:
        shortcode = self.permalink.rstrip("/").rsplit("/", 1)[-1]
        found = {
            "id": self.id,
            "username": self.username,
            "timestamp": self.timestamp,
            "permalink": self.permalink,
            "shortcode": shortcode,
            "media_type": self.media_type,
            "media_product_type": "FEED",
            "media_url": self.media_url,
            "caption": self.caption,
            "like_count": 0,
            "comments_count": 0,
        }
        return {name: value for name, value in found.items() if value is not None}


@dataclass
class _Comment:
    id: str
    text: str
    username: str
    timestamp: str
    media: _Media
    from_id: str | None = None

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "username": self.username,
            "timestamp": self.timestamp,
            "like_count": 0,
            "hidden": False,
        }
        if self.from_id is not None:
            found["from"] = {"id": self.from_id, "username": self.username}
        return found


@dataclass
class _Account:
    comments: dict[str, _Comment] = field(default_factory=dict)
    captions: dict[str, _Media] = field(default_factory=dict)


@dataclass
class _OwnComment:
    """A comment on one of our own posts (or our reply to one): what the write endpoints act on."""

    id: str
    account_id: str
    platform: CommentPlatform
    text: str
    from_id: str | None
    created: float  # epoch seconds
    parent_id: str | None = None
    hidden: bool = False
    private_replied: bool = False


class FakeMetaGraph:
    """A stand-in for graph.facebook.com's mention reads and reply writes; every method is thread-safe.

    `tokens` maps each account to its access token (None: any token is accepted). Writes act on comments
    seeded with `add_comment` (or created by a reply); DMs go to customers who messaged (`add_sender` or
    `customer_messaged`). `calls` lists the reads; each write that reaches Meta is appended to `sent`, and
    `on_write(method, path, body)` is told of every write request, accepted or not.
    """

    def __init__(self, *, tokens: Mapping[str, str] | None = None, clock: Callable[[], float] = time.time) -> None:
        self.calls: list[dict[str, Any]] = []  # path and query of every call served (never the token)
        self._tokens = dict(tokens) if tokens is not None else None  # None: any token is accepted
        self._clock = clock
        self._accounts: dict[str, _Account] = {}
        self._senders: dict[str, dict[str, Any]] = {}  # PSID / IGSID -> profile fields
        self._failures: list[tuple[int, int]] = []
        self._faults: list[tuple[FaultKind, float]] = []  # for the writes only: (kind, hang seconds)
        self._comments: dict[str, _OwnComment] = {}
        self._last_inbound: dict[str, float] = {}  # IGSID / PSID -> when the customer last messaged us
        self._account_platforms: dict[str, CommentPlatform] = {}
        self._serial = 0
        self.sent: list[dict[str, Any]] = []  # every reply, message and hide Meta accepted, in order
        self.on_write: Callable[[str, str, bytes], None] | None = None
        self._lock = threading.RLock()

    # -- seeding and failure injection ------------------------------------------------------------

    def add_sender(self, user_id: str, **fields: Any) -> None:
        """A customer who messaged one of our accounts just now: the User Profile API answers these fields
        (Instagram: name, username, follower_count, is_verified_user; Messenger: first_name, last_name),
        and the messaging window to them opens."""
        with self._lock:
            self._senders[user_id] = {k: v for k, v in fields.items() if v is not None}
            self._last_inbound[user_id] = self._clock()

    def customer_messaged(
        self, account_id: str, user_id: str, *, platform: CommentPlatform = "facebook", at: float | None = None
    ) -> None:
        """The customer `user_id` (IGSID / PSID) last messaged our `platform` account at `at` (epoch seconds,
        default now): DMs to them are answered within the window that opens then."""
        _require_id(account_id)
        _require_id(user_id)
        with self._lock:
            self._account_platforms[account_id] = platform
            self._last_inbound[user_id] = self._clock() if at is None else at

    def add_comment(
        self,
        account_id: str,
        comment_id: str,
        *,
        platform: CommentPlatform = "instagram",
        text: str = "",
        from_id: str | None = None,
        at: float | None = None,
    ) -> None:
        """A customer's comment `comment_id` on a post of our `platform` account, written at `at` (epoch
        seconds, default now) by `from_id` (the commenter's IGSID / PSID, the private reply's recipient)."""
        _require_id(account_id)
        pattern = _FB_OBJECT_ID if platform == "facebook" else _DIGITS
        if not pattern.fullmatch(comment_id):
            raise ValueError(f"not a {platform} comment id")
        with self._lock:
            self._account_platforms[account_id] = platform
            created = self._clock() if at is None else at
            self._comments[comment_id] = _OwnComment(comment_id, account_id, platform, text, from_id, created)

    def comment(self, comment_id: str) -> dict[str, Any] | None:
        """A seeded or created comment as {id, account_id, platform, text, hidden, private_replied, parent_id}."""
        with self._lock:
            found = self._comments.get(comment_id)
            if found is None:
                return None
            return {
                "id": found.id,
                "account_id": found.account_id,
                "platform": found.platform,
                "text": found.text,
                "hidden": found.hidden,
                "private_replied": found.private_replied,
                "parent_id": found.parent_id,
            }

    def add_comment_mention(
        self,
        account_id: str,
        media_id: str,
        comment_id: str,
        text: str,
        username: str,
        *,
        from_id: str | None = None,
        timestamp: str | None = None,
        permalink: str | None = None,
    ) -> None:
        """Serve comment `comment_id` by `username` on someone's media `media_id`, mentioning our
        account; `from_id` (the commenter's IG-scoped id) is served as `from` when given."""
        for value in (account_id, media_id, comment_id, *([from_id] if from_id is not None else [])):
            _require_id(value)
        at = timestamp or self._now()
        media = _Media(id=media_id, username="", timestamp=at, permalink=permalink or _permalink(media_id))
        with self._lock:
            account = self._accounts.setdefault(account_id, _Account())
            account.comments[comment_id] = _Comment(comment_id, text, username, at, media, from_id)

    def add_caption_mention(
        self,
        account_id: str,
        media_id: str,
        caption: str,
        username: str,
        *,
        media_type: str = "IMAGE",
        media_url: str | None = None,
        timestamp: str | None = None,
        permalink: str | None = None,
    ) -> None:
        """Serve media `media_id` posted by `username` whose caption mentions our account."""
        _require_id(account_id)
        _require_id(media_id)
        media = _Media(
            id=media_id,
            username=username,
            timestamp=timestamp or self._now(),
            permalink=permalink or _permalink(media_id),
            media_type=media_type,
            media_url=media_url or f"https://scontent.cdninstagram.com/fake/{media_id}.jpg",
            caption=caption,
        )
        with self._lock:
            self._accounts.setdefault(account_id, _Account()).captions[media_id] = media

    def fail_next(self, status: int, times: int = 1, *, code: int | None = None) -> None:
        """Answer the next `times` calls with `status` and a Graph error `code` (2 for 5xx, 100 otherwise);
        throttling codes (4, 17, 32, 613) come marked `is_transient` as Graph marks them."""
        if not 400 <= status <= 599:
            raise ValueError("only error statuses can be injected")
        with self._lock:
            self._failures.extend([(status, code if code is not None else (2 if status >= 500 else 100))] * times)

    def fault_next(self, kind: FaultKind, times: int = 1, *, hang_seconds: float = 15.0) -> None:
        """Make the next `times` writes fail as `kind`: "rate_limit" (#4 with X-App-Usage), "server_error"
        (500 #2, nothing stored), "accept_then_error" (stored, then 503 #2: the ambiguous case),
        "accept_then_hang" (stored, then no answer for `hang_seconds`, then 200). Reads are not affected."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind; one of {sorted(FAULT_KINDS)}")
        with self._lock:
            self._faults.extend([(kind, hang_seconds)] * times)

    # -- serving ----------------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], *, body: bytes = b""
    ) -> Answer | None:
        """(status, JSON body, response headers) for the reads and writes this fake serves; None for any
        other request. `body` is the raw request body of a POST (form-encoded or JSON)."""
        if method.upper() == "POST":
            return self._write(path, query, headers, body)
        match = _PATH.fullmatch(path)
        if method.upper() != "GET" or not match:
            return None
        user_id = match.group(1)
        with self._lock:
            self.calls.append({"path": path, "query": {k: v for k, v in query.items() if k != "access_token"}})
            try:
                if self._failures:
                    status, code = self._failures.pop(0)
                    raise _GraphError(status, code, "An unexpected error has occurred. Please retry your request.")
                self._authorize(user_id, query, headers)
                return 200, self._user(user_id, query.get("fields")), {}
            except _GraphError as error:
                return error.status, _error_body(error.status, error.code, str(error), error.kind, error.subcode), {}

    # -- writes: replies, private replies, DMs, hiding ----------------------------------------------

    def _write(self, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes) -> Answer | None:
        match = _WRITE_PATH.fullmatch(path)
        if not match:
            return None
        node, edge = match.group(1), match.group(2)
        hang = 0.0
        with self._lock:
            known_account = node in self._accounts or node in self._account_platforms or node in (self._tokens or {})
            if edge is None and node not in self._comments and known_account:
                return None  # writes to an account node itself (a post, a profile change) are not served
            if self.on_write is not None:
                self.on_write("POST", path, body)
            try:
                if self._failures:
                    status, code = self._failures.pop(0)
                    raise _GraphError(status, code, "An unexpected error has occurred. Please retry your request.")
                params = _params(query, headers, body)
                token = _bearer_of(headers) or params.get("access_token")
                if not isinstance(token, str) or not token:
                    raise _GraphError(401, 190, "An access token is required to request this resource.")
                comment = None if edge == "messages" else self._comments.get(node)
                if edge != "messages" and comment is None:
                    raise _missing_object(node)
                owner = node if comment is None else comment.account_id
                self._check_token(owner, token)
                fault, hang_for = self._faults.pop(0) if self._faults else (None, 0.0)
                if fault == "rate_limit":
                    usage = json.dumps({"call_count": 100, "total_cputime": 12, "total_time": 15})
                    return (
                        400,
                        _error_body(400, 4, "(#4) Application request limit reached", "OAuthException"),
                        {"x-app-usage": usage},
                    )
                if fault == "server_error":
                    raise _GraphError(500, 2, "An unexpected error has occurred. Please retry your request later.")
                now = self._clock()
                if comment is None:
                    answer = self._message(owner, params, now)
                elif edge is None:
                    answer = self._hide(comment, params, now)
                else:
                    answer = self._reply(comment, edge, params, now)
                if fault == "accept_then_error":
                    raise _GraphError(503, 2, "Service temporarily unavailable")
                if fault == "accept_then_hang":
                    hang = hang_for
            except _GraphError as error:
                return error.status, _error_body(error.status, error.code, str(error), error.kind, error.subcode), {}
        if hang:
            time.sleep(hang)  # outside the lock: other calls go on while this one keeps its client waiting
        return 200, answer, {}

    def _check_token(self, account_id: str, token: str) -> None:
        if self._tokens is None:
            return
        expected = self._tokens.get(account_id)
        if expected is None or not hmac.compare_digest(token.encode(), expected.encode()):
            raise _GraphError(400, 190, "Invalid OAuth access token - Cannot parse access token")

    def _reply(self, comment: _OwnComment, edge: str, params: Mapping[str, Any], now: float) -> dict[str, Any]:
        expected = "replies" if comment.platform == "instagram" else "comments"
        if edge != expected:
            raise _GraphError(400, 2500, f"Unknown path components: /{edge}")
        message = params.get("message")
        if not isinstance(message, str) or not message.strip():
            raise _GraphError(400, 100, "(#100) The parameter message is required")
        if len(message) > MAX_COMMENT_LENGTH[comment.platform]:
            raise _GraphError(400, 100, "(#100) The comment is too long")
        self._serial += 1
        if comment.platform == "instagram":
            new_id = str(17_900_000_000_000_000 + self._serial)
        else:
            new_id = f"{comment.id.split('_')[0]}_{10**15 + self._serial}"
        self._comments[new_id] = _OwnComment(
            new_id, comment.account_id, comment.platform, message, comment.account_id, now, parent_id=comment.id
        )
        self._record("comment", comment.platform, comment.account_id, message, comment.id, new_id, now)
        return {"id": new_id}

    def _hide(self, comment: _OwnComment, params: Mapping[str, Any], now: float) -> dict[str, Any]:
        name = "hide" if comment.platform == "instagram" else "is_hidden"
        hidden = _flag(params.get(name))
        if hidden is None:
            raise _GraphError(400, 100, f"(#100) The parameter {name} is required")
        comment.hidden = hidden
        self._record("hide", comment.platform, comment.account_id, None, comment.id, comment.id, now, hidden=hidden)
        return {"success": True}

    def _message(self, account_id: str, params: Mapping[str, Any], now: float) -> dict[str, Any]:
        if not _DIGITS.fullmatch(account_id):
            raise _missing_object(account_id)
        recipient, message = params.get("recipient"), params.get("message")
        if not isinstance(recipient, dict) or not recipient:
            raise _GraphError(400, 100, "(#100) param recipient must be non-empty.")
        text = message.get("text") if isinstance(message, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise _GraphError(400, 100, "(#100) param message must be non-empty.")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise _GraphError(400, 100, f"(#100) Length of param message[text] must be at most {MAX_MESSAGE_LENGTH}")
        if "comment_id" in recipient:
            return self._private_reply(account_id, str(recipient["comment_id"]), text, now)
        user = recipient.get("id")
        if not isinstance(user, str) or not _DIGITS.fullmatch(user):
            raise _GraphError(400, 100, "(#100) The parameter recipient is invalid")
        messaging_type, tag = params.get("messaging_type"), params.get("tag")
        if messaging_type not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
            raise _GraphError(400, 100, "(#100) param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}")
        if messaging_type == "MESSAGE_TAG" and tag != "HUMAN_AGENT":
            raise _GraphError(400, 100, "(#100) This fake serves the HUMAN_AGENT tag only")
        last = self._last_inbound.get(user)
        if last is None:
            raise _GraphError(400, 100, "(#100) No matching user found", "OAuthException", 2018001)
        platform = self._account_platforms.get(account_id, "facebook")
        allowed = HUMAN_AGENT_WINDOW_SECONDS if messaging_type == "MESSAGE_TAG" else MESSAGING_WINDOW_SECONDS
        if now - last > allowed:
            raise _window_closed(platform)
        message_id = f"m_{secrets.token_urlsafe(24)}"
        self._record("dm", platform, account_id, text, user, message_id, now)
        return {"recipient_id": user, "message_id": message_id}

    def _private_reply(self, account_id: str, comment_id: str, text: str, now: float) -> dict[str, Any]:
        comment = self._comments.get(comment_id)
        if comment is None or comment.account_id != account_id:
            raise _missing_object(comment_id)
        if comment.private_replied:
            code, subcode, message = _ALREADY_REPLIED[comment.platform]
            raise _GraphError(400, code, message, "OAuthException", subcode)
        if now - comment.created > PRIVATE_REPLY_SECONDS:
            raise _window_closed(comment.platform)
        comment.private_replied = True
        # The commenter's scoped id when the comment named one; else a stable stand-in.
        recipient = comment.from_id or str(int(hashlib.sha256(comment.id.encode()).hexdigest()[:13], 16))
        message_id = f"m_{secrets.token_urlsafe(24)}"
        self._record("private_reply", comment.platform, account_id, text, comment.id, message_id, now)
        return {"recipient_id": recipient, "message_id": message_id}

    def _record(
        self,
        kind: str,
        platform: str,
        account_id: str,
        text: str | None,
        target: str,
        item_id: str,
        now: float,
        **extra: Any,
    ) -> None:
        at = datetime.fromtimestamp(now, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self.sent.append(
            {
                "kind": kind,
                "platform": platform,
                "account": account_id,
                "text": text,
                "target": target,
                "id": item_id,
                "at": at,
                **extra,
            }
        )

    def _now(self) -> str:
        return datetime.fromtimestamp(self._clock(), tz=UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")

    def _authorize(self, user_id: str, query: Mapping[str, str], headers: Mapping[str, str]) -> None:
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        bearer = _BEARER.fullmatch(value.strip()) if isinstance(value, str) else None
        token = bearer.group(1) if bearer else query.get("access_token")
        if not token:
            raise _GraphError(401, 190, "An access token is required to request this resource.")
        if self._tokens is None:
            return
        expected = self._tokens.get(user_id)
        if expected is None or not hmac.compare_digest(token.encode(), expected.encode()):
            raise _GraphError(400, 190, "Invalid OAuth access token - Cannot parse access token")

    def _user(self, user_id: str, fields: str | None) -> dict[str, Any]:
        if not _DIGITS.fullmatch(user_id):
            raise _missing_object(user_id)
        if user_id in self._senders:
            profile = self._senders[user_id]
            wanted = [f.strip() for f in (fields or "id").split(",") if f.strip()]
            for name in wanted:
                if name not in _SENDER_FIELDS:
                    raise _GraphError(
                        400, 100, f"(#100) Tried accessing nonexisting field ({name}) on node type (User)"
                    )
            return {"id": user_id, **{k: profile[k] for k in wanted if k in profile}}
        account = self._accounts.get(user_id, _Account())
        body: dict[str, Any] = {}
        for item in _FieldsParser(fields).parse() if fields else (_Selection("id"),):
            _check(item.name, _USER_FIELDS, "IGUser")
            if item.name == "mentioned_comment":
                comment = account.comments.get(_argument(item, "comment_id"))
                if comment is None:
                    raise _missing_object(item.argument or "")
                body[item.name] = _comment_node(comment, item.children)
            elif item.name == "mentioned_media":
                media = account.captions.get(_argument(item, "media_id"))
                if media is None:
                    raise _missing_object(item.argument or "")
                body[item.name] = _select(
                    media.values(), item.children, _DEFAULT_MEDIA_FIELDS, _MEDIA_FIELDS, "IGMedia"
                )
        body["id"] = user_id  # Graph always names the node it answers for
        return body


def _argument(item: _Selection, modifier: str) -> str:
    if item.modifier != modifier or item.argument is None:
        raise _GraphError(400, 100, f"{item.name} requires the {modifier} modifier")
    return item.argument


def _check(name: str, known: frozenset[str], node_type: str) -> None:
    if name not in known:
        raise _GraphError(400, 100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})")


def _select(
    values: dict[str, Any],
    children: tuple[_Selection, ...] | None,
    defaults: tuple[str, ...],
    known: frozenset[str],
    node_type: str,
) -> dict[str, Any]:
    """The requested fields (the defaults when none are named) that have a value: Graph omits the rest."""
    names = [child.name for child in children] if children else list(defaults)
    for name in names:
        _check(name, known, node_type)
    return {name: values[name] for name in names if name in values}


def _comment_node(comment: _Comment, children: tuple[_Selection, ...] | None) -> dict[str, Any]:
    node = _select(comment.values(), children, _DEFAULT_COMMENT_FIELDS, _COMMENT_FIELDS, "IGComment")
    for child in children or ():
        if child.name == "media":  # a field expansion into the IG Media the comment sits under
            node["media"] = _select(comment.media.values(), child.children, ("id",), _MEDIA_FIELDS, "IGMedia")
    return node


def _params(query: Mapping[str, str], headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """A POST's parameters: the query string, then the body (JSON, or a form whose object values are
    JSON text, as Graph reads them)."""
    params: dict[str, Any] = dict(query)
    content_type = (next((v for k, v in headers.items() if k.lower() == "content-type"), "") or "").lower()
    if body:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise _GraphError(400, 100, "(#100) The request body is not UTF-8") from None
        if "json" in content_type or ("form" not in content_type and text.lstrip().startswith("{")):
            try:
                parsed = json.loads(text)
            except ValueError:
                raise _GraphError(400, 100, "(#100) The request body is not valid JSON") from None
            if not isinstance(parsed, dict):
                raise _GraphError(400, 100, "(#100) The request body is not a JSON object")
            params.update(parsed)
        else:
            params.update(parse_qsl(text, keep_blank_values=True))
    for name in ("recipient", "message"):
        value = params.get(name)
        if isinstance(value, str) and value.strip().startswith("{"):
            try:
                params[name] = json.loads(value)
            except ValueError:
                raise _GraphError(400, 100, f"(#100) Param {name} must be a JSON object") from None
    return params


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    return None


def _require_id(value: str) -> None:
    if not _DIGITS.fullmatch(value):
        raise ValueError("Graph ids are numeric strings")


def _permalink(media_id: str) -> str:
    """A post link in Instagram's shape: the media id written in its base-64 shortcode alphabet."""
    number, code = int(media_id), ""
    while number:
        number, digit = divmod(number, 64)
        code = _SHORTCODE_ALPHABET[digit] + code
    return f"https://www.instagram.com/p/{code or 'A'}/"


def _bearer_of(headers: Mapping[str, str]) -> str | None:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    match = _BEARER.fullmatch(value.strip()) if isinstance(value, str) else None
    return match.group(1) if match else None


def _window_closed(platform: str) -> _GraphError:
    return _GraphError(
        400,
        10,
        "(#10) This message is sent outside of allowed window.",
        "OAuthException",
        _WINDOW_CLOSED.get(platform, _WINDOW_CLOSED["facebook"]),
    )
