"""The console script's offline verbs."""

import json
from pathlib import Path

import pytest
from mentiondesk.cli import main
from mentiondesk.store.factory import Store

pytestmark = pytest.mark.unit


def test_quarantine_lists_records_without_bodies_unless_asked(
    store: Store, table_name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given one quarantined body
    record_id = store.quarantine.put("x", b'{"broken":', "JSONDecodeError", "2026-11-23T09:00:00.000Z")
    # When listed
    assert main(["quarantine", "--table", table_name]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    # Then the person sees what and when, and the body only on request
    assert [(r["id"], r["size"], "body" in r) for r in listed] == [(record_id, 10, False)]
    assert main(["quarantine", "--table", table_name, "--show-body"]) == 0
    assert json.loads(capsys.readouterr().out)["body"] == '{"broken":'


def test_quarantine_needs_a_table(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("TABLE_NAME", raising=False)
    assert main(["quarantine"]) == 2
    assert "--table" in capsys.readouterr().err


def test_run_refuses_a_non_positive_time_scale() -> None:
    with pytest.raises(SystemExit):
        main(["run", "--time-scale", "0"])


def test_classify_and_evaluate_are_mentiondesk_commands(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import io

    from mentiondesk import cli

    monkeypatch.setattr("sys.stdin", io.StringIO('{"id": "a", "text": "アプリにログインできません"}\n'))
    assert cli.main(["classify"]) == 0
    line = json.loads(capsys.readouterr().out.strip())
    assert line["id"] == "a" and line["language"] == "ja" and set(line["scores"]) == {"sentiment", "intent", "urgency"}
    assert cli.main(["evaluate", str(tmp_path / "missing")]) == 2
