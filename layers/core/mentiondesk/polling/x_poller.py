"""Polling X for accounts without webhooks (own mentions) and for posts that never tag the brand
(keyword monitors).

One cycle of a monitor reads pages newest first: the first request carries `since_id` (the previous
cycle's newest post) and the next ones X's `next_token`, until there is none; then the first page's
`meta.newest_id` becomes the next `since_id`. The cycle is saved after every page, after its posts
are stored, so a rate limit, a 5xx, a time-out or a crash resumes at the page that was not done
(storing is idempotent, and a post read again the same UTC day is not billed again).

Rate limits: the `x-rate-limit-*` headers of every answer are kept per endpoint; no call is made
before the reset once the window is spent, and a 429 defers the monitor to the reset.

Budgets: each page's worst-case cost (posts + their authors at the read prices) must fit in what is
left of the monitor's monthly budget, so the budget is never overrun; when not even the smallest page
fits, the monitor pauses itself (`budget_exhausted`) and tells the tenant's admins. It resumes when
the month turns or an admin raises the budget.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from mentiondesk.channels.x_api import Page, RateLimit, XApiError, XApiRefused, XRateLimited
from mentiondesk.clock import iso
from mentiondesk.costs.metering import record_cost
from mentiondesk.errors import Conflict, NotFound
from mentiondesk.ingest.service import IngestService
from mentiondesk.models import InboundEvent, Monitor, MonitorCycle, MonitorKind
from mentiondesk.observability import logger, metrics
from mentiondesk.polling.queries import search_query
from mentiondesk.prices import X_PRICES, micros_to_usd, usd_to_micros
from mentiondesk.store.alerts import new_alert

MIN_PAGE = {"search": 10, "mentions": 5, "dms": 1}  # X's smallest max_results per endpoint
# What one item of a page costs (the DM lookup bills DM events; mentions are owned reads).
ITEM_PRICE = {"search": "post_read", "mentions": "owned_read", "dms": "dm_event_read"}
MAX_PAGE = 100
BUDGET_WARNING = 0.8  # the share of a monitor's monthly budget at which its admins are told
MAX_PAGES_PER_RUN = 10  # per monitor per invocation; a longer cycle continues on the next tick
LEASE = timedelta(minutes=5)
FAILURE_ALERT_AFTER = 5  # consecutive transient failures before an admin hears of it
SEARCH_WINDOW = timedelta(days=7)  # recent search reaches back seven days


class XReader(Protocol):
    def search_recent(
        self,
        account_id: str,
        query: str,
        *,
        since_id: str | None = None,
        start_time: str | None = None,
        next_token: str | None = None,
        max_results: int = 100,
    ) -> Page: ...

    def mentions(
        self,
        account_id: str,
        *,
        since_id: str | None = None,
        start_time: str | None = None,
        pagination_token: str | None = None,
        max_results: int = 100,
    ) -> Page: ...

    def dm_events(
        self, account_id: str, token: str, *, pagination_token: str | None = None, max_results: int = 100
    ) -> Page: ...


class UserTokens(Protocol):
    def access_token(self, account_id: str) -> str: ...


@dataclass
class PollReport:
    """What one scheduled run did (the function's return value and its log line)."""

    monitors: int = 0
    polled: int = 0
    pages: int = 0
    accepted: int = 0
    duplicates: int = 0
    billable_reads: int = 0
    micros: int = 0
    rate_limited: int = 0
    failed: int = 0
    paused: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {**self.__dict__, "usd": micros_to_usd(self.micros)}


def endpoint_of(monitor: Monitor) -> str:
    """The rate-limit window a monitor draws on: the app's for search and mentions, the account's own
    (user context) for its DMs."""
    if monitor.kind == "dms":
        return f"dm_events#{monitor.account_id}"
    return "search_recent" if monitor.kind == "search" else "mentions"


class XPoller:
    def __init__(
        self,
        service: IngestService,
        reader: XReader,
        clock: Callable[[], datetime],
        *,
        time_left: Callable[[], float] = lambda: 60.0,
        user_tokens: UserTokens | None = None,
    ) -> None:
        self.service = service
        self.store = service.store
        self.reader = reader
        self.clock = clock
        self.time_left = time_left  # seconds the invocation has left (Lambda context)
        self.user_tokens = user_tokens  # OAuth 2.0 user context, for DMs

    # -- the scheduled run -----------------------------------------------------------------------

    def run(self, kind: MonitorKind) -> PollReport:
        report = PollReport()
        now = self.clock()
        due = [m for m in self.store.monitors.every() if m.kind == kind and self._due(m, now)]
        report.monitors = len(due)
        for monitor in sorted(due, key=lambda m: m.next_run_at):
            if self.time_left() < 15:
                break  # the rest are still due on the next tick
            self.poll(monitor, report)
        logger.info("x poll run", extra={"kind": kind, **report.as_dict()})
        return report

    def _due(self, monitor: Monitor, now: datetime) -> bool:
        if monitor.status == "budget_exhausted" and monitor.spend_month != now.strftime("%Y-%m"):
            return True  # a new month: the budget is back
        return monitor.status == "active" and monitor.next_run_at <= iso(now)

    # -- one monitor -----------------------------------------------------------------------------

    def poll(self, monitor: Monitor, report: PollReport) -> None:
        now = self.clock()
        owner = uuid.uuid4().hex
        if monitor.status == "budget_exhausted":
            resumed = self._new_month(monitor, now)
            if resumed is None:
                return
            monitor = resumed
        if not self.store.monitors.lease(monitor, owner, iso(now), iso(now + LEASE)):
            return  # another run has it, or an admin just changed it
        report.polled += 1
        month = now.strftime("%Y-%m")
        if monitor.spend_month != month:
            monitor = monitor.model_copy(update={"spend_month": month, "spend_micros": 0, "billable_reads": 0})
        monitor = monitor.model_copy(update={"last_run_at": iso(now)})
        endpoint = endpoint_of(monitor)
        for _ in range(MAX_PAGES_PER_RUN):
            now = self.clock()
            wait_until = self._rate_limited_until(endpoint, now)
            if wait_until is not None:
                report.rate_limited += 1
                metrics.add_metric(name="PollRateLimited", unit="Count", value=1)
                monitor = monitor.model_copy(update={"next_run_at": iso(wait_until)})
                break
            size = self._page_size(monitor)
            if size is None:
                monitor = self._pause_for_budget(monitor, now)
                report.paused += 1
                break
            start_time = self._start_time(monitor, now)
            try:
                page = self._read(monitor, size, start_time)
            except XRateLimited as limited:
                self.store.monitors.record_rate_limit(endpoint, None, 0, limited.reset)
                report.rate_limited += 1
                metrics.add_metric(name="PollRateLimited", unit="Count", value=1)
                monitor = monitor.model_copy(update={"next_run_at": iso(datetime.fromtimestamp(limited.reset, UTC))})
                break
            except XApiRefused as refused:
                monitor = self._refused(monitor, refused, now)
                report.failed += 1
                report.paused += 1
                break
            except XApiError as error:
                monitor = self._failed(monitor, error, now)
                report.failed += 1
                break
            if page.rate is not None:
                self._record_rate(endpoint, page.rate)
            monitor = self._page_done(monitor, page, now, start_time, report)
            if not self.store.monitors.save_state(monitor, owner, release=False):
                logger.info("monitor changed during a poll; its new settings win", extra={"monitor_id": monitor.id})
                return
            if monitor.cycle is None:
                break  # the cycle is complete; next one on the monitor's schedule
        else:
            # Pages left in this cycle: carry on at the next tick rather than wait a whole interval.
            monitor = monitor.model_copy(update={"next_run_at": iso(self.clock())})
        if not self.store.monitors.save_state(monitor, owner, release=True):
            logger.info("monitor changed during a poll; its new settings win", extra={"monitor_id": monitor.id})

    @staticmethod
    def _start_time(monitor: Monitor, now: datetime) -> str | None:
        """Only before the first post is known: a new monitor starts from its creation (it never bills a
        week of history nobody asked for). Within a cycle the same value is sent on every page."""
        if monitor.cycle is not None:
            return monitor.cycle.start_time
        if monitor.since_id is not None:
            return None
        created = datetime.fromisoformat(monitor.created_at.replace("Z", "+00:00"))
        return iso(max(created, now - SEARCH_WINDOW + timedelta(minutes=1)))

    def _read(self, monitor: Monitor, size: int, start_time: str | None) -> Page:
        token = monitor.cycle.next_token if monitor.cycle else None
        metrics.add_metric(name="PollRequest", unit="Count", value=1)
        if monitor.kind == "dms":
            if self.user_tokens is None:
                raise XApiRefused("DM polling needs the X app's OAuth 2.0 client (client_id, client_secret)", 401)
            user_token = self.user_tokens.access_token(monitor.account_id)  # XApiRefused: not connected
            return self.reader.dm_events(monitor.account_id, user_token, pagination_token=token, max_results=size)
        if monitor.kind == "search":
            return self.reader.search_recent(
                monitor.account_id,
                search_query(monitor.query or "", monitor.languages),
                since_id=monitor.since_id,
                start_time=start_time,
                next_token=token,
                max_results=size,
            )
        return self.reader.mentions(
            monitor.account_id,
            since_id=monitor.since_id,
            start_time=start_time,
            pagination_token=token,
            max_results=size,
        )

    def _page_done(
        self, monitor: Monitor, page: Page, now: datetime, start_time: str | None, report: PollReport
    ) -> Monitor:
        day = now.strftime("%Y-%m-%d")
        # Bill first (X charged for the read as it answered), then store the posts, then move the cursor.
        item = "dm" if monitor.kind == "dms" else "post"
        resources = [f"{item}#{i}" for i in page.post_ids] + [f"user#{i}" for i in page.user_ids]
        first = self.store.monitors.first_reads(day, resources)
        new_posts = sum(1 for r in first if not r.startswith("user#"))
        new_users = len(first) - new_posts
        post_price = X_PRICES[ITEM_PRICE[monitor.kind]].micros
        micros = new_posts * post_price + new_users * X_PRICES["user_read"].micros
        next_token = page.next_token
        posts: list[InboundEvent] = list(page.posts)
        if monitor.kind == "dms":
            # The DM lookup has no since_id: newest first, stop at what the last cycle saw. A new monitor
            # starts at its creation (older DMs were read, as X only pages, but are not tickets). X gives DM
            # times in whole seconds: compared to the second.
            seen = int(monitor.since_id) if monitor.since_id else None
            posts = [
                p
                for p in page.posts
                if (int(p.native_id) > seen if seen is not None else p.created_at[:19] >= monitor.created_at[:19])
            ]
            if seen is None or any(int(i) <= seen for i in page.post_ids if i.isdigit()):
                next_token = None
        self.store.monitors.record_usage(
            monitor.tenant_id, day, monitor.id, calls=1, post_reads=new_posts, user_reads=new_users, micros=micros
        )
        # The ledger: the reads are shared by the tickets this run opened for the tenant (or the month's
        # untied costs when it opened none).
        record_cost(
            f"x.{ITEM_PRICE[monitor.kind]}",
            new_posts,
            X_PRICES[ITEM_PRICE[monitor.kind]].unit,
            tenant=monitor.tenant_id,
        )
        record_cost("x.user_read", new_users, "user", tenant=monitor.tenant_id)
        outcome = self.service.apply(posts)
        for kind, count in page.skipped.items():
            report.skipped[kind] = report.skipped.get(kind, 0) + count
        report.pages += 1
        report.accepted += outcome.accepted
        report.duplicates += outcome.duplicates
        report.billable_reads += len(first)
        report.micros += micros
        metrics.add_metric(name="PollBillableReads", unit="Count", value=len(first))
        self._warn_near_budget(monitor, monitor.spend_micros + micros, now)
        cycle = monitor.cycle or MonitorCycle(started_at=iso(now), newest_id=page.newest_id, start_time=start_time)
        cycle = cycle.model_copy(update={"pages": cycle.pages + 1, "next_token": next_token})
        update: dict[str, object] = {
            "spend_micros": monitor.spend_micros + micros,
            "billable_reads": monitor.billable_reads + len(first),
            "posts_found": monitor.posts_found + outcome.accepted,
            "failures": 0,
            "last_error": None,
        }
        if next_token:
            update["cycle"] = cycle
        else:
            update["cycle"] = None
            update["since_id"] = cycle.newest_id or monitor.since_id
            update["next_run_at"] = iso(now + timedelta(minutes=monitor.interval_minutes))
        return monitor.model_copy(update=update)

    # -- limits ----------------------------------------------------------------------------------

    def _rate_limited_until(self, endpoint: str, now: datetime) -> datetime | None:
        window = self.store.monitors.rate_limit(endpoint)
        if not window or window.get("remaining") is None or window.get("reset") is None:
            return None
        reset = datetime.fromtimestamp(int(window["reset"]), UTC)
        if int(window["remaining"]) <= 0 and reset > now:
            return reset
        return None

    def _record_rate(self, endpoint: str, rate: RateLimit) -> None:
        self.store.monitors.record_rate_limit(endpoint, rate.limit, rate.remaining, rate.reset)

    def _page_size(self, monitor: Monitor) -> int | None:
        """The largest page whose worst case (every post and author billed) fits the budget left."""
        left = usd_to_micros(monitor.monthly_budget_usd) - monitor.spend_micros
        post = X_PRICES[ITEM_PRICE[monitor.kind]].micros
        worst_per_post = post + X_PRICES["user_read"].micros
        size = min(MAX_PAGE, left // worst_per_post)
        return size if size >= MIN_PAGE[monitor.kind] else None

    # -- status changes that an admin hears about ----------------------------------------------

    def _warn_near_budget(self, monitor: Monitor, spent: int, now: datetime) -> None:
        """Tell the tenant's admins once a month when a monitor has spent 80% of its budget."""
        budget = usd_to_micros(monitor.monthly_budget_usd)
        if not budget or monitor.spend_micros >= budget * BUDGET_WARNING or spent < budget * BUDGET_WARNING:
            return
        month = now.strftime("%Y-%m")
        self.store.alerts.raise_once(
            new_alert(
                monitor.tenant_id,
                "monitor_budget_warning",
                monitor.id,
                f"Monitor '{monitor.name}' has spent ${micros_to_usd(spent)} of its ${monitor.monthly_budget_usd}"
                f" monthly budget ({spent * 100 // budget}%) in {month}. At 100% it pauses itself.",
                iso(now),
            ),
            f"budget80#{monitor.id}#{month}",
        )

    def _pause_for_budget(self, monitor: Monitor, now: datetime) -> Monitor:
        month = now.strftime("%Y-%m")
        metrics.add_metric(name="MonitorPaused", unit="Count", value=1)
        spent = micros_to_usd(monitor.spend_micros)
        self.store.alerts.raise_once(
            new_alert(
                monitor.tenant_id,
                "monitor_budget_exhausted",
                monitor.id,
                f"Monitor '{monitor.name}' reached its monthly budget of ${monitor.monthly_budget_usd}"
                f" (spent ${spent} in {month}) and paused itself. Raise the budget to resume it now,"
                " or it resumes next month.",
                iso(now),
            ),
            f"budget#{monitor.id}#{month}",
        )
        logger.warning("monitor paused at its budget", extra={"monitor_id": monitor.id, "month": month})
        return monitor.model_copy(
            update={"status": "budget_exhausted", "status_reason": f"monthly budget reached in {month}"}
        )

    def _refused(self, monitor: Monitor, refused: XApiRefused, now: datetime) -> Monitor:
        metrics.add_metric(name="MonitorPaused", unit="Count", value=1)
        reason = f"X refused the request (HTTP {refused.status}): {refused}"
        self.store.alerts.raise_once(
            new_alert(
                monitor.tenant_id,
                "monitor_refused",
                monitor.id,
                f"Monitor '{monitor.name}' stopped: {reason}. Check the query and the X app's access, then"
                " set the monitor active again.",
                iso(now),
                severity="critical",
            ),
            f"refused#{monitor.id}#{iso(now)}",
        )
        logger.warning("monitor refused by X", extra={"monitor_id": monitor.id, "status": refused.status})
        return monitor.model_copy(
            update={"status": "refused", "status_reason": reason[:300], "last_error": reason[:300]}
        )

    def _failed(self, monitor: Monitor, error: XApiError, now: datetime) -> Monitor:
        """A transient failure: keep the cycle, retry with backoff (1, 2, 4 ... 30 minutes)."""
        metrics.add_metric(name="PollFailed", unit="Count", value=1)
        failures = monitor.failures + 1
        delay = timedelta(minutes=min(30, 2 ** (failures - 1)))
        if failures == FAILURE_ALERT_AFTER:
            self.store.alerts.raise_once(
                new_alert(
                    monitor.tenant_id,
                    "monitor_failing",
                    monitor.id,
                    f"Monitor '{monitor.name}' failed {failures} times in a row ({error}); it keeps retrying.",
                    iso(now),
                ),
                f"failing#{monitor.id}#{iso(now)}",
            )
        logger.warning("poll failed", extra={"monitor_id": monitor.id, "failures": failures, "error": str(error)})
        return monitor.model_copy(
            update={"failures": failures, "last_error": str(error)[:300], "next_run_at": iso(now + delay)}
        )

    def _new_month(self, monitor: Monitor, now: datetime) -> Monitor | None:
        """A monitor paused at its budget becomes active when the month turns."""
        try:
            return self.store.monitors.update_settings(
                monitor.tenant_id,
                monitor.id,
                monitor.version,
                # A cycle cut short by the budget is not resumed a month later (X's page tokens do not
                # last): the new month starts from the newest post already seen.
                {
                    "status": "active",
                    "status_reason": None,
                    "next_run_at": iso(now),
                    "cycle": None,
                    "since_id": (monitor.cycle.newest_id if monitor.cycle else None) or monitor.since_id,
                },
            )
        except (Conflict, NotFound):  # changed or deleted meanwhile: the next tick looks again
            logger.info("monitor changed before its monthly resume", extra={"monitor_id": monitor.id})
            return None
