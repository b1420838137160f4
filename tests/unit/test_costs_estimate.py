"""`mentiondesk costs estimate`: a simulated lifecycle, priced per 1,000 tickets."""

import json
from decimal import Decimal

import pytest
from mentiondesk.cli import main
from mentiondesk.costs.estimate import CapacityModel, Index, estimate, item_size, render

pytestmark = pytest.mark.unit


def test_the_estimate_prices_a_whole_lifecycle_below_forty_cents_per_1000_tickets_of_aws() -> None:
    # When two lifecycles are simulated and priced in us-east-1
    result = estimate(2, "us-east-1")
    # Then every step shows up, the AWS total is positive and below $0.40 per 1,000 tickets (it was $0.76
    # with Standard workflows for triage and SLA timers; issue 8's target is $0.20)
    steps = {row.step for row in result.rows}
    assert steps >= {"ingest", "classify", "rules", "sla_start", "assign", "sla_check", "reply", "send", "resolve"}
    aws = Decimal(result.total("aws")) / 10**9
    assert Decimal(0) < aws < Decimal("0.40")
    # And the platform fee is the mention read and the reply post ($0.016 a ticket)
    assert result.total("platform") == 16 * 10**9
    # And the resources are the ones the design meters
    items = {row.item for row in result.rows}
    assert {"aws.lambda.gb_s", "aws.dynamodb.write_unit", "aws.states.express_request", "aws.apigw.request"} <= items
    assert "aws.sqs.request" in items
    # A triage run is one Express request and its duration (no transitions); each SLA wake one Scheduler
    # invocation
    assert "aws.states.transition" not in items
    assert sum(r.quantity for r in result.rows if r.item == "aws.states.express_request") == 1
    assert 0 < sum(r.quantity for r in result.rows if r.item == "aws.states.express_gb_s") < 1
    wakes = sum(r.quantity for r in result.rows if r.item == "aws.scheduler.invocation")
    assert wakes == 2
    # And the ledger the simulation wrote agrees with itself
    assert result.ledger_check["equal"] is True
    assert "AWS total" in render(result)


def test_the_cli_answers_json_and_marks_what_tokyo_has_no_price_for(capsys: pytest.CaptureFixture[str]) -> None:
    # When asked for Tokyo as JSON, without the ledger's own writes
    args = ["costs", "estimate", "--tickets", "1", "--region", "ap-northeast-1", "--json", "--without-ledger"]
    assert main(args) == 0
    answer = json.loads(capsys.readouterr().out)
    # Then SQS is unpriced there (not zero), and AWS costs something below $1 per 1,000 tickets
    assert answer["unpriced"] == ["aws.sqs.request"]
    assert [r["usd_per_1000_tickets"] for r in answer["rows"] if r["resource"] == "aws.sqs.request"] == [None, None]
    assert 0 < float(answer["totals_usd"]["aws"]) < 1
    assert not [r for r in answer["rows"] if r["step"] == "ledger"]
    assert answer["assumptions"]


def test_the_cli_refuses_a_region_without_prices() -> None:
    with pytest.raises(SystemExit):
        main(["costs", "estimate", "--region", "eu-west-1"])


def test_the_capacity_model_follows_dynamodbs_rules() -> None:
    # Given the model over a table with one ALL index and one KEYS_ONLY index
    model = CapacityModel(None, None, ("PK", "SK"), [Index("G1", ("G1PK",), False), Index("G5", ("G5PK",), True)])
    small = {"PK": {"S": "a"}, "SK": {"S": "b"}, "G1PK": {"S": "x"}}
    big = {**small, "body": {"S": "x" * 2800}}
    # Then a 3 KB item costs 3 write units, plus its ALL index entry (3 more); a KEYS_ONLY index ignores
    # changes outside its keys; a moved index key is a delete and a put
    assert item_size(small) == 2 + 1 + 2 + 1 + 4 + 1
    assert model._index_units(None, big) == 3
    assert model._index_units(small, big) == 3
    moved = {**small, "G1PK": {"S": "y"}}
    assert model._index_units(small, moved) == 2
    keys_only = {**small, "G5PK": {"S": "k"}}
    assert model._index_units(keys_only, {**keys_only, "body": {"S": "z"}}) == 1  # G1 (ALL) only
