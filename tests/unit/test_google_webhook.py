"""The Google webhook logic against moto: verified pushes become review tickets, exactly once."""

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from mentiondesk.channels import google
from mentiondesk.errors import Forbidden, NotFound, Unauthorized
from mentiondesk.ingest.google_webhook import GoogleWebhook
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import ChannelAccount
from mentiondesk.store.factory import Store

from tests.conftest import RecordingStarter
from tests.unit.test_google_channel import AUDIENCE, KID, LOCATION, PUSH_SA, REVIEW, claims, google_event, token

pytestmark = pytest.mark.unit
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeReviews:
    def __init__(self, *answers: dict[str, Any] | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[str] = []

    def get_review(self, review_name: str) -> dict[str, Any]:
        self.calls.append(review_name)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def location(store: Store, tenant: str) -> str:
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
    return LOCATION


def make(store: Store, reviews: FakeReviews, starter: RecordingStarter | None = None) -> GoogleWebhook:
    verifier = google.OidcVerifier(AUDIENCE, PUSH_SA, google.StaticJwks({KID: KEY.public_key()}))
    service = IngestService(store, starter or RecordingStarter(), lambda: "2026-11-23T09:00:00.000Z")
    return GoogleWebhook(service, verifier, reviews, 262_144, lambda: "2026-11-23T09:00:00.000Z")


def push(name: str = "push_new_review_v4_names.json") -> bytes:
    return json.dumps(google_event(name)).encode()


BEARER = f"Bearer {token(KEY, claims())}"


def test_new_review_becomes_a_ticket_once(store: Store, tenant: str, location: str) -> None:
    # Given a verified push for a new one-star review
    starter = RecordingStarter()
    reviews = FakeReviews(google_event("review_ja_new.json"))
    webhook = make(store, reviews, starter)
    # When it arrives twice (Pub/Sub redelivers)
    first = webhook.receive(push(), BEARER)
    again = webhook.receive(push(), BEARER)
    # Then one review ticket with its rating
    assert first.accepted == 1 and again.duplicates == 1
    detail = store.tickets.detail(tenant, first.tickets[0])
    assert detail.ticket.platform == "google" and detail.ticket.kind == "review"
    assert detail.messages[0].rating == 1 and "届きません" in detail.messages[0].text
    assert reviews.calls == [REVIEW, REVIEW]
    assert starter.started[0] == (tenant, first.tickets[0])


def test_update_of_a_stored_review_edits_it(store: Store, tenant: str, location: str) -> None:
    new = google_event("review_ja_new.json")
    updated = {
        **new,
        "starRating": "THREE",
        "comment": "届きました。対応ありがとうございました。",
        "updateTime": "2026-11-24T10:00:00Z",
    }
    webhook = make(store, FakeReviews(new, updated))
    ticket = webhook.receive(push(), BEARER).tickets[0]
    outcome = webhook.receive(push("push_updated_review_short_keys.json"), BEARER)
    assert outcome.edited == 1
    message = store.tickets.detail(tenant, ticket).messages[0]
    assert message.rating == 3 and message.text.startswith("届きました") and message.edited_at


def test_update_of_an_unknown_review_is_stored_as_new(store: Store, tenant: str, location: str) -> None:
    outcome = make(store, FakeReviews(google_event("review_ja_new.json"))).receive(
        push("push_updated_review_short_keys.json"), BEARER
    )
    assert outcome.accepted == 1 and outcome.ignored == {}


def test_review_gone_means_deleted(store: Store, tenant: str, location: str) -> None:
    webhook = make(store, FakeReviews(google_event("review_ja_new.json"), NotFound("gone")))
    ticket = webhook.receive(push(), BEARER).tickets[0]
    assert webhook.receive(push(), BEARER).deleted == 1
    assert store.tickets.detail(tenant, ticket).messages[0].deleted_at


def test_lost_api_access_is_quarantined_not_lost(store: Store, tenant: str, location: str) -> None:
    outcome = make(store, FakeReviews(Forbidden("no access"))).receive(push(), BEARER)
    assert outcome.quarantined and store.quarantine.recent("google")[0]["id"] == outcome.quarantined


def test_other_notifications_and_unknown_locations_store_nothing(store: Store, tenant: str, location: str) -> None:
    reviews = FakeReviews(google_event("review_ja_new.json"))
    assert make(store, reviews).receive(push("push_new_question.json"), BEARER).ignored == {"new_question": 1}
    store.directory.revoke_channel("google", LOCATION, "2026-11-23T00:00:00.000Z")
    assert make(store, reviews).receive(push(), BEARER).ignored == {"account_revoked": 1}


def test_unknown_location_costs_no_api_call(store: Store, tenant: str) -> None:
    reviews = FakeReviews(google_event("review_ja_new.json"))
    assert make(store, reviews).receive(push(), BEARER).ignored == {"unknown_account": 1}
    assert reviews.calls == []


@pytest.mark.parametrize("authorization", [None, "Bearer x.y.z", f"Bearer {token(KEY, claims(aud='other'))}"])
def test_unverified_pushes_are_refused_before_anything(
    store: Store, tenant: str, location: str, authorization: str | None
) -> None:
    reviews = FakeReviews(google_event("review_ja_new.json"))
    with pytest.raises(Unauthorized):
        make(store, reviews).receive(push(), authorization)
    assert reviews.calls == []


def test_unparseable_push_is_quarantined(store: Store, tenant: str, location: str) -> None:
    outcome = make(store, FakeReviews(google_event("review_ja_new.json"))).receive(b'{"message": 1}', BEARER)
    assert outcome.quarantined


# -- functions/webhook_google through API Gateway events ------------------------------------------


@pytest.fixture
def handler(store: Store, tenant: str, location: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    import boto3
    from mentiondesk.local.auth import LocalGooglePush

    from tests.conftest import load_function

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
    module = load_function("webhook_google")
    module.webhook.reviews = FakeReviews(google_event("review_ja_new.json"))
    module.bearer = f"Bearer {pusher.token()}"
    return module


def call(handler: Any, body: bytes, authorization: str | None) -> tuple[int, dict[str, Any]]:
    from tests.conftest import Context, http_event

    headers = {"authorization": authorization} if authorization else {}
    result = handler.handler(http_event("POST", "/webhooks/google", body=body, headers=headers), Context())
    return result["statusCode"], json.loads(result["body"])


def test_handler_statuses(handler: Any, store: Store, tenant: str) -> None:
    assert call(handler, push(), None)[0] == 401
    assert call(handler, push(), BEARER)[0] == 401  # signed by a key this deployment does not trust
    assert call(handler, b"{" + b" " * 5000 + b"}", handler.bearer)[0] == 413
    status, answer = call(handler, push(), handler.bearer)
    assert status == 200 and answer["accepted"] == 1
    assert store.tickets.inbox(tenant, None, 10, None).items[0].platform == "google"


def test_api_outage_propagates_so_pubsub_redelivers(handler: Any, store: Store, tenant: str) -> None:
    handler.webhook.reviews = FakeReviews(google.GoogleApiError("the reviews API answered HTTP 503", 503))
    with pytest.raises(google.GoogleApiError):
        call(handler, push(), handler.bearer)
    assert store.tickets.inbox(tenant, None, 10, None).items == []


def test_concurrent_redeliveries_store_one_review(handler: Any, store: Store, tenant: str) -> None:
    import threading

    answers: list[dict[str, Any]] = []

    def deliver() -> None:
        status, answer = call(handler, push(), handler.bearer)
        assert status == 200
        answers.append(answer)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(a["accepted"] for a in answers) == 1 and sum(a["duplicates"] for a in answers) == 3
    assert len(store.tickets.inbox(tenant, None, 10, None).items) == 1
