"""The X webhook: CRC challenge and event deliveries.

Order matters: size limit, then signature (nothing is written for an unsigned body), then parse
(a signed body we cannot parse is quarantined, not dropped), then routing by account, then one
exactly-once write per post and an idempotent workflow start. 200 only after storage succeeded.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from mentiondesk.channels import x
from mentiondesk.errors import InvalidRequest, MalformedPayload, PayloadTooLarge
from mentiondesk.observability import logger, metrics
from mentiondesk.store.factory import Store


class TriageStarter(Protocol):
    def start_triage(self, tenant: str, ticket_id: str) -> bool: ...


@dataclass
class DeliveryOutcome:
    """What one delivery did (the webhook's 200 body)."""

    accepted: int = 0
    duplicates: int = 0
    ignored: dict[str, int] = field(default_factory=dict)
    tickets: list[str] = field(default_factory=list)
    quarantined: str | None = None

    def as_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "ignored": self.ignored,
        }
        if self.quarantined:
            body["quarantined"] = self.quarantined
        return body


class XWebhook:
    """Verifies and ingests X Account Activity / X Activity deliveries."""

    def __init__(
        self,
        store: Store,
        starter: TriageStarter,
        consumer_secret: Callable[[], str],
        max_body_bytes: int,
        clock: Callable[[], str],
    ) -> None:
        self.store = store
        self.starter = starter
        self.secret = consumer_secret
        self.max_body_bytes = max_body_bytes
        self.clock = clock

    def crc(self, crc_token: str | None) -> dict[str, str]:
        if not crc_token:
            raise InvalidRequest("crc_token is required")
        return {"response_token": x.crc_response_token(self.secret(), crc_token)}

    def receive(self, raw_body: bytes, signature: str | None) -> DeliveryOutcome:
        if len(raw_body) > self.max_body_bytes:
            raise PayloadTooLarge(f"body over {self.max_body_bytes} bytes")
        x.verify_signature(self.secret(), raw_body, signature)
        metrics.add_metric(name="WebhookVerified", unit="Count", value=1)
        outcome = DeliveryOutcome()
        try:
            payload = json.loads(raw_body)
            envelope = x.parse_envelope(payload)
        except (ValueError, MalformedPayload) as error:
            return self._quarantine(raw_body, error, outcome)

        for key in x.EVENT_KEYS:
            if key != "tweet_create_events" and key in payload:
                # DMs, deletes, revokes and the rest are handled by the channels issue; counted here.
                outcome.ignored[key] = outcome.ignored.get(key, 0) + 1
        if not envelope.tweet_create_events:
            return outcome
        route = self.store.directory.route("x", envelope.for_user_id or "")
        if route is None:
            metrics.add_metric(name="WebhookUnknownAccount", unit="Count", value=1)
            logger.info(
                "x delivery for an unknown account", extra={"events": len(envelope.tweet_create_events)}
            )
            outcome.ignored["unknown_account"] = len(envelope.tweet_create_events)
            return outcome

        malformed: MalformedPayload | None = None
        for raw_tweet in envelope.tweet_create_events:
            try:
                tweet = x.parse_tweet(raw_tweet)
                message = x.normalize_tweet(tweet, envelope.for_user_id or "")
            except MalformedPayload as error:
                malformed = error
                continue
            if tweet.user.id_str == envelope.for_user_id:
                # Our own posts are delivered too; they are not customer messages.
                outcome.ignored["own_post"] = outcome.ignored.get("own_post", 0) + 1
                continue
            result = self.store.tickets.record_inbound(
                route["tenant_id"], route.get("team", "support"), message, self.clock()
            )
            if result.duplicate:
                outcome.duplicates += 1
                metrics.add_metric(name="WebhookDuplicate", unit="Count", value=1)
            else:
                outcome.accepted += 1
                metrics.add_metric(name="MessageStored", unit="Count", value=1)
            if result.created:
                metrics.add_metric(name="TicketCreated", unit="Count", value=1)
            if result.created or result.duplicate:
                # A duplicate may be the platform retrying after our start failed: start again
                # (the execution name is the ticket's, so a start that happened is a no-op).
                self.starter.start_triage(route["tenant_id"], result.ticket_id)
            outcome.tickets.append(result.ticket_id)
        if malformed is not None:
            self._quarantine(raw_body, malformed, outcome)
        return outcome

    def _quarantine(self, raw_body: bytes, error: Exception, outcome: DeliveryOutcome) -> DeliveryOutcome:
        reason = type(error).__name__ if not isinstance(error, MalformedPayload) else str(error)
        outcome.quarantined = self.store.quarantine.put("x", raw_body, reason, self.clock())
        metrics.add_metric(name="WebhookQuarantined", unit="Count", value=1)
        logger.warning(
            "signed x body could not be parsed; quarantined",
            extra={"quarantine_id": outcome.quarantined, "size": len(raw_body)},
        )
        return outcome
