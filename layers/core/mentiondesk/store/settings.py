"""A tenant's versioned settings documents: SLA policies (SLA#{id}) and rules (RULE#{id}).

They live in the tenant's own partition, so listing them is one Query and they are read by the
workflow on every ticket. Every change is conditional on the `version` the writer read: a stale save
raises Conflict carrying the current document.
"""

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from mentiondesk.errors import Conflict, NotFound
from mentiondesk.store import keys
from mentiondesk.store.dynamo import Table, error_code

# The item attributes that are keys and bookkeeping, never part of a document.
_KEY_FIELDS = frozenset({"PK", "SK", "entity"})


class SettingsStore:
    """Documents of one kind (`prefix` "SLA" or "RULE") in the tenant's partition."""

    def __init__(self, table: Table, prefix: str, entity: str) -> None:
        self.table = table
        self.prefix = prefix
        self.entity = entity

    def _key(self, tenant: str, doc_id: str) -> dict[str, str]:
        return {"PK": keys.tenant_pk(tenant), "SK": f"{self.prefix}#{doc_id}"}

    def create(self, tenant: str, doc_id: str, document: dict[str, Any]) -> dict[str, Any]:
        """Store a new document at version 1 (Conflict if the id is taken)."""
        item = {**self._key(tenant, doc_id), "entity": self.entity, **document, "version": 1}
        try:
            self.table.put(item, condition="attribute_not_exists(PK)")
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise Conflict(f"{self.entity} {doc_id!r} exists already") from error
            raise
        return _document(item)

    def get(self, tenant: str, doc_id: str, consistent: bool = True) -> dict[str, Any]:
        item = self.table.get(self._key(tenant, doc_id), consistent=consistent)
        if item is None:
            raise NotFound(f"no such {self.entity}")
        return _document(item)

    def list(self, tenant: str) -> list[dict[str, Any]]:
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
            ExpressionAttributeValues={":pk": keys.tenant_pk(tenant), ":p": f"{self.prefix}#"},
        )
        return [_document(i) for i in items]

    def replace(self, tenant: str, doc_id: str, version: int, document: dict[str, Any]) -> dict[str, Any]:
        """Replace the document if `version` is current; the stored version goes up by one."""
        item = {**self._key(tenant, doc_id), "entity": self.entity, **document, "version": version + 1}
        self._at_version(tenant, doc_id, version, lambda **lock: self.table.put(item, **lock))
        return _document(item)

    def delete(self, tenant: str, doc_id: str, version: int) -> None:
        self._at_version(tenant, doc_id, version, lambda **lock: self.table.delete(self._key(tenant, doc_id), **lock))

    def _at_version(self, tenant: str, doc_id: str, version: int, write: Callable[..., None]) -> None:
        """Run `write` with the condition that the stored version is `version` (else Conflict with the
        current document; NotFound when it is gone)."""
        try:
            write(
                condition="attribute_exists(PK) AND #version = :v", names={"#version": "version"}, vals={":v": version}
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise Conflict(
                    f"the {self.entity} changed since you read it", current=self.get(tenant, doc_id)
                ) from error
            raise


def _document(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in _KEY_FIELDS}
