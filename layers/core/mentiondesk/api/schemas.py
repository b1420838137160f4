"""API request and response models. Requests forbid unknown fields; responses are never stored records."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mentiondesk.models import Agent, Author, ChannelAccount, Message, Ticket, TicketEvent


class CustomerOut(BaseModel):
    handle: str | None
    display_name: str | None
    followers: int | None
    verified: bool

    @classmethod
    def of(cls, a: Author) -> "CustomerOut":
        return cls(handle=a.handle, display_name=a.display_name, followers=a.followers, verified=a.verified)


class AssigneeOut(BaseModel):
    id: str
    name: str


class TicketSummaryOut(BaseModel):
    id: str
    status: str
    channel: str
    kind: str
    language: str | None
    sentiment: str | None
    sentiment_scores: dict[str, float] | None
    customer_id: str
    customer: CustomerOut
    assignee: AssigneeOut | None
    team: str
    subject: str
    last_message_excerpt: str
    message_count: int
    triage_state: str
    created_at: str
    updated_at: str
    version: int

    @classmethod
    def of(cls, t: Ticket) -> "TicketSummaryOut":
        return cls(
            id=t.id,
            status=t.status,
            channel=t.platform,
            kind=t.kind,
            language=t.language,
            sentiment=t.sentiment,
            sentiment_scores=t.sentiment_scores,
            customer_id=f"{t.platform}:{t.customer.platform_user_id}",
            customer=CustomerOut.of(t.customer),
            assignee=AssigneeOut(id=t.assignee.id, name=t.assignee.name) if t.assignee else None,
            team=t.team,
            subject=t.subject,
            last_message_excerpt=t.last_message_excerpt,
            message_count=t.message_count,
            triage_state=t.triage_state,
            created_at=t.created_at,
            updated_at=t.updated_at,
            version=t.version,
        )


class CustomerTicketOut(BaseModel):
    ticket_id: str
    customer_id: str
    created_at: str
    platform: str
    kind: str
    subject: str


class CustomerProfileOut(BaseModel):
    id: str
    platform: str
    handle: str | None
    display_name: str | None
    followers: int | None
    verified: bool
    first_seen_at: str | None
    last_seen_at: str | None
    message_count: int
    person_id: str
    identities: list[str]
    tickets: list[CustomerTicketOut]


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: str = Field(min_length=3, max_length=220, pattern=r"^(x|instagram|facebook|google):.+$")


class MediaOut(BaseModel):
    type: str
    url: str


class MessageOut(BaseModel):
    id: str
    direction: str
    kind: str
    platform: str
    native_id: str
    text: str
    rating: int | None
    edited_at: str | None
    deleted_at: str | None
    author: CustomerOut
    created_at: str
    received_at: str
    reply_to: str | None
    url: str | None
    media: list[MediaOut]

    @classmethod
    def of(cls, m: Message) -> "MessageOut":
        return cls(
            id=m.id,
            direction=m.direction,
            kind=m.kind,
            platform=m.platform,
            native_id=m.native_id,
            text=m.text,
            rating=m.rating,
            edited_at=m.edited_at,
            deleted_at=m.deleted_at,
            created_at=m.created_at,
            received_at=m.received_at,
            reply_to=m.reply_to,
            url=m.url,
            author=CustomerOut.of(m.author),
            media=[MediaOut(type=x.type, url=x.url) for x in m.media],
        )


class EventOut(BaseModel):
    type: str
    at: str
    actor: str
    detail: dict[str, object]

    @classmethod
    def of(cls, e: TicketEvent) -> "EventOut":
        return cls(type=e.type, at=e.at, actor=e.actor, detail=e.detail)


class TicketDetailOut(TicketSummaryOut):
    messages: list[MessageOut]
    events: list[EventOut]


class TicketPage(BaseModel):
    items: list[TicketSummaryOut]
    next: str | None


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: Literal["x", "instagram", "facebook", "google"]
    account_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:/-]+$")
    handle: str = Field(min_length=1, max_length=100)
    team: str = Field(default="support", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class ChannelOut(BaseModel):
    platform: str
    account_id: str
    handle: str
    team: str
    created_at: str

    @classmethod
    def of(cls, c: ChannelAccount) -> "ChannelOut":
        return cls(
            platform=c.platform,
            account_id=c.account_id,
            handle=c.handle,
            team=c.team,
            created_at=c.created_at,
        )


class ChannelPage(BaseModel):
    items: list[ChannelOut]
    next: str | None = None


class MeOut(BaseModel):
    user_id: str
    tenant_id: str
    role: str
    email: str | None
    name: str | None
    team: str | None

    @classmethod
    def of(cls, tenant: str, role: str, a: Agent | None, user_id: str, email: str | None) -> "MeOut":
        return cls(
            user_id=user_id,
            tenant_id=tenant,
            role=role,
            email=a.email if a else email,
            name=a.name if a else None,
            team=a.team if a else None,
        )


class HealthOut(BaseModel):
    status: Literal["ok"]
    version: str
