"""The documentation says what the code does: every plan-file field is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from keepword.adapters.planfile import read_plan_text
from keepword.adapters.planfile import schema as s

DOC = Path(__file__).resolve().parents[2] / "docs" / "plan-file.md"

SECTIONS: dict[str, type[BaseModel]] = {
    "Top level": s.PlanFile,
    "Skills": s.SkillIn,
    "Clients": s.ClientIn,
    "People": s.PersonIn,
    "Time off": s.TimeOffIn,
    "Projects": s.ProjectIn,
    "Dependencies": s.DependencyIn,
    "Phases": s.PhaseIn,
    "Items": s.ItemIn,
    "Estimate": s.EstimateIn,
    "History": s.CompletedIn,
    "Allocations": s.AllocationIn,
    "Commitments": s.CommitmentIn,
    "Baseline": s.BaselineIn,
    "Scenarios": s.ScenarioIn,
    "reallocate": s.ReallocateIn,
    "add_item": s.AddItemIn,
    "remove_item": s.RemoveItemIn,
}


def _sections() -> dict[str, str]:
    parts = re.split(r"^#{2,3} (.+)$", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


@pytest.mark.parametrize(("title", "model"), SECTIONS.items(), ids=list(SECTIONS))
def test_every_field_of_the_plan_file_is_documented(title: str, model: type[BaseModel]) -> None:
    body = _sections()[title]
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", body, flags=re.MULTILINE))
    assert documented == set(model.model_fields)


def test_the_complete_example_in_the_documentation_loads() -> None:
    example = _sections()["A complete example"]
    [yaml_text] = re.findall(r"```yaml\n(.*?)```", example, flags=re.DOTALL)
    portfolio = read_plan_text(yaml_text, "docs/plan-file.md")
    assert portfolio.projects
    assert portfolio.commitments
    assert portfolio.scenarios


def test_the_access_document_shows_the_policy_table_of_the_code() -> None:
    from keepword.domain.access import POLICY, Action, Role

    text = (DOC.parent / "access.md").read_text(encoding="utf-8")
    header = "| action | " + " | ".join(r.label for r in Role) + " |"
    assert header in text
    for action in Action:
        cells = " | ".join("yes" if r in POLICY[action] else "—" for r in Role)
        assert f"| {action.value} | {cells} |" in text, action
