"""Fuzzing Google's webhook: the push's OIDC token, Pub/Sub envelopes, Business Profile notifications,
review resources, and functions/webhook_google end to end (always 2xx/4xx with a JSON body)."""

import base64
import json
import time
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from mentiondesk.channels import google
from mentiondesk.errors import MalformedPayload, Unauthorized
from mentiondesk.models import ChannelAccount, InboundMessage, MessageEdit
from mentiondesk.store.factory import Store

from tests.conftest import Context, http_event, load_function
from tests.fuzz.strategies import NASTY_STRINGS, examples, fixtures, header_values, json_values, mutated, raw_bodies

pytestmark = [pytest.mark.fuzz, pytest.mark.unit]

AUDIENCE = "https://hooks.mentiondesk.test/webhooks/google"
PUSH_SA = "gbp-push@mentiondesk-demo.iam.gserviceaccount.com"
KID = "fuzz-key-1"
LOCATION = "accounts/5550001/locations/7770001"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
VERIFIER = google.OidcVerifier(AUDIENCE, PUSH_SA, google.StaticJwks({KID: KEY.public_key()}))

GOOGLE_DOCS = fixtures("google")
PUSHES = [doc for doc in GOOGLE_DOCS if "message" in doc]
REVIEWS = [doc for doc in GOOGLE_DOCS if "reviewId" in doc]
NOTIFICATIONS = [json.loads(base64.b64decode(push["message"]["data"])) for push in PUSHES]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _valid_claims() -> dict[str, Any]:
    now = int(time.time())
    return {
        "aud": AUDIENCE,
        "email": PUSH_SA,
        "email_verified": True,
        "exp": now + 3600,
        "iat": now,
        "iss": "https://accounts.google.com",
        "sub": "110000000000000000001",
    }


@st.composite
def handmade_tokens(draw: st.DrawFn) -> str:
    """A JWT-shaped string: a fuzzed header and payload, and a signature that is garbage or truncated."""
    header = draw(
        st.fixed_dictionaries({"alg": st.sampled_from(["RS256", "none", "HS256"]) | json_values}) | json_values
    )
    header_part = draw(st.just(_b64url(json.dumps(header).encode())) | st.text(max_size=30))
    payload_part = _b64url(json.dumps(draw(mutated([_valid_claims()]))).encode())
    signature = draw(st.binary(max_size=300).map(_b64url) | st.text(max_size=20))
    parts = [header_part, payload_part, signature][: draw(st.integers(min_value=1, max_value=3))]
    return ".".join(parts)


authorization_headers = st.one_of(
    header_values,
    handmade_tokens().map(lambda token: "Bearer " + token),
    st.builds(lambda scheme, token: f"{scheme} {token}", st.sampled_from(["Bearer", "bearer", "Basic", ""]), st.text()),
)


@given(header=authorization_headers)
@example(header="Bearer a.b.c")
@example(header="Bearer " + _b64url(b"[]") + ".e30.")
@example(header="Bearer " + _b64url(b'{"alg":"RS256","kid":"fuzz-key-1","b64":false,"crit":["b64"]}') + ".e30.x")
def test_google_push_token_check_raises_only_unauthorized(header: str | None) -> None:
    # Given any Authorization header (forged, truncated, wrong algorithm, wrong key, not a JWT at all)
    # When the push is verified
    # Then it is refused as Unauthorized (401), nothing else: none of these carry our key's signature
    with pytest.raises(Unauthorized):
        VERIFIER.verify(header)


def _signed_token(claims: Any) -> str:
    """RS256 over any JSON payload (pyjwt's encoder refuses some claim types; Google's signer would not)."""
    signing_input = (
        f"{_b64url(json.dumps({'alg': 'RS256', 'kid': KID}).encode())}.{_b64url(json.dumps(claims).encode())}"
    )
    signature = KEY.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64url(signature)}"


@given(claims=mutated([_valid_claims()]))
@example(claims={**_valid_claims(), "aud": [AUDIENCE, 1]})
@example(claims={**_valid_claims(), "email": PUSH_SA.upper()})
@example(claims={**_valid_claims(), "exp": 10**400})  # was an OverflowError (int too large for a float)
@example(claims={**_valid_claims(), "exp": float("inf"), "iat": float("nan")})
def test_google_token_claims_signed_by_the_trusted_key_pass_only_when_valid(claims: Any) -> None:
    # Given a token correctly signed by the key we trust, with any claims
    token = _signed_token(claims)
    # When verified
    try:
        verified = VERIFIER.verify(f"Bearer {token}")
    except Unauthorized:
        return
    # Then it passes only when every claim says: Google, for us, from the push account, in its time window
    audiences = verified["aud"] if isinstance(verified["aud"], list) else [verified["aud"]]
    assert verified["iss"] in google.GOOGLE_ISSUERS and AUDIENCE in audiences
    assert verified["email"].lower() == PUSH_SA and verified["email_verified"] is True
    assert verified["exp"] + 30 >= time.time() and verified["iat"] <= time.time() + 30


# -- notifications and reviews ---------------------------------------------------------------------


def _push_of(notification: Any) -> dict[str, Any]:
    data = base64.b64encode(json.dumps(notification).encode()).decode()
    return {"message": {"data": data, "messageId": "1"}, "subscription": "projects/p/subscriptions/s"}


@given(payload=json_values | mutated(PUSHES) | mutated(NOTIFICATIONS).map(_push_of))
@example(payload=_push_of({"type": "NEW_REVIEW", "reviewName": "accounts/1/locations/2/reviews/3\n"}))
@example(payload=_push_of({"type": "NEW_REVIEW", "review": "x", "location": "accounts/1/locations/2"}))
@example(payload={"message": {"data": "\u00e9", "messageId": "1"}})
@example(payload={"message": {"data": base64.b64encode(b"[" * 2_000 + b"]" * 2_000).decode(), "messageId": "1"}})
def test_google_push_parse_raises_only_malformed_payload(payload: Any) -> None:
    # Given any body, a mutated push, or a push carrying a mutated notification
    # When parsed
    try:
        notification = google.parse_push(payload)
    except MalformedPayload:
        return
    # Then a review notification names a complete review of a complete location, the same one
    if notification.review_name is not None:
        assert notification.location_name is not None
        assert notification.review_name.startswith(notification.location_name + "/reviews/")
    if notification.is_review:
        assert notification.review_name is not None


@given(review=mutated(REVIEWS) | json_values, kind=st.sampled_from([google.NEW_REVIEW, google.UPDATED_REVIEW, "X"]))
@example(review={**REVIEWS[0], "createTime": "0001-01-01T00:00:00+01:00"}, kind=google.NEW_REVIEW)
@example(review={**REVIEWS[0], "createTime": "9999-12-31T23:59:59-01:00"}, kind=google.NEW_REVIEW)
@example(review={**REVIEWS[0], "createTime": "２０２６-11-23T08:59:30Z"}, kind=google.NEW_REVIEW)
def test_google_review_event_raises_only_malformed_payload(review: Any, kind: str) -> None:
    # Given any review resource the API could answer (mutated from the documented one)
    # When it is turned into the event its notification announces
    try:
        event = google.review_event(review, LOCATION, kind)
    except MalformedPayload:
        return
    # Then a new review is a message, an update an edit, both dated in our ISO form
    assert isinstance(event, InboundMessage if kind == google.NEW_REVIEW else MessageEdit)
    stamp = event.created_at if isinstance(event, InboundMessage) else event.edited_at
    assert len(stamp) == 24 and stamp.endswith("Z")
    assert event.rating is None or 1 <= event.rating <= 5


@given(
    comment=st.none()
    | st.text()
    | st.sampled_from(NASTY_STRINGS)
    | st.lists(
        st.sampled_from(["(Translated by Google)", "(Original)", "\n", "\n\n", " ", "美味しい", "good"]), max_size=8
    ).map("".join)
)
def test_google_original_comment_is_always_a_piece_of_the_comment(comment: str | None) -> None:
    # Given any comment, with or without Google's translation markers
    # When the reviewer's own words are taken
    original = google.original_comment(comment)
    # Then they are a part of what Google sent, never invented text
    assert original in (comment or "")


# -- the Lambda handler ----------------------------------------------------------------------------


class FuzzedReviews:
    """The reviews API answering whatever the test says (a mutated review resource)."""

    def __init__(self) -> None:
        self.answer: Any = REVIEWS[0]

    def get_review(self, review_name: str) -> Any:
        return self.answer


@pytest.fixture
def google_handler(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    from mentiondesk.local.auth import LocalGooglePush

    store.directory.register_channel(
        ChannelAccount(
            tenant_id=tenant,
            platform="google",
            account_id=LOCATION,
            handle="Acme Shibuya",
            team="support",
            created_at="2026-11-01T00:00:00.000Z",
            created_by="user-admin",
        )
    )
    machine = boto3.client("stepfunctions").create_state_machine(
        name="wf",
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
        roleArn="arn:aws:iam::123456789012:role/sf",
    )
    pusher = LocalGooglePush(AUDIENCE, PUSH_SA)
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("TICKET_WORKFLOW_ARN", machine["stateMachineArn"])
    monkeypatch.setenv("GOOGLE_PUSH_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("GOOGLE_PUSH_SERVICE_ACCOUNT", PUSH_SA)
    monkeypatch.setenv("MENTIONDESK_GOOGLE_JWKS", pusher.jwks())
    monkeypatch.setenv("MENTIONDESK_GOOGLE_API_TOKEN", "test-token")
    monkeypatch.setenv("MAX_BODY_BYTES", "4096")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    module = load_function("webhook_google")
    module.webhook.reviews = FuzzedReviews()
    module.bearer = f"Bearer {pusher.token()}"
    return module


@given(
    body=raw_bodies | mutated(PUSHES).map(lambda doc: json.dumps(doc).encode()),
    authorized=st.booleans(),
    header=authorization_headers,
    review=mutated(REVIEWS),
    base64_body=st.booleans(),
)
@hsettings(max_examples=examples(0.4))
@example(
    body=json.dumps(PUSHES[1]).encode(),
    authorized=True,
    header=None,
    review={**REVIEWS[0], "createTime": "0001-01-01T00:00:00+01:00"},  # was a 5xx: OverflowError
    base64_body=False,
)
@example(body=b"[" * 1_800 + b"]" * 1_800, authorized=True, header=None, review=REVIEWS[0], base64_body=False)
def test_webhook_google_handler_answers_2xx_or_4xx_with_json(
    google_handler: Any, body: bytes, authorized: bool, header: str | None, review: Any, base64_body: bool
) -> None:
    # Given any push body, a valid or fuzzed Authorization header, and any review the API answers
    google_handler.webhook.reviews.answer = review
    authorization = google_handler.bearer if authorized else header
    headers = {"authorization": authorization} if authorization is not None else {}
    if not base64_body:
        body = body.decode("utf-8", errors="replace").encode("utf-8")
    event = http_event("POST", "/webhooks/google", body=body, headers=headers, base64_body=base64_body)
    # When the handler answers it
    result = google_handler.handler(event, Context())
    # Then 2xx or 4xx with a JSON body: never 5xx, never an exception
    assert 200 <= result["statusCode"] < 500, result
    assert isinstance(json.loads(result["body"]), dict)
