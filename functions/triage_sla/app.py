"""triage_sla: the workflow's "Start SLA Clocks" task (after the rules): choose the ticket's SLA policy,
store its clocks and due time, and start the SLA timer."""

from typing import Any

from mentiondesk.clock import utcnow
from mentiondesk.config import SlaSettings
from mentiondesk.costs.metering import meter_handler
from mentiondesk.observability import logger, metrics
from mentiondesk.sla import service
from mentiondesk.store.factory import store_for
from mentiondesk.workflow import SlaTimers
from mentiondesk.workflow.steps import TicketStepInput

settings = SlaSettings.from_env()
store = store_for(settings.table_name)
timers = SlaTimers.from_settings(settings)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@meter_handler("triage_sla")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = TicketStepInput.model_validate(event)
    logger.append_keys(tenant_id=step.tenant_id, ticket_id=step.ticket_id)
    result = service.start(store, timers, step.tenant_id, step.ticket_id, utcnow())
    return {"status": result["status"], "policy_id": result.get("policy_id"), "due_at": result.get("due_at")}
