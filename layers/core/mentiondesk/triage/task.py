"""The Classify step of the ticket workflow: label a ticket from its customer messages.

The built-in classifier's scores are blended with the tenant's learned model when it has one (see
``triage/learned.py``), and labels an agent corrected on this ticket are kept as the agent set them.
"""

import time
from typing import Any

from mentiondesk.store import rollups
from mentiondesk.store.factory import Store
from mentiondesk.triage.classifier import classify
from mentiondesk.triage.learned import TenantModels, blend, weight

MODEL_CACHE_SECONDS = 300.0


class TenantModelCache:
    """Each tenant's learned model, read at most every few minutes per process."""

    def __init__(self, store: Store, ttl: float = MODEL_CACHE_SECONDS) -> None:
        self.store = store
        self.ttl = ttl
        self._cache: dict[str, tuple[float, TenantModels | None]] = {}

    def get(self, tenant: str) -> TenantModels | None:
        now = time.monotonic()
        hit = self._cache.get(tenant)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        models = self.store.learning.models(tenant)
        self._cache[tenant] = (now, models)
        return models


def classify_ticket(
    store: Store, tenant: str, ticket_id: str, now: str, models: TenantModels | None = None
) -> dict[str, Any]:
    """Classify the customer's words on the ticket and store the labels (once per message count)."""
    detail = store.tickets.task_detail(tenant, ticket_id)
    inbound = [m for m in detail.messages if m.direction == "inbound"]
    text = "\n".join(m.text for m in inbound)
    hint = next((m.lang_hint for m in inbound if m.lang_hint), None)
    # DMs are private: anger there does not spread (urgency reads the channel).
    channel = "dm" if detail.ticket.kind == "dm" else detail.ticket.platform
    result = classify(text, lang_hint=hint, channel=channel)
    sentiment, sentiment_scores = blend(result.sentiment_scores, _model(models, "sentiment"), text)
    intent, intent_scores = blend(result.intent_scores, _model(models, "intent"), text)
    urgency, urgency_scores = blend(result.urgency_scores, _model(models, "urgency"), text)
    learned = {task: weight(_model(models, task)) for task in ("sentiment", "intent", "urgency")}
    labels: dict[str, Any] = {
        "language": result.language,
        "sentiment": sentiment,
        "scores": {k: round(v, 4) for k, v in sentiment_scores.items()},
        "intent": intent,
        "intent_scores": {k: round(v, 4) for k, v in intent_scores.items()},
        "urgency": urgency,
        "urgency_scores": {k: round(v, 4) for k, v in urgency_scores.items()},
        # Where personal data is (types and positions in the joined text), never the values.
        "pii_types": sorted({p.type for p in result.pii}),
        "cues": result.cues[:8],
        "classifier": result.classifier + ("+tenant" if any(learned.values()) else ""),
    }
    if any(learned.values()):
        labels["tenant_model"] = {"weights": learned, "trained_at": models.trained_at if models else None}
    # An agent's correction on this ticket stands over any later automatic label.
    for field in sorted(set(detail.item.get("corrected") or ())):
        if field in ("sentiment", "intent", "urgency"):
            labels[field] = getattr(detail.ticket, field)
    also: list[dict[str, Any]] = []
    if detail.item.get("classified_covers") is None:
        # The first classification counts the ticket under its language, intent and sentiment.
        t = detail.ticket.model_copy(
            update={"language": labels["language"], "sentiment": labels["sentiment"], "intent": labels["intent"]}
        )
        also = rollups.updates(
            tenant,
            ticket_id,
            rollups.report_day(t.created_at),
            rollups.ticket_dims(t),
            {"classified": 1, f"sentiment_{labels['sentiment']}": 1},
        )
    stored = store.tickets.set_classification(tenant, ticket_id, len(inbound), labels, now, also)
    return {
        "language": result.language,
        "sentiment": labels["sentiment"],
        "intent": labels["intent"],
        "urgency": labels["urgency"],
        "stored": stored,
    }


def _model(models: TenantModels | None, task: str) -> Any:
    return models.for_task(task) if models is not None else None
