"""The price table: lookups by region, unpriced items, and the Comprehend unit rule."""

from decimal import Decimal

import pytest
from mentiondesk.prices import (
    AWS_PRICES,
    X_PRICES,
    comprehend_units,
    micros_to_usd,
    nanos_to_usd,
    price,
    usd_to_micros,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("item", "region", "usd"),
    [
        ("aws.dynamodb.write_unit", "us-east-1", "0.000000625"),
        ("dynamodb_write_unit", "us-east-1", "0.000000625"),
        ("aws.dynamodb.write_unit", "ap-northeast-1", "0.00000071"),
        ("aws.dynamodb.read_unit", "ap-northeast-1", "0.000000143"),
        ("aws.lambda.gb_s", "ap-northeast-1", "0.0000133334"),
        ("aws.states.transition", "us-east-1", "0.000025"),
        ("aws.apigw.request", "ap-northeast-1", "0.00000129"),
        ("aws.sqs.request", "us-east-1", "0.0000004"),
        ("ai.comprehend.unit", "us-east-1", "0.0001"),
        ("ai.bedrock.nova_micro.output_token", "us-east-1", "0.00000014"),
        ("x.post_create", "ap-northeast-1", "0.015"),
        ("post_read", "us-east-1", "0.005"),
    ],
)
def test_prices_are_found_by_ledger_or_table_name_in_their_region(item: str, region: str, usd: str) -> None:
    # When a price is looked up
    found = price(item, region)
    # Then it is the table's, with where and when it was read
    assert found is not None
    assert found.usd == Decimal(usd)
    assert found.read_on == "2026-11-01"
    assert found.source
    assert found.region in (region, "global")


@pytest.mark.parametrize(
    ("item", "region"),
    [
        ("aws.sqs.request", "ap-northeast-1"),  # never read for Tokyo
        ("ai.bedrock.nova_micro.input_token", "ap-northeast-1"),
        ("aws.lambda.request", "eu-west-1"),  # a region without a table
        ("aws.cloudfront.request", "us-east-1"),  # not an item we price
        ("x.nothing", "us-east-1"),
    ],
)
def test_a_missing_price_is_unpriced_never_zero(item: str, region: str) -> None:
    assert price(item, region) is None


def test_aws_unit_prices_are_exact_in_nano_dollars() -> None:
    # Given prices below a micro-dollar
    write = AWS_PRICES["us-east-1"]["dynamodb_write_unit"]
    gb_s = AWS_PRICES["us-east-1"]["lambda_gb_s_arm64"]
    # Then nano-dollars keep them (a micro-dollar view would round the write unit to zero)
    assert write.nanos == 625
    assert write.micros == 0
    assert gb_s.nanos == Decimal("13333.4")
    assert nanos_to_usd(625) == "0.000000625"


def test_the_x_prices_and_micro_helpers_stay_as_they_were() -> None:
    assert X_PRICES["post_create"].micros == 15_000
    assert usd_to_micros("25.00") == 25_000_000
    assert micros_to_usd(125_000) == "0.125000"
    with pytest.raises(ValueError, match="non-negative"):
        usd_to_micros("-1")


@pytest.mark.parametrize(
    ("length", "units"), [(0, 3), (1, 3), (300, 3), (301, 4), (399, 4), (400, 4), (1000, 10), (1001, 11)]
)
def test_comprehend_bills_100_characters_a_unit_and_three_units_at_least(length: int, units: int) -> None:
    assert comprehend_units(length) == units


def test_comprehend_units_refuse_a_negative_length() -> None:
    with pytest.raises(ValueError, match="negative"):
        comprehend_units(-1)
