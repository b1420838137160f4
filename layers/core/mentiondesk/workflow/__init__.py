"""Starting the ticket workflow and the SLA timers (Step Functions), idempotently."""

import hashlib
import re
from typing import Any

from botocore.exceptions import ClientError

from mentiondesk.costs.metering import bill_transitions
from mentiondesk.store.dynamo import error_code

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
    """Starts the ticket workflow; a start that already happened is success, not an error."""

    def __init__(self, client: Any, state_machine_arn: str) -> None:
        self.client = client
        self.arn = state_machine_arn

    def start_triage(self, tenant: str, ticket_id: str, message_id: str | None = None) -> bool:
        """Start a ticket's triage, or with `message_id` the run for a message that joined it.

        True if this call started the execution, False if it had been started before.
        """
        import json

        payload = {"tenant_id": tenant, "ticket_id": ticket_id}
        name = execution_name(tenant, ticket_id)
        if message_id:
            payload["message_id"] = message_id
            name = execution_name(tenant, ticket_id, "msg", message_id)
        try:
            self.client.start_execution(
                stateMachineArn=self.arn, name=name, input=json.dumps(payload, separators=(",", ":"))
            )
        except ClientError as error:
            if error_code(error) == "ExecutionAlreadyExists":
                return False
            raise
        bill_transitions(tenant, ticket_id, "triage")  # the run's states, billed when it starts
        return True


class SlaTimers:
    """One SLA timer execution per ticket and generation: Wait until the next alert, check, repeat.

    A newer generation makes the older one moot: it is stopped here, and if the stop is lost the old
    execution finds its generation stale at its next check and ends.
    """

    def __init__(self, client: Any, state_machine_arn: str) -> None:
        self.client = client
        self.arn = state_machine_arn

    def _name(self, tenant: str, ticket_id: str, generation: int, wake_at: str) -> str:
        # The wake time is in the name: two writers racing to start one generation with different
        # wake times start two executions (the one not stored finds itself stale), never one that
        # waits for the wrong time.
        digest = hashlib.sha256(wake_at.encode()).hexdigest()[:8]
        return execution_name(tenant, ticket_id, "sla", f"{generation}-{digest}")

    def start(self, tenant: str, ticket_id: str, generation: int, wake_at: str) -> bool:
        import json

        try:
            self.client.start_execution(
                stateMachineArn=self.arn,
                name=self._name(tenant, ticket_id, generation, wake_at),
                input=json.dumps(
                    {"tenant_id": tenant, "ticket_id": ticket_id, "generation": generation, "wake_at": wake_at},
                    separators=(",", ":"),
                ),
            )
        except ClientError as error:
            if error_code(error) == "ExecutionAlreadyExists":
                return False
            raise
        bill_transitions(tenant, ticket_id, "sla_start")  # the start and the first Wait it sits in
        return True

    def stop(self, tenant: str, ticket_id: str, generation: int, wake_at: str) -> None:
        """Stop a moot timer; one that already ended (or never started) is fine."""
        name = self._name(tenant, ticket_id, generation, wake_at)
        execution_arn = self.arn.replace(":stateMachine:", ":execution:", 1) + ":" + name
        try:
            self.client.stop_execution(executionArn=execution_arn, cause="SLA clocks changed")
        except ClientError as error:
            if error_code(error) not in ("ExecutionDoesNotExist", "ValidationException"):
                raise
