"""Screenshots of the agent page for docs/screenshots/: the demo stack, Debian's chromium, 1280x800.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts the local stack with the demo (the simulator writing as customers), lets a minute of traffic
arrive, answers a few tickets, and photographs the inbox, a ticket, the composer, the settings, the
reports (with their drill-down and the weekly voice of the customer) and the costs.

The demo's traffic all happens today, so a fortnight of earlier days is written straight into the
report rollups (plausible counts, the same counters the services add) to give the charts their shape,
and two weekly voice-of-the-customer reports are built from sample posts. Drill-downs into those
earlier days list no tickets: there are none behind them.
"""

import argparse
import math
import random
import shutil
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
from mentiondesk.local import demo
from mentiondesk.local.stack import LocalStack
from mentiondesk.store import rollups
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
CHANNELS = (
    ("x", demo.X_ACCOUNT_ID, "mention", 50),
    ("instagram", demo.IG_ACCOUNT_ID, "comment", 24),
    ("facebook", demo.FB_PAGE_ID, "comment", 14),
    ("google", demo.GOOGLE_LOCATION, "review", 12),
)
INTENTS = (("question", 30), ("problem", 26), ("complaint", 14), ("request", 10), ("praise", 12), ("other", 8))


def token(stack: LocalStack, email: str) -> str:
    answer = requests.post(f"{stack.url}/auth/dev-login", json={"email": email}, timeout=5)
    answer.raise_for_status()
    return str(answer.json()["token"])


def api(stack: LocalStack, email: str, method: str, path: str, **kw: Any) -> requests.Response:
    headers = {"authorization": f"Bearer {token(stack, email)}"}
    return requests.request(method, f"{stack.url}{path}", headers=headers, timeout=10, **kw)


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


def _pick(rng: random.Random, weighted: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    return rng.choices(weighted, weights=[w[-1] for w in weighted])[0]


def seed_history(stack: LocalStack, days: int = 13, seed: int = 7) -> None:
    """Earlier days' report rollups: per synthetic ticket, the counters the services would have added."""
    rng = random.Random(seed)  # noqa: S311 - made-up demo numbers, not a secret
    agents = [u.id for u in demo.DEMO_USERS if u.role == "agent"]
    today = datetime.now(rollups.REPORT_TZ).date()
    for back in range(days, 0, -1):
        when = today - timedelta(days=back)
        day = when.isoformat()
        tickets = rng.randint(12, 20) if when.weekday() >= 5 else rng.randint(24, 40)
        contributions: list[rollups.Contribution] = []
        for _ in range(tickets):
            platform, account, kind, _ = _pick(rng, CHANNELS)
            intent = str(_pick(rng, INTENTS)[0])
            if intent == "praise":
                sentiment = "positive"
            elif intent == "complaint":
                sentiment = rng.choices(["negative", "neutral"], [85, 15])[0]
            else:
                sentiment = rng.choices(["positive", "neutral", "negative"], [12, 55, 33])[0]
            dims: dict[str, str | None] = {
                "all": "*",
                "channel": platform,
                "team": "support",
                "account": account,
                "language": "ja" if rng.random() < 0.68 else "en",
                "intent": intent,
                "sentiment": sentiment,
            }
            opened = {"tickets": 1, "messages_in": rng.choice([1, 1, 1, 2, 2, 3]), "classified": 1}
            opened[f"sentiment_{sentiment}"] = 1
            mention = kind != "review" and rng.random() < 0.9
            answered = rng.random() < (0.9 if mention else 0.97)
            if mention:
                opened["mentions"] = 1
                opened["mentions_answered"] = 1 if answered else 0
            contributions.append((day, dims, opened))
            if answered:
                agent = rng.choice(agents)
                frt = rng.lognormvariate(math.log(22 * 60), 0.75)
                handled: dict[str, float] = {"replies": rng.choice([1, 1, 2, 2, 3]), "first_replies": 1}
                handled |= rollups.duration("frt", frt) | rollups.duration("frt_bh", frt * 0.8)
                resolved = rng.random() < 0.86
                res = frt + rng.lognormvariate(math.log(3 * 3600), 0.9)
                if resolved:
                    handled["resolved"] = 1
                    handled |= rollups.duration("res", res) | rollups.duration("res_bh", res * 0.6)
                    if rng.random() < 0.4:
                        rating = rng.choices([5, 4, 3, 2, 1], [48, 30, 10, 7, 5])[0]
                        handled |= {"csat_answers": 1, "csat_sum": rating, f"csat_r{rating}": 1}
                contributions.append((day, {**dims, "agent": agent}, handled))
                urgent = intent in ("complaint", "problem") and sentiment == "negative"
                policy = "urgent" if urgent else "standard"
                target = 30 * 60 if urgent else 2 * 3600
                sla = {f"sla_{'met' if frt * 0.8 <= target else 'missed'}_first_response": 1}
                if resolved:
                    sla[f"sla_{'met' if res * 0.6 <= 24 * 3600 else 'missed'}_resolution"] = 1
                contributions.append((day, {**dims, "policy": policy}, sla))
        # One transaction per day: merged() adds up every synthetic ticket's counters per item.
        stack.store.table.transact(rollups.merged(demo.TENANT, f"seed-{day}", contributions))


VOC_POSTS = {
    "delivery": (
        ("ja", "problem", "注文した荷物がまだ届きません。配送状況を確認してもらえますか"),
        ("ja", "complaint", "配送が遅すぎる。もう一週間待ってる"),
        ("en", "problem", "my delivery is late again, the tracking has not moved in 4 days"),
        ("ja", "problem", "荷物が届かない、追跡番号も反映されていません"),
        ("en", "complaint", "still no delivery and nobody answers the phone"),
    ),
    "login": (
        ("ja", "problem", "アプリにログインできません。パスワード再設定のメールが来ない"),
        ("en", "problem", "can't log in to the app, password reset email never arrives"),
        ("ja", "problem", "ログインしようとするとエラーになります"),
    ),
    "refund": (
        ("en", "complaint", "still waiting on my refund after 3 weeks"),
        ("ja", "request", "返金の手続きはどうなっていますか"),
        ("ja", "complaint", "返金がまだ振り込まれていません"),
    ),
    "billing": (
        ("ja", "problem", "今月の請求が二重になっているみたいです"),
        ("en", "problem", "I was charged twice for my subscription this month"),
    ),
    "app_crash": (
        ("en", "problem", "the app crashes every time I open my order history"),
        ("ja", "problem", "アプリが起動してすぐ落ちます"),
    ),
    "damaged": (
        ("ja", "complaint", "届いた商品が壊れていました。交換できますか"),
        ("en", "complaint", "the package arrived damaged and the box was soaked"),
    ),
}


def seed_voc(stack: LocalStack) -> None:
    """Two weeks of the voice of the customer, built by the real grouping from sample posts."""
    from mentiondesk.reports.voc import VocPost, weekly_report
    from mentiondesk.store.voc import VocStore

    zone = rollups.REPORT_TZ
    today = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    this_start = today - timedelta(days=7)
    weeks = [(this_start - timedelta(days=7), this_start), (this_start, today)]
    channels = ("x", "instagram", "facebook", "x")
    counter = 0

    def posts(start: datetime, share: dict[str, int]) -> list[VocPost]:
        nonlocal counter
        out = []
        for topic, n in share.items():
            samples = VOC_POSTS[topic]
            for i in range(n):
                language, intent, text = samples[i % len(samples)]
                counter += 1
                out.append(
                    VocPost(
                        ticket_id=f"VOC{counter:05d}",
                        message_id=f"VOC{counter:05d}",
                        channel=channels[counter % len(channels)],
                        language=language,
                        intent=intent,
                        text=text,
                        created_at=(start + timedelta(hours=5 + 7 * i + counter % 5)).astimezone(UTC),
                    )
                )
        return out

    shares = [
        {"delivery": 4, "login": 5, "refund": 2, "billing": 3},
        {"delivery": 9, "login": 3, "refund": 4, "billing": 2, "app_crash": 3, "damaged": 2},
    ]
    history: list[VocPost] = posts(weeks[0][0] - timedelta(days=7), {"login": 2, "billing": 2})
    voc = VocStore(stack.store.table)
    for (start, end), share in zip(weeks, shares, strict=True):
        current = posts(start, share)
        report = weekly_report(current, history, start, end, "Asia/Tokyo", ignore_terms=[demo.X_HANDLE])
        week = start.date().isoformat()
        now = end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        voc.save(demo.TENANT, week, report.model_dump(mode="json"), {"html": f"voc/{demo.TENANT}/{week}.html"}, now)
        history = current


def answer_some(stack: LocalStack, count: int = 6) -> None:
    """Agents answer and resolve a few of today's tickets through the API, as they would in the page."""
    people = {u.id: u.email for u in demo.DEMO_USERS}
    answered = 0
    for ticket in stack.store.tickets.inbox(demo.TENANT, "open", 50, None).items:
        if answered >= count or ticket.assignee is None or ticket.kind == "review":
            continue
        email = people.get(ticket.assignee.id)
        if not email:
            continue
        mode = "dm" if ticket.kind == "dm" else "public"
        text = (
            "お問い合わせありがとうございます。確認してご連絡します。"
            if ticket.language == "ja"
            else "Thanks, we are on it."
        )
        sent = api(
            stack,
            email,
            "POST",
            f"/api/tickets/{ticket.id}/replies",
            json={"version": ticket.version, "text": text, "mode": mode},
        )
        if sent.status_code >= 300:
            continue
        # The minutes the agent spent on it, as the page reports them (priced at the agent's rate)
        for beat in range(3):
            api(
                stack,
                email,
                "POST",
                f"/api/tickets/{ticket.id}/time",
                json={"seconds": 60 + 40 * beat, "beat_id": f"shot-{ticket.id}-{beat}"},
            )
        answered += 1
        if answered % 2 == 0:
            time.sleep(1.5)
            current = stack.store.tickets.get(demo.TENANT, ticket.id)
            api(
                stack,
                email,
                "PATCH",
                f"/api/tickets/{ticket.id}",
                json={"version": current.version, "status": "resolved"},
            )


def sign_in(page: Any, stack: LocalStack, email: str, language: str, landing: str = "inbox-list") -> None:
    page.goto(stack.url + "/")
    page.get_by_test_id(f"demo-user-{email}").click()
    page.get_by_test_id(landing).wait_for(state="attached")
    page.get_by_test_id(f"lang-{language}").click()


def first_ticket(stack: LocalStack, channel: str) -> str:
    for ticket in stack.store.tickets.inbox(demo.TENANT, "open", 50, None).items:
        if ticket.platform == channel and ticket.kind != "dm":
            return ticket.id
    return stack.store.tickets.inbox(demo.TENANT, "open", 1, None).items[0].id


def report_pictures(browser: Any, stack: LocalStack, out: Path) -> None:
    lead = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(lead, stack, "lead@demo.local", "en")
    lead.goto(f"{stack.url}/#/reports")
    lead.get_by_test_id("chart-volume-chart").locator("svg").wait_for()
    lead.wait_for_timeout(800)
    lead.screenshot(path=str(out / "report-en.png"))
    lead.get_by_test_id("chart-volume").scroll_into_view_if_needed()
    lead.get_by_test_id("report-dimension").select_option("agent")
    lead.get_by_test_id("chart-breakdown").get_by_text("Agent performance").wait_for()
    lead.locator(".rp-status-busy").wait_for(state="detached")
    lead.get_by_test_id("chart-breakdown-view-table").click()
    lead.wait_for_timeout(600)
    lead.get_by_test_id("chart-volume").scroll_into_view_if_needed()
    lead.screenshot(path=str(out / "report-agents-en.png"))
    lead.get_by_test_id("kpi-tickets").click()
    lead.get_by_test_id("drill-table").wait_for()
    lead.wait_for_timeout(600)
    lead.screenshot(path=str(out / "report-drill-en.png"))
    lead.get_by_test_id("drill-close").click()
    lead.get_by_test_id("lang-ja").click()
    lead.get_by_test_id("report-dimension").select_option("channel")
    lead.locator(".rp-status-busy").wait_for(state="detached")
    lead.get_by_test_id("reports").evaluate("el => el.scrollTo(0, 0)")
    lead.wait_for_timeout(800)
    lead.screenshot(path=str(out / "report-ja.png"))
    lead.get_by_test_id("lang-en").click()
    lead.goto(f"{stack.url}/#/reports/voc")
    lead.get_by_test_id("voc-topics").wait_for()
    lead.wait_for_timeout(800)
    lead.screenshot(path=str(out / "report-voc-en.png"))
    lead.context.close()


def seed_budgets(stack: LocalStack) -> None:
    """Caps for the platforms: X's just above this month's X fees (amber), Meta's and Google's roomy."""
    month = api(stack, "admin@demo.local", "GET", "/api/costs/summary").json()
    spent = sum(Decimal(i["usd"] or "0") for i in month["by_item"] if i["item"].startswith("x."))
    near = max(Decimal("0.01"), (spent / Decimal("0.86")).quantize(Decimal("0.01")))
    current = api(stack, "admin@demo.local", "GET", "/api/settings/costs").json()
    body = {
        "version": current["version"],
        "benchmark_phone_usd": current["benchmark_phone_usd"],
        "benchmark_social_usd": current["benchmark_social_usd"],
        "budgets": {"x": str(near), "meta": "5.00", "google": "2.00"},
    }
    api(stack, "admin@demo.local", "PUT", "/api/settings/costs", json=body).raise_for_status()


def finance_pictures(browser: Any, stack: LocalStack, out: Path) -> None:
    if api(stack, "finance@demo.local", "GET", "/api/costs/summary").status_code != 200:
        print("GET /api/costs/summary is not served: no finance screenshot")
        return
    seed_budgets(stack)
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(page, stack, "admin@demo.local", "en")
    page.goto(f"{stack.url}/#/finance")
    page.get_by_test_id("finance-figures").wait_for()
    page.wait_for_timeout(800)
    page.screenshot(path=str(out / "finance-en.png"))
    page.get_by_test_id("finance-budgets").scroll_into_view_if_needed()
    page.wait_for_timeout(400)
    page.screenshot(path=str(out / "finance-budgets-en.png"))
    page.context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds of demo traffic before the first picture")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with LocalStack(port=0, demo=True, simulate=True) as stack, sync_playwright() as playwright:
        seed_template(stack)
        seed_history(stack)
        seed_voc(stack)
        time.sleep(args.wait)
        answer_some(stack)
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
        lead.context.close()
        report_pictures(browser, stack, out)
        finance_pictures(browser, stack, out)
        browser.close()
    print(f"screenshots in {out}/")


if __name__ == "__main__":
    main()
