"""What both X polling functions build once per cold start."""

import json
from typing import Any

from mentiondesk.clock import now_iso, utcnow
from mentiondesk.config import SecretCache, XPollSettings
from mentiondesk.ingest.service import IngestService
from mentiondesk.polling.x_poller import XPoller
from mentiondesk.store.factory import aws_client, store_for
from mentiondesk.workflow import WorkflowStarter


def build_poller(settings: XPollSettings) -> XPoller:
    from mentiondesk.channels.x_api import XApiClient

    if settings.mentiondesk_x_bearer_token:
        token = settings.mentiondesk_x_bearer_token.get_secret_value
    else:
        secret = SecretCache(settings.x_api_secret_arn or "")

        def token() -> str:
            return str(json.loads(secret.get())["bearer_token"])

    service = IngestService(
        store_for(settings.table_name),
        WorkflowStarter(aws_client("stepfunctions"), settings.ticket_workflow_arn),
        now_iso,
        settings.dm_window_hours * 3600,
    )
    return XPoller(service, XApiClient(token, base_url=settings.x_api_base_url), utcnow)


def time_left(context: Any) -> float:
    """Seconds the invocation has left (a generous default when the context cannot say)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return remaining() / 1000 if callable(remaining) else 60.0
