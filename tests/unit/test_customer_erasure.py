"""Erasing a customer on request: everything of theirs in one tenant goes, audited, and stays gone."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from mentiondesk.api import authz
from mentiondesk.channels import x
from mentiondesk.errors import NotFound, TicketNotFound, TransientStoreError
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import Author, ChannelAccount, InboundMessage, Message, TicketEvent
from mentiondesk.sla import service as sla
from mentiondesk.store import keys
from mentiondesk.store.dynamo import Table
from mentiondesk.store.erasure import TOMBSTONE_DAYS, CustomerEraser
from mentiondesk.store.factory import Store
from mentiondesk.store.outbox import OutboxRef, OutboxTransitions, outbox_item, recent_reply_item

from tests.conftest import (
    ACCOUNT_ID,
    ROOT,
    RecordingStarter,
    access_claims,
    load_function,
    make_x_webhook,
    signed,
    tweet_delivery,
)
from tests.unit.test_api import call
from tests.unit.test_ingest_x import dm_delivery

pytestmark = pytest.mark.unit

TARO = "700000000000000001"  # the customer who asks to be erased
HANAKO = "700000000000000002"  # another customer of the same tenant
OTHER_TENANT = "globex"
OTHER_ACCOUNT = "900000000000000002"
ERASED_AT = "2026-11-23T10:00:00.000Z"
ADMIN = access_claims("user-admin", "admin")
ROUTE = ("DELETE", "/api/customers/<customer_id>")


def at(minute: int, hour: int = 9) -> str:
    return f"2026-11-23T{hour:02d}:{minute:02d}:00.000Z"


def post(
    store: Store,
    tweet_id: str,
    user_id: str = TARO,
    *,
    minute: int = 1,
    reply_to: str | None = None,
    account: str = ACCOUNT_ID,
    written_at: datetime | None = None,
    now: str | None = None,
    starter: RecordingStarter | None = None,
) -> Any:
    """One X webhook delivery of a post; `written_at` overrides the platform's creation time."""
    delivery = tweet_delivery(tweet_id, f"post {tweet_id}", user_id=user_id, reply_to=reply_to, for_user_id=account)
    if written_at is not None:
        delivery["tweet_create_events"][0]["created_at"] = x.x_timestamp(written_at)
    return make_x_webhook(store, starter, now=now or at(minute)).receive(*signed(delivery))


def ticket_of(store: Store, native_id: str, tenant: str = "acme") -> str:
    found = store.tickets.find_native(tenant, "x", native_id)
    assert found is not None and found.get("ticket_id")
    return str(found["ticket_id"])


def partition(store: Store, pk: str) -> list[dict[str, Any]]:
    return store.table.query_all(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": pk})


def customer_hash(tenant: str, customer_id: str) -> str:
    return hashlib.sha256(f"{tenant}:{customer_id}".encode()).hexdigest()


@dataclass
class World:
    thread: str  # taro's mention, his reply in it, our reply, a note, an assignment, a correction, outbox
    orphan: str  # taro's reply to a post we never saw (a PENDING marker leads here)
    dm: str  # taro's DM (a conversation pointer leads here)
    hanako: str  # another customer's ticket
    elsewhere: str  # taro's ticket in another tenant
    pending_ref: OutboxRef
    sending_ref: OutboxRef


@pytest.fixture
def world(store: Store, tenant: str) -> World:
    """Taro has three tickets in acme with everything a ticket collects; Hanako has one; Taro also
    writes to another tenant."""
    post(store, "1001", minute=1)
    thread = ticket_of(store, "1001")
    post(store, "1002", minute=2, reply_to="1001")
    post(store, "1004", minute=3, reply_to="1003")  # its parent never arrived
    orphan = ticket_of(store, "1004")
    make_x_webhook(store, now=at(4)).receive(*signed(dm_delivery("1005", "DM", sender=TARO)))
    dm = ticket_of(store, "1005")
    post(store, "2001", HANAKO, minute=5)
    hanako = ticket_of(store, "2001")

    directory, tickets = store.directory, store.tickets
    alice, bob = directory.agent(tenant, "user-alice"), directory.agent(tenant, "user-bob")
    version = tickets.get(tenant, thread).version
    tickets.reassign(tenant, thread, version, alice, "user-admin", at(10))
    tickets.add_note(tenant, thread, bob, "@alice see the order", [alice], at(11))
    tickets.record_reply(
        tenant,
        Message(
            id="01JREPLY0000000000000000AA",
            ticket_id=thread,
            direction="outbound",
            platform="x",
            kind="reply",
            native_id="5001",
            conversation_id="1001",
            reply_to="1001",
            author=Author(platform_user_id=ACCOUNT_ID),
            text="@taro_y sorry, we are on it",
            created_at=at(12),
            received_at=at(12),
        ),
    )
    for n, ticket_id in enumerate((thread, hanako)):
        version = tickets.get(tenant, ticket_id).version
        correction = {"text": "masked words", "labels": {"intent": "complaint"}}
        tickets.correct_labels(tenant, ticket_id, version, {"intent": "complaint"}, correction, "user-bob", at(13 + n))
    items = []
    for n, text in enumerate(("one more thing", "and another")):
        item = outbox_item(
            tenant, thread, "reply", "agent:user-alice", at(20 + n), text=text, customer_id=f"x:{TARO}", platform="x"
        )
        version = tickets.get(tenant, thread).version
        tickets.queue_outbox(tenant, thread, version, item, TicketEvent(type="reply_queued", at=at(20 + n)))
        items.append(item)
    refs = [OutboxRef.of(item) for item in items]
    OutboxTransitions(store.table).claim(refs[1], items[1]["id"], "worker-1", at(22), at(23))
    for n, who in enumerate((TARO, HANAKO)):
        store.table.put(recent_reply_item(tenant, f"r{n}", f"x:{who}", "thanks!", at(30 + n)))
    store.tickets.add_note(tenant, hanako, bob, "@alice this one too", [alice], at(31))

    store.directory.put_tenant(OTHER_TENANT, "Globex", at(0))
    store.directory.register_channel(
        ChannelAccount(
            tenant_id=OTHER_TENANT,
            platform="x",
            account_id=OTHER_ACCOUNT,
            handle="globex",
            team="support",
            created_at=at(0),
            created_by="user-zed",
        )
    )
    post(store, "1001", minute=6, account=OTHER_ACCOUNT)  # the same post tagged both brands
    elsewhere = ticket_of(store, "1001", OTHER_TENANT)
    return World(thread, orphan, dm, hanako, elsewhere, refs[0], refs[1])


def erase(store: Store, customer_id: str = f"x:{TARO}", linked: bool = False) -> Any:
    return CustomerEraser(store.table, sleep=lambda _s: None).erase(
        "acme", customer_id, linked=linked, actor="user-admin", role="admin", now=ERASED_AT
    )


def test_everything_of_the_customer_in_the_tenant_goes(store: Store, tenant: str, world: World) -> None:
    # Given Taro's three tickets with messages, notes, outbox, assignment, corrections and reply memory
    assert store.directory.agent(tenant, "user-alice").active_count == 1
    # When an admin erases Taro
    summary = erase(store)
    # Then the profile, the history and every ticket partition are gone
    assert summary.tickets == 3 and summary.messages == 5 and summary.tombstones == 5
    assert summary.customer_id_hash == customer_hash("acme", f"x:{TARO}")
    with pytest.raises(NotFound):
        store.customers.profile(tenant, f"x:{TARO}")
    assert partition(store, keys.customer_pk(tenant, "x", TARO)) == []
    for ticket_id in (world.thread, world.orphan, world.dm):
        assert partition(store, keys.ticket_pk(tenant, ticket_id)) == [], ticket_id
    # and both queued replies with them: nothing goes out to an erased customer
    assert store.outbox.get(world.pending_ref) is None and store.outbox.get(world.sending_ref) is None
    # and the conversation pointer, the early-reply marker, the correction, the reply memory, the notifications
    assert store.table.get({"PK": keys.conversation_pk(tenant, "x", ACCOUNT_ID, TARO), "SK": "CONV"}) is None
    assert store.table.get({"PK": keys.pending_pk(tenant, "x", "1003"), "SK": "PENDING"}) is None
    assert [c["ticket_id"] for c in store.learning.corrections(tenant)] == [world.hanako]
    assert [r["customer_id"] for r in store.outbox.recent_replies(tenant, at(0), at(59))] == [f"x:{HANAKO}"]
    assert [n["ticket_id"] for n in store.notifications.recent(tenant, "user-alice")] == [world.hanako]
    # and Alice has her place back
    assert store.directory.agent(tenant, "user-alice").active_count == 0
    assert summary.items_deleted >= 5 + 3 + 2 + 2 + 1 + 1 + 1 + 3  # messages, tickets, outbox, notes, ...


def test_old_message_ids_become_tombstones_that_expire(store: Store, tenant: str, world: World) -> None:
    # When Taro is erased
    erase(store)
    # Then every message id of his tickets, ours included, is a tombstone without a ticket
    for native_id in ("1001", "1002", "1004", "1005", "5001"):
        stone = store.tickets.find_native(tenant, "x", native_id)
        assert stone is not None and stone["entity"] == "tombstone", native_id
        assert "ticket_id" not in stone and stone["opened_ticket"] is False
        erased = datetime(2026, 11, 23, 10, tzinfo=UTC).timestamp()
        assert stone["expires_at"] == int(erased) + TOMBSTONE_DAYS * 86400


def test_other_customers_and_other_tenants_are_untouched(store: Store, tenant: str, world: World) -> None:
    # Given the same customer in another tenant and another customer here
    before_elsewhere = partition(store, keys.ticket_pk(OTHER_TENANT, world.elsewhere))
    before_hanako = partition(store, keys.ticket_pk(tenant, world.hanako))
    # When Taro is erased in acme
    erase(store)
    # Then globex still has Taro, his ticket and its lookup; Hanako keeps everything
    assert store.customers.profile(OTHER_TENANT, f"x:{TARO}")["message_count"] == 1
    assert partition(store, keys.ticket_pk(OTHER_TENANT, world.elsewhere)) == before_elsewhere
    native = store.tickets.find_native(OTHER_TENANT, "x", "1001")
    assert native is not None and native["entity"] == "native" and native["ticket_id"] == world.elsewhere
    assert store.customers.erased_at(OTHER_TENANT, f"x:{TARO}", ERASED_AT) is None
    assert partition(store, keys.ticket_pk(tenant, world.hanako)) == before_hanako
    assert store.customers.profile(tenant, f"x:{HANAKO}")["message_count"] == 1


def test_the_audit_record_holds_counts_and_a_hash_only(store: Store, tenant: str, world: World) -> None:
    # When Taro is erased
    summary = erase(store)
    # Then one audit record says who did it, of whom by hash, and how much
    records, _ = store.audit.month(tenant, "2026-11")
    assert len(records) == 1
    record = records[0]
    assert record["action"] == "customer_deleted" and record["actor"] == "user-admin" and record["role"] == "admin"
    assert record["target"] == customer_hash("acme", f"x:{TARO}") == summary.customer_id_hash
    assert record["detail"]["tickets"] == 3 and record["detail"]["messages"] == 5
    assert record["detail"]["items_deleted"] == summary.items_deleted
    # and nothing of the customer in clear
    raw = json.dumps(records, ensure_ascii=False)
    for personal in (TARO, "taro_y", "山田", "post 1001", world.thread):
        assert personal not in raw


def test_a_replayed_webhook_stores_nothing_and_a_new_post_starts_afresh(
    store: Store, tenant: str, world: World
) -> None:
    # Given Hanako replied in Taro's thread, and Taro was erased (the thread with her reply)
    post(store, "2002", HANAKO, minute=40, reply_to="1001")
    erase(store)
    starter = RecordingStarter()
    # When X replays the deliveries of his first post and of her reply, and a poller finds an old post
    # of his we never stored
    replay = post(store, "1001", now=at(10, hour=10), starter=starter)
    hers = post(store, "2002", HANAKO, now=at(10, hour=10), starter=starter)
    late = post(store, "1009", now=at(11, hour=10), starter=starter)
    # Then nothing is stored: no ticket, no message, no profile, no triage
    assert replay.accepted == 0 and replay.ignored == {"erased_customer": 1} and replay.tickets == []
    assert hers.accepted == 0 and hers.duplicates == 1 and hers.tickets == []  # her id is a tombstone
    assert late.accepted == 0 and late.ignored == {"erased_customer": 1}
    assert store.tickets.find_native(tenant, "x", "1009") is None
    assert store.tickets.find_native(tenant, "x", "1001")["entity"] == "tombstone"  # type: ignore[index]
    assert partition(store, keys.customer_pk(tenant, "x", TARO)) == []
    assert store.customers.profile(tenant, f"x:{HANAKO}")["message_count"] == 2
    assert starter.started == [] and starter.message_runs == []
    # When Taro writes again after the erasure
    fresh = post(store, "1100", written_at=datetime(2026, 11, 23, 10, 5, tzinfo=UTC), now=at(15, hour=10))
    # Then it is a new relationship: a new ticket and a new profile
    assert fresh.accepted == 1 and len(fresh.tickets) == 1
    assert fresh.tickets[0] not in (world.thread, world.orphan, world.dm)
    profile = store.customers.profile(tenant, f"x:{TARO}")
    assert profile["message_count"] == 1 and profile["first_seen_at"] == at(15, hour=10)
    assert [t["ticket_id"] for t in store.customers.tickets(tenant, f"x:{TARO}")] == fresh.tickets


def test_a_deleted_tickets_sla_timer_ends(store: Store, tenant: str, world: World) -> None:
    # Given Taro was erased
    erase(store)
    # When his ticket's SLA timer wakes, it finds no ticket: TicketNotFound...
    with pytest.raises(TicketNotFound):
        sla.check(store, tenant, world.thread, 1, datetime(2026, 11, 23, 11, tzinfo=UTC))
    # ...which the sla_check function answers by ending the timer (no next wake), not as a failure
    # that Lambda would retry and dead-letter
    source = (ROOT / "functions" / "sla_check" / "app.py").read_text(encoding="utf-8")
    assert "except TicketNotFound:" in source and '"wake_at": None' in source


def test_erasing_again_is_not_found(store: Store, tenant: str, world: World) -> None:
    # Given Taro was erased
    erase(store)
    # When it is asked again, or for someone unknown
    # Then NotFound, and no second audit record
    with pytest.raises(NotFound):
        erase(store)
    with pytest.raises(NotFound):
        erase(store, "x:1234")
    assert len(store.audit.month(tenant, "2026-11")[0]) == 1


@pytest.mark.parametrize("step", ["_erase_ticket_lists", "_erase_reply_memory"])
def test_an_erasure_that_stopped_half_way_is_finished_by_running_it_again(
    store: Store, tenant: str, world: World, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    # Given an erasure that stopped after the tickets went (a time-out)
    def stop(*_args: Any) -> None:
        raise TimeoutError

    with monkeypatch.context() as patch:
        patch.setattr(CustomerEraser, step, stop)
        with pytest.raises(TimeoutError):
            erase(store)
    # Then the profile is still there, so the request can be repeated, and nothing was audited yet
    assert store.customers.profile(tenant, f"x:{TARO}")
    assert partition(store, keys.ticket_pk(tenant, world.thread)) == []
    assert store.audit.month(tenant, "2026-11")[0] == []
    # When it is repeated
    erase(store)
    # Then the rest goes, and one audit record says so
    assert partition(store, keys.customer_pk(tenant, "x", TARO)) == []
    assert [n["ticket_id"] for n in store.notifications.recent(tenant, "user-alice")] == [world.hanako]
    assert len(store.audit.month(tenant, "2026-11")[0]) == 1


def link_three(store: Store, tenant: str) -> None:
    for n, user in enumerate(("111", "333", "444")):
        post(store, f"30{n}", user, minute=n)
    store.customers.link(tenant, "x:111", "x:333", at(5), "user-bob")
    store.customers.link(tenant, "x:111", "x:444", at(6), "user-bob")


def test_erasing_one_identity_unlinks_it_and_the_others_stay(store: Store, tenant: str) -> None:
    # Given three identities linked as one person whose id is the one being erased
    link_three(store, tenant)
    assert store.customers.identities(tenant, "x:111") == ["x:111", "x:333", "x:444"]
    # When only x:111 is erased
    summary = erase(store, "x:111")
    # Then the others stay linked, under a person id that is not the erased one
    assert summary.identities == 1
    assert partition(store, keys.person_pk(tenant, "x:111")) == []
    for other in ("x:333", "x:444"):
        assert store.customers.profile(tenant, other)["person_id"] == "x:333"
    assert store.customers.identities(tenant, "x:333") == ["x:333", "x:444"]
    assert store.tickets.find_native(tenant, "x", "301")["entity"] == "native"  # type: ignore[index]


def test_erasing_linked_identities_erases_the_whole_person(store: Store, tenant: str) -> None:
    # Given three identities linked as one person
    link_three(store, tenant)
    # When the erasure asks for every linked identity
    summary = erase(store, "x:333", linked=True)
    # Then every identity, its tickets and the link are gone, each with its own marker
    assert summary.identities == 3 and summary.tickets == 3
    for identity in ("x:111", "x:333", "x:444"):
        with pytest.raises(NotFound):
            store.customers.profile(tenant, identity)
        assert store.customers.erased_at(tenant, identity, ERASED_AT) == ERASED_AT
    assert partition(store, keys.person_pk(tenant, "x:111")) == []
    record = store.audit.month(tenant, "2026-11")[0][0]
    assert record["detail"]["identities"] == 3 and len(record["detail"]["identity_hashes"]) == 2


def test_their_reply_in_someone_elses_thread_goes_and_the_thread_stays(store: Store, tenant: str) -> None:
    # Given Hanako's thread where Taro replied last
    post(store, "2001", HANAKO, minute=1)
    hanako = ticket_of(store, "2001")
    post(store, "1010", minute=2, reply_to="2001")
    assert ticket_of(store, "1010") == hanako
    # When Taro is erased
    summary = erase(store)
    # Then his reply is gone and tombstoned, Hanako's post and ticket stay, the inbox line no longer quotes him
    detail = store.tickets.detail(tenant, hanako)
    assert [m.native_id for m in detail.messages] == ["2001"]
    assert store.tickets.find_native(tenant, "x", "1010")["entity"] == "tombstone"  # type: ignore[index]
    assert detail.ticket.last_message_excerpt == ""
    assert summary.tickets == 0 and summary.messages == 1


def test_their_replies_in_several_threads_of_others_all_go(store: Store, tenant: str) -> None:
    # Given two threads of Hanako's, Taro replying in each, the older one first
    post(store, "2001", HANAKO, minute=1)
    post(store, "2002", HANAKO, minute=2)
    post(store, "1011", minute=3, reply_to="2001")
    post(store, "1012", minute=4, reply_to="2002")
    first, second = ticket_of(store, "2001"), ticket_of(store, "2002")
    # (each thread he wrote in is in his history, so opening one of his tickets lists them)
    history = {t["ticket_id"] for t in store.customers.tickets(tenant, f"x:{TARO}")}
    assert history == {first, second}
    # When Taro is erased
    summary = erase(store)
    # Then both replies are gone, not only the latest, and both threads stay Hanako's
    assert [m.native_id for m in store.tickets.detail(tenant, first).messages] == ["2001"]
    assert [m.native_id for m in store.tickets.detail(tenant, second).messages] == ["2002"]
    assert summary.tickets == 0 and summary.messages == 2
    assert {t["ticket_id"] for t in store.customers.tickets(tenant, f"x:{HANAKO}")} == {first, second}


def test_a_customer_without_tickets_is_erased_too(store: Store, tenant: str) -> None:
    # Given a profile whose only ticket a colleague's earlier erasure half-did (the ticket item is gone)
    post(store, "1001", minute=1)
    thread = ticket_of(store, "1001")
    store.table.delete({"PK": keys.ticket_pk(tenant, thread), "SK": "TICKET"})
    # When the customer is erased
    summary = erase(store)
    # Then what was left goes and the message id is still tombstoned
    assert partition(store, keys.ticket_pk(tenant, thread)) == []
    assert summary.tickets == 0 and summary.tombstones == 1


# -- the API route --------------------------------------------------------------------------------


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    # Admins only; until authz.py has the entry the route answers 403 to everyone.
    monkeypatch.setitem(authz.ROUTE_ROLES, ROUTE, authz.ADMINS)
    return load_function("api")


def test_an_admin_erases_a_customer_through_the_api(api: Any, store: Store, world: World) -> None:
    # When an admin asks for the erasure
    status, body = call(api, "DELETE", f"/api/customers/x:{TARO}", ADMIN, query={"linked": "false"})
    # Then 200 with counts and the hash, never the id
    assert status == 200
    assert body["customer_id_hash"] == customer_hash("acme", f"x:{TARO}")
    assert (body["tickets"], body["messages"], body["tombstones"], body["identities"]) == (3, 5, 5, 1)
    assert body["items_deleted"] > 0 and body["deleted_at"].startswith("20")
    assert TARO not in json.dumps(body)
    # and the profile is gone for the API too; a second erasure is 404
    assert call(api, "GET", f"/api/customers/x:{TARO}", ADMIN)[0] == 404
    assert call(api, "DELETE", f"/api/customers/x:{TARO}", ADMIN)[0] == 404


@pytest.mark.parametrize(
    ("claims", "path", "status"),
    [
        (None, f"/api/customers/x:{TARO}", 401),
        (access_claims("user-alice", "agent"), f"/api/customers/x:{TARO}", 403),
        (access_claims("user-s", "supervisor"), f"/api/customers/x:{TARO}", 403),
        (access_claims("user-zed", "admin", tenant=OTHER_TENANT), f"/api/customers/x:{HANAKO}", 404),
        (ADMIN, "/api/customers/x:999", 404),
        (ADMIN, "/api/customers/myspace:1", 400),
    ],
)
def test_who_may_erase_and_what(
    api: Any, store: Store, world: World, claims: dict[str, Any] | None, path: str, status: int
) -> None:
    # When someone who may not, or for someone who is not there, asks
    assert call(api, "DELETE", path, claims)[0] == status
    # Then nothing was erased
    assert store.customers.profile("acme", f"x:{TARO}")["message_count"] == 4


def test_the_route_is_refused_until_the_role_table_names_it(
    store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the role table without the entry (deny by default)
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.delitem(authz.ROUTE_ROLES, ROUTE, raising=False)
    api = load_function("api")
    post(store, "1001")
    # Then even an admin is refused
    assert call(api, "DELETE", f"/api/customers/x:{TARO}", ADMIN)[0] == 403


# -- batches --------------------------------------------------------------------------------------


class FlakyClient:
    """A DynamoDB client whose BatchWriteItem leaves the last request of each call unprocessed once."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.unprocessed_once = True

    def batch_write_item(self, RequestItems: dict[str, list[Any]], **_: Any) -> dict[str, Any]:
        (requests,) = RequestItems.values()
        self.calls.append(len(requests))
        if self.unprocessed_once and len(requests) > 1:
            self.unprocessed_once = False
            return {"UnprocessedItems": {"t": requests[-1:]}}
        return {"UnprocessedItems": {}}


def test_batch_writes_go_25_at_a_time_and_unprocessed_ones_are_sent_again() -> None:
    # Given 30 writes and a table that throttles one of the first call's
    client, waits = FlakyClient(), list[float]()
    table = Table(client, "t")
    # When they are written
    written = table.batch_write(
        [{"PK": f"P{n}", "SK": "S"} for n in range(20)],
        [{"PK": "D", "SK": str(n)} for n in range(10)],
        sleep=waits.append,
    )
    # Then two full calls and one retry of the unprocessed write, after a short backoff
    assert written == 30 and client.calls == [25, 1, 5] and len(waits) == 1 and 0 <= waits[0] <= 0.05


def test_batch_writes_that_stay_unprocessed_are_a_transient_error() -> None:
    # Given a table that never processes anything
    class Stuck(FlakyClient):
        def batch_write_item(self, RequestItems: dict[str, list[Any]], **_: Any) -> dict[str, Any]:
            return {"UnprocessedItems": RequestItems}

    # When written, Then it gives up after its attempts with a retryable error
    with pytest.raises(TransientStoreError):
        Table(Stuck(), "t").batch_write([{"PK": "P", "SK": "S"}], max_attempts=3, sleep=lambda _s: None)


def test_batch_writes_reach_the_table(store: Store, tenant: str) -> None:
    # Given 60 items put in batches
    items = [{"PK": "TENANT#acme#TEST", "SK": f"{n:03d}", "entity": "test"} for n in range(60)]
    assert store.table.batch_write(items) == 60
    assert len(partition(store, "TENANT#acme#TEST")) == 60
    # When they are deleted in batches, Then they are gone
    store.table.batch_write(deletes=[{"PK": i["PK"], "SK": i["SK"]} for i in items])
    assert partition(store, "TENANT#acme#TEST") == []


def test_ingest_service_checks_the_marker_only_for_named_authors(store: Store, tenant: str) -> None:
    # Given an erased customer and a message whose author the platform did not name
    post(store, "1001")
    erase(store)
    anonymous = InboundMessage(
        platform="x",
        account_id=ACCOUNT_ID,
        native_id="4001",
        kind="mention",
        conversation_id="4001",
        author=Author(platform_user_id=""),
        text="hi",
        created_at=at(1),
    )
    # When it arrives, Then it is stored as usual (no profile to tie it to an erased one)
    outcome = IngestService(store, RecordingStarter(), lambda: at(5, hour=10)).apply([anonymous])
    assert outcome.accepted == 1
