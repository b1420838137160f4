"""The weekly voice of the customer as it runs: due at its scheduled time, once, from the week's tickets,
stored, filed and delivered."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mentiondesk.clock import iso
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import Author, InboundMessage
from mentiondesk.reports.weekly import run_tenant
from mentiondesk.store.factory import Store
from mentiondesk.store.voc import VocStore
from mentiondesk.triage.task import classify_ticket

from tests.conftest import ACCOUNT_ID, RecordingStarter

pytestmark = pytest.mark.unit
RUN = datetime(2026, 11, 24, 9, 5, tzinfo=UTC)  # Tuesday 18:05 in Tokyo: five minutes after the default time
POSTS = [
    ("荷物がまだ届きません。一週間も待たされて困っています", 2),
    ("注文した商品が届かない。配送が遅すぎてひどい", 3),
    ("My delivery is late again and nobody tells me anything. Terrible service", 4),
    ("ログインできません。パスワードを再設定してもメールが来ない", 5),
    ("I can't log in to the app, the password reset email never arrives", 6),
    ("Please add a dark mode to the app", 9),
]


class Files:
    def __init__(self) -> None:
        self.put: dict[str, bytes] = {}

    def __call__(self, key: str, body: bytes, content_type: str) -> str:
        self.put[key] = body
        return f"https://files.example/{key}?signed"


class Delivery:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def email(self, to: str, subject: str, text: str) -> None:
        self.sent.append((to, text))

    def slack(self, url: str, text: str) -> None:
        self.sent.append((url, text))


def week_of_posts(store: Store) -> None:
    for n, (text, days_ago) in enumerate(POSTS):
        at = iso(RUN - timedelta(days=days_ago))
        IngestService(store, RecordingStarter(), clock=lambda at=at: at).apply(
            [
                InboundMessage(
                    platform="x",
                    account_id=ACCOUNT_ID,
                    native_id=f"96000000000000000{n:02d}",
                    kind="mention",
                    conversation_id=f"96000000000000000{n:02d}",
                    author=Author(platform_user_id=f"70000000000000{n:02d}"),
                    text=text,
                    created_at=at,
                )
            ]
        )
    for ticket in store.tickets.inbox("acme", None, 50, None).items:
        classify_ticket(store, "acme", ticket.id, iso(RUN))


def test_the_weekly_report_runs_once_at_its_time_and_is_delivered(store: Store, tenant: str) -> None:
    # Given a week of requests and complaints, and a recipient
    week_of_posts(store)
    from mentiondesk.store.settings import SettingsStore

    SettingsStore(store.table, "POLICY", "VoC policy").create(
        "acme", "voc", {"emails": ["planning@acme.test"], "language": "ja", "weekday": 1, "hour": 18, "minute": 0}
    )
    files, delivery = Files(), Delivery()
    # When the hourly schedule runs before the time, at it, and again after
    early = run_tenant(store, "acme", RUN - timedelta(hours=1), files, delivery, ["acme_help"])
    due = run_tenant(store, "acme", RUN, files, delivery, ["acme_help"])
    again = run_tenant(store, "acme", RUN + timedelta(hours=1), files, delivery, ["acme_help"])
    # Then the first look catches up the latest scheduled time that passed (last Tuesday), and this
    # week's runs once, at Tuesday 18:00 Tokyo, for the seven days before it
    assert early.ran is True and early.scheduled == "2026-11-17T09:00:00.000Z"
    assert due.ran is True and due.scheduled == "2026-11-24T09:00:00.000Z"
    assert again.ran is False
    # Delivery and login complaints were grouped across Japanese and English
    stored = VocStore(store.table).week("acme", "2026-11-17")
    assert stored is not None
    topics = {t["label_en"]: t["count"] for t in stored["report"]["topics"]}
    assert any("elivery" in label and count == 3 for label, count in topics.items()), topics
    assert any(("ogin" in label or "ccount" in label) and count == 2 for label, count in topics.items()), topics
    # The page and the CSV were filed, and the link was sent once
    assert "voc/acme/2026-11-17.html" in files.put and "voc/acme/2026-11-17.csv" in files.put
    assert files.put["voc/acme/2026-11-17.csv"].startswith("\ufeff".encode())
    assert b"<script" not in files.put["voc/acme/2026-11-17.html"]
    assert [to for to, _ in delivery.sent] == ["planning@acme.test", "planning@acme.test"]
    assert "https://files.example/voc/acme/2026-11-17.html" in delivery.sent[-1][1]


def test_a_tenant_that_turned_it_off_gets_nothing(store: Store, tenant: str) -> None:
    from mentiondesk.store.settings import SettingsStore

    SettingsStore(store.table, "POLICY", "VoC policy").create("acme", "voc", {"enabled": False})
    outcome: Any = run_tenant(store, "acme", RUN, Files(), Delivery(), [])
    assert outcome.ran is False and VocStore(store.table).weeks("acme") == []
