"""Fuzzing functions/api where it parses what callers write: settings documents (rules, SLA policies,
templates, calendars), paging cursors and inbox filters. Always 2xx or 4xx with a JSON body."""

import base64
import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from mentiondesk.store.factory import Store

from tests.conftest import Context, access_claims, http_event, load_function
from tests.fuzz.strategies import CALENDAR, NASTY_STRINGS, POLICY, TEMPLATE, examples, json_values, mutated

pytestmark = [pytest.mark.fuzz, pytest.mark.unit]

ADMIN = access_claims("user-admin", "admin")
RULE = {
    "name": "Refunds",
    "trigger": "message_received",
    "order": 1,
    "condition": {
        "any": [
            {"field": "text", "op": "matches", "value": "返金|refund"},
            {"not": {"field": "rating", "op": "gte", "value": 3}},
        ]
    },
    "actions": [{"type": "set_priority", "priority": "high"}, {"type": "add_tags", "tags": ["refund"]}],
}
DOCUMENTS = {
    ("POST", "/api/rules"): RULE,
    ("POST", "/api/rules/dry-run"): {"rule": RULE, "days": 7},
    ("POST", "/api/sla-policies"): POLICY,
    ("POST", "/api/templates"): TEMPLATE,
    ("PUT", "/api/teams/support/calendar"): {"version": 1, "calendar": CALENDAR},
}
DEEP = b"[" * 3_000 + b"]" * 3_000


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    return load_function("api")


def _call(
    api: Any, method: str, path: str, body: bytes | None = None, query: dict[str, str] | None = None
) -> dict[str, Any]:
    event = http_event(
        method,
        path,
        claims=ADMIN,
        query=query,
        route_key="ANY /api/{proxy+}",
        body=body,
        headers={"content-type": "application/json"},
    )
    result: dict[str, Any] = api.handler(event, Context())
    return result


def _answers_2xx_or_4xx_with_json(result: dict[str, Any]) -> None:
    assert 200 <= result["statusCode"] < 500, result
    if result["statusCode"] != 204:
        assert isinstance(json.loads(result["body"]), dict | list)


@st.composite
def document_requests(draw: st.DrawFn) -> tuple[str, str, bytes]:
    method, path = draw(st.sampled_from(sorted(DOCUMENTS)))
    body = draw(
        mutated([DOCUMENTS[(method, path)]]).map(lambda doc: json.dumps(doc, ensure_ascii=False).encode())
        | json_values.map(lambda doc: json.dumps(doc).encode())
        | st.sampled_from([DEEP, b"{", b"", b'{"a": NaN}', "\ufeff{}".encode()])
    )
    return method, path, body


@given(request=document_requests())
@hsettings(max_examples=examples(0.3))
@example(request=("POST", "/api/rules", DEEP))  # was a 500: RecursionError in json.loads
@example(
    request=(
        "POST",
        "/api/rules",
        json.dumps({**RULE, "condition": {"field": "text", "op": "matches", "value": "a{99999999999}"}}).encode(),
    )
)  # was a 500: OverflowError
@example(
    request=(
        "POST",
        "/api/sla-policies",
        json.dumps({**POLICY, "condition": {"field": "text", "op": "matches", "value": "a{4294967296}"}}).encode(),
    )
)
def test_settings_documents_answer_2xx_or_4xx(api: Any, request: tuple[str, str, bytes]) -> None:
    # Given any body for a settings document (a rule, a dry run, an SLA policy, a template, a calendar)
    method, path, body = request
    # When an admin sends it
    result = _call(api, method, path, body)
    # Then the answer is 2xx or 4xx with JSON: never 5xx, never an exception
    _answers_2xx_or_4xx_with_json(result)


def _cursor(data: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


query_values = st.text(max_size=40) | st.sampled_from(NASTY_STRINGS) | json_values.map(_cursor)


@given(
    path=st.sampled_from(["/api/tickets", "/api/audit"]),
    query=st.dictionaries(
        st.sampled_from(["cursor", "status", "limit", "sort", "view", "channel", "language", "tag", "q", "month"]),
        query_values,
        max_size=4,
    ),
)
@hsettings(max_examples=examples(0.3))
@example(path="/api/tickets", query={"cursor": _cursor({"PK": "TENANT#other#T#1", "SK": "T"})})
@example(
    path="/api/audit",
    query={"month": "2026-11", "cursor": base64.urlsafe_b64encode(b"[" * 1_000 + b"]" * 1_000).decode()[:2048]},
)
def test_paging_and_filters_answer_2xx_or_4xx(api: Any, path: str, query: dict[str, str]) -> None:
    # Given any query string on the inbox or the audit log (cursors forged, filters malformed)
    # When an admin asks
    result = _call(api, "GET", path, query=query or None)
    # Then 2xx or 4xx with JSON; a cursor into another partition is a 400
    _answers_2xx_or_4xx_with_json(result)
    if "cursor" in query and result["statusCode"] == 200:
        assert "other" not in base64.urlsafe_b64decode(query["cursor"] + "===").decode("utf-8", "replace")
