"""assign_queued (every minute): hands queued tickets to agents who have become eligible."""

from typing import Any

from mentiondesk.assignment.assign import assign_waiting
from mentiondesk.clock import now_iso
from mentiondesk.config import StoreSettings
from mentiondesk.costs.metering import meter_handler
from mentiondesk.observability import logger, metrics
from mentiondesk.store.factory import store_for

settings = StoreSettings.from_env()
store = store_for(settings.table_name)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@meter_handler("assign_queued")
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    assigned = 0
    for tenant in store.directory.tenants():
        assigned += assign_waiting(store, tenant, now_iso())
    if assigned:
        metrics.add_metric(name="QueuedTicketAssigned", unit="Count", value=assigned)
    return {"assigned": assigned}
