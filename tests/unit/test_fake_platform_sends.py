"""The local fakes accept sends like the real APIs: FakeXApi and FakeMetaGraph driven through `handle`, and
the real senders of replies.platforms talking to them (and to FakePlatforms through Gateway.dispatch) via a
tiny in-process session, so senders and fakes are held to the same shapes. No sockets."""

import json
import threading
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
from mentiondesk.channels.x_api import XApiClient, parse_dm_page
from mentiondesk.local.fake_meta import FakeMetaGraph
from mentiondesk.local.fake_x import MAX_POST_LENGTH, POST_WINDOW_LIMIT, FakeXApi
from mentiondesk.local.gateway import FakePlatforms, Gateway
from mentiondesk.replies.lint import weighted_length
from mentiondesk.replies.platforms import (
    GoogleSender,
    MetaSender,
    SendAmbiguous,
    SendRateLimited,
    SendRefused,
    SendRequest,
    Sent,
    XSender,
)
from requests.structures import CaseInsensitiveDict

pytestmark = pytest.mark.unit

NOW = 1_795_424_400.0  # 2026-11-23T09:00:00Z
DAY = 86_400
X_BASE = "https://api.x.test"
GRAPH_BASE = "https://graph.facebook.test/v26.0"
APP_TOKEN = "app-only-bearer-token"
ACCOUNT, CUSTOMER, OTHER = "900000000000000001", "2000000000000000301", "2000000000000000302"
CUSTOMER_POST, OTHER_POST = "2124790053069651975", "2124790053069651999"
IG_ACCOUNT, FB_PAGE = "17841455500000001", "105000000000001"
IG_COMMENT, FB_COMMENT = "17944400000000001", "800000000000001_900000000000001"
IGSID, PSID = "5511000000000031", "7000000000000001"
IG_TOKEN, FB_TOKEN = "IGAA-token-for-tests", "EAAG-page-token-for-tests"
LOCATION = "accounts/1234567890/locations/987654321"
REVIEW = f"{LOCATION}/reviews/AbFvOqkWQ1"

Answer = tuple[int, dict[str, Any], dict[str, str]]


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Response:
    def __init__(self, status: int, body: Any, headers: dict[str, str]) -> None:
        self.status_code = status
        self._text = json.dumps(body)  # what crossed the wire
        self.headers = CaseInsensitiveDict(headers)

    def json(self) -> Any:
        return json.loads(self._text)


class HandleSession:
    """requests.Session.request answered by a fake's `handle` in-process. The fake runs on a thread, so a
    fake that keeps its answer longer than `timeout` produces the ReadTimeout requests would raise."""

    def __init__(self, handle: Callable[..., Answer | None], base: str) -> None:
        self.handle = handle
        self.base = base
        self.requests: list[dict[str, Any]] = []

    def request(self, method: str, url: str, *, data: bytes, headers: dict[str, str], timeout: float) -> Response:
        assert url.startswith(self.base)
        parts = urlsplit(url)
        self.requests.append({"method": method, "path": parts.path, "headers": headers, "body": data})
        answers: list[Answer | None] = []
        query = dict(parse_qsl(parts.query))
        worker = threading.Thread(
            target=lambda: answers.append(self.handle(method, parts.path, query, headers, body=data)), daemon=True
        )
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise requests.ReadTimeout(f"Read timed out. (read timeout={timeout})")
        (answer,) = answers
        assert answer is not None, f"the fake does not serve {method} {parts.path}"
        return Response(*answer)


class GatewaySession:
    """requests.Session.request answered by the local gateway's dispatch (the /_fake/ routes), in-process."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def request(self, method: str, url: str, *, data: bytes, headers: dict[str, str], timeout: float) -> Response:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        status, response_headers, payload = self.gateway.dispatch(
            method, target, list(headers.items()), data, "127.0.0.1"
        )
        return Response(status, json.loads(payload), response_headers)


def x_api(clock: Clock | None = None, **options: Any) -> FakeXApi:
    """The fake with two customers' posts: CUSTOMER_POST (a mention of us) and OTHER_POST (a reply to it)."""
    api = FakeXApi(clock=clock or Clock(), bearer_token=APP_TOKEN, **options)
    customer = {"id": CUSTOMER, "username": "aoi_tanaka", "name": "田中 葵"}
    other = {"id": OTHER, "username": "sam_makes_tea", "name": "Sam"}
    mention = {"id": CUSTOMER_POST, "text": "@ourbrand 届いたケトルが動きません", "conversation_id": CUSTOMER_POST}
    api.add_post({**mention, "created_at": "2026-11-23T08:00:00.000Z"}, customer)
    answer = {
        "id": OTHER_POST,
        "text": "@aoi_tanaka same here",
        "conversation_id": CUSTOMER_POST,
        "in_reply_to_user_id": CUSTOMER,
        "referenced_tweets": [{"type": "replied_to", "id": CUSTOMER_POST}],
        "created_at": "2026-11-23T08:10:00.000Z",
    }
    api.add_post(answer, other)
    return api


def x_write(api: FakeXApi, method: str, path: str, body: Any, token: str | None) -> Answer:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = api.handle(method, path, {}, headers, body=json.dumps(body).encode())
    assert answer is not None
    return answer


def x_sender(api: FakeXApi, token: str, timeout: float = 2.0) -> XSender:
    session = HandleSession(api.handle, X_BASE)
    return XSender(lambda _account: token, base_url=X_BASE, session=session, timeout=timeout, clock=Clock())


def reply(text: str = "田中様、ご不便をおかけしております。担当の佐藤です", **changes: Any) -> SendRequest:
    fields: dict[str, Any] = {
        "operation": "reply",
        "platform": "x",
        "account_id": ACCOUNT,
        "mode": "public",
        "target_id": CUSTOMER_POST,
        "text": text,
    }
    return SendRequest(**{**fields, **changes})


def dm(text: str = "ご注文番号をお知らせください", **changes: Any) -> SendRequest:
    return reply(text, **{"mode": "dm", "target_id": None, "recipient_id": CUSTOMER, **changes})


def hide(post: str = OTHER_POST, hidden: bool = True) -> SendRequest:
    return SendRequest(operation="hide_comment", platform="x", account_id=ACCOUNT, target_id=post, hidden=hidden)


# -- the weighted length --------------------------------------------------------------------------


def test_fake_x_counts_length_with_the_composers_counter() -> None:
    # Given a post of 272 characters whose bare domain counts as a 23-character link (284 weighted)
    api = x_api()
    token = api.issue_user_tokens(ACCOUNT).access_token
    text = "a" * 260 + " example.com"
    assert len(text) <= MAX_POST_LENGTH < weighted_length(text) == 284
    # When it is posted, then shortened below the limit
    too_long = x_write(api, "POST", "/2/tweets", {"text": text}, token)
    fits = x_write(api, "POST", "/2/tweets", {"text": "a" * 250 + " example.com"}, token)
    # Then X's count decides, as the composer's does
    assert (too_long[0], fits[0]) == (400, 201)


# -- fake X: posting ------------------------------------------------------------------------------


def test_fake_x_creates_a_reply_as_the_tokens_user_and_serves_it_as_our_own_post() -> None:
    # Given an account connected to the fake
    api = x_api()
    token = api.issue_user_tokens(ACCOUNT).access_token
    # When it replies to the customer's post
    status, body, headers = x_write(
        api,
        "POST",
        "/2/tweets",
        {"text": "田中様、確認します", "reply": {"in_reply_to_tweet_id": CUSTOMER_POST}},
        token,
    )
    # Then X's 201 with the new id, and the rate window's headers
    assert status == 201
    new_id = body["data"]["id"]
    assert body == {"data": {"id": new_id, "text": "田中様、確認します", "edit_history_tweet_ids": [new_id]}}
    assert int(new_id) > int(OTHER_POST) and headers["x-rate-limit-limit"] == str(POST_WINDOW_LIMIT)
    assert headers["x-rate-limit-remaining"] == str(POST_WINDOW_LIMIT - 1)
    # And the post is in the fake's timelines, in the customer's thread, as ours (the poller skips it)
    client = XApiClient(lambda: APP_TOKEN, base_url=X_BASE, session=_GetSession(api), clock=Clock())
    page = client.search_recent(ACCOUNT, "確認します")
    assert page.post_ids == [new_id] and page.skipped["own_post"] == 1
    assert api.sent == [
        {
            "kind": "post",
            "account": ACCOUNT,
            "text": "田中様、確認します",
            "target": CUSTOMER_POST,
            "id": new_id,
            "at": "2026-11-23T09:00:00.000Z",
        }
    ]


class _GetSession:
    def __init__(self, api: FakeXApi) -> None:
        self.api = api

    def get(self, url: str, params: dict[str, Any], headers: dict[str, str], timeout: float) -> Response:
        answer = self.api.handle("GET", urlsplit(url).path, {k: str(v) for k, v in params.items()}, headers)
        assert answer is not None
        return Response(*answer)


@pytest.mark.parametrize(
    ("token", "status", "problem"),
    [
        (None, 401, "about:blank"),
        ("not-a-token-this-fake-issued", 401, "about:blank"),
        (APP_TOKEN, 403, "https://api.twitter.com/2/problems/unsupported-authentication"),
    ],
)
def test_fake_x_posts_only_with_a_user_token(token: str | None, status: int, problem: str) -> None:
    api = x_api()
    answer = x_write(api, "POST", "/2/tweets", {"text": "hello"}, token)
    assert (answer[0], answer[1]["type"]) == (status, problem)
    assert api.sent == []


def test_fake_x_refuses_expired_and_revoked_tokens() -> None:
    clock = Clock()
    api = x_api(clock)
    expired = api.issue_user_tokens(ACCOUNT).access_token
    clock.now += 7200
    assert x_write(api, "POST", "/2/tweets", {"text": "late"}, expired)[0] == 401
    revoked = api.issue_user_tokens(ACCOUNT).access_token
    api.revoke_user_tokens(ACCOUNT)
    assert x_write(api, "POST", "/2/tweets", {"text": "gone"}, revoked)[0] == 401


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({}, 400, "One or more parameters to your request was invalid."),
        ({"text": "  "}, 400, "One or more parameters to your request was invalid."),
        ({"text": "hi", "colour": "red"}, 400, "One or more parameters to your request was invalid."),
        (
            {"text": "hi", "reply": {"in_reply_to_tweet_id": 42}},
            400,
            "One or more parameters to your request was invalid.",
        ),
        (
            {"text": "hi", "reply": {"in_reply_to_tweet_id": "2124790053069600000"}},
            403,
            "You attempted to reply to a Tweet that is deleted or not visible to you.",
        ),
        ({"text": "a" * (MAX_POST_LENGTH + 1)}, 400, "Your Tweet text is too long."),
        ({"text": "あ" * 141}, 400, "Your Tweet text is too long."),
    ],
)
def test_fake_x_refuses_posts_x_would_refuse(body: dict[str, Any], status: int, detail: str) -> None:
    api = x_api()
    token = api.issue_user_tokens(ACCOUNT).access_token
    answer = x_write(api, "POST", "/2/tweets", body, token)
    assert answer[0] == status and answer[1]["detail"].startswith(detail)
    assert api.sent == []


def test_fake_x_takes_a_full_length_japanese_post_and_refuses_its_duplicate() -> None:
    # Given a 280-weighted post (140 CJK characters)
    api = x_api()
    token = api.issue_user_tokens(ACCOUNT).access_token
    other_token = api.issue_user_tokens(CUSTOMER).access_token
    text = "あ" * 140
    assert x_write(api, "POST", "/2/tweets", {"text": text}, token)[0] == 201
    # When the same account posts it again
    status, body, _ = x_write(api, "POST", "/2/tweets", {"text": text}, token)
    # Then X's duplicate-content 403; another account may post the same words
    assert (status, body["detail"]) == (403, "You are not allowed to create a Tweet with duplicate content.")
    assert x_write(api, "POST", "/2/tweets", {"text": text}, other_token)[0] == 201
    assert [s["account"] for s in api.sent] == [ACCOUNT, CUSTOMER]


def test_fake_x_limits_posts_per_user_per_window() -> None:
    # Given an account that used its window
    clock = Clock()
    api = x_api(clock)
    token = api.issue_user_tokens(ACCOUNT).access_token
    for n in range(POST_WINDOW_LIMIT):
        assert x_write(api, "POST", "/2/tweets", {"text": f"reply {n}"}, token)[0] == 201
    # When it posts once more
    status, _, headers = x_write(api, "POST", "/2/tweets", {"text": "one too many"}, token)
    # Then 429 until the window resets; another user's window is its own
    assert (status, headers["x-rate-limit-remaining"]) == (429, "0")
    assert headers["x-rate-limit-reset"] == str(int(NOW) + 900)
    assert x_write(api, "POST", "/2/tweets", {"text": "mine"}, api.issue_user_tokens(OTHER).access_token)[0] == 201
    clock.now += 900
    assert x_write(api, "POST", "/2/tweets", {"text": "one too many"}, token)[0] == 201


# -- fake X: DMs and hiding -----------------------------------------------------------------------


def test_fake_x_sends_a_dm_into_the_one_to_one_conversation() -> None:
    # Given a connected account
    api = x_api()
    token = api.issue_user_tokens(ACCOUNT).access_token
    # When it DMs the customer
    status, body, _ = x_write(
        api, "POST", f"/2/dm_conversations/with/{CUSTOMER}/messages", {"text": "DMで失礼します"}, token
    )
    # Then the conversation id is the two ids, smaller first, and the event is served as our own DM
    assert status == 201
    assert body["data"]["dm_conversation_id"] == f"{ACCOUNT}-{CUSTOMER}"
    event_id = body["data"]["dm_event_id"]
    read = api.handle(
        "GET", "/2/dm_events", {"dm_event.fields": "sender_id,dm_conversation_id"}, {"Authorization": f"Bearer {token}"}
    )
    assert read is not None and read[0] == 200
    page = parse_dm_page(read[1], ACCOUNT)
    assert page.post_ids == [event_id] and page.skipped["own_dm"] == 1
    assert api.sent[-1] | {"at": None} == {
        "kind": "dm",
        "account": ACCOUNT,
        "text": "DMで失礼します",
        "target": CUSTOMER,
        "id": event_id,
        "at": None,
    }


@pytest.mark.parametrize(
    ("participant", "body"),
    [(ACCOUNT, {"text": "me"}), ("@aoi", {"text": "x"}), (CUSTOMER, {"text": ""}), (CUSTOMER, {"message": "x"})],
)
def test_fake_x_refuses_dms_x_would_refuse(participant: str, body: dict[str, Any]) -> None:
    api = x_api()
    token = api.issue_user_tokens(ACCOUNT).access_token
    assert x_write(api, "POST", f"/2/dm_conversations/with/{participant}/messages", body, token)[0] == 400


def test_fake_x_hides_only_replies_in_our_own_conversations() -> None:
    # Given our reply to the customer, and a customer's answer to our reply
    api = x_api()
    token = api.issue_user_tokens(ACCOUNT).access_token
    ours = x_write(api, "POST", "/2/tweets", {"text": "ours", "reply": {"in_reply_to_tweet_id": CUSTOMER_POST}}, token)
    ours_id = ours[1]["data"]["id"]
    customer = {"id": CUSTOMER, "username": "aoi_tanaka"}
    answer = {
        "id": "2124790053069652999",
        "text": "thanks",
        "conversation_id": ours_id,
        "in_reply_to_user_id": ACCOUNT,
        "referenced_tweets": [{"type": "replied_to", "id": ours_id}],
    }
    api.add_post(answer, customer)
    # When the account hides, then unhides, the answer to its post
    hidden = x_write(api, "PUT", "/2/tweets/2124790053069652999/hidden", {"hidden": True}, token)
    assert hidden[:2] == (200, {"data": {"hidden": True}}) and api.is_hidden("2124790053069652999")
    shown = x_write(api, "PUT", "/2/tweets/2124790053069652999/hidden", {"hidden": False}, token)
    assert shown[:2] == (200, {"data": {"hidden": False}}) and not api.is_hidden("2124790053069652999")
    # Then a reply in someone else's conversation, our own post, an unknown post and a bad body are refused
    assert x_write(api, "PUT", f"/2/tweets/{OTHER_POST}/hidden", {"hidden": True}, token)[0] == 403
    assert x_write(api, "PUT", f"/2/tweets/{ours_id}/hidden", {"hidden": True}, token)[0] == 403
    assert x_write(api, "PUT", "/2/tweets/2124790053069600000/hidden", {"hidden": True}, token)[0] == 404
    assert x_write(api, "PUT", "/2/tweets/2124790053069652999/hidden", {"hidden": "yes"}, token)[0] == 400
    assert [s["kind"] for s in api.sent] == ["post", "hide", "hide"]


# -- fake X: faults -------------------------------------------------------------------------------


def test_fake_x_fail_next_still_answers_the_next_call_including_writes() -> None:
    api = x_api()
    token = api.issue_user_tokens(ACCOUNT).access_token
    api.fail_next(503)
    assert x_write(api, "POST", "/2/tweets", {"text": "hello"}, token)[0] == 503
    assert x_write(api, "POST", "/2/tweets", {"text": "hello"}, token)[0] == 201


@pytest.mark.parametrize(
    ("kind", "status", "stored"),
    [
        ("rate_limit", 429, False),
        ("server_error", 500, False),
        ("accept_then_error", 503, True),
        ("accept_then_hang", 201, True),
    ],
)
def test_fake_x_faults_answer_and_store_as_named(kind: Any, status: int, stored: bool) -> None:
    # Given a fault on the next write (and not on reads)
    api = x_api()
    token = api.issue_user_tokens(ACCOUNT).access_token
    api.fault_next(kind, hang_seconds=0.01)
    read = api.handle("GET", "/2/tweets/search/recent", {"query": "ケトル"}, {"Authorization": f"Bearer {APP_TOKEN}"})
    assert read is not None and read[0] == 200
    # When a post is created
    answer = x_write(api, "POST", "/2/tweets", {"text": "hello"}, token)
    # Then the answer, and what reached X, are the fault's
    assert answer[0] == status
    assert len(api.sent) == (1 if stored else 0)
    if kind == "rate_limit":
        assert answer[2]["x-rate-limit-remaining"] == "0"
    with pytest.raises(ValueError, match="unknown fault kind"):
        api.fault_next(cast(Any, "meltdown"))


# -- the X sender over the fake -------------------------------------------------------------------


def test_x_sender_and_fake_agree_on_every_x_call() -> None:
    # Given a connected account
    api = x_api()
    token = api.issue_user_tokens(ACCOUNT).access_token
    sender = x_sender(api, token)
    # When it replies in public, DMs and hides a reply to its own post
    posted = sender.send(reply())
    messaged = sender.send(dm())
    api.add_post(
        {
            "id": "2124790053069652999",
            "text": "ok",
            "in_reply_to_user_id": ACCOUNT,
            "conversation_id": posted.platform_id,
        },
        {"id": CUSTOMER, "username": "aoi_tanaka"},
    )
    hidden = sender.send(hide("2124790053069652999"))
    shown = sender.send(hide("2124790053069652999", hidden=False))
    # Then each came back as the fake stored it
    ids = [s["id"] for s in api.sent]
    assert posted == Sent(ids[0], f"https://x.com/i/web/status/{ids[0]}")
    assert messaged == Sent(ids[1])
    assert (hidden.platform_id, shown.platform_id) == ("2124790053069652999:hidden", "2124790053069652999:visible")
    assert [s["kind"] for s in api.sent] == ["post", "dm", "hide", "hide"]


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        (reply(target_id="2124790053069600000"), "target_unavailable"),
        (reply(text="a" * 281), "http_400"),
    ],
)
def test_x_sender_reads_the_fakes_refusals(request_: SendRequest, code: str) -> None:
    api = x_api()
    sender = x_sender(api, api.issue_user_tokens(ACCOUNT).access_token)
    with pytest.raises(SendRefused) as caught:
        sender.send(request_)
    assert caught.value.code == code and api.sent == []


def test_x_sender_a_duplicate_is_refused_and_tokens_x_does_not_take_are_refused() -> None:
    api = x_api()
    token = api.issue_user_tokens(ACCOUNT).access_token
    x_sender(api, token).send(reply("same words"))
    with pytest.raises(SendRefused) as duplicate:
        x_sender(api, token).send(reply("same words"))
    with pytest.raises(SendRefused) as app_only:
        x_sender(api, APP_TOKEN).send(reply("other words"))
    api.revoke_user_tokens(ACCOUNT)
    with pytest.raises(SendRefused) as revoked:
        x_sender(api, token).send(reply("more words"))
    assert (duplicate.value.code, app_only.value.code, revoked.value.code) == (
        "duplicate",
        "unsupported-authentication",
        "token_expired",
    )
    assert len(api.sent) == 1


def test_x_sender_rate_limit_fault_is_rate_limited_until_the_windows_reset() -> None:
    api = x_api()
    sender = x_sender(api, api.issue_user_tokens(ACCOUNT).access_token)
    api.fault_next("rate_limit")
    with pytest.raises(SendRateLimited) as caught:
        sender.send(reply())
    assert caught.value.not_before == int(NOW) + 900 and api.sent == []


def test_x_sender_server_error_is_ambiguous_though_nothing_was_stored() -> None:
    api = x_api()
    sender = x_sender(api, api.issue_user_tokens(ACCOUNT).access_token)
    api.fault_next("server_error")
    with pytest.raises(SendAmbiguous) as caught:
        sender.send(reply())
    assert caught.value.safe_to_retry is False and api.sent == []


def test_x_sender_accept_then_error_is_ambiguous_and_the_post_is_at_x() -> None:
    # Given X that stores the post, then answers 503
    api = x_api()
    sender = x_sender(api, api.issue_user_tokens(ACCOUNT).access_token)
    api.fault_next("accept_then_error")
    # When the reply is sent
    with pytest.raises(SendAmbiguous) as caught:
        sender.send(reply())
    # Then it may not be sent again, and indeed it reached X
    assert caught.value.safe_to_retry is False
    assert [s["kind"] for s in api.sent] == ["post"]


def test_x_sender_accept_then_hang_times_out_ambiguously_and_the_post_is_at_x() -> None:
    # Given X that stores the post, then answers only after the client gave up
    api = x_api()
    sender = x_sender(api, api.issue_user_tokens(ACCOUNT).access_token, timeout=0.05)
    api.fault_next("accept_then_hang", hang_seconds=0.5)
    # When the reply is sent
    with pytest.raises(SendAmbiguous) as caught:
        sender.send(reply())
    # Then the sender could not know; X has it
    assert caught.value.safe_to_retry is False and [s["kind"] for s in api.sent] == ["post"]


def test_x_sender_hide_after_an_ambiguous_answer_may_be_repeated() -> None:
    api = x_api()
    token = api.issue_user_tokens(ACCOUNT).access_token
    sender = x_sender(api, token)
    posted = sender.send(reply())
    api.add_post(
        {
            "id": "2124790053069652999",
            "text": "ok",
            "in_reply_to_user_id": ACCOUNT,
            "conversation_id": posted.platform_id,
        },
        {"id": CUSTOMER, "username": "aoi_tanaka"},
    )
    api.fault_next("accept_then_error")
    with pytest.raises(SendAmbiguous) as caught:
        sender.send(hide("2124790053069652999"))
    assert caught.value.safe_to_retry is True
    assert sender.send(hide("2124790053069652999")) == Sent(
        "2124790053069652999:hidden", "https://x.com/i/web/status/2124790053069652999"
    )


# -- fake Meta ------------------------------------------------------------------------------------


def graph(clock: Clock | None = None) -> FakeMetaGraph:
    """The fake with a comment on our Instagram post and one on our Facebook Page, both just written."""
    fake = FakeMetaGraph(tokens={IG_ACCOUNT: IG_TOKEN, FB_PAGE: FB_TOKEN}, clock=clock or Clock())
    fake.add_comment(IG_ACCOUNT, IG_COMMENT, platform="instagram", text="届きません", from_id=IGSID)
    fake.add_comment(FB_PAGE, FB_COMMENT, platform="facebook", text="Where is my order?", from_id=PSID)
    return fake


def graph_post(
    fake: FakeMetaGraph, path: str, params: dict[str, Any], token: str | None, *, form: bool = False
) -> Answer:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if form:
        encoded = {
            k: json.dumps(v) if isinstance(v, dict) else str(v).lower() if isinstance(v, bool) else v
            for k, v in params.items()
        }
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode(encoded).encode()
    else:
        headers["Content-Type"] = "application/json"
        body = json.dumps(params).encode()
    answer = fake.handle("POST", f"/v26.0{path}", {}, headers, body=body)
    assert answer is not None
    return answer


def error_of(answer: Answer) -> tuple[int, int | None, int | None]:
    error = answer[1]["error"]
    return answer[0], error.get("code"), error.get("error_subcode")


@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
def test_fake_meta_public_replies_on_each_platforms_edge(form: bool) -> None:
    fake = graph()
    ig = graph_post(fake, f"/{IG_COMMENT}/replies", {"message": "ご連絡ありがとうございます"}, IG_TOKEN, form=form)
    fb = graph_post(fake, f"/{FB_COMMENT}/comments", {"message": "Thanks, checking now"}, FB_TOKEN, form=form)
    assert ig[0] == fb[0] == 200
    assert ig[1]["id"].isdigit() and fb[1]["id"].startswith("800000000000001_")
    assert fake.comment(ig[1]["id"]) is not None and fake.comment(ig[1]["id"])["parent_id"] == IG_COMMENT  # type: ignore[index]
    assert [(s["kind"], s["platform"], s["target"]) for s in fake.sent] == [
        ("comment", "instagram", IG_COMMENT),
        ("comment", "facebook", FB_COMMENT),
    ]
    # The wrong edge for the platform, an unknown comment, no message, a token of another account
    assert error_of(graph_post(fake, f"/{IG_COMMENT}/comments", {"message": "x"}, IG_TOKEN))[:2] == (400, 2500)
    assert error_of(graph_post(fake, "/17944400000000099/replies", {"message": "x"}, IG_TOKEN)) == (400, 100, 33)
    assert error_of(graph_post(fake, f"/{IG_COMMENT}/replies", {"message": " "}, IG_TOKEN))[:2] == (400, 100)
    assert error_of(graph_post(fake, f"/{IG_COMMENT}/replies", {"message": "x"}, FB_TOKEN))[:2] == (400, 190)
    assert error_of(graph_post(fake, f"/{IG_COMMENT}/replies", {"message": "x"}, None))[:2] == (401, 190)
    assert len(fake.sent) == 2


def test_fake_meta_accepts_the_token_as_a_parameter_and_the_log_leaves_it_out(
    local: tuple[FakePlatforms, GatewaySession],
) -> None:
    # Given the gateway's fakes with a comment on our post
    fakes, session = local
    fakes.meta_graph.add_comment(IG_ACCOUNT, IG_COMMENT, from_id=IGSID)
    # When a reply carries its token as a form parameter (Graph takes that too)
    body = urlencode({"message": "hi", "access_token": IG_TOKEN}).encode()
    url = f"http://127.0.0.1:3000/_fake/meta/v26.0/{IG_COMMENT}/replies"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = session.request("POST", url, data=body, headers=form, timeout=1)
    # Then it is accepted, and neither the outbound log nor the fake's records hold the token
    assert answer.status_code == 200
    assert fakes.calls[-1]["body"] == {"message": "hi"}
    assert IG_TOKEN not in json.dumps([fakes.calls, fakes.meta_graph.sent, fakes.meta_graph.calls])


def test_fake_meta_private_reply_once_per_comment_within_seven_days() -> None:
    clock = Clock()
    fake = graph(clock)
    message = {"recipient": {"comment_id": IG_COMMENT}, "message": {"text": "詳しくはDMで"}}
    # The first private reply reaches the commenter
    first = graph_post(fake, f"/{IG_ACCOUNT}/messages", message, IG_TOKEN)
    assert first[0] == 200 and first[1]["recipient_id"] == IGSID and first[1]["message_id"].startswith("m_")
    # A second is refused: Instagram's 10/2534025, Facebook's 10900
    assert error_of(graph_post(fake, f"/{IG_ACCOUNT}/messages", message, IG_TOKEN)) == (400, 10, 2534025)
    fb_message = {"recipient": {"comment_id": FB_COMMENT}, "message": {"text": "Sent you a DM"}}
    assert graph_post(fake, f"/{FB_PAGE}/messages", fb_message, FB_TOKEN, form=True)[0] == 200
    assert error_of(graph_post(fake, f"/{FB_PAGE}/messages", fb_message, FB_TOKEN)) == (400, 10900, None)
    # A comment of another account is not this account's to answer; one older than 7 days is too late
    assert error_of(graph_post(fake, f"/{FB_PAGE}/messages", message, FB_TOKEN)) == (400, 100, 33)
    fake.add_comment(FB_PAGE, "800000000000001_900000000000002", platform="facebook", at=NOW - 8 * DAY)
    late = {"recipient": {"comment_id": "800000000000001_900000000000002"}, "message": {"text": "late"}}
    assert error_of(graph_post(fake, f"/{FB_PAGE}/messages", late, FB_TOKEN)) == (400, 10, 2018278)
    assert [s["kind"] for s in fake.sent] == ["private_reply", "private_reply"]


@pytest.mark.parametrize(
    ("platform", "account", "user", "token", "subcode"),
    [("instagram", IG_ACCOUNT, IGSID, IG_TOKEN, 2534022), ("facebook", FB_PAGE, PSID, FB_TOKEN, 2018278)],
)
def test_fake_meta_dms_keep_the_messaging_window(
    platform: Any, account: str, user: str, token: str, subcode: int
) -> None:
    # Given a customer who messaged 23 hours ago
    clock = Clock()
    fake = graph(clock)
    fake.customer_messaged(account, user, platform=platform, at=NOW - 23 * 3600)
    response = {"recipient": {"id": user}, "messaging_type": "RESPONSE", "message": {"text": "Hello"}}
    tagged = {**response, "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
    # Then a response goes out within 24 h
    sent = graph_post(fake, f"/{account}/messages", response, token)
    assert sent[0] == 200 and sent[1]["recipient_id"] == user
    # After 24 h only a person's reply (HUMAN_AGENT) goes, and after 7 days nothing does
    clock.now += 2 * 3600
    assert error_of(graph_post(fake, f"/{account}/messages", response, token)) == (400, 10, subcode)
    assert graph_post(fake, f"/{account}/messages", tagged, token, form=True)[0] == 200
    clock.now += 7 * DAY
    assert error_of(graph_post(fake, f"/{account}/messages", tagged, token)) == (400, 10, subcode)
    # Someone who never messaged us cannot be reached
    stranger = {**response, "recipient": {"id": "5511000000000099"}}
    assert error_of(graph_post(fake, f"/{account}/messages", stranger, token)) == (400, 100, 2018001)
    assert [s["kind"] for s in fake.sent] == ["dm", "dm"]


def test_fake_meta_add_sender_opens_the_window() -> None:
    fake = graph()
    fake.add_sender(PSID, first_name="Sam")
    response = {"recipient": {"id": PSID}, "messaging_type": "RESPONSE", "message": {"text": "Hi Sam"}}
    assert graph_post(fake, f"/{FB_PAGE}/messages", response, FB_TOKEN)[0] == 200


def test_fake_meta_hides_with_each_platforms_parameter() -> None:
    fake = graph()
    assert graph_post(fake, f"/{IG_COMMENT}", {"hide": True}, IG_TOKEN, form=True)[:2] == (200, {"success": True})
    assert graph_post(fake, f"/{FB_COMMENT}", {"is_hidden": True}, FB_TOKEN)[:2] == (200, {"success": True})
    assert fake.comment(IG_COMMENT)["hidden"] and fake.comment(FB_COMMENT)["hidden"]  # type: ignore[index]
    assert graph_post(fake, f"/{IG_COMMENT}", {"hide": "false"}, IG_TOKEN, form=True)[0] == 200
    assert not fake.comment(IG_COMMENT)["hidden"]  # type: ignore[index]
    assert error_of(graph_post(fake, f"/{IG_COMMENT}", {"is_hidden": True}, IG_TOKEN))[:2] == (400, 100)
    assert error_of(graph_post(fake, "/17944400000000099", {"hide": True}, IG_TOKEN)) == (400, 100, 33)


@pytest.mark.parametrize(
    ("kind", "status", "code", "stored"),
    [
        ("rate_limit", 400, 4, False),
        ("server_error", 500, 2, False),
        ("accept_then_error", 503, 2, True),
        ("accept_then_hang", 200, None, True),
    ],
)
def test_fake_meta_faults_answer_and_store_as_named(kind: Any, status: int, code: int | None, stored: bool) -> None:
    fake = graph()
    fake.fault_next(kind, hang_seconds=0.01)
    answer = graph_post(fake, f"/{IG_COMMENT}/replies", {"message": "hi"}, IG_TOKEN)
    assert answer[0] == status and answer[1].get("error", {}).get("code") == code
    assert len(fake.sent) == (1 if stored else 0)


# -- the Meta sender over the fake ----------------------------------------------------------------


def meta_sender(fake: FakeMetaGraph, timeout: float = 2.0) -> MetaSender:
    tokens = {IG_ACCOUNT: IG_TOKEN, FB_PAGE: FB_TOKEN}
    session = HandleSession(fake.handle, GRAPH_BASE)
    return MetaSender(tokens.get, base_url=GRAPH_BASE, session=session, timeout=timeout, clock=Clock())


def meta_request(platform: str, mode: str | None = "public", **changes: Any) -> SendRequest:
    instagram = platform == "instagram"
    fields: dict[str, Any] = {
        "operation": "reply",
        "platform": platform,
        "account_id": IG_ACCOUNT if instagram else FB_PAGE,
        "mode": mode,
        "target_id": IG_COMMENT if instagram else FB_COMMENT,
        "text": "ご不便をおかけしております",
    }
    return SendRequest(**{**fields, **changes})


@pytest.mark.parametrize("platform", ["instagram", "facebook"])
def test_meta_sender_and_fake_agree_on_every_meta_call(platform: str) -> None:
    # Given a comment, and the commenter who also messaged us
    fake = graph()
    user = IGSID if platform == "instagram" else PSID
    account = IG_ACCOUNT if platform == "instagram" else FB_PAGE
    fake.customer_messaged(account, user, platform=cast(Any, platform))
    sender = meta_sender(fake)
    # When the agent replies in public, privately, by DM (and as a person), and hides the comment
    public = sender.send(meta_request(platform))
    private = sender.send(meta_request(platform, "private_reply"))
    direct = sender.send(meta_request(platform, "dm", target_id=None, recipient_id=user))
    tagged = sender.send(meta_request(platform, "dm", target_id=None, recipient_id=user, human_agent=True))
    target = IG_COMMENT if platform == "instagram" else FB_COMMENT
    hidden = sender.send(
        SendRequest(operation="hide_comment", platform=cast(Any, platform), account_id=account, target_id=target)
    )
    # Then each came back as the fake stored it
    assert [s["kind"] for s in fake.sent] == ["comment", "private_reply", "dm", "dm", "hide"]
    assert [public, private, direct, tagged] == [Sent(s["id"]) for s in fake.sent[:4]]
    assert hidden == Sent(f"{target}:hidden") and fake.comment(target)["hidden"]  # type: ignore[index]


def test_meta_sender_reads_the_fakes_refusals() -> None:
    clock = Clock()
    fake = graph(clock)
    sender = meta_sender(fake)
    fake.customer_messaged(FB_PAGE, PSID, at=NOW - 2 * DAY)
    sender.send(meta_request("instagram", "private_reply"))
    refusals = {}
    for name, request_ in {
        "second_private_reply": meta_request("instagram", "private_reply"),
        "window": meta_request("facebook", "dm", target_id=None, recipient_id=PSID),
        "stranger": meta_request("facebook", "dm", target_id=None, recipient_id="7000000000000099"),
        "unknown_comment": meta_request("instagram", target_id="17944400000000099"),
    }.items():
        with pytest.raises(SendRefused) as caught:
            sender.send(request_)
        refusals[name] = caught.value.code
    assert refusals == {
        "second_private_reply": "already_replied",
        "window": "window_closed",
        "stranger": "recipient_unavailable",
        "unknown_comment": "not_found",
    }
    wrong_token = MetaSender(
        lambda _a: "EAAG-revoked", base_url=GRAPH_BASE, session=HandleSession(fake.handle, GRAPH_BASE)
    )
    with pytest.raises(SendRefused) as revoked:
        wrong_token.send(meta_request("instagram"))
    assert revoked.value.code == "token_expired"


@pytest.mark.parametrize(
    ("kind", "error", "stored"),
    [
        ("rate_limit", SendRateLimited, False),
        ("server_error", SendAmbiguous, False),
        ("accept_then_error", SendAmbiguous, True),
        ("accept_then_hang", SendAmbiguous, True),
    ],
)
def test_meta_sender_faults_become_the_promised_errors(kind: Any, error: type[Exception], stored: bool) -> None:
    # Given the fault on the next write
    fake = graph()
    fake.fault_next(kind, hang_seconds=0.5)
    # When a public reply is sent with a short time-out
    with pytest.raises(error) as caught:
        meta_sender(fake, timeout=0.05).send(meta_request("instagram"))
    # Then the sender's error says what the fake did
    if isinstance(caught.value, SendAmbiguous):
        assert caught.value.safe_to_retry is False
    if isinstance(caught.value, SendRateLimited):
        assert caught.value.not_before == int(NOW) + 60
    assert len(fake.sent) == (1 if stored else 0)


def test_meta_sender_hide_after_accept_then_error_may_be_repeated() -> None:
    fake = graph()
    sender = meta_sender(fake)
    fake.fault_next("accept_then_error")
    request_ = SendRequest(operation="hide_comment", platform="facebook", account_id=FB_PAGE, target_id=FB_COMMENT)
    with pytest.raises(SendAmbiguous) as caught:
        sender.send(request_)
    assert caught.value.safe_to_retry is True
    assert sender.send(request_) == Sent(f"{FB_COMMENT}:hidden")


def test_fake_meta_reads_are_unchanged_by_writes() -> None:
    # An account node's own POST is not served (the gateway answers Graph's "Unsupported post request")
    fake = graph()
    assert fake.handle("POST", f"/v26.0/{IG_ACCOUNT}", {}, {"Authorization": f"Bearer {IG_TOKEN}"}) is None


# -- FakePlatforms through the gateway ------------------------------------------------------------


@pytest.fixture
def local() -> tuple[FakePlatforms, GatewaySession]:
    fakes = FakePlatforms(clock=lambda: NOW)
    return fakes, GatewaySession(Gateway([], cast(Any, None), cast(Any, None), fakes))


def test_gateway_x_sends_reach_the_fake_and_are_recorded(local: tuple[FakePlatforms, GatewaySession]) -> None:
    # Given the local stack's fakes with the customer's post and a connected account
    fakes, session = local
    fakes.x_api.add_post({"id": CUSTOMER_POST, "text": "@ourbrand help"}, {"id": CUSTOMER, "username": "aoi"})
    token = fakes.x_api.issue_user_tokens(ACCOUNT).access_token
    sender = XSender(lambda _a: token, base_url="http://127.0.0.1:3000/_fake/x", session=session)
    # When the sender replies through the gateway
    sent = sender.send(reply("確認いたします"))
    # Then X has it and the outbound log shows the call (never the token)
    assert fakes.x_api.sent[0]["id"] == sent.platform_id
    (call,) = [c for c in fakes.calls if c["provider"] == "x"]
    assert (call["method"], call["path"], call["body"]) == (
        "POST",
        "/2/tweets",
        {"text": "確認いたします", "reply": {"in_reply_to_tweet_id": CUSTOMER_POST}},
    )
    assert token not in json.dumps(fakes.calls)
    assert fakes.x_api.calls == []  # the fake's `calls` are the reads the pollers made


def test_gateway_refuses_an_anonymous_post_and_still_records_it(local: tuple[FakePlatforms, GatewaySession]) -> None:
    fakes, session = local
    answer = session.request(
        "POST", "http://127.0.0.1:3000/_fake/x/2/tweets", data=b'{"text": "hi"}', headers={}, timeout=1
    )
    assert answer.status_code == 401
    assert fakes.calls[-1]["provider"] == "x" and fakes.calls[-1]["path"] == "/2/tweets"
    unknown = session.request("POST", "http://127.0.0.1:3000/_fake/x/2/lists", data=b"{}", headers={}, timeout=1)
    assert unknown.status_code == 404


def test_gateway_passes_meta_bodies_to_the_fake(local: tuple[FakePlatforms, GatewaySession]) -> None:
    fakes, session = local
    fakes.meta_graph.add_comment(FB_PAGE, FB_COMMENT, platform="facebook", from_id=PSID)
    sender = MetaSender(lambda _a: FB_TOKEN, base_url="http://127.0.0.1:3000/_fake/meta/v26.0", session=session)
    sent = sender.send(meta_request("facebook", "private_reply"))
    assert fakes.meta_graph.sent[0]["id"] == sent.platform_id
    (call,) = [c for c in fakes.calls if c["provider"] == "meta"]
    assert call["path"] == f"/v26.0/{FB_PAGE}/messages"
    assert call["body"]["recipient"] == {"comment_id": FB_COMMENT}
    unsupported = session.request(
        "DELETE", f"http://127.0.0.1:3000/_fake/meta/v26.0/{FB_COMMENT}", data=b"", headers={}, timeout=1
    )
    assert unsupported.status_code == 400 and unsupported.json()["error"]["code"] == 100


def test_gateway_google_review_reply_is_stored_on_the_review(local: tuple[FakePlatforms, GatewaySession]) -> None:
    # Given a review the fake Business Profile API serves
    fakes, session = local
    fakes.google_reviews[REVIEW] = {"name": REVIEW, "comment": "店員さんが親切でした", "starRating": "FIVE"}
    sender = GoogleSender(lambda: "ya29.token", base_url="http://127.0.0.1:3000/_fake/google", session=session)
    request_ = SendRequest(
        operation="reply",
        platform="google",
        account_id=LOCATION,
        mode="public",
        target_id=REVIEW,
        text="ありがとうございます",
    )
    # When it is answered twice (a PUT: the second replaces the first)
    assert sender.send(request_) == Sent(f"{REVIEW}/reply")
    assert sender.send(request_) == Sent(f"{REVIEW}/reply")
    # Then the review carries one reply, served with the review, and both calls are logged
    assert fakes.google_reviews[REVIEW]["reviewReply"] == {
        "comment": "ありがとうございます",
        "updateTime": "2026-11-23T09:00:00.000000Z",
    }
    got = session.request("GET", f"http://127.0.0.1:3000/_fake/google/v4/{REVIEW}", data=b"", headers={}, timeout=1)
    assert got.json()["reviewReply"]["comment"] == "ありがとうございます"
    assert [r["review"] for r in fakes.google_replies] == [REVIEW, REVIEW]
    assert [c["method"] for c in fakes.calls if c["provider"] == "google"] == ["PUT", "PUT", "GET"]


def test_gateway_google_reply_to_an_unknown_review_or_without_text(local: tuple[FakePlatforms, GatewaySession]) -> None:
    fakes, session = local
    sender = GoogleSender(lambda: "ya29.token", base_url="http://127.0.0.1:3000/_fake/google", session=session)
    request_ = SendRequest(
        operation="reply", platform="google", account_id=LOCATION, mode="public", target_id=REVIEW, text="Thank you"
    )
    with pytest.raises(SendRefused) as caught:
        sender.send(request_)
    assert caught.value.code == "not_found" and fakes.google_replies == []
    fakes.google_reviews[REVIEW] = {"name": REVIEW}
    blank = session.request(
        "PUT", f"http://127.0.0.1:3000/_fake/google/v4/{REVIEW}/reply", data=b'{"comment": ""}', headers={}, timeout=1
    )
    assert blank.status_code == 400 and blank.json()["error"]["status"] == "INVALID_ARGUMENT"
