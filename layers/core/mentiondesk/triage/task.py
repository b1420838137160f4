"""The Classify step of the ticket workflow: label a ticket from its customer messages."""

from typing import Any

from mentiondesk.errors import NotFound, TicketNotFound
from mentiondesk.store.factory import Store
from mentiondesk.triage.classifier import classify


def classify_ticket(store: Store, tenant: str, ticket_id: str, now: str) -> dict[str, Any]:
    """Classify the customer's words on the ticket and store the labels (once per message count)."""
    try:
        detail = store.tickets.detail(tenant, ticket_id)
    except NotFound as error:
        raise TicketNotFound(ticket_id) from error
    inbound = [m for m in detail.messages if m.direction == "inbound"]
    text = "\n".join(m.text for m in inbound)
    hint = next((m.lang_hint for m in inbound if m.lang_hint), None)
    # DMs are private: anger there does not spread (urgency reads the channel).
    channel = "dm" if detail.ticket.kind == "dm" else detail.ticket.platform
    result = classify(text, lang_hint=hint, channel=channel)
    labels: dict[str, Any] = {
        "language": result.language,
        "sentiment": result.sentiment,
        "scores": {k: round(v, 4) for k, v in result.sentiment_scores.items()},
        "intent": result.intent,
        "intent_scores": {k: round(v, 4) for k, v in result.intent_scores.items()},
        "urgency": result.urgency,
        "urgency_scores": {k: round(v, 4) for k, v in result.urgency_scores.items()},
        # Where personal data is (types and positions in the joined text), never the values.
        "pii_types": sorted({p.type for p in result.pii}),
        "cues": result.cues[:8],
        "classifier": result.classifier,
    }
    stored = store.tickets.set_classification(tenant, ticket_id, len(inbound), labels, now)
    return {
        "language": result.language,
        "sentiment": result.sentiment,
        "intent": result.intent,
        "urgency": result.urgency,
        "stored": stored,
    }
