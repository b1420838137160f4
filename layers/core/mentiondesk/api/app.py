"""The API resolver: routers, the authorization middleware, error mapping and the OpenAPI document."""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from mentiondesk import __version__
from mentiondesk.api import errors
from mentiondesk.api.context import authorization_middleware
from mentiondesk.api.openapi import describe_document_bodies
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
    errors.register(app)

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi() -> Response[str]:
        schema = describe_document_bodies(app.get_openapi_json_schema(title="Mentiondesk API", version=__version__))
        return Response(status_code=200, content_type="application/json", body=schema)

    return app


def resolve(app: APIGatewayHttpResolver, event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one event; every answer (errors included) is never sniffed, cached or framed."""
    result: dict[str, Any] = app.resolve(event, context)
    result.setdefault("headers", {}).update({**SECURITY_HEADERS, "x-frame-options": "DENY"})
    return result
