"""sla_check: the SLA timer's "Check SLA Clocks" task: fire due reminders and escalations (once each),
with the rules they trigger, store the clocks and answer when to wake next (null ends the timer)."""

from typing import Any

from mentiondesk.clock import utcnow
from mentiondesk.config import NotifySettings
from mentiondesk.costs.metering import meter_handler
from mentiondesk.observability import logger, metrics
from mentiondesk.rules.notify import notifier_from
from mentiondesk.rules.service import sla_alert_rules
from mentiondesk.sla import service
from mentiondesk.store.factory import store_for
from mentiondesk.workflow.steps import SlaTimerInput

settings = NotifySettings.from_env()
store = store_for(settings.table_name)
notifier = notifier_from(settings)

run_sla_rules = sla_alert_rules(store, notifier)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@meter_handler("sla_check")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = SlaTimerInput.model_validate(event)
    logger.append_keys(tenant_id=step.tenant_id, ticket_id=step.ticket_id)
    return service.check(store, step.tenant_id, step.ticket_id, step.generation, utcnow(), run_sla_rules)
