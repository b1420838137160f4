"""Template suggestions: the reply templates that suit a ticket, best first, rendered for the ticket
and the agent asking."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from mentiondesk.api import deps
from mentiondesk.api.context import principal, ticket_detail
from mentiondesk.api.schemas import ReplyMode, TemplatePreviewOut, TemplateSuggestionOut, TemplateSuggestionPage
from mentiondesk.errors import NotFound
from mentiondesk.models import Ticket
from mentiondesk.sla.service import calendar_for
from mentiondesk.store.factory import Store
from mentiondesk.templates import RenderContext, Template, suggest

router = Router()


@router.get(
    "/api/tickets/<ticket_id>/template-suggestions",
    summary="Reply templates for a ticket, best first, rendered for it and for you",
)
def template_suggestions(
    ticket_id: Annotated[str, Path(max_length=64)],
    mode: Annotated[
        ReplyMode | None,
        Query(description="How the reply goes out; default: dm for a DM ticket, else public"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> TemplateSuggestionPage:
    who = principal(router)
    store = deps.store()
    detail = ticket_detail(store, who, ticket_id)
    t = detail.ticket
    chosen: ReplyMode = mode or ("dm" if t.kind == "dm" else "public")
    context = RenderContext(
        language=t.language,
        customer=t.customer,
        agent_name=_agent_name(store, who.tenant_id, who.user_id),
        brand=_brand(store, t),
        ticket_id=t.id,
        mode=chosen,
        customer_texts=tuple(m.text for m in detail.messages if m.direction == "inbound" and not m.deleted_at),
        calendar=calendar_for(store, who.tenant_id, t.team),
    )
    templates = [Template.model_validate(d) for d in store.templates.list(who.tenant_id)]
    # No usage counts yet: ties go by name (suggest takes them when a cheap source exists).
    suggestions = suggest(templates, t, chosen, limit, usage={}, context=context)
    return TemplateSuggestionPage(
        ticket_id=t.id,
        mode=chosen,
        language=t.language,
        items=[
            TemplateSuggestionOut(
                template_id=s.template_id,
                name=s.name,
                score=s.score,
                reasons=s.reasons,
                uses=s.uses,
                preview=TemplatePreviewOut.model_validate(s.rendered.model_dump()),
            )
            for s in suggestions
        ],
    )


def _agent_name(store: Store, tenant: str, user_id: str) -> str:
    try:
        return store.directory.agent(tenant, user_id).name
    except NotFound:
        return ""  # a principal without a directory record: the previews go unsigned


def _brand(store: Store, ticket: Ticket) -> str:
    for channel in store.directory.channels(ticket.tenant_id):
        if channel.platform == ticket.platform and channel.account_id == ticket.account_id:
            return channel.handle
    return ""
