"""`mentiondesk bench`: the figures issue 8 asks for, measured on this machine from our own code, each
beside its target (and, where it has one, the floor of the same work).

- classify_posts_per_s: the built-in classifier on one core over the demo's mixed JA/EN posts;
- ingest_ms_p50/p99: the X webhook's whole path per event (signature, parse, normalise, dedupe,
  store, workflow start) on in-memory AWS clients that answer at once, and the floor of that work
  (verify the HMAC, parse the JSON, one PutItem on the same client) -> ingest_floor_ratio;
- cold_import_ms per function: a fresh interpreter importing the function's app.py (its module-level
  set-up included), median of several, against `import boto3` alone -> cold_import_ratio;
- dynamodb_calls per operation and the capacity of a ticket's life, and aws_cost_per_1000_tickets_usd
  in ap-northeast-1 and us-east-1: the cost estimate's simulated lifecycle (mentiondesk.costs.estimate);
- e2e_local_ms_p50/p99: a webhook POST on the local stack until the ticket is assigned and visible in
  the API.

Dev-only (moto, the checkout's template.yaml). Speed targets are checked here, never in unit tests.
"""

import base64
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TARGETS = {
    "classify_posts_per_s": (">=", 5000),
    "ingest_floor_ratio": ("<=", 3),
    "cold_import_ratio_max": ("<=", 2),
    "aws_cost_per_1000_tickets_usd_ap-northeast-1": ("<=", 0.20),
    "aws_cost_per_1000_tickets_usd_us-east-1": ("<=", 0.20),
}
WEBHOOK_AND_WORKFLOW = (
    "webhook_x",
    "webhook_meta",
    "webhook_google",
    "triage_classify",
    "triage_rules",
    "triage_sla",
    "triage_assign",
    "sla_check",
)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of some measurements."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * int(q * 1000) // 1000))
    return ordered[min(rank, len(ordered)) - 1]


# -- the classifier ------------------------------------------------------------------------------------


def classify_throughput(seconds: float = 3.0) -> dict[str, Any]:
    from mentiondesk.local import demo
    from mentiondesk.triage.classifier import classify

    posts = [p for lang in ("ja", "en") for p in demo.POSTS[lang] + demo.KEYWORD_POSTS[lang]]
    for text in posts:  # warm: compiled patterns, caches
        classify(text)
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for text in posts:
            classify(text)
        done += len(posts)
    elapsed = time.perf_counter() - started
    return {"classify_posts_per_s": round(done / elapsed), "classify_corpus_posts": len(posts)}


# -- ingest against instant clients ------------------------------------------------------------------


class InstantDynamo:
    """A low-level DynamoDB client in memory that answers at once: items by key, conditions ignored
    (every event of the run is new), queries empty."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.calls = 0

    @staticmethod
    def _key(key: dict[str, Any]) -> tuple[str, str]:
        return key["PK"]["S"], key["SK"]["S"]

    def put_item(self, **kw: Any) -> dict[str, Any]:
        self.calls += 1
        self.items[self._key(kw["Item"])] = kw["Item"]
        return {}

    def get_item(self, **kw: Any) -> dict[str, Any]:
        self.calls += 1
        found = self.items.get(self._key(kw["Key"]))
        return {"Item": found} if found else {}

    def update_item(self, **kw: Any) -> dict[str, Any]:
        self.calls += 1
        return {"Attributes": self.items.get(self._key(kw["Key"]), {**kw["Key"]})}

    def delete_item(self, **kw: Any) -> dict[str, Any]:
        self.calls += 1
        self.items.pop(self._key(kw["Key"]), None)
        return {}

    def query(self, **kw: Any) -> dict[str, Any]:
        self.calls += 1
        return {"Items": []}

    def transact_write_items(self, **kw: Any) -> dict[str, Any]:
        self.calls += 1
        for entry in kw["TransactItems"]:
            if "Put" in entry:
                self.items[self._key(entry["Put"]["Item"])] = entry["Put"]["Item"]
        return {}

    def batch_write_item(self, **kw: Any) -> dict[str, Any]:
        self.calls += 1
        return {"UnprocessedItems": {}}


class InstantStepFunctions:
    def __init__(self) -> None:
        self.calls = 0

    def start_execution(self, **kw: Any) -> dict[str, Any]:
        self.calls += 1
        return {"executionArn": "arn:aws:states:us-east-1:123456789012:execution:x:" + kw["name"]}


def _mention(n: int) -> bytes:
    from datetime import UTC, datetime

    from mentiondesk.channels import x

    event = {
        "for_user_id": "1500000000000000777",
        "tweet_create_events": [
            {
                "created_at": x.x_timestamp(datetime.now(UTC)),
                "id_str": f"19{n:017d}",
                "text": "@bench_help 注文した荷物が届きません。確認してもらえますか？",
                "in_reply_to_status_id_str": None,
                "lang": "ja",
                "user": {
                    "id_str": f"70{n:016d}",
                    "screen_name": f"user{n}",
                    "name": "山田 太郎",
                    "followers_count": 42,
                },
            }
        ],
    }
    return json.dumps(event, ensure_ascii=False).encode()


def ingest_latency(events: int = 400) -> dict[str, Any]:
    from mentiondesk.channels import x
    from mentiondesk.ingest.service import IngestService
    from mentiondesk.ingest.x_webhook import XWebhook
    from mentiondesk.models import ChannelAccount
    from mentiondesk.observability import metrics
    from mentiondesk.store.dynamo import Table
    from mentiondesk.store.factory import Store
    from mentiondesk.workflow import WorkflowStarter

    secret = "bench-consumer-secret"  # noqa: S105 - a benchmark's own fake secret
    dynamo, sfn = InstantDynamo(), InstantStepFunctions()
    store = Store(Table(dynamo, "bench"))
    store.directory.register_channel(
        ChannelAccount(
            tenant_id="bench",
            platform="x",
            account_id="1500000000000000777",
            handle="bench_help",
            created_at="2026-11-01T00:00:00.000Z",
            created_by="bench",
        )
    )
    from mentiondesk.clock import now_iso

    starter = WorkflowStarter(sfn, "arn:aws:states:us-east-1:123456789012:stateMachine:T")
    service = IngestService(store, starter, clock=now_iso)
    webhook = XWebhook(service, consumer_secret=lambda: secret, max_body_bytes=256 * 1024)
    bodies = [_mention(n) for n in range(events + 50)]
    signatures = [x.sign(secret, b) for b in bodies]
    ours: list[float] = []
    calls_before = dynamo.calls
    for n, (body, signature) in enumerate(zip(bodies, signatures, strict=True)):
        started = time.perf_counter()
        outcome = webhook.receive(body, signature)
        took = (time.perf_counter() - started) * 1000
        if outcome.accepted != 1:
            raise RuntimeError(f"the bench mention was not stored: {outcome.as_body()}")
        if n >= 50:  # the first ones warm caches
            ours.append(took)
        metrics.clear_metrics()
    calls_per_event = (dynamo.calls - calls_before) / len(bodies)
    # The floor: verify the HMAC, parse the JSON, one PutItem on the same instant client
    floor: list[float] = []
    key = secret.encode()
    for n, (body, signature) in enumerate(zip(bodies, signatures, strict=True)):
        started = time.perf_counter()
        expected = "sha256=" + base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected, signature):
            raise RuntimeError("the floor's signature check failed")
        event = json.loads(body)
        tweet = event["tweet_create_events"][0]
        dynamo.put_item(
            TableName="bench",
            Item={"PK": {"S": f"MSG#{tweet['id_str']}"}, "SK": {"S": "MSG"}, "text": {"S": tweet["text"]}},
        )
        if n >= 50:
            floor.append((time.perf_counter() - started) * 1000)
    p50, p99 = statistics.median(ours), percentile(ours, 0.99)
    floor_p50 = statistics.median(floor)
    return {
        "ingest_ms_p50": round(p50, 3),
        "ingest_ms_p99": round(p99, 3),
        "ingest_floor_ms_p50": round(floor_p50, 4),
        "ingest_floor_ratio": round(p50 / floor_p50, 1),
        "ingest_dynamodb_calls_per_event": round(calls_per_event, 2),
        "ingest_events": events,
    }


# -- cold imports --------------------------------------------------------------------------------------

_IMPORT_FUNCTION = """
import importlib.util, sys, time
started = time.perf_counter()
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print((time.perf_counter() - started) * 1000)
"""
_IMPORT_BOTO3 = """
import time
started = time.perf_counter()
import boto3
print((time.perf_counter() - started) * 1000)
"""


def _function_env(root: Path) -> dict[str, dict[str, str]]:
    """Each function's environment as the template gives it, with local placeholders."""
    from mentiondesk.local.template import load_template

    template = load_template(root)
    envs: dict[str, dict[str, str]] = {}
    for function in template.functions.values():
        envs[function.code_dir.name] = {k: str(v) for k, v in function.environment.items()}
    return envs


def cold_imports(root: Path, runs: int = 5) -> dict[str, Any]:
    from mentiondesk.local.stack import SECRET_DEFAULTS

    base_env = {
        **os.environ,
        # Secrets as the local stack passes them: deployed, they come from Secrets Manager on first use
        **SECRET_DEFAULTS,
        "MENTIONDESK_GOOGLE_API_TOKEN": "bench-token",
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        "AWS_REGION": "ap-northeast-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "POWERTOOLS_METRICS_NAMESPACE": "Mentiondesk",
        "POWERTOOLS_SERVICE_NAME": "mentiondesk",
    }

    def run(code: str, *args: str, env: dict[str, str]) -> float:
        done = subprocess.run(  # noqa: S603 - our own interpreter and our own files
            [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=60, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"import failed: {done.stderr.strip().splitlines()[-1:]}")
        return float(done.stdout.strip().splitlines()[-1])

    boto3_ms = statistics.median(run(_IMPORT_BOTO3, env=base_env) for _ in range(runs))
    envs = _function_env(root)
    per_function: dict[str, float] = {}
    failures: dict[str, str] = {}
    for folder in sorted((root / "functions").iterdir()):
        app = folder / "app.py"
        if not app.is_file():
            continue
        env = {**base_env, **envs.get(folder.name, {})}
        try:
            per_function[folder.name] = round(
                statistics.median(run(_IMPORT_FUNCTION, str(app), env=env) for _ in range(runs)), 1
            )
        except (RuntimeError, ValueError) as error:
            failures[folder.name] = str(error)
    ratios = {name: round(ms / boto3_ms, 2) for name, ms in per_function.items()}
    watched = [ratios[n] for n in WEBHOOK_AND_WORKFLOW if n in ratios]
    return {
        "cold_import_boto3_ms": round(boto3_ms, 1),
        "cold_import_ms": per_function,
        "cold_import_ratio": ratios,
        "cold_import_ratio_max": max(watched) if watched else None,
        **({"cold_import_failures": failures} if failures else {}),
    }


# -- the lifecycle: calls, capacity and cost ---------------------------------------------------------


def lifecycle(tickets: int = 10) -> dict[str, Any]:
    from decimal import Decimal

    from mentiondesk.costs.estimate import estimate
    from mentiondesk.prices import nanos_to_usd

    out: dict[str, Any] = {}
    for region in ("ap-northeast-1", "us-east-1"):
        result = estimate(tickets=tickets, region=region)
        out[f"aws_cost_per_1000_tickets_usd_{region}"] = float(nanos_to_usd(result.total("aws")))
        if region != "ap-northeast-1":
            continue
        units = {"read": Decimal(0), "write": Decimal(0)}
        for row in result.rows:
            if row.item == "aws.dynamodb.read_unit":
                units["read"] += row.quantity
            elif row.item == "aws.dynamodb.write_unit":
                units["write"] += row.quantity
        out["dynamodb_calls"] = result.measured["dynamodb_calls_per_ticket"]
        out["lifecycle_units_per_ticket"] = {k: float(v) for k, v in units.items()}
        out["lifecycle_ledger_write_units_per_ticket"] = result.measured["ledger_write_units_per_ticket"]
        # where a ticket's writes land (table and index partition keys): docs/scaling.md's hot keys
        out["write_units_by_key_per_ticket"] = result.measured["write_units_by_key_per_ticket"]
        out["aws_cost_by_service_ap-northeast-1"] = {k: float(nanos_to_usd(v)) for k, v in result.by_service().items()}
    return out


# -- end to end on the local stack -------------------------------------------------------------------


@contextmanager
def _quiet() -> Iterator[None]:
    import logging

    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(previous)


def e2e_local(events: int = 20) -> dict[str, Any]:
    import requests

    from mentiondesk.channels import x
    from mentiondesk.local import demo
    from mentiondesk.local.stack import LocalStack

    took: list[float] = []
    with _quiet(), LocalStack(port=0, demo=True, simulate=False) as stack:
        token = requests.post(f"{stack.url}/auth/dev-login", json={"email": "lead@demo.local"}, timeout=5).json()
        headers = {"authorization": f"Bearer {token['token']}"}
        secret = stack.secrets["MENTIONDESK_X_CONSUMER_SECRET"]
        for n in range(events):
            body = _mention(10_000 + n).replace(b"1500000000000000777", demo.X_ACCOUNT_ID.encode())
            signature = x.sign(secret, body)
            started = time.perf_counter()
            answer = requests.post(
                f"{stack.url}/webhooks/x",
                data=body,
                headers={"x-twitter-webhooks-signature": signature, "content-type": "application/json"},
                timeout=10,
            )
            answer.raise_for_status()
            native = f"19{10_000 + n:017d}"
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                found = stack.store.tickets.find_native(demo.TENANT, "x", native)
                if found:
                    seen = requests.get(f"{stack.url}/api/tickets/{found['ticket_id']}", headers=headers, timeout=5)
                    if seen.ok and seen.json().get("assignee"):
                        break
                time.sleep(0.01)
            else:
                raise RuntimeError("a bench mention was not assigned within 30 s")
            took.append((time.perf_counter() - started) * 1000)
    return {
        "e2e_local_ms_p50": round(statistics.median(took)),
        "e2e_local_ms_p99": round(percentile(took, 0.99)),
        "e2e_local_events": events,
    }


# -- all of it --------------------------------------------------------------------------------------


def verdicts(figures: dict[str, Any]) -> dict[str, str]:
    out = {}
    for name, (op, target) in TARGETS.items():
        value = figures.get(name)
        if value is None:
            out[name] = "not measured"
            continue
        ok = value >= target if op == ">=" else value <= target
        out[name] = f"{'meets' if ok else 'MISSES'} {op} {target} (measured {value})"
    return out


def run(root: Path, *, quick: bool = False, log: Callable[[str], None] = lambda _s: None) -> dict[str, Any]:
    figures: dict[str, Any] = {"machine_cpus": os.cpu_count(), "python": sys.version.split()[0]}
    steps: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("classifier", lambda: classify_throughput(1.0 if quick else 3.0)),
        ("ingest", lambda: ingest_latency(100 if quick else 400)),
        ("cold imports", lambda: cold_imports(root, 2 if quick else 5)),
        ("lifecycle", lambda: lifecycle(3 if quick else 10)),
        ("local stack", lambda: e2e_local(5 if quick else 20)),
    ]
    timings: dict[str, float] = {}
    for name, step in steps:
        log(f"bench: {name}...")
        started = time.perf_counter()
        figures.update(step())
        timings[name] = round(time.perf_counter() - started, 1)
    figures["bench_seconds"] = timings
    figures["targets"] = verdicts(figures)
    return figures


def render(figures: dict[str, Any]) -> str:
    """A readable table of the headline figures and the targets."""
    rows = [
        ("classifier, posts/s (1 core)", figures.get("classify_posts_per_s")),
        ("ingest p50 / p99, ms", f"{figures.get('ingest_ms_p50')} / {figures.get('ingest_ms_p99')}"),
        ("ingest floor p50, ms / ratio", f"{figures.get('ingest_floor_ms_p50')} / {figures.get('ingest_floor_ratio')}"),
        ("ingest DynamoDB calls per event", figures.get("ingest_dynamodb_calls_per_event")),
        ("import boto3, ms", figures.get("cold_import_boto3_ms")),
        *(
            (f"cold import {name}, ms (x boto3)", f"{ms} ({figures.get('cold_import_ratio', {}).get(name)})")
            for name, ms in (figures.get("cold_import_ms") or {}).items()
        ),
        ("AWS per 1,000 tickets, Tokyo, USD", figures.get("aws_cost_per_1000_tickets_usd_ap-northeast-1")),
        ("AWS per 1,000 tickets, us-east-1, USD", figures.get("aws_cost_per_1000_tickets_usd_us-east-1")),
        ("DynamoDB units per ticket", figures.get("lifecycle_units_per_ticket")),
        ("local e2e p50 / p99, ms", f"{figures.get('e2e_local_ms_p50')} / {figures.get('e2e_local_ms_p99')}"),
    ]
    width = max(len(label) for label, _v in rows)
    lines = [f"{label.ljust(width)}  {value}" for label, value in rows]
    lines += ["", "targets:"] + [f"  {name}: {verdict}" for name, verdict in figures.get("targets", {}).items()]
    lines += ["", f"took: {figures.get('bench_seconds')}"]
    return "\n".join(lines)
