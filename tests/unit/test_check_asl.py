"""Unit tests for scripts/check_asl.py: statelint + moto parser + cfn-lint schema + STYLE.md rules."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.unit

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_asl.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_asl", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_asl = _load_script()

RETRY = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2}]


def _catch(next_state: str = "Mark Failed") -> list[dict[str, Any]]:
    return [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": next_state}]


VALID: dict[str, Any] = {
    "Comment": "Classify an incoming mention, then store it as a ticket",
    "StartAt": "Classify Message",
    "States": {
        "Classify Message": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${ClassifyFunctionArn}", "Payload.$": "$"},
            "ResultSelector": {"label.$": "$.Payload.label"},
            "ResultPath": "$.classification",
            "TimeoutSeconds": 30,
            "Retry": RETRY,
            "Catch": _catch(),
            "Next": "Is Spam?",
        },
        "Is Spam?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.classification.label", "StringEquals": "spam", "Next": "Done"}],
            "Default": "Store Ticket",
        },
        "Store Ticket": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "${TicketsTableName}", "Item": {"pk": {"S.$": "$.id"}}},
            "TimeoutSeconds": 10,
            "Retry": RETRY,
            "Catch": _catch(),
            "Next": "Done",
        },
        "Mark Failed": {"Type": "Fail", "Error": "ClassificationFailed", "Cause": "see the logs"},
        "Done": {"Type": "Succeed"},
    },
}


def _valid() -> dict[str, Any]:
    return copy.deepcopy(VALID)


def _write(tmp_path: Path, definition: dict[str, Any] | str, name: str = "workflow.asl.json") -> Path:
    path = tmp_path / name
    text = definition if isinstance(definition, str) else json.dumps(definition, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def _checkers(problems: list[str]) -> set[str]:
    return {line.split("[", 1)[1].split("]", 1)[0] for line in problems}


def test_valid_workflow_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a workflow that uses placeholders, retries, catches and timeouts
    path = _write(tmp_path, _valid())

    # When it is checked, via the function and via the CLI entry point
    problems = check_asl.check_file(path)
    exit_code = check_asl.main([str(path)])

    # Then there is no problem and the CLI reports success
    assert problems == []
    assert exit_code == 0
    assert capsys.readouterr().out.strip() == "ASL ok: 1 file(s)"


def test_misspelled_state_type_fails_every_validator(tmp_path: Path) -> None:
    # Given a Wait state whose Type is misspelled "Wiat"
    definition = _valid()
    definition["States"]["Pause"] = {"Type": "Wiat", "Seconds": 5, "Next": "Done"}
    definition["States"]["Store Ticket"]["Next"] = "Pause"
    path = _write(tmp_path, definition)

    # When it is checked
    problems = check_asl.check_file(path)

    # Then statelint, moto's parser and cfn-lint's schema all reject it, naming the file
    wiat = [line for line in problems if "Wiat" in line]
    assert {"statelint", "moto", "cfn-lint"} <= _checkers(wiat)
    assert all(line.startswith(f"{check_asl.display_path(path)}: [") for line in problems)


def test_unreachable_state_fails(tmp_path: Path) -> None:
    # Given a state nothing transitions to
    definition = _valid()
    definition["States"]["Orphan"] = {"Type": "Pass", "End": True}
    path = _write(tmp_path, definition)

    # When it is checked
    problems = check_asl.check_file(path)

    # Then statelint reports the unreachable state
    assert any("[statelint]" in line and "No transition found to state" in line for line in problems)


def test_next_to_missing_state_fails(tmp_path: Path) -> None:
    # Given a transition to a state that does not exist
    definition = _valid()
    definition["States"]["Store Ticket"]["Next"] = "Nowhere"
    path = _write(tmp_path, definition)

    # When it is checked
    problems = check_asl.check_file(path)

    # Then statelint reports the dangling reference
    assert any("[statelint]" in line and 'No state found named "Nowhere"' in line for line in problems)


def test_task_without_retry_catch_and_timeout_fails(tmp_path: Path) -> None:
    # Given a Task that has no TimeoutSeconds, Retry or Catch
    definition = _valid()
    for key in ("TimeoutSeconds", "Retry", "Catch"):
        del definition["States"]["Store Ticket"][key]
    path = _write(tmp_path, definition)

    # When it is checked
    problems = check_asl.check_file(path)

    # Then the project style rules report each missing field (and nothing else complains)
    assert _checkers(problems) == {"style"}
    assert len(problems) == 3
    assert any("States.Store Ticket has no TimeoutSeconds" in line for line in problems)
    assert any("States.Store Ticket has no Retry entry" in line for line in problems)
    assert any("States.Store Ticket has no Catch" in line for line in problems)


def test_timeout_seconds_path_and_nested_tasks(tmp_path: Path) -> None:
    # Given a Parallel branch whose Task uses TimeoutSecondsPath but has an empty Retry list
    definition = _valid()
    definition["States"]["Store Ticket"]["Next"] = "Fan Out"
    branch_task = {
        "Type": "Task",
        "Resource": "${NotifyFunctionArn}",
        "TimeoutSecondsPath": "$.timeout",
        "Retry": [],
        "Catch": _catch("Notify Failed"),
        "End": True,
    }
    definition["States"]["Fan Out"] = {
        "Type": "Parallel",
        "Branches": [
            {
                "StartAt": "Notify",
                "States": {"Notify": branch_task, "Notify Failed": {"Type": "Pass", "End": True}},
            }
        ],
        "Next": "Done",
    }
    path = _write(tmp_path, definition)

    # When it is checked
    problems = check_asl.check_file(path)

    # Then only the empty Retry of the nested Task is reported
    assert len(problems) == 1
    assert "[style] Task States.Fan Out.Branches[0].States.Notify has no Retry entry" in problems[0]


@pytest.mark.parametrize(
    ("function_name", "hard_coded"),
    [
        ("arn:aws:lambda:us-east-1:111122223333:function:classify", True),
        ("arn:${AWS::Partition}:lambda:us-east-1:111122223333:function:classify", True),
        ("${ClassifyFunctionArn}", False),
    ],
)
def test_hard_coded_arn_fails_but_placeholder_passes(tmp_path: Path, function_name: str, hard_coded: bool) -> None:
    # Given a Lambda invocation whose function is a literal ARN or a ${...} placeholder
    definition = _valid()
    definition["States"]["Classify Message"]["Parameters"]["FunctionName"] = function_name
    path = _write(tmp_path, definition)

    # When it is checked
    problems = [line for line in check_asl.check_file(path) if "[style]" in line]

    # Then only the literal ARN is reported, with where it is
    if hard_coded:
        assert len(problems) == 1
        assert "hard-coded ARN" in problems[0]
        assert "States.Classify Message.Parameters.FunctionName" in problems[0]
    else:
        assert problems == []


def test_hard_coded_lambda_resource_fails(tmp_path: Path) -> None:
    # Given a Task whose Resource is a literal Lambda ARN (the service integration ARNs stay allowed)
    definition = _valid()
    definition["States"]["Classify Message"]["Resource"] = "arn:aws:lambda:us-east-1:111122223333:function:classify"
    path = _write(tmp_path, definition)

    # When it is checked
    problems = check_asl.check_file(path)

    # Then exactly that ARN is reported; arn:aws:states:::dynamodb:putItem is not
    assert len(problems) == 1
    assert "[style] hard-coded ARN 'arn:aws:lambda:" in problems[0]


@pytest.mark.parametrize(
    ("name", "readable"),
    [
        ("All Done", True),
        ("Is It Done?", True),
        ("Finished", True),
        ("all_done", False),
        ("AllDone", False),
        ("finished", False),
    ],
)
def test_state_names_must_be_readable(tmp_path: Path, name: str, readable: bool) -> None:
    # Given the last state renamed
    definition = _valid()
    definition["States"][name] = definition["States"].pop("Done")
    definition["States"]["Is Spam?"]["Choices"][0]["Next"] = name
    definition["States"]["Store Ticket"]["Next"] = name
    path = _write(tmp_path, definition)

    # When it is checked
    problems = check_asl.check_file(path)

    # Then only unreadable names are reported
    if readable:
        assert problems == []
    else:
        assert len(problems) == 1
        assert f"[style] state name {name!r} is not readable" in problems[0]


def test_invalid_json_fails_with_file_name_and_position(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a file with a missing comma on line 4
    text = '{\n  "StartAt": "Done",\n  "States": {\n    "Done": {"Type": "Succeed" "Comment": "x"}\n  }\n}\n'
    path = _write(tmp_path, text, name="broken.asl.json")

    # When it is checked through the CLI
    exit_code = check_asl.main([str(path)])

    # Then it fails with one json problem naming the file and the position
    out = capsys.readouterr().out.splitlines()
    assert exit_code == 1
    assert len(out) == 1
    assert "broken.asl.json: [json] invalid JSON at line 4, column" in out[0]


def test_duplicate_state_names_fail(tmp_path: Path) -> None:
    # Given two states with the same name (plain json.loads would silently keep the last one)
    text = '{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}, "Done": {"Type": "Fail"}}}'
    path = _write(tmp_path, text)

    # When it is checked
    problems = check_asl.check_file(path)

    # Then the duplicate is reported
    assert len(problems) == 1
    assert "[json] invalid ASL JSON: duplicate key 'Done'" in problems[0]


def test_unknown_service_integration_is_caught_by_moto(tmp_path: Path) -> None:
    # Given a service integration moto's executor does not know
    definition = _valid()
    definition["States"]["Store Ticket"]["Resource"] = "arn:aws:states:::dynamodb:frobnicate"
    path = _write(tmp_path, definition)

    # When it is checked
    problems = check_asl.check_file(path)

    # Then the moto parser rejects it
    assert _checkers(problems) == {"moto"}
    assert "dynamodb:frobnicate not recognized" in problems[0]


def test_cfn_lint_schema_catches_out_of_range_values(tmp_path: Path) -> None:
    # Given a Task timeout of 0 seconds
    definition = _valid()
    definition["States"]["Store Ticket"]["TimeoutSeconds"] = 0
    path = _write(tmp_path, definition)

    # When it is checked
    problems = check_asl.check_file(path)

    # Then cfn-lint's state machine schema reports where the bad value is
    assert any("[cfn-lint] E3601" in line and "(at States.Store Ticket.TimeoutSeconds)" in line for line in problems)


@pytest.mark.parametrize(
    ("placeholder", "expected"),
    [
        ("ClassifyFunctionArn", "arn:aws:lambda:us-east-1:123456789012:function:ClassifyFunctionArn"),
        ("ChildStateMachineArn", "arn:aws:states:us-east-1:123456789012:stateMachine:ChildStateMachineArn"),
        ("NotifyArn", "arn:aws:lambda:us-east-1:123456789012:function:NotifyArn"),
        ("TicketsTableName", "TicketsTableName"),
        ("TicketsTable", "TicketsTable"),
        ("OutboxQueueUrl", "https://sqs.us-east-1.amazonaws.com/123456789012/OutboxQueueUrl"),
        ("Stage", "dummy-Stage"),
    ],
)
def test_placeholders_get_plausible_dummy_values(placeholder: str, expected: str) -> None:
    # Given a placeholder embedded in a longer string
    text = f'{{"Comment": "uses ${{{placeholder}}} here"}}'

    # When placeholders are substituted
    substituted = check_asl.substitute_placeholders(text)

    # Then the value depends on the placeholder's name and the JSON stays valid
    assert json.loads(substituted) == {"Comment": f"uses {expected} here"}


def test_default_files_are_the_repo_state_machines(tmp_path: Path) -> None:
    # Given a repo layout with two ASL files and an unrelated JSON file
    machines = tmp_path / "infra" / "statemachines"
    machines.mkdir(parents=True)
    for name in ("b.asl.json", "a.asl.json", "notes.json"):
        (machines / name).write_text("{}", encoding="utf-8")

    # When the default file list is computed for that root
    files = check_asl.default_files(tmp_path)

    # Then only the ASL files are selected, sorted
    assert [f.name for f in files] == ["a.asl.json", "b.asl.json"]
