"""Metering one Lambda invocation into cost lines: what it used of AWS (Lambda request and GB-seconds,
DynamoDB capacity the calls reported), what the handler adds (platform and AI fees, API and queue
requests, workflow transitions), shared among the tickets it served.

Lambda is billed by the millisecond: GB-seconds = memory (MB) / 1024 × the measured duration rounded
up to the next millisecond. The duration is measured from `start()` to `finish()`, so the runtime's
own overhead, the flush after it and a cold start's INIT are not in it.

Invocation-level costs (the request, the GB-seconds, DynamoDB capacity, and anything `add`ed without
a ticket) are split evenly over the tickets the invocation served: a batch of 10 SQS messages for 10
tickets gives each ticket a tenth of the quantity and an integer share of the amount (the shares add
up to the whole). An invocation that served no ticket writes its lines with ticket_id None.

A handler uses it as::

    with metered(context, "send_reply", store.table, event=event) as meter:
        ...
        meter.serve(tenant, ticket_id, channel="x", team="support")  # or serve_ticket(...) from deeper code
        meter.add("x.post_create", 1, "post", ticket_id=ticket_id)

The flush never raises into the handler: a failure is logged, counted as the metric CostFlushFailed,
and the handler's answer stands.
"""

import functools
import math
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from mentiondesk.clock import now_iso
from mentiondesk.costs.ledger import NO_TENANT, CostLine, agent_time_line, merge, priced_line, split
from mentiondesk.observability import logger, metrics

if TYPE_CHECKING:
    from mentiondesk.store.costs import FlushResult
    from mentiondesk.store.dynamo import Table

DEFAULT_REGION = "us-east-1"
_DIMENSIONS = ("channel", "team", "brand")
_Target = tuple[str, str | None, dict[str, str | None]]  # tenant, ticket (None: untied), dimensions


@dataclass
class _Added:
    item: str
    quantity: Decimal
    unit: str
    tenant: str | None
    ticket_id: str | None
    dims: dict[str, str | None]


class Meter:
    """What one invocation used, turned into cost lines by `finish`."""

    def __init__(
        self,
        function_name: str,
        region: str,
        memory_mb: int,
        clock: Callable[[], float] = time.perf_counter,
        *,
        request_id: str | None = None,
        source: str | None = None,
        tenant: str | None = None,
        now: Callable[[], str] = now_iso,
    ) -> None:
        self.function_name = function_name
        self.region = region
        self.memory_mb = memory_mb
        self.clock = clock
        self.request_id = request_id or str(uuid.uuid4())
        self.source = source or function_name
        self.tenant = tenant  # the tenant of tickets named by id alone, and of untied costs
        self.now = now
        self.at: str | None = None
        self.duration_ms: int | None = None
        self.calls: dict[str, int] = {}
        self.consumed: dict[str, float] = {"read": 0.0, "write": 0.0}
        self._started: float | None = None
        self._added: list[_Added] = []
        self._lines: list[CostLine] = []
        self._served: dict[tuple[str, str], dict[str, str | None]] = {}

    def start(self) -> None:
        self._started = self.clock()
        self.at = self.now()

    def elapsed_ms(self) -> float:
        """Milliseconds since start() on the meter's clock (0 before it started)."""
        return 0.0 if self._started is None else (self.clock() - self._started) * 1000

    def note_dynamodb(self, op: str, kind: str, units: float) -> None:
        """A DynamoDB call of this invocation and the capacity it reported it consumed."""
        self.calls[op] = self.calls.get(op, 0) + 1
        self.consumed[kind] = self.consumed.get(kind, 0.0) + units

    def add(
        self,
        item: str,
        quantity: Decimal | int | str,
        unit: str,
        ticket_id: str | None = None,
        *,
        tenant: str | None = None,
        **dims: str | None,
    ) -> None:
        """A cost the handler knows about: for one ticket, or (ticket_id None) shared like the invocation's.
        Nothing (a zero quantity) writes no line."""
        if not Decimal(str(quantity)):
            return
        self._added.append(_Added(item, Decimal(str(quantity)), unit, tenant, ticket_id, _dims(dims)))

    def add_line(self, line: CostLine) -> None:
        """A line priced by the caller (agent time at the agent's own rate): written as it is."""
        self._lines.append(line)

    def serve(self, tenant: str, ticket_id: str, **dims: str | None) -> None:
        """This invocation worked for this ticket: it takes a share of the invocation's costs."""
        known = self._served.setdefault((tenant, ticket_id), {d: None for d in _DIMENSIONS})
        known.update({k: v for k, v in _dims(dims).items() if v})

    def finish(self, ticket_ids: Iterable[str] = ()) -> list[CostLine]:
        """The invocation's cost lines. `ticket_ids` (of `tenant`) are served in addition to `serve`."""
        for ticket_id in ticket_ids:
            self.serve(self.tenant or NO_TENANT, ticket_id)
        ended = self.clock()
        if self._started is None or self.at is None:
            raise RuntimeError("finish() before start()")
        self.duration_ms = max(1, math.ceil((ended - self._started) * 1000 - 1e-9))
        self.consumed = {kind: round(value, 6) for kind, value in self.consumed.items()}
        shared: list[tuple[str, Decimal, str]] = [
            ("aws.lambda.request", Decimal(1), "request"),
            ("aws.lambda.gb_s", Decimal(self.memory_mb) / 1024 * Decimal(self.duration_ms) / 1000, "GB-s"),
        ]
        if self.consumed["read"]:
            shared.append(("aws.dynamodb.read_unit", _decimal(self.consumed["read"]), "RRU"))
        if self.consumed["write"]:
            shared.append(("aws.dynamodb.write_unit", _decimal(self.consumed["write"]), "WRU"))
        targets: list[_Target] = [(tenant, ticket_id, dims) for (tenant, ticket_id), dims in self._served.items()]
        untied: list[_Target] = [(self.tenant or NO_TENANT, None, dict.fromkeys(_DIMENSIONS))]
        lines: list[CostLine] = []
        for item, quantity, unit in shared:
            lines += split(self._line(item, quantity, unit, None, None, {}), targets or untied)
        for added in self._added:
            if added.ticket_id is None:
                # A cost of a named tenant is shared only by that tenant's tickets (a poll over several
                # tenants' monitors must not bill one tenant's reads to another's tickets).
                mine = [t for t in targets if added.tenant in (None, t[0])]
                alone: list[_Target] = [(added.tenant or self.tenant or NO_TENANT, None, dict.fromkeys(_DIMENSIONS))]
                lines += split(
                    self._line(added.item, added.quantity, added.unit, None, None, added.dims), mine or alone
                )
                continue
            tenant = added.tenant or self.tenant or NO_TENANT
            dims = {**self._served.get((tenant, added.ticket_id), {}), **{k: v for k, v in added.dims.items() if v}}
            lines.append(self._line(added.item, added.quantity, added.unit, tenant, added.ticket_id, dims))
        for line in self._lines:
            served = self._served.get((line.tenant, line.ticket_id or ""), {})
            missing = {d: v for d, v in served.items() if v and not getattr(line, d)}
            lines.append(line.model_copy(update=missing) if missing else line)
        return merge(lines)

    def _line(
        self,
        item: str,
        quantity: Decimal,
        unit: str,
        tenant: str | None,
        ticket_id: str | None,
        dims: dict[str, str | None],
    ) -> CostLine:
        return priced_line(
            tenant=tenant or self.tenant or NO_TENANT,
            ticket_id=ticket_id,
            item=item,
            quantity=quantity,
            unit=unit,
            region=self.region,
            at=self.at or self.now(),
            source=self.source,
            request_id=self.request_id,
            channel=dims.get("channel"),
            team=dims.get("team"),
            brand=dims.get("brand"),
        )


def _dims(dims: dict[str, str | None]) -> dict[str, str | None]:
    unknown = set(dims) - set(_DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown cost dimensions: {sorted(unknown)}")
    return {d: dims.get(d) for d in _DIMENSIONS}


def _decimal(value: float) -> Decimal:
    # Capacity units arrive as floats (0.5, 1.0, 2.5): their shortest repr is the exact value meant.
    return Decimal(repr(value))


# -- the invocation's meter, for code below the handler ------------------------------------------------

_current: ContextVar["Meter | None"] = ContextVar("mentiondesk_meter", default=None)


def current_meter() -> Meter | None:
    """The meter of the invocation in progress (None outside `metered`)."""
    return _current.get()


def note_dynamodb(op: str, kind: str, units: float) -> None:
    """`note_dynamodb` on the current meter (store/dynamo.py calls it for every request)."""
    meter = _current.get()
    if meter is not None:
        meter.note_dynamodb(op, kind, units)


def record_cost(item: str, quantity: Decimal | int | str, unit: str, ticket_id: str | None = None, **kw: Any) -> None:
    """`add` on the current meter; nothing outside a metered invocation (tests, the local CLI)."""
    meter = _current.get()
    if meter is not None:
        meter.add(item, quantity, unit, ticket_id, **kw)


def serve_ticket(tenant: str, ticket_id: str, **dims: str | None) -> None:
    """`serve` on the current meter; nothing outside a metered invocation."""
    meter = _current.get()
    if meter is not None:
        meter.serve(tenant, ticket_id, **dims)


def serve_ticket_of(ticket: Any) -> None:
    """`serve_ticket` with the ticket's own dimensions (a models.Ticket: channel, team, brand account)."""
    serve_ticket(ticket.tenant_id, ticket.id, channel=ticket.platform, team=ticket.team, brand=ticket.account_id)


def record_agent_time(
    tenant: str,
    ticket_id: str,
    seconds: Decimal | int | str,
    hourly_rate_usd: Decimal | str | None,
    *,
    request_id: str | None = None,
    **dims: str | None,
) -> None:
    """Active handling seconds of an agent on a ticket, at the agent's hourly rate (None: unpriced).
    `request_id` names the report the seconds came in (the page's beat): one written twice is counted once."""
    meter = _current.get()
    if meter is None:
        return
    meter.add_line(
        agent_time_line(
            tenant=tenant,
            ticket_id=ticket_id,
            seconds=seconds,
            hourly_rate_usd=hourly_rate_usd,
            at=meter.at or meter.now(),
            source=meter.source,
            request_id=request_id or meter.request_id,
            region=meter.region,
            **_dims(dims),
        )
    )


def is_http_event(event: Any) -> bool:
    """An API Gateway HTTP API (payload 2.0) request: billed as one API request."""
    return isinstance(event, dict) and isinstance(event.get("requestContext", {}).get("http"), dict)


def http_tenant(event: Any) -> str | None:
    """The tenant of an HTTP API request, from the verified JWT's claims (None when unauthenticated)."""
    try:
        claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    except (KeyError, TypeError):
        return None
    tenant = claims.get("tenant_id") if isinstance(claims, dict) else None
    return str(tenant) if tenant else None


def http_source(event: Any, prefix: str = "api") -> str:
    """ "api:GET /api/tickets/{id}": the request's method and path with its ids (any segment with a digit,
    or longer than 24 characters) replaced, so no customer or ticket id is in the ledger's source."""
    http = event.get("requestContext", {}).get("http", {}) if isinstance(event, dict) else {}
    path = str(event.get("rawPath") or http.get("path") or "/") if isinstance(event, dict) else "/"
    parts = ["{id}" if any(c.isdigit() for c in p) or len(p) > 24 else p for p in path.split("/")]
    return f"{prefix}:{http.get('method', '?')} {'/'.join(parts)[:120]}"


@contextmanager
def metered(
    context: Any,
    function_name: str | None = None,
    table: "Table | None" = None,
    *,
    event: Any = None,
    region: str | None = None,
    tenant: str | None = None,
    source: str | None = None,
    clock: Callable[[], float] = time.perf_counter,
    flush: "Callable[[list[CostLine]], FlushResult | None] | None" = None,
) -> Iterator[Meter]:
    """Meter the block as one invocation and flush its lines to the ledger at the end, whatever happens
    in the block: to `flush`, else to `table`, else to the table named by TABLE_NAME (none: not kept).
    Every DynamoDB call made in the block is counted (store/dynamo.py reports each one). A failed
    flush is logged and counted (CostFlushFailed), never raised."""
    meter = Meter(
        function_name or str(getattr(context, "function_name", "unknown")),
        region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
        int(getattr(context, "memory_limit_in_mb", 128)),
        clock,
        request_id=getattr(context, "aws_request_id", None),
        source=source,
        tenant=tenant,
    )
    if is_http_event(event):
        meter.add("aws.apigw.request", 1, "request")
    token = _current.set(meter)
    meter.start()
    try:
        yield meter
    finally:
        _current.reset(token)
        target = table if table is not None else _ledger_table()
        flush_quietly(meter, flush or (_store_flush(target) if target is not None else None))


def flush_quietly(meter: Meter, flush: "Callable[[list[CostLine]], Any] | None") -> list[CostLine]:
    """Finish the meter and hand its lines to `flush`; any failure is logged and counted, not raised."""
    try:
        lines = meter.finish()
        if flush is not None and lines:
            flush(lines)
        return lines
    except Exception:
        logger.exception("cost ledger flush failed", extra={"function": meter.function_name})
        metrics.add_metric(name="CostFlushFailed", unit="Count", value=1)
        return []


def _ledger_table() -> "Table | None":
    """The table of the deployment (TABLE_NAME) on the process's DynamoDB client; None where there is none."""
    name = os.environ.get("TABLE_NAME")
    if not name:
        return None
    from mentiondesk.store.dynamo import Table
    from mentiondesk.store.factory import aws_client

    return Table(aws_client("dynamodb"), name)


def _store_flush(table: "Table") -> "Callable[[list[CostLine]], FlushResult]":
    from mentiondesk.store.costs import CostStore

    costs = CostStore(table)

    def flush(lines: list[CostLine]) -> "FlushResult":
        result = costs.record(lines)
        if result.written:
            check_budgets(table, lines)
        return result

    return flush


def check_budgets(table: "Table", lines: list[CostLine]) -> None:
    """After platform fees were booked, their tenants' platform budgets (alerts at 80% and 100%).
    A failure is logged and counted (BudgetCheckFailed); the lines stay booked."""
    tenants = {line.tenant for line in lines if line.component == "platform" and line.tenant != NO_TENANT}
    for tenant in sorted(tenants):
        try:
            from mentiondesk.costs.finance import check_platform_budgets

            check_platform_budgets(table, tenant, lines[0].at)
        except Exception:
            logger.exception("platform budget check failed")
            metrics.add_metric(name="BudgetCheckFailed", unit="Count", value=1)


F = TypeVar("F", bound=Callable[..., Any])


def meter_handler(function_name: str, table: "Callable[[], Table | None] | None" = None) -> Callable[[F], F]:
    """Decorator form of `metered` for `handler(event, context)`; code below reaches the meter through
    `record_cost` / `serve_ticket`. An HTTP request is billed as an API request, its tenant taken from
    the verified token and its source from the route."""

    def decorate(handler: F) -> F:
        @functools.wraps(handler)
        def wrapper(event: Any, context: Any) -> Any:
            http = is_http_event(event)
            with metered(
                context,
                function_name,
                table() if table is not None else None,
                event=event,
                tenant=http_tenant(event) if http else None,
                source=http_source(event, function_name) if http else None,
            ):
                return handler(event, context)

        return wrapper  # type: ignore[return-value]

    return decorate


# -- Step Functions Express ---------------------------------------------------------------------------

# An Express run is billed per request and per 100 ms of duration at 64 MB (the triage run's definition
# and payloads are far below 64 MB: the smallest memory tier).
EXPRESS_GB = Decimal("0.0625")
EXPRESS_STEP_SECONDS = Decimal("0.1")


def bill_express_request(tenant: str, ticket_id: str) -> None:
    """A triage run started (an Express request), billed to its ticket."""
    record_cost("aws.states.express_request", 1, "request", ticket_id, tenant=tenant)


def bill_express_duration(tenant: str, ticket_id: str, started_at: str, ended_at: str) -> None:
    """The run's duration from its start to its last task, rounded up to 100 ms, at 64 MB."""
    from mentiondesk.clock import parse_iso

    seconds = Decimal(str(max(0.0, (parse_iso(ended_at) - parse_iso(started_at)).total_seconds())))
    steps = max(1, math.ceil(seconds / EXPRESS_STEP_SECONDS))
    record_cost("aws.states.express_gb_s", EXPRESS_GB * EXPRESS_STEP_SECONDS * steps, "GB-s", ticket_id, tenant=tenant)
