"""API request and response models. Requests forbid unknown fields; responses are never stored records."""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mentiondesk.models import (
    AdminAlert,
    Agent,
    Author,
    ChannelAccount,
    Highlight,
    Message,
    Monitor,
    SlaClock,
    Ticket,
    TicketEvent,
)
from mentiondesk.prices import micros_to_usd


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
    intent: str | None
    urgency: str | None
    pii_types: list[str]
    tags: list[str]
    priority: str
    highlights: list[Highlight]
    sla_policy_id: str | None
    sla_due_at: str | None
    sla_clocks: list[SlaClock]
    customer_id: str | None  # None when the platform did not say who wrote it
    customer: CustomerOut
    assignee: AssigneeOut | None
    team: str
    subject: str
    last_message_excerpt: str
    message_count: int
    triage_state: str
    csat_rating: int | None = None
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
            intent=t.intent,
            urgency=t.urgency,
            pii_types=t.pii_types,
            tags=t.tags,
            priority=t.priority,
            highlights=t.highlights,
            sla_policy_id=t.sla_policy_id,
            sla_due_at=t.sla_due_at,
            sla_clocks=t.sla_clocks,
            customer_id=f"{t.platform}:{t.customer.platform_user_id}" if t.customer.platform_user_id else None,
            customer=CustomerOut.of(t.customer),
            assignee=AssigneeOut(id=t.assignee.id, name=t.assignee.name) if t.assignee else None,
            team=t.team,
            subject=t.subject,
            last_message_excerpt=t.last_message_excerpt,
            message_count=t.message_count,
            triage_state=t.triage_state,
            csat_rating=t.csat_rating,
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


class OutboxOut(BaseModel):
    """Something on its way to the platform for this ticket (a reply, hiding a comment)."""

    id: str
    operation: str
    status: str  # PENDING, SENDING, SENT, FAILED, UNKNOWN
    source: str  # "rule:<id>" or "agent:<id>"
    created_at: str
    mode: str | None = None  # replies: public or dm
    text: str | None = None
    language: str | None = None
    template_id: str | None = None
    target_native_id: str | None = None
    hidden: bool | None = None  # hide_comment: hide (true) or show again (false)
    attempts: int = 0
    not_before: str | None = None  # deferred (rate limited, platform unreachable) until then
    deferred_because: str | None = None
    finished_at: str | None = None
    platform_id: str | None = None  # SENT: the platform's id of what we created
    platform_url: str | None = None
    reason: str | None = None  # FAILED / UNKNOWN: why, in words an agent can act on
    reason_code: str | None = None
    decided_by: str | None = None  # a person settled an UNKNOWN or FAILED item
    resend_of: str | None = None  # a person queued this again after an UNKNOWN or FAILED one

    @classmethod
    def of(cls, item: dict[str, object]) -> "OutboxOut":
        return cls.model_validate({k: v for k, v in item.items() if k in cls.model_fields})


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000, description="Private to the team; @name mentions notify")


class NoteOut(BaseModel):
    id: str
    author_id: str
    author_name: str
    text: str
    at: str
    mentions: list[str]


class OtherTicketOut(BaseModel):
    """Another ticket of the same customer (identity), newest first."""

    id: str
    created_at: str
    status: str | None = None
    subject: str | None = None


class PresenceOut(BaseModel):
    """Someone on a ticket right now (until `until`)."""

    user_id: str
    name: str
    state: Literal["viewing", "typing"]
    since: str
    until: str


class PresenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: Literal["viewing", "typing"] = "viewing"


class TicketDetailOut(TicketSummaryOut):
    messages: list[MessageOut]
    events: list[EventOut]
    outbox: list[OutboxOut]
    notes: list[NoteOut]
    other_tickets: list[OtherTicketOut]
    presence: list[PresenceOut] = Field(default_factory=list, description="Who is viewing or typing right now")


class TicketPage(BaseModel):
    items: list[TicketSummaryOut]
    next: str | None


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: Literal["x", "instagram", "facebook", "google"]
    account_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:/-]+$")
    handle: str = Field(min_length=1, max_length=100)
    team: str = Field(default="support", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class ChannelRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: Literal["x", "instagram", "facebook", "google"]
    account_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:/-]+$")


class XConnectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(pattern=r"^[0-9]{1,20}$", description="The registered X account to read DMs of")
    refresh_token: str = Field(
        min_length=10,
        max_length=1024,
        description="An OAuth 2.0 refresh token of that account (offline.access, dm.read)",
    )


class XConnectOut(BaseModel):
    account_id: str
    connected: bool


class ChannelOut(BaseModel):
    platform: str
    account_id: str
    handle: str
    team: str
    created_at: str
    status: str
    revoked_at: str | None

    @classmethod
    def of(cls, c: ChannelAccount) -> "ChannelOut":
        return cls(
            platform=c.platform,
            account_id=c.account_id,
            handle=c.handle,
            team=c.team,
            created_at=c.created_at,
            status=c.status,
            revoked_at=c.revoked_at,
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


# -- X monitors and admin alerts ------------------------------------------------------------------

Money = Annotated[Decimal, Field(ge=0, le=1_000_000, max_digits=9, decimal_places=2)]
Language = Annotated[str, Field(pattern=r"^[a-z]{2}$")]


class MonitorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["mentions", "search", "dms"]
    account_id: str = Field(pattern=r"^[0-9]{1,20}$", description="A registered X channel account of the tenant")
    name: str = Field(min_length=1, max_length=100)
    query: str | None = Field(default=None, min_length=1, max_length=512, description="search only: X search syntax")
    languages: list[Language] = Field(default_factory=lambda: ["ja", "en"], max_length=10)
    interval_minutes: int = Field(default=5, ge=1, le=1440)
    monthly_budget_usd: Money = Decimal("10.00")


class MonitorPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="The version you read: a stale one answers 409 with the current monitor")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    query: str | None = Field(default=None, min_length=1, max_length=512)
    languages: list[Language] | None = Field(default=None, max_length=10)
    interval_minutes: int | None = Field(default=None, ge=1, le=1440)
    monthly_budget_usd: Money | None = None
    status: Literal["active", "paused"] | None = None


class MonitorCycleOut(BaseModel):
    pages: int
    started_at: str


class MonitorOut(BaseModel):
    id: str
    kind: str
    account_id: str
    name: str
    query: str | None
    languages: list[str]
    interval_minutes: int
    monthly_budget_usd: str
    status: str
    status_reason: str | None
    spend_month: str | None
    spend_usd: str
    billable_reads: int
    posts_found: int
    since_id: str | None
    cycle: MonitorCycleOut | None
    next_run_at: str
    last_run_at: str | None
    last_error: str | None
    created_at: str
    updated_at: str
    version: int

    @classmethod
    def of(cls, m: Monitor) -> "MonitorOut":
        return cls(
            **m.model_dump(include=set(cls.model_fields) - {"cycle", "spend_usd"}),
            spend_usd=micros_to_usd(m.spend_micros),
            cycle=MonitorCycleOut(pages=m.cycle.pages, started_at=m.cycle.started_at) if m.cycle else None,
        )


class MonitorPage(BaseModel):
    items: list[MonitorOut]
    next: str | None = None


class AlertOut(BaseModel):
    id: str
    kind: str
    severity: str
    subject: str
    message: str
    at: str

    @classmethod
    def of(cls, a: AdminAlert) -> "AlertOut":
        return cls(id=a.id, kind=a.kind, severity=a.severity, subject=a.subject, message=a.message, at=a.at)


class AlertPage(BaseModel):
    items: list[AlertOut]
    next: str | None = None


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    online: bool


class StatusOut(BaseModel):
    online: bool
    assigned_from_queue: int


class LabelCorrection(BaseModel):
    """An agent's corrected labels; they stay on the ticket and teach the tenant's model."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="The version you read: a stale one answers 409 with the current ticket")
    sentiment: Literal["positive", "neutral", "negative"] | None = None
    intent: Literal["praise", "question", "problem", "complaint", "request", "other"] | None = None
    urgency: Literal["high", "normal", "low"] | None = None


class AssignmentIn(BaseModel):
    """Assign, transfer (another agent) or unassign (null: back to the team queue)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="The version you read: a stale one answers 409 with the current ticket")
    agent_id: str | None = Field(min_length=1, max_length=128)
    force: bool = Field(default=False, description="Supervisors and admins only: past the agent's capacity")


class TicketPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="The version you read: a stale one answers 409 with the current ticket")
    status: Literal["open", "pending", "resolved", "closed"] | None = None
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    tags: list[Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^\S(?:.*\S)?$")]] | None = Field(
        default=None, max_length=20, description="The ticket's tags, replacing the ones it has"
    )


ReplyMode = Literal["public", "dm", "private_reply"]


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="The ticket version you read: if a colleague replied meanwhile, 409")
    text: str = Field(min_length=1, max_length=10_000)
    mode: ReplyMode = Field("public", description="public reply, DM, or a private reply to a comment (Meta)")
    template_id: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    override: bool = Field(False, description="Send despite blocking checks, where the brand allows it")
    override_reason: str | None = Field(default=None, min_length=3, max_length=500)


class LintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=10_000)
    mode: ReplyMode = "public"


class HideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    message_id: str = Field(min_length=26, max_length=26, description="The customer's comment, by our message id")
    hidden: bool = Field(True, description="false shows a hidden comment again")


class OutboxDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["sent", "resend", "cancel"] = Field(
        description="sent: it did reach the customer (checked on the platform); resend: queue it again; cancel"
    )
    platform_id: str | None = Field(default=None, min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_:/.-]+$")


class QueuedOut(BaseModel):
    """What was queued, and the ticket's version after it."""

    outbox: OutboxOut
    version: int
    checks: list[dict[str, object]] = Field(default_factory=list)  # the composer's findings at send time


class ReplyPolicyIn(BaseModel):
    """How a brand's agents reply: the composer's checks and who may send."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(0, ge=0, description="The version you read (0 the first time)")
    assignee_only: bool = Field(False, description="Only the ticket's assignee may reply (supervisors always may)")
    require_customer_name: bool = True
    require_signature: bool = True
    allowed_symbols: str = Field("☆★♪！!？?…。、・ー〜~", max_length=100)
    emoji: Literal["allow", "deny_on_complaint", "deny"] = "deny_on_complaint"
    copy_paste_days: int = Field(7, ge=1, le=90)
    copy_paste_similarity: float = Field(0.9, gt=0.5, le=1.0)
    allow_override: bool = True


class ReplyPolicyOut(BaseModel):
    version: int
    assignee_only: bool
    require_customer_name: bool
    require_signature: bool
    allowed_symbols: str
    emoji: str
    copy_paste_days: int
    copy_paste_similarity: float
    allow_override: bool
    updated_at: str | None = None
    updated_by: str | None = None


Skill = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^\S(?:.*\S)?$")]


class AgentIn(BaseModel):
    """A person an admin adds."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    name: str = Field(min_length=1, max_length=100)
    role: Literal["admin", "supervisor", "agent", "finance"] = "agent"
    team: str | None = Field(default="support", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    capacity: int = Field(10, ge=0, le=200, description="Open tickets at once")
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]] = Field(
        default_factory=list, max_length=20
    )
    channels: list[Literal["x", "instagram", "facebook", "google"]] = Field(default_factory=list, max_length=4)
    product_tags: list[Skill] = Field(default_factory=list, max_length=50)
    hourly_rate_usd: Money | None = Field(None, description="What an hour of this person's time costs (admins)")


class AgentPatch(BaseModel):
    """What changes about a person (fields left out stay as they are)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="The version you read")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    role: Literal["admin", "supervisor", "agent", "finance"] | None = None
    team: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    capacity: int | None = Field(default=None, ge=0, le=200)
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]] | None = Field(
        default=None, max_length=20
    )
    channels: list[Literal["x", "instagram", "facebook", "google"]] | None = Field(default=None, max_length=4)
    product_tags: list[Skill] | None = Field(default=None, max_length=50)
    hourly_rate_usd: Money | None = None


class AgentOut(BaseModel):
    id: str
    email: str
    name: str
    role: str
    team: str | None
    online: bool
    capacity: int
    active_count: int
    languages: list[str]
    channels: list[str]
    product_tags: list[str]
    hourly_rate_usd: str | None = None  # shown to admins only
    version: int

    @classmethod
    def of(cls, agent: Agent, *, rate: bool = False) -> "AgentOut":
        fields = {k: getattr(agent, k) for k in cls.model_fields}
        if not rate:
            fields["hourly_rate_usd"] = None
        return cls.model_validate(fields)


class AgentPage(BaseModel):
    items: list[AgentOut]
    next: str | None = None


class TeamIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=100)
    strategy: Literal["round_robin", "load_balanced", "manual"] = "round_robin"
    balance: Literal["count", "share"] = "count"


class TeamPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="The team's version you read")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    strategy: Literal["round_robin", "load_balanced", "manual"] | None = None
    balance: Literal["count", "share"] | None = None


class AuditOut(BaseModel):
    id: str
    actor: str
    role: str
    action: str
    target: str
    at: str
    detail: dict[str, object]


class AuditPage(BaseModel):
    items: list[AuditOut]
    next: str | None = None


class TemplatePreviewOut(BaseModel):
    """A template rendered for one ticket: the body's language, the text, the variables that came out
    empty, and warning codes (order_number_withheld_in_public, language_fallback)."""

    language: str
    text: str
    missing: list[str]
    warnings: list[str]


class TemplateSuggestionOut(BaseModel):
    """A template ranked for a ticket; reasons are codes: language, intent, brand, tags, channel, mode,
    recently_used."""

    template_id: str
    name: str
    score: int
    reasons: list[str]
    uses: int = 0
    preview: TemplatePreviewOut


class TemplateSuggestionPage(BaseModel):
    ticket_id: str
    mode: ReplyMode
    language: str | None = None  # the ticket's language
    items: list[TemplateSuggestionOut]


class CustomerErasureOut(BaseModel):
    """What erasing a customer did: the id only hashed (sha256 of `{tenant}:{customer_id}`), the rest counts."""

    customer_id_hash: str
    identities: int = Field(description="Identities erased (more than 1 with linked=true)")
    tickets: int
    messages: int = Field(description="Messages erased, the customer's and the replies in their tickets")
    items_deleted: int
    tombstones: int = Field(description="Message ids that will never be stored again (replays, late polls)")
    deleted_at: str
