"""Reliability properties 27-30 (data): no personal data or tokens in logs, erasure, the audit log,
expiry and encryption.

Each test is named after its property in ../shared/notes/reliability.md. Handlers run in-process over
in-process moto (the table built from template.yaml).
"""

import hashlib
import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from mentiondesk.clock import iso
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import ChannelAccount, Team
from mentiondesk.store.factory import Store

from tests.conftest import (
    ACCOUNT_ID,
    ROOT,
    Context,
    RecordingStarter,
    access_claims,
    http_event,
    load_function,
    make_x_webhook,
    signed,
    tweet_delivery,
)
from tests.reliability.test_access import (
    PROTECTED,
    answer,
    claims,
    inbound,
    recording_dynamodb,
    routed,
    run_every_route,
    snapshot,
    status_and_json,
    table_items,
)
from tests.unit.test_api_route_matrix import World
from tests.unit.test_api_route_matrix import world as world
from tests.unit.test_ingest_x import dm_delivery

pytestmark = [pytest.mark.reliability, pytest.mark.unit]

ADMIN = access_claims("user-admin", "admin")


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The API function, with a send queue (replies are queued) and no Cognito (local sign-ins)."""
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    monkeypatch.setenv("SEND_QUEUE_URL", boto3.client("sqs").create_queue(QueueName="send")["QueueUrl"])
    monkeypatch.delenv("USER_POOL_ID", raising=False)
    from mentiondesk.api import deps

    for cached in (deps.send_queue, deps.notifier, deps.accounts):
        cached.cache_clear()
    return load_function("api")


# -- 27 ------------------------------------------------------------------------------------------

# Everything a customer can tell us, and a token: none of it may reach a log line.
NAME = "Zqxsentinel Hanako"
HANDLE = "zqxsentinel_handle"
PHONE = "090-5555-0199"
EMAIL = "zqx.sentinel.mail@example.com"
TEXT = f"@acme_help zqxsentinel-body 返金はまだですか {PHONE} {EMAIL}"
USER_ID = "7009990001112223334"
TOKEN = "zqxsentinel-access-token-0123456789"
NEEDLES = ("zqxsentinel", PHONE, PHONE.replace("-", ""), "zqx.sentinel", USER_ID)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], str]]:
    """Everything the functions write: the Powertools logger (at DEBUG), other loggers at INFO
    (Lambda's level for libraries), and stdout/stderr (metrics, prints)."""
    from mentiondesk.observability import logger

    buffer = io.StringIO()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous_stream = handler.setStream(buffer)
    previous_level = logger.log_level
    logger.setLevel("DEBUG")
    caplog.set_level(logging.INFO)
    printed: list[str] = []

    def text() -> str:
        out = capsys.readouterr()
        printed.append(out.out + out.err)
        return buffer.getvalue() + caplog.text + "".join(printed)

    try:
        yield text
    finally:
        handler.setStream(previous_stream)
        logger.setLevel(previous_level)


class XAnswers:
    """The X API as a requests session: scripted answers for the reply endpoint."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.sent: list[dict[str, Any]] = []

    def request(self, method: str, url: str, data: bytes, headers: dict[str, str], timeout: float) -> Any:
        self.sent.append({"url": url, "body": json.loads(data), "authorization": headers.get("Authorization")})
        status, body = self.answers.pop(0)
        if isinstance(status, BaseException):
            raise status
        return type("Answer", (), {"status_code": status, "json": lambda self: body, "headers": {}})()


def test_p27_ingest_triage_reply_and_erasure_log_no_personal_data_or_tokens(
    store: Store, tenant: str, table_name: str, api: Any, monkeypatch: pytest.MonkeyPatch, logs: Callable[[], str]
) -> None:
    import requests
    from mentiondesk.replies.platforms import PlatformSenders, XSender
    from mentiondesk.replies.queue import parse_message
    from mentiondesk.replies.sender import OutboxSender, SendPolicy

    # Given the webhook and classify functions next to the API
    machine = boto3.client("stepfunctions").create_state_machine(
        name="wf",
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
        roleArn="arn:aws:iam::123456789012:role/sf",
    )
    monkeypatch.setenv("TICKET_WORKFLOW_ARN", machine["stateMachineArn"])
    monkeypatch.setenv("MENTIONDESK_X_CONSUMER_SECRET", "test-consumer-secret")
    webhook = load_function("webhook_x")
    classify = load_function("triage_classify")
    # When a customer's mention and DM arrive (and a forged and a broken delivery carrying the same words)
    mention = tweet_delivery("8700000000000000001", TEXT, user_id=USER_ID, handle=HANDLE)
    mention["tweet_create_events"][0]["user"]["name"] = NAME
    dm = dm_delivery("8700000000000000002", f"zqxsentinel DM: my card ends 4242, call {PHONE}", sender=USER_ID)
    dm["users"][USER_ID].update(name=NAME, screen_name=HANDLE)
    statuses = []
    for body, signature in (
        signed(mention),
        signed(dm),
        (json.dumps(mention).encode(), "sha256=AAAA"),
        signed(b'{"for_user_id": "' + ACCOUNT_ID.encode() + b'", ' + TEXT.encode() + b"}"),
    ):
        event = http_event(
            "POST",
            "/webhooks/x",
            body=body,
            headers={"x-twitter-webhooks-signature": signature, "authorization": TOKEN},
        )
        statuses.append(webhook.handler(event, Context())["statusCode"])
    assert statuses == [200, 200, 401, 200]
    tickets = [t.id for t in store.tickets.inbox(tenant, None, 10, None).items]
    assert len(tickets) == 2
    # And each ticket is classified
    for ticket in tickets:
        classify.handler({"tenant_id": tenant, "ticket_id": ticket}, Context())
    # And an agent reads it, notes, lints and replies in the customer's words (with a bearer token around)
    admin = {**ADMIN, "email": "admin@acme.test"}
    mention_ticket = next(t for t in tickets if store.tickets.get(tenant, t).kind != "dm")
    version = store.tickets.get(tenant, mention_ticket).version
    for method, path, request in (
        ("GET", f"/api/tickets/{mention_ticket}", None),
        ("GET", f"/api/customers/x:{USER_ID}", None),
        ("POST", f"/api/tickets/{mention_ticket}/notes", {"text": f"{NAME} again, {PHONE}"}),
        ("POST", f"/api/tickets/{mention_ticket}/lint", {"text": f"{NAME}様 {EMAIL} へ", "mode": "public"}),
        ("POST", f"/api/tickets/{mention_ticket}/replies", {"version": version, "text": f"{NAME}様、確認します。"}),
        ("PATCH", f"/api/tickets/{mention_ticket}", {"version": version, "tags": [TEXT * 3]}),  # refused, 422
        ("PATCH", f"/api/tickets/{mention_ticket}", {"version": version, "zqxsentinel": TEXT}),  # refused, 400
    ):
        event = http_event(
            method,
            path,
            claims=admin,
            route_key="ANY /api/{proxy+}",
            body=json.dumps(request).encode() if request is not None else None,
            headers={"content-type": "application/json", "authorization": f"Bearer {TOKEN}"},
        )
        api.handler(event, Context())
    # And the reply is sent: once X accepts it; once X refuses, echoing the text; once the connection breaks
    queue = boto3.client("sqs")
    queued = queue.receive_message(QueueUrl=queue.get_queue_url(QueueName="send")["QueueUrl"])["Messages"]
    assert len(queued) == 1
    ref = parse_message(queued[0]["Body"])
    x = XAnswers(
        (requests.ConnectionError(f"connection reset while sending {TEXT}"), None),
        (403, {"title": "Forbidden", "detail": f"duplicate content: {NAME}様、確認します。 {TOKEN}"}),
    )
    platforms = PlatformSenders({"x": XSender(lambda account: TOKEN, session=x)})

    class Timers:
        def start(self, *args: Any) -> bool:
            return True

        def stop(self, *args: Any) -> None:
            return None

    clock = [datetime(2026, 11, 23, 9, 10, tzinfo=UTC)]
    sender = OutboxSender(
        store, platforms, Timers(), lambda ref, delay: None, "w1", clock=lambda: clock[0], policy=SendPolicy()
    )
    outcomes = []
    for _ in range(2):
        outcomes.append(sender.process(ref))
        clock[0] += timedelta(hours=1)
    assert len(x.sent) == 2 and x.sent[0]["authorization"] == f"Bearer {TOKEN}"
    # And the customer is erased
    erased = answer(api, "DELETE", f"/api/customers/x:{USER_ID}", ADMIN)
    assert erased["statusCode"] == 200, erased
    # Then the logs say what happened (the capture works) without any of the customer's data or the token
    written = logs()
    assert "customer erased" in written and '"level":"INFO"' in written, written[-2000:]
    leaked = {needle: written.count(needle) for needle in NEEDLES if needle in written}
    lines = [line for line in written.splitlines() if any(n in line for n in NEEDLES)]
    assert leaked == {}, lines[:5]
    assert TOKEN not in written


def test_p27_no_function_is_configured_to_log_events_or_debug() -> None:
    # Given every function's environment in template.yaml (Globals first)
    resources = load_resources()
    globals_env = load_globals()["Function"]["Environment"]["Variables"]
    # Then events are not logged and the level is INFO, everywhere
    assert str(globals_env["POWERTOOLS_LOGGER_LOG_EVENT"]).lower() == "false"
    assert globals_env["POWERTOOLS_LOG_LEVEL"] == "INFO"
    for name, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        env = resource["Properties"].get("Environment", {}).get("Variables", {})
        assert str(env.get("POWERTOOLS_LOGGER_LOG_EVENT", "false")).lower() == "false", name
        assert env.get("POWERTOOLS_LOG_LEVEL", "INFO") in ("INFO", "WARNING", "ERROR"), name
        assert "AWS_LAMBDA_LOG_LEVEL" not in env, name
    # And the workflow does not log execution data (inputs carry ticket ids only, but outputs could grow)
    workflow = resources["TicketWorkflow"]["Properties"]["Logging"]
    assert workflow["IncludeExecutionData"] is False


def load_resources() -> dict[str, Any]:
    from mentiondesk.local.template import load_template

    resources: dict[str, Any] = load_template(ROOT).raw["Resources"]
    return resources


def load_globals() -> dict[str, Any]:
    from mentiondesk.local.template import load_template

    found: dict[str, Any] = load_template(ROOT).raw["Globals"]
    return found


# -- 28 ------------------------------------------------------------------------------------------

TARO = "700000000000000001"
TARO_HANDLE = "taro_y"
OTHER = "globex"
OTHER_ACCOUNT = "900000000000000002"
PRIVATE_WORDS = "p28-taro-private-words 住所は東京都港区1-2-3"


def customer_hash(tenant: str, customer_id: str) -> str:
    return hashlib.sha256(f"{tenant}:{customer_id}".encode()).hexdigest()


def deliveries() -> list[dict[str, Any]]:
    """Taro's mention, his reply in the thread and a DM to acme."""
    return [
        tweet_delivery("5100000000000000001", f"@acme_help {PRIVATE_WORDS}"),
        tweet_delivery("5100000000000000002", f"@acme_help まだですか {PRIVATE_WORDS}", reply_to="5100000000000000001"),
        dm_delivery("5100000000000000003", f"DM {PRIVATE_WORDS}"),
    ]


def test_p28_erasing_a_customer_removes_their_data_in_that_tenant_only_and_is_audited(
    api: Any, store: Store, tenant: str, table_name: str
) -> None:
    # Given Taro writing to acme (mention, reply, DM; an agent's note and reply), and the same X user
    # (same id, same handle) writing to tenant globex, which has its own X account
    for delivery in deliveries():
        assert make_x_webhook(store).receive(*signed(delivery)).accepted == 1
    ticket = store.tickets.find_native(tenant, "x", "5100000000000000001")["ticket_id"]  # type: ignore[index]
    version = store.tickets.get(tenant, ticket).version
    assert answer(api, "POST", f"/api/tickets/{ticket}/notes", ADMIN, {"text": f"Taro: {PRIVATE_WORDS}"})[
        "statusCode"
    ] in (200, 201)
    reply = answer(api, "POST", f"/api/tickets/{ticket}/replies", ADMIN, {"version": version, "text": "確認します。"})
    assert reply["statusCode"] == 202, reply
    store.directory.put_tenant(OTHER, "Globex", "2026-11-01T00:00:00.000Z")
    store.directory.put_team(Team(tenant_id=OTHER, id="support", name="Support"))
    store.directory.register_channel(
        ChannelAccount(
            tenant_id=OTHER,
            platform="x",
            account_id=OTHER_ACCOUNT,
            handle="globex_help",
            team="support",
            created_at="2026-11-01T00:00:00.000Z",
            created_by="user-globex-admin",
        )
    )
    elsewhere = tweet_delivery("5200000000000000001", f"@globex_help {PRIVATE_WORDS}", for_user_id=OTHER_ACCOUNT)
    assert make_x_webhook(store).receive(*signed(elsewhere)).accepted == 1
    globex_before = snapshot(table_name, f"TENANT#{OTHER}")
    assert any("p28-taro-private-words" in v for v in globex_before.values())
    # When an acme admin erases Taro
    status, summary = status_and_json(answer(api, "DELETE", f"/api/customers/x:{TARO}", ADMIN))
    # Then nothing of acme's names him, his handle, his name or his words (audit records and erasure
    # markers hold a hash; tombstones of his messages hold no ticket and no text)
    assert status == 200 and summary["tickets"] == 2 and summary["messages"] >= 3, summary
    remaining = [i for i in table_items(table_name) if i["PK"]["S"].startswith(f"TENANT#{tenant}")]
    mentions_him = [
        (i["PK"]["S"], i["SK"]["S"])
        for i in remaining
        if any(n in json.dumps(i, ensure_ascii=False) for n in (TARO, TARO_HANDLE, "山田", "p28-taro-private-words"))
    ]
    assert mentions_him == []
    assert store.tickets.find_native(tenant, "x", "5100000000000000001") is not None  # the tombstone
    assert answer(api, "GET", f"/api/customers/x:{TARO}", ADMIN)["statusCode"] == 404
    assert answer(api, "GET", f"/api/tickets/{ticket}", ADMIN)["statusCode"] == 404
    # And globex's customer of the same id and handle is untouched, byte for byte
    assert snapshot(table_name, f"TENANT#{OTHER}") == globex_before
    # And one audit record says who erased whom (by hash)
    month = datetime.now(UTC).strftime("%Y-%m")
    records = [r for r in store.audit.month(tenant, month)[0] if r["action"] == "customer_deleted"]
    assert [(r["actor"], r["target"]) for r in records] == [("user-admin", customer_hash(tenant, f"x:{TARO}"))]
    # When X replays his old events
    acme_after = snapshot(table_name, f"TENANT#{tenant}")
    outcomes = [make_x_webhook(store).receive(*signed(d)) for d in deliveries()]
    # Then nothing comes back
    assert [o.accepted for o in outcomes] == [0, 0, 0]
    assert snapshot(table_name, f"TENANT#{tenant}") == acme_after
    assert store.tickets.inbox(tenant, None, 10, None).items == []


# -- 29 ------------------------------------------------------------------------------------------


def audit_records(store: Store, tenant: str = "acme") -> list[dict[str, Any]]:
    return [r for m in (datetime.now(UTC).strftime("%Y-%m"), "2026-11") for r in store.audit.month(tenant, m, 1000)[0]]


def test_p29_every_view_reply_export_and_role_change_writes_an_audit_record(
    world: tuple[Any, World], store: Store
) -> None:
    # Given acme's world (a ticket, a customer, a pending reply) with a recognisable message
    api, w = world
    IngestService(store, RecordingStarter(), clock=lambda: "2026-11-23T09:30:00.000Z").apply(
        [inbound("9800000000000000091", "p29-words-never-in-the-audit-log")]
    )
    ticket = w.ids["ticket_id"]
    version = store.tickets.get("acme", ticket).version
    steps: list[tuple[str, str, str, Any, dict[str, str] | None, str, str]] = [
        # method, path, role, body, query, the action audited, its target
        ("GET", f"/api/tickets/{ticket}", "agent", None, None, "ticket_viewed", ticket),
        ("GET", f"/api/customers/{w.ids['customer_id']}", "agent", None, None, "customer_viewed", ""),
        (
            "POST",
            f"/api/tickets/{ticket}/replies",
            "admin",
            {"version": version, "text": "山田様、確認します。"},
            None,
            "reply_queued",
            ticket,
        ),
        (
            "POST",
            f"/api/tickets/{ticket}/outbox/{w.ids['item_id']}/decision",
            "admin",
            {"decision": "cancel"},
            None,
            "reply_settled",
            ticket,
        ),
        ("POST", f"/api/tickets/{ticket}/hide", "admin", None, None, "comment_hidden", ticket),
        (
            "GET",
            "/api/reports/tickets.csv",
            "supervisor",
            None,
            {"from": "2026-11-01", "to": "2026-11-30"},
            "export",
            "",
        ),
        ("GET", "/api/costs/tickets.csv", "finance", None, {"month": "2026-11"}, "export", "costs:2026-11"),
        ("GET", "/api/audit", "admin", None, {"month": "2026-11"}, "export", "audit:2026-11"),
        (
            "PATCH",
            "/api/agents/user-bob",
            "admin",
            {"version": 1, "role": "supervisor"},
            None,
            "role_changed",
            "user-bob",
        ),
        ("DELETE", f"/api/customers/{w.ids['customer_id']}", "admin", None, None, "customer_deleted", ""),
    ]
    for method, path, role, body, query, action, target in steps:
        if path.endswith("/hide"):
            body = {"version": store.tickets.get("acme", ticket).version, "message_id": w.ids["message_id"]}
        if path.endswith("/replies"):
            body = {**body, "version": store.tickets.get("acme", ticket).version}
        if path.endswith("/decision"):  # a person decides a reply whose fate is UNKNOWN
            item = store.outbox.find("acme", ticket, w.ids["item_id"])
            assert item is not None
            store.table.update(
                {"PK": item["PK"], "SK": item["SK"]}, "SET #s = :s", names={"#s": "status"}, vals={":s": "UNKNOWN"}
            )
        before = audit_records(store)
        # When each is done
        result = answer(api, method, path, claims(role), body, query)
        assert result["statusCode"] < 300, (path, result)
        # Then exactly one new record says who did it, to what
        new = [r for r in audit_records(store) if r not in before]
        assert [r["action"] for r in new] == [action], (path, new)
        assert new[0]["actor"] == claims(role)["sub"] and new[0]["role"] == role
        if target:
            assert new[0]["target"] == target, (path, new[0])
    # And no record holds a message's text
    assert not [r for r in audit_records(store) if "p29-words" in json.dumps(r, ensure_ascii=False)]
    role_change = next(r for r in audit_records(store) if r["action"] == "role_changed")
    assert role_change["detail"] == {"from": "agent", "to": "supervisor"}


def test_p29_no_route_changes_or_deletes_an_audit_record(world: tuple[Any, World]) -> None:
    # Given every route, run once with every DynamoDB request recorded
    api, w = world
    with recording_dynamodb() as recorder:
        run_every_route(api, w, call=routed)
    # Then each request touching the audit log puts a new record, conditionally, and nothing else
    touching = []
    for op, params in recorder.calls:
        text = json.dumps(params)
        if "#AUDIT#" not in text:
            continue
        if op == "PutItem":
            touching.append((op, params.get("ConditionExpression")))
        elif op == "TransactWriteItems":
            for entry in params["TransactItems"]:
                if "#AUDIT#" in json.dumps(entry):
                    ((kind, spec),) = entry.items()
                    touching.append((f"Transact{kind}", spec.get("ConditionExpression")))
        else:
            touching.append((op, params.get("ConditionExpression") or params.get("KeyConditionExpression")))
    allowed = {
        ("PutItem", "attribute_not_exists(PK)"),
        ("TransactPut", "attribute_not_exists(PK)"),
        ("Query", "PK = :pk"),
    }
    assert {t for t in touching if t not in allowed} == set()
    assert ("PutItem", "attribute_not_exists(PK)") in touching and (
        "TransactPut",
        "attribute_not_exists(PK)",
    ) in touching
    # And the only audit route reads (there is no route that updates or deletes a record)
    assert [k for k in PROTECTED if "audit" in k[1]] == [("GET", "/api/audit")]


def test_p29_an_audit_record_cannot_be_overwritten(store: Store, tenant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a record, and a second write that would land on the same key
    from mentiondesk.store import audit

    monkeypatch.setattr(audit, "new_id", lambda: "01JAUDIT00000000000000000A")
    at = "2026-11-23T09:00:00.000Z"
    store.audit.append(tenant, "user-admin", "admin", "customer_deleted", "hash-1", at)
    original = store.audit.month(tenant, "2026-11")[0]
    # When it is written again with other content
    with pytest.raises(ClientError) as refused:
        store.audit.append(tenant, "user-eve", "admin", "export", "nothing-happened", at)
    # Then DynamoDB refuses it and the record is as it was
    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert store.audit.month(tenant, "2026-11")[0] == original


def test_p29_no_function_may_update_or_delete_audit_records() -> None:
    # Given every function with access to the table
    resources = load_resources()
    for name, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        statements = [
            s for p in resource["Properties"].get("Policies", []) if isinstance(p, dict) for s in p.get("Statement", [])
        ]
        table_actions = {
            a
            for s in statements
            if s.get("Effect") == "Allow" and "Table" in json.dumps(s.get("Resource"))
            for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
        }
        if not table_actions & {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:*"}:
            continue
        # Then it is denied changing or removing anything under an audit key
        denies = [
            s
            for s in statements
            if s.get("Effect") == "Deny"
            and {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"} <= set(s["Action"])
            and s.get("Condition", {}).get("ForAnyValue:StringLike", {}).get("dynamodb:LeadingKeys")
            == ["TENANT#*#AUDIT#*"]
        ]
        assert denies, f"{name} may update or delete audit records"


# -- 30 ------------------------------------------------------------------------------------------


def epoch(at: datetime) -> int:
    return int(at.timestamp())


def test_p30_expired_notifications_alerts_and_presence_never_appear_in_the_api(
    api: Any, store: Store, tenant: str
) -> None:
    # Given items whose time is over but which DynamoDB's TTL has not deleted yet (it can take days),
    # next to fresh ones
    from mentiondesk.store.alerts import new_alert
    from mentiondesk.store.notifications import notification_item

    now = datetime.now(UTC)
    ticket = (
        make_x_webhook(store, now=iso(now)).receive(*signed(tweet_delivery("5300000000000000001", "hi"))).tickets[0]
    )
    for days, kind in ((31, "expired"), (1, "fresh")):
        store.table.put(notification_item(tenant, "user-alice", kind, ticket, iso(now - timedelta(days=days))))
    for days, subject in ((91, "expired"), (1, "fresh")):
        alert = new_alert(tenant, "channel_revoked", subject, "message", iso(now - timedelta(days=days)))
        assert store.alerts.raise_once(alert, f"p30-{subject}")
    store.presence.mark(tenant, ticket, "user-bob", "Bob", "typing", iso(now - timedelta(seconds=30)))
    store.presence.mark(tenant, ticket, "user-admin", "Admin", "viewing", iso(now))
    # When they are read through the API
    notifications = status_and_json(answer(api, "GET", "/api/me/notifications", access_claims("user-alice", "agent")))
    alerts = status_and_json(answer(api, "GET", "/api/alerts", ADMIN))
    detail = status_and_json(answer(api, "GET", f"/api/tickets/{ticket}", ADMIN))
    # Then only the fresh ones are there
    assert notifications[0] == 200 and [n["kind"] for n in notifications[1]["items"]] == ["fresh"], notifications
    assert alerts[0] == 200 and [a["subject"] for a in alerts[1]["items"]] == ["fresh"], alerts
    assert detail[0] == 200 and [p["user_id"] for p in detail[1]["presence"]] == ["user-admin"]


def test_p30_expired_records_never_appear_in_store_reads(store: Store, tenant: str) -> None:
    # Given expired-but-present items next to live ones: quarantined bodies, label corrections,
    # sent-reply memory and an erasure marker
    from mentiondesk.store.customers import erased_key
    from mentiondesk.store.outbox import recent_reply_item

    now = datetime.now(UTC)
    past, future = epoch(now) - 60, epoch(now) + 86_400
    for n, expires in ((1, past), (2, future)):
        at = iso(now - timedelta(minutes=10 - n))
        store.table.put(
            {
                "PK": "QUARANTINE#x",
                "SK": f"{at}#{n}",
                "entity": "quarantine",
                "id": f"q{n}",
                "body": "{",
                "expires_at": expires,
            }
        )
        store.table.put(
            {
                "PK": f"TENANT#{tenant}#LABELS",
                "SK": f"{at}#T{n}#{n}",
                "entity": "correction",
                "ticket_id": f"T{n}",
                "text": "masked",
                "labels": {"intent": "question"},
                "expires_at": expires,
            }
        )
        store.table.put({**recent_reply_item(tenant, f"item{n}", "x:1", f"reply {n}", at), "expires_at": expires})
    store.table.put(
        {
            **erased_key(tenant, "x:42"),
            "entity": "erased_customer",
            "erased_at": iso(now - timedelta(days=401)),
            "expires_at": past,
        }
    )
    # When each is read
    quarantined = [r["id"] for r in store.quarantine.recent("x")]
    corrections = [c["ticket_id"] for c in store.learning.corrections(tenant)]
    replies = [r["text"] for r in store.outbox.recent_replies(tenant, iso(now - timedelta(days=1)), iso(now))]
    erased = store.customers.erased_at(tenant, "x:42", iso(now))
    # Then only the live ones come back
    assert (quarantined, corrections, replies, erased) == (["q2"], ["T2"], ["reply 2"], None)


def test_p30_an_expired_early_reply_marker_joins_nothing(store: Store, tenant: str) -> None:
    # Given a reply that arrived before its parent (a marker waits 30 days for the parent)
    t0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    early = make_x_webhook(store, now=iso(t0)).receive(
        *signed(tweet_delivery("5400000000000000002", "@acme_help 続きです", reply_to="5400000000000000001"))
    )
    # When the parent arrives 31 days later, before the TTL deleted the marker
    late = make_x_webhook(store, now=iso(t0 + timedelta(days=31))).receive(
        *signed(tweet_delivery("5400000000000000001", "@acme_help 最初の投稿"))
    )
    # Then it opens its own ticket instead of joining the old one through the expired marker
    assert late.tickets and late.tickets[0] != early.tickets[0]


def test_p30_an_expired_satisfaction_survey_link_is_closed(store: Store, tenant: str) -> None:
    # Given a survey link whose 7 days are over (still in the table)
    from mentiondesk.reports.csat import new_token
    from mentiondesk.store.csat import CsatStore, survey_item, token_hash
    from mentiondesk.web import csat_page

    token = new_token()
    now = datetime.now(UTC)
    survey = survey_item(
        token_hash(token),
        tenant=tenant,
        ticket_id="01JTICKET00000000000000000",
        agent_id=None,
        team="support",
        channel="x",
        account_id=ACCOUNT_ID,
        language="en",
        brand="Acme",
        now=iso(now - timedelta(days=8)),
    )
    store.table.put(survey)
    # When the customer opens it
    event = http_event("GET", f"/csat/{token}")
    event["pathParameters"] = {"token": token}
    page = csat_page.handle(event, CsatStore(store.table), clock=lambda: now)
    # Then it is gone, not a form
    assert page["statusCode"] == 410 and "<form" not in page["body"]


def test_p30_the_table_queues_bucket_topic_and_logs_are_encrypted() -> None:
    # Given the template's resources
    resources = load_resources()
    by_type: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for name, resource in resources.items():
        by_type.setdefault(resource["Type"], []).append((name, resource.get("Properties", {})))
    # Then the table is encrypted (and its expiry attribute is the one reads check)
    ((_, table),) = by_type["AWS::DynamoDB::Table"]
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    # And every queue, bucket and topic
    for name, queue in by_type["AWS::SQS::Queue"]:
        assert queue.get("SqsManagedSseEnabled") is True or queue.get("KmsMasterKeyId"), name
    for name, bucket in by_type["AWS::S3::Bucket"]:
        rules = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rules and rules[0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms"), name
        assert all(bucket["PublicAccessBlockConfiguration"].values()), name
    for name, topic in by_type.get("AWS::SNS::Topic", []):
        assert topic.get("KmsMasterKeyId"), name
    # And log groups: a key, or the documented reason CloudWatch Logs' own encryption is enough
    checkov = (ROOT / ".checkov.yaml").read_text("utf-8") if (ROOT / ".checkov.yaml").exists() else ""
    documented = re.search(r"log group encrypted[^\n]*\n(\s*#[^\n]*\n)*\s*-\s*CKV_AWS_158", checkov, re.IGNORECASE)
    for name, group in by_type["AWS::Logs::LogGroup"]:
        assert group.get("KmsKeyId") or documented, name
        assert group.get("RetentionInDays"), name


SECRETISH = re.compile(r"secret|token|password|passwd|private[_-]?key|api[_-]?key|credential", re.IGNORECASE)


def test_p30_no_plaintext_secrets_in_the_template() -> None:
    # Given every function's environment, the parameters and the secrets in template.yaml
    resources = load_resources()
    raw = (ROOT / "template.yaml").read_text("utf-8")
    # Then an environment variable about a secret holds where the secret is (an ARN or a name), never its value
    for name, resource in resources.items():
        env = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
        for variable, value in env.items():
            if SECRETISH.search(variable):
                assert variable.endswith(("_ARN", "_NAME", "_PARAMETER", "_PATH", "_PREFIX")), (name, variable)
                assert not isinstance(value, str) or value == "" or value.startswith(("arn:", "/")), (name, variable)
    # And a parameter about a secret takes an ARN (or is NoEcho), with no default value
    for parameter, spec in load_template_raw()["Parameters"].items():
        if SECRETISH.search(parameter):
            assert parameter.endswith("Arn") or spec.get("NoEcho") is True, parameter
            assert spec.get("Default", "") == "", parameter
    # And Secrets Manager generates every secret's value (none is written in the template)
    for name, resource in resources.items():
        if resource["Type"] == "AWS::SecretsManager::Secret":
            # generated, or a JSON shape whose values are left empty for the operator to fill in
            shape = resource["Properties"].get("SecretString")
            assert shape is None or set(json.loads(shape).values()) == {""}, name
        if resource["Type"] == "AWS::SSM::Parameter":
            assert not SECRETISH.search(json.dumps(resource["Properties"])), name
    # And a secrets scanner finds nothing in the template or the deploy configuration
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    found = SecretsCollection(root=str(ROOT))
    with default_settings():
        for path in ("template.yaml", "samconfig.toml"):
            found.scan_file(path)
    # (a finding a person audited as a false positive in .secrets.baseline is not a secret)
    audited = json.loads((ROOT / ".secrets.baseline").read_text("utf-8"))["results"]
    false_positives = {
        (f, r["type"], r["hashed_secret"]) for f, rs in audited.items() for r in rs if r.get("is_secret") is False
    }
    unaudited = [
        (f, r["type"], r["line_number"])
        for f, rs in found.json().items()
        for r in rs
        if (f, r["type"], r["hashed_secret"]) not in false_positives
    ]
    assert unaudited == []
    assert "AKIA" not in raw and "-----BEGIN" not in raw


def load_template_raw() -> dict[str, Any]:
    from mentiondesk.local.template import load_template

    raw: dict[str, Any] = load_template(ROOT).raw
    return raw
