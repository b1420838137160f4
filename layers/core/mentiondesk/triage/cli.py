"""The triage commands of the console script: ``mentiondesk classify`` and ``mentiondesk evaluate``.

Each command is a ``main(argv) -> int`` that the top-level CLI mounts; both also take their streams
as arguments so tests can run them in-process.

``classify`` (DESIGN.md contract): JSON Lines in on stdin, ``{"id", "text", "channel"?, "lang"?}``;
JSON Lines out on stdout, one line per input line, in order::

    {"id", "language", "sentiment", "intent", "urgency", "pii": [{"type", "start", "end"}], "scores"}

PII spans are code-point offsets into ``text`` (Python string indices; JavaScript's UTF-16 indices
differ after an emoji). A line that cannot be classified (not JSON, not an object, no text) gets
``{"id": <id or null>, "line": <n>, "error": "<why>"}`` instead; the command never stops on a bad
line and never echoes the text (it may hold personal data).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

PROVIDERS = ("builtin", "comprehend", "bedrock")


class BadLine(ValueError):
    """An input line that is not a classifiable record; the message is safe to print."""


def classify_main(argv: list[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """``mentiondesk classify``: label JSON Lines from stdin, one output line per input line."""
    parser = argparse.ArgumentParser(
        prog="mentiondesk classify", description="Classify posts: JSON Lines in (stdin), JSON Lines out (stdout)."
    )
    add_classify_arguments(parser)
    args = parser.parse_args(argv)
    if args.provider != "builtin":
        print(
            f"mentiondesk classify: provider {args.provider!r} is not available in this command yet; use builtin",
            file=sys.stderr,
        )
        return 2
    source = stdin if stdin is not None else sys.stdin
    sink = stdout if stdout is not None else sys.stdout
    for line in classify_lines(_lines(source)):
        sink.write(line + "\n")
        sink.flush()  # consumers may wait for each answer before sending the next post
    return 0


def add_classify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--provider", choices=PROVIDERS, default="builtin", help="classifier (only builtin for now; default builtin)"
    )


def classify_lines(lines: Iterable[str | bytes]) -> Iterator[str]:
    """One JSON answer per input line, in order; bad lines become error answers."""
    from mentiondesk.triage.classifier import classify

    for number, raw in enumerate(lines, start=1):
        record_id: Any = None
        try:
            record = _parse(raw)
            record_id = record.get("id")
            text, lang, channel = _fields(record)
            result = classify(text, lang, channel=channel)
        except BadLine as error:
            yield _dumps({"id": record_id, "line": number, "error": str(error)})
            continue
        except Exception as error:  # never stop the stream: one post's failure is that post's answer
            yield _dumps({"id": record_id, "line": number, "error": f"classification failed ({type(error).__name__})"})
            continue
        yield _dumps(
            {
                "id": record_id,
                "language": result.language,
                "sentiment": result.sentiment,
                "intent": result.intent,
                "urgency": result.urgency,
                "pii": [match.model_dump() for match in result.pii],
                "scores": result.scores,
            }
        )


def evaluate_main(argv: list[str] | None = None, stdout: TextIO | None = None) -> int:
    """``mentiondesk evaluate``: macro-F1 per label and language on the evaluation data."""
    from mentiondesk.triage.evaluate import (
        DataFolderMissing,
        default_data_dir,
        evaluate,
        format_learning,
        format_table,
        learning_gain,
    )

    parser = argparse.ArgumentParser(
        prog="mentiondesk evaluate",
        description="Score the built-in classifier on the third-party evaluation data (never shipped).",
    )
    add_evaluate_arguments(parser)
    args = parser.parse_args(argv)
    sink = stdout if stdout is not None else sys.stdout
    data_dir = Path(args.path) if args.path else default_data_dir()
    try:
        report = evaluate(data_dir)
    except DataFolderMissing:
        print(
            f"mentiondesk evaluate: no evaluation data at {data_dir} "
            "(it is not part of the repository; give the folder as an argument)",
            file=sys.stderr,
        )
        return 2
    learning = learning_gain(data_dir) if args.learning else None
    if args.json:
        body = report.as_dict() | ({"learning": learning} if learning is not None else {})
        sink.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
    else:
        sink.write(format_table(report) + "\n")
        if learning is not None:
            sink.write("\n" + format_learning(learning) + "\n")
    return 0


def add_evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", help="the data folder (default: ../shared/data next to the repository)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument(
        "--learning",
        action="store_true",
        help="also show the gain of a tenant model learned from a batch of corrections (about a minute)",
    )


def _lines(stream: TextIO) -> Iterator[str | bytes]:
    """Lines as bytes when the stream has a binary buffer, so bad UTF-8 is one bad line, not a crash."""
    buffer = getattr(stream, "buffer", None)
    source: Iterable[str | bytes] = buffer if buffer is not None else stream
    for line in source:
        yield line.rstrip(b"\r\n") if isinstance(line, bytes) else line.rstrip("\r\n")


def _parse(raw: str | bytes) -> dict[str, Any]:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadLine("line is not UTF-8") from error
    if not raw.strip():
        raise BadLine("empty line")
    try:
        record = json.loads(raw)
    except ValueError as error:
        raise BadLine("line is not valid JSON") from error
    if not isinstance(record, dict):
        raise BadLine("line is not a JSON object")
    return record


def _fields(record: dict[str, Any]) -> tuple[str, str | None, str | None]:
    if "id" not in record:
        raise BadLine('missing "id"')
    text = record.get("text")
    if not isinstance(text, str):
        raise BadLine('"text" must be a string')
    lang = record.get("lang")
    channel = record.get("channel")
    if lang is not None and not isinstance(lang, str):
        raise BadLine('"lang" must be a string')
    if channel is not None and not isinstance(channel, str):
        raise BadLine('"channel" must be a string')
    return text, lang, channel


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
