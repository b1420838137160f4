"""X DM polling in user context: XApiClient.dm_events / me against the FakeXApi (through a tiny session
adapter), the OAuth 2.0 refresh grant and its rotating tokens, and the SSM token vault on moto."""

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from mentiondesk.channels import x
from mentiondesk.channels.x_api import (
    DM_EVENT_FIELDS,
    Page,
    RateLimit,
    XApiClient,
    XApiError,
    XApiRefused,
    XRateLimited,
    parse_dm_page,
)
from mentiondesk.channels.x_oauth import SsmTokenVault, TokenSet, XOAuthClient, XUserTokens
from mentiondesk.local.fake_x import FakeXApi
from requests.structures import CaseInsensitiveDict

from tests.conftest import ACCOUNT_ID, EVENTS

pytestmark = pytest.mark.unit

BASE = "https://api.x.test"
APP_TOKEN = "app-bearer-token"
CLIENT_ID, CLIENT_SECRET = "test-client-id", "test-client-secret"
NOW = 1_795_424_400.0  # 2026-11-23T09:00:00Z
OTHER_ACCOUNT = "900000000000000002"

# Ids in tests/events/x_v2/dm_events_mixed.json, newest first
PHOTO_DM, OWN_DM, ORDER_DM, SHARED_POST_DM, ENGLISH_DM = (
    "2124789928293302273",
    "2124789348430774274",
    "2124788809462710275",
    "2124787708457910276",
    "2124785606063030277",
)
HANAKO, TARO, SAM, YUI = "700000000000000002", "700000000000000001", "700000000000000004", "700000000000000005"


def dm_body() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / "x_v2" / "dm_events_mixed.json").read_text(encoding="utf-8"))
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
    """What XApiClient and XOAuthClient need of requests.Session, answered by the FakeXApi in-process."""

    def __init__(self, api: FakeXApi) -> None:
        self.api = api
        self.requests: list[dict[str, Any]] = []

    def get(self, url: str, params: dict[str, Any], headers: dict[str, str], timeout: float) -> FakeResponse:
        self.requests.append({"method": "GET", "url": url, "params": params, "headers": headers, "timeout": timeout})
        answer = self.api.handle("GET", self._path(url), {k: str(v) for k, v in params.items()}, headers)
        assert answer is not None, f"the fake does not serve {url}"
        return FakeResponse(*answer)

    def post(self, url: str, data: bytes, headers: dict[str, str], timeout: float) -> FakeResponse:
        self.requests.append({"method": "POST", "url": url, "data": data, "headers": headers, "timeout": timeout})
        answer = self.api.handle("POST", self._path(url), {}, headers, body=data)
        assert answer is not None, f"the fake does not serve {url}"
        return FakeResponse(*answer)

    @staticmethod
    def _path(url: str) -> str:
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == BASE
        return parts.path


class ScriptedSession:
    """Answers (or raises) exactly what a test scripts, for shapes the fake never produces."""

    def __init__(self, answer: FakeResponse | Exception) -> None:
        self.answer = answer
        self.calls = 0

    def _next(self) -> FakeResponse:
        self.calls += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    def get(self, url: str, params: dict[str, Any], headers: dict[str, str], timeout: float) -> FakeResponse:
        return self._next()

    def post(self, url: str, data: bytes, headers: dict[str, str], timeout: float) -> FakeResponse:
        return self._next()


class NoCalls:
    def get(self, *args: object, **kwargs: object) -> object:
        raise AssertionError("no request may be made")

    post = get


class MemoryVault:
    """A TokenVault in memory that counts saves."""

    def __init__(self, tokens: dict[str, TokenSet] | None = None) -> None:
        self.tokens = dict(tokens or {})
        self.saves: list[tuple[str, TokenSet]] = []

    def load(self, account_id: str) -> TokenSet | None:
        return self.tokens.get(account_id)

    def save(self, account_id: str, tokens: TokenSet) -> None:
        self.saves.append((account_id, tokens))
        self.tokens[account_id] = tokens


def seeded_api(clock: Callable[[], float] | None = None, **options: Any) -> FakeXApi:
    options.setdefault("bearer_token", APP_TOKEN)
    options.setdefault("user_tokens", True)
    options.setdefault("client_id", CLIENT_ID)
    options.setdefault("client_secret", CLIENT_SECRET)
    api = FakeXApi(clock=clock or Clock(), **options)
    body = dm_body()
    users = {u["id"]: u for u in body["includes"]["users"]}
    media = {m["media_key"]: m for m in body["includes"]["media"]}
    for event in body["data"]:
        keys = event.get("attachments", {}).get("media_keys", [])
        api.add_dm(event, users[event["sender_id"]], media=[media[k] for k in keys])
    return api


def client_for(api: FakeXApi, clock: Callable[[], float] | None = None) -> tuple[XApiClient, FakeXSession]:
    session = FakeXSession(api)
    return XApiClient(lambda: APP_TOKEN, base_url=BASE, session=session, timeout=3.5, clock=clock or Clock()), session


def oauth_for(
    api: FakeXApi, clock: Callable[[], float] | None = None, secret: str = CLIENT_SECRET
) -> tuple[XOAuthClient, FakeXSession]:
    session = FakeXSession(api)
    oauth = XOAuthClient(
        lambda: CLIENT_ID,
        lambda: secret,
        token_url=f"{BASE}/2/oauth2/token",
        session=session,
        timeout=2.5,
        clock=clock or Clock(),
    )
    return oauth, session


def by_id(page: Page) -> dict[str, Any]:
    return {post.native_id: post for post in page.posts}


def add_customer_dms(api: FakeXApi, count: int, sender_id: str = SAM) -> list[str]:
    """DMs newer than the fixture's from one customer; their ids, newest first."""
    sender = {"id": sender_id, "username": "sam_k", "name": "Sam K."}
    ids = [str(2124790100000000000 + n) for n in range(count)]
    for n, event_id in enumerate(ids):
        api.add_dm(
            {"id": event_id, "text": f"follow-up {n}", "dm_conversation_id": f"{sender_id}-{ACCOUNT_ID}"},
            sender,
        )
    return ids[::-1]


# -- dm_events over the fake -----------------------------------------------------------------------


def test_dm_page_normalises_customer_dms_and_skips_our_own() -> None:
    # Given the fake serving the mixed DMs, and our account's user tokens
    api = seeded_api()
    tokens = api.issue_user_tokens(ACCOUNT_ID)
    client, session = client_for(api)

    # When the poller reads our DMs with the user access token
    page = client.dm_events(ACCOUNT_ID, tokens.access_token)

    # Then the customers' DMs come back, ours only counted; billing sees every event and user
    assert list(by_id(page)) == [PHOTO_DM, ORDER_DM, SHARED_POST_DM, ENGLISH_DM]
    assert page.skipped == {"own_dm": 1, "other_event": 0, "malformed": 0}
    assert page.post_ids == [PHOTO_DM, OWN_DM, ORDER_DM, SHARED_POST_DM, ENGLISH_DM]
    assert page.user_ids == [HANAKO, ACCOUNT_ID, TARO, YUI, SAM]
    assert page.newest_id == PHOTO_DM and page.next_token is None and page.result_count == 5
    assert page.rate == RateLimit(limit=450, remaining=449, reset=int(NOW) + 900)
    # the request: the user's token, not the app's; MessageCreate only, senders and media expanded
    (sent,) = session.requests
    assert sent["url"] == f"{BASE}/2/dm_events" and sent["timeout"] == 3.5
    assert sent["headers"]["Authorization"] == f"Bearer {tokens.access_token}"
    assert sent["params"] == {
        "max_results": "100",
        "dm_event.fields": DM_EVENT_FIELDS,
        "event_types": "MessageCreate",
        "expansions": "sender_id,attachments.media_keys",
        "user.fields": "username,name,verified,public_metrics",
        "media.fields": "type,url,preview_image_url",
    }


def test_dm_authors_media_and_shared_posts() -> None:
    # Given the mixed DMs read through the fake
    api = seeded_api()
    client, _ = client_for(api)
    dms = by_id(client.dm_events(ACCOUNT_ID, api.issue_user_tokens(ACCOUNT_ID).access_token))

    # Then each is a DM in the customer's conversation, with the author X described
    photo = dms[PHOTO_DM]
    assert photo.kind == "dm" and photo.platform == "x" and photo.account_id == ACCOUNT_ID
    assert photo.conversation_id == f"dm:{HANAKO}" and photo.reply_to is None and photo.url is None
    assert photo.text == "箱が潰れた状態で届きました。写真を送ります https://t.co/Bx8pQ2mZkd"
    assert photo.created_at == "2026-11-23T08:59:30.000Z"
    assert photo.author.model_dump() == {
        "platform_user_id": HANAKO,
        "handle": "hanako_s",
        "display_name": "花子",
        "followers": 3402,
        "verified": True,
    }
    assert [(m.type, m.url) for m in photo.media] == [
        ("photo", "https://ton.twitter.com/1.1/ton/data/dm/2124789928293302273/2124789920000000001/crushed-box.jpg")
    ]
    # a shared post becomes a link to it
    assert [(m.type, m.url) for m in dms[SHARED_POST_DM].media] == [
        ("link", "https://x.com/i/web/status/2124780160807862279")
    ]
    assert dms[ENGLISH_DM].author.handle == "sam_k" and dms[ENGLISH_DM].lang_hint is None
    assert {dm.conversation_id for dm in dms.values()} == {f"dm:{u}" for u in (HANAKO, TARO, YUI, SAM)}


def test_a_dm_seen_by_webhook_and_by_polling_is_the_same_message() -> None:
    # Given taro's DM as the DM lookup returns it
    polled = by_id(parse_dm_page(dm_body(), ACCOUNT_ID))[ORDER_DM]

    # When the same DM arrives through the Account Activity webhook (same event id, X shares them)
    created_ms = int(datetime(2026, 11, 23, 8, 55, 3, tzinfo=UTC).timestamp() * 1000)
    delivery = {
        "for_user_id": ACCOUNT_ID,
        "direct_message_events": [
            {
                "type": "message_create",
                "id": ORDER_DM,
                "created_timestamp": str(created_ms),
                "message_create": {
                    "target": {"recipient_id": ACCOUNT_ID},
                    "sender_id": TARO,
                    "message_data": {"text": "DMで失礼します。注文番号は A-10234 です"},
                },
            }
        ],
        "users": {
            TARO: {"id": TARO, "screen_name": "taro_y", "name": "山田 太郎", "followers_count": 128, "verified": False}
        },
    }
    (pushed,) = x.parse_delivery(delivery)

    # Then both are one message: same id, conversation, author, text and time
    assert pushed == polled


def test_dm_pages_chain_with_pagination_token() -> None:
    # Given eight DMs in our inbox
    api = seeded_api()
    newest = add_customer_dms(api, 3)
    client, _ = client_for(api)
    token = api.issue_user_tokens(ACCOUNT_ID).access_token

    # When reading three per page and following next_token
    pages = [client.dm_events(ACCOUNT_ID, token, max_results=3)]
    while pages[-1].next_token:
        pages.append(client.dm_events(ACCOUNT_ID, token, pagination_token=pages[-1].next_token, max_results=3))

    # Then the pages chain, newest first, without overlap; each page's newest id is its first event
    assert [p.post_ids for p in pages] == [
        newest,
        [PHOTO_DM, OWN_DM, ORDER_DM],
        [SHARED_POST_DM, ENGLISH_DM],
    ]
    assert [p.newest_id for p in pages] == [newest[0], PHOTO_DM, SHARED_POST_DM]
    assert api.calls[1]["query"]["pagination_token"] == pages[0].next_token


def test_max_results_is_clamped_to_1_to_100() -> None:
    api = seeded_api()
    client, _ = client_for(api)
    token = api.issue_user_tokens(ACCOUNT_ID).access_token
    client.dm_events(ACCOUNT_ID, token, max_results=0)
    client.dm_events(ACCOUNT_ID, token, max_results=500)
    assert [c["query"]["max_results"] for c in api.calls] == ["1", "100"]


def test_an_account_reads_only_its_own_conversations() -> None:
    # Given a DM between two other users, and a group conversation we are part of
    api = seeded_api()
    stranger = {"id": "700000000000000009", "username": "someone", "name": "Someone"}
    api.add_dm(
        {"id": "2124790200000000001", "text": "not yours", "dm_conversation_id": f"{SAM}-700000000000000009"}, stranger
    )
    api.add_dm(
        {"id": "2124790200000000002", "text": "グループです", "dm_conversation_id": "1582838499983564806"},
        stranger,
        participants=[ACCOUNT_ID, SAM],
    )
    client, _ = client_for(api)

    # When / Then our account sees the group message but not the others' conversation
    ours = client.dm_events(ACCOUNT_ID, api.issue_user_tokens(ACCOUNT_ID).access_token)
    assert "2124790200000000001" not in ours.post_ids and ours.post_ids[0] == "2124790200000000002"
    # and Sam's token sees both
    sams = client.dm_events(SAM, api.issue_user_tokens(SAM).access_token)
    assert sams.post_ids == ["2124790200000000002", "2124790200000000001", ENGLISH_DM]


def test_an_injected_429_raises_rate_limited_with_the_reset() -> None:
    api = seeded_api()
    token = api.issue_user_tokens(ACCOUNT_ID).access_token
    api.fail_next(429)
    client, _ = client_for(api)
    with pytest.raises(XRateLimited) as limited:
        client.dm_events(ACCOUNT_ID, token)
    assert limited.value.reset == int(NOW) + 900
    assert limited.value.rate == RateLimit(limit=450, remaining=0, reset=int(NOW) + 900)
    assert client.dm_events(ACCOUNT_ID, token).posts


def test_the_dm_window_is_per_user_and_resets_by_the_clock() -> None:
    # Given X's documented DM lookup limit of 15 per 15 minutes per user
    clock = Clock()
    api = seeded_api(clock=clock, dm_window_limit=15)
    client, _ = client_for(api, clock)
    ours, sams = api.issue_user_tokens(ACCOUNT_ID).access_token, api.issue_user_tokens(SAM).access_token

    # When our account reads sixteen times
    for used in range(1, 16):
        assert client.dm_events(ACCOUNT_ID, ours).rate == RateLimit(15, 15 - used, int(NOW) + 900)
    with pytest.raises(XRateLimited) as limited:
        client.dm_events(ACCOUNT_ID, ours)

    # Then the sixteenth waits for the reset; another user's window is untouched
    assert limited.value.reset == int(NOW) + 900
    assert client.dm_events(SAM, sams).rate == RateLimit(15, 14, int(NOW) + 900)
    clock.now += 900
    assert client.dm_events(ACCOUNT_ID, ours).rate == RateLimit(15, 14, int(NOW) + 1800)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_transient(status: int) -> None:
    api = seeded_api()
    token = api.issue_user_tokens(ACCOUNT_ID).access_token
    api.fail_next(status)
    client, session = client_for(api)
    with pytest.raises(XApiError) as failed:
        client.dm_events(ACCOUNT_ID, token)
    assert failed.value.status == status and len(session.requests) == 1


@pytest.mark.parametrize(
    "error", [requests.Timeout("read timed out"), requests.ConnectionError("connection reset")], ids=["timeout", "conn"]
)
def test_timeouts_and_connection_errors_are_transient(error: Exception) -> None:
    session = ScriptedSession(error)
    client = XApiClient(lambda: APP_TOKEN, session=session)
    with pytest.raises(XApiError) as failed:
        client.dm_events(ACCOUNT_ID, "user-token")
    assert failed.value.status is None and session.calls == 1


def test_expired_and_revoked_user_tokens_are_refused() -> None:
    # Given a user token that has expired (two hours), and a fresh one the account then revokes
    clock = Clock()
    api = seeded_api(clock=clock)
    old = api.issue_user_tokens(ACCOUNT_ID).access_token
    clock.now += 7200
    fresh = api.issue_user_tokens(ACCOUNT_ID).access_token
    client, _ = client_for(api, clock)

    # When / Then
    with pytest.raises(XApiRefused) as expired:
        client.dm_events(ACCOUNT_ID, old)
    assert expired.value.status == 401 and old not in str(expired.value)
    assert client.dm_events(ACCOUNT_ID, fresh).posts
    api.revoke_user_tokens(ACCOUNT_ID)
    with pytest.raises(XApiRefused) as revoked:
        client.dm_events(ACCOUNT_ID, fresh)
    assert revoked.value.status == 401


def test_the_app_only_token_is_refused_by_the_dm_lookup() -> None:
    api = seeded_api()
    client, _ = client_for(api)
    with pytest.raises(XApiRefused) as refused:
        client.dm_events(ACCOUNT_ID, APP_TOKEN)
    assert refused.value.status == 403
    assert refused.value.problem == "https://api.twitter.com/2/problems/unsupported-authentication"


def test_a_missing_token_or_a_bad_account_id_is_refused_without_a_call() -> None:
    client = XApiClient(lambda: APP_TOKEN, session=NoCalls())
    with pytest.raises(XApiRefused) as missing:
        client.dm_events(ACCOUNT_ID, "  ")
    assert missing.value.status == 401 and missing.value.problem == "missing_token"
    for bad in ("", "12/../3", "１２３"):
        with pytest.raises(XApiRefused) as refused:
            client.dm_events(bad, "user-token")
        assert refused.value.status == 400


def test_a_200_that_is_not_a_dm_page_is_transient() -> None:
    for answer in (
        FakeResponse(200, None, raw="<html>upstream hiccup</html>"),
        FakeResponse(200, {"data": {"id": "1"}}),
        FakeResponse(200, {"data": [], "includes": {"users": {}}}),
    ):
        client = XApiClient(lambda: APP_TOKEN, session=ScriptedSession(answer))
        with pytest.raises(XApiError):
            client.dm_events(ACCOUNT_ID, "user-token")


def test_me_names_the_tokens_user() -> None:
    api = seeded_api()
    client, session = client_for(api)
    assert client.me(api.issue_user_tokens(ACCOUNT_ID).access_token) == ACCOUNT_ID
    assert session.requests[0]["params"] == {} and session.requests[0]["url"] == f"{BASE}/2/users/me"
    with pytest.raises(XApiRefused) as refused:
        client.me("a-token-x-never-issued")
    assert refused.value.status == 401
    with pytest.raises(XApiError):
        XApiClient(lambda: "", session=ScriptedSession(FakeResponse(200, {"data": {"name": "no id"}}))).me("t")


# -- normalisation ---------------------------------------------------------------------------------


def test_other_events_and_malformed_dms_are_counted_not_fatal() -> None:
    body = {
        "data": [
            {"id": "2124790053069651975", "event_type": "MessageCreate", "text": "ok", "sender_id": SAM},
            {"id": "2124790053069651974", "event_type": "ParticipantsJoin", "participant_ids": [SAM]},
            {"id": "2124790053069651973", "event_type": "MessageCreate", "text": "no sender"},
            {"id": "2124790053069651972", "event_type": "MessageCreate", "sender_id": SAM},
            {"id": "not-a-number", "event_type": "MessageCreate", "text": "odd id", "sender_id": SAM},
            {"id": "2124790053069651971", "text": "no type", "sender_id": SAM},
            "a string",
        ],
        "meta": {"result_count": 7, "next_token": "1BLC45G1SL0PMLI00G00ZZZZ"},
    }
    page = parse_dm_page(body, ACCOUNT_ID)
    assert [p.native_id for p in page.posts] == ["2124790053069651975"]
    assert page.skipped == {"own_dm": 0, "other_event": 1, "malformed": 5}
    assert page.newest_id == "2124790053069651975" and page.next_token == "1BLC45G1SL0PMLI00G00ZZZZ"
    assert len(page.post_ids) == 6 and page.result_count == 7
    # without created_at or a user object: the time the id encodes, and only the sender's id
    (dm,) = page.posts
    assert dm.created_at == "2026-11-23T08:59:59.999Z"
    assert dm.author.model_dump() == {
        "platform_user_id": SAM,
        "handle": None,
        "display_name": None,
        "followers": None,
        "verified": False,
    }


def test_an_empty_dm_page() -> None:
    page = parse_dm_page({"meta": {"result_count": 0}}, ACCOUNT_ID, RateLimit(15, 3, 1795425300))
    assert page.posts == [] and page.post_ids == [] and page.newest_id is None and page.next_token is None
    assert page.rate == RateLimit(15, 3, 1795425300)


# -- the OAuth 2.0 refresh grant -------------------------------------------------------------------


def test_refresh_sends_the_documented_form_with_basic_auth() -> None:
    # Given a confidential client and a refresh token the fake issued
    api = seeded_api()
    issued = api.issue_user_tokens(ACCOUNT_ID)
    oauth, session = oauth_for(api)

    # When refreshing
    tokens = oauth.refresh(issued.refresh_token)

    # Then a new pair valid for two hours, asked for as X documents
    assert tokens.access_token != issued.access_token and tokens.refresh_token != issued.refresh_token
    assert tokens.expires_at == int(NOW) + 7200
    (sent,) = session.requests
    assert sent["url"] == f"{BASE}/2/oauth2/token" and sent["timeout"] == 2.5
    assert sent["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert (
        sent["headers"]["Authorization"] == "Basic " + base64.b64encode(b"test-client-id:test-client-secret").decode()
    )
    assert parse_qs(sent["data"].decode()) == {
        "grant_type": ["refresh_token"],
        "refresh_token": [issued.refresh_token],
        "client_id": [CLIENT_ID],
    }
    # and the fake never records the form
    assert api.calls == [{"path": "/2/oauth2/token", "query": {}}]


def test_refresh_tokens_rotate_the_old_one_stops_working() -> None:
    api = seeded_api()
    issued = api.issue_user_tokens(ACCOUNT_ID)
    oauth, _ = oauth_for(api)
    rotated = oauth.refresh(issued.refresh_token)
    with pytest.raises(XApiRefused) as spent:
        oauth.refresh(issued.refresh_token)
    assert spent.value.status == 400 and spent.value.problem == "invalid_request"
    assert issued.refresh_token not in str(spent.value)
    assert oauth.refresh(rotated.refresh_token).access_token


def test_a_public_client_sends_no_authorization_header() -> None:
    api = seeded_api(client_secret=None)
    oauth, session = oauth_for(api, secret="")
    assert oauth.refresh(api.issue_user_tokens(ACCOUNT_ID).refresh_token).access_token
    assert "Authorization" not in session.requests[0]["headers"]
    assert parse_qs(session.requests[0]["data"].decode())["client_id"] == [CLIENT_ID]


def test_a_wrong_client_secret_is_refused() -> None:
    api = seeded_api()
    issued = api.issue_user_tokens(ACCOUNT_ID)
    for secret in ("the-old-secret", ""):  # wrong, and none at all for a confidential client
        oauth, _ = oauth_for(api, secret=secret)
        with pytest.raises(XApiRefused) as refused:
            oauth.refresh(issued.refresh_token)
        assert refused.value.status == 401 and refused.value.problem == "unauthorized_client"
    # a refused client does not spend the refresh token
    assert oauth_for(api)[0].refresh(issued.refresh_token).access_token


@pytest.mark.parametrize("status", [500, 503])
def test_token_endpoint_outages_are_transient(status: int) -> None:
    api = seeded_api()
    issued = api.issue_user_tokens(ACCOUNT_ID)
    api.fail_next(status)
    oauth, _ = oauth_for(api)
    with pytest.raises(XApiError) as failed:
        oauth.refresh(issued.refresh_token)
    assert failed.value.status == status
    assert oauth.refresh(issued.refresh_token).access_token  # not spent by the outage


def test_unreadable_token_answers_and_timeouts_are_transient() -> None:
    for answer in (
        FakeResponse(200, None, raw="<html>"),
        FakeResponse(200, {"token_type": "bearer", "expires_in": 7200}),
        requests.Timeout("slow"),
    ):
        oauth = XOAuthClient(lambda: CLIENT_ID, lambda: CLIENT_SECRET, session=ScriptedSession(answer))
        with pytest.raises(XApiError):
            oauth.refresh("refresh-me")


def test_a_429_from_the_token_endpoint_is_rate_limited() -> None:
    answer = FakeResponse(429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": "1795425300"})
    oauth = XOAuthClient(lambda: CLIENT_ID, lambda: CLIENT_SECRET, session=ScriptedSession(answer))
    with pytest.raises(XRateLimited) as limited:
        oauth.refresh("refresh-me")
    assert limited.value.reset == 1795425300


def test_an_answer_without_expires_in_or_refresh_token_keeps_sane_defaults() -> None:
    answer = FakeResponse(200, {"token_type": "bearer", "access_token": "new-access"})
    oauth = XOAuthClient(lambda: CLIENT_ID, lambda: CLIENT_SECRET, session=ScriptedSession(answer), clock=Clock())
    assert oauth.refresh("still-mine") == TokenSet("new-access", "still-mine", int(NOW) + 7200)


def test_no_client_id_or_no_refresh_token_is_refused_without_a_call() -> None:
    with pytest.raises(XApiRefused) as no_client:
        XOAuthClient(lambda: " ", lambda: CLIENT_SECRET, session=NoCalls()).refresh("refresh-me")
    assert no_client.value.status == 401
    with pytest.raises(XApiRefused):
        XOAuthClient(lambda: CLIENT_ID, lambda: CLIENT_SECRET, session=NoCalls()).refresh(" ")


def test_token_sets_keep_their_tokens_out_of_repr() -> None:
    tokens = TokenSet(access_token="secret-access", refresh_token="secret-refresh", expires_at=1)
    assert "secret" not in repr(tokens) and "expires_at=1" in repr(tokens)


# -- XUserTokens -----------------------------------------------------------------------------------


def user_tokens_for(api: FakeXApi, vault: MemoryVault, clock: Clock) -> tuple[XUserTokens, FakeXSession]:
    oauth, session = oauth_for(api, clock)
    return XUserTokens(vault, oauth, clock=clock, margin=120), session


def test_a_valid_access_token_is_reused_without_a_call() -> None:
    # Given stored tokens with more than the margin left
    clock = Clock()
    api = seeded_api(clock=clock)
    stored = api.issue_user_tokens(ACCOUNT_ID)
    vault = MemoryVault({ACCOUNT_ID: stored})
    tokens, session = user_tokens_for(api, vault, clock)
    clock.now += 7200 - 121

    # When / Then
    assert tokens.access_token(ACCOUNT_ID) == stored.access_token
    assert session.requests == [] and vault.saves == []


def test_an_expiring_token_is_refreshed_and_saved_before_it_is_returned() -> None:
    # Given stored tokens inside the margin
    clock = Clock()
    api = seeded_api(clock=clock)
    stored = api.issue_user_tokens(ACCOUNT_ID)
    vault = MemoryVault({ACCOUNT_ID: stored})
    tokens, session = user_tokens_for(api, vault, clock)
    clock.now += 7200 - 120

    # When
    access = tokens.access_token(ACCOUNT_ID)

    # Then the rotated pair is in the vault and its access token reads the DMs
    ((account, saved),) = vault.saves
    assert account == ACCOUNT_ID and saved.access_token == access != stored.access_token
    assert saved.refresh_token != stored.refresh_token and saved.expires_at == int(clock.now) + 7200
    assert len(session.requests) == 1
    client, _ = client_for(api, clock)
    assert client.dm_events(ACCOUNT_ID, access).posts


def test_no_token_is_handed_out_unless_the_rotated_pair_was_saved() -> None:
    class BrokenVault(MemoryVault):
        def save(self, account_id: str, tokens: TokenSet) -> None:
            raise RuntimeError("SSM is down")

    clock = Clock()
    api = seeded_api(clock=clock)
    vault = BrokenVault({ACCOUNT_ID: api.issue_user_tokens(ACCOUNT_ID)})
    tokens, _ = user_tokens_for(api, vault, clock)
    clock.now += 7200
    with pytest.raises(RuntimeError):
        tokens.access_token(ACCOUNT_ID)


def test_two_sequential_refreshes_each_use_the_latest_refresh_token() -> None:
    clock = Clock()
    api = seeded_api(clock=clock)
    first = api.issue_user_tokens(ACCOUNT_ID)
    vault = MemoryVault({ACCOUNT_ID: first})
    tokens, session = user_tokens_for(api, vault, clock)

    clock.now += 7200
    second = tokens.access_token(ACCOUNT_ID)
    clock.now += 7200
    third = tokens.access_token(ACCOUNT_ID)

    assert len({first.access_token, second, third}) == 3
    sent = [parse_qs(r["data"].decode())["refresh_token"][0] for r in session.requests]
    assert sent == [first.refresh_token, vault.saves[0][1].refresh_token]
    assert vault.tokens[ACCOUNT_ID].access_token == third
    # the first refresh token is spent for good
    with pytest.raises(XApiRefused):
        oauth_for(api, clock)[0].refresh(first.refresh_token)


def test_a_refused_refresh_raises_and_saves_nothing() -> None:
    # Given the account revoked our app
    clock = Clock()
    api = seeded_api(clock=clock)
    stored = api.issue_user_tokens(ACCOUNT_ID)
    api.revoke_user_tokens(ACCOUNT_ID)
    vault = MemoryVault({ACCOUNT_ID: stored})
    tokens, _ = user_tokens_for(api, vault, clock)
    clock.now += 7200

    # When / Then
    with pytest.raises(XApiRefused) as refused:
        tokens.access_token(ACCOUNT_ID)
    assert refused.value.status == 400 and vault.saves == [] and vault.tokens[ACCOUNT_ID] == stored
    assert stored.refresh_token not in str(refused.value)


def test_a_refresh_lost_to_another_poller_uses_the_pair_it_saved() -> None:
    # Given two pollers sharing a vault; ours loaded the pair just before the other one rotated it
    clock = Clock()
    api = seeded_api(clock=clock)
    stale = api.issue_user_tokens(ACCOUNT_ID)

    class StaleOnce(MemoryVault):
        served_stale = False

        def load(self, account_id: str) -> TokenSet | None:
            if not self.served_stale:
                self.served_stale = True
                return stale
            return super().load(account_id)

    vault = StaleOnce({ACCOUNT_ID: stale})
    clock.now += 7200
    other, _ = user_tokens_for(api, vault, clock)
    vault.served_stale = True
    winner = other.access_token(ACCOUNT_ID)
    vault.served_stale = False
    ours, _ = user_tokens_for(api, vault, clock)

    # When our refresh is refused (the token is spent) / Then we use the winner's saved pair
    assert ours.access_token(ACCOUNT_ID) == winner
    assert len(vault.saves) == 1


def test_an_account_without_tokens_is_refused() -> None:
    tokens = XUserTokens(MemoryVault(), XOAuthClient(lambda: CLIENT_ID, lambda: CLIENT_SECRET, session=NoCalls()))
    with pytest.raises(XApiRefused) as refused:
        tokens.access_token(ACCOUNT_ID)
    assert str(refused.value) == "no X user token for this account" and refused.value.status == 401


def test_connect_checks_whose_token_it_is_before_saving() -> None:
    # Given an admin handing over a refresh token of another account
    clock = Clock()
    api = seeded_api(clock=clock)
    client, _ = client_for(api, clock)
    vault = MemoryVault()
    tokens, _ = user_tokens_for(api, vault, clock)

    # When / Then refused, nothing saved
    with pytest.raises(XApiRefused) as wrong:
        tokens.connect(ACCOUNT_ID, api.issue_user_tokens(OTHER_ACCOUNT).refresh_token, client.me)
    assert wrong.value.status == 403 and vault.saves == []
    with pytest.raises(XApiRefused):
        tokens.connect(ACCOUNT_ID, "never-issued", client.me)
    assert vault.saves == []

    # When the account's own refresh token / Then the rotated pair is saved and reads the DMs
    handed = api.issue_user_tokens(ACCOUNT_ID).refresh_token
    tokens.connect(ACCOUNT_ID, handed, client.me)
    ((account, saved),) = vault.saves
    assert account == ACCOUNT_ID and saved.refresh_token != handed
    assert client.dm_events(ACCOUNT_ID, tokens.access_token(ACCOUNT_ID)).posts


# -- the SSM vault ---------------------------------------------------------------------------------


def test_ssm_vault_keeps_one_secure_string_per_account(aws: None) -> None:
    # Given the vault under a stack's prefix
    ssm = boto3.client("ssm")
    vault = SsmTokenVault(ssm, "/mentiondesk/dev/x-oauth/")

    # When nothing is stored / Then None
    assert vault.load(ACCOUNT_ID) is None

    # When saved twice (a rotation) / Then the latest set, as a SecureString at prefix/account
    vault.save(ACCOUNT_ID, TokenSet("access-1", "refresh-1", 1795431600))
    vault.save(ACCOUNT_ID, TokenSet("access-2", "refresh-2", 1795438800))
    assert vault.load(ACCOUNT_ID) == TokenSet("access-2", "refresh-2", 1795438800)
    stored = ssm.get_parameter(Name=f"/mentiondesk/dev/x-oauth/{ACCOUNT_ID}", WithDecryption=True)["Parameter"]
    assert stored["Type"] == "SecureString" and stored["Version"] == 2
    assert json.loads(stored["Value"]) == {
        "access_token": "access-2",
        "refresh_token": "refresh-2",
        "expires_at": 1795438800,
    }
    assert vault.load(OTHER_ACCOUNT) is None


def test_ssm_vault_reads_an_unusable_value_as_no_tokens(aws: None) -> None:
    ssm = boto3.client("ssm")
    vault = SsmTokenVault(ssm, "/mentiondesk/dev/x-oauth")
    for value in (
        "not json",
        "[]",
        '{"access_token": "a", "refresh_token": "r"}',
        '{"access_token": "a", "refresh_token": "", "expires_at": 1}',
    ):
        ssm.put_parameter(
            Name=f"/mentiondesk/dev/x-oauth/{ACCOUNT_ID}", Value=value, Type="SecureString", Overwrite=True
        )
        assert vault.load(ACCOUNT_ID) is None, value


def test_ssm_vault_refuses_names_that_are_not_account_ids(aws: None) -> None:
    vault = SsmTokenVault(boto3.client("ssm"), "/mentiondesk/dev/x-oauth")
    for bad in ("../other", "", "12/34"):
        with pytest.raises(XApiRefused):
            vault.load(bad)
        with pytest.raises(XApiRefused):
            vault.save(bad, TokenSet("a", "r", 1))
    with pytest.raises(ValueError, match="must start with /"):
        SsmTokenVault(boto3.client("ssm"), "mentiondesk/x-oauth")


def test_user_tokens_over_the_ssm_vault(aws: None) -> None:
    # Given tokens connected through the SSM vault
    clock = Clock()
    api = seeded_api(clock=clock)
    client, _ = client_for(api, clock)
    vault = SsmTokenVault(boto3.client("ssm"), "/mentiondesk/dev/x-oauth")
    oauth, _ = oauth_for(api, clock)
    tokens = XUserTokens(vault, oauth, clock=clock)
    tokens.connect(ACCOUNT_ID, api.issue_user_tokens(ACCOUNT_ID).refresh_token, client.me)

    # When hours pass and the poller asks again / Then a refreshed token that X accepts
    clock.now += 3 * 7200
    assert client.dm_events(ACCOUNT_ID, tokens.access_token(ACCOUNT_ID)).result_count == 5


# -- the fake's own semantics ----------------------------------------------------------------------


def fake_dm_read(api: FakeXApi, token: str, **params: str) -> tuple[int, dict[str, Any]]:
    answer = api.handle("GET", "/2/dm_events", params, {"authorization": f"Bearer {token}"})
    assert answer is not None
    return answer[0], answer[1]


def test_fake_dm_lookup_answers_only_the_requested_fields() -> None:
    api = seeded_api()
    token = api.issue_user_tokens(ACCOUNT_ID).access_token
    status, body = fake_dm_read(api, token, max_results="1")
    assert status == 200
    assert body["data"] == [
        {
            "id": PHOTO_DM,
            "event_type": "MessageCreate",
            "text": "箱が潰れた状態で届きました。写真を送ります https://t.co/Bx8pQ2mZkd",
        }
    ]
    assert "includes" not in body and set(body["meta"]) == {"result_count", "next_token"}
    status, body = fake_dm_read(api, token, event_types="ParticipantsJoin")
    assert (status, body) == (200, {"meta": {"result_count": 0}})


@pytest.mark.parametrize(
    "params",
    [
        {"since_id": PHOTO_DM},  # the DM lookup has no since_id
        {"max_results": "0"},
        {"max_results": "101"},
        {"event_types": "MessageRead"},
        {"dm_event.fields": "text,colour"},
        {"expansions": "author_id"},
        {"pagination_token": "short"},
        {"pagination_token": "bm9wZS1ub3BlLW5vcGUtbm9wZQ"},
    ],
)
def test_fake_dm_lookup_refuses_what_x_refuses(params: dict[str, str]) -> None:
    api = seeded_api()
    status, _ = fake_dm_read(api, api.issue_user_tokens(ACCOUNT_ID).access_token, **params)
    assert status == 400


def test_fake_page_tokens_belong_to_their_user() -> None:
    api = seeded_api()
    status, body = fake_dm_read(api, api.issue_user_tokens(ACCOUNT_ID).access_token, max_results="1")
    assert status == 200
    other = api.issue_user_tokens(SAM).access_token
    assert fake_dm_read(api, other, pagination_token=body["meta"]["next_token"])[0] == 400


def test_fake_without_user_tokens_lets_any_token_read_every_dm() -> None:
    api = seeded_api(user_tokens=False)
    status, body = fake_dm_read(api, "whatever")
    assert status == 200 and body["meta"]["result_count"] == 5
    assert api.handle("GET", "/2/users/me", {}, {"authorization": "Bearer whatever"})[0] == 401  # type: ignore[index]
    assert api.handle("GET", "/2/dm_events", {}, {})[0] == 401  # type: ignore[index]


def test_fake_token_endpoint_refuses_malformed_requests() -> None:
    api = seeded_api()
    refresh = api.issue_user_tokens(ACCOUNT_ID).refresh_token
    basic = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    form = {"content-type": "application/x-www-form-urlencoded", "authorization": basic}

    def post(headers: dict[str, str], body: str) -> tuple[int, dict[str, Any]]:
        answer = api.handle("POST", "/2/oauth2/token", {}, headers, body=body.encode())
        assert answer is not None
        return answer[0], answer[1]

    assert post({**form, "content-type": "application/json"}, "{}")[0] == 400
    assert post(form, f"grant_type=refresh_token&refresh_token={refresh}&refresh_token=x")[0] == 400
    assert post(form, f"grant_type=authorization_code&code={refresh}")[1]["error"] == "unsupported_grant_type"
    assert post({**form, "authorization": "Basic !!"}, f"grant_type=refresh_token&refresh_token={refresh}")[0] == 401
    # none of those spent the token
    status, body = post(form, f"grant_type=refresh_token&refresh_token={refresh}&client_id={CLIENT_ID}")
    assert status == 200 and set(body) == {"token_type", "expires_in", "access_token", "scope", "refresh_token"}
    assert body["token_type"] == "bearer" and body["expires_in"] == 7200 and "dm.read" in body["scope"].split()
    assert api.handle("GET", "/2/oauth2/token", {}, {}) is None


def test_fake_add_dm_checks_its_input() -> None:
    api = FakeXApi()
    sender = {"id": SAM, "username": "sam_k"}
    one_to_one = f"{SAM}-{ACCOUNT_ID}"
    for event, problem in (
        ({"id": "x1", "dm_conversation_id": one_to_one}, "numeric string id"),
        ({"id": "2124790200000000001"}, "needs dm_conversation_id"),
        ({"id": "2124790200000000001", "dm_conversation_id": f"{TARO}-{ACCOUNT_ID}"}, "not a participant"),
        ({"id": "2124790200000000001", "dm_conversation_id": one_to_one, "sender_id": TARO}, "sender_id is not"),
        ({"id": "2124790200000000001", "dm_conversation_id": "1582838499983564806"}, "needs dm_conversation_id"),
        ({"id": "2124790200000000001", "dm_conversation_id": one_to_one, "event_type": "Typing"}, "event type"),
    ):
        with pytest.raises(ValueError, match=problem):
            api.add_dm(event, sender)
    with pytest.raises(ValueError, match="numeric string id"):
        api.issue_user_tokens("@acme_help")
