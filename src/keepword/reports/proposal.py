"""The gate's answer as a proposal a client can read, in Markdown and in HTML.

Both formats render one view (:func:`proposal_view`) of pre-worded text, so that they say
the same thing; every date is shown with its confidence, never bare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from keepword.domain.portfolio import Portfolio
from keepword.domain.project import Project
from keepword.domain.wording import day, percent
from keepword.services.gate import AddCapacity, CutScope, GateAnswer, TeamMember

_environment = Environment(
    loader=PackageLoader("keepword.reports", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _markdown_cell(text: object) -> str:
    # A pipe would end the table cell; a newline would end the row.
    return str(text).replace("|", "\\|").replace("\n", " ")


_environment.filters["cell"] = _markdown_cell


def render_markdown(answer: GateAnswer, portfolio: Portfolio) -> str:
    """The proposal as Markdown."""
    return render_markdown_view(proposal_view(answer, portfolio))


def render_html(answer: GateAnswer, portfolio: Portfolio) -> str:
    """The proposal as one standalone HTML document (inline CSS, no scripts)."""
    return render_html_view(proposal_view(answer, portfolio))


def render_markdown_view(view: dict[str, Any]) -> str:
    """The proposal as Markdown, from a view already built by :func:`proposal_view`."""
    return _environment.get_template("proposal.md.j2").render(view)


def render_html_view(view: dict[str, Any]) -> str:
    """The proposal as standalone HTML, from a view already built by :func:`proposal_view`."""
    return _environment.get_template("proposal.html.j2").render(view)


def date_range(p50: date, p85: date) -> str:
    """``Fri 8 Jan 2027 – Mon 11 Jan 2027 (P50–P85)``, or one date at both levels."""
    if p50 == p85:
        return f"{day(p50)} (P50 and P85)"
    return f"{day(p50)} – {day(p85)} (P50–P85)"


@dataclass(frozen=True)
class OptionLine:
    """One way to reach the target, in words, with its own odds."""

    label: str
    text: str
    on_time: float
    reaches: bool


def option_lines(answer: GateAnswer, portfolio: Portfolio) -> list[OptionLine]:
    """The three options as sentences (only the date one when the asked date already fits)."""
    target = percent(answer.confidence)
    move = answer.move_date
    lines = [
        OptionLine(
            "Move the date",
            f"promise {day(move.date)} instead of {day(answer.due)}",
            move.on_time,
            move.reaches,
        )
    ]
    if answer.cut_scope is not None:
        lines.append(_cut_line_option(answer, portfolio, answer.cut_scope, target))
    if answer.add_capacity is not None:
        lines.append(_capacity_option(answer, portfolio, answer.add_capacity, target))
    return lines


def _cut_line_option(
    answer: GateAnswer, portfolio: Portfolio, cut: CutScope, target: str
) -> OptionLine:
    project = portfolio.project(answer.project)
    names = _phase_names(project)
    kept = [names.get(p, p) for p in cut.kept_phases]
    parts = [", ".join(kept) + " whole"] if kept else []
    if cut.partial_phase is not None:
        titles = "; ".join(project.item(i).title for i in cut.partial_items)
        parts.append(f"from {names.get(cut.partial_phase, cut.partial_phase)} only: {titles}")
    scope = ", plus ".join(parts) if parts else "no scope"
    text = f"by {day(answer.due)}, deliver {scope}"
    if cut.dropped_items:
        text += f"; the other {len(cut.dropped_items)} items follow later"
    if not cut.reaches:
        text += f" — no cut found reaches {target}; this is the best found"
    return OptionLine("Cut scope", text, cut.on_time, cut.reaches)


def _capacity_option(
    answer: GateAnswer, portfolio: Portfolio, add: AddCapacity, target: str
) -> OptionLine:
    skill = _skill_name(portfolio, add.skill)
    days = f"{add.days_per_week:g} day{'s' if add.days_per_week != 1 else ''} a week"
    who = (
        f"a new person with skill {skill}"
        if add.person is None
        else f"{add.name} ({skill}, {add.free:.0%} of their time free)"
    )
    text = f"add {who}, {days}, from {day(add.start)} to {day(add.end)}"
    if not add.reaches:
        text += f" — not enough to reach {target}: this is the most the search found"
    return OptionLine("Add capacity", text, add.on_time, add.reaches)


def proposal_view(answer: GateAnswer, portfolio: Portfolio) -> dict[str, Any]:
    """Everything the templates show, already in words."""
    project = portfolio.project(answer.project)
    names = _phase_names(project)
    days = {member.person: _working_days(member, answer) for member in answer.team}
    return {
        "title": f"Proposal: {answer.project_name}",
        "client": answer.client,
        "prepared": day(answer.today),
        "start": day(answer.start),
        "due": day(answer.due),
        "target": percent(answer.confidence),
        "on_time": percent(answer.on_time),
        "meets_target": answer.meets_target,
        "whole_range": date_range(answer.p50, answer.p85),
        "at_confidence": day(answer.at_confidence),
        "cut_line": [names.get(p, p) for p in answer.cut_line],
        "phases": [
            {
                "name": phase.name,
                "count": phase.items,
                "range": date_range(phase.through_p50, phase.through_p85),
                "on_time": percent(phase.on_time),
                "fits": phase.fits,
            }
            for phase in answer.phases
        ],
        "options": option_lines(answer, portfolio),
        "percent": percent,
        "team": [_member_view(member, days[member.person], portfolio) for member in answer.team],
        "estimates": _estimates_view(project, portfolio),
        "method": _method(answer),
        "changes": _what_would_change(answer, portfolio, days),
    }


def _member_view(member: TeamMember, days: tuple[int, int], portfolio: Portfolio) -> dict[str, str]:
    """A person as a client may see them: skills, share of time, and working days until the
    asked date. Never a reason for time off, nor its dates: a personal calendar is not the
    client's to read, only the capacity it leaves."""
    allocations = "; ".join(
        f"{a.fraction:.0%} from {day(a.start)} to {day(a.end)}" for a in member.allocations
    )
    usual, working = days
    available = f"{working} of {usual} working days" if working < usual else f"{usual} working days"
    return {
        "name": member.name,
        "skills": ", ".join(_skill_name(portfolio, s) for s in member.skills) or "any",
        "allocation": allocations,
        "available": available,
    }


def _working_days(member: TeamMember, answer: GateAnswer) -> tuple[int, int]:
    """``member``'s working days from the start to the asked date without their leave, and
    with it: counts only, the capacity a client may read."""
    calendar = member.calendar
    usual = len(calendar.without_time_off().working_days(answer.start, answer.due))
    return usual, len(calendar.working_days(answer.start, answer.due))


def _method(answer: GateAnswer) -> str:
    """How the forecast was made, in a client's words (the seed and the model's names stay
    in the team's own view)."""
    source = (
        "the pace the team has really kept, item by item, over recent weeks"
        if answer.mode == "throughput"
        else "each task's effort as a range (best case, most likely, worst case), adjusted by "
        "how long the team's past work really took where there is a record of it"
    )
    return (
        f"We simulated the plan {answer.trials:,} times from {source}, on each person's "
        "real working days (weekends, public holidays and leave counted out). The chance "
        "of a date is the share of simulations finished by then; the same plan always "
        "gives the same answer."
    )


def _estimates_view(project: Project, portfolio: Portfolio) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    phases: list[tuple[str | None, str]] = [(p.id, p.name) for p in project.phases]
    known = {p.id for p in project.phases}
    if any(i.phase not in known for i in project.items):
        phases.append((None, "Not in a phase"))
    for phase_id, name in phases:
        rows = [
            {
                "title": item.title,
                "skill": _skill_name(portfolio, item.skill) if item.skill else "any",
                "estimate": (
                    f"{item.estimate.optimistic:g} – {item.estimate.likely:g} – "
                    f"{item.estimate.pessimistic:g}"
                    if item.estimate
                    else "no estimate"
                ),
                "status": item.status.value.replace("_", " "),
            }
            for item in project.items
            if (item.phase == phase_id if phase_id is not None else item.phase not in known)
        ]
        if rows:
            groups.append({"name": name, "rows": rows})
    return groups


def _what_would_change(
    answer: GateAnswer, portfolio: Portfolio, days: Mapping[str, tuple[int, int]]
) -> list[str]:
    project = portfolio.project(answer.project)
    titles = {i.id: i.title for i in project.items}
    changes = []
    deciding = [s for s in answer.critical_items if s.value >= 0.25][:4]
    if deciding:
        changes.append(
            "The items that most often decide the date: "
            + "; ".join(
                f"{titles.get(s.id, s.name)} ({percent(s.value)} of trials)" for s in deciding
            )
            + ". A change to their estimates, or to what they depend on, moves the date most."
        )
    people = [s for s in answer.critical_people if s.value >= 0.25]
    if people:
        changes.append(
            "The people whose work most often decides the date: "
            + ", ".join(f"{s.name} ({percent(s.value)})" for s in people)
            + ". Time away from the project, or other work given to them, moves it."
        )
    away = sum(usual - working for usual, working in days.values())
    if away:
        changes.append(
            f"Leave already counted: {away} working day{'s' if away != 1 else ''} across the "
            f"team before {day(answer.due)}. More leave, or less, moves the dates."
        )
    changes.append(
        "Scope added after this proposal is forecast again before it is promised; "
        "every change to scope, estimates or allocations re-forecasts the dates."
    )
    return changes


def _phase_names(project: Project) -> dict[str, str]:
    return {p.id: p.name for p in project.phases}


def _skill_name(portfolio: Portfolio, skill: str | None) -> str:
    if skill is None:
        return "any skill"
    return next((s.name for s in portfolio.skills if s.id == skill), skill)
