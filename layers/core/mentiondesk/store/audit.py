"""The audit log: who did what to whose data, append-only.

One partition per tenant and month (`TENANT#{t}#AUDIT#{yyyy-mm}`), newest last. Records are only
ever put, each under a new key and with `attribute_not_exists`, so nothing overwrites one; the
template denies UpdateItem and DeleteItem on audit keys to every function. Records name people by
their ids and the records they touched by id: never message text or a customer's details.
"""

from typing import Any, Literal

from mentiondesk.ids import new_id
from mentiondesk.store.dynamo import Table

Action = Literal[
    "ticket_viewed",  # a ticket's messages (personal data) were read
    "customer_viewed",
    "reply_queued",
    "reply_settled",  # a person decided an UNKNOWN or FAILED reply
    "comment_hidden",
    "export",
    "role_changed",
    "agent_changed",
    "customer_deleted",
    "policy_changed",
]


def audit_pk(tenant: str, month: str) -> str:
    return f"TENANT#{tenant}#AUDIT#{month}"


def audit_item(
    tenant: str, actor: str, role: str, action: Action, target: str, at: str, **detail: Any
) -> dict[str, Any]:
    """An audit record as a table item (to be put alone or inside the transaction of the change)."""
    record_id = new_id()
    return {
        "PK": audit_pk(tenant, at[:7]),
        "SK": f"{at}#{record_id}",
        "entity": "audit",
        "id": record_id,
        "tenant_id": tenant,
        "actor": actor,
        "role": role,
        "action": action,
        "target": target,
        "at": at,
        "detail": detail,
    }


def audit_put(item: dict[str, Any]) -> dict[str, Any]:
    """The transaction entry that appends `item` and can never replace a record."""
    return {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}


class AuditStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def append(self, tenant: str, actor: str, role: str, action: Action, target: str, at: str, **detail: Any) -> None:
        self.table.put(
            audit_item(tenant, actor, role, action, target, at, **detail), condition="attribute_not_exists(PK)"
        )

    def month(
        self, tenant: str, month: str, limit: int = 100, after: dict[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of a month's records, oldest first, and where the next page starts."""
        items, last = self.table.query(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": audit_pk(tenant, month)},
            Limit=limit,
            **({"ExclusiveStartKey": after} if after else {}),
        )
        fields = ("id", "actor", "role", "action", "target", "at", "detail")
        return [{k: i.get(k) for k in fields} for i in items], last
