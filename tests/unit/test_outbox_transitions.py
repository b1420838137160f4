"""The outbox's states: one worker per item, decisions final, an ambiguous send never retried."""

import pytest
from mentiondesk.store.factory import Store
from mentiondesk.store.outbox import OutboxConflict, OutboxTransitions, outbox_item

pytestmark = pytest.mark.unit
NOW = "2026-11-23T09:00:00.000Z"
LATER = "2026-11-23T09:05:00.000Z"


@pytest.fixture
def item(store: Store) -> tuple[OutboxTransitions, str]:
    entry = outbox_item("acme", "01TICKET00000000000000000A", "reply", "agent:u1", NOW, text="hello")
    store.table.put(entry)
    return OutboxTransitions(store.table), entry["SK"]


T = "01TICKET00000000000000000A"


def test_a_claimed_item_is_sent_once(item: tuple[OutboxTransitions, str]) -> None:
    box, sk = item
    claimed = box.claim("acme", T, sk, "w1", NOW, LATER)
    assert claimed["status"] == "SENDING" and claimed["attempts"] == 1
    with pytest.raises(OutboxConflict) as twice:
        box.claim("acme", T, sk, "w2", NOW, LATER)
    assert twice.value.status == "SENDING"
    with pytest.raises(OutboxConflict):
        box.sent("acme", T, sk, "w2", NOW, "x-2")  # not the lease owner
    done = box.sent("acme", T, sk, "w1", NOW, "x-1")
    assert done["status"] == "SENT" and done["platform_id"] == "x-1" and "lease_owner" not in done
    with pytest.raises(OutboxConflict):
        box.failed("acme", T, sk, "w1", NOW, "late")  # a decision is final


def test_rate_limited_goes_back_to_pending_but_not_before_its_time(item: tuple[OutboxTransitions, str]) -> None:
    box, sk = item
    box.claim("acme", T, sk, "w1", NOW, LATER)
    assert box.defer("acme", T, sk, "w1", LATER)["status"] == "PENDING"
    with pytest.raises(OutboxConflict):
        box.claim("acme", T, sk, "w2", NOW, LATER)  # not before LATER
    assert box.claim("acme", T, sk, "w2", LATER, "2026-11-23T09:10:00.000Z")["attempts"] == 2


def test_a_worker_that_died_mid_send_leaves_unknown_never_pending(item: tuple[OutboxTransitions, str]) -> None:
    box, sk = item
    box.claim("acme", T, sk, "w1", NOW, LATER)
    assert box.abandon("acme", T, sk, NOW) is None  # the lease still runs
    gone = box.abandon("acme", T, sk, "2026-11-23T09:06:00.000Z")
    assert gone is not None and gone["status"] == "UNKNOWN"
    with pytest.raises(OutboxConflict):
        box.claim("acme", T, sk, "w2", "2026-11-23T09:07:00.000Z", "2026-11-23T09:12:00.000Z")
    with pytest.raises(OutboxConflict):
        box.sent("acme", T, sk, "w1", LATER, "x-1")  # the dead worker's late answer changes nothing


def test_failed_and_unknown_keep_their_reason(store: Store) -> None:
    box = OutboxTransitions(store.table)
    for status, call in (("FAILED", box.failed), ("UNKNOWN", box.unknown)):
        entry = outbox_item("acme", T, "reply", "agent:u1", NOW, text=status)
        store.table.put(entry)
        box.claim("acme", T, entry["SK"], "w", NOW, LATER)
        done = call("acme", T, entry["SK"], "w", NOW, f"because {status}")
        assert done["status"] == status and done["reason"] == f"because {status}"
