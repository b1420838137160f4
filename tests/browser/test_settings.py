"""The settings screens in headless Debian Chromium: supervisors and admins change rules, people,
monitors and policies through the page; agents never see them."""

import re
from typing import Any

import pytest
import requests
from mentiondesk.local.stack import LocalStack
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.integration.test_local_stack import post_tweet, wait_for

pytestmark = pytest.mark.browser

LEAD = "lead@demo.local"
ADMIN = "admin@demo.local"
AGENT = "agent1@demo.local"
RULE_FIELDS = ("name", "enabled", "trigger", "order", "condition", "actions", "stop_on_match")


def api(stack: LocalStack, email: str, method: str, path: str, **kw: Any) -> requests.Response:
    """The API as `email` (a dev-login token), beside the page."""
    login = requests.post(f"{stack.url}/auth/dev-login", json={"email": email}, timeout=5)
    login.raise_for_status()
    headers = {"authorization": f"Bearer {login.json()['token']}"}
    return requests.request(method, f"{stack.url}{path}", headers=headers, timeout=5, **kw)


def open_settings(page: Any, stack: LocalStack, email: str, section: str) -> Any:
    sign_in(page, stack.url, email)
    page.get_by_test_id("nav-settings").click()
    page.get_by_test_id(f"settings-nav-{section}").click()
    screen = page.get_by_test_id(f"settings-{section}")
    screen.wait_for()
    return screen


def test_supervisor_edits_a_rule_tries_it_and_the_change_persists(stack: LocalStack, page: Any) -> None:
    # Given a customer post from today that mentions an invoice
    text = "@mentiondesk_jp my invoice shows the wrong plan"
    assert post_tweet(stack, "8300000000000000001", text).status_code == 200

    def ticket_exists() -> bool:
        tickets = api(stack, LEAD, "GET", "/api/tickets", params={"status": "all"}).json()["items"]
        return any("invoice" in t["subject"] for t in tickets)

    wait_for(ticket_exists, timeout=10)
    # And the supervisor editing the demo billing rule
    screen = open_settings(page, stack, LEAD, "rules")
    screen.get_by_test_id("rule-row").filter(has_text="Money: refunds and charges").get_by_test_id("rule-open").click()
    editor = page.get_by_test_id("rule-editor")
    expect(editor.get_by_test_id("cond-keywords")).to_have_value("返金, 請求, 引き落とし, refund, charged, billing")

    # When they rename it and change its keywords in the simple mode
    editor.get_by_test_id("rule-name").fill("Money: refunds, charges and invoices")
    editor.get_by_test_id("cond-keywords").fill("返金, 請求, refund, invoice")
    # And try it on the last days' tickets
    editor.get_by_test_id("rule-dry-run").click()

    # Then the dry run counts the matching ticket and marks the word that matched
    result = editor.get_by_test_id("rule-dry-run-result")
    expect(result.get_by_test_id("dry-run-count")).to_have_text(re.compile(r"^[1-9][0-9]*$"))
    ticket = result.get_by_test_id("dry-run-ticket").filter(has_text="my invoice shows the wrong plan")
    expect(ticket.locator("mark", has_text="invoice")).to_be_visible()

    # When they save
    editor.get_by_test_id("rule-save").click()
    expect(editor.get_by_test_id("form-saved")).to_be_visible()
    # Then the page shows the change after a reload
    page.reload()
    row = page.get_by_test_id("rule-row").filter(has_text="Money: refunds, charges and invoices")
    row.get_by_test_id("rule-open").click()
    keywords = page.get_by_test_id("rule-editor").get_by_test_id("cond-keywords")
    expect(keywords).to_have_value("返金, 請求, refund, invoice")
    # And the API has it
    rule = api(stack, LEAD, "GET", "/api/rules/billing").json()
    assert rule["name"] == "Money: refunds, charges and invoices"
    assert rule["condition"] == {"field": "text", "op": "contains_any", "value": ["返金", "請求", "refund", "invoice"]}
    assert rule["actions"] == [{"type": "add_tags", "tags": ["billing"]}, {"type": "set_priority", "priority": "high"}]
    assert rule["version"] == 2
    assert page.problems == []


def test_a_stale_save_says_the_rule_changed_and_offers_a_reload(stack: LocalStack, page: Any) -> None:
    # Given the supervisor has the praise rule open
    screen = open_settings(page, stack, LEAD, "rules")
    screen.get_by_test_id("rule-row").filter(has_text="Praise for the product team").get_by_test_id("rule-open").click()
    editor = page.get_by_test_id("rule-editor")
    expect(editor.get_by_test_id("rule-name")).to_have_value("Praise for the product team")
    # And someone else changes the same rule through the API meanwhile
    current = api(stack, ADMIN, "GET", "/api/rules/praise").json()
    theirs = {
        **{k: current[k] for k in RULE_FIELDS},
        "name": "Praise, changed elsewhere",
        "version": current["version"],
    }
    assert api(stack, ADMIN, "PUT", "/api/rules/praise", json=theirs).status_code == 200

    # When the page saves its own edit
    editor.get_by_test_id("rule-name").fill("Praise for the product team!")
    editor.get_by_test_id("rule-save").click()

    # Then it says the rule changed and offers to reload, which shows their version
    conflict = editor.get_by_test_id("conflict")
    expect(conflict).to_contain_text("changed")
    conflict.get_by_test_id("conflict-reload").click()
    expect(editor.get_by_test_id("rule-name")).to_have_value("Praise, changed elsewhere")
    # And nothing of the stale edit was written
    assert api(stack, LEAD, "GET", "/api/rules/praise").json()["name"] == "Praise, changed elsewhere"
    # (Chromium reports the 409 answer itself on the console; nothing else may appear there)
    assert [p for p in page.problems if "status of 409 (Conflict)" not in p] == []


def test_supervisor_changes_an_agents_capacity_but_no_admin_controls_show(stack: LocalStack, page: Any) -> None:
    # Given the supervisor on Teams and agents
    screen = open_settings(page, stack, LEAD, "teams")
    card = screen.get_by_test_id("agent-row").filter(has_text="agent2@demo.local")
    expect(card.get_by_test_id("agent-online")).to_have_text("Online")
    expect(card.get_by_test_id("agent-load")).to_contain_text("/ 50")
    # And what only admins may do is not offered
    expect(card.get_by_test_id("agent-role")).to_have_count(0)
    expect(screen.get_by_test_id("person-add")).to_have_count(0)
    expect(screen.get_by_test_id("team-add")).to_have_count(0)

    # When they change agent2's capacity and save
    card.get_by_test_id("agent-capacity").fill("35")
    card.get_by_test_id("agent-save").click()

    # Then the page and the API show it
    expect(card.get_by_test_id("form-saved")).to_be_visible()
    expect(card.get_by_test_id("agent-load")).to_contain_text("/ 35")
    people = api(stack, LEAD, "GET", "/api/agents").json()["items"]
    assert next(a for a in people if a["email"] == "agent2@demo.local")["capacity"] == 35
    # And monitors are read-only for them
    page.get_by_test_id("settings-nav-channels").click()
    monitor = page.get_by_test_id("monitor-row").filter(has_text="Brand listening")
    expect(monitor.get_by_test_id("monitor-spend")).to_be_visible()
    expect(monitor.get_by_test_id("monitor-budget")).to_have_count(0)
    assert page.problems == []


def test_admin_raises_a_monitors_budget(stack: LocalStack, page: Any) -> None:
    # Given the admin on Channels and monitors, the demo monitor's spend shown against its budget
    screen = open_settings(page, stack, ADMIN, "channels")
    monitor = screen.get_by_test_id("monitor-row").filter(has_text="Brand listening")
    expect(monitor.get_by_test_id("monitor-spend")).to_contain_text("$20.00")

    # When they raise the budget and save
    monitor.get_by_test_id("monitor-budget").fill("35.50")
    monitor.get_by_test_id("monitor-save").click()

    # Then the bar measures against the new budget, and the API has it
    expect(monitor.get_by_test_id("form-saved")).to_be_visible()
    expect(monitor.get_by_test_id("monitor-spend")).to_contain_text("$35.50")
    saved = api(stack, ADMIN, "GET", "/api/monitors").json()["items"]
    assert next(m for m in saved if m["name"] == "Brand listening")["monthly_budget_usd"] == "35.50"
    assert page.problems == []


def test_sla_policies_are_listed_and_the_screens_speak_japanese(stack: LocalStack, page: Any) -> None:
    # Given the supervisor on the SLA policies screen, which lists the demo policies in order
    screen = open_settings(page, stack, LEAD, "sla")
    rows = screen.get_by_test_id("sla-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Urgent: outages, money, security")
    expect(rows.nth(1)).to_contain_text("Standard")

    # When they switch the page to Japanese
    page.get_by_test_id("lang-switch").get_by_role("button", name="日本語").click()

    # Then the headings and the sub-navigation are in Japanese, on this screen and the next
    expect(page.locator("#settings-title")).to_have_text("SLA ポリシー")
    expect(page.get_by_test_id("settings-sla").get_by_role("heading", name="SLA ポリシー一覧")).to_be_visible()
    expect(page.get_by_test_id("settings-nav-rules")).to_have_text("ルール")
    page.get_by_test_id("settings-nav-teams").click()
    expect(page.locator("#settings-title")).to_have_text("チームとメンバー")
    expect(page.get_by_test_id("settings-teams").get_by_role("heading", name=re.compile("^メンバー"))).to_be_visible()
    assert page.problems == []


def test_an_agent_does_not_see_settings(stack: LocalStack, page: Any) -> None:
    # Given an agent signed in
    sign_in(page, stack.url, AGENT)
    # Then there is no Settings link, and the address does not open the screens either
    expect(page.get_by_test_id("nav-settings")).to_be_hidden()
    page.goto(stack.url + "/#/settings/rules")
    expect(page.get_by_test_id("inbox-list")).to_be_attached()
    expect(page.get_by_test_id("settings")).to_have_count(0)
    assert page.problems == []
