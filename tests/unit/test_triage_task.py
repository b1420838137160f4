"""The Classify step stores every label on the ticket (positions of personal data, never its values)."""

import pytest
from mentiondesk.store.factory import Store
from mentiondesk.triage.task import classify_ticket

from tests.conftest import make_x_webhook, signed, tweet_delivery

pytestmark = pytest.mark.unit
NOW = "2026-11-23T09:00:00.000Z"


def test_labels_are_stored_once_per_message_count(store: Store, tenant: str) -> None:
    text = "@acme_help 昨日からネットが繋がらない、在宅勤務で仕事にならない！折り返しは090-1234-5678へ"
    ticket = make_x_webhook(store, now=NOW).receive(*signed(tweet_delivery("501", text))).tickets[0]
    result = classify_ticket(store, tenant, ticket, NOW)
    assert result["stored"] is True and result["intent"] == "problem" and result["urgency"] == "high"
    stored = store.tickets.get(tenant, ticket)
    assert (stored.language, stored.intent, stored.urgency, stored.pii_types) == ("ja", "problem", "high", ["phone"])
    event = store.tickets.detail(tenant, ticket).events[-1]
    assert event.type == "classified" and "090" not in str(event.detail)
    assert set(event.detail["intent_scores"]) == {"praise", "question", "problem", "complaint", "request", "other"}
    # The same messages again: nothing new is stored
    assert classify_ticket(store, tenant, ticket, NOW)["stored"] is False
