"""Logger and Metrics for every function, created in one place.

Tracer is deliberately not created: importing it loads the X-Ray SDK (~240 ms of cold start);
`Tracing: Active` in template.yaml still gives every invocation a segment.
Never log personal data (post text, names, handles) or secrets: log ids and counts only.
"""

from aws_lambda_powertools import Logger, Metrics

NAMESPACE = "Mentiondesk"

logger = Logger(service="mentiondesk")
metrics = Metrics(namespace=NAMESPACE, service="mentiondesk")
