"""Acting on a ticket in the page: assign and resolve by keyboard, notes, who else is here, and customer
text that tries to be HTML staying text."""

from typing import Any

import pytest
import requests
from mentiondesk.local import demo
from mentiondesk.local.simulator import Simulator
from mentiondesk.local.stack import LocalStack
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.integration.test_local_stack import post_tweet, wait_for

pytestmark = pytest.mark.browser


def new_ticket(stack: LocalStack, seed: int) -> str:
    sent = Simulator(stack.url, stack.secrets, stack.google, stack.fakes, seed=seed).post_one("x_mention")
    found = wait_for(lambda: stack.store.tickets.find_native(demo.TENANT, "x", sent.native_id), timeout=10)
    ticket_id = str(found["ticket_id"])
    # (triaged and assigned: the workflow's last step, so the page reads the version it will act on)
    wait_for(lambda: stack.store.tickets.get(demo.TENANT, ticket_id).assignee is not None, timeout=10)
    return ticket_id


def test_an_agent_assigns_resolves_and_notes_with_the_keyboard(stack: LocalStack, page: Any) -> None:
    # Given a new ticket the round robin gave to one agent, opened by the other one
    ticket_id = new_ticket(stack, 31)
    holder = stack.store.tickets.get(demo.TENANT, ticket_id).assignee
    agents = [a for a in demo.DEMO_USERS if a.email in ("agent1@demo.local", "agent2@demo.local")]
    me = next(a for a in agents if holder is None or a.id != holder.id)
    other = next(a for a in agents if a.id != me.id)
    sign_in(page, stack.url, me.email)
    page.goto(f"{stack.url}/#/tickets/{ticket_id}")
    page.get_by_test_id("ticket-view").wait_for()
    page.get_by_test_id("action-assign-me").wait_for()
    # When they press "a" (assign to me), then write a note for the colleague, then press "e" (resolve)
    page.locator("body").press("a")
    wait_for(lambda: (stack.store.tickets.get(demo.TENANT, ticket_id).assignee or other).id == me.id)
    expect(page.get_by_test_id("action-unassign")).to_be_visible()
    handle = other.email.split("@")[0]
    page.get_by_test_id("note-text").fill(f"@{handle} 請求の件、確認お願いします")
    page.get_by_test_id("note-add").click()
    expect(page.get_by_test_id("notes")).to_contain_text("請求の件")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.locator("body").press("e")
    # Then the ticket is resolved, theirs, with the note; the colleague was notified of the mention
    wait_for(lambda: stack.store.tickets.get(demo.TENANT, ticket_id).status == "resolved")
    expect(page.get_by_test_id("action-reopen")).to_be_visible()
    feed = stack.store.notifications.recent(demo.TENANT, other.id)
    assert any(n["kind"] == "mentioned" and n["ticket_id"] == ticket_id for n in feed)
    assert page.problems == []


def test_a_colleague_viewing_the_same_ticket_is_shown(stack: LocalStack, browser: Any, page: Any) -> None:
    ticket_id = new_ticket(stack, 32)
    # Given agent1 has the ticket open in another browser
    other = browser.new_context(viewport={"width": 1280, "height": 800})
    colleague = other.new_page()
    sign_in(colleague, stack.url, "agent1@demo.local")
    colleague.goto(f"{stack.url}/#/tickets/{ticket_id}")
    colleague.get_by_test_id("ticket-view").wait_for()
    # When agent2 opens it
    sign_in(page, stack.url, "agent2@demo.local")
    page.goto(f"{stack.url}/#/tickets/{ticket_id}")
    # Then agent2 sees that agent1 is viewing it
    expect(page.get_by_test_id("presence")).to_contain_text("佐藤", timeout=10_000)
    other.close()
    assert page.problems == []


def test_script_in_a_post_is_text_and_runs_nothing(stack: LocalStack, page: Any) -> None:
    sign_in(page, stack.url, "agent1@demo.local")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    text = "@mentiondesk_jp <script>alert(1)</script> と <img src=x onerror=alert(1)> を送ります"
    assert post_tweet(stack, "8200000000000000077", text).status_code == 200
    row = page.get_by_test_id("ticket-row").filter(has_text="を送ります")
    row.first.wait_for(timeout=10_000)
    row.first.click()
    message = page.get_by_test_id("ticket-message").first
    expect(message).to_contain_text("<script>alert(1)</script>")
    expect(message).to_contain_text("<img src=x onerror=alert(1)>")
    assert page.locator("img[src='x']").count() == 0
    assert dialogs == [] and page.problems == []


def test_the_settings_link_is_for_supervisors_and_admins(stack: LocalStack, page: Any) -> None:
    sign_in(page, stack.url, "agent1@demo.local")
    expect(page.get_by_test_id("nav-settings")).to_be_hidden()
    token = requests.post(f"{stack.url}/auth/dev-login", json={"email": "agent1@demo.local"}, timeout=5).json()["token"]
    # the API refuses agents whatever the page shows
    answer = requests.get(f"{stack.url}/api/rules", headers={"authorization": f"Bearer {token}"}, timeout=5)
    assert answer.status_code == 403


def test_views_filters_and_search_narrow_the_inbox(stack: LocalStack, page: Any) -> None:
    # Given a ticket with a word nobody else uses
    assert (
        post_tweet(stack, "8200000000000000078", "@mentiondesk_jp 検索テスト用のことばパイナップル").status_code == 200
    )
    sign_in(page, stack.url, "agent1@demo.local")
    page.get_by_test_id("ticket-row").filter(has_text="パイナップル").first.wait_for(timeout=10_000)
    # When the agent searches for it
    page.locator("summary.filter-summary").click()
    page.get_by_test_id("inbox-search").fill("パイナップル")
    # Then only that ticket is listed
    expect(page.get_by_test_id("ticket-row")).to_have_count(1, timeout=10_000)
    expect(page.get_by_test_id("ticket-row").first).to_contain_text("パイナップル")
    # And the "Mine" view lists only tickets assigned to them
    page.get_by_test_id("inbox-search").fill("")
    page.get_by_test_id("view-mine").click()
    expect(page.get_by_test_id("view-mine")).to_have_attribute("aria-pressed", "true")
    agent1 = next(a for a in demo.DEMO_USERS if a.email == "agent1@demo.local")
    page.wait_for_timeout(1500)
    for row_id in page.get_by_test_id("ticket-row").evaluate_all(
        "rows => rows.map(r => r.closest('li').dataset.ticketId)"
    ):
        assignee = stack.store.tickets.get(demo.TENANT, row_id).assignee
        assert assignee is not None and assignee.id == agent1.id
    assert page.problems == []


def test_an_agent_corrects_the_labels(stack: LocalStack, page: Any) -> None:
    ticket_id = new_ticket(stack, 33)
    sign_in(page, stack.url, "agent1@demo.local")
    page.goto(f"{stack.url}/#/tickets/{ticket_id}")
    page.get_by_test_id("correct-labels").locator("summary").click()
    page.get_by_test_id("correct-intent").select_option("complaint")
    page.get_by_test_id("correct-urgency").select_option("high")
    page.get_by_test_id("correct-save").click()
    wait_for(lambda: stack.store.tickets.get(demo.TENANT, ticket_id).intent == "complaint")
    assert stack.store.tickets.get(demo.TENANT, ticket_id).urgency == "high"
    assert page.problems == []


def test_script_and_data_links_are_shown_but_not_clickable(stack: LocalStack, page: Any) -> None:
    from mentiondesk.ingest.service import IngestService
    from mentiondesk.models import Author, InboundMessage, MediaRef

    from tests.conftest import RecordingStarter

    # Given a message whose platform links are script and data URLs (a hostile or broken payload)
    IngestService(stack.store, RecordingStarter(), clock=lambda: "2026-11-23T09:00:00.000Z").apply(
        [
            InboundMessage(
                platform="x",
                account_id=demo.X_ACCOUNT_ID,
                native_id="8200000000000000099",
                kind="mention",
                conversation_id="8200000000000000099",
                author=Author(platform_user_id="7700000000000000099", handle="linker"),
                text="@mentiondesk_jp リンク付きの投稿です",
                created_at="2026-11-23T09:00:00.000Z",
                url="javascript:alert(document.domain)",
                media=(MediaRef(type="photo", url="data:text/html,<script>alert(1)</script>"),),
            )
        ]
    )
    ticket_id = str(stack.store.tickets.find_native(demo.TENANT, "x", "8200000000000000099")["ticket_id"])  # type: ignore[index]
    sign_in(page, stack.url, "agent1@demo.local")
    page.goto(f"{stack.url}/#/tickets/{ticket_id}")
    message = page.get_by_test_id("ticket-message").first
    # Then the addresses are shown as text, and nothing links to them
    expect(message).to_contain_text("javascript:alert(document.domain)")
    expect(message).to_contain_text("data:text/html")
    assert page.locator("a[href^='javascript:'], a[href^='data:']").count() == 0
    assert page.problems == []
