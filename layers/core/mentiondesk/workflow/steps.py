"""The inputs of workflow tasks: the ticket workflow's (the execution input, passed through) and the SLA timer's."""

from pydantic import BaseModel, ConfigDict, Field


class TicketStepInput(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    tenant_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    ticket_id: str = Field(min_length=26, max_length=26)
    # Set for a message that joined an existing ticket; absent for the ticket's own triage.
    message_id: str | None = Field(default=None, min_length=26, max_length=26)
    # When ingest started the run (ISO); the last task bills the Express run's duration from it.
    started_at: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


class SlaTimerInput(TicketStepInput):
    generation: int = Field(ge=1)
