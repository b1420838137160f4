"""triage_rules: the workflow's "Apply Rules" task. A new ticket runs ticket_created then
message_received rules on its first message; a message that joined a ticket runs message_received
rules on that message. Each run is recorded on the ticket, so a retry applies nothing twice."""

from typing import Any

from mentiondesk.clock import utcnow
from mentiondesk.config import NotifySettings
from mentiondesk.costs.metering import meter_handler
from mentiondesk.observability import logger, metrics
from mentiondesk.rules.notify import notifier_from
from mentiondesk.rules.service import apply_rules
from mentiondesk.store.factory import store_for
from mentiondesk.workflow.steps import TicketStepInput

settings = NotifySettings.from_env()
store = store_for(settings.table_name)
notifier = notifier_from(settings)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@meter_handler("triage_rules")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = TicketStepInput.model_validate(event)
    logger.append_keys(tenant_id=step.tenant_id, ticket_id=step.ticket_id)
    if step.message_id:
        triggers, key = ["message_received"], f"message:{step.message_id}"
    else:
        triggers, key = ["ticket_created", "message_received"], "created"
    return apply_rules(store, notifier, step.tenant_id, step.ticket_id, triggers, key, utcnow(), step.message_id)
