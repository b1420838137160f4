"""The cost ledger's line: one cost event (a platform fee, an AI call, what an invocation used of
AWS, an agent's handling time), priced from mentiondesk.prices when it is recorded.

Amounts are integer **nano-dollars** (10^-9 USD). Many AWS unit prices are fractions of a
micro-dollar (a DynamoDB write unit is 0.625 µ$ in us-east-1 and 0.71 µ$ in Tokyo, a Lambda request
0.2 µ$), so micro-dollars would round most AWS lines to 0 or 1 and a lifecycle would not add up to
its cents. Every unit price in the table is a whole number of nano-dollars except the Lambda
GB-second (13,333.4 n$): each line's amount is rounded once, half to even, to the nano-dollar, and
from then on only integers are added — a ticket's lines, its running total and the monthly rollups
all agree to the nano-dollar. Integers rather than Decimal strings because DynamoDB ADDs them
exactly and store/dynamo.py reads integral numbers back as `int` but fractional ones as `float`: a
fractional amount would not survive a read. Quantities and unit prices are kept exactly as Decimal
strings on the line (they are read, never added in place).

A line that has no price in its region is *unpriced*: `unit_price_usd` and `amount_nanos` are None,
never zero, and the rollups count it in `unpriced_count`.
"""

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mentiondesk.prices import NANOS_PER_USD, Price, price

Component = Literal["platform", "ai", "aws", "agent"]
COMPONENTS: tuple[Component, ...] = ("platform", "ai", "aws", "agent")
NO_TENANT = "-"  # costs no tenant can be charged with (a webhook for an unknown account, an empty schedule tick)
QUANTITY_PLACES = Decimal("0.000000001")  # a share of a split quantity is kept to nine places
_PLATFORMS = ("x.", "meta.", "instagram.", "facebook.", "google.")


def component_of(item: str) -> Component:
    """The component an item belongs to, from its prefix ("x.post_create" is platform)."""
    if item.startswith(_PLATFORMS):
        return "platform"
    for component in ("ai", "aws", "agent"):
        if item.startswith(component + "."):
            return component
    raise ValueError(f"no component for the cost item {item!r}")


def amount_nanos(quantity: Decimal, unit_price_usd: Decimal) -> int:
    """quantity × unit price in nano-dollars, rounded half to even (the one rounding of a line)."""
    return int((quantity * unit_price_usd * NANOS_PER_USD).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def allocate(total: int, parts: int) -> list[int]:
    """`total` nano-dollars in `parts` integer shares that differ by at most one and add up exactly."""
    if parts < 1:
        raise ValueError("at least one part")
    base, extra = divmod(total, parts)
    return [base + 1 if n < extra else base for n in range(parts)]


class CostLine(BaseModel):
    """One cost event as the ledger stores it (in the ticket's partition, or untied when ticket_id is None)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tenant: str
    ticket_id: str | None = None  # None: not tied to a ticket (a keyword poll that found nothing)
    at: str
    component: Component
    item: str  # "x.post_create", "aws.lambda.gb_s", "aws.dynamodb.write_unit", "agent.handling_seconds", ...
    quantity: Decimal
    unit: str
    region: str
    unit_price_usd: Decimal | None = None  # None: unpriced
    amount_nanos: int | None = None  # None: unpriced
    price_read_on: str | None = None
    source: str  # the function ("send_reply") or the API route ("api:POST /api/tickets/{id}/replies")
    request_id: str  # the invocation's request id: a retried invocation writes the same line again
    channel: str | None = None
    team: str | None = None
    brand: str | None = None
    shares: int = Field(default=1, ge=1)  # > 1: this ticket's share of an invocation-level cost

    @property
    def priced(self) -> bool:
        return self.amount_nanos is not None

    @property
    def line_id(self) -> str:
        """Unique per invocation, ticket and item: what makes a second write of the line a no-op."""
        return f"{self.request_id}#{self.item}"

    @property
    def dimension(self) -> str:
        """The rollup's dimension key: channel, team and brand ("-" where unknown)."""
        return "#".join(v or "-" for v in (self.channel, self.team, self.brand))


def priced_line(
    *,
    tenant: str,
    item: str,
    quantity: Decimal | int | str,
    unit: str,
    region: str,
    at: str,
    source: str,
    request_id: str,
    ticket_id: str | None = None,
    unit_price: Price | None = None,
    channel: str | None = None,
    team: str | None = None,
    brand: str | None = None,
) -> CostLine:
    """A line priced from the price table (or `unit_price` when the caller has its own, as for agent
    time); unpriced when the table has no price for `item` in `region`."""
    qty = Decimal(str(quantity))
    found = unit_price if unit_price is not None else price(item, region)
    return CostLine(
        tenant=tenant,
        ticket_id=ticket_id,
        at=at,
        component=component_of(item),
        item=item,
        quantity=qty,
        unit=unit,
        region=region,
        unit_price_usd=found.usd if found else None,
        amount_nanos=amount_nanos(qty, found.usd) if found else None,
        price_read_on=found.read_on if found else None,
        source=source,
        request_id=request_id,
        channel=channel,
        team=team,
        brand=brand,
    )


def agent_time_line(
    *,
    tenant: str,
    ticket_id: str,
    seconds: Decimal | int | str,
    hourly_rate_usd: Decimal | str | None,
    at: str,
    source: str,
    request_id: str,
    region: str = "global",
    rate_read_on: str | None = None,
    channel: str | None = None,
    team: str | None = None,
    brand: str | None = None,
) -> CostLine:
    """Active handling seconds × the agent's hourly rate; unpriced when the agent has no rate."""
    rate = (
        Price(Decimal(hourly_rate_usd) / 3600, "the agent's hourly rate", rate_read_on or at[:10], unit="second")
        if hourly_rate_usd is not None
        else None
    )
    line = priced_line(
        tenant=tenant,
        item="agent.handling_seconds",
        quantity=seconds,
        unit="second",
        region=region,
        at=at,
        source=source,
        request_id=request_id,
        ticket_id=ticket_id,
        unit_price=rate,
        channel=channel,
        team=team,
        brand=brand,
    )
    if rate is None or hourly_rate_usd is None:
        return line
    # The per-second price is a repeating decimal: price the line from the hourly rate itself.
    exact = (Decimal(str(seconds)) * Decimal(hourly_rate_usd) * NANOS_PER_USD / 3600).quantize(
        Decimal(1), rounding=ROUND_HALF_EVEN
    )
    return line.model_copy(update={"amount_nanos": int(exact)})


def split(line: CostLine, targets: Sequence[tuple[str, str | None, dict[str, str | None]]]) -> list[CostLine]:
    """An invocation-level line shared evenly by the tickets it served: each gets 1/n of the quantity
    and an integer share of the amount; the shares add up to the whole amount exactly.
    `targets` are (tenant, ticket_id, dimensions)."""
    if not targets:
        raise ValueError("a line is split over at least one target")
    n = len(targets)
    amounts: list[int | None] = list(allocate(line.amount_nanos, n)) if line.amount_nanos is not None else [None] * n
    quantity = line.quantity if n == 1 else (line.quantity / n).quantize(QUANTITY_PLACES, rounding=ROUND_HALF_EVEN)
    return [
        line.model_copy(
            update={
                "tenant": tenant,
                "ticket_id": ticket_id,
                "quantity": quantity,
                "amount_nanos": amount,
                "shares": n,
                "channel": dims.get("channel") or line.channel,
                "team": dims.get("team") or line.team,
                "brand": dims.get("brand") or line.brand,
            }
        )
        for (tenant, ticket_id, dims), amount in zip(targets, amounts, strict=True)
    ]


def merge(lines: Iterable[CostLine]) -> list[CostLine]:
    """Lines with the same tenant, ticket, request id and item become one (quantities and amounts
    added): the ledger keys a line by request id and item, so there is exactly one of each."""
    merged: dict[tuple[str, str | None, str, str], CostLine] = {}
    for line in lines:
        key = (line.tenant, line.ticket_id, line.request_id, line.item)
        before = merged.get(key)
        if before is None:
            merged[key] = line
            continue
        if before.unit != line.unit or before.unit_price_usd != line.unit_price_usd:
            raise ValueError(f"{line.item} recorded with two units or prices in one invocation")
        amount = (
            before.amount_nanos + line.amount_nanos
            if before.amount_nanos is not None and line.amount_nanos is not None
            else None
        )
        merged[key] = before.model_copy(update={"quantity": before.quantity + line.quantity, "amount_nanos": amount})
    return list(merged.values())


def total_nanos(lines: Iterable[CostLine]) -> int:
    """The sum of the priced lines (unpriced lines add nothing; count them with `unpriced`)."""
    return sum(line.amount_nanos for line in lines if line.amount_nanos is not None)


def unpriced(lines: Iterable[CostLine]) -> list[CostLine]:
    return [line for line in lines if line.amount_nanos is None]
