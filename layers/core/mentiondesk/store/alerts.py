"""Admin alerts: things a person must act on, kept per tenant for 90 days, each raised once."""

import time
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from mentiondesk.ids import new_id
from mentiondesk.models import AdminAlert
from mentiondesk.store import keys
from mentiondesk.store.dynamo import Table, cancellation_codes

RETENTION_DAYS = 90


class AlertStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def raise_once(self, alert: AdminAlert, dedupe_key: str) -> bool:
        """Store the alert unless one with the same key was raised already; True when stored now."""
        expires = int(
            (datetime.fromisoformat(alert.at.replace("Z", "+00:00")) + timedelta(days=RETENTION_DAYS)).timestamp()
        )
        pk = keys.alerts_pk(alert.tenant_id)
        try:
            self.table.transact(
                [
                    {
                        "Put": {
                            "Item": {
                                "PK": pk,
                                "SK": keys.alert_key_sk(dedupe_key),
                                "alert_id": alert.id,
                                "expires_at": expires,
                            },
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                    {
                        "Put": {
                            "Item": {
                                "PK": pk,
                                "SK": keys.alert_sk(alert.at, alert.id),
                                "entity": "alert",
                                "expires_at": expires,
                                **alert.model_dump(mode="json"),
                            }
                        }
                    },
                ]
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                return False
            raise
        return True

    def recent(self, tenant: str, limit: int = 50) -> list[AdminAlert]:
        items, _ = self.table.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
            # TTL deletes late (days): an alert past its expiry is never shown.
            FilterExpression="attribute_not_exists(expires_at) OR expires_at > :now",
            ExpressionAttributeValues={":pk": keys.alerts_pk(tenant), ":p": "AT#", ":now": int(time.time())},
            ScanIndexForward=False,
            Limit=limit,
        )
        fields = set(AdminAlert.model_fields)
        return [AdminAlert.model_validate({k: v for k, v in i.items() if k in fields}) for i in items]


def new_alert(tenant: str, kind: str, subject: str, message: str, at: str, **extra: Any) -> AdminAlert:
    return AdminAlert(tenant_id=tenant, id=new_id(), kind=kind, subject=subject, message=message, at=at, **extra)
