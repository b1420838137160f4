"""Fuzzing the small parsers: business calendars and SLA policies (and their arithmetic), ids, paging
cursors, send-queue messages, API Gateway bodies, token claims."""

import base64
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from mentiondesk import http, ids
from mentiondesk.api.principal import principal_from_claims
from mentiondesk.errors import Forbidden, InvalidRequest, MalformedPayload, PayloadTooLarge, Unauthorized
from mentiondesk.replies.queue import parse_message
from mentiondesk.sla.calendar import BusinessCalendar, Interval, NoBusinessTime
from mentiondesk.sla.policy import SlaPolicyIn
from mentiondesk.store.tickets import decode_cursor, encode_cursor
from pydantic import ValidationError

from tests.fuzz.strategies import CALENDAR, NASTY_STRINGS, POLICY, json_objects, json_values, mutated

pytestmark = [pytest.mark.fuzz, pytest.mark.unit]

# -- calendars and SLA policies --------------------------------------------------------------------

ZONES = ["Asia/Tokyo", "UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Sao_Paulo"]


@given(document=mutated([CALENDAR]) | json_objects)
@example(document={**CALENDAR, "timezone": "../../etc/passwd"})
@example(document={**CALENDAR, "timezone": "America"})
@example(document={**CALENDAR, "timezone": "a" * 300})
@example(document={**CALENDAR, "timezone": "\x00"})
@example(document={**CALENDAR, "hours": {"0": [{"start": "09:00+09:00", "end": "18:00"}]}})
@example(document={**CALENDAR, "hours": {"7": []}})
def test_any_json_as_a_calendar_is_a_calendar_or_a_validation_error(document: Any) -> None:
    # Given a team calendar with parts broken, or any JSON object
    # When validated (PUT /api/teams/<id>/calendar), Then a calendar or a ValidationError (400)
    try:
        calendar = BusinessCalendar.model_validate(document)
    except ValidationError:
        return
    assert any(calendar.hours.values()) or calendar.open_days


@given(document=mutated([POLICY]) | json_objects)
@example(document={**POLICY, "targets": {"first_response_minutes": 30, "reminders": [float("nan")]}})
@example(document={**POLICY, "condition": {"field": "text", "op": "matches", "value": "a{99999999999}"}})
def test_any_json_as_an_sla_policy_is_a_policy_or_a_validation_error(document: Any) -> None:
    # Given an SLA policy with parts broken, or any JSON object
    # When validated (POST /api/sla-policies), Then a policy or a ValidationError (400)
    try:
        policy = SlaPolicyIn.model_validate(document)
    except ValidationError:
        return
    targets = policy.targets
    assert targets.first_response_minutes or targets.next_response_minutes or targets.resolution_minutes
    assert all(0 < f < 1 for f in targets.reminders)


@st.composite
def intervals(draw: st.DrawFn) -> list[Interval]:
    """Non-overlapping working intervals of one day, on whole quarter hours."""
    marks = sorted(draw(st.sets(st.integers(min_value=0, max_value=96), min_size=2, max_size=6)))
    pairs = list(zip(marks[::2], marks[1::2], strict=False))
    return [Interval(time(a // 4, a % 4 * 15), time((b // 4) % 24, b % 4 * 15)) for a, b in pairs]


calendars = st.builds(
    lambda zone, week, holidays, closed: BusinessCalendar(
        timezone=zone, hours=week, japanese_holidays=holidays, closed_days=closed
    ),
    st.sampled_from(ZONES),
    st.dictionaries(st.integers(0, 6), intervals(), min_size=1, max_size=7),
    st.booleans(),
    st.lists(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)), max_size=5),
)
instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC))


@given(calendar=calendars, start=instants, seconds=st.integers(min_value=0, max_value=30 * 86_400))
def test_business_time_added_is_business_time_between(
    calendar: BusinessCalendar, start: datetime, seconds: int
) -> None:
    # Given any calendar with working time (DST zones included), any start and any target
    # When the due time is computed
    try:
        due = calendar.add_business_time(start, seconds)
    except NoBusinessTime:
        return  # a calendar open only on days it also closes: the typed refusal
    # Then it is not before the start, lies in working time or closes it, and exactly `seconds` of
    # business time separate the two
    assert due >= start
    assert calendar.business_seconds_between(start, due) == pytest.approx(seconds, abs=1e-6)
    if seconds:
        assert calendar.is_open(due - timedelta(microseconds=1))


@given(calendar=calendars, start=instants, end=instants)
def test_business_seconds_between_is_never_more_than_real_time(
    calendar: BusinessCalendar, start: datetime, end: datetime
) -> None:
    # Given any calendar and any two instants, When the business time between them is measured
    between = calendar.business_seconds_between(start, end)
    # Then it is between zero and the real time between them
    assert 0 <= between <= max(0.0, (end - start).total_seconds())


# -- ids, cursors, queue messages -----------------------------------------------------------------


@given(first=st.integers(min_value=0, max_value=2**48 - 2), gap=st.integers(min_value=1, max_value=10**6))
def test_ids_are_ids_and_sort_by_time(first: int, gap: int) -> None:
    # Given two instants in milliseconds, When an id is made for each
    earlier, later = ids.new_id(first), ids.new_id(min(first + gap, 2**48 - 1))
    # Then both have our id shape and sort in time order
    assert ids.is_id(earlier) and ids.is_id(later)
    assert earlier < later


@given(value=st.text(max_size=40) | st.sampled_from(NASTY_STRINGS))
def test_is_id_of_any_string_never_raises(value: str) -> None:
    # Given any string, When checked, Then True only for 26 Crockford base32 characters
    assert ids.is_id(value) == (len(value) == 26 and set(value) <= set(ids._ALPHABET))


TENANT = "acme"
PK = f"TENANT#{TENANT}#STATUS#open"


def _raw_cursor(data: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@given(
    cursor=st.text(max_size=2048)
    | json_values.map(_raw_cursor)
    | mutated([{"PK": f"TENANT#{TENANT}#T#1", "SK": "T", "GSI1PK": PK, "GSI1SK": "x"}]).map(_raw_cursor)
)
@example(cursor=_raw_cursor({"PK": "TENANT#other#T#1", "SK": "T", "GSI1PK": PK, "GSI1SK": "x"}))
@example(cursor=_raw_cursor({"PK": f"TENANT#{TENANT}#T#1", "SK": "T", "GSI1PK": PK, "GSI1SK": "x", "Extra": "1"}))
@example(cursor=base64.urlsafe_b64encode(b"[" * 1500 + b"]" * 1500).decode())  # was a RecursionError
@example(cursor="\u00e9\u00e9\u00e9\u00e9")
def test_a_cursor_decodes_into_the_callers_partition_or_is_an_invalid_request(cursor: str) -> None:
    # Given any cursor a caller can send (the API allows 2,048 characters)
    # When decoded for tenant acme's open inbox
    try:
        key = decode_cursor(cursor, "GSI1PK", PK, TENANT)
    except InvalidRequest:
        return  # 400 "invalid cursor"
    # Then it points into acme's own partition and names key attributes only
    assert key["GSI1PK"] == PK and key["PK"].startswith(f"TENANT#{TENANT}#")
    assert set(key) <= {"PK", "SK", "GSI1PK", "GSI1SK"}


@given(ticket=st.from_regex(r"[0-9A-Z]{1,26}", fullmatch=True), sort_key=st.text(max_size=40))
def test_a_cursor_we_wrote_decodes_back(ticket: str, sort_key: str) -> None:
    # Given the last key of a page of tenant acme
    last = {"PK": f"TENANT#{TENANT}#T#{ticket}", "SK": "T", "GSI1PK": PK, "GSI1SK": sort_key}
    # When written as a cursor and read back, Then it is the same key
    assert decode_cursor(encode_cursor(last), "GSI1PK", PK, TENANT) == last
    # And another tenant cannot use it
    with pytest.raises(InvalidRequest):
        decode_cursor(encode_cursor(last), "GSI1PK", "TENANT#other#STATUS#open", "other")


@given(
    body=st.text(max_size=200)
    | json_values.map(json.dumps)
    | mutated([{"tenant": "acme", "ticket_id": "T1", "sk": "OUT#1"}]).map(json.dumps)
)
def test_a_send_queue_message_names_an_outbox_item_or_is_malformed(body: str) -> None:
    # Given any SQS message body, When read by send_reply
    try:
        ref = parse_message(body)
    except MalformedPayload:
        return  # retried, then dead-lettered where the alarm shows it
    # Then it names a tenant, a ticket and an outbox sort key
    assert ref.tenant and ref.ticket_id and ref.sk.startswith("OUT#")


# -- API Gateway bodies and token claims -----------------------------------------------------------


@given(
    body=st.none() | st.text(max_size=300) | st.binary(max_size=200).map(lambda b: base64.b64encode(b).decode()),
    encoded=st.booleans(),
    limit=st.integers(min_value=1, max_value=256),
)
@example(body="é" * 100, encoded=False, limit=150)
@example(body="=" * 12, encoded=True, limit=100)
def test_raw_body_is_the_bytes_within_the_limit_or_a_typed_refusal(body: str | None, encoded: bool, limit: int) -> None:
    # Given any body API Gateway passes, plain or base64, and a size limit
    event = {"body": body, "isBase64Encoded": encoded}
    # When the raw bytes are read
    try:
        data = http.raw_body(event, limit)
    except PayloadTooLarge:
        return  # 413
    except InvalidRequest:
        assert encoded  # 400: only a base64 body can be undecodable
        return
    # Then they fit the limit and are exactly what the client sent
    assert len(data) <= limit
    expected = base64.b64decode(body or "", validate=True) if encoded else (body or "").encode()
    assert data == expected


@given(
    claims=st.none()
    | json_objects
    | mutated(
        [
            {
                "sub": "u1",
                "token_use": "access",
                "tenant_id": "acme",
                "cognito:groups": "[agent admin]",
                "scope": "openid mentiondesk/api",
            }
        ]
    )
)
@example(
    claims={
        "sub": "u1",
        "token_use": "access",
        "tenant_id": "acme",
        "cognito:groups": ["root"],
        "scope": "mentiondesk/api",
    }
)
def test_any_claims_give_a_principal_or_a_401_or_403(claims: Any) -> None:
    # Given any claims the authorizer could hand over
    assume(claims is None or isinstance(claims, dict))
    # When the caller is identified
    try:
        who = principal_from_claims(claims)
    except (Unauthorized, Forbidden):
        return
    # Then only an access token with the API scope, a user, a tenant and a known role gets through
    assert claims is not None and claims["token_use"] == "access"
    assert who.role in ("admin", "supervisor", "finance", "agent") and who.user_id and who.tenant_id
