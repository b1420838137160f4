"""Accessibility of the main screens, checked by axe-core (vendored in axe-playwright-python) in
Debian's chromium: no serious or critical violations at 1280x800 and at tablet size, in both languages."""

from typing import Any

import pytest
from mentiondesk.local import demo
from mentiondesk.local.simulator import Simulator
from mentiondesk.local.stack import LocalStack

from tests.browser.conftest import sign_in
from tests.integration.test_local_stack import wait_for

pytestmark = pytest.mark.browser
SIZES = {"desktop": {"width": 1280, "height": 800}, "tablet": {"width": 820, "height": 1180}}


def serious(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_main_screens_have_no_serious_accessibility_problems(
    stack: LocalStack, browser: Any, size: str, language: str
) -> None:
    sent = Simulator(stack.url, stack.secrets, stack.google, stack.fakes, seed=41).post_one("x_mention")
    found = wait_for(lambda: stack.store.tickets.find_native(demo.TENANT, "x", sent.native_id), timeout=10)
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    sign_in(page, stack.url, "lead@demo.local")
    page.get_by_test_id(f"lang-{language}").click()
    problems: dict[str, list[str]] = {}
    page.wait_for_timeout(500)
    problems["inbox"] = serious(page)
    page.goto(f"{stack.url}/#/tickets/{found['ticket_id']}")
    page.get_by_test_id("composer-text").wait_for()
    problems["ticket"] = serious(page)
    page.goto(f"{stack.url}/#/settings/rules")
    page.get_by_test_id("settings").wait_for()
    page.wait_for_timeout(500)
    problems["settings"] = serious(page)
    context.close()
    assert problems == {"inbox": [], "ticket": [], "settings": []}
