"""A small burst of X webhook deliveries on the local stack (the one docs/scaling.md reports at 2,000
events): every mention is stored once, each redelivery is answered as a duplicate, every ticket is
classified and assigned once, and nothing failed."""

import pytest
from mentiondesk import burst

pytestmark = pytest.mark.integration


def test_a_burst_loses_nothing_and_doubles_nothing() -> None:
    figures = burst.burst(events=24, seconds=2.0, redeliveries=0.25, senders=4, drain_timeout=120)

    assert burst.verdict(figures) == []
    assert figures["burst_deliveries"] == 24 + 6
    assert figures["burst_http_statuses"] == {"200": 30}
    assert figures["burst_accepted"] == 24
    assert figures["burst_answered_duplicate"] == 6  # every redelivery, and nothing else
    assert figures["burst_tickets"] == 24 and figures["burst_lost"] == 0
    # Redeliveries of a ticket's first mention start its run again: those end at the claim
    assert set(figures["burst_triage_runs"]) == {"SUCCEEDED"} and figures["burst_triage_runs"]["SUCCEEDED"] >= 24
    assert figures["burst_classifications_per_ticket_max"] == 1
    assert figures["burst_triage_states"] == {"done": 24}
    assert figures["burst_invocations"]["WebhookXFunction"] == 30
    assert figures["burst_invocations"]["TriageClassifyFunction"] == 24
    assert figures["burst_invocations"]["TriageAssignFunction"] == 24
    assert figures["burst_invocation_errors"] == {}


def test_the_verdict_names_what_went_wrong() -> None:
    clean = {
        "burst_events": 3,
        "burst_lost": 0,
        "burst_tickets": 3,
        "burst_tickets_with_doubled_messages": 0,
        "burst_classifications_per_ticket_max": 1,
        "burst_triage_states": {"done": 3},
        "burst_triage_runs": {"SUCCEEDED": 3},
        "burst_accepted": 3,
    }
    assert burst.verdict(clean) == []
    broken = {
        **clean,
        "burst_lost": 1,
        "burst_tickets": 2,
        "burst_classifications_per_ticket_max": 2,
        "burst_triage_states": {"done": 1, "pending": 1},
        "burst_triage_runs": {"SUCCEEDED": 2, "FAILED": 1},
        "burst_accepted": 2,
    }
    problems = burst.verdict(broken)
    assert "1 mentions lost" in problems
    assert "a ticket was triaged twice" in problems
    assert "1 triage runs failed" in problems
    assert any(p.startswith("not every ticket was triaged") for p in problems)
    assert "2 accepted of 3" in problems
