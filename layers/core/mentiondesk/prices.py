"""The price table: what each billable event costs, where and when the price was read.

Money is counted in micro-dollars (millionths of a USD) as integers: exact, and cheap to add up
in DynamoDB. Finance reports convert at the edge. Update a price by changing this table (and its
`read_on`), never by editing call sites.
"""

from dataclasses import dataclass
from decimal import Decimal

MICROS_PER_USD = 1_000_000


@dataclass(frozen=True)
class Price:
    usd: Decimal
    source: str
    read_on: str  # YYYY-MM-DD the price was read from the source
    region: str = "global"

    @property
    def micros(self) -> int:
        return int(self.usd * MICROS_PER_USD)


_X = "docs.x.com pay-per-use pricing"
X_PRICES: dict[str, Price] = {
    # A resource billed twice in one UTC day is billed once (the pollers count reads that way).
    "post_read": Price(Decimal("0.005"), _X, "2026-11-01"),
    "owned_read": Price(Decimal("0.001"), _X, "2026-11-01"),  # own mentions and own posts (since 2026-04-20)
    "user_read": Price(Decimal("0.010"), _X, "2026-11-01"),
    "dm_event_read": Price(Decimal("0.010"), _X, "2026-11-01"),
    "post_create": Price(Decimal("0.015"), _X, "2026-11-01"),
    "post_create_with_url": Price(Decimal("0.200"), _X, "2026-11-01"),
    "dm_create": Price(Decimal("0.015"), _X, "2026-11-01"),
}


def usd_to_micros(amount: str | Decimal) -> int:
    """A decimal dollar amount ("25.00") as micro-dollars; ValueError for anything else."""
    value = Decimal(amount)
    if not value.is_finite() or value < 0:
        raise ValueError("not a non-negative amount")
    return int(value * MICROS_PER_USD)


def micros_to_usd(micros: int) -> str:
    """Micro-dollars as a decimal string with six places ("0.125000")."""
    return str((Decimal(micros) / MICROS_PER_USD).quantize(Decimal("0.000001")))
