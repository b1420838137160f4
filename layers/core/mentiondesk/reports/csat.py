"""CSAT: whether to ask a customer to rate the care they got once their ticket is resolved, the survey
DM, answering it from the public page, and the summaries reports show (average and distribution).

A survey goes only where the platform lets us message the customer privately: a DM ticket on X (they
wrote to us by DM), or on Instagram / Messenger while Meta's messaging window is open. Never as a public
reply or a comment's private reply (one per comment, and it is the agent's), never to a Google review.
"""

import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any, Literal, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from mentiondesk.clock import iso, parse_iso
from mentiondesk.errors import InvalidRequest
from mentiondesk.models import Message, Ticket, TicketEvent
from mentiondesk.observability import logger, metrics
from mentiondesk.store.csat import AnswerOutcome, StoredAnswer, delay_outbox, survey_item, token_hash
from mentiondesk.store.outbox import outbox_item
from mentiondesk.store.tickets import TicketDetail

Language = Literal["ja", "en"]
LANGUAGES: tuple[Language, ...] = ("ja", "en")
CSAT_SOURCE = "system:csat"  # the outbox item's `source`: reports and the sender can tell a survey from a reply
TOKEN_BYTES = 32  # 256 random bits: a link cannot be guessed, so the page needs no sign-in
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # token_urlsafe(32): 43 characters, no padding
MAX_COMMENT_CHARS = 1_000
# Instagram takes at most 1,000 bytes of UTF-8 text in a DM, the smallest of the three channels
# (Messenger 2,000 characters, X 10,000): a survey that fits Instagram fits everywhere.
MAX_DM_BYTES = 1_000
# Meta's standard messaging window: a page may message a person for 24 hours after their last message.
# The HUMAN_AGENT tag stretches it to 7 days only for replies a person writes; an automated message
# may not use it (Messenger Platform and IG Messaging API policy, "Standard messaging" and "Message
# tags", developers.facebook.com/documentation/business-messaging/messenger-platform/policy/; our
# notes: shared/notes/channels.md). A survey is automated, so it gets 24 hours and never the tag.
MESSAGING_WINDOW = timedelta(hours=24)
# Room for the send queue, rate-limit deferrals and the sender's retries (about 16 minutes over six
# attempts): a survey that reaches Meta after the window closed is refused, and the refusal is raised
# to the agent as a failed reply.
WINDOW_MARGIN = timedelta(hours=1)
CLOSING_TAGS = frozenset({"spam", "ignored"})  # what rules' mark_spam / ignore put on the tickets they close

Reason = Literal[
    "ok",
    "disabled",
    "closed_as_spam",
    "not_resolved",
    "google_review",
    "public_conversation",
    "opted_out",
    "already_asked",
    "no_agent_reply",
    "no_recipient",
    "window_closed",
    "invalid_recipient",
]


def _has_link(value: str) -> str:
    if "{link}" not in value:
        raise ValueError("a survey template must contain {link}")
    return value


SurveyTemplate = Annotated[str, StringConstraints(min_length=8, max_length=300), AfterValidator(_has_link)]


class CsatPolicy(BaseModel):
    """A tenant's CSAT settings (the settings document POLICY#csat; none saved: these defaults)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    enabled: bool = False  # a message in the brand's name: the brand opts in
    # Ten minutes by default, not at once: the agent's closing reply may still be in the outbox and the
    # survey must not overtake it; and customers often answer a closing message within minutes ("thanks!",
    # "one more thing"), which reopens the ticket and withdraws a survey that has not left yet.
    delay_minutes: int = Field(10, ge=0, le=720)
    default_language: Language = "ja"  # for tickets in neither Japanese nor English
    # The brand's own wording per language, with {link} and optionally {brand}; absent: ours.
    templates: dict[Language, SurveyTemplate] = Field(default_factory=dict)
    brand_name: str | None = Field(None, min_length=1, max_length=100)  # in the DM and on the page


@dataclass(frozen=True)
class Decision:
    """Whether to send a survey, why (or why not), how, in which language and when."""

    send: bool
    reason: Reason
    mode: Literal["dm"] | None = None
    human_agent: bool = False  # always False: a survey is automated and may not use the HUMAN_AGENT tag
    language: Language = "ja"
    send_at: str | None = None  # resolution + the policy's delay


def survey_language(ticket_language: str | None, policy: CsatPolicy) -> Language:
    for language in LANGUAGES:
        if ticket_language == language:
            return language
    return policy.default_language


def _asked(events: Iterable[TicketEvent]) -> bool:
    """Whether the ticket has a survey standing (asked or answered, and not withdrawn since)."""
    asked = False
    for event in events:
        if event.type in ("csat_requested", "csat_received"):
            asked = True
        elif event.type == "csat_withdrawn":
            asked = False
    return asked


def last_customer_message(messages: Sequence[Message]) -> Message | None:
    inbound = [m for m in messages if m.direction == "inbound" and m.deleted_at is None]
    return max(inbound, key=lambda m: m.created_at) if inbound else None


def survey_decision(
    ticket: Ticket,
    messages: Sequence[Message],
    now: str,
    policy: CsatPolicy,
    *,
    events: Iterable[TicketEvent] = (),
    opted_out: bool = False,
) -> Decision:
    """Whether a resolved ticket's customer may be asked for a rating now (the DM leaving at `send_at`).

    `events` are the ticket's (a survey asked before counts), `opted_out` the customer's choice."""
    language = survey_language(ticket.language, policy)

    def no(reason: Reason) -> Decision:
        return Decision(False, reason, language=language)

    if not policy.enabled:
        return no("disabled")
    if CLOSING_TAGS & set(ticket.tags):
        return no("closed_as_spam")
    if ticket.status != "resolved":
        return no("not_resolved")  # closed tickets too: closing is for spam, duplicates, noise
    if ticket.platform == "google":
        return no("google_review")  # a review takes one public reply; there is no private channel
    if ticket.kind != "dm":
        return no("public_conversation")
    if opted_out:
        return no("opted_out")
    if _asked(events):
        return no("already_asked")
    if not any(m.direction == "outbound" for m in messages):
        return no("no_agent_reply")  # nobody answered: there is no care to rate
    if not ticket.customer.platform_user_id:
        return no("no_recipient")
    send_at = parse_iso(now) + timedelta(minutes=policy.delay_minutes)
    if ticket.platform in ("instagram", "facebook"):
        last = last_customer_message(messages)
        if last is None or send_at + WINDOW_MARGIN > parse_iso(last.created_at) + MESSAGING_WINDOW:
            return no("window_closed")
    # X: the customer wrote to us by DM, so the conversation is open to us; X sets no window on it.
    return Decision(True, "ok", mode="dm", human_agent=False, language=language, send_at=iso(send_at))


# -- the DM ----------------------------------------------------------------------------------------

_TEXTS: dict[Language, str] = {
    "ja": "この度はお問い合わせいただきありがとうございました。"
    "よろしければ、対応についての評価（1〜5）をお聞かせください：\n{link}",
    "en": "Thank you for contacting {brand}. If you have a moment, please rate the help you received"
    " from 1 to 5:\n{link}",
}


def survey_link(app_url: str, token: str) -> str:
    return f"{app_url.rstrip('/')}/csat/{token}"


def survey_message(language: Language, link: str, brand: str, template: str | None = None) -> str:
    """The survey DM: short, polite, within every channel's DM limit (ours if the brand's is too long)."""
    if template:
        text = template.replace("{brand}", brand).replace("{link}", link)
        if len(text.encode()) <= MAX_DM_BYTES:
            return text
        logger.warning("the brand's survey template is too long for a DM; ours is used", extra={"language": language})
    if language == "ja":
        return (f"{brand}です。" if brand else "") + _TEXTS["ja"].replace("{link}", link)
    return _TEXTS["en"].replace("{brand}", brand or "us").replace("{link}", link)


# -- asking -----------------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_token(value: str | None) -> bool:
    """Whether `value` has a token's shape (anything else is refused before the table is read)."""
    return isinstance(value, str) and _TOKEN.fullmatch(value) is not None


def create_survey(ticket: Ticket, *, language: Language, brand: str, now: str) -> tuple[str, dict[str, Any]]:
    """A new single-use token and its survey item (not yet written; the item holds only the token's hash).
    The survey credits the ticket's assignee at resolution."""
    token = new_token()
    item = survey_item(
        token_hash(token),
        tenant=ticket.tenant_id,
        ticket_id=ticket.id,
        agent_id=ticket.assignee.id if ticket.assignee else None,
        team=ticket.team,
        channel=ticket.platform,
        account_id=ticket.account_id,
        language=language,
        brand=brand,
        now=now,
    )
    return token, item


class SurveyAnswers(Protocol):
    """What answering needs from the store (store/csat.CsatStore)."""

    def answer(
        self,
        token: str,
        rating: int,
        comment: str | None,
        now: str,
        *,
        survey: dict[str, Any] | None = None,
        also: Callable[[dict[str, Any]], Sequence[dict[str, Any]]] | None = None,
    ) -> StoredAnswer: ...


class Surveys(SurveyAnswers, Protocol):
    """What asking needs from the store as well (store/csat.CsatStore)."""

    def request(self, survey: dict[str, Any], outbox: dict[str, Any], event: TicketEvent) -> bool: ...

    def opted_out(self, tenant: str, platform: str, user_id: str) -> bool: ...

    def policy(self, tenant: str) -> dict[str, Any] | None: ...


def load_policy(surveys: Surveys, tenant: str) -> CsatPolicy:
    return CsatPolicy.model_validate(surveys.policy(tenant) or {})


@dataclass(frozen=True)
class Requested:
    """What asking did: the decision and, when a survey was stored, its outbox item (to offer to the
    send queue: `SendQueue.offer(OutboxRef.of(outbox))`)."""

    decision: Decision
    outbox: dict[str, Any] | None = field(default=None)


def request_survey(
    surveys: Surveys,
    detail: TicketDetail,
    now: str,
    app_url: str,
    *,
    brand: str = "",
    policy: CsatPolicy | None = None,
) -> Requested:
    """Decide, and if the customer may be asked, store the survey with its DM in one transaction
    (conditional: the ticket is still resolved and was never asked). `brand` names the brand when the
    policy does not (the channel's handle, say); `policy` None reads the tenant's."""
    from mentiondesk.replies.platforms import SendRefused, check_request
    from mentiondesk.replies.sender import request_for

    t = detail.ticket
    policy = policy or load_policy(surveys, t.tenant_id)
    decision = survey_decision(t, detail.messages, now, policy, events=detail.events)
    if decision.send and surveys.opted_out(t.tenant_id, t.platform, t.customer.platform_user_id):
        decision = Decision(False, "opted_out", language=decision.language)
    if not decision.send or decision.send_at is None:
        return Requested(decision)
    name = policy.brand_name or brand
    token, survey = create_survey(t, language=decision.language, brand=name, now=now)
    text = survey_message(decision.language, survey_link(app_url, token), name, policy.templates.get(decision.language))
    last = last_customer_message(detail.messages)
    item = outbox_item(
        t.tenant_id,
        t.id,
        "reply",
        CSAT_SOURCE,
        now,
        platform=t.platform,
        account_id=t.account_id,
        mode="dm",
        recipient_id=t.customer.platform_user_id,
        conversation_id=last.conversation_id if last else None,
        text=text,
        language=decision.language,
        author_name=name or None,
        csat=True,
    )
    if parse_iso(decision.send_at) > parse_iso(now):
        item = delay_outbox(item, decision.send_at)
    try:
        check_request(request_for(item))  # the platform call must be buildable now, not fail later in the queue
    except SendRefused:
        return Requested(Decision(False, "invalid_recipient", language=decision.language))
    event = TicketEvent(
        type="csat_requested",
        at=now,
        actor=CSAT_SOURCE,
        detail={"outbox_id": item["id"], "language": decision.language, "send_at": decision.send_at},
    )
    if not surveys.request(survey, item, event):
        return Requested(Decision(False, "already_asked", language=decision.language))
    metrics.add_metric(name="CsatRequested", unit="Count", value=1)
    return Requested(decision, item)


# -- answering --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerResult:
    """What the page tells the customer: recorded (thank you), already answered, expired, not found."""

    outcome: AnswerOutcome
    language: Language = "ja"
    brand: str = ""
    rating: int | None = None


def validate_answer(rating: object, comment: object) -> tuple[int, str | None]:
    """The rating (1-5) and the comment (stripped; None when empty) or InvalidRequest naming the field."""
    value = rating.strip() if isinstance(rating, str) else rating
    if isinstance(value, str) and value in ("1", "2", "3", "4", "5"):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidRequest("choose a rating from 1 to 5", [{"loc": ["rating"], "msg": "1 to 5"}])
    if comment is not None and not isinstance(comment, str):
        raise InvalidRequest("the comment must be text", [{"loc": ["comment"], "msg": "text"}])
    text = (comment or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidRequest(
            f"the comment is longer than {MAX_COMMENT_CHARS} characters",
            [{"loc": ["comment"], "msg": f"at most {MAX_COMMENT_CHARS} characters"}],
        )
    return value, text or None


def result_of(outcome: AnswerOutcome, survey: dict[str, Any] | None, rating: int | None = None) -> AnswerResult:
    language = survey.get("language") if survey else None
    return AnswerResult(
        outcome,
        "en" if language == "en" else "ja",
        str(survey.get("brand") or "") if survey else "",
        rating,
    )


def answer(
    surveys: SurveyAnswers,
    token: str,
    rating: object,
    comment: object,
    now: str,
    *,
    survey: dict[str, Any] | None = None,
) -> AnswerResult:
    """Answer a survey once. The comment's personal data is masked before it is stored (`<phone>`...).
    InvalidRequest for a rating outside 1-5 or a comment over 1,000 characters (nothing is stored)."""
    if not is_token(token):
        return AnswerResult("not_found")
    value, text = validate_answer(rating, comment)
    from mentiondesk.triage.pii import mask_pii

    stored = surveys.answer(
        token, value, mask_pii(text) if text else None, now, survey=survey, also=lambda s: csat_rollups(s, value, now)
    )
    if stored.outcome == "recorded":
        metrics.add_metric(name="CsatAnswered", unit="Count", value=1)
        return result_of("recorded", stored.survey, value)
    return result_of(stored.outcome, stored.survey)


# -- reports ----------------------------------------------------------------------------------------


def csat_rollups(survey: dict[str, Any], rating: int, now: str) -> list[dict[str, Any]]:
    """The report rollup counters of an answer (store/rollups.py), for the answer's transaction: how many
    answers, their sum and each rating's count, by channel, team, account, agent and language, on the
    reporting day it was answered. An unassigned ticket counts under no agent, as its resolution does."""
    from mentiondesk.store import rollups

    dims = {
        "all": "*",
        "channel": survey.get("channel"),
        "team": survey.get("team"),
        "account": survey.get("account_id"),
        "agent": survey.get("agent_id"),
        "language": survey.get("language"),
    }
    counters = {"csat_answers": 1, "csat_sum": rating, f"csat_r{rating}": 1}
    return rollups.updates(str(survey["tenant_id"]), str(survey["ticket_id"]), rollups.report_day(now), dims, counters)


GroupBy = Literal["all", "agent", "team", "channel", "language"]
UNKNOWN = "-"  # the group of answers without the attribute (a ticket resolved unassigned)


@dataclass(frozen=True)
class CsatSummary:
    """One group's answers: how many, the average rating, each rating's count, and the CSAT score
    (the share of 4 and 5, the usual headline)."""

    count: int
    average: float | None
    distribution: dict[int, int]
    satisfied_share: float | None


def summarize(answers: Iterable[dict[str, Any]], by: GroupBy = "all") -> dict[str, CsatSummary]:
    """Answers (CsatStore.answers) grouped by agent, team, channel or language ("all": one group "*")."""
    groups: dict[str, list[int]] = {}
    for entry in answers:
        key = "*" if by == "all" else str(entry.get(f"{by}_id" if by == "agent" else by) or UNKNOWN)
        groups.setdefault(key, []).append(int(entry["rating"]))
    return {key: _summary(ratings) for key, ratings in sorted(groups.items())}


def _summary(ratings: list[int]) -> CsatSummary:
    count = len(ratings)
    distribution = {r: ratings.count(r) for r in range(1, 6)}
    if not count:
        return CsatSummary(0, None, distribution, None)
    return CsatSummary(
        count,
        round(sum(ratings) / count, 2),
        distribution,
        round((distribution[4] + distribution[5]) / count, 4),
    )
