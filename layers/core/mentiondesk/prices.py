"""The price table: what each billable event costs, where and when the price was read.

Platform fees are counted in micro-dollars (millionths of a USD) as integers: exact, and cheap to
add up in DynamoDB. AWS unit prices are often fractions of a micro-dollar (a DynamoDB write unit is
0.625 µ$), so the cost ledger prices in nano-dollars (see mentiondesk.costs.ledger). Update a price by
changing this table (and its `read_on`), never by editing call sites. A price that is not in the
table is *unpriced* (`price()` answers None), never zero.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

MICROS_PER_USD = 1_000_000
NANOS_PER_USD = 1_000_000_000


@dataclass(frozen=True)
class Price:
    usd: Decimal  # per one `unit`
    source: str
    read_on: str  # YYYY-MM-DD the price was read from the source
    region: str = "global"
    unit: str = ""

    @property
    def micros(self) -> int:
        return int(self.usd * MICROS_PER_USD)

    @property
    def nanos(self) -> Decimal:
        """Nano-dollars per unit, exact (a Lambda GB-second is 13,333.4 n$: keep the fraction)."""
        return self.usd * NANOS_PER_USD


_X = "docs.x.com pay-per-use pricing"
X_PRICES: dict[str, Price] = {
    # A resource billed twice in one UTC day is billed once (the pollers count reads that way).
    "post_read": Price(Decimal("0.005"), _X, "2026-11-01", unit="post"),
    "owned_read": Price(
        Decimal("0.001"), _X, "2026-11-01", unit="post"
    ),  # own mentions and own posts (since 2026-04-20)
    "user_read": Price(Decimal("0.010"), _X, "2026-11-01", unit="user"),
    "dm_event_read": Price(Decimal("0.010"), _X, "2026-11-01", unit="event"),
    "post_create": Price(Decimal("0.015"), _X, "2026-11-01", unit="post"),
    "post_create_with_url": Price(Decimal("0.200"), _X, "2026-11-01", unit="post"),
    "dm_create": Price(Decimal("0.015"), _X, "2026-11-01", unit="event"),
}

# AWS on-demand list prices, USD, read 2026-11-01 (docs/notes: costs.md). A region lists only what
# was read for it: anything else there is unpriced. Free tiers are ignored (they are per account).
AWS_READ_ON = "2026-11-01"
_AWS_RAW: dict[str, dict[str, tuple[str, str, str]]] = {
    # item: (USD per unit, unit, source)
    "us-east-1": {
        "lambda_request": ("0.0000002", "request", "aws.amazon.com/lambda/pricing"),
        "lambda_gb_s_arm64": ("0.0000133334", "GB-s", "aws.amazon.com/lambda/pricing (arm64)"),
        "dynamodb_write_unit": ("0.000000625", "WRU", "aws.amazon.com/dynamodb/pricing/on-demand"),
        "dynamodb_read_unit": ("0.000000125", "RRU", "aws.amazon.com/dynamodb/pricing/on-demand"),
        "dynamodb_storage_gb_month": ("0.25", "GB-month", "aws.amazon.com/dynamodb/pricing/on-demand"),
        "states_transition": ("0.000025", "transition", "aws.amazon.com/step-functions/pricing (Standard)"),
        "states_express_request": ("0.000001", "request", "aws.amazon.com/step-functions/pricing (Express)"),
        "states_express_gb_s": (
            "0.00001667",
            "GB-s",
            "aws.amazon.com/step-functions/pricing (Express, first 1,000 GB-h)",
        ),
        "apigw_http_request": ("0.000001", "request", "aws.amazon.com/api-gateway/pricing (HTTP API)"),
        "sqs_request": ("0.0000004", "request", "aws.amazon.com/sqs/pricing (standard)"),
        "scheduler_invocation": ("0.000001", "invocation", "aws.amazon.com/eventbridge/pricing (after 14 M free)"),
        "logs_ingest_gb": ("0.50", "GB", "aws.amazon.com/cloudwatch/pricing (standard logs)"),
        "comprehend_unit": ("0.0001", "unit", "aws.amazon.com/comprehend/pricing (100 chars, 3-unit minimum)"),
        "bedrock_nova_micro_input_token": ("0.000000035", "token", "aws.amazon.com/bedrock/pricing (Nova Micro)"),
        "bedrock_nova_micro_output_token": ("0.00000014", "token", "aws.amazon.com/bedrock/pricing (Nova Micro)"),
    },
    "ap-northeast-1": {
        "lambda_request": ("0.0000002", "request", "aws.amazon.com/lambda/pricing"),
        "lambda_gb_s_arm64": ("0.0000133334", "GB-s", "aws.amazon.com/lambda/pricing (arm64)"),
        "dynamodb_write_unit": ("0.00000071", "WRU", "derived from the provisioned ratio, unverified"),
        "dynamodb_read_unit": ("0.000000143", "RRU", "derived from the provisioned ratio, unverified"),
        "dynamodb_storage_gb_month": ("0.285", "GB-month", "aws.amazon.com/dynamodb/pricing/on-demand"),
        "states_transition": ("0.000025", "transition", "aws.amazon.com/step-functions/pricing (Standard)"),
        "states_express_request": ("0.000001", "request", "assumed equal to us-east-1 (Express; unverified)"),
        "states_express_gb_s": ("0.00001667", "GB-s", "assumed equal to us-east-1 (Express; unverified)"),
        "apigw_http_request": ("0.00000129", "request", "aws.amazon.com/api-gateway/pricing (HTTP API)"),
        "scheduler_invocation": (
            "0.00000125",
            "invocation",
            "AWS Price List AWSEvents APN1-ScheduledInvocation (after 14 M free; effective 2024-10-01)",
        ),
        "logs_ingest_gb": ("0.76", "GB", "aws.amazon.com/cloudwatch/pricing (standard logs)"),
    },
}
AWS_PRICES: dict[str, dict[str, Price]] = {
    region: {
        name: Price(Decimal(usd), source, AWS_READ_ON, region=region, unit=unit)
        for name, (usd, unit, source) in table.items()
    }
    for region, table in _AWS_RAW.items()
}
REGIONS = tuple(AWS_PRICES)

# The ledger's item names and the price each one is billed at.
LEDGER_ITEMS: dict[str, str] = {
    **{f"x.{name}": name for name in X_PRICES},
    "aws.lambda.request": "lambda_request",
    "aws.lambda.gb_s": "lambda_gb_s_arm64",
    "aws.dynamodb.write_unit": "dynamodb_write_unit",
    "aws.dynamodb.read_unit": "dynamodb_read_unit",
    "aws.dynamodb.storage_gb_month": "dynamodb_storage_gb_month",
    "aws.states.transition": "states_transition",
    "aws.states.express_request": "states_express_request",
    "aws.states.express_gb_s": "states_express_gb_s",
    "aws.apigw.request": "apigw_http_request",
    "aws.sqs.request": "sqs_request",
    "aws.scheduler.invocation": "scheduler_invocation",
    "aws.logs.ingest_gb": "logs_ingest_gb",
    "ai.comprehend.unit": "comprehend_unit",
    "ai.bedrock.nova_micro.input_token": "bedrock_nova_micro_input_token",
    "ai.bedrock.nova_micro.output_token": "bedrock_nova_micro_output_token",
}

COMPREHEND_CHARS_PER_UNIT = 100
COMPREHEND_MIN_UNITS = 3  # a 300-character minimum per request


def price(item: str, region: str) -> Price | None:
    """The price of one unit of `item` (a ledger name like "aws.lambda.gb_s" or a table name like
    "lambda_gb_s_arm64") in `region`; None when it is unpriced there (never read, not zero)."""
    name = LEDGER_ITEMS.get(item, item)
    if item.startswith("x.") or name in X_PRICES:
        return X_PRICES.get(name)
    return AWS_PRICES.get(region, {}).get(name)


def comprehend_units(text_length: int) -> int:
    """Comprehend units billed for one request over `text_length` characters (100 characters a unit,
    rounded up, 3 units at least)."""
    if text_length < 0:
        raise ValueError("a length is not negative")
    return max(COMPREHEND_MIN_UNITS, math.ceil(text_length / COMPREHEND_CHARS_PER_UNIT))


def usd_to_micros(amount: str | Decimal) -> int:
    """A decimal dollar amount ("25.00") as micro-dollars; ValueError for anything else."""
    value = Decimal(amount)
    if not value.is_finite() or value < 0:
        raise ValueError("not a non-negative amount")
    return int(value * MICROS_PER_USD)


def micros_to_usd(micros: int) -> str:
    """Micro-dollars as a decimal string with six places ("0.125000")."""
    return str((Decimal(micros) / MICROS_PER_USD).quantize(Decimal("0.000001")))


def nanos_to_usd(nanos: int) -> str:
    """Nano-dollars as a decimal string with nine places ("0.000000625")."""
    return format((Decimal(nanos) / NANOS_PER_USD).quantize(Decimal("0.000000001")), "f")
