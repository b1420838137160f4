"""sla_check: the SLA timer's "Check SLA Clocks" task: fire due reminders and escalations (once each),
store the clocks and answer when to wake next (null ends the timer)."""

from typing import Any

from mentiondesk.clock import utcnow
from mentiondesk.config import StoreSettings
from mentiondesk.observability import logger, metrics
from mentiondesk.sla import service
from mentiondesk.store.factory import store_for
from mentiondesk.workflow.steps import SlaTimerInput

settings = StoreSettings.from_env()
store = store_for(settings.table_name)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = SlaTimerInput.model_validate(event)
    logger.append_keys(tenant_id=step.tenant_id, ticket_id=step.ticket_id)
    return service.check(store, step.tenant_id, step.ticket_id, step.generation, utcnow())
