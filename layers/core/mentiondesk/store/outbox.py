"""The outbox: what must reach a platform on a ticket's behalf (replies, hiding a comment).

Items live in the ticket's partition (opening a ticket shows their state in the same Query) and start
PENDING. The sender moves them PENDING → SENDING → SENT, and an ambiguous failure to UNKNOWN, which
waits for a person and is never resent automatically (DESIGN.md). Writers put items inside the
transaction that decided them, so a retried decision cannot queue a second copy.

While an item is PENDING or SENDING it sits in the sparse sweep index (GSI5) under the time someone
should look at it again: a PENDING item a minute after it became due (its queue message was lost),
a SENDING item when its lease runs out (its worker died). Settled items leave the index.
"""

import contextlib
import zlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from mentiondesk import ids
from mentiondesk.clock import iso, parse_iso
from mentiondesk.errors import Conflict
from mentiondesk.store import keys
from mentiondesk.store.dynamo import Table, assignments

Operation = Literal["reply", "hide_comment"]
OutboxStatus = Literal["PENDING", "SENDING", "SENT", "FAILED", "UNKNOWN", "CANCELLED"]
SETTLED: frozenset[str] = frozenset({"SENT", "FAILED", "UNKNOWN", "CANCELLED"})

SWEEP_SHARDS = 4  # the sweep index's partitions, so a burst of replies spreads its writes
SWEEP_GRACE_SECONDS = 60  # how long a due item may wait for its queue message before the sweeper re-sends it
SWEEP_INDEX = "GSI5"
REPLY_MEMORY_DAYS = 90  # how long sent replies are remembered for the composer's copy-paste check


def _sweep_keys(item_id: str, check_at: str) -> dict[str, str]:
    shard = zlib.crc32(item_id.encode()) % SWEEP_SHARDS
    return {"GSI5PK": f"OUTBOX#{shard}", "GSI5SK": f"{check_at}#{item_id}"}


def _after(at: str, seconds: int) -> str:
    return iso(parse_iso(at) + timedelta(seconds=seconds))


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
    `seq` orders entries decided together (they share `now`). Fields given as None are left out."""
    item_id = ids.new_id()
    return {
        "PK": keys.ticket_pk(tenant, ticket_id),
        "SK": f"OUT#{now}#{seq:03d}{item_id}",
        "entity": "outbox",
        "id": item_id,
        "tenant_id": tenant,
        "ticket_id": ticket_id,
        "operation": operation,
        "status": "PENDING",
        "source": source,
        "created_at": now,
        "attempts": 0,
        **_sweep_keys(item_id, _after(now, SWEEP_GRACE_SECONDS)),
        **{k: v for k, v in fields.items() if v is not None},
    }


@dataclass(frozen=True)
class OutboxRef:
    """Where an outbox item lives: what the send queue's messages carry."""

    tenant: str
    ticket_id: str
    sk: str

    def as_dict(self) -> dict[str, str]:
        return {"tenant": self.tenant, "ticket_id": self.ticket_id, "sk": self.sk}

    @classmethod
    def of(cls, item: dict[str, Any]) -> "OutboxRef":
        return cls(str(item["tenant_id"]), str(item["ticket_id"]), str(item["SK"]))


def public(item: dict[str, Any]) -> dict[str, Any]:
    """An outbox item without its keys and bookkeeping (what the API and the sender read)."""
    hidden = ("PK", "SK", "entity", "GSI5PK", "GSI5SK", "lease_owner", "last_owner")
    return {k: v for k, v in item.items() if k not in hidden}


def replies_pk(tenant: str) -> str:
    return f"TENANT#{tenant}#REPLIES"


def recent_reply_item(tenant: str, item_id: str, customer_id: str, text: str, at: str) -> dict[str, Any]:
    """What the copy-paste check remembers of a reply that went out (kept REPLY_MEMORY_DAYS)."""
    expires = int((parse_iso(at) + timedelta(days=REPLY_MEMORY_DAYS)).timestamp())
    return {
        "PK": replies_pk(tenant),
        "SK": f"{at}#{item_id}",
        "entity": "sent_reply",
        "customer_id": customer_id,
        "text": text,
        "sent_at": at,
        "expires_at": expires,
    }


class OutboxStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def recent_replies(self, tenant: str, since: str, now: str, limit: int = 500) -> list[dict[str, Any]]:
        """The tenant's replies sent since `since`, newest first (at most `limit`: one Query). Items the
        TTL has not yet deleted are left out by their expiry, so nothing expired is ever read."""
        items, _ = self.table.query(
            KeyConditionExpression="PK = :pk AND SK >= :since",
            FilterExpression="expires_at > :now",
            ExpressionAttributeValues={
                ":pk": replies_pk(tenant),
                ":since": since,
                ":now": int(parse_iso(now).timestamp()),
            },
            ScanIndexForward=False,
            Limit=limit,
        )
        return [{k: i[k] for k in ("customer_id", "text", "sent_at") if k in i} for i in items]

    def for_ticket(self, tenant: str, ticket_id: str) -> list[dict[str, Any]]:
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :o)",
            ExpressionAttributeValues={":pk": keys.ticket_pk(tenant, ticket_id), ":o": "OUT#"},
        )
        return [public(i) for i in items]

    def get(self, ref: OutboxRef) -> dict[str, Any] | None:
        """The whole stored item (keys included), read consistently; None when it is gone."""
        return self.table.get({"PK": keys.ticket_pk(ref.tenant, ref.ticket_id), "SK": ref.sk}, consistent=True)

    def find(self, tenant: str, ticket_id: str, item_id: str) -> dict[str, Any] | None:
        """The ticket's outbox item `item_id` (whole), or None."""
        return next(
            (
                i
                for i in self.table.query_all(
                    KeyConditionExpression="PK = :pk AND begins_with(SK, :o)",
                    ExpressionAttributeValues={":pk": keys.ticket_pk(tenant, ticket_id), ":o": "OUT#"},
                )
                if i.get("id") == item_id
            ),
            None,
        )

    def needing_attention(self, now: str, limit: int = 100) -> list[OutboxRef]:
        """Items whose check time has come, across every tenant (the sweeper's work): PENDING ones whose
        queue message seems lost, SENDING ones whose lease ran out. At most `limit` per shard."""
        refs: list[OutboxRef] = []
        for shard in range(SWEEP_SHARDS):
            items, _ = self.table.query(
                IndexName=SWEEP_INDEX,
                KeyConditionExpression="GSI5PK = :pk AND GSI5SK <= :now",
                ExpressionAttributeValues={":pk": f"OUTBOX#{shard}", ":now": f"{now}#~"},
                Limit=limit,
            )
            for item in items:
                tenant, ticket_id = _ticket_of(str(item["PK"]))
                refs.append(OutboxRef(tenant, ticket_id, str(item["SK"])))
        return refs


def _ticket_of(pk: str) -> tuple[str, str]:
    """(tenant, ticket id) from a ticket partition key TENANT#{t}#TICKET#{id}."""
    head, _, ticket_id = pk.rpartition("#TICKET#")
    return head.removeprefix("TENANT#"), ticket_id


class OutboxConflict(Conflict):
    """The item is not in the state the caller expected (another worker has it, or it moved on)."""

    def __init__(self, status: str | None) -> None:
        super().__init__(f"outbox item is {status or 'missing'}")
        self.status = status


_UNSWEPT = "REMOVE lease_owner, lease_until, GSI5PK, GSI5SK"


class OutboxTransitions:
    """PENDING → SENDING (a lease) → SENT | FAILED | UNKNOWN, and SENDING → PENDING when the platform
    certainly did not take it (rate limited, unreachable). Every step is conditional on the state and,
    once leased, on the lease owner, so two workers never send one item and a late worker cannot
    overwrite a decision. A SENDING item whose worker vanished is never put back to PENDING: it may
    have reached the platform, so it becomes UNKNOWN for a person to decide. The one exception is the
    truth arriving late: the worker that held the lease learns the platform took it and settles it SENT."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def _key(self, ref: OutboxRef) -> dict[str, str]:
        return {"PK": keys.ticket_pk(ref.tenant, ref.ticket_id), "SK": ref.sk}

    def _move(
        self, ref: OutboxRef, expression: str, condition: str, vals: dict[str, Any], names: dict[str, str]
    ) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        from mentiondesk.store.dynamo import error_code

        try:
            return self.table.update(
                self._key(ref), expression, condition=condition, names={"#status": "status", **names}, vals=vals
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            raise self._conflict(ref) from error

    def _conflict(self, ref: OutboxRef) -> OutboxConflict:
        current = self.table.get(self._key(ref), consistent=True)
        return OutboxConflict(current.get("status") if current else None)

    def claim(self, ref: OutboxRef, item_id: str, worker: str, now: str, lease_until: str) -> dict[str, Any]:
        """Take a PENDING item (due by `now`) for sending; the sweep index then watches its lease."""
        sweep = _sweep_keys(item_id, lease_until)
        return self._move(
            ref,
            "SET #status = :sending, lease_owner = :w, last_owner = :w, lease_until = :until, claimed_at = :now,"
            " GSI5SK = :check ADD attempts :one",
            "#status = :pending AND (attribute_not_exists(not_before) OR not_before <= :now)",
            {
                ":sending": "SENDING",
                ":pending": "PENDING",
                ":w": worker,
                ":until": lease_until,
                ":now": now,
                ":one": 1,
                ":check": sweep["GSI5SK"],
            },
            {},
        )

    def _finish(self, ref: OutboxRef, worker: str, status: str, now: str, **fields: Any) -> dict[str, Any]:
        sets, names, vals = assignments(fields)
        vals |= {":status": status, ":sending": "SENDING", ":w": worker, ":now": now}
        return self._move(
            ref,
            f"SET #status = :status, finished_at = :now, {sets} {_UNSWEPT}",
            "#status = :sending AND lease_owner = :w",
            vals,
            names,
        )

    def sent(
        self,
        ref: OutboxRef,
        worker: str,
        now: str,
        platform_id: str,
        url: str | None = None,
        also: list[dict[str, Any]] | None = None,
    ) -> None:
        """The platform took it. Written with `also` (the reply's message in the thread) in one
        transaction. Settles a leased item, or an UNKNOWN one this worker last held (its lease ran out
        while it waited for the platform's answer)."""
        from botocore.exceptions import ClientError

        from mentiondesk.store.dynamo import cancellation_codes

        fields = {"platform_id": platform_id, **({"platform_url": url} if url else {})}
        sets, names, vals = assignments(fields)
        update = {
            "Update": {
                "Key": self._key(ref),
                "UpdateExpression": f"SET #status = :sent, finished_at = :now, {sets} {_UNSWEPT}",
                "ConditionExpression": "(#status = :sending AND lease_owner = :w)"
                " OR (#status = :unknown AND last_owner = :w)",
                "ExpressionAttributeNames": {"#status": "status", **names},
                "ExpressionAttributeValues": {
                    **vals,
                    ":sent": "SENT",
                    ":sending": "SENDING",
                    ":unknown": "UNKNOWN",
                    ":w": worker,
                    ":now": now,
                },
            }
        }
        try:
            self.table.transact([update, *(also or [])])
        except ClientError as error:
            codes = cancellation_codes(error)
            if codes and codes[0] == "ConditionalCheckFailed":
                raise self._conflict(ref) from error
            raise

    def failed(self, ref: OutboxRef, worker: str, now: str, reason: str, code: str | None = None) -> dict[str, Any]:
        """A permanent refusal (the agent is told why; a person may queue it again)."""
        return self._finish(ref, worker, "FAILED", now, reason=reason, reason_code=code or "refused")

    def unknown(self, ref: OutboxRef, worker: str, now: str, reason: str) -> dict[str, Any]:
        """Ambiguous (a time-out after the request left): a person decides; never resent automatically."""
        return self._finish(ref, worker, "UNKNOWN", now, reason=reason, reason_code="ambiguous")

    def defer(self, ref: OutboxRef, item_id: str, worker: str, not_before: str, reason: str) -> dict[str, Any]:
        """Certainly not sent (rate limited, unreachable): PENDING again from `not_before`."""
        sweep = _sweep_keys(item_id, _after(not_before, SWEEP_GRACE_SECONDS))
        return self._move(
            ref,
            "SET #status = :pending, not_before = :nb, deferred_because = :why, GSI5SK = :check"
            " REMOVE lease_owner, lease_until",
            "#status = :sending AND lease_owner = :w",
            {
                ":pending": "PENDING",
                ":sending": "SENDING",
                ":w": worker,
                ":nb": not_before,
                ":why": reason,
                ":check": sweep["GSI5SK"],
            },
            {},
        )

    def recheck_later(self, ref: OutboxRef, item_id: str, check_at: str) -> None:
        """A PENDING item was queued again: look at it next at `check_at` (a no-op once it moved on)."""
        with contextlib.suppress(OutboxConflict):  # claimed or settled meanwhile: nothing to watch
            self._move(
                ref,
                "SET GSI5SK = :check",
                "#status = :pending",
                {":pending": "PENDING", ":check": _sweep_keys(item_id, check_at)["GSI5SK"]},
                {},
            )

    def abandon(self, ref: OutboxRef, now: str) -> dict[str, Any] | None:
        """A SENDING item whose lease ran out (its worker died mid-send) becomes UNKNOWN; None if it is
        not such an item."""
        try:
            return self._move(
                ref,
                f"SET #status = :unknown, finished_at = :now, reason = :why, reason_code = :code {_UNSWEPT}",
                "#status = :sending AND lease_until < :now",
                {
                    ":unknown": "UNKNOWN",
                    ":sending": "SENDING",
                    ":now": now,
                    ":why": "the sender stopped before it knew whether the platform got it",
                    ":code": "abandoned",
                },
                {},
            )
        except OutboxConflict:
            return None

    def settle(
        self, ref: OutboxRef, decision: Literal["SENT", "CANCELLED"], by: str, now: str, also: list[dict[str, Any]]
    ) -> None:
        """A person decides an UNKNOWN (or FAILED) item: it did reach the customer (SENT; `also` records
        the reply) or it is dropped (CANCELLED). Only from those states: a live item is the sender's."""
        from botocore.exceptions import ClientError

        from mentiondesk.store.dynamo import cancellation_codes

        update = {
            "Update": {
                "Key": self._key(ref),
                "UpdateExpression": "SET #status = :to, decided_by = :by, decided_at = :now",
                "ConditionExpression": "#status IN (:unknown, :failed)",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {
                    ":to": decision,
                    ":by": by,
                    ":now": now,
                    ":unknown": "UNKNOWN",
                    ":failed": "FAILED",
                },
            }
        }
        try:
            self.table.transact([update, *also])
        except ClientError as error:
            codes = cancellation_codes(error)
            if codes and codes[0] == "ConditionalCheckFailed":
                raise self._conflict(ref) from error
            raise
