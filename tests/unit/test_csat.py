"""CSAT after a resolution: when a survey may be sent, its single-use token, the answer on the ticket and
in the reports, and the public page (escaped, strict CSP, Japanese first)."""

import base64
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from mentiondesk.clock import iso
from mentiondesk.errors import InvalidRequest
from mentiondesk.models import Author, InboundMessage, Message, Ticket, TicketEvent
from mentiondesk.replies.platforms import SendRequest, Sent
from mentiondesk.replies.sender import OutboxSender, SendPolicy, request_for
from mentiondesk.reports.csat import (
    CSAT_SOURCE,
    MAX_DM_BYTES,
    CsatPolicy,
    answer,
    create_survey,
    new_token,
    request_survey,
    summarize,
    survey_decision,
    survey_message,
)
from mentiondesk.store.csat import CsatStore, token_hash
from mentiondesk.store.factory import Store
from mentiondesk.store.outbox import OutboxRef, OutboxTransitions
from mentiondesk.store.rollups import RollupReader
from mentiondesk.web import csat_page, pages
from pydantic import ValidationError

from tests.conftest import ACCOUNT_ID

pytestmark = pytest.mark.unit

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the customer's last message
RESOLVED = T0 + timedelta(hours=2)
APP_URL = "https://care.example.jp/"
CUSTOMER = "700000000000000001"
ON = CsatPolicy(enabled=True)
LINK = re.compile(r"https://care\.example\.jp/csat/([A-Za-z0-9_-]{43})")


# -- the decision (pure) ---------------------------------------------------------------------------


def a_ticket(platform: str = "instagram", kind: str = "dm", **fields: Any) -> Ticket:
    values: dict[str, Any] = {
        "id": "01JCSAT0000000000000000000",
        "tenant_id": "acme",
        "status": "resolved",
        "platform": platform,
        "kind": kind,
        "account_id": "17841400000000001",
        "team": "support",
        "customer": Author(platform_user_id=CUSTOMER, display_name="山田 太郎"),
        "subject": "届かない",
        "last_message_excerpt": "届かない",
        "language": "ja",
        "created_at": iso(T0),
        "updated_at": iso(RESOLVED),
    }
    return Ticket.model_validate(values | fields)


def a_message(direction: str, at: datetime, platform: str = "instagram", kind: str = "dm") -> Message:
    return Message.model_validate(
        {
            "id": f"m-{direction}-{at.timestamp()}",
            "ticket_id": "01JCSAT0000000000000000000",
            "direction": direction,
            "platform": platform,
            "kind": kind,
            "native_id": f"n-{at.timestamp()}",
            "conversation_id": CUSTOMER,
            "author": {"platform_user_id": CUSTOMER if direction == "inbound" else "17841400000000001"},
            "text": "…",
            "created_at": iso(at),
            "received_at": iso(at),
        }
    )


def a_thread(last_customer_message: datetime, platform: str = "instagram", kind: str = "dm") -> list[Message]:
    return [
        a_message("inbound", last_customer_message, platform, kind),
        a_message("outbound", last_customer_message + timedelta(minutes=30), platform, kind),
    ]


def test_an_x_dm_ticket_is_asked_by_dm_without_the_human_agent_tag() -> None:
    # Given a resolved X DM ticket that an agent answered two days ago (X sets no window on a DM the customer began)
    ticket = a_ticket("x")
    thread = a_thread(T0 - timedelta(days=2), "x")
    # When deciding
    decision = survey_decision(ticket, thread, iso(RESOLVED), ON)
    # Then a DM goes, ten minutes after the resolution, in the ticket's language
    assert (decision.send, decision.reason, decision.mode, decision.human_agent) == (True, "ok", "dm", False)
    assert decision.send_at == iso(RESOLVED + timedelta(minutes=10))
    assert decision.language == "ja"


@pytest.mark.parametrize("platform", ["instagram", "facebook"])
def test_a_meta_dm_is_asked_inside_the_24_hour_window(platform: str) -> None:
    # Given a resolved Instagram / Messenger DM whose customer wrote two hours ago
    ticket = a_ticket(platform)
    # When deciding
    decision = survey_decision(ticket, a_thread(T0, platform), iso(RESOLVED), ON)
    # Then it is asked, without the HUMAN_AGENT tag (a survey is automated)
    assert decision.send and decision.mode == "dm" and not decision.human_agent


@pytest.mark.parametrize("hours_since", [23, 25, 24 * 6])
def test_a_meta_dm_is_not_asked_when_the_window_would_close_before_it_is_sent(hours_since: int) -> None:
    # Given an Instagram DM whose customer last wrote 23 h ago (the DM would leave at 23 h 10 min, inside the
    # hour kept for the sender), 25 h ago, or 6 days ago (only a person's reply with HUMAN_AGENT may go then)
    now = T0 + timedelta(hours=hours_since)
    # When deciding
    decision = survey_decision(a_ticket(), a_thread(T0), iso(now), ON)
    # Then nothing is sent
    assert (decision.send, decision.reason) == (False, "window_closed")


def test_the_window_counts_from_the_customers_last_message_not_from_the_resolution() -> None:
    # Given an old conversation where the customer wrote again an hour before the resolution
    thread = [*a_thread(T0 - timedelta(days=3)), a_message("inbound", RESOLVED - timedelta(hours=1))]
    # When deciding
    decision = survey_decision(a_ticket(), thread, iso(RESOLVED), ON)
    # Then the window is open
    assert decision.send


@pytest.mark.parametrize(
    ("platform", "kind"),
    [("instagram", "comment"), ("facebook", "comment"), ("x", "mention"), ("x", "reply"), ("instagram", "mention")],
)
def test_a_public_conversation_is_never_asked(platform: str, kind: str) -> None:
    # Given a resolved public comment or mention (a survey would be a public reply or use up the private reply)
    ticket = a_ticket(platform, kind)
    # When deciding
    decision = survey_decision(ticket, a_thread(T0, platform, kind), iso(RESOLVED), ON)
    # Then nothing is sent
    assert (decision.send, decision.reason) == (False, "public_conversation")


def test_a_google_review_is_never_asked() -> None:
    # Given a resolved Google review
    ticket = a_ticket("google", "review")
    # When deciding
    decision = survey_decision(ticket, a_thread(T0, "google", "review"), iso(RESOLVED), ON)
    # Then nothing is sent
    assert (decision.send, decision.reason) == (False, "google_review")


def test_a_ticket_is_not_asked_twice_unless_the_first_survey_was_withdrawn() -> None:
    # Given a ticket asked once already
    asked = [TicketEvent(type="csat_requested", at=iso(RESOLVED))]
    # When deciding again, and after the unsent survey was withdrawn (the ticket was reopened)
    again = survey_decision(a_ticket("x"), a_thread(T0, "x"), iso(RESOLVED), ON, events=asked)
    withdrawn = [*asked, TicketEvent(type="csat_withdrawn", at=iso(RESOLVED))]
    after_withdrawal = survey_decision(a_ticket("x"), a_thread(T0, "x"), iso(RESOLVED), ON, events=withdrawn)
    # Then the first is refused, the second allowed
    assert (again.send, again.reason) == (False, "already_asked")
    assert after_withdrawal.send


def test_a_customer_who_opted_out_is_not_asked() -> None:
    # Given a qualifying ticket whose customer asked not to get surveys
    # When deciding
    decision = survey_decision(a_ticket("x"), a_thread(T0, "x"), iso(RESOLVED), ON, opted_out=True)
    # Then nothing is sent
    assert (decision.send, decision.reason) == (False, "opted_out")


@pytest.mark.parametrize(
    ("fields", "policy", "thread_kind", "reason"),
    [
        ({}, CsatPolicy(), "full", "disabled"),
        ({"status": "closed", "tags": ["spam"]}, ON, "full", "closed_as_spam"),
        ({"status": "closed", "tags": ["ignored"]}, ON, "full", "closed_as_spam"),
        ({"status": "closed"}, ON, "full", "not_resolved"),
        ({"status": "open"}, ON, "full", "not_resolved"),
        ({}, ON, "no_reply", "no_agent_reply"),
    ],
)
def test_other_reasons_not_to_ask(fields: dict[str, Any], policy: CsatPolicy, thread_kind: str, reason: str) -> None:
    # Given a DM ticket that is off for one reason: the tenant did not enable CSAT, a rule closed it as spam or
    # noise, it is not resolved, or nobody ever answered it
    thread = a_thread(T0, "x") if thread_kind == "full" else [a_message("inbound", T0, "x")]
    # When deciding
    decision = survey_decision(a_ticket("x", **fields), thread, iso(RESOLVED), policy)
    # Then nothing is sent, and the reason says why
    assert (decision.send, decision.reason) == (False, reason)


def test_the_language_follows_the_ticket_and_falls_back_to_the_policys() -> None:
    # Given tickets in English and in Korean, and a policy defaulting to Japanese, sending at once
    policy = CsatPolicy(enabled=True, delay_minutes=0)
    # When deciding
    english = survey_decision(a_ticket("x", language="en"), a_thread(T0, "x"), iso(RESOLVED), policy)
    korean = survey_decision(a_ticket("x", language="ko"), a_thread(T0, "x"), iso(RESOLVED), policy)
    # Then English is English, Korean gets the default, and "at once" is the resolution time
    assert (english.language, korean.language) == ("en", "ja")
    assert english.send_at == iso(RESOLVED)


# -- the DM text -----------------------------------------------------------------------------------


def test_the_survey_dm_is_short_and_polite_in_japanese_and_english() -> None:
    # Given a link
    link = f"https://care.example.jp/csat/{new_token()}"
    # When the DM is written in each language
    ja = survey_message("ja", link, "アクメ")
    en = survey_message("en", link, "Acme")
    plain = survey_message("en", link, "")
    # Then it thanks, asks for 1-5 and carries the link, within every channel's DM limit
    assert ja.startswith("アクメです。この度はお問い合わせいただきありがとうございました。")
    assert "評価（1〜5）" in ja and ja.endswith(link)
    assert en.startswith("Thank you for contacting Acme.") and en.endswith(link)
    assert plain.startswith("Thank you for contacting us.")
    assert all(len(text.encode()) <= MAX_DM_BYTES for text in (ja, en))


def test_a_brands_template_is_used_and_one_too_long_for_a_dm_falls_back_to_ours() -> None:
    # Given a brand's own wording, and one that with a long brand name exceeds Instagram's 1,000 bytes
    link = f"https://care.example.jp/csat/{new_token()}"
    short = survey_message("ja", link, "アクメ", "{brand}サポートです。評価をお願いします {link}")
    long = survey_message("ja", link, "ア" * 100, "{brand}" * 3 + "あ" * 250 + "{link}")
    # Then the short one is used as written, the long one replaced by ours
    assert short == f"アクメサポートです。評価をお願いします {link}"
    assert long.startswith("ア" * 100 + "です。この度は") and len(long.encode()) <= MAX_DM_BYTES


def test_a_template_without_the_link_is_refused() -> None:
    # When a policy is saved with a template that has no {link}
    # Then it is refused
    with pytest.raises(ValidationError):
        CsatPolicy(templates={"ja": "ご評価をお願いします"})


# -- asking, in the table --------------------------------------------------------------------------


def resolved_dm(store: Store, tenant: str, platform: str = "x", *, assignee: str | None = "user-alice") -> str:
    """A DM ticket the customer opened at T0, an agent answered and resolved two hours later."""
    account = ACCOUNT_ID if platform == "x" else "17841400000000001"
    result = store.tickets.record_inbound(
        tenant,
        "support",
        InboundMessage(
            platform=platform,
            account_id=account,
            native_id=f"dm-{platform}-1",
            kind="dm",
            conversation_id=CUSTOMER,
            author=Author(platform_user_id=CUSTOMER, handle="taro_y", display_name="山田 太郎"),
            text="注文した商品が届きません",
            created_at=iso(T0),
        ),
        iso(T0),
    )
    ticket_id = str(result.ticket_id)
    if assignee:
        agent = store.directory.agent(tenant, assignee)
        store.tickets.reassign(tenant, ticket_id, store.tickets.get(tenant, ticket_id).version, agent, "x", iso(T0))
    store.tickets.record_reply(
        tenant,
        Message(
            id="01JREPLY000000000000000000",
            ticket_id=ticket_id,
            direction="outbound",
            platform=platform,
            kind="dm",
            native_id="out-1",
            conversation_id=CUSTOMER,
            author=Author(platform_user_id=account),
            text="お待たせしました。本日発送いたしました。",
            created_at=iso(T0 + timedelta(hours=1)),
            received_at=iso(T0 + timedelta(hours=1)),
        ),
    )
    version = store.tickets.get(tenant, ticket_id).version
    store.tickets.set_status(tenant, ticket_id, version, "resolved", "user-alice", iso(RESOLVED))
    return ticket_id


def ask(store: Store, tenant: str, ticket_id: str, policy: CsatPolicy = ON, at: datetime = RESOLVED) -> Any:
    return request_survey(
        CsatStore(store.table), store.tickets.detail(tenant, ticket_id), iso(at), APP_URL, brand="Acme", policy=policy
    )


def token_in(item: dict[str, Any]) -> str:
    found = LINK.search(item["text"])
    assert found, "the DM carries the survey link"
    return found.group(1)


def test_asking_queues_a_dm_the_existing_sender_can_send(store: Store, tenant: str) -> None:
    # Given a resolved X DM ticket
    ticket_id = resolved_dm(store, tenant)
    # When the survey is requested
    requested = ask(store, tenant, ticket_id)
    # Then one PENDING outbox reply is stored, a DM from the system held until ten minutes after the resolution
    assert requested.decision.send and requested.outbox is not None
    (item,) = store.outbox.for_ticket(tenant, ticket_id)
    assert (item["operation"], item["mode"], item["source"], item["status"]) == ("reply", "dm", CSAT_SOURCE, "PENDING")
    assert item["not_before"] == iso(RESOLVED + timedelta(minutes=10))
    assert "customer_id" not in item  # the copy-paste memory is for agents' replies
    request = request_for(requested.outbox)
    assert (request.platform, request.recipient_id, request.human_agent) == ("x", CUSTOMER, False)
    assert "この度はお問い合わせいただきありがとうございました" in str(request.text)
    # And the ticket says so; the table keeps the token's hash, never the token
    detail = store.tickets.detail(tenant, ticket_id)
    assert [e.type for e in detail.events].count("csat_requested") == 1
    token = token_in(requested.outbox)
    survey = CsatStore(store.table).get(token)
    assert survey is not None and survey["PK"] == f"CSAT#{token_hash(token)}"
    assert token not in str(survey)
    assert (survey["tenant_id"], survey["ticket_id"], survey["agent_id"], survey["channel"]) == (
        tenant,
        ticket_id,
        "user-alice",
        "x",
    )
    assert survey["expires_at"] == int((RESOLVED + timedelta(days=7)).timestamp())
    # And the delayed item is watched by the sweeper only once it is due
    stored = store.outbox.get(OutboxRef.of(requested.outbox))
    assert stored is not None and stored["GSI5SK"].startswith(iso(RESOLVED + timedelta(minutes=11)))


class OnePlatform:
    """Takes every request (a fake X): records what it was asked to send."""

    def __init__(self) -> None:
        self.received: list[SendRequest] = []

    def send(self, request: SendRequest) -> Sent:
        self.received.append(request)
        return Sent("1900000000000000001")


class NoTimers:
    def start(self, tenant: str, ticket_id: str, generation: int, wake_at: str) -> bool:
        return True

    def stop(self, tenant: str, ticket_id: str, generation: int, wake_at: str) -> None:
        return None


def test_the_existing_sender_holds_the_survey_until_its_time_then_sends_it(store: Store, tenant: str) -> None:
    # Given a survey queued at the resolution
    ticket_id = resolved_dm(store, tenant)
    ref = OutboxRef.of(ask(store, tenant, ticket_id).outbox)
    now = [RESOLVED + timedelta(minutes=1)]
    platform, requeued = OnePlatform(), []
    sender = OutboxSender(
        store, platform, NoTimers(), lambda r, d: requeued.append(d), "w1", clock=lambda: now[0], policy=SendPolicy()
    )
    # When the send queue offers it at once, and again when its delay has passed
    early = sender.process(ref)
    now[0] = RESOLVED + timedelta(minutes=10, seconds=1)
    due = sender.process(ref)
    # Then it waits (queued again for the nine minutes left), then goes out once as a DM and joins the thread
    assert (early, requeued, due) == ("deferred", [540], "sent")
    (request,) = platform.received
    assert (request.mode, request.recipient_id, request.human_agent) == ("dm", CUSTOMER, False)
    detail = store.tickets.detail(tenant, ticket_id)
    assert detail.messages[-1].direction == "outbound" and "評価（1〜5）" in detail.messages[-1].text


def test_a_ticket_is_asked_once_even_when_two_resolutions_race(store: Store, tenant: str) -> None:
    # Given a resolved ticket asked once
    ticket_id = resolved_dm(store, tenant)
    first = ask(store, tenant, ticket_id)
    # When it is asked again from a detail read before the first survey (the race the condition decides)
    stale = store.tickets.detail(tenant, ticket_id)
    stale = type(stale)(stale.ticket, stale.messages, [e for e in stale.events if e.type != "csat_requested"])
    again = request_survey(CsatStore(store.table), stale, iso(RESOLVED), APP_URL, policy=ON)
    # Then the second stores nothing
    assert first.outbox is not None
    assert (again.decision.send, again.decision.reason, again.outbox) == (False, "already_asked", None)
    assert len(store.outbox.for_ticket(tenant, ticket_id)) == 1


def test_a_customer_who_opted_out_is_not_asked_from_the_table(store: Store, tenant: str) -> None:
    # Given a resolved ticket whose customer opted out of surveys
    ticket_id = resolved_dm(store, tenant)
    CsatStore(store.table).set_opt_out(tenant, "x", CUSTOMER, True, iso(T0))
    # When the survey is requested
    requested = ask(store, tenant, ticket_id)
    # Then nothing is queued
    assert (requested.decision.reason, requested.outbox) == ("opted_out", None)
    assert store.outbox.for_ticket(tenant, ticket_id) == []


def test_a_survey_not_yet_sent_is_withdrawn_when_the_ticket_reopens(store: Store, tenant: str) -> None:
    # Given a survey waiting for its delay
    ticket_id = resolved_dm(store, tenant)
    requested = ask(store, tenant, ticket_id)
    token = token_in(requested.outbox)
    surveys = CsatStore(store.table)
    # When the ticket is reopened before it leaves
    version = store.tickets.get(tenant, ticket_id).version
    store.tickets.set_status(tenant, ticket_id, version, "open", "user-alice", iso(RESOLVED + timedelta(minutes=3)))
    withdrawn = surveys.withdraw(tenant, ticket_id, iso(RESOLVED + timedelta(minutes=3)))
    # Then the DM is cancelled, the link is dead, and the next resolution may ask again
    assert withdrawn
    (item,) = store.outbox.for_ticket(tenant, ticket_id)
    assert item["status"] == "CANCELLED"
    assert surveys.get(token) is None
    later = RESOLVED + timedelta(hours=1)
    version = store.tickets.get(tenant, ticket_id).version
    store.tickets.set_status(tenant, ticket_id, version, "resolved", "user-alice", iso(later))
    assert ask(store, tenant, ticket_id, at=later).outbox is not None


def test_a_survey_already_sending_is_not_withdrawn(store: Store, tenant: str) -> None:
    # Given a survey whose DM the sender has claimed
    ticket_id = resolved_dm(store, tenant)
    requested = ask(store, tenant, ticket_id, CsatPolicy(enabled=True, delay_minutes=0))
    ref = OutboxRef.of(requested.outbox)
    OutboxTransitions(store.table).claim(
        ref, requested.outbox["id"], "w1", iso(RESOLVED), iso(RESOLVED + timedelta(minutes=1))
    )
    # When the ticket reopens
    withdrawn = CsatStore(store.table).withdraw(tenant, ticket_id, iso(RESOLVED))
    # Then the survey stands (it may have reached the customer)
    assert not withdrawn
    assert store.outbox.get(ref)["status"] == "SENDING"  # type: ignore[index]


# -- answering -------------------------------------------------------------------------------------


def asked(store: Store, tenant: str) -> tuple[str, str, CsatStore]:
    ticket_id = resolved_dm(store, tenant)
    requested = ask(store, tenant, ticket_id)
    return ticket_id, token_in(requested.outbox), CsatStore(store.table)


def test_an_answer_is_recorded_once_and_a_second_is_politely_refused(store: Store, tenant: str) -> None:
    # Given a survey sent for a resolved ticket
    _ticket_id, token, surveys = asked(store, tenant)
    at = iso(RESOLVED + timedelta(hours=1))
    # When the customer answers 4, then tries 1
    first = answer(surveys, token, "4", "早い対応でした", at)
    second = answer(surveys, token, "1", "", at)
    # Then the first is recorded and the second is "already answered", with the rating unchanged
    assert (first.outcome, first.rating, first.language, first.brand) == ("recorded", 4, "ja", "Acme")
    assert second.outcome == "already_answered"
    survey = surveys.get(token)
    assert survey is not None and survey["rating"] == 4 and survey["used_at"] == at
    assert survey["comment"] == "早い対応でした"


def test_the_rating_is_on_the_ticket_with_an_event(store: Store, tenant: str) -> None:
    # Given a survey
    ticket_id, token, surveys = asked(store, tenant)
    # When it is answered
    answer(surveys, token, "5", None, iso(RESOLVED + timedelta(hours=1)))
    # Then the ticket holds the rating and its history says so
    detail = store.tickets.detail(tenant, ticket_id)
    assert detail.item["csat_rating"] == 5
    (received,) = [e for e in detail.events if e.type == "csat_received"]
    assert received.detail == {"rating": 5, "has_comment": False}
    assert received.actor == "customer"


def test_the_answer_is_in_the_months_report_partition(store: Store, tenant: str) -> None:
    # Given two tickets answered 5 and 2 on 23 November (Tokyo), one of them unassigned
    _ticket, token, surveys = asked(store, tenant)
    other = resolved_dm(store, tenant, "instagram", assignee=None)
    other_token = token_in(ask(store, tenant, other).outbox)
    at = iso(RESOLVED + timedelta(hours=1))
    answer(surveys, token, "5", None, at)
    answer(surveys, other_token, "2", "遅い", at)
    # When the month is read (one Query)
    store.table.calls.clear()
    answers = surveys.answers(tenant, "2026-11-01", "2026-11-30")
    # Then both are there with what reports group by
    assert store.table.calls["Query"] == 1
    assert sorted((a["rating"], a["channel"], a.get("agent_id")) for a in answers) == [
        (2, "instagram", None),
        (5, "x", "user-alice"),
    ]
    assert {a["day"] for a in answers} == {"2026-11-23"}
    by_agent = summarize(answers, "agent")
    assert by_agent["user-alice"].average == 5.0 and by_agent["-"].distribution[2] == 1
    overall = summarize(answers)["*"]
    assert (overall.count, overall.average, overall.satisfied_share) == (2, 3.5, 0.5)
    # And a day range outside holds nothing
    assert surveys.answers(tenant, "2026-12-01", "2026-12-31") == []


def test_an_answer_adds_to_the_report_rollups_once(store: Store, tenant: str) -> None:
    # Given two tickets on different channels answered 5 and 2, and a second try at the first
    _ticket, token, surveys = asked(store, tenant)
    other_token = token_in(ask(store, tenant, resolved_dm(store, tenant, "instagram", assignee=None)).outbox)
    at = iso(RESOLVED + timedelta(hours=1))
    answer(surveys, token, "5", None, at)
    answer(surveys, other_token, "2", None, at)
    answer(surveys, token, "1", None, at)
    # When the day's rollups are read by channel and by agent
    reader = RollupReader(store.table)

    def totals(dim: str) -> dict[str, dict[str, int]]:
        rows: dict[str, dict[str, int]] = {}
        for item in reader.days(tenant, dim, "2026-11-23", "2026-11-23"):
            row = rows.setdefault(str(item["value"]), {})
            for name in ("csat_answers", "csat_sum", "csat_r1", "csat_r2", "csat_r5"):
                row[name] = row.get(name, 0) + int(item.get(name, 0))
        return rows

    # Then each answer is counted once, under its channel and (when assigned) its agent
    assert totals("channel") == {
        "x": {"csat_answers": 1, "csat_sum": 5, "csat_r1": 0, "csat_r2": 0, "csat_r5": 1},
        "instagram": {"csat_answers": 1, "csat_sum": 2, "csat_r1": 0, "csat_r2": 1, "csat_r5": 0},
    }
    assert totals("agent")["user-alice"]["csat_answers"] == 1
    assert totals("all")["*"]["csat_answers"] == 2


def test_an_expired_link_answers_politely_and_stores_nothing(store: Store, tenant: str) -> None:
    # Given a survey sent seven days and a second ago
    ticket_id, token, surveys = asked(store, tenant)
    late = iso(RESOLVED + timedelta(days=7, seconds=1))
    # When it is answered
    result = answer(surveys, token, "3", None, late)
    # Then the customer is told it expired and nothing is recorded
    assert result.outcome == "expired"
    survey = surveys.get(token)
    assert survey is not None and "used_at" not in survey
    assert "csat_rating" not in store.tickets.detail(tenant, ticket_id).item


def test_an_unknown_or_malformed_token_is_not_found(store: Store, tenant: str) -> None:
    # Given no survey for these tokens
    surveys = CsatStore(store.table)
    # When they are answered
    # Then they are "not found", and a malformed one is refused before the table is read
    assert answer(surveys, new_token(), "5", None, iso(RESOLVED)).outcome == "not_found"
    store.table.calls.clear()
    assert answer(surveys, "../../etc", "5", None, iso(RESOLVED)).outcome == "not_found"
    assert sum(store.table.calls.values()) == 0


def test_the_comment_is_stored_with_its_personal_data_masked(store: Store, tenant: str) -> None:
    # Given a survey
    _ticket, token, surveys = asked(store, tenant)
    # When the customer leaves a phone number and an email in the comment
    answer(surveys, token, "2", "折り返しは 090-1234-5678 か taro@example.jp まで", iso(RESOLVED))
    # Then neither is stored, in the survey nor in the report
    survey = surveys.get(token)
    assert survey is not None
    (entry,) = surveys.answers(tenant, "2026-11-23", "2026-11-23")
    for stored in (survey["comment"], entry["comment"]):
        assert "090-1234-5678" not in stored and "taro@example.jp" not in stored
        assert "<phone>" in stored and "<email>" in stored


@pytest.mark.parametrize(
    ("rating", "comment"), [("0", None), ("6", None), ("", None), ("4.5", None), ("4", "あ" * 1001)]
)
def test_an_invalid_answer_is_refused_and_nothing_is_kept(
    store: Store, tenant: str, rating: str, comment: str | None
) -> None:
    # Given a survey
    _ticket_id, token, surveys = asked(store, tenant)
    # When it is answered with a rating outside 1-5 or a comment over 1,000 characters
    with pytest.raises(InvalidRequest):
        answer(surveys, token, rating, comment, iso(RESOLVED))
    # Then nothing is kept and the link still works
    survey = surveys.get(token)
    assert survey is not None and "used_at" not in survey
    assert answer(surveys, token, "3", "あ" * 1000, iso(RESOLVED)).outcome == "recorded"


# -- the public page -------------------------------------------------------------------------------


def page_event(
    token: str, method: str = "GET", form: dict[str, str] | None = None, b64: bool = False
) -> dict[str, Any]:
    body = urlencode(form or {})
    return {
        "version": "2.0",
        "routeKey": f"{method} /csat/{{token}}",
        "rawPath": f"/csat/{token}",
        "headers": {"content-type": "application/x-www-form-urlencoded"} if form is not None else {},
        "requestContext": {"http": {"method": method, "path": f"/csat/{token}"}},
        "pathParameters": {"token": token},
        "body": base64.b64encode(body.encode()).decode() if b64 else body,
        "isBase64Encoded": b64,
    }


def show(surveys: CsatStore, token: str, at: datetime = RESOLVED, **kwargs: Any) -> dict[str, Any]:
    return csat_page.handle(page_event(token, **kwargs), surveys, clock=lambda: at)


def stored_survey(store: Store, tenant: str, *, language: str = "ja", brand: str = "Acme") -> tuple[str, CsatStore]:
    surveys = CsatStore(store.table)
    ticket = store.tickets.get(tenant, resolved_dm(store, tenant))
    token, item = create_survey(ticket, language=language, brand=brand, now=iso(RESOLVED))  # type: ignore[arg-type]
    store.table.put(item)
    return token, surveys


def test_the_page_shows_a_form_with_the_agent_pages_security_headers(store: Store, tenant: str) -> None:
    # Given a survey in Japanese
    token, surveys = stored_survey(store, tenant)
    # When the customer opens the link
    page = show(surveys, token)
    html = page["body"]
    # Then a plain form posts back to the same address: five ratings, a comment, a button, no script
    assert page["statusCode"] == 200
    assert page["headers"]["content-type"] == "text/html; charset=utf-8"
    assert page["headers"]["content-security-policy"] == pages.CSP
    assert page["headers"]["x-frame-options"] == "DENY"
    assert page["headers"]["cache-control"] == "no-store"
    assert f'<form class="csat-form" method="post" action="/csat/{token}"' in html
    assert re.findall(r'<input type="radio" name="rating" value="(\d)" required>', html) == ["1", "2", "3", "4", "5"]
    assert 'name="comment"' in html and 'maxlength="1000"' in html and 'type="submit"' in html
    assert '<link rel="stylesheet" href="/static/csat.css">' in html
    assert "<script" not in html and "style=" not in html
    # And it speaks Japanese
    assert '<html lang="ja">' in html
    assert "Acmeのサポートはいかがでしたか？" in html and "とても<wbr>満足" in html and "送信する" in html


def test_the_brand_name_is_escaped(store: Store, tenant: str) -> None:
    # Given a brand whose name holds markup
    token, surveys = stored_survey(store, tenant, brand='<script>alert("x")</script>')
    # When the page is shown
    html = show(surveys, token)["body"]
    # Then the name is text, never markup
    assert "<script" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_an_english_survey_is_shown_in_english(store: Store, tenant: str) -> None:
    # Given a survey in English
    token, surveys = stored_survey(store, tenant, language="en")
    # When the page is shown
    html = show(surveys, token)["body"]
    # Then it is English
    assert '<html lang="en">' in html and "How was your support from Acme?" in html


def test_posting_a_rating_thanks_the_customer_and_a_second_post_is_already_answered(store: Store, tenant: str) -> None:
    # Given a survey
    token, surveys = stored_survey(store, tenant)
    # When the form is sent (API Gateway may base64 the body), then sent again
    done = show(surveys, token, method="POST", form={"rating": "5", "comment": "ありがとう"}, b64=True)
    again = show(surveys, token, method="POST", form={"rating": "1", "comment": ""})
    reopened = show(surveys, token)
    # Then the first thanks, the second and a later visit say it was answered, and the rating stays
    assert done["statusCode"] == 200 and "ご回答ありがとうございました" in done["body"]
    assert again["statusCode"] == 200 and "すでにご回答いただいています" in again["body"]
    assert "すでにご回答いただいています" in reopened["body"] and "<form" not in reopened["body"]
    assert surveys.get(token)["rating"] == 5  # type: ignore[index]
    assert done["headers"]["content-security-policy"] == pages.CSP


@pytest.mark.parametrize("form", [{"rating": "9", "comment": "<b>hi</b>"}, {"comment": "<b>hi</b>"}])
def test_an_invalid_rating_shows_the_form_again_and_keeps_nothing(
    store: Store, tenant: str, form: dict[str, str]
) -> None:
    # Given a survey
    token, surveys = stored_survey(store, tenant)
    # When the form is sent with a rating outside 1-5, or none
    page = show(surveys, token, method="POST", form=form)
    # Then the form comes back with the error and the comment (escaped), and nothing is stored
    assert page["statusCode"] == 400
    assert '<p class="csat-error" id="csat-error" role="alert">1〜5のいずれかをお選びください。</p>' in page["body"]
    assert "&lt;b&gt;hi&lt;/b&gt;</textarea>" in page["body"] and "<b>" not in page["body"]
    survey = surveys.get(token)
    assert survey is not None and "used_at" not in survey


def test_a_comment_too_long_keeps_the_chosen_rating(store: Store, tenant: str) -> None:
    # Given a survey
    token, surveys = stored_survey(store, tenant)
    # When the comment is over 1,000 characters
    page = show(surveys, token, method="POST", form={"rating": "4", "comment": "あ" * 1001})
    # Then the form comes back with the rating still chosen
    assert page["statusCode"] == 400 and "ご意見は1,000文字以内でお願いいたします。" in page["body"]
    assert '<input type="radio" name="rating" value="4" required checked>' in page["body"]


def test_an_expired_link_and_an_unknown_link_get_polite_pages(store: Store, tenant: str) -> None:
    # Given a survey past its seven days, and a link that was never sent
    token, surveys = stored_survey(store, tenant)
    late = RESOLVED + timedelta(days=8)
    # When they are opened or answered
    expired = show(surveys, token, at=late)
    expired_post = show(surveys, token, at=late, method="POST", form={"rating": "5"})
    unknown = show(surveys, new_token())
    junk = show(surveys, "<script>")
    # Then each says what happened, kindly, with no form and no echo of the path
    assert expired["statusCode"] == 410 and "回答期限が過ぎました" in expired["body"] and "<form" not in expired["body"]
    assert expired_post["statusCode"] == 410
    assert unknown["statusCode"] == 404 and "このアンケートのリンクは無効です" in unknown["body"]
    assert "This survey link is not valid" in unknown["body"]
    assert junk["statusCode"] == 404 and "<script>" not in junk["body"]
    assert unknown["headers"]["content-security-policy"] == pages.CSP


def test_other_methods_are_refused(store: Store, tenant: str) -> None:
    # Given a survey
    token, surveys = stored_survey(store, tenant)
    # When it is deleted
    page = show(surveys, token, method="DELETE")
    # Then 405, and the survey stays
    assert page["statusCode"] == 405 and page["headers"]["allow"] == "GET, HEAD, POST"
    assert surveys.get(token) is not None


def test_the_stylesheet_is_served_as_a_static_file() -> None:
    # When the page's stylesheet is requested
    css = pages.static("csat.css")
    # Then it is there, as CSS
    assert css["statusCode"] == 200 and css["headers"]["content-type"] == "text/css; charset=utf-8"
    assert ".csat-option input:checked + .csat-tile" in css["body"]


def test_resolving_through_the_api_asks_for_a_rating_once(
    store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3
    from mentiondesk.api import deps

    from tests.conftest import access_claims, load_function
    from tests.unit.test_api import call

    # Given the brand asks for ratings, and a DM ticket an agent answered
    queue = boto3.client("sqs").create_queue(QueueName="send")["QueueUrl"]
    for name, value in (("TABLE_NAME", table_name), ("SEND_QUEUE_URL", queue), ("APP_URL", APP_URL)):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    deps.send_queue.cache_clear()
    api = load_function("api")
    lead, alice = access_claims("user-lead", "supervisor"), access_claims("user-alice", "agent")
    assert call(api, "PUT", "/api/settings/csat", lead, {"version": 0, "enabled": True, "delay_minutes": 0})[0] == 200
    assert call(api, "PUT", "/api/settings/csat", lead, {"version": 1, "templates": {"ja": "no link here"}})[0] == 400
    ticket_id = resolved_dm(store, tenant)
    version = store.tickets.get(tenant, ticket_id).version
    store.tickets.set_status(tenant, ticket_id, version, "open", "user-alice", iso(RESOLVED))
    # When the agent resolves it through the API
    version = store.tickets.get(tenant, ticket_id).version
    status, _ = call(api, "PATCH", f"/api/tickets/{ticket_id}", alice, {"version": version, "status": "resolved"})
    assert status == 200
    # Then one survey DM waits in the outbox, named on the send queue, with a link to the public page
    outbox = [o for o in store.outbox.for_ticket(tenant, ticket_id) if o["source"] == "system:csat"]
    assert len(outbox) == 1 and outbox[0]["mode"] == "dm" and LINK.search(outbox[0]["text"])
    messages = boto3.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    assert len(messages) == 1
    # And reopening withdraws the survey that had not left yet; resolving again asks anew, so one reaches them
    version = store.tickets.get(tenant, ticket_id).version
    assert call(api, "PATCH", f"/api/tickets/{ticket_id}", alice, {"version": version, "status": "open"})[0] == 200
    version = store.tickets.get(tenant, ticket_id).version
    assert call(api, "PATCH", f"/api/tickets/{ticket_id}", alice, {"version": version, "status": "resolved"})[0] == 200
    surveys = [o for o in store.outbox.for_ticket(tenant, ticket_id) if o["source"] == "system:csat"]
    assert sorted(o["status"] for o in surveys) == ["CANCELLED", "PENDING"]


def test_erasing_the_customer_removes_the_survey_and_the_answer(store: Store, tenant: str) -> None:
    from mentiondesk.store.erasure import CustomerEraser

    # Given a survey the customer answered with a comment
    ticket_id = resolved_dm(store, tenant)
    token = token_in(ask(store, tenant, ticket_id).outbox)
    surveys = CsatStore(store.table)
    answered_at = iso(RESOLVED + timedelta(hours=1))
    assert surveys.answer(token, 2, "配送が遅かったです", answered_at).outcome == "recorded"
    day = answered_at[:10]
    assert surveys.answers(tenant, day, day) != []
    # When an admin erases the customer
    CustomerEraser(store.table, sleep=lambda _s: None).erase(
        tenant, f"x:{CUSTOMER}", linked=False, actor="user-admin", role="admin", now=answered_at
    )
    # Then the survey link and the answer with its comment are gone
    assert surveys.get(token) is None
    assert surveys.answers(tenant, day, day) == []
