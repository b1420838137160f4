"""The weekly voice of the customer, run by report_weekly every hour: per tenant, when its scheduled
time (default Tuesday 18:00 in the tenant's timezone) has come, group the week's requests and
complaints into topics (reports/voc.py), put the HTML page and the CSV in S3, send a link by email
and/or Slack, and keep the report for the app. Each scheduled run happens once (a conditional claim).

The week's posts are read from the tickets opened in the two weeks (the activity index, newest first,
bounded): each ticket's opening message, masked of personal data, is one post.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mentiondesk.clock import iso, parse_iso
from mentiondesk.observability import logger, metrics
from mentiondesk.reports.voc import VocPost, next_run, week_window, weekly_report
from mentiondesk.reports.voc_html import render_csv, render_html
from mentiondesk.store.factory import Store
from mentiondesk.store.settings import SettingsStore
from mentiondesk.store.voc import VocStore
from mentiondesk.triage.pii import mask_pii

MAX_TICKETS = 5_000  # per two weeks: the report's reading stays bounded
POLICY_ID = "voc"


class VocPolicy(BaseModel):
    """When and to whom the weekly list goes (the settings document POLICY#voc; defaults if none)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    weekday: int = Field(1, ge=0, le=6, description="0 Monday … 6 Sunday (default Tuesday)")
    hour: int = Field(18, ge=0, le=23)
    minute: int = Field(0, ge=0, le=59)
    timezone: str = "Asia/Tokyo"
    language: Literal["ja", "en"] = "ja"
    emails: list[str] = Field(default_factory=list, max_length=20)
    slack_webhook: str | None = Field(None, pattern=r"^https://hooks\.slack\.com/")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("an IANA timezone such as Asia/Tokyo") from None
        return value


class VocPolicyIn(VocPolicy):
    version: int = Field(0, ge=0, description="The version you read (0 the first time)")


class Files(Protocol):
    def __call__(self, key: str, body: bytes, content_type: str) -> str:
        """Store the object; answer a link people can open (a pre-signed URL)."""
        ...


class Delivery(Protocol):
    def email(self, to: str, subject: str, text: str) -> None: ...

    def slack(self, url: str, text: str) -> None: ...


@dataclass(frozen=True)
class RunOutcome:
    tenant: str
    scheduled: str | None
    ran: bool
    topics: int = 0
    delivered: int = 0


def policy_of(store: Store, tenant: str) -> VocPolicy:
    from mentiondesk.errors import NotFound

    try:
        document = SettingsStore(store.table, "POLICY", "VoC policy").get(tenant, POLICY_ID, consistent=False)
    except NotFound:
        return VocPolicy()
    return VocPolicy.model_validate({k: v for k, v in document.items() if k in VocPolicy.model_fields})


def posts_between(store: Store, tenant: str, start: datetime, end: datetime) -> list[VocPost]:
    """The tickets opened in [start, end), as posts (their opening message, masked)."""
    tickets, _more = store.tickets.active_since(tenant, iso(start), MAX_TICKETS)
    posts = []
    for t in tickets:
        created = parse_iso(t.created_at)
        if not (start <= created < end) or t.intent is None:
            continue
        posts.append(
            VocPost(
                ticket_id=t.id,
                message_id=t.id,
                channel=t.platform,
                language=t.language if t.language in ("ja", "en") else None,
                intent=t.intent,
                sentiment=t.sentiment,
                text=mask_pii(t.subject),
                created_at=created,
            )
        )
    return posts


def due(store: Store, tenant: str, policy: VocPolicy, now: datetime) -> datetime | None:
    """The scheduled time to run now, if one has come (the first after the last run, or after a week ago)."""
    if not policy.enabled:
        return None
    last = VocStore(store.table).last_run(tenant)
    after = parse_iso(last) if last else now - timedelta(days=7)
    scheduled = next_run(after, policy.weekday, policy.hour, policy.minute, policy.timezone)
    return scheduled if scheduled <= now else None


def run_tenant(
    store: Store, tenant: str, now: datetime, files: Files, delivery: Delivery, brand_terms: list[str]
) -> RunOutcome:
    policy = policy_of(store, tenant)
    scheduled = due(store, tenant, policy, now)
    if scheduled is None:
        return RunOutcome(tenant, None, False)
    voc = VocStore(store.table)
    if not voc.claim(tenant, iso(scheduled), iso(now)):
        return RunOutcome(tenant, iso(scheduled), False)
    start, end = week_window(scheduled, policy.timezone)
    before_start, _ = week_window(start, policy.timezone)
    posts = posts_between(store, tenant, before_start, end)
    this_week = [p for p in posts if p.created_at >= start]
    previous = [p for p in posts if p.created_at < start]
    report = weekly_report(this_week, previous, start, end, policy.timezone, ignore_terms=brand_terms)
    week = start.astimezone(ZoneInfo(policy.timezone)).date().isoformat()
    html = render_html(report, policy.language).encode("utf-8")
    csv = render_csv(report).encode("utf-8")
    links = {
        "html": files(f"voc/{tenant}/{week}.html", html, "text/html; charset=utf-8"),
        "csv": files(f"voc/{tenant}/{week}.csv", csv, "text/csv; charset=utf-8"),
    }
    voc.save(tenant, week, report.model_dump(mode="json"), {"html": f"voc/{tenant}/{week}.html"}, iso(now))
    delivered = _deliver(delivery, policy, week, len(report.topics), links)
    metrics.add_metric(name="VocReportBuilt", unit="Count", value=1)
    logger.info("voc report built", extra={"tenant_id": tenant, "topics": len(report.topics), "delivered": delivered})
    return RunOutcome(tenant, iso(scheduled), True, len(report.topics), delivered)


def _deliver(delivery: Delivery, policy: VocPolicy, week: str, topics: int, links: dict[str, str]) -> int:
    from mentiondesk.rules.notify import NotifyFailed

    if policy.language == "ja":
        subject = f"今週のお客様の声（{week} 週、{topics} トピック）"
        text = f"{subject}\n\nレポート: {links['html']}\nCSV: {links['csv']}\n（リンクは 7 日間有効です）"
    else:
        subject = f"This week's voice of the customer (week of {week}, {topics} topics)"
        text = f"{subject}\n\nReport: {links['html']}\nCSV: {links['csv']}\n(The links work for 7 days.)"
    sent = 0
    targets: list[tuple[str, str]] = [("email", to) for to in policy.emails]
    if policy.slack_webhook:
        targets.append(("slack", policy.slack_webhook))
    for name, target in targets:
        try:
            if name == "email":
                delivery.email(target, subject, text)
            else:
                delivery.slack(target, text)
            sent += 1
        except NotifyFailed as error:
            # One dead address does not stop the others; the report stays in the app and in S3.
            logger.warning("voc delivery failed", extra={"target": name, "reason": str(error)})
            metrics.add_metric(name="VocDeliveryFailed", unit="Count", value=1)
    return sent


def run_all(store: Store, now: datetime, files: Files, delivery: Delivery) -> dict[str, Any]:
    """Every tenant whose weekly time has come (the hourly schedule's body)."""
    outcomes = []
    for tenant in store.directory.tenants():
        brand = [c.handle for c in store.directory.channels(tenant)]
        outcomes.append(run_tenant(store, tenant, now, files, delivery, brand))
    return {"ran": [o.tenant for o in outcomes if o.ran], "checked": len(outcomes)}
