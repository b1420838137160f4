"""Reply templates: one template, a body per language, with {variables} filled from the ticket.

Bodies are plain text. ``{name}`` is a variable (the known names are in :data:`VARIABLES`; any other
is refused when the template is saved), ``{{`` and ``}}`` are literal braces. A ticket is answered in
its own language when the template has a body for it, else in the template's first language.
"""

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from mentiondesk.models import DisplayName

VARIABLES = {
    "customer_name": "the customer's display name (or @handle when the platform gives none)",
    "customer_handle": "the customer's @handle",
    "brand": "the channel account's name",
    "ticket_id": "the ticket's id",
}
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
MAX_BODY = 2_000

Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]


class TemplateError(ValueError):
    pass


def _check_body(body: str) -> str:
    for match in _TOKEN.finditer(body):
        if match.group(0) in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            raise TemplateError("a lone { or } : write {{ or }} for a literal brace")
        if name not in VARIABLES:
            raise TemplateError(f"unknown variable {{{name}}}; known: {', '.join('{' + v + '}' for v in VARIABLES)}")
    return body


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: DisplayName
    bodies: dict[Language, Annotated[str, StringConstraints(min_length=1, max_length=MAX_BODY)]] = Field(
        min_length=1, description="Language (ISO 639-1) → body"
    )

    @field_validator("bodies")
    @classmethod
    def _variables(cls, value: dict[str, str]) -> dict[str, str]:
        for body in value.values():
            _check_body(body)
        return value


class Template(TemplateIn):
    model_config = ConfigDict(extra="ignore")

    id: str
    tenant_id: str
    created_at: str
    updated_at: str
    updated_by: str
    version: int = 1


def render(template: Template, language: str | None, variables: dict[str, str]) -> tuple[str, str]:
    """The body for `language` (or the first one) with its variables filled: (language, text)."""
    chosen = language if language in template.bodies else next(iter(template.bodies))
    body = template.bodies[chosen]

    def fill(match: re.Match[str]) -> str:
        piece = match.group(0)
        if piece in ("{{", "}}"):
            return piece[0]
        return variables.get(match.group(1) or "", "")

    return chosen, _TOKEN.sub(fill, body)
