"""The recorded X API v2 DM events sample in ../shared/data/payloads through the DM normaliser.

The sample is third-party material (a tweepy cassette): read from ../shared only, never copied into the
project. It was recorded from the conversation variant (`/2/dm_conversations/:id/dm_events`), which
answers the same event objects and meta as `GET /2/dm_events`; `.http.json` beside it keeps the headers.
"""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mentiondesk.channels.x_api import RateLimit, parse_dm_page, snowflake_time

pytestmark = pytest.mark.unit

PAYLOADS = Path(__file__).resolve().parents[3] / "shared" / "data" / "payloads"
if not PAYLOADS.is_dir():
    pytest.skip(f"{PAYLOADS} is absent (conformance tests need ../shared beside the checkout)", allow_module_level=True)

BODY = PAYLOADS / "x_v2_dm_conversation_events.tweepy_cassette.json"
HEADERS = PAYLOADS / "x_v2_dm_conversation_events.tweepy_cassette.http.json"
ACCOUNT = "1072250532645998596"  # one of the two participants of the recorded conversation


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_recorded_page_is_accounted_for() -> None:
    # Given the recorded body (tweepy asked for no fields: id, event_type and text only)
    body = load(BODY)

    # When normalised for one of its participants
    page = parse_dm_page(body, ACCOUNT)

    # Then every event is billed; without sender_id there is no customer, so each is counted malformed
    assert page.post_ids == [event["id"] for event in body["data"]] == ["1585800613752881156", "1585800613253812228"]
    assert page.posts == [] and page.skipped == {"own_dm": 0, "other_event": 0, "malformed": 2}
    assert page.user_ids == []
    # DM meta has no newest_id: the page's newest is its largest id, the first one (newest first)
    assert page.newest_id == "1585800613752881156" == body["data"][0]["id"]
    assert page.next_token == body["meta"]["next_token"] == "18LAA5G1SL0NR5OG0G00ZZZZ"
    assert page.result_count == body["meta"]["result_count"] == 2


def test_the_same_events_with_the_fields_we_ask_for_become_dms() -> None:
    # Given the recorded events as our request would have them (sender_id and dm_conversation_id asked for)
    body = load(BODY)
    other = "750362064426721281"
    for event in body["data"]:
        event.update(sender_id=other, dm_conversation_id=f"{other}-{ACCOUNT}")

    # When / Then: DMs from the other participant, times from their snowflake ids
    page = parse_dm_page(body, ACCOUNT)
    assert [(dm.native_id, dm.text, dm.conversation_id) for dm in page.posts] == [
        ("1585800613752881156", "Testing 2", f"dm:{other}"),
        ("1585800613253812228", "Testing 1", f"dm:{other}"),
    ]
    assert all(dm.kind == "dm" and dm.author.platform_user_id == other for dm in page.posts)
    # and seen from the sender's side, they are our own DMs
    assert parse_dm_page(body, other).skipped["own_dm"] == 2


def test_dm_event_ids_are_snowflakes_created_just_before_the_recording() -> None:
    # The recording's Date header is 2022-10-28 01:08:24 UTC: both DMs were sent seconds before it.
    recorded = load(HEADERS)["selected_response_headers"]
    date = datetime.strptime(recorded["date"][-1], "%a, %d %b %Y %H:%M:%S UTC").replace(tzinfo=UTC)
    for event in load(BODY)["data"]:
        lag = (date - snowflake_time(event["id"])).total_seconds()
        assert 0 <= lag < 60, (event["id"], lag)


def test_recorded_rate_limit_headers() -> None:
    # 300 per 15 minutes in October 2022; X's rate-limit table now documents 15 per 15 minutes per user.
    recorded = load(HEADERS)["selected_response_headers"]
    rate = RateLimit.from_headers({name: values[-1] for name, values in recorded.items()})
    assert rate == RateLimit(limit=300, remaining=298, reset=1666920203)
    assert load(HEADERS)["request"]["method"] == "GET"
