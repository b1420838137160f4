"""Every X API v2 recent-search sample in ../shared/data/payloads through the v2 normaliser.

The samples are third-party material: read from ../shared only, never copied into the project.
`*.tweepy_cassette.json` hold response bodies, `*.http.json` beside them the recorded headers.
"""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mentiondesk.channels.x_api import RateLimit, parse_page, snowflake_time

pytestmark = pytest.mark.unit

PAYLOADS = Path(__file__).resolve().parents[3] / "shared" / "data" / "payloads"
if not PAYLOADS.is_dir():
    pytest.skip(f"{PAYLOADS} is absent (conformance tests need ../shared beside the checkout)", allow_module_level=True)

ACCOUNT = "2244994945"  # any account of ours that is not the author of a sample post


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def bodies() -> list[Path]:
    return sorted(p for p in PAYLOADS.glob("x_v2_search_recent*.json") if not p.name.endswith(".http.json"))


def header_files() -> list[Path]:
    return sorted(PAYLOADS.glob("x_v2_search_recent*.http.json"))


def test_every_search_body_parses_and_every_post_is_accounted_for() -> None:
    # Given every recorded or documented search body
    assert len(bodies()) >= 4
    for path in bodies():
        body = load(path)

        # When normalised
        page = parse_page(body, ACCOUNT, source="search")

        # Then every post object X returned is billed, and each is either kept or counted
        data = body.get("data", [])
        assert page.post_ids == [post["id"] for post in data], path.name
        assert len(page.posts) + sum(page.skipped.values()) == len(data), path.name
        assert page.result_count == body["meta"]["result_count"] == len(data), path.name
        assert page.newest_id == body["meta"]["newest_id"], path.name
        assert page.next_token == body["meta"].get("next_token"), path.name


def test_the_expansions_sample_becomes_a_keyword_post() -> None:
    # Given the documented sample with created_at, author_id and includes.users
    page = parse_page(load(PAYLOADS / "x_v2_search_recent_expansions.docs.json"), ACCOUNT, source="search")

    # Then
    (post,) = page.posts
    assert post.kind == "post" and post.native_id == "1234567890123456789"
    assert post.conversation_id == post.native_id and post.reply_to is None
    assert post.created_at == "2024-01-15T10:30:00.000Z"
    assert post.author.handle == "pythondev" and post.author.display_name is None
    assert post.author.followers is None and post.author.verified is False
    assert post.url == "https://x.com/pythondev/status/1234567890123456789"
    assert page.user_ids == ["9876543210"]


def test_bodies_without_the_author_field_are_counted_malformed() -> None:
    # The tweepy recordings and the default docs sample asked for no fields: posts carry only
    # id, text and edit_history_tweet_ids, so there is no customer to open a ticket for.
    for name in (
        "x_v2_search_recent.tweepy_cassette.json",
        "x_v2_search_recent_2.tweepy_cassette.json",
        "x_v2_search_recent_default.docs.json",
    ):
        body = load(PAYLOADS / name)
        page = parse_page(body, ACCOUNT, source="search")
        assert page.posts == [] and page.skipped["malformed"] == len(body["data"]), name
        assert page.user_ids == [], name


def test_post_ids_encode_their_creation_time() -> None:
    # The tweepy bot posted its own clock: the snowflake time is a few hundred ms after it.
    for name in ("x_v2_search_recent.tweepy_cassette.json", "x_v2_search_recent_2.tweepy_cassette.json"):
        for post in load(PAYLOADS / name)["data"]:
            if post["text"].startswith("RT @"):
                continue
            stamped = datetime.fromisoformat(post["text"].removesuffix(" tweepy")).replace(tzinfo=UTC)
            lag = (snowflake_time(post["id"]) - stamped).total_seconds()
            assert 0 <= lag < 2, (name, post["id"], lag)


def test_recorded_rate_limit_headers() -> None:
    # Given the recorded headers (vcr keeps each header as a list of values)
    files = header_files()
    assert len(files) >= 2
    for path in files:
        recorded = load(path)["selected_response_headers"]
        headers = {name: values[-1] for name, values in recorded.items()}

        # When / Then
        rate = RateLimit.from_headers(headers)
        assert rate is not None and rate.limit == 450, path.name
        assert rate.remaining is not None and 0 <= rate.remaining < 450, path.name
        assert rate.reset is not None and rate.reset > 1_600_000_000, path.name
    first = load(PAYLOADS / "x_v2_search_recent.tweepy_cassette.http.json")["selected_response_headers"]
    assert RateLimit.from_headers({k: v[0] for k, v in first.items()}) == RateLimit(450, 448, 1665183229)
