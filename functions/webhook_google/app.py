"""webhook_google: Google Business Profile review notifications (Pub/Sub push, OIDC-authenticated)."""

import json
from typing import Any

from mentiondesk import http
from mentiondesk.channels import google
from mentiondesk.clock import now_iso
from mentiondesk.config import GoogleWebhookSettings, SecretCache
from mentiondesk.costs.metering import meter_handler
from mentiondesk.errors import InvalidRequest, PayloadTooLarge, Unauthorized
from mentiondesk.ingest.google_webhook import GoogleWebhook
from mentiondesk.ingest.service import IngestService
from mentiondesk.observability import logger, metrics
from mentiondesk.store.factory import aws_client, store_for
from mentiondesk.workflow import WorkflowStarter

settings = GoogleWebhookSettings.from_env()


def _jwks() -> google.JwksSource:
    if settings.mentiondesk_google_jwks:  # the local stack signs its simulated pushes with its own key
        import jwt

        keys = json.loads(settings.mentiondesk_google_jwks)["keys"]
        return google.StaticJwks({k["kid"]: jwt.PyJWK(k).key for k in keys})
    return google.GoogleJwks()


def _tokens() -> Any:
    if settings.mentiondesk_google_api_token:
        return settings.mentiondesk_google_api_token.get_secret_value
    from mentiondesk.channels.google_auth import ServiceAccountTokens

    secret = SecretCache(settings.google_api_secret_arn or "")
    return ServiceAccountTokens(json.loads(secret.get()))


webhook = GoogleWebhook(
    IngestService(
        store_for(settings.table_name),
        WorkflowStarter(aws_client("stepfunctions"), settings.ticket_workflow_arn),
        now_iso,
        settings.dm_window_hours * 3600,
    ),
    verifier=google.OidcVerifier(settings.google_push_audience, settings.google_push_service_account, _jwks()),
    reviews=google.GoogleReviewsClient(_tokens(), base_url=settings.google_api_base_url),
    max_body_bytes=settings.max_body_bytes,
    clock=now_iso,
)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@meter_handler("webhook_google")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        raw = http.raw_body(event, settings.max_body_bytes)
        return http.respond(200, webhook.receive(raw, http.header(event, "authorization")).as_body())
    except Unauthorized:
        metrics.add_metric(name="WebhookRejected", unit="Count", value=1)
        return http.error(401, "invalid token")
    except google.JwksUnavailable:
        return http.error(503, "cannot verify the push right now")
    except PayloadTooLarge:
        return http.error(413, "payload too large")
    except InvalidRequest as error:
        return http.error(400, str(error))
    # Anything else propagates: API Gateway answers 5xx and Pub/Sub delivers again.
