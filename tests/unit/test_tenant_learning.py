"""Agents' corrections teach the tenant's own model: stored without personal data, trained on a
schedule, blended into the Classify step only as far as it helped on the tenant's own posts."""

from typing import Any

import pytest
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import Author, InboundMessage
from mentiondesk.store.factory import Store
from mentiondesk.triage.classifier import classify
from mentiondesk.triage.learned import MIN_EXAMPLES, Example, LinearModel, blend, features, fit, train, weight
from mentiondesk.triage.task import TenantModelCache, classify_ticket
from mentiondesk.triage.training import train_tenant

from tests.conftest import ACCOUNT_ID, RecordingStarter, access_claims, load_function
from tests.unit.test_api import call

pytestmark = pytest.mark.unit
AGENT = access_claims("user-alice", "agent")
FINANCE = access_claims("user-fin", "finance")

# A tenant's own vocabulary: its loyalty points expiring is a complaint to them. Written for this test.
POINTS = [
    "ポイント失効してた{}",
    "またポイントが失効{}",
    "ポイント失効の通知なかった{}",
    "失効したポイント戻して{}",
    "ポイントが勝手に失効{}",
]
OTHER = [
    "新しいカフェラテ美味しかった{}",
    "営業時間を教えてください{}",
    "アプリのデザイン好き{}",
    "店員さん親切でした{}",
]


def test_features_are_stable_and_bounded() -> None:
    a, b = features("ポイント失効してた"), features("ポイント失効してた")
    assert a == b and a and all(0 < k < (1 << 20) for k in a)
    assert abs(sum(v * v for v in a.values()) - 1.0) < 1e-9
    assert features("") == {}


def test_a_model_round_trips_and_stays_small() -> None:
    examples = [(t.format(i), "complaint") for i in range(30) for t in POINTS[:1]] + [
        (t.format(i), "praise") for i in range(30) for t in OTHER[:1]
    ]
    model = train(examples, ["complaint", "praise"])
    packed = model.to_bytes()
    again = LinearModel.from_bytes(packed)
    text = "ポイント失効してた!"
    assert again.labels == model.labels and again.examples == 60
    p1, p2 = model.probabilities(features(text)), again.probabilities(features(text))
    assert abs(p1["complaint"] - p2["complaint"]) < 1e-3 and p1["complaint"] > 0.8
    assert len(packed) < 120_000


def test_below_the_minimum_the_builtin_answer_stands() -> None:
    few = [Example(f"ポイント失効{i}", "complaint", {"complaint": 0.1, "praise": 0.9}) for i in range(MIN_EXAMPLES - 1)]
    model = fit(few, ["complaint", "praise"])
    assert weight(model) == 0.0
    assert blend({"complaint": 0.1, "praise": 0.9}, model, "ポイント失効")[0] == "praise"


def test_a_model_that_does_not_help_gets_no_weight() -> None:
    # Labels that are noise with respect to the words: out-of-fold predictions cannot beat the built-in
    examples = [
        Example(f"同じ文章です{i}", "complaint" if i % 2 else "praise", {"complaint": 0.5, "praise": 0.5})
        for i in range(40)
    ]
    builtin_right = [
        Example(e.text, e.label, {e.label: 0.9, ("praise" if e.label == "complaint" else "complaint"): 0.1})
        for e in examples
    ]
    assert weight(fit(builtin_right, ["complaint", "praise"])) == 0.0


@pytest.fixture
def api(store: Store, tenant: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    return load_function("api")


def _post(store: Store, n: int, text: str) -> str:
    native = f"93{n:017d}"
    service = IngestService(store, RecordingStarter(), clock=lambda: "2026-11-23T09:00:00.000Z")
    service.apply(
        [
            InboundMessage(
                platform="x",
                account_id=ACCOUNT_ID,
                native_id=native,
                kind="mention",
                conversation_id=native,
                author=Author(platform_user_id=f"u{n}", handle=f"user{n}"),
                text=text,
                lang_hint="ja",
                created_at="2026-11-23T09:00:00.000Z",
            )
        ]
    )
    found = store.tickets.find_native("acme", "x", native)
    assert found is not None
    ticket_id = str(found["ticket_id"])
    classify_ticket(store, "acme", ticket_id, "2026-11-23T09:00:01.000Z")
    return ticket_id


def test_a_correction_is_kept_without_personal_data_and_survives_reclassification(api: Any, store: Store) -> None:
    ticket_id = _post(store, 1, "ポイント失効してた。連絡は090-1234-5678まで")
    version = store.tickets.get("acme", ticket_id).version
    assert call(api, "POST", f"/api/tickets/{ticket_id}/labels", AGENT, {"version": version})[0] == 400
    assert (
        call(api, "POST", f"/api/tickets/{ticket_id}/labels", FINANCE, {"version": version, "intent": "complaint"})[0]
        == 403
    )
    status, body = call(
        api,
        "POST",
        f"/api/tickets/{ticket_id}/labels",
        AGENT,
        {"version": version, "intent": "complaint", "sentiment": "negative"},
    )
    assert status == 200 and body["intent"] == "complaint" and body["sentiment"] == "negative"
    stale = call(api, "POST", f"/api/tickets/{ticket_id}/labels", AGENT, {"version": version, "intent": "other"})
    assert stale[0] == 409
    (correction,) = store.learning.corrections("acme")
    assert "090-1234-5678" not in correction["text"] and "<phone>" in correction["text"]
    assert correction["labels"]["intent"] == "complaint" and correction["by"] == "user-alice"
    events = [e.type for e in store.tickets.detail("acme", ticket_id).events]
    assert "labels_corrected" in events
    # A later automatic classification keeps the agent's labels
    store.table.update({"PK": f"TENANT#acme#TICKET#{ticket_id}", "SK": "TICKET"}, "REMOVE classified_covers")
    classify_ticket(store, "acme", ticket_id, "2026-11-23T10:00:00.000Z")
    again = store.tickets.get("acme", ticket_id)
    assert again.intent == "complaint" and again.sentiment == "negative"


def test_corrections_train_the_tenant_model_and_change_what_new_posts_get(api: Any, store: Store) -> None:
    probe = "ポイント失効してたんだけど"
    before = classify(probe, "ja").intent
    assert before != "complaint"  # the built-in classifier does not know this tenant's meaning
    n = 0
    for round_ in range(3):
        for template, label in [(t, "complaint") for t in POINTS] + [(t, None) for t in OTHER]:
            n += 1
            ticket_id = _post(store, n, template.format("！" * (round_ % 3)) + f" #{n}")
            t = store.tickets.get("acme", ticket_id)
            intent = label or t.intent
            body = {"version": t.version, "intent": intent}
            assert call(api, "POST", f"/api/tickets/{ticket_id}/labels", AGENT, body)[0] == 200
    result = train_tenant(store, "acme")
    assert result["trained"] and result["corrections"] == n and result["weights"]["intent"] > 0
    assert train_tenant(store, "acme")["trained"] is False  # nothing new since: skipped
    cache = TenantModelCache(store)
    ticket_id = _post(store, 999, probe)
    t = store.tickets.get("acme", ticket_id)
    models = cache.get("acme")
    assert models is not None
    classify_ticket(store, "acme", ticket_id, "2026-11-23T10:00:00.000Z", models)
    # (_post classified it once with the built-in only; classify again with the tenant model)
    store.table.update({"PK": f"TENANT#acme#TICKET#{ticket_id}", "SK": "TICKET"}, "REMOVE classified_covers")
    classify_ticket(store, "acme", ticket_id, "2026-11-23T10:00:01.000Z", models)
    assert t.intent != "complaint"
    assert store.tickets.get("acme", ticket_id).intent == "complaint"
    classified = [e for e in store.tickets.detail("acme", ticket_id).events if e.type == "classified"][-1]
    assert classified.detail["classifier"].endswith("+tenant")
