"""Customer profiles: one per platform identity, their tickets, and identities linked as one person;
and the marker an erased customer leaves (store/erasure.py), which ingest reads."""

import hashlib
from typing import Any

from mentiondesk.clock import parse_iso
from mentiondesk.errors import InvalidRequest, NotFound
from mentiondesk.store import keys
from mentiondesk.store.dynamo import Table

PLATFORMS = ("x", "instagram", "facebook", "google")


def split_customer_id(customer_id: str) -> tuple[str, str]:
    """`x:123` -> ("x", "123"); InvalidRequest for anything else."""
    platform, _, user_id = customer_id.partition(":")
    if platform not in PLATFORMS or not user_id or len(user_id) > 200:
        raise InvalidRequest("a customer id is <platform>:<platform user id>")
    return platform, user_id


ERASED_SK = "ERASED"


def customer_hash(tenant: str, customer_id: str) -> str:
    """How audit records and erasure markers name a customer without holding their platform id:
    sha256 hex of `{tenant}:{customer_id}` (support answers "was x:123 erased?" by hashing again)."""
    return hashlib.sha256(f"{tenant}:{customer_id}".encode()).hexdigest()


def erased_key(tenant: str, customer_id: str) -> dict[str, str]:
    """TENANT#{t}#ERASED#{hash} / ERASED: when the identity was erased (TTL; see store/erasure.py)."""
    return {"PK": f"TENANT#{tenant}#ERASED#{customer_hash(tenant, customer_id)}", "SK": ERASED_SK}


class CustomerStore:
    """Profiles, history and links. Every read is a GetItem or a Query on the customer's keys."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def profile(self, tenant: str, customer_id: str) -> dict[str, Any]:
        platform, user_id = split_customer_id(customer_id)
        item = self.table.get({"PK": keys.customer_pk(tenant, platform, user_id), "SK": keys.CUSTOMER_SK})
        if not item:
            raise NotFound("customer not found")
        return item

    def erased_at(self, tenant: str, customer_id: str, now: str) -> str | None:
        """When this identity's data was erased on request, if it was and the marker has not expired
        (one GetItem on a hashed key)."""
        item = self.table.get(erased_key(tenant, customer_id))
        if not item or int(item.get("expires_at", 0)) <= int(parse_iso(now).timestamp()):
            return None
        return str(item["erased_at"])

    def tickets(self, tenant: str, customer_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """The identity's tickets, newest first (one Query)."""
        platform, user_id = split_customer_id(customer_id)
        items, _ = self.table.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :t)",
            ExpressionAttributeValues={":pk": keys.customer_pk(tenant, platform, user_id), ":t": "TICKET#"},
            ScanIndexForward=False,
            Limit=limit,
        )
        return items

    def identities(self, tenant: str, person_id: str) -> list[str]:
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
            ExpressionAttributeValues={":pk": keys.person_pk(tenant, person_id), ":p": "ID#"},
        )
        return sorted(i["customer_id"] for i in items)

    def link(self, tenant: str, customer_id: str, other_id: str, now: str, by: str) -> str:
        """Make two identities one person (merging whatever each was already linked to); the person id."""
        if customer_id == other_id:
            raise InvalidRequest("cannot link a customer to itself")
        first, second = self.profile(tenant, customer_id), self.profile(tenant, other_id)
        person = first.get("person_id") or customer_id
        members = set(self.identities(tenant, person)) | {customer_id}
        other_person = second.get("person_id") or other_id
        members |= set(self.identities(tenant, other_person)) | {other_id}
        for member in sorted(members):
            platform, user_id = split_customer_id(member)
            self.table.update(
                {"PK": keys.customer_pk(tenant, platform, user_id), "SK": keys.CUSTOMER_SK},
                "SET person_id = :p",
                condition="attribute_exists(PK)",
                vals={":p": person},
            )
            self.table.put(
                {
                    "PK": keys.person_pk(tenant, person),
                    "SK": f"ID#{member}",
                    "entity": "person_identity",
                    "customer_id": member,
                    "linked_at": now,
                    "linked_by": by,
                }
            )
        if other_person != person:
            for member in self.identities(tenant, other_person):
                self.table.delete({"PK": keys.person_pk(tenant, other_person), "SK": f"ID#{member}"})
        return person
