"""Schemathesis against the published OpenAPI document, on a fresh local stack, as each role.

Every operation in `/api/openapi.json` is fuzzed with a dev-login token of each demo role (agent,
supervisor, admin, finance), positive and negative data. Every answer must be no 5xx
(not_a_server_error), carry a documented status code (status_code_conformance) and content type
(content_type_conformance), and match the documented body (response_schema_conformance).

Path parameters and report periods are drawn half from schemathesis and half from values that
really exist (seeded tickets, customers, rules, templates, a weekly report, ...), so success answers
are checked too, not only 404s; the second test fails if they were not reached.

Profiles:
- short (default, CI): SCHEMATHESIS_EXAMPLES=3 generated cases per operation, role and mode, no
  coverage or stateful phase; the whole file runs in about 100 s on a 2-core machine.
- long: HYPOTHESIS_PROFILE=long gives 100 cases per operation, role and mode plus schemathesis'
  coverage phase (boundary values, missing and malformed parts, other media types); any
  SCHEMATHESIS_EXAMPLES=N overrides the count.
  `HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/integration/test_api_schemathesis.py`

No operation is excluded. The module starts a stack of its own (moto keeps state per module), and
DELETE operations get their own seeded victims (a customer, rule, template, SLA policy and monitor
nobody else reads), so erasing or deleting really runs without taking the ids the reads use away
from the roles that come later.
"""

import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import strategies as st
from mentiondesk.api.authz import ROUTE_ROLES
from mentiondesk.channels import x
from mentiondesk.local import demo
from mentiondesk.local.stack import LocalStack
from mentiondesk.models import Monitor
from mentiondesk.reports.service import DRILL_METRICS
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import tweet_delivery

pytestmark = pytest.mark.integration

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES") or (100 if LONG else 3))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = {
    "agent": "agent1@demo.local",
    "supervisor": "lead@demo.local",
    "admin": "admin@demo.local",
    "finance": "finance@demo.local",
}
X_SECRET = "local-x-consumer-secret"  # the local stack's default X consumer secret
DOOMED = "fuzz-doomed"  # the id of each settings document only DELETE operations get
_TODAY = datetime.now(UTC).date()
PERIOD = ((_TODAY - timedelta(days=7)).isoformat(), (_TODAY + timedelta(days=1)).isoformat())

# Status codes seen per role and operation label ("GET /api/tickets"), filled by the fuzz test.
SEEN: dict[str, dict[str, Counter[int]]] = {role: {} for role in ROLES}


@pytest.fixture(scope="module")
def api_stack() -> Iterator[LocalStack]:
    """A stack of this module's own: what the fuzzing writes and erases touches no other module."""
    with LocalStack(port=0, demo=True, simulate=False) as stack:
        yield stack


def _token(stack: LocalStack, email: str) -> str:
    response = requests.post(f"{stack.url}/auth/dev-login", json={"email": email}, timeout=5)
    response.raise_for_status()
    return str(response.json()["token"])


def _call(stack: LocalStack, method: str, path: str, email: str, **kwargs: Any) -> Any:
    headers = {"authorization": f"Bearer {_token(stack, email)}"}
    response = requests.request(method, f"{stack.url}{path}", headers=headers, timeout=10, **kwargs)
    assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


def _deliver(stack: LocalStack, tweet_id: str, text: str, user_id: str, handle: str) -> None:
    payload = tweet_delivery(tweet_id, text, user_id=user_id, handle=handle, for_user_id=demo.X_ACCOUNT_ID)
    body = json.dumps(payload, ensure_ascii=False).encode()
    response = requests.post(
        f"{stack.url}/webhooks/x",
        data=body,
        timeout=10,
        headers={"content-type": "application/json", x.SIGNATURE_HEADER: x.sign(X_SECRET, body)},
    )
    assert response.status_code == 200, response.text


def _seed_doomed(stack: LocalStack, lead: str) -> str:
    """A rule, template, SLA policy and monitor for DELETE operations only; the monitor's id."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    owner = {"tenant_id": demo.TENANT, "created_at": now, "updated_at": now, "updated_by": demo.DEMO_USERS[1].id}
    stack.store.rules.create(demo.TENANT, DOOMED, {**demo.DEMO_RULES[2], **owner, "id": DOOMED})
    stack.store.sla_policies.create(demo.TENANT, DOOMED, {**demo.DEMO_SLA_POLICIES[1], **owner, "id": DOOMED})
    template = {"id": DOOMED, "name": "Doomed", "bodies": {"en": "Thanks"}}
    _call(stack, "POST", "/api/templates", lead, json=template)
    monitor = Monitor(
        tenant_id=demo.TENANT,
        id=DOOMED,
        kind="mentions",
        account_id=demo.X_ACCOUNT_ID,
        name="Doomed",
        status="paused",
        created_at=now,
        created_by=demo.DEMO_USERS[0].id,
        updated_at=now,
        next_run_at=now,
    )
    stack.store.monitors.create(monitor)
    return monitor.id


@pytest.fixture(scope="module")
def known_ids(api_stack: LocalStack) -> dict[str, dict[str, list[str]]]:
    """Values that exist in the stack per path parameter name: "read" for every operation but DELETE,
    "delete" for DELETE (victims nobody reads, so erasing them spoils nothing for later roles)."""
    agent, lead = ROLES["agent"], ROLES["supervisor"]
    _deliver(api_stack, "8100000000000000001", "@mentiondesk_jp 回線が繋がらない", "2100000000000000001", "cust_a")
    _deliver(api_stack, "8100000000000000002", "@mentiondesk_jp refund please", "2100000000000000002", "cust_b")
    _deliver(api_stack, "8100000000000000003", "@mentiondesk_jp erase me", "2100000000000000009", "cust_z")
    doomed_customer = "x:2100000000000000009"
    deadline = time.monotonic() + 20
    tickets: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        tickets = _call(api_stack, "GET", "/api/tickets", agent, params={"status": "all"})["items"]
        if len(tickets) >= 3 and all(t["triage_state"] == "done" for t in tickets):
            break
        time.sleep(0.1)
    assert len(tickets) >= 3, "the seeded tickets never showed up"
    kept = [t for t in tickets if t["customer_id"] != doomed_customer]
    greeting = {"id": "greeting", "name": "Greeting", "bodies": {"ja": "お問い合わせありがとうございます"}}
    _call(api_stack, "POST", "/api/templates", lead, json=greeting)
    doomed_monitor = _seed_doomed(api_stack, lead)
    first = _call(api_stack, "GET", f"/api/tickets/{kept[0]['id']}", agent)
    reply = {"version": first["version"], "text": "ご不便をおかけしております"}
    _call(api_stack, "POST", f"/api/tickets/{first['id']}/replies", agent, json=reply)
    outbox = _call(api_stack, "GET", f"/api/tickets/{first['id']}", agent)["outbox"]
    monitors = _call(api_stack, "GET", "/api/monitors", lead)["items"]
    # The first weekly voice-of-the-customer policy catches up last week's report on the next tick.
    voc = {"version": 0, "weekday": 0, "hour": 9, "minute": 0, "language": "ja"}
    _call(api_stack, "PUT", "/api/settings/voc", lead, json=voc)
    api_stack.tick("ReportWeeklyFunction")
    weeks = _call(api_stack, "GET", "/api/reports/voc", lead)["items"]
    assert weeks, "no weekly report to read"
    read = {
        "ticket_id": [t["id"] for t in kept],
        "item_id": [o["id"] for o in outbox],
        "customer_id": [t["customer_id"] for t in kept if t["customer_id"]],
        "monitor_id": [m["id"] for m in monitors if m["id"] != doomed_monitor],
        "policy_id": [p["id"] for p in demo.DEMO_SLA_POLICIES],
        "rule_id": [r["id"] for r in demo.DEMO_RULES],
        "template_id": ["greeting"],
        "team_id": ["support"],
        "user_id": [u.id for u in demo.DEMO_USERS],
        "week_start": [w["week_start"] for w in weeks],
    }
    delete = {
        **read,
        "customer_id": [doomed_customer],
        "monitor_id": [doomed_monitor],
        "policy_id": [DOOMED],
        "rule_id": [DOOMED],
        "template_id": [DOOMED],
    }
    return {"read": read, "delete": delete}


@pytest.fixture(scope="module")
def tokens(api_stack: LocalStack, known_ids: dict[str, dict[str, list[str]]]) -> dict[str, str]:
    """Every role's token, issued before any fuzzing: a fuzzed role change must not change who we test as."""
    return {role: _token(api_stack, email) for role, email in ROLES.items()}


@pytest.fixture(scope="module")
def document(api_stack: LocalStack) -> dict[str, Any]:
    """The published document, read once over HTTP like any client would."""
    response = requests.get(f"{api_stack.url}/api/openapi.json", timeout=30)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    loaded: dict[str, Any] = response.json()
    return loaded


@pytest.fixture(scope="module", params=list(ROLES))
def api_schema(
    request: pytest.FixtureRequest,
    api_stack: LocalStack,
    document: dict[str, Any],
    known_ids: dict[str, dict[str, list[str]]],
    tokens: dict[str, str],
) -> Any:
    """The document as schemathesis sees it, sending the role's token with every request."""
    role = request.param
    config = schemathesis.Config.from_dict(
        {
            "base-url": api_stack.url,
            "headers": {"Authorization": f"Bearer {tokens[role]}"},
            "generation": {"max-examples": EXAMPLES, "database": "none"},
            "phases": {"coverage": {"enabled": LONG}, "stateful": {"enabled": False}},
            "request-timeout": 30,
        }
    )
    schema = schemathesis.openapi.from_dict(document, config=config)
    schema.role = role  # type: ignore[attr-defined]  # the copies schemathesis makes lose it: tests ask the fixture

    def flatmap_path_parameters(
        context: Any, path_parameters: dict[str, Any] | None
    ) -> st.SearchStrategy[dict[str, Any] | None]:
        pool = known_ids["delete" if context.operation.method.lower() == "delete" else "read"]
        real = {name: st.sampled_from(pool[name]) for name in path_parameters or {} if pool.get(name)}
        if not path_parameters or not real:
            return st.just(path_parameters)
        existing = st.fixed_dictionaries({**{k: st.just(v) for k, v in path_parameters.items()}, **real})
        return st.one_of(existing, st.just(path_parameters))

    def flatmap_query(context: Any, query: dict[str, Any] | None) -> st.SearchStrategy[dict[str, Any] | None]:
        # A report period is two real days at most 400 apart and a metric is one of a list: random
        # strings almost never are, so half the time the query names a real period and metric.
        if not query or not {"from", "to", "metric"} & set(query):
            return st.just(query)
        real = {**query, "from": PERIOD[0], "to": PERIOD[1]}
        if "metric" in query:
            return st.one_of(st.sampled_from(DRILL_METRICS).map(lambda m: {**real, "metric": m}), st.just(query))
        return st.one_of(st.just(real), st.just(query))

    schema.hook(flatmap_path_parameters)
    schema.hook(flatmap_query)
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.timeout(6 * 3600 if LONG else 300)  # one test runs every operation: the long profile takes hours
@schema.parametrize()
def test_every_answer_is_documented_and_no_5xx(case: schemathesis.Case, api_schema: Any) -> None:
    # Given a generated request for one operation, sent with one role's token
    role = api_schema.role
    # When it reaches the API through the local gateway
    response = case.call()
    SEEN[role].setdefault(case.operation.label, Counter())[response.status_code] += 1
    # Then no 5xx, and the status code, content type and body are the documented ones
    case.validate_response(response, checks=CHECKS)


def test_fuzzing_reached_every_read_and_no_forbidden_operation_succeeded(api_schema: Any) -> None:
    """The fuzz run above is not vacuous, and the role table holds under it: as each role, every
    operation was called, every GET the role may call answered 2xx at least once (real ids reached
    the handlers), no operation the role may not call ever answered 2xx, and the refusals were 403s
    (a malformed request may get its 422 first: Powertools validates before our authorization
    middleware runs)."""
    # Given the status codes the fuzz test saw for this role
    role = api_schema.role
    seen = SEEN[role]
    assert seen, "run the whole module: this test reads what test_every_answer_is_documented_and_no_5xx saw"
    allowed = {
        f"{method} {path.replace('<', '{').replace('>', '}')}"
        for (method, path), roles in ROUTE_ROLES.items()
        if role in roles or "public" in roles
    }
    # When we split the operations by whether the role may call them
    reads_without_success = sorted(
        f"{label}: {dict(statuses)}"
        for label, statuses in seen.items()
        if label.startswith("GET ") and label in allowed and not any(200 <= s < 300 for s in statuses)
    )
    forbidden = {label: statuses for label, statuses in seen.items() if label not in allowed}
    forbidden_but_succeeded = sorted(
        f"{label}: {dict(statuses)}" for label, statuses in forbidden.items() if any(200 <= s < 300 for s in statuses)
    )
    refusals = sum((statuses for statuses in forbidden.values()), Counter[int]())
    # Then every operation ran, the reads succeeded, and the forbidden ones never did
    assert set(seen) == {result.ok().label for result in api_schema.get_all_operations()}
    assert reads_without_success == [], "\n".join(reads_without_success)
    assert forbidden_but_succeeded == [], "\n".join(forbidden_but_succeeded)
    # And what refused them was the role check, 403 (admins may call everything)
    assert not forbidden or refusals[403] > 0, dict(refusals)
