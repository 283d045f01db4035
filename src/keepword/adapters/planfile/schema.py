"""The shape of a plan file (version 1), as pydantic models; docs/plan-file.md describes it.

These models check types, required and unknown fields only. The domain's own rules
(estimate order, date order, references) are checked when the models become domain objects.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    field_validator,
)

from keepword.domain.text import refuse_nul

FORMAT_VERSION = 1

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=80),
    Field(description="letters, digits, '.', '_' and '-', starting with a letter or digit"),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
# Strict: a boolean is not a number (``fraction: true`` is a mistake, not 1.0).
Number = Annotated[float, Strict()]
Flag = Annotated[bool, Strict()]


def _iso_day(value: object) -> object:
    """Dates are written YYYY-MM-DD: not a number, not a time of day."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError("dates are written YYYY-MM-DD")
    if not isinstance(value, str | date):
        raise ValueError("dates are written YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_iso_day)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        coerce_numbers_to_str=True,
        frozen=True,
        allow_inf_nan=False,
        # Built on first use: reading stored scenarios needs two models, not all twenty.
        defer_build=True,
    )

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)  # YAML can write one ("\0"); PostgreSQL cannot store it


class SkillIn(Model):
    id: Id
    name: Text


class ClientIn(Model):
    id: Id
    name: Text
    contact: Text | None = None
    time_zone: Annotated[str, StringConstraints(min_length=1, max_length=64)] = "UTC"
    first_contact_weekends: Flag = True


class TimeOffIn(Model):
    start: Day
    end: Day
    reason: str = ""


class PersonIn(Model):
    id: Id
    name: Text
    email: Text | None = None
    skills: list[Id] = []
    country: Annotated[str, StringConstraints(min_length=2, max_length=3)] | None = None
    subdivision: Text | None = None
    working_days: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]
    time_off: list[TimeOffIn] = []


class EstimateIn(Model):
    optimistic: Number
    likely: Number
    pessimistic: Number


class ItemIn(Model):
    id: Id
    title: Text
    phase: Id | None = None
    skill: Id | None = None
    estimate: EstimateIn | None = None
    depends_on: list[Id] = []
    status: Literal["todo", "in_progress", "done"] = "todo"
    started: Day | None = None
    done: Day | None = None
    added: Day | None = None


class PhaseIn(Model):
    id: Id
    name: Text


class CompletedIn(Model):
    id: Id
    done: Day
    started: Day | None = None
    kind: Text | None = None
    estimate: Number | None = None
    actual: Number | None = None


class DependencyIn(Model):
    id: Id
    name: Text
    unstable: Flag = False
    note: str = ""


class ProjectIn(Model):
    id: Id
    client: Id
    name: Text
    start: Day
    lead: Id | None = None
    phases: list[PhaseIn] = []
    items: list[ItemIn] = []
    history: list[CompletedIn] = []
    dependencies: list[DependencyIn] = []
    disclosure_target: Annotated[int, Strict(), Field(ge=1)] | None = None


class AllocationIn(Model):
    person: Id
    project: Id
    fraction: Number
    start: Day
    end: Day
    over_allocation: Flag = False


class BaselineIn(Model):
    forecast_on: Day
    on_time: Number
    p50: Day
    p85: Day
    scope_items: Annotated[int, Strict(), Field(ge=0)]
    effort: Number
    below_target_reason: Text | None = None


class CommitmentIn(Model):
    id: Id
    project: Id
    title: Text
    due: Day
    phases: list[Id] = []
    confidence: Number = 0.85
    state: Literal[
        "proposed", "committed", "at_risk", "met", "missed", "renegotiated", "withdrawn"
    ] = "proposed"
    made_by: Text | None = None
    made_to: Text | None = None
    made_on: Day | None = None
    fixed_date: Flag = False
    baseline: BaselineIn | None = None
    approved_by: Text | None = None


class ReallocateIn(Model):
    kind: Literal["reallocate"]
    person: Id
    from_project: Id
    start: Day
    end: Day
    to_project: Id | None = None
    fraction: Number | None = None


class AddItemIn(Model):
    kind: Literal["add_item"]
    project: Id
    item: ItemIn


class RemoveItemIn(Model):
    kind: Literal["remove_item"]
    project: Id
    item: Id


ChangeIn = Annotated[ReallocateIn | AddItemIn | RemoveItemIn, Field(discriminator="kind")]


class ScenarioIn(Model):
    id: Id
    name: Text
    description: str = ""
    changes: list[ChangeIn] = []


class PlanFile(Model):
    keepword: Annotated[int, Strict(), Field(ge=1, le=1, description="format version")]
    skills: list[SkillIn] = []
    clients: list[ClientIn] = []
    people: list[PersonIn] = []
    projects: list[ProjectIn] = []
    allocations: list[AllocationIn] = []
    commitments: list[CommitmentIn] = []
    scenarios: list[ScenarioIn] = []
