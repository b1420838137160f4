"""The published OpenAPI document: Powertools' schema, with the bodies of the settings-document routes
described by the models that really parse them. Those routes take a raw object so that a refused
document answers 400 naming every problem; the document still says exactly what they accept."""

import json
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
    return json.dumps(document)
