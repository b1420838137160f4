"""The fake X API v2 the local stack serves, no network: recent search and the mentions timeline
(app-only bearer token), an account's DM events and `users/me` (OAuth 2.0 user access tokens), the
OAuth 2.0 token endpoint's refresh grant, and the writes a reply needs: `POST /2/tweets`,
`POST /2/dm_conversations/with/:participant_id/messages` and `PUT /2/tweets/:id/hidden`.

It answers like X where our pollers and senders can tell the difference: only the requested fields,
`includes` by expansion, `meta` and opaque page tokens, per-endpoint rate-limit windows with 429s, 401
without a bearer token, 403 for the app-only token on user-context endpoints, 400 for parameters or
queries X would refuse, 403 for duplicate posts and replies to posts it does not know, single-use
refresh tokens, and failures injected on demand (including the ambiguous ones: accepted, then an error
or no answer in time).
"""

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import parse_qs

from mentiondesk.channels.x_api import MAX_QUERY_LENGTH, SNOWFLAKE_EPOCH_MS, snowflake_time
from mentiondesk.channels.x_oauth import TokenSet
from mentiondesk.clock import iso
from mentiondesk.replies.lint import weighted_length  # the composer's twitter-text count: both agree on 280

_SEARCH_PATH = "/2/tweets/search/recent"
_MENTIONS_PATH = re.compile(r"/2/users/([^/]+)/mentions")
_DM_EVENTS_PATH = "/2/dm_events"
_ME_PATH = "/2/users/me"
_OAUTH2_PATH = "/2/oauth2/token"
_TWEETS_PATH = "/2/tweets"
_DM_CREATE_PATH = re.compile(r"/2/dm_conversations/with/([^/]+)/messages")
_HIDDEN_PATH = re.compile(r"/2/tweets/([^/]+)/hidden")
_ONE_TO_ONE = re.compile(r"([0-9]{1,20})-([0-9]{1,20})")
_BASIC = re.compile(r"basic (\S+)", re.IGNORECASE)
ACCESS_TOKEN_SECONDS = 7200  # X's user access tokens live two hours
# What our connect flow asks for: reading DMs, and posting, DMing and hiding replies as the account.
USER_SCOPE = "tweet.read tweet.write tweet.moderate.write users.read dm.read dm.write offline.access"
# X's per-user limits for the writes, per 15 minutes (docs.x.com rate limits).
POST_WINDOW_LIMIT = 100
DM_WINDOW_LIMIT = 200
HIDE_WINDOW_LIMIT = 50
MAX_POST_LENGTH = 280  # weighted: CJK and emoji count 2, every URL 23
MAX_DM_LENGTH = 10_000
FaultKind = Literal["rate_limit", "server_error", "accept_then_error", "accept_then_hang"]
FAULT_KINDS: frozenset[str] = frozenset({"rate_limit", "server_error", "accept_then_error", "accept_then_hang"})
WriteKind = Literal["post", "dm", "hide"]
_DIGITS = re.compile(r"[0-9]{1,20}")
_BEARER = re.compile(r"bearer (\S+)", re.IGNORECASE)

_COMMON_PARAMS = frozenset(
    {
        "since_id",
        "until_id",
        "start_time",
        "end_time",
        "max_results",
        "pagination_token",
        "expansions",
        "tweet.fields",
        "user.fields",
        "media.fields",
        "place.fields",
        "poll.fields",
    }
)
_SEARCH_PARAMS = _COMMON_PARAMS | {"query", "next_token", "sort_order"}
_TWEET_FIELDS = frozenset(
    [
        "article",
        "attachments",
        "author_id",
        "card_uri",
        "context_annotations",
        "conversation_id",
        "created_at",
        "display_text_range",
        "edit_controls",
        "edit_history_tweet_ids",
        "entities",
        "geo",
        "id",
        "in_reply_to_user_id",
        "lang",
        "media_metadata",
        "non_public_metrics",
        "note_tweet",
        "organic_metrics",
        "possibly_sensitive",
        "promoted_metrics",
        "public_metrics",
        "referenced_tweets",
        "reply_settings",
        "scopes",
        "source",
        "text",
        "withheld",
    ]
)
_USER_FIELDS = frozenset(
    [
        "affiliation",
        "connection_status",
        "created_at",
        "description",
        "entities",
        "id",
        "location",
        "most_recent_tweet_id",
        "name",
        "pinned_tweet_id",
        "profile_banner_url",
        "profile_image_url",
        "protected",
        "public_metrics",
        "receives_your_dm",
        "subscription_type",
        "url",
        "username",
        "verified",
        "verified_type",
        "withheld",
    ]
)
_MEDIA_FIELDS = frozenset(
    [
        "alt_text",
        "duration_ms",
        "height",
        "media_key",
        "non_public_metrics",
        "organic_metrics",
        "preview_image_url",
        "promoted_metrics",
        "public_metrics",
        "type",
        "url",
        "variants",
        "width",
    ]
)
_EXPANSIONS = frozenset(
    [
        "article.cover_media",
        "article.media_entities",
        "attachments.media_keys",
        "attachments.media_source_tweet",
        "attachments.poll_ids",
        "author_id",
        "edit_history_tweet_ids",
        "entities.mentions.username",
        "geo.place_id",
        "in_reply_to_user_id",
        "entities.note.mentions.username",
        "referenced_tweets.id",
        "referenced_tweets.id.author_id",
    ]
)
_DM_PARAMS = frozenset(
    {
        "dm_event.fields",
        "event_types",
        "expansions",
        "max_results",
        "pagination_token",
        "media.fields",
        "user.fields",
        "tweet.fields",
    }
)
_DM_EVENT_FIELDS = frozenset(
    [
        "attachments",
        "created_at",
        "dm_conversation_id",
        "entities",
        "event_type",
        "id",
        "participant_ids",
        "referenced_tweets",
        "sender_id",
        "text",
    ]
)
_DM_EVENT_TYPES = frozenset({"MessageCreate", "ParticipantsJoin", "ParticipantsLeave"})
_DM_EXPANSIONS = frozenset({"attachments.media_keys", "participant_ids", "referenced_tweets.id", "sender_id"})
# MessageCreate answers id, event_type, text by default; ParticipantsJoin/Leave id, event_type, participant_ids.
_DEFAULT_DM_FIELDS = frozenset({"id", "event_type", "text", "participant_ids"})
_DEFAULT_TWEET_FIELDS = frozenset({"id", "text", "edit_history_tweet_ids"})
_DEFAULT_USER_FIELDS = frozenset({"id", "name", "username"})
_DEFAULT_MEDIA_FIELDS = frozenset({"media_key", "type"})

Answer = tuple[int, dict[str, Any], dict[str, str]]


class _BadRequest(Exception):
    """What X answers with 400 and an `errors` list."""


def _problem(status: int, title: str, detail: str | None = None) -> dict[str, Any]:
    return {"title": title, "detail": detail or title, "type": "about:blank", "status": status}


_TITLES = {
    400: "Invalid Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found Error",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


_UNSUPPORTED_AUTHENTICATION = {
    "title": "Unsupported Authentication",
    "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported "
    "authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
    "type": "https://api.twitter.com/2/problems/unsupported-authentication",
    "status": 403,
}


def _oauth_error(error: str, description: str) -> dict[str, Any]:
    return {"error": error, "error_description": description}


# X's answers to refused writes. Both 403s are `about:blank` problems told apart only by `detail`.
_DUPLICATE_CONTENT = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
_REPLY_TARGET_GONE = {
    "detail": "You attempted to reply to a Tweet that is deleted or not visible to you.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
_TOO_LONG = {
    "detail": "Your Tweet text is too long. For more information on how Twitter determines text length see "
    "https://github.com/twitter/twitter-text.",
    "type": "about:blank",
    "title": "Bad Request",
    "status": 400,
}
_NOT_YOUR_CONVERSATION = {
    "detail": "You can only hide or unhide replies to conversations you started.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
_POST_BODY_FIELDS = frozenset(
    {
        "card_uri",
        "community_id",
        "direct_message_deep_link",
        "for_super_followers_only",
        "geo",
        "made_with_ai",
        "media",
        "nullcast",
        "paid_partnership",
        "poll",
        "quote_tweet_id",
        "reply",
        "reply_settings",
        "share_with_followers",
        "text",
    }
)
_REPLY_FIELDS = frozenset({"in_reply_to_tweet_id", "exclude_reply_user_ids", "auto_populate_reply_metadata"})


def _invalid_request(message: str) -> dict[str, Any]:
    return {
        "errors": [{"message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
        "status": 400,
    }


def _post_not_found(post_id: str) -> dict[str, Any]:
    return {
        "detail": f"Could not find tweet with id: [{post_id}].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "id",
        "value": post_id,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
        "status": 404,
    }


class _Refused(Exception):
    """A write X refuses: its status and problem body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


@dataclass
class _Window:
    resets_at: float
    used: int = 0


@dataclass(frozen=True)
class _Grant:
    user_id: str
    expires_at: float  # access tokens only; refresh tokens live until used or revoked


class FakeXApi:
    """A stand-in for api.x.com's read endpoints and OAuth 2.0 token endpoint; every method is thread-safe.

    `bearer_token` is the app-only token the timelines accept (None: any well-formed token). With
    `user_tokens` the DM lookup and users/me only accept live access tokens this fake issued (through
    `issue_user_tokens` or a refresh); without, an unknown token reads every stored DM. `client_id` and
    `client_secret` are what the token endpoint checks (None: any client). `dm_window_limit` is the DM
    lookup's per-user window (X documents 15 per 15 minutes); None uses `window_limit`.

    The writes always need a live user access token this fake issued (X must know who posts). `calls`
    lists the reads; each write that reaches X is appended to `sent`, and `on_write(method, path, body)` is
    told of every write request, accepted or not.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        window_limit: int = 450,
        window_seconds: int = 900,
        *,
        bearer_token: str | None = None,
        user_tokens: bool = False,
        client_id: str | None = None,
        client_secret: str | None = None,
        dm_window_limit: int | None = None,
    ) -> None:
        self.calls: list[dict[str, Any]] = []
        self._clock = clock
        self._limit = window_limit
        self._dm_limit = dm_window_limit if dm_window_limit is not None else window_limit
        self._window_seconds = window_seconds
        self._bearer_token = bearer_token  # None: any well-formed bearer token is accepted
        self._user_tokens = user_tokens
        self._client_id = client_id
        self._client_secret = client_secret
        self._posts: dict[str, dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._media: dict[str, dict[str, Any]] = {}
        self._dms: dict[str, dict[str, Any]] = {}
        self._dm_participants: dict[str, frozenset[str]] = {}
        self._access: dict[str, _Grant] = {}
        self._refresh: dict[str, str] = {}  # live refresh token -> user id
        self._retired: set[str] = set()  # revoked access tokens: refused even without user_tokens
        self._windows: dict[str, _Window] = {}
        self._failures: list[int] = []
        self._faults: list[tuple[FaultKind, float]] = []  # for the writes only: (kind, hang seconds)
        self._hidden: set[str] = set()
        self._last_id = 0
        self.sent: list[dict[str, Any]] = []  # every post, DM and hide X accepted, in order
        self.on_write: Callable[[str, str, bytes], None] | None = None
        self._lock = threading.RLock()

    # -- seeding and failure injection ------------------------------------------------------------

    def add_post(self, post: dict[str, Any], author: dict[str, Any], *, media: Iterable[dict[str, Any]] = ()) -> None:
        """Serve a v2 post object written by the v2 user object `author` (and the v2 media it attaches)."""
        post_id, author_id = post.get("id"), author.get("id")
        if not isinstance(post_id, str) or not _DIGITS.fullmatch(post_id):
            raise ValueError("a post needs a numeric string id")
        if not isinstance(author_id, str) or not _DIGITS.fullmatch(author_id):
            raise ValueError("an author needs a numeric string id")
        if post.get("author_id", author_id) != author_id:
            raise ValueError("the post's author_id is not the author's id")
        stored = {**post, "author_id": author_id}
        stored.setdefault("edit_history_tweet_ids", [post_id])
        with self._lock:
            self._posts[post_id] = stored
            self._users[author_id] = dict(author)
            for item in media:
                if isinstance(item.get("media_key"), str):
                    self._media[item["media_key"]] = dict(item)

    def add_dm(
        self,
        event: dict[str, Any],
        sender: dict[str, Any],
        *,
        media: Iterable[dict[str, Any]] = (),
        participants: Iterable[str] = (),
    ) -> None:
        """Serve a v2 DM event sent by the v2 user object `sender` (and the v2 media it attaches).

        The event names its conversation: one-to-one ids are `{a}-{b}` and must include the sender; a group
        conversation (a plain numeric id) needs its `participants`. Each participant's token reads it.
        """
        event_id, sender_id = event.get("id"), sender.get("id")
        if not isinstance(event_id, str) or not _DIGITS.fullmatch(event_id):
            raise ValueError("a DM event needs a numeric string id")
        if not isinstance(sender_id, str) or not _DIGITS.fullmatch(sender_id):
            raise ValueError("a sender needs a numeric string id")
        if event.get("sender_id", sender_id) != sender_id:
            raise ValueError("the event's sender_id is not the sender's id")
        event_type = event.get("event_type", "MessageCreate")
        if event_type not in _DM_EVENT_TYPES:
            raise ValueError("unknown DM event type")
        conversation = event.get("dm_conversation_id")
        pair = _ONE_TO_ONE.fullmatch(conversation) if isinstance(conversation, str) else None
        if pair:
            members = frozenset(pair.groups())
            if sender_id not in members:
                raise ValueError("the sender is not a participant of this one-to-one conversation")
        elif isinstance(conversation, str) and _DIGITS.fullmatch(conversation) and participants:
            members = frozenset(participants) | {sender_id}
        else:
            raise ValueError("a DM event needs dm_conversation_id ({a}-{b}, or a group id with participants)")
        stored = {**event, "event_type": event_type}
        if event_type == "ParticipantsLeave":
            stored.pop("sender_id", None)
        else:
            stored["sender_id"] = sender_id
        if event_type == "MessageCreate":
            stored.pop("participant_ids", None)  # X lists participants on join and leave events only
        stored.setdefault("created_at", iso(snowflake_time(event_id)))
        with self._lock:
            self._dms[event_id] = stored
            self._dm_participants[event_id] = members
            self._users[sender_id] = dict(sender)
            for item in media:
                if isinstance(item.get("media_key"), str):
                    self._media[item["media_key"]] = dict(item)

    def issue_user_tokens(self, account_id: str, *, user: dict[str, Any] | None = None) -> TokenSet:
        """What X's authorization flow would hand over for `account_id` (with offline.access): an access
        token for two hours and a refresh token this fake's token endpoint accepts once."""
        if not _DIGITS.fullmatch(account_id):
            raise ValueError("an account needs a numeric string id")
        with self._lock:
            if user is not None:
                self._users[account_id] = {**user, "id": account_id}
            return self._issue(account_id)

    def revoke_user_tokens(self, account_id: str) -> None:
        """The account revoked the app: its access and refresh tokens stop working."""
        with self._lock:
            self._retired |= {t for t, g in self._access.items() if g.user_id == account_id}
            self._access = {t: g for t, g in self._access.items() if g.user_id != account_id}
            self._refresh = {t: u for t, u in self._refresh.items() if u != account_id}

    def _issue(self, user_id: str) -> TokenSet:
        now = self._clock()
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self._access[access] = _Grant(user_id=user_id, expires_at=now + ACCESS_TOKEN_SECONDS)
        self._refresh[refresh] = user_id
        return TokenSet(access_token=access, refresh_token=refresh, expires_at=int(now) + ACCESS_TOKEN_SECONDS)

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next `times` calls with `status` (429 with rate-limit headers, others plain)."""
        if not 400 <= status <= 599:
            raise ValueError("only error statuses can be injected")
        with self._lock:
            self._failures.extend([status] * times)

    def fault_next(self, kind: FaultKind, times: int = 1, *, hang_seconds: float = 15.0) -> None:
        """Make the next `times` writes (posts, DMs, hides) fail as `kind`: "rate_limit" (429 with the
        window's reset), "server_error" (500, nothing stored), "accept_then_error" (stored, then 503: the
        ambiguous case), "accept_then_hang" (stored, then no answer for `hang_seconds`, then 201 or 200).
        Reads are not affected."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind; one of {sorted(FAULT_KINDS)}")
        with self._lock:
            self._faults.extend([(kind, hang_seconds)] * times)

    # -- serving ----------------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], *, body: bytes = b""
    ) -> Answer | None:
        """(status, JSON body, response headers) for the endpoints this fake serves; None for any other
        request. `body` is the raw request body (the token endpoint's form)."""
        verb = method.upper()
        write = _write_endpoint(verb, path)
        if write is not None:
            return self._write(verb, path, write[0], write[1], headers, body)
        if verb == "POST" and path == _OAUTH2_PATH:
            return self._token_request(path, headers, body)
        if verb == "GET" and path in (_DM_EVENTS_PATH, _ME_PATH):
            return self._user_request(path, query, headers)
        mentions = _MENTIONS_PATH.fullmatch(path)
        if verb != "GET" or (path != _SEARCH_PATH and not mentions):
            return None
        endpoint = "mentions" if mentions else "search"
        with self._lock:
            self.calls.append({"path": path, "query": dict(query)})
            now = self._clock()
            window = self._window(endpoint, now)
            if self._failures:
                status = self._failures.pop(0)
                if status == 429:
                    return 429, _problem(429, _TITLES[429]), self._rate_headers(window, remaining=0)
                return status, _problem(status, _TITLES.get(status, "Error")), {}
            if not self._authorized(headers):
                return 401, _problem(401, _TITLES[401]), {}
            if window.used >= self._limit:
                return 429, _problem(429, _TITLES[429]), self._rate_headers(window, remaining=0)
            window.used += 1
            rate = self._rate_headers(window, remaining=self._limit - window.used)
            try:
                if mentions:
                    answer = self._timeline(query, user_id=mentions.group(1))
                else:
                    answer = self._timeline(query, user_id=None)
            except _BadRequest as error:
                return 400, {**_problem(400, _TITLES[400], str(error)), "errors": [{"message": str(error)}]}, rate
            return 200, answer, rate

    def _window(self, endpoint: str, now: float) -> _Window:
        window = self._windows.get(endpoint)
        if window is None or now >= window.resets_at:
            window = self._windows[endpoint] = _Window(resets_at=now + self._window_seconds)
        return window

    def _rate_headers(self, window: _Window, remaining: int, limit: int | None = None) -> dict[str, str]:
        return {
            "x-rate-limit-limit": str(self._limit if limit is None else limit),
            "x-rate-limit-remaining": str(max(remaining, 0)),
            "x-rate-limit-reset": str(math.ceil(window.resets_at)),
        }

    def _authorized(self, headers: Mapping[str, str]) -> bool:
        token = _bearer(headers)
        if token is None:
            return False
        if self._bearer_token is None:
            return True
        return hmac.compare_digest(token.encode(), self._bearer_token.encode())

    # -- user context: posting, DMs and hiding replies --------------------------------------------

    def _write(
        self, verb: str, path: str, kind: WriteKind, subject: str | None, headers: Mapping[str, str], body: bytes
    ) -> Answer:
        hang = 0.0
        with self._lock:
            if self.on_write is not None:
                self.on_write(verb, path, body)
            now = self._clock()
            token = _bearer(headers)
            grant = self._access.get(token) if token is not None else None
            user = grant.user_id if grant is not None and now < grant.expires_at else None
            limit = {"post": POST_WINDOW_LIMIT, "dm": DM_WINDOW_LIMIT, "hide": HIDE_WINDOW_LIMIT}[kind]
            window = self._window(f"{kind}:{user or '*'}", now)
            refusal = self._user_context_refusal(token, window, limit)
            if refusal is not None:
                return refusal
            if user is None:
                return 401, _problem(401, _TITLES[401]), {}
            fault, hang_for = self._faults.pop(0) if self._faults else (None, 0.0)
            if fault == "rate_limit" or window.used >= limit:
                return 429, _problem(429, _TITLES[429]), self._rate_headers(window, 0, limit)
            window.used += 1
            rate = self._rate_headers(window, limit - window.used, limit)
            if fault == "server_error":
                return 500, _problem(500, _TITLES[500]), rate
            try:
                parsed = json.loads(body) if body else None
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                return 400, _invalid_request("The request body is not a JSON object"), rate
            try:
                if kind == "post":
                    status, answer = 201, self._create_post(user, parsed, now)
                elif kind == "dm":
                    status, answer = 201, self._create_dm(user, str(subject), parsed, now)
                else:
                    status, answer = 200, self._hide(user, str(subject), parsed, now)
            except _Refused as refused:
                return refused.status, refused.body, rate
            if fault == "accept_then_error":
                return 503, _problem(503, _TITLES[503]), {}
            if fault == "accept_then_hang":
                hang = hang_for
        if hang:
            time.sleep(hang)  # outside the lock: other calls go on while this one keeps its client waiting
        return status, answer, rate

    def _next_id(self, now: float) -> str:
        """A new snowflake-like id (milliseconds since X's epoch, shifted 22 bits), never one in use."""
        candidate = max(int(now * 1000) - SNOWFLAKE_EPOCH_MS, 0) << 22
        self._last_id = max(self._last_id + 1, candidate)
        while str(self._last_id) in self._posts or str(self._last_id) in self._dms:
            self._last_id += 1
        return str(self._last_id)

    def _ensure_user(self, user: str) -> None:
        self._users.setdefault(user, {"id": user, "name": f"X user {user}", "username": f"user_{user[-8:]}"})

    def _create_post(self, user: str, body: dict[str, Any], now: float) -> dict[str, Any]:
        unknown = sorted(set(body) - _POST_BODY_FIELDS)
        if unknown:
            raise _Refused(400, _invalid_request(f"$.{unknown[0]}: is not defined in the schema"))
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _Refused(400, _invalid_request("A post needs text (this fake serves no media)"))
        reply = body.get("reply")
        parent: dict[str, Any] | None = None
        if reply is not None:
            if not isinstance(reply, dict) or set(reply) - _REPLY_FIELDS:
                raise _Refused(400, _invalid_request("$.reply: is not a valid reply object"))
            target = reply.get("in_reply_to_tweet_id")
            if not isinstance(target, str) or not _DIGITS.fullmatch(target):
                raise _Refused(400, _invalid_request("$.reply.in_reply_to_tweet_id: is not a post id"))
            parent = self._posts.get(target)
            if parent is None:
                raise _Refused(403, dict(_REPLY_TARGET_GONE))
        if weighted_length(text) > MAX_POST_LENGTH:
            raise _Refused(400, dict(_TOO_LONG))
        if any(post["author_id"] == user and post.get("text") == text for post in self._posts.values()):
            raise _Refused(403, dict(_DUPLICATE_CONTENT))
        post_id = self._next_id(now)
        post: dict[str, Any] = {
            "id": post_id,
            "text": text,
            "author_id": user,
            "created_at": iso(datetime.fromtimestamp(now, tz=UTC)),
            "conversation_id": post_id,
            "edit_history_tweet_ids": [post_id],
        }
        if parent is not None:
            post["conversation_id"] = parent.get("conversation_id") or parent["id"]
            post["in_reply_to_user_id"] = parent["author_id"]
            post["referenced_tweets"] = [{"type": "replied_to", "id": parent["id"]}]
        self._posts[post_id] = post  # served like any other post: our own, in the timelines
        self._ensure_user(user)
        self._record("post", user, text, parent["id"] if parent is not None else None, post_id, now)
        return {"data": {"id": post_id, "text": text, "edit_history_tweet_ids": [post_id]}}

    def _create_dm(self, user: str, participant: str, body: dict[str, Any], now: float) -> dict[str, Any]:
        if not _DIGITS.fullmatch(participant):
            raise _Refused(400, _invalid_request("The `participant_id` path parameter is not a user id"))
        if participant == user:
            raise _Refused(400, _invalid_request("You cannot send a Direct Message to yourself"))
        unknown = sorted(set(body) - {"text", "attachments"})
        if unknown:
            raise _Refused(400, _invalid_request(f"$.{unknown[0]}: is not defined in the schema"))
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _Refused(400, _invalid_request("A message needs text (this fake serves no attachments)"))
        if len(text) > MAX_DM_LENGTH:
            raise _Refused(400, _invalid_request(f"$.text: is longer than {MAX_DM_LENGTH} characters"))
        low, high = sorted((user, participant), key=int)
        conversation = f"{low}-{high}"
        event_id = self._next_id(now)
        self._dms[event_id] = {
            "id": event_id,
            "event_type": "MessageCreate",
            "text": text,
            "sender_id": user,
            "dm_conversation_id": conversation,
            "created_at": iso(datetime.fromtimestamp(now, tz=UTC)),
        }
        self._dm_participants[event_id] = frozenset({user, participant})
        self._ensure_user(user)
        self._record("dm", user, text, participant, event_id, now)
        return {"data": {"dm_conversation_id": conversation, "dm_event_id": event_id}}

    def _hide(self, user: str, post_id: str, body: dict[str, Any], now: float) -> dict[str, Any]:
        if not _DIGITS.fullmatch(post_id):
            raise _Refused(400, _invalid_request("The `id` path parameter is not a post id"))
        hidden = body.get("hidden")
        if not isinstance(hidden, bool) or set(body) != {"hidden"}:
            raise _Refused(400, _invalid_request("$.hidden: a boolean is required"))
        post = self._posts.get(post_id)
        if post is None:
            raise _Refused(404, _post_not_found(post_id))
        # Only replies (not the root, not our own) in a conversation the account started can be hidden.
        root = self._posts.get(str(post.get("conversation_id", "")))
        started_by_user = post.get("in_reply_to_user_id") == user or (root is not None and root["author_id"] == user)
        refs = [ref for ref in _list(post.get("referenced_tweets")) if isinstance(ref, dict)]
        is_reply = "in_reply_to_user_id" in post or any(ref.get("type") == "replied_to" for ref in refs)
        if post["author_id"] == user or not is_reply or not started_by_user:
            raise _Refused(403, dict(_NOT_YOUR_CONVERSATION))
        if hidden:
            self._hidden.add(post_id)
        else:
            self._hidden.discard(post_id)
        self._record("hide", user, None, post_id, post_id, now, hidden=hidden)
        return {"data": {"hidden": hidden}}

    def _record(
        self, kind: WriteKind, user: str, text: str | None, target: str | None, item_id: str, now: float, **extra: Any
    ) -> None:
        at = iso(datetime.fromtimestamp(now, tz=UTC))
        self.sent.append(
            {"kind": kind, "account": user, "text": text, "target": target, "id": item_id, "at": at, **extra}
        )

    def _user_context_refusal(self, token: str | None, window: "_Window", limit: int) -> Answer | None:
        """A scripted failure, no token, or the app-only token where X wants a user's: the answer, else None."""
        if self._failures:
            status = self._failures.pop(0)
            if status == 429:
                return 429, _problem(429, _TITLES[429]), self._rate_headers(window, 0, limit)
            return status, _problem(status, _TITLES.get(status, "Error")), {}
        if token is None:
            return 401, _problem(401, _TITLES[401]), {}
        if self._bearer_token is not None and hmac.compare_digest(token.encode(), self._bearer_token.encode()):
            return 403, dict(_UNSUPPORTED_AUTHENTICATION), {}
        return None

    def is_hidden(self, post_id: str) -> bool:
        """Whether the reply `post_id` is hidden now."""
        with self._lock:
            return post_id in self._hidden

    # -- user context: the DM lookup and users/me -------------------------------------------------

    def _user_request(self, path: str, query: Mapping[str, str], headers: Mapping[str, str]) -> Answer:
        dms = path == _DM_EVENTS_PATH
        with self._lock:
            self.calls.append({"path": path, "query": dict(query)})
            now = self._clock()
            token = _bearer(headers)
            grant = self._access.get(token) if token is not None else None
            user = grant.user_id if grant is not None and now < grant.expires_at else None
            # A token this fake issued that expired or was revoked is refused in either mode.
            dead = token in self._retired or (grant is not None and user is None)
            limit = self._dm_limit if dms else self._limit
            window = self._window(f"{'dm_events' if dms else 'users_me'}:{user or '*'}", now)
            refusal = self._user_context_refusal(token, window, limit)
            if refusal is not None:
                return refusal
            if dead or (user is None and (self._user_tokens or not dms)):
                return 401, _problem(401, _TITLES[401]), {}
            if window.used >= limit:
                return 429, _problem(429, _TITLES[429]), self._rate_headers(window, 0, limit)
            window.used += 1
            rate = self._rate_headers(window, limit - window.used, limit)
            try:
                if dms:
                    return 200, self._dm_events(query, user), rate
                assert user is not None
                return 200, {"data": self._me(user, query)}, rate
            except _BadRequest as error:
                return 400, {**_problem(400, _TITLES[400], str(error)), "errors": [{"message": str(error)}]}, rate

    def _me(self, user: str, query: Mapping[str, str]) -> dict[str, Any]:
        unknown = sorted(set(query) - {"user.fields", "expansions", "tweet.fields"})
        if unknown:
            raise _BadRequest(f"The query parameters {unknown} are not supported by this endpoint")
        fields = _DEFAULT_USER_FIELDS | _fields(query, "user.fields", _USER_FIELDS)
        profile = {"id": user, "name": f"X user {user}", "username": f"user_{user[-8:]}", **self._users.get(user, {})}
        return {k: v for k, v in profile.items() if k in fields}

    def _dm_events(self, query: Mapping[str, str], user: str | None) -> dict[str, Any]:
        unknown = sorted(set(query) - _DM_PARAMS)
        if unknown:
            raise _BadRequest(f"The query parameters {unknown} are not supported by this endpoint")
        dm_fields = _fields(query, "dm_event.fields", _DM_EVENT_FIELDS) | _DEFAULT_DM_FIELDS
        event_types = _fields(query, "event_types", _DM_EVENT_TYPES) or _DM_EVENT_TYPES
        expansions = _fields(query, "expansions", _DM_EXPANSIONS)
        user_fields = _fields(query, "user.fields", _USER_FIELDS) | _DEFAULT_USER_FIELDS
        media_fields = _fields(query, "media.fields", _MEDIA_FIELDS) | _DEFAULT_MEDIA_FIELDS
        tweet_fields = _fields(query, "tweet.fields", _TWEET_FIELDS) | _DEFAULT_TWEET_FIELDS
        max_results = _int_param(query, "max_results", 100, 1, 100)
        scope = f"dm_events:{user or '*'}"
        token = query.get("pagination_token")
        if token is not None and len(token) < 16:
            raise _BadRequest("The `pagination_token` query parameter value is too short (minimum 16)")
        before = _decode_token(token, scope) if token else None

        selected = [
            event
            for event in sorted(self._dms.values(), key=lambda e: int(e["id"]), reverse=True)
            if (user is None or user in self._dm_participants[event["id"]])
            and event["event_type"] in event_types
            and (before is None or int(event["id"]) < before)
        ]
        page, more = selected[:max_results], len(selected) > max_results
        if not page:
            return {"meta": {"result_count": 0}}
        body: dict[str, Any] = {"data": [{k: v for k, v in e.items() if k in dm_fields} for e in page]}
        includes: dict[str, Any] = {}
        wanted: dict[str, None] = {}
        if "sender_id" in expansions:
            wanted.update(dict.fromkeys(e["sender_id"] for e in page if "sender_id" in e))
        if "participant_ids" in expansions:
            wanted.update(dict.fromkeys(p for e in page for p in _list(e.get("participant_ids")) if isinstance(p, str)))
        users = [{k: v for k, v in self._users[u].items() if k in user_fields} for u in wanted if u in self._users]
        if users:
            includes["users"] = users
        if "attachments.media_keys" in expansions:
            keys = dict.fromkeys(key for e in page for key in _media_keys(e))
            found = [{k: v for k, v in self._media[m].items() if k in media_fields} for m in keys if m in self._media]
            if found:
                includes["media"] = found
        if "referenced_tweets.id" in expansions:
            ids = dict.fromkeys(
                r.get("id") for e in page for r in _list(e.get("referenced_tweets")) if isinstance(r, dict)
            )
            posts = [{k: v for k, v in self._posts[i].items() if k in tweet_fields} for i in ids if i in self._posts]
            if posts:
                includes["tweets"] = posts
        if includes:
            body["includes"] = includes
        meta: dict[str, Any] = {"result_count": len(page)}
        if more:
            meta["next_token"] = _encode_token(scope, int(page[-1]["id"]))
        body["meta"] = meta
        return body

    # -- the OAuth 2.0 token endpoint (refresh grant) ---------------------------------------------

    def _token_request(self, path: str, headers: Mapping[str, str], body: bytes) -> Answer:
        with self._lock:
            self.calls.append({"path": path, "query": {}})  # the form holds secrets: never recorded
            if self._failures:
                status = self._failures.pop(0)
                return status, _problem(status, _TITLES.get(status, "Error")), {}
            content_type = _header(headers, "content-type") or ""
            if content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
                return 400, _oauth_error("invalid_request", "Content-Type must be form-urlencoded"), {}
            try:
                parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
            except (UnicodeDecodeError, ValueError):
                return 400, _oauth_error("invalid_request", "The request body is not a form"), {}
            if any(len(values) > 1 for values in parsed.values()):
                return 400, _oauth_error("invalid_request", "A parameter is repeated"), {}
            form = {name: values[0] for name, values in parsed.items()}
            if not self._client_authenticated(headers, form):
                return 401, _oauth_error("unauthorized_client", "Missing valid authorization header"), {}
            if form.get("grant_type") != "refresh_token":
                return 400, _oauth_error("unsupported_grant_type", "Only the refresh token grant is served"), {}
            user = self._refresh.pop(form.get("refresh_token", ""), None)  # single use: spent even if unused
            if user is None:
                return 400, _oauth_error("invalid_request", "Value passed for the token was invalid."), {}
            tokens = self._issue(user)
            return (
                200,
                {
                    "token_type": "bearer",
                    "expires_in": ACCESS_TOKEN_SECONDS,
                    "access_token": tokens.access_token,
                    "scope": USER_SCOPE,
                    "refresh_token": tokens.refresh_token,
                },
                {},
            )

    def _client_authenticated(self, headers: Mapping[str, str], form: Mapping[str, str]) -> bool:
        """Confidential clients send HTTP Basic client_id:client_secret; public clients only client_id."""
        value = _header(headers, "authorization")
        basic = _BASIC.fullmatch(value.strip()) if value else None
        if basic:
            try:
                client_id, colon, secret = base64.b64decode(basic.group(1), validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return False
            if not colon or not client_id:
                return False
            id_ok = self._client_id is None or hmac.compare_digest(client_id.encode(), self._client_id.encode())
            secret_ok = self._client_secret is None or hmac.compare_digest(
                secret.encode(), self._client_secret.encode()
            )
            return id_ok and secret_ok
        if value is not None or self._client_secret is not None:
            return False  # a confidential client must authenticate
        public_id = form.get("client_id")
        return bool(public_id) and (self._client_id is None or public_id == self._client_id)

    # -- the timelines ----------------------------------------------------------------------------

    def _timeline(self, query: Mapping[str, str], user_id: str | None) -> dict[str, Any]:
        allowed = _COMMON_PARAMS if user_id is not None else _SEARCH_PARAMS
        unknown = sorted(set(query) - allowed)
        if unknown:
            raise _BadRequest(f"The query parameters {unknown} are not supported by this endpoint")
        tweet_fields = _fields(query, "tweet.fields", _TWEET_FIELDS) | _DEFAULT_TWEET_FIELDS
        user_fields = _fields(query, "user.fields", _USER_FIELDS) | _DEFAULT_USER_FIELDS
        media_fields = _fields(query, "media.fields", _MEDIA_FIELDS) | _DEFAULT_MEDIA_FIELDS
        expansions = _fields(query, "expansions", _EXPANSIONS)
        _fields(query, "place.fields", None)
        _fields(query, "poll.fields", None)

        if user_id is not None:
            if not _DIGITS.fullmatch(user_id):
                raise _BadRequest("The `id` path parameter is not a user id")
            matches: Callable[[dict[str, Any]], bool] = lambda post: user_id in _mention_ids(post)  # noqa: E731
            token_scope = f"mentions:{user_id}"
            max_results = _int_param(query, "max_results", 10, 5, 100)
            token = query.get("pagination_token")
        else:
            text = query.get("query", "")
            if not text.strip() or len(text) > MAX_QUERY_LENGTH:
                raise _BadRequest(f"The `query` parameter must have 1 to {MAX_QUERY_LENGTH} characters")
            predicate = _parse_query(text)
            matches = lambda post: predicate(_View(post, self._users))  # noqa: E731
            token_scope = f"search:{text}"
            max_results = _int_param(query, "max_results", 10, 10, 100)
            token = query.get("next_token") or query.get("pagination_token")

        since_id, until_id = _id_param(query, "since_id"), _id_param(query, "until_id")
        start_time, end_time = _time_param(query, "start_time"), _time_param(query, "end_time")
        before = _decode_token(token, token_scope) if token else None

        selected: list[dict[str, Any]] = []
        for post in sorted(self._posts.values(), key=lambda p: int(p["id"]), reverse=True):
            number = int(post["id"])
            if (since_id is not None and number <= since_id) or (until_id is not None and number >= until_id):
                continue
            if before is not None and number >= before:
                continue
            created = _post_time(post)
            if (start_time is not None and created < start_time) or (end_time is not None and created >= end_time):
                continue
            if matches(post):
                selected.append(post)
        page, more = selected[:max_results], len(selected) > max_results
        if not page:
            return {"meta": {"result_count": 0}}

        meta: dict[str, Any] = {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"], "result_count": len(page)}
        if more:
            meta["next_token"] = _encode_token(token_scope, int(page[-1]["id"]))
        body: dict[str, Any] = {"data": [{k: v for k, v in p.items() if k in tweet_fields} for p in page]}
        includes: dict[str, Any] = {}
        if "author_id" in expansions:
            authors = dict.fromkeys(p["author_id"] for p in page)
            includes["users"] = [
                {k: v for k, v in self._users[a].items() if k in user_fields} for a in authors if a in self._users
            ]
        if "attachments.media_keys" in expansions:
            keys = dict.fromkeys(key for p in page for key in _media_keys(p))
            found = [{k: v for k, v in self._media[m].items() if k in media_fields} for m in keys if m in self._media]
            if found:
                includes["media"] = found
        if includes:
            body["includes"] = includes
        body["meta"] = meta
        return body


def _write_endpoint(verb: str, path: str) -> tuple[WriteKind, str | None] | None:
    if verb == "POST" and path == _TWEETS_PATH:
        return "post", None
    dm = _DM_CREATE_PATH.fullmatch(path)
    if verb == "POST" and dm:
        return "dm", dm.group(1)
    hidden = _HIDDEN_PATH.fullmatch(path)
    if verb == "PUT" and hidden:
        return "hide", hidden.group(1)
    return None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


def _bearer(headers: Mapping[str, str]) -> str | None:
    value = _header(headers, "authorization")
    match = _BEARER.fullmatch(value.strip()) if isinstance(value, str) else None
    return match.group(1) if match else None


def _fields(query: Mapping[str, str], name: str, known: frozenset[str] | None) -> frozenset[str]:
    raw = query.get(name)
    if raw is None:
        return frozenset()
    values = frozenset(v for v in raw.split(",") if v)
    unknown = sorted(values - known) if known is not None else []
    if unknown or not values:
        raise _BadRequest(f"The `{name}` query parameter value {unknown or [raw]} is not one of the allowed values")
    return values


def _int_param(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise _BadRequest(f"The `{name}` query parameter value [{raw}] is not between {low} and {high}")
    return int(raw)


def _id_param(query: Mapping[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw is None:
        return None
    if not _DIGITS.fullmatch(raw):
        raise _BadRequest(f"The `{name}` query parameter value [{raw}] is not valid")
    return int(raw)


def _time_param(query: Mapping[str, str], name: str) -> datetime | None:
    raw = query.get(name)
    if raw is None:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise _BadRequest(f"Invalid {name} [{raw}]: use YYYY-MM-DDTHH:mm:ssZ") from None
    if parsed.tzinfo is None:
        raise _BadRequest(f"Invalid {name} [{raw}]: use YYYY-MM-DDTHH:mm:ssZ")
    return parsed


def _encode_token(scope: str, before: int) -> str:
    digest = hashlib.sha256(scope.encode()).hexdigest()[:12]
    return base64.urlsafe_b64encode(f"{digest}:{before}".encode()).decode().rstrip("=")


def _decode_token(token: str, scope: str) -> int:
    """The id a page token continues below; 400 for a token of another query or user, like X."""
    try:
        digest, _, before = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _BadRequest("The pagination token is not valid") from None
    if digest != hashlib.sha256(scope.encode()).hexdigest()[:12] or not _DIGITS.fullmatch(before):
        raise _BadRequest("The pagination token is not valid")
    return int(before)


def _post_time(post: dict[str, Any]) -> datetime:
    value = post.get("created_at")
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return snowflake_time(post["id"])


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _entity_sets(post: dict[str, Any]) -> list[dict[str, Any]]:
    note = _dict(post.get("note_tweet"))
    return [e for e in (post.get("entities"), note.get("entities")) if isinstance(e, dict)]


def _entities(post: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [item for entities in _entity_sets(post) for item in _list(entities.get(kind)) if isinstance(item, dict)]


def _mention_ids(post: dict[str, Any]) -> set[str]:
    return {m["id"] for m in _entities(post, "mentions") if isinstance(m.get("id"), str)}


def _media_keys(post: dict[str, Any]) -> list[str]:
    attachments = _dict(post.get("attachments"))
    keys = attachments.get("media_keys")
    return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []


def _fold(value: str) -> str:
    """Case- and width-insensitive form (full-width Latin and half-width kana match their usual forms)."""
    return unicodedata.normalize("NFKC", value).casefold()


# -- the query language ---------------------------------------------------------------------------


class _View:
    """What the query operators look at in one stored post."""

    def __init__(self, post: dict[str, Any], users: Mapping[str, dict[str, Any]]) -> None:
        note = _dict(post.get("note_tweet"))
        text = note.get("text") if isinstance(note.get("text"), str) else post.get("text")
        self.post = post
        self.text = _fold(text if isinstance(text, str) else "")
        self.author = users.get(post["author_id"], {})
        self.users = users
        refs = _list(post.get("referenced_tweets"))
        self.ref_types = {r.get("type") for r in refs if isinstance(r, dict)}


Predicate = Callable[[_View], bool]


def _handle_match(handle: str) -> Predicate:
    wanted = _fold(handle)
    pattern = re.compile("@" + re.escape(wanted) + r"(?![a-z0-9_])")

    def check(view: _View) -> bool:
        named = {_fold(str(m.get("username", ""))) for m in _entities(view.post, "mentions")}
        return wanted in named or bool(pattern.search(view.text))

    return check


def _hashtag_match(tag: str) -> Predicate:
    wanted = _fold(tag)
    pattern = re.compile("#" + re.escape(wanted) + r"(?!\w)")

    def check(view: _View) -> bool:
        tags = {_fold(str(h.get("tag", ""))) for h in _entities(view.post, "hashtags")}
        return wanted in tags or bool(pattern.search(view.text))

    return check


def _user_match(value: str, field: str) -> Predicate:
    wanted = _fold(value)

    def user_is(user_id: Any, view: _View) -> bool:
        user = view.users.get(user_id, {}) if isinstance(user_id, str) else {}
        return user_id == value or _fold(str(user.get("username", ""))) == wanted

    if field == "from":
        return lambda view: user_is(view.post.get("author_id"), view)
    return lambda view: user_is(view.post.get("in_reply_to_user_id"), view)


_IS = {
    "retweet": lambda view: "retweeted" in view.ref_types,
    "reply": lambda view: "replied_to" in view.ref_types,
    "quote": lambda view: "quoted" in view.ref_types,
    "verified": lambda view: view.author.get("verified") is True,
}
_HAS = {
    "media": lambda view: bool(_media_keys(view.post)),
    "links": lambda view: bool(_entities(view.post, "urls")),
    "mentions": lambda view: bool(_entities(view.post, "mentions")),
    "hashtags": lambda view: bool(_entities(view.post, "hashtags")),
}
_OPERATOR = re.compile(r"([a-z_]+):(.+)")


def _operator(name: str, value: str) -> Predicate:
    if name in ("from", "to"):
        return _user_match(value.removeprefix("@"), name)
    if name == "lang":
        return lambda view: _fold(str(view.post.get("lang", ""))) == _fold(value)
    if name == "conversation_id":
        return lambda view: view.post.get("conversation_id") == value
    if name == "url":
        wanted = _fold(value)
        return lambda view: any(wanted in _fold(str(u.get("expanded_url", ""))) for u in _entities(view.post, "urls"))
    table = _IS if name == "is" else _HAS if name == "has" else None
    if table is None or value not in table:
        raise _BadRequest(f"There were errors processing your request: Reference to invalid operator '{name}:{value}'")
    check: Predicate = table[value]
    return check


def _word(word: str) -> Predicate:
    if word.startswith("@") and len(word) > 1:
        return _handle_match(word[1:])
    if word.startswith("#") and len(word) > 1:
        return _hashtag_match(word[1:])
    operator = _OPERATOR.fullmatch(word)
    if operator and not operator.group(2).startswith("//"):  # a bare URL is a term, not an operator
        return _operator(operator.group(1), operator.group(2))
    return _phrase(word)


def _phrase(text: str) -> Predicate:
    # Substring, not word match: Japanese has no spaces between words.
    wanted = _fold(text)
    return lambda view: wanted in view.text


def _tokens(query: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(query):
        char = query[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append((char, char))
            i += 1
        elif char == "-":
            if i + 1 >= len(query) or query[i + 1].isspace() or query[i + 1] == ")":
                raise _BadRequest("There were errors processing your request: a negation applies to nothing")
            tokens.append(("NOT", "-"))
            i += 1
        elif char == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise _BadRequest("There were errors processing your request: unterminated quoted phrase")
            if not query[i + 1 : end].strip():
                raise _BadRequest("There were errors processing your request: empty quoted phrase")
            tokens.append(("PHRASE", query[i + 1 : end]))
            i = end + 1
        else:
            end = i
            while end < len(query) and not query[end].isspace() and query[end] not in '()"':
                end += 1
            word = query[i:end]
            tokens.append(("OR", word) if word == "OR" else ("WORD", word))
            i = end
    return tokens


class _Parser:
    """AND (juxtaposition) binds tighter than OR, as X evaluates it; `-` negates one atom or group."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at][0] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.any_of()
        if self.peek() is not None:
            raise _BadRequest("There were errors processing your request: unbalanced parentheses")
        return predicate

    def any_of(self) -> Predicate:
        options = [self.all_of()]
        while self.peek() == "OR":
            self.take()
            options.append(self.all_of())
        return options[0] if len(options) == 1 else (lambda view: any(option(view) for option in options))

    def all_of(self) -> Predicate:
        parts: list[Predicate] = []
        while self.peek() not in (None, ")", "OR"):
            parts.append(self.unary())
        if not parts:
            raise _BadRequest("There were errors processing your request: an empty clause")
        return parts[0] if len(parts) == 1 else (lambda view: all(part(view) for part in parts))

    def unary(self) -> Predicate:
        if self.peek() == "NOT":
            self.take()
            if self.peek() in (None, ")", "OR", "NOT"):
                raise _BadRequest("There were errors processing your request: a negation applies to nothing")
            inner = self.primary()
            return lambda view: not inner(view)
        return self.primary()

    def primary(self) -> Predicate:
        kind, value = self.take()
        if kind == "(":
            inner = self.any_of()
            if self.peek() != ")":
                raise _BadRequest("There were errors processing your request: unbalanced parentheses")
            self.take()
            return inner
        if kind == ")":
            raise _BadRequest("There were errors processing your request: unbalanced parentheses")
        return _phrase(value) if kind == "PHRASE" else _word(value)


def _parse_query(query: str) -> Predicate:
    """A predicate over stored posts for a practical subset of X's search syntax; _BadRequest otherwise.

    Terms AND-ed by spaces, OR, parentheses, "quoted phrases", -negation, lang:, is:retweet|reply|quote|
    verified, has:media|links|mentions|hashtags, from:, to:, url:, conversation_id:, @handle, #tag.
    """
    return _Parser(_tokens(query)).parse()
