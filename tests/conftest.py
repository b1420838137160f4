"""Shared fixtures: in-process moto with the table built from template.yaml itself, and helpers
for signed X deliveries."""

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from mentiondesk.channels import x
from mentiondesk.local.runtime import serialize_moto_transactions
from mentiondesk.local.template import load_template
from mentiondesk.models import Agent, ChannelAccount, Team
from mentiondesk.store.factory import Store, store_for
from moto import mock_aws

if TYPE_CHECKING:
    from mentiondesk.local.stack import LocalStack

ROOT = Path(__file__).resolve().parents[1]
EVENTS = Path(__file__).parent / "events"
X_SECRET = "test-consumer-secret"
TENANT = "acme"
ACCOUNT_ID = "900000000000000001"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In-process moto; boto3 clients made inside use it."""
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    from mentiondesk.api import deps
    from mentiondesk.store import factory

    factory.aws_client.cache_clear()
    deps.reset()
    serialize_moto_transactions()
    with mock_aws():
        yield
    factory.aws_client.cache_clear()
    deps.reset()


@pytest.fixture
def table_name(aws: None) -> str:
    """The table exactly as template.yaml declares it (keys, indexes)."""
    template = load_template(ROOT)
    props = template.resolve(template.raw["Resources"]["Table"]["Properties"])
    name = "mentiondesk-test"
    boto3.client("dynamodb").create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=props["AttributeDefinitions"],
        KeySchema=props["KeySchema"],
        GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
    )
    return name


@pytest.fixture
def store(table_name: str) -> Store:
    return store_for(table_name)


def make_agent(name: str, role: str = "agent", tenant: str = TENANT, **fields: Any) -> Agent:
    defaults: dict[str, Any] = {"team": "support", "online": True, "capacity": 10}
    defaults.update(fields)
    return Agent(
        id=f"user-{name}",
        tenant_id=tenant,
        email=f"{name}@{tenant}.test",
        name=name.title(),
        role=role,
        **defaults,
    )  # type: ignore[arg-type]


@pytest.fixture
def tenant(store: Store) -> str:
    """A tenant with a round-robin support team, two online agents and a registered X account."""
    store.directory.put_tenant(TENANT, "Acme", "2026-11-01T00:00:00.000Z")
    store.directory.put_team(Team(tenant_id=TENANT, id="support", name="Support"))
    for agent in (make_agent("alice"), make_agent("bob"), make_agent("admin", role="admin", team=None)):
        store.directory.put_agent(agent)
    store.directory.register_channel(
        ChannelAccount(
            tenant_id=TENANT,
            platform="x",
            account_id=ACCOUNT_ID,
            handle="acme_help",
            team="support",
            created_at="2026-11-01T00:00:00.000Z",
            created_by="user-admin",
        )
    )
    return TENANT


def x_event(name: str) -> dict[str, Any]:
    """A fixture delivery from tests/events/x/ (written by us in X's documented shape)."""
    data: dict[str, Any] = json.loads((EVENTS / "x" / name).read_text(encoding="utf-8"))
    return data


def tweet_delivery(
    tweet_id: str,
    text: str,
    *,
    user_id: str = "700000000000000001",
    handle: str = "taro_y",
    reply_to: str | None = None,
    for_user_id: str = ACCOUNT_ID,
    lang: str | None = "ja",
) -> dict[str, Any]:
    """A minimal tweet_create_events delivery."""
    return {
        "for_user_id": for_user_id,
        "tweet_create_events": [
            {
                "created_at": x.x_timestamp(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),
                "id_str": tweet_id,
                "text": text,
                "in_reply_to_status_id_str": reply_to,
                "lang": lang,
                "user": {
                    "id_str": user_id,
                    "screen_name": handle,
                    "name": "山田 太郎",
                    "followers_count": 42,
                },
            }
        ],
    }


def signed(payload: dict[str, Any] | bytes, secret: str = X_SECRET) -> tuple[bytes, str]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    return body, x.sign(secret, body)


def environ_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


def load_function(name: str) -> Any:
    """Import functions/<name>/app.py afresh (its cold start reads the current environment)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        f"fn_{name}_{os.urandom(4).hex()}", ROOT / "functions" / name / "app.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Context:
    function_name = "test"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test"
    aws_request_id = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def http_event(
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    base64_body: bool = False,
    claims: dict[str, Any] | None = None,
    route_key: str | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event."""
    import base64 as b64

    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key or f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
        "headers": {k.lower(): v for k, v in (headers or {}).items()},
        "requestContext": {
            "http": {
                "method": method,
                "path": path,
                "sourceIp": "192.0.2.1",
                "protocol": "HTTP/1.1",
                "userAgent": "test",
            },
            "requestId": "r",
            "routeKey": route_key or f"{method} {path}",
            "stage": "$default",
            "accountId": "123456789012",
            "apiId": "test",
            "domainName": "test",
            "domainPrefix": "test",
            "time": "",
            "timeEpoch": 0,
        },
        "isBase64Encoded": base64_body,
    }
    if query:
        event["queryStringParameters"] = query
    if body is not None:
        event["body"] = b64.b64encode(body).decode() if base64_body else body.decode("utf-8")
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return event


def access_claims(user_id: str, role: str, tenant: str = TENANT, **extra: Any) -> dict[str, Any]:
    """Verified access-token claims as API Gateway hands them over (arrays as "[a b]")."""
    return {
        "sub": user_id,
        "token_use": "access",
        "tenant_id": tenant,
        "cognito:groups": f"[{role}]",
        "client_id": "page",
        "scope": "openid email mentiondesk/api",
        "username": f"{user_id}@test",
        **extra,
    }


@pytest.fixture(scope="module")
def stack() -> Iterator["LocalStack"]:
    """A local stack per test module (about two seconds to start; moto's state is per process).

    Module scope, not session: a running stack ticks its schedules and applies each function's
    environment while it runs, which must not overlap the unit tests' own environment.

    time_scale 60: the every-minute schedule ticks every second. The simulator stays off so tests
    count exactly what they sent.
    """
    from mentiondesk.local.stack import LocalStack

    with LocalStack(port=0, demo=True, simulate=False, time_scale=60) as running:
        yield running


class RecordingStarter:
    """Records workflow starts (the real one is idempotent by execution name)."""

    def __init__(self) -> None:
        self.started: list[tuple[str, str]] = []
        self.message_runs: list[tuple[str, str, str]] = []  # messages that joined a ticket

    def start_triage(self, tenant: str, ticket_id: str, message_id: str | None = None) -> bool:
        if message_id:
            self.message_runs.append((tenant, ticket_id, message_id))
        else:
            self.started.append((tenant, ticket_id))
        return True


def make_x_webhook(
    store: Store,
    starter: RecordingStarter | None = None,
    limit: int = 262_144,
    now: str | Any = "2026-11-23T09:00:00.000Z",
    dm_window_seconds: int = 86_400,
) -> Any:
    """The X webhook over the real ingest service and store; `now` may be a callable clock."""
    from mentiondesk.ingest.service import IngestService
    from mentiondesk.ingest.x_webhook import XWebhook

    clock = now if callable(now) else (lambda: now)
    service = IngestService(store, starter or RecordingStarter(), clock, dm_window_seconds)
    return XWebhook(service, lambda: X_SECRET, limit)
