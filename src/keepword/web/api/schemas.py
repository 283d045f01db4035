"""The API's shared schemas: the request base class and its field types, the bounds of a
forecast's query, and the response models more than one routes module answers with
(commitments, items, events, forecast finishes, signals raised), so that one thing has one
name in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from keepword.domain.commitment import CommitmentState
from keepword.domain.events import Event
from keepword.domain.project import ItemStatus
from keepword.domain.signals import SignalKind
from keepword.domain.text import ID_MAX, LIST_MAX, TEXT_MAX, refuse_nul

# --- field types ---------------------------------------------------------------------------


def _as_utc(moment: datetime) -> datetime:
    # Keepword stores UTC only: a naive time is UTC, an aware one is shown in UTC ("…Z").
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]
Probability = Annotated[float, Field(ge=0, le=1)]
# As the pages accept it: strictly between 0 and 1 (0 or 1 would ask for certainty).
CONFIDENCE_TEXT = "The odds wanted, strictly between 0 and 1."
Confidence = Annotated[float, Field(gt=0, lt=1, description=CONFIDENCE_TEXT)]

# Every text field of a request body has a limit: one of these, or its own.
Ref = Annotated[str, Field(max_length=ID_MAX, description="The id of something stored.")]
Line = Annotated[str, Field(max_length=TEXT_MAX)]  # a name, title or note, as a plan file
Refs = Annotated[list[Ref], Field(max_length=LIST_MAX)]

# --- a forecast's bounds, in a query and in a body -----------------------------------------

MIN_TRIALS = 100
MAX_TRIALS = 100_000  # the CLI allows a million; a request should answer in seconds
MAX_SEED = 2**63 - 1  # numpy refuses a negative seed; a 64-bit integer is plenty
TRIALS_TEXT = "Monte Carlo trials."
SEED_TEXT = "Random seed, 0 or more: the same seed gives the same answer."

Trials = Annotated[int, Query(ge=MIN_TRIALS, le=MAX_TRIALS, description=TRIALS_TEXT)]
Seed = Annotated[int, Query(ge=0, le=MAX_SEED, description=SEED_TEXT)]
TrialsField = Annotated[int, Field(ge=MIN_TRIALS, le=MAX_TRIALS, description=TRIALS_TEXT)]
SeedField = Annotated[int, Field(ge=0, le=MAX_SEED, description=SEED_TEXT)]
AsOf = Annotated[
    date | None, Query(description="Forecast as if today were this date (default: today).")
]
ProjectFilter = Annotated[str | None, Query(description="Only this project's.")]


# --- base classes --------------------------------------------------------------------------


class RequestBody(BaseModel):
    """Base of every request body: a field the schema does not name is refused (422 naming
    it), never ignored, so a misspelt field cannot pass for one left out; no text in it may
    hold a NUL character (each text field also has its own length limit)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class Public(BaseModel):
    """Base of the API's response schemas: built from the domain's dataclasses."""

    model_config = ConfigDict(from_attributes=True)


# --- response models shared by several routes modules --------------------------------------


class EstimatePublic(Public):
    optimistic: float
    likely: float
    pessimistic: float


class WorkItemPublic(Public):
    id: str
    title: str
    phase: str | None
    skill: str | None
    estimate: EstimatePublic | None
    depends_on: list[str]
    status: ItemStatus
    started: date | None
    done: date | None
    added: date | None


class BaselinePublic(Public):
    forecast_on: date
    on_time: Probability
    p50: date
    p85: date
    scope_items: int
    effort: float = Field(description="Expected effort of the scope then, in person-days.")
    below_target_reason: str | None = Field(
        None, description="Why it was promised though its odds were below its target."
    )


class CommitmentDetail(Public):
    id: str
    project: str
    title: str
    due: date
    phases: list[str] = Field(description="The phases promised; empty for the whole project.")
    confidence: Probability
    state: CommitmentState
    made_by: str | None
    made_to: str | None
    made_on: date | None
    fixed_date: bool
    baseline: BaselinePublic | None
    approved_by: str | None = Field(
        None, description="The executive who approved it as a proposal, when its risk needed one."
    )


class EventPublic(Public):
    id: int | None
    at: UtcDateTime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: Any = Field(description="The entity before the change (JSON), null if created.")
    after: Any = Field(description="The entity after the change (JSON), null if removed.")


class FinishPublic(Public):
    id: str
    name: str
    items: int = Field(description="Remaining items in this scope.")
    p50: date
    p85: date
    p95: date
    due: date | None
    on_time: Probability | None
    at_confidence: date | None


class SharePublic(Public):
    id: str
    name: str
    value: float


class SignalRef(BaseModel):
    id: str
    commitment: str
    kind: SignalKind
    summary: str


def signals_raised(events: Iterable[Event]) -> list[SignalRef]:
    """The signals a change raised, among the events it recorded."""
    return [
        SignalRef(
            id=e.entity_id,
            commitment=e.after["commitment"],
            kind=e.after["kind"],
            summary=e.after["summary"],
        )
        for e in events
        if e.entity == "signal" and e.action == "raised"
    ]
