"""Customers: a profile per platform identity, their history, linking identities as one person, and
erasing one on request (store/erasure.py)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from mentiondesk.api import deps
from mentiondesk.api.context import principal
from mentiondesk.api.schemas import CustomerErasureOut, CustomerProfileOut, CustomerTicketOut, LinkIn
from mentiondesk.clock import now_iso
from mentiondesk.observability import logger, metrics
from mentiondesk.store.customers import customer_hash
from mentiondesk.store.erasure import CustomerEraser

router = Router()

CustomerId = Annotated[str, Path(min_length=3, max_length=220)]


def _profile(tenant: str, customer_id: str) -> CustomerProfileOut:
    customers = deps.store().customers
    item = customers.profile(tenant, customer_id)
    person = item.get("person_id") or customer_id
    identities = customers.identities(tenant, person) or [customer_id]
    tickets = [
        CustomerTicketOut(
            ticket_id=t["ticket_id"],
            customer_id=identity,
            created_at=t["created_at"],
            platform=t["platform"],
            kind=t.get("kind", ""),
            subject=t.get("subject", ""),
        )
        for identity in identities
        for t in customers.tickets(tenant, identity)
    ]
    author = item.get("author", {})
    return CustomerProfileOut(
        id=customer_id,
        platform=item["platform"],
        handle=author.get("handle"),
        display_name=author.get("display_name"),
        followers=author.get("followers"),
        verified=bool(author.get("verified")),
        first_seen_at=item.get("first_seen_at"),
        last_seen_at=item.get("last_seen_at"),
        message_count=int(item.get("message_count", 0)),
        person_id=person,
        identities=identities,
        tickets=sorted(tickets, key=lambda t: t.created_at, reverse=True),
    )


@router.get(
    "/api/customers/<customer_id>",
    summary="A customer, their linked identities and all their tickets",
    responses={400: {"description": "Not a <platform>:<platform user id>"}},
)
def get_customer(customer_id: CustomerId) -> CustomerProfileOut:
    who = principal(router)
    profile = _profile(who.tenant_id, customer_id)
    # A customer's profile is personal data: every view is audited (by the id's hash, as erasure does).
    deps.store().audit.append(
        who.tenant_id, who.user_id, who.role, "customer_viewed", customer_hash(who.tenant_id, customer_id), now_iso()
    )
    return profile


@router.post("/api/customers/<customer_id>/links", summary="Link another identity of the same person")
def link_customer(customer_id: CustomerId, body: LinkIn) -> CustomerProfileOut:
    who = principal(router)
    deps.store().customers.link(who.tenant_id, customer_id, body.customer_id, now_iso(), who.user_id)
    return _profile(who.tenant_id, customer_id)


@router.delete(
    "/api/customers/<customer_id>",
    summary="Erase a customer's data in this tenant (APPI / GDPR request); audited, not undoable",
    responses={
        400: {"description": "Not a <platform>:<platform user id>"},
        404: {"description": "No such customer (or erased already)"},
    },
)
def erase_customer(
    customer_id: CustomerId,
    linked: Annotated[bool, Query(description="Also erase every identity linked to the same person")] = False,
) -> CustomerErasureOut:
    who = principal(router)
    summary = CustomerEraser(deps.store().table).erase(
        who.tenant_id, customer_id, linked=linked, actor=who.user_id, role=who.role, now=now_iso()
    )
    metrics.add_metric(name="CustomerErased", unit="Count", value=1)
    # Counts only: the customer id, even hashed, stays out of the logs (the audit record has the hash).
    logger.info(
        "customer erased",
        extra={
            "tenant_id": who.tenant_id,
            "identities": summary.identities,
            "tickets": summary.tickets,
            "messages": summary.messages,
            "items_deleted": summary.items_deleted,
            "tombstones": summary.tombstones,
        },
    )
    return CustomerErasureOut(
        customer_id_hash=summary.customer_id_hash,
        identities=summary.identities,
        tickets=summary.tickets,
        messages=summary.messages,
        items_deleted=summary.items_deleted,
        tombstones=summary.tombstones,
        deleted_at=summary.deleted_at,
    )
