"""The Google adapter against the shared real and documented payloads (`../shared/data/payloads`).

Every `gbp_*` and `gcp_*` file goes through the parser its shape calls for. Expectations are derived
from the files themselves, so nothing of them is copied into the project.
"""

import base64
import json
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from mentiondesk.channels import google
from mentiondesk.errors import MalformedPayload, Unauthorized
from mentiondesk.models import InboundMessage, MessageEdit

pytestmark = pytest.mark.unit

PAYLOADS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "payloads"
if not PAYLOADS.is_dir():
    pytest.skip(f"shared payloads directory {PAYLOADS} is absent", allow_module_level=True)

FILES = sorted(p for p in PAYLOADS.glob("*.json") if p.name.startswith(("gbp_", "gcp_")))
ISO_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def shape(doc: dict[str, Any]) -> str:
    """Which parser a shared file is for, told by its shape rather than its name."""
    if "specversion" in doc:
        return "cloudevent"
    if "message" in doc:
        return "push"
    if "claims" in doc and "header" in doc:
        return "oidc"
    if "reviewId" in doc:
        return "review"
    if "type" in doc:
        return "notification"
    return "unknown"


def of_shape(kind: str) -> list[Path]:
    return [p for p in FILES if shape(load(p)) == kind]


def test_the_shared_google_files_are_present_and_all_recognised() -> None:
    # Given the shared directory / Then it holds Google files, each of a shape we handle
    assert FILES, f"no gbp_*/gcp_* files in {PAYLOADS}"
    assert {p.name: shape(load(p)) for p in FILES if shape(load(p)) == "unknown"} == {}
    for kind in ("push", "review", "notification", "oidc"):
        assert of_shape(kind), f"no {kind} sample among the shared files"


# -- pushes and notifications --------------------------------------------------------------------


@pytest.mark.parametrize("path", of_shape("push"), ids=lambda p: p.name)
def test_shared_push_envelopes_parse(path: Path) -> None:
    # Given a Pub/Sub push as delivered
    doc = load(path)
    decoded = json.loads(base64.b64decode(doc["message"]["data"]))
    # When
    notification = google.parse_push(doc)
    # Then the names are those the notification carries, complete and consistent
    assert notification.message_id == doc["message"].get("messageId", doc["message"].get("message_id"))
    assert notification.type == decoded["type"]
    assert notification.review_name == decoded.get("review", decoded.get("reviewName"))
    assert notification.location_name == decoded.get("location", decoded.get("locationName"))
    assert notification.subscription == doc.get("subscription")
    assert notification.is_review


@pytest.mark.parametrize("path", of_shape("notification"), ids=lambda p: p.name)
def test_shared_decoded_notifications_parse(path: Path) -> None:
    # Given the decoded data of a push (also what an unwrapped push delivers as its body)
    doc = load(path)
    # When
    notification = google.parse_notification(doc, "m-1")
    # Then
    assert notification.type == doc["type"]
    assert notification.review_name is not None
    assert notification.location_name is not None
    assert notification.review_name.startswith(notification.location_name + "/reviews/")


def test_push_data_decodes_to_the_shared_decoded_notification() -> None:
    # Given the push sample and the decoded sample (VERIFICATION.md's self-check vector)
    (push,) = [load(p) for p in of_shape("push")]
    (decoded,) = [load(p) for p in of_shape("notification")]
    # When / Then both parse to the same names
    from_push = google.parse_push(push)
    from_decoded = google.parse_notification(decoded, from_push.message_id)
    assert (from_push.type, from_push.location_name, from_push.review_name) == (
        from_decoded.type,
        from_decoded.location_name,
        from_decoded.review_name,
    )


@pytest.mark.parametrize("path", of_shape("cloudevent"), ids=lambda p: p.name)
def test_shared_cloudevent_is_not_a_push_and_its_data_is_not_a_notification(path: Path) -> None:
    # Given the Eventarc/CloudEvent form of a Pub/Sub message (another transport than push)
    doc = load(path)
    # When / Then: the CloudEvent itself is not a push envelope
    with pytest.raises(MalformedPayload):
        google.parse_push(doc)
    # Its `data` has the push envelope's shape...
    envelope = google.PubsubPush.model_validate(doc["data"])
    assert envelope.message.message_id == doc["data"]["message"]["messageId"]
    # ...but carries plain text, not a Business Profile notification
    with pytest.raises(MalformedPayload):
        google.parse_push(doc["data"])


# -- review resources ----------------------------------------------------------------------------


def location_of(review_name: str) -> str:
    return review_name.split("/reviews/")[0]


def same_instant(ours: str, googles: str) -> bool:
    def parse(value: str) -> datetime:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))

    return abs((parse(ours) - parse(googles)).total_seconds()) < 0.001


@pytest.mark.parametrize("path", of_shape("review"), ids=lambda p: p.name)
def test_shared_review_resources_map_to_messages(path: Path) -> None:
    # Given a review resource as GET /v4/{name} returns it
    review = load(path)
    location = location_of(review["name"])
    # When announced as new
    message = google.review_event(review, location, "NEW_REVIEW")
    # Then
    assert isinstance(message, InboundMessage)
    assert (message.platform, message.kind, message.account_id) == ("google", "review", location)
    assert message.native_id == message.conversation_id == review["name"]
    assert message.rating == STARS[review["starRating"]]
    assert message.text == review.get("comment", "").strip()
    assert ISO_MS.fullmatch(message.created_at) and same_instant(message.created_at, review["createTime"])
    assert message.author.display_name == review["reviewer"].get("displayName")
    assert message.author.handle is None and message.url is None
    if review["reviewer"].get("isAnonymous"):
        assert message.author.platform_user_id == f"gbp-reviewer:anonymous:{review['reviewId']}"
    else:
        assert re.fullmatch(r"gbp-reviewer:[0-9a-f]{16}", message.author.platform_user_id)


@pytest.mark.parametrize("path", of_shape("review"), ids=lambda p: p.name)
def test_shared_review_resources_map_to_edits_when_updated(path: Path) -> None:
    review = load(path)
    edit = google.review_event(review, location_of(review["name"]), "UPDATED_REVIEW")
    assert isinstance(edit, MessageEdit)
    assert edit.native_id == review["name"]
    assert edit.rating == STARS[review["starRating"]]
    assert same_instant(edit.edited_at, review["updateTime"])


class ServedReviews:
    """A fake HTTP session serving the shared review resources by their API URL."""

    def __init__(self, reviews: list[dict[str, Any]]) -> None:
        self.by_url = {f"https://mybusiness.googleapis.com/v4/{r['name']}": r for r in reviews}

    def get(self, url: str, **_: Any) -> Any:
        review = self.by_url.get(url)

        class Answer:
            status_code = 200 if review else 404

            def json(self) -> Any:
                return review

        return Answer()


def test_shared_push_to_fetched_review_to_message() -> None:
    # Given the push sample, and the API serving the shared review resources
    (push,) = [load(p) for p in of_shape("push")]
    reviews = [load(p) for p in of_shape("review")]
    client = google.GoogleReviewsClient(lambda: "t", session=ServedReviews(reviews), sleep=lambda _: None)
    # When the webhook's chain runs
    notification = google.parse_push(push)
    assert notification.review_name and notification.location_name
    fetched = client.get_review(notification.review_name)
    message = google.review_event(fetched, notification.location_name, notification.type)
    # Then
    assert isinstance(message, InboundMessage)
    assert message.native_id == notification.review_name
    assert message.account_id == notification.location_name


# -- the OIDC token sample -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def oidc_doc() -> dict[str, Any]:
    (doc,) = [load(p) for p in of_shape("oidc")]
    return doc


def doc_verifier(doc: dict[str, Any], jwks: google.JwksSource | None = None) -> google.OidcVerifier:
    claims = doc["claims"]
    return google.OidcVerifier(claims["aud"], claims["email"], jwks or google.StaticJwks({}))


def test_documented_claims_pass_the_claim_checks_when_fresh(oidc_doc: dict[str, Any]) -> None:
    # Given the documented claims, checked at a moment inside their validity window
    claims = oidc_doc["claims"]
    # When / Then: no exception
    doc_verifier(oidc_doc).check_claims(claims, now=claims["iat"] + 60)


def test_documented_token_is_expired_now(oidc_doc: dict[str, Any]) -> None:
    with pytest.raises(Unauthorized):
        doc_verifier(oidc_doc).check_claims(oidc_doc["claims"])


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "https://another.example"},
        {"email": "other@appspot.gserviceaccount.com"},
        {"email_verified": False},
        {"iss": "https://issuer.example"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_documented_claims_with_one_change_are_refused(oidc_doc: dict[str, Any], change: dict[str, Any]) -> None:
    claims = oidc_doc["claims"]
    with pytest.raises(Unauthorized):
        doc_verifier(oidc_doc).check_claims(claims | change, now=claims["iat"] + 60)


def test_documented_header_and_claims_verify_when_signed_by_a_key_we_trust(oidc_doc: dict[str, Any]) -> None:
    # Given the documented header and claims re-signed with our own key under the documented kid
    # (Google's signature cannot be checked offline), with the time window moved to now
    header, claims = oidc_doc["header"], dict(oidc_doc["claims"])
    assert header["alg"] == "RS256"
    lifetime = claims["exp"] - claims["iat"]
    claims["iat"] = int(time.time())
    claims["exp"] = claims["iat"] + lifetime
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims, key, algorithm=header["alg"], headers={"kid": header["kid"]})
    authorization = oidc_doc["authorization_header_format"].replace("<JWT>", token)
    verifier = doc_verifier(oidc_doc, google.StaticJwks({header["kid"]: key.public_key()}))
    # When
    verified = verifier.verify(authorization)
    # Then
    assert verified["email"] == oidc_doc["claims"]["email"]
    assert verified["sub"] == oidc_doc["claims"]["sub"]
