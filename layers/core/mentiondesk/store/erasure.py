"""Erasing a customer on request (APPI / GDPR): everything of theirs in one tenant, audited, with tombstones.

Every key read or written is derived from the tenant and the customer (Query, GetItem, BatchWriteItem,
TransactWriteItems; never a Scan), so another tenant's data, even of the same platform identity, is
never touched. What goes, for each erased identity (`linked=True` erases every identity linked to the
same person; otherwise the identity is only unlinked and the others stay):

- the profile and history partition `TENANT#{t}#CUST#{platform}#{user}` and its `PERSON#` link item;
  when the erased identity was the person's anchor (a person id is a customer id), the identities that
  stay move to a person id of their own, so no key keeps the erased id;
- every ticket in the history: the whole partition (ticket, messages inbound and outbound, events,
  notes, outbox, presence). Outbox items are deleted first, PENDING and SENDING ones included: a reply
  to an erased customer must not go out, and the sender treats a missing item as "missing" and does
  nothing (a SENDING item whose platform call is already in flight may still land on the platform;
  nothing of it is stored: its settling write needs the item). Then the ticket item goes in one
  transaction with the assignee's `active_count` decrement (an open or pending assigned ticket gives
  its place back), conditional on the ticket's version, so a concurrent message or assignment makes
  us read again. Once it is gone nothing joins it, the SLA timer ends (TicketNotFound -> "Ticket Gone")
  and every other writer's condition on the ticket fails;
- a thread belongs to whoever opened it: other people's replies inside those tickets go with them
  (their profiles stay). The customer's own messages inside a ticket someone else opened are found
  through the history line ingest writes for such a thread (`joined`), and for threads joined before
  those lines existed, through the profile's `last_ticket_id`; only their messages (and our answers to
  them) go, the ticket stays;
- DM conversation pointers `CONV#` and `PENDING#` markers that lead to the erased tickets (and any
  marker keyed by an erased message: it can never be consumed again);
- label corrections (`LABELS`: masked, but still the customer's words) and notifications (one Query per
  user of the tenant: feeds are short, 30 days) naming the erased tickets; sent-reply memory
  (`REPLIES`) of the customer.

Tombstones. Each erased message's native-id lookup `TENANT#{t}#MSG#{platform}#{native}` (inbound and
outbound) becomes `{"entity": "tombstone", "opened_ticket": False}` without a ticket id: the existing
"deleted before it arrived" path of `TicketStore.record_inbound`, so a replayed webhook of an old
message is a duplicate that stores nothing and starts nothing; edits and deletions of it are ignored.
Each erased identity also gets a marker `TENANT#{t}#ERASED#{sha256}` / `ERASED` holding only
`erased_at` (hashed as `customers.customer_hash`): ingest refuses what the customer wrote before the
erasure, even posts we never stored (a poller's late find), and accepts what they write afterwards as
a new relationship (a fresh profile and ticket). Both expire after TOMBSTONE_DAYS (400), not 30: X
replays days back, but the search poller reads 7 days, mentions timelines and Google reviews return
posts months old, and a year covers every such path with margin; not forever, since a tombstone
still says a message existed. An expired tombstone keeps refusing until the TTL deletes it (the safe
side: `record_inbound` must not write over it).

Audit, order and repeats. History lines go only after their tickets and the lists naming them, and
the requested profile last, in one transaction with the marker and the one audit record
(`customer_deleted`, target the hash, detail counts and the other identities' hashes), so a run that
stopped (a time-out) is finished by asking again; the counts are those of the run that finished.
Once the profile is gone a repeat is NotFound (404). A message that arrives while an erasure runs is
erased with the rest (history is read again until it is quiet, else TransientStoreError: ask again).

What stays: audit records (append-only by design; ids and hashes, never content); the customer's
messages in threads others opened that they joined before history lines were written for joins,
other than the latest (finding those would take a Scan); the tenant's learned triage model (weights, no text;
the next training run no longer sees the deleted corrections); and, expiring on their own outside
the customer's keys: the deployment-wide X read register (days), quarantined bodies (30 days), Step
Functions histories (ids only), point-in-time backups (35 days) and notifications already sent to
Slack or e-mail.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from mentiondesk.clock import parse_iso
from mentiondesk.errors import NotFound, TransientStoreError
from mentiondesk.store import keys
from mentiondesk.store.audit import audit_item, audit_put
from mentiondesk.store.customers import customer_hash, erased_key, split_customer_id
from mentiondesk.store.dynamo import Table, cancellation_codes, error_code
from mentiondesk.store.outbox import replies_pk
from mentiondesk.store.tickets import excerpt

TOMBSTONE_DAYS = 400
MAX_ROUNDS = 3  # history is read again after its tickets went, in case the customer wrote meanwhile
MAX_TICKET_ATTEMPTS = 5  # a ticket whose version keeps moving (messages, assignment) is read again
ACTIVE = ("open", "pending")  # statuses that hold a place in the assignee's capacity

Key = dict[str, str]


@dataclass
class ErasureSummary:
    """What one erasure did: ids hashed, everything else counts."""

    customer_id_hash: str
    identities: int = 0
    tickets: int = 0
    messages: int = 0
    items_deleted: int = 0
    tombstones: int = 0
    deleted_at: str = ""


def _key(item: dict[str, Any]) -> Key:
    return {"PK": str(item["PK"]), "SK": str(item["SK"])}


def _survey_keys(ticket: dict[str, Any]) -> list[Key]:
    """The ticket's satisfaction survey (its link) and the customer's answer (rating and comment)."""
    found: list[Key] = []
    if ticket.get("csat_survey"):
        found.append({"PK": f"CSAT#{ticket['csat_survey']}", "SK": "SURVEY"})
    entry = ticket.get("csat_entry")
    if isinstance(entry, dict) and entry.get("PK") and entry.get("SK"):
        found.append({"PK": str(entry["PK"]), "SK": str(entry["SK"])})
    return found


def _marker(tenant: str, customer_id: str, now: str, expires: int) -> dict[str, Any]:
    """The erased identity's marker: its hashed key and when; ingest refuses what it wrote before."""
    return {**erased_key(tenant, customer_id), "entity": "erased_customer", "erased_at": now, "expires_at": expires}


class CustomerEraser:
    """Erases one customer identity (or the whole linked person) of one tenant."""

    def __init__(self, table: Table, sleep: Callable[[float], None] | None = None) -> None:
        self.table = table
        self.sleep = sleep

    def erase(self, tenant: str, customer_id: str, *, linked: bool, actor: str, role: str, now: str) -> ErasureSummary:
        """Erase and audit; NotFound when the tenant has no such customer (or it was erased already)."""
        platform, user_id = split_customer_id(customer_id)
        profile = self.table.get({"PK": keys.customer_pk(tenant, platform, user_id), "SK": keys.CUSTOMER_SK}, True)
        if not profile:
            raise NotFound("customer not found")
        person = str(profile.get("person_id") or customer_id)
        members = self._members(tenant, person)
        targets = sorted({customer_id, *members}) if linked else [customer_id]
        expires = int((parse_iso(now) + timedelta(days=TOMBSTONE_DAYS)).timestamp())
        summary = ErasureSummary(customer_hash(tenant, customer_id), identities=len(targets), deleted_at=now)

        erased_tickets: set[str] = set()
        joined: dict[tuple[str, str], Key] = {}  # (identity, ticket) -> history line of someone else's thread
        for round_ in range(MAX_ROUNDS + 1):
            fresh: dict[str, list[Key]] = {}
            for cid in targets:
                for ticket_id, line, theirs in self._history(tenant, cid):
                    if theirs:
                        fresh.setdefault(ticket_id, []).append(line)
                    else:
                        joined[(cid, ticket_id)] = line
            if not fresh:
                break
            if round_ == MAX_ROUNDS:
                # Never drop a history line whose ticket is still there; a repeat finishes the work (503).
                raise TransientStoreError("the customer's history kept growing while it was being erased")
            for ticket_id in sorted(fresh):
                self._erase_ticket(tenant, ticket_id, now, expires, summary)
            self._erase_ticket_lists(tenant, set(fresh), summary)
            # History lines go last: a run that stopped (a time-out) finds them again and finishes.
            summary.items_deleted += self._write(deletes=[line for lines in fresh.values() for line in lines])
            erased_tickets |= set(fresh)
        for (cid, ticket_id), line in sorted(joined.items()):
            if ticket_id not in erased_tickets:
                self._erase_in_others_ticket(tenant, cid, ticket_id, now, expires, summary)
            summary.items_deleted += self._write(deletes=[line])
        for cid in targets:
            # Threads joined before history lines were written for them: the latest one is on the profile.
            latest = self._latest_ticket(tenant, cid)
            if latest and latest not in erased_tickets and (cid, latest) not in joined:
                self._erase_in_others_ticket(tenant, cid, latest, now, expires, summary)
        self._erase_reply_memory(tenant, set(targets), summary)
        self._unlink(tenant, person, set(targets), members, summary)
        for cid in targets:
            self._erase_customer_partition(tenant, cid, keep_profile=cid == customer_id, summary=summary)
        others = [cid for cid in targets if cid != customer_id]
        self._write(puts=[_marker(tenant, cid, now, expires) for cid in others])
        record = audit_item(
            tenant,
            actor,
            role,
            "customer_deleted",
            summary.customer_id_hash,
            now,
            linked=linked,
            identities=summary.identities,
            identity_hashes=[customer_hash(tenant, cid) for cid in others],
            tickets=summary.tickets,
            messages=summary.messages,
            items_deleted=summary.items_deleted + 1,
            tombstones=summary.tombstones,
        )
        try:
            self.table.transact(
                [
                    {
                        "Delete": {
                            "Key": {"PK": keys.customer_pk(tenant, platform, user_id), "SK": keys.CUSTOMER_SK},
                            "ConditionExpression": "attribute_exists(PK)",
                        }
                    },
                    {"Put": {"Item": _marker(tenant, customer_id, now, expires)}},
                    audit_put(record),
                ]
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                raise NotFound("customer not found") from error  # a concurrent erasure finished first
            raise
        summary.items_deleted += 1
        return summary

    # -- reads ----------------------------------------------------------------------------------

    def _partition(self, pk: str, projection: str | None = None) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {"KeyConditionExpression": "PK = :pk", "ExpressionAttributeValues": {":pk": pk}}
        if projection:
            kwargs["ProjectionExpression"] = projection
        else:
            kwargs["ConsistentRead"] = True
        return self.table.query_all(**kwargs)

    def _latest_ticket(self, tenant: str, customer_id: str) -> str:
        platform, user_id = split_customer_id(customer_id)
        profile = self.table.get({"PK": keys.customer_pk(tenant, platform, user_id), "SK": keys.CUSTOMER_SK}, True)
        return str((profile or {}).get("last_ticket_id") or "")

    def _members(self, tenant: str, person: str) -> list[str]:
        return sorted(str(i["customer_id"]) for i in self._partition(keys.person_pk(tenant, person)))

    def _history(self, tenant: str, customer_id: str) -> list[tuple[str, Key, bool]]:
        """The identity's tickets, each with the key of its history line and whether it is the identity's
        own (False: someone else's thread they wrote in)."""
        platform, user_id = split_customer_id(customer_id)
        items = self._partition(keys.customer_pk(tenant, platform, user_id))
        return [
            (str(i["ticket_id"]), _key(i), not i.get("joined"))
            for i in items
            if str(i["SK"]).startswith("TICKET#") and i.get("ticket_id")
        ]

    # -- writes ---------------------------------------------------------------------------------

    def _write(self, puts: Iterable[dict[str, Any]] = (), deletes: Iterable[Key] = ()) -> int:
        if self.sleep is None:
            return self.table.batch_write(puts, deletes)
        return self.table.batch_write(puts, deletes, sleep=self.sleep)

    def _delete_if(self, key: Key, condition: str, vals: dict[str, Any] | None = None) -> int:
        """1 if the item was there (and matched) and is now deleted, else 0."""
        try:
            self.table.delete(key, condition=condition, vals=vals)
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return 0
            raise
        return 1

    @staticmethod
    def _tombstone(tenant: str, message: dict[str, Any], now: str, expires: int) -> dict[str, Any]:
        """The lookup item that keeps an erased message's native id from ever being stored again."""
        return {
            "PK": keys.native_pk(tenant, str(message["platform"]), str(message["native_id"])),
            "SK": keys.NATIVE_SK,
            "entity": "tombstone",
            "deleted_at": now,
            "deleted_reason": "customer_erased",
            "opened_ticket": False,
            "expires_at": expires,
        }

    # -- one ticket -----------------------------------------------------------------------------

    def _erase_ticket(self, tenant: str, ticket_id: str, now: str, expires: int, summary: ErasureSummary) -> None:
        pk = keys.ticket_pk(tenant, ticket_id)
        seen: dict[str, dict[str, Any]] = {}
        decrement = True
        for _attempt in range(MAX_TICKET_ATTEMPTS):
            items = self._partition(pk)
            seen |= {str(i["SK"]): i for i in items if str(i["SK"]).startswith("MSG#")}
            # Outbox first: nothing may reach an erased customer, even while the ticket still exists.
            summary.items_deleted += self._write(deletes=[_key(i) for i in items if str(i["SK"]).startswith("OUT#")])
            ticket = next((i for i in items if i["SK"] == keys.TICKET_SK), None)
            if ticket is None:
                break  # gone already (an erasure that stopped half-way): sweep what is left
            summary.items_deleted += self._delete_conversations(tenant, ticket, seen.values())
            summary.items_deleted += self._write(deletes=_survey_keys(ticket))
            entries: list[dict[str, Any]] = [
                {
                    "Delete": {
                        "Key": _key(ticket),
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": {":v": ticket["version"]},
                    }
                    if "version" in ticket
                    else {"Key": _key(ticket), "ConditionExpression": "attribute_not_exists(version)"}
                }
            ]
            assignee = (ticket.get("assignee") or {}).get("id")
            if decrement and assignee and ticket.get("status") in ACTIVE:
                entries.append(
                    {
                        "Update": {
                            "Key": {"PK": keys.tenant_pk(tenant), "SK": keys.user_sk(str(assignee))},
                            "UpdateExpression": "ADD active_count :minus",
                            "ConditionExpression": "attribute_exists(PK) AND active_count > :zero",
                            "ExpressionAttributeValues": {":minus": -1, ":zero": 0},
                        }
                    }
                )
            try:
                self.table.transact(entries)
            except ClientError as error:
                codes = cancellation_codes(error)
                if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                    decrement = False  # the agent is gone or holds no place: nothing to give back
                elif "ConditionalCheckFailed" not in codes and "TransactionConflict" not in codes:
                    raise
                continue
            summary.tickets += 1
            summary.items_deleted += 1
            break
        else:
            raise TransientStoreError("the ticket kept changing while it was being erased")
        # The ticket is gone, so nothing joins it any more: tombstone every message, then sweep.
        rest = self._partition(pk)
        seen |= {str(i["SK"]): i for i in rest if str(i["SK"]).startswith("MSG#")}
        messages = list(seen.values())
        summary.messages += len(messages)
        tombstones = {
            t["PK"]: t for t in (self._tombstone(tenant, m, now, expires) for m in messages if m.get("native_id"))
        }
        summary.tombstones += self._write(puts=tombstones.values())
        summary.items_deleted += self._delete_markers(tenant, ticket_id, messages)
        for _sweep in range(MAX_ROUNDS):
            if not rest:
                break
            summary.items_deleted += self._write(deletes=[_key(i) for i in rest])
            rest = self._partition(pk)  # presence or an edit's event written meanwhile

    def _delete_conversations(self, tenant: str, ticket: dict[str, Any], messages: Iterable[dict[str, Any]]) -> int:
        """DM conversation pointers that lead to this ticket (not ones that moved on to another)."""
        conversations = {str(m["conversation_id"]) for m in messages if m.get("kind") == "dm"}
        return sum(
            self._delete_if(
                {
                    "PK": keys.conversation_pk(tenant, str(ticket["platform"]), str(ticket["account_id"]), conv),
                    "SK": keys.CONVERSATION_SK,
                },
                "ticket_id = :t",
                {":t": ticket["id"]},
            )
            for conv in sorted(conversations)
        )

    def _delete_markers(self, tenant: str, ticket_id: str, messages: list[dict[str, Any]]) -> int:
        """PENDING markers: any keyed by an erased message (it can never arrive again), and those its
        replies left for a parent that had not arrived, when they lead to this ticket."""
        own = {(str(m["platform"]), str(m["native_id"])) for m in messages if m.get("native_id")}
        parents = {(str(m["platform"]), str(m["reply_to"])) for m in messages if m.get("reply_to")} - own
        deleted = sum(
            self._delete_if({"PK": keys.pending_pk(tenant, p, n), "SK": keys.PENDING_SK}, "attribute_exists(PK)")
            for p, n in sorted(own)
        )
        return deleted + sum(
            self._delete_if(
                {"PK": keys.pending_pk(tenant, p, n), "SK": keys.PENDING_SK}, "ticket_id = :t", {":t": ticket_id}
            )
            for p, n in sorted(parents)
        )

    def _erase_in_others_ticket(
        self, tenant: str, customer_id: str, ticket_id: str, now: str, expires: int, summary: ErasureSummary
    ) -> None:
        """The customer's messages in a ticket someone else opened (a reply in their thread), our replies
        to those messages and outbox items addressed to them; the ticket itself stays."""
        platform, user_id = split_customer_id(customer_id)
        items = self._partition(keys.ticket_pk(tenant, ticket_id))
        theirs = [
            i
            for i in items
            if str(i["SK"]).startswith("MSG#")
            and i.get("direction") == "inbound"
            and i.get("platform") == platform
            and (i.get("author") or {}).get("platform_user_id") == user_id
        ]
        if not theirs:
            return
        native = {str(m["native_id"]) for m in theirs}
        answers = [
            i
            for i in items
            if str(i["SK"]).startswith("MSG#") and i.get("direction") == "outbound" and i.get("reply_to") in native
        ]
        outbox = [
            i
            for i in items
            if str(i["SK"]).startswith("OUT#")
            and (i.get("reply_to_native_id") in native or i.get("target_native_id") in native)
        ]
        messages = theirs + answers
        summary.items_deleted += self._write(deletes=[_key(i) for i in outbox])
        summary.tombstones += self._write(puts=[self._tombstone(tenant, m, now, expires) for m in messages])
        summary.items_deleted += self._write(deletes=[_key(m) for m in messages])
        summary.items_deleted += self._delete_markers(tenant, ticket_id, messages)
        summary.messages += len(messages)
        ticket = next((i for i in items if i["SK"] == keys.TICKET_SK), None)
        shown = {excerpt(str(m.get("text") or "")) for m in messages}
        if ticket and ticket.get("last_message_excerpt") in shown:
            # The inbox line showed their words: blank it (only if nothing newer replaced it meanwhile).
            self._blank_excerpt(_key(ticket), str(ticket["last_message_excerpt"]))

    def _blank_excerpt(self, key: Key, shown: str) -> None:
        try:
            self.table.update(
                key,
                "SET last_message_excerpt = :blank",
                condition="last_message_excerpt = :shown",
                vals={":blank": "", ":shown": shown},
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise

    # -- the tenant's lists -----------------------------------------------------------------------

    def _erase_ticket_lists(self, tenant: str, tickets: set[str], summary: ErasureSummary) -> None:
        """The tenant's label corrections and everyone's notifications that name these tickets."""
        corrections = self._partition(keys.corrections_pk(tenant), "PK, SK, ticket_id")
        doomed = [_key(i) for i in corrections if i.get("ticket_id") in tickets]
        users = self.table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :u)",
            ExpressionAttributeValues={":pk": keys.tenant_pk(tenant), ":u": "USER#"},
            ProjectionExpression="SK",
        )
        for user in users:
            user_id = str(user["SK"]).removeprefix("USER#")
            feed = self._partition(keys.notifications_pk(tenant, user_id), "PK, SK, ticket_id")
            doomed += [_key(i) for i in feed if i.get("ticket_id") in tickets]
        summary.items_deleted += self._write(deletes=doomed)

    def _erase_reply_memory(self, tenant: str, customer_ids: set[str], summary: ErasureSummary) -> None:
        """Replies the composer remembers having sent to the customer (copy-paste check)."""
        replies = self._partition(replies_pk(tenant), "PK, SK, customer_id")
        summary.items_deleted += self._write(deletes=[_key(i) for i in replies if i.get("customer_id") in customer_ids])

    def _unlink(self, tenant: str, person: str, erased: set[str], members: list[str], summary: ErasureSummary) -> None:
        """Remove erased identities from their person; if the person's id was an erased identity, the
        identities that stay move to a new person id (the smallest of theirs)."""
        if not members:
            return
        old_pk = keys.person_pk(tenant, person)
        staying = [m for m in members if m not in erased]
        summary.items_deleted += sum(1 for m in members if m in erased)
        if person not in erased or not staying:
            self._write(deletes=[{"PK": old_pk, "SK": f"ID#{m}"} for m in members if m in erased])
            return
        items = {str(i["customer_id"]): i for i in self._partition(old_pk)}
        new_person = staying[0]
        if len(staying) > 1:
            self._write(
                puts=[
                    {**items[m], "PK": keys.person_pk(tenant, new_person), "SK": f"ID#{m}"}
                    for m in staying
                    if m in items
                ]
            )
        for member in staying:
            platform, user_id = split_customer_id(member)
            try:
                self.table.update(
                    {"PK": keys.customer_pk(tenant, platform, user_id), "SK": keys.CUSTOMER_SK},
                    "SET person_id = :p",
                    condition="attribute_exists(PK)",
                    vals={":p": new_person},
                )
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
        self._write(deletes=[{"PK": old_pk, "SK": f"ID#{m}"} for m in members])

    def _erase_customer_partition(
        self, tenant: str, customer_id: str, *, keep_profile: bool, summary: ErasureSummary
    ) -> None:
        """History lines and the profile; the requested profile stays for the final, audited transaction."""
        platform, user_id = split_customer_id(customer_id)
        items = self._partition(keys.customer_pk(tenant, platform, user_id))
        doomed = [_key(i) for i in items if not (keep_profile and i["SK"] == keys.CUSTOMER_SK)]
        summary.items_deleted += self._write(deletes=doomed)
