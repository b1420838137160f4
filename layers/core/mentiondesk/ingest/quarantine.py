"""Keeping signed bodies we cannot parse for a person (never dropped silently)."""

from mentiondesk.ingest.service import DeliveryOutcome, IngestService
from mentiondesk.observability import logger, metrics


def quarantine(service: IngestService, platform: str, raw_body: bytes, error: Exception) -> DeliveryOutcome:
    """Store the body (30 days), count it (the WebhookQuarantined alarm) and say so in the answer."""
    outcome = DeliveryOutcome()
    # The reason names the parse failure only (positions and counts, never the body's content).
    outcome.quarantined = service.store.quarantine.put(
        platform, raw_body, f"{type(error).__name__}: {error}"[:300], service.clock()
    )
    metrics.add_metric(name="WebhookQuarantined", unit="Count", value=1)
    logger.warning(
        "signed body could not be parsed; quarantined",
        extra={"platform": platform, "quarantine_id": outcome.quarantined, "size": len(raw_body)},
    )
    return outcome
