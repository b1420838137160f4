#!/usr/bin/env python3
"""Lint the Amazon States Language (ASL) files behind our ``AWS::Serverless::StateMachine`` resources.

``cfn-lint`` and ``sam validate --lint`` do not look inside ``DefinitionUri`` files, so a typo such as
``"Type": "Wiat"`` would only surface at deploy time. This script checks every ASL file with:

* ``json``      - the file parses as a JSON object (no duplicate keys, e.g. two states with one name);
* ``statelint`` - the ASL spec linter (unknown types, missing/unreachable states, bad paths, ...);
* ``moto``      - moto's vendored LocalStack ASL parser, i.e. what our workflow tests execute;
* ``cfn-lint``  - cfn-lint's state machine schema (rule E3601) on a synthetic
  ``AWS::StepFunctions::StateMachine`` whose ``Definition`` is the file;
* ``style``     - project rules from STYLE.md: every Task has a timeout, a Retry and a Catch; ARNs come
  from ``${...}`` placeholders (service integrations ``arn:aws:states:::...`` excepted); state names
  are readable.

``${Name}`` placeholders (SAM ``DefinitionSubstitutions``) are replaced by plausible dummy values
before the statelint/moto/cfn-lint checks.

Usage::

    python scripts/check_asl.py                 # every infra/statemachines/*.asl.json
    python scripts/check_asl.py path/a.asl.json path/b.asl.json

Prints one ``path: [checker] message`` line per problem and exits 1, or ``ASL ok: N file(s)``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATTERN = "infra/statemachines/*.asl.json"

# Dummy identity used for substituted ARNs / URLs.
_REGION = "us-east-1"
_ACCOUNT = "123456789012"

PLACEHOLDER_RE = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
# Service-integration resources carry no account/region and are fine to hard-code.
SERVICE_INTEGRATION_RE = re.compile(r"arn:aws[a-z-]*:states:::")
# An ARN at the start of a string or embedded in one (e.g. inside States.Format('arn:...')).
ARN_RE = re.compile(r"(?<![A-Za-z0-9_])arn:")
# A single Title Case word ("Classify", "Done", "Step2"); names with a space are accepted as-is.
TITLE_WORD_RE = re.compile(r"[A-Z][a-z0-9]*")

_CFN_LOGICAL_ID = "CheckedStateMachine"
_MAX_EXPECTED_TOKENS = 12


# --------------------------------------------------------------------------- placeholders


def dummy_value(name: str) -> str:
    """A syntactically plausible stand-in for the ``DefinitionSubstitutions`` placeholder ``name``."""

    def arn(service: str, resource: str, region: str = _REGION, account: str = _ACCOUNT) -> str:
        return f"arn:aws:{service}:{region}:{account}:{resource}"

    if "StateMachineArn" in name or (name.endswith("Arn") and "StateMachine" in name):
        return arn("states", f"stateMachine:{name}")
    if "FunctionArn" in name:
        return arn("lambda", f"function:{name}")
    if name.endswith("Arn"):
        if "Activity" in name:
            return arn("states", f"activity:{name}")
        if "Topic" in name:
            return arn("sns", name)
        if "Queue" in name:
            return arn("sqs", name)
        if "Table" in name:
            return arn("dynamodb", f"table/{name}")
        if "Role" in name:
            return arn("iam", f"role/{name}", region="")
        if "Bus" in name:
            return arn("events", f"event-bus/{name}")
        if "Bucket" in name:
            return f"arn:aws:s3:::{name.lower()}"
        return arn("lambda", f"function:{name}")
    if name.endswith(("TableName", "Table")):
        return name
    if name.endswith("QueueUrl"):
        return f"https://sqs.{_REGION}.amazonaws.com/{_ACCOUNT}/{name}"
    if name.endswith(("BucketName", "Bucket")):
        return f"dummy-{name.lower()}"
    return f"dummy-{name}"


def substitute_placeholders(text: str) -> str:
    """Replace every ``${Name}`` in ``text`` with :func:`dummy_value` (``Name`` = letters/digits/_).

    Works on the raw JSON text: ``${`` can only occur inside JSON strings and no dummy value needs
    escaping, so the result is still valid JSON and keeps the file's line numbers.
    """
    return PLACEHOLDER_RE.sub(lambda m: dummy_value(m.group(1)), text)


# --------------------------------------------------------------------------- heavy imports (once)


@functools.cache
def _statelint_validate() -> Any:
    from statelint.config import Config
    from statelint.linter import Linter
    from statelint.problem import ProblemType

    # FLOAT only concerns BackoffRate, where statelint rejects integers ("BackoffRate": 2) that AWS
    # accepts; same as the CLI's ``--ignore=FLOAT``.
    config = Config(ignored_problem_types={ProblemType.FLOAT})
    return functools.partial(Linter.validate, config=config)


@functools.cache
def _moto_parser() -> Any:
    # The same call moto's StepFunctionsParserBackend makes in create_state_machine: antlr syntax
    # check, then the Preprocessor builds the executable program (resolves Resource ARNs, intrinsics).
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    return AmazonStateLanguageParser.parse


@functools.cache
def _cfnlint() -> Any:
    """``cfnlint.api.lint`` minus the per-call rule loading (~0.25 s of its ~0.35 s).

    ``lint(s, rules=...)`` cannot reuse rules: it only accepts the legacy ``RulesCollection`` while
    ``Runner`` builds ``Rules``, so we keep one ``Runner`` and do ``lint``'s two steps ourselves.
    """
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import Runner

    runner = Runner(ConfigMixIn(regions=[_REGION]))

    def lint(template: str) -> list[Any]:
        decoded, errors = decode_str(template)
        return list(errors) if errors else list(runner.validate_template(decoded))

    return lint


# --------------------------------------------------------------------------- checkers


class _JsonError(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _JsonError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _load_json(text: str) -> tuple[Any, list[str]]:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys), []
    except json.JSONDecodeError as err:
        return None, [f"invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}"]
    except _JsonError as err:
        return None, [f"invalid ASL JSON: {err}"]


def _check_statelint(definition: dict[str, Any]) -> list[str]:
    return [str(p) for p in _statelint_validate()(definition)]


def _check_moto(text: str) -> list[str]:
    captured = io.StringIO()  # antlr's default listeners print intrinsic-function errors to stderr
    try:
        with contextlib.redirect_stderr(captured):
            _moto_parser()(text)
    except Exception as err:
        errors = getattr(err, "errors", None)  # ASLParserException: one entry per syntax error
        if errors:
            return [_shorten_expecting(error) for error in errors]
        details = " ".join(captured.getvalue().split())
        message = f"{type(err).__name__}: {err}"
        return [f"{message} ({_shorten_expecting(details)})" if details else message]
    return []


def _shorten_expecting(error: str) -> str:
    """antlr lists every allowed token; keep short lists (``"Wiat"`` -> the 8 types), trim long ones."""

    def shorten(match: re.Match[str]) -> str:
        tokens = match.group(1).split(", ")
        if len(tokens) <= _MAX_EXPECTED_TOKENS:
            return match.group(0)
        return f"expecting one of {len(tokens)} tokens: {{{', '.join(tokens[:_MAX_EXPECTED_TOKENS])}, ...}}"

    return re.sub(r"expecting \{([^}]*)\}", shorten, error)


def _check_cfnlint(definition: dict[str, Any]) -> list[str]:
    lint = _cfnlint()
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            _CFN_LOGICAL_ID: {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "RoleArn": f"arn:aws:iam::{_ACCOUNT}:role/CheckAslDummyRole",
                    "Definition": definition,
                },
            }
        },
    }
    prefix = ["Resources", _CFN_LOGICAL_ID, "Properties", "Definition"]
    problems = []
    for match in lint(json.dumps(template)):
        path = list(getattr(match, "path", None) or [])
        if path[: len(prefix)] != prefix:
            continue  # about the synthetic wrapper, not the definition
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[len(prefix) :])
        where = where.removeprefix(".")
        suffix = f" (at {where})" if where and where not in match.message else ""
        problems.append(f"{match.rule.id} {match.message}{suffix}")
    return problems


def _iter_states(container: Any, where: str = "") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield ``(location, name, state)`` for every state, including Parallel branches and Map bodies."""
    if not isinstance(container, dict) or not isinstance(container.get("States"), dict):
        return
    for name, state in container["States"].items():
        if not isinstance(state, dict):
            continue
        location = f"{where}States.{name}"
        yield location, name, state
        branches = state.get("Branches")
        if isinstance(branches, list):
            for i, branch in enumerate(branches):
                yield from _iter_states(branch, f"{location}.Branches[{i}].")
        for key in ("ItemProcessor", "Iterator"):
            yield from _iter_states(state.get(key), f"{location}.{key}.")


def _iter_strings(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _iter_strings(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _iter_strings(item, f"{where}[{i}]")


def _readable_suggestion(name: str) -> str:
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or "Do Something"


def _check_style(definition: dict[str, Any]) -> list[str]:
    problems = []
    for location, name, state in _iter_states(definition):
        if " " not in name and not TITLE_WORD_RE.fullmatch(name):
            problems.append(
                f"state name {name!r} is not readable: use words separated by spaces, "
                f"e.g. {_readable_suggestion(name)!r}"
            )
        if state.get("Type") != "Task":
            continue
        if "TimeoutSeconds" not in state and "TimeoutSecondsPath" not in state:
            problems.append(f"Task {location} has no TimeoutSeconds (or TimeoutSecondsPath)")
        if not (isinstance(state.get("Retry"), list) and state["Retry"]):
            problems.append(f"Task {location} has no Retry entry")
        if not (isinstance(state.get("Catch"), list) and state["Catch"]):
            problems.append(f"Task {location} has no Catch")
    for location, value in _iter_strings(definition):
        for match in ARN_RE.finditer(value):
            if not SERVICE_INTEGRATION_RE.match(value, match.start()):
                problems.append(
                    f"hard-coded ARN {value!r} at {location}: use a ${{...}} DefinitionSubstitutions placeholder"
                )
                break
    return problems


# --------------------------------------------------------------------------- public API


def check_definition(text: str, label: str = "<definition>") -> list[str]:
    """Check ASL ``text``; return ``"<label>: [checker] message"`` lines (empty when valid)."""

    def report(checker: str, messages: list[str]) -> list[str]:
        return [f"{label}: [{checker}] {message}" for message in messages]

    original, errors = _load_json(text)
    if errors:
        return report("json", errors)
    if not isinstance(original, dict):
        return report("json", [f"top level must be a JSON object, not {type(original).__name__}"])

    substituted_text = substitute_placeholders(text)
    definition, errors = _load_json(substituted_text)
    if errors:  # cannot happen for well-formed input; keep the guard to fail loudly, not crash
        return report("json", [f"after placeholder substitution: {e}" for e in errors])

    return [
        *report("statelint", _check_statelint(definition)),
        *report("moto", _check_moto(substituted_text)),
        *report("cfn-lint", _check_cfnlint(definition)),
        *report("style", _check_style(original)),
    ]


def check_file(path: str | Path) -> list[str]:
    """Check one ASL file; return ``"<path>: [checker] message"`` lines (empty when the file is valid)."""
    label = display_path(Path(path))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return [f"{label}: [io] cannot read file: {err}"]
    return check_definition(text, label)


def default_files(root: Path = REPO_ROOT) -> list[Path]:
    return sorted(root.glob(DEFAULT_PATTERN))


def display_path(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(Path.cwd()))
    return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "files", nargs="*", type=Path, help=f"ASL files (default: {DEFAULT_PATTERN} under the repo root)"
    )
    args = parser.parse_args(argv)
    files: list[Path] = args.files or default_files()
    if not args.files and not files:
        print(f"note: no files match {DEFAULT_PATTERN} under {REPO_ROOT}", file=sys.stderr)

    problems = [line for path in files for line in check_file(path)]
    for line in problems:
        print(line)
    if problems:
        return 1
    print(f"ASL ok: {len(files)} file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
