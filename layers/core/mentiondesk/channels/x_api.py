"""X API v2 reads for the scheduled pollers: recent search, our account's mentions timeline, and our
account's Direct Messages (user context: the DM lookup refuses the app-only bearer token).

One request per call and no retries: the poller owns cursors, back-off and budgets. A page comes back
normalised to InboundMessage, with the ids of every post, DM event and user object X returned (each is billed).
"""

import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import ValidationError

from mentiondesk.clock import iso
from mentiondesk.errors import MentiondeskError
from mentiondesk.models import Author, InboundMessage, MediaRef, MessageKind

API_BASE_URL = "https://api.x.com"
MAX_QUERY_LENGTH = 512
RATE_WINDOW_SECONDS = 900  # X's limits are per 15 minutes; used when a 429 carries no usable reset
SNOWFLAKE_EPOCH_MS = 1288834974657  # X ids carry their creation time in milliseconds since this epoch

TWEET_FIELDS = (
    "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,lang,entities,attachments,note_tweet"
)
EXPANSIONS = "author_id,attachments.media_keys"
USER_FIELDS = "username,name,verified,public_metrics"
MEDIA_FIELDS = "type,url,preview_image_url"
_FIELDS = {
    "tweet.fields": TWEET_FIELDS,
    "expansions": EXPANSIONS,
    "user.fields": USER_FIELDS,
    "media.fields": MEDIA_FIELDS,
}
# GET /2/dm_events: MessageCreate events with their sender (user object) and attached media.
DM_EVENT_FIELDS = "id,event_type,text,sender_id,dm_conversation_id,created_at,attachments,referenced_tweets"
DM_EXPANSIONS = "sender_id,attachments.media_keys"
_DM_FIELDS = {
    "dm_event.fields": DM_EVENT_FIELDS,
    "event_types": "MessageCreate",
    "expansions": DM_EXPANSIONS,
    "user.fields": USER_FIELDS,
    "media.fields": MEDIA_FIELDS,
}

Source = Literal["search", "mentions"]

_DIGITS = re.compile(r"[0-9]{1,20}")
_USERNAME = re.compile(r"[A-Za-z0-9_]{1,50}")
_HEADER_INT = re.compile(r"[0-9]{1,15}")
# X's language codes for posts with no language of their own: und (undetermined), zxx (media, cards),
# and the ISO 639 private-use range qaa-qtz (qme media only, qht hashtags only, qam mentions only, ...).
_NO_LANGUAGE = re.compile(r"und|zxx|mis|mul|q[a-t][a-z]")
_OWN_MEDIA_LINK = re.compile(
    r"https?://(?:www\.|mobile\.)?(?:x|twitter)\.com/[^/?#]+/status/([0-9]+)/(?:photo|video)/[0-9]+/?",
    re.IGNORECASE,
)
_RATE_HEADERS = ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset")


# -- rate limits and errors -----------------------------------------------------------------------


@dataclass(frozen=True)
class RateLimit:
    """X's `x-rate-limit-*` headers of one answer."""

    limit: int | None
    remaining: int | None
    reset: int | None  # epoch seconds from x-rate-limit-reset

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> "RateLimit | None":
        """The rate-limit headers, matched case-insensitively; None when X sent none of them.
        A value that is not a whole number is read as None."""
        lowered = {str(name).lower(): value for name, value in headers.items()}
        if not any(name in lowered for name in _RATE_HEADERS):
            return None
        limit, remaining, reset = (_header_int(lowered.get(name)) for name in _RATE_HEADERS)
        return cls(limit=limit, remaining=remaining, reset=reset)


def _header_int(value: Any) -> int | None:
    if not isinstance(value, str) or not _HEADER_INT.fullmatch(value.strip()):
        return None
    return int(value.strip())


class XRateLimited(MentiondeskError):
    """HTTP 429: the endpoint's window is spent; try again at `reset` (epoch seconds)."""

    def __init__(self, reset: int, rate: RateLimit | None = None) -> None:
        super().__init__(f"X rate limit reached; the window resets at {reset}")
        self.reset = reset
        self.rate = rate


class XApiError(MentiondeskError):
    """Transient: 5xx, timeout, connection error or an answer we cannot read. Keep the cursor, retry later."""

    def __init__(self, message: str, status: int | None = None, problem: str | None = None) -> None:
        super().__init__(message)
        self.status = status  # None when no HTTP answer arrived
        self.problem = problem  # X's problem `type` (or `title`) when the body carried one


class XApiRefused(MentiondeskError):
    """Permanent: X refused the request itself (bad query or cursor, revoked token, suspended account)."""

    def __init__(self, message: str, status: int, problem: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.problem = problem


# -- pages ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One answer of a timeline endpoint (or of the DM lookup), normalised."""

    posts: list[InboundMessage]  # customer posts or DMs (own posts, retweets and own DMs left out)
    skipped: dict[str, int]  # counted, not returned: own_post, retweet, malformed (DMs: own_dm, other_event)
    post_ids: list[str]  # every post (or DM event) object X returned in data: billing counts them all
    user_ids: list[str]  # every user object in includes.users: billed as user reads
    newest_id: str | None
    next_token: str | None
    result_count: int
    rate: RateLimit | None


def parse_page(body: Any, account_id: str, *, source: Source, rate: RateLimit | None = None) -> Page:
    """A v2 timeline body (search or mentions) as a Page for our account `account_id`.

    A post we cannot use (no id, no text, no author) is counted as malformed rather than failing the
    page; a body whose overall shape is wrong raises XApiError. X omits `data` on empty pages and on
    answers that only carry `errors`: both are empty pages.
    """
    data, meta, users, user_ids, media = _sections(body)
    posts: list[InboundMessage] = []
    post_ids: list[str] = []
    skipped = {"own_post": 0, "retweet": 0, "malformed": 0}
    for item in data:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
            post_ids.append(item["id"])
        outcome = _normalize(item, account_id, source, users, media)
        if isinstance(outcome, InboundMessage):
            posts.append(outcome)
        else:
            skipped[outcome] += 1

    return Page(
        posts=posts,
        skipped=skipped,
        post_ids=post_ids,
        user_ids=user_ids,
        newest_id=_str_or_none(meta.get("newest_id")),
        next_token=_str_or_none(meta.get("next_token")),
        result_count=_count(meta),
        rate=rate,
    )


def parse_dm_page(body: Any, account_id: str, rate: RateLimit | None = None) -> Page:
    """A `GET /2/dm_events` body as a Page of the DMs customers sent our account `account_id`.

    DMs keep the webhook's conventions (`x.normalize_dm`): kind "dm", conversation `dm:{sender}`, the DM
    event id as native id (X shares DM event ids across v1.1, v2 and webhooks), so a DM seen both ways is
    one message. DMs we sent are counted as own_dm; other event types as other_event. The DM meta has no
    newest_id: the page's is its largest event id (ids are snowflakes, newest first).
    """
    data, meta, users, user_ids, media = _sections(body)
    posts: list[InboundMessage] = []
    event_ids: list[str] = []
    skipped = {"own_dm": 0, "other_event": 0, "malformed": 0}
    for item in data:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
            event_ids.append(item["id"])
        outcome = _normalize_dm(item, account_id, users, media)
        if isinstance(outcome, InboundMessage):
            posts.append(outcome)
        else:
            skipped[outcome] += 1
    numeric = [int(i) for i in event_ids if _DIGITS.fullmatch(i)]
    return Page(
        posts=posts,
        skipped=skipped,
        post_ids=event_ids,
        user_ids=user_ids,
        newest_id=str(max(numeric)) if numeric else None,
        next_token=_str_or_none(meta.get("next_token")),
        result_count=_count(meta),
        rate=rate,
    )


def _sections(
    body: Any,
) -> tuple[list[Any], dict[str, Any], dict[str, dict[str, Any]], list[str], dict[str, dict[str, Any]]]:
    """data, meta, users by id, every user id in includes.users, media by key; XApiError on a wrong shape."""
    if not isinstance(body, dict):
        raise XApiError("the X API answered something that is not a JSON object", 200)
    data = _section(body, "data", list)
    includes = _section(body, "includes", dict)
    meta = _section(body, "meta", dict)
    raw_users = _section(includes, "includes.users", list, key="users")
    raw_media = _section(includes, "includes.media", list, key="media")

    users: dict[str, dict[str, Any]] = {}
    user_ids: list[str] = []
    for user in raw_users:
        if isinstance(user, dict) and isinstance(user.get("id"), str):
            user_ids.append(user["id"])
            users.setdefault(user["id"], user)
    media = {
        item["media_key"]: item
        for item in raw_media
        if isinstance(item, dict) and isinstance(item.get("media_key"), str)
    }
    return data, meta, users, user_ids, media


def _count(meta: dict[str, Any]) -> int:
    result_count = meta.get("result_count")
    return result_count if isinstance(result_count, int) and not isinstance(result_count, bool) else 0


def _section(parent: dict[str, Any], what: str, kind: type, *, key: str | None = None) -> Any:
    value = parent.get(key or what)
    if value is None:
        return kind()
    if not isinstance(value, kind):
        raise XApiError(f"the X API answer's {what} is not a {kind.__name__}", 200)
    return value


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


SkipReason = Literal["own_post", "retweet", "malformed"]


def _normalize(
    item: Any,
    account_id: str,
    source: Source,
    users: Mapping[str, dict[str, Any]],
    media: Mapping[str, dict[str, Any]],
) -> InboundMessage | SkipReason:
    if not isinstance(item, dict):
        return "malformed"
    post_id = item.get("id")
    note = _dict(item.get("note_tweet"))
    # A long post's `text` is cut at 280 characters; the whole of it is in note_tweet.
    text = note.get("text") if isinstance(note.get("text"), str) else item.get("text")
    if not isinstance(post_id, str) or not _DIGITS.fullmatch(post_id) or not isinstance(text, str):
        return "malformed"
    referenced = [ref for ref in _list(item.get("referenced_tweets")) if isinstance(ref, dict)]
    if any(ref.get("type") == "retweeted" for ref in referenced):
        return "retweet"
    author_id = item.get("author_id")
    if author_id == account_id:
        return "own_post"
    if not isinstance(author_id, str) or not _DIGITS.fullmatch(author_id):
        return "malformed"  # no customer to open a ticket for (the request always expands author_id)

    # The top-level entities cover only the first 280 characters of a long post; note_tweet's the rest.
    entity_sets = [e for e in (item.get("entities"), note.get("entities")) if isinstance(e, dict)]
    mentions_us = any(
        isinstance(mention, dict) and mention.get("id") == account_id
        for entities in entity_sets
        for mention in _list(entities.get("mentions"))
    )
    reply_to = next(
        (ref["id"] for ref in referenced if ref.get("type") == "replied_to" and isinstance(ref.get("id"), str)),
        None,
    )
    quotes = any(ref.get("type") == "quoted" for ref in referenced)
    addressed = mentions_us or source == "mentions"
    kind: MessageKind
    if item.get("in_reply_to_user_id") == account_id:
        kind = "reply"
    elif quotes and addressed:
        kind = "quote"
    elif addressed:
        kind = "mention"
    else:
        kind = "post"  # found by keyword: neither mentions nor answers us

    created_at = _created_at(item.get("created_at"), post_id)
    author = _author(author_id, users)
    handle = author.handle
    lang = item.get("lang")
    conversation_id = item.get("conversation_id")
    try:
        return InboundMessage(
            platform="x",
            account_id=account_id,
            native_id=post_id,
            kind=kind,
            conversation_id=conversation_id if isinstance(conversation_id, str) and conversation_id else post_id,
            reply_to=reply_to,
            author=author,
            text=text,
            lang_hint=lang if isinstance(lang, str) and lang and not _NO_LANGUAGE.fullmatch(lang) else None,
            created_at=created_at,
            url=f"https://x.com/{handle}/status/{post_id}" if handle else f"https://x.com/i/web/status/{post_id}",
            media=_media_refs(item, post_id, media, entity_sets),
        )
    except ValidationError:
        return "malformed"


DmSkipReason = Literal["own_dm", "other_event", "malformed"]


def _normalize_dm(
    item: Any,
    account_id: str,
    users: Mapping[str, dict[str, Any]],
    media: Mapping[str, dict[str, Any]],
) -> InboundMessage | DmSkipReason:
    if not isinstance(item, dict):
        return "malformed"
    event_id = item.get("id")
    event_type = item.get("event_type")
    if not isinstance(event_id, str) or not _DIGITS.fullmatch(event_id) or not isinstance(event_type, str):
        return "malformed"
    if event_type != "MessageCreate":
        return "other_event"  # ParticipantsJoin / ParticipantsLeave of group conversations
    sender = item.get("sender_id")
    if sender == account_id:
        return "own_dm"
    text = item.get("text")
    if not isinstance(sender, str) or not _DIGITS.fullmatch(sender) or not isinstance(text, str):
        return "malformed"  # no customer to open a ticket for (the request always asks for sender_id)
    refs = list(_media_refs(item, event_id, media, ()))
    for shared in _list(item.get("referenced_tweets")):
        shared_id = shared.get("id") if isinstance(shared, dict) else None
        if isinstance(shared_id, str) and _DIGITS.fullmatch(shared_id):
            refs.append(MediaRef(type="link", url=f"https://x.com/i/web/status/{shared_id}"))
    try:
        return InboundMessage(
            platform="x",
            account_id=account_id,
            native_id=event_id,
            kind="dm",
            conversation_id=f"dm:{sender}",  # as x.normalize_dm: all DMs of one customer, one conversation
            author=_author(sender, users),
            text=text,
            created_at=_created_at(item.get("created_at"), event_id),
            media=tuple(refs),
        )
    except ValidationError:
        return "malformed"


def _author(user_id: str, users: Mapping[str, dict[str, Any]]) -> Author:
    """The author as includes.users describes them; only the id when X sent no user object."""
    user = users.get(user_id, {})
    username = user.get("username")
    followers = _dict(user.get("public_metrics")).get("followers_count")
    return Author(
        platform_user_id=user_id,
        handle=username if isinstance(username, str) and _USERNAME.fullmatch(username) else None,
        display_name=user.get("name") if isinstance(user.get("name"), str) else None,
        followers=followers if isinstance(followers, int) and not isinstance(followers, bool) else None,
        verified=user.get("verified") is True,
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _created_at(value: Any, post_id: str) -> str:
    """created_at as our ISO form; when absent or unreadable, the time the post id itself encodes."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
            return iso(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
        except (ValueError, OverflowError):  # OverflowError: in UTC it falls outside years 1-9999
            pass
    return iso(snowflake_time(post_id))


def snowflake_time(post_id: str) -> datetime:
    """When X created the object with this id (ids since 2010 are snowflakes: milliseconds << 22)."""
    return datetime.fromtimestamp(((int(post_id) >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, tz=UTC)


def _media_refs(
    item: dict[str, Any],
    post_id: str,
    media: Mapping[str, dict[str, Any]],
    entity_sets: Iterable[dict[str, Any]],
) -> tuple[MediaRef, ...]:
    refs: list[MediaRef] = []
    attachments = _dict(item.get("attachments"))
    for key in _list(attachments.get("media_keys")):
        found = media.get(key) if isinstance(key, str) else None
        if not found:
            continue
        url = found.get("url") or found.get("preview_image_url")
        kind = found.get("type")
        if isinstance(url, str) and url:
            refs.append(MediaRef(type=kind if isinstance(kind, str) and kind else "media", url=url))
    seen = {ref.url for ref in refs}
    for entities in entity_sets:
        for link in _list(entities.get("urls")):
            if not isinstance(link, dict) or link.get("media_key"):
                continue  # the attachment itself, already listed above
            expanded = link.get("expanded_url")
            if not isinstance(expanded, str) or not expanded.lower().startswith(("https://", "http://")):
                continue
            own_media = _OWN_MEDIA_LINK.match(expanded)
            if (own_media and own_media.group(1) == post_id) or expanded in seen:
                continue
            seen.add(expanded)
            refs.append(MediaRef(type="link", url=expanded))
    return tuple(refs)


# -- the client -----------------------------------------------------------------------------------


class XApiClient:
    """GET /2/tweets/search/recent and GET /2/users/:id/mentions with the app-only bearer token;
    GET /2/dm_events and GET /2/users/me with an account's OAuth 2.0 user access token."""

    def __init__(
        self,
        bearer_token: Callable[[], str],
        *,
        base_url: str = API_BASE_URL,
        session: Any = None,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._bearer_token = bearer_token
        self._base_url = base_url.rstrip("/")
        self._session = session
        self._timeout = timeout
        self._clock = clock

    def search_recent(
        self,
        account_id: str,
        query: str,
        *,
        since_id: str | None = None,
        start_time: str | None = None,
        next_token: str | None = None,
        max_results: int = 100,
    ) -> Page:
        """One page of posts of the last seven days matching `query`, for our account `account_id`."""
        _check_id(account_id, "account id")
        if not query.strip() or len(query) > MAX_QUERY_LENGTH:
            raise XApiRefused(f"the search query must have 1 to {MAX_QUERY_LENGTH} characters", 400)
        params = {"query": query, "max_results": str(min(max(max_results, 10), 100))}
        params.update(_window(since_id, start_time))
        if next_token:
            params["next_token"] = next_token
        body, rate = self._get("/2/tweets/search/recent", params)
        return parse_page(body, account_id, source="search", rate=rate)

    def mentions(
        self,
        account_id: str,
        *,
        since_id: str | None = None,
        start_time: str | None = None,
        pagination_token: str | None = None,
        max_results: int = 100,
    ) -> Page:
        """One page of posts mentioning our account (an owned read, X's cheapest)."""
        _check_id(account_id, "account id")  # it becomes part of the path: digits only
        params = {"max_results": str(min(max(max_results, 5), 100))}
        params.update(_window(since_id, start_time))
        if pagination_token:
            params["pagination_token"] = pagination_token
        body, rate = self._get(f"/2/users/{account_id}/mentions", params)
        return parse_page(body, account_id, source="mentions", rate=rate)

    def dm_events(
        self, account_id: str, token: str, *, pagination_token: str | None = None, max_results: int = 100
    ) -> Page:
        """One page (newest first) of the DM events of our account `account_id`, read with that account's
        user access token `token`. X offers no since_id here: the caller stops paging at what it has seen."""
        _check_id(account_id, "account id")
        params = {"max_results": str(min(max(max_results, 1), 100))}
        if pagination_token:
            params["pagination_token"] = pagination_token
        body, rate = self._get("/2/dm_events", params, token=token, fields=_DM_FIELDS)
        return parse_dm_page(body, account_id, rate)

    def me(self, token: str) -> str:
        """The id of the X user whose access token `token` is (XApiRefused when X refuses the token)."""
        body, _ = self._get("/2/users/me", {}, token=token, fields={})
        data = body.get("data") if isinstance(body, dict) else None
        user_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(user_id, str) or not _DIGITS.fullmatch(user_id):
            raise XApiError("the X API's users/me answer carries no user id", 200)
        return user_id

    def _get(
        self, path: str, params: dict[str, str], *, token: str | None = None, fields: Mapping[str, str] = _FIELDS
    ) -> tuple[Any, RateLimit | None]:
        """One GET with the app's bearer token, or with the user access token `token` when one is given."""
        import requests

        session = self._session if self._session is not None else requests.Session()
        self._session = session
        if token is None:
            bearer = self._bearer_token().strip()
            if not bearer:
                # The stack's placeholder secret, not yet filled in: a refusal an admin must act on.
                raise XApiRefused("the X app's bearer token is not set (XApiSecretArn)", 401, "missing_token")
        else:
            bearer = token.strip()
            if not bearer:
                raise XApiRefused("no X user access token was given", 401, "missing_token")
        headers = {"Authorization": f"Bearer {bearer}", "Accept": "application/json"}
        try:
            response = session.get(
                f"{self._base_url}{path}", params={**params, **fields}, headers=headers, timeout=self._timeout
            )
        except requests.Timeout as error:
            raise XApiError("the X API timed out") from error
        except requests.RequestException as error:  # connection refused, reset, DNS, TLS
            raise XApiError("the X API could not be reached") from error
        status = int(response.status_code)
        rate = RateLimit.from_headers(getattr(response, "headers", None) or {})
        if status == 200:
            try:
                body = response.json()
            except ValueError as error:
                raise XApiError("the X API answered something that is not JSON", status) from error
            return body, rate
        if status == 429:
            reset = rate.reset if rate is not None and rate.reset is not None else None
            raise XRateLimited(reset if reset is not None else int(self._clock()) + RATE_WINDOW_SECONDS, rate)
        problem = _problem(response)
        if 400 <= status < 500:
            raise XApiRefused(f"the X API refused the request (HTTP {status})", status, problem)
        raise XApiError(f"the X API answered HTTP {status}", status, problem)


def _check_id(value: str | None, what: str) -> None:
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        raise XApiRefused(f"the {what} is not an X id", 400)


def _window(since_id: str | None, start_time: str | None) -> dict[str, str]:
    params: dict[str, str] = {}
    if since_id:
        _check_id(since_id, "since_id")
        params["since_id"] = since_id
    if start_time:
        params["start_time"] = _rfc3339(start_time)
    return params


def _rfc3339(value: str) -> str:
    """Any ISO-8601 instant as X's `YYYY-MM-DDTHH:mm:ssZ` (naive values are taken as UTC)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise XApiRefused("start_time is not an ISO-8601 timestamp", 400) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _problem(response: Any) -> str | None:
    """X's problem `type` (or `title`) from an error body; never its detail, which may quote input."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    for key in ("type", "title"):
        if isinstance(body.get(key), str) and body[key] != "about:blank":
            return str(body[key])
    return None
