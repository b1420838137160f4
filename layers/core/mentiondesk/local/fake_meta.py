"""The fake Meta Graph API the local stack serves: the mention reads of MetaGraphClient, no network.

`GET /{version}/{ig-user-id}?fields=mentioned_comment.comment_id(<id>){...}` and
`...mentioned_media.media_id(<id>){...}`, answered like Graph where the client can tell the difference:
only the requested fields (the documented defaults when none are named), a Graph error body with
400 #100 for an unknown field or a mention that is not this account's, 401 #190 without a token,
400 #190 for a token that is not the account's, and failures injected on demand.
"""

import hmac
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Answer = tuple[int, dict[str, Any], dict[str, str]]

_PATH = re.compile(r"(?:/v[0-9]+\.[0-9]+)?/([^/]+)/?")
_DIGITS = re.compile(r"[0-9]{1,30}")
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


class FakeMetaGraph:
    """A stand-in for graph.facebook.com's mention reads; every method is thread-safe."""

    def __init__(self, *, tokens: Mapping[str, str] | None = None, clock: Callable[[], float] = time.time) -> None:
        self.calls: list[dict[str, Any]] = []  # path and query of every call served (never the token)
        self._tokens = dict(tokens) if tokens is not None else None  # None: any token is accepted
        self._clock = clock
        self._accounts: dict[str, _Account] = {}
        self._senders: dict[str, dict[str, Any]] = {}  # PSID / IGSID -> profile fields
        self._failures: list[tuple[int, int]] = []
        self._lock = threading.RLock()

    # -- seeding and failure injection ------------------------------------------------------------

    def add_sender(self, user_id: str, **fields: Any) -> None:
        """A customer who messaged one of our accounts: the User Profile API answers these fields
        (Instagram: name, username, follower_count, is_verified_user; Messenger: first_name, last_name)."""
        with self._lock:
            self._senders[user_id] = {k: v for k, v in fields.items() if v is not None}

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

    # -- serving ----------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str]) -> Answer | None:
        """(status, JSON body, response headers) for `GET /{ig-user-id}?fields=...`; None for any other request."""
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
