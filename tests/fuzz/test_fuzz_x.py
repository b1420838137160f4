"""Fuzzing X's webhook: CRC, the signature header, Account Activity and X Activity bodies, v2 pages,
and functions/webhook_x end to end (always 2xx/4xx with a JSON body)."""

import base64
import hashlib
import hmac
import json
from typing import Any

import boto3
import pytest
from hypothesis import example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from mentiondesk.channels import x, x_activity, x_api
from mentiondesk.errors import InvalidRequest, MalformedPayload, SignatureInvalid
from mentiondesk.models import AccountRevocation, IgnoredEvent, InboundMessage, MessageDeletion, MessageEdit
from mentiondesk.store.factory import Store

from tests.conftest import X_SECRET, Context, http_event, load_function, make_x_webhook
from tests.fuzz.strategies import examples, fixtures, header_values, json_values, mutated, raw_bodies

pytestmark = [pytest.mark.fuzz, pytest.mark.unit]

EVENT_TYPES = (InboundMessage, MessageEdit, MessageDeletion, AccountRevocation, IgnoredEvent)
X_DOCS = fixtures("x", "x_activity")
V2_DOCS = fixtures("x_v2")


def _check_events(events: Any) -> None:
    assert isinstance(events, list)
    assert all(isinstance(event, EVENT_TYPES) for event in events)


# -- CRC and signatures ------------------------------------------------------------------------------


@given(secret=st.text(max_size=40), token=st.text(max_size=200))
def test_crc_response_token_is_the_hmac_of_any_token(secret: str, token: str) -> None:
    # Given any consumer secret and crc_token
    # When the CRC answer is computed
    answer = x.crc_response_token(secret, token)
    # Then it is "sha256=" + base64 of HMAC-SHA256(secret, token)
    digest = hmac.new(secret.encode(), token.encode(), hashlib.sha256).digest()
    assert answer == "sha256=" + base64.b64encode(digest).decode()


@given(token=st.none() | st.text(max_size=100))
def test_x_webhook_crc_answers_any_token_or_refuses_a_missing_one(token: str | None) -> None:
    # Given the webhook (a CRC touches no store)
    from mentiondesk.ingest.x_webhook import XWebhook

    webhook = XWebhook(service=None, consumer_secret=lambda: X_SECRET, max_body_bytes=4096)  # type: ignore[arg-type]
    # When a CRC arrives with any crc_token, or none
    if not token:
        # Then a missing token is InvalidRequest (400)
        with pytest.raises(InvalidRequest):
            webhook.crc(token)
        return
    # Then any other token gets its response_token
    assert webhook.crc(token) == {"response_token": x.crc_response_token(X_SECRET, token)}


@given(body=raw_bodies, header=header_values)
@example(body=b"{}", header="sha256=\u00e9")  # non-ASCII in the base64 part
@example(body=b"{}", header="sha256=" + "A" * 43)  # bad padding
@example(body=b"{}", header=x.sign(X_SECRET, b"{}") + "," + x.sign(X_SECRET, b"{}"))  # two headers joined
def test_x_signature_check_raises_only_signature_invalid(body: bytes, header: str | None) -> None:
    # Given any body and any signature header
    # When it is verified
    try:
        x.verify_signature(X_SECRET, body, header)
    except SignatureInvalid:
        return
    # Then it passes only when the header carries exactly the HMAC of these bytes
    assert header is not None and "," not in header
    given_digest = base64.b64decode(header.removeprefix("sha256=").strip(), validate=True)
    assert given_digest == hmac.new(X_SECRET.encode(), body, hashlib.sha256).digest()


@given(body=st.binary(min_size=1, max_size=300), data=st.data())
def test_x_signature_fails_after_any_one_byte_change(body: bytes, data: st.DataObject) -> None:
    # Given a correctly signed body
    header = x.sign(X_SECRET, body)
    index = data.draw(st.integers(min_value=0, max_value=len(body) - 1))
    replacement = data.draw(st.integers(min_value=0, max_value=255).filter(lambda b: b != body[index]))
    changed = body[:index] + bytes([replacement]) + body[index + 1 :]
    # When one byte changes, Then the signature no longer verifies
    with pytest.raises(SignatureInvalid):
        x.verify_signature(X_SECRET, changed, header)
    x.verify_signature(X_SECRET, body, header)  # and the original still does


# -- payloads --------------------------------------------------------------------------------------


@given(payload=json_values)
@example(payload={"tweet_create_events": [], "for_user_id": 1})
@example(payload={"user_event": {"revoke": {"date_time": "0001-01-01T00:00:00+01:00", "source": {"user_id": "1"}}}})
def test_x_parse_delivery_of_any_json_raises_only_malformed_payload(payload: Any) -> None:
    # Given any JSON value, When it is parsed as a delivery
    try:
        events = x.parse_delivery(payload)
    except MalformedPayload:
        return
    # Then it is a list of normalised events
    _check_events(events)


@given(payload=mutated(X_DOCS))
@example(
    payload={
        "for_user_id": "1",
        "direct_message_events": [
            {
                "type": "message_create",
                "id": "5",
                "created_timestamp": "1795425000000",
                "message_create": {"sender_id": "2", "message_data": {"text": "hi"}},
            }
        ],
        "users": {"2": {"screen_name": 7, "followers_count": "many"}},  # wrong types in the users map
    }
)
def test_x_parse_delivery_of_mutated_documented_shapes_raises_only_malformed_payload(payload: Any) -> None:
    # Given a documented Account Activity / X Activity delivery with some nodes broken
    # When it is parsed
    try:
        events = x.parse_delivery(payload)
    except MalformedPayload as error:
        reason: str | None = str(error)
    else:
        reason = None
    if reason is not None:
        # Then a refusal names the shape problem, never a value from the body (it is stored with the body)
        assert "input_value" not in reason
        return
    _check_events(events)


@given(payload=mutated(fixtures("x_activity")))
@example(
    payload={
        "data": {
            "event_type": "oauth.revoke",
            "filter": {},
            "payload": {"user_id": "1", "date_time": "0001-01-01T00:00:00+01:00"},
        }
    }
)
@example(
    payload={
        "data": {
            "event_type": "post.mention.create",
            "filter": {"user_id": "1"},
            "payload": {"id": "5", "text": "hi", "author_id": "2", "created_at": "0001-01-01T00:00:00+01:00"},
        }
    }
)
def test_x_activity_parse_raises_only_malformed_payload(payload: Any) -> None:
    # Given a mutated X Activity delivery, When parsed on its own
    try:
        events = x_activity.parse_activity(payload, now=lambda: "2026-11-23T09:00:00.000Z")
    except MalformedPayload:
        return
    # Then it is None (not an XAA body) or normalised events
    if events is not None:
        _check_events(events)


@given(body=mutated(V2_DOCS) | json_values)
@example(  # was an OverflowError: a valid created_at whose UTC form is before year 1
    body={"data": [{"id": "5", "text": "hi", "author_id": "2", "created_at": "0001-01-01T00:00:00+01:00"}]}
)
def test_x_v2_pages_raise_only_x_api_error(body: Any) -> None:
    # Given a mutated v2 search/mentions or DM page (or any JSON)
    for parse in (
        lambda: x_api.parse_page(body, "900000000000000001", source="search"),
        lambda: x_api.parse_dm_page(body, "900000000000000001"),
    ):
        # When parsed
        try:
            page = parse()
        except x_api.XApiError:
            continue
        # Then every post is a normalised message and the counts add up
        assert all(isinstance(post, InboundMessage) for post in page.posts)
        assert page.result_count >= 0 and all(count >= 0 for count in page.skipped.values())


# -- the webhook: logic and the Lambda handler -----------------------------------------------------


@given(payload=mutated(X_DOCS) | json_values)
@hsettings(max_examples=examples(0.4))
def test_x_webhook_takes_any_signed_body_without_an_unexpected_error(store: Store, tenant: str, payload: Any) -> None:
    # Given any correctly signed body (documented shapes broken in places, or arbitrary JSON)
    webhook = make_x_webhook(store)
    body = json.dumps(payload, ensure_ascii=False).encode()
    # When the webhook receives it
    outcome = webhook.receive(body, x.sign(X_SECRET, body))
    # Then it is stored, counted or quarantined: never an exception
    answer = outcome.as_body()
    assert isinstance(answer, dict)


@pytest.fixture
def x_handler(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    machine = boto3.client("stepfunctions").create_state_machine(
        name="wf",
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
        roleArn="arn:aws:iam::123456789012:role/sf",
    )
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("TICKET_WORKFLOW_ARN", machine["stateMachineArn"])
    monkeypatch.setenv("MENTIONDESK_X_CONSUMER_SECRET", X_SECRET)
    monkeypatch.setenv("MAX_BODY_BYTES", "4096")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    return load_function("webhook_x")


@st.composite
def x_requests(draw: st.DrawFn) -> dict[str, Any]:
    """An API Gateway event for the X webhook: GET or POST, signed or not, plain or base64."""
    method = draw(st.sampled_from(["GET", "POST", "PUT", "get"]))
    body = draw(raw_bodies | mutated(X_DOCS).map(lambda doc: json.dumps(doc, ensure_ascii=False).encode()))
    signature = x.sign(X_SECRET, body) if draw(st.booleans()) else draw(header_values)
    headers = {"x-twitter-webhooks-signature": signature} if signature is not None else {}
    query = draw(st.none() | st.dictionaries(st.sampled_from(["crc_token", "other"]), st.text(max_size=50)))
    base64_body = draw(st.booleans())
    if not base64_body:
        body = body.decode("utf-8", errors="replace").encode("utf-8")
        headers = {"x-twitter-webhooks-signature": x.sign(X_SECRET, body)} if signature is not None else headers
    event = http_event(method, "/webhooks/x", body=body, headers=headers, query=query or None, base64_body=base64_body)
    if draw(st.integers(0, 9)) == 0:
        event["body"] = draw(st.text(max_size=60))  # not valid base64, or not what was signed
    return event


_REVOKE_IN_YEAR_ZERO = json.dumps(
    {"user_event": {"revoke": {"date_time": "0001-01-01T00:00:00+01:00", "source": {"user_id": "1"}}}}
).encode()


def _signed_event(body: bytes) -> dict[str, Any]:
    return http_event(
        "POST", "/webhooks/x", body=body, headers={"x-twitter-webhooks-signature": x.sign(X_SECRET, body)}
    )


@given(event=x_requests())
@hsettings(max_examples=examples(0.4))
@example(event=http_event("GET", "/webhooks/x"))
@example(event={**http_event("POST", "/webhooks/x", base64_body=True), "body": "***"})
@example(event=_signed_event(_REVOKE_IN_YEAR_ZERO))  # was a 5xx: OverflowError turning the date into UTC
@example(event=_signed_event(b"[" * 1_800 + b"]" * 1_800))  # was a 5xx: RecursionError in json.loads
def test_webhook_x_handler_answers_2xx_or_4xx_with_json(x_handler: Any, event: dict[str, Any]) -> None:
    # Given any request API Gateway could pass to the X webhook
    # When the handler answers it
    result = x_handler.handler(event, Context())
    # Then the answer is 2xx or 4xx with a JSON body: never 5xx, never an exception
    assert 200 <= result["statusCode"] < 500, result
    assert isinstance(json.loads(result["body"]), dict)
