"""The Google Business Profile webhook: Pub/Sub push notifications of new and updated reviews.

Order: size limit; the push's OIDC token (Google signs it; we check audience and service account);
parse (a body we cannot parse is quarantined and acknowledged, because Pub/Sub redelivers anything
but 2xx until the message expires); route by location; fetch the review; store it exactly once.
A review that no longer exists was deleted; an update of a review we never stored is stored as new.
"""

import json
from collections.abc import Callable
from typing import Protocol

from mentiondesk.channels import google
from mentiondesk.errors import Forbidden, MalformedPayload, NotFound, PayloadTooLarge
from mentiondesk.ingest.quarantine import quarantine
from mentiondesk.ingest.service import DeliveryOutcome, IngestService
from mentiondesk.models import InboundEvent, MessageDeletion, MessageEdit
from mentiondesk.observability import logger, metrics


class ReviewSource(Protocol):
    def get_review(self, review_name: str) -> dict[str, object]: ...


class Verifier(Protocol):
    def verify(self, authorization_header: str | None) -> dict[str, object]: ...


class GoogleWebhook:
    def __init__(
        self,
        service: IngestService,
        verifier: Verifier,
        reviews: ReviewSource,
        max_body_bytes: int,
        clock: Callable[[], str],
    ) -> None:
        self.service = service
        self.verifier = verifier
        self.reviews = reviews
        self.max_body_bytes = max_body_bytes
        self.clock = clock

    def receive(self, raw_body: bytes, authorization: str | None) -> DeliveryOutcome:
        if len(raw_body) > self.max_body_bytes:
            raise PayloadTooLarge(f"body over {self.max_body_bytes} bytes")
        self.verifier.verify(authorization)  # Unauthorized -> 401; JwksUnavailable -> 503
        metrics.add_metric(name="WebhookVerified", unit="Count", value=1)
        try:
            notification = google.parse_push(json.loads(raw_body))
        except (ValueError, RecursionError, MalformedPayload) as error:  # RecursionError: JSON nested too deep
            return quarantine(self.service, "google", raw_body, error)
        if not notification.is_review or not notification.review_name or not notification.location_name:
            return self.service.apply([google.ignored(notification)])
        location = notification.location_name
        if self.service.store.directory.route("google", location) is None:
            # Unknown location: acknowledged, stored nowhere, and no API call spent on it.
            metrics.add_metric(name="WebhookUnknownAccount", unit="Count", value=1)
            logger.info("event for an unregistered account", extra={"platform": "google", "account_id": location})
            outcome = DeliveryOutcome()
            outcome.ignore("unknown_account")
            return outcome
        try:
            review = self.reviews.get_review(notification.review_name)
        except NotFound:
            # Google sends no deletion notice: a review that is gone was deleted by its author.
            return self.service.apply(
                [
                    MessageDeletion(
                        platform="google",
                        account_id=location,
                        native_id=notification.review_name,
                        deleted_at=self.clock(),
                    )
                ]
            )
        except Forbidden as error:
            # Our API access is broken (revoked or misconfigured): keep the notification for a person.
            return quarantine(self.service, "google", raw_body, error)
        # GoogleApiError (5xx, timeouts) propagates: we answer 5xx and Pub/Sub delivers again.
        try:
            event: InboundEvent = google.review_event(review, location, notification.type)
        except MalformedPayload as error:
            # A review we cannot read: every redelivery would fetch the same answer; keep it for a person.
            return quarantine(self.service, "google", raw_body, error)
        outcome = self.service.apply([event])
        if isinstance(event, MessageEdit) and outcome.ignored.pop("edit_of_unknown_message", 0):
            # An update of a review we never stored (notifications turned on later, a lost push): store it.
            outcome = self.service.apply([google.review_event(review, location, google.NEW_REVIEW)], outcome)
        return outcome
