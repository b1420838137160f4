"""Reports from the rollups match a hand count of what happened (docs/reports.md has the definitions)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mentiondesk.api.routers.tickets import resolution_rollups
from mentiondesk.clock import iso, now_iso
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import Author, InboundMessage, Team, TicketEvent
from mentiondesk.replies.platforms import SendRequest, Sent
from mentiondesk.replies.sender import OutboxSender
from mentiondesk.reports import service
from mentiondesk.sla.calendar import ALWAYS_OPEN
from mentiondesk.store import rollups
from mentiondesk.store.factory import Store
from mentiondesk.store.outbox import OutboxRef, outbox_item
from mentiondesk.triage.task import classify_ticket

from tests.conftest import ACCOUNT_ID, RecordingStarter, access_claims, load_function
from tests.unit.test_api import call

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo: the report day is 2026-11-23
DAY = "2026-11-23"


def at(minutes: float) -> str:
    return iso(T0 + timedelta(minutes=minutes))


class Platform:
    def __init__(self) -> None:
        self.n = 0

    def send(self, request: SendRequest) -> Sent:
        self.n += 1
        return Sent(f"190000000000000{self.n:04d}")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class Timers:
    def start(self, *a: Any) -> bool:
        return True

    def stop(self, *a: Any) -> None:
        return None


def post(store: Store, native: str, kind: str, minutes: float, reply_to: str | None = None, user: str = "u1") -> str:
    IngestService(store, RecordingStarter(), clock=lambda: at(minutes)).apply(
        [
            InboundMessage(
                platform="x",
                account_id=ACCOUNT_ID,
                native_id=native,
                kind=kind,  # type: ignore[arg-type]
                conversation_id=user if kind == "dm" else (reply_to or native),
                reply_to=reply_to,
                author=Author(platform_user_id=user, handle=user),
                text="配送が遅れています。いつ届きますか？" if kind != "dm" else "注文について質問です",
                created_at=at(minutes),
            )
        ]
    )
    found = store.tickets.find_native("acme", "x", native)
    assert found is not None
    return str(found["ticket_id"])


def reply(store: Store, ticket_id: str, minutes: float, mode: str = "public") -> None:
    ticket = store.tickets.get("acme", ticket_id)
    item = outbox_item(
        "acme",
        ticket_id,
        "reply",
        "agent:user-alice",
        at(minutes - 1),
        platform="x",
        account_id=ACCOUNT_ID,
        mode=mode,
        reply_to_native_id="x",
        recipient_id="u2" if mode == "dm" else None,
        text="確認します。担当：Alice",
    )
    store.tickets.queue_outbox(
        "acme", ticket_id, ticket.version, item, TicketEvent(type="reply_queued", at=at(minutes - 1))
    )
    clock = Clock()
    clock.now = T0 + timedelta(minutes=minutes)
    sender = OutboxSender(store, Platform(), Timers(), lambda ref, delay: None, "w", clock=clock)
    assert sender.process(OutboxRef.of(item)) == "sent"


@pytest.fixture
def world(store: Store, tenant: str) -> dict[str, str]:
    store.directory.put_team(Team(tenant_id=tenant, id="support", name="Support", calendar=ALWAYS_OPEN))
    # Given three tickets: two public mentions and a DM
    a = post(store, "9500000000000000001", "mention", 0)
    b = post(store, "9500000000000000002", "dm", 1, user="u2")
    c = post(store, "9500000000000000003", "mention", 2, user="u3")
    for ticket_id in (a, b, c):
        classify_ticket(store, "acme", ticket_id, at(3))
    # A answered after 10 minutes, B (the DM) after 30; C never
    reply(store, a, 10)
    reply(store, b, 31, mode="dm")
    # The customer on A writes again at 20 minutes and is answered at 50: a next response of 30 minutes
    post(store, "9500000000000000004", "reply", 20, reply_to="9500000000000000001")
    reply(store, a, 50)
    # A is resolved after an hour
    ticket = store.tickets.get("acme", a)
    store.tickets.set_status(
        "acme", a, ticket.version, "resolved", "user-alice", at(60), resolution_rollups(store, "resolved", at(60))
    )
    return {"a": a, "b": b, "c": c}


def test_the_summary_matches_a_hand_count(store: Store, world: dict[str, str]) -> None:
    report = service.summary(store, "acme", DAY, DAY)
    total = report["total"]
    # Counts are exact
    assert (total["tickets"], total["messages_in"], total["classified"]) == (3, 4, 3)
    assert (total["replies"], total["first_replies"], total["resolved"]) == (3, 2, 1)
    # Brand mentions: A and C are public; only A was answered
    assert (total["mentions"], total["mentions_answered"], total["mentions_unanswered"]) == (2, 1, 1)
    assert total["mention_reply_rate"] == 0.5
    # First response: A 600 s, B 1,800 s (created at 1 min, answered at 31): mean exact, median within a bucket
    frt = total["first_response"]
    assert frt["count"] == 2 and frt["mean_seconds"] == 1200.0
    assert 600 * 0.9 <= frt["median_seconds"] <= 600 * 1.1  # the lower of two: nearest rank
    assert 1800 * 0.9 <= frt["p90_seconds"] <= 1800 * 1.1
    # The calendar is open round the clock here, so business time equals wall time
    assert total["first_response_business"]["mean_seconds"] == 1200.0
    # Next response: 30 minutes; resolution: 60 minutes
    assert total["next_response"]["count"] == 1 and total["next_response"]["mean_seconds"] == 1800.0
    assert total["resolution"]["count"] == 1 and total["resolution"]["mean_seconds"] == 3600.0
    # Every ticket was classified once, however many messages it has
    sentiments = sum(total[f"sentiment_{s}"] for s in ("positive", "neutral", "negative"))
    assert sentiments == 3
    assert report["days"] == [{"day": DAY, **{k: total[k] for k in service.COUNTERS}}]


def test_dimensions_split_the_same_counts(store: Store, world: dict[str, str]) -> None:
    by_agent = {r["value"]: r for r in service.summary(store, "acme", DAY, DAY, "agent")["rows"]}
    assert by_agent["user-alice"]["replies"] == 3 and by_agent["user-alice"]["first_replies"] == 2
    assert by_agent["user-alice"]["label"] == "Alice"  # named for every reader, finance included
    by_channel = service.summary(store, "acme", DAY, DAY, "channel")["rows"]
    assert [(r["value"], r["tickets"]) for r in by_channel] == [("x", 3)]
    by_intent = service.summary(store, "acme", DAY, DAY, "intent")["rows"]
    assert sum(r["classified"] for r in by_intent) == 3


def test_an_empty_period_is_zeros_and_bad_periods_are_refused(store: Store, tenant: str) -> None:
    report = service.summary(store, "acme", "2026-01-01", "2026-01-31")
    assert report["total"]["tickets"] == 0 and report["total"]["first_response"]["median_seconds"] is None
    assert len(report["days"]) == 31 and report["rows"] == []
    from mentiondesk.errors import InvalidRequest

    for first, last in (("2026-02-01", "2026-01-01"), ("2025-01-01", "2026-12-31"), ("2026-13-01", "2026-13-02")):
        with pytest.raises(InvalidRequest):
            service.summary(store, "acme", first, last)


def test_a_retried_step_counts_nothing_twice(store: Store, world: dict[str, str]) -> None:
    # When classification runs again for the same messages (a retried workflow step)
    classify_ticket(store, "acme", world["c"], at(70))
    # Then nothing is counted again
    assert service.summary(store, "acme", DAY, DAY)["total"]["classified"] == 3


def test_percentiles_read_from_buckets() -> None:
    histogram: dict[int, float] = {}
    values = [5, 30, 61, 120, 600, 601, 3600, 7200, 86400, 90000]
    for v in values:
        histogram[rollups.bucket(v)] = histogram.get(rollups.bucket(v), 0) + 1
    median = service.percentile(histogram, 0.5)
    assert median is not None and 600 * 0.9 <= median <= 601 * 1.1
    p90 = service.percentile(histogram, 0.9)
    assert p90 is not None and 86400 * 0.9 <= p90 <= 86400 * 1.1
    assert service.percentile({}, 0.5) is None


def test_the_report_routes(store: Store, world: dict[str, str], table_name: str, monkeypatch: Any) -> None:
    monkeypatch.setenv("TABLE_NAME", table_name)
    api = load_function("api")
    lead, agent, finance = (
        access_claims(u, r) for u, r in (("user-lead", "supervisor"), ("user-alice", "agent"), ("f", "finance"))
    )
    status, report = call(
        api, "GET", "/api/reports/summary", lead, query={"from": DAY, "to": DAY, "dimension": "channel"}
    )
    assert status == 200 and report["rows"][0]["value"] == "x"
    assert call(api, "GET", "/api/reports/summary", finance, query={"from": DAY, "to": DAY})[0] == 200
    assert call(api, "GET", "/api/reports/summary", agent)[0] == 403
    assert call(api, "GET", "/api/reports/summary", lead, query={"from": "2026-12-01", "to": "2026-11-01"})[0] == 400
    status, backlog = call(api, "GET", "/api/reports/backlog", lead)
    assert status == 200 and backlog["open"]["count"] == 2  # B and C are still open


def test_the_ticket_export_is_one_row_per_ticket_without_customer_words(
    store: Store, world: dict[str, str], table_name: str, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TABLE_NAME", table_name)
    api = load_function("api")
    from tests.conftest import Context, http_event

    event = http_event(
        "GET",
        "/api/reports/tickets.csv",
        claims=access_claims("f", "finance"),
        query={"from": DAY, "to": DAY},
        route_key="ANY /api/{proxy+}",
    )
    answer = api.handler(event, Context())
    headers = {k.lower(): v for k, v in answer.get("headers", {}).items()} | {
        k.lower(): v[0] for k, v in (answer.get("multiValueHeaders") or {}).items()
    }
    assert answer["statusCode"] == 200, answer
    assert headers["content-type"].startswith("text/csv"), headers
    body = answer["body"]
    assert body.startswith("\ufeff")
    lines = body.lstrip("\ufeff").strip().split("\r\n")
    assert lines[0].split(",")[:3] == ["ticket_id", "created_at", "channel"]
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(world.values())
    resolved = next(line for line in lines[1:] if line.startswith(world["a"]))
    assert at(60) in resolved  # A's resolution time
    assert "配送" not in body and "注文" not in body  # no customer words: finance reads it
    assert f",x:{ACCOUNT_ID}," in lines[1]  # the account as text: a spreadsheet keeps all 19 digits
    log = store.audit.month("acme", now_iso()[:7])[0]  # the API audits on the real clock
    assert any(r["action"] == "export" and r["target"] == f"tickets:{DAY}..{DAY}" for r in log)


def test_every_figure_drills_down_to_the_tickets_it_counts(store: Store, world: dict[str, str]) -> None:
    def ids(metric: str, **kw: Any) -> set[str]:
        answer = service.drill(store, "acme", DAY, DAY, metric, **kw)
        assert answer["truncated"] is False
        return {t["id"] for t in answer["tickets"]}

    a, b, c = world["a"], world["b"], world["c"]
    # The same tickets as the hand count above
    assert ids("tickets") == {a, b, c}
    assert ids("resolved") == {a}
    assert ids("replied") == {a, b}
    assert ids("mentions_unanswered") == {c}  # the active-support KPI: C, the mention nobody answered
    sentiments = set().union(*(ids(f"sentiment_{s}") for s in ("positive", "neutral", "negative")))
    assert sentiments == {a, b, c}
    # A dimension narrows it, like the summary's rows
    assert ids("tickets", dimension="channel", value="x") == {a, b, c}
    assert ids("replied", dimension="channel", value="x") == {a, b}
    assert ids("tickets", dimension="channel", value="facebook") == set()
    # Listed without customer words
    listed = service.drill(store, "acme", DAY, DAY, "tickets")["tickets"]
    assert all("text" not in row and "body" not in row for row in listed)
    # Another period, another tenant: nothing
    assert service.drill(store, "acme", "2026-01-01", "2026-01-02", "tickets")["tickets"] == []
    assert service.drill(store, "other", DAY, DAY, "tickets")["tickets"] == []
    # Bad input is refused with a clear message
    from mentiondesk.errors import InvalidRequest

    for bad in (
        {"metric": "nope"},
        {"metric": "tickets", "dimension": "team"},
        {"metric": "tickets", "dimension": "x"},
    ):
        with pytest.raises(InvalidRequest):
            service.drill(store, "acme", DAY, DAY, **bad)
