"""functions/webhook_x through API Gateway events: statuses, both body encodings, workflow start."""

import json
from typing import Any

import boto3
import pytest
from mentiondesk.store.factory import Store

from tests.conftest import Context, http_event, load_function, signed, x_event

pytestmark = pytest.mark.unit


@pytest.fixture
def handler(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    machine = boto3.client("stepfunctions").create_state_machine(
        name="wf",
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
        roleArn="arn:aws:iam::123456789012:role/sf",
    )
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("TICKET_WORKFLOW_ARN", machine["stateMachineArn"])
    monkeypatch.setenv("MENTIONDESK_X_CONSUMER_SECRET", "test-consumer-secret")
    monkeypatch.setenv("MAX_BODY_BYTES", "4096")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    module = load_function("webhook_x")
    module.arn = machine["stateMachineArn"]
    return module


def call(handler: Any, event: dict[str, Any]) -> tuple[int, Any]:
    result = handler.handler(event, Context())
    body = result["body"]
    return result["statusCode"], json.loads(body) if body.startswith(("{", "[")) else body


def test_crc_challenge(handler: Any) -> None:
    status, body = call(handler, http_event("GET", "/webhooks/x", query={"crc_token": "challenge_string"}))
    assert status == 200
    assert body["response_token"].startswith("sha256=")


def test_crc_without_token_is_400(handler: Any) -> None:
    assert call(handler, http_event("GET", "/webhooks/x"))[0] == 400


@pytest.mark.parametrize("base64_body", [False, True])
def test_signed_delivery_is_stored_in_both_body_encodings(
    handler: Any, store: Store, tenant: str, base64_body: bool
) -> None:
    # Given a Japanese body with emoji, as API Gateway passes it (plain or base64)
    body, sig = signed(x_event("tweet_create_mention_ja.json"))
    event = http_event(
        "POST",
        "/webhooks/x",
        body=body,
        headers={"X-Twitter-Webhooks-Signature": sig, "Content-Type": "application/json"},
        base64_body=base64_body,
    )
    # When
    status, answer = call(handler, event)
    # Then it is stored and the workflow started under the ticket's name
    assert status == 200 and answer["accepted"] == 1
    executions = boto3.client("stepfunctions").list_executions(stateMachineArn=handler.arn)["executions"]
    assert len(executions) == 1
    assert executions[0]["name"].startswith(f"triage-{tenant}-")


def test_second_start_for_the_same_ticket_is_harmless(handler: Any) -> None:
    body, sig = signed(x_event("tweet_create_mention_ja.json"))
    event = http_event("POST", "/webhooks/x", body=body, headers={"x-twitter-webhooks-signature": sig})
    assert call(handler, event)[1]["accepted"] == 1
    status, answer = call(handler, event)
    assert status == 200 and answer["duplicates"] == 1
    assert len(boto3.client("stepfunctions").list_executions(stateMachineArn=handler.arn)["executions"]) == 1


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-twitter-webhooks-signature": "sha256=AAAA"}, {"x-twitter-webhooks-signature": "garbage"}],
)
def test_bad_or_missing_signature_is_401(handler: Any, headers: dict[str, str]) -> None:
    body, _ = signed(x_event("tweet_create_mention_ja.json"))
    assert call(handler, http_event("POST", "/webhooks/x", body=body, headers=headers))[0] == 401


def test_duplicate_signature_headers_joined_by_api_gateway_are_401(handler: Any) -> None:
    body, sig = signed(x_event("tweet_create_mention_ja.json"))
    event = http_event("POST", "/webhooks/x", body=body, headers={"x-twitter-webhooks-signature": f"{sig},{sig}"})
    assert call(handler, event)[0] == 401


@pytest.mark.parametrize("base64_body", [False, True])
def test_oversized_body_is_413(handler: Any, base64_body: bool) -> None:
    body, sig = signed(b"{" + b" " * 5000 + b"}")
    event = http_event(
        "POST",
        "/webhooks/x",
        body=body,
        headers={"x-twitter-webhooks-signature": sig},
        base64_body=base64_body,
    )
    assert call(handler, event)[0] == 413


def test_malformed_json_with_good_signature_is_200_and_quarantined(handler: Any, store: Store) -> None:
    body, sig = signed(b'{"for_user_id": "900000000000000001", "tweet_create_events": [')
    status, answer = call(
        handler, http_event("POST", "/webhooks/x", body=body, headers={"x-twitter-webhooks-signature": sig})
    )
    assert status == 200 and answer["quarantined"]
    assert store.quarantine.recent("x")[0]["id"] == answer["quarantined"]


def test_missing_settings_fail_the_cold_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from mentiondesk.config import SettingsError

    for key in (
        "TABLE_NAME",
        "TICKET_WORKFLOW_ARN",
        "MENTIONDESK_X_CONSUMER_SECRET",
        "X_CONSUMER_SECRET_ARN",
    ):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(SettingsError):
        load_function("webhook_x")
