"""The outbox sender: one outbox item from the send queue to its platform, at most once.

The queue's message only names the item; the item's state decides. A PENDING item is leased
(claimed), sent, and settled in one conditional write with its reply's place in the thread:
SENT, FAILED (the platform refused: the agent is told why), UNKNOWN (the platform may have it: a
person decides, nothing is resent), or PENDING again when the platform certainly did not take it
(rate limited, unreachable), queued again for later. Redelivered messages find the item leased or
settled and do nothing; a lease that ran out means its worker died mid-send, and makes it UNKNOWN.
The sweeper (every minute) re-queues PENDING items whose message was lost and settles expired leases.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from mentiondesk.clock import iso, parse_iso, utcnow
from mentiondesk.costs.metering import record_cost
from mentiondesk.errors import NotFound
from mentiondesk.models import Author, Message, TicketEvent
from mentiondesk.observability import logger, metrics
from mentiondesk.replies.lint import extract_urls
from mentiondesk.replies.platforms import (
    PlatformSender,
    SendAmbiguous,
    SendNotDelivered,
    SendRateLimited,
    SendRefused,
    SendRequest,
    Sent,
)
from mentiondesk.reports import events
from mentiondesk.sla import service as sla
from mentiondesk.store.factory import Store
from mentiondesk.store.notifications import notification_item
from mentiondesk.store.outbox import (
    SWEEP_GRACE_SECONDS,
    OutboxConflict,
    OutboxRef,
    OutboxTransitions,
    recent_reply_item,
)

Outcome = Literal["sent", "failed", "unknown", "deferred", "skipped", "missing"]
MAX_QUEUE_DELAY = 900  # SQS DelaySeconds' ceiling; a later not_before is met by queueing again on arrival


class Requeue(Protocol):
    def __call__(self, ref: OutboxRef, delay_seconds: int) -> None: ...


@dataclass(frozen=True)
class SendPolicy:
    lease_seconds: int = 60  # longer than the platform call's timeout plus the settling write
    max_attempts: int = 6  # tries while the platform is unreachable, before the reply is given up as FAILED
    backoff_seconds: int = 30  # doubles per attempt


def request_for(item: dict[str, Any]) -> SendRequest:
    """The platform call an outbox item stands for."""
    mode = item.get("mode")
    return SendRequest(
        operation=item["operation"],
        platform=item["platform"],
        account_id=str(item["account_id"]),
        mode=mode,
        target_id=item.get("reply_to_native_id") or item.get("target_native_id"),
        recipient_id=item.get("recipient_id"),
        text=item.get("text"),
        hidden=bool(item.get("hidden", True)),
        human_agent=bool(item.get("human_agent", False)),
    )


def platform_fee(item: dict[str, Any]) -> tuple[str, str] | None:
    """The price-table item and unit an accepted outbox item is billed at (X charges for creating a post
    or a DM, far more for a post with a URL); None where the platform charges nothing (Meta, Google,
    hiding a reply)."""
    if item.get("platform") != "x" or item.get("operation") != "reply":
        return None
    if item.get("mode") == "dm":
        return "x.dm_create", "event"
    return ("x.post_create_with_url" if extract_urls(str(item.get("text") or "")) else "x.post_create"), "post"


def bill_platform_fee(tenant: str, ticket_id: str, item: dict[str, Any]) -> None:
    fee = platform_fee(item)
    if fee is not None:
        record_cost(fee[0], 1, fee[1], ticket_id, tenant=tenant)


def reply_message(item: dict[str, Any], platform_id: str, url: str | None, now: str) -> Message:
    """A reply that reached the customer, as the thread shows it. Its id is the outbox item's, so the
    thread holds each reply once however often it is recorded."""
    mode = item.get("mode")
    return Message(
        id=item["id"],
        ticket_id=item["ticket_id"],
        direction="outbound",
        platform=item["platform"],
        kind="dm" if mode in ("dm", "private_reply") else "reply",
        native_id=platform_id,
        conversation_id=str(item.get("conversation_id") or item.get("reply_to_native_id") or item["ticket_id"]),
        reply_to=item.get("reply_to_native_id"),
        author=Author(platform_user_id=str(item["account_id"]), display_name=item.get("author_name")),
        text=str(item.get("text") or ""),
        lang_hint=item.get("language"),
        created_at=now,
        received_at=now,
        url=url,
    )


def _agent_of(source: str) -> str | None:
    kind, _, who = source.partition(":")
    return who if kind == "agent" and who else None


class OutboxSender:
    def __init__(
        self,
        store: Store,
        platforms: PlatformSender,
        timers: sla.Timers,
        requeue: Requeue,
        worker: str,
        *,
        clock: Callable[[], datetime] = utcnow,
        policy: SendPolicy | None = None,
    ) -> None:
        self.store = store
        self.platforms = platforms
        self.timers = timers
        self.requeue = requeue
        self.worker = worker
        self.clock = clock
        self.policy = policy or SendPolicy()
        self.transitions = OutboxTransitions(store.table)

    # -- one item ---------------------------------------------------------------------------------

    def process(self, ref: OutboxRef) -> Outcome:
        """Take the item one step; never sends an item twice and never sends a settled or leased one."""
        now = self.clock()
        at = iso(now)
        item = self.store.outbox.get(ref)
        if item is None:
            return "missing"
        if item["status"] == "SENDING":
            return self._expire(ref, item, at)
        if item["status"] != "PENDING":
            return "skipped"  # a redelivery: the item is settled
        not_before = item.get("not_before")
        if not_before and not_before > at:
            self.requeue(ref, _seconds_until(now, not_before))
            return "deferred"
        try:
            claimed = self.transitions.claim(
                ref, item["id"], self.worker, at, iso(now + timedelta(seconds=self.policy.lease_seconds))
            )
        except OutboxConflict:
            return "skipped"  # another worker took it a moment ago
        return self._send(ref, claimed)

    def _send(self, ref: OutboxRef, item: dict[str, Any]) -> Outcome:
        try:
            sent = self.platforms.send(request_for(item))
        except SendRateLimited as limited:
            return self._later(ref, item, max(limited.not_before, int(self.clock().timestamp()) + 1), limited.reason)
        except SendNotDelivered as error:
            return self._retry_or(ref, item, error.reason, give_up="FAILED")
        except SendAmbiguous as error:
            if error.safe_to_retry:
                return self._retry_or(ref, item, error.reason, give_up="UNKNOWN")
            return self._settle_unknown(ref, item, error.reason)
        except SendRefused as error:
            return self._settle_failed(ref, item, error.reason, error.code)
        bill_platform_fee(ref.tenant, ref.ticket_id, item)  # the platform billed it when it accepted
        return self._settle_sent(ref, item, sent)

    def _retry_or(self, ref: OutboxRef, item: dict[str, Any], reason: str, give_up: str) -> Outcome:
        attempts = int(item.get("attempts", 1))
        if attempts >= self.policy.max_attempts:
            why = f"{reason} (gave up after {attempts} attempts)"
            if give_up == "FAILED":
                return self._settle_failed(ref, item, why, "unreachable")
            return self._settle_unknown(ref, item, why)
        delay = min(self.policy.backoff_seconds * 2 ** (attempts - 1), 3600)
        return self._later(ref, item, int(self.clock().timestamp()) + delay, reason)

    def _later(self, ref: OutboxRef, item: dict[str, Any], not_before: int, reason: str) -> Outcome:
        when = iso(datetime.fromtimestamp(not_before, tz=self.clock().tzinfo))
        try:
            self.transitions.defer(ref, item["id"], self.worker, when, reason)
        except OutboxConflict:
            return "skipped"  # the lease ran out and the sweeper settled it meanwhile
        metrics.add_metric(name="ReplyDeferred", unit="Count", value=1)
        self.requeue(ref, _seconds_until(self.clock(), when))
        return "deferred"

    def _settle_sent(self, ref: OutboxRef, item: dict[str, Any], sent: Sent) -> Outcome:
        now = iso(self.clock())
        also: list[dict[str, Any]] = []
        if item["operation"] == "reply":
            if not str(item.get("source", "")).startswith("system:"):
                also += self._reply_rollups(ref, item, now)  # a survey DM is not an answer to the customer
            also += self.store.tickets.reply_items(ref.tenant, reply_message(item, sent.platform_id, sent.url, now))
            if item.get("customer_id") and item.get("text"):
                remembered = recent_reply_item(ref.tenant, item["id"], item["customer_id"], item["text"], now)
                also.append({"Put": {"Item": remembered}})
            event = TicketEvent(
                type="reply_sent",
                at=now,
                actor=item["source"],
                detail={"outbox_id": item["id"], "mode": item.get("mode"), "platform_id": sent.platform_id},
            )
        else:
            event = TicketEvent(
                type="comment_hidden" if item.get("hidden", True) else "comment_unhidden",
                at=now,
                actor=item["source"],
                detail={"outbox_id": item["id"], "target": item.get("target_native_id")},
            )
        also += self.store.tickets.event_items(ref.tenant, ref.ticket_id, [event])
        try:
            self.transitions.sent(ref, self.worker, now, sent.platform_id, sent.url, also)
        except OutboxConflict:
            # Someone else settled it (a person marked it sent or cancelled): the platform has it anyway.
            logger.warning("a sent outbox item was settled by someone else", extra={"outbox_id": item["id"]})
            return "skipped"
        metrics.add_metric(name="ReplySent", unit="Count", value=1)
        if item["operation"] == "reply":
            self._stop_clocks(ref)
        return "sent"

    def _reply_rollups(self, ref: OutboxRef, item: dict[str, Any], now: str) -> list[dict[str, Any]]:
        """The report rollups this reply counts (replies, first or next response), in its SENT transaction."""
        try:
            detail = self.store.tickets.detail(ref.tenant, ref.ticket_id)
        except NotFound:
            return []  # the ticket is gone (erased): its reply still settles, nothing to count
        calendar = sla.calendar_for(self.store, ref.tenant, detail.ticket.team)
        agent = _agent_of(str(item.get("source", ""))) or "automation"
        return events.reply_sent(detail.ticket, detail.messages, now, agent, calendar)

    def _stop_clocks(self, ref: OutboxRef) -> None:
        try:
            ticket = self.store.tickets.get(ref.tenant, ref.ticket_id)
            if ticket.sla_started_at:
                sla.refresh(self.store, self.timers, ref.tenant, ref.ticket_id, self.clock())
        except Exception:  # the reply is out and recorded; the SLA timer's next check sees it anyway
            logger.exception("the SLA clocks were not refreshed after a reply", extra={"ticket_id": ref.ticket_id})
            metrics.add_metric(name="SlaRefreshFailed", unit="Count", value=1)

    def _settle_failed(self, ref: OutboxRef, item: dict[str, Any], reason: str, code: str | None) -> Outcome:
        return self._settle(ref, "failed", lambda at: self.transitions.failed(ref, self.worker, at, reason, code))

    def _settle_unknown(self, ref: OutboxRef, item: dict[str, Any], reason: str) -> Outcome:
        return self._settle(ref, "unknown", lambda at: self.transitions.unknown(ref, self.worker, at, reason))

    def _settle(self, ref: OutboxRef, outcome: Literal["failed", "unknown"], move: Callable[[str], Any]) -> Outcome:
        """Settle a leased item as FAILED or UNKNOWN and tell whoever must act."""
        try:
            settled = move(iso(self.clock()))
        except OutboxConflict:
            return "skipped"  # the lease ran out and the sweeper settled it meanwhile
        metrics.add_metric(name=f"Reply{outcome.title()}", unit="Count", value=1)
        self._tell(ref, settled, f"reply_{outcome}")
        return outcome

    def _expire(self, ref: OutboxRef, item: dict[str, Any], at: str) -> Outcome:
        if str(item.get("lease_until", "")) >= at:
            return "skipped"  # its worker is still on it
        settled = self.transitions.abandon(ref, at)
        if settled is None:
            return "skipped"
        metrics.add_metric(name="ReplyUnknown", unit="Count", value=1)
        self._tell(ref, settled, "reply_unknown")
        return "unknown"

    def _tell(self, ref: OutboxRef, item: dict[str, Any], kind: str) -> None:
        """An event on the ticket and a notification to whoever must act: the agent who wrote it, or
        the ticket's assignee for a rule's reply."""
        at = iso(self.clock())
        detail = {
            "outbox_id": item["id"],
            "operation": item["operation"],
            "reason": item.get("reason"),
            "code": item.get("reason_code"),
        }
        items = self.store.tickets.event_items(
            ref.tenant, ref.ticket_id, [TicketEvent(type=kind, at=at, actor="system", detail=detail)]
        )
        who = _agent_of(str(item.get("source", "")))
        if who is None:
            try:
                assignee = self.store.tickets.get(ref.tenant, ref.ticket_id).assignee
            except NotFound:
                assignee = None
            who = assignee.id if assignee else None
        if who:
            items.append({"Put": {"Item": notification_item(ref.tenant, who, kind, ref.ticket_id, at, **detail)}})
        self.store.table.transact(items)

    # -- the sweeper ------------------------------------------------------------------------------

    def sweep(self, limit: int = 100) -> dict[str, int]:
        """Re-queue PENDING items whose queue message seems lost; settle leases that ran out as UNKNOWN."""
        now = self.clock()
        at = iso(now)
        counts = {"requeued": 0, "abandoned": 0, "settled": 0}
        for ref in self.store.outbox.needing_attention(at, limit):
            item = self.store.outbox.get(ref)
            if item is None:
                continue
            if item["status"] == "PENDING":
                self.requeue(ref, _seconds_until(now, str(item.get("not_before") or at)))
                self.transitions.recheck_later(ref, item["id"], iso(now + timedelta(seconds=SWEEP_GRACE_SECONDS * 5)))
                counts["requeued"] += 1
            elif item["status"] == "SENDING":
                if self._expire(ref, item, at) == "unknown":
                    counts["abandoned"] += 1
            else:
                counts["settled"] += 1  # settled between the index read and now
        if counts["requeued"]:
            metrics.add_metric(name="OutboxRequeued", unit="Count", value=counts["requeued"])
        return counts


def _seconds_until(now: datetime, when: str) -> int:
    return max(0, min(MAX_QUEUE_DELAY, int((parse_iso(when) - now).total_seconds() + 0.999)))
