"""webhook_x: GET answers X's CRC challenge; POST verifies and ingests Account Activity events."""

from typing import Any

from mentiondesk import http
from mentiondesk.clock import now_iso
from mentiondesk.config import SecretCache, XWebhookSettings
from mentiondesk.costs.metering import meter_handler
from mentiondesk.errors import InvalidRequest, PayloadTooLarge, SignatureInvalid
from mentiondesk.ingest.service import IngestService
from mentiondesk.ingest.x_webhook import XWebhook
from mentiondesk.observability import logger, metrics
from mentiondesk.store.factory import aws_client, store_for
from mentiondesk.workflow import WorkflowStarter

settings = XWebhookSettings.from_env()
_secret = (
    settings.mentiondesk_x_consumer_secret.get_secret_value
    if settings.mentiondesk_x_consumer_secret
    else SecretCache(settings.x_consumer_secret_arn or "").get
)
service = IngestService(
    store=store_for(settings.table_name),
    starter=WorkflowStarter(aws_client("stepfunctions"), settings.ticket_workflow_arn),
    clock=now_iso,
    dm_window_seconds=settings.dm_window_hours * 3600,
)
webhook = XWebhook(service, consumer_secret=_secret, max_body_bytes=settings.max_body_bytes)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@meter_handler("webhook_x")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        if http.method(event) == "GET":
            return http.respond(200, webhook.crc(http.query(event, "crc_token")))
        raw = http.raw_body(event, settings.max_body_bytes)
        outcome = webhook.receive(raw, http.header(event, "x-twitter-webhooks-signature"))
        return http.respond(200, outcome.as_body())
    except SignatureInvalid:
        metrics.add_metric(name="WebhookRejected", unit="Count", value=1)
        return http.error(401, "invalid signature")
    except PayloadTooLarge:
        return http.error(413, "payload too large")
    except InvalidRequest as error:
        return http.error(400, str(error))
    # Anything else propagates: API Gateway answers 5xx, so X delivers the event again.
