"""The agent page in headless Debian Chromium (Playwright; never a downloaded browser)."""

from typing import Any

import pytest
from mentiondesk.local.stack import LocalStack
from playwright.sync_api import expect

from tests.integration.test_local_stack import post_tweet

pytestmark = pytest.mark.browser


def test_agent_signs_in_and_sees_a_new_ticket_appear(stack: LocalStack, page: Any) -> None:
    # Given the page, signed in as a demo agent
    page.goto(stack.url + "/")
    page.get_by_test_id("demo-user-agent1@demo.local").click()
    page.get_by_test_id("inbox-list").wait_for(state="attached")
    assert (
        "agent1" in page.get_by_test_id("current-user").inner_text().lower()
        or "佐藤" in page.get_by_test_id("current-user").inner_text()
    )
    # When a customer posts (a script payload in the text, to prove it renders as text)
    text = '@mentiondesk_jp ブラウザから見えますか <img src=x onerror="window.pwned=1">'
    assert post_tweet(stack, "8200000000000000001", text).status_code == 200
    # Then the ticket appears without a reload
    row = page.get_by_test_id("ticket-row").filter(has_text="ブラウザから見えますか")
    row.first.wait_for(timeout=10_000)
    # And opening it shows the message as text, nothing executed
    row.first.click()
    view = page.get_by_test_id("ticket-view")
    view.get_by_test_id("ticket-message").first.wait_for()
    assert "<img src=x" in view.get_by_test_id("ticket-message").first.inner_text()
    assert page.evaluate("window.pwned === undefined")
    assert page.problems == []


def test_language_switch_translates_the_page(stack: LocalStack, page: Any) -> None:
    page.goto(stack.url + "/")
    page.get_by_test_id("demo-user-agent2@demo.local").click()
    page.get_by_test_id("inbox-list").wait_for(state="attached")
    switch = page.get_by_test_id("lang-switch")
    before = page.locator("body").inner_text()
    switch.get_by_role("button", name="日本語").click()
    # (wait_for_function would need eval, which our CSP rightly forbids)
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    assert page.locator("body").inner_text() != before
