"""Accessibility of the main screens (inbox, ticket, settings, reports, costs), checked by axe-core
(vendored in axe-playwright-python) in Debian's chromium: no serious or critical violations at 1280x800
and at tablet size, in both languages."""

from typing import Any

import pytest
from mentiondesk.local import demo
from mentiondesk.local.simulator import Simulator
from mentiondesk.local.stack import LocalStack

from tests.browser.conftest import sign_in
from tests.browser.test_reports import seed_voc_week
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
    # The reports: figures and charts, a chart as a table, the drill-down dialog, the voice of the customer
    page.goto(f"{stack.url}/#/reports")
    page.get_by_test_id("chart-volume-chart").locator("svg").wait_for()
    page.wait_for_timeout(300)
    problems["reports"] = serious(page)
    page.get_by_test_id("chart-volume-view-table").click()
    page.get_by_test_id("kpi-tickets").click()
    page.get_by_test_id("drill-table").wait_for()
    problems["reports-drill"] = serious(page)
    page.keyboard.press("Escape")
    seed_voc_week(stack)
    page.goto(f"{stack.url}/#/reports/voc")
    page.get_by_test_id("voc-topics").wait_for()
    problems["voice-of-the-customer"] = serious(page)
    # The costs, as the admin sees them (with the benchmarks and budgets form)
    page.get_by_test_id("signout").click()
    page.get_by_test_id("demo-user-admin@demo.local").click()
    page.get_by_test_id("inbox-list").wait_for(state="attached")
    page.goto(f"{stack.url}/#/finance")
    page.get_by_test_id("finance-figures").wait_for()
    page.get_by_test_id("cost-settings").get_by_test_id("benchmark-phone").wait_for()
    page.get_by_test_id("chart-benchmark-chart").locator("svg").wait_for()
    problems["finance"] = serious(page)
    context.close()
    screens = ("inbox", "ticket", "settings", "reports", "reports-drill", "voice-of-the-customer", "finance")
    assert problems == {name: [] for name in screens}
