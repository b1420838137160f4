"""The Meta webhook (Instagram and Facebook Pages): subscription check and event deliveries.

Same order as X: size limit, `X-Hub-Signature-256` over the raw bytes (Meta signs its escaped,
spaced JSON; never re-serialise), parse (quarantine what we cannot), then the ingest service.
"""

import json
from collections.abc import Callable, Mapping

from mentiondesk.channels import meta
from mentiondesk.errors import MalformedPayload, PayloadTooLarge
from mentiondesk.ingest.quarantine import quarantine
from mentiondesk.ingest.service import DeliveryOutcome, IngestService
from mentiondesk.observability import metrics


class MetaWebhook:
    def __init__(
        self,
        service: IngestService,
        app_secret: Callable[[], str],
        verify_token: Callable[[], str],
        max_body_bytes: int,
    ) -> None:
        self.service = service
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.max_body_bytes = max_body_bytes

    def subscribe(self, params: Mapping[str, str]) -> str:
        """Meta's GET verification: the challenge, or Forbidden / InvalidRequest."""
        return meta.verify_subscription(params, self.verify_token())

    def receive(self, raw_body: bytes, signature: str | None) -> DeliveryOutcome:
        if len(raw_body) > self.max_body_bytes:
            raise PayloadTooLarge(f"body over {self.max_body_bytes} bytes")
        meta.verify_signature(self.app_secret(), raw_body, signature)
        metrics.add_metric(name="WebhookVerified", unit="Count", value=1)
        try:
            events = meta.parse_delivery(json.loads(raw_body))
        except (ValueError, MalformedPayload) as error:
            return quarantine(self.service, "meta", raw_body, error)
        return self.service.apply(events)
