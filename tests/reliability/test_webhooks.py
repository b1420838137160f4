"""Reliability properties 1-10 (webhooks) of ../shared/notes/reliability.md, one or more tests each.

Every test drives the real Lambda entry points (functions/webhook_x, webhook_meta, webhook_google)
with API Gateway HTTP API events over in-process moto: the table built from template.yaml, plus the
template's queues and bucket, so "nothing is written anywhere" is checked against all of them.
"""

import base64
import functools
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any, ClassVar

import boto3
import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa
from mentiondesk import clock
from mentiondesk.api import deps
from mentiondesk.channels import google, meta, x
from mentiondesk.cli import main as cli_main
from mentiondesk.errors import NotFound, SignatureInvalid, TransientStoreError
from mentiondesk.ingest import google_webhook, meta_webhook, x_webhook
from mentiondesk.local.runtime import serialize_moto_transactions
from mentiondesk.local.template import LocalTemplate, load_template
from mentiondesk.models import ChannelAccount
from mentiondesk.store import factory
from mentiondesk.store.factory import Store
from moto import mock_aws

from tests.conftest import (
    ACCOUNT_ID,
    EVENTS,
    ROOT,
    X_SECRET,
    Context,
    http_event,
    load_function,
    tweet_delivery,
)

pytestmark = [pytest.mark.reliability, pytest.mark.unit]

MAX_BODY = 4096
OLD_X_SECRET = "previous-consumer-secret"  # the secret before a rotation
META_APP_SECRET = "reliability-meta-app-secret"
OLD_META_APP_SECRET = "previous-meta-app-secret"
META_VERIFY_TOKEN = "reliability-verify-token"
PAGE_ID = "104400000000001"
GOOGLE_AUDIENCE = "https://hooks.mentiondesk.test/webhooks/google"
PUSH_SA = "gbp-push@mentiondesk-demo.iam.gserviceaccount.com"
LOCATION = "accounts/5550001/locations/7770001"
UNKNOWN = {"x": "900000000000000999", "meta": "104400000000999", "google": "accounts/5550001/locations/7779999"}
# Japanese, an emoji outside the BMP (a surrogate pair once \u-escaped) and a URL (Meta escapes its slashes).
TEXT = "昨日から回線が繋がらないです😭 詳細 https://shop.example.com/o/1"

# Google signs pushes with RS256 keys it rotates: the current one is in the JWKS the function trusts.
CURRENT_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OLD_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
CURRENT_KID = "current-key"
JWKS = json.dumps(
    {
        "keys": [
            {
                **json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(CURRENT_KEY.public_key())),
                "kid": CURRENT_KID,
                "alg": "RS256",
                "use": "sig",
            }
        ]
    }
)


def google_token(key: rsa.RSAPrivateKey = CURRENT_KEY, kid: str = CURRENT_KID, **overrides: Any) -> str:
    """An OIDC token shaped like the one Pub/Sub attaches to a push."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "https://accounts.google.com",
        "aud": GOOGLE_AUDIENCE,
        "email": PUSH_SA,
        "email_verified": True,
        "sub": "110000000000000000001",
        "iat": now,
        "exp": now + 3600,
    }
    claims.update(overrides)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


# -- the deployment and its functions --------------------------------------------------------------


@dataclass
class Deployment:
    """What the webhook functions run against: the table, the template's queues and buckets, the workflow."""

    table: str
    queues: list[str]
    buckets: list[str]
    workflow_arn: str


@functools.cache
def template() -> LocalTemplate:
    """template.yaml, read once per run (reading it costs about a third of a second)."""
    return load_template(ROOT)


@functools.cache
def client(service: str) -> Any:
    """The test's own boto3 clients, made once (moto serves any client while a mock is active; making a
    client costs more than most calls). Separate from the functions' clients, which tests break on purpose."""
    return boto3.client(service, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def _module_clients() -> Iterator[None]:
    factory.aws_client.cache_clear()
    yield
    factory.aws_client.cache_clear()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, _module_clients: None) -> Iterator[None]:
    """conftest's aws, but the functions' boto3 clients live for the whole module: making one costs about
    0.15 s, more than everything else a test here does (moto serves a client whenever a mock is active)."""
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    deps.reset()
    serialize_moto_transactions()
    with mock_aws():
        yield
    deps.reset()


@pytest.fixture
def table_name(aws: None) -> str:
    """conftest's table_name (keys and indexes exactly as template.yaml declares them), from the cached template."""
    props = template().resolve(template().raw["Resources"]["Table"]["Properties"])
    name = "mentiondesk-test"
    client("dynamodb").create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=props["AttributeDefinitions"],
        KeySchema=props["KeySchema"],
        GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
    )
    return name


@pytest.fixture
def deployment(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Deployment:
    names = template().names
    sqs, s3 = client("sqs"), client("s3")
    queues = [sqs.create_queue(QueueName=names[q])["QueueUrl"] for q in template().resources("AWS::SQS::Queue")]
    buckets = [names[b] for b in template().resources("AWS::S3::Bucket")]
    for bucket in buckets:
        s3.create_bucket(Bucket=bucket)
    assert queues and buckets  # the template declares both: the "nothing written" checks have something to see
    machine = client("stepfunctions").create_state_machine(
        name="ticket-workflow",
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
        roleArn="arn:aws:iam::123456789012:role/sf",
    )
    for platform, account in (("facebook", PAGE_ID), ("google", LOCATION)):  # X's account: the tenant fixture
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
    env = {
        "TABLE_NAME": table_name,
        "TICKET_WORKFLOW_ARN": machine["stateMachineArn"],
        "MAX_BODY_BYTES": str(MAX_BODY),
        "POWERTOOLS_METRICS_NAMESPACE": "Mentiondesk",
        "MENTIONDESK_X_CONSUMER_SECRET": X_SECRET,
        "MENTIONDESK_META_APP_SECRET": META_APP_SECRET,
        "MENTIONDESK_META_VERIFY_TOKEN": META_VERIFY_TOKEN,
        "GOOGLE_PUSH_AUDIENCE": GOOGLE_AUDIENCE,
        "GOOGLE_PUSH_SERVICE_ACCOUNT": PUSH_SA,
        "MENTIONDESK_GOOGLE_JWKS": JWKS,
        "MENTIONDESK_GOOGLE_API_TOKEN": "test-api-token",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return Deployment(table_name, queues, buckets, machine["stateMachineArn"])


class Invocation(Context):
    """A Lambda context with its own request id (the cost ledger keys its records on it)."""

    def __init__(self) -> None:
        self.aws_request_id = uuid.uuid4().hex


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    error: Exception | None = None


def invoke(fn: Any, event: dict[str, Any]) -> Answer:
    """The HTTP answer API Gateway gives: the function's response, or 500 when the function raised."""
    try:
        result = fn.handler(event, Invocation())
    except Exception as error:  # an HTTP API answers a failed Lambda invocation with 500
        return Answer(500, {"message": "Internal Server Error"}, error=error)
    text = result["body"]
    body = json.loads(text) if result["headers"]["content-type"].startswith("application/json") else text
    return Answer(result["statusCode"], body, result["headers"])


class FakeReviews:
    """The Business Profile reviews API: serves the reviews a test added, records every read."""

    TEMPLATE: ClassVar[dict[str, Any]] = json.loads((EVENTS / "google" / "review_ja_new.json").read_text("utf-8"))

    def __init__(self) -> None:
        self.reviews: dict[str, dict[str, Any]] = {}
        self.calls: list[str] = []

    def add(self, name: str, text: str) -> None:
        self.reviews[name] = {**self.TEMPLATE, "name": name, "reviewId": name.rsplit("/", 1)[1], "comment": text}

    def get_review(self, review_name: str) -> dict[str, Any]:
        self.calls.append(review_name)
        if review_name not in self.reviews:
            raise NotFound("no such review")
        return dict(self.reviews[review_name])


class Hook:
    """One webhook function, loaded afresh (its cold start) against the deployment."""

    name: ClassVar[str]
    function: ClassVar[str]
    path: ClassVar[str]
    platform: ClassVar[str]  # as stored on messages
    header: ClassVar[str]  # where the platform's proof of origin travels

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.fn = load_function(self.function)

    @property
    def store(self) -> Store:
        """The function's own store (its DynamoDB client is the one to break)."""
        store: Store = self.fn.webhook.service.store
        return store

    def post(self, body: bytes, headers: dict[str, str], *, base64_body: bool = False) -> Answer:
        return invoke(self.fn, http_event("POST", self.path, body=body, headers=headers, base64_body=base64_body))

    def payload(self, native_id: str, text: str, *, known: bool = True) -> bytes:
        """The platform's bytes for one customer message (to the tenant's account, or to an unknown one)."""
        raise NotImplementedError

    def sign(self, body: bytes) -> dict[str, str]:
        """The authentication headers the platform sends with this body."""
        raise NotImplementedError

    def delivery(self, native_id: str, text: str = TEXT, *, known: bool = True) -> tuple[bytes, dict[str, str]]:
        body = self.payload(native_id, text, known=known)
        return body, self.sign(body)

    def unparseable(self) -> bytes:
        """A body the platform could sign but we cannot parse."""
        raise NotImplementedError


class XHook(Hook):
    name, function, path, platform = "x", "webhook_x", "/webhooks/x", "x"
    header = x.SIGNATURE_HEADER

    def payload(self, native_id: str, text: str, *, known: bool = True) -> bytes:
        return x_bytes(native_id, text, ACCOUNT_ID if known else UNKNOWN["x"])

    def sign(self, body: bytes, secret: str = X_SECRET) -> dict[str, str]:
        return {self.header: x.sign(secret, body)}

    def unparseable(self) -> bytes:
        return b'{"for_user_id": "900000000000000001", "tweet_create_events": ['


class MetaHook(Hook):
    name, function, path, platform = "meta", "webhook_meta", "/webhooks/meta", "facebook"
    header = meta.SIGNATURE_HEADER

    def payload(self, native_id: str, text: str, *, known: bool = True) -> bytes:
        return meta_bytes(meta_dm(native_id, text, PAGE_ID if known else UNKNOWN["meta"]))

    def sign(self, body: bytes, secret: str = META_APP_SECRET) -> dict[str, str]:
        return {self.header: meta.sign(secret, body)}

    def unparseable(self) -> bytes:
        return b'{"object": "page", "entry": "not a list"}'


class GoogleHook(Hook):
    name, function, path, platform = "google", "webhook_google", "/webhooks/google", "google"
    header = "authorization"

    def __init__(self, deployment: Deployment) -> None:
        super().__init__(deployment)
        self.reviews = FakeReviews()
        self.fn.webhook.reviews = self.reviews

    def payload(self, native_id: str, text: str, *, known: bool = True) -> bytes:
        location = LOCATION if known else UNKNOWN["google"]
        name = f"{location}/reviews/{native_id}"
        self.reviews.add(name, text)
        notification = {"type": google.NEW_REVIEW, "reviewName": name, "locationName": location}
        return push_bytes(notification)

    def sign(self, body: bytes) -> dict[str, str]:
        return {self.header: f"Bearer {google_token()}"}

    def unparseable(self) -> bytes:
        return b'{"message": {"data": "not base64 json!", "messageId": "1"'


HOOKS: dict[str, type[Hook]] = {"x": XHook, "meta": MetaHook, "google": GoogleHook}


def x_bytes(native_id: str, text: str, account: str = ACCOUNT_ID, *, escaped: bool = False) -> bytes:
    """An X delivery of one mention: raw UTF-8, or with \\u escapes."""
    return json.dumps(tweet_delivery(native_id, text, for_user_id=account), ensure_ascii=escaped).encode()


def meta_dm(native_id: str, text: str, page: str = PAGE_ID) -> dict[str, Any]:
    """A Messenger delivery of one customer DM to `page`."""
    event = {
        "sender": {"id": "7100000000000001"},
        "recipient": {"id": page},
        "timestamp": 1795485900456,
        "message": {"mid": native_id, "text": text},
    }
    return {"object": "page", "entry": [{"id": page, "time": 1795485900789, "messaging": [event]}]}


def meta_bytes(payload: Any) -> bytes:
    """What Meta sends: non-ASCII as \\uXXXX, ", " and ": " separators, slashes escaped as \\/."""
    return json.dumps(payload).replace("/", "\\/").encode()


def push_bytes(notification: dict[str, str]) -> bytes:
    data = base64.b64encode(json.dumps(notification).encode()).decode()
    message = {"data": data, "messageId": uuid.uuid4().hex, "publishTime": "2026-11-23T09:00:01.250Z"}
    return json.dumps({"message": message, "subscription": "projects/demo/subscriptions/gbp-push"}).encode()


@pytest.fixture(params=["x", "meta", "google"])
def hook(request: pytest.FixtureRequest, deployment: Deployment) -> Hook:
    return HOOKS[request.param](deployment)


@pytest.fixture(params=["x", "meta"])
def hmac_hook(request: pytest.FixtureRequest, deployment: Deployment) -> Hook:
    """The platforms that sign the body itself (Google authenticates the push, not the bytes)."""
    return HOOKS[request.param](deployment)


@pytest.fixture
def x_hook(deployment: Deployment) -> XHook:
    return XHook(deployment)


@pytest.fixture
def meta_hook(deployment: Deployment) -> MetaHook:
    return MetaHook(deployment)


@pytest.fixture
def google_hook(deployment: Deployment) -> GoogleHook:
    return GoogleHook(deployment)


# -- what was written ---------------------------------------------------------------------------------

_COST_ENTITIES = {"cost_record", "cost_rollup", "cost_ticket"}


@dataclass
class Snapshot:
    items: dict[tuple[str, str], dict[str, Any]]
    queued: dict[str, int]
    objects: dict[str, list[str]]
    executions: list[str]


def snapshot(deployment: Deployment) -> Snapshot:
    """Everything the deployment holds (test-only inspection: a Scan is never on a request path)."""
    ddb = client("dynamodb")
    items: dict[tuple[str, str], dict[str, Any]] = {}
    for page in ddb.get_paginator("scan").paginate(TableName=deployment.table):
        for item in page["Items"]:
            items[(item["PK"]["S"], item["SK"]["S"])] = item
    sqs, s3 = client("sqs"), client("s3")
    counts = (
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    )
    queued = {
        url: sum(
            int(v) for v in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(counts))["Attributes"].values()
        )
        for url in deployment.queues
    }
    objects = {b: [o["Key"] for o in s3.list_objects_v2(Bucket=b).get("Contents", [])] for b in deployment.buckets}
    runs = client("stepfunctions").list_executions(stateMachineArn=deployment.workflow_arn)["executions"]
    return Snapshot(items, queued, objects, sorted(e["name"] for e in runs))


def content(shot: Snapshot) -> dict[tuple[str, str], dict[str, Any]]:
    """The table without the cost ledger (every invocation, even a duplicate, books what it cost)."""
    return {k: v for k, v in shot.items.items() if v.get("entity", {}).get("S") not in _COST_ENTITIES}


def _untied_aws_cost(key: tuple[str, str], item: dict[str, Any]) -> bool:
    """A counter of the AWS cost no tenant can be charged with (mentiondesk.costs.metering): the one write
    a refused or unroutable request makes, holding counts only."""
    return key[0].startswith("TENANT#-#COSTS#") and key[1].startswith("R#aws#") and item["entity"]["S"] == "cost_rollup"


def assert_nothing_written(before: Snapshot, after: Snapshot, sent: bytes) -> None:
    changed = {k: v for k, v in after.items.items() if before.items.get(k) != v}
    assert before.items.keys() <= after.items.keys()
    assert all(_untied_aws_cost(k, v) for k, v in changed.items()), sorted(changed)
    # Not one byte of what was sent reaches those counters either.
    for fragment in (sent[:40].decode("utf-8", "replace"), "7100000000000001", "700000000000000001", "reviews/"):
        assert fragment not in json.dumps(list(changed.values()), ensure_ascii=False)
    assert set(after.queued.values()) == {0} and after.queued == before.queued
    assert after.objects == before.objects == {b: [] for b in after.objects}
    assert after.executions == before.executions


def tickets(store: Store, tenant: str) -> list[Any]:
    return list(store.tickets.inbox(tenant, None, 100, None).items)


def messages(store: Store, tenant: str) -> list[Any]:
    return [m for t in tickets(store, tenant) for m in store.tickets.detail(tenant, t.id).messages]


def emitted_metrics(stdout: str) -> dict[str, float]:
    """Metric totals from the CloudWatch embedded-metric-format documents the functions printed."""
    totals: dict[str, float] = {}
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        try:
            document = json.loads(line)
        except ValueError:
            continue
        if not isinstance(document, dict) or "_aws" not in document:
            continue
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = document[metric["Name"]]
                totals[metric["Name"]] = totals.get(metric["Name"], 0.0) + sum(
                    value if isinstance(value, list) else [value]
                )
    return totals


def flip(body: bytes, position: int) -> bytes:
    return body[:position] + bytes([body[position] ^ 0x01]) + body[position + 1 :]


def throttled(operation: str) -> ClientError:
    return ClientError(
        {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "Rate of requests exceeds"}},
        operation,
    )


class Spy:
    """Counts calls and passes them on."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(args)
        return self.real(*args, **kwargs)


# -- 1. X CRC -----------------------------------------------------------------------------------------


def test_p01_x_crc_answers_the_response_token_well_inside_3s_and_a_missing_token_gets_400(
    deployment: Deployment,
) -> None:
    # Given a webhook_x loaded now (its cold start is part of X's 3 s budget)
    crc_token = "Y2hhbGxlbmdlLTE3OTU0ODU5MDA="
    started = time.perf_counter()
    fn = load_function("webhook_x")
    # When X sends its CRC challenge, first cold and then ten times warm
    first = invoke(fn, http_event("GET", "/webhooks/x", query={"crc_token": crc_token}))
    cold = time.perf_counter() - started
    warm: list[float] = []
    for _ in range(10):
        started = time.perf_counter()
        again = invoke(fn, http_event("GET", "/webhooks/x", query={"crc_token": crc_token}))
        warm.append(time.perf_counter() - started)
        assert again.body == first.body
    # Then the answer is base64(HMAC-SHA256(consumer secret, crc_token)) with "sha256=", as X documents
    digest = hmac.new(X_SECRET.encode(), crc_token.encode(), hashlib.sha256).digest()
    assert first.status == 200
    assert first.body == {"response_token": "sha256=" + base64.b64encode(digest).decode()}
    assert first.headers["content-type"] == "application/json"
    # ... well inside X's 3 s, cold start included
    assert cold < 1.0, f"cold CRC took {cold:.3f} s"
    assert max(warm) < 0.5, f"slowest warm CRC took {max(warm):.3f} s"
    # And without a token there is nothing to answer: 400
    assert invoke(fn, http_event("GET", "/webhooks/x")).status == 400


def test_p01_x_crc_without_a_token_gets_400_and_no_response_token(x_hook: XHook) -> None:
    for query in ({}, {"crc_token": ""}, {"other": "x"}):
        # Given a CRC request with no usable crc_token
        event = http_event("GET", "/webhooks/x", query=query)
        # When
        answer = invoke(x_hook.fn, event)
        # Then
        assert answer.status == 400, query
        assert "response_token" not in answer.body


def test_p01_x_crc_token_is_made_with_the_configured_secret_only(x_hook: XHook) -> None:
    # Given the same challenge
    crc_token = "abc"
    # When answered
    answer = invoke(x_hook.fn, http_event("GET", "/webhooks/x", query={"crc_token": crc_token}))
    # Then the token proves the current secret, not an old one
    old = "sha256=" + base64.b64encode(hmac.new(OLD_X_SECRET.encode(), b"abc", hashlib.sha256).digest()).decode()
    assert answer.body["response_token"] != old
    assert answer.body["response_token"] == x.crc_response_token(X_SECRET, crc_token)


# -- 2. Meta verification -------------------------------------------------------------------------------

_GOOD_SUBSCRIBE = {"hub.mode": "subscribe", "hub.verify_token": META_VERIFY_TOKEN, "hub.challenge": "1158201444"}


def test_p02_meta_verification_with_a_wrong_verify_token_or_mode_gets_403_and_no_challenge(meta_hook: MetaHook) -> None:
    wrong = {
        "guess": {**_GOOD_SUBSCRIBE, "hub.verify_token": "guess"},
        "longer": {**_GOOD_SUBSCRIBE, "hub.verify_token": META_VERIFY_TOKEN + "x"},
        "shorter": {**_GOOD_SUBSCRIBE, "hub.verify_token": META_VERIFY_TOKEN[:-1]},
        "upper": {**_GOOD_SUBSCRIBE, "hub.verify_token": META_VERIFY_TOKEN.upper()},
        "empty": {**_GOOD_SUBSCRIBE, "hub.verify_token": ""},
        "missing": {k: v for k, v in _GOOD_SUBSCRIBE.items() if k != "hub.verify_token"},
        "wrong-mode": {**_GOOD_SUBSCRIBE, "hub.mode": "unsubscribe"},
        "no-mode": {k: v for k, v in _GOOD_SUBSCRIBE.items() if k != "hub.mode"},
    }
    for case, params in wrong.items():
        # Given a verification request that is not ours
        event = http_event("GET", "/webhooks/meta", query=params)
        # When
        answer = invoke(meta_hook.fn, event)
        # Then it is refused and the challenge is not echoed
        assert answer.status == 403, case
        assert "1158201444" not in json.dumps(answer.body), case


def test_p02_meta_verification_with_the_right_token_echoes_only_the_challenge_as_plain_text(
    meta_hook: MetaHook,
) -> None:
    for challenge in ("1158201444", "<script>alert(1)</script>", "a b&c=d"):
        # Given Meta's verification with our verify token
        event = http_event("GET", "/webhooks/meta", query={**_GOOD_SUBSCRIBE, "hub.challenge": challenge})
        # When
        answer = invoke(meta_hook.fn, event)
        # Then the body is the challenge and nothing else, as text a browser will not sniff into HTML
        assert answer.status == 200
        assert answer.body == challenge
        assert answer.headers["content-type"].startswith("text/plain")
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_p02_meta_verify_token_is_compared_in_constant_time(
    meta_hook: MetaHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given hmac.compare_digest watched
    spy = Spy(hmac.compare_digest)
    monkeypatch.setattr(hmac, "compare_digest", spy)
    # When a wrong token is tried
    answer = invoke(
        meta_hook.fn, http_event("GET", "/webhooks/meta", query={**_GOOD_SUBSCRIBE, "hub.verify_token": "g"})
    )
    # Then the token was compared with compare_digest
    assert answer.status == 403
    assert spy.calls == [(b"g", META_VERIFY_TOKEN.encode())]


# -- 3. bad signatures write nothing ------------------------------------------------------------------


def _tampered(hook: Hook, case: str, body: bytes) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one kind of bad delivery for an HMAC-signing platform."""
    good = hook.sign(body)
    if case == "missing":
        return body, {}
    if case == "bad":
        fake = hmac.new(b"attacker", body, hashlib.sha256).digest()
        value = base64.b64encode(fake).decode() if hook.name == "x" else fake.hex()
        return body, {hook.header: "sha256=" + value}
    if case == "old-secret":
        old = OLD_X_SECRET if hook.name == "x" else OLD_META_APP_SECRET
        return body, hook.sign(body, secret=old)  # type: ignore[call-arg]
    # One byte changed after signing: the first, a digit of the message id (a forged "new" message), the last.
    position = {"first-byte": 0, "id-byte": body.index(b"0000000123") + 9, "last-byte": len(body) - 1}[case]
    return flip(body, position), good


def test_p03_bad_missing_old_secret_signature_or_one_changed_byte_gets_401_and_writes_nothing_anywhere(
    hmac_hook: Hook, tenant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    signed_body = hmac_hook.payload("1992000000000000123", TEXT)
    cases = [(case, False) for case in ("missing", "bad", "old-secret", "first-byte", "id-byte", "last-byte")]
    cases += [("bad", True), ("id-byte", True)]  # API Gateway base64-encodes some bodies
    before = snapshot(hmac_hook.deployment)
    for case, base64_body in cases:
        # Given a delivery that is not exactly what the platform signed with the current secret
        body, headers = _tampered(hmac_hook, case, signed_body)
        capsys.readouterr()
        # When it arrives
        answer = hmac_hook.post(body, headers, base64_body=base64_body)
        # Then 401, counted as rejected and never as verified
        assert answer.status == 401, (case, base64_body)
        metrics = emitted_metrics(capsys.readouterr().out)
        assert metrics.get("WebhookRejected") == 1 and "WebhookVerified" not in metrics, case
    # ... and nothing reached the table, a queue, a bucket or the workflow
    assert_nothing_written(before, snapshot(hmac_hook.deployment), signed_body)
    assert tickets(hmac_hook.store, tenant) == []
    assert hmac_hook.store.quarantine.recent(hmac_hook.name) == []
    # And the untampered delivery is accepted (the control: the 401s are about the tampering alone)
    assert hmac_hook.post(signed_body, hmac_hook.sign(signed_body)).status == 200
    assert len(tickets(hmac_hook.store, tenant)) == 1


def test_p03_any_one_byte_change_anywhere_in_the_body_fails_x_and_meta_signatures() -> None:
    # Given a signed body of each platform
    x_body = x_bytes("1992000000000000123", TEXT)
    meta_body = meta_bytes(meta_dm("m_AbCdEf0001", TEXT))
    for body, verify, secret, signature in (
        (x_body, x.verify_signature, X_SECRET, x.sign(X_SECRET, x_body)),
        (meta_body, meta.verify_signature, META_APP_SECRET, meta.sign(META_APP_SECRET, meta_body)),
    ):
        verify(secret, body, signature)  # the untouched bytes verify
        # When any single byte is changed, dropped, or one is added
        variants = [flip(body, p) for p in range(len(body))]
        variants += [body[:p] + body[p + 1 :] for p in range(0, len(body), 7)]
        variants += [body + b" ", b" " + body]
        # Then every variant is refused
        for changed in variants:
            with pytest.raises(SignatureInvalid):
                verify(secret, changed, signature)


def test_p03_google_push_with_a_bad_missing_or_old_key_token_gets_401_and_writes_nothing_anywhere(
    google_hook: GoogleHook, tenant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given pushes whose OIDC token is missing, forged, from a rotated-out key, stale or for someone else
    body = google_hook.payload("Ci9DQUlRQUNvZENodHljRjlvT2pCVVlW", TEXT)
    good = google_token()
    head, payload, signature = good.split(".")
    tokens = {
        "missing": None,
        "not-bearer": f"Basic {good}",
        "garbage": "Bearer x.y.z",
        "old-key": f"Bearer {google_token(OLD_KEY, kid='old-key')}",
        "old-key-current-kid": f"Bearer {google_token(OLD_KEY)}",
        "expired": f"Bearer {google_token(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)}",
        "audience": f"Bearer {google_token(aud='https://elsewhere.test/')}",
        "sender": f"Bearer {google_token(email='someone@example.com')}",
        "one-byte": f"Bearer {head}.{payload}.{signature[:10]}{'A' if signature[10] != 'A' else 'B'}{signature[11:]}",
    }
    before = snapshot(google_hook.deployment)
    for case, authorization in tokens.items():
        capsys.readouterr()
        # When each arrives
        answer = google_hook.post(body, {"authorization": authorization} if authorization else {})
        # Then 401, counted as rejected
        assert answer.status == 401, case
        assert emitted_metrics(capsys.readouterr().out).get("WebhookRejected") == 1, case
    # ... nothing written anywhere, and not even the reviews API was asked
    assert_nothing_written(before, snapshot(google_hook.deployment), body)
    assert google_hook.reviews.calls == []
    # And the same push with the current key's token is accepted (the control)
    assert google_hook.post(body, {"authorization": f"Bearer {good}"}).status == 200


# -- 4. encodings ----------------------------------------------------------------------------------------


def platform_bytes(platform: str, native_id: str, escaped: bool) -> bytes:
    """X's or Meta's bytes for one message: \\u-escaped (Meta's own form: spaced, slashes escaped) or UTF-8."""
    if platform == "x":
        return x_bytes(native_id, TEXT, escaped=escaped)
    return (
        meta_bytes(meta_dm(native_id, TEXT))
        if escaped
        else json.dumps(meta_dm(native_id, TEXT), ensure_ascii=False).encode()
    )


def test_p04_japanese_emoji_and_u_escapes_verify_with_or_without_base64_and_are_stored_intact(
    hmac_hook: Hook, tenant: str
) -> None:
    sent: dict[str, tuple[bool, bool]] = {}
    for number, (escaped, base64_body) in enumerate([(False, False), (False, True), (True, False), (True, True)]):
        # Given the platform's exact bytes: raw UTF-8, or \\u escapes (emoji as a surrogate pair, Meta's \\/)
        native_id = f"199200000000000012{number}"
        body = platform_bytes(hmac_hook.name, native_id, escaped)
        assert (b"\\ud83d\\ude2d" in body) is escaped and ("😭".encode() in body) is not escaped
        # When API Gateway passes them on as text or base64
        answer = hmac_hook.post(body, hmac_hook.sign(body), base64_body=base64_body)
        # Then the signature verifies
        assert answer.status == 200 and answer.body["accepted"] == 1, (escaped, base64_body)
        sent[native_id] = (escaped, base64_body)
    # ... and every text is stored exactly
    stored = {m.native_id: m.text for m in messages(hmac_hook.store, tenant)}
    assert stored == dict.fromkeys(sent, TEXT)


_RESERIALISATIONS: dict[str, Callable[[bytes], bytes]] = {
    "escaped": lambda b: json.dumps(json.loads(b)).encode(),
    "utf8": lambda b: json.dumps(json.loads(b), ensure_ascii=False).encode(),
    "compact-escaped": lambda b: json.dumps(json.loads(b), separators=(",", ":")).encode(),
    "compact-utf8": lambda b: json.dumps(json.loads(b), ensure_ascii=False, separators=(",", ":")).encode(),
}


def test_p04_a_reserialised_body_fails_verification_and_writes_nothing(hmac_hook: Hook, tenant: str) -> None:
    # Given the platform's bytes (UTF-8 or \\u-escaped) and signature, and every different re-serialisation
    tried = 0
    before = snapshot(hmac_hook.deployment)
    for escaped in (False, True):
        original = platform_bytes(hmac_hook.name, "1992000000000000123", escaped)
        headers = hmac_hook.sign(original)
        for name, reserialise in _RESERIALISATIONS.items():
            body = reserialise(original)
            if body == original:
                continue  # the same bytes: not a re-serialisation of these
            assert json.loads(body) == json.loads(original)
            base64_body = tried % 2 == 1  # every other one as API Gateway's base64
            # When the re-serialised body arrives with the original signature
            answer = hmac_hook.post(body, headers, base64_body=base64_body)
            # Then it fails: only the raw bytes verify
            assert answer.status == 401, (escaped, name, base64_body)
            tried += 1
    assert tried >= 6
    assert_nothing_written(before, snapshot(hmac_hook.deployment), original)
    # And the original bytes do verify (the control)
    assert hmac_hook.post(original, headers).status == 200


def test_p04_google_push_verifies_with_or_without_base64_and_the_japanese_review_is_stored_intact(
    google_hook: GoogleHook, tenant: str
) -> None:
    for base64_body in (False, True):
        # Given a verified push for a Japanese review with an emoji
        review_id = f"Ci9DQUlRQUNvZENodHljRjlvT2pCVVlW{int(base64_body)}"
        body, headers = google_hook.delivery(review_id)
        # When API Gateway passes it on as text or base64
        answer = google_hook.post(body, headers, base64_body=base64_body)
        # Then it is accepted and the review's text stored exactly
        assert answer.status == 200 and answer.body["accepted"] == 1, base64_body
        stored = [m for m in messages(google_hook.store, tenant) if m.native_id.endswith(review_id)]
        assert [m.text for m in stored] == [TEXT], base64_body


# -- 5. duplicate and malformed headers; constant time ---------------------------------------------------


def test_p05_two_signature_headers_joined_by_api_gateway_get_401_and_write_nothing(
    hmac_hook: Hook, tenant: str
) -> None:
    # Given two signature headers, which API Gateway hands over comma-joined (even when one is right)
    body, headers = hmac_hook.delivery("1992000000000000123")
    good = headers[hmac_hook.header]
    bad = "sha256=" + ("AAAA" * 11 if hmac_hook.name == "x" else "0" * 64)
    before = snapshot(hmac_hook.deployment)
    for value in (f"{good},{good}", f"{good}, {good}", f"{good},{bad}", f"{bad},{good}", f"{good},"):
        # When
        answer = hmac_hook.post(body, {hmac_hook.header: value})
        # Then
        assert answer.status == 401, value
    assert_nothing_written(before, snapshot(hmac_hook.deployment), body)


def _malformed(hook: Hook, good: str) -> list[str]:
    digest = good.removeprefix("sha256=")
    common = ["", " ", "sha256", "sha256=", "sha256= ", "SHA256=" + digest, "sha1=" + digest, digest]
    common += [good + "x", good[:-2], "sha256=" + "A" * 5000, good.replace("sha256=", "sha256:")]
    if hook.name == "x":
        return [*common, "sha256=" + base64.b64decode(digest).hex(), "sha256=!!" + digest[2:]]
    return [*common, "sha256=" + digest.upper(), "sha256=" + base64.b64encode(bytes.fromhex(digest)).decode()]


def test_p05_malformed_signature_headers_get_401_and_write_nothing(hmac_hook: Hook, tenant: str) -> None:
    # Given a correctly signed body and many malformed forms of its signature header
    body, headers = hmac_hook.delivery("1992000000000000123")
    before = snapshot(hmac_hook.deployment)
    for value in _malformed(hmac_hook, headers[hmac_hook.header]):
        # When each arrives
        answer = hmac_hook.post(body, {hmac_hook.header: value})
        # Then each is refused
        assert answer.status == 401, value
    assert_nothing_written(before, snapshot(hmac_hook.deployment), body)
    # And the well-formed header still verifies (the control)
    assert hmac_hook.post(body, headers).status == 200


def test_p05_google_duplicate_or_malformed_authorization_gets_401_and_writes_nothing(
    google_hook: GoogleHook, tenant: str
) -> None:
    # Given a push with two joined or a malformed Authorization header around a valid token
    body = google_hook.payload("Ci9DQUlRQUNvZENodHljRjlvT2pCVVlW", TEXT)
    token = google_token()
    before = snapshot(google_hook.deployment)
    for value in (
        f"Bearer {token}, Bearer {token}",
        f"Bearer {token},Bearer {token}",
        f"Bearer  {token}",
        "Bearer",
        token,
    ):
        # When
        answer = google_hook.post(body, {"authorization": value})
        # Then
        assert answer.status == 401, value[:20]
    assert_nothing_written(before, snapshot(google_hook.deployment), body)
    assert google_hook.reviews.calls == []


def test_p05_signature_comparison_is_constant_time_compare_digest_alone_decides(
    hmac_hook: Hook, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given hmac.compare_digest watched
    spy = Spy(hmac.compare_digest)
    monkeypatch.setattr(hmac, "compare_digest", spy)
    body = hmac_hook.payload("1992000000000000123", TEXT)
    # When a well-formed but wrong signature arrives
    wrong = hmac_hook.sign(body + b" ")
    assert hmac_hook.post(body, wrong).status == 401
    # Then the digests were compared by compare_digest: the one sent against the body's own
    expected = hmac.new(
        (X_SECRET if hmac_hook.name == "x" else META_APP_SECRET).encode(), body, hashlib.sha256
    ).digest()
    ((given, computed),) = spy.calls
    assert computed in (expected, expected.hex().encode())
    assert given != computed
    # And no other comparison decides: with compare_digest saying "equal", the wrong signature passes
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: True)
    assert hmac_hook.post(body, wrong).status == 200


# -- 6. oversized and unparseable bodies ---------------------------------------------------------------


def _parse_spies(hook: Hook, monkeypatch: pytest.MonkeyPatch) -> dict[str, Spy]:
    """Spies on everything that reads a body: the JSON parser, the platform parser and the verifier."""
    ingest, channel, parse = {
        "x": (x_webhook, x, "parse_delivery"),
        "meta": (meta_webhook, meta, "parse_delivery"),
        "google": (google_webhook, google, "parse_push"),
    }[hook.name]
    spies = {"json": Spy(json.loads), "parse": Spy(getattr(channel, parse))}
    monkeypatch.setattr(ingest, "json", SimpleNamespace(loads=spies["json"]))
    monkeypatch.setattr(channel, parse, spies["parse"])
    if hook.name == "google":
        spies["verify"] = Spy(hook.fn.webhook.verifier.verify)
        monkeypatch.setattr(hook.fn.webhook.verifier, "verify", spies["verify"])
    else:
        spies["verify"] = Spy(channel.verify_signature)
        monkeypatch.setattr(channel, "verify_signature", spies["verify"])
    return spies


def test_p06_an_oversized_body_gets_413_before_parsing_and_one_at_the_limit_is_accepted(
    hook: Hook, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a signed delivery padded (JSON whitespace) to exactly the limit, and one byte more
    spies = _parse_spies(hook, monkeypatch)
    body = hook.payload("1992000000000000123", TEXT)
    at_limit = body + b" " * (MAX_BODY - len(body))
    over = at_limit + b" "
    before = snapshot(hook.deployment)
    for base64_body in (False, True):
        # When the oversized one arrives, correctly signed, as text or base64
        answer = hook.post(over, hook.sign(over), base64_body=base64_body)
        # Then 413, before any verification or parsing
        assert answer.status == 413, base64_body
    assert {name: len(spy.calls) for name, spy in spies.items()} == {"json": 0, "parse": 0, "verify": 0}
    # ... and nothing written
    assert_nothing_written(before, snapshot(hook.deployment), over)
    # And the body of exactly the limit is verified, parsed and stored (the spies see it: they work)
    for base64_body in (False, True):
        accepted = hook.post(at_limit, hook.sign(at_limit), base64_body=base64_body)
        assert accepted.status == 200, base64_body
    assert {name: len(spy.calls) for name, spy in spies.items()} == {"json": 2, "parse": 2, "verify": 2}
    assert len(messages(hook.store, tenant)) == 1  # the second was a redelivery of the first


def test_p06_a_body_within_the_limit_in_characters_but_over_it_in_utf8_bytes_gets_413(
    x_hook: XHook, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a body of fewer characters than the limit whose UTF-8 bytes exceed it (Japanese: 3 bytes each)
    spies = _parse_spies(x_hook, monkeypatch)
    body = x_hook.payload("1992000000000000123", "あ" * (MAX_BODY // 3))
    assert len(body.decode()) <= MAX_BODY < len(body)
    for base64_body in (False, True):
        # When it arrives as text or base64
        answer = x_hook.post(body, x_hook.sign(body), base64_body=base64_body)
        # Then
        assert answer.status == 413, base64_body
    assert all(not spy.calls for spy in spies.values())


def test_p06_a_signed_but_unparseable_body_gets_200_and_is_quarantined_for_a_person_to_see(
    hook: Hook, tenant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a correctly signed body we cannot parse
    body = hook.unparseable()
    # When it arrives
    answer = hook.post(body, hook.sign(body))
    # Then the platform gets 200 (no pointless redelivery), and the answer names the quarantine record
    assert answer.status == 200 and answer.body["quarantined"]
    assert answer.body["accepted"] == 0 and tickets(hook.store, tenant) == []
    # ... the WebhookQuarantined alarm's metric is counted
    assert emitted_metrics(capsys.readouterr().out).get("WebhookQuarantined") == 1
    # ... and an operator's `mentiondesk quarantine` lists it, and shows the exact body on request
    assert cli_main(["quarantine", "--platform", hook.name, "--table", hook.deployment.table]) == 0
    (listed,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"id"')]
    assert listed["id"] == answer.body["quarantined"] and listed["size"] == len(body) and listed["reason"]
    assert cli_main(["quarantine", "--platform", hook.name, "--table", hook.deployment.table, "--show-body"]) == 0
    shown = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"id"')]
    assert shown[0]["body"] == body.decode()


# -- 7. 200 only after durable storage -----------------------------------------------------------------


class Breaker:
    """One operation of a boto3 client throttled: always, or for its next `times` calls, until healed."""

    def __init__(self, client: Any, operation: str, monkeypatch: pytest.MonkeyPatch, times: int | None = None) -> None:
        self.real = getattr(client, operation)
        self.operation = operation
        self.times = times
        self.failures = 0
        self.healed = False
        monkeypatch.setattr(client, operation, self)

    def __call__(self, **kwargs: Any) -> Any:
        if not self.healed and (self.times is None or self.failures < self.times):
            self.failures += 1
            raise throttled(self.operation)
        return self.real(**kwargs)


def test_p07_if_storing_fails_the_answer_is_5xx_and_the_retry_gets_200_with_the_message_readable(
    hook: Hook, tenant: str, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given DynamoDB throttling every transaction of the function's client
    body, headers = hook.delivery("1992000000000000123")
    breaker = Breaker(hook.store.table.client, "transact_write_items", monkeypatch)
    # When the delivery arrives
    answer = hook.post(body, headers)
    # Then the answer is 5xx (the platform delivers again), for the storage failure and nothing else
    assert answer.status >= 500
    assert isinstance(answer.error, TransientStoreError)
    assert breaker.failures >= 4  # retried before giving up
    assert tickets(store, tenant) == [] and messages(store, tenant) == []
    # When the store recovers and the platform delivers again
    breaker.healed = True
    retry = hook.post(body, headers)
    # Then 200, and by the time it is answered the message is readable (a consistent read)
    assert retry.status == 200 and retry.body["accepted"] == 1
    (stored,) = messages(store, tenant)
    assert stored.text == TEXT and stored.platform == hook.platform


def test_p07_a_throttle_that_clears_is_retried_inside_the_request_and_200_comes_with_the_data_stored(
    hook: Hook, tenant: str, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given DynamoDB throttling the function's next transaction only
    body, headers = hook.delivery("1992000000000000123")
    breaker = Breaker(hook.store.table.client, "transact_write_items", monkeypatch, times=1)
    # When the delivery arrives
    answer = hook.post(body, headers)
    # Then the write was retried and the 200 came after it succeeded
    assert breaker.failures == 1
    assert answer.status == 200 and answer.body["accepted"] == 1
    assert [m.text for m in messages(store, tenant)] == [TEXT]


def test_p07_if_the_quarantine_write_fails_the_answer_is_5xx_not_a_silent_200(
    hook: Hook, tenant: str, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a signed body we cannot parse, and DynamoDB refusing single writes
    body = hook.unparseable()
    breaker = Breaker(hook.store.table.client, "put_item", monkeypatch)
    # When it arrives
    answer = hook.post(body, hook.sign(body))
    # Then 5xx: the body was not kept, so the platform must deliver it again
    # (the table answers throttling as TransientStoreError; any other refusal would be a ClientError)
    assert answer.status >= 500 and isinstance(answer.error, TransientStoreError | ClientError)
    assert store.quarantine.recent(hook.name) == []
    # And once the table accepts writes, the redelivery is quarantined and acknowledged
    breaker.healed = True
    retry = hook.post(body, hook.sign(body))
    assert retry.status == 200
    assert [r["id"] for r in store.quarantine.recent(hook.name)] == [retry.body["quarantined"]]


def test_p07_if_starting_the_workflow_fails_the_answer_is_5xx_and_the_redelivery_starts_it(
    hook: Hook, tenant: str, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Step Functions throttling the next start
    client = hook.fn.webhook.service.starter.client
    real = client.start_execution
    calls: list[str] = []

    def start_execution(**kwargs: Any) -> Any:
        calls.append(kwargs["name"])
        if len(calls) == 1:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "StartExecution")
        return real(**kwargs)

    monkeypatch.setattr(client, "start_execution", start_execution)
    body, headers = hook.delivery("1992000000000000123")
    # When the delivery arrives
    answer = hook.post(body, headers)
    # Then 5xx, although the message is stored: the ticket would otherwise never be triaged
    assert answer.status >= 500 and len(tickets(store, tenant)) == 1
    # And the platform's redelivery (a duplicate) starts the workflow under the same name
    retry = hook.post(body, headers)
    assert retry.status == 200 and retry.body["duplicates"] == 1
    assert len(calls) == 2 and calls[0] == calls[1]
    assert snapshot(hook.deployment).executions == [calls[0]]


# -- 8. redelivery and replay ------------------------------------------------------------------------


def test_p08_a_redelivered_event_even_one_replayed_6_days_later_adds_no_message_ticket_or_workflow_start(
    hook: Hook, tenant: str, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one delivery stored and its workflow started
    body, headers = hook.delivery("1992000000000000123")
    first = hook.post(body, headers)
    assert first.status == 200 and first.body["accepted"] == 1
    stored = snapshot(hook.deployment)
    assert len(stored.executions) == 1
    for moved in (timedelta(0), timedelta(days=6)):
        # When the platform delivers it again: at once, then replayed 6 days later (clock moved)
        monkeypatch.setattr(clock, "_offset", moved)
        again = hook.post(body, hook.sign(body))
        # Then it is acknowledged as a duplicate and nothing but the cost ledger changes
        assert again.status == 200, moved
        assert again.body["accepted"] == 0 and again.body["duplicates"] == 1, moved
        now = snapshot(hook.deployment)
        assert content(now) == content(stored), moved
        assert now.executions == stored.executions, moved
    assert len(tickets(store, tenant)) == 1 and len(messages(store, tenant)) == 1


# -- 9. concurrent deliveries ----------------------------------------------------------------------------


def test_p09_two_concurrent_deliveries_of_one_event_create_exactly_one_ticket(
    hook: Hook, tenant: str, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two deliveries of one event, held until both have looked it up and found nothing
    body, headers = hook.delivery("1992000000000000123")
    tickets_store = hook.store.tickets
    real_find = tickets_store.find_native
    barrier = threading.Barrier(2, timeout=10)
    first_lookups: list[Any] = []
    local = threading.local()

    def find_native(*args: Any) -> Any:
        found = real_find(*args)
        if not getattr(local, "looked", False):
            local.looked = True
            first_lookups.append(found)
            barrier.wait()  # both deliveries now race to write
        return found

    monkeypatch.setattr(tickets_store, "find_native", find_native)
    answers: list[Answer] = []

    def deliver() -> None:
        answers.append(hook.post(body, headers))

    # When both run at once
    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # Then both saw the event as new, yet exactly one ticket, one message and one workflow start exist
    assert first_lookups == [None, None]
    assert sorted(a.status for a in answers) == [200, 200], [a.error for a in answers]
    assert sorted((a.body["accepted"], a.body["duplicates"]) for a in answers) == [(0, 1), (1, 0)]
    assert len(tickets(store, tenant)) == 1 and len(messages(store, tenant)) == 1
    assert len(snapshot(hook.deployment).executions) == 1


# -- 10. unknown accounts -----------------------------------------------------------------------------


def test_p10_an_event_for_an_unknown_account_gets_200_stores_nothing_and_counts_a_metric(
    hook: Hook, tenant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a correctly signed delivery for an account no tenant registered
    body, headers = hook.delivery("1992000000000000123", known=False)
    before = snapshot(hook.deployment)
    capsys.readouterr()
    # When it arrives
    answer = hook.post(body, headers)
    # Then 200 (the platform must not retry it), nothing stored anywhere, and WebhookUnknownAccount counted
    assert answer.status == 200
    assert answer.body["accepted"] == 0 and answer.body["ignored"] == {"unknown_account": 1}
    assert_nothing_written(before, snapshot(hook.deployment), body)
    assert hook.store.quarantine.recent(hook.name) == []
    assert emitted_metrics(capsys.readouterr().out).get("WebhookUnknownAccount") == 1
    if isinstance(hook, GoogleHook):
        assert hook.reviews.calls == []  # no API call spent on it
