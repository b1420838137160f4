"""The send queue: its messages name an outbox item and nothing else (the item's state decides)."""

import json
from typing import Any

from mentiondesk.costs.metering import record_cost
from mentiondesk.errors import MalformedPayload
from mentiondesk.observability import logger, metrics
from mentiondesk.store.outbox import OutboxRef

MAX_DELAY_SECONDS = 900


def message_body(ref: OutboxRef) -> str:
    return json.dumps(ref.as_dict(), separators=(",", ":"))


def parse_message(body: str) -> OutboxRef:
    """The outbox item a queue message names; MalformedPayload for anything else (it is retried and
    then dead-lettered, where the alarm shows it)."""
    try:
        data = json.loads(body)
    except ValueError as error:
        raise MalformedPayload("the send queue's message is not JSON") from error
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), str) and data[k] for k in ("tenant", "ticket_id", "sk")
    ):
        raise MalformedPayload("the send queue's message does not name an outbox item")
    if not data["sk"].startswith("OUT#"):
        raise MalformedPayload("the send queue's message does not name an outbox item")
    return OutboxRef(data["tenant"], data["ticket_id"], data["sk"])


class SendQueue:
    """SQS SendMessage for outbox items."""

    def __init__(self, client: Any, queue_url: str) -> None:
        self.client = client
        self.queue_url = queue_url

    def __call__(self, ref: OutboxRef, delay_seconds: int = 0) -> None:
        self.client.send_message(
            QueueUrl=self.queue_url,
            MessageBody=message_body(ref),
            DelaySeconds=max(0, min(MAX_DELAY_SECONDS, int(delay_seconds))),
        )
        record_cost("aws.sqs.request", 1, "request", ref.ticket_id, tenant=ref.tenant)

    def offer(self, ref: OutboxRef) -> bool:
        """Queue a newly written item now; a failure is logged and left to the sweeper, which finds the
        PENDING item within a minute or two (the item is stored, so nothing is lost)."""
        try:
            self(ref)
        except Exception:
            logger.exception("an outbox item was not queued; the sweeper will queue it")
            metrics.add_metric(name="OutboxEnqueueFailed", unit="Count", value=1)
            return False
        return True
