"""webhook_meta: Meta's subscription check (GET) and Instagram / Facebook Page deliveries (POST)."""

import json
from typing import Any

from mentiondesk import http
from mentiondesk.channels.meta_graph import MetaGraphClient, MetaGraphError
from mentiondesk.clock import now_iso
from mentiondesk.config import MetaWebhookSettings, SecretCache, meta_access_tokens
from mentiondesk.costs.metering import meter_handler
from mentiondesk.errors import Forbidden, InvalidRequest, PayloadTooLarge, SignatureInvalid
from mentiondesk.ingest.meta_webhook import MetaWebhook
from mentiondesk.ingest.service import IngestService
from mentiondesk.observability import logger, metrics
from mentiondesk.store.factory import aws_client, store_for
from mentiondesk.workflow import WorkflowStarter

settings = MetaWebhookSettings.from_env()

if settings.mentiondesk_meta_app_secret and settings.mentiondesk_meta_verify_token:
    _app_secret = settings.mentiondesk_meta_app_secret.get_secret_value
    _verify_token = settings.mentiondesk_meta_verify_token.get_secret_value
else:
    _secret = SecretCache(settings.meta_secret_arn or "")

    def _app_secret() -> str:
        return str(json.loads(_secret.get())["app_secret"])

    def _verify_token() -> str:
        return str(json.loads(_secret.get())["verify_token"])


_access_tokens = meta_access_tokens(settings.mentiondesk_meta_access_tokens, settings.meta_secret_arn)
webhook = MetaWebhook(
    IngestService(
        store_for(settings.table_name),
        WorkflowStarter(aws_client("stepfunctions"), settings.ticket_workflow_arn),
        now_iso,
        settings.dm_window_hours * 3600,
    ),
    app_secret=_app_secret,
    verify_token=_verify_token,
    max_body_bytes=settings.max_body_bytes,
    graph=MetaGraphClient(lambda account_id: _access_tokens().get(account_id), base_url=settings.meta_graph_base_url),
)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@meter_handler("webhook_meta")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        if http.method(event) == "GET":
            challenge = webhook.subscribe(event.get("queryStringParameters") or {})
            return http.respond(200, challenge, content_type="text/plain; charset=utf-8")
        raw = http.raw_body(event, settings.max_body_bytes)
        return http.respond(200, webhook.receive(raw, http.header(event, "x-hub-signature-256")).as_body())
    except SignatureInvalid:
        metrics.add_metric(name="WebhookRejected", unit="Count", value=1)
        return http.error(401, "invalid signature")
    except Forbidden:
        return http.error(403, "verification failed")
    except PayloadTooLarge:
        return http.error(413, "payload too large")
    except InvalidRequest as error:
        return http.error(400, str(error))
    except MetaGraphError:
        # The Graph API is down or throttling: 503, and Meta delivers the event again later.
        metrics.add_metric(name="MentionFetchFailed", unit="Count", value=1)
        return http.error(503, "cannot read mentions right now")
    # Anything else propagates: API Gateway answers 5xx and Meta delivers again.
