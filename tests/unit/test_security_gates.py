"""The static security gates of `make security` / `make lint` (docs/security.md): each gate covers
what it claims, each suppression is justified, and our own checkers fail when they should.

- bandit's one suppression (B506 in local/template.py) is proven safe by loading hostile YAML;
- cfn-lint rule E9101 (scripts/cfn_lint_rules), which replaces serverless-rules' WS1004;
- scripts/check_secrets.py, the secrets gate over detect-secrets and .secrets.baseline;
- every skip in .checkov.yaml / template.yaml has a reason; the gates' targets cover the code.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from mentiondesk.local.template import load_yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "scripts" / "cfn_lint_rules"


def _load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_secrets = _load_script("check_secrets")
check_asl = _load_script("check_asl")


# --------------------------------------------------------------------------- bandit: B506 is safe


@pytest.mark.parametrize(
    "payload",
    [
        '!!python/object/apply:os.system ["echo pwned"]',
        "!!python/name:os.system",
        '!!python/object/new:subprocess.Popen [["true"]]',
    ],
)
def test_template_loader_refuses_python_object_tags(tmp_path: Path, payload: str) -> None:
    # Given a template that asks YAML to build a Python object (what B506 warns about)
    path = tmp_path / "template.yaml"
    path.write_text(f"Resources:\n  Evil: {payload}\n", encoding="utf-8")

    # When the local stack's loader reads it / Then it refuses: the nosec B506 is justified
    with pytest.raises(yaml.constructor.ConstructorError):
        load_yaml(path)


def test_template_loader_still_reads_cloudformation_short_tags(tmp_path: Path) -> None:
    # Given CloudFormation short-form tags
    path = tmp_path / "template.yaml"
    path.write_text(
        "Resources:\n  A: !Sub 'x-${Stage}'\n  B: !GetAtt Table.Arn\n  C: !If [Cond, !Ref X, y]\n",
        encoding="utf-8",
    )

    # When it is loaded
    data = load_yaml(path)

    # Then each tag becomes CloudFormation's long form, as plain data
    assert data["Resources"] == {
        "A": {"Fn::Sub": "x-${Stage}"},
        "B": {"Fn::GetAtt": ["Table", "Arn"]},
        "C": {"Fn::If": ["Cond", {"Ref": "X"}, "y"]},
    }


def test_bandit_targets_cover_every_python_file_outside_tests() -> None:
    # Given the targets of .bandit and every Python file git knows (tests are not product code)
    ini = (ROOT / ".bandit").read_text(encoding="utf-8")
    match = re.search(r"^targets\s*=\s*(.+)$", ini, re.MULTILINE)
    assert match, ".bandit has no targets line"
    targets = [t.strip() for t in match.group(1).split(",")]
    files = check_secrets.committable_files(ROOT)

    # When we look for Python files that no target contains
    uncovered = [
        name
        for name in files
        if name.endswith(".py") and not name.startswith("tests/") and not any(name.startswith(f"{t}/") for t in targets)
    ]

    # Then there are none: bandit scans all product code and scripts
    assert uncovered == []


# --------------------------------------------------------------------------- statelint on every ASL file


def test_asl_check_covers_every_state_machine_definition() -> None:
    # Given every ASL file in the repository
    everywhere = {ROOT / name for name in check_secrets.committable_files(ROOT) if name.endswith(".asl.json")}

    # When compared with what `make lint` (scripts/check_asl.py, statelint included) checks
    checked = set(check_asl.default_files(ROOT))

    # Then it checks all of them, and there is at least the ticket workflow
    assert everywhere
    assert everywhere == checked


# --------------------------------------------------------------------------- cfn-lint rule E9101

SAM_TEMPLATE: dict[str, Any] = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Transform": "AWS::Serverless-2016-10-31",
    "Resources": {
        "OneFunction": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Runtime": "python3.12",
                "Handler": "app.handler",
                "CodeUri": "functions/one/",
                "LoggingConfig": {"LogFormat": "JSON", "LogGroup": {"Ref": "OneLogs"}},
            },
        },
        "OneLogs": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": "/mentiondesk/dev/one", "RetentionInDays": 30},
        },
        "TwoFunction": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Runtime": "python3.12",
                "Handler": "app.handler",
                "CodeUri": "functions/two/",
                "LoggingConfig": {"LogFormat": "JSON", "LogGroup": {"Ref": "TwoLogs"}},
            },
        },
        "TwoLogs": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": "/mentiondesk/dev/two", "RetentionInDays": 30},
        },
    },
}


@pytest.fixture(scope="module")
def lint_e9101() -> Any:
    """cfn-lint with our rules appended, as `make lint` runs it; returns E9101's messages."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import Runner

    runner = Runner(ConfigMixIn(regions=["ap-northeast-1"], append_rules=[str(RULES_DIR)]))

    def lint(text: str) -> list[str]:
        decoded, errors = decode_str(text)
        assert not errors
        return sorted(m.message for m in runner.validate_template(decoded) if m.rule.id == "E9101")

    return lint


def test_log_group_rule_accepts_functions_with_their_own_retained_log_groups(lint_e9101: Any) -> None:
    # Given two functions, each with its own log group that has a retention
    # When linted / Then E9101 is silent
    assert lint_e9101(json.dumps(SAM_TEMPLATE)) == []


def test_log_group_rule_flags_a_function_without_a_log_group(lint_e9101: Any) -> None:
    # Given a function with no LoggingConfig (it would log to /aws/lambda/... forever)
    template = copy.deepcopy(SAM_TEMPLATE)
    del template["Resources"]["TwoFunction"]["Properties"]["LoggingConfig"]

    # When linted / Then E9101 names that function
    assert lint_e9101(json.dumps(template)) == [
        "Lambda function TwoFunction must set LoggingConfig.LogGroup to !Ref an AWS::Logs::LogGroup of its own "
        "(without one it logs to /aws/lambda/... and its logs never expire)"
    ]


def test_log_group_rule_flags_a_log_group_without_retention(lint_e9101: Any) -> None:
    # Given a function whose log group never expires
    template = copy.deepcopy(SAM_TEMPLATE)
    del template["Resources"]["OneLogs"]["Properties"]["RetentionInDays"]

    # When linted / Then E9101 names the log group
    assert lint_e9101(json.dumps(template)) == ["Log group OneLogs of OneFunction has no RetentionInDays"]


def test_log_group_rule_flags_two_functions_sharing_a_log_group(lint_e9101: Any) -> None:
    # Given two functions writing to one log group
    template = copy.deepcopy(SAM_TEMPLATE)
    template["Resources"]["TwoFunction"]["Properties"]["LoggingConfig"]["LogGroup"] = {"Ref": "OneLogs"}

    # When linted / Then E9101 reports the sharing
    assert lint_e9101(json.dumps(template)) == ["Lambda functions OneFunction and TwoFunction share log group OneLogs"]


def test_template_gives_every_function_a_log_group_with_retention(lint_e9101: Any) -> None:
    # Given the real template.yaml / When linted with E9101 / Then every function passes
    assert lint_e9101((ROOT / "template.yaml").read_text(encoding="utf-8")) == []


# --------------------------------------------------------------------------- every suppression has a reason


def test_every_checkov_skip_in_the_config_has_a_reason_comment() -> None:
    # Given .checkov.yaml's skip-check list
    lines = (ROOT / ".checkov.yaml").read_text(encoding="utf-8").splitlines()
    config = yaml.safe_load("\n".join(lines))
    skips = config.get("skip-check", [])

    # When we look at the line(s) just above each skipped check id
    unexplained = []
    for check_id in skips:
        index = next(i for i, line in enumerate(lines) if line.strip() == f"- {check_id}")
        reason = []
        for line in reversed(lines[:index]):
            if not line.strip().startswith("#"):
                break
            reason.append(line.strip().lstrip("#").strip())
        if len(" ".join(reason)) < 40:
            unexplained.append(check_id)

    # Then each has a written reason
    assert skips, "expected the documented global skips"
    assert unexplained == []


def test_every_checkov_skip_in_the_template_has_a_reason() -> None:
    # Given the inline checkov suppressions in template.yaml
    text = (ROOT / "template.yaml").read_text(encoding="utf-8")
    skips = re.findall(r"checkov:skip=([A-Z_0-9]+)(?::(.*))?$", text, re.MULTILINE)

    # When we look for one without a reason / Then there is none
    assert skips, "expected the documented inline skips"
    assert [check for check, reason in skips if len((reason or "").strip()) < 30] == []


def test_every_cfn_lint_ignore_in_the_template_has_a_reason() -> None:
    # Given every rule id listed under an ignore_checks: key in template.yaml
    lines = (ROOT / "template.yaml").read_text(encoding="utf-8").splitlines()
    unexplained = []
    found = 0
    for i, line in enumerate(lines):
        if line.strip() != "ignore_checks:":
            continue
        for j in range(i + 1, len(lines)):
            item = lines[j].strip()
            if item.startswith("#"):
                continue
            match = re.match(r"- ([A-Z]+\d+)\s*(#\s*(.*))?$", item)
            if not match:
                break
            found += 1
            comment_above = lines[j - 1].strip().startswith("#")
            if not (match.group(3) or comment_above):
                unexplained.append(match.group(1))

    # When we look for an id with neither an inline comment nor one above it / Then there is none
    assert found, "expected the documented cfn-lint suppressions"
    assert unexplained == []


# --------------------------------------------------------------------------- the secrets gate


def _fake_aws_key() -> str:
    # Built at run time so that this file holds no secret-looking string itself.
    return "AKIA" + "".join(chr(ord("A") + (i * 7) % 26) for i in range(16))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git work tree with an empty baseline made with the project's detect-secrets settings."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    settings = json.loads((ROOT / ".secrets.baseline").read_text(encoding="utf-8"))
    settings["results"] = {}
    (tmp_path / ".secrets.baseline").write_text(json.dumps(settings), encoding="utf-8")
    (tmp_path / "app.py").write_text('"""An app."""\n', encoding="utf-8")
    return tmp_path


def _baseline_entries(repo: Path) -> list[dict[str, Any]]:
    results = json.loads((repo / ".secrets.baseline").read_text(encoding="utf-8"))["results"]
    return [entry for entries in results.values() for entry in entries]


def _audit(repo: Path, *, is_secret: bool) -> None:
    path = repo / ".secrets.baseline"
    data = json.loads(path.read_text(encoding="utf-8"))
    for entries in data["results"].values():
        for entry in entries:
            entry["is_secret"] = is_secret
    path.write_text(json.dumps(data), encoding="utf-8")


def test_secrets_gate_passes_on_a_tree_without_secrets(repo: Path) -> None:
    # Given a tree with no secret / When the gate runs / Then it passes
    assert check_secrets.check(repo, repo / ".secrets.baseline") == []


def test_secrets_gate_fails_on_a_new_secret_and_never_prints_it(repo: Path) -> None:
    # Given a new file (not yet committed) holding an AWS access key id
    key = _fake_aws_key()
    (repo / "settings.py").write_text(f'"""Settings."""\n\nACCESS_KEY_ID = "{key}"\n', encoding="utf-8")

    # When the gate runs
    problems = check_secrets.check(repo, repo / ".secrets.baseline")

    # Then it fails on that line, naming the type but not the value
    assert problems == ["settings.py:3: AWS Access Key is not in .secrets.baseline (a new secret?)"]
    assert key not in "\n".join(problems)


def test_secrets_gate_skips_files_git_ignores(repo: Path) -> None:
    # Given a secret only in a file .gitignore excludes (a developer's local env file)
    (repo / ".gitignore").write_text("local.env\n", encoding="utf-8")
    (repo / "local.env").write_text(f"ACCESS_KEY_ID={_fake_aws_key()}\n", encoding="utf-8")

    # When the gate runs / Then it passes: the file can never be committed
    assert check_secrets.check(repo, repo / ".secrets.baseline") == []


def test_secrets_gate_needs_each_baseline_entry_audited_as_a_false_positive(repo: Path) -> None:
    # Given a fixture's fake key, added to the baseline by --update but not yet audited
    (repo / "fixture.json").write_text(f'{{"access_key_id": "{_fake_aws_key()}"}}\n', encoding="utf-8")
    assert check_secrets.main(["--root", str(repo), "--update"]) == 0
    assert [e["type"] for e in _baseline_entries(repo)] == ["AWS Access Key"]

    # When the gate runs before and after the audit
    unaudited = check_secrets.check(repo, repo / ".secrets.baseline")
    _audit(repo, is_secret=False)
    audited = check_secrets.check(repo, repo / ".secrets.baseline")

    # Then it fails until a person marked it a false positive, then passes
    assert unaudited == ["fixture.json:1: AWS Access Key in .secrets.baseline is not audited"]
    assert audited == []


def test_secrets_gate_keeps_an_audited_finding_when_its_line_moves(repo: Path) -> None:
    # Given an audited false positive
    fixture = repo / "fixture.json"
    fixture.write_text(f'{{"access_key_id": "{_fake_aws_key()}"}}\n', encoding="utf-8")
    check_secrets.main(["--root", str(repo), "--update"])
    _audit(repo, is_secret=False)

    # When lines are added above it
    fixture.write_text(f'{{\n\n  "access_key_id": "{_fake_aws_key()}"\n}}\n', encoding="utf-8")

    # Then the gate still passes (findings match by file, type and hash, not line)
    assert check_secrets.check(repo, repo / ".secrets.baseline") == []


def test_secrets_gate_fails_on_an_entry_audited_as_a_real_secret(repo: Path) -> None:
    # Given a baseline entry a person marked as a real secret
    (repo / "fixture.json").write_text(f'{{"access_key_id": "{_fake_aws_key()}"}}\n', encoding="utf-8")
    check_secrets.main(["--root", str(repo), "--update"])
    _audit(repo, is_secret=True)

    # When the gate runs / Then it fails until the secret is gone from the tree
    assert check_secrets.check(repo, repo / ".secrets.baseline") == [
        "fixture.json:1: AWS Access Key is audited as a real secret: remove it and rotate it"
    ]


def test_committed_baseline_lists_only_audited_false_positives() -> None:
    # Given the project's baseline / When we read its entries
    entries = _baseline_entries(ROOT)

    # Then each was looked at and found to be a fake (test fixtures, local-stack defaults)
    assert entries
    assert [e for e in entries if e.get("is_secret") is not False] == []
