"""triage_assign: the workflow's "Assign Agent" task (round robin, or the team queue)."""

from typing import Any

from mentiondesk.assignment.assign import assign_ticket
from mentiondesk.clock import now_iso
from mentiondesk.config import StoreSettings
from mentiondesk.costs.metering import bill_express_duration, meter_handler
from mentiondesk.observability import logger, metrics
from mentiondesk.store.factory import store_for
from mentiondesk.workflow.steps import TicketStepInput

settings = StoreSettings.from_env()
store = store_for(settings.table_name)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@meter_handler("triage_assign")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = TicketStepInput.model_validate(event)
    logger.append_keys(tenant_id=step.tenant_id, ticket_id=step.ticket_id)
    result = assign_ticket(store, step.tenant_id, step.ticket_id, now_iso())
    if step.started_at:  # the last task: the Express run's duration ends here
        bill_express_duration(step.tenant_id, step.ticket_id, step.started_at, now_iso())
    return result
