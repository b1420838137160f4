"""The outbox: what must reach a platform on a ticket's behalf (replies, hiding a comment).

Items live in the ticket's partition (opening a ticket shows their state in the same Query) and start
PENDING. The sender moves them PENDING → SENDING → SENT, and an ambiguous failure to UNKNOWN, which
waits for a person and is never resent automatically (DESIGN.md). Writers put items inside the
transaction that decided them, so a retried decision cannot queue a second copy.
"""

from typing import Any, Literal

from mentiondesk import ids
from mentiondesk.store import keys
from mentiondesk.store.dynamo import Table

Operation = Literal["reply", "hide_comment"]


def outbox_item(
    tenant: str,
    ticket_id: str,
    operation: Operation,
    source: str,
    now: str,
    seq: int = 0,
    **fields: Any,
) -> dict[str, Any]:
    """A PENDING outbox entry as a table item. `source` says who decided it ("rule:<id>", "agent:<id>");
    `seq` orders entries decided together (they share `now`)."""
    item_id = ids.new_id()
    return {
        "PK": keys.ticket_pk(tenant, ticket_id),
        "SK": f"OUT#{now}#{seq:03d}{item_id}",
        "entity": "outbox",
        "id": item_id,
        "ticket_id": ticket_id,
        "operation": operation,
        "status": "PENDING",
        "source": source,
        "created_at": now,
        **fields,
    }


class OutboxStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def for_ticket(self, tenant: str, ticket_id: str) -> list[dict[str, Any]]:
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :o)",
            ExpressionAttributeValues={":pk": keys.ticket_pk(tenant, ticket_id), ":o": "OUT#"},
        )
        return [{k: v for k, v in i.items() if k not in ("PK", "SK", "entity")} for i in items]
