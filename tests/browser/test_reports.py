"""The Reports and Costs screens in headless Debian Chromium: the figures the API answers, the table
view of a chart, a drill-down to the tickets behind a figure and into one of them, CSV downloads, the
weekly voice of the customer, the month's costs with its budget bars, and the admin's benchmarks."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from mentiondesk.costs.ledger import priced_line
from mentiondesk.local import demo
from mentiondesk.local.stack import LocalStack
from mentiondesk.reports.service import EXPORT_COLUMNS
from mentiondesk.store.costs import CostStore
from mentiondesk.store.rollups import REPORT_TZ
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.integration.test_local_stack import post_tweet, wait_for

pytestmark = pytest.mark.browser

LEAD = "lead@demo.local"
ADMIN = "admin@demo.local"
AGENT = "agent1@demo.local"
FINANCE = "finance@demo.local"
BOM = "\ufeff"


def api(stack: LocalStack, email: str, method: str, path: str, **kw: Any) -> requests.Response:
    """The API as `email` (a dev-login token), beside the page."""
    login = requests.post(f"{stack.url}/auth/dev-login", json={"email": email}, timeout=5)
    login.raise_for_status()
    headers = {"authorization": f"Bearer {login.json()['token']}"}
    return requests.request(method, f"{stack.url}{path}", headers=headers, timeout=10, **kw)


def last_week() -> tuple[str, str]:
    """The page's default period: the last 7 report days (Asia/Tokyo), today included."""
    today = datetime.now(REPORT_TZ).date()
    return (today - timedelta(days=6)).isoformat(), today.isoformat()


def summary(stack: LocalStack, dimension: str = "all") -> dict[str, Any]:
    first, last = last_week()
    answer = api(stack, LEAD, "GET", "/api/reports/summary", params={"from": first, "to": last, "dimension": dimension})
    answer.raise_for_status()
    return dict(answer.json())


def new_mention(stack: LocalStack, tweet_id: str, text: str) -> str:
    """A brand mention on X (on the fake X too, so a reply to it is accepted), triaged and assigned."""
    body = f"@{demo.X_HANDLE} {text}"
    at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    author = {"id": "700000000000000001", "username": "taro_y", "name": "山田 太郎", "verified": False}
    stack.fakes.x_api.add_post({"id": tweet_id, "text": body, "created_at": at, "conversation_id": tweet_id}, author)
    assert post_tweet(stack, tweet_id, body).status_code == 200
    found = wait_for(lambda: stack.store.tickets.find_native(demo.TENANT, "x", tweet_id), timeout=10)
    ticket_id = str(found["ticket_id"])
    wait_for(lambda: stack.store.tickets.get(demo.TENANT, ticket_id).assignee is not None, timeout=10)
    return ticket_id


def answer_and_resolve(stack: LocalStack, ticket_id: str, *, resolve: bool) -> None:
    """An agent replies through the API (sent to the fake X) and, if asked, resolves the ticket."""
    ticket = api(stack, AGENT, "GET", f"/api/tickets/{ticket_id}").json()
    # (X refuses a post identical to an earlier one: each reply says something of its own)
    text = f"Thanks for telling us, we are looking into it (ref {ticket_id[-6:]})."
    body = {"version": ticket["version"], "text": text, "mode": "public"}
    assert api(stack, AGENT, "POST", f"/api/tickets/{ticket_id}/replies", json=body).status_code == 202
    wait_for(lambda: stack.store.tickets.get(demo.TENANT, ticket_id).last_reply_at is not None, timeout=10)
    if resolve:
        current = api(stack, AGENT, "GET", f"/api/tickets/{ticket_id}").json()
        change = {"version": current["version"], "status": "resolved"}
        assert api(stack, AGENT, "PATCH", f"/api/tickets/{ticket_id}", json=change).status_code == 200


@pytest.fixture(scope="module")
def activity(stack: LocalStack) -> dict[str, str]:
    """Three mentions today: one answered and resolved, one answered, one nobody answered yet."""
    ids = {
        "resolved": new_mention(stack, "8700000000000000001", "my order never arrived, can you check?"),
        "answered": new_mention(stack, "8700000000000000002", "注文した荷物がまだ届きません"),
        "waiting": new_mention(stack, "8700000000000000003", "the app crashes when I open my invoices"),
    }
    answer_and_resolve(stack, ids["resolved"], resolve=True)
    answer_and_resolve(stack, ids["answered"], resolve=False)
    wait_for(lambda: summary(stack)["total"]["resolved"] >= 1 and summary(stack)["total"]["replies"] >= 2, timeout=10)
    return ids


def open_reports(page: Any, stack: LocalStack, email: str = LEAD) -> Any:
    sign_in(page, stack.url, email)
    page.get_by_test_id("nav-reports").click()
    screen = page.get_by_test_id("reports")
    screen.get_by_test_id("report-figures").wait_for()
    return screen


def figure(screen: Any, name: str) -> Any:
    return screen.get_by_test_id(f"kpi-{name}").get_by_test_id("kpi-value")


def test_the_report_shows_the_figures_the_api_answers_as_a_chart_and_as_a_table(
    stack: LocalStack, page: Any, activity: dict[str, str]
) -> None:
    # Given today's activity, as the API reports it
    total = summary(stack)["total"]
    days = summary(stack)["days"]
    # When the supervisor opens Reports (the last 7 days by default)
    screen = open_reports(page, stack)
    # Then the headline figures are the API's
    expect(figure(screen, "tickets")).to_have_text(str(total["tickets"]))
    expect(figure(screen, "replies")).to_have_text(str(total["replies"]))
    expect(figure(screen, "resolved")).to_have_text(str(total["resolved"]))
    expect(figure(screen, "mentions-unanswered")).to_have_text(str(total["mentions_unanswered"]))
    rate = round(total["mention_reply_rate"] * 100)
    expect(screen.get_by_test_id("kpi-mentions-unanswered")).to_contain_text(
        f"Reply rate {rate}% of {total['mentions']} mentions"
    )
    expect(screen.get_by_test_id("kpi-tickets")).to_contain_text(f"{total['messages_in']} customer messages")
    expect(figure(screen, "csat")).to_have_text("—")  # no rating yet: a dash, never 0
    # And the volume chart draws a bar for each series of each day
    volume = screen.get_by_test_id("chart-volume")
    expect(volume.get_by_test_id("chart-volume-chart").locator("svg .ch-bar")).to_have_count(3 * len(days))
    expect(volume.get_by_test_id("chart-volume-table")).to_be_hidden()

    # When they switch the chart to its table view
    volume.get_by_test_id("chart-volume-view-table").click()
    # Then the same numbers are in an accessible table: one row a day, today's equal to the API's
    table = volume.get_by_role("table", name="Volume per day")
    expect(table).to_be_visible()
    expect(volume.get_by_test_id("chart-volume-chart")).to_be_hidden()
    expect(volume.get_by_test_id("chart-volume-view-table")).to_have_attribute("aria-pressed", "true")
    expect(table.locator("tbody tr")).to_have_count(len(days))
    today = table.locator("tbody tr").last
    cells = [str(days[-1][k]) for k in ("messages_in", "tickets", "replies", "resolved")]
    expect(today.locator("td")).to_have_text(cells)
    expect(table.locator("tfoot td")).to_have_text(
        [str(total[k]) for k in ("messages_in", "tickets", "replies", "resolved")]
    )
    # And the breakdown by channel lists X with the API's count
    by_channel = {r["value"]: r for r in summary(stack, "channel")["rows"]}
    breakdown = screen.get_by_test_id("chart-breakdown")
    breakdown.get_by_test_id("chart-breakdown-view-table").click()
    row = breakdown.get_by_role("row").filter(has=page.get_by_role("rowheader", name="X", exact=True))
    expect(row.locator("td").first).to_have_text(str(by_channel["x"]["tickets"]))
    # And the choice survives a language switch, with the words in Japanese
    page.get_by_test_id("lang-ja").click()
    expect(screen.get_by_role("table", name="日別の件数")).to_be_visible()
    expect(screen.get_by_test_id("kpi-tickets")).to_contain_text("新規チケット")
    assert page.problems == []


def test_a_figure_opens_its_tickets_and_a_ticket_opens_in_the_ticket_view_and_back(
    stack: LocalStack, page: Any, activity: dict[str, str]
) -> None:
    first, last = last_week()
    listed = api(
        stack, LEAD, "GET", "/api/reports/tickets", params={"from": first, "to": last, "metric": "mentions_unanswered"}
    )
    expected = {t["id"] for t in listed.json()["tickets"]}
    assert activity["waiting"] in expected
    screen = open_reports(page, stack)

    # When the supervisor selects "Mentions nobody answered"
    screen.get_by_test_id("kpi-mentions-unanswered").click()
    # Then a dialog lists exactly the tickets the API counts
    drill = page.get_by_test_id("drill")
    expect(drill).to_be_visible()
    expect(drill.get_by_role("heading", name="Mentions nobody answered")).to_be_visible()
    expect(drill.get_by_test_id("drill-row")).to_have_count(len(expected))
    shown = {drill.get_by_test_id("drill-row").nth(i).get_attribute("data-ticket-id") for i in range(len(expected))}
    assert shown == expected
    assert activity["resolved"] not in shown

    # When they open the waiting ticket from the list
    drill.locator(f'[data-testid="drill-open"][data-ticket-id="{activity["waiting"]}"]').click()
    # Then it opens in the ticket view
    view = page.get_by_test_id("ticket-view")
    expect(view).to_have_attribute("data-ticket-id", activity["waiting"])
    expect(view.get_by_test_id("ticket-message").first).to_contain_text("the app crashes")
    # When they close it, the report comes back with the same list, the ticket's link focused
    view.get_by_test_id("ticket-close").click()
    expect(page.get_by_test_id("drill")).to_be_visible()
    link = page.locator(f'[data-testid="drill-open"][data-ticket-id="{activity["waiting"]}"]')
    expect(link).to_be_focused()
    # And Escape closes the list, focus back on the figure
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("drill")).to_be_hidden()
    expect(page.get_by_test_id("kpi-mentions-unanswered")).to_be_focused()

    # When they reach today's "Tickets" bar with the keyboard and press Enter
    bars = page.get_by_test_id("chart-volume-chart")
    bars.locator('.ch-hit[tabindex="0"]').focus()
    for key in ("End", "ArrowUp", "ArrowUp", "Enter"):
        page.keyboard.press(key)
    # Then the list is today's new tickets only
    today = datetime.now(REPORT_TZ).date().isoformat()
    opened = api(stack, LEAD, "GET", "/api/reports/tickets", params={"from": today, "to": today, "metric": "tickets"})
    expect(page.get_by_test_id("drill").get_by_role("heading", name="Tickets opened")).to_be_visible()
    expect(page.get_by_test_id("drill-row")).to_have_count(len(opened.json()["tickets"]))
    page.get_by_test_id("drill-close").click()

    # When they break down by channel and select the X bar
    page.get_by_test_id("report-dimension").select_option("channel")
    breakdown = page.get_by_test_id("chart-breakdown")
    expect(breakdown.get_by_role("heading", name="By channel")).to_be_visible()
    breakdown.get_by_role("button", name=re.compile(r"^X: \d+")).click()
    # Then the list is filtered to X
    expect(page.get_by_test_id("drill-sub")).to_contain_text("Channel: X")
    rows = page.get_by_test_id("drill-row")
    expect(rows.first).to_be_visible()
    for i in range(rows.count()):
        expect(rows.nth(i).locator("td").first).to_contain_text("X · ")
    assert page.problems == []


def read_download(download: Any) -> str:
    data = Path(download.path()).read_bytes()
    assert data.startswith(BOM.encode("utf-8")), "UTF-8 with a BOM, for Excel"
    return data.decode("utf-8")


def test_csv_downloads_the_ticket_export_and_a_charts_numbers(
    stack: LocalStack, page: Any, activity: dict[str, str]
) -> None:
    first, last = last_week()
    screen = open_reports(page, stack)
    # When the supervisor exports the period's tickets
    with page.expect_download() as exported:
        screen.get_by_test_id("export-tickets").click()
    # Then the file is the API's export (fetched with their token), one row per ticket
    assert exported.value.suggested_filename == f"tickets-{first}-{last}.csv"
    text = read_download(exported.value)
    lines = text.removeprefix(BOM).split("\r\n")
    assert lines[0] == ",".join(EXPORT_COLUMNS)
    assert any(line.startswith(activity["waiting"] + ",") for line in lines[1:])

    # When they download the volume chart's numbers
    with page.expect_download() as chart:
        screen.get_by_test_id("chart-volume-csv").click()
    text = read_download(chart.value)
    assert chart.value.suggested_filename == f"volume-{first}-{last}.csv"
    rows = text.removeprefix(BOM).split("\r\n")
    assert rows[0] == "day,tickets,messages_in,replies,resolved"
    total = summary(stack)["days"][-1]
    assert rows[7] == f"{last},{total['tickets']},{total['messages_in']},{total['replies']},{total['resolved']}"
    assert rows[8] == ""  # CRLF after every row

    # And a cell a spreadsheet would run as a formula is defused, quotes are escaped
    made = page.evaluate(
        """async () => (await import('/static/charts.js'))
            .csvText(['a', 'b'], [['=1+2', '@x'], ['-2+3', 5], ['x,"y"', -3]])"""
    )
    assert made == BOM + 'a,b\r\n\'=1+2,\'@x\r\n\'-2+3,5\r\n"x,""y""",-3\r\n'
    assert page.problems == []


def seed_voc_week(stack: LocalStack) -> str:
    """Two weeks of the voice of the customer built by the real grouping, stored as report_weekly
    stores them; the newest week's first day (YYYY-MM-DD) is answered."""
    from mentiondesk.reports.voc import VocPost, weekly_report
    from mentiondesk.store.voc import VocStore

    today = datetime.now(REPORT_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=7)
    texts = [
        ("ja", "problem", "注文した荷物がまだ届きません。配送状況を確認してください"),
        ("en", "problem", "my delivery is late again, tracking has not moved"),
        ("ja", "complaint", "配送が遅すぎる、もう一週間待ってる"),
        ("en", "problem", "can't log in to the app, password reset email never arrives"),
        ("ja", "problem", "アプリにログインできません"),
        ("en", "problem", "<img src=x onerror=alert(1)> login fails every time"),
    ]
    posts = [
        VocPost(
            ticket_id=f"VOCTEST{i:03d}",
            message_id=f"VOCTEST{i:03d}",
            channel="x",
            language=language,
            intent=intent,
            text=text,
            created_at=(start + timedelta(hours=3 + i)).astimezone(UTC),
        )
        for i, (language, intent, text) in enumerate(texts)
    ]
    report = weekly_report(posts, [], start, today, "Asia/Tokyo")
    week = start.date().isoformat()
    VocStore(stack.store.table).save(demo.TENANT, week, report.model_dump(mode="json"), {}, "2026-11-24T09:00:00.000Z")
    return week


def test_the_weekly_voice_of_the_customer_shows_topics_and_examples_as_text(stack: LocalStack, page: Any) -> None:
    # Given a stored weekly report whose posts include one that looks like HTML
    week = seed_voc_week(stack)
    topics = api(stack, LEAD, "GET", f"/api/reports/voc/{week}").json()["report"]["topics"]
    # When the supervisor opens the voice of the customer
    open_reports(page, stack)
    page.get_by_test_id("reports-tab-voc").click()
    # Then the newest week is shown with its topics, each with its count and trend
    listed = page.get_by_test_id("voc-topic")
    expect(listed).to_have_count(len(topics))
    expect(listed.first.get_by_role("heading")).to_have_text(topics[0]["label_en"])
    expect(listed.first).to_contain_text(f"{topics[0]['count']} customers")
    expect(listed.first.get_by_test_id("voc-trend")).to_have_text("New")
    # And the example that looks like HTML is shown as its text, never as an element
    example = page.get_by_text("<img src=x onerror=alert(1)> login fails every time")
    expect(example).to_be_visible()
    expect(page.get_by_test_id("voc").locator("img")).to_have_count(0)
    # And the chart's table has the same counts
    page.get_by_test_id("chart-voc-view-table").click()
    first_row = page.get_by_test_id("table-voc").locator("tbody tr").first
    expect(first_row.locator("td").first).to_have_text(str(topics[0]["count"]))
    assert page.problems == []


def test_who_sees_the_reports_and_costs(stack: LocalStack, page: Any) -> None:
    # An agent has neither screen, and their addresses show the inbox
    sign_in(page, stack.url, AGENT)
    expect(page.get_by_test_id("nav-reports")).to_be_hidden()
    expect(page.get_by_test_id("nav-finance")).to_be_hidden()
    page.goto(stack.url + "/#/finance")
    expect(page.get_by_test_id("inbox-list")).to_be_attached()
    expect(page.get_by_test_id("finance")).to_have_count(0)
    page.get_by_test_id("signout").click()
    # Finance lands on the costs, has the reports, and never the inbox
    page.get_by_test_id(f"demo-user-{FINANCE}").click()
    expect(page.get_by_test_id("finance")).to_be_visible()
    expect(page).to_have_url(re.compile(r"#/finance$"))
    expect(page.get_by_test_id("nav-reports")).to_be_visible()
    expect(page.locator("#topnav a[href='#/']")).to_be_hidden()
    page.goto(stack.url + "/#/tickets/01HZZZZZZZZZZZZZZZZZZZZZZZ")
    expect(page.get_by_test_id("finance")).to_be_visible()
    page.get_by_test_id("nav-reports").click()
    expect(page.get_by_test_id("report-figures")).to_be_visible()
    expect(page.get_by_test_id("reports-tab-voc")).to_have_count(0)  # customer words are not finance's
    expect(page.get_by_test_id("chart-backlog")).to_have_count(0)
    assert page.problems == []


# ------------------------------------------------------------------ costs


def seed_platform_spend(stack: LocalStack, ticket_id: str) -> None:
    """Two dollars of X fees this month on a ticket (ten posts with a link), as the ledger books them."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    line = priced_line(
        tenant=demo.TENANT,
        item="x.post_create_with_url",
        quantity=10,
        unit="post",
        region="us-east-1",
        at=now,
        source="test:seed",
        request_id=f"seed-x-{ticket_id}",
        ticket_id=ticket_id,
        channel="x",
        team="support",
        brand=demo.X_ACCOUNT_ID,
    )
    CostStore(stack.store.table).record([line])


def x_spend(stack: LocalStack) -> Decimal:
    items = api(stack, ADMIN, "GET", "/api/costs/summary").json()["by_item"]
    return sum((Decimal(i["usd"] or "0") for i in items if i["item"].startswith("x.")), Decimal(0))


def put_cost_settings(stack: LocalStack, **changes: Any) -> dict[str, Any]:
    current = api(stack, ADMIN, "GET", "/api/settings/costs").json()
    body = {
        "version": current["version"],
        "benchmark_phone_usd": current["benchmark_phone_usd"],
        "benchmark_social_usd": current["benchmark_social_usd"],
        "budgets": current["budgets"],
        **changes,
    }
    answer = api(stack, ADMIN, "PUT", "/api/settings/costs", json=body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def budget(page: Any, key: str) -> Any:
    return page.get_by_test_id("finance-budgets").locator(f'[data-testid="budget-row"][data-key="{key}"]')


def test_the_costs_screen_shows_the_month_and_budget_bars_turn_amber_then_red(
    stack: LocalStack, page: Any, activity: dict[str, str]
) -> None:
    # Given $2 of X fees booked on a ticket this month, an X cap the spend is 90% of, and a Google cap
    seed_platform_spend(stack, activity["resolved"])
    spent = x_spend(stack)
    cap = (spent / Decimal("0.9")).quantize(Decimal("0.01"))
    put_cost_settings(stack, budgets={"x": str(cap), "meta": None, "google": "50.00"})
    before = api(stack, FINANCE, "GET", "/api/costs/summary").json()
    # When finance signs in (they land on the costs)
    page.goto(stack.url + "/")
    page.get_by_test_id(f"demo-user-{FINANCE}").click()
    screen = page.get_by_test_id("finance")
    screen.get_by_test_id("finance-figures").wait_for()
    after = api(stack, FINANCE, "GET", "/api/costs/summary").json()
    # Then the figures are the API's (the running stack meters itself, so the month only grows while the
    # page reads it): the exact amount in the title, rounded to cents for reading
    total = screen.get_by_test_id("fin-total").get_by_test_id("kpi-value").locator(".fn-money")
    expect(total).to_have_text(re.compile(r"^\$\d+\.\d{2}$"))
    shown = Decimal(str(total.get_attribute("title")).removeprefix("$"))
    assert Decimal(before["total_usd"]) <= shown <= Decimal(after["total_usd"])
    assert total.inner_text() == f"${shown.quantize(Decimal('0.01'))}"
    tickets = int(screen.get_by_test_id("fin-tickets").get_by_test_id("kpi-value").inner_text())
    assert before["tickets"] <= tickets <= after["tickets"]
    median = screen.get_by_test_id("fin-median").get_by_test_id("kpi-value").locator(".fn-money")
    medians = sorted(Decimal(m["per_ticket"]["median_usd"]) for m in (before, after))
    assert medians[0] <= Decimal(str(median.get_attribute("title")).removeprefix("$")) <= medians[1]
    # And the cost per ticket is compared with the benchmarks
    expect(screen.get_by_test_id("benchmark-lead")).to_contain_text("of a phone call ($6.00)")
    expect(screen.get_by_test_id("chart-benchmark-chart").locator(".ch-bar")).to_have_count(4)
    # And the X budget is amber (near its cap), Google's green, each with its spend in words
    expect(budget(page, "x")).to_have_attribute("data-state", "warning")
    expect(budget(page, "x").get_by_test_id("budget-state")).to_have_text("Near the cap")
    expect(budget(page, "x")).to_contain_text(f"of ${cap}")
    expect(budget(page, "google")).to_have_attribute("data-state", "ok")
    amber = budget(page, "x").locator(".fn-bar-fill").evaluate("el => getComputedStyle(el).fill")
    green = budget(page, "google").locator(".fn-bar-fill").evaluate("el => getComputedStyle(el).fill")
    assert (amber, green) == ("rgb(185, 120, 0)", "rgb(47, 143, 87)")

    # When the X cap is lowered below the spend and the month is read again
    put_cost_settings(stack, budgets={"x": "1.00", "meta": None, "google": "50.00"})
    page.reload()
    # Then the X budget is red: over its cap
    expect(budget(page, "x")).to_have_attribute("data-state", "exceeded")
    expect(budget(page, "x").get_by_test_id("budget-state")).to_have_text("Over the cap")
    red = budget(page, "x").locator(".fn-bar-fill").evaluate("el => getComputedStyle(el).fill")
    assert red == "rgb(200, 52, 43)"
    # And the items table lists the seeded item with its amount
    items = page.get_by_test_id("table-items")
    expect(items.get_by_role("row").filter(has_text="x.post_create_with_url")).to_contain_text("$2.00")
    # And the month's ticket costs download as the API's CSV
    with page.expect_download() as exported:
        page.get_by_test_id("finance-export").click()
    assert exported.value.suggested_filename == f"ticket-costs-{after['month']}.csv"
    header = read_download(exported.value).removeprefix(BOM).split("\r\n")[0]
    assert header.startswith("month,ticket_id,channel,team,brand")
    assert page.problems == []


def test_the_admin_changes_the_phone_benchmark(stack: LocalStack, page: Any, activity: dict[str, str]) -> None:
    # Given the admin on the costs screen
    sign_in(page, stack.url, ADMIN)
    page.get_by_test_id("nav-finance").click()
    form = page.get_by_test_id("cost-settings")
    phone = form.get_by_test_id("benchmark-phone")
    expect(phone).to_have_value(re.compile(r"^\d+\.\d{2}$"))
    # When they write a wrong amount and save
    phone.fill("seven")
    form.get_by_test_id("cost-settings-save").click()
    # Then the form says what is wrong, and nothing was saved
    expect(form.get_by_test_id("form-problems")).to_be_visible()
    expect(phone).to_have_attribute("aria-invalid", "true")
    # When they give 7.50 and save
    phone.fill("7.50")
    form.get_by_test_id("cost-settings-save").click()
    # Then it is saved, the comparison uses it, and the API has it
    expect(page.get_by_test_id("cost-settings").get_by_test_id("form-saved")).to_be_visible()
    expect(page.get_by_test_id("benchmark-lead")).to_contain_text("of a phone call ($7.50)")
    assert api(stack, ADMIN, "GET", "/api/settings/costs").json()["benchmark_phone_usd"] == "7.50"

    # When someone else changes the settings meanwhile and the page saves its own edit
    put_cost_settings(stack, benchmark_social_usd="1.25")
    form = page.get_by_test_id("cost-settings")
    form.get_by_test_id("benchmark-phone").fill("8.00")
    form.get_by_test_id("cost-settings-save").click()
    # Then it says the settings changed, and reloading shows their version
    expect(form.get_by_test_id("conflict")).to_contain_text("changed these settings")
    form.get_by_test_id("conflict-reload").click()
    expect(page.get_by_test_id("benchmark-social")).to_have_value("1.25")
    expect(page.get_by_test_id("benchmark-phone")).to_have_value("7.50")
    assert api(stack, ADMIN, "GET", "/api/settings/costs").json()["benchmark_phone_usd"] == "7.50"
    # And a supervisor sees the costs but not the form
    page.get_by_test_id("signout").click()
    sign_in(page, stack.url, LEAD)
    page.get_by_test_id("nav-finance").click()
    expect(page.get_by_test_id("finance-figures")).to_be_visible()
    expect(page.get_by_test_id("cost-settings")).to_have_count(0)
    # (Chromium reports the 409 answer itself on the console; nothing else may appear there)
    assert [p for p in page.problems if "status of 409 (Conflict)" not in p] == []


def test_a_tickets_cost_section_lists_every_line(stack: LocalStack, page: Any, activity: dict[str, str]) -> None:
    # Given a ticket with cost lines in its ledger
    ticket_id = activity["answered"]

    def ledger_lines() -> int:
        return len(api(stack, LEAD, "GET", f"/api/tickets/{ticket_id}/costs").json()["lines"])

    before = wait_for(ledger_lines)
    # When the supervisor opens the ticket and its Cost section
    sign_in(page, stack.url, LEAD)
    page.goto(f"{stack.url}/#/tickets/{ticket_id}")
    section = page.get_by_test_id("ticket-cost")
    section.get_by_test_id("ticket-cost-toggle").click()
    # Then every line of the ledger is listed (the page's own requests may add lines meanwhile), with the total
    lines = section.get_by_test_id("ticket-cost-line")
    expect(lines.first).to_be_visible()
    shown = lines.count()
    assert before <= shown <= ledger_lines()
    expect(section.get_by_test_id("ticket-cost-total")).to_have_text(re.compile(r"^\$\d"))
    # And an agent's ticket view has no cost section
    page.get_by_test_id("signout").click()
    sign_in(page, stack.url, AGENT)
    page.goto(f"{stack.url}/#/tickets/{ticket_id}")
    page.get_by_test_id("ticket-view").get_by_test_id("ticket-message").first.wait_for()
    expect(page.get_by_test_id("ticket-cost")).to_have_count(0)
    assert page.problems == []
