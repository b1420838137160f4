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
    assert entered == ["Has A Claim", "Claim The Run", "Classify Message", "Record Triage Failure", "Triage Failed"]


def test_a_missing_ticket_ends_quietly_without_creating_one(stack: LocalStack) -> None:
    # Given an execution for a ticket that does not exist (deleted with its customer's data meanwhile)
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
    # When it runs / Then it ends at Ticket Gone (TicketNotFound is not retried, and not a failure that
    # alarms) and nothing is written for it
    run = execution(stack, ghost)
    assert run["status"] == "SUCCEEDED"
    history = sfn.get_execution_history(executionArn=run["executionArn"])["events"]
    assert any(e.get("stateEnteredEventDetails", {}).get("name") == "Ticket Gone" for e in history)
    time.sleep(0.1)
    assert get(stack, f"/api/tickets/{ghost}").status_code == 404


@pytest.mark.parametrize("strategy", ["round_robin", "load_balanced", "manual"])
def test_each_assignment_mode_through_the_workflow(stack: LocalStack, strategy: str) -> None:
    from mentiondesk.local import demo
    from mentiondesk.models import Team

    team = Team.model_validate({"tenant_id": demo.TENANT, "id": "support", "name": "Support", "strategy": strategy})
    stack.store.directory.put_team(team)
    try:
        tweet_id = str(8200000000000000000 + len(strategy))
        post_tweet(stack, tweet_id, f"mode {strategy}", user_id=str(7300000000000000000 + len(strategy)))
        ticket = wait_for(
            lambda: [
                t
                for t in get(stack, "/api/tickets").json()["items"]
                if t["subject"] == f"mode {strategy}" and t["triage_state"] == "done"
            ]
        )[0]
        events = get(stack, f"/api/tickets/{ticket['id']}").json()["events"]
        if strategy == "manual":
            assert ticket["assignee"] is None and events[-1]["type"] == "queued"
        else:
            assert ticket["assignee"] is not None
            assert events[-1]["type"] == "assigned" and events[-1]["detail"]["strategy"] == strategy
        assert execution(stack, ticket["id"])["status"] == "SUCCEEDED"
    finally:
        stack.store.directory.put_team(Team(tenant_id=demo.TENANT, id="support", name="Support"))


def test_a_returning_customer_is_assigned_to_their_last_agent(stack: LocalStack) -> None:
    customer = "7300000000000000777"
    post_tweet(stack, "8210000000000000001", "first visit", user_id=customer)

    def assigned(subject: str) -> dict[str, Any] | None:
        found = [t for t in get(stack, "/api/tickets", status="all").json()["items"] if t["subject"] == subject]
        return found[0] if found and found[0]["assignee"] else None

    first = wait_for(lambda: assigned("first visit"))
    post_tweet(stack, "8210000000000000002", "someone else", user_id="7300000000000000778")
    wait_for(lambda: assigned("someone else"))
    post_tweet(stack, "8210000000000000003", "second visit", user_id=customer)
    second = wait_for(lambda: assigned("second visit"))
    assert second["assignee"]["id"] == first["assignee"]["id"]
    events = get(stack, f"/api/tickets/{second['id']}").json()["events"]
    assert events[-1]["detail"]["strategy"] == "returning_customer"


def test_a_second_run_of_a_claimed_triage_ends_without_touching_the_ticket(stack: LocalStack) -> None:
    # Given a ticket triaged by the run ingest started (an Express run, which claimed its name first)
    post_tweet(stack, "8220000000000000001", "claimed once", user_id="7300000000000000900")
    ticket = wait_for(
        lambda: [
            t
            for t in get(stack, "/api/tickets").json()["items"]
            if t["subject"] == "claimed once" and t["triage_state"] == "done"
        ]
    )[0]
    before = get(stack, f"/api/tickets/{ticket['id']}").json()
    first = execution(stack, ticket["id"])
    # When a second run of the same name starts (Express accepts it: a redelivery, a retried start)
    sfn = stack.client("stepfunctions")
    claim = {"name": f"triage-demo-{ticket['id']}", "run": "another-run", "expires_at": 4102444800}
    started = sfn.start_execution(
        stateMachineArn=first["stateMachineArn"],
        name=f"again-{ticket['id']}",
        input=json.dumps({"tenant_id": "demo", "ticket_id": ticket["id"], "claim": claim}),
    )
    # Then it ends at the claim, as a success (nothing to alarm on), and the ticket is exactly as it was
    run = wait_for(
        lambda: [e for e in stack.executions() if e["name"] == f"again-{ticket['id']}" and e["status"] != "RUNNING"]
    )[0]
    assert run["status"] == "SUCCEEDED"
    history = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]
    assert entered == ["Has A Claim", "Claim The Run", "Already Running"]
    after = get(stack, f"/api/tickets/{ticket['id']}").json()
    assert after["version"] == before["version"] and after["events"] == before["events"]
    # And the first run's claim is the ticket's: written once, by the run ingest started
    claims = stack.store.table.query(
        KeyConditionExpression="PK = :pk AND SK = :sk",
        ExpressionAttributeValues={":pk": "TENANT#demo#TRIAGE", ":sk": claim["name"]},
    )[0]
    assert len(claims) == 1 and claims[0]["run"] != "another-run" and claims[0]["entity"] == "triage_claim"
