"""Logger and Metrics for every function, created in one place.

Logs carry the function's own service name (POWERTOOLS_SERVICE_NAME); metrics always use the
dimension service=mentiondesk, so alarms in template.yaml have one stable dimension.
Tracer is deliberately not created: importing it loads the X-Ray SDK (~240 ms of cold start);
`Tracing: Active` in template.yaml still gives every invocation a segment.
Never log personal data (post text, names, handles) or secrets: log ids and counts only.
"""

import os

from aws_lambda_powertools import Logger, Metrics

NAMESPACE = "Mentiondesk"

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "mentiondesk"))
metrics = Metrics(namespace=NAMESPACE, service="mentiondesk")
