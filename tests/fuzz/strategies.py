"""Strategies shared by the fuzz tests: arbitrary JSON, raw bodies, headers, and structure-aware
mutations of the documented payload shapes under tests/events/<platform>/."""

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

EVENTS = Path(__file__).resolve().parents[1] / "events"


def examples(share: float) -> int:
    """A share of the active profile's max_examples (at least 10): for tests that cost more per example."""
    return max(10, int(settings().max_examples * share))


def fixtures(*folders: str) -> list[Any]:
    """Every documented delivery in these folders; files that hold named examples give each example."""
    docs: list[Any] = []
    for folder in folders:
        for path in sorted((EVENTS / folder).glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            named = folder in ("x_activity",)
            docs.extend(data.values() if named else [data])
    return docs


# Settings documents in the shapes the API takes (mutated by the document fuzz tests).
CALENDAR = {
    "timezone": "Asia/Tokyo",
    "hours": {"0": [{"start": "09:00", "end": "18:00"}], "5": [{"start": "00:00", "end": "24:00"}]},
    "japanese_holidays": True,
    "closed_days": ["2026-12-31"],
    "open_days": {"2027-01-02": [{"start": "10:00", "end": "12:00"}]},
}
POLICY = {
    "name": "VIP",
    "order": 1,
    "condition": {"field": "customer_tags", "op": "has_any", "value": ["vip"]},
    "targets": {
        "first_response_minutes": 30,
        "resolution_minutes": 480,
        "reminders": [0.5],
        "escalation_minutes": [0, 60],
    },
}
TEMPLATE = {
    "name": "Apology",
    "bodies": {"ja": "{customer_honorific}、ご不便をおかけしております。{agent_signature}", "en": "Hi {customer_name}"},
    "intents": ["complaint"],
    "channels": ["x"],
    "modes": ["public"],
    "tags": ["apology"],
    "brand": "acme",
}

# Values that broke parsers somewhere before: empty, huge, out-of-range dates, odd numbers, control characters.
NASTY_STRINGS = [
    "",
    " ",
    "0",
    "-1",
    "1e400",
    "9" * 25,
    "1" * 5_000,  # past Python's int() digit limit
    "NaN",
    "null",
    "\x00",
    "\u202e",
    "\ud7ff",
    "０１２３",
    "٣٣٣",  # digits that are not ASCII
    "0001-01-01T00:00:00+01:00",  # valid ISO, before year 1 in UTC
    "9999-12-31T23:59:59-01:00",  # valid ISO, after year 9999 in UTC
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59.999999Z",
    "2026-11-23T09:00:00Z",
    "2026-02-30T00:00:00Z",
    "Thu Jan 01 00:00:00 +0000 1970",
    "Mon Jan 01 00:00:00 +2359 0001",
    "-62135596800000",
    "253402300800000",
    "{}",
    "[]",
    "sha256=",
    "accounts/1/locations/2",
    "accounts/1/locations/2/reviews/3",
    "https://hooks.slack.com/x",
    "<script>alert(1)</script>",
    "💥" * 3,
    "a" * 300,
]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()  # json.loads accepts NaN and Infinity
    | st.text(max_size=40)
    | st.sampled_from(NASTY_STRINGS)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=6),
    max_leaves=25,
)
json_objects = st.dictionaries(st.text(max_size=30), json_values, max_size=8)


def encode(value: Any) -> bytes:
    """A JSON value as the bytes a platform would send (NaN and Infinity as Python's json writes them)."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


raw_bodies = st.one_of(
    st.binary(max_size=400),
    json_values.map(encode),
    st.text(max_size=200).map(lambda text: text.encode("utf-8")),
    st.sampled_from(
        [
            b"",
            b"{",
            b"null",
            b"[]",
            b'{"a": 1e999}',
            b"\xef\xbb\xbf{}",  # a UTF-8 byte order mark
            "{}".encode("utf-16"),
            b'"\\ud800"',  # a lone surrogate escape
            _nested(5_000),  # deeper than Python's recursion limit
            b'{"a":' * 3_000 + b"1" + b"}" * 3_000,
        ]
    ),
)

header_values = st.one_of(
    st.none(),
    st.text(max_size=120),
    st.builds(lambda tail: "sha256=" + tail, st.text(max_size=90)),
    st.builds(lambda a, b: f"{a},{b}", st.text(max_size=50), st.text(max_size=50)),
    st.sampled_from(["sha256=", "sha256=" + "0" * 64, "sha256=" + "A" * 44, "SHA256=abc", " sha256=x ", "Bearer "]),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found.extend(_paths(child, (*prefix, index)))
    return found


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        doc = doc[step]
    return doc


@st.composite
def mutated(draw: st.DrawFn, docs: list[Any]) -> Any:
    """A documented payload with one to four nodes replaced, deleted, retyped or duplicated."""
    doc = copy.deepcopy(draw(st.sampled_from(docs)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        if not path:  # the root: replace it only rarely, it tells us little
            if draw(st.integers(0, 9)) == 0:
                doc = draw(json_values)
            continue
        parent, key = _parent(doc, path), path[-1]
        action = draw(st.sampled_from(["replace", "delete", "stringify", "wrap", "duplicate", "nasty"]))
        if action == "replace":
            parent[key] = draw(json_values)
        elif action == "delete":
            del parent[key]
        elif action == "stringify":
            parent[key] = json.dumps(parent[key]) if not isinstance(parent[key], str) else parent[key] + "x"
        elif action == "wrap":
            parent[key] = [parent[key]]
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        else:
            parent[key] = draw(st.sampled_from(NASTY_STRINGS))
    return doc
