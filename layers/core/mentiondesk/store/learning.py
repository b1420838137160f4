"""Agents' label corrections (a tenant's training data) and the tenant's learned triage model."""

import time
from typing import Any

from mentiondesk.store import keys
from mentiondesk.store.dynamo import Table
from mentiondesk.triage.learned import LinearModel, TenantModels

CORRECTION_DAYS = 730


class LearningStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def corrections(self, tenant: str) -> list[dict[str, Any]]:
        """Every correction, oldest first (one Query; pages are followed)."""
        return self.table.query_all(
            KeyConditionExpression="PK = :pk",
            # TTL deletes late: a correction past its two years is never trained on.
            FilterExpression="attribute_not_exists(expires_at) OR expires_at > :now",
            ExpressionAttributeValues={":pk": keys.corrections_pk(tenant), ":now": int(time.time())},
        )

    def save_models(self, tenant: str, models: TenantModels) -> None:
        item: dict[str, Any] = {
            "PK": keys.tenant_pk(tenant),
            "SK": keys.MODEL_SK,
            "entity": "model",
            "trained_at": models.trained_at,
            "corrections": models.corrections,
            "tasks": sorted(models.models),
        }
        for task, model in models.models.items():
            item[f"model_{task}"] = model.to_bytes()
        self.table.put(item)

    def models(self, tenant: str) -> TenantModels | None:
        item = self.table.get({"PK": keys.tenant_pk(tenant), "SK": keys.MODEL_SK})
        if not item:
            return None
        loaded = {}
        for task in item.get("tasks", []):
            raw = item.get(f"model_{task}")
            if raw is not None:
                loaded[task] = LinearModel.from_bytes(bytes(raw))
        return TenantModels(models=loaded, trained_at=str(item["trained_at"]), corrections=int(item["corrections"]))
