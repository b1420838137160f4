"""api: the agent HTTP API under /api/ (Cognito JWT verified by API Gateway)."""

from typing import Any

from mentiondesk.api.app import build_app, resolve
from mentiondesk.costs.metering import meter_handler
from mentiondesk.observability import logger, metrics

app = build_app()


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@meter_handler("api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return resolve(app, event, context)
