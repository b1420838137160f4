"""Screenshots of the agent page for docs/screenshots/: the demo stack, Debian's chromium, 1280x800.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts the local stack with the demo (the simulator writing as customers), lets a minute of traffic
arrive, answers a few tickets, and photographs the inbox, a ticket, the composer and the settings.
"""

import argparse
import shutil
import time
from pathlib import Path
from typing import Any

import requests
from mentiondesk.local import demo
from mentiondesk.local.stack import LocalStack
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def token(stack: LocalStack, email: str) -> str:
    answer = requests.post(f"{stack.url}/auth/dev-login", json={"email": email}, timeout=5)
    answer.raise_for_status()
    return str(answer.json()["token"])


def seed_template(stack: LocalStack) -> None:
    headers = {"authorization": f"Bearer {token(stack, 'lead@demo.local')}"}
    template = {
        "id": "apology-shipping",
        "name": "配送遅延のお詫び / Shipping delay",
        "bodies": {
            "ja": "{customer_honorific}、ご不便をおかけして申し訳ございません。配送状況をお調べしますので、"
            "DMで注文番号をお知らせいただけますか。{agent_signature}",
            "en": "Hi {customer_name}, sorry about the wait. Could you DM us your order number so we can check? "
            "{agent_signature}",
        },
        "intents": ["problem", "complaint"],
        "tags": ["shipping"],
    }
    requests.post(f"{stack.url}/api/templates", json=template, headers=headers, timeout=5)


def sign_in(page: Any, stack: LocalStack, email: str, language: str) -> None:
    page.goto(stack.url + "/")
    page.get_by_test_id(f"demo-user-{email}").click()
    page.get_by_test_id("inbox-list").wait_for(state="attached")
    page.get_by_test_id(f"lang-{language}").click()


def first_ticket(stack: LocalStack, channel: str) -> str:
    for ticket in stack.store.tickets.inbox(demo.TENANT, "open", 50, None).items:
        if ticket.platform == channel and ticket.kind != "dm":
            return ticket.id
    return stack.store.tickets.inbox(demo.TENANT, "open", 1, None).items[0].id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds of demo traffic before the first picture")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with LocalStack(port=0, demo=True, simulate=True) as stack, sync_playwright() as playwright:
        seed_template(stack)
        time.sleep(args.wait)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        sign_in(page, stack, "agent1@demo.local", "en")
        page.wait_for_timeout(1500)
        page.screenshot(path=str(out / "inbox-en.png"))
        ticket_id = first_ticket(stack, "x")
        page.goto(f"{stack.url}/#/tickets/{ticket_id}")
        page.get_by_test_id("ticket-view").wait_for()
        page.get_by_test_id("lang-ja").click()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(out / "ticket-ja.png"))
        composer = page.get_by_test_id("composer")
        composer.scroll_into_view_if_needed()
        page.get_by_test_id("composer-text").fill(
            "ご不便をおかけして申し訳ございません。090-1234-5678 までお電話ください。担当：佐藤"
        )
        page.wait_for_timeout(1500)
        composer.screenshot(path=str(out / "composer-ja.png"))
        lead = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        sign_in(lead, stack, "lead@demo.local", "en")
        lead.goto(f"{stack.url}/#/settings/rules")
        lead.get_by_text("Money: refunds and charges").first.click()
        lead.get_by_test_id("rule-dry-run").click()
        lead.get_by_test_id("rule-dry-run-result").wait_for()
        lead.wait_for_timeout(1500)
        lead.screenshot(path=str(out / "settings-rules-en.png"))
        browser.close()
    print(f"screenshots in {out}/")


if __name__ == "__main__":
    main()
