"""X polling sources (mentions and keyword monitors), the X rate-limit windows, the per-UTC-day read
register that keeps a post read twice in a day from being counted twice, and the usage ledger.

Two writers share a monitor item: admins (settings, through the API, optimistic locking on
`version`) and the poller (state, under a lease). An admin change bumps `version` and drops the
lease, so a poll in flight cannot overwrite it: the poller's saves require its lease and the version
it leased.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from mentiondesk.errors import Conflict, NotFound
from mentiondesk.models import Monitor
from mentiondesk.store import keys
from mentiondesk.store.dynamo import Table, error_code

_MONITOR_FIELDS = set(Monitor.model_fields)
# What an admin may change; everything else is the poller's state or fixed at creation.
SETTINGS = ("name", "query", "languages", "interval_minutes", "monthly_budget_usd", "status", "status_reason")
# What the poller writes.
STATE = (
    "since_id",
    "cycle",
    "next_run_at",
    "last_run_at",
    "last_error",
    "failures",
    "spend_month",
    "spend_micros",
    "billable_reads",
    "posts_found",
    "status",
    "status_reason",
)
READ_REGISTER_DAYS = 3  # kept a little past the UTC day it counts, then TTL removes it


def _monitor(item: dict[str, Any]) -> Monitor:
    return Monitor.model_validate({k: v for k, v in item.items() if k in _MONITOR_FIELDS})


class MonitorStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    # -- definitions (API) ----------------------------------------------------------------------

    def create(self, monitor: Monitor) -> None:
        self.table.put(
            {
                "PK": keys.MONITORS_PK,
                "SK": keys.monitor_sk(monitor.tenant_id, monitor.id),
                "entity": "monitor",
                **monitor.model_dump(mode="json", exclude_none=True),
            },
            condition="attribute_not_exists(PK)",
        )

    def get(self, tenant: str, monitor_id: str, consistent: bool = False) -> Monitor:
        item = self.table.get({"PK": keys.MONITORS_PK, "SK": keys.monitor_sk(tenant, monitor_id)}, consistent)
        if item is None:
            raise NotFound("no such monitor")
        return _monitor(item)

    def for_tenant(self, tenant: str) -> list[Monitor]:
        """The tenant's monitors (one Query on the registry partition, by the tenant prefix)."""
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :t)",
            ExpressionAttributeValues={":pk": keys.MONITORS_PK, ":t": keys.monitor_sk(tenant, "")},
        )
        return [_monitor(i) for i in items]

    def every(self) -> list[Monitor]:
        """Every monitor of every tenant (the schedule's one Query; never on a request path)."""
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": keys.MONITORS_PK}
        )
        return [_monitor(i) for i in items]

    def update_settings(self, tenant: str, monitor_id: str, version: int, changes: dict[str, Any]) -> Monitor:
        """Apply an admin's changes if `version` is current (else Conflict with the current monitor).

        The lease is dropped so a poll in flight cannot write over the change.
        """
        unknown = (
            set(changes) - set(SETTINGS) - {"since_id", "cycle", "next_run_at", "failures", "last_error", "updated_at"}
        )
        if unknown:
            raise ValueError(f"not settings: {sorted(unknown)}")
        sets = ["#version = #version + :one"]
        removes = ["lease_owner", "lease_until"]
        names = {"#version": "version"}
        vals: dict[str, Any] = {":one": 1, ":v": version}
        for n, (name, value) in enumerate(changes.items()):
            names[f"#f{n}"] = name
            if value is None:
                removes.append(f"#f{n}")
            else:
                sets.append(f"#f{n} = :f{n}")
                vals[f":f{n}"] = value
        try:
            item = self.table.update(
                {"PK": keys.MONITORS_PK, "SK": keys.monitor_sk(tenant, monitor_id)},
                f"SET {', '.join(sets)} REMOVE {', '.join(removes)}",
                condition="attribute_exists(PK) AND #version = :v",
                names=names,
                vals=vals,
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                current = self.get(tenant, monitor_id, consistent=True)  # NotFound when it is gone
                raise Conflict(
                    "the monitor changed since you read it", current=current.model_dump(mode="json")
                ) from error
            raise
        return _monitor(item)

    def delete(self, tenant: str, monitor_id: str, version: int) -> None:
        """Delete the monitor if `version` is current (else Conflict with the current monitor)."""
        try:
            self.table.delete(
                {"PK": keys.MONITORS_PK, "SK": keys.monitor_sk(tenant, monitor_id)},
                condition="attribute_exists(PK) AND #version = :v",
                names={"#version": "version"},
                vals={":v": version},
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                current = self.get(tenant, monitor_id, consistent=True)  # NotFound when it is gone
                raise Conflict(
                    "the monitor changed since you read it", current=current.model_dump(mode="json")
                ) from error
            raise

    # -- the poller's lease and state -----------------------------------------------------------

    def lease(self, monitor: Monitor, owner: str, now: str, until: str) -> bool:
        """Take the monitor for one poll: only if nobody holds it, it is still due and unchanged."""
        try:
            self.table.update(
                {"PK": keys.MONITORS_PK, "SK": keys.monitor_sk(monitor.tenant_id, monitor.id)},
                "SET lease_owner = :me, lease_until = :until",
                condition=(
                    "#version = :v AND #status = :active AND next_run_at <= :now"
                    " AND (attribute_not_exists(lease_until) OR lease_until < :now)"
                ),
                names={"#version": "version", "#status": "status"},
                vals={":me": owner, ":until": until, ":v": monitor.version, ":now": now, ":active": "active"},
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def save_state(self, monitor: Monitor, owner: str, *, release: bool) -> bool:
        """Write the poller's state fields; False when the lease was lost (an admin changed the monitor)."""
        state = monitor.model_dump(mode="json", include=set(STATE))
        names = {f"#s{n}": name for n, name in enumerate(state)}
        sets = [f"#s{n} = :s{n}" for n, name in enumerate(state) if state[name] is not None]
        removes = [f"#s{n}" for n, name in enumerate(state) if state[name] is None]
        vals: dict[str, Any] = {f":s{n}": state[name] for n, name in enumerate(state) if state[name] is not None}
        if release:
            removes += ["lease_owner", "lease_until"]
        expression = f"SET {', '.join(sets)}" + (f" REMOVE {', '.join(removes)}" if removes else "")
        try:
            self.table.update(
                {"PK": keys.MONITORS_PK, "SK": keys.monitor_sk(monitor.tenant_id, monitor.id)},
                expression,
                condition="lease_owner = :me AND #version = :v",
                names={**names, "#version": "version"},
                vals={**vals, ":me": owner, ":v": monitor.version},
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # -- X rate-limit windows (per endpoint, for the deployment's X app) -------------------------

    def rate_limit(self, endpoint: str) -> dict[str, Any] | None:
        return self.table.get({"PK": keys.X_RATE_PK, "SK": endpoint}, consistent=True)

    def record_rate_limit(self, endpoint: str, limit: int | None, remaining: int | None, reset: int | None) -> None:
        item: dict[str, Any] = {"PK": keys.X_RATE_PK, "SK": endpoint, "entity": "x_rate_limit"}
        for name, value in (("limit", limit), ("remaining", remaining), ("reset", reset)):
            if value is not None:
                item[name] = value
        if reset is not None:
            item["expires_at"] = reset + 86_400
        self.table.put(item)

    # -- the per-UTC-day read register ------------------------------------------------------------

    def first_reads(self, day: str, resources: list[str]) -> list[str]:
        """Register each resource ("post#<id>", "user#<id>") as read on `day` (YYYY-MM-DD, UTC); return
        those read for the first time that day, the only ones X bills. Concurrent pollers agree:
        each registration is a conditional write, so exactly one of them counts a resource."""
        expires = int(
            (datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(days=READ_REGISTER_DAYS)).timestamp()
        )
        first: list[str] = []
        for resource in dict.fromkeys(resources):  # de-duplicated, order kept
            try:
                self.table.put(
                    {"PK": keys.x_read_pk(day), "SK": resource, "expires_at": expires},
                    condition="attribute_not_exists(PK)",
                )
            except ClientError as error:
                if error_code(error) == "ConditionalCheckFailedException":
                    continue
                raise
            first.append(resource)
        return first

    # -- the usage ledger (what finance's cost reports add up) -----------------------------------

    def record_usage(
        self, tenant: str, day: str, monitor_id: str, *, calls: int, post_reads: int, user_reads: int, micros: int
    ) -> None:
        self.table.update(
            {"PK": keys.usage_pk(tenant, day[:7]), "SK": keys.usage_sk("x", day, monitor_id)},
            "SET entity = :e, provider = :p, #day = :d, monitor_id = :m "
            "ADD calls :c, post_reads :pr, user_reads :ur, micros :mi",
            names={"#day": "day"},
            vals={
                ":e": "usage",
                ":p": "x",
                ":d": day,
                ":m": monitor_id,
                ":c": calls,
                ":pr": post_reads,
                ":ur": user_reads,
                ":mi": micros,
            },
        )

    def usage(self, tenant: str, month: str) -> list[dict[str, Any]]:
        return self.table.query_all(
            KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": keys.usage_pk(tenant, month)}
        )
