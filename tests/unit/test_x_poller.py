"""X polling against moto: cursors, resumption, rate limits, the per-day read register, budgets, alerts."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mentiondesk.channels.x_api import Page, RateLimit, XApiError, XApiRefused, XRateLimited
from mentiondesk.clock import iso
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import Author, InboundMessage, Monitor
from mentiondesk.polling.queries import search_query
from mentiondesk.polling.x_poller import XPoller
from mentiondesk.store.factory import Store

from tests.conftest import ACCOUNT_ID, RecordingStarter

pytestmark = pytest.mark.unit
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, at: datetime = START) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


Answer = Page | Exception | Callable[[], Page]


class ScriptedX:
    """Answers each call with the next scripted page or error and records what was asked."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    def _next(self, call: dict[str, Any]) -> Page:
        self.calls.append(call)
        if not self.answers:
            raise AssertionError(f"unexpected call {call}")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer() if callable(answer) else answer

    def search_recent(self, account_id: str, query: str, **kw: Any) -> Page:
        return self._next({"endpoint": "search", "account_id": account_id, "query": query, **kw})

    def mentions(self, account_id: str, **kw: Any) -> Page:
        return self._next({"endpoint": "mentions", "account_id": account_id, **kw})


def post(post_id: str, text: str = "回線が遅い", author: str = "3000") -> InboundMessage:
    return InboundMessage(
        platform="x",
        account_id=ACCOUNT_ID,
        native_id=post_id,
        kind="post",
        conversation_id=post_id,
        author=Author(platform_user_id=author, handle=f"user{author}"),
        text=f"{text} {post_id}",
        created_at="2026-11-23T08:59:00.000Z",
    )


def page(
    ids: list[str],
    next_token: str | None = None,
    *,
    newest: str | None = None,
    rate: RateLimit | None = None,
    authors: list[str] | None = None,
) -> Page:
    authors = authors or [f"3{i[-3:]}" for i in ids]
    return Page(
        posts=[post(i, author=a) for i, a in zip(ids, authors, strict=True)],
        skipped={},
        post_ids=list(ids),
        user_ids=sorted(set(authors)),
        newest_id=newest if newest is not None else (max(ids, key=int) if ids else None),
        next_token=next_token,
        result_count=len(ids),
        rate=rate,
    )


def make_monitor(store: Store, tenant: str, kind: str = "search", **fields: Any) -> Monitor:
    defaults: dict[str, Any] = {
        "tenant_id": tenant,
        "id": fields.pop("id", "01MONITOR0000000000000000" + str(len(store.monitors.for_tenant(tenant)))),
        "kind": kind,
        "account_id": ACCOUNT_ID,
        "name": "brand listening",
        "query": "acme 遅い" if kind == "search" else None,
        "languages": ["ja", "en"],
        "interval_minutes": 5,
        "monthly_budget_usd": "50.00",
        "created_at": iso(START - timedelta(minutes=1)),
        "created_by": "user-admin",
        "updated_at": iso(START),
        "next_run_at": iso(START),
    }
    monitor = Monitor(**{**defaults, **fields})
    store.monitors.create(monitor)
    return monitor


def poller(store: Store, reader: ScriptedX, clock: Clock) -> XPoller:
    service = IngestService(store, RecordingStarter(), lambda: iso(clock()))
    return XPoller(service, reader, clock)


def stored_posts(store: Store, tenant: str) -> list[str]:
    tickets = store.tickets.inbox(tenant, None, 100, None).items
    return sorted(m.native_id for t in tickets for m in store.tickets.detail(tenant, t.id).messages)


def test_a_cycle_follows_next_token_and_the_next_starts_at_the_first_pages_newest(store: Store, tenant: str) -> None:
    # Given a new search monitor and X holding two pages of results
    monitor = make_monitor(store, tenant)
    clock = Clock()
    x = ScriptedX(page(["105", "104"], "t1"), page(["103"]), page(["107", "106"]))
    # When the schedule runs
    report = poller(store, x, clock).run("search")
    # Then both pages are read (the first from the monitor's creation, never a week back), all stored
    assert [c.get("next_token") for c in x.calls] == [None, "t1"]
    assert (
        x.calls[0]["query"] == search_query("acme 遅い", ["ja", "en"]) == "(acme 遅い) -is:retweet (lang:ja OR lang:en)"
    )
    assert x.calls[0]["start_time"] == monitor.created_at and x.calls[0]["since_id"] is None
    assert x.calls[1]["start_time"] == monitor.created_at  # the same parameters on every page of a cycle
    assert report.accepted == 3 and stored_posts(store, tenant) == ["103", "104", "105"]
    saved = store.monitors.get(tenant, monitor.id)
    assert saved.since_id == "105" and saved.cycle is None and saved.posts_found == 3
    assert saved.next_run_at == iso(START + timedelta(minutes=5))
    # When the next cycle is due
    assert poller(store, x, clock).run("search").polled == 0  # not yet: the monitor's interval
    clock.advance(minutes=5)
    poller(store, x, clock).run("search")
    # Then it asks only for what is newer
    assert x.calls[2]["since_id"] == "105" and x.calls[2]["start_time"] is None
    assert store.monitors.get(tenant, monitor.id).since_id == "107"


def test_a_rate_limit_interrupts_the_cycle_and_it_resumes_after_the_reset(store: Store, tenant: str) -> None:
    monitor = make_monitor(store, tenant)
    clock = Clock()
    reset = int((START + timedelta(minutes=10)).timestamp())
    x = ScriptedX(page(["205", "204"], "t1"), XRateLimited(reset), page(["203"]))
    report = poller(store, x, clock).run("search")
    assert report.rate_limited == 1
    saved = store.monitors.get(tenant, monitor.id)
    assert saved.cycle is not None and saved.cycle.next_token == "t1" and saved.since_id is None
    assert saved.next_run_at == iso(datetime.fromtimestamp(reset, UTC))
    # No call before the reset, for this monitor or any other on the same endpoint
    other = make_monitor(store, tenant, id="01OTHERMONITOR00000000000X")
    clock.advance(minutes=5)
    report = poller(store, x, clock).run("search")
    assert len(x.calls) == 2 and report.rate_limited == 1
    assert store.monitors.get(tenant, other.id).next_run_at == iso(datetime.fromtimestamp(reset, UTC))
    # After the reset the cycle resumes where it stopped and completes
    clock.advance(minutes=5, seconds=1)
    x.answers.append(page([]))  # the other monitor's first cycle
    poller(store, x, clock).run("search")
    resumed = next(c for c in x.calls[2:] if c.get("next_token") == "t1")
    assert resumed["start_time"] == monitor.created_at
    saved = store.monitors.get(tenant, monitor.id)
    assert saved.since_id == "205" and saved.cycle is None
    assert stored_posts(store, tenant) == ["203", "204", "205"]


def test_spent_rate_window_in_headers_means_no_call_until_the_reset(store: Store, tenant: str) -> None:
    make_monitor(store, tenant)
    clock = Clock()
    reset = int((START + timedelta(minutes=3)).timestamp())
    x = ScriptedX(page(["305"], "t1", rate=RateLimit(limit=450, remaining=0, reset=reset)))
    report = poller(store, x, clock).run("search")
    assert len(x.calls) == 1 and report.rate_limited == 1


def test_a_5xx_or_time_out_loses_no_cursor_and_backs_off(store: Store, tenant: str) -> None:
    monitor = make_monitor(store, tenant)
    clock = Clock()
    x = ScriptedX(page(["405", "404"], "t1"), XApiError("the X API answered HTTP 503"))
    poller(store, x, clock).run("search")
    saved = store.monitors.get(tenant, monitor.id)
    assert saved.cycle is not None and saved.cycle.next_token == "t1" and saved.failures == 1
    assert saved.next_run_at == iso(START + timedelta(minutes=1))
    # Five failures in a row tell the admins once; the cursor is still there
    for _ in range(4):
        clock.at = datetime.fromisoformat(store.monitors.get(tenant, monitor.id).next_run_at.replace("Z", "+00:00"))
        x.answers.append(XApiError("timed out"))
        poller(store, x, clock).run("search")
    saved = store.monitors.get(tenant, monitor.id)
    assert saved.failures == 5 and saved.cycle is not None and saved.cycle.next_token == "t1"
    assert [a.kind for a in store.alerts.recent(tenant)] == ["monitor_failing"]
    # Recovery resumes the same cycle
    clock.at = datetime.fromisoformat(saved.next_run_at.replace("Z", "+00:00"))
    x.answers.append(page(["403"]))
    poller(store, x, clock).run("search")
    assert x.calls[-1]["next_token"] == "t1"
    saved = store.monitors.get(tenant, monitor.id)
    assert saved.failures == 0 and saved.since_id == "405"
    assert stored_posts(store, tenant) == ["403", "404", "405"]


def test_a_post_read_twice_the_same_utc_day_is_billed_once(store: Store, tenant: str) -> None:
    # Given two monitors whose searches return the same post and author
    first = make_monitor(store, tenant, id="01AAAAAAAAAAAAAAAAAAAAAAA1")
    second = make_monitor(store, tenant, id="01AAAAAAAAAAAAAAAAAAAAAAA2")
    clock = Clock()
    x = ScriptedX(page(["501"], authors=["3001"]), page(["501", "502"], authors=["3001", "3001"]))
    report = poller(store, x, clock).run("search")
    # Then the shared post and author are billed once: 2 posts x $0.005 + 1 user x $0.010
    assert report.billable_reads == 3 and report.micros == 2 * 5000 + 10000
    assert store.monitors.get(tenant, first.id).spend_micros == 15000
    assert store.monitors.get(tenant, second.id).spend_micros == 5000
    # And the ticket is stored once
    assert report.accepted == 2 and report.duplicates == 1
    # The next UTC day the same post is billed again (X bills per day)
    clock.at = datetime(2026, 11, 24, 0, 1, tzinfo=UTC)
    x.answers.append(page(["503", "501"], authors=["3001", "3001"]))
    x.answers.append(page([]))
    report = poller(store, x, clock).run("search")
    assert report.billable_reads == 3
    usage = store.monitors.usage(tenant, "2026-11")
    assert sum(int(u["micros"]) for u in usage) == 15000 + 5000 + 2 * 5000 + 10000
    assert {u["day"] for u in usage} == {"2026-11-23", "2026-11-24"}


def test_a_monitor_never_overspends_pauses_itself_at_its_budget_and_tells_an_admin(store: Store, tenant: str) -> None:
    # Given a $1 budget: a search page costs at most $0.015 per post (post + author)
    monitor = make_monitor(store, tenant, monthly_budget_usd="1.00", interval_minutes=1)
    clock = Clock()
    ids = [str(600000 + i) for i in range(66)]
    x = ScriptedX(page(ids, "t1"))
    poller(store, x, clock).run("search")
    # Then the page asked for is the largest the budget can pay for, and the monitor stops before overspending
    assert x.calls[0]["max_results"] == 66
    saved = store.monitors.get(tenant, monitor.id)
    assert saved.spend_micros == 66 * 15000 <= 1_000_000
    assert saved.status == "budget_exhausted" and "budget" in (saved.status_reason or "")
    alerts = store.alerts.recent(tenant)
    # (the page took it past 80% too: that warning is raised with it)
    assert sorted((a.kind, a.subject) for a in alerts) == [
        ("monitor_budget_exhausted", monitor.id),
        ("monitor_budget_warning", monitor.id),
    ]
    assert "99%" in next(a.message for a in alerts if a.kind == "monitor_budget_warning")
    # Later ticks this month call nothing and raise no second alert
    clock.advance(minutes=30)
    assert poller(store, x, clock).run("search").polled == 0
    assert len(x.calls) == 1 and len(store.alerts.recent(tenant)) == 2
    # A new month brings the budget back; the cut-short cycle is not resumed (its token is stale)
    clock.at = datetime(2026, 12, 1, 0, 0, 30, tzinfo=UTC)
    x.answers.append(page(["700"]))
    poller(store, x, clock).run("search")
    assert x.calls[-1]["since_id"] == "600065" and x.calls[-1]["next_token"] is None
    saved = store.monitors.get(tenant, monitor.id)
    assert saved.status == "active" and saved.spend_month == "2026-12" and saved.spend_micros == 15000


def test_an_exhausted_budget_makes_no_call_at_all(store: Store, tenant: str) -> None:
    make_monitor(store, tenant, monthly_budget_usd="0.10")  # less than the smallest page (10 x $0.015)
    x = ScriptedX()
    report = poller(store, x, Clock()).run("search")
    assert x.calls == [] and report.paused == 1


def test_x_refusing_the_query_stops_the_monitor_and_alerts(store: Store, tenant: str) -> None:
    monitor = make_monitor(store, tenant)
    x = ScriptedX(XApiRefused("invalid query", 400))
    clock = Clock()
    poller(store, x, clock).run("search")
    saved = store.monitors.get(tenant, monitor.id)
    assert saved.status == "refused" and "400" in (saved.status_reason or "")
    assert store.alerts.recent(tenant)[0].severity == "critical"
    clock.advance(hours=1)
    assert poller(store, x, clock).run("search").polled == 0 and len(x.calls) == 1


def test_a_leased_monitor_is_not_polled_twice(store: Store, tenant: str) -> None:
    monitor = make_monitor(store, tenant)
    assert store.monitors.lease(monitor, "someone-else", iso(START), iso(START + timedelta(minutes=5)))
    x = ScriptedX()
    assert poller(store, x, Clock()).run("search").polled == 0 and x.calls == []


def test_an_admin_change_during_a_poll_wins(store: Store, tenant: str) -> None:
    monitor = make_monitor(store, tenant)

    def answer_while_the_admin_edits() -> Page:
        store.monitors.update_settings(
            tenant, monitor.id, 1, {"query": "acme 壊れた", "since_id": None, "cycle": None, "next_run_at": iso(START)}
        )
        return page(["805"], "t1")

    poller(store, ScriptedX(answer_while_the_admin_edits), Clock()).run("search")
    saved = store.monitors.get(tenant, monitor.id)
    assert saved.query == "acme 壊れた" and saved.cycle is None and saved.version == 2
    assert stored_posts(store, tenant) == ["805"]  # what was read is kept


def test_mentions_monitors_use_the_mentions_endpoint_at_the_owned_read_price(store: Store, tenant: str) -> None:
    monitor = make_monitor(store, tenant, kind="mentions")
    x = ScriptedX(page(["905", "904"], "p1"), page(["903"]))
    report = poller(store, x, Clock()).run("mentions")
    assert [c["endpoint"] for c in x.calls] == ["mentions", "mentions"]
    assert x.calls[1]["pagination_token"] == "p1"
    assert report.micros == 3 * 1000 + 3 * 10000
    assert poller(store, ScriptedX(), Clock()).run("search").monitors == 0  # the search run leaves it alone
    assert store.monitors.get(tenant, monitor.id).since_id == "905"


# -- DM monitors (user context) --------------------------------------------------------------------


class Tokens:
    def __init__(self, *answers: str | Exception) -> None:
        self.answers = list(answers)

    def access_token(self, account_id: str) -> str:
        answer = self.answers[0] if len(self.answers) == 1 else self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class ScriptedDms(ScriptedX):
    def dm_events(self, account_id: str, token: str, **kw: Any) -> Page:
        return self._next({"endpoint": "dms", "account_id": account_id, "token": token, **kw})


def dm(event_id: str, sender: str = "3101", at: str = "2026-11-23T09:00:30.000Z") -> InboundMessage:
    return InboundMessage(
        platform="x",
        account_id=ACCOUNT_ID,
        native_id=event_id,
        kind="dm",
        conversation_id=f"dm:{sender}",
        author=Author(platform_user_id=sender, handle=f"user{sender}"),
        text=f"注文の件です {event_id}",
        created_at=at,
    )


def dm_page(events: list[InboundMessage], next_token: str | None = None) -> Page:
    ids = [e.native_id for e in events]
    return Page(
        posts=events,
        skipped={},
        post_ids=ids,
        user_ids=sorted({e.author.platform_user_id for e in events}),
        newest_id=max(ids, key=int) if ids else None,
        next_token=next_token,
        result_count=len(ids),
        rate=None,
    )


def dm_poller(store: Store, reader: ScriptedX, clock: Clock, tokens: Tokens) -> XPoller:
    service = IngestService(store, RecordingStarter(), lambda: iso(clock()))
    return XPoller(service, reader, clock, user_tokens=tokens)


def test_dm_monitor_reads_newest_first_and_stops_at_what_it_saw(store: Store, tenant: str) -> None:
    monitor = make_monitor(store, tenant, kind="dms")
    clock = Clock()
    # First cycle: one page; a DM from before the monitor existed is read (and billed) but not a ticket
    old = dm("1001", at="2026-11-23T08:00:00.000Z")
    x = ScriptedDms(dm_page([dm("1003"), dm("1002", sender="3102"), old], "n1"))
    report = dm_poller(store, x, clock, Tokens("user-token-1")).run("dms")
    assert x.calls[0]["token"] == "user-token-1" and x.calls[0]["pagination_token"] is None
    assert len(x.calls) == 1  # a new monitor does not page back through history
    assert report.accepted == 2 and stored_posts(store, tenant) == ["1002", "1003"]
    # DM events are billed at the DM read price, plus the two authors
    assert report.micros == 3 * 10_000 + 2 * 10_000
    assert store.monitors.get(tenant, monitor.id).since_id == "1003"
    # Next cycle pages until it reaches 1003, and stores only what is newer
    clock.advance(minutes=5)
    x.answers += [dm_page([dm("1006"), dm("1005")], "n2"), dm_page([dm("1004"), dm("1003")], "n3")]
    dm_poller(store, x, clock, Tokens("user-token-2")).run("dms")
    assert [c["pagination_token"] for c in x.calls[1:]] == [None, "n2"]
    assert stored_posts(store, tenant) == ["1002", "1003", "1004", "1005", "1006"]
    assert store.monitors.get(tenant, monitor.id).since_id == "1006"


def test_a_dm_monitor_without_a_connected_account_stops_and_alerts(store: Store, tenant: str) -> None:
    monitor = make_monitor(store, tenant, kind="dms")
    refused = XApiRefused("no X user token for this account", 401, "not_connected")
    x = ScriptedDms()
    dm_poller(store, x, Clock(), Tokens(refused)).run("dms")
    assert x.calls == [] and store.monitors.get(tenant, monitor.id).status == "refused"
    assert store.alerts.recent(tenant)[0].kind == "monitor_refused"


def test_dm_rate_limits_are_per_account(store: Store, tenant: str) -> None:
    make_monitor(store, tenant, kind="dms")
    reset = int((START + timedelta(minutes=15)).timestamp())
    x = ScriptedDms(XRateLimited(reset))
    report = dm_poller(store, x, Clock(), Tokens("t")).run("dms")
    assert report.rate_limited == 1
    assert store.monitors.rate_limit(f"dm_events#{ACCOUNT_ID}")["reset"] == reset
    assert store.monitors.rate_limit("search_recent") is None
