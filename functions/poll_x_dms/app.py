"""poll_x_dms: the scheduled run over every due X DM monitor (user context) (see mentiondesk.polling.x_poller)."""

from typing import Any

from mentiondesk.config import XPollSettings
from mentiondesk.costs.metering import meter_handler
from mentiondesk.observability import logger, metrics
from mentiondesk.polling.runtime import build_poller, time_left

poller = build_poller(XPollSettings.from_env())


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@meter_handler("poll_x_dms")
def handler(event: dict[str, Any], context: Any) -> dict[str, object]:
    poller.time_left = lambda: time_left(context)
    return poller.run("dms").as_dict()
