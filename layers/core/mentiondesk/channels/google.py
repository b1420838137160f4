"""Google Business Profile reviews: Pub/Sub push authentication, notifications, the review API.

Google adds no HMAC to review notifications. The Pub/Sub push subscription authenticates itself with
a Google-signed OIDC ID token (`Authorization: Bearer <JWT>`, RS256) whose `aud` is the audience we
set on the subscription and whose `email` is the push service account. The notification only names
the review; its text, rating and reviewer come from `GET /v4/{review name}`.
"""

import base64
import binascii
import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

from mentiondesk.clock import iso
from mentiondesk.errors import Forbidden, MalformedPayload, MentiondeskError, NotFound, Unauthorized
from mentiondesk.models import Author, IgnoredEvent, InboundMessage, MessageEdit

GOOGLE_CERTS_URL = "https://www.googleapis.com/oauth2/v3/certs"
GOOGLE_ISSUERS = ("https://accounts.google.com", "accounts.google.com")
REVIEWS_API_BASE_URL = "https://mybusiness.googleapis.com"

NEW_REVIEW = "NEW_REVIEW"
UPDATED_REVIEW = "UPDATED_REVIEW"
REVIEW_NOTIFICATION_TYPES = frozenset({NEW_REVIEW, UPDATED_REVIEW})

_LOCATION_NAME = re.compile(r"accounts/[A-Za-z0-9_-]+/locations/[A-Za-z0-9_-]+")
_REVIEW_NAME = re.compile(r"(accounts/[A-Za-z0-9_-]+/locations/[A-Za-z0-9_-]+)/reviews/[A-Za-z0-9_-]+")
_REVIEW_ID = re.compile(r"[A-Za-z0-9_-]+")


class JwksUnavailable(MentiondeskError):
    """Google's signing keys could not be fetched; the push is neither accepted nor refused (503)."""


class GoogleApiError(MentiondeskError):
    """The Business Profile API failed in a way that is neither 404 nor 401/403."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # None when no HTTP answer arrived (timeouts, connection errors)


# -- OIDC verification of the push ---------------------------------------------------------------


class JwksSource(Protocol):
    """Where public signing keys come from, by key id."""

    def get_signing_key(self, kid: str) -> Any:
        """A public key usable by pyjwt; raises Unauthorized when no key has this id."""
        ...


class HttpSession(Protocol):
    """The part of `requests.Session` we use (tests pass a fake)."""

    def get(self, url: str, *, headers: Mapping[str, str] | None = ..., timeout: float | None = ...) -> Any: ...


class StaticJwks:
    """Fixed keys: tests and the local stack, which signs its own fake pushes."""

    def __init__(self, keys: Mapping[str, Any]) -> None:
        self._keys = dict(keys)

    def get_signing_key(self, kid: str) -> Any:
        try:
            return self._keys[kid]
        except KeyError:
            raise Unauthorized("unknown signing key") from None


class GoogleJwks:
    """Google's OAuth2 certificates, cached for the response's max-age (1 h when it names none).

    An unknown key id triggers one refetch (Google rotates keys), but not more often than
    `min_refetch_seconds`, so forged tokens with random key ids cannot make us hammer Google.
    """

    def __init__(
        self,
        session: HttpSession | None = None,
        *,
        url: str = GOOGLE_CERTS_URL,
        timeout: float = 3.0,
        default_max_age: int = 3600,
        min_refetch_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._url = url
        self._timeout = timeout
        self._default_max_age = default_max_age
        self._min_refetch = min_refetch_seconds
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._expires_at = float("-inf")
        self._fetched_at = float("-inf")

    def get_signing_key(self, kid: str) -> Any:
        now = self._clock()
        stale = now >= self._expires_at
        rotated = kid not in self._keys and now - self._fetched_at >= self._min_refetch
        if stale or rotated:
            self._refresh(now)
        try:
            return self._keys[kid]
        except KeyError:
            raise Unauthorized("unknown signing key") from None

    def _refresh(self, now: float) -> None:
        import jwt  # lazy: keeps the cold start of modules that only map reviews small
        import requests

        session = self._session if self._session is not None else requests.Session()
        self._session = session
        try:
            response = session.get(self._url, timeout=self._timeout)
        except requests.RequestException as error:
            raise JwksUnavailable("could not fetch Google's signing keys") from error
        if response.status_code != 200:
            raise JwksUnavailable(f"Google's signing keys answered HTTP {response.status_code}")
        try:
            document = response.json()
            entries = document["keys"]
        except (ValueError, KeyError, TypeError) as error:
            raise JwksUnavailable("Google's signing keys are not a JWK set") from error
        keys: dict[str, Any] = {}
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict) or entry.get("kty") != "RSA" or not entry.get("kid"):
                continue
            try:
                keys[str(entry["kid"])] = jwt.PyJWK.from_dict(entry, algorithm="RS256").key
            except jwt.PyJWTError:
                continue  # one unusable key must not hide the others
        if not keys:
            raise JwksUnavailable("Google's signing keys held no usable RSA key")
        self._keys = keys
        self._fetched_at = now
        self._expires_at = now + self._max_age(response)

    def _max_age(self, response: Any) -> int:
        headers = getattr(response, "headers", None) or {}
        cache_control = headers.get("Cache-Control") or headers.get("cache-control") or ""
        match = re.search(r"max-age=(\d+)", cache_control)
        return int(match.group(1)) if match else self._default_max_age


class OidcVerifier:
    """Checks the OIDC token Pub/Sub attaches to each push (signature, issuer, audience, sender)."""

    def __init__(
        self, audience: str, service_account_email: str, jwks: JwksSource, *, leeway_seconds: int = 30
    ) -> None:
        if not audience or not service_account_email:
            raise ValueError("audience and service_account_email are required")
        self.audience = audience
        self.service_account_email = service_account_email
        self._jwks = jwks
        self._leeway = leeway_seconds

    def verify(self, authorization_header: str | None) -> dict[str, Any]:
        """The token's claims; Unauthorized for anything but a valid Google token meant for us.

        JwksUnavailable propagates: the caller answers 503 so Pub/Sub redelivers later.
        """
        import jwt

        token = _bearer_token(authorization_header)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise Unauthorized("malformed token") from error
        # Pin RS256 before touching keys: refuses "none" and HS256-keyed-with-the-public-key tokens.
        if header.get("alg") != "RS256":
            raise Unauthorized("token is not RS256")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("token names no signing key")
        key = self._jwks.get_signing_key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=list(GOOGLE_ISSUERS),
                leeway=self._leeway,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthorized("token refused") from error
        self.check_claims(claims)
        return claims

    def check_claims(self, claims: Mapping[str, Any], now: float | None = None) -> None:
        """The claim checks alone (no signature): issuer, audience, time window, sender.

        `verify` runs them after pyjwt's own; separate so a documented claims sample can be
        checked offline.
        """
        current = time.time() if now is None else now
        if claims.get("iss") not in GOOGLE_ISSUERS:
            raise Unauthorized("token is not from Google")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.audience not in audiences:
            raise Unauthorized("token is meant for another audience")
        exp, iat = _number(claims.get("exp")), _number(claims.get("iat"))
        if exp is None or iat is None:
            raise Unauthorized("token has no valid time window")
        if current > exp + self._leeway:
            raise Unauthorized("token expired")
        if iat > current + self._leeway:
            raise Unauthorized("token issued in the future")
        email = claims.get("email")
        if not isinstance(email, str) or email.lower() != self.service_account_email.lower():
            raise Unauthorized("token is not from the push service account")
        if claims.get("email_verified") is not True:
            raise Unauthorized("token email is not verified")


def _bearer_token(authorization_header: str | None) -> str:
    if not authorization_header or "," in authorization_header:  # a comma: two headers joined
        raise Unauthorized("missing or malformed Authorization header")
    parts = authorization_header.strip().split(" ")
    if len(parts) != 2 or parts[0].lower() != "bearer" or not parts[1]:
        raise Unauthorized("missing or malformed Authorization header")
    return parts[1]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:  # an integer beyond a float's range is no time
        return None


# -- Pub/Sub push envelope and the Business Profile notification ---------------------------------


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PubsubMessage(_Loose):
    """`PubsubMessage` as a push delivers it (Pub/Sub sends both camelCase and snake_case ids)."""

    data: str
    message_id: str = Field(validation_alias=AliasChoices("messageId", "message_id"))
    publish_time: str | None = Field(default=None, validation_alias=AliasChoices("publishTime", "publish_time"))
    attributes: dict[str, str] = Field(default_factory=dict)


class PubsubPush(_Loose):
    """The body of a wrapped push: `{"message": {...}, "subscription": "projects/p/subscriptions/s"}`."""

    message: PubsubMessage
    subscription: str | None = None


class GbpNotification(_Loose):
    """The decoded `message.data`: the v4 docs name the fields reviewName/locationName, v1
    review_name/location_name, and captured pushes review/location; all are accepted."""

    type: str
    review: str | None = Field(default=None, validation_alias=AliasChoices("reviewName", "review", "review_name"))
    location: str | None = Field(
        default=None, validation_alias=AliasChoices("locationName", "location", "location_name")
    )


class ReviewNotification(BaseModel):
    """One Business Profile notification, with the resource names it carries made complete."""

    model_config = ConfigDict(frozen=True)

    message_id: str  # Pub/Sub's id: the idempotency key of the delivery, not of the review
    type: str
    location_name: str | None
    review_name: str | None
    publish_time: str | None = None
    subscription: str | None = None

    @property
    def is_review(self) -> bool:
        """NEW_REVIEW or UPDATED_REVIEW: the only types that become messages."""
        return self.type in REVIEW_NOTIFICATION_TYPES


def parse_notification(data: Any, message_id: str = "") -> ReviewNotification:
    """A decoded notification (also the whole body of an unwrapped push) as a ReviewNotification.

    Review names are completed and checked: a bare review id is joined to the location, the
    location is derived from the review name when absent, and the two must agree.
    """
    if not isinstance(data, dict):
        raise MalformedPayload("the notification is not a JSON object")
    try:
        notification = GbpNotification.model_validate(data)
    except ValidationError as error:
        raise MalformedPayload(f"not a Business Profile notification: {error.error_count()} error(s)") from error
    location, review = notification.location, notification.review
    if location is not None and not _LOCATION_NAME.fullmatch(location):
        raise MalformedPayload("the notification's location is not a location name")
    if review is not None:
        if _REVIEW_ID.fullmatch(review) and location is not None:
            review = f"{location}/reviews/{review}"
        match = _REVIEW_NAME.fullmatch(review)
        if not match:
            raise MalformedPayload("the notification's review is not a review name")
        if location is None:
            location = match.group(1)
        elif match.group(1) != location:
            raise MalformedPayload("the notification's review belongs to another location")
    if notification.type in REVIEW_NOTIFICATION_TYPES and review is None:
        raise MalformedPayload("a review notification names no review")
    return ReviewNotification(message_id=message_id, type=notification.type, location_name=location, review_name=review)


def parse_push(payload: Any) -> ReviewNotification:
    """The parsed body of a wrapped Pub/Sub push as a ReviewNotification; MalformedPayload if the body
    is not a push envelope or its data is not base64 of a JSON notification.

    Types other than new/updated review parse too; the caller turns them into IgnoredEvent.
    """
    if not isinstance(payload, dict):
        raise MalformedPayload("the body is not a JSON object")
    try:
        push = PubsubPush.model_validate(payload)
    except ValidationError as error:
        raise MalformedPayload(f"not a Pub/Sub push envelope: {error.error_count()} error(s)") from error
    try:
        decoded = json.loads(base64.b64decode(push.message.data, validate=True).decode("utf-8"))
    # JSONDecodeError and UnicodeDecodeError are ValueErrors; RecursionError: JSON nested too deep
    except (binascii.Error, ValueError, RecursionError) as error:
        raise MalformedPayload("the push data is not base64 of JSON") from error
    notification = parse_notification(decoded, push.message.message_id)
    return notification.model_copy(
        update={"publish_time": push.message.publish_time, "subscription": push.subscription}
    )


def ignored(notification: ReviewNotification) -> IgnoredEvent:
    """What a notification that is not a new or updated review becomes (NEW_QUESTION, ...)."""
    return IgnoredEvent(platform="google", kind=notification.type.lower(), account_id=notification.location_name)


# -- the review resource -------------------------------------------------------------------------


_STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
_TRANSLATED = "(Translated by Google)"
_ORIGINAL = "(Original)"


class GbpReviewer(_Loose):
    display_name: str | None = Field(default=None, validation_alias="displayName")
    profile_photo_url: str | None = Field(default=None, validation_alias="profilePhotoUrl")
    is_anonymous: bool = Field(default=False, validation_alias="isAnonymous")


class GbpReviewReply(_Loose):
    comment: str = ""
    update_time: str | None = Field(default=None, validation_alias="updateTime")


class GbpReview(_Loose):
    """The v4 `accounts.locations.reviews` resource."""

    name: str
    review_id: str = Field(validation_alias="reviewId")
    reviewer: GbpReviewer = Field(default_factory=GbpReviewer)
    star_rating: str | None = Field(default=None, validation_alias="starRating")
    comment: str | None = None
    create_time: str = Field(validation_alias="createTime")
    update_time: str | None = Field(default=None, validation_alias="updateTime")
    review_reply: GbpReviewReply | None = Field(default=None, validation_alias="reviewReply")


def parse_review(raw: Any) -> GbpReview:
    try:
        return GbpReview.model_validate(raw)
    except ValidationError as error:
        raise MalformedPayload(f"review is not in the documented shape: {error.error_count()} error(s)") from error


def original_comment(comment: str | None) -> str:
    """The reviewer's own words, without the machine translation Google glues to the comment.

    Two layouts occur: the translation first, `(Translated by Google) <t>\\n\\n(Original)\\n<o>`, and
    the original first with `\\n\\n(Translated by Google)\\n<t>` appended. Markers only count where
    Google puts them (the comment's start, a line's start), so a reviewer quoting them keeps their text.
    """
    if not comment:
        return ""
    body = comment.strip()
    if body.startswith(_TRANSLATED):
        rest = body[len(_TRANSLATED) :]
        marker = rest.find(_ORIGINAL)
        # No original at all: the translation is the only text there is; keep it, marker and all,
        # so an agent sees it is Google's wording.
        return rest[marker + len(_ORIGINAL) :].strip() if marker >= 0 else body
    appended = re.search(r"\n[ \t]*\(Translated by Google\)", body)
    return body[: appended.start()].strip() if appended else body


def rating(star_rating: str | None) -> int | None:
    """ONE..FIVE as 1..5; STAR_RATING_UNSPECIFIED or absent as None."""
    return _STARS.get(star_rating or "")


def reviewer_id(reviewer: GbpReviewer, location_name: str, review_id: str) -> str:
    """A stable id for the reviewer at this location.

    The v4 API exposes no reviewer id, so we derive one from the display name and the location:
    the same name at the same location is treated as the same customer (two namesakes collide;
    a renamed account splits). Anonymous reviewers share the name "A Google user", so each of
    their reviews is its own customer.
    """
    if reviewer.is_anonymous or not reviewer.display_name:
        return f"gbp-reviewer:anonymous:{review_id}"
    digest = hashlib.sha256((reviewer.display_name + location_name).encode("utf-8")).hexdigest()
    return f"gbp-reviewer:{digest[:16]}"


def review_event(review: dict[str, Any], location_name: str, notification_type: str) -> InboundMessage | MessageEdit:
    """A review resource as the event its notification announces: InboundMessage for NEW_REVIEW,
    MessageEdit for UPDATED_REVIEW."""
    if notification_type not in REVIEW_NOTIFICATION_TYPES:
        raise MalformedPayload("not a review notification type")
    parsed = parse_review(review)
    match = _REVIEW_NAME.fullmatch(parsed.name)
    if not match or match.group(1) != location_name:
        raise MalformedPayload("the review's name does not belong to this location")
    text = original_comment(parsed.comment)
    stars = rating(parsed.star_rating)
    if notification_type == UPDATED_REVIEW:
        return MessageEdit(
            platform="google",
            account_id=location_name,
            native_id=parsed.name,
            text=text,
            rating=stars,
            edited_at=_timestamp(parsed.update_time or parsed.create_time),
        )
    return InboundMessage(
        platform="google",
        account_id=location_name,
        native_id=parsed.name,
        kind="review",
        conversation_id=parsed.name,
        author=Author(
            platform_user_id=reviewer_id(parsed.reviewer, location_name, parsed.review_id),
            handle=None,
            display_name=parsed.reviewer.display_name,
        ),
        text=text,
        created_at=_timestamp(parsed.create_time),
        url=None,
        rating=stars,
    )


_RFC3339 = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", re.IGNORECASE)


def _timestamp(value: str) -> str:
    """RFC 3339 (Google sends 0 to 9 fractional digits) as our ISO form with milliseconds."""
    match = _RFC3339.fullmatch(value.strip())
    if not match:
        raise MalformedPayload("review time is not RFC 3339")
    seconds, fraction, zone = match.groups()
    micros = (fraction or "")[:6].ljust(6, "0")
    try:
        parsed = datetime.fromisoformat(f"{seconds}.{micros}{'+00:00' if zone.upper() == 'Z' else zone}")
        return iso(parsed.astimezone(UTC))
    except (ValueError, OverflowError) as error:  # OverflowError: in UTC it falls outside years 1-9999
        raise MalformedPayload("review time is not RFC 3339") from error


# -- the Business Profile API --------------------------------------------------------------------


class GoogleReviewsClient:
    """Reads reviews from the My Business API v4 (`accounts.locations.reviews.get`)."""

    def __init__(
        self,
        token_provider: Callable[[], str],
        *,
        base_url: str = REVIEWS_API_BASE_URL,
        session: HttpSession | None = None,
        timeout: float = 5.0,
        max_retries: int = 2,
        backoff_seconds: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._token_provider = token_provider
        self._base_url = base_url.rstrip("/")
        self._session = session
        self._timeout = timeout
        self._max_retries = max_retries
        self._backoff = backoff_seconds
        self._sleep = sleep

    def get_review(self, review_name: str) -> dict[str, Any]:
        """The review resource; NotFound, Forbidden, or GoogleApiError after the retries."""
        import requests

        if not _REVIEW_NAME.fullmatch(review_name):
            raise MalformedPayload("not a review name")  # never let a payload steer the URL path
        session = self._session if self._session is not None else requests.Session()
        self._session = session
        url = f"{self._base_url}/v4/{review_name}"
        outcome: Literal["timeout", "server"] = "server"
        status: int | None = None
        for attempt in range(self._max_retries + 1):
            if attempt:
                self._sleep(self._backoff * 2 ** (attempt - 1))
            headers = {"Authorization": f"Bearer {self._token_provider()}", "Accept": "application/json"}
            try:
                response = session.get(url, headers=headers, timeout=self._timeout)
            except (requests.Timeout, requests.ConnectionError):
                outcome, status = "timeout", None
                continue
            except requests.RequestException as error:
                raise GoogleApiError("the review request failed") from error
            status = response.status_code
            if status >= 500:
                outcome = "server"
                continue
            return _review_answer(response)
        what = "timed out" if outcome == "timeout" else f"answered HTTP {status}"
        raise GoogleApiError(f"the reviews API {what} after {self._max_retries + 1} attempts", status)


def _review_answer(response: Any) -> dict[str, Any]:
    status = response.status_code
    if status == 404:
        raise NotFound("the review does not exist (deleted, or not ours)")
    if status in (401, 403):
        raise Forbidden(f"the reviews API refused our credentials (HTTP {status})")
    if status != 200:
        raise GoogleApiError(f"the reviews API answered HTTP {status}", status)
    try:
        body = response.json()
    except ValueError as error:
        raise GoogleApiError("the reviews API answered something that is not JSON", status) from error
    if not isinstance(body, dict):
        raise GoogleApiError("the reviews API answered something that is not a JSON object", status)
    return body
