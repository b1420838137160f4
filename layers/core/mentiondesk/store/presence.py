"""Who is looking at or typing on a ticket: short-lived items in the ticket's partition, so opening
the ticket reads them in the same Query. Each expires on its own (`until`; the TTL deletes it later,
and reads never show one past its `until`)."""

from datetime import timedelta
from typing import Any, Literal

from mentiondesk.clock import iso, parse_iso
from mentiondesk.store import keys
from mentiondesk.store.dynamo import Table

PresenceState = Literal["viewing", "typing"]
# The page says "still here" every 20 s while a ticket is open and on each burst of typing.
LIFETIME = {"viewing": timedelta(seconds=45), "typing": timedelta(seconds=12)}


def presence_sk(user_id: str) -> str:
    return f"PRESENCE#{user_id}"


def current(items: list[dict[str, Any]], now: str) -> list[dict[str, Any]]:
    """The presence items of a ticket partition that have not run out, as the API shows them."""
    return [
        {k: i[k] for k in ("user_id", "name", "state", "since", "until")}
        for i in items
        if i["SK"].startswith("PRESENCE#") and str(i.get("until", "")) > now
    ]


class PresenceStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def mark(self, tenant: str, ticket_id: str, user_id: str, name: str, state: PresenceState, now: str) -> None:
        until = parse_iso(now) + LIFETIME[state]
        self.table.update(
            {"PK": keys.ticket_pk(tenant, ticket_id), "SK": presence_sk(user_id)},
            "SET entity = :e, user_id = :u, #name = :n, #state = :s, #until = :until, expires_at = :exp,"
            " since = if_not_exists(since, :now)",
            names={"#name": "name", "#state": "state", "#until": "until"},
            vals={
                ":e": "presence",
                ":u": user_id,
                ":n": name,
                ":s": state,
                ":until": iso(until),
                ":exp": int(until.timestamp()) + 60,
                ":now": now,
            },
        )

    def on_ticket(self, tenant: str, ticket_id: str, now: str) -> list[dict[str, Any]]:
        items, _ = self.table.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
            ExpressionAttributeValues={":pk": keys.ticket_pk(tenant, ticket_id), ":p": "PRESENCE#"},
        )
        return current(items, now)

    def leave(self, tenant: str, ticket_id: str, user_id: str) -> None:
        self.table.delete({"PK": keys.ticket_pk(tenant, ticket_id), "SK": presence_sk(user_id)})
