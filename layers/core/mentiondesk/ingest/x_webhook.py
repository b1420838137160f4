"""The X webhook: CRC challenge and event deliveries.

Order matters: size limit, then signature (nothing is written for an unsigned body), then parse
(a signed body we cannot parse is quarantined, not dropped), then the ingest service routes and
stores every event exactly once. 200 only after storage succeeded.
"""

import json
from collections.abc import Callable

from mentiondesk.channels import x
from mentiondesk.errors import InvalidRequest, MalformedPayload, PayloadTooLarge
from mentiondesk.ingest.quarantine import quarantine
from mentiondesk.ingest.service import DeliveryOutcome, IngestService
from mentiondesk.observability import metrics


class XWebhook:
    """Verifies and ingests X Account Activity / X Activity deliveries."""

    def __init__(self, service: IngestService, consumer_secret: Callable[[], str], max_body_bytes: int) -> None:
        self.service = service
        self.secret = consumer_secret
        self.max_body_bytes = max_body_bytes

    def crc(self, crc_token: str | None) -> dict[str, str]:
        if not crc_token:
            raise InvalidRequest("crc_token is required")
        return {"response_token": x.crc_response_token(self.secret(), crc_token)}

    def receive(self, raw_body: bytes, signature: str | None) -> DeliveryOutcome:
        if len(raw_body) > self.max_body_bytes:
            raise PayloadTooLarge(f"body over {self.max_body_bytes} bytes")
        x.verify_signature(self.secret(), raw_body, signature)
        metrics.add_metric(name="WebhookVerified", unit="Count", value=1)
        try:
            events = x.parse_delivery(json.loads(raw_body))
        except (ValueError, RecursionError, MalformedPayload) as error:  # RecursionError: JSON nested too deep
            return quarantine(self.service, "x", raw_body, error)
        return self.service.apply(events)
