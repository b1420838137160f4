"""The ticket workflow's failure paths on moto's executor (the real ASL, the real task handlers)."""

import json
import time
from typing import Any

import pytest
from mentiondesk import ids
from mentiondesk.local.stack import LocalStack

from tests.integration.test_local_stack import get, post_tweet, wait_for

pytestmark = pytest.mark.integration


def execution(stack: LocalStack, ticket_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        found = [e for e in stack.executions() if e["name"].endswith(ticket_id) and e["status"] != "RUNNING"]
        return found[0] if found else None

    return wait_for(done, timeout=10)


def test_a_task_failure_is_caught_and_marks_the_ticket(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the classifier breaks (an error no Retry matches)
    import mentiondesk.triage.task as task

    def broken(text: str, lang_hint: str | None = None) -> Any:
        raise ValueError("model file unreadable")

    monkeypatch.setattr(task, "classify", broken)
    # When a mention arrives
    post_tweet(stack, "8100000000000000001", "classifier is down")
    ticket = wait_for(
        lambda: [
            t
            for t in get(stack, "/api/tickets").json()["items"]
            if t["subject"] == "classifier is down" and t["triage_state"] == "failed"
        ]
    )
    # Then the execution failed through the Catch, and the ticket says so (still in the inbox, unassigned)
    run = execution(stack, ticket[0]["id"])
    assert run["status"] == "FAILED"
    assert ticket[0]["assignee"] is None
    sfn = stack.client("stepfunctions")
    history = sfn.get_execution_history(executionArn=run["executionArn"])["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]
    assert entered == ["Classify Message", "Record Triage Failure", "Triage Failed"]


def test_a_missing_ticket_fails_cleanly_without_creating_one(stack: LocalStack) -> None:
    # Given an execution for a ticket that does not exist
    ghost = ids.new_id()
    sfn = stack.client("stepfunctions")
    arn = stack.executions()[0]["stateMachineArn"] if stack.executions() else None
    if arn is None:
        post_tweet(stack, "8100000000000000002", "bootstrap")
        arn = wait_for(lambda: stack.executions())[0]["stateMachineArn"]
    sfn.start_execution(
        stateMachineArn=arn,
        name=f"triage-demo-{ghost}",
        input=json.dumps({"tenant_id": "demo", "ticket_id": ghost}),
    )
    # When it runs / Then it fails (TicketNotFound is not retried) and nothing is written for it
    run = execution(stack, ghost)
    assert run["status"] == "FAILED"
    time.sleep(0.1)
    assert get(stack, f"/api/tickets/{ghost}").status_code == 404
