"""The outbox: what must reach a platform on a ticket's behalf (replies, hiding a comment).

Items live in the ticket's partition (opening a ticket shows their state in the same Query) and start
PENDING. The sender moves them PENDING → SENDING → SENT, and an ambiguous failure to UNKNOWN, which
waits for a person and is never resent automatically (DESIGN.md). Writers put items inside the
transaction that decided them, so a retried decision cannot queue a second copy.
"""

from typing import Any, Literal

from mentiondesk import ids
from mentiondesk.errors import Conflict
from mentiondesk.store import keys
from mentiondesk.store.dynamo import Table, assignments

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


class OutboxConflict(Conflict):
    """The item is not in the state the caller expected (another worker has it, or it moved on)."""

    def __init__(self, status: str | None) -> None:
        super().__init__(f"outbox item is {status or 'missing'}")
        self.status = status


class OutboxTransitions:
    """PENDING → SENDING (a lease) → SENT | FAILED | UNKNOWN, and SENDING → PENDING when the platform
    refused for now (rate limited: certainly not sent). Every step is conditional on the state and, once
    leased, on the lease owner, so two workers never send one item and a late worker cannot overwrite
    a decision. A SENDING item whose worker vanished is never put back to PENDING: it may have reached
    the platform, so it becomes UNKNOWN for a person to decide."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def _key(self, tenant: str, ticket_id: str, sk: str) -> dict[str, str]:
        return {"PK": keys.ticket_pk(tenant, ticket_id), "SK": sk}

    def _move(
        self, key: dict[str, str], expression: str, condition: str, vals: dict[str, Any], names: dict[str, str]
    ) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        from mentiondesk.store.dynamo import error_code

        try:
            return self.table.update(
                key, expression, condition=condition, names={"#status": "status", **names}, vals=vals
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            current = self.table.get(key, consistent=True)
            raise OutboxConflict(current.get("status") if current else None) from error

    def claim(self, tenant: str, ticket_id: str, sk: str, worker: str, now: str, lease_until: str) -> dict[str, Any]:
        """Take a PENDING item (due by `now`) for sending."""
        return self._move(
            self._key(tenant, ticket_id, sk),
            "SET #status = :sending, lease_owner = :w, lease_until = :until, claimed_at = :now ADD attempts :one",
            "#status = :pending AND (attribute_not_exists(not_before) OR not_before <= :now)",
            {":sending": "SENDING", ":pending": "PENDING", ":w": worker, ":until": lease_until, ":now": now, ":one": 1},
            {},
        )

    def _finish(
        self, tenant: str, ticket_id: str, sk: str, worker: str, status: str, now: str, **fields: Any
    ) -> dict[str, Any]:
        sets, names, vals = assignments(fields)
        vals |= {":status": status, ":sending": "SENDING", ":w": worker, ":now": now}
        return self._move(
            self._key(tenant, ticket_id, sk),
            f"SET #status = :status, finished_at = :now, {sets} REMOVE lease_owner, lease_until",
            "#status = :sending AND lease_owner = :w",
            vals,
            names,
        )

    def sent(self, tenant: str, ticket_id: str, sk: str, worker: str, now: str, platform_id: str) -> dict[str, Any]:
        return self._finish(tenant, ticket_id, sk, worker, "SENT", now, platform_id=platform_id)

    def failed(self, tenant: str, ticket_id: str, sk: str, worker: str, now: str, reason: str) -> dict[str, Any]:
        """A permanent refusal (the agent is told why; a person may queue it again)."""
        return self._finish(tenant, ticket_id, sk, worker, "FAILED", now, reason=reason)

    def unknown(self, tenant: str, ticket_id: str, sk: str, worker: str, now: str, reason: str) -> dict[str, Any]:
        """Ambiguous (a time-out after the request left): a person decides; never resent automatically."""
        return self._finish(tenant, ticket_id, sk, worker, "UNKNOWN", now, reason=reason)

    def defer(self, tenant: str, ticket_id: str, sk: str, worker: str, not_before: str) -> dict[str, Any]:
        """Refused for now (rate limited), so certainly not sent: PENDING again from `not_before`."""
        return self._move(
            self._key(tenant, ticket_id, sk),
            "SET #status = :pending, not_before = :nb REMOVE lease_owner, lease_until",
            "#status = :sending AND lease_owner = :w",
            {":pending": "PENDING", ":sending": "SENDING", ":w": worker, ":nb": not_before},
            {},
        )

    def abandon(self, tenant: str, ticket_id: str, sk: str, now: str) -> dict[str, Any] | None:
        """A SENDING item whose lease ran out (its worker died mid-send) becomes UNKNOWN; None if it is
        not such an item."""
        try:
            return self._move(
                self._key(tenant, ticket_id, sk),
                "SET #status = :unknown, finished_at = :now, reason = :why REMOVE lease_owner, lease_until",
                "#status = :sending AND lease_until < :now",
                {
                    ":unknown": "UNKNOWN",
                    ":sending": "SENDING",
                    ":now": now,
                    ":why": "the sender stopped before it knew whether the platform got it",
                },
                {},
            )
        except OutboxConflict:
            return None
