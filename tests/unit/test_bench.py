"""The bench's plumbing (not its speed: `make bench` measures that): each part runs our real code and
reports what it measured, and the verdicts read the targets the right way round."""

import pytest
from mentiondesk import bench

pytestmark = pytest.mark.unit


def test_the_ingest_bench_stores_each_mention_through_the_real_webhook_path() -> None:
    figures = bench.ingest_latency(events=5)
    assert figures["ingest_events"] == 5
    assert 0 < figures["ingest_floor_ms_p50"] < figures["ingest_ms_p50"] <= figures["ingest_ms_p99"]
    # Verify, route, dedupe, store and start: a handful of table calls per event, never zero
    assert 1 <= figures["ingest_dynamodb_calls_per_event"] <= 10


def test_the_classifier_bench_counts_what_it_classified() -> None:
    figures = bench.classify_throughput(seconds=0.05)
    assert figures["classify_posts_per_s"] > 0 and figures["classify_corpus_posts"] > 10


def test_percentiles_and_verdicts() -> None:
    assert bench.percentile([float(n) for n in range(1, 101)], 0.99) == 99.0
    assert bench.percentile([5.0], 0.5) == 5.0
    verdicts = bench.verdicts({"classify_posts_per_s": 6000, "ingest_floor_ratio": 4.2})
    assert verdicts["classify_posts_per_s"].startswith("meets")
    assert verdicts["ingest_floor_ratio"].startswith("MISSES")
    assert verdicts["cold_import_ratio_max"] == "not measured"
