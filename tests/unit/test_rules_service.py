"""The rules service on the store: applied once per key, conflicts retried, notifications at most once."""

from datetime import UTC, datetime
from typing import Any

import pytest
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import Author, InboundMessage
from mentiondesk.rules.notify import Notifier, NotifyFailed
from mentiondesk.rules.service import apply_rules, notification_text
from mentiondesk.store.factory import Store

from tests.conftest import ACCOUNT_ID, RecordingStarter

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)


class FakeSession:
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.posts: list[tuple[str, Any]] = []

    def post(self, url: str, json: Any, timeout: float, allow_redirects: bool, stream: bool = False) -> Any:
        assert allow_redirects is False and timeout <= 5
        self.posts.append((url, json))
        return type("Answer", (), {"status_code": self.status})()


def notifier(session: FakeSession) -> Notifier:
    return Notifier(email_from=None, ses=lambda: None, session=session)


def ticket(store: Store, tenant: str, text: str, kind: str = "mention") -> str:
    service = IngestService(store, RecordingStarter(), clock=lambda: "2026-11-23T09:00:00.000Z")
    service.apply(
        [
            InboundMessage(
                platform="x",
                account_id=ACCOUNT_ID,
                native_id="9100000000000000001",
                kind=kind,  # type: ignore[arg-type]
                conversation_id="c1",
                author=Author(platform_user_id="u1", handle="taro", display_name="太郎"),
                text=text,
                created_at="2026-11-23T09:00:00.000Z",
            )
        ]
    )
    return store.tickets.inbox(tenant, None, 1, None).items[0].id


def save_rule(store: Store, tenant: str, actions: list[dict[str, Any]], **kw: Any) -> None:
    store.rules.create(
        tenant,
        kw.get("id", "r1"),
        {
            "id": kw.get("id", "r1"),
            "name": "Rule one",
            "trigger": kw.get("trigger", "ticket_created"),
            "order": 1,
            "condition": {"field": "text", "op": "contains_any", "value": ["返金"]},
            "actions": actions,
        },
    )


def test_a_run_applies_once_per_key(store: Store, tenant: str) -> None:
    ticket_id = ticket(store, tenant, "返金してください")
    save_rule(store, tenant, [{"type": "add_tags", "tags": ["refund"]}, {"type": "set_priority", "priority": "high"}])
    first = apply_rules(store, notifier(FakeSession()), tenant, ticket_id, ["ticket_created"], "created", NOW)
    again = apply_rules(store, notifier(FakeSession()), tenant, ticket_id, ["ticket_created"], "created", NOW)
    assert first["fired"] == 1 and again == {"fired": 0, "rules": [], "repeat": True}
    detail = store.tickets.detail(tenant, ticket_id)
    assert detail.ticket.tags == ["refund"] and detail.ticket.priority == "high"
    assert [e.type for e in detail.events].count("rule_fired") == 1


def test_a_slack_notification_is_sent_once_and_dm_words_stay_private(store: Store, tenant: str) -> None:
    ticket_id = ticket(store, tenant, "返金の件、カード番号は…", kind="dm")
    hook = "https://hooks.slack.com/services/T1/B1/abc"
    save_rule(store, tenant, [{"type": "notify", "channel": "slack", "target": hook}])
    session = FakeSession()
    apply_rules(store, notifier(session), tenant, ticket_id, ["ticket_created"], "created", NOW)
    apply_rules(store, notifier(session), tenant, ticket_id, ["ticket_created"], "created", NOW)
    assert len(session.posts) == 1 and session.posts[0][0] == hook
    assert "(direct message)" in session.posts[0][1]["text"] and "カード" not in session.posts[0][1]["text"]


def test_a_failed_notification_is_an_event_and_an_alert_not_an_exception(store: Store, tenant: str) -> None:
    ticket_id = ticket(store, tenant, "返金してください")
    save_rule(store, tenant, [{"type": "notify", "channel": "email", "target": "leads@example.com"}])
    result = apply_rules(store, notifier(FakeSession()), tenant, ticket_id, ["ticket_created"], "created", NOW)
    assert result["fired"] == 1
    failed = [e for e in store.tickets.detail(tenant, ticket_id).events if e.type == "rule_action_failed"]
    assert failed[0].detail["reason"] == "email notifications are not configured (NOTIFY_EMAIL_FROM)"
    assert store.alerts.recent(tenant)[0].kind == "rule_action_failed"


def test_the_notifier_refuses_anything_but_slack_and_reports_status_codes() -> None:
    with pytest.raises(NotifyFailed, match="not a Slack"):
        notifier(FakeSession()).slack("https://hooks.slack.com.evil.example/x", "hi")
    with pytest.raises(NotifyFailed, match="Slack answered 403"):
        notifier(FakeSession(403)).slack("https://hooks.slack.com/services/a/b/c", "hi")
    local = Notifier(
        email_from=None, ses=lambda: None, slack_base_url="http://127.0.0.1:9/_fake/slack/", session=FakeSession()
    )
    local.slack("https://hooks.slack.com/services/a/b/c", "hi")
    assert local._session.posts[0][0] == "http://127.0.0.1:9/_fake/slack/services/a/b/c"  # type: ignore[union-attr]


def test_a_rule_that_changes_nothing_new_is_not_written(store: Store, tenant: str) -> None:
    ticket_id = ticket(store, tenant, "ありがとう")
    save_rule(store, tenant, [{"type": "add_tags", "tags": ["refund"]}])
    assert apply_rules(store, notifier(FakeSession()), tenant, ticket_id, ["ticket_created"], "created", NOW) == {
        "fired": 0,
        "rules": [],
    }
    assert store.tickets.detail(tenant, ticket_id).ticket.version == 1


def test_notification_text_names_the_rule_and_the_ticket() -> None:
    from mentiondesk.models import Ticket
    from mentiondesk.rules.model import Notify, Rule

    rule = Rule.model_validate(
        {
            "id": "r",
            "name": "Flare-ups",
            "trigger": "ticket_created",
            "order": 1,
            "condition": {"field": "urgency", "op": "in", "value": ["high"]},
            "actions": [{"type": "notify", "channel": "email", "target": "a@example.com"}],
        }
    )
    t = Ticket.model_validate(
        {
            "id": "01JCTICKET0000000000000000",
            "tenant_id": "t",
            "platform": "x",
            "kind": "mention",
            "account_id": "1",
            "team": "support",
            "customer": {"platform_user_id": "u"},
            "subject": "サーバーが落ちてる",
            "last_message_excerpt": "",
            "urgency": "high",
            "created_at": "2026-11-23T09:00:00.000Z",
            "updated_at": "2026-11-23T09:00:00.000Z",
        }
    )
    action = rule.actions[0]
    assert isinstance(action, Notify)
    subject, text = notification_text(t, rule, action)
    assert subject == "[Mentiondesk] Flare-ups"
    assert "サーバーが落ちてる" in text and "high urgency" in text and t.id in text
