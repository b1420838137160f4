"""The Meta webhook (Instagram and Facebook Pages): subscription check and event deliveries.

Same order as X: size limit, `X-Hub-Signature-256` over the raw bytes (Meta signs its escaped,
spaced JSON; never re-serialise), parse (quarantine what we cannot), then the ingest service.
"""

import json
from collections.abc import Callable, Mapping
from typing import Protocol

from mentiondesk.channels import meta, meta_graph
from mentiondesk.channels.meta_graph import MentionContentSource, SenderProfileSource
from mentiondesk.errors import MalformedPayload, NotFound, PayloadTooLarge
from mentiondesk.ingest.quarantine import quarantine
from mentiondesk.ingest.service import DeliveryOutcome, IngestService
from mentiondesk.models import Author, InboundMessage
from mentiondesk.observability import metrics
from mentiondesk.store.alerts import new_alert


class GraphSource(MentionContentSource, SenderProfileSource, Protocol):
    """What the webhook reads from the Graph API: mention content and DM senders' profiles."""


class MetaWebhook:
    def __init__(
        self,
        service: IngestService,
        app_secret: Callable[[], str],
        verify_token: Callable[[], str],
        max_body_bytes: int,
        graph: GraphSource | None = None,
    ) -> None:
        self.service = service
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.max_body_bytes = max_body_bytes
        self.graph = graph

    def subscribe(self, params: Mapping[str, str]) -> str:
        """Meta's GET verification: the challenge, or Forbidden / InvalidRequest."""
        return meta.verify_subscription(params, self.verify_token())

    def receive(self, raw_body: bytes, signature: str | None) -> DeliveryOutcome:
        if len(raw_body) > self.max_body_bytes:
            raise PayloadTooLarge(f"body over {self.max_body_bytes} bytes")
        meta.verify_signature(self.app_secret(), raw_body, signature)
        metrics.add_metric(name="WebhookVerified", unit="Count", value=1)
        try:
            events = meta.parse_delivery(json.loads(raw_body))
        except (ValueError, RecursionError, MalformedPayload) as error:  # RecursionError: JSON nested too deep
            return quarantine(self.service, "meta", raw_body, error)
        if self.graph is not None:
            # Instagram mentions come as ids: read their text and author (MetaGraphError -> 503, redelivered).
            events, counts = meta_graph.enrich_mentions(events, self.graph, on_refused=self._refused)
            for name, count in counts.items():
                if count:
                    metrics.add_metric(name=f"Mentions{name.title().replace('_', '')}", unit="Count", value=count)
            # Meta's DMs name nobody: the sender's name from their stored profile, else the User Profile API.
            events, counts = meta_graph.enrich_senders(events, self.graph, self._known_author)
            if counts["profile_unavailable"]:
                metrics.add_metric(name="SenderProfileUnavailable", unit="Count", value=counts["profile_unavailable"])
        return self.service.apply(events)

    def _known_author(self, message: InboundMessage) -> Author | None:
        """The sender as their customer profile already knows them (no Graph call for returning customers)."""
        route = self.service.store.directory.route(message.platform, message.account_id)
        if route is None:
            return None
        try:
            profile = self.service.store.customers.profile(
                route["tenant_id"], f"{message.platform}:{message.author.platform_user_id}"
            )
        except NotFound:
            return None
        author = Author.model_validate(profile.get("author") or {"platform_user_id": ""})
        # A name is what we want from the profile API; a handle alone (from a comment) is not enough.
        return author if author.platform_user_id and author.display_name else None

    def _refused(self, mention: InboundMessage, refused: meta_graph.MetaGraphRefused) -> None:
        """Graph refused our token or permission: the mention is stored as ids; an admin must renew access."""
        route = self.service.store.directory.route(mention.platform, mention.account_id)
        if route is None:
            return
        day = mention.created_at[:10]
        self.service.store.alerts.raise_once(
            new_alert(
                route["tenant_id"],
                "meta_graph_refused",
                f"{mention.platform}:{mention.account_id}",
                f"Instagram refused to show mentions of account {mention.account_id} (Graph error"
                f" {refused.code}): they are stored without their text. Renew the account's access token in"
                " the Meta secret (access_tokens).",
                self.service.clock(),
                severity="critical" if refused.code == 190 else "warning",
            ),
            f"meta_graph_refused#{mention.account_id}#{day}",
        )
