"""The plan file: a whole portfolio as YAML, read with located errors and written back."""

from keepword.adapters.planfile.reader import (
    InvalidPlanFile,
    PlanProblem,
    located,
    read_plan,
    read_plan_text,
    scenario_from_data,
)
from keepword.adapters.planfile.writer import scenario_to_data, write_plan

__all__ = [
    "InvalidPlanFile",
    "PlanProblem",
    "located",
    "read_plan",
    "read_plan_text",
    "scenario_from_data",
    "scenario_to_data",
    "write_plan",
]
