"""Starting the ticket workflow (Step Functions) and the SLA timers (EventBridge Scheduler), idempotently."""

import hashlib
import re
from datetime import UTC
from typing import TYPE_CHECKING, Any, ClassVar

from botocore.exceptions import ClientError

from mentiondesk.costs.metering import bill_express_request
from mentiondesk.store.dynamo import error_code

if TYPE_CHECKING:
    from datetime import datetime

    from mentiondesk.config import SlaSettings

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


_NAME_LIMIT = 80  # Step Functions' limit on execution names


def execution_name(tenant: str, ticket_id: str, purpose: str = "triage", suffix: str = "") -> str:
    """A deterministic execution name: a second start for the same ticket cannot run twice.

    The ticket id (globally unique) and the suffix are always whole; a long tenant id is shortened.
    """
    tail = f"-{ticket_id}" + (f"-{suffix}" if suffix else "")
    room = _NAME_LIMIT - len(purpose) - 1 - len(tail)
    return _UNSAFE.sub("_", f"{purpose}-{tenant[:room]}{tail}")


class WorkflowStarter:
    """Starts the ticket workflow (Express). Express starts every call, even under a name already used:
    each run carries a claim (the name and a run id) that its first state writes conditionally, so a
    second start of the same name ends at once and a ticket is triaged by one run."""

    CLAIM_DAYS = 90  # how long a name stays claimed (Standard's name reuse window was 90 days too)

    def __init__(self, client: Any, state_machine_arn: str) -> None:
        self.client = client
        self.arn = state_machine_arn

    def start_triage(self, tenant: str, ticket_id: str, message_id: str | None = None) -> bool:
        """Start a ticket's triage, or with `message_id` the run for a message that joined it.

        True if the start was accepted (a run that finds the name claimed by another ends at once), False
        if Step Functions said the name had run before (a Standard state machine).
        """
        import json
        import time
        import uuid

        from mentiondesk.clock import now_iso

        name = execution_name(tenant, ticket_id)
        if message_id:
            name = execution_name(tenant, ticket_id, "msg", message_id)
        payload: dict[str, Any] = {
            "tenant_id": tenant,
            "ticket_id": ticket_id,
            **({"message_id": message_id} if message_id else {}),
            "claim": {"name": name, "run": uuid.uuid4().hex, "expires_at": int(time.time()) + self.CLAIM_DAYS * 86400},
            "started_at": now_iso(),
        }
        try:
            self.client.start_execution(
                stateMachineArn=self.arn, name=name, input=json.dumps(payload, separators=(",", ":"))
            )
        except ClientError as error:
            if error_code(error) == "ExecutionAlreadyExists":
                return False
            raise
        bill_express_request(tenant, ticket_id)  # its duration is billed by the run's last task
        return True


class SlaTimers:
    """One SLA timer per ticket and wake: a one-time EventBridge Scheduler schedule that invokes the
    sla_check function at the wake time and deletes itself. sla_check fires what is due and sets the
    next wake the same way, so a ticket's timer is a chain of single wakes, never a running execution.

    A newer generation (the clocks moved) makes the older wake moot: it is deleted here, and if the
    delete is lost the old wake finds its generation stale when it fires and does nothing.
    """

    # Scheduler's own retries when the Lambda invoke fails (throttled, the service erroring); a wake
    # still undelivered after a day goes to the dead-letter queue, which alarms.
    # A wake already due (a refresh that found an alert due now) is set a few seconds ahead: Scheduler
    # does not fire a one-time schedule whose time has passed.
    MIN_LEAD = 5
    RETRY_POLICY: ClassVar[dict[str, int]] = {"MaximumRetryAttempts": 20, "MaximumEventAgeInSeconds": 86400}

    def __init__(
        self, client: Any, group: str, target_arn: str, role_arn: str, dead_letter_arn: str | None = None
    ) -> None:
        self.client = client
        self.group = group
        self.target_arn = target_arn
        self.role_arn = role_arn
        self.dead_letter_arn = dead_letter_arn

    @classmethod
    def from_settings(cls, settings: "SlaSettings") -> "SlaTimers":
        from mentiondesk.store.factory import aws_client

        return cls(
            aws_client("scheduler"),
            settings.sla_schedule_group,
            settings.sla_check_function_arn,
            settings.sla_scheduler_role_arn,
            settings.sla_dead_letter_arn,
        )

    @staticmethod
    def name(ticket_id: str, generation: int, wake_at: str) -> str:
        """The schedule's name (at most 64 of [0-9A-Za-z_.-]); ticket ids are globally unique.

        The wake time is in the name: two writers racing to start one generation with different wake
        times make two schedules (the one not stored finds itself stale), never one that fires at the
        wrong time; the same wake started twice is one schedule.
        """
        digest = hashlib.sha256(wake_at.encode()).hexdigest()[:8]
        return _UNSAFE.sub("_", f"sla-{ticket_id[:40]}-{generation}-{digest}")

    def start(self, tenant: str, ticket_id: str, generation: int, wake_at: str) -> bool:
        """Schedule the wake; True if this call made it, False if it already existed."""
        import json

        target: dict[str, Any] = {
            "Arn": self.target_arn,
            "RoleArn": self.role_arn,
            "Input": json.dumps(
                {"tenant_id": tenant, "ticket_id": ticket_id, "generation": generation, "wake_at": wake_at},
                separators=(",", ":"),
            ),
            "RetryPolicy": self.RETRY_POLICY,
        }
        if self.dead_letter_arn:
            target["DeadLetterConfig"] = {"Arn": self.dead_letter_arn}
        try:
            self.client.create_schedule(
                Name=self.name(ticket_id, generation, wake_at),
                GroupName=self.group,
                ScheduleExpression=at_expression(wake_at, not_before=self.MIN_LEAD),
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Target=target,
            )
        except ClientError as error:
            if error_code(error) == "ConflictException":
                return False
            raise
        return True

    def stop(self, tenant: str, ticket_id: str, generation: int, wake_at: str) -> None:
        """Delete a moot wake; one that already fired (and deleted itself) or never existed is fine."""
        try:
            self.client.delete_schedule(Name=self.name(ticket_id, generation, wake_at), GroupName=self.group)
        except ClientError as error:
            if error_code(error) != "ResourceNotFoundException":
                raise


def at_expression(wake_at: str, not_before: int = 0) -> str:
    """Scheduler's one-time expression for an ISO time, rounded up to the second (never early), and at
    least `not_before` seconds from now (on our clock)."""
    from datetime import timedelta

    from mentiondesk.clock import parse_iso, utcnow

    moment = max(parse_iso(wake_at), utcnow() + timedelta(seconds=not_before))
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return f"at({moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})"


def wake_of(expression: str) -> "datetime":
    """The instant of an `at(...)` expression in UTC (the local stack fires schedules by it)."""
    from datetime import datetime

    match = re.fullmatch(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)", expression.strip())
    if not match:
        raise ValueError(f"not a one-time schedule expression: {expression!r}")
    return datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC)
