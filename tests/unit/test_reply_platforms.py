"""The platform senders (replies.platforms) against scripted sessions: the exact request of every mode of
every platform, how each kind of answer or failure is classified, and that nothing secret or personal
reaches an error message. A few tests use real sockets on 127.0.0.1 to pin the requests exceptions."""

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from mentiondesk.channels.x_api import XApiError, XApiRefused, XRateLimited
from mentiondesk.replies.platforms import (
    GoogleSender,
    MetaSender,
    PlatformSenders,
    SendAmbiguous,
    SendError,
    SendNotDelivered,
    SendRateLimited,
    SendRefused,
    SendRequest,
    Sent,
    XSender,
    check_request,
)
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
)

pytestmark = pytest.mark.unit

NOW = 1_795_424_400.0  # 2026-11-23T09:00:00Z
X_BASE = "https://api.x.test"
GRAPH_BASE = "https://graph.facebook.test/v26.0"
GOOGLE_BASE = "https://mybusiness.googleapis.test"
X_TOKEN = "x-user-access-token-SECRET"
META_TOKEN = "EAAG-page-token-SECRET"
GOOGLE_TOKEN = "ya29.google-token-SECRET"
TEXT = "山田様、ご不便をおかけして申し訳ありません。担当の佐藤です"
X_ACCOUNT, X_POST, X_CUSTOMER = "900000000000000001", "2124790053069651975", "2000000000000000301"
IG_ACCOUNT, IG_COMMENT, IGSID = "17841455500000001", "17944400000000001", "5511000000000031"
FB_PAGE, FB_COMMENT, PSID = "105000000000001", "800000000000001_900000000000001", "7000000000000001"
LOCATION = "accounts/1234567890/locations/987654321"
REVIEW = f"{LOCATION}/reviews/AbFvOqkWQ1"


class Response:
    """What the senders read of a requests.Response."""

    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None, raw: str | None = None):
        self.status_code = status
        self._body = body
        self._raw = raw
        self.headers = CaseInsensitiveDict(headers or {})

    def json(self) -> Any:
        if self._raw is not None:
            return json.loads(self._raw)  # raises ValueError like requests does
        return self._body


class Scripted:
    """Records every request and answers (or raises) what the test scripted, in order."""

    def __init__(self, *answers: Response | BaseException) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    def request(self, method: str, url: str, *, data: bytes, headers: dict[str, str], timeout: float) -> Response:
        self.calls.append(
            {"method": method, "url": url, "headers": dict(headers), "body": json.loads(data), "timeout": timeout}
        )
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


def x_sender(*answers: Response | BaseException, token: Any = X_TOKEN) -> tuple[XSender, Scripted]:
    session = Scripted(*answers)

    def user_token(account_id: str) -> str:
        assert account_id == X_ACCOUNT
        if isinstance(token, BaseException):
            raise token
        return str(token)

    return XSender(user_token, base_url=X_BASE, session=session, timeout=4.0, clock=lambda: NOW), session


def meta_sender(*answers: Response | BaseException, token: str | None = META_TOKEN) -> tuple[MetaSender, Scripted]:
    session = Scripted(*answers)
    tokens = {IG_ACCOUNT: token, FB_PAGE: token}
    return MetaSender(tokens.get, base_url=GRAPH_BASE, session=session, timeout=4.0, clock=lambda: NOW), session


def google_sender(*answers: Response | BaseException, token: str = GOOGLE_TOKEN) -> tuple[GoogleSender, Scripted]:
    session = Scripted(*answers)
    return GoogleSender(lambda: token, base_url=GOOGLE_BASE, session=session, timeout=4.0, clock=lambda: NOW), session


def x_reply(**changes: Any) -> SendRequest:
    fields: dict[str, Any] = {
        "operation": "reply",
        "platform": "x",
        "account_id": X_ACCOUNT,
        "mode": "public",
        "target_id": X_POST,
        "text": TEXT,
    }
    return SendRequest(**{**fields, **changes})


def x_dm(**changes: Any) -> SendRequest:
    return x_reply(**{"mode": "dm", "target_id": None, "recipient_id": X_CUSTOMER, **changes})


def x_hide(hidden: bool = True) -> SendRequest:
    return SendRequest(operation="hide_comment", platform="x", account_id=X_ACCOUNT, target_id=X_POST, hidden=hidden)


def meta_reply(platform: str = "instagram", **changes: Any) -> SendRequest:
    instagram = platform == "instagram"
    fields: dict[str, Any] = {
        "operation": "reply",
        "platform": platform,
        "account_id": IG_ACCOUNT if instagram else FB_PAGE,
        "mode": "public",
        "target_id": IG_COMMENT if instagram else FB_COMMENT,
        "text": TEXT,
    }
    return SendRequest(**{**fields, **changes})


def meta_dm(platform: str = "instagram", **changes: Any) -> SendRequest:
    recipient = IGSID if platform == "instagram" else PSID
    return meta_reply(platform, **{"mode": "dm", "target_id": None, "recipient_id": recipient, **changes})


def meta_hide(platform: str = "instagram", hidden: bool = True) -> SendRequest:
    instagram = platform == "instagram"
    return SendRequest(
        operation="hide_comment",
        platform="instagram" if instagram else "facebook",
        account_id=IG_ACCOUNT if instagram else FB_PAGE,
        target_id=IG_COMMENT if instagram else FB_COMMENT,
        hidden=hidden,
    )


def google_reply(**changes: Any) -> SendRequest:
    fields: dict[str, Any] = {
        "operation": "reply",
        "platform": "google",
        "account_id": LOCATION,
        "mode": "public",
        "target_id": REVIEW,
        "text": TEXT,
    }
    return SendRequest(**{**fields, **changes})


def graph_error(code: int, subcode: int | None = None, *, transient: bool = False) -> dict[str, Any]:
    # Graph's messages quote the request at times: this one carries the token and text to prove we never repeat it.
    error: dict[str, Any] = {
        "message": f"(#{code}) echo {META_TOKEN} {TEXT}",
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbCdEf",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient:
        error["is_transient"] = True
    return {"error": error}


def x_problem(status: int, detail: str, kind: str = "about:blank", title: str = "Forbidden") -> dict[str, Any]:
    return {"detail": detail, "type": kind, "title": title, "status": status}


def refused_connection() -> requests.ConnectionError:
    """What requests raises for a refused connection: ConnectionError(MaxRetryError(NewConnectionError))."""
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")  # type: ignore[arg-type]
    return requests.ConnectionError(MaxRetryError(None, f"{X_BASE}/2/tweets", reason=reason))  # type: ignore[arg-type]


def unresolvable_host() -> requests.ConnectionError:
    reason = NameResolutionError("api.x.test", None, socket.gaierror(-2, "Name or service not known"))  # type: ignore[arg-type]
    return requests.ConnectionError(MaxRetryError(None, f"{X_BASE}/2/tweets", reason=reason))  # type: ignore[arg-type]


def connect_timeout() -> requests.ConnectTimeout:
    reason = ConnectTimeoutError(None, "Connection to api.x.test timed out. (connect timeout=4.0)")
    return requests.ConnectTimeout(MaxRetryError(None, f"{X_BASE}/2/tweets", reason=reason))  # type: ignore[arg-type]


def dropped_after_sending() -> requests.ConnectionError:
    """The server closed the connection instead of answering: urllib3 raises ProtocolError, requests wraps it."""
    cause = http.client.RemoteDisconnected("Remote end closed connection without response")
    return requests.ConnectionError(ProtocolError("Connection aborted.", cause))


# -- X: the requests ------------------------------------------------------------------------------


def test_x_public_reply_posts_a_reply_with_the_users_token() -> None:
    # Given X answering the create-post call
    sender, session = x_sender(Response(201, {"data": {"id": "2124800000000000001", "text": TEXT}}))
    # When a public reply is sent
    sent = sender.send(x_reply())
    # Then the exact request went out and the new post's id and link come back
    assert session.calls == [
        {
            "method": "POST",
            "url": f"{X_BASE}/2/tweets",
            "headers": {
                "Authorization": f"Bearer {X_TOKEN}",
                "Accept": "application/json",
                "Content-Type": "application/json",
            },
            "body": {"text": TEXT, "reply": {"in_reply_to_tweet_id": X_POST}},
            "timeout": 4.0,
        }
    ]
    assert sent == Sent("2124800000000000001", "https://x.com/i/web/status/2124800000000000001")


def test_x_dm_goes_to_the_one_to_one_conversation_with_the_customer() -> None:
    # Given X answering the DM call
    answer = {"data": {"dm_conversation_id": f"{X_ACCOUNT}-{X_CUSTOMER}", "dm_event_id": "2124800000000000777"}}
    sender, session = x_sender(Response(201, answer))
    # When a DM reply is sent
    sent = sender.send(x_dm())
    # Then it went to the customer's conversation and the DM event id comes back
    (call,) = session.calls
    assert (call["method"], call["url"]) == ("POST", f"{X_BASE}/2/dm_conversations/with/{X_CUSTOMER}/messages")
    assert call["body"] == {"text": TEXT}
    assert sent == Sent("2124800000000000777")


@pytest.mark.parametrize(("hidden", "state"), [(True, "hidden"), (False, "visible")])
def test_x_hides_and_unhides_a_reply(hidden: bool, state: str) -> None:
    # Given X confirming the new visibility
    sender, session = x_sender(Response(200, {"data": {"hidden": hidden}}))
    # When the reply is hidden (or shown again)
    sent = sender.send(x_hide(hidden))
    # Then it was a PUT on the post's hidden resource
    (call,) = session.calls
    assert (call["method"], call["url"], call["body"]) == (
        "PUT",
        f"{X_BASE}/2/tweets/{X_POST}/hidden",
        {"hidden": hidden},
    )
    assert sent == Sent(f"{X_POST}:{state}", f"https://x.com/i/web/status/{X_POST}")


def test_x_hide_answer_that_does_not_confirm_is_ambiguous_but_safe_to_repeat() -> None:
    sender, _ = x_sender(Response(200, {"data": {"hidden": False}}))
    with pytest.raises(SendAmbiguous) as caught:
        sender.send(x_hide(True))
    assert caught.value.safe_to_retry is True


# -- X: the failures ------------------------------------------------------------------------------


def test_x_429_waits_for_the_windows_reset() -> None:
    # Given X answering 429 with its rate-limit headers
    headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": "1795425300"}
    sender, _ = x_sender(Response(429, x_problem(429, "Too Many Requests", title="Too Many Requests"), headers))
    # When a reply is sent
    with pytest.raises(SendRateLimited) as caught:
        sender.send(x_reply())
    # Then it is certainly not sent and may be tried at the reset
    assert caught.value.not_before == 1_795_425_300


def test_x_429_without_headers_waits_a_full_window_and_a_spent_day_waits_for_the_day() -> None:
    sender, _ = x_sender(Response(429, {}), Response(429, {}, {"x-rate-limit-reset": "1795424500"}))
    with pytest.raises(SendRateLimited) as bare:
        sender.send(x_reply())
    assert bare.value.not_before == int(NOW) + 900
    day = {
        "x-rate-limit-reset": "1795424500",
        "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": "1795500000",
    }
    sender, _ = x_sender(Response(429, {}, day))
    with pytest.raises(SendRateLimited) as daily:
        sender.send(x_reply())
    assert daily.value.not_before == 1_795_500_000


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (403, x_problem(403, "You are not allowed to create a Tweet with duplicate content."), "duplicate"),
        (
            403,
            x_problem(403, "You attempted to reply to a Tweet that is deleted or not visible to you."),
            "target_unavailable",
        ),
        (401, x_problem(401, "Unauthorized", title="Unauthorized"), "token_expired"),
        (
            403,
            x_problem(
                403,
                "OAuth 2.0 Application-Only is forbidden",
                "https://api.twitter.com/2/problems/unsupported-authentication",
            ),
            "unsupported-authentication",
        ),
        (
            400,
            {
                "errors": [{"message": f"$.text: {TEXT}"}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            },
            "invalid-request",
        ),
        (404, {"title": "Not Found"}, "http_404"),
    ],
)
def test_x_4xx_is_a_refusal_with_a_short_code(status: int, body: dict[str, Any], code: str) -> None:
    sender, _ = x_sender(Response(status, body))
    with pytest.raises(SendRefused) as caught:
        sender.send(x_reply())
    assert (caught.value.status, caught.value.code) == (status, code)


@pytest.mark.parametrize(
    ("request_", "safe"),
    [(x_reply(), False), (x_dm(), False), (x_hide(), True)],
    ids=["post", "dm", "hide"],
)
@pytest.mark.parametrize(
    "failure",
    [
        Response(500, x_problem(500, "Internal Server Error", title="Internal Server Error")),
        Response(503, raw="<html>upstream connect error</html>"),
        Response(201, raw="not json"),
        Response(201, {"errors": [{"message": "?"}]}),
        requests.ReadTimeout("HTTPSConnectionPool(host='api.x.test', port=443): Read timed out. (read timeout=4.0)"),
        dropped_after_sending(),
        requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead"),
    ],
    ids=["500", "503-html", "2xx-not-json", "2xx-no-data", "read-timeout", "dropped", "broken-body"],
)
def test_x_may_have_it_after_a_5xx_a_time_out_or_an_unreadable_2xx(
    request_: SendRequest, safe: bool, failure: Response | BaseException
) -> None:
    # Given X (or the network) failing after the request went out
    sender, _ = x_sender(failure)
    # When the reply is sent
    with pytest.raises(SendAmbiguous) as caught:
        sender.send(request_)
    # Then it may have arrived: only the idempotent hide may be repeated
    assert caught.value.safe_to_retry is safe


@pytest.mark.parametrize(
    "failure",
    [
        connect_timeout(),
        refused_connection(),
        unresolvable_host(),
        requests.exceptions.SSLError("certificate verify failed"),
        requests.exceptions.ProxyError("Cannot connect to proxy."),
        requests.exceptions.InvalidURL("Invalid URL"),
    ],
    ids=["connect-timeout", "refused", "dns", "tls", "proxy", "invalid-url"],
)
def test_x_failures_before_the_request_left_are_not_delivered(failure: BaseException) -> None:
    sender, _ = x_sender(failure)
    with pytest.raises(SendNotDelivered):
        sender.send(x_reply())


@pytest.mark.parametrize(
    ("raised", "expected", "code"),
    [
        (XApiRefused("no tokens stored for the account", 401, "not_connected"), SendRefused, "not_connected"),
        (XApiError("the token endpoint timed out"), SendNotDelivered, None),
        (XRateLimited(1_795_425_000), SendRateLimited, None),
        ("  ", SendRefused, "not_connected"),
    ],
)
def test_x_account_without_a_usable_token_sends_nothing(
    raised: Any, expected: type[SendError], code: str | None
) -> None:
    # Given the token store refusing, failing or empty
    sender, session = x_sender(token=raised)
    # When a reply is sent
    with pytest.raises(expected) as caught:
        sender.send(x_reply())
    # Then nothing went to X
    assert session.calls == []
    assert getattr(caught.value, "code", None) == code


# -- Meta: the requests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "path"),
    [("instagram", f"/{IG_COMMENT}/replies"), ("facebook", f"/{FB_COMMENT}/comments")],
)
def test_meta_public_reply_answers_the_comment(platform: str, path: str) -> None:
    # Given Graph creating the reply comment
    created = "17900000000000009" if platform == "instagram" else "800000000000001_900000000000009"
    sender, session = meta_sender(Response(200, {"id": created}))
    # When a public reply is sent
    sent = sender.send(meta_reply(platform))
    # Then it is the platform's reply edge, with the token in the header only
    assert session.calls == [
        {
            "method": "POST",
            "url": f"{GRAPH_BASE}{path}",
            "headers": {
                "Authorization": f"Bearer {META_TOKEN}",
                "Accept": "application/json",
                "Content-Type": "application/json",
            },
            "body": {"message": TEXT},
            "timeout": 4.0,
        }
    ]
    assert sent == Sent(created)


@pytest.mark.parametrize(
    ("platform", "account", "comment"), [("instagram", IG_ACCOUNT, IG_COMMENT), ("facebook", FB_PAGE, FB_COMMENT)]
)
def test_meta_private_reply_messages_the_commenter(platform: str, account: str, comment: str) -> None:
    sender, session = meta_sender(Response(200, {"recipient_id": IGSID, "message_id": "m_AbC123"}))
    sent = sender.send(meta_reply(platform, mode="private_reply"))
    (call,) = session.calls
    assert call["url"] == f"{GRAPH_BASE}/{account}/messages"
    assert call["body"] == {"recipient": {"comment_id": comment}, "message": {"text": TEXT}}
    assert sent == Sent("m_AbC123")


@pytest.mark.parametrize("platform", ["instagram", "facebook"])
@pytest.mark.parametrize(
    ("human_agent", "extra"),
    [(False, {"messaging_type": "RESPONSE"}), (True, {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"})],
)
def test_meta_dm_is_a_response_or_a_human_agent_message(
    platform: str, human_agent: bool, extra: dict[str, str]
) -> None:
    recipient = IGSID if platform == "instagram" else PSID
    sender, session = meta_sender(Response(200, {"recipient_id": recipient, "message_id": "m_DeF456"}))
    sent = sender.send(meta_dm(platform, human_agent=human_agent))
    (call,) = session.calls
    assert call["url"] == f"{GRAPH_BASE}/{IG_ACCOUNT if platform == 'instagram' else FB_PAGE}/messages"
    assert call["body"] == {"recipient": {"id": recipient}, "message": {"text": TEXT}, **extra}
    assert sent == Sent("m_DeF456")


@pytest.mark.parametrize(
    ("platform", "hidden", "body", "state"),
    [
        ("instagram", True, {"hide": True}, "hidden"),
        ("instagram", False, {"hide": False}, "visible"),
        ("facebook", True, {"is_hidden": True}, "hidden"),
        ("facebook", False, {"is_hidden": False}, "visible"),
    ],
)
def test_meta_hides_and_unhides_a_comment(platform: str, hidden: bool, body: dict[str, bool], state: str) -> None:
    sender, session = meta_sender(Response(200, {"success": True}))
    sent = sender.send(meta_hide(platform, hidden))
    comment = IG_COMMENT if platform == "instagram" else FB_COMMENT
    (call,) = session.calls
    assert (call["url"], call["body"]) == (f"{GRAPH_BASE}/{comment}", body)
    assert sent == Sent(f"{comment}:{state}")


# -- Meta: the failures ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", [4, 17, 32, 341, 613, 80002, 80006])
def test_meta_throttling_codes_wait_a_minute(code: int) -> None:
    sender, _ = meta_sender(Response(400, graph_error(code, transient=True)))
    with pytest.raises(SendRateLimited) as caught:
        sender.send(meta_dm())
    assert caught.value.not_before == int(NOW) + 60


def test_meta_throttling_waits_as_long_as_the_usage_header_says() -> None:
    # Given Graph's business-use-case header: access returns in 5 minutes
    usage = {IG_ACCOUNT: [{"type": "instagram", "call_count": 100, "estimated_time_to_regain_access": 5}]}
    headers = {"X-Business-Use-Case-Usage": json.dumps(usage)}
    sender, _ = meta_sender(Response(400, graph_error(80002), headers), Response(429, raw=""))
    with pytest.raises(SendRateLimited) as caught:
        sender.send(meta_dm())
    assert caught.value.not_before == int(NOW) + 300
    # And a bare 429 from something in front of Graph waits the default minute
    with pytest.raises(SendRateLimited) as bare:
        sender.send(meta_dm())
    assert bare.value.not_before == int(NOW) + 60


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (graph_error(10, 2018278), "window_closed"),
        (graph_error(10, 2534022), "window_closed"),
        (graph_error(190, 463), "token_expired"),
        (graph_error(10900), "already_replied"),
        (graph_error(10, 2534025), "already_replied"),
        (graph_error(551, 1545041), "recipient_unavailable"),
        (graph_error(100, 2018001), "recipient_unavailable"),
        (graph_error(100, 33), "not_found"),
        (graph_error(100), "invalid_parameter"),
        (graph_error(200), "permission"),
        (graph_error(10), "permission"),
        (graph_error(368, 1390008), "blocked"),
        (graph_error(12345), "graph_12345"),
    ],
)
def test_meta_refusals_carry_a_code_an_agent_can_act_on(error: dict[str, Any], code: str) -> None:
    sender, _ = meta_sender(Response(400, error))
    with pytest.raises(SendRefused) as caught:
        sender.send(meta_dm())
    assert (caught.value.status, caught.value.code) == (400, code)


@pytest.mark.parametrize(
    ("request_", "safe"),
    [
        (meta_reply(), False),
        (meta_reply("facebook", mode="private_reply"), False),
        (meta_dm(), False),
        (meta_hide(), True),
    ],
    ids=["comment", "private-reply", "dm", "hide"],
)
@pytest.mark.parametrize(
    "failure",
    [
        Response(500, graph_error(2, transient=True)),
        Response(400, graph_error(1)),
        Response(400, graph_error(2, transient=True)),
        Response(502, raw="<html>Bad Gateway</html>"),
        Response(200, raw="<html>?</html>"),
        Response(200, {"unexpected": True}),
        requests.ReadTimeout("Read timed out."),
        dropped_after_sending(),
    ],
    ids=["500", "code-1", "code-2", "502-html", "2xx-not-json", "2xx-without-id", "read-timeout", "dropped"],
)
def test_meta_may_have_it_after_a_5xx_a_transient_error_or_a_time_out(
    request_: SendRequest, safe: bool, failure: Response | BaseException
) -> None:
    sender, _ = meta_sender(failure)
    with pytest.raises(SendAmbiguous) as caught:
        sender.send(request_)
    assert caught.value.safe_to_retry is safe


def test_meta_4xx_that_is_not_graph_json_is_refused_and_connect_failures_are_not_delivered() -> None:
    sender, _ = meta_sender(Response(413, raw="<html>Request Entity Too Large</html>"), refused_connection())
    with pytest.raises(SendRefused) as refused:
        sender.send(meta_reply())
    assert refused.value.code == "http_413"
    with pytest.raises(SendNotDelivered):
        sender.send(meta_reply())


@pytest.mark.parametrize("token", [None, "", "   "])
def test_meta_account_without_a_token_sends_nothing(token: str | None) -> None:
    sender, session = meta_sender(token=token)
    with pytest.raises(SendRefused) as caught:
        sender.send(meta_reply())
    assert caught.value.code == "not_connected" and session.calls == []


# -- Google ---------------------------------------------------------------------------------------


def test_google_review_reply_is_a_put_of_the_reply() -> None:
    # Given the Business Profile API storing the reply
    sender, session = google_sender(Response(200, {"comment": TEXT, "updateTime": "2026-11-23T09:00:01.123456Z"}))
    # When the review is answered
    sent = sender.send(google_reply())
    # Then it is a PUT of the review's reply resource
    assert session.calls == [
        {
            "method": "PUT",
            "url": f"{GOOGLE_BASE}/v4/{REVIEW}/reply",
            "headers": {
                "Authorization": f"Bearer {GOOGLE_TOKEN}",
                "Accept": "application/json",
                "Content-Type": "application/json",
            },
            "body": {"comment": TEXT},
            "timeout": 4.0,
        }
    ]
    assert sent == Sent(f"{REVIEW}/reply")


@pytest.mark.parametrize(
    ("status", "kind", "code"),
    [
        (400, "INVALID_ARGUMENT", "invalid_argument"),
        (401, "UNAUTHENTICATED", "token_expired"),
        (403, "PERMISSION_DENIED", "permission"),
        (404, "NOT_FOUND", "not_found"),
        (409, "ABORTED", "aborted"),
    ],
)
def test_google_refusals(status: int, kind: str, code: str) -> None:
    body = {"error": {"code": status, "message": f"echo {TEXT}", "status": kind}}
    sender, _ = google_sender(Response(status, body))
    with pytest.raises(SendRefused) as caught:
        sender.send(google_reply())
    assert (caught.value.status, caught.value.code) == (status, code)


def test_google_quota_waits_for_retry_after_or_a_minute() -> None:
    quota = {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}}
    sender, _ = google_sender(Response(429, quota, {"Retry-After": "120"}), Response(429, quota))
    with pytest.raises(SendRateLimited) as told:
        sender.send(google_reply())
    assert told.value.not_before == int(NOW) + 120
    with pytest.raises(SendRateLimited) as default:
        sender.send(google_reply())
    assert default.value.not_before == int(NOW) + 60


@pytest.mark.parametrize(
    "failure",
    [Response(500, {"error": {"code": 500, "status": "INTERNAL"}}), Response(200, raw=""), requests.ReadTimeout()],
    ids=["500", "2xx-empty", "read-timeout"],
)
def test_google_reply_is_a_put_so_an_ambiguous_failure_may_be_repeated(failure: Response | BaseException) -> None:
    sender, _ = google_sender(failure)
    with pytest.raises(SendAmbiguous) as caught:
        sender.send(google_reply())
    assert caught.value.safe_to_retry is True


def test_google_without_credentials_sends_nothing() -> None:
    sender, session = google_sender(token="")
    with pytest.raises(SendRefused) as caught:
        sender.send(google_reply())
    assert caught.value.code == "not_connected" and session.calls == []


# -- validation -----------------------------------------------------------------------------------


def _invalid_requests() -> Iterator[tuple[str, SendRequest, str]]:
    yield "x-no-text", x_reply(text=None), "invalid_request"
    yield "x-blank-text", x_reply(text=" \n\u3000"), "invalid_request"
    yield "x-no-mode", x_reply(mode=None), "invalid_request"
    yield "x-unknown-mode", x_reply(mode="story"), "invalid_request"
    yield "x-no-target", x_reply(target_id=None), "invalid_request"
    yield "x-target-not-an-id", x_reply(target_id="123/../../2/users"), "invalid_request"
    yield "x-dm-no-recipient", x_dm(recipient_id=None), "invalid_request"
    yield "x-dm-conversation-id-as-recipient", x_dm(recipient_id=f"dm:{X_CUSTOMER}"), "invalid_request"
    yield "x-account-not-an-id", x_reply(account_id="@ourbrand"), "invalid_request"
    yield "x-private-reply", x_reply(mode="private_reply"), "unsupported"
    yield (
        "x-hide-no-target",
        SendRequest(operation="hide_comment", platform="x", account_id=X_ACCOUNT),
        "invalid_request",
    )
    yield "unknown-operation", x_reply(operation="delete"), "invalid_request"
    yield "ig-comment-not-digits", meta_reply(target_id="1794_4400"), "invalid_request"
    yield "fb-comment-with-path", meta_reply("facebook", target_id=f"{FB_COMMENT}/likes"), "invalid_request"
    yield "ig-dm-no-recipient", meta_dm(recipient_id=None), "invalid_request"
    yield "ig-dm-recipient-not-digits", meta_dm(recipient_id="me"), "invalid_request"
    yield "fb-private-reply-no-comment", meta_reply("facebook", mode="private_reply", target_id=None), "invalid_request"
    yield (
        "ig-hide-not-digits",
        SendRequest(operation="hide_comment", platform="instagram", account_id=IG_ACCOUNT, target_id="x"),
        "invalid_request",
    )
    yield "google-dm", google_reply(mode="dm", recipient_id="123"), "unsupported"
    yield (
        "google-hide",
        SendRequest(operation="hide_comment", platform="google", account_id=LOCATION, target_id=REVIEW),
        "unsupported",
    )
    yield (
        "google-other-locations-review",
        google_reply(target_id="accounts/1/locations/2/reviews/abc"),
        "invalid_request",
    )
    yield "google-not-a-review", google_reply(target_id=f"{LOCATION}/reviews/a/../../x"), "invalid_request"
    yield "google-account-not-a-location", google_reply(account_id="accounts/1234567890"), "invalid_request"


@pytest.mark.parametrize(
    ("request_", "code"), [(r, c) for _, r, c in _invalid_requests()], ids=[i for i, _, _ in _invalid_requests()]
)
def test_invalid_requests_are_refused_before_any_call(request_: SendRequest, code: str) -> None:
    # Given every sender, dispatched by platform, over sessions that would fail the test if called
    x, x_session = x_sender()
    meta, meta_session = meta_sender()
    google, google_session = google_sender()
    senders = PlatformSenders({"x": x, "meta": meta, "google": google})
    # When the request is sent
    with pytest.raises(SendRefused) as caught:
        senders.send(request_)
    # Then it is refused with no request made
    assert caught.value.code == code and caught.value.status is None
    assert x_session.calls == meta_session.calls == google_session.calls == []


def test_valid_requests_pass_the_check() -> None:
    for request_ in (x_reply(), x_dm(), x_hide(), meta_reply(), meta_reply("facebook"), meta_dm("facebook"),
                     meta_hide("facebook"), meta_reply(mode="private_reply"), google_reply()):  # fmt: skip
        check_request(request_)


# -- dispatch -------------------------------------------------------------------------------------


class Recorder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: list[SendRequest] = []

    def send(self, request: SendRequest) -> Sent:
        self.seen.append(request)
        return Sent(self.name)


def test_platform_senders_dispatch_by_platform_and_meta_serves_both_meta_platforms() -> None:
    x, meta, google = Recorder("x"), Recorder("meta"), Recorder("google")
    senders = PlatformSenders({"x": x, "meta": meta, "google": google})
    assert [senders.send(r).platform_id for r in (x_reply(), meta_reply(), meta_dm("facebook"), google_reply())] == [
        "x",
        "meta",
        "meta",
        "google",
    ]
    explicit = PlatformSenders({"instagram": Recorder("ig"), "facebook": Recorder("fb")})
    assert explicit.send(meta_reply("facebook")).platform_id == "fb"
    with pytest.raises(SendRefused) as caught:
        explicit.send(x_reply())
    assert caught.value.code == "unsupported"


def test_each_sender_refuses_another_platforms_request() -> None:
    x, _ = x_sender()
    meta, _ = meta_sender()
    google, _ = google_sender()
    for sender, request_ in ((x, meta_reply()), (meta, google_reply()), (google, x_reply())):
        with pytest.raises(SendRefused) as caught:
            sender.send(request_)
        assert caught.value.code == "unsupported"


# -- no token or customer text in any message -----------------------------------------------------


def _failures() -> Iterator[tuple[Any, SendRequest]]:
    problem = x_problem(403, f"You are not allowed to create a Tweet with duplicate content. {TEXT} {X_TOKEN}")
    yield x_sender(Response(403, problem))[0], x_reply()
    yield x_sender(Response(400, {"errors": [{"message": TEXT}], "detail": X_TOKEN}))[0], x_reply()
    yield x_sender(Response(500, {"detail": TEXT}))[0], x_dm()
    yield x_sender(requests.ReadTimeout(f"{X_TOKEN} {TEXT}"))[0], x_reply()
    yield x_sender(requests.ConnectTimeout(f"{X_TOKEN} {TEXT}"))[0], x_hide()
    yield x_sender(Response(429, {"detail": TEXT}))[0], x_reply()
    yield x_sender(token=XApiRefused(f"refused {X_TOKEN}", 401))[0], x_reply()
    for error in (graph_error(190), graph_error(10, 2018278), graph_error(4), graph_error(2), graph_error(99999)):
        yield meta_sender(Response(400, error))[0], meta_dm()
    yield meta_sender(Response(500, graph_error(1)))[0], meta_reply()
    yield (
        google_sender(Response(404, {"error": {"message": f"{TEXT} {GOOGLE_TOKEN}", "status": "NOT_FOUND"}}))[0],
        google_reply(),
    )
    yield google_sender(Response(503, raw=TEXT))[0], google_reply()


@pytest.mark.parametrize(("sender", "request_"), list(_failures()))
def test_no_token_or_reply_text_ever_reaches_an_error_message(sender: Any, request_: SendRequest) -> None:
    with pytest.raises(SendError) as caught:
        sender.send(request_)
    message = str(caught.value) + caught.value.reason
    for secret in (X_TOKEN, META_TOKEN, GOOGLE_TOKEN, TEXT, TEXT[:10]):
        assert secret not in message


# -- the requests exceptions, for real ------------------------------------------------------------


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nobody listens once the probe is closed


class OneShotServer:
    """Accepts one connection, reads the request, then closes without answering or answers late."""

    def __init__(self, behaviour: str) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(1)
        self.port = int(self.socket.getsockname()[1])
        self.behaviour = behaviour
        self.received = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        connection, _ = self.socket.accept()
        with connection:
            connection.recv(65536)
            self.received.set()
            if self.behaviour == "hang":
                self.release.wait(5)

    def close(self) -> None:
        self.release.set()
        self.thread.join(5)
        self.socket.close()


def real_x_sender(port: int, timeout: float = 2.0) -> XSender:
    return XSender(lambda _a: X_TOKEN, base_url=f"http://127.0.0.1:{port}", session=requests.Session(), timeout=timeout)


def test_a_refused_connection_is_not_delivered(closed_port: int) -> None:
    with pytest.raises(SendNotDelivered):
        real_x_sender(closed_port).send(x_reply())


@pytest.mark.parametrize(("behaviour", "timeout"), [("close", 2.0), ("hang", 0.2)])
def test_a_request_that_reached_the_server_is_ambiguous(behaviour: str, timeout: float) -> None:
    # Given a server that reads the whole request, then closes the connection (or never answers)
    server = OneShotServer(behaviour)
    try:
        # When a reply is sent to it
        with pytest.raises(SendAmbiguous) as caught:
            real_x_sender(server.port, timeout).send(x_reply())
        # Then the request had arrived, and the sender says it may have been sent
        assert server.received.is_set() and caught.value.safe_to_retry is False
    finally:
        server.close()
