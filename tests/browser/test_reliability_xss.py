"""Reliability property 26: posts and names carrying script payloads execute nothing in the agent
page, and the page's CSP has no 'unsafe-inline'.

The rendering is tested with the CSP switched off (Playwright's bypass_csp), so a payload that ran
would show the page itself builds markup from data; then once more with the CSP on, as deployed.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from mentiondesk.channels import x
from mentiondesk.local import demo
from mentiondesk.local.stack import LocalStack

from tests.browser.conftest import sign_in
from tests.conftest import tweet_delivery
from tests.integration.test_local_stack import SECRET, wait_for

pytestmark = [pytest.mark.reliability, pytest.mark.browser]

# Each payload would set window.__xss (or open a dialog) if it ran.
TEXT_PAYLOADS = [
    "<script>window.__xss='script'</script>",
    "<img src=x onerror=\"window.__xss='img'\">",
    "<svg onload=\"window.__xss='svg'\"><script>window.__xss='svg-script'</script></svg>",
    "<iframe src=\"javascript:parent.__xss='iframe'\"></iframe>",
    '"><b onmouseover="window.__xss=\'attr\'">hover</b>',
    "<a href=\"javascript:window.__xss='href'\">click</a>",
    "<details open ontoggle=\"window.__xss='toggle'\">",
    "javascript:alert('p26')",
]
NAME_PAYLOAD = "<img src=x onerror=\"window.__xss='name';alert('name')\"><script>alert('p26')</script>"
MEDIA_PAYLOAD = "javascript:window.__xss='media'"
LINK_PAYLOAD = "javascript:window.__xss='link'"
# What would exist in the document if any payload had become markup.
INJECTED = (
    "script:not([src]), [onerror], [onload], [onmouseover], [ontoggle], iframe, details[ontoggle], "
    "a[href^='javascript:'], img[src='x'], b[onmouseover]"
)


def post_payload(stack: LocalStack, native_id: str) -> str:
    """A signed mention whose text, author name, link and media carry the payloads; its ticket id."""
    text = f"@mentiondesk_jp p26-xss-probe-{native_id} " + " ".join(TEXT_PAYLOADS)
    delivery = tweet_delivery(native_id, text, for_user_id=demo.X_ACCOUNT_ID, handle="p26_probe")
    event = delivery["tweet_create_events"][0]
    event["user"]["name"] = NAME_PAYLOAD
    event["entities"] = {
        "urls": [{"url": "https://t.co/p26", "expanded_url": LINK_PAYLOAD}],
        "media": [{"type": "photo", "media_url_https": MEDIA_PAYLOAD}],
    }
    body = json.dumps(delivery, ensure_ascii=False).encode()
    answer = requests.post(
        f"{stack.url}/webhooks/x",
        data=body,
        timeout=5,
        headers={"content-type": "application/json", x.SIGNATURE_HEADER: x.sign(SECRET, body)},
    )
    assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text
    found = wait_for(lambda: stack.store.tickets.find_native(demo.TENANT, "x", native_id), timeout=10)
    return str(found["ticket_id"])


@pytest.fixture
def csp_off_page(browser: Any) -> Iterator[Any]:
    """A page whose CSP the browser ignores: only the page's own rendering stands between data and markup."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US", bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def open_ticket(page: Any, stack: LocalStack, ticket_id: str) -> tuple[list[str], Any]:
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    sign_in(page, stack.url, "lead@demo.local")
    # (the inbox lists it with the name and text first)
    page.get_by_test_id("ticket-row").filter(has_text="p26-xss-probe-").first.wait_for(timeout=10_000)
    page.goto(f"{stack.url}/#/tickets/{ticket_id}")
    view = page.get_by_test_id("ticket-view")
    view.get_by_test_id("ticket-message").first.wait_for(timeout=10_000)
    return dialogs, view


def assert_nothing_ran(page: Any, dialogs: list[str], view: Any) -> None:
    # Every payload is on the page as text ...
    message = view.get_by_test_id("ticket-message").first.inner_text()
    for payload in TEXT_PAYLOADS:
        assert payload in message, payload
    assert "<img src=x onerror=" in view.inner_text()  # the author's name, as text
    # ... hovering and clicking what looks like markup does nothing ...
    view.get_by_test_id("ticket-message").first.hover()
    view.get_by_test_id("ticket-message").first.click(position={"x": 5, "y": 5})
    # ... no element came from the data, no flag was set, no dialog opened
    assert page.locator(INJECTED).count() == 0
    assert page.evaluate("() => window.__xss === undefined")
    assert dialogs == []


def test_p26_script_payloads_in_posts_and_names_render_as_text_even_without_the_csp(
    stack: LocalStack, csp_off_page: Any
) -> None:
    # Given a mention whose text, author name, link and media are script payloads
    ticket_id = post_payload(stack, "8260000000000000001")
    # When a supervisor opens it in a page the CSP does not protect
    dialogs, view = open_ticket(csp_off_page, stack, ticket_id)
    # Then nothing of it executed: the page itself renders data as text
    assert_nothing_ran(csp_off_page, dialogs, view)
    # And the javascript: link and media are shown as text, never as something to click
    assert csp_off_page.locator("a[href^='javascript:']").count() == 0
    assert LINK_PAYLOAD in view.inner_text() or MEDIA_PAYLOAD in view.inner_text()


def test_p26_the_page_csp_has_no_unsafe_inline_and_the_payloads_stay_inert(stack: LocalStack, page: Any) -> None:
    # Given the page as served
    served = requests.get(f"{stack.url}/", timeout=5)
    csp = served.headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in (p.strip() for p in csp.split(";")) if d}
    # Then no inline script, style or eval is allowed, and nothing else may frame or re-base it
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "unsafe-hashes" not in csp
    assert directives["script-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert "*" not in directives["default-src"] and "data:" not in directives.get("script-src", [])
    # When the payload ticket is opened with the CSP on
    ticket_id = post_payload(stack, "8260000000000000002")
    dialogs, view = open_ticket(page, stack, ticket_id)
    # Then nothing ran, and the browser had nothing to block (the page never tried to run data)
    assert_nothing_ran(page, dialogs, view)
    assert [p for p in page.problems if "Content Security Policy" in p] == []
