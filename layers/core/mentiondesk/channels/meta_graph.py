"""Instagram mention content through the Meta Graph API, and enrichment of id-only mention events.

Meta's `mentions` webhook carries only ids (media_id, plus comment_id when the @mention is in a
comment). The content is read from our own IG user node with a field expansion:
`GET /{ig-user-id}?fields=mentioned_comment.comment_id({id}){...}` or
`...mentioned_media.media_id({id}){...}`, with a Page/Instagram access token for that account.
One request per call and no retries: the webhook answers 5xx on a transient error and Meta redelivers.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeGuard

from mentiondesk.channels.meta import UNKNOWN_AUTHOR_ID
from mentiondesk.clock import iso
from mentiondesk.errors import MentiondeskError
from mentiondesk.models import Author, InboundEvent, InboundMessage, MediaRef

GRAPH_BASE_URL = "https://graph.facebook.com/v26.0"  # v26.0: 2026-07-29, the current version

# `mentioned_comment` documents id, text, timestamp, like_count and media (expandable); username and
# `from` are IG Comment fields the reference does not list for this edge. `mentioned_media` documents
# caption, media_type, media_url, timestamp, username (owner only for the app user's own media);
# permalink is an IG Media field it does not list. Graph refuses the whole request (#100) for a field
# the node does not have: such a refusal shows up in the "refused" count of enrich_mentions.
COMMENT_FIELDS = "id,text,timestamp,username,from,media{id,permalink}"
MEDIA_FIELDS = "id,caption,timestamp,username,permalink,media_type,media_url"
# Only what the reference lists: asked once if Graph refuses the richer lists above (#100).
DOCUMENTED_COMMENT_FIELDS = "id,text,timestamp,media"
DOCUMENTED_MEDIA_FIELDS = "id,caption,timestamp,username,media_type,media_url"

# The User Profile APIs: Instagram (IGSID; username from v14.0) and Messenger (PSID).
INSTAGRAM_SENDER_FIELDS = "name,username,follower_count,is_verified_user"
MESSENGER_SENDER_FIELDS = "first_name,last_name"

_DIGITS = re.compile(r"[0-9]{1,30}")
# Graph's own "wait and retry" codes, sent with 4xx statuses: 1 unknown, 2 service, 4/17/32/613
# throttling, 341 application limit; 80000-80099 business-use-case rate limits (Instagram: 80002).
_TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 341, 613})


class MetaGraphError(MentiondeskError):
    """Transient: 5xx, timeout, connection error, an answer that is not JSON, or Graph's throttling."""

    def __init__(self, message: str, status: int | None = None, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # None when no HTTP answer arrived
        self.code = code  # Graph's error.code when the body carried one


class MetaGraphRefused(MentiondeskError):
    """Permanent: Graph refused the request (expired token 190, missing permission 10/200-299, unknown
    id or field 100), or we refused to build it (status None). Retrying the same request will not help."""

    def __init__(
        self, message: str, status: int | None = None, code: int | None = None, subcode: int | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.subcode = subcode


@dataclass(frozen=True)
class MentionContent:
    """What Graph tells about one mention: the comment or caption and who wrote it."""

    text: str
    author_id: str | None  # the commenter's IG-scoped id, when Graph gives one
    username: str | None
    created_at: str | None  # clock.iso
    url: str | None  # the post's permalink
    media: tuple[MediaRef, ...]


@dataclass(frozen=True)
class SenderProfile:
    name: str | None
    username: str | None
    followers: int | None
    verified: bool


class MetaGraphClient:
    """Reads mentioned comments and captions of our Instagram professional accounts."""

    def __init__(
        self,
        token_for: Callable[[str], str | None],
        *,
        base_url: str = GRAPH_BASE_URL,
        session: Any = None,
        timeout: float = 5.0,
    ) -> None:
        self._token_for = token_for
        self._base_url = base_url.rstrip("/")
        self._session = session
        self._timeout = timeout

    def mention_content(self, account_id: str, media_id: str, comment_id: str | None) -> MentionContent | None:
        """The mention in comment `comment_id` (or, when None, in the caption of `media_id`) of our
        account `account_id`; None when no token is configured for that account."""
        _check_id(account_id, "account id")
        _check_id(media_id, "media id")
        if comment_id is not None:
            _check_id(comment_id, "comment id")
        token = (self._token_for(account_id) or "").strip()
        if not token:
            return None
        if comment_id is not None:
            edge, fields, documented = (
                f"mentioned_comment.comment_id({comment_id})",
                COMMENT_FIELDS,
                DOCUMENTED_COMMENT_FIELDS,
            )
        else:
            edge, fields, documented = f"mentioned_media.media_id({media_id})", MEDIA_FIELDS, DOCUMENTED_MEDIA_FIELDS
        try:
            body = self._get(account_id, f"{edge}{{{fields}}}", token)
        except MetaGraphRefused as refused:
            if refused.code != 100 or refused.subcode == 33:  # 33: the mention itself does not exist
                raise
            body = self._get(account_id, f"{edge}{{{documented}}}", token)
        if comment_id is not None:
            return _comment_content(_node(body, "mentioned_comment"))
        return _media_content(_node(body, "mentioned_media"))

    def sender_profile(self, account_id: str, platform: str, user_id: str) -> SenderProfile | None:
        """Who sent a DM to our account `account_id`: the Instagram or Messenger User Profile API with
        that account's token; None when no token is configured."""
        _check_id(account_id, "account id")
        _check_id(user_id, "user id")
        token = (self._token_for(account_id) or "").strip()
        if not token:
            return None
        if platform == "instagram":
            body = self._get(user_id, INSTAGRAM_SENDER_FIELDS, token)
            followers = body.get("follower_count")
            return SenderProfile(
                name=_text(body.get("name")),
                username=_text(body.get("username")),
                followers=followers if isinstance(followers, int) and followers >= 0 else None,
                verified=body.get("is_verified_user") is True,
            )
        body = self._get(user_id, MESSENGER_SENDER_FIELDS, token)
        name = " ".join(part for part in (_text(body.get("first_name")), _text(body.get("last_name"))) if part)
        return SenderProfile(name=name or None, username=None, followers=None, verified=False)

    def _get(self, account_id: str, fields: str, token: str) -> dict[str, Any]:
        import requests

        session = self._session if self._session is not None else requests.Session()
        self._session = session
        # In a header, not the access_token parameter: URLs end up in logs (urllib3 logs them at DEBUG).
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            response = session.get(
                f"{self._base_url}/{account_id}", params={"fields": fields}, headers=headers, timeout=self._timeout
            )
        except requests.Timeout as error:
            raise MetaGraphError("the Graph API timed out") from error
        except requests.RequestException as error:  # connection refused, reset, DNS, TLS
            raise MetaGraphError("the Graph API could not be reached") from error
        status = int(response.status_code)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            # Graph always answers JSON, errors included: anything else came from something in between.
            raise MetaGraphError(f"the Graph API answered HTTP {status} with a body that is not a JSON object", status)
        graph_error = body.get("error")
        if status == 200 and graph_error is None:
            return body
        code, subcode, transient = _error_fields(graph_error)
        answer = f"HTTP {status}" + (f", Graph error code {code}" if code is not None else "")
        if status >= 500 or status == 429 or transient:
            raise MetaGraphError(f"the Graph API failed ({answer})", status, code)
        if 400 <= status < 500 or graph_error is not None:
            raise MetaGraphRefused(f"the Graph API refused the request ({answer})", status, code, subcode)
        raise MetaGraphError(f"the Graph API answered {answer}", status)


def _check_id(value: Any, what: str) -> None:
    # Ids go into the path and into a field expression: digits only, or `)` and `{` could reshape it.
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        raise MetaGraphRefused(f"the {what} is not a Graph id")


def _error_fields(graph_error: Any) -> tuple[int | None, int | None, bool]:
    """Graph's error code, subcode and whether Graph says to wait and retry; never its message."""
    if not isinstance(graph_error, dict):
        return None, None, False
    code, subcode = _int(graph_error.get("code")), _int(graph_error.get("error_subcode"))
    rate_limited = code is not None and (code in _TRANSIENT_CODES or 80000 <= code < 80100)
    transient = graph_error.get("is_transient") is True or rate_limited
    return code, subcode, transient


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _node(body: dict[str, Any], name: str) -> dict[str, Any]:
    node = body.get(name)
    if not isinstance(node, dict):
        # Graph left the mention out (deleted, hidden, or not ours to read): asking again will not help.
        raise MetaGraphRefused(f"the Graph API answer has no {name}", 200)
    return node


def _comment_content(node: dict[str, Any]) -> MentionContent:
    source = _dict(node.get("from"))
    author_id = source.get("id")
    username = _text(source.get("username")) or _text(node.get("username"))
    media = _dict(node.get("media"))
    return MentionContent(
        text=_str(node.get("text")),
        author_id=author_id if isinstance(author_id, str) and _DIGITS.fullmatch(author_id) else None,
        username=username,
        created_at=_timestamp(node.get("timestamp")),
        url=_link(media.get("permalink")),
        media=(),  # the comment is text; the post it sits under is behind the permalink
    )


def _media_content(node: dict[str, Any]) -> MentionContent:
    media_url = _link(node.get("media_url"))
    media_type = _text(node.get("media_type"))
    return MentionContent(
        text=_str(node.get("caption")),
        author_id=None,  # `owner` is only returned for the app user's own media
        username=_text(node.get("username")),
        created_at=_timestamp(node.get("timestamp")),
        url=_link(node.get("permalink")),
        media=(MediaRef(type=(media_type or "media").lower(), url=media_url),) if media_url else (),
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _link(value: Any) -> str | None:
    # Agents open these links: https only, never javascript: or data: from a surprising answer.
    return value if isinstance(value, str) and value.startswith("https://") else None


def _timestamp(value: Any) -> str | None:
    """Graph's ISO 8601 (`2017-05-03T16:09:08+0000`) as clock.iso; None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    for parse in (lambda text: datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z"), datetime.fromisoformat):
        try:
            parsed = parse(value.strip())
        except ValueError:
            continue
        return iso(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
    return None


# -- enrichment ----------------------------------------------------------------------------------


class MentionContentSource(Protocol):
    """What enrich_mentions needs of a Graph client (MetaGraphClient, or a fake in tests)."""

    def mention_content(self, account_id: str, media_id: str, comment_id: str | None) -> MentionContent | None: ...


def needs_content(event: InboundEvent) -> TypeGuard[InboundMessage]:
    """An Instagram mention delivered with ids only: no text and no author yet."""
    return (
        isinstance(event, InboundMessage)
        and event.platform == "instagram"
        and event.kind == "mention"
        and event.text == ""
        and event.author.platform_user_id == UNKNOWN_AUTHOR_ID
    )


def enrich_mentions(
    events: list[InboundEvent],
    client: MentionContentSource,
    *,
    on_refused: Callable[[InboundMessage, MetaGraphRefused], None] | None = None,
) -> tuple[list[InboundEvent], dict[str, int]]:
    """The events, in order, with every id-only Instagram mention filled in from the Graph API, and counts
    {"enriched", "no_token", "refused"}. A refused mention stays as it was (still stored, nothing is lost)
    and is passed to `on_refused`; MetaGraphError propagates so the delivery is answered 5xx and redelivered.
    """
    counts = {"enriched": 0, "no_token": 0, "refused": 0}
    result: list[InboundEvent] = []
    for event in events:
        if not needs_content(event):
            result.append(event)
            continue
        # meta._ig_mention: the thread is the media; the message id is the comment's, or the media's.
        media_id = event.conversation_id
        comment_id = event.native_id if event.native_id != media_id else None
        try:
            content = client.mention_content(event.account_id, media_id, comment_id)
        except MetaGraphRefused as refused:
            counts["refused"] += 1
            if on_refused is not None:
                on_refused(event, refused)
            result.append(event)
            continue
        if content is None:
            counts["no_token"] += 1
            result.append(event)
            continue
        counts["enriched"] += 1
        result.append(_with_content(event, content))
    return result, counts


def _with_content(event: InboundMessage, content: MentionContent) -> InboundMessage:
    if content.author_id:
        author = Author(platform_user_id=content.author_id, handle=content.username)
    elif content.username:
        # No IG-scoped id for caption authors: the username is the only stable handle Graph gives.
        author = Author(platform_user_id=f"username:{content.username}", handle=content.username)
    else:
        author = event.author
    return event.model_copy(
        update={
            "text": content.text,
            "author": author,
            "created_at": content.created_at or event.created_at,
            "url": content.url or event.url,
            "media": content.media or event.media,
        }
    )


class SenderProfileSource(Protocol):
    def sender_profile(self, account_id: str, platform: str, user_id: str) -> SenderProfile | None: ...


def needs_sender(event: InboundEvent) -> TypeGuard[InboundMessage]:
    """A Meta DM whose author is only an id (Meta's messaging webhooks carry no names)."""
    return (
        isinstance(event, InboundMessage)
        and event.platform in ("instagram", "facebook")
        and event.kind == "dm"
        and bool(event.author.platform_user_id)
        and not event.author.handle
        and not event.author.display_name
    )


def enrich_senders(
    events: list[InboundEvent],
    client: SenderProfileSource,
    known: Callable[[InboundMessage], Author | None],
) -> tuple[list[InboundEvent], dict[str, int]]:
    """The events with each DM sender's name filled in: from `known` (the stored customer profile) when
    we have it, else from the User Profile API, once per sender per delivery. A name is a convenience:
    a refusal (no consent yet, blocked, missing permission) or an outage keeps the id, never fails."""
    counts = {"profile_known": 0, "profile_fetched": 0, "profile_unavailable": 0}
    found: dict[tuple[str, str, str], Author | None] = {}
    result: list[InboundEvent] = []
    for event in events:
        if not needs_sender(event):
            result.append(event)
            continue
        key = (event.platform, event.account_id, event.author.platform_user_id)
        if key not in found:
            author = known(event)
            if author is not None:
                counts["profile_known"] += 1
            else:
                try:
                    profile = client.sender_profile(event.account_id, event.platform, event.author.platform_user_id)
                except (MetaGraphRefused, MetaGraphError):
                    profile = None
                if profile is None or not (profile.name or profile.username):
                    counts["profile_unavailable"] += 1
                else:
                    counts["profile_fetched"] += 1
                    author = Author(
                        platform_user_id=event.author.platform_user_id,
                        handle=profile.username,
                        display_name=profile.name,
                        followers=profile.followers,
                        verified=profile.verified,
                    )
            found[key] = author
        author = found[key]
        result.append(event.model_copy(update={"author": author}) if author is not None else event)
    return result, counts
