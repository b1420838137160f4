"""Tickets, their messages and events, and the native-id lookup that makes ingest exactly-once."""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from mentiondesk import ids
from mentiondesk.clock import iso, utcnow
from mentiondesk.costs.metering import serve_ticket_of
from mentiondesk.errors import Conflict, InvalidRequest, NotFound, TicketNotFound, TransientStoreError
from mentiondesk.models import Agent, InboundMessage, Message, Ticket, TicketEvent, TicketStatus
from mentiondesk.store import keys, rollups
from mentiondesk.store.dynamo import Table, assignments, cancellation_codes, error_code
from mentiondesk.store.outbox import public as outbox_public
from mentiondesk.store.presence import current

EXCERPT_CHARS = 140
STALE = "the ticket changed since you read it"
MAX_FILTER_PAGES = 5  # a filtered inbox page reads at most this many index pages
FILTER_PAGE_ITEMS = 100
_TICKET_FIELDS = set(Ticket.model_fields)
_MESSAGE_FIELDS = set(Message.model_fields)
_RETRYABLE = {
    "TransactionConflict",
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
}


@dataclass(frozen=True)
class IngestResult:
    """What storing one inbound message did."""

    ticket_id: str | None  # None for a message deleted before it arrived
    message_id: str | None
    created: bool  # a new ticket was opened
    duplicate: bool  # the message was already stored; nothing was written
    opened_ticket: bool = False  # for a duplicate: whether the message had opened its ticket


@dataclass(frozen=True)
class InboxFilter:
    """What an inbox view narrows to; every field is optional and they combine with AND."""

    status: str | None = None  # only for the due-ordered view (the others pick the status index)
    assignee: str | None = None
    unassigned: bool = False
    team: str | None = None
    channel: str | None = None
    intent: str | None = None
    sentiment: str | None = None
    urgency: str | None = None
    language: str | None = None
    tag: str | None = None
    text: str | None = None  # a substring of the subject or the latest excerpt (case-sensitive)

    def with_status(self, status: str | None) -> "InboxFilter":
        return replace(self, status=status)

    def empty(self) -> bool:
        return self == InboxFilter()

    def expression(self) -> tuple[str, dict[str, str], dict[str, Any]]:
        parts: list[str] = []
        names: dict[str, str] = {}
        vals: dict[str, Any] = {}
        simple = {
            "status": self.status,
            "team": self.team,
            "platform": self.channel,
            "intent": self.intent,
            "sentiment": self.sentiment,
            "urgency": self.urgency,
            "language": self.language,
        }
        for n, (attribute, value) in enumerate(simple.items()):
            if value is not None:
                names[f"#a{n}"] = attribute
                vals[f":a{n}"] = value
                parts.append(f"#a{n} = :a{n}")
        if self.assignee is not None:
            names["#assignee"] = "assignee"
            vals[":assignee"] = self.assignee
            parts.append("#assignee.id = :assignee")
        if self.unassigned:
            names["#assignee"] = "assignee"
            parts.append("attribute_not_exists(#assignee)")
        if self.tag is not None:
            names["#tags"] = "tags"
            vals[":tag"] = self.tag
            parts.append("contains(#tags, :tag)")
        if self.text:
            names |= {"#subject": "subject", "#excerpt": "last_message_excerpt"}
            vals[":text"] = self.text
            parts.append("(contains(#subject, :text) OR contains(#excerpt, :text))")
        return " AND ".join(parts), names, vals


@dataclass(frozen=True)
class TicketDetail:
    """A ticket with its messages and events, read in one Query."""

    ticket: Ticket
    messages: list[Message]
    events: list[TicketEvent]
    item: dict[str, Any] = field(default_factory=dict)  # the ticket as stored, bookkeeping included
    outbox: list[dict[str, Any]] = field(default_factory=list)  # what must reach the platform, oldest first
    notes: list[dict[str, Any]] = field(default_factory=list)  # agents' private notes, oldest first
    presence: list[dict[str, Any]] = field(default_factory=list)  # who is viewing or typing right now


@dataclass(frozen=True)
class Page:
    """One page of a list and the opaque cursor of the next one."""

    items: list[Ticket]
    next: str | None


def _epoch(iso_time: str) -> int:
    return int(datetime.fromisoformat(iso_time).timestamp())


def _seconds_between(earlier: str, later: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _ticket_from_item(item: dict[str, Any]) -> Ticket:
    return Ticket.model_validate({k: v for k, v in item.items() if k in _TICKET_FIELDS})


def _message_from_item(item: dict[str, Any]) -> Message:
    return Message.model_validate({k: v for k, v in item.items() if k in _MESSAGE_FIELDS})


def event_item(tenant: str, ticket_id: str, event: TicketEvent, seq: int = 0) -> dict[str, Any]:
    """An event as a table item; `seq` orders events written together with the same time."""
    return {
        "PK": keys.ticket_pk(tenant, ticket_id),
        "SK": keys.event_sk(event.at, f"{seq:03d}{ids.new_id()}"),
        "entity": "event",
        **event.model_dump(),
    }


class TicketStore:
    """Reads and writes of tickets; every state change two actors could race on is conditional."""

    def __init__(self, table: Table) -> None:
        self.table = table

    # -- ingest ---------------------------------------------------------------------------------

    def find_native(self, tenant: str, platform: str, native_id: str) -> dict[str, Any] | None:
        """The lookup item of a stored platform message (its ticket), if any."""
        return self.table.get(
            {"PK": keys.native_pk(tenant, platform, native_id), "SK": keys.NATIVE_SK}, consistent=True
        )

    def record_inbound(
        self, tenant: str, team: str, msg: InboundMessage, now: str, dm_window_seconds: int = 86_400
    ) -> IngestResult:
        """Store one customer message exactly once: open a ticket or join its conversation's ticket.

        One transaction writes the native-id lookup (conditional), the message, the ticket and an
        event, so a redelivery or a concurrent twin can never produce a second message or ticket.
        """
        for _attempt in range(4):
            seen = self.find_native(tenant, msg.platform, msg.native_id)
            if seen:
                # A tombstone (deleted before it arrived) has no ticket: nothing to store, nothing to start.
                return IngestResult(
                    seen.get("ticket_id"),
                    seen.get("message_id"),
                    created=False,
                    duplicate=True,
                    opened_ticket=bool(seen.get("opened_ticket", True)),
                )
            parent, parent_known = self._thread_target(tenant, msg, now, dm_window_seconds)
            try:
                return self._write_inbound(tenant, team, msg, now, parent, parent_known)
            except ClientError as error:
                code = error_code(error)
                if code == "TransactionCanceledException":
                    reasons = cancellation_codes(error)
                    # Lost the race to a twin delivery, or the joined ticket moved on: read again.
                    if "ConditionalCheckFailed" in reasons or "TransactionConflict" in reasons:
                        continue
                if code in _RETRYABLE:
                    continue
                raise
            except TransientStoreError:
                continue  # throttled (the table answers that as TransientStoreError): try again
        raise TransientStoreError("could not store the message after several attempts")

    def _open_ticket(self, tenant: str, ticket_id: str, now: str, window_seconds: int) -> dict[str, Any] | None:
        """The ticket if a new message may join it: never a closed one; a resolved one only within the
        conversation window of its resolution (it reopens), else the customer starts a new ticket."""
        ticket = self.table.get({"PK": keys.ticket_pk(tenant, ticket_id), "SK": keys.TICKET_SK}, consistent=True)
        if not ticket or ticket.get("status") == "closed":
            return None
        if ticket.get("status") == "resolved":
            resolved_at = str(ticket.get("resolved_at") or ticket.get("updated_at") or "")
            if not resolved_at or _seconds_between(resolved_at, now) > window_seconds:
                return None
        return ticket

    def _thread_target(
        self, tenant: str, msg: InboundMessage, now: str, dm_window_seconds: int
    ) -> tuple[dict[str, Any] | None, bool]:
        """The open ticket this message continues, and whether the message it replies to is known.

        In order: the ticket holding the message it replies to; the ticket of a reply that arrived
        before this message (out of order); for DMs, the customer's conversation if its last message
        is within the window. Closed tickets are never joined; resolved ones only within the window.
        """
        parent_known = False
        if msg.reply_to:
            parent = self.find_native(tenant, msg.platform, msg.reply_to)
            if parent and parent.get("ticket_id"):
                parent_known = True
                ticket = self._open_ticket(tenant, parent["ticket_id"], now, dm_window_seconds)
                if ticket:
                    return ticket, True
        early_reply = self.table.get(
            {"PK": keys.pending_pk(tenant, msg.platform, msg.native_id), "SK": keys.PENDING_SK},
            consistent=True,
        )
        if early_reply and int(early_reply.get("expires_at", _epoch(now) + 1)) > _epoch(now):  # TTL deletes late
            ticket = self._open_ticket(tenant, early_reply["ticket_id"], now, dm_window_seconds)
            if ticket:
                return ticket, parent_known
        if msg.kind == "dm":
            conversation = self.table.get(
                {
                    "PK": keys.conversation_pk(tenant, msg.platform, msg.account_id, msg.conversation_id),
                    "SK": keys.CONVERSATION_SK,
                },
                consistent=True,
            )
            if conversation and _seconds_between(conversation["last_message_at"], now) <= dm_window_seconds:
                ticket = self._open_ticket(tenant, conversation["ticket_id"], now, dm_window_seconds)
                if ticket:
                    return ticket, parent_known
        return None, parent_known

    def _customer_items(
        self, tenant: str, msg: InboundMessage, now: str, ticket_id: str, *, joined: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        """The customer profile update and the ticket's line in the customer's history: for a new ticket,
        and for someone else's thread the customer wrote in (so every ticket holding their words is in
        their history: opening a ticket lists them, and erasing a customer finds them)."""
        items: list[dict[str, Any]] = []
        items.append(
            {
                "Update": {
                    "Key": {
                        "PK": keys.customer_pk(tenant, msg.platform, msg.author.platform_user_id),
                        "SK": keys.CUSTOMER_SK,
                    },
                    "UpdateExpression": (
                        "SET entity = :e, platform = :p, author = :a, last_seen_at = :now,"
                        " last_ticket_id = :t, customer_id = :cid, person_id = if_not_exists(person_id, :cid),"
                        " first_seen_at = if_not_exists(first_seen_at, :now) ADD message_count :one"
                    ),
                    "ExpressionAttributeValues": {
                        ":e": "customer",
                        ":p": msg.platform,
                        ":a": msg.author.model_dump(mode="json"),
                        ":now": now,
                        ":t": ticket_id,
                        ":cid": keys.customer_id(msg.platform, msg.author.platform_user_id),
                        ":one": 1,
                    },
                }
            }
        )
        owner = (joined or {}).get("customer", {}).get("platform_user_id")
        if joined is None or owner != msg.author.platform_user_id:
            # The customer's tickets, newest last: their history is one Query on their partition. A thread
            # keeps its own creation time as the key, so writing in it again puts the same line.
            created = now if joined is None else str(joined["created_at"])
            items.append(
                {
                    "Put": {
                        "Item": {
                            "PK": keys.customer_pk(tenant, msg.platform, msg.author.platform_user_id),
                            "SK": keys.customer_ticket_sk(created, ticket_id),
                            "entity": "customer_ticket",
                            "ticket_id": ticket_id,
                            "created_at": created,
                            "platform": msg.platform,
                            "kind": msg.kind if joined is None else str(joined.get("kind", msg.kind)),
                            "subject": excerpt(msg.text, 120) if joined is None else str(joined.get("subject", "")),
                            **({"joined": True} if joined is not None else {}),
                        }
                    }
                }
            )
        return items

    def _write_inbound(
        self,
        tenant: str,
        team: str,
        msg: InboundMessage,
        now: str,
        parent: dict[str, Any] | None,
        parent_known: bool,
    ) -> IngestResult:
        message_id = ids.new_id()
        ticket_id = parent["id"] if parent else ids.new_id()
        pk = keys.ticket_pk(tenant, ticket_id)
        message = Message(
            id=message_id,
            ticket_id=ticket_id,
            direction="inbound",
            platform=msg.platform,
            kind=msg.kind,
            native_id=msg.native_id,
            conversation_id=msg.conversation_id,
            reply_to=msg.reply_to,
            author=msg.author,
            text=msg.text,
            lang_hint=msg.lang_hint,
            created_at=msg.created_at,
            received_at=now,
            url=msg.url,
            media=list(msg.media),
            rating=msg.rating,
        )
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "Item": {
                        "PK": keys.native_pk(tenant, msg.platform, msg.native_id),
                        "SK": keys.NATIVE_SK,
                        "entity": "native",
                        "ticket_id": ticket_id,
                        "message_id": message_id,
                        "message_sk": keys.message_sk(now, message_id),
                        "conversation_id": msg.conversation_id,
                        "opened_ticket": parent is None,
                    },
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Put": {
                    "Item": {
                        "PK": pk,
                        "SK": keys.message_sk(now, message_id),
                        "entity": "message",
                        **message.model_dump(mode="json"),
                    }
                }
            },
        ]
        activity = keys.activity_sk(now, ticket_id)
        if parent:
            status = "open" if parent.get("status") in ("resolved", "pending") else parent["status"]
            items.append(
                {
                    "Update": {
                        "Key": {"PK": pk, "SK": keys.TICKET_SK},
                        "UpdateExpression": (
                            "SET updated_at = :now, last_message_excerpt = :ex, GSI1PK = :g1, GSI1SK = :act,"
                            " GSI2SK = :act, #status = :status ADD message_count :one, version :one"
                        ),
                        "ConditionExpression": "version = :v AND #status <> :closed",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": {
                            ":now": now,
                            ":ex": excerpt(msg.text),
                            ":g1": keys.status_gsi(tenant, status),
                            ":act": activity,
                            ":status": status,
                            ":one": 1,
                            ":v": parent["version"],
                            ":closed": "closed",
                        },
                    }
                }
            )
            reopened = parent.get("status") == "resolved"
            event = TicketEvent(
                type="ticket_reopened" if reopened else "message_received",
                at=now,
                detail={"message_id": message_id, "kind": msg.kind},
            )
        else:
            ticket = Ticket(
                id=ticket_id,
                tenant_id=tenant,
                platform=msg.platform,
                kind=msg.kind,
                account_id=msg.account_id,
                team=team,
                customer=msg.author,
                subject=excerpt(msg.text, 120),
                last_message_excerpt=excerpt(msg.text),
                created_at=now,
                updated_at=now,
            )
            items.append(
                {
                    "Put": {
                        "Item": {
                            "PK": pk,
                            "SK": keys.TICKET_SK,
                            "entity": "ticket",
                            "GSI1PK": keys.status_gsi(tenant, "open"),
                            "GSI1SK": activity,
                            "GSI2PK": keys.all_tickets_gsi(tenant),
                            "GSI2SK": activity,
                            # sla_fired is a string set, created by the first ADD.
                            **ticket.model_dump(mode="json", exclude={"sla_fired"}),
                        },
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
            )
            event = TicketEvent(
                type="ticket_created",
                at=now,
                detail={"message_id": message_id, "platform": msg.platform, "kind": msg.kind},
            )
        items.append({"Put": {"Item": event_item(tenant, ticket_id, event)}})
        # A platform that names no author (an Instagram mention Meta sends as ids only) makes no
        # customer profile: all such messages would otherwise merge into one "customer".
        known_author = bool(msg.author.platform_user_id)
        items.extend(self._customer_items(tenant, msg, now, ticket_id, joined=parent) if known_author else [])
        if msg.reply_to and not parent_known:
            # The message this replies to has not arrived (yet): when it does, it joins this ticket.
            items.append(
                {
                    "Put": {
                        "Item": {
                            "PK": keys.pending_pk(tenant, msg.platform, msg.reply_to),
                            "SK": keys.PENDING_SK,
                            "entity": "pending_parent",
                            "ticket_id": ticket_id,
                            "expires_at": _epoch(now) + 30 * 86400,
                        }
                    }
                }
            )
        if msg.kind == "dm":
            items.append(
                {
                    "Put": {
                        "Item": {
                            "PK": keys.conversation_pk(tenant, msg.platform, msg.account_id, msg.conversation_id),
                            "SK": keys.CONVERSATION_SK,
                            "entity": "conversation",
                            "ticket_id": ticket_id,
                            "last_message_at": now,
                        }
                    }
                }
            )
        # Report rollups, counted in the same transaction (exactly once): a new ticket, or a message.
        counted = {
            "platform": msg.platform,
            "team": parent.get("team") if parent else team,
            "account_id": msg.account_id,
        }
        counters: dict[str, float] = {"messages_in": 1}
        if parent is None:
            counters |= {"tickets": 1, **({"mentions": 1} if msg.kind in rollups.PUBLIC_KINDS else {})}
        items.extend(
            rollups.updates(tenant, ticket_id, rollups.report_day(now), rollups.ticket_dims(counted), counters)
        )
        self.table.transact(items)
        return IngestResult(ticket_id, message_id, created=parent is None, duplicate=False)

    # -- changes the customer makes to what we stored ---------------------------------------------

    def edit_message(
        self,
        tenant: str,
        platform: str,
        native_id: str,
        text: str,
        rating: int | None,
        edited_at: str,
        now: str,
    ) -> str | None:
        """Replace a stored message's text (and rating); the ticket gets an event. None if unknown."""
        native = self.find_native(tenant, platform, native_id)
        if not native or not native.get("ticket_id") or not native.get("message_sk"):
            return None
        ticket_id = str(native["ticket_id"])
        pk = keys.ticket_pk(tenant, ticket_id)
        values: dict[str, Any] = {":text": text, ":at": edited_at, ":none": None}
        expression = "SET #text = :text, edited_at = :at"
        if rating is not None:
            expression += ", rating = :rating"
            values[":rating"] = rating
        try:
            self.table.transact(
                [
                    {
                        "Update": {
                            "Key": {"PK": pk, "SK": native["message_sk"]},
                            "UpdateExpression": expression,
                            # A late, older edit must not overwrite a newer one; a deleted message stays deleted.
                            "ConditionExpression": (
                                "attribute_exists(PK) AND attribute_not_exists(deleted_at)"
                                " AND (attribute_not_exists(edited_at) OR edited_at < :at)"
                            ),
                            "ExpressionAttributeNames": {"#text": "text"},
                            "ExpressionAttributeValues": {k: v for k, v in values.items() if k != ":none"},
                        }
                    },
                    {
                        "Put": {
                            "Item": event_item(
                                tenant,
                                ticket_id,
                                TicketEvent(
                                    type="message_edited",
                                    at=now,
                                    detail={"message_id": native["message_id"], "rating": rating},
                                ),
                            )
                        }
                    },
                ]
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                return ticket_id
            raise
        return ticket_id

    def mark_deleted(
        self, tenant: str, platform: str, native_id: str, deleted_at: str, reason: str, now: str
    ) -> str | None:
        """The customer deleted or unsent a message: its content goes, the ticket stays.

        If the message has not arrived yet, a tombstone takes its id so it is never stored.
        Returns the ticket id, or None for a tombstone.
        """
        native = self.find_native(tenant, platform, native_id)
        if native is None:
            try:
                self.table.put(
                    {
                        "PK": keys.native_pk(tenant, platform, native_id),
                        "SK": keys.NATIVE_SK,
                        "entity": "tombstone",
                        "deleted_at": deleted_at,
                        "deleted_reason": reason,
                    },
                    condition="attribute_not_exists(PK)",
                )
                return None
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
                native = self.find_native(tenant, platform, native_id)
        if not native or not native.get("ticket_id") or not native.get("message_sk"):
            return None
        ticket_id = str(native["ticket_id"])
        try:
            self.table.transact(
                [
                    {
                        "Update": {
                            "Key": {"PK": keys.ticket_pk(tenant, ticket_id), "SK": native["message_sk"]},
                            "UpdateExpression": (
                                "SET #text = :empty, media = :nomedia, deleted_at = :at, deleted_reason = :why"
                            ),
                            "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(deleted_at)",
                            "ExpressionAttributeNames": {"#text": "text"},
                            "ExpressionAttributeValues": {
                                ":empty": "",
                                ":nomedia": [],
                                ":at": deleted_at,
                                ":why": reason,
                            },
                        }
                    },
                    {
                        "Put": {
                            "Item": event_item(
                                tenant,
                                ticket_id,
                                TicketEvent(
                                    type="message_deleted",
                                    at=now,
                                    detail={"message_id": native["message_id"], "reason": reason},
                                ),
                            )
                        }
                    },
                ]
            )
        except ClientError as error:
            if "ConditionalCheckFailed" not in cancellation_codes(error):
                raise
        return ticket_id

    # -- locked writes --------------------------------------------------------------------------

    def _at_version(self, tenant: str, ticket_id: str, version: int) -> Ticket:
        """The ticket, if `version` is still current (else Conflict carrying the current ticket)."""
        current = self.get(tenant, ticket_id)
        if current.version != version:
            raise Conflict(STALE, current=current.model_dump(mode="json"))
        return current

    def _stale(self, tenant: str, ticket_id: str) -> Conflict:
        return Conflict(STALE, current=self.get(tenant, ticket_id).model_dump(mode="json"))

    def _bump(
        self,
        tenant: str,
        ticket_id: str,
        version: int,
        sets: str = "",
        names: dict[str, str] | None = None,
        vals: dict[str, Any] | None = None,
        adds: str = "",
    ) -> dict[str, Any]:
        """The transaction entry that changes the ticket (`SET {sets}`, `ADD {adds}`) and moves its version
        on, only if `version` is still current: the one shape of every locked ticket write."""
        expression = (f"SET {sets} " if sets else "") + f"ADD {adds + ', ' if adds else ''}version :one"
        update: dict[str, Any] = {
            "Key": {"PK": keys.ticket_pk(tenant, ticket_id), "SK": keys.TICKET_SK},
            "UpdateExpression": expression,
            "ConditionExpression": "version = :v",
            "ExpressionAttributeValues": {**(vals or {}), ":v": version, ":one": 1},
        }
        if names:
            update["ExpressionAttributeNames"] = names
        return {"Update": update}

    def _locked_write(self, tenant: str, ticket_id: str, items: list[dict[str, Any]]) -> Ticket:
        """One transaction conditional on the ticket's version; a lost race is Conflict with the current
        ticket. Answers the ticket as written."""
        try:
            self.table.transact(items)
        except ClientError as error:
            if error_code(error) == "TransactionCanceledException":
                raise self._stale(tenant, ticket_id) from error
            raise
        return self.get(tenant, ticket_id)

    # -- reads ----------------------------------------------------------------------------------

    def get(self, tenant: str, ticket_id: str) -> Ticket:
        item = self.table.get({"PK": keys.ticket_pk(tenant, ticket_id), "SK": keys.TICKET_SK}, consistent=True)
        if not item:
            raise NotFound("ticket not found")
        ticket = _ticket_from_item(item)
        serve_ticket_of(ticket)  # the invocation worked for this ticket: it takes a share of its costs
        return ticket

    def detail(self, tenant: str, ticket_id: str) -> TicketDetail:
        """The ticket, its messages, events and outbox items (each oldest first) in one Query."""
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": keys.ticket_pk(tenant, ticket_id)},
        )
        ticket = next((i for i in items if i["SK"] == keys.TICKET_SK), None)
        if ticket is None:
            raise NotFound("ticket not found")
        messages = [_message_from_item(i) for i in items if i["SK"].startswith("MSG#")]
        events = [
            TicketEvent.model_validate({k: i[k] for k in ("type", "at", "actor", "detail") if k in i})
            for i in items
            if i["SK"].startswith("EVT#")
        ]
        outbox = [outbox_public(i) for i in items if i["SK"].startswith("OUT#")]
        notes = [
            {k: v for k, v in i.items() if k not in ("PK", "SK", "entity")}
            for i in items
            if i["SK"].startswith("NOTE#")
        ]
        now = iso(utcnow())
        found = _ticket_from_item(ticket)
        serve_ticket_of(found)
        return TicketDetail(found, messages, events, ticket, outbox, notes, current(items, now))

    def task_detail(self, tenant: str, ticket_id: str) -> TicketDetail:
        """`detail` for a workflow task: a missing ticket is TicketNotFound, which the ASL does not retry."""
        try:
            return self.detail(tenant, ticket_id)
        except NotFound as error:
            raise TicketNotFound(ticket_id) from error

    def inbox(
        self,
        tenant: str,
        status: TicketStatus | None,
        limit: int,
        cursor: str | None,
        filters: "InboxFilter | None" = None,
    ) -> Page:
        """The inbox: a Query on the status index (or the all-tickets index), newest activity first.

        Without filters it is one Query. With filters (DynamoDB filters after reading) it reads pages
        until `limit` tickets match or MAX_FILTER_PAGES pages were read; the cursor then points just
        after the last ticket returned, so nothing is skipped.
        """
        if status is None:
            index, pk_name, pk = "GSI2", "GSI2PK", keys.all_tickets_gsi(tenant)
        else:
            index, pk_name, pk = "GSI1", "GSI1PK", keys.status_gsi(tenant, status)
        kwargs: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": f"{pk_name} = :pk",
            "ExpressionAttributeValues": {":pk": pk},
            "ScanIndexForward": False,
        }
        return self._filtered(kwargs, pk_name, pk, tenant, limit, cursor, filters)

    def _filtered(
        self,
        kwargs: dict[str, Any],
        pk_name: str,
        pk: str,
        tenant: str,
        limit: int,
        cursor: str | None,
        filters: "InboxFilter | None",
    ) -> Page:
        sk_name = pk_name.replace("PK", "SK")
        if cursor:
            kwargs["ExclusiveStartKey"] = decode_cursor(cursor, pk_name, pk, tenant)
        if filters is None or filters.empty():
            items, after = self.table.query(Limit=limit, **kwargs)
            return Page([_ticket_from_item(i) for i in items], encode_cursor(after) if after else None)
        expression, names, vals = filters.expression()
        kwargs["FilterExpression"] = expression
        kwargs["ExpressionAttributeNames"] = names
        kwargs["ExpressionAttributeValues"] = {**kwargs["ExpressionAttributeValues"], **vals}
        found: list[dict[str, Any]] = []
        last: dict[str, Any] | None = None
        for _page in range(MAX_FILTER_PAGES):
            items, last = self.table.query(Limit=FILTER_PAGE_ITEMS, **kwargs)
            found.extend(items)
            if len(found) >= limit or not last:
                break
            kwargs["ExclusiveStartKey"] = last
        if len(found) > limit:
            found = found[:limit]
            edge = found[-1]
            last = {name: edge[name] for name in ("PK", "SK", pk_name, sk_name)}
        return Page([_ticket_from_item(i) for i in found], encode_cursor(last) if last else None)

    def by_due(
        self,
        tenant: str,
        status: TicketStatus | None,
        limit: int,
        cursor: str | None,
        filters: "InboxFilter | None" = None,
    ) -> Page:
        """Tickets with a running SLA clock, nearest due time first (a Query on the sparse GSI4)."""
        pk = keys.due_gsi(tenant)
        kwargs: dict[str, Any] = {
            "IndexName": "GSI4",
            "KeyConditionExpression": "GSI4PK = :pk",
            "ExpressionAttributeValues": {":pk": pk},
        }
        merged = (filters or InboxFilter()).with_status(status)
        return self._filtered(kwargs, "GSI4PK", pk, tenant, limit, cursor, merged)

    def active_since(self, tenant: str, since: str, limit: int) -> tuple[list[Ticket], bool]:
        """Tickets with activity since `since`, newest first (Queries on GSI2's sort key, paged up to
        `limit`); True as well when there were more than `limit`."""
        tickets: list[Ticket] = []
        start: dict[str, Any] | None = None
        while True:
            query: dict[str, Any] = {
                "IndexName": "GSI2",
                "KeyConditionExpression": "GSI2PK = :pk AND GSI2SK >= :since",
                "ExpressionAttributeValues": {":pk": keys.all_tickets_gsi(tenant), ":since": since},
                "ScanIndexForward": False,
                "Limit": limit - len(tickets),
            }
            if start:
                query["ExclusiveStartKey"] = start
            items, start = self.table.query(**query)
            tickets += [_ticket_from_item(i) for i in items]
            if not start or len(tickets) >= limit:
                return tickets, start is not None

    def queued(self, tenant: str, team: str, limit: int = 25) -> list[Ticket]:
        """Tickets waiting for an agent in a team's queue, nearest SLA due time first (one Query, sparse index)."""
        items, _ = self.table.query(
            IndexName="GSI3",
            KeyConditionExpression="GSI3PK = :pk",
            ExpressionAttributeValues={":pk": keys.queue_gsi(tenant, team)},
            Limit=limit,
        )
        return [_ticket_from_item(i) for i in items]

    # -- triage ---------------------------------------------------------------------------------

    def set_classification(
        self,
        tenant: str,
        ticket_id: str,
        covers: int,
        labels: dict[str, Any],
        now: str,
        also: list[dict[str, Any]] | None = None,
    ) -> bool:
        """Store the labels for the first `covers` messages (with `also`: the rollups a first
        classification counts); False if that was already done."""
        pk = keys.ticket_pk(tenant, ticket_id)
        event = TicketEvent(type="classified", at=now, detail=labels)
        try:
            self.table.transact(
                [
                    {
                        "Update": {
                            "Key": {"PK": pk, "SK": keys.TICKET_SK},
                            "UpdateExpression": (
                                "SET #language = :lang, sentiment = :sent, sentiment_scores = :scores,"
                                " intent = :intent, urgency = :urgency, pii_types = :pii,"
                                " classified_covers = :covers ADD version :one"
                            ),
                            "ConditionExpression": (
                                "attribute_exists(PK) AND (attribute_not_exists(classified_covers)"
                                " OR classified_covers < :covers)"
                            ),
                            "ExpressionAttributeNames": {"#language": "language"},
                            "ExpressionAttributeValues": {
                                ":lang": labels["language"],
                                ":sent": labels["sentiment"],
                                ":scores": labels["scores"],
                                ":intent": labels.get("intent"),
                                ":urgency": labels.get("urgency"),
                                ":pii": labels.get("pii_types", []),
                                ":covers": covers,
                                ":one": 1,
                            },
                        }
                    },
                    {"Put": {"Item": event_item(tenant, ticket_id, event)}},
                    *(also or []),
                ]
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                return False
            raise
        return True

    def correct_labels(
        self,
        tenant: str,
        ticket_id: str,
        version: int,
        changes: dict[str, str],
        correction: dict[str, Any],
        by: str,
        now: str,
    ) -> Ticket:
        """An agent's corrected labels: on the ticket (kept over later automatic classification), as an
        event, and as a training example, in one transaction conditional on `version`."""
        current = self._at_version(tenant, ticket_id, version)
        sets, names, vals = assignments(changes)
        vals[":fields"] = set(changes)
        before = {field: getattr(current, field) for field in changes}
        event = TicketEvent(type="labels_corrected", at=now, actor=by, detail={"from": before, "to": changes})
        expires = _epoch(now) + 730 * 86400
        return self._locked_write(
            tenant,
            ticket_id,
            [
                self._bump(tenant, ticket_id, version, sets, names, vals, adds="corrected :fields"),
                {"Put": {"Item": event_item(tenant, ticket_id, event)}},
                {
                    "Put": {
                        "Item": {
                            "PK": keys.corrections_pk(tenant),
                            "SK": f"{now}#{ticket_id}#{ids.new_id()}",
                            "entity": "correction",
                            "ticket_id": ticket_id,
                            "at": now,
                            "by": by,
                            "expires_at": expires,
                            **correction,
                        }
                    }
                },
            ],
        )

    def apply_rule_changes(
        self,
        before: Ticket,
        changes: dict[str, Any],
        requeue: bool,
        key: str,
        events: Sequence[TicketEvent],
        also: Sequence[dict[str, Any]],
    ) -> None:
        """What rules decided, written once per run `key`: the ticket's fields (conditional on the
        version the rules read), an event per fired rule and `also` (outbox items). `requeue` takes an
        unassigned ticket out of its old team's queue (the Assign step queues it in the new team's)."""
        sets, names, vals = assignments(changes)
        expression = f"SET {sets}" + (" REMOVE GSI3PK" if requeue else "") + " ADD rules_done :key, version :one"
        vals |= {":key": {key}, ":k": key, ":v": before.version, ":one": 1}
        self.table.transact(
            [
                {
                    "Update": {
                        "Key": {"PK": keys.ticket_pk(before.tenant_id, before.id), "SK": keys.TICKET_SK},
                        "UpdateExpression": expression,
                        "ConditionExpression": "version = :v AND NOT contains(rules_done, :k)",
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": vals,
                    }
                },
                *(
                    {"Put": {"Item": event_item(before.tenant_id, before.id, event, seq)}}
                    for seq, event in enumerate(events)
                ),
                *({"Put": {"Item": item}} for item in also),
            ]
        )

    def add_note(
        self, tenant: str, ticket_id: str, author: Agent, text: str, mentions: Sequence[Agent], now: str
    ) -> dict[str, Any]:
        """A private note (never sent to the customer), its event, and a notification per person mentioned."""
        from mentiondesk.store.notifications import notification_item

        note_id = ids.new_id()
        note = {
            "id": note_id,
            "author_id": author.id,
            "author_name": author.name,
            "text": text,
            "at": now,
            "mentions": [m.id for m in mentions],
        }
        event = TicketEvent(type="note_added", at=now, actor=author.id, detail={"note_id": note_id})
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "Item": {
                        "PK": keys.ticket_pk(tenant, ticket_id),
                        "SK": f"NOTE#{now}#{note_id}",
                        "entity": "note",
                        **note,
                    }
                }
            },
            {"Put": {"Item": event_item(tenant, ticket_id, event)}},
            {
                "ConditionCheck": {
                    "Key": {"PK": keys.ticket_pk(tenant, ticket_id), "SK": keys.TICKET_SK},
                    "ConditionExpression": "attribute_exists(PK)",
                }
            },
        ]
        items += [
            {
                "Put": {
                    "Item": notification_item(tenant, m.id, "mentioned", ticket_id, now, by=author.id, note_id=note_id)
                }
            }
            for m in mentions
            if m.id != author.id
        ]
        try:
            self.table.transact(items)
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                raise NotFound("ticket not found") from error
            raise
        return note

    def mark_triaged(self, tenant: str, ticket_id: str) -> None:
        """Triage ended without an assignment or a queue (a rule closed the ticket)."""
        self.table.update(
            {"PK": keys.ticket_pk(tenant, ticket_id), "SK": keys.TICKET_SK},
            "SET triage_state = :done",
            condition="attribute_exists(PK)",
            vals={":done": "done"},
        )

    def mark_triage_failed(self, tenant: str, ticket_id: str, reason: str, now: str) -> None:
        pk = keys.ticket_pk(tenant, ticket_id)
        self.table.transact(
            [
                {
                    "Update": {
                        "Key": {"PK": pk, "SK": keys.TICKET_SK},
                        "UpdateExpression": "SET triage_state = :f ADD version :one",
                        "ConditionExpression": "attribute_exists(PK)",
                        "ExpressionAttributeValues": {":f": "failed", ":one": 1},
                    }
                },
                {
                    "Put": {
                        "Item": event_item(
                            tenant,
                            ticket_id,
                            TicketEvent(type="triage_failed", at=now, detail={"reason": reason}),
                        )
                    }
                },
            ]
        )

    # -- SLA ------------------------------------------------------------------------------------

    def set_sla(
        self,
        tenant: str,
        ticket_id: str,
        generation: int,
        sla: dict[str, Any],
        also: list[dict[str, Any]] | None = None,
    ) -> bool:
        """Store the ticket's SLA evaluation if the timer `generation` read is still current.

        `sla` holds policy_id, started_at, clocks, due_at, wake_at and generation (the new one). The due
        time also orders the team queue (GSI3SK) and the due index (GSI4, only while a clock runs).
        False when another writer moved the generation on first (the caller reads again).
        """
        names = {"#g": "sla_generation"}
        vals: dict[str, Any] = {
            ":policy": sla["policy_id"],
            ":started": sla["started_at"],
            ":clocks": sla["clocks"],
            ":ng": sla["generation"],
            ":qs": keys.due_sk(sla["due_at"], ticket_id),
        }
        sets = [
            "sla_policy_id = :policy",
            "sla_started_at = :started",
            "sla_clocks = :clocks",
            "#g = :ng",
            "GSI3SK = :qs",
        ]
        removes: list[str] = []
        if sla["due_at"]:
            sets += ["sla_due_at = :due", "GSI4PK = :d", "GSI4SK = :qs"]
            vals |= {":due": sla["due_at"], ":d": keys.due_gsi(tenant)}
        else:
            removes += ["sla_due_at", "GSI4PK", "GSI4SK"]
        if sla["wake_at"]:
            sets.append("sla_wake_at = :wake")
            vals[":wake"] = sla["wake_at"]
        else:
            removes.append("sla_wake_at")
        condition = "attribute_exists(PK) AND " + ("#g = :g" if generation else "(attribute_not_exists(#g) OR #g = :g)")
        vals[":g"] = generation
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        key = {"PK": keys.ticket_pk(tenant, ticket_id), "SK": keys.TICKET_SK}
        try:
            if also:
                # Outcomes decided by this evaluation are counted with it (report rollups), exactly once.
                update = {
                    "Key": key,
                    "UpdateExpression": expression,
                    "ConditionExpression": condition,
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": vals,
                }
                self.table.transact([{"Update": update}, *also])
            else:
                self.table.update(key, expression, condition=condition, names=names, vals=vals)
        except ClientError as error:
            codes = cancellation_codes(error)
            if codes and codes[0] == "ConditionalCheckFailed":
                return False
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def fire_sla_alert(
        self, tenant: str, ticket_id: str, key: str, event: TicketEvent, also: Sequence[dict[str, Any]] = ()
    ) -> bool:
        """Record that an SLA alert fired, with its event and `also` (items such as notifications),
        exactly once and all together; False if it had fired already."""
        try:
            self.table.transact(
                [
                    {
                        "Update": {
                            "Key": {"PK": keys.ticket_pk(tenant, ticket_id), "SK": keys.TICKET_SK},
                            "UpdateExpression": "ADD sla_fired :key",
                            "ConditionExpression": "attribute_exists(PK) AND NOT contains(sla_fired, :k)",
                            "ExpressionAttributeValues": {":key": {key}, ":k": key},
                        }
                    },
                    {"Put": {"Item": event_item(tenant, ticket_id, event)}},
                    *({"Put": {"Item": item}} for item in also),
                ]
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                return False
            raise
        return True

    def reply_items(self, tenant: str, message: Message) -> list[dict[str, Any]]:
        """Transaction items that put an agent's reply that reached the customer in the thread (once: the
        message id is the key) and move the ticket's last reply time, which stops response clocks."""
        item = {
            "PK": keys.ticket_pk(tenant, message.ticket_id),
            "SK": keys.message_sk(message.received_at, message.id),
            "entity": "message",
            **message.model_dump(mode="json", exclude_none=True),
        }
        return [
            {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
            {
                "Update": {
                    "Key": {"PK": keys.ticket_pk(tenant, message.ticket_id), "SK": keys.TICKET_SK},
                    "UpdateExpression": "SET last_reply_at = :at, updated_at = :at, GSI1SK = :s, GSI2SK = :s",
                    "ConditionExpression": "attribute_exists(PK)",
                    "ExpressionAttributeValues": {
                        ":at": message.received_at,
                        ":s": keys.activity_sk(message.received_at, message.ticket_id),
                    },
                }
            },
        ]

    def record_reply(self, tenant: str, message: Message) -> bool:
        """Store an agent's reply that reached the customer; idempotent on the message id."""
        try:
            self.table.transact(self.reply_items(tenant, message))
        except ClientError as error:
            codes = cancellation_codes(error)
            if codes and codes[0] == "ConditionalCheckFailed":
                return False
            if "ConditionalCheckFailed" in codes:
                raise NotFound("ticket not found") from error
            raise
        return True

    def queue_outbox(
        self,
        tenant: str,
        ticket_id: str,
        version: int,
        item: dict[str, Any],
        event: TicketEvent,
        also: list[dict[str, Any]] | None = None,
    ) -> Ticket:
        """A person's reply or hide decision, if `version` is still current (else Conflict with the
        current ticket, whose outbox shows what a colleague just sent): the outbox item and an event,
        with the ticket's version moved on so a second agent answering the same version is told."""
        return self._locked_write(
            tenant,
            ticket_id,
            [
                self._bump(tenant, ticket_id, version, "updated_at = :now", vals={":now": event.at}),
                {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
                {"Put": {"Item": event_item(tenant, ticket_id, event)}},
                *(also or []),
            ],
        )

    def event_items(self, tenant: str, ticket_id: str, events: list[TicketEvent]) -> list[dict[str, Any]]:
        """Transaction items that add events to a ticket's history."""
        return [{"Put": {"Item": event_item(tenant, ticket_id, e, n)}} for n, e in enumerate(events)]

    # -- assignment -----------------------------------------------------------------------------

    def reassign(
        self,
        tenant: str,
        ticket_id: str,
        version: int,
        agent: Agent | None,
        by: str,
        now: str,
        force: bool = False,
    ) -> Ticket:
        """A person assigns, transfers or unassigns a ticket, conditional on `version`.

        Capacity counts active tickets (open, pending): the previous assignee gets a place back, the
        new one takes one and must be under capacity unless `force` (a supervisor's decision). An
        unassigned active ticket goes back to its team's queue, ordered by SLA due time. The new
        assignee is notified.
        """
        current = self._at_version(tenant, ticket_id, version)
        before = current.assignee.id if current.assignee else None
        after = agent.id if agent else None
        if before == after:
            return current
        active = current.status in ("open", "pending")
        pk = keys.ticket_pk(tenant, ticket_id)
        vals: dict[str, Any] = {":v": version, ":one": 1, ":now": now}
        if agent is not None:
            expression = "SET assignee = :assignee, assigned_at = :now REMOVE GSI3PK ADD version :one"
            vals[":assignee"] = {"id": agent.id, "name": agent.name}
        elif active:
            expression = "SET GSI3PK = :q, GSI3SK = :qs REMOVE assignee ADD version :one"
            vals |= {":q": keys.queue_gsi(tenant, current.team), ":qs": keys.due_sk(current.sla_due_at, ticket_id)}
        else:
            expression = "REMOVE assignee ADD version :one"
        kind = "unassigned" if agent is None else ("assigned" if before is None else "transferred")
        detail: dict[str, object] = {"from": before, "strategy": "manual"}
        if agent is not None:
            detail |= {"agent_id": agent.id, "agent_name": agent.name}
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "Key": {"PK": pk, "SK": keys.TICKET_SK},
                    "UpdateExpression": expression,
                    "ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": vals,
                }
            },
            {"Put": {"Item": event_item(tenant, ticket_id, TicketEvent(type=kind, at=now, actor=by, detail=detail))}},
        ]
        if active and before is not None:
            items.append(
                {
                    "Update": {
                        "Key": {"PK": keys.tenant_pk(tenant), "SK": keys.user_sk(before)},
                        "UpdateExpression": "ADD active_count :minus",
                        "ConditionExpression": "attribute_exists(PK) AND active_count > :zero",
                        "ExpressionAttributeValues": {":minus": -1, ":zero": 0},
                    }
                }
            )
        capacity_at: int | None = None  # where the new assignee's capacity check sits in the transaction
        if agent is not None:
            if active:
                room = "" if force else " AND active_count < #capacity"
                capacity_at = len(items)
                items.append(
                    {
                        "Update": {
                            "Key": {"PK": keys.tenant_pk(tenant), "SK": keys.user_sk(agent.id)},
                            "UpdateExpression": "SET last_assigned_at = :now ADD active_count :one",
                            "ConditionExpression": "attribute_exists(PK)" + room,
                            "ExpressionAttributeValues": {":now": now, ":one": 1},
                            **({} if force else {"ExpressionAttributeNames": {"#capacity": "capacity"}}),
                        }
                    }
                )
            items += self._last_agent_update(tenant, current, agent)
            if agent.id != by:
                from mentiondesk.store.notifications import notification_item

                items.append({"Put": {"Item": notification_item(tenant, agent.id, "assigned", ticket_id, now, by=by)}})
        try:
            self.table.transact(items)
        except ClientError as error:
            if error_code(error) != "TransactionCanceledException":
                raise
            codes = cancellation_codes(error)
            if (
                agent
                and capacity_at is not None
                and capacity_at < len(codes)
                and codes[capacity_at] == "ConditionalCheckFailed"
            ):
                fresh = self.get(tenant, ticket_id)
                raise Conflict(f"{agent.name} is at capacity", current=fresh.model_dump(mode="json")) from error
            raise self._stale(tenant, ticket_id) from error
        return self.get(tenant, ticket_id)

    def claim(self, tenant: str, ticket: Ticket, agent: Agent, strategy: str, now: str) -> None:
        """Atomically give an unassigned ticket to an agent under capacity.

        Conditions: the ticket has no assignee; the agent's `last_assigned_at` is what we read (so two
        workers picking the same agent serialise) and the agent stays within capacity.
        Raises Conflict when any condition fails; the caller reads again and decides.
        """
        pk = keys.ticket_pk(tenant, ticket.id)
        agent_key = {"PK": keys.tenant_pk(tenant), "SK": keys.user_sk(agent.id)}
        seen_condition = (
            "last_assigned_at = :seen" if agent.last_assigned_at else "attribute_not_exists(last_assigned_at)"
        )
        seen_values: dict[str, Any] = {":seen": agent.last_assigned_at} if agent.last_assigned_at else {}
        event = TicketEvent(
            type="assigned",
            at=now,
            detail={"agent_id": agent.id, "agent_name": agent.name, "strategy": strategy},
        )
        try:
            self.table.transact(
                [
                    {
                        "Update": {
                            "Key": {"PK": pk, "SK": keys.TICKET_SK},
                            "UpdateExpression": (
                                "SET assignee = :assignee, triage_state = :done, assigned_at = :now"
                                " REMOVE GSI3PK, GSI3SK ADD version :one"
                            ),
                            "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(assignee)",
                            "ExpressionAttributeValues": {
                                ":assignee": {"id": agent.id, "name": agent.name},
                                ":done": "done",
                                ":now": now,
                                ":one": 1,
                            },
                        }
                    },
                    {
                        "Update": {
                            "Key": agent_key,
                            "UpdateExpression": "SET last_assigned_at = :now ADD active_count :one",
                            "ConditionExpression": (f"{seen_condition} AND active_count < #capacity AND #online = :on"),
                            "ExpressionAttributeNames": {"#capacity": "capacity", "#online": "online"},
                            "ExpressionAttributeValues": {":now": now, ":one": 1, ":on": True, **seen_values},
                        }
                    },
                    {"Put": {"Item": event_item(tenant, ticket.id, event)}},
                    *self._last_agent_update(tenant, ticket, agent),
                ]
            )
        except ClientError as error:
            if error_code(error) == "TransactionCanceledException":
                raise Conflict("assignment lost a race") from error
            raise

    @staticmethod
    def _last_agent_update(tenant: str, ticket: Ticket, agent: Agent) -> list[dict[str, Any]]:
        """The customer's profile remembers who helped them last (a returning customer goes back there)."""
        if not ticket.customer.platform_user_id:
            return []
        return [
            {
                "Update": {
                    "Key": {
                        "PK": keys.customer_pk(tenant, ticket.platform, ticket.customer.platform_user_id),
                        "SK": keys.CUSTOMER_SK,
                    },
                    "UpdateExpression": "SET last_agent_id = :agent",
                    "ConditionExpression": "attribute_exists(PK)",
                    "ExpressionAttributeValues": {":agent": agent.id},
                }
            }
        ]

    def set_fields(
        self, tenant: str, ticket_id: str, version: int, changes: dict[str, Any], by: str, now: str
    ) -> Ticket:
        """A person changes the ticket's priority and/or tags (None: unchanged), if `version` is current."""
        changes = {k: v for k, v in changes.items() if v is not None}
        current = self._at_version(tenant, ticket_id, version)
        before = {k: getattr(current, k) for k in changes}
        if before == changes:
            return current
        if "tags" in changes:
            changes["tags"] = list(dict.fromkeys(changes["tags"]))  # once each, in order
        sets, names, vals = assignments(changes)
        event = TicketEvent(type="ticket_updated", at=now, actor=by, detail={"from": before, "to": changes})
        return self._locked_write(
            tenant,
            ticket_id,
            [
                self._bump(tenant, ticket_id, version, sets, names, vals),
                {"Put": {"Item": event_item(tenant, ticket_id, event)}},
            ],
        )

    def set_status(
        self,
        tenant: str,
        ticket_id: str,
        version: int,
        status: TicketStatus,
        by: str,
        now: str,
        also: Callable[[Ticket], list[dict[str, Any]]] | None = None,
    ) -> Ticket:
        """Change a ticket's status if `version` is current (else Conflict with the current ticket);
        `also(current)` adds items to the same transaction (the report rollups of a resolution).

        An assigned ticket counts against its agent's capacity while open or pending: leaving those
        frees a place, coming back takes one again (never refused: the customer wrote again).
        """
        current = self._at_version(tenant, ticket_id, version)
        if current.status == status:
            return current
        active = ("open", "pending")
        vals: dict[str, Any] = {":status": status, ":g1": keys.status_gsi(tenant, status), ":now": now}
        sets = "#status = :status, GSI1PK = :g1, updated_at = :now" + (
            ", resolved_at = :now" if status == "resolved" else ""
        )
        items: list[dict[str, Any]] = [
            self._bump(tenant, ticket_id, version, sets, {"#status": "status"}, vals),
            {
                "Put": {
                    "Item": event_item(
                        tenant,
                        ticket_id,
                        TicketEvent(
                            type="status_changed", at=now, actor=by, detail={"from": current.status, "to": status}
                        ),
                    )
                }
            },
        ]
        if current.assignee and (current.status in active) != (status in active):
            delta = -1 if current.status in active else 1
            items.append(
                {
                    "Update": {
                        "Key": {"PK": keys.tenant_pk(tenant), "SK": keys.user_sk(current.assignee.id)},
                        "UpdateExpression": "ADD active_count :delta",
                        "ConditionExpression": "attribute_exists(PK)"
                        + (" AND active_count > :zero" if delta < 0 else ""),
                        "ExpressionAttributeValues": {":delta": delta, **({":zero": 0} if delta < 0 else {})},
                    }
                }
            )
        if also is not None:
            items.extend(also(current))
        return self._locked_write(tenant, ticket_id, items)

    def enqueue(self, tenant: str, ticket: Ticket, now: str) -> bool:
        """Put an unassigned ticket in its team's queue; False if it is already queued or assigned."""
        pk = keys.ticket_pk(tenant, ticket.id)
        event = TicketEvent(type="queued", at=now, detail={"team": ticket.team})
        try:
            self.table.transact(
                [
                    {
                        "Update": {
                            "Key": {"PK": pk, "SK": keys.TICKET_SK},
                            "UpdateExpression": (
                                "SET GSI3PK = :q, GSI3SK = :qs, triage_state = :done ADD version :one"
                            ),
                            "ConditionExpression": (
                                "attribute_exists(PK) AND attribute_not_exists(assignee)"
                                " AND attribute_not_exists(GSI3PK)"
                            ),
                            "ExpressionAttributeValues": {
                                ":q": keys.queue_gsi(tenant, ticket.team),
                                ":qs": keys.due_sk(ticket.sla_due_at, ticket.id),
                                ":done": "done",
                                ":one": 1,
                            },
                        }
                    },
                    {"Put": {"Item": event_item(tenant, ticket.id, event)}},
                ]
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                return False
            raise
        return True


def encode_cursor(last_key: dict[str, Any]) -> str:
    """An opaque cursor: the LastEvaluatedKey as URL-safe base64 JSON."""
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, pk_name: str, pk: str, tenant: str) -> dict[str, str]:
    """Decode and check a cursor: it must point into the caller's own partition, nothing else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError) as error:  # Recursion: [[[…]]] too deep
        raise InvalidRequest("invalid cursor") from error
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise InvalidRequest("invalid cursor")
    if data.get(pk_name) != pk or not str(data.get("PK", "")).startswith(keys.tenant_pk(tenant) + "#"):
        raise InvalidRequest("invalid cursor")
    if set(data) - {"PK", "SK", pk_name, pk_name.replace("PK", "SK")}:
        raise InvalidRequest("invalid cursor")
    return data
