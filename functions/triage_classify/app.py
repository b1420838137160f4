"""triage_classify: the workflow's "Classify Message" task. Raises TicketNotFound (not retried)
and TransientStoreError (retried) by name for the ASL's Retry/Catch."""

from typing import Any

from mentiondesk.clock import now_iso
from mentiondesk.config import StoreSettings
from mentiondesk.costs.metering import meter_handler
from mentiondesk.observability import logger, metrics
from mentiondesk.store.factory import store_for
from mentiondesk.triage.task import TenantModelCache, classify_ticket
from mentiondesk.workflow.steps import TicketStepInput

settings = StoreSettings.from_env()
store = store_for(settings.table_name)
tenant_models = TenantModelCache(store)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@meter_handler("triage_classify")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = TicketStepInput.model_validate(event)
    logger.append_keys(tenant_id=step.tenant_id, ticket_id=step.ticket_id)
    result = classify_ticket(store, step.tenant_id, step.ticket_id, now_iso(), tenant_models.get(step.tenant_id))
    metrics.add_metric(name="TicketClassified", unit="Count", value=1)
    return result
