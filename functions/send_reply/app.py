"""send_reply: sends outbox items named by the send queue (partial batch failures), and every minute
re-queues items whose message was lost and settles expired leases (see mentiondesk.replies.sender)."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from mentiondesk.config import SendReplySettings
from mentiondesk.costs.metering import meter_handler, record_cost
from mentiondesk.observability import logger, metrics
from mentiondesk.replies.queue import parse_message
from mentiondesk.replies.runtime import build_sender

sender = build_sender(SendReplySettings.from_env())
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> str:
    return sender.process(parse_message(record.body))


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@meter_handler("send_reply")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    sender.worker = context.aws_request_id  # the lease owner: one invocation at a time per instance
    if event.get("source") == "aws.scheduler":
        return sender.sweep()
    # The event source mapping's ReceiveMessage and DeleteMessageBatch for this batch
    record_cost("aws.sqs.request", 2, "request")
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
