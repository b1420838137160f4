"""Domain errors -> HTTP answers, in one place (no per-route try/except)."""

import json

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from mentiondesk.errors import (
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    TransientStoreError,
    Unauthorized,
    UpstreamUnavailable,
)

STATUS = {
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    InvalidRequest: 400,
    TransientStoreError: 503,
    UpstreamUnavailable: 503,
}


def _answer(status: int, body: dict[str, object]) -> Response[str]:
    return Response(status_code=status, content_type="application/json", body=json.dumps(body, ensure_ascii=False))


def register(app: APIGatewayHttpResolver) -> None:
    for error_type, status in STATUS.items():

        def handle(error: Exception, status: int = status) -> Response[str]:
            body: dict[str, object] = {"message": str(error) or error.__class__.__name__}
            if isinstance(error, Conflict) and error.current is not None:
                body["current"] = error.current
            if isinstance(error, InvalidRequest) and error.details:
                body["details"] = error.details
            return _answer(status, body)

        app.exception_handler(error_type)(handle)

    @app.exception_handler(RecursionError)
    def too_deep(error: RecursionError) -> Response[str]:
        # json.loads of a body like [[[[…]]]] a few thousand levels deep: the caller's fault, not ours.
        return _answer(400, {"message": "the request body is nested too deeply"})

    @app.exception_handler(RequestValidationError)
    def invalid(error: RequestValidationError) -> Response[str]:
        # Field locations and messages only: never echo the submitted values back.
        errors = error.errors()
        details = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in errors]
        unknown = [".".join(str(p) for p in e.get("loc", ())[1:]) for e in errors if e.get("type") == "extra_forbidden"]
        if unknown:
            # Mass assignment: a field the route does not take (an assignee, a tenant, a version bump) is a
            # refused request, not a malformed one.
            return _answer(400, {"message": f"unknown fields: {', '.join(unknown)}", "details": details})
        return _answer(422, {"message": "invalid request", "details": details})
