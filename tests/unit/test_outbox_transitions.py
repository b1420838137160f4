"""The outbox's states: one worker per item, decisions final, an ambiguous send never retried."""

import pytest
from mentiondesk.store.factory import Store
from mentiondesk.store.outbox import OutboxConflict, OutboxRef, OutboxTransitions, outbox_item

pytestmark = pytest.mark.unit
NOW = "2026-11-23T09:00:00.000Z"
LATER = "2026-11-23T09:05:00.000Z"
T = "01TICKET00000000000000000A"


@pytest.fixture
def item(store: Store) -> tuple[OutboxTransitions, OutboxRef, str]:
    entry = outbox_item("acme", T, "reply", "agent:u1", NOW, text="hello")
    store.table.put(entry)
    return OutboxTransitions(store.table), OutboxRef.of(entry), entry["id"]


def test_a_claimed_item_is_sent_once(store: Store, item: tuple[OutboxTransitions, OutboxRef, str]) -> None:
    box, ref, item_id = item
    claimed = box.claim(ref, item_id, "w1", NOW, LATER)
    assert claimed["status"] == "SENDING" and claimed["attempts"] == 1
    assert claimed["GSI5SK"].startswith(LATER)  # the sweeper looks again when the lease runs out
    with pytest.raises(OutboxConflict) as twice:
        box.claim(ref, item_id, "w2", NOW, LATER)
    assert twice.value.status == "SENDING"
    with pytest.raises(OutboxConflict):
        box.sent(ref, "w2", NOW, "x-2")  # not the lease owner
    box.sent(ref, "w1", NOW, "x-1")
    done = store.outbox.get(ref)
    assert done is not None and done["status"] == "SENT" and done["platform_id"] == "x-1"
    assert "lease_owner" not in done and "GSI5PK" not in done
    with pytest.raises(OutboxConflict):
        box.failed(ref, "w1", NOW, "late")  # a decision is final


def test_rate_limited_goes_back_to_pending_but_not_before_its_time(
    item: tuple[OutboxTransitions, OutboxRef, str],
) -> None:
    box, ref, item_id = item
    box.claim(ref, item_id, "w1", NOW, LATER)
    assert box.defer(ref, item_id, "w1", LATER, "rate limited")["status"] == "PENDING"
    with pytest.raises(OutboxConflict):
        box.claim(ref, item_id, "w2", NOW, LATER)  # not before LATER
    assert box.claim(ref, item_id, "w2", LATER, "2026-11-23T09:10:00.000Z")["attempts"] == 2


def test_a_worker_that_died_mid_send_leaves_unknown_never_pending(
    store: Store, item: tuple[OutboxTransitions, OutboxRef, str]
) -> None:
    box, ref, item_id = item
    box.claim(ref, item_id, "w1", NOW, LATER)
    assert box.abandon(ref, NOW) is None  # the lease still runs
    gone = box.abandon(ref, "2026-11-23T09:06:00.000Z")
    assert gone is not None and gone["status"] == "UNKNOWN" and "GSI5PK" not in gone
    with pytest.raises(OutboxConflict):
        box.claim(ref, item_id, "w2", "2026-11-23T09:07:00.000Z", "2026-11-23T09:12:00.000Z")
    with pytest.raises(OutboxConflict):
        box.sent(ref, "w2", LATER, "x-1")  # only the worker that held the lease knows it went out
    # The worker that held it learns late that the platform took it: that is the truth, so it counts
    box.sent(ref, "w1", LATER, "x-1")
    settled = store.outbox.get(ref)
    assert settled is not None and settled["status"] == "SENT"


def test_failed_and_unknown_keep_their_reason(store: Store) -> None:
    box = OutboxTransitions(store.table)
    for status, call in (("FAILED", box.failed), ("UNKNOWN", box.unknown)):
        entry = outbox_item("acme", T, "reply", "agent:u1", NOW, text=status)
        store.table.put(entry)
        ref = OutboxRef.of(entry)
        box.claim(ref, entry["id"], "w", NOW, LATER)
        done = call(ref, "w", NOW, f"because {status}")
        assert done["status"] == status and done["reason"] == f"because {status}"


def test_a_person_settles_only_unknown_or_failed_items(store: Store) -> None:
    box = OutboxTransitions(store.table)
    entry = outbox_item("acme", T, "reply", "agent:u1", NOW, text="hi")
    store.table.put(entry)
    ref = OutboxRef.of(entry)
    with pytest.raises(OutboxConflict):
        box.settle(ref, "CANCELLED", "u1", NOW, [])  # PENDING belongs to the sender
    box.claim(ref, entry["id"], "w", NOW, LATER)
    box.unknown(ref, "w", NOW, "timed out")
    box.settle(ref, "SENT", "u1", LATER, [])
    settled = store.outbox.get(ref)
    assert settled is not None and settled["status"] == "SENT" and settled["decided_by"] == "u1"
    with pytest.raises(OutboxConflict):
        box.settle(ref, "CANCELLED", "u1", LATER, [])
