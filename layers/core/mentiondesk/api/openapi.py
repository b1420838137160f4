"""The published OpenAPI document: Powertools' schema, with the bodies of the settings-document routes
described by the models that really parse them. Those routes take a raw object so that a refused
document answers 400 naming every problem; the document still says exactly what they accept.

Every answer is documented: the success answer of routes that list their error answers (Powertools
drops it), and the error answers every route can give, all with the body api/errors.py writes."""

import json
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from mentiondesk.rules.model import Rule
from mentiondesk.sla.policy import SlaPolicyIn
from mentiondesk.templates import TemplateIn

_ID = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$", "description": "Your id for it (else one is made)"}
_VERSION = {"type": "integer", "minimum": 1, "description": "The version you read: a stale one answers 409"}


def _schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    """The model's JSON schema with its definitions moved into the document's components."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(schema.pop("$defs", {}))
    return schema


# What api/errors.py and the gateway answer on every error: a message, where each problem is, and on a
# 409 the current state of what the caller tried to change.
ERROR_OUT: dict[str, Any] = {
    "type": "object",
    "title": "ErrorOut",
    "properties": {
        "message": {"type": "string"},
        "details": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                    "msg": {"type": "string"},
                },
                "required": ["loc", "msg"],
            },
        },
        "current": {"type": "object", "description": "On 409: what is stored now"},
    },
    "required": ["message"],
}
_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}


def document_success_answers(routes: Iterable[Any]) -> None:
    """Give every route that lists its error answers its success answer too (with no 2xx listed,
    Powertools documents none; an entry without content gets the route's return model)."""
    for route in routes:
        if route.responses and not any(200 <= int(code) < 300 for code in route.responses):
            route.responses = {route.status_code: {"description": "Successful Response"}, **route.responses}


def _describe_error_answers(document: dict[str, Any]) -> None:
    """Add the answers any route can give (401 and 403 from the authorizer and the role table, 503 when
    the store is busy, 404 for an id in the path, 400 for a body with unknown fields) and give every
    error answer the error body instead of the return model Powertools puts there."""
    from mentiondesk.api.authz import is_public

    document["components"]["schemas"]["ErrorOut"] = ERROR_OUT
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            answers = operation.setdefault("responses", {})
            common: dict[str, str] = {}
            if not is_public(method.upper(), path.replace("{", "<").replace("}", ">")):
                common |= {
                    "401": "No valid access token",
                    "403": "This role may not do that",
                    "503": "Busy: try again",
                }
            if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                common["404"] = "Not found (another tenant's ids look the same)"
            if "requestBody" in operation:
                common["400"] = "Unknown fields, or a value this route refuses"
                common["415"] = "The body is not application/json"
            for code, description in common.items():
                answers.setdefault(code, {"description": description})
            for code, answer in answers.items():
                if int(code) >= 400:
                    answer["content"] = _ERROR_CONTENT
                elif int(code) == 204:
                    answer.pop("content", None)  # No Content


def _document(model: type[BaseModel], components: dict[str, Any], *, version: bool) -> dict[str, Any]:
    schema = _schema(model, components)
    properties = {k: v for k, v in schema.get("properties", {}).items() if k not in ("id", "version")}
    required = [r for r in schema.get("required", []) if r not in ("id", "version")]
    properties = {"id": _ID, **properties, **({"version": _VERSION} if version else {})}
    return {
        **schema,
        "properties": properties,
        "required": [*required, *(["version"] if version else [])],
        "additionalProperties": False,
    }


def _dry_run(components: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "title": "DryRunIn",
        "properties": {
            "rule": _document(Rule, components, version=False),
            "days": {"type": "integer", "minimum": 1, "maximum": 90, "default": 7},
        },
        "required": ["rule"],
        "additionalProperties": False,
    }


def _bodies(components: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        ("post", "/api/rules"): _document(Rule, components, version=False),
        ("put", "/api/rules/{rule_id}"): _document(Rule, components, version=True),
        ("post", "/api/rules/dry-run"): _dry_run(components),
        ("post", "/api/sla-policies"): _document(SlaPolicyIn, components, version=False),
        ("put", "/api/sla-policies/{policy_id}"): _document(SlaPolicyIn, components, version=True),
        ("post", "/api/templates"): _document(TemplateIn, components, version=False),
        ("put", "/api/templates/{template_id}"): _document(TemplateIn, components, version=True),
    }


def describe_document_bodies(schema_json: str) -> str:
    """Powertools' OpenAPI JSON with the raw-object request bodies replaced by their real schemas."""
    from mentiondesk.api.routers.sla import CalendarPut

    document = json.loads(schema_json)
    components = document.setdefault("components", {}).setdefault("schemas", {})
    bodies = _bodies(components)
    bodies[("put", "/api/teams/{team_id}/calendar")] = _schema(CalendarPut, components)
    for (method, path), body in bodies.items():
        operation = document["paths"][path][method]
        operation["requestBody"]["content"]["application/json"]["schema"] = body
    _describe_error_answers(document)
    return json.dumps(document)
