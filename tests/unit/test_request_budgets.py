"""DynamoDB budgets per request, asserted by counting the calls each one makes (never by timing, so
they cannot flake): the inbox page is one Query, opening a ticket two reads, a webhook delivery a
handful of calls with one transaction, and nothing anywhere is a Scan. The cost ledger's own writes,
made after the request, are not counted here (the cost estimate counts them)."""

import re
from pathlib import Path
from typing import Any

import pytest
from mentiondesk.costs.metering import current_meter
from mentiondesk.store import dynamo
from mentiondesk.store.factory import Store

from tests.conftest import ROOT, access_claims, http_event, load_function, signed, x_event
from tests.unit.test_api import call
from tests.unit.test_reports import post
from tests.unit.test_webhook_x_handler import Context
from tests.unit.test_webhook_x_handler import handler as x_handler  # noqa: F401 - a fixture

pytestmark = pytest.mark.unit
READS = ("GetItem", "Query", "Scan", "BatchGetItem")


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every DynamoDB call made inside a metered request (the store reports each one to the meter)."""
    seen: list[str] = []
    original = dynamo.note_dynamodb

    def note(op: str, kind: str, units: float) -> None:
        if current_meter() is not None:  # inside the request, not the ledger's flush after it
            seen.append(op)
        original(op, kind, units)

    monkeypatch.setattr(dynamo, "note_dynamodb", note)
    return seen


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    return load_function("api")


def test_the_inbox_page_is_one_query(api: Any, store: Store, calls: list[str]) -> None:
    for n in range(3):
        post(store, f"97000000000000000{n:02d}", "mention", n, user=f"u{n}")
    calls.clear()
    status, page = call(api, "GET", "/api/tickets", access_claims("user-alice", "agent"))
    assert status == 200 and len(page["items"]) == 3
    assert calls == ["Query"]


def test_opening_a_ticket_is_two_reads(api: Any, store: Store, calls: list[str]) -> None:
    ticket_id = post(store, "9700000000000000101", "mention", 0)
    calls.clear()
    status, _ = call(api, "GET", f"/api/tickets/{ticket_id}", access_claims("user-alice", "agent"))
    assert status == 200
    reads = [op for op in calls if op in READS]
    assert len(reads) <= 2, calls  # the ticket's partition (messages, events, outbox, ledger) and the customer
    assert [op for op in calls if op not in READS] == ["PutItem"]  # the audit record of the view


def test_a_webhook_delivery_is_a_handful_of_calls_with_one_transaction(
    x_handler: Any,  # noqa: F811 - the fixture
    calls: list[str],
) -> None:
    body, signature = signed(x_event("tweet_create_mention_ja.json"))
    event = http_event(
        "POST",
        "/webhooks/x",
        body=body,
        headers={"X-Twitter-Webhooks-Signature": signature, "Content-Type": "application/json"},
    )
    assert x_handler.handler(event, Context())["statusCode"] == 200
    assert len(calls) <= 6, calls
    assert calls.count("TransactWriteItems") == 1  # the message, its ticket and markers at once


def test_no_request_path_issues_a_scan(calls: list[str]) -> None:
    # Nothing in the package or the functions calls Scan (the tests above also never saw one)
    offenders = []
    for path in [*Path(ROOT / "layers").rglob("*.py"), *Path(ROOT / "functions").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        if re.search(r"\.scan\(|[\"']Scan[\"']|scan_all|paginate\(\s*[\"']scan", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
