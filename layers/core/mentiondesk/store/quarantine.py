"""Signed webhook bodies we could not parse, kept for a person to look at (never dropped silently)."""

import time

from mentiondesk import ids
from mentiondesk.store.dynamo import Table

RETENTION_DAYS = 30


class QuarantineStore:
    """Write-once records under QUARANTINE#{platform}, expiring after RETENTION_DAYS (TTL)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def put(self, platform: str, body: bytes, reason: str, now: str) -> str:
        record_id = ids.new_id()
        self.table.put(
            {
                "PK": f"QUARANTINE#{platform}",
                "SK": f"{now}#{record_id}",
                "entity": "quarantine",
                "id": record_id,
                "platform": platform,
                "received_at": now,
                "reason": reason[:500],
                # Kept as text with replacement characters: the bytes failed to parse, they are not secrets.
                "body": body.decode("utf-8", errors="replace"),
                "size": len(body),
                "expires_at": int(time.time()) + RETENTION_DAYS * 86400,
            }
        )
        return record_id

    def recent(self, platform: str, limit: int = 50) -> list[dict[str, object]]:
        items, _ = self.table.query(
            KeyConditionExpression="PK = :pk",
            FilterExpression="expires_at > :now",  # TTL deletes late: past its 30 days a body is gone
            ExpressionAttributeValues={":pk": f"QUARANTINE#{platform}", ":now": int(time.time())},
            ScanIndexForward=False,
            Limit=limit,
        )
        return items
