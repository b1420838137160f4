"""Google Business Profile: push authentication (OIDC), push parsing, review mapping, the reviews client."""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from mentiondesk.channels import google
from mentiondesk.errors import Forbidden, MalformedPayload, NotFound, Unauthorized
from mentiondesk.models import IgnoredEvent, InboundMessage, MessageEdit

pytestmark = pytest.mark.unit

EVENTS = Path(__file__).resolve().parents[1] / "events" / "google"
AUDIENCE = "https://hooks.mentiondesk.test/webhooks/google"
PUSH_SA = "gbp-push@mentiondesk-demo.iam.gserviceaccount.com"
KID = "test-key-1"
LOCATION = "accounts/5550001/locations/7770001"
REVIEW = f"{LOCATION}/reviews/Ci9DQUlRQUNvZENodHljRjlvT2pCVVlW"


def google_event(name: str) -> dict[str, Any]:
    """A fixture from tests/events/google/ (written by us in Google's documented shapes)."""
    data: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def verifier(private_key: rsa.RSAPrivateKey) -> google.OidcVerifier:
    return google.OidcVerifier(AUDIENCE, PUSH_SA, google.StaticJwks({KID: private_key.public_key()}))


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "aud": AUDIENCE,
        "azp": "110000000000000000001",
        "email": PUSH_SA,
        "email_verified": True,
        "exp": now + 3600,
        "iat": now,
        "iss": "https://accounts.google.com",
        "sub": "110000000000000000001",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def token(key: rsa.RSAPrivateKey, payload: dict[str, Any], kid: str = KID) -> str:
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def handmade_token(header: dict[str, Any], payload: dict[str, Any], sign: Any) -> str:
    """A token built by hand, for algorithms pyjwt rightly refuses to produce."""
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(payload).encode())}"
    return f"{signing_input}.{_b64url(sign(signing_input.encode()))}"


# -- OIDC ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("issuer", ["https://accounts.google.com", "accounts.google.com"])
def test_valid_google_token_passes(verifier: google.OidcVerifier, private_key: rsa.RSAPrivateKey, issuer: str) -> None:
    # Given a token Google would send for our subscription
    header = "Bearer " + token(private_key, claims(iss=issuer))
    # When
    verified = verifier.verify(header)
    # Then
    assert verified["email"] == PUSH_SA
    assert verified["aud"] == AUDIENCE


def test_recently_expired_token_passes_within_the_leeway(
    verifier: google.OidcVerifier, private_key: rsa.RSAPrivateKey
) -> None:
    # Given a token that expired 10 s ago (clock skew between Google and us)
    now = int(time.time())
    header = "Bearer " + token(private_key, claims(iat=now - 3610, exp=now - 10))
    # When / Then: no exception
    verifier.verify(header)


@dataclass(frozen=True)
class FromNow:
    """A time claim relative to when the test runs."""

    seconds: int

    def __str__(self) -> str:
        return f"now{self.seconds:+d}"


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "https://elsewhere.test/push"},
        {"iss": "https://evil.example.com"},
        {"iss": "https://accounts.google.com.evil.test"},
        {"email": "someone-else@mentiondesk-demo.iam.gserviceaccount.com"},
        {"email_verified": False},
        {"email_verified": "true"},
        {"email_verified": None},
        {"email": None},
        {"exp": FromNow(-600), "iat": FromNow(-4200)},
        {"iat": FromNow(600)},
        {"exp": None},
    ],
    ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()),
)
def test_token_with_wrong_claims_is_refused(
    verifier: google.OidcVerifier, private_key: rsa.RSAPrivateKey, overrides: dict[str, Any]
) -> None:
    # Given a correctly signed token with one wrong claim (times taken when the test runs, not when
    # it was collected: a long suite must not turn "in the future" into "in the past")
    resolved = {k: int(time.time()) + v.seconds if isinstance(v, FromNow) else v for k, v in overrides.items()}
    header = "Bearer " + token(private_key, claims(**resolved))
    # When / Then
    with pytest.raises(Unauthorized):
        verifier.verify(header)


def test_unsigned_token_is_refused(verifier: google.OidcVerifier) -> None:
    # Given a token with alg "none" and an empty signature
    unsigned = handmade_token({"alg": "none", "kid": KID, "typ": "JWT"}, claims(), lambda _: b"")
    # When / Then
    with pytest.raises(Unauthorized):
        verifier.verify("Bearer " + unsigned)


def test_hs256_token_keyed_with_the_public_key_is_refused(
    verifier: google.OidcVerifier, private_key: rsa.RSAPrivateKey
) -> None:
    # Given the classic confusion attack: HMAC under the (public) RSA key's PEM
    pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    forged = handmade_token(
        {"alg": "HS256", "kid": KID, "typ": "JWT"},
        claims(),
        lambda data: hmac.new(pem, data, hashlib.sha256).digest(),
    )
    # When / Then
    with pytest.raises(Unauthorized):
        verifier.verify("Bearer " + forged)


def test_tampered_payload_is_refused(verifier: google.OidcVerifier, private_key: rsa.RSAPrivateKey) -> None:
    # Given a valid token whose payload is swapped for another one (audience changed)
    header_part, _, signature = token(private_key, claims()).split(".")
    other_payload = _b64url(json.dumps(claims(aud="https://elsewhere.test")).encode())
    # When / Then
    with pytest.raises(Unauthorized):
        verifier.verify(f"Bearer {header_part}.{other_payload}.{signature}")


def test_token_signed_by_another_key_under_our_kid_is_refused(
    verifier: google.OidcVerifier, other_key: rsa.RSAPrivateKey
) -> None:
    with pytest.raises(Unauthorized):
        verifier.verify("Bearer " + token(other_key, claims()))


def test_token_naming_an_unknown_key_is_refused(verifier: google.OidcVerifier, private_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(Unauthorized):
        verifier.verify("Bearer " + token(private_key, claims(), kid="rotated-away"))


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "Bearer not.a.jwt", "Bearer a b"],
)
def test_missing_or_malformed_authorization_is_refused(verifier: google.OidcVerifier, header: str | None) -> None:
    with pytest.raises(Unauthorized):
        verifier.verify(header)


def test_two_joined_authorization_headers_are_refused(
    verifier: google.OidcVerifier, private_key: rsa.RSAPrivateKey
) -> None:
    # Given API Gateway's comma-join of a repeated header, the first one valid
    good = token(private_key, claims())
    # When / Then
    with pytest.raises(Unauthorized):
        verifier.verify(f"Bearer {good},Bearer {good}")


def test_verifier_needs_audience_and_email() -> None:
    with pytest.raises(ValueError, match="required"):
        google.OidcVerifier("", PUSH_SA, google.StaticJwks({}))


# -- GoogleJwks ----------------------------------------------------------------------------------


class FakeResponse:
    def __init__(self, status_code: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        self.status_code = status_code
        self._body = body
        self.headers = headers or {}

    def json(self) -> Any:
        if isinstance(self._body, Exception):
            raise self._body
        return self._body


class FakeSession:
    """Answers GETs from a queue of responses or exceptions and records each call."""

    def __init__(self, *answers: FakeResponse | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    def get(self, url: str, **kwargs: Any) -> FakeResponse:
        self.calls.append({"url": url, **kwargs})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def jwk_set(*keys: tuple[str, rsa.RSAPrivateKey]) -> dict[str, Any]:
    entries = []
    for kid, key in keys:
        entry = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        entries.append({**entry, "kid": kid, "alg": "RS256", "use": "sig"})
    return {"keys": entries}


def certs(*keys: tuple[str, rsa.RSAPrivateKey], max_age: int | None = None) -> FakeResponse:
    headers = {"Cache-Control": f"public, max-age={max_age}, must-revalidate, no-transform"} if max_age else {}
    return FakeResponse(200, jwk_set(*keys), headers)


def test_google_jwks_verifies_end_to_end_and_caches_for_max_age(private_key: rsa.RSAPrivateKey) -> None:
    # Given Google's certs endpoint answering with max-age=100
    session = FakeSession(certs((KID, private_key), max_age=100), certs((KID, private_key), max_age=100))
    clock = Clock()
    verifier = google.OidcVerifier(AUDIENCE, PUSH_SA, google.GoogleJwks(session, clock=clock))
    header = "Bearer " + token(private_key, claims())
    # When two pushes arrive within max-age
    verifier.verify(header)
    clock.now += 99
    verifier.verify(header)
    # Then the keys were fetched once, from Google's URL with a 3 s timeout
    assert len(session.calls) == 1
    assert session.calls[0]["url"] == "https://www.googleapis.com/oauth2/v3/certs"
    assert session.calls[0]["timeout"] == 3.0
    # When max-age has passed / Then they are fetched again
    clock.now += 2
    verifier.verify(header)
    assert len(session.calls) == 2


def test_google_jwks_caches_an_hour_without_max_age(private_key: rsa.RSAPrivateKey) -> None:
    # Given an answer without Cache-Control
    session = FakeSession(certs((KID, private_key)), certs((KID, private_key)))
    clock = Clock()
    jwks = google.GoogleJwks(session, clock=clock)
    # When
    jwks.get_signing_key(KID)
    clock.now += 3599
    jwks.get_signing_key(KID)
    # Then
    assert len(session.calls) == 1
    clock.now += 1
    jwks.get_signing_key(KID)
    assert len(session.calls) == 2


def test_google_jwks_refetches_once_on_an_unknown_kid(
    private_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    # Given cached keys, then Google rotates in a new key
    session = FakeSession(certs((KID, private_key), max_age=20000), certs((KID, private_key), ("new-key", other_key)))
    clock = Clock()
    jwks = google.GoogleJwks(session, clock=clock)
    jwks.get_signing_key(KID)
    clock.now += 120
    # When a token names the new key
    key = jwks.get_signing_key("new-key")
    # Then one refetch found it
    assert len(session.calls) == 2
    assert key.public_numbers() == other_key.public_key().public_numbers()


def test_google_jwks_unknown_kid_after_refetch_is_unauthorized_and_not_refetched_again(
    private_key: rsa.RSAPrivateKey,
) -> None:
    # Given keys fetched more than a minute ago
    session = FakeSession(certs((KID, private_key), max_age=20000), certs((KID, private_key), max_age=20000))
    clock = Clock()
    jwks = google.GoogleJwks(session, clock=clock)
    jwks.get_signing_key(KID)
    clock.now += 61
    # When a forged kid arrives / Then one refetch, then Unauthorized
    with pytest.raises(Unauthorized):
        jwks.get_signing_key("forged-1")
    assert len(session.calls) == 2
    # When more random kids arrive right after / Then no request reaches Google
    for kid in ("forged-2", "forged-3"):
        with pytest.raises(Unauthorized):
            jwks.get_signing_key(kid)
    assert len(session.calls) == 2


@pytest.mark.parametrize(
    "answer",
    [
        requests.ConnectionError("dns"),
        requests.Timeout("slow"),
        FakeResponse(500, {"error": "backend"}),
        FakeResponse(200, ValueError("not json")),
        FakeResponse(200, {"no": "keys"}),
        FakeResponse(200, {"keys": [{"kty": "EC", "kid": "x"}]}),
    ],
    ids=["connection", "timeout", "http500", "not-json", "no-keys", "no-rsa-key"],
)
def test_google_jwks_fetch_failure_is_jwks_unavailable(
    private_key: rsa.RSAPrivateKey, answer: FakeResponse | Exception
) -> None:
    # Given Google's certs cannot be read
    verifier = google.OidcVerifier(AUDIENCE, PUSH_SA, google.GoogleJwks(FakeSession(answer)))
    # When / Then: not Unauthorized (the push may be genuine): the webhook answers 503
    with pytest.raises(google.JwksUnavailable):
        verifier.verify("Bearer " + token(private_key, claims()))


# -- push parsing --------------------------------------------------------------------------------


def push_of(notification: Any, **message: Any) -> dict[str, Any]:
    raw = notification if isinstance(notification, bytes) else json.dumps(notification).encode()
    return {
        "message": {"data": base64.b64encode(raw).decode(), "messageId": "42", **message},
        "subscription": "projects/p/subscriptions/s",
    }


def test_push_with_v4_field_names_parses() -> None:
    # Given a push whose notification uses reviewName/locationName
    payload = google_event("push_new_review_v4_names.json")
    # When
    notification = google.parse_push(payload)
    # Then
    assert notification.type == "NEW_REVIEW" and notification.is_review
    assert notification.review_name == REVIEW
    assert notification.location_name == LOCATION
    assert notification.message_id == "16000000000000001"
    assert notification.publish_time == "2026-11-23T09:00:01.250Z"
    assert notification.subscription == "projects/mentiondesk-demo/subscriptions/gbp-reviews-push"


def test_push_with_captured_short_field_names_parses() -> None:
    # Given a push whose notification uses review/location, as captured from Google
    notification = google.parse_push(google_event("push_updated_review_short_keys.json"))
    # Then
    assert (notification.type, notification.review_name, notification.location_name) == (
        "UPDATED_REVIEW",
        REVIEW,
        LOCATION,
    )


def test_push_with_v1_snake_case_names_and_snake_case_message_id_parses() -> None:
    payload = {
        "message": {
            "data": base64.b64encode(
                json.dumps({"type": "NEW_REVIEW", "review_name": REVIEW, "location_name": LOCATION}).encode()
            ).decode(),
            "message_id": "7",
        }
    }
    notification = google.parse_push(payload)
    assert (notification.message_id, notification.review_name) == ("7", REVIEW)
    assert notification.subscription is None


def test_notification_naming_a_bare_review_id_is_completed_with_the_location() -> None:
    notification = google.parse_push(
        push_of({"type": "NEW_REVIEW", "review": "Ci9DQUlRQUNvZENodHljRjlvT2pCVVlW", "location": LOCATION})
    )
    assert notification.review_name == REVIEW


def test_notification_without_location_takes_it_from_the_review_name() -> None:
    notification = google.parse_push(push_of({"type": "UPDATED_REVIEW", "reviewName": REVIEW}))
    assert notification.location_name == LOCATION


def test_other_notification_types_parse_and_become_ignored_events() -> None:
    # Given a NEW_QUESTION notification
    notification = google.parse_push(google_event("push_new_question.json"))
    # When
    event = google.ignored(notification)
    # Then
    assert not notification.is_review
    assert notification.review_name is None
    assert event == IgnoredEvent(platform="google", kind="new_question", account_id=LOCATION)


@pytest.mark.parametrize(
    "payload",
    [
        [1, 2],
        "a string",
        {"subscription": "projects/p/subscriptions/s"},  # no message
        {"message": {"messageId": "1"}},  # no data
        {"message": {"data": "e30="}},  # no message id
        {"message": "not an object", "subscription": "s"},
        {"message": {"data": "not base64 !!", "messageId": "1"}},
        push_of(b"this is not json"),
        push_of(b"\xff\xfe not utf-8"),
        push_of(["NEW_REVIEW"]),  # JSON but not an object
        push_of({"review": REVIEW}),  # no type
        push_of({"type": "NEW_REVIEW", "location": LOCATION}),  # a review notification without review
        push_of({"type": "NEW_REVIEW", "review": f"{LOCATION}/reviews/../../../v1/admin"}),
        push_of({"type": "NEW_REVIEW", "review": "accounts/9/locations/9/reviews/abc", "location": LOCATION}),
        push_of({"type": "NEW_QUESTION", "location": "locations/7770001"}),
    ],
    ids=[
        "list",
        "string",
        "no-message",
        "no-data",
        "no-message-id",
        "message-not-object",
        "bad-base64",
        "not-json",
        "not-utf8",
        "json-list",
        "no-type",
        "review-type-without-review",
        "path-traversal",
        "review-of-another-location",
        "bad-location",
    ],
)
def test_bodies_that_are_not_business_profile_pushes_are_malformed(payload: Any) -> None:
    with pytest.raises(MalformedPayload):
        google.parse_push(payload)


# -- review mapping ------------------------------------------------------------------------------


def expected_reviewer_id(display_name: str, location: str = LOCATION) -> str:
    return "gbp-reviewer:" + hashlib.sha256((display_name + location).encode()).hexdigest()[:16]


def test_new_japanese_review_becomes_an_inbound_message() -> None:
    # Given a one-star Japanese review whose createTime has nanoseconds
    review = google_event("review_ja_new.json")
    # When
    message = google.review_event(review, LOCATION, "NEW_REVIEW")
    # Then
    assert isinstance(message, InboundMessage)
    assert message.platform == "google" and message.kind == "review"
    assert message.account_id == LOCATION
    assert message.native_id == message.conversation_id == REVIEW
    assert message.reply_to is None
    assert message.text == review["comment"]
    assert message.rating == 1
    assert message.created_at == "2026-11-23T08:59:30.123Z"
    assert message.url is None
    assert message.author.platform_user_id == expected_reviewer_id("佐藤 花子")
    assert message.author.handle is None
    assert message.author.display_name == "佐藤 花子"


def test_updated_english_review_becomes_an_edit_at_its_update_time() -> None:
    # Given the same review, edited in English to four stars (updateTime with an offset)
    review = google_event("review_en_updated.json")
    # When
    edit = google.review_event(review, LOCATION, "UPDATED_REVIEW")
    # Then
    assert isinstance(edit, MessageEdit)
    assert (edit.platform, edit.account_id, edit.native_id) == ("google", LOCATION, REVIEW)
    assert edit.text.startswith("Update: the parcel arrived today")
    assert edit.rating == 4
    assert edit.edited_at == "2026-11-23T01:15:42.500Z"


def test_english_review_delivered_as_new_uses_create_time() -> None:
    message = google.review_event(google_event("review_en_updated.json"), LOCATION, "NEW_REVIEW")
    assert isinstance(message, InboundMessage)
    assert message.created_at == "2026-11-20T01:00:00.000Z"
    assert message.author.display_name == "Hanako Sato"


def test_reviewer_id_is_stable_per_name_and_location() -> None:
    # Given two reviews by the same display name at one location, and one at another location
    first = google.review_event(google_event("review_star_only.json"), LOCATION, "NEW_REVIEW")
    again = dict(google_event("review_star_only.json"), reviewId="X2", name=f"{LOCATION}/reviews/X2")
    elsewhere_location = "accounts/5550001/locations/8880001"
    elsewhere = dict(again, name=f"{elsewhere_location}/reviews/X2")
    # When
    second = google.review_event(again, LOCATION, "NEW_REVIEW")
    third = google.review_event(elsewhere, elsewhere_location, "NEW_REVIEW")
    # Then
    assert isinstance(first, InboundMessage) and isinstance(second, InboundMessage)
    assert isinstance(third, InboundMessage)
    assert first.author.platform_user_id == second.author.platform_user_id == expected_reviewer_id("Ken T.")
    assert third.author.platform_user_id != first.author.platform_user_id


def test_star_only_review_has_empty_text_and_its_rating() -> None:
    message = google.review_event(google_event("review_star_only.json"), LOCATION, "NEW_REVIEW")
    assert (message.text, message.rating) == ("", 5)


def test_anonymous_reviewer_gets_an_id_per_review() -> None:
    # Given an anonymous reviewer ("A Google user" is shared by every anonymous reviewer)
    message = google.review_event(google_event("review_anonymous.json"), LOCATION, "NEW_REVIEW")
    # Then
    assert isinstance(message, InboundMessage)
    assert message.author.platform_user_id == "gbp-reviewer:anonymous:AbFvOqmAnon0001"
    assert message.author.display_name == "A Google user"
    assert message.rating == 3
    assert message.created_at == "2026-11-22T05:00:00.000Z"


def test_translated_comment_keeps_only_the_original() -> None:
    # Given Google's envelope: translation first, then "(Original)"
    message = google.review_event(google_event("review_translated.json"), LOCATION, "NEW_REVIEW")
    # Then
    assert message.text == "Le manuel est seulement en anglais, je ne le comprends pas."


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        (
            "説明書が英語で分かりません。\n\n(Translated by Google)\nThe manual is in English.",
            "説明書が英語で分かりません。",
        ),
        ("(Translated by Google) Ok\n\n(Original)\nОк, вижте (Original) по-долу", "Ок, вижте (Original) по-долу"),
        ("The menu said (Translated by Google) which was odd", "The menu said (Translated by Google) which was odd"),
        ("(Translated by Google) Lovely stay", "(Translated by Google) Lovely stay"),
        ("  plain text with spaces \n", "plain text with spaces"),
        ("", ""),
        (None, ""),
    ],
    ids=["appended", "prefixed", "quoted-mid-prose", "translation-only", "plain", "empty", "absent"],
)
def test_original_comment(comment: str | None, expected: str) -> None:
    assert google.original_comment(comment) == expected


@pytest.mark.parametrize(
    ("word", "stars"),
    [("ONE", 1), ("TWO", 2), ("THREE", 3), ("FOUR", 4), ("FIVE", 5), ("STAR_RATING_UNSPECIFIED", None), (None, None)],
)
def test_star_rating_words(word: str | None, stars: int | None) -> None:
    assert google.rating(word) == stars


@pytest.mark.parametrize(
    ("change", "location", "notification_type"),
    [
        ({}, "accounts/5550001/locations/9999999", "NEW_REVIEW"),  # review of another location
        ({}, LOCATION, "NEW_QUESTION"),
        ({"createTime": None}, LOCATION, "NEW_REVIEW"),
        ({"createTime": "23/11/2026 09:00"}, LOCATION, "NEW_REVIEW"),
        ({"reviewId": None}, LOCATION, "NEW_REVIEW"),
        ({"name": "reviews/1"}, LOCATION, "NEW_REVIEW"),
    ],
    ids=["other-location", "not-a-review-type", "no-create-time", "bad-create-time", "no-id", "bad-name"],
)
def test_reviews_not_in_the_documented_shape_are_malformed(
    change: dict[str, Any], location: str, notification_type: str
) -> None:
    review = {k: v for k, v in (google_event("review_ja_new.json") | change).items() if v is not None}
    with pytest.raises(MalformedPayload):
        google.review_event(review, location, notification_type)


# -- the reviews client --------------------------------------------------------------------------


class Tokens:
    def __init__(self) -> None:
        self.issued = 0

    def __call__(self) -> str:
        self.issued += 1
        return f"access-token-{self.issued}"


@pytest.fixture
def sleeps() -> list[float]:
    return []


def client(session: FakeSession, sleeps: list[float], **kwargs: Any) -> google.GoogleReviewsClient:
    return google.GoogleReviewsClient(Tokens(), session=session, sleep=sleeps.append, **kwargs)


def test_client_fetches_the_review_with_a_bearer_token(sleeps: list[float]) -> None:
    # Given the API answers 200
    review = google_event("review_ja_new.json")
    session = FakeSession(FakeResponse(200, review))
    # When
    fetched = client(session, sleeps).get_review(REVIEW)
    # Then
    assert fetched == review
    (call,) = session.calls
    assert call["url"] == f"https://mybusiness.googleapis.com/v4/{REVIEW}"
    assert call["headers"]["Authorization"] == "Bearer access-token-1"
    assert call["timeout"] == 5.0
    assert sleeps == []


def test_client_base_url_points_at_the_local_fake(sleeps: list[float]) -> None:
    session = FakeSession(FakeResponse(200, {"name": REVIEW}))
    client(session, sleeps, base_url="http://127.0.0.1:4010/google/").get_review(REVIEW)
    assert session.calls[0]["url"] == f"http://127.0.0.1:4010/google/v4/{REVIEW}"


@pytest.mark.parametrize(
    ("status", "error"), [(404, NotFound), (401, Forbidden), (403, Forbidden), (400, google.GoogleApiError)]
)
def test_client_maps_refusals_without_retrying(sleeps: list[float], status: int, error: type[Exception]) -> None:
    session = FakeSession(FakeResponse(status, {"error": {"code": status}}))
    with pytest.raises(error):
        client(session, sleeps).get_review(REVIEW)
    assert len(session.calls) == 1


def test_client_retries_server_errors_and_timeouts_then_succeeds(sleeps: list[float]) -> None:
    # Given a 503 then a timeout then the review
    session = FakeSession(FakeResponse(503), requests.Timeout("slow"), FakeResponse(200, {"name": REVIEW}))
    # When
    fetched = client(session, sleeps).get_review(REVIEW)
    # Then: two retries with backoff, a fresh token each time
    assert fetched == {"name": REVIEW}
    assert sleeps == [0.25, 0.5]
    assert [c["headers"]["Authorization"] for c in session.calls] == [
        "Bearer access-token-1",
        "Bearer access-token-2",
        "Bearer access-token-3",
    ]


def test_client_gives_up_after_two_retries(sleeps: list[float]) -> None:
    session = FakeSession(FakeResponse(500), FakeResponse(502), FakeResponse(503), FakeResponse(200, {}))
    with pytest.raises(google.GoogleApiError) as raised:
        client(session, sleeps).get_review(REVIEW)
    assert raised.value.status == 503
    assert len(session.calls) == 3


def test_client_gives_up_after_repeated_timeouts(sleeps: list[float]) -> None:
    session = FakeSession(requests.ConnectionError("reset"), requests.Timeout("a"), requests.Timeout("b"))
    with pytest.raises(google.GoogleApiError) as raised:
        client(session, sleeps).get_review(REVIEW)
    assert raised.value.status is None


def test_client_refuses_a_non_json_answer(sleeps: list[float]) -> None:
    with pytest.raises(google.GoogleApiError):
        client(FakeSession(FakeResponse(200, ValueError("html"))), sleeps).get_review(REVIEW)


def test_client_refuses_names_that_are_not_review_names(sleeps: list[float]) -> None:
    session = FakeSession()
    with pytest.raises(MalformedPayload):
        client(session, sleeps).get_review(f"{LOCATION}/reviews/../../admin")
    assert session.calls == []
