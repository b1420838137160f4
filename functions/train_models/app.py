"""train_models: every hour, each tenant whose agents corrected labels since the last run gets its
triage model trained again (the Classify step blends it with the built-in classifier)."""

from typing import Any

from mentiondesk.config import StoreSettings
from mentiondesk.costs.metering import meter_handler
from mentiondesk.observability import logger, metrics
from mentiondesk.store.factory import store_for
from mentiondesk.triage.training import train_all

settings = StoreSettings.from_env()
store = store_for(settings.table_name)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@meter_handler("train_models")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    results = train_all(store)
    return {"tenants": len(results), "trained": sum(1 for r in results if r["trained"])}
