"""Private notes with @mentions, and the ticket detail with the customer's other tickets."""

from typing import Any

import pytest
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import Author, InboundMessage
from mentiondesk.store.factory import Store

from tests.conftest import ACCOUNT_ID, RecordingStarter, access_claims, load_function
from tests.unit.test_api import call

pytestmark = pytest.mark.unit
ALICE = access_claims("user-alice", "agent")
BOB = access_claims("user-bob", "agent")


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    return load_function("api")


def ticket(store: Store, n: int, text: str, when: str) -> str:
    native = f"98{n:017d}"
    IngestService(store, RecordingStarter(), clock=lambda: when).apply(
        [
            InboundMessage(
                platform="x",
                account_id=ACCOUNT_ID,
                native_id=native,
                kind="mention",
                conversation_id=native,
                author=Author(platform_user_id="same-customer", handle="taro"),
                text=text,
                created_at=when,
            )
        ]
    )
    found = store.tickets.find_native("acme", "x", native)
    assert found is not None
    return str(found["ticket_id"])


def test_a_note_mentions_a_colleague_who_is_notified(api: Any, store: Store) -> None:
    t = ticket(store, 1, "help", "2026-11-23T09:00:00.000Z")
    status, note = call(
        api, "POST", f"/api/tickets/{t}/notes", ALICE, {"text": "@bob 請求の件お願いします (cc @alice)"}
    )
    assert status == 201 and note["mentions"] == ["user-bob", "user-alice"] and note["author_name"] == "Alice"
    detail = call(api, "GET", f"/api/tickets/{t}", BOB)[1]
    assert [n["text"] for n in detail["notes"]] == ["@bob 請求の件お願いします (cc @alice)"]
    assert "note_added" in [e["type"] for e in detail["events"]]
    bob = call(api, "GET", "/api/me/notifications", BOB)[1]["items"]
    assert [(n["kind"], n["ticket_id"]) for n in bob] == [("mentioned", t)]
    assert call(api, "GET", "/api/me/notifications", ALICE)[1]["items"] == []  # not for mentioning yourself


def test_bad_notes_are_refused_and_change_nothing(api: Any, store: Store) -> None:
    t = ticket(store, 1, "help", "2026-11-23T09:00:00.000Z")
    assert call(api, "POST", f"/api/tickets/{t}/notes", ALICE, {"text": "ask @nobody"})[0] == 400
    assert call(api, "POST", f"/api/tickets/{t}/notes", ALICE, {"text": ""})[0] == 422
    assert call(api, "POST", f"/api/tickets/{t}/notes", ALICE, {"text": "x" * 5001})[0] == 422
    assert call(api, "POST", "/api/tickets/01J00000000000000000000000/notes", ALICE, {"text": "hi"})[0] == 404
    assert call(api, "GET", f"/api/tickets/{t}", ALICE)[1]["notes"] == []
    # an email address is not a mention
    assert call(api, "POST", f"/api/tickets/{t}/notes", ALICE, {"text": "mail bob@example.com"})[1]["mentions"] == []


def test_the_detail_lists_the_customers_other_tickets(api: Any, store: Store) -> None:
    old = ticket(store, 1, "first time", "2026-11-01T09:00:00.000Z")
    store.tickets.set_status("acme", old, 1, "closed", "user-alice", "2026-11-02T09:00:00.000Z")
    new = ticket(store, 2, "second time", "2026-11-23T09:00:00.000Z")
    detail = call(api, "GET", f"/api/tickets/{new}", ALICE)[1]
    assert [(o["id"], o["subject"]) for o in detail["other_tickets"]] == [(old, "first time")]
