"""The commit gate (W1): what the evidence backs before a date is promised, and the promise.

:func:`propose` answers, for a project and an asked date: the odds of meeting it, the date
at the team's confidence target, which phases fit (the cut line), and three ways to reach
the target — move the date, cut scope, add capacity — each checked by its own re-forecast
of a changed copy of the portfolio. :func:`commit` moves a proposed commitment to committed,
records the forecast it was made on as its baseline and says whether that falls short of its
confidence target; :func:`close_commitment` ends it.

:func:`ask` is the one use case that asks the gate (and may record the proposal);
:func:`ask_fields` asks it from a form, where every part of the question may be missing or
wrong, and reports every part at fault at once; :func:`answer_form` returns those parts
instead, with the portfolio to show the form again from.

Searches run at ``SEARCH_TRIALS``; every probability reported is a forecast at the trials
asked for, so a search step that passes by luck is caught by the final check.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from keepword.domain.access import Action, Actor, Forbidden, authorize, requires
from keepword.domain.calendar import TimeOff, WorkingCalendar
from keepword.domain.commitment import (
    Baseline,
    Commitment,
    CommitmentState,
    Health,
    acknowledgement,
    check_confidence,
    health_of,
)
from keepword.domain.errors import (
    InvalidFields,
    InvalidTransition,
    InvalidValue,
    KeepwordError,
    NotFound,
)
from keepword.domain.events import Event, snapshot
from keepword.domain.forecast import Finish, ForecastOptions, ProjectForecast, Share
from keepword.domain.ids import ID_RULE, is_valid_id
from keepword.domain.people import Allocation, Person
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import ItemStatus, Project, WorkItem
from keepword.domain.wording import percent
from keepword.services.forecasting import HORIZON_DAYS, forecast_project
from keepword.services.ports import UnitOfWorkFactory
from keepword.services.watch import record_change

SEARCH_TRIALS = 2_000
FRACTION_STEP = 0.1  # half a day a week on a five-day week
PROBE = "gate-probe"  # id of the temporary commitments the gate forecasts against
NEW_PERSON = "new-hire"


class CannotPropose(InvalidValue):
    """The question cannot be asked: a due date before the start, an empty team; ``field``
    names the part of the question at fault (project, due, team, confidence, record)."""


@dataclass(frozen=True)
class TeamMember:
    """Someone whose time the forecast counts, with the allocations and calendar it used."""

    person: str
    name: str
    skills: tuple[str, ...]
    allocations: tuple[Allocation, ...]
    calendar: WorkingCalendar

    @property
    def time_off(self) -> tuple[TimeOff, ...]:
        return self.calendar.time_off


@dataclass(frozen=True)
class PhasePlan:
    """One phase: its own P50/P85, the P50/P85 of it and every phase before it, and its odds.

    ``on_time`` and ``fits`` are for this phase *and all before it* by the asked date.
    """

    id: str
    name: str
    items: int
    p50: date
    p85: date
    through_p50: date
    through_p85: date
    on_time: float
    fits: bool


@dataclass(frozen=True)
class MoveDate:
    """Option (a): promise the date at the confidence target instead."""

    date: date
    on_time: float
    reaches: bool


@dataclass(frozen=True)
class CutScope:
    """Option (b): keep ``kept_phases`` whole, and of ``partial_phase`` only ``partial_items``.

    ``dropped_items`` are the remaining items left out; ``p50``/``p85`` date the kept scope.
    """

    kept_phases: tuple[str, ...]
    partial_phase: str | None
    partial_items: tuple[str, ...]
    dropped_phases: tuple[str, ...]
    dropped_items: tuple[str, ...]
    kept: int
    on_time: float
    p50: date
    p85: date
    reaches: bool


@dataclass(frozen=True)
class AddCapacity:
    """Option (c): ``fraction`` of ``person`` (None: a new person) with ``skill``, to the due date.

    ``free`` is how much of their time was free over that period (1 for a new person).
    """

    skill: str | None
    person: str | None
    name: str
    fraction: float
    days_per_week: float
    free: float
    start: date
    end: date
    on_time: float
    reaches: bool


@dataclass(frozen=True)
class GateAnswer:
    """Everything the gate answers for one project and asked date."""

    project: str
    project_name: str
    client: str
    today: date
    start: date
    due: date
    confidence: float
    trials: int
    seed: int
    mode: str
    on_time: float
    p50: date
    p85: date
    p95: date
    at_confidence: date
    phases: tuple[PhasePlan, ...]
    cut_line: tuple[str, ...]
    move_date: MoveDate
    cut_scope: CutScope | None  # None when the asked date already meets the target
    add_capacity: AddCapacity | None
    team: tuple[TeamMember, ...]
    critical_items: tuple[Share, ...]
    critical_people: tuple[Share, ...]
    evidence: str

    @property
    def meets_target(self) -> bool:
        return self.on_time >= self.confidence


@dataclass(frozen=True)
class GateQuestion:
    """What a person asks the gate: this project by this date, at this confidence (None:
    the project's proposed commitment's), with this team (None: the people allocated); and,
    with ``record``, to store the asked date as the proposed commitment of that id."""

    project: str
    due: date
    confidence: float | None = None
    team: tuple[str, ...] | None = None
    record: str | None = None
    # With ``record``: store the cut line (and the rest as a later proposal), not the whole.
    cut_line: bool = False


@dataclass(frozen=True)
class Asked:
    """The question as asked, the gate's answer, the portfolio it was forecast on, and the
    proposal stored."""

    question: GateQuestion
    answer: GateAnswer
    portfolio: Portfolio
    recorded: Commitment | None = None


@dataclass(frozen=True)
class QuestionFields:
    """The gate's question as a form sends it: any part may be blank (None, or empty) or
    wrong, and :func:`ask_fields` names each part at fault; ``team`` as ticked, blanks and
    repeats included."""

    project: str = ""
    due: date | None = None
    confidence: float | None = None
    team: tuple[str, ...] = ()
    record: str | None = None
    cut_line: bool = False


QUESTION_FIELDS = ("project", "due", "confidence", "team", "record")


@requires(Action.CHECK_GATE)
def ask(
    uow: UnitOfWorkFactory,
    question: GateQuestion,
    options: ForecastOptions,
    *,
    actor: Actor,
    now: datetime,
    before_recording: Callable[[Asked], None] | None = None,
) -> Asked:
    """The gate's answer to ``question`` over the stored portfolio; with ``question.record``
    (which needs the right to record a proposal) the asked date is then stored as a proposed
    commitment. ``before_recording`` runs on the answer first, so that what it does (the
    command line writes the proposal's files) failing leaves nothing recorded."""
    if question.record is not None:
        authorize(actor, Action.PROPOSE)
        check_commitment_id(question.record)
    with uow() as work:
        stored = work.portfolio.get()
    if question.team is not None:
        check_team(stored, question.team)
    return _answer(uow, stored, question, options, actor, now, before_recording)


@requires(Action.CHECK_GATE)
def ask_fields(
    uow: UnitOfWorkFactory,
    fields: QuestionFields,
    options: ForecastOptions,
    *,
    actor: Actor,
    now: datetime,
    input_errors: Mapping[str, str] | None = None,
) -> Asked:
    """:func:`ask` for a question typed in a form: every part at fault is reported at once, as
    :class:`InvalidFields` keyed by :data:`QUESTION_FIELDS` (``input_errors``: the parts the
    caller could not even read), a due date before ``options.today`` among them. What the
    answer itself refuses (a date before the project can start, a team without a skill it
    needs, no right to record) is reported beside its part too; a project that cannot be
    forecast at all raises :class:`CannotForecast`, as from :func:`ask`."""
    with uow() as work:
        stored = work.portfolio.get()
    return _ask_fields(uow, stored, fields, options, actor, now, input_errors)


@dataclass(frozen=True)
class FormAnswer:
    """The gate's answer to a form (None when it refused the question), every part at fault
    keyed by :data:`QUESTION_FIELDS`, and the portfolio the form offers its choices from."""

    portfolio: Portfolio
    asked: Asked | None = None
    errors: Mapping[str, str] = field(default_factory=dict)


@requires(Action.CHECK_GATE)
def answer_form(
    uow: UnitOfWorkFactory,
    fields: QuestionFields,
    options: ForecastOptions,
    *,
    actor: Actor,
    now: datetime,
    input_errors: Mapping[str, str] | None = None,
) -> FormAnswer:
    """:func:`ask_fields` for a page that shows the form again when the question is refused:
    the parts at fault are returned, not raised. A gate that cannot answer at all (a project
    that cannot be forecast) is told beside ``record``, the form's last part, by the button
    that asked."""
    with uow() as work:
        stored = work.portfolio.get()
    try:
        asked = _ask_fields(uow, stored, fields, options, actor, now, input_errors)
    except InvalidFields as refused:
        return FormAnswer(stored, errors=refused.errors)
    except KeepwordError as unanswerable:
        return FormAnswer(stored, errors={"record": str(unanswerable)})
    return FormAnswer(asked.portfolio, asked)


def _ask_fields(
    uow: UnitOfWorkFactory,
    stored: Portfolio,
    fields: QuestionFields,
    options: ForecastOptions,
    actor: Actor,
    now: datetime,
    input_errors: Mapping[str, str] | None,
) -> Asked:
    """:func:`ask_fields` over ``stored``, the portfolio as read."""
    errors = dict(input_errors or {})
    question = _question_of(stored, fields, options.today, errors)
    if question is None:
        raise InvalidFields(errors)
    try:
        if question.record is not None:
            authorize(actor, Action.PROPOSE)
        return _answer(uow, stored, question, options, actor, now)
    except InvalidValue as refused:  # raised naming the part of the question at fault
        where = refused.field if refused.field in QUESTION_FIELDS else "due"
        raise InvalidFields({where: refused.message}) from None
    except Forbidden as refused:  # the right to ask is checked before: this is to record
        raise InvalidFields({"record": str(refused)}) from None


def _question_of(
    portfolio: Portfolio, fields: QuestionFields, today: date, errors: dict[str, str]
) -> GateQuestion | None:
    """The question ``fields`` ask, or None with each part at fault added to ``errors``."""
    project = fields.project.strip()
    if not project:
        errors.setdefault("project", "choose a project")
    else:
        try:
            portfolio.project(project)
        except NotFound as error:
            errors.setdefault("project", str(error))
    if fields.due is None:
        errors.setdefault("due", "give the date the client asks for")
    elif fields.due < today:
        errors.setdefault("due", f"{fields.due} is in the past (today is {today})")
    if fields.confidence is not None:
        try:
            check_confidence(fields.confidence)
        except InvalidValue as error:
            errors.setdefault("confidence", error.message)
    team = tuple(dict.fromkeys(p.strip() for p in fields.team if p.strip()))
    try:
        check_team(portfolio, team)
    except CannotPropose as error:
        errors.setdefault("team", error.message)
    record = (fields.record or "").strip() or None
    if record is not None:
        try:
            check_commitment_id(record)
        except InvalidValue as error:
            errors.setdefault("record", error.message)
    if errors or fields.due is None:
        return None
    return GateQuestion(
        project, fields.due, fields.confidence, team or None, record, fields.cut_line
    )


def _answer(
    uow: UnitOfWorkFactory,
    stored: Portfolio,
    question: GateQuestion,
    options: ForecastOptions,
    actor: Actor,
    now: datetime,
    before_recording: Callable[[Asked], None] | None = None,
) -> Asked:
    """The gate's answer to ``question`` over ``stored``, recorded as a proposal if asked."""
    answer = propose(
        stored,
        question.project,
        question.due,
        options,
        confidence=question.confidence,
        team=question.team,
    )
    asked = Asked(question, answer, stored)
    if before_recording is not None:
        before_recording(asked)
    if question.record is None:
        return asked
    recorded = record_proposal(
        uow,
        answer,
        question.record,
        actor=actor,
        now=now,
        today=options.today,
        cut_line=question.cut_line,
    )
    return replace(asked, recorded=recorded)


def propose(
    portfolio: Portfolio,
    project_id: str,
    due: date,
    options: ForecastOptions,
    *,
    confidence: float | None = None,
    team: Sequence[str] | None = None,
) -> GateAnswer:
    """The gate's answer for ``project_id`` by ``due`` (see the module docstring).

    ``confidence`` defaults to the project's proposed commitment's, else ``options``'.
    ``team`` names the people to forecast with instead of those allocated, each full time
    from the start.
    """
    project = portfolio.project(project_id)
    start = max(options.today, project.start)
    if due < start:
        raise CannotPropose(
            f"due date {due} is before project {project_id!r} can start ({start})", "due"
        )
    target = _confidence(portfolio, project_id, options, confidence)
    base = portfolio if team is None else with_team(portfolio, project, start, team)
    if team is not None:
        _check_team_skills(base, project, team)
    full = replace(options, confidence=target)
    search = replace(full, trials=min(SEARCH_TRIALS, full.trials))

    phase_ids = [phase.id for phase in project.phases]
    probes = [
        _probe(project_id, due, target, phases=tuple(phase_ids[: n + 1]), n=n)
        for n in range(len(phase_ids))
    ]
    probes += [_probe(project_id, due, target, phases=(), n=None)]
    forecast = forecast_project(replace(base, commitments=tuple(probes)), project_id, full)
    *through, whole = forecast.commitments
    assert whole.at_confidence is not None
    cut_line = tuple(forecast.cut_lines[whole.id])
    phases = tuple(
        PhasePlan(
            own.id,
            own.name,
            own.items,
            own.p50,
            own.p85,
            upto.p50,
            upto.p85,
            _odds(upto),
            own.id in cut_line,
        )
        for own, upto in zip(forecast.phases, through, strict=True)
    )
    moved = _finish(base, project_id, whole.at_confidence, full)
    answer = GateAnswer(
        project=project_id,
        project_name=project.name,
        client=portfolio.client(project.client).name,
        today=options.today,
        start=start,
        due=due,
        confidence=target,
        trials=full.trials,
        seed=full.seed,
        mode=forecast.mode,
        on_time=_odds(whole),
        p50=whole.p50,
        p85=whole.p85,
        p95=whole.p95,
        at_confidence=whole.at_confidence,
        phases=phases,
        cut_line=cut_line,
        move_date=MoveDate(whole.at_confidence, _odds(moved), _odds(moved) >= target),
        cut_scope=None,
        add_capacity=None,
        team=_team(base, project_id, start),
        critical_items=tuple(forecast.critical_items),
        critical_people=tuple(forecast.critical_people),
        evidence=forecast.evidence,
    )
    if answer.meets_target:
        return answer
    return replace(
        answer,
        cut_scope=_cut_scope(base, project, due, cut_line, search, full),
        add_capacity=_add_capacity(base, project, start, due, forecast, search, full),
    )


def with_team(
    portfolio: Portfolio, project: Project, start: date, team: Sequence[str]
) -> Portfolio:
    """``portfolio`` with the project's allocations replaced: each of ``team`` full time
    from ``start`` for the forecast horizon."""
    people = list(dict.fromkeys(team))
    if not people:
        raise CannotPropose("name at least one person for the team", "team")
    check_team(portfolio, people)
    end = start + timedelta(HORIZON_DAYS - 1)
    kept = tuple(a for a in portfolio.allocations if a.project != project.id)
    added = tuple(Allocation(person, project.id, 1.0, start, end) for person in people)
    return replace(portfolio, allocations=kept + added)


def check_team(portfolio: Portfolio, team: Iterable[str]) -> None:
    """Raise :class:`CannotPropose` (field ``team``) naming the first of ``team`` who is not
    a person of the plan: a team member is part of the question, not an id asked for."""
    for person in team:
        try:
            portfolio.person(person)
        except NotFound as error:
            raise CannotPropose(str(error), "team") from None


def free_fraction(portfolio: Portfolio, person: str, start: date, end: date) -> float:
    """1 − the person's busiest day of allocations (all projects) from ``start`` to ``end``."""
    allocations = [
        a for a in portfolio.allocations if a.person == person and a.start <= end and start <= a.end
    ]
    # The total only changes where an allocation starts, so those days (and start) suffice.
    days = {start} | {a.start for a in allocations if a.start > start}
    peak = max(
        (sum(a.fraction for a in allocations if a.start <= day <= a.end) for day in days),
        default=0.0,
    )
    return max(0.0, 1.0 - peak)


# --- the three options ---------------------------------------------------------------------


def _cut_scope(
    portfolio: Portfolio,
    project: Project,
    due: date,
    cut_line: tuple[str, ...],
    search: ForecastOptions,
    full: ForecastOptions,
) -> CutScope:
    """The longest run of remaining items, phase by phase in priority order, that meets
    ``due`` at the target: from the cut line, items of the next phase are added one by one;
    if the cut line's phases alone fall short, items are taken off its end instead."""
    groups = _groups(project)
    flat = [item for _, items in groups for item in items]
    boundary = sum(len(items) for phase, items in groups if phase in cut_line)
    tried: dict[int, float] = {}

    def odds(n: int, options: ForecastOptions) -> float:
        return _odds(_finish(_kept(portfolio, project, flat[:n]), project.id, due, options))

    def passes(n: int) -> bool:
        if n not in tried:
            tried[n] = odds(n, search)
        return tried[n] >= search.confidence

    def grow(kept: int, limit: int) -> int:
        while kept < limit and passes(kept + 1):
            kept += 1
        return kept

    if boundary == 0:
        kept = grow(0, len(groups[0][1])) if groups else 0
    elif passes(boundary):
        # Only the first phase beyond the cut line is split; later ones stay out whole.
        after = len(_phases_through(groups, boundary))
        kept = grow(boundary, boundary + (len(groups[after][1]) if after < len(groups) else 0))
    else:
        kept = boundary - 1
        while kept > 0 and not passes(kept):
            kept -= 1
    if kept == 0 and tried:
        # Nothing meets the target: the scope with the best odds found, said as such.
        kept = max(tried, key=lambda n: (tried[n], n))
    # The reported odds are the full forecast's; if the search was lucky, step back a little.
    final = _finish(_kept(portfolio, project, flat[:kept]), project.id, due, full)
    lucky = tried.get(kept, 0.0) >= full.confidence
    for _ in range(3):
        if not lucky or _odds(final) >= full.confidence or kept <= 1:
            break
        kept -= 1
        final = _finish(_kept(portfolio, project, flat[:kept]), project.id, due, full)
    kept_ids = _closure(project, flat[:kept])
    whole_phases = tuple(
        phase for phase, items in groups if phase and all(i.id in kept_ids for i in items)
    )
    partial = next(
        (
            phase
            for phase, items in groups
            if phase not in whole_phases and any(i.id in kept_ids for i in items)
        ),
        None,
    )
    return CutScope(
        kept_phases=whole_phases,
        partial_phase=partial,
        partial_items=tuple(
            i.id for phase, items in groups if phase == partial for i in items if i.id in kept_ids
        ),
        dropped_phases=tuple(
            phase for phase, items in groups if phase and not any(i.id in kept_ids for i in items)
        ),
        dropped_items=tuple(i.id for i in flat if i.id not in kept_ids),
        kept=len(kept_ids),
        on_time=_odds(final),
        p50=final.p50,
        p85=final.p85,
        reaches=_odds(final) >= full.confidence,
    )


def _add_capacity(
    portfolio: Portfolio,
    project: Project,
    start: date,
    due: date,
    forecast: ProjectForecast,
    search: ForecastOptions,
    full: ForecastOptions,
) -> AddCapacity:
    """The smallest extra allocation, in steps of ``FRACTION_STEP``, of someone with the skill
    that most often decides the date and free time until ``due``; else of a new person."""
    skill = deciding_skill(portfolio, project, forecast)
    found: list[AddCapacity] = []
    for person in portfolio.people:
        if skill is not None and not person.has_skill(skill):
            continue
        free = free_fraction(portfolio, person.id, start, due)
        steps = math.floor(free / FRACTION_STEP + 1e-9)
        if steps > 0:
            found.append(
                _smallest(portfolio, project, person, free, steps, skill, start, due, search)
            )
    newcomer = _new_person(portfolio, project, skill)
    with_new = replace(portfolio, people=(*portfolio.people, newcomer))
    if not any(option.reaches for option in found):
        steps = round(1 / FRACTION_STEP)
        found.append(
            _smallest(with_new, project, newcomer, 1.0, steps, skill, start, due, search, new=True)
        )
    best = min(
        found,
        key=lambda o: (not o.reaches, o.fraction if o.reaches else 0.0, -o.on_time),
    )
    # The reported odds are the full forecast's.
    extra = Allocation(best.person or newcomer.id, project.id, best.fraction, start, due)
    final = _finish(
        replace(with_new, allocations=(*portfolio.allocations, extra)), project.id, due, full
    )
    return replace(best, on_time=_odds(final), reaches=_odds(final) >= full.confidence)


def _smallest(
    portfolio: Portfolio,
    project: Project,
    person: Person,
    free: float,
    steps: int,
    skill: str | None,
    start: date,
    due: date,
    search: ForecastOptions,
    *,
    new: bool = False,
) -> AddCapacity:
    """The least of ``steps`` allocation steps of ``person`` that reaches the target (a
    binary search: more time never makes the work slower in expectation), else the most."""

    def option(step: int) -> AddCapacity:
        fraction = round(step * FRACTION_STEP, 6)
        extra = Allocation(person.id, project.id, fraction, start, due)
        trial = replace(portfolio, allocations=(*portfolio.allocations, extra))
        odds = _odds(_finish(trial, project.id, due, search))
        return AddCapacity(
            skill,
            None if new else person.id,
            person.name,
            fraction,
            round(fraction * len(person.calendar.weekdays), 2),
            round(free, 6),
            start,
            due,
            odds,
            odds >= search.confidence,
        )

    most = option(steps)
    if not most.reaches:
        return most
    low, high, best = 1, steps - 1, most
    while low <= high:
        middle = (low + high) // 2
        candidate = option(middle)
        if candidate.reaches:
            best, high = candidate, middle - 1
        else:
            low = middle + 1
    return best


def deciding_skill(portfolio: Portfolio, project: Project, forecast: ProjectForecast) -> str | None:
    """The skill of the items that most often decide the date (their criticality summed);
    failing that, the first skill of the person who most often decides it; else None."""
    skill_of = {item.id: item.skill for item in project.items}
    weight: dict[str, float] = defaultdict(float)
    for share in forecast.critical_items:
        skill = skill_of.get(share.id)
        if skill is not None:
            weight[skill] += share.value
    if weight:
        return max(weight, key=lambda s: weight[s])
    for share in forecast.critical_people:
        skills = portfolio.person(share.id).skills
        if skills:
            return skills[0]
    return None


def _new_person(portfolio: Portfolio, project: Project, skill: str | None) -> Person:
    """A hypothetical hire with ``skill``, on the calendar of the project's lead (no leave)."""
    taken = {p.id for p in portfolio.people}
    person_id, n = NEW_PERSON, 1
    while person_id in taken:
        n += 1
        person_id = f"{NEW_PERSON}-{n}"
    like = project.lead or next(
        (a.person for a in portfolio.allocations if a.project == project.id), None
    )
    calendar = WorkingCalendar()
    if like is not None and like in taken:
        calendar = portfolio.person(like).calendar.without_time_off()
    name = f"a new person with skill {skill}" if skill else "a new person"
    return Person(person_id, name, (skill,) if skill else (), calendar)


# --- commit --------------------------------------------------------------------------------


class NeedsApproval(Forbidden):
    """A promise riskier than the team lets anyone but an executive make."""

    def __init__(self, actor: Actor, on_time: float, threshold: float) -> None:
        super().__init__(actor, Action.APPROVE_RISK)
        self.args = (
            f"the odds are {percent(on_time)}, below the {percent(threshold)} under which an "
            "executive approves a proposal before it is promised; ask one to approve it",
        )


@dataclass(frozen=True)
class CommitResult:
    """A promise just made: the commitment with its baseline, and the baseline's health
    against the commitment's confidence target."""

    commitment: Commitment
    health: Health

    @property
    def below_target(self) -> bool:
        """Made with odds below its confidence target: the one who made it is warned."""
        return self.health is not Health.ON_TRACK


@requires(Action.COMMIT)
def commit(
    uow: UnitOfWorkFactory,
    commitment_id: str,
    *,
    actor: Actor,
    now: datetime,
    options: ForecastOptions,
    today: date | None = None,
    below_target_reason: str | None = None,
    approval_below: float | None = None,
) -> CommitResult:
    """Move a proposed commitment to committed, dated ``today`` (None: the forecast's day,
    ``options.today``) if it had no date, with the forecast it is made on as its baseline; one
    event, stored and committed. The result says whether the promise was made below its
    confidence target.

    Below its target a promise needs ``below_target_reason``, kept on its baseline; below
    ``approval_below`` (the team's setting, None: never) only a role that may approve such
    risk (an executive) may make it."""
    today = options.today if today is None else today
    with uow(write=True) as work:
        before = work.portfolio.get()
        commitment = before.commitment(commitment_id)
        moved = commitment.moved_to(CommitmentState.COMMITTED)
        forecast = forecast_project(
            before, commitment.project, replace(options, confidence=commitment.confidence)
        )
        finish = next(f for f in forecast.commitments if f.id == commitment.id)
        scope = commitment.scope_of(before.project(commitment.project))
        on_time = _odds(finish)
        risky = approval_below is not None and on_time < approval_below
        if risky and commitment.approved_by is None and not actor.may(Action.APPROVE_RISK):
            raise NeedsApproval(actor, on_time, approval_below or 0)
        baseline = Baseline(
            forecast_on=today,
            on_time=on_time,
            p50=finish.p50,
            p85=finish.p85,
            scope_items=len(scope),
            effort=round(sum(i.estimate.pert_mean for i in scope if i.estimate), 6),
            below_target_reason=acknowledgement(
                on_time, commitment.confidence, below_target_reason
            ),
        )
        committed = replace(moved, made_on=moved.made_on or today, baseline=baseline)
        after = before.with_commitment(committed)
        # The verb beside the field changes, so that the history reads "committed".
        made = Event(
            now, actor.name, "committed", "commitment", commitment_id, None, snapshot(committed)
        )
        record_change(work, before, after, actor=actor.name, now=now, today=today, extra=(made,))
        work.commit()
    return CommitResult(committed, health_of(baseline.on_time, committed.confidence))


@requires(Action.APPROVE_RISK)
def approve(
    uow: UnitOfWorkFactory, commitment_id: str, *, actor: Actor, now: datetime
) -> Commitment:
    """Approve a proposal whose odds are below the team's approval threshold, so that whoever
    may commit it can; one event."""
    with uow(write=True) as work:
        before = work.portfolio.get()
        proposal = before.commitment(commitment_id)
        if proposal.state is not CommitmentState.PROPOSED:
            raise InvalidTransition(
                f"commitment {commitment_id!r} is {proposal.state.value}; only a proposal is "
                "approved"
            )
        approved = replace(proposal, approved_by=actor.name)
        after = before.with_commitment(approved)
        record_change(work, before, after, actor=actor.name, now=now, today=now.date())
        work.commit()
    return approved


def check_commitment_id(commitment_id: str) -> None:
    """Raise :class:`InvalidValue` unless ``commitment_id`` is an id a plan file accepts."""
    if not is_valid_id(commitment_id):
        raise InvalidValue(f"{commitment_id!r} is not an id: {ID_RULE}", "record")


@requires(Action.PROPOSE)
def record_proposal(
    uow: UnitOfWorkFactory,
    answer: GateAnswer,
    commitment_id: str,
    *,
    actor: Actor,
    now: datetime,
    today: date,
    cut_line: bool = False,
) -> Commitment:
    """Store the gate's question as a proposed whole-project commitment ``commitment_id``
    (due date and confidence from ``answer``); an existing proposal of that id is updated.

    With ``cut_line``, what is proposed is the cut line: the phases that fit by the asked
    date at the target, as ``commitment_id``, and the other phases as a later, separate
    proposal ``commitment_id-rest`` due on the whole project's date at the target. One
    change; the first proposal is returned."""
    check_commitment_id(commitment_id)
    wanted: list[_Proposal] = (
        _cut_line_proposals(answer, commitment_id)
        if cut_line
        else [(commitment_id, f"{answer.project_name} by {answer.due}", answer.due, None)]
    )
    with uow(write=True) as work:
        before = work.portfolio.get()
        after = before
        for proposal_id, title, due, phases in wanted:
            after = _proposed(after, answer, proposal_id, title, due, phases, today)
        record_change(work, before, after, actor=actor.name, now=now, today=today)
        work.commit()
    return after.commitment(commitment_id)


# A proposal to store: id, title, due date, phases (None: as stored, else the whole project).
_Proposal = tuple[str, str, date, tuple[str, ...] | None]


def _cut_line_proposals(answer: GateAnswer, commitment_id: str) -> list[_Proposal]:
    """The cut line by the asked date, and the rest by the whole's date at the target."""
    if not answer.cut_line:
        raise CannotPropose(
            f"no phase fits by {answer.due} at {percent(answer.confidence)}: there is no cut "
            "line to promise",
            "record",
        )
    rest = tuple(p.id for p in answer.phases if p.id not in answer.cut_line)
    names = {p.id: p.name for p in answer.phases}
    first = (
        commitment_id,
        f"{answer.project_name}: {', '.join(names[p] for p in answer.cut_line)} by {answer.due}",
        answer.due,
        answer.cut_line,
    )
    if not rest:
        return [first]
    rest_id = f"{commitment_id}-rest"
    check_commitment_id(rest_id)
    later = (
        rest_id,
        f"{answer.project_name}: the rest by {answer.at_confidence}",
        answer.at_confidence,
        rest,
    )
    return [first, later]


def _proposed(
    portfolio: Portfolio,
    answer: GateAnswer,
    proposal_id: str,
    title: str,
    due: date,
    phases: tuple[str, ...] | None,
    today: date,
) -> Portfolio:
    """``portfolio`` with the proposal ``proposal_id`` added, or updated if it is one."""
    existing = next((c for c in portfolio.commitments if c.id == proposal_id), None)
    if existing is None:
        proposal = Commitment(
            proposal_id, answer.project, title, due, phases or (),
            confidence=answer.confidence, made_on=today,
        )  # fmt: skip
        return replace(portfolio, commitments=(*portfolio.commitments, proposal))
    if existing.project != answer.project or existing.state is not CommitmentState.PROPOSED:
        raise CannotPropose(
            f"commitment {proposal_id!r} is {existing.state.value} on project "
            f"{existing.project!r}; record the proposal under another id",
            "record",
        )
    phases = existing.phases if phases is None else phases
    # A changed proposal is a new question: an approval of the old one lapses.
    changed = (existing.due, existing.confidence, existing.phases) != (
        due,
        answer.confidence,
        phases,
    )
    return portfolio.with_commitment(
        replace(
            existing,
            due=due,
            phases=phases,
            confidence=answer.confidence,
            approved_by=None if changed else existing.approved_by,
        )
    )


# --- helpers -------------------------------------------------------------------------------


def _confidence(
    portfolio: Portfolio, project_id: str, options: ForecastOptions, asked: float | None
) -> float:
    if asked is None:
        proposed = [
            c
            for c in portfolio.commitments
            if c.project == project_id and c.state is CommitmentState.PROPOSED
        ]
        asked = proposed[0].confidence if proposed else options.confidence
    return check_confidence(asked)


def _probe(
    project_id: str, due: date, confidence: float, *, phases: tuple[str, ...], n: int | None
) -> Commitment:
    suffix = "whole" if n is None else f"through-{n}"
    return Commitment(
        f"{PROBE}-{suffix}", project_id, "gate probe", due, phases, confidence=confidence
    )


def _finish(portfolio: Portfolio, project_id: str, due: date, options: ForecastOptions) -> Finish:
    """The whole project's forecast finish and odds against ``due`` in ``portfolio``."""
    probe = _probe(project_id, due, options.confidence, phases=(), n=None)
    forecast = forecast_project(replace(portfolio, commitments=(probe,)), project_id, options)
    return forecast.commitments[0]


def _odds(finish: Finish) -> float:
    assert finish.on_time is not None  # every probe has a due date
    return finish.on_time


def _groups(project: Project) -> list[tuple[str | None, list[WorkItem]]]:
    """Remaining items by phase in phase order (priority order within), then those without."""
    remaining = project.remaining_items()
    groups: list[tuple[str | None, list[WorkItem]]] = [
        (phase.id, [i for i in remaining if i.phase == phase.id]) for phase in project.phases
    ]
    known = {phase.id for phase in project.phases}
    loose = [i for i in remaining if i.phase not in known]
    if loose:
        groups.append((None, loose))
    return [(phase, items) for phase, items in groups if items]


def _phases_through(
    groups: Sequence[tuple[str | None, Sequence[WorkItem]]], count: int
) -> list[str | None]:
    """The groups wholly inside the first ``count`` items."""
    whole: list[str | None] = []
    for phase, items in groups:
        if count < len(items):
            break
        count -= len(items)
        whole.append(phase)
    return whole


def _closure(project: Project, items: Iterable[WorkItem]) -> set[str]:
    """The ids of ``items`` and of every remaining item they depend on, however indirectly."""
    remaining = {i.id: i for i in project.remaining_items()}
    kept: set[str] = set()
    stack = [i.id for i in items]
    while stack:
        item_id = stack.pop()
        if item_id in kept or item_id not in remaining:
            continue
        kept.add(item_id)
        stack.extend(remaining[item_id].depends_on)
    return kept


def _kept(portfolio: Portfolio, project: Project, items: Sequence[WorkItem]) -> Portfolio:
    """``portfolio`` with the project's remaining scope cut to ``items`` and what they need
    (done items stay: they are history, not work)."""
    kept = _closure(project, items)
    scope = tuple(i for i in project.items if i.id in kept or i.status is ItemStatus.DONE)
    return portfolio.with_project(replace(project, items=scope))


def _check_team_skills(portfolio: Portfolio, project: Project, team: Sequence[str]) -> None:
    """The team named must cover every skill the remaining items need."""
    skills = {skill for person in team for skill in portfolio.person(person).skills}
    missing: dict[str, list[str]] = defaultdict(list)
    for item in project.remaining_items():
        if item.skill is not None and item.skill not in skills:
            missing[item.skill].append(item.id)
    if missing:
        skill, items = next(iter(missing.items()))
        raise CannotPropose(
            f"nobody in the team named ({', '.join(team)}) has skill {skill!r}, needed by "
            f"{', '.join(items)}; add someone who has it to --team",
            "team",
        )


def _team(portfolio: Portfolio, project_id: str, start: date) -> tuple[TeamMember, ...]:
    allocations = [a for a in portfolio.allocations if a.project == project_id and a.end >= start]
    members: list[TeamMember] = []
    for person_id in dict.fromkeys(a.person for a in allocations):
        person = portfolio.person(person_id)
        members.append(
            TeamMember(
                person.id,
                person.name,
                person.skills,
                tuple(a for a in allocations if a.person == person_id),
                person.calendar,
            )
        )
    return tuple(members)


CLOSING_STATES = (
    CommitmentState.MET,
    CommitmentState.MISSED,
    CommitmentState.RENEGOTIATED,
    CommitmentState.WITHDRAWN,
)


@requires(Action.CLOSE_COMMITMENT)
def close_commitment(
    uow: UnitOfWorkFactory,
    commitment_id: str,
    state: CommitmentState,
    *,
    actor: Actor,
    now: datetime,
) -> Commitment:
    """End a commitment: met, missed, renegotiated (or a proposal withdrawn). A closed
    promise is no longer watched, so it raises no more signals."""
    if state not in CLOSING_STATES:
        allowed = ", ".join(s.value for s in CLOSING_STATES)
        raise InvalidTransition(f"a commitment is closed as one of {allowed}, not {state.value}")
    with uow(write=True) as work:
        before = work.portfolio.get()
        closed = before.commitment(commitment_id).moved_to(state)
        after = before.with_commitment(closed)
        verb = Event(
            now, actor.name, state.value, "commitment", commitment_id, None, snapshot(closed)
        )
        record_change(
            work, before, after, actor=actor.name, now=now, today=now.date(), extra=(verb,)
        )
        work.commit()
    return closed
