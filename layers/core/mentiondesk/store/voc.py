"""The weekly voice-of-the-customer reports of a tenant: one claim per scheduled run (so a run happens
once however often the hourly schedule looks), and the stored report for the app.

TENANT#{t}#VOC / RUN#{scheduled}   the run for that scheduled time (claimed once; its outcome)
TENANT#{t}#VOC / WEEK#{start}      the report of the week starting then (JSON), with its S3 keys
"""

from typing import Any

from botocore.exceptions import ClientError

from mentiondesk.store.dynamo import Table, error_code


def voc_pk(tenant: str) -> str:
    return f"TENANT#{tenant}#VOC"


class VocStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def claim(self, tenant: str, scheduled: str, now: str) -> bool:
        """Take the run scheduled at `scheduled`; False when it was taken already."""
        try:
            self.table.put(
                {"PK": voc_pk(tenant), "SK": f"RUN#{scheduled}", "entity": "voc_run", "claimed_at": now},
                condition="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def last_run(self, tenant: str) -> str | None:
        items, _ = self.table.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :r)",
            ExpressionAttributeValues={":pk": voc_pk(tenant), ":r": "RUN#"},
            ScanIndexForward=False,
            Limit=1,
        )
        return str(items[0]["SK"]).removeprefix("RUN#") if items else None

    def save(self, tenant: str, week_start: str, report: dict[str, Any], files: dict[str, str], now: str) -> None:
        self.table.put(
            {
                "PK": voc_pk(tenant),
                "SK": f"WEEK#{week_start}",
                "entity": "voc_report",
                "week_start": week_start,
                "report": report,
                "files": files,
                "created_at": now,
            }
        )

    def weeks(self, tenant: str, limit: int = 26) -> list[dict[str, Any]]:
        """The latest reports, newest first (their weeks and sizes, not the whole reports)."""
        items, _ = self.table.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :w)",
            ExpressionAttributeValues={":pk": voc_pk(tenant), ":w": "WEEK#"},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [
            {
                "week_start": i["week_start"],
                "created_at": i.get("created_at"),
                "topics": len((i.get("report") or {}).get("topics") or []),
            }
            for i in items
        ]

    def week(self, tenant: str, week_start: str) -> dict[str, Any] | None:
        item = self.table.get({"PK": voc_pk(tenant), "SK": f"WEEK#{week_start}"})
        return (
            {"week_start": item["week_start"], "report": item["report"], "files": item.get("files", {})}
            if item
            else None
        )
