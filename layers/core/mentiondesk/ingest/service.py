"""Applying normalised events from any platform: route each to its tenant, store it exactly once,
start triage for new tickets. Platform adapters (channels/*) only parse; this decides."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from mentiondesk.clock import parse_iso
from mentiondesk.costs.metering import serve_ticket
from mentiondesk.models import (
    AccountRevocation,
    IgnoredEvent,
    InboundEvent,
    InboundMessage,
    MessageDeletion,
    MessageEdit,
)
from mentiondesk.observability import logger, metrics
from mentiondesk.store.alerts import new_alert
from mentiondesk.store.factory import Store
from mentiondesk.store.keys import customer_id


class TriageStarter(Protocol):
    def start_triage(self, tenant: str, ticket_id: str, message_id: str | None = None) -> bool: ...


@dataclass
class DeliveryOutcome:
    """What one delivery did (the webhook's 200 body)."""

    accepted: int = 0
    duplicates: int = 0
    edited: int = 0
    deleted: int = 0
    revoked: int = 0
    ignored: dict[str, int] = field(default_factory=dict)
    tickets: list[str] = field(default_factory=list)
    quarantined: str | None = None

    def ignore(self, kind: str, count: int = 1) -> None:
        self.ignored[kind] = self.ignored.get(kind, 0) + count

    def as_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "ignored": self.ignored,
        }
        for name in ("edited", "deleted", "revoked"):
            if getattr(self, name):
                body[name] = getattr(self, name)
        if self.quarantined:
            body["quarantined"] = self.quarantined
        return body


class IngestService:
    """Routes and stores events; every step is idempotent, so redeliveries change nothing."""

    def __init__(
        self, store: Store, starter: TriageStarter, clock: Callable[[], str], dm_window_seconds: int = 86_400
    ) -> None:
        self.store = store
        self.starter = starter
        self.clock = clock
        self.dm_window_seconds = dm_window_seconds

    def apply(self, events: list[InboundEvent], outcome: DeliveryOutcome | None = None) -> DeliveryOutcome:
        outcome = outcome or DeliveryOutcome()
        routes: dict[tuple[str, str], dict[str, Any] | None] = {}
        for event in events:
            if isinstance(event, IgnoredEvent):
                outcome.ignore(event.kind)
                continue
            key = (event.platform, event.account_id)
            if key not in routes:
                routes[key] = self.store.directory.route(*key)
                if routes[key] is None:
                    # The brand-side account id (ours, not a customer's): what an admin needs to register it.
                    logger.info("event for an unregistered account", extra={"platform": key[0], "account_id": key[1]})
            route = routes[key]
            if route is None:
                metrics.add_metric(name="WebhookUnknownAccount", unit="Count", value=1)
                outcome.ignore("unknown_account")
                continue
            if isinstance(event, AccountRevocation):
                self._revoke(event, route, outcome)
            elif route.get("status") == "revoked":
                # Access was revoked: nothing more is stored for this account until an admin reconnects it.
                outcome.ignore("account_revoked")
            elif isinstance(event, InboundMessage):
                self._message(event, route, outcome)
            elif isinstance(event, MessageEdit):
                ticket = self.store.tickets.edit_message(
                    route["tenant_id"],
                    event.platform,
                    event.native_id,
                    event.text,
                    event.rating,
                    event.edited_at,
                    self.clock(),
                )
                if ticket:
                    outcome.edited += 1
                else:
                    outcome.ignore("edit_of_unknown_message")
            elif isinstance(event, MessageDeletion):
                self.store.tickets.mark_deleted(
                    route["tenant_id"],
                    event.platform,
                    event.native_id,
                    event.deleted_at,
                    event.reason,
                    self.clock(),
                )
                outcome.deleted += 1
                metrics.add_metric(name="MessageDeleted", unit="Count", value=1)
        if outcome.ignored:
            logger.info("events not stored", extra={"ignored": outcome.ignored})
        return outcome

    def _message(self, msg: InboundMessage, route: dict[str, Any], outcome: DeliveryOutcome) -> None:
        tenant = route["tenant_id"]
        now = self.clock()
        if self._written_before_erasure(tenant, msg, now):
            outcome.ignore("erased_customer")
            metrics.add_metric(name="ErasedCustomerMessageDropped", unit="Count", value=1)
            return
        result = self.store.tickets.record_inbound(
            tenant, route.get("team", "support"), msg, now, self.dm_window_seconds
        )
        if result.duplicate:
            outcome.duplicates += 1
            metrics.add_metric(name="WebhookDuplicate", unit="Count", value=1)
        else:
            outcome.accepted += 1
            metrics.add_metric(name="MessageStored", unit="Count", value=1)
        if result.created:
            metrics.add_metric(name="TicketCreated", unit="Count", value=1)
        if result.ticket_id is None:
            return  # deleted before it arrived
        serve_ticket(
            tenant, result.ticket_id, channel=msg.platform, team=route.get("team", "support"), brand=msg.account_id
        )
        # A duplicate may be the platform retrying after our start failed: start again (execution
        # names are deterministic, so a start that happened is a no-op). A message that opened its
        # ticket starts the ticket's triage; one that joined a ticket starts that message's run
        # (classify again, rules for the message, SLA clocks: next response).
        if result.created or (result.duplicate and result.opened_ticket):
            self.starter.start_triage(tenant, result.ticket_id)
        elif result.message_id:
            self.starter.start_triage(tenant, result.ticket_id, result.message_id)
        outcome.tickets.append(result.ticket_id)

    def _written_before_erasure(self, tenant: str, msg: InboundMessage, now: str) -> bool:
        """The author's data was erased on request after they wrote this (a replay, a poller's late
        find): it is never stored. What they write after the erasure is a new relationship and is kept."""
        if not msg.author.platform_user_id:
            return False
        erased_at = self.store.customers.erased_at(tenant, customer_id(msg.platform, msg.author.platform_user_id), now)
        return erased_at is not None and parse_iso(msg.created_at) <= parse_iso(erased_at)

    def _revoke(self, event: AccountRevocation, route: dict[str, Any], outcome: DeliveryOutcome) -> None:
        if self.store.directory.revoke_channel(event.platform, event.account_id, event.at):
            # ChannelRevoked has an alarm in template.yaml: the admins' alert.
            metrics.add_metric(name="ChannelRevoked", unit="Count", value=1)
            logger.warning(
                "channel access revoked", extra={"platform": event.platform, "tenant_id": route["tenant_id"]}
            )
            subject = f"{event.platform}:{event.account_id}"
            self.store.alerts.raise_once(
                new_alert(
                    route["tenant_id"],
                    "channel_revoked",
                    subject,
                    f"The {event.platform} account {event.account_id} revoked Mentiondesk's access: nothing arrives"
                    " from it until it is connected again.",
                    event.at,
                    severity="critical",
                ),
                f"channel_revoked#{subject}#{event.at}",
            )
        outcome.revoked += 1
