"""XApiClient against the local FakeXApi (through a tiny session adapter), and the normaliser."""

import json
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from mentiondesk.channels.x_api import (
    TWEET_FIELDS,
    Page,
    RateLimit,
    XApiClient,
    XApiError,
    XApiRefused,
    XRateLimited,
    parse_page,
)
from mentiondesk.local.fake_x import FakeXApi
from requests.structures import CaseInsensitiveDict

from tests.conftest import ACCOUNT_ID, EVENTS

pytestmark = pytest.mark.unit

BASE = "https://api.x.test"
TOKEN = "app-bearer-token"
NOW = 1_795_424_400.0  # 2026-11-23T09:00:00Z

# Ids in tests/events/x_v2/search_recent_mixed.json
VIDEO_POST, OWN_POST, RETWEET, LONG_POST = (
    "2124790053069651975",
    "2124789549757366279",
    "2124789027797204999",
    "2124788039807926279",
)
PHOTO_POST, QUOTE_NO_MENTION, QUOTE_MENTION, REPLY, MENTION = (
    "2124787588270129159",
    "2124786404029366279",
    "2124785019913240583",
    "2124782764422070279",
    "2124780160807862279",
)


def mixed_body() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / "x_v2" / "search_recent_mixed.json").read_text(encoding="utf-8"))
    return data


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeResponse:
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None, raw: str | None = None) -> None:
        self.status_code = status
        self._body = body
        self._raw = raw
        self.headers = CaseInsensitiveDict(headers or {})

    def json(self) -> Any:
        if self._raw is not None:
            return json.loads(self._raw)  # raises ValueError like requests does
        return self._body


class FakeXSession:
    """What XApiClient needs of requests.Session, answered by the FakeXApi in-process."""

    def __init__(self, api: FakeXApi) -> None:
        self.api = api
        self.requests: list[dict[str, Any]] = []

    def get(self, url: str, params: dict[str, Any], headers: dict[str, str], timeout: float) -> FakeResponse:
        self.requests.append({"url": url, "params": params, "headers": headers, "timeout": timeout})
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == BASE
        answer = self.api.handle("GET", parts.path, {k: str(v) for k, v in params.items()}, headers)
        assert answer is not None, f"the fake does not serve {parts.path}"
        return FakeResponse(*answer)


class ScriptedSession:
    """Answers (or raises) exactly what a test scripts, for shapes the fake never produces."""

    def __init__(self, answer: FakeResponse | Exception) -> None:
        self.answer = answer
        self.calls = 0

    def get(self, url: str, params: dict[str, Any], headers: dict[str, str], timeout: float) -> FakeResponse:
        self.calls += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def seeded_api(clock: Callable[[], float] | None = None, **options: Any) -> FakeXApi:
    api = FakeXApi(clock=clock or Clock(), **options)
    body = mixed_body()
    users = {u["id"]: u for u in body["includes"]["users"]}
    media = {m["media_key"]: m for m in body["includes"]["media"]}
    for post in body["data"]:
        keys = post.get("attachments", {}).get("media_keys", [])
        api.add_post(post, users[post["author_id"]], media=[media[k] for k in keys])
    return api


def client_for(api: FakeXApi, clock: Callable[[], float] | None = None) -> tuple[XApiClient, FakeXSession]:
    session = FakeXSession(api)
    return XApiClient(lambda: TOKEN, base_url=BASE, session=session, timeout=3.5, clock=clock or Clock()), session


def by_id(page: Page) -> dict[str, Any]:
    return {post.native_id: post for post in page.posts}


# -- the client over the fake ------------------------------------------------------------------


def test_search_page_normalises_customer_posts_and_counts_the_rest() -> None:
    # Given the fake serving the mixed page
    api = seeded_api()
    client, session = client_for(api)

    # When the poller searches for the brand
    page = client.search_recent(ACCOUNT_ID, "acme OR アクメ")

    # Then customer posts come back normalised, own posts and retweets only counted
    assert set(by_id(page)) == {VIDEO_POST, LONG_POST, PHOTO_POST, QUOTE_NO_MENTION, QUOTE_MENTION, REPLY, MENTION}
    assert page.skipped == {"own_post": 1, "retweet": 1, "malformed": 0}
    # billing counts every post and user object X returned, skipped ones included
    assert len(page.post_ids) == 9 and {OWN_POST, RETWEET} <= set(page.post_ids)
    assert set(page.user_ids) == {
        "700000000000000001",
        "700000000000000002",
        "700000000000000003",
        "700000000000000004",
        ACCOUNT_ID,
    }
    assert page.newest_id == VIDEO_POST and page.next_token is None and page.result_count == 9
    assert page.rate == RateLimit(limit=450, remaining=449, reset=int(NOW) + 900)
    # the request itself
    (sent,) = session.requests
    assert sent["headers"]["Authorization"] == f"Bearer {TOKEN}" and sent["timeout"] == 3.5
    assert sent["url"] == f"{BASE}/2/tweets/search/recent"


def test_search_asks_for_the_documented_fields_and_clamps_max_results() -> None:
    # Given the fake
    api = seeded_api()
    client, _ = client_for(api)

    # When searching with too large, then too small a page size, then with a cursor and a start time
    client.search_recent(ACCOUNT_ID, "acme", max_results=500)
    client.search_recent(ACCOUNT_ID, "acme", max_results=1)
    client.search_recent(ACCOUNT_ID, "acme", since_id=MENTION, start_time="2026-11-23T08:00:00.250Z")

    # Then
    first, second, third = (call["query"] for call in api.calls)
    assert first["max_results"] == "100" and second["max_results"] == "10"
    assert first["tweet.fields"] == TWEET_FIELDS
    assert first["expansions"] == "author_id,attachments.media_keys"
    assert first["user.fields"] == "username,name,verified,public_metrics"
    assert first["media.fields"] == "type,url,preview_image_url"
    assert "since_id" not in first and "start_time" not in first and "next_token" not in first
    assert third["since_id"] == MENTION and third["start_time"] == "2026-11-23T08:00:00Z"


EXTRA_AUTHOR = {"id": "700000000000000005", "username": "yui_m", "name": "ゆい"}


def add_extra_mentions(api: FakeXApi, count: int) -> list[str]:
    """Posts newer than the fixture's, each mentioning us; their ids, newest first."""
    ids = [str(2124790100000000000 + n) for n in range(count)]
    for n, post_id in enumerate(ids):
        api.add_post(
            {
                "id": post_id,
                "text": f"@acme_help acme 質問その{n}",
                "created_at": "2026-11-23T09:00:00.000Z",
                "entities": {"mentions": [{"start": 0, "end": 10, "username": "acme_help", "id": ACCOUNT_ID}]},
            },
            EXTRA_AUTHOR,
        )
    return ids[::-1]


def test_search_follows_next_token_within_a_cycle() -> None:
    # Given eleven posts that say "acme"
    api = seeded_api()
    newest = add_extra_mentions(api, 3)
    client, _ = client_for(api)

    # When reading the first page of ten and following its next_token
    first = client.search_recent(ACCOUNT_ID, "acme", max_results=10)
    assert first.next_token is not None
    second = client.search_recent(ACCOUNT_ID, "acme", next_token=first.next_token, max_results=10)

    # Then the pages chain without overlap, and the cursor to keep is the first page's newest id
    assert first.newest_id == newest[0] and first.result_count == 10
    assert second.post_ids == [MENTION] and second.next_token is None
    assert api.calls[1]["query"]["next_token"] == first.next_token


def test_search_since_id_only_returns_newer_posts() -> None:
    client, _ = client_for(seeded_api())
    page = client.search_recent(ACCOUNT_ID, "acme OR アクメ", since_id=REPLY)
    assert page.post_ids == [VIDEO_POST, OWN_POST, RETWEET, LONG_POST, PHOTO_POST, QUOTE_NO_MENTION, QUOTE_MENTION]


def test_mentions_pages_with_pagination_token() -> None:
    # Given seven posts that mention us
    api = seeded_api()
    newest = add_extra_mentions(api, 2)
    client, session = client_for(api)

    # When reading mentions with a page size under X's minimum of five, following the token
    first = client.mentions(ACCOUNT_ID, max_results=1)
    assert first.next_token is not None
    second = client.mentions(ACCOUNT_ID, pagination_token=first.next_token, max_results=5)

    # Then the pages chain without overlap; a mention in a long post's tail counts too
    assert api.calls[0]["path"] == f"/2/users/{ACCOUNT_ID}/mentions"
    assert api.calls[0]["query"]["max_results"] == "5"
    assert api.calls[1]["query"]["pagination_token"] == first.next_token
    assert "next_token" not in api.calls[1]["query"]
    assert first.post_ids == [*newest, RETWEET, LONG_POST, QUOTE_MENTION]
    assert second.post_ids == [REPLY, MENTION] and second.next_token is None
    assert first.skipped["retweet"] == 1
    kinds = {post.native_id: post.kind for page in (first, second) for post in page.posts}
    assert kinds == {
        newest[0]: "mention",
        newest[1]: "mention",
        LONG_POST: "mention",
        QUOTE_MENTION: "quote",
        REPLY: "reply",
        MENTION: "mention",
    }
    assert len(session.requests) == 2


def test_mentions_refuses_an_account_id_that_is_not_an_id() -> None:
    # Given a client
    api = seeded_api()
    client, session = client_for(api)

    # When the account id would steer the path / Then refused before any call
    for bad in ("../../2/tweets", "12/mentions?x=1", "", "１２３"):
        with pytest.raises(XApiRefused) as refused:
            client.mentions(bad)
        assert refused.value.status == 400
    assert session.requests == [] and api.calls == []


def test_a_query_over_512_characters_is_refused_without_a_call() -> None:
    # Given a client
    api = seeded_api()
    client, session = client_for(api)

    # When / Then
    with pytest.raises(XApiRefused) as refused:
        client.search_recent(ACCOUNT_ID, "a" * 513)
    assert refused.value.status == 400 and session.requests == []
    with pytest.raises(XApiRefused):
        client.search_recent(ACCOUNT_ID, "   ")
    with pytest.raises(XApiRefused):
        client.search_recent(ACCOUNT_ID, "acme", since_id="latest")
    assert session.requests == []
    # exactly 512 is allowed
    client.search_recent(ACCOUNT_ID, "acme " + "x" * 507)
    assert len(session.requests) == 1


def test_an_injected_429_raises_rate_limited_with_the_reset() -> None:
    # Given the fake answering 429 once
    api = seeded_api()
    api.fail_next(429)
    client, _ = client_for(api)

    # When / Then
    with pytest.raises(XRateLimited) as limited:
        client.search_recent(ACCOUNT_ID, "acme")
    assert limited.value.reset == int(NOW) + 900
    assert limited.value.rate == RateLimit(limit=450, remaining=0, reset=int(NOW) + 900)
    # the next call goes through
    assert client.search_recent(ACCOUNT_ID, "acme").posts


def test_the_window_runs_out_and_resets_by_the_clock() -> None:
    # Given a window of two calls per endpoint
    clock = Clock()
    api = seeded_api(clock=clock, window_limit=2, window_seconds=900)
    client, _ = client_for(api, clock)

    # When calling three times
    assert client.search_recent(ACCOUNT_ID, "acme").rate == RateLimit(2, 1, int(NOW) + 900)
    assert client.search_recent(ACCOUNT_ID, "acme").rate == RateLimit(2, 0, int(NOW) + 900)
    with pytest.raises(XRateLimited) as limited:
        client.search_recent(ACCOUNT_ID, "acme")

    # Then the third is refused until the reset; mentions has its own window
    assert limited.value.reset == int(NOW) + 900
    assert client.mentions(ACCOUNT_ID).rate == RateLimit(2, 1, int(NOW) + 900)
    clock.now += 899
    with pytest.raises(XRateLimited):
        client.search_recent(ACCOUNT_ID, "acme")
    clock.now += 1
    assert client.search_recent(ACCOUNT_ID, "acme").rate == RateLimit(2, 1, int(NOW) + 1800)


def test_a_429_without_usable_headers_waits_a_full_window() -> None:
    # Given a 429 with a garbage reset header
    session = ScriptedSession(FakeResponse(429, {"title": "Too Many Requests"}, {"X-Rate-Limit-Reset": "soon"}))
    client = XApiClient(lambda: TOKEN, session=session, clock=Clock())

    # When / Then
    with pytest.raises(XRateLimited) as limited:
        client.mentions(ACCOUNT_ID)
    assert limited.value.reset == int(NOW) + 900
    assert limited.value.rate == RateLimit(limit=None, remaining=None, reset=None)
    assert session.calls == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_transient(status: int) -> None:
    # Given the fake failing once
    api = seeded_api()
    api.fail_next(status)
    client, session = client_for(api)

    # When / Then: one request, no retry inside the client
    with pytest.raises(XApiError) as failed:
        client.search_recent(ACCOUNT_ID, "acme")
    assert failed.value.status == status and len(session.requests) == 1


@pytest.mark.parametrize(
    "error", [requests.Timeout("read timed out"), requests.ConnectionError("connection reset")], ids=["timeout", "conn"]
)
def test_timeouts_and_connection_errors_are_transient(error: Exception) -> None:
    session = ScriptedSession(error)
    client = XApiClient(lambda: TOKEN, session=session)
    with pytest.raises(XApiError) as failed:
        client.search_recent(ACCOUNT_ID, "acme")
    assert failed.value.status is None and session.calls == 1


def test_a_200_that_is_not_json_or_not_a_timeline_is_transient() -> None:
    for answer in (
        FakeResponse(200, None, raw="<html>upstream hiccup</html>"),
        FakeResponse(200, ["not", "an", "object"]),
        FakeResponse(200, {"data": {"id": "1"}}),
        FakeResponse(200, {"data": [], "includes": {"users": {}}}),
        FakeResponse(200, {"meta": "none"}),
    ):
        client = XApiClient(lambda: TOKEN, session=ScriptedSession(answer))
        with pytest.raises(XApiError):
            client.search_recent(ACCOUNT_ID, "acme")


def test_a_wrong_token_is_refused_permanently() -> None:
    # Given a fake that knows the real token
    api = seeded_api(bearer_token="the-real-one")
    client, _ = client_for(api)

    # When / Then
    with pytest.raises(XApiRefused) as refused:
        client.search_recent(ACCOUNT_ID, "acme")
    assert refused.value.status == 401
    assert TOKEN not in str(refused.value)
    # and without any Authorization header at all
    assert api.handle("GET", "/2/tweets/search/recent", {"query": "acme"}, {})[0] == 401  # type: ignore[index]


@pytest.mark.parametrize("status", [400, 403, 404])
def test_other_client_errors_are_refused(status: int) -> None:
    api = seeded_api()
    api.fail_next(status)
    client, _ = client_for(api)
    with pytest.raises(XApiRefused) as refused:
        client.mentions(ACCOUNT_ID)
    assert refused.value.status == status


def test_a_query_x_rejects_is_refused_with_its_problem() -> None:
    # Given the fake / When the query is unbalanced / Then 400 from the server, refused
    client, _ = client_for(seeded_api())
    with pytest.raises(XApiRefused) as refused:
        client.search_recent(ACCOUNT_ID, "(acme OR")
    assert refused.value.status == 400


def test_the_problem_type_is_kept_without_its_detail() -> None:
    body = {
        "title": "Forbidden",
        "type": "https://api.x.com/2/problems/client-forbidden",
        "detail": "some detail quoting input",
    }
    client = XApiClient(lambda: TOKEN, session=ScriptedSession(FakeResponse(403, body)))
    with pytest.raises(XApiRefused) as refused:
        client.mentions(ACCOUNT_ID)
    assert refused.value.problem == "https://api.x.com/2/problems/client-forbidden"
    assert "quoting" not in str(refused.value)


def test_a_200_with_only_errors_is_an_empty_page() -> None:
    body = json.loads((EVENTS / "x_v2" / "search_recent_errors_only.json").read_text(encoding="utf-8"))
    client = XApiClient(lambda: TOKEN, session=ScriptedSession(FakeResponse(200, body)))
    page = client.search_recent(ACCOUNT_ID, "acme")
    assert page.posts == [] and page.post_ids == [] and page.user_ids == []
    assert page.newest_id == "2124790060000000001" and page.result_count == 0 and page.rate is None


# -- normalisation -----------------------------------------------------------------------------


def test_kinds_follow_reply_quote_mention_post() -> None:
    # Given the mixed page found by search
    posts = by_id(parse_page(mixed_body(), ACCOUNT_ID, source="search"))

    # Then
    assert posts[REPLY].kind == "reply"
    assert posts[REPLY].reply_to == "2123717988971446279"
    assert posts[REPLY].conversation_id == "2123717988971446279"
    assert posts[QUOTE_MENTION].kind == "quote"  # quotes and mentions us
    assert posts[QUOTE_NO_MENTION].kind == "post"  # quotes us but is only talk about us
    assert posts[MENTION].kind == "mention" and posts[MENTION].conversation_id == MENTION
    assert posts[LONG_POST].kind == "mention"  # the mention sits past the 280-character cut
    assert posts[PHOTO_POST].kind == "post" and posts[VIDEO_POST].kind == "post"


def test_posts_found_by_the_mentions_endpoint_address_us() -> None:
    posts = by_id(parse_page(mixed_body(), ACCOUNT_ID, source="mentions"))
    assert posts[QUOTE_NO_MENTION].kind == "quote"
    assert posts[PHOTO_POST].kind == "mention"
    assert posts[REPLY].kind == "reply"


def test_long_posts_keep_their_full_text() -> None:
    body = mixed_body()
    raw = next(p for p in body["data"] if p["id"] == LONG_POST)
    post = by_id(parse_page(body, ACCOUNT_ID, source="search"))[LONG_POST]
    assert post.text == raw["note_tweet"]["text"] and len(post.text) > 280
    assert post.text.endswith("can someone call me back today?")
    assert post.lang_hint == "en"


def test_japanese_text_with_emoji_and_the_author() -> None:
    post = by_id(parse_page(mixed_body(), ACCOUNT_ID, source="search"))[MENTION]
    assert post.text == "@acme_help 注文した商品がまだ届かないです📦💦 いつ来ますか？"
    assert post.lang_hint == "ja" and post.platform == "x" and post.account_id == ACCOUNT_ID
    assert post.created_at == "2026-11-23T08:20:41.500Z"
    assert post.url == f"https://x.com/taro_y/status/{MENTION}"
    assert post.author.model_dump() == {
        "platform_user_id": "700000000000000001",
        "handle": "taro_y",
        "display_name": "山田 太郎",
        "followers": 128,
        "verified": False,
    }
    assert post.media == ()


def test_media_and_links_become_refs() -> None:
    posts = by_id(parse_page(mixed_body(), ACCOUNT_ID, source="search"))
    # photo by url, the post's own photo link left out, the blog link kept
    assert [(m.type, m.url) for m in posts[PHOTO_POST].media] == [
        ("photo", "https://pbs.twimg.com/media/acme-choco.jpg"),
        ("link", "https://blog.example.jp/hanako/acme-choco"),
    ]
    # a video has no url, only its preview image; its own pic link carries the media key
    assert [(m.type, m.url) for m in posts[VIDEO_POST].media] == [
        ("video", "https://pbs.twimg.com/ext_tw_video_thumb/2124790050000000001/pu/img/unboxing.jpg")
    ]
    # a quoted post's link is another post, kept as a link
    assert [m.url for m in posts[QUOTE_MENTION].media] == ["https://x.com/acme_help/status/2124777491636682759"]
    # hashtag-only language code is no language
    assert posts[VIDEO_POST].lang_hint is None
    assert posts[VIDEO_POST].author.verified is True and posts[VIDEO_POST].author.followers == 3402


def test_malformed_items_are_counted_not_fatal() -> None:
    body = {
        "data": [
            {"id": "2124790053069651975", "text": "ok", "author_id": "700000000000000001"},
            {"text": "no id", "author_id": "700000000000000001"},
            {"id": "2124790053069651976", "author_id": "700000000000000001"},
            {"id": "2124790053069651977", "text": "no author"},
            {"id": "not-a-number", "text": "odd id", "author_id": "700000000000000001"},
            "a string",
        ],
        "meta": {"result_count": 6},
    }
    page = parse_page(body, ACCOUNT_ID, source="search")
    assert [p.native_id for p in page.posts] == ["2124790053069651975"]
    assert page.skipped == {"own_post": 0, "retweet": 0, "malformed": 5}
    assert page.post_ids == [
        "2124790053069651975",
        "2124790053069651976",
        "2124790053069651977",
        "not-a-number",
    ]
    # without created_at or username: the time the id encodes and the neutral status URL
    (post,) = page.posts
    assert post.created_at == "2026-11-23T08:59:59.999Z"
    assert post.url == "https://x.com/i/web/status/2124790053069651975"
    assert post.author.handle is None and post.lang_hint is None


def test_rate_limit_headers() -> None:
    assert RateLimit.from_headers(
        {"X-Rate-Limit-Limit": "450", "x-rate-limit-remaining": " 12 ", "X-RATE-LIMIT-RESET": "1795425300"}
    ) == RateLimit(450, 12, 1795425300)
    assert RateLimit.from_headers({"content-type": "application/json"}) is None
    assert RateLimit.from_headers({"x-rate-limit-remaining": "-1", "x-rate-limit-reset": "1.5e9"}) == RateLimit(
        None, None, None
    )
    assert RateLimit.from_headers(CaseInsensitiveDict({"X-Rate-Limit-Limit": "300"})) == RateLimit(300, None, None)


def test_start_time_is_sent_in_x_format() -> None:
    api = seeded_api()
    client, _ = client_for(api)
    client.mentions(ACCOUNT_ID, start_time="2026-11-23T17:30:00+09:00")
    client.mentions(ACCOUNT_ID, start_time="2026-11-23T08:30:00")
    assert [c["query"]["start_time"] for c in api.calls] == ["2026-11-23T08:30:00Z", "2026-11-23T08:30:00Z"]
    with pytest.raises(XApiRefused):
        client.mentions(ACCOUNT_ID, start_time="yesterday")
    assert len(api.calls) == 2


# -- the fake's own semantics ------------------------------------------------------------------


def search_ids(api: FakeXApi, query: str, **params: str) -> list[str]:
    answer = api.handle(
        "GET", "/2/tweets/search/recent", {"query": query, **params}, {"authorization": f"Bearer {TOKEN}"}
    )
    assert answer is not None
    status, body, _ = answer
    assert status == 200, body
    return [p["id"] for p in body.get("data", [])]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("届かない", [MENTION]),
        ("回線 繋がらない", [REPLY]),
        ("回線 OR 届かない", [REPLY, MENTION]),
        ('"acme router"', [LONG_POST]),
        ("ACME -is:retweet lang:ja", [OWN_POST, QUOTE_NO_MENTION, QUOTE_MENTION, REPLY, MENTION]),
        ("@acme_help -is:retweet", [LONG_POST, QUOTE_MENTION, REPLY, MENTION]),
        ("@acme_help is:reply", [REPLY]),
        ("from:hanako_s", [VIDEO_POST, PHOTO_POST]),
        ("#acme -from:acme_help", [VIDEO_POST, RETWEET]),
        ("(届かない OR 分からない) -has:links", [MENTION]),
        ("is:quote -(@acme_help)", [QUOTE_NO_MENTION]),
        ("has:media", [VIDEO_POST, PHOTO_POST]),
        ("美味しかった!🍫", [PHOTO_POST]),  # NFKC: the full-width ！ in the post matches !
        ("ＡＣＭＥ is:verified", [VIDEO_POST, OWN_POST]),
        ("to:acme_help", [REPLY]),
    ],
)
def test_fake_search_syntax(query: str, expected: list[str]) -> None:
    assert search_ids(seeded_api(), query) == expected


@pytest.mark.parametrize("query", ["(acme", "acme)", "acme OR", '"acme', "- acme", "acme -", "foo:bar", "is:cat"])
def test_fake_rejects_queries_x_would_reject(query: str) -> None:
    answer = seeded_api().handle("GET", "/2/tweets/search/recent", {"query": query}, {"authorization": "Bearer t"})
    assert answer is not None and answer[0] == 400


def test_fake_windows_filters_and_meta() -> None:
    api = seeded_api()
    # since_id and start_time
    assert search_ids(api, "acme", since_id=LONG_POST) == [VIDEO_POST, OWN_POST, RETWEET]
    assert search_ids(api, "acme", start_time="2026-11-23T08:58:00Z") == [VIDEO_POST, OWN_POST]
    # an empty page has no ids in meta and no data, like X
    answer = api.handle("GET", "/2/tweets/search/recent", {"query": "zzz"}, {"Authorization": "Bearer t"})
    assert answer is not None and answer[1] == {"meta": {"result_count": 0}}
    # only default fields unless asked; no includes without expansions
    answer = api.handle("GET", "/2/tweets/search/recent", {"query": "届かない"}, {"Authorization": "Bearer t"})
    assert answer is not None
    assert answer[1]["data"] == [
        {
            "id": MENTION,
            "text": "@acme_help 注文した商品がまだ届かないです📦💦 いつ来ますか？",
            "edit_history_tweet_ids": [MENTION],
        }
    ]
    assert "includes" not in answer[1]
    assert answer[1]["meta"] == {"newest_id": MENTION, "oldest_id": MENTION, "result_count": 1}
    # parameters X does not know, out-of-range sizes and foreign tokens are 400s
    for query in (
        {"query": "acme", "pagination_tokn": "x"},
        {"query": "acme", "max_results": "5"},
        {"query": "acme", "next_token": "bm9wZQ"},
        {"query": "acme", "tweet.fields": "created_at,colour"},
    ):
        answer = api.handle("GET", "/2/tweets/search/recent", query, {"Authorization": "Bearer t"})
        assert answer is not None and answer[0] == 400, query
    # other paths and methods are not the fake's
    assert api.handle("GET", "/2/tweets", {}, {}) is None
    assert api.handle("POST", "/2/tweets/search/recent", {}, {}) is None


def test_fake_tokens_belong_to_their_query() -> None:
    # Given eleven posts that say "acme"
    api = seeded_api()
    add_extra_mentions(api, 3)
    first = api.handle(
        "GET", "/2/tweets/search/recent", {"query": "acme", "max_results": "10"}, {"Authorization": "Bearer t"}
    )
    assert first is not None and first[0] == 200
    token = first[1]["meta"]["next_token"]

    # When / Then the token continues the same query, and is refused for another
    assert search_ids(api, "acme", next_token=token, max_results="10") == [MENTION]
    other = api.handle(
        "GET", "/2/tweets/search/recent", {"query": "acme -x", "next_token": token}, {"Authorization": "Bearer t"}
    )
    assert other is not None and other[0] == 400


def test_fake_is_thread_safe() -> None:
    api = FakeXApi(clock=Clock(), window_limit=10_000)
    author = {"id": "700000000000000001", "username": "taro_y", "name": "山田 太郎"}

    def writer(start: int) -> None:
        for i in range(start, start + 50):
            api.add_post({"id": str(2124790053069651975 + i), "text": f"acme {i}"}, author)
            api.handle("GET", "/2/tweets/search/recent", {"query": "acme"}, {"Authorization": "Bearer t"})

    threads = [threading.Thread(target=writer, args=(n * 50,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(api.calls) == 200
    assert len(search_ids(api, "acme", max_results="100")) == 100


def test_an_unset_bearer_token_is_a_refusal_without_a_call() -> None:
    from mentiondesk.channels.x_api import XApiClient, XApiRefused

    class NoCalls:
        def get(self, *args: object, **kwargs: object) -> object:
            raise AssertionError("no request may be made")

    client = XApiClient(lambda: " ", session=NoCalls())
    with pytest.raises(XApiRefused) as refused:
        client.mentions("1500000000000000001")
    assert refused.value.status == 401 and "bearer token" in str(refused.value)
