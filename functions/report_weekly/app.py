"""report_weekly: every hour, builds the weekly voice of the customer for each tenant whose scheduled
time has come (mentiondesk.reports.weekly), puts it in S3 and sends the link."""

from typing import Any

from mentiondesk.clock import utcnow
from mentiondesk.config import ReportSettings
from mentiondesk.costs.metering import meter_handler
from mentiondesk.observability import logger, metrics
from mentiondesk.reports.weekly import run_all
from mentiondesk.rules.notify import notifier_from
from mentiondesk.store.factory import aws_client, store_for

settings = ReportSettings.from_env()
store = store_for(settings.table_name)
delivery = notifier_from(settings)
LINK_SECONDS = 7 * 86400


def put_file(key: str, body: bytes, content_type: str) -> str:
    """Store a report file (encrypted, private) and answer a link that works for seven days."""
    s3 = aws_client("s3")
    s3.put_object(Bucket=settings.reports_bucket, Key=key, Body=body, ContentType=content_type)
    return str(
        s3.generate_presigned_url(
            "get_object", Params={"Bucket": settings.reports_bucket, "Key": key}, ExpiresIn=LINK_SECONDS
        )
    )


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@meter_handler("report_weekly")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return run_all(store, utcnow(), put_file, delivery)
