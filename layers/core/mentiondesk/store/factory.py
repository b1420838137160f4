"""Builds the store from settings; boto3 is imported here, lazily, once per process."""

import os
from functools import cache
from typing import TYPE_CHECKING, Any

from mentiondesk.store.alerts import AlertStore
from mentiondesk.store.audit import AuditStore
from mentiondesk.store.customers import CustomerStore
from mentiondesk.store.directory import DirectoryStore
from mentiondesk.store.dynamo import Table
from mentiondesk.store.monitors import MonitorStore
from mentiondesk.store.notifications import NotificationStore
from mentiondesk.store.outbox import OutboxStore
from mentiondesk.store.presence import PresenceStore
from mentiondesk.store.quarantine import QuarantineStore
from mentiondesk.store.settings import SettingsStore
from mentiondesk.store.tickets import TicketStore

if TYPE_CHECKING:
    from mentiondesk.store.learning import LearningStore


class Store:
    """The repositories over one table."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.tickets = TicketStore(table)
        self.directory = DirectoryStore(table)
        self.quarantine = QuarantineStore(table)
        self.customers = CustomerStore(table)
        self.monitors = MonitorStore(table)
        self.alerts = AlertStore(table)
        self.notifications = NotificationStore(table)
        self.sla_policies = SettingsStore(table, "SLA", "SLA policy")
        self.rules = SettingsStore(table, "RULE", "rule")
        self.templates = SettingsStore(table, "TPL", "template")
        self.reply_policy = SettingsStore(table, "POLICY", "reply policy")
        self.outbox = OutboxStore(table)
        self.presence = PresenceStore(table)
        self.audit = AuditStore(table)
        self._learning: LearningStore | None = None

    @property
    def learning(self) -> "LearningStore":
        """Label corrections and learned models; made on first use, so functions that never learn
        (webhooks, the sender) do not import the classifier at cold start."""
        if self._learning is None:
            from mentiondesk.store.learning import LearningStore

            self._learning = LearningStore(self.table)
        return self._learning


@cache
def _client(service: str, endpoint: str | None, region: str | None) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5),
    )


class _Clients:
    """One boto3 client per service per process (endpoint from AWS_ENDPOINT_URL when local). The
    endpoint and region are part of the key: a client made while another local stack's environment
    was in place (a request finishing as its stack stops) is never handed to the next one."""

    def __call__(self, service: str) -> Any:
        return _client(service, os.environ.get("AWS_ENDPOINT_URL"), os.environ.get("AWS_REGION"))

    def cache_clear(self) -> None:
        _client.cache_clear()


aws_client = _Clients()


def store_for(table_name: str) -> Store:
    return Store(Table(aws_client("dynamodb"), table_name))
