"""SLA policies: ordered, each with an optional condition (the rules' condition language) and targets.

The first enabled policy, in ``order`` (ties by id), whose condition holds for the ticket applies; a
policy without a condition matches every ticket, so it belongs last as the catch-all. A rule's
``set_sla_policy`` action overrides the choice.
"""

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mentiondesk.models import DisplayName
from mentiondesk.rules.engine import Facts, evaluate
from mentiondesk.rules.model import Condition, Ref
from mentiondesk.sla.clocks import SlaTargets


class SlaPolicyIn(BaseModel):
    """What a supervisor writes."""

    model_config = ConfigDict(extra="forbid")

    name: DisplayName
    order: int = Field(ge=0, le=1_000_000)
    enabled: bool = True
    condition: Condition | None = None
    targets: SlaTargets

    @field_validator("targets")
    @classmethod
    def _some_target(cls, value: SlaTargets) -> SlaTargets:
        if not (value.first_response_minutes or value.next_response_minutes or value.resolution_minutes):
            raise ValueError(
                "give at least one target: first_response_minutes, next_response_minutes or resolution_minutes"
            )
        return value


class SlaPolicy(SlaPolicyIn):
    """A stored policy."""

    model_config = ConfigDict(extra="ignore")

    id: Ref
    tenant_id: str
    created_at: str
    updated_at: str
    updated_by: str
    version: int = 1


def select_policy(policies: Iterable[SlaPolicy], facts: Facts, forced: str | None = None) -> SlaPolicy | None:
    """The policy for a ticket: ``forced`` (a rule chose it) if it exists and is enabled, else the first match."""
    ordered = sorted((p for p in policies if p.enabled), key=lambda p: (p.order, p.id))
    if forced:
        chosen = next((p for p in ordered if p.id == forced), None)
        if chosen is not None:
            return chosen
    for policy in ordered:
        if policy.condition is None or evaluate(policy.condition, facts).matched:
            return policy
    return None
