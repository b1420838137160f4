"""Domain entities shared by ingest, triage, assignment and the API.

These are the logic layer's types; the store maps them to items and the API to response models.
"""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from mentiondesk.sla.calendar import BusinessCalendar

Platform = Literal["x", "instagram", "facebook", "google"]
MessageKind = Literal["mention", "reply", "quote", "dm", "comment", "review", "post"]
TicketStatus = Literal["open", "pending", "resolved", "closed"]
TriageState = Literal["pending", "done", "failed"]
Role = Literal["admin", "supervisor", "agent", "finance"]
Sentiment = Literal["positive", "neutral", "negative"]
Intent = Literal["praise", "question", "problem", "complaint", "request", "other"]
Urgency = Literal["high", "normal", "low"]
Priority = Literal["low", "normal", "high", "urgent"]
SlaMetric = Literal["first_response", "next_response", "resolution"]


def _visible(value: str) -> str:
    if not value.strip():
        raise ValueError("name must not be blank")
    return value


DisplayName = Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(_visible)]
"""The name a person gives a rule, an SLA policy or a template: 1-100 characters, not all blank."""

TICKET_STATUSES: tuple[TicketStatus, ...] = ("open", "pending", "resolved", "closed")


class Author(BaseModel):
    """Who wrote a message, as the platform describes them."""

    model_config = ConfigDict(frozen=True)

    platform_user_id: str
    handle: str | None = None
    display_name: str | None = None
    followers: int | None = None
    verified: bool = False


class MediaRef(BaseModel):
    """A reference to media on the platform; we keep the link, never the bytes."""

    model_config = ConfigDict(frozen=True)

    type: str
    url: str


class InboundMessage(BaseModel):
    """One customer message, normalised from any platform's payload."""

    model_config = ConfigDict(frozen=True)

    platform: Platform
    account_id: str  # our channel account on the platform (X for_user_id, IG/Page id, GBP location)
    native_id: str  # the platform's own id of this message: the idempotency key
    kind: MessageKind
    # Which thread this belongs to: the post a comment sits under, the DM conversation (for X DMs
    # the customer's user id, for Meta the sender's PSID/IGSID), the review's own name.
    conversation_id: str
    reply_to: str | None = None  # native id of the message this one answers, when the platform says
    author: Author
    text: str
    lang_hint: str | None = None
    created_at: str  # ISO-8601 UTC
    url: str | None = None
    media: tuple[MediaRef, ...] = ()
    rating: int | None = None  # 1-5 stars (Google reviews)


class MessageEdit(BaseModel):
    """The customer changed a message we stored (Meta edit, updated Google review)."""

    model_config = ConfigDict(frozen=True)

    platform: Platform
    account_id: str
    native_id: str
    text: str
    edited_at: str
    rating: int | None = None


class MessageDeletion(BaseModel):
    """The customer deleted or unsent a message; we mark it, keep the ticket."""

    model_config = ConfigDict(frozen=True)

    platform: Platform
    account_id: str
    native_id: str
    deleted_at: str
    reason: Literal["deleted", "unsent"] = "deleted"


class AccountRevocation(BaseModel):
    """The brand account revoked our access (X user_event revoke): stop it, tell an admin."""

    model_config = ConfigDict(frozen=True)

    platform: Platform
    account_id: str
    at: str


class IgnoredEvent(BaseModel):
    """Something delivered that is not a customer message (typing, read receipts, our own echoes,
    likes, unknown types): counted by kind, never stored."""

    model_config = ConfigDict(frozen=True)

    platform: Platform
    kind: str
    account_id: str | None = None


InboundEvent = InboundMessage | MessageEdit | MessageDeletion | AccountRevocation | IgnoredEvent


class Message(BaseModel):
    """A stored message of a ticket."""

    id: str
    ticket_id: str
    direction: Literal["inbound", "outbound"]
    platform: Platform
    kind: MessageKind
    native_id: str
    conversation_id: str
    reply_to: str | None = None
    author: Author
    text: str
    lang_hint: str | None = None
    created_at: str
    received_at: str
    url: str | None = None
    media: list[MediaRef] = Field(default_factory=list)
    rating: int | None = None
    edited_at: str | None = None
    deleted_at: str | None = None


class TicketEvent(BaseModel):
    """One line of a ticket's history (created, classified, assigned...)."""

    type: str
    at: str
    actor: str = "system"
    detail: dict[str, object] = Field(default_factory=dict)


class Highlight(BaseModel):
    """A span of the customer's text that made a rule fire (offsets into the message's text)."""

    message_id: str | None = None
    start: int
    end: int
    text: str
    keyword: str
    rule_id: str


class SlaClock(BaseModel):
    """One SLA clock of a ticket as of its last evaluation."""

    metric: SlaMetric
    started_at: str
    due_at: str | None = None  # None while paused or stopped
    stopped_at: str | None = None
    paused: bool = False
    breached: bool = False
    breached_at: str | None = None
    outcome: Literal["met", "missed", "closed"] | None = None  # None while it runs or is paused


class Assignee(BaseModel):
    """The agent who owns a ticket."""

    id: str
    name: str


class Ticket(BaseModel):
    """A ticket: one conversation with one customer on one channel."""

    id: str
    tenant_id: str
    status: TicketStatus = "open"
    platform: Platform
    kind: MessageKind
    account_id: str
    team: str
    customer: Author
    subject: str
    last_message_excerpt: str
    message_count: int = 1
    language: str | None = None
    sentiment: Sentiment | None = None
    sentiment_scores: dict[str, float] | None = None
    intent: Intent | None = None
    urgency: Urgency | None = None
    pii_types: list[str] = Field(default_factory=list)  # kinds of personal data in the customer's words
    triage_state: TriageState = "pending"
    assignee: Assignee | None = None
    tags: list[str] = Field(default_factory=list)
    priority: Priority = "normal"
    rule_agent_id: str | None = None  # a rule's assign_agent: tried first when the ticket is assigned
    highlights: list[Highlight] = Field(default_factory=list)  # words that made rules fire, for the page
    # SLA (sla/service.py): the policy chosen after the rules ran, when its clocks started, each running
    # clock, and the nearest due time (the inbox and the team queue sort by it).
    sla_policy_id: str | None = None
    sla_started_at: str | None = None
    sla_due_at: str | None = None
    sla_clocks: list[SlaClock] = Field(default_factory=list)
    # The timer's bookkeeping: the generation of the running timer execution (older ones are moot),
    # when it wakes, and the alerts already fired (each fires once).
    sla_generation: int = 0
    sla_wake_at: str | None = None
    sla_fired: list[str] = Field(default_factory=list)
    csat_rating: int | None = None  # the customer's 1-5 answer to the satisfaction survey
    last_reply_at: str | None = None  # the latest agent reply that reached the customer
    resolved_at: str | None = None  # the latest resolution
    created_at: str
    updated_at: str
    version: int = 1


class ChannelAccount(BaseModel):
    """A brand's account on a platform, registered by an admin."""

    tenant_id: str
    platform: Platform
    account_id: str
    handle: str
    team: str = "support"
    created_at: str
    created_by: str
    status: Literal["active", "revoked"] = "active"
    revoked_at: str | None = None


class Agent(BaseModel):
    """A person who signs in: agent, supervisor, admin or finance."""

    id: str
    tenant_id: str
    email: str
    name: str
    role: Role
    team: str | None = "support"
    online: bool = False
    capacity: int = 10
    active_count: int = 0
    last_assigned_at: str | None = None
    # Skills: an empty list means "any". Product tags match the ticket's tags.
    languages: list[str] = Field(default_factory=list)
    channels: list[Platform] = Field(default_factory=list)
    product_tags: list[str] = Field(default_factory=list)
    hourly_rate_usd: str | None = None  # decimal string; prices the agent's handling time (None: unpriced)
    version: int = 1  # admin edits (role, team, skills, capacity) are conditional on it


class Team(BaseModel):
    """A group of agents with one assignment strategy."""

    tenant_id: str
    id: str
    name: str
    # round_robin: longest since the last assignment; load_balanced: fewest active tickets ("count") or
    # the lowest share of capacity ("share"); manual: nobody is assigned automatically.
    strategy: Literal["round_robin", "load_balanced", "manual"] = "round_robin"
    balance: Literal["count", "share"] = "count"
    # Business hours for SLA clocks and the away message; None: DEFAULT_CALENDAR (Asia/Tokyo,
    # weekdays 09:00-18:00, closed on Japanese national holidays).
    calendar: BusinessCalendar | None = None
    version: int = 1


MonitorKind = Literal["mentions", "search", "dms"]
# active: polled on its schedule; paused: by an admin; budget_exhausted: paused itself at its monthly
# budget until the month turns or the budget is raised; refused: X refused the query or our token
# (permanent 4xx) until an admin changes it.
MonitorStatus = Literal["active", "paused", "budget_exhausted", "refused"]


class MonitorCycle(BaseModel):
    """A polling cycle in progress: where to resume after a rate limit, an error or a time-out."""

    next_token: str | None = None
    newest_id: str | None = None  # the first page's meta.newest_id: the next cycle's since_id
    start_time: str | None = None  # sent on every page of the cycle when there is no since_id yet
    started_at: str
    pages: int = 0


class Monitor(BaseModel):
    """An X polling source: our own mentions, our DMs (user context), or a keyword search for posts
    that do not tag us."""

    tenant_id: str
    id: str
    kind: MonitorKind
    account_id: str  # our X account (a registered channel): tickets go to its tenant and team
    name: str
    query: str | None = None  # search only: X search syntax, without the language filter
    languages: list[str] = Field(default_factory=list)
    interval_minutes: int = 5
    monthly_budget_usd: str = "10.00"  # decimal string: money is never a float
    status: MonitorStatus = "active"
    status_reason: str | None = None
    created_at: str
    created_by: str
    updated_at: str
    version: int = 1
    # Polling state (written by the poller, read-only in the API)
    since_id: str | None = None
    cycle: MonitorCycle | None = None
    next_run_at: str
    last_run_at: str | None = None
    last_error: str | None = None
    failures: int = 0
    spend_month: str | None = None  # YYYY-MM the two counters below belong to
    spend_micros: int = 0  # billable X reads this month, in millionths of a dollar
    billable_reads: int = 0
    posts_found: int = 0


class AdminAlert(BaseModel):
    """Something an admin must act on (a revoked account, a monitor at its budget, X refusing a query)."""

    tenant_id: str
    id: str
    kind: str
    severity: Literal["warning", "critical"] = "warning"
    subject: str  # what it is about: a monitor id, a channel "platform:account"
    message: str
    at: str
