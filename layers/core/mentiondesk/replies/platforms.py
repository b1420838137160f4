"""The platform calls that deliver a reply or hide a comment: X API v2, the Meta Graph API (Instagram,
Facebook, Messenger) and the Business Profile API. One request per call and no retries: the outbox
sender decides what happens next from the error's class.

SendRefused, SendRateLimited and SendNotDelivered mean the platform certainly does not have it;
SendAmbiguous means it may have (a reply must then wait for a person unless the call is idempotent).
Tokens travel only in the Authorization header; no message quotes a token, the reply's text or the
platform's own error text (which may quote either).
"""

import json
import math
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NoReturn, Protocol

from mentiondesk.channels.google import _LOCATION_NAME, _REVIEW_NAME, REVIEWS_API_BASE_URL
from mentiondesk.channels.meta_graph import GRAPH_BASE_URL, _error_fields
from mentiondesk.channels.x_api import (
    API_BASE_URL,
    RATE_WINDOW_SECONDS,
    RateLimit,
    XApiError,
    XApiRefused,
    XRateLimited,
)
from mentiondesk.errors import MentiondeskError

Operation = Literal["reply", "hide_comment"]
Mode = Literal["public", "dm", "private_reply"]
Platform = Literal["x", "instagram", "facebook", "google"]

GRAPH_RETRY_SECONDS = 60  # Graph's throttling answers rarely say when to come back
GOOGLE_RETRY_SECONDS = 60

_X_ID = re.compile(r"[0-9]{1,20}")
_GRAPH_ID = re.compile(r"[0-9]{1,30}")
# Facebook comment ids are `{post id}_{comment id}`; Instagram's are plain numbers.
_FB_OBJECT_ID = re.compile(r"[0-9]{1,30}(?:_[0-9]{1,30})?")
_MODES: dict[str, tuple[str, ...]] = {
    "x": ("public", "dm"),
    "instagram": ("public", "dm", "private_reply"),
    "facebook": ("public", "dm", "private_reply"),
    "google": ("public",),
}
_KNOWN_MODES = ("public", "dm", "private_reply")
_NAMES = {"x": "X", "instagram": "Instagram", "facebook": "Facebook", "google": "Google"}
# Graph's "slow down" codes: 4 app, 17 user, 32 page, 341 application limit, 613 call rate;
# 80000-80099 business-use-case limits (Instagram 80002, Messenger 80006, ...).
_GRAPH_THROTTLE_CODES = frozenset({4, 17, 32, 341, 613})
_WINDOW_SUBCODES = frozenset({2018278, 2534022})  # Messenger, Instagram: "sent outside of allowed window"
_X_POST_URL = "https://x.com/i/web/status/{}"


# -- requests and answers -------------------------------------------------------------------------


@dataclass(frozen=True)
class SendRequest:
    """One platform call: a reply (public, DM or private reply to a comment) or hiding a comment."""

    operation: Operation
    platform: Platform
    account_id: str  # our channel account: X user id, IG user id, FB Page id, GBP location name
    mode: Mode | None = None  # replies only
    target_id: str | None = None  # X post id; IG/FB comment id; Google review name
    recipient_id: str | None = None  # DMs: the customer's X user id / IGSID / PSID
    text: str | None = None
    hidden: bool = True  # hide_comment: True hides, False unhides
    human_agent: bool = False  # Meta DMs after the 24 h window (within 7 days): the HUMAN_AGENT tag


@dataclass(frozen=True)
class Sent:
    """What the platform created: a post, comment or message id; `{target}:hidden` / `:visible` for
    hide and unhide; `{review name}/reply` for a Google review reply."""

    platform_id: str
    url: str | None = None


class SendError(MentiondeskError):
    """Base of the send failures; `reason` is a short sentence an agent can read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SendRefused(SendError):
    """Permanent: the platform refused (or we refused before asking). The reply becomes FAILED."""

    def __init__(self, reason: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(reason)
        self.status = status  # None when no HTTP answer was involved
        self.code = code  # short and stable: not_connected, token_expired, duplicate, window_closed, ...


class SendRateLimited(SendError):
    """The platform said "not now": certainly not sent; try again at `not_before` (epoch seconds)."""

    def __init__(self, reason: str, *, not_before: int) -> None:
        super().__init__(reason)
        self.not_before = not_before


class SendNotDelivered(SendError):
    """The request never reached the platform (refused connection, DNS, TLS, connect time-out)."""


class SendAmbiguous(SendError):
    """The platform may have it: a read time-out, a 5xx, a 2xx we cannot read. Only an idempotent call
    (`safe_to_retry`) may be repeated; any other becomes UNKNOWN for a person."""

    def __init__(self, reason: str, *, safe_to_retry: bool, status: int | None = None) -> None:
        super().__init__(reason)
        self.safe_to_retry = safe_to_retry
        self.status = status


class PlatformSender(Protocol):
    def send(self, request: SendRequest) -> Sent: ...


# -- validation -----------------------------------------------------------------------------------


def check_request(request: SendRequest) -> None:
    """SendRefused (code invalid_request or unsupported) when the request cannot be sent as it is."""
    platform = request.platform
    if platform not in _MODES:
        _refuse("there is no sender for this platform", "unsupported")
    name = _NAMES[platform]
    if request.operation == "hide_comment":
        if platform == "google":
            _refuse("Google reviews cannot be hidden", "unsupported")
        _check_account(request)
        _check_target(request, "the post or comment to hide")
        return
    if request.operation != "reply":
        _refuse("the operation is neither a reply nor hiding a comment", "invalid_request")
    if not isinstance(request.text, str) or not request.text.strip():
        _refuse("the reply has no text", "invalid_request")
    if request.mode not in _KNOWN_MODES:
        _refuse("the reply has no valid mode (public, dm or private_reply)", "invalid_request")
    if request.mode not in _MODES[platform]:
        _refuse(f"{name} has no {str(request.mode).replace('_', ' ')} replies", "unsupported")
    _check_account(request)
    if request.mode == "dm":
        pattern = _X_ID if platform == "x" else _GRAPH_ID
        if not _matches(pattern, request.recipient_id):
            _refuse(f"the DM has no valid {name} recipient id", "invalid_request")
    else:
        _check_target(request, "the post, comment or review replied to")


def _check_account(request: SendRequest) -> None:
    platform = request.platform
    pattern = {"x": _X_ID, "google": _LOCATION_NAME}.get(platform, _GRAPH_ID)
    if not _matches(pattern, request.account_id):
        _refuse(f"the {_NAMES[platform]} account id is not valid", "invalid_request")


def _check_target(request: SendRequest, what: str) -> None:
    platform, target = request.platform, request.target_id
    if platform == "google":
        match = _REVIEW_NAME.fullmatch(target) if isinstance(target, str) else None
        if match is None or match.group(1) != request.account_id:
            _refuse("the review name is not a review of this location", "invalid_request")
        return
    pattern = {"x": _X_ID, "instagram": _GRAPH_ID}.get(platform, _FB_OBJECT_ID)
    if not _matches(pattern, target):
        _refuse(f"the id of {what} is not a valid {_NAMES[platform]} id", "invalid_request")


def _matches(pattern: re.Pattern[str], value: Any) -> bool:
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def _refuse(reason: str, code: str, status: int | None = None) -> NoReturn:
    raise SendRefused(reason, status=status, code=code)


# -- one HTTP exchange ----------------------------------------------------------------------------

_UNREADABLE = object()  # the body was not JSON


@dataclass(frozen=True)
class _Answer:
    status: int
    body: Any  # parsed JSON, or _UNREADABLE
    headers: Mapping[str, str]  # lower-cased names


def _exchange(
    session: Any,
    method: str,
    url: str,
    token: str,
    payload: dict[str, Any],
    timeout: float,
    *,
    who: str,
    idempotent: bool,
) -> _Answer:
    """One request with a JSON body; SendNotDelivered or SendAmbiguous when no answer came back."""
    import requests

    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    try:
        response = session.request(method, url, data=data, headers=headers, timeout=timeout)
    except requests.RequestException as error:
        if _certainly_not_sent(error):
            raise SendNotDelivered(f"{who} could not be reached; nothing was sent") from error
        if isinstance(error, requests.Timeout):
            raise SendAmbiguous(
                f"{who} did not answer in time after the request was sent", safe_to_retry=idempotent
            ) from error
        raise SendAmbiguous(
            f"the connection to {who} broke after the request was sent", safe_to_retry=idempotent
        ) from error
    try:
        body = response.json()
    except ValueError:
        body = _UNREADABLE
    raw_headers = getattr(response, "headers", None) or {}
    return _Answer(int(response.status_code), body, {str(k).lower(): str(v) for k, v in raw_headers.items()})


def _certainly_not_sent(error: BaseException) -> bool:
    """Whether a requests failure happened before the request could reach the platform.

    ConnectTimeout, refused connections, DNS, TLS and proxy failures, and requests refused while being
    prepared are; a read time-out, or a connection that broke while the answer was awaited (urllib3's
    ProtocolError, http.client's RemoteDisconnected) is not.
    """
    import http.client

    import requests
    from urllib3 import exceptions as u3

    if isinstance(error, requests.ConnectTimeout):
        return True
    prepared_badly = (
        requests.exceptions.InvalidURL,
        requests.exceptions.MissingSchema,
        requests.exceptions.InvalidSchema,
        requests.exceptions.InvalidHeader,
        requests.exceptions.URLRequired,
    )
    if isinstance(error, prepared_badly):
        return True
    if not isinstance(error, requests.ConnectionError):
        return False  # ReadTimeout, a broken or undecodable body, too many redirects, ...
    causes = list(_causes(error))
    after_sending = (u3.ProtocolError, u3.ReadTimeoutError, http.client.RemoteDisconnected)
    return not any(isinstance(cause, after_sending) for cause in causes)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and everything it wraps: args, urllib3's `reason`, __cause__ and __context__."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending and len(seen) < 32:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [*current.args, getattr(current, "reason", None), current.__cause__, current.__context__]
        pending.extend(item for item in wrapped if isinstance(item, BaseException))


def _session(current: Any) -> Any:
    if current is not None:
        return current
    import requests

    return requests.Session()


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# -- X --------------------------------------------------------------------------------------------


class _HttpSender:
    """What every sender keeps: where the platform answers, the HTTP session, the time-out, the clock."""

    def __init__(self, *, base_url: str, session: Any, timeout: float, clock: Callable[[], float]) -> None:
        self._base_url = base_url.rstrip("/")
        self._session = session
        self._timeout = timeout
        self._clock = clock


class XSender(_HttpSender):
    """Replies (public posts in a thread, DMs) and hiding replies with the account's OAuth 2.0 user token."""

    def __init__(
        self,
        user_token: Callable[[str], str],
        *,
        base_url: str = API_BASE_URL,
        session: Any = None,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(base_url=base_url, session=session, timeout=timeout, clock=clock)
        self._user_token = user_token

    def send(self, request: SendRequest) -> Sent:
        check_request(request)
        if request.platform != "x":
            _refuse("the X sender only sends to X", "unsupported")
        token = self._token(request.account_id)
        if request.operation == "hide_comment":
            post_id = str(request.target_id)
            data = self._call("PUT", f"/2/tweets/{post_id}/hidden", {"hidden": request.hidden}, token, True)
            if data.get("hidden") is not request.hidden:
                raise SendAmbiguous("X answered without confirming the reply's new visibility", safe_to_retry=True)
            state = "hidden" if request.hidden else "visible"
            return Sent(f"{post_id}:{state}", _X_POST_URL.format(post_id))
        text = str(request.text)
        if request.mode == "dm":
            path = f"/2/dm_conversations/with/{request.recipient_id}/messages"
            data = self._call("POST", path, {"text": text}, token, False)
            event_id = data.get("dm_event_id")
            if not _matches(_X_ID, event_id):
                raise SendAmbiguous("X accepted the DM but its answer has no DM event id", safe_to_retry=False)
            return Sent(str(event_id))
        body: dict[str, Any] = {"text": text, "reply": {"in_reply_to_tweet_id": request.target_id}}
        data = self._call("POST", "/2/tweets", body, token, False)
        created = data.get("id")
        if not _matches(_X_ID, created):
            raise SendAmbiguous("X accepted the post but its answer has no post id", safe_to_retry=False)
        return Sent(str(created), _X_POST_URL.format(created))

    def _token(self, account_id: str) -> str:
        try:
            token = self._user_token(account_id)
        except XApiRefused as error:
            raise SendRefused(
                "the X account is not connected (or X refused its tokens)", code="not_connected"
            ) from error
        except XRateLimited as error:
            raise SendRateLimited("X's token endpoint is rate limited", not_before=error.reset) from error
        except XApiError as error:
            raise SendNotDelivered("the X account's access token could not be refreshed; nothing was sent") from error
        if not isinstance(token, str) or not token.strip():
            _refuse("the X account is not connected", "not_connected")
        return token.strip()

    def _call(self, method: str, path: str, payload: dict[str, Any], token: str, idempotent: bool) -> dict[str, Any]:
        self._session = _session(self._session)
        answer = _exchange(
            self._session,
            method,
            f"{self._base_url}{path}",
            token,
            payload,
            self._timeout,
            who="the X API",
            idempotent=idempotent,
        )
        status, body = answer.status, answer.body
        if 200 <= status < 300:
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, dict):
                raise SendAmbiguous(
                    f"X answered HTTP {status} with a body we cannot read", safe_to_retry=idempotent, status=status
                )
            return data
        if status == 429:
            not_before = _x_not_before(answer.headers, self._clock())
            raise SendRateLimited(f"X's rate limit for this call is spent until {not_before}", not_before=not_before)
        if 400 <= status < 500:
            code = _x_code(status, body)
            raise SendRefused(_X_REASONS.get(code, f"X refused the request (HTTP {status})"), status=status, code=code)
        raise SendAmbiguous(f"X answered HTTP {status}", safe_to_retry=idempotent, status=status)


_X_REASONS = {
    "token_expired": "X refused the account's access token; reconnect the account",
    "duplicate": "X refused the post as a duplicate of one this account already sent",
    "target_unavailable": "X refused the reply: the post it answers is deleted or not visible to the account",
    "unsupported-authentication": "X refused the token: this call needs the account's user token",
}


def _x_code(status: int, body: Any) -> str:
    """A short code for an X refusal: ours for the cases we act on, else the slug of X's problem type.
    X's `detail` is read to tell its 403s apart, never repeated."""
    problem = _dict(body)
    if status == 401:
        return "token_expired"
    detail = problem.get("detail")
    detail = detail.lower() if isinstance(detail, str) else ""
    if status == 403 and "duplicate content" in detail:
        return "duplicate"
    if status == 403 and "deleted or not visible" in detail:
        return "target_unavailable"
    kind = problem.get("type")
    if isinstance(kind, str) and kind and kind != "about:blank":
        return kind.rstrip("/").rsplit("/", 1)[-1]
    return f"http_{status}"


def _whole_seconds(value: str) -> bool:
    """A header value of ASCII digits that int() reads (str.isdigit also says yes to "²" and "①")."""
    return value.isascii() and value.isdigit() and len(value) <= 15


def _x_not_before(headers: Mapping[str, str], now: float) -> int:
    """x-rate-limit-reset, or the 24-hour window's reset when that one is spent; else a full window."""
    rate = RateLimit.from_headers(headers)
    resets = [rate.reset] if rate is not None and rate.reset is not None else []
    for scope in ("user", "app"):
        remaining = headers.get(f"x-{scope}-limit-24hour-remaining", "").strip()
        reset = headers.get(f"x-{scope}-limit-24hour-reset", "").strip()
        if remaining == "0" and _whole_seconds(reset):
            resets.append(int(reset))
    return max(resets) if resets else int(now) + RATE_WINDOW_SECONDS


# -- Meta -----------------------------------------------------------------------------------------


class MetaSender(_HttpSender):
    """Instagram and Facebook comment replies, private replies, DMs (Instagram Messaging, Messenger) and
    hiding comments, with the account's Page or Instagram access token."""

    def __init__(
        self,
        token_for: Callable[[str], str | None],
        *,
        base_url: str = GRAPH_BASE_URL,
        session: Any = None,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(base_url=base_url, session=session, timeout=timeout, clock=clock)
        self._token_for = token_for

    def send(self, request: SendRequest) -> Sent:
        check_request(request)
        if request.platform not in ("instagram", "facebook"):
            _refuse("the Meta sender only sends to Instagram and Facebook", "unsupported")
        token = (self._token_for(request.account_id) or "").strip()
        if not token:
            _refuse(f"the {_NAMES[request.platform]} account is not connected", "not_connected")
        instagram = request.platform == "instagram"
        target = str(request.target_id)
        if request.operation == "hide_comment":
            field = "hide" if instagram else "is_hidden"
            body = self._call(f"/{target}", {field: request.hidden}, token, idempotent=True)
            if body.get("success") is not True:
                raise SendAmbiguous("Meta answered without confirming the comment's visibility", safe_to_retry=True)
            return Sent(f"{target}:{'hidden' if request.hidden else 'visible'}")
        text = str(request.text)
        if request.mode == "public":
            edge = "replies" if instagram else "comments"
            body = self._call(f"/{target}/{edge}", {"message": text}, token, idempotent=False)
            comment_id = body.get("id")
            if not _matches(_FB_OBJECT_ID, comment_id):
                raise SendAmbiguous("Meta accepted the reply but its answer has no comment id", safe_to_retry=False)
            return Sent(str(comment_id))
        message: dict[str, Any]
        if request.mode == "private_reply":
            message = {"recipient": {"comment_id": target}, "message": {"text": text}}
        else:
            message = {
                "recipient": {"id": request.recipient_id},
                "messaging_type": "RESPONSE",
                "message": {"text": text},
            }
            if request.human_agent:
                message["messaging_type"] = "MESSAGE_TAG"
                message["tag"] = "HUMAN_AGENT"
        body = self._call(f"/{request.account_id}/messages", message, token, idempotent=False)
        message_id = body.get("message_id")
        if not isinstance(message_id, str) or not message_id.strip():
            raise SendAmbiguous("Meta accepted the message but its answer has no message id", safe_to_retry=False)
        return Sent(message_id)

    def _call(self, path: str, payload: dict[str, Any], token: str, *, idempotent: bool) -> dict[str, Any]:
        self._session = _session(self._session)
        answer = _exchange(
            self._session,
            "POST",
            f"{self._base_url}{path}",
            token,
            payload,
            self._timeout,
            who="the Graph API",
            idempotent=idempotent,
        )
        status, body = answer.status, answer.body
        graph_error = body.get("error") if isinstance(body, dict) else None
        if 200 <= status < 300 and graph_error is None:
            if not isinstance(body, dict):
                raise SendAmbiguous(
                    f"Meta answered HTTP {status} with a body we cannot read", safe_to_retry=idempotent, status=status
                )
            return body
        if not isinstance(body, dict):
            # Graph answers JSON, errors included: this came from something in front of it.
            if status == 429:
                raise SendRateLimited("Meta asked us to slow down", not_before=_graph_not_before(answer, self._clock()))
            if 400 <= status < 500:
                _refuse(f"the Graph API refused the request (HTTP {status})", f"http_{status}", status)
            raise SendAmbiguous(f"the Graph API answered HTTP {status}", safe_to_retry=idempotent, status=status)
        code, subcode, transient = _error_fields(graph_error)
        if status == 429 or (code is not None and (code in _GRAPH_THROTTLE_CODES or 80000 <= code < 80100)):
            not_before = _graph_not_before(answer, self._clock())
            raise SendRateLimited(
                f"Meta's rate limit for this account is reached until {not_before}", not_before=not_before
            )
        refusal = _graph_refusal(code, subcode)
        if refusal is not None and status < 500:
            _refuse(refusal[1], refusal[0], status)
        if status >= 500 or transient or code in (1, 2):
            what = f"Graph error code {code}" if code is not None else f"HTTP {status}"
            raise SendAmbiguous(f"the Graph API failed ({what})", safe_to_retry=idempotent, status=status)
        label = f"graph_{code}" if code is not None else f"http_{status}"
        _refuse(f"the Graph API refused the request ({label.replace('_', ' ')})", label, status)


def _graph_refusal(code: int | None, subcode: int | None) -> tuple[str, str] | None:
    """Our code and reason for the Graph refusals an agent can act on; None for the rest."""
    if code == 190:
        return "token_expired", "Meta refused the account's access token; reconnect the account"
    if subcode in _WINDOW_SUBCODES:
        return "window_closed", "the customer's messaging window is closed (24 hours; 7 days for a person's reply)"
    if code == 10900 or (code == 10 and subcode == 2534025):
        return "already_replied", "the comment already has its one private reply"
    if code == 551 or subcode in (1545041, 2018108, 2018001):
        return "recipient_unavailable", "the customer cannot receive messages from this account right now"
    if code == 100 and subcode == 33:
        return "not_found", "the comment or account no longer exists, or this token cannot see it"
    if code == 368:
        return "blocked", "Meta has temporarily blocked this account from doing this"
    if code == 10 or (code is not None and 200 <= code <= 299):
        return "permission", "the app lacks a permission Meta requires for this"
    if code == 100:
        return "invalid_parameter", "Meta refused a parameter of the request"
    return None


def _graph_not_before(answer: _Answer, now: float) -> int:
    """When Meta says access returns (X-Business-Use-Case-Usage minutes, or Retry-After); else a minute."""
    waits: list[float] = []
    retry_after = answer.headers.get("retry-after", "").strip()
    if _whole_seconds(retry_after):
        waits.append(float(retry_after))
    try:
        usage = json.loads(answer.headers.get("x-business-use-case-usage", "") or "null")
    except (ValueError, RecursionError):
        usage = None
    for entries in _dict(usage).values():
        for entry in entries if isinstance(entries, list) else []:
            minutes = _dict(entry).get("estimated_time_to_regain_access")
            if isinstance(minutes, int | float) and not isinstance(minutes, bool) and 0 < minutes < 10**7:
                waits.append(float(minutes) * 60)  # above 10**7 minutes (19 years) the header is nonsense
    return math.ceil(now + (max(waits) if waits else GRAPH_RETRY_SECONDS))


# -- Google ---------------------------------------------------------------------------------------


class GoogleSender(_HttpSender):
    """Review replies through the My Business API v4 (`accounts.locations.reviews.updateReply`, a PUT:
    sending it twice leaves one reply, so every failure of it may be retried)."""

    def __init__(
        self,
        token_provider: Callable[[], str],
        *,
        base_url: str = REVIEWS_API_BASE_URL,
        session: Any = None,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(base_url=base_url, session=session, timeout=timeout, clock=clock)
        self._token_provider = token_provider

    def send(self, request: SendRequest) -> Sent:
        check_request(request)
        if request.platform != "google":
            _refuse("the Google sender only replies to Google reviews", "unsupported")
        token = (self._token_provider() or "").strip()
        if not token:
            _refuse("the Business Profile API credentials are not set", "not_connected")
        review = str(request.target_id)
        self._session = _session(self._session)
        answer = _exchange(
            self._session,
            "PUT",
            f"{self._base_url}/v4/{review}/reply",
            token,
            {"comment": str(request.text)},
            self._timeout,
            who="the Business Profile API",
            idempotent=True,
        )
        status, body = answer.status, answer.body
        if 200 <= status < 300:
            if not isinstance(body, dict) or not isinstance(body.get("comment"), str):
                raise SendAmbiguous(
                    f"Google answered HTTP {status} with a body we cannot read", safe_to_retry=True, status=status
                )
            return Sent(f"{review}/reply")
        if status == 429:
            retry_after = answer.headers.get("retry-after", "").strip()
            wait = int(retry_after) if _whole_seconds(retry_after) else GOOGLE_RETRY_SECONDS
            not_before = math.ceil(self._clock()) + wait
            raise SendRateLimited(f"Google's quota is spent until {not_before}", not_before=not_before)
        if 400 <= status < 500:
            code = _google_code(status, body)
            _refuse(_GOOGLE_REASONS.get(code, f"Google refused the review reply (HTTP {status})"), code, status)
        raise SendAmbiguous(f"Google answered HTTP {status}", safe_to_retry=True, status=status)


_GOOGLE_REASONS = {
    "token_expired": "Google refused our credentials",
    "permission": "Google refused: our credentials may not manage this location",
    "not_found": "the review no longer exists (deleted, or not ours)",
    "invalid_argument": "Google refused the reply (too long, or not allowed for this review)",
}


def _google_code(status: int, body: Any) -> str:
    fixed = {401: "token_expired", 403: "permission", 404: "not_found", 400: "invalid_argument"}
    if status in fixed:
        return fixed[status]
    kind = _dict(_dict(body).get("error")).get("status")
    return kind.lower() if isinstance(kind, str) and re.fullmatch(r"[A-Z_]{1,40}", kind) else f"http_{status}"


# -- dispatch -------------------------------------------------------------------------------------


class PlatformSenders:
    """Sends each request with the sender for its platform ("meta" serves instagram and facebook when
    they have no sender of their own)."""

    def __init__(self, senders: Mapping[str, PlatformSender]) -> None:
        self._senders = dict(senders)

    def send(self, request: SendRequest) -> Sent:
        sender = self._senders.get(request.platform)
        if sender is None and request.platform in ("instagram", "facebook"):
            sender = self._senders.get("meta")
        if sender is None:
            _refuse("there is no sender for this platform", "unsupported")
        return sender.send(request)
