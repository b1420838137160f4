"""People, teams and the audit log through the API: who may change what, optimistic locking, and an
append-only record of views, replies, exports and role changes."""

from typing import Any

import pytest
from mentiondesk.api.identity import CognitoAccounts
from mentiondesk.clock import now_iso
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import Author, InboundMessage
from mentiondesk.store.factory import Store

from tests.conftest import ACCOUNT_ID, RecordingStarter, access_claims, load_function
from tests.unit.test_api import call

pytestmark = pytest.mark.unit
ADMIN = access_claims("user-admin", "admin")
LEAD = access_claims("user-lead", "supervisor")
ALICE = access_claims("user-alice", "agent")
FINANCE = access_claims("user-fin", "finance")


def audit_month() -> str:
    """The month the API just audited in: its records carry the real clock (read at the call, so a
    suite that runs across a month's end still asks for the right one)."""
    return now_iso()[:7]


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    monkeypatch.delenv("USER_POOL_ID", raising=False)
    from mentiondesk.api import deps

    deps.accounts.cache_clear()
    return load_function("api")


def test_an_admin_adds_a_person_and_a_supervisor_sets_their_skills(api: Any, store: Store) -> None:
    person = {"email": "hana@acme.test", "name": "佐藤 花子", "role": "agent", "languages": ["ja"], "capacity": 8}
    # Supervisors and agents may not add people
    assert call(api, "POST", "/api/agents", LEAD, person)[0] == 403
    assert call(api, "POST", "/api/agents", ALICE, person)[0] == 403
    status, created = call(api, "POST", "/api/agents", ADMIN, person)
    assert status == 201 and created["role"] == "agent" and created["version"] == 1
    assert call(api, "POST", "/api/agents", ADMIN, {**person, "email": "HANA@acme.test"})[0] == 409
    assert call(api, "POST", "/api/agents", ADMIN, {**person, "email": "x@y.z", "team": "nope"})[0] == 400
    assert call(api, "POST", "/api/agents", ADMIN, {**person, "tenant_id": "globex"})[0] == 400
    # A supervisor changes team skills and capacity, not the role
    path = f"/api/agents/{created['id']}"
    status, changed = call(api, "PATCH", path, LEAD, {"version": 1, "capacity": 12, "channels": ["x", "instagram"]})
    assert status == 200 and changed["capacity"] == 12 and changed["version"] == 2
    assert call(api, "PATCH", path, LEAD, {"version": 2, "role": "admin"})[0] == 403
    assert call(api, "PATCH", path, LEAD, {"version": 1, "capacity": 3})[0] == 409  # stale
    assert call(api, "PATCH", path, ALICE, {"version": 2, "capacity": 99})[0] == 403
    assert call(api, "PATCH", "/api/agents/user-nobody", ADMIN, {"version": 1, "capacity": 3})[0] == 404
    # The assignment engine sees the new skills
    assert store.directory.agent("acme", created["id"]).channels == ["x", "instagram"]
    listed = call(api, "GET", "/api/agents", LEAD)[1]["items"]
    assert created["id"] in [a["id"] for a in listed]
    assert call(api, "GET", "/api/agents", ALICE)[0] == 403


def test_a_role_change_is_audited_and_nobody_changes_their_own(api: Any, store: Store) -> None:
    alice = store.directory.agent("acme", "user-alice")
    assert call(api, "PATCH", "/api/agents/user-admin", ADMIN, {"version": 1, "role": "agent"})[0] == 403
    status, promoted = call(
        api, "PATCH", "/api/agents/user-alice", ADMIN, {"version": alice.version, "role": "supervisor"}
    )
    assert status == 200 and promoted["role"] == "supervisor"
    log = call(api, "GET", "/api/audit", ADMIN, query={"month": audit_month()})[1]["items"]
    change = next(r for r in log if r["action"] == "role_changed")
    assert change["target"] == "user-alice" and change["detail"] == {"from": "agent", "to": "supervisor"}
    assert change["actor"] == "user-admin"
    # Reading the log is recorded too, and only admins read it
    again = call(api, "GET", "/api/audit", ADMIN, query={"month": audit_month()})[1]["items"]
    assert [r["action"] for r in again].count("export") == 1
    assert call(api, "GET", "/api/audit", LEAD, query={"month": audit_month()})[0] == 403
    assert call(api, "GET", "/api/audit", ADMIN, query={"month": "2026-13"})[0] == 422


def test_views_of_personal_data_are_audited(api: Any, store: Store) -> None:
    IngestService(store, RecordingStarter(), clock=lambda: "2026-11-23T09:00:00.000Z").apply(
        [
            InboundMessage(
                platform="x",
                account_id=ACCOUNT_ID,
                native_id="9800000000000000001",
                kind="mention",
                conversation_id="9800000000000000001",
                author=Author(platform_user_id="2000000000000000009", handle="taro"),
                text="電話番号は 090-1234-5678 です",
                created_at="2026-11-23T09:00:00.000Z",
            )
        ]
    )
    ticket_id = store.tickets.inbox("acme", None, 1, None).items[0].id
    assert call(api, "GET", f"/api/tickets/{ticket_id}", ALICE)[0] == 200
    assert call(api, "GET", "/api/customers/x:2000000000000000009", ALICE)[0] == 200
    log = call(api, "GET", "/api/audit", ADMIN, query={"month": audit_month()})[1]["items"]
    viewed = [r for r in log if r["action"] == "ticket_viewed"]
    assert [(r["actor"], r["target"]) for r in viewed] == [("user-alice", ticket_id)]
    (profile,) = [r for r in log if r["action"] == "customer_viewed"]
    assert profile["actor"] == "user-alice" and "2000000000000000009" not in profile["target"]
    assert "090" not in str(log)  # ids, never the data


def test_audit_records_cannot_be_overwritten(store: Store) -> None:
    from botocore.exceptions import ClientError
    from mentiondesk.store.audit import audit_item

    record = audit_item("acme", "u", "admin", "export", "x", "2026-11-23T09:00:00.000Z")
    store.table.put(record, condition="attribute_not_exists(PK)")
    with pytest.raises(ClientError):
        store.table.put({**record, "actor": "someone else"}, condition="attribute_not_exists(PK)")


def test_teams_are_added_and_changed_with_locking(api: Any, store: Store) -> None:
    team = {"id": "billing", "name": "請求チーム", "strategy": "load_balanced", "balance": "share"}
    assert call(api, "POST", "/api/teams", LEAD, team)[0] == 403
    status, created = call(api, "POST", "/api/teams", ADMIN, team)
    assert status == 201 and created["strategy"] == "load_balanced" and created["calendar_is_default"]
    assert call(api, "POST", "/api/teams", ADMIN, team)[0] == 409
    status, changed = call(api, "PATCH", "/api/teams/billing", LEAD, {"version": 1, "strategy": "manual"})
    assert status == 200 and changed["strategy"] == "manual" and changed["version"] == 2
    assert call(api, "PATCH", "/api/teams/billing", LEAD, {"version": 1, "name": "x"})[0] == 409
    assert call(api, "PATCH", "/api/teams/billing", ALICE, {"version": 2, "name": "x"})[0] == 403
    assert call(api, "PATCH", "/api/teams/nope", LEAD, {"version": 1, "name": "x"})[0] == 404
    assert call(api, "PATCH", "/api/teams/billing", LEAD, {"version": 2, "strategy": "random"})[0] == 422


class FakeCognito:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def admin_create_user(self, **kw: Any) -> dict[str, Any]:
        self.calls.append(("create", kw))
        return {"User": {"Attributes": [{"Name": "sub", "Value": "0f6c-sub"}]}}

    def __getattr__(self, name: str) -> Any:
        return lambda **kw: self.calls.append((name, kw))


def test_deployed_a_new_person_gets_a_cognito_sign_in_in_their_tenant_and_role() -> None:
    client = FakeCognito()
    accounts = CognitoAccounts(client, "pool-1")
    assert accounts.create("acme", "hana@acme.test", "佐藤 花子", "agent") == "0f6c-sub"
    created = client.calls[0][1]
    assert {"Name": "custom:tenant_id", "Value": "acme"} in created["UserAttributes"]
    assert client.calls[1] == (
        "admin_add_user_to_group",
        {"UserPoolId": "pool-1", "Username": "hana@acme.test", "GroupName": "agent"},
    )
    accounts.change_role("hana@acme.test", "agent", "supervisor")
    assert [c[0] for c in client.calls[2:]] == [
        "admin_add_user_to_group",
        "admin_remove_user_from_group",
        "admin_user_global_sign_out",
    ]
