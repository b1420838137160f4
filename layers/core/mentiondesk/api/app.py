"""The API resolver: routers, the authorization middleware, error mapping and the OpenAPI document."""

import base64
import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from mentiondesk import __version__
from mentiondesk.api import errors
from mentiondesk.api.context import authorization_middleware
from mentiondesk.api.openapi import describe_document_bodies, document_success_answers
from mentiondesk.api.routers import (
    channels,
    costs,
    customers,
    directory,
    me,
    monitors,
    replies,
    reports,
    rules,
    sla,
    suggestions,
    tickets,
)
from mentiondesk.http import SECURITY_HEADERS


def build_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True)
    app.use(middlewares=[authorization_middleware])
    routers = (me, tickets, replies, suggestions, customers, channels, monitors, sla, rules, directory, reports, costs)
    for module in routers:
        app.include_router(module.router)
    document_success_answers((*app._static_routes, *app._dynamic_routes))
    errors.register(app)

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi() -> Response[str]:
        schema = describe_document_bodies(app.get_openapi_json_schema(title="Mentiondesk API", version=__version__))
        return Response(status_code=200, content_type="application/json", body=schema)

    return app


def unreadable_body(event: dict[str, Any]) -> tuple[int, str] | None:
    """A body this JSON-only API cannot read: another media type (415), or bytes that are not UTF-8 (422).
    Powertools answers the first in its own error shape and fails on the second (a 500)."""
    body = event.get("body")
    if not body:
        return None
    content_type = str((event.get("headers") or {}).get("content-type", "")).strip().lower()
    if content_type and not content_type.startswith("application/json"):
        return 415, "send the body as application/json"
    if event.get("isBase64Encoded"):
        try:
            base64.b64decode(body, validate=True).decode("utf-8")
        except ValueError:  # binascii.Error and UnicodeDecodeError both are
            return 422, "the body is not UTF-8 JSON"
    return None


def resolve(app: APIGatewayHttpResolver, event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one event; every answer (errors included) is never sniffed, cached or framed."""
    refused = unreadable_body(event)
    if refused:
        status, message = refused
        body = {"message": message, "details": [{"loc": ["body"], "msg": message}]}
        result: dict[str, Any] = {
            "statusCode": status,
            "headers": {"content-type": "application/json"},
            "body": json.dumps(body),
            "isBase64Encoded": False,
        }
    else:
        result = app.resolve(event, context)
    result.setdefault("headers", {}).update({**SECURITY_HEADERS, "x-frame-options": "DENY"})
    return result
