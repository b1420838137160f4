"""Starting the ticket workflow (Step Functions), idempotently."""

import re
from typing import Any

from botocore.exceptions import ClientError

from mentiondesk.store.dynamo import error_code

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def execution_name(tenant: str, ticket_id: str, purpose: str = "triage") -> str:
    """A deterministic execution name: a second start for the same ticket cannot run twice."""
    name = f"{purpose}-{tenant}-{ticket_id}"
    return _UNSAFE.sub("_", name)[:80]


class WorkflowStarter:
    """Starts the ticket workflow; a start that already happened is success, not an error."""

    def __init__(self, client: Any, state_machine_arn: str) -> None:
        self.client = client
        self.arn = state_machine_arn

    def start_triage(self, tenant: str, ticket_id: str) -> bool:
        """True if this call started the execution, False if it had been started before."""
        import json

        try:
            self.client.start_execution(
                stateMachineArn=self.arn,
                name=execution_name(tenant, ticket_id),
                input=json.dumps({"tenant_id": tenant, "ticket_id": ticket_id}, separators=(",", ":")),
            )
        except ClientError as error:
            if error_code(error) == "ExecutionAlreadyExists":
                return False
            raise
        return True
