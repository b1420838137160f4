"""CSAT surveys: single-use survey tokens, the answers kept for reports, and the customer's opt-out.

PK                                   SK                    item
CSAT#{sha256 of the token}           SURVEY                a survey sent after a resolution (TTL expires_at)
TENANT#{t}#CSAT#{yyyy-mm}            {day}#{ticket}        an answer, for reports (one Query per month)
TENANT#{t}                           POLICY#csat           the tenant's CSAT policy (a settings document)

The survey item is top-level because the public page knows only the token; it holds the sha256 of
the token, never the token, so a table read cannot answer a survey. Answering is one transaction
conditional on the survey being unanswered and unexpired: a second answer, or a late one, changes
nothing. The ticket remembers the survey (`csat_requested_at`, its outbox item and hash), which makes
"not twice for one ticket" a condition of the write, and later the rating (`csat_rating`) and the key
of its answer (`csat_entry`), so erasing the customer's tickets can find it.
Days and months are the reporting day's (store/rollups.report_day: Asia/Tokyo).
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from botocore.exceptions import ClientError

from mentiondesk.clock import iso, parse_iso
from mentiondesk.models import TicketEvent
from mentiondesk.store import keys
from mentiondesk.store.dynamo import Table, cancellation_codes, error_code
from mentiondesk.store.outbox import SWEEP_GRACE_SECONDS, _sweep_keys
from mentiondesk.store.rollups import report_day
from mentiondesk.store.settings import SettingsStore
from mentiondesk.store.tickets import event_item

SURVEY_SK = "SURVEY"
POLICY_ID = "csat"
VALID_DAYS = 7
AnswerOutcome = Literal["recorded", "already_answered", "expired", "not_found"]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_key(digest: str) -> dict[str, str]:
    return {"PK": f"CSAT#{digest}", "SK": SURVEY_SK}


def answers_pk(tenant: str, month: str) -> str:
    return f"TENANT#{tenant}#CSAT#{month}"


def _epoch(at: str) -> int:
    return int(parse_iso(at).timestamp())


def survey_item(
    digest: str,
    *,
    tenant: str,
    ticket_id: str,
    agent_id: str | None,
    team: str,
    channel: str,
    account_id: str,
    language: str,
    brand: str,
    now: str,
    valid_days: int = VALID_DAYS,
) -> dict[str, Any]:
    """The stored survey (not yet written). `agent_id` is the assignee when the ticket was resolved."""
    return {
        **survey_key(digest),
        "entity": "csat_survey",
        "tenant_id": tenant,
        "ticket_id": ticket_id,
        "agent_id": agent_id,
        "team": team,
        "channel": channel,
        "account_id": account_id,
        "language": language,
        "brand": brand,
        "created_at": now,
        "expires_at": _epoch(now) + valid_days * 86_400,  # also the TTL: DynamoDB deletes it some time after
    }


def delay_outbox(item: dict[str, Any], not_before: str) -> dict[str, Any]:
    """An outbox item that the sender must hold until `not_before`; the sweep index then looks at it
    only once it is due (not every few minutes before)."""
    return {**item, "not_before": not_before, **_sweep_keys(item["id"], _after(not_before, SWEEP_GRACE_SECONDS))}


def _after(at: str, seconds: int) -> str:
    return iso(parse_iso(at) + timedelta(seconds=seconds))


def is_expired(survey: dict[str, Any], now: str) -> bool:
    return int(survey.get("expires_at", 0)) <= _epoch(now)


@dataclass(frozen=True)
class StoredAnswer:
    """What answering did; `survey` is the survey as read (None when the token is unknown)."""

    outcome: AnswerOutcome
    survey: dict[str, Any] | None


class CsatStore:
    """Surveys, answers, opt-outs and the policy. Every read is a GetItem or a Query on these keys."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.policies = SettingsStore(table, "POLICY", "CSAT policy")

    # -- asking ---------------------------------------------------------------------------------

    def request(self, survey: dict[str, Any], outbox: dict[str, Any], event: TicketEvent) -> bool:
        """Store a survey with its DM (an outbox item) and the ticket's event, if the ticket is still
        resolved and was never asked (one transaction); False otherwise, and nothing is written."""
        tenant, ticket_id = str(survey["tenant_id"]), str(survey["ticket_id"])
        try:
            self.table.transact(
                [
                    {
                        "Update": {
                            "Key": {"PK": keys.ticket_pk(tenant, ticket_id), "SK": keys.TICKET_SK},
                            "UpdateExpression": "SET csat_requested_at = :now, csat_outbox_sk = :out, csat_survey = :h",
                            "ConditionExpression": "attribute_exists(PK) AND #status = :resolved"
                            " AND attribute_not_exists(csat_requested_at)",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {
                                ":now": event.at,
                                ":out": outbox["SK"],
                                ":h": str(survey["PK"]).removeprefix("CSAT#"),
                                ":resolved": "resolved",
                            },
                        }
                    },
                    {"Put": {"Item": survey, "ConditionExpression": "attribute_not_exists(PK)"}},
                    {"Put": {"Item": outbox, "ConditionExpression": "attribute_not_exists(PK)"}},
                    {"Put": {"Item": event_item(tenant, ticket_id, event)}},
                ]
            )
        except ClientError as error:
            if cancellation_codes(error)[:1] == ["ConditionalCheckFailed"]:
                return False
            raise
        return True

    def withdraw(self, tenant: str, ticket_id: str, now: str) -> bool:
        """Take back a survey whose DM has not left yet (the ticket was reopened while it waited): the
        outbox item is CANCELLED, the survey deleted and the ticket may be asked again when it is
        resolved again. False when there is none, or its DM is already being sent or was sent."""
        ticket = self.table.get({"PK": keys.ticket_pk(tenant, ticket_id), "SK": keys.TICKET_SK}, consistent=True)
        if not ticket or not ticket.get("csat_outbox_sk") or ticket.get("csat_answered_at"):
            return False
        pk = keys.ticket_pk(tenant, ticket_id)
        event = TicketEvent(type="csat_withdrawn", at=now, detail={"reason": "reopened before the survey was sent"})
        try:
            self.table.transact(
                [
                    {
                        "Update": {
                            "Key": {"PK": pk, "SK": ticket["csat_outbox_sk"]},
                            "UpdateExpression": "SET #status = :cancelled, finished_at = :now, reason = :why"
                            " REMOVE GSI5PK, GSI5SK",
                            "ConditionExpression": "#status = :pending",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {
                                ":cancelled": "CANCELLED",
                                ":pending": "PENDING",
                                ":now": now,
                                ":why": "the ticket was reopened before the survey was sent",
                            },
                        }
                    },
                    {
                        "Update": {
                            "Key": {"PK": pk, "SK": keys.TICKET_SK},
                            "UpdateExpression": "REMOVE csat_requested_at, csat_outbox_sk, csat_survey",
                            "ConditionExpression": "csat_outbox_sk = :out",
                            "ExpressionAttributeValues": {":out": ticket["csat_outbox_sk"]},
                        }
                    },
                    {"Delete": {"Key": survey_key(str(ticket.get("csat_survey", "")))}},
                    {"Put": {"Item": event_item(tenant, ticket_id, event)}},
                ]
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                return False
            raise
        return True

    # -- answering ------------------------------------------------------------------------------

    def get(self, token: str) -> dict[str, Any] | None:
        """The survey of a token (read consistently), answered or not, expired or not; None if unknown."""
        return self.table.get(survey_key(token_hash(token)), consistent=True)

    def answer(
        self,
        token: str,
        rating: int,
        comment: str | None,
        now: str,
        *,
        survey: dict[str, Any] | None = None,
        also: Callable[[dict[str, Any]], Sequence[dict[str, Any]]] | None = None,
    ) -> StoredAnswer:
        """Record an answer once: the survey (used_at, rating, comment), the answer for reports, and the
        rating on the ticket with a `csat_received` event, in one transaction conditional on the survey
        being unanswered and unexpired. `comment` must be masked already. `also(survey)` adds items to
        the transaction (report counters). `survey` skips the first read when the caller has it."""
        if not 1 <= rating <= 5:
            raise ValueError("a rating is 1 to 5")
        survey = survey if survey is not None else self.get(token)
        closed = why_closed(survey, now)
        if survey is None or closed is not None:
            return StoredAnswer(closed or "not_found", survey)
        digest = token_hash(token)
        tenant, ticket_id = str(survey["tenant_id"]), str(survey["ticket_id"])
        day = report_day(now)
        entry_key = {"PK": answers_pk(tenant, day[:7]), "SK": f"{day}#{ticket_id}"}
        answered = {"used_at": now, "rating": rating, **({"comment": comment} if comment else {})}
        entry = {
            **entry_key,
            "entity": "csat_answer",
            "ticket_id": ticket_id,
            "agent_id": survey.get("agent_id"),
            "team": survey.get("team"),
            "channel": survey.get("channel"),
            "account_id": survey.get("account_id"),
            "language": survey.get("language"),
            "rating": rating,
            "comment": comment or None,
            "asked_at": survey.get("created_at"),
            "answered_at": now,
            "day": day,
        }
        sets = "SET used_at = :now, rating = :rating" + (", #comment = :comment" if comment else "")
        survey_update = {
            "Update": {
                "Key": survey_key(digest),
                "UpdateExpression": sets,
                "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(used_at) AND expires_at > :epoch",
                **({"ExpressionAttributeNames": {"#comment": "comment"}} if comment else {}),
                "ExpressionAttributeValues": {
                    ":now": now,
                    ":rating": rating,
                    ":epoch": _epoch(now),
                    **({":comment": comment} if comment else {}),
                },
            }
        }
        event = TicketEvent(
            type="csat_received", at=now, actor="customer", detail={"rating": rating, "has_comment": bool(comment)}
        )
        ticket_items: list[dict[str, Any]] = [
            {
                "Update": {
                    "Key": {"PK": keys.ticket_pk(tenant, ticket_id), "SK": keys.TICKET_SK},
                    "UpdateExpression": "SET csat_rating = :rating, csat_answered_at = :now, csat_entry = :entry",
                    "ConditionExpression": "attribute_exists(PK)",
                    "ExpressionAttributeValues": {":rating": rating, ":now": now, ":entry": entry_key},
                }
            },
            {"Put": {"Item": event_item(tenant, ticket_id, event)}},
        ]
        extra = list(also(survey)) if also else []
        try:
            self.table.transact([survey_update, {"Put": {"Item": entry}}, *ticket_items, *extra])
        except ClientError as error:
            codes = cancellation_codes(error)
            if codes[:1] == ["ConditionalCheckFailed"]:
                # Answered (or expired) between our read and our write: say what it is now.
                fresh = self.get(token)
                return StoredAnswer(why_closed(fresh, now) or "already_answered", fresh)
            if len(codes) > 2 and codes[2] == "ConditionalCheckFailed":
                # The ticket is gone (the customer's data was erased): the link is spent, nothing is kept.
                return self._spend(token, survey, now)
            raise
        answered_survey = {**survey, **answered}
        return StoredAnswer("recorded", answered_survey)

    def _spend(self, token: str, survey: dict[str, Any], now: str) -> StoredAnswer:
        try:
            self.table.update(
                survey_key(token_hash(token)),
                "SET used_at = :now",
                condition="attribute_exists(PK) AND attribute_not_exists(used_at)",
                vals={":now": now},
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            fresh = self.get(token)
            return StoredAnswer(why_closed(fresh, now) or "already_answered", fresh)
        return StoredAnswer("recorded", {**survey, "used_at": now})

    # -- reports --------------------------------------------------------------------------------

    def answers(self, tenant: str, first_day: str, last_day: str) -> list[dict[str, Any]]:
        """The answers of the report days first_day..last_day (inclusive): one Query per month."""
        found: list[dict[str, Any]] = []
        for month in _months(first_day, last_day):
            found += self.table.query_all(
                KeyConditionExpression="PK = :pk AND SK BETWEEN :a AND :b",
                ExpressionAttributeValues={
                    ":pk": answers_pk(tenant, month),
                    ":a": f"{first_day}#",
                    ":b": f"{last_day}#\uffff",
                },
            )
        return [{k: v for k, v in item.items() if k not in ("PK", "SK", "entity")} for item in found]

    # -- the customer's choice and the tenant's policy --------------------------------------------

    def opted_out(self, tenant: str, platform: str, user_id: str) -> bool:
        """Whether this customer identity asked not to receive surveys (a flag on their profile)."""
        item = self.table.get({"PK": keys.customer_pk(tenant, platform, user_id), "SK": keys.CUSTOMER_SK})
        return bool(item and item.get("csat_opt_out"))

    def set_opt_out(self, tenant: str, platform: str, user_id: str, opted_out: bool, now: str) -> None:
        self.table.update(
            {"PK": keys.customer_pk(tenant, platform, user_id), "SK": keys.CUSTOMER_SK},
            "SET csat_opt_out = :v, csat_opt_out_at = :now",
            condition="attribute_exists(PK)",
            vals={":v": opted_out, ":now": now},
        )

    def policy(self, tenant: str) -> dict[str, Any] | None:
        """The tenant's CSAT policy document, or None when none was saved (the defaults apply)."""
        from mentiondesk.errors import NotFound

        try:
            return self.policies.get(tenant, POLICY_ID, consistent=False)
        except NotFound:
            return None


def why_closed(survey: dict[str, Any] | None, now: str) -> AnswerOutcome | None:
    """Why a survey can no longer be answered, or None while it can."""
    if survey is None:
        return "not_found"
    if survey.get("used_at"):
        return "already_answered"
    if is_expired(survey, now):
        return "expired"
    return None


def _months(first_day: str, last_day: str) -> list[str]:
    start, end = date.fromisoformat(first_day).replace(day=1), date.fromisoformat(last_day)
    months: list[str] = []
    while start <= end:
        months.append(start.isoformat()[:7])
        start = (start + timedelta(days=32)).replace(day=1)
    return months
