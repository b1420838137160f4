"""`mentiondesk costs estimate`: a ticket's life simulated in-process against moto, with the real store,
ingest, workflow tasks, API, sender and cost ledger, metered by the real Meter, priced per 1,000
tickets from the price table.

The lifecycle: an X mention arrives (webhook), is classified, the rules run, the SLA clocks start, an
agent is assigned, the SLA timer wakes twice (the 50% and 80% reminders), the agent reads the inbox,
opens the ticket and replies, send_reply posts the reply to a fake X, and the agent resolves it.

moto answers ConsumedCapacity with constants (0.5 for any GetItem, 1 for a Query, nothing for a
transaction), so DynamoDB capacity is modelled here from the items themselves, by DynamoDB's rules:
reads per 4 KB (half for eventually consistent), writes per 1 KB of the larger of the old and new
item, twice for each item of a transaction, plus each index the write changes. Lambda durations are
measured on this machine. Dev-only: needs moto (the `dev` extra) and a checkout with template.yaml.
"""

import io
import json
import math
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from mentiondesk.costs.ledger import CostLine, component_of, priced_line
from mentiondesk.costs.metering import Meter
from mentiondesk.prices import AWS_READ_ON, NANOS_PER_USD, REGIONS, nanos_to_usd

PER_TICKETS = 1000
TENANT = "estimate"
X_ACCOUNT = "1500000000000000777"
X_SECRET = "estimate-consumer-secret"  # noqa: S105 - a local fake platform's secret
GB = 2**30
PLATFORM_LOG_BYTES = 500  # Lambda's own START / REPORT records per invocation (JSON log format)
SLA_CHECKS = 2
SLA_GROUP = "mentiondesk-sla-estimate"
STORAGE_MONTHS = 12
STEPS: list[tuple[str, str, str]] = [
    # (step, function, what happens)
    ("ingest", "webhook_x", "X delivers the mention: verified, stored once, triage started"),
    ("classify", "triage_classify", 'workflow task "Classify Message"'),
    ("rules", "triage_rules", 'workflow task "Apply Rules"'),
    ("sla_start", "triage_sla", 'workflow task "Start SLA Clocks" (schedules the first SLA wake)'),
    ("assign", "triage_assign", 'workflow task "Assign Agent" (+ the triage run\'s transitions)'),
    ("sla_check", "sla_check", f"SLA timer wakes {SLA_CHECKS}x (the 50% and 80% reminders)"),
    ("inbox", "api", "GET /api/tickets (one inbox page)"),
    ("open", "api", "GET /api/tickets/{id}"),
    ("reply", "api", "POST /api/tickets/{id}/replies (outbox, send queue)"),
    ("send", "send_reply", "SQS batch of 1: the reply posted to X, the SLA clocks refreshed"),
    ("resolve", "api", "PATCH /api/tickets/{id} status=resolved"),
    ("storage", "-", f"everything the ticket left in the table, kept {STORAGE_MONTHS} months"),
    ("ledger", "-", "the cost ledger's own flushes (a transaction per invocation and ticket; rollup ADDs)"),
]


# -- DynamoDB capacity, modelled -----------------------------------------------------------------------


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").strip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


def value_size(value: dict[str, Any]) -> int:
    """The stored size of one typed attribute value (DynamoDB's item size rules, approximately)."""
    ((kind, data),) = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        return _number_size(data)
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in data)
    if kind == "NS":
        return sum(_number_size(n) for n in data)
    if kind == "BS":
        return sum(len(b) for b in data)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in data)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + value_size(v) for k, v in data.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: dict[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def _units(size: int, per: int) -> int:
    return max(1, math.ceil(size / per))


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]
    keys_only: bool


_ID_LIKE = re.compile(r"\d|^[0-9A-Za-z_-]{16,}$")


def _key_text(value: Any) -> str:
    """A key attribute as a string, whether wire-typed ({"S": ...}) or plain."""
    if isinstance(value, dict) and len(value) == 1:
        value = next(iter(value.values()))
    return str(value)


def key_shape(pk: str) -> str:
    """A partition key with its tenant and ids replaced: TENANT#acme#TICKET#01J.. -> TENANT#{t}#TICKET#{id}."""
    parts = pk.split("#")
    out = []
    for n, part in enumerate(parts):
        if n and parts[n - 1] == "TENANT":
            out.append("{t}")
        elif _ID_LIKE.search(part):
            out.append("{id}")
        else:
            out.append(part)
    return "#".join(out)


class CapacityModel:
    """Replaces moto's ConsumedCapacity in a DynamoDB client's answers with DynamoDB's own accounting,
    computed from the items (read from moto's backend before and after each write)."""

    INDEX_OVERHEAD = 100  # bytes DynamoDB adds to each index entry

    def __init__(self, client: Any, raw: Any, table_keys: tuple[str, ...], indexes: list[Index]) -> None:
        self.client = client
        self.raw = raw
        self.table_keys = table_keys
        self.indexes = indexes
        # Write units by partition key shape ("TENANT#{t}#ROLLUP#all", "GSI2 TENANT#{t}#TICKETS"): where
        # the writes land, so docs/scaling.md can say which key reaches DynamoDB's 1,000 WCU/s first.
        self.by_key: Counter[str] = Counter()

    @contextmanager
    def installed(self) -> Iterator["CapacityModel"]:
        events = self.client.meta.events
        events.register("before-parameter-build.dynamodb", self._before, unique_id="md-capacity-before")
        events.register("after-call.dynamodb", self._after, unique_id="md-capacity-after")
        try:
            yield self
        finally:
            events.unregister("before-parameter-build.dynamodb", unique_id="md-capacity-before")
            events.unregister("after-call.dynamodb", unique_id="md-capacity-after")

    def _key(self, item: dict[str, Any]) -> dict[str, Any]:
        return {k: item[k] for k in self.table_keys}

    def _read(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        return self.raw.get(table, key)

    def _writes(self, params: dict[str, Any], op: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(kind, table, key) of each item a write touches."""
        if op in ("PutItem", "UpdateItem", "DeleteItem"):
            key = params["Key"] if "Key" in params else self._key(params["Item"])
            return [(op, params["TableName"], key)]
        if op == "TransactWriteItems":
            out = []
            for action in params["TransactItems"]:
                ((kind, spec),) = action.items()
                out.append((kind, spec["TableName"], spec.get("Key") or self._key(spec["Item"])))
            return out
        if op == "BatchWriteItem":
            out = []
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        out.append(("PutItem", table, self._key(request["PutRequest"]["Item"])))
                    else:
                        out.append(("DeleteItem", table, request["DeleteRequest"]["Key"]))
            return out
        return []

    def _before(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        context["md_params"] = params
        context["md_old"] = [self._read(table, key) for _kind, table, key in self._writes(params, model.name)]

    def _after(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        params = context.get("md_params")
        if params is None or "Error" in parsed:
            return
        op = model.name
        table = params.get("TableName") or next(iter(params.get("RequestItems", {})), None)
        if op == "GetItem":
            units = _units(item_size(parsed.get("Item")), 4096) * (1.0 if params.get("ConsistentRead") else 0.5)
        elif op == "Query":
            total = sum(item_size(i) for i in parsed.get("Items", []))
            units = _units(total, 4096) * (1.0 if params.get("ConsistentRead") else 0.5)
        elif op in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"):
            units = 0.0
            for (kind, name, key), old in zip(self._writes(params, op), context["md_old"], strict=True):
                table = table or name
                if kind == "ConditionCheck":
                    units += 2 * _units(item_size(old), 1024)
                    continue
                new = self._new(kind, name, key, params, parsed, op)
                base = (2 if op == "TransactWriteItems" else 1) * _units(max(item_size(old), item_size(new)), 1024)
                self.by_key[key_shape(_key_text(key.get(self.table_keys[0])))] += base
                units += base + self._index_units(old, new)
        else:
            return
        capacity = {"TableName": table, "CapacityUnits": float(units)}
        parsed["ConsumedCapacity"] = [capacity] if op in ("TransactWriteItems", "BatchWriteItem") else capacity

    def _new(
        self, kind: str, table: str, key: dict[str, Any], params: dict[str, Any], parsed: dict[str, Any], op: str
    ) -> dict[str, Any] | None:
        if kind in ("Delete", "DeleteItem"):
            return None
        if op == "PutItem":
            item: dict[str, Any] = params["Item"]
            return item
        if op == "UpdateItem" and params.get("ReturnValues") == "ALL_NEW" and "Attributes" in parsed:
            attributes: dict[str, Any] = parsed["Attributes"]
            return attributes
        return self._read(table, key)

    def _index_units(self, old: dict[str, Any] | None, new: dict[str, Any] | None) -> int:
        total = 0
        for index in self.indexes:
            units = 0
            had = old is not None and all(k in old for k in index.keys)
            has = new is not None and all(k in new for k in index.keys)
            old_size, new_size = self._entry(index, old) if had else 0, self._entry(index, new) if has else 0
            if had and has:
                assert old is not None
                assert new is not None
                if any(old[k] != new[k] for k in index.keys):
                    units += _units(old_size, 1024) + _units(new_size, 1024)
                elif not index.keys_only and old != new:
                    units += _units(max(old_size, new_size), 1024)
            elif had:
                units += _units(old_size, 1024)
            elif has:
                units += _units(new_size, 1024)
            if units:
                entry = new if has else old
                assert entry is not None
                self.by_key[f"{index.name} {key_shape(_key_text(entry[index.keys[0]]))}"] += units
            total += units
        return total

    def _entry(self, index: Index, item: dict[str, Any] | None) -> int:
        assert item is not None
        if index.keys_only:
            item = {k: v for k, v in item.items() if k in (*self.table_keys, *index.keys)}
        return item_size(item) + self.INDEX_OVERHEAD

    def table_bytes(self, table: str) -> int:
        """Every item's size, and its index entries' (the estimate's own bookkeeping, never a request path)."""
        total = 0
        for item in self.raw.all(table):
            total += item_size(item)
            for index in self.indexes:
                if all(k in item for k in index.keys):
                    total += self._entry(index, item)
        return total


class MotoItems:
    """Reads items straight from moto's in-process backend: the model's own reads must neither be
    counted nor pay moto's response serialisation (most of the estimate's time otherwise)."""

    def __init__(self, region: str = "us-east-1") -> None:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        self.backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][region]

    def get(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        found = self.backend.get_table(table)
        schema = [k["AttributeName"] for k in found.schema]
        hash_key = DynamoType(key[schema[0]])
        range_key = DynamoType(key[schema[1]]) if len(schema) > 1 else None
        item = found.get_item(hash_key, range_key)
        return dict(item.to_json()["Attributes"]) if item is not None else None

    def all(self, table: str) -> list[dict[str, Any]]:
        return [i.to_json()["Attributes"] for i in self.backend.get_table(table).all_items()]


# Typical in-region latencies (ms) that replace moto's in-process time in the metered durations.
LATENCY_MS = {
    "dynamodb.GetItem": 4,
    "dynamodb.Query": 8,
    "dynamodb.PutItem": 6,
    "dynamodb.UpdateItem": 6,
    "dynamodb.DeleteItem": 6,
    "dynamodb.TransactWriteItems": 15,
    "dynamodb.BatchWriteItem": 10,
    "sqs": 10,
    "sfn": 25,
    "scheduler": 20,
}


class AwsTime:
    """A clock for the Meter that runs on this machine's compute time, with the time spent inside
    moto replaced by a typical in-region latency per call."""

    def __init__(self, clients: dict[str, Any]) -> None:
        self.clients = clients
        self.spent = 0.0  # seconds inside moto
        self.modelled = 0.0  # seconds the same calls would take in the region

    def __call__(self) -> float:
        return time.perf_counter() - self.spent + self.modelled

    @contextmanager
    def installed(self) -> Iterator["AwsTime"]:
        hooks = []
        for service, client in self.clients.items():
            before, after = f"before-parameter-build.{service}", f"after-call.{service}"
            # Registered first, unregistered last: the capacity model's work counts as moto's time.
            # unique ids are per client, not per event: each hook needs its own.
            client.meta.events.register_first(before, self._before, unique_id=f"md-time-{service}-before")
            client.meta.events.register_last(after, self._after, unique_id=f"md-time-{service}-after")
            hooks.append((client, before, after, f"md-time-{service}"))
        try:
            yield self
        finally:
            for client, before, after, uid in hooks:
                client.meta.events.unregister(before, unique_id=f"{uid}-before")
                client.meta.events.unregister(after, unique_id=f"{uid}-after")

    def _before(self, context: dict[str, Any], **_: Any) -> None:
        context["md_t0"] = time.perf_counter()

    def _after(self, context: dict[str, Any], model: Any, **_: Any) -> None:
        started = context.get("md_t0")
        if started is None:
            return
        self.spent += time.perf_counter() - started
        service = model.service_model.service_id.hyphenize()
        latency = LATENCY_MS.get(f"{service}.{model.name}", LATENCY_MS.get(service, 10))
        self.modelled += latency / 1000


class _Bytes(io.TextIOBase):
    """A stream that only counts the UTF-8 bytes written to it (the function's log output)."""

    def __init__(self) -> None:
        self.count = 0

    def write(self, text: str) -> int:
        self.count += len(text.encode())
        return len(text)


# -- the result ----------------------------------------------------------------------------------------


@dataclass
class Row:
    step: str
    function: str
    item: str
    unit: str
    quantity: Decimal  # per ticket
    nanos: int | None  # per PER_TICKETS tickets; None: unpriced

    @property
    def component(self) -> str:
        return component_of(self.item)

    def as_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "function": self.function,
            "resource": self.item,
            "component": self.component,
            "unit": self.unit,
            "quantity_per_ticket": _plain(self.quantity),
            "usd_per_1000_tickets": nanos_to_usd(self.nanos) if self.nanos is not None else None,
        }


@dataclass
class Estimate:
    region: str
    tickets: int
    rows: list[Row]
    assumptions: list[str]
    measured: dict[str, Any]
    elapsed_seconds: float
    ledger_check: dict[str, Any] = field(default_factory=dict)

    def total(self, component: str | None = None) -> int:
        return sum(r.nanos or 0 for r in self.rows if component is None or r.component == component)

    def by_service(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self.rows:
            if row.component == "aws" and row.nanos is not None:
                service = row.item.split(".")[1]
                out[service] = out.get(service, 0) + row.nanos
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def unpriced(self) -> list[str]:
        return sorted({r.item for r in self.rows if r.nanos is None})

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "tickets_simulated": self.tickets,
            "per_tickets": PER_TICKETS,
            "prices_read_on": AWS_READ_ON,
            "rows": [r.as_dict() for r in self.rows],
            "totals_usd": {
                "aws": nanos_to_usd(self.total("aws")),
                "platform": nanos_to_usd(self.total("platform")),
                "ai": nanos_to_usd(self.total("ai")),
                "agent": nanos_to_usd(self.total("agent")),
                "all": nanos_to_usd(self.total()),
            },
            "aws_by_service_usd": {k: nanos_to_usd(v) for k, v in self.by_service().items()},
            "unpriced": self.unpriced(),
            "assumptions": self.assumptions,
            "measured": self.measured,
            "ledger_check": self.ledger_check,
            "elapsed_seconds": round(self.elapsed_seconds, 2),
        }


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


# -- the simulation ------------------------------------------------------------------------------------


def project_root() -> Path:
    env = os.environ.get("MENTIONDESK_ROOT")
    candidates = [Path(env)] if env else []
    candidates += [*Path(__file__).resolve().parents, Path.cwd(), *Path.cwd().parents]
    for base in candidates:
        if (base / "template.yaml").is_file() and (base / "infra" / "statemachines").is_dir():
            return base
    raise RuntimeError("template.yaml not found: run from a checkout or set MENTIONDESK_ROOT")


@dataclass
class _Measure:
    lines: list[CostLine] = field(default_factory=list)
    duration_ms: dict[str, list[int]] = field(default_factory=dict)
    moto_ms: dict[str, list[int]] = field(default_factory=dict)
    dynamodb_calls: dict[str, dict[str, int]] = field(default_factory=dict)
    ledger_units: float = 0.0
    storage_bytes: int = 0


class _Lifecycle:
    """The simulated deployment: moto, the table from template.yaml, the real code paths."""

    def __init__(self, root: Path, region: str, ledger: bool) -> None:
        self.root = root
        self.region = region
        self.ledger = ledger
        self.measure = _Measure()
        self.log = _Bytes()

    @contextmanager
    def running(self) -> Iterator["_Lifecycle"]:
        from moto import mock_aws

        from mentiondesk.local.runtime import serialize_moto_transactions
        from mentiondesk.local.template import load_template

        with ExitStack() as stack:
            stack.enter_context(_environment())
            serialize_moto_transactions()
            stack.enter_context(mock_aws())
            stack.enter_context(_fast_attribute_values())
            stack.enter_context(_fresh_caches())
            stack.enter_context(_quiet_observability(self))
            stack.callback(_reset_clock)
            template = load_template(self.root)
            self.memory = {f.code_dir.name: f.memory for f in template.functions.values()}
            self._create(template)
            stack.enter_context(self.capacity.installed())
            stack.enter_context(self.clock.installed())
            self._build()
            yield self

    def _create(self, template: Any) -> None:
        import boto3

        from mentiondesk.store.factory import aws_client

        props = template.resolve(template.raw["Resources"]["Table"]["Properties"])
        self.table_name = "mentiondesk-estimate"
        boto3.client("dynamodb").create_table(
            TableName=self.table_name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=props["AttributeDefinitions"],
            KeySchema=props["KeySchema"],
            GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
        )
        indexes = [
            Index(
                g["IndexName"],
                tuple(k["AttributeName"] for k in g["KeySchema"]),
                g["Projection"]["ProjectionType"] == "KEYS_ONLY",
            )
            for g in props["GlobalSecondaryIndexes"]
        ]
        keys = tuple(k["AttributeName"] for k in props["KeySchema"])
        self.capacity = CapacityModel(aws_client("dynamodb"), MotoItems(), keys, indexes)
        self.queue_url = str(boto3.client("sqs").create_queue(QueueName="mentiondesk-estimate-send")["QueueUrl"])
        sfn = boto3.client("stepfunctions")
        role = "arn:aws:iam::123456789012:role/mentiondesk-estimate"
        arns = {}
        for name, file in (("TicketWorkflow", "ticket_workflow"),):
            definition = (self.root / "infra" / "statemachines" / f"{file}.asl.json").read_text(encoding="utf-8")
            arns[name] = sfn.create_state_machine(name=name, definition=definition, roleArn=role, type="EXPRESS")[
                "stateMachineArn"
            ]
        self.workflow_arn = arns["TicketWorkflow"]
        boto3.client("scheduler").create_schedule_group(Name=SLA_GROUP)
        os.environ.update(
            {
                "TABLE_NAME": self.table_name,
                "SEND_QUEUE_URL": self.queue_url,
                "SLA_SCHEDULE_GROUP": SLA_GROUP,
                "SLA_CHECK_FUNCTION_ARN": f"arn:aws:lambda:us-east-1:123456789012:function:{SLA_GROUP}-check",
                "SLA_SCHEDULER_ROLE_ARN": role,
            }
        )
        self.clock = AwsTime(
            {
                "dynamodb": aws_client("dynamodb"),
                "sqs": aws_client("sqs"),
                "sfn": aws_client("stepfunctions"),
                "scheduler": aws_client("scheduler"),
            }
        )

    def _build(self) -> None:
        from mentiondesk.api import deps
        from mentiondesk.api.app import build_app
        from mentiondesk.clock import now_iso
        from mentiondesk.ingest.service import IngestService
        from mentiondesk.ingest.x_webhook import XWebhook
        from mentiondesk.local import demo
        from mentiondesk.models import ChannelAccount, Team
        from mentiondesk.rules.notify import Notifier
        from mentiondesk.rules.service import sla_alert_rules
        from mentiondesk.store.factory import aws_client, store_for
        from mentiondesk.triage.task import TenantModelCache
        from mentiondesk.workflow import SlaTimers, WorkflowStarter

        self.store = store_for(self.table_name)
        self.api_store = deps.store()
        self.app = build_app()
        now = now_iso()
        # The demo's team, rules, SLA policies and agents, under a tenant of our own.
        self.store.directory.put_tenant(TENANT, "Estimate Co.", now)
        self.store.directory.put_team(Team(tenant_id=TENANT, id="support", name="Support", calendar=demo.DEMO_CALENDAR))
        for rule in demo.DEMO_RULES:
            self.store.rules.create(
                TENANT,
                rule["id"],
                {**rule, "tenant_id": TENANT, "created_at": now, "updated_at": now, "updated_by": "estimate"},
            )
        for policy in demo.DEMO_SLA_POLICIES:
            self.store.sla_policies.create(
                TENANT,
                policy["id"],
                {**policy, "tenant_id": TENANT, "created_at": now, "updated_at": now, "updated_by": "estimate"},
            )
        for agent in demo.DEMO_USERS:
            self.store.directory.put_agent(agent.model_copy(update={"tenant_id": TENANT}))
        self.store.directory.register_channel(
            ChannelAccount(
                tenant_id=TENANT,
                platform="x",
                account_id=X_ACCOUNT,
                handle="estimate_help",
                team="support",
                created_at=now,
                created_by="estimate",
            )
        )
        sfn = aws_client("stepfunctions")
        from mentiondesk.config import SlaSettings

        self.timers = SlaTimers.from_settings(SlaSettings.from_env())
        self.notifier = Notifier(email_from=None, ses=lambda: None)
        self.webhook = XWebhook(
            IngestService(self.store, WorkflowStarter(sfn, self.workflow_arn), now_iso, 86_400),
            lambda: X_SECRET,
            262_144,
        )
        self.models = TenantModelCache(self.store)
        self.sla_rules = sla_alert_rules(self.store, self.notifier)
        self.bytes_at_start = self.capacity.table_bytes(self.table_name)

    # -- one step: metered like a Lambda invocation ----------------------------------------------------

    @contextmanager
    def step(self, step: str, function: str, ticket_id: str | None, source: str | None = None) -> Iterator[Meter]:
        from mentiondesk.costs import metering
        from mentiondesk.observability import metrics
        from mentiondesk.store.costs import CostStore

        meter = Meter(function, self.region, self.memory.get(function, 512), self.clock, request_id=str(uuid.uuid4()))
        wall = time.perf_counter()
        meter.source = source or function
        meter.tenant = TENANT
        logged = self.log.count
        if function in ("api", "webhook_x"):
            meter.add("aws.apigw.request", 1, "request")  # behind the HTTP API
        # The production code below bills itself on the current meter: DynamoDB capacity, the tickets it
        # reads, workflow starts, SQS messages sent, platform fees.
        token = metering._current.set(meter)
        meter.start()
        try:
            yield meter
        finally:
            metering._current.reset(token)
        emf = len(json.dumps(metrics.serialize_metric_set())) + 1 if metrics.metric_set else 0
        metrics.clear_metrics()
        log_bytes = self.log.count - logged + emf + PLATFORM_LOG_BYTES
        meter.add("aws.logs.ingest_gb", Decimal(log_bytes) / GB, "GB")
        lines = meter.finish()
        self.measure.duration_ms.setdefault(step, []).append(meter.duration_ms or 0)
        self.measure.moto_ms.setdefault(step, []).append(round((time.perf_counter() - wall) * 1000))
        calls = self.measure.dynamodb_calls.setdefault(step, {})
        for op, n in meter.calls.items():
            calls[op] = calls.get(op, 0) + n
        self.measure.lines += [line.model_copy(update={"source": step}) for line in lines]
        if self.ledger:
            before = self.store.table.consumed["write"]
            # Production functions cannot see their log volume: the ledger gets what they would write.
            CostStore(self.store.table).record([line for line in lines if line.item != "aws.logs.ingest_gb"])
            self.measure.ledger_units += self.store.table.consumed["write"] - before

    # -- the lifecycle ----------------------------------------------------------------------------------

    def ticket(self, n: int) -> str:
        from datetime import timedelta

        from mentiondesk.assignment.assign import assign_ticket
        from mentiondesk.channels import x
        from mentiondesk.clock import advance_to, iso, now_iso, parse_iso, utcnow
        from mentiondesk.costs.metering import bill_express_duration
        from mentiondesk.replies.platforms import Sent
        from mentiondesk.replies.queue import SendQueue, parse_message
        from mentiondesk.replies.sender import OutboxSender
        from mentiondesk.rules.service import apply_rules
        from mentiondesk.sla import service as sla
        from mentiondesk.store.factory import aws_client
        from mentiondesk.triage.task import classify_ticket

        tweet_id = f"19{n:017d}"
        body = json.dumps(_delivery(tweet_id, f"70{n:016d}", utcnow()), ensure_ascii=False).encode()
        with self.step("ingest", "webhook_x", None) as meter:
            outcome = self.webhook.receive(body, x.sign(X_SECRET, body))
            ticket_id = outcome.tickets[0]
            # Assumed: the mention read once as an owned read (what the mentions poller pays for it)
            meter.add("x.owned_read", 1, "post", ticket_id=ticket_id)
        with self.step("classify", "triage_classify", ticket_id):
            classify_ticket(self.store, TENANT, ticket_id, now_iso(), self.models.get(TENANT))
        with self.step("rules", "triage_rules", ticket_id):
            apply_rules(
                self.store,
                self.notifier,
                TENANT,
                ticket_id,
                ["ticket_created", "message_received"],
                "created",
                utcnow(),
            )
        with self.step("sla_start", "triage_sla", ticket_id):
            sla.start(self.store, self.timers, TENANT, ticket_id, utcnow())
        with self.step("assign", "triage_assign", ticket_id) as meter:
            assign_ticket(self.store, TENANT, ticket_id, now_iso())
            # The Express run's duration, as the real last task bills it: its four tasks' durations and
            # Step Functions' own time between its six states (assumed 25 ms each).
            run_ms: float = sum(self.measure.duration_ms[s][-1] for s in ("classify", "rules", "sla_start"))
            run_ms += meter.elapsed_ms() + 25 * 6
            started = utcnow()
            bill_express_duration(TENANT, ticket_id, iso(started), iso(started + timedelta(milliseconds=run_ms)))
        for _ in range(SLA_CHECKS):
            ticket = self.store.tickets.get(TENANT, ticket_id)
            if not ticket.sla_wake_at:
                break
            advance_to(parse_iso(ticket.sla_wake_at))
            with self.step("sla_check", "sla_check", ticket_id):
                sla.check(
                    self.store, TENANT, ticket_id, ticket.sla_generation, utcnow(), self.sla_rules, timers=self.timers
                )
        agent = self.store.tickets.get(TENANT, ticket_id).assignee
        if agent is None:
            raise RuntimeError("the simulated ticket was not assigned")
        who = _claims(agent.id)
        with self.step("inbox", "api", None, "api:GET /api/tickets"):
            self._api("GET", "/api/tickets", who)
        with self.step("open", "api", ticket_id, "api:GET /api/tickets/{id}"):
            opened = self._api("GET", f"/api/tickets/{ticket_id}", who)
        text = f"山田様、ご連絡ありがとうございます。すぐにお調べしてご案内します。担当：{agent.name}"
        with self.step("reply", "api", ticket_id, "api:POST /api/tickets/{id}/replies"):
            replied = self._api(
                "POST", f"/api/tickets/{ticket_id}/replies", who, {"version": opened["version"], "text": text}
            )
        posted: list[str] = []

        def post(request: Any) -> Sent:
            posted.append(request.text or "")
            return Sent(f"18{n:017d}")

        with self.step("send", "send_reply", ticket_id) as meter:
            sqs = aws_client("sqs")
            meter.add("aws.sqs.request", 2, "request")  # the event source's ReceiveMessage and DeleteMessageBatch
            got = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            sender = OutboxSender(
                self.store, _Platform(post), self.timers, SendQueue(sqs, self.queue_url), meter.request_id, clock=utcnow
            )
            for message in got:
                sender.process(parse_message(message["Body"]))
            if got:
                entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]
                sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        if not posted:
            raise RuntimeError("the simulated reply was not sent")
        with self.step("resolve", "api", ticket_id, "api:PATCH /api/tickets/{id}"):
            self._api("PATCH", f"/api/tickets/{ticket_id}", who, {"version": replied["version"], "status": "resolved"})
        return ticket_id

    def _api(self, method: str, path: str, claims: dict[str, Any], body: Any = None) -> Any:
        from mentiondesk.api.app import resolve

        event = _http_event(method, path, claims, body)
        answer = resolve(self.app, event, _Context("api", self.memory.get("api", 512)))
        if answer["statusCode"] >= 300:
            raise RuntimeError(f"{method} {path} answered {answer['statusCode']}: {answer.get('body')}")
        return json.loads(answer["body"]) if answer.get("body") else None

    def warm_up(self) -> None:
        """One lifecycle that is not counted: lazy imports and first-use caches are a cold start's work,
        which the meter does not bill either."""
        self.ticket(10**6)
        self.measure = _Measure()
        self.capacity.by_key.clear()
        self.bytes_at_start = self.capacity.table_bytes(self.table_name)

    def finish(self) -> None:
        self.measure.storage_bytes = self.capacity.table_bytes(self.table_name) - self.bytes_at_start


class _Platform:
    def __init__(self, send: Callable[[Any], Any]) -> None:
        self.send = send


@dataclass
class _Context:
    function_name: str
    memory_limit_in_mb: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:estimate"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def _delivery(tweet_id: str, user_id: str, at: datetime) -> dict[str, Any]:
    from mentiondesk.channels import x

    return {
        "for_user_id": X_ACCOUNT,
        "tweet_create_events": [
            {
                "created_at": x.x_timestamp(at.astimezone(UTC)),
                "id_str": tweet_id,
                "text": "@estimate_help 注文した荷物が届きません。確認してもらえますか？",
                "in_reply_to_status_id_str": None,
                "lang": "ja",
                "user": {
                    "id_str": user_id,
                    "screen_name": f"user{user_id[-6:]}",
                    "name": "山田 太郎",
                    "followers_count": 42,
                },
            }
        ],
    }


def _claims(user_id: str) -> dict[str, Any]:
    return {
        "sub": user_id,
        "token_use": "access",
        "tenant_id": TENANT,
        "cognito:groups": "[agent]",
        "client_id": "page",
        "scope": "openid email mentiondesk/api",
        "username": f"{user_id}@estimate",
    }


def _http_event(method: str, path: str, claims: dict[str, Any], body: Any) -> dict[str, Any]:
    route = "ANY /api/{proxy+}"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route,
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "http": {
                "method": method,
                "path": path,
                "sourceIp": "192.0.2.1",
                "protocol": "HTTP/1.1",
                "userAgent": "estimate",
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route,
            "stage": "$default",
            "accountId": "123456789012",
            "apiId": "estimate",
            "domainName": "estimate",
            "domainPrefix": "estimate",
            "time": "",
            "timeEpoch": 0,
            "authorizer": {"jwt": {"claims": claims, "scopes": None}},
        },
        "isBase64Encoded": False,
    }
    if body is not None:
        event["body"] = json.dumps(body, ensure_ascii=False)
    return event


@contextmanager
def _environment() -> Iterator[None]:
    """AWS credentials for moto only, and the functions' settings; everything put back afterwards."""
    names = (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_PROFILE",
        "TABLE_NAME",
        "SEND_QUEUE_URL",
        "SLA_SCHEDULE_GROUP",
        "SLA_CHECK_FUNCTION_ARN",
        "SLA_SCHEDULER_ROLE_ARN",
        "POWERTOOLS_METRICS_NAMESPACE",
    )
    saved = {name: os.environ.get(name) for name in names}
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "POWERTOOLS_METRICS_NAMESPACE": "Mentiondesk",
        }
    )
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _fresh_caches() -> Iterator[None]:
    from mentiondesk.api import deps
    from mentiondesk.store import factory

    cached = (factory.aws_client, deps.store, deps.sla_timers, deps.send_queue, deps.notifier)
    for function in cached:
        function.cache_clear()
    try:
        yield
    finally:
        for function in cached:
            function.cache_clear()


@contextmanager
def _quiet_observability(lifecycle: _Lifecycle) -> Iterator[None]:
    """Log output counted (at INFO, as deployed) instead of printed; metrics serialised per step."""
    from mentiondesk.observability import logger, metrics

    handler = logger.logger_handler
    level = logger.log_level
    stream = handler.setStream(lifecycle.log)  # type: ignore[attr-defined]
    logger.setLevel("INFO")
    metrics.clear_metrics()
    try:
        with redirect_stdout(lifecycle.log):
            yield
    finally:
        handler.setStream(stream)  # type: ignore[attr-defined]
        logger.setLevel(level)
        metrics.clear_metrics()


@contextmanager
def _fast_attribute_values() -> Iterator[None]:
    """moto serialises every DynamoDB attribute value member by member through the botocore model,
    which is most of the estimate's time; its values are already in the wire form, so pass them
    through (for this run only)."""
    from moto.core.serialize import BaseJSONSerializer

    original = BaseJSONSerializer._serialize_type_structure

    def passthrough(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if key and shape.name == "AttributeValue" and isinstance(value, dict):
            self._default_serialize(serialized, value, shape, key)
            return
        original(self, serialized, value, shape, key)

    BaseJSONSerializer._serialize_type_structure = passthrough  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseJSONSerializer._serialize_type_structure = original  # type: ignore[method-assign]


def _reset_clock() -> None:
    from mentiondesk import clock

    clock.reset()


def estimate(
    tickets: int = 10, region: str = "ap-northeast-1", *, ledger: bool = True, root: Path | None = None
) -> Estimate:
    """Simulate `tickets` lifecycles and price them per 1,000 tickets in `region`."""
    if region not in REGIONS:
        raise ValueError(f"no prices for {region}: one of {', '.join(REGIONS)}")
    if tickets < 1:
        raise ValueError("simulate at least one ticket")
    started = time.perf_counter()
    lifecycle = _Lifecycle(root or project_root(), region, ledger)
    check: dict[str, Any] = {}
    with lifecycle.running():
        lifecycle.warm_up()
        last = ""
        for n in range(tickets):
            last = lifecycle.ticket(n)
        lifecycle.finish()
        if ledger:
            from mentiondesk.store.costs import CostStore, report_month

            costs = CostStore(lifecycle.store.table)
            recorded = costs.ticket(TENANT, last)
            lines_sum = sum(line.amount_nanos or 0 for line in recorded.lines)
            months = {report_month(line.at) for line in recorded.lines}
            totals = [costs.ticket_month_total(TENANT, last, month) for month in sorted(months)]
            running = sum(t.total_nanos for t in totals if t is not None)
            check = {
                "ticket": last,
                "lines": len(recorded.lines),
                "total_nanos": running,
                "lines_sum_nanos": lines_sum,
                "equal": running == lines_sum,
            }
    return _price(lifecycle, tickets, region, time.perf_counter() - started, check)


def _price(lifecycle: _Lifecycle, tickets: int, region: str, elapsed: float, check: dict[str, Any]) -> Estimate:
    measure = lifecycle.measure
    at = datetime.now(UTC).isoformat()
    extra = [
        priced_line(
            tenant=TENANT,
            item="aws.dynamodb.storage_gb_month",
            quantity=Decimal(measure.storage_bytes) / GB * STORAGE_MONTHS,
            unit="GB-month",
            region=region,
            at=at,
            source="storage",
            request_id="estimate",
        )
    ]
    if lifecycle.ledger:
        extra.append(
            priced_line(
                tenant=TENANT,
                item="aws.dynamodb.write_unit",
                quantity=Decimal(repr(measure.ledger_units)),
                unit="WRU",
                region=region,
                at=at,
                source="ledger",
                request_id="estimate",
            )
        )
    functions = {step: function for step, function, _what in STEPS}
    sums: dict[tuple[str, str], list[Any]] = {}
    for line in [*measure.lines, *extra]:
        key = (line.source, line.item)
        acc = sums.setdefault(key, [line.unit, Decimal(0), 0, line.priced])
        acc[1] += line.quantity
        acc[2] += line.amount_nanos or 0
        acc[3] = acc[3] and line.priced
    order = {step: n for n, (step, _f, _w) in enumerate(STEPS)}
    rows = [
        Row(
            step=step,
            function=functions.get(step, "-"),
            item=item,
            unit=unit,
            quantity=(quantity / tickets).quantize(Decimal("0.000000001")).normalize(),
            nanos=round(nanos * PER_TICKETS / tickets) if priced else None,
        )
        for (step, item), (unit, quantity, nanos, priced) in sorted(
            sums.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1])
        )
    ]
    durations = {step: round(sum(v) / len(v), 1) for step, v in measure.duration_ms.items()}
    wall = {step: round(sum(v) / len(v), 1) for step, v in measure.moto_ms.items()}
    calls = {step: {op: round(n / tickets, 2) for op, n in ops.items()} for step, ops in measure.dynamodb_calls.items()}
    assumptions = [
        f"{tickets} simulated lifecycles after one uncounted warm-up, averaged; prices for {region} read"
        f" {AWS_READ_ON} (mentiondesk.prices)",
        "Lambda durations: this machine's compute time, with each AWS call's time inside moto replaced by a"
        " typical in-region latency (DynamoDB 4-15 ms by operation, SQS 10 ms, Step Functions 25 ms); arm64"
        " prices; no cold starts (INIT) and no flush time in the metered duration",
        "DynamoDB capacity modelled from the items (moto's ConsumedCapacity is a constant): reads per 4 KB,"
        " half for eventually consistent; writes per 1 KB of the larger item, 2x in transactions, plus index"
        " writes; a failed conditional write is not counted",
        f"{SLA_CHECKS} SLA timer wakes per ticket (the 50% and 80% reminders of the first response), then the reply",
        "Step Functions: the ticket workflow is Express: one request, and its duration (the four tasks plus 25 ms"
        " a state, rounded up to 100 ms) at 64 MB; Express prices in Tokyo assumed equal to us-east-1; SLA timers:"
        " one EventBridge Scheduler invocation per wake",
        "one inbox page, one ticket open, one reply and one resolve through the API per ticket",
        "send queue: SendMessage by the API, one ReceiveMessage and one DeleteMessageBatch per batch of one;"
        " the event source's idle polling is a fixed cost per queue, not per ticket",
        f"logs: what the functions log at INFO plus their metrics (EMF), plus {PLATFORM_LOG_BYTES} bytes of"
        " Lambda's own records per invocation",
        f"storage: every item the ticket left (and its index entries), kept {STORAGE_MONTHS} months",
        "X: the mention read as an owned read ($0.001), the reply as one post without a URL",
        "not included: X-Ray traces (Tracing: Active), CloudWatch custom metrics and alarms, Cognito,"
        " Secrets Manager, the schedules' fixed ticks, free tiers",
    ]
    if not lifecycle.ledger:
        assumptions.append("the cost ledger was switched off (--without-ledger)")
    return Estimate(
        region=region,
        tickets=tickets,
        rows=rows,
        assumptions=assumptions,
        measured={
            "lambda_ms_avg": durations,
            "wall_ms_avg_with_moto": wall,
            "dynamodb_calls_per_ticket": calls,
            "storage_bytes_per_ticket": round(measure.storage_bytes / tickets),
            "ledger_write_units_per_ticket": round(measure.ledger_units / tickets, 2),
            "write_units_by_key_per_ticket": {
                shape: round(units / tickets, 1) for shape, units in lifecycle.capacity.by_key.most_common()
            },
        },
        elapsed_seconds=elapsed,
        ledger_check=check,
    )


def render(result: Estimate) -> str:
    """The readable table: step x resource x quantity per ticket x USD per 1,000 tickets, and totals."""
    labels = {step: f"{step} ({function})" if function != "-" else step for step, function, _w in STEPS}
    lines = [
        f"Mentiondesk cost per {PER_TICKETS:,} tickets - {result.region}, prices read {AWS_READ_ON},"
        f" {result.tickets} lifecycles simulated in {result.elapsed_seconds:.1f} s",
        "",
        f"{'step':<28} {'resource':<30} {'qty/ticket':>14} {'unit':<11} {'USD/1,000':>11}",
    ]
    previous = None
    for row in result.rows:
        label = labels.get(row.step, row.step) if row.step != previous else ""
        previous = row.step
        cost = f"{Decimal(row.nanos) / NANOS_PER_USD:.6f}" if row.nanos is not None else "unpriced"
        lines.append(f"{label:<28} {row.item:<30} {_short(row.quantity):>14} {row.unit:<11} {cost:>11}")
    lines.append("")
    for component in ("aws", "platform", "ai", "agent"):
        total = result.total(component)
        if total or component in ("aws", "platform"):
            lines.append(
                f"{component.upper() + ' total':<28} ${Decimal(total) / NANOS_PER_USD:,.4f} per {PER_TICKETS:,} tickets"
            )
    lines.append(f"{'all':<28} ${Decimal(result.total()) / NANOS_PER_USD:,.4f} per {PER_TICKETS:,} tickets")
    aws = result.total("aws") or 1
    shares = ", ".join(f"{service} {100 * n / aws:.0f}%" for service, n in result.by_service().items())
    lines.append(f"AWS by service: {shares}")
    if result.unpriced():
        missing = ", ".join(result.unpriced())
        lines.append(f"Unpriced in {result.region} (no price in the table: shown as unpriced, not zero): {missing}")
    if result.ledger_check:
        c = result.ledger_check
        lines.append(
            f"Ledger check (last ticket): {c['lines']} lines sum to {c['lines_sum_nanos']} n$, running total"
            f" {c['total_nanos']} n$ - {'equal' if c['equal'] else 'DIFFERENT'}"
        )
    lines += ["", "Assumptions:"] + [f"  - {a}" for a in result.assumptions]
    return "\n".join(lines)


def _short(value: Decimal) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1:
        return _plain(value.quantize(Decimal("0.01")))
    return f"{value:.3g}" if abs(value) < Decimal("0.001") else _plain(value.quantize(Decimal("0.0001")))
