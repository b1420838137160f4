"""What the routes for a tenant's settings documents (SLA policies, rules, templates) share.

Bodies are validated here rather than by the resolver so that a document we refuse answers 400 with
each problem named (never a half-saved document), and every change is conditional on the version
the caller read.
"""

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mentiondesk.api.principal import Principal
from mentiondesk.clock import now_iso
from mentiondesk.errors import InvalidRequest, invalid_from
from mentiondesk.ids import new_id
from mentiondesk.store.settings import SettingsStore

M = TypeVar("M", bound=BaseModel)
DOC_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
DOC_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


def parse(model: type[M], body: dict[str, Any], what: str, **extra: Any) -> M:
    """`body` (without its id and version) as `model`, or a 400 naming every problem."""
    try:
        return model.model_validate({**{k: v for k, v in body.items() if k not in ("id", "version")}, **extra})
    except ValidationError as error:
        raise invalid_from(error, f"invalid {what}") from None


def version_of(body: dict[str, Any]) -> int:
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InvalidRequest("give the version you read (an integer from 1)", [{"loc": ["version"], "msg": "required"}])
    return version


def id_of(body: dict[str, Any]) -> str:
    """The id the caller chose, or a new one."""
    doc_id = body.get("id") or new_id()
    if not isinstance(doc_id, str) or not DOC_ID.fullmatch(doc_id):
        raise InvalidRequest("id: letters, digits, - and _ only, at most 64", [{"loc": ["id"], "msg": "invalid id"}])
    return doc_id


def create(documents: SettingsStore, who: Principal, doc_id: str, data: dict[str, Any]) -> dict[str, Any]:
    now = now_iso()
    document = {**data, "id": doc_id, "tenant_id": who.tenant_id, "created_at": now, "updated_at": now}
    return documents.create(who.tenant_id, doc_id, {**document, "updated_by": who.user_id})


def replace(
    documents: SettingsStore, who: Principal, doc_id: str, version: int, data: dict[str, Any]
) -> dict[str, Any]:
    current = documents.get(who.tenant_id, doc_id)
    document = {
        **data,
        "id": doc_id,
        "tenant_id": who.tenant_id,
        "created_at": current["created_at"],
        "updated_at": now_iso(),
        "updated_by": who.user_id,
    }
    return documents.replace(who.tenant_id, doc_id, version, document)
