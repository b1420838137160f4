"""Facts for rules and SLA policies, built from a stored ticket, the message at hand and the customer."""

from collections.abc import Collection
from datetime import datetime

from mentiondesk.models import Message, Ticket
from mentiondesk.rules.engine import Facts
from mentiondesk.sla.calendar import BusinessCalendar


def ticket_facts(
    ticket: Ticket,
    message: Message | None,
    customer_tags: Collection[str] | None,
    calendar: BusinessCalendar,
    at: datetime,
) -> Facts:
    """What conditions read: the message's words and author, the ticket's labels, tags and priority.

    ``business_hours`` says whether ``at`` (when the message arrived, or now for SLA triggers) is
    within the team's calendar.
    """
    author = message.author if message is not None else ticket.customer
    return Facts(
        channel=ticket.platform,
        kind=message.kind if message is not None else ticket.kind,
        text=message.text if message is not None else None,
        sentiment=ticket.sentiment,
        intent=ticket.intent,
        urgency=ticket.urgency,
        language=ticket.language,
        author_followers=author.followers,
        author_verified=author.verified,
        customer_tags=customer_tags,
        business_hours=calendar.is_open(at),
        account=ticket.account_id,
        rating=message.rating if message is not None else None,
        ticket_tags=ticket.tags,
        priority=ticket.priority,
    )
