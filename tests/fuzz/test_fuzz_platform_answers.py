"""Fuzzing what the reply senders read from a platform that slows us down (HTTP 429): X's rate-limit
headers, Meta's Retry-After and X-Business-Use-Case-Usage, Google's Retry-After. Whatever the headers
say, the send is deferred (SendRateLimited with a whole epoch second), never crashed (property 12)."""

import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from mentiondesk.channels.x_api import RateLimit
from mentiondesk.replies.platforms import SendRateLimited

from tests.fuzz.strategies import NASTY_STRINGS, json_values
from tests.unit.test_reply_platforms import (
    NOW,
    Response,
    google_reply,
    google_sender,
    graph_error,
    meta_dm,
    meta_sender,
    x_reply,
    x_sender,
)

pytestmark = [pytest.mark.fuzz, pytest.mark.unit]

numbers = st.integers(min_value=-(10**30), max_value=10**30).map(str) | st.sampled_from(
    ["0", "60", " 60 ", "²", "①", "٣", "1e3", "9" * 400, "9" * 5_000, "-1", "+5", "NaN"]
)
header_text = numbers | st.text(max_size=30) | st.sampled_from(NASTY_STRINGS)
X_HEADERS = [
    "x-rate-limit-limit",
    "x-rate-limit-remaining",
    "x-rate-limit-reset",
    "x-user-limit-24hour-remaining",
    "x-user-limit-24hour-reset",
    "x-app-limit-24hour-remaining",
    "x-app-limit-24hour-reset",
]


def _deferred(sender: Any, request: Any) -> int:
    with pytest.raises(SendRateLimited) as told:
        sender.send(request)
    not_before = told.value.not_before
    assert isinstance(not_before, int)
    return not_before


@given(headers=st.dictionaries(st.sampled_from(X_HEADERS), header_text | st.just("0")))
@example(headers={"x-user-limit-24hour-remaining": "0", "x-user-limit-24hour-reset": "²"})  # was a ValueError
@example(headers={"x-app-limit-24hour-remaining": "0", "x-app-limit-24hour-reset": "9" * 5_000})
def test_x_429_with_any_rate_limit_headers_is_deferred(headers: dict[str, str]) -> None:
    # Given X answering 429 with any rate-limit headers
    sender, _ = x_sender(Response(429, {}, headers))
    # When a reply is sent, Then it is deferred to a whole epoch second
    _deferred(sender, x_reply())
    # And the headers alone read as whole numbers or None
    rate = RateLimit.from_headers(headers)
    if rate is not None:
        assert all(v is None or (isinstance(v, int) and v >= 0) for v in (rate.limit, rate.remaining, rate.reset))


minutes = st.integers(-5, 10**400) | st.floats() | json_values
usage = st.dictionaries(
    st.text(max_size=5),
    st.lists(st.fixed_dictionaries({"estimated_time_to_regain_access": minutes}), max_size=3) | json_values,
    max_size=3,
)


@given(retry_after=st.none() | header_text, usage_header=st.none() | usage.map(json.dumps) | st.text(max_size=40))
@example(retry_after="²", usage_header=None)  # was a ValueError
@example(retry_after="9" * 400, usage_header=None)  # was an OverflowError
@example(retry_after=None, usage_header=json.dumps({"1": [{"estimated_time_to_regain_access": 1e308}]}))
@example(retry_after=None, usage_header=json.dumps({"1": [{"estimated_time_to_regain_access": 10**400}]}))
@example(retry_after=None, usage_header="[" * 3_000 + "]" * 3_000)  # was a RecursionError
def test_meta_throttling_with_any_headers_is_deferred(retry_after: str | None, usage_header: str | None) -> None:
    # Given Graph throttling us (error 80002) with any Retry-After and X-Business-Use-Case-Usage
    headers: dict[str, str] = {}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    if usage_header is not None:
        headers["X-Business-Use-Case-Usage"] = usage_header
    sender, _ = meta_sender(Response(400, graph_error(80002), headers))
    # When a DM is sent, Then it is deferred, never to the past
    assert _deferred(sender, meta_dm()) >= NOW


@given(retry_after=header_text)
@example(retry_after="①")  # was a ValueError
def test_google_quota_with_any_retry_after_is_deferred(retry_after: str) -> None:
    # Given Google answering 429 with any Retry-After
    quota = {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}}
    sender, _ = google_sender(Response(429, quota, {"Retry-After": retry_after}))
    # When a review reply is sent, Then it is deferred, never to the past
    assert _deferred(sender, google_reply()) >= NOW
