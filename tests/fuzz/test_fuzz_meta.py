"""Fuzzing Meta's webhook: the subscription check, X-Hub-Signature-256, Instagram / Page / Messenger
bodies, and functions/webhook_meta end to end (2xx/4xx, JSON except the plain-text challenge)."""

import hashlib
import hmac
import json
from typing import Any

import boto3
import pytest
from hypothesis import example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from mentiondesk.channels import meta
from mentiondesk.errors import Forbidden, InvalidRequest, MalformedPayload, SignatureInvalid
from mentiondesk.models import ChannelAccount, IgnoredEvent, InboundMessage, MessageDeletion, MessageEdit
from mentiondesk.store.factory import Store

from tests.conftest import Context, http_event, load_function
from tests.fuzz.strategies import examples, fixtures, header_values, json_values, mutated, raw_bodies

pytestmark = [pytest.mark.fuzz, pytest.mark.unit]

APP_SECRET = "test-meta-app-secret"
VERIFY_TOKEN = "test-verify-token"
META_DOCS = fixtures("meta")
IG_ACCOUNT = "17841455500000001"
PAGE_ID = "104400000000001"


def _entry_with(value: dict[str, Any]) -> dict[str, Any]:
    return {"object": "page", "entry": [{"id": PAGE_ID, "time": 1795425000, "messaging": [value]}]}


# -- verification ----------------------------------------------------------------------------------


@given(params=st.dictionaries(st.sampled_from(["hub.mode", "hub.verify_token", "hub.challenge", "x"]), st.text()))
@example(params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"})
@example(params={"hub.mode": "subscribe", "hub.verify_token": "é" + VERIFY_TOKEN, "hub.challenge": "1"})
def test_meta_subscription_check_echoes_only_the_challenge(params: dict[str, str]) -> None:
    # Given any query parameters
    # When Meta's GET verification is checked
    try:
        challenge = meta.verify_subscription(params, VERIFY_TOKEN)
    except (Forbidden, InvalidRequest):
        # Then a refusal is Forbidden (403) or InvalidRequest (400), nothing else
        return
    # Then it passes only with mode "subscribe" and our token, and answers exactly the challenge
    assert params["hub.mode"] == "subscribe" and params["hub.verify_token"] == VERIFY_TOKEN
    assert challenge == params["hub.challenge"] and challenge


@given(body=raw_bodies, header=header_values)
@example(body=b"{}", header="sha256=" + "G" * 64)
@example(body=b"{}", header="sha256=" + hmac.new(APP_SECRET.encode(), b"{}", hashlib.sha256).hexdigest().upper())
@example(body=b"{}", header=meta.sign(APP_SECRET, b"{}") + "," + meta.sign(APP_SECRET, b"{}"))
def test_meta_signature_check_raises_only_signature_invalid(body: bytes, header: str | None) -> None:
    # Given any body and any X-Hub-Signature-256 header
    # When it is verified
    try:
        meta.verify_signature(APP_SECRET, body, header)
    except SignatureInvalid:
        return
    # Then it passes only with the lowercase hex HMAC of exactly these bytes
    assert header is not None
    assert header.strip() == "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


@given(body=st.binary(min_size=1, max_size=300), data=st.data())
def test_meta_signature_fails_after_any_one_byte_change(body: bytes, data: st.DataObject) -> None:
    # Given a correctly signed body
    header = meta.sign(APP_SECRET, body)
    index = data.draw(st.integers(min_value=0, max_value=len(body) - 1))
    replacement = data.draw(st.integers(min_value=0, max_value=255).filter(lambda b: b != body[index]))
    # When one byte changes, Then the signature no longer verifies
    with pytest.raises(SignatureInvalid):
        meta.verify_signature(APP_SECRET, body[:index] + bytes([replacement]) + body[index + 1 :], header)


# -- payloads --------------------------------------------------------------------------------------


def _parsed_or_malformed(payload: Any) -> None:
    try:
        events = meta.parse_delivery(payload)
    except MalformedPayload as error:
        reason: str | None = str(error)
    else:
        reason = None
    if reason is not None:
        assert "input_value" not in reason  # the reason is stored with the body: shape only, no values
        return
    assert isinstance(events, list)
    assert all(isinstance(e, InboundMessage | MessageEdit | MessageDeletion | IgnoredEvent) for e in events)
    for event in events:
        if isinstance(event, InboundMessage):
            assert event.created_at.endswith("Z")


@given(payload=json_values)
def test_meta_parse_delivery_of_any_json_raises_only_malformed_payload(payload: Any) -> None:
    # Given any JSON value, When parsed as a Meta delivery, Then events or MalformedPayload
    _parsed_or_malformed(payload)


@given(payload=mutated(META_DOCS))
@example(payload=_entry_with({"sender": {"id": "1"}, "timestamp": "1" * 5000, "message": {"mid": "m"}}))
@example(
    payload=_entry_with({"sender": {"id": "1"}, "timestamp": "0001-01-01T00:00:00+01:00", "message": {"mid": "m"}})
)
@example(payload=_entry_with({"sender": {"id": "1"}, "timestamp": 253402300799999, "message": {"mid": "m"}}))
@example(payload=_entry_with({"sender": {"id": "1"}, "timestamp": float("nan"), "message": {"mid": "m"}}))
def test_meta_parse_delivery_of_mutated_documented_shapes_raises_only_malformed_payload(payload: Any) -> None:
    # Given an Instagram / Page / Messenger delivery with some nodes broken
    # When parsed, Then events or MalformedPayload, never another exception
    _parsed_or_malformed(payload)


# -- the Lambda handler ----------------------------------------------------------------------------


@pytest.fixture
def meta_handler(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    for platform, account in (("instagram", IG_ACCOUNT), ("facebook", PAGE_ID)):
        store.directory.register_channel(
            ChannelAccount(
                tenant_id=tenant,
                platform=platform,
                account_id=account,
                handle="acme",
                team="support",
                created_at="2026-11-01T00:00:00.000Z",
                created_by="user-admin",
            )
        )
    machine = boto3.client("stepfunctions").create_state_machine(
        name="wf",
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
        roleArn="arn:aws:iam::123456789012:role/sf",
    )
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("TICKET_WORKFLOW_ARN", machine["stateMachineArn"])
    monkeypatch.setenv("MENTIONDESK_META_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("MENTIONDESK_META_VERIFY_TOKEN", VERIFY_TOKEN)
    monkeypatch.setenv("MAX_BODY_BYTES", "8192")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    # No access tokens: Graph lookups answer "not connected" without a network call.
    monkeypatch.delenv("MENTIONDESK_META_ACCESS_TOKENS", raising=False)
    return load_function("webhook_meta")


@st.composite
def meta_requests(draw: st.DrawFn) -> dict[str, Any]:
    """An API Gateway event for the Meta webhook: the GET check or a POST, signed or not."""
    if draw(st.integers(0, 4)) == 0:
        query = draw(
            st.dictionaries(
                st.sampled_from(["hub.mode", "hub.verify_token", "hub.challenge"]),
                st.sampled_from(["subscribe", VERIFY_TOKEN]) | st.text(max_size=30),
            )
        )
        return http_event("GET", "/webhooks/meta", query=query or None)
    body = draw(raw_bodies | mutated(META_DOCS).map(lambda doc: json.dumps(doc).encode()))
    base64_body = draw(st.booleans())
    if not base64_body:
        body = body.decode("utf-8", errors="replace").encode("utf-8")
    signature = meta.sign(APP_SECRET, body) if draw(st.booleans()) else draw(header_values)
    headers = {"x-hub-signature-256": signature} if signature is not None else {}
    return http_event("POST", "/webhooks/meta", body=body, headers=headers, base64_body=base64_body)


def _signed_raw(body: bytes) -> dict[str, Any]:
    return http_event("POST", "/webhooks/meta", body=body, headers={"x-hub-signature-256": meta.sign(APP_SECRET, body)})


def _signed(payload: dict[str, Any]) -> dict[str, Any]:
    return _signed_raw(json.dumps(payload).encode())


@given(event=meta_requests())
@hsettings(max_examples=examples(0.4))
@example(  # was a 5xx: OverflowError turning the timestamp into UTC
    event=_signed(
        _entry_with({"sender": {"id": "1"}, "timestamp": "0001-01-01T00:00:00+01:00", "message": {"mid": "m"}})
    )
)
@example(event=_signed(_entry_with({"sender": {"id": "1"}, "timestamp": "1" * 5000, "message": {"mid": "m"}})))
@example(event=_signed_raw(b"[" * 3_000 + b"]" * 3_000))  # was a 5xx: RecursionError in json.loads
def test_webhook_meta_handler_answers_2xx_or_4xx(meta_handler: Any, event: dict[str, Any]) -> None:
    # Given any request API Gateway could pass to the Meta webhook
    # When the handler answers it
    result = meta_handler.handler(event, Context())
    # Then 2xx or 4xx; JSON except the verification challenge, which Meta wants as plain text
    assert 200 <= result["statusCode"] < 500, result
    if result["headers"]["content-type"].startswith("text/plain"):
        assert result["statusCode"] == 200 and event["requestContext"]["http"]["method"] == "GET"
        assert result["body"] == event["queryStringParameters"]["hub.challenge"]
    else:
        assert isinstance(json.loads(result["body"]), dict)
