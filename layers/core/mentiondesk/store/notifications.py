"""Each person's notification feed (assignments, mentions, SLA reminders): newest first, kept 30 days."""

import time
from datetime import timedelta
from typing import Any

from mentiondesk.clock import parse_iso
from mentiondesk.ids import new_id
from mentiondesk.store import keys
from mentiondesk.store.dynamo import Table

RETENTION_DAYS = 30


def notification_item(tenant: str, user_id: str, kind: str, ticket_id: str | None, at: str, **detail: Any) -> dict:
    """A feed entry as a table item (to be written alone or inside a transaction)."""
    expires = int((parse_iso(at) + timedelta(days=RETENTION_DAYS)).timestamp())
    notification_id = new_id()
    return {
        "PK": keys.notifications_pk(tenant, user_id),
        "SK": f"{at}#{notification_id}",
        "entity": "notification",
        "id": notification_id,
        "kind": kind,
        "ticket_id": ticket_id,
        "at": at,
        "detail": detail,
        "expires_at": expires,
    }


class NotificationStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def recent(self, tenant: str, user_id: str, limit: int = 50) -> list[dict[str, Any]]:
        items, _ = self.table.query(
            KeyConditionExpression="PK = :pk",
            # TTL deletes late (days): an entry past its expiry is never shown.
            FilterExpression="attribute_not_exists(expires_at) OR expires_at > :now",
            ExpressionAttributeValues={":pk": keys.notifications_pk(tenant, user_id), ":now": int(time.time())},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [{k: i.get(k) for k in ("id", "kind", "ticket_id", "at", "detail")} for i in items]
