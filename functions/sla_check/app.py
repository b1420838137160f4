"""sla_check: one wake of a ticket's SLA timer, invoked by its one-time Scheduler schedule: fire due
reminders and escalations (once each), with the rules they trigger, schedule the next wake and store
the clocks. A deleted ticket, or a wake a newer generation made moot, ends the timer."""

from typing import Any

from mentiondesk.clock import utcnow
from mentiondesk.config import SlaCheckSettings
from mentiondesk.costs.metering import meter_handler
from mentiondesk.errors import TicketNotFound
from mentiondesk.observability import logger, metrics
from mentiondesk.rules.notify import notifier_from
from mentiondesk.rules.service import sla_alert_rules
from mentiondesk.sla import service
from mentiondesk.store.factory import store_for
from mentiondesk.workflow import SlaTimers
from mentiondesk.workflow.steps import SlaTimerInput

settings = SlaCheckSettings.from_env()
store = store_for(settings.table_name)
timers = SlaTimers.from_settings(settings)
notifier = notifier_from(settings)

run_sla_rules = sla_alert_rules(store, notifier)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@meter_handler("sla_check")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = SlaTimerInput.model_validate(event)
    logger.append_keys(tenant_id=step.tenant_id, ticket_id=step.ticket_id)
    try:
        return service.check(
            store, step.tenant_id, step.ticket_id, step.generation, utcnow(), run_sla_rules, timers=timers
        )
    except TicketNotFound:
        logger.info("SLA wake for a ticket that is gone: nothing to time")
        return {"wake_at": None, "moot": True, "fired": 0, "gone": True}
