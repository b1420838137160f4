"""poll_x_search: the scheduled run over every due X search monitor (see mentiondesk.polling.x_poller)."""

from typing import Any

from mentiondesk.config import XPollSettings
from mentiondesk.costs.metering import meter_handler
from mentiondesk.observability import logger, metrics
from mentiondesk.polling.runtime import build_poller, time_left

poller = build_poller(XPollSettings.from_env())


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@meter_handler("poll_x_search")
def handler(event: dict[str, Any], context: Any) -> dict[str, object]:
    poller.time_left = lambda: time_left(context)
    return poller.run("search").as_dict()
