"""Handling time: the page counts the seconds an agent actively works on a ticket and reports them
when the ticket is left; finance sees them on the ticket's ledger at the agent's hourly rate."""

from decimal import Decimal
from typing import Any

import pytest
import requests
from mentiondesk.local import demo
from mentiondesk.local.stack import LocalStack

from tests.browser.conftest import sign_in
from tests.browser.test_ticket_actions import new_ticket
from tests.integration.test_local_stack import auth, wait_for

pytestmark = pytest.mark.browser


def agent_seconds(stack: LocalStack, ticket_id: str) -> list[dict[str, Any]]:
    ledger = requests.get(
        f"{stack.url}/api/tickets/{ticket_id}/costs", headers=auth(stack, "finance@demo.local"), timeout=5
    ).json()
    return [line for line in ledger["lines"] if line["item"] == "agent.handling_seconds"]


def test_active_seconds_on_a_ticket_are_reported_and_priced(stack: LocalStack, page: Any) -> None:
    # Given an agent ($24 an hour in the demo) with a ticket open, working on it for a few seconds
    ticket_id = new_ticket(stack, 47)
    sign_in(page, stack.url, "agent1@demo.local")
    page.goto(f"{stack.url}/#/tickets/{ticket_id}")
    page.get_by_test_id("ticket-view").wait_for()
    for n in range(5):
        page.mouse.move(300 + n * 10, 300)
        page.wait_for_timeout(1000)
    # When they go back to the inbox
    page.goto(f"{stack.url}/#/")
    page.get_by_test_id("inbox-list").wait_for()
    # Then the ticket's ledger has their seconds, priced at $24 an hour
    (line,) = wait_for(lambda: agent_seconds(stack, ticket_id) or None, timeout=10)
    seconds = Decimal(line["quantity"])
    assert 3 <= seconds <= 8, line
    assert Decimal(line["usd"]) == (seconds * Decimal("24") / 3600).quantize(Decimal("0.000000001"))
    assert line["source"].startswith("api:POST /api/tickets/{id}/time")
    rate = next(a.hourly_rate_usd for a in demo.DEMO_USERS if a.email == "agent1@demo.local")
    assert rate == "24.00"
