"""The commit gate (W1): odds, cut line and the three options, and the commit itself."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup

from keepword.domain.access import Forbidden, Role
from keepword.domain.commitment import Commitment, CommitmentState, Health, UnacknowledgedRisk
from keepword.domain.errors import InvalidTransition, NotFound
from keepword.domain.forecast import ForecastOptions
from keepword.domain.people import Allocation, Person
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import Estimate, Phase
from keepword.reports import proposal
from keepword.services import gate
from keepword.services.forecasting import forecast_project
from tests import factories as f
from tests.fakes import FakeUnitOfWorkFactory

DEMO_TODAY = date(2026, 11, 23)
SIX_WEEKS = date(2027, 1, 11)  # six weeks from the voice bot's start on 2026-11-30
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
START = date(2026, 11, 2)  # the factories' project start, a Monday


@pytest.fixture(scope="module")
def voice_bot(demo_portfolio: Portfolio) -> gate.GateAnswer:
    return gate.propose(demo_portfolio, "voice-bot", SIX_WEEKS, ForecastOptions(DEMO_TODAY))


def _backend_portfolio(*people: Person, allocations: tuple[Allocation, ...] = ()) -> Portfolio:
    """Six independent back-end items (2–3–4 days each) for Ana, full time from START."""
    items = tuple(f.item(f"i{n}", estimate=Estimate(2, 3, 4)) for n in range(6))
    project = f.project("p", phases=(Phase("build", "Build"),), items=items)
    project = replace(project, items=tuple(replace(i, phase="build") for i in items))
    return f.portfolio(
        people=(Person("ana", "Ana Reyes", ("backend",)), *people),
        projects=(project, f.project("q")),
        allocations=(Allocation("ana", "p", 1.0, START, date(2027, 3, 31)), *allocations),
        commitments=(),
    )


def _options(trials: int = 2000) -> ForecastOptions:
    return ForecastOptions(START, trials=trials)


# --- the voice bot (W1) ----------------------------------------------------------------------


def test_voice_bot_in_six_weeks_is_nearly_impossible_and_nine_weeks_is_the_85_date(
    voice_bot: gate.GateAnswer,
) -> None:
    assert voice_bot.on_time < 0.02
    assert voice_bot.confidence == 0.85
    assert date(2027, 1, 27) <= voice_bot.at_confidence <= date(2027, 2, 1)


def test_voice_bot_three_of_four_phases_fit_six_weeks_at_85(
    voice_bot: gate.GateAnswer,
) -> None:
    assert voice_bot.cut_line == ("call-flows", "understanding", "self-service")
    third, fourth = voice_bot.phases[2], voice_bot.phases[3]
    assert third.fits
    assert third.through_p85 <= SIX_WEEKS
    assert third.on_time >= 0.85
    assert not fourth.fits
    assert fourth.through_p85 > SIX_WEEKS


def test_each_voice_bot_option_reaches_the_target_or_says_it_does_not(
    voice_bot: gate.GateAnswer,
) -> None:
    move, cut, add = voice_bot.move_date, voice_bot.cut_scope, voice_bot.add_capacity
    assert cut is not None
    assert add is not None
    assert move.date == voice_bot.at_confidence
    assert move.reaches
    assert move.on_time >= 0.85
    for option in (move, cut, add):
        assert option.reaches == (option.on_time >= voice_bot.confidence)


def test_cutting_voice_bot_scope_to_the_cut_line_raises_its_odds(
    voice_bot: gate.GateAnswer,
) -> None:
    cut = voice_bot.cut_scope
    assert cut is not None
    assert cut.reaches
    assert cut.on_time > voice_bot.on_time
    assert cut.kept_phases[:3] == voice_bot.cut_line
    assert "go-live" in cut.dropped_items
    assert cut.p85 <= SIX_WEEKS


def test_voice_bot_capacity_goes_to_the_skill_that_decides_the_date(
    demo_portfolio: Portfolio, voice_bot: gate.GateAnswer
) -> None:
    add = voice_bot.add_capacity
    assert add is not None
    forecast = forecast_project(demo_portfolio, "voice-bot", ForecastOptions(DEMO_TODAY))
    assert add.skill == gate.deciding_skill(
        demo_portfolio, demo_portfolio.project("voice-bot"), forecast
    )
    # Nobody with that skill has enough free time, so the gate tries a new person, honestly.
    assert add.end == SIX_WEEKS
    assert add.days_per_week == pytest.approx(add.fraction * 5)


# --- the options on small portfolios -----------------------------------------------------


def test_adding_capacity_names_the_person_with_free_time_and_the_smallest_share() -> None:
    portfolio = _backend_portfolio(
        Person("cy", "Cy Park", ("backend",)), Person("bo", "Bo Lind", ("design",))
    )
    due = date(2026, 11, 20)
    answer = gate.propose(portfolio, "p", due, _options())
    assert answer.on_time < 0.85
    add = answer.add_capacity
    assert add is not None
    assert (add.person, add.skill) == ("cy", "backend")
    assert add.reaches
    assert add.on_time >= 0.85
    assert add.free == 1.0
    # One step less would not reach the target: it is the smallest that does.
    less = round(add.fraction - gate.FRACTION_STEP, 6)
    assert less > 0
    helped = (*portfolio.allocations, Allocation("cy", "p", less, START, due))
    fewer = gate.propose(replace(portfolio, allocations=helped), "p", due, _options())
    assert fewer.on_time < 0.85


def test_adding_capacity_without_anyone_free_proposes_a_new_person() -> None:
    busy = Allocation("cy", "q", 1.0, START, date(2027, 3, 31))
    portfolio = _backend_portfolio(Person("cy", "Cy Park", ("backend",)), allocations=(busy,))
    answer = gate.propose(portfolio, "p", date(2026, 11, 20), _options())
    add = answer.add_capacity
    assert add is not None
    assert add.person is None
    assert add.skill == "backend"
    assert add.reaches
    line = proposal.option_lines(answer, portfolio)[-1]
    assert "a new person with skill Back end" in line.text


def test_cutting_scope_drops_the_lowest_priority_items_of_the_phase_that_does_not_fit() -> None:
    portfolio = _backend_portfolio()
    answer = gate.propose(portfolio, "p", date(2026, 11, 13), _options())
    cut = answer.cut_scope
    assert cut is not None
    assert cut.reaches
    assert cut.on_time > answer.on_time
    assert cut.partial_phase == "build"
    kept = list(cut.partial_items)
    assert kept == [f"i{n}" for n in range(len(kept))]  # the first by priority stay
    assert cut.dropped_items == tuple(f"i{n}" for n in range(len(kept), 6))


def test_an_option_that_cannot_reach_the_target_says_so_with_its_best_odds() -> None:
    # One item that takes at least 5 days cannot be done in 3, however it is cut or staffed.
    project = f.project("p", items=(f.item("big", phase="build", estimate=Estimate(5, 6, 8)),))
    portfolio = f.portfolio(
        projects=(project, f.project("q")),
        allocations=(Allocation("ana", "p", 1.0, START, date(2027, 3, 31)),),
        commitments=(),
    )
    answer = gate.propose(portfolio, "p", date(2026, 11, 4), _options())
    assert answer.cut_scope is not None
    assert answer.add_capacity is not None
    assert not answer.cut_scope.reaches
    assert not answer.add_capacity.reaches
    assert answer.add_capacity.on_time < 0.85
    assert answer.move_date.reaches
    texts = [line.text for line in proposal.option_lines(answer, portfolio)]
    assert "no cut found reaches 85%" in texts[1]
    assert "not enough to reach 85%" in texts[2]


def test_a_date_that_already_holds_needs_no_cut_and_no_capacity() -> None:
    answer = gate.propose(_backend_portfolio(), "p", date(2027, 1, 29), _options())
    assert answer.meets_target
    assert answer.cut_scope is None
    assert answer.add_capacity is None
    assert answer.move_date.date <= date(2027, 1, 29)


def test_a_named_team_is_forecast_full_time_before_any_allocation_exists() -> None:
    portfolio = replace(_backend_portfolio(Person("cy", "Cy Park", ("backend",))), allocations=())
    answer = gate.propose(portfolio, "p", date(2026, 12, 4), _options(), team=["ana", "cy"])
    assert [m.person for m in answer.team] == ["ana", "cy"]
    assert all(a.fraction == 1.0 for m in answer.team for a in m.allocations)
    assert answer.on_time > 0.5


def test_a_named_team_without_a_skill_the_scope_needs_is_told_so(
    demo_portfolio: Portfolio,
) -> None:
    with pytest.raises(
        gate.CannotPropose, match=r"nobody in the team named \(amara\) has skill 'qa'"
    ):
        gate.propose(demo_portfolio, "voice-bot", date(2027, 1, 11), _options(), team=["amara"])


def test_the_confidence_target_defaults_to_the_proposed_commitment(
    demo_portfolio: Portfolio,
) -> None:
    portfolio = _backend_portfolio()
    proposed = Commitment("c", "p", "Launch", date(2026, 12, 18), confidence=0.7)
    answer = gate.propose(
        replace(portfolio, commitments=(proposed,)), "p", date(2026, 12, 18), _options()
    )
    assert answer.confidence == 0.7
    asked = gate.propose(portfolio, "p", date(2026, 12, 18), _options(), confidence=0.95)
    assert asked.confidence == 0.95


@pytest.mark.parametrize(
    ("project", "due", "team", "error", "message"),
    [
        ("nope", date(2026, 12, 1), None, NotFound, "no project with id 'nope'"),
        ("p", date(2026, 10, 1), None, gate.CannotPropose, "before project 'p' can start"),
        ("p", date(2026, 12, 1), ["ana", "ghost"], gate.CannotPropose, "no person with id 'ghost'"),
        ("p", date(2026, 12, 1), [], gate.CannotPropose, "at least one person"),
    ],
)
def test_bad_questions_are_refused_with_a_clear_error(
    project: str, due: date, team: list[str] | None, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        gate.propose(_backend_portfolio(), project, due, _options(), team=team)


def test_free_fraction_is_one_minus_the_busiest_day() -> None:
    portfolio = f.portfolio(
        allocations=(
            Allocation("ana", "p", 0.5, date(2026, 11, 2), date(2026, 11, 30)),
            Allocation("ana", "q", 0.3, date(2026, 11, 16), date(2026, 12, 31)),
        )
    )
    assert gate.free_fraction(portfolio, "ana", date(2026, 11, 2), date(2026, 11, 13)) == 0.5
    assert gate.free_fraction(portfolio, "ana", date(2026, 11, 2), date(2026, 12, 31)) == (
        pytest.approx(0.2)
    )
    assert gate.free_fraction(portfolio, "bo", date(2026, 11, 2), date(2026, 12, 31)) == 1.0


# --- commit ----------------------------------------------------------------------------------


def _store(portfolio: Portfolio) -> FakeUnitOfWorkFactory:
    uow = FakeUnitOfWorkFactory()
    uow.store.portfolio = portfolio
    return uow


def test_commit_moves_the_proposal_to_committed_with_its_baseline(
    demo_portfolio: Portfolio,
) -> None:
    uow = _store(demo_portfolio)
    options = ForecastOptions(DEMO_TODAY, trials=2000)
    committed = gate.commit(
        uow, "voice-bot-launch", actor=f.staff("amara"), now=NOW, today=DEMO_TODAY,
        options=options, below_target_reason="the client's board meets in January",
    ).commitment  # fmt: skip
    stored = next(c for c in uow.store.portfolio.commitments if c.id == "voice-bot-launch")
    assert stored == committed
    assert stored.state is CommitmentState.COMMITTED
    assert stored.made_on == date(2026, 11, 16)  # already dated: kept
    baseline = stored.baseline
    assert baseline is not None
    project = demo_portfolio.project("voice-bot")
    forecast = forecast_project(demo_portfolio, "voice-bot", options)
    finish = next(x for x in forecast.commitments if x.id == "voice-bot-launch")
    assert (baseline.forecast_on, baseline.on_time, baseline.p50, baseline.p85) == (
        DEMO_TODAY,
        finish.on_time,
        finish.p50,
        finish.p85,
    )
    assert baseline.scope_items == len(project.items)
    assert baseline.effort == pytest.approx(
        sum(i.estimate.pert_mean for i in project.items if i.estimate)
    )
    assert uow.store.commits == 1
    assert any(
        e.entity == "commitment" and e.entity_id == "voice-bot-launch" and e.actor == "amara"
        for e in uow.store.events
    )
    [made] = [e for e in uow.store.events if e.action == "committed"]
    assert made.entity_id == "voice-bot-launch"
    assert made.after["baseline"]["scope_items"] == baseline.scope_items


def test_commit_dates_an_undated_proposal_today() -> None:
    proposed = Commitment("c", "p", "Launch", date(2026, 12, 18))
    uow = _store(replace(_backend_portfolio(), commitments=(proposed,)))
    # Without a day of its own, a promise is made on the day it is forecast from.
    committed = gate.commit(uow, "c", actor=f.staff("ana"), now=NOW, options=_options()).commitment
    assert committed.made_on == START
    assert committed.state is CommitmentState.COMMITTED


def test_a_promise_below_its_target_needs_a_reason_kept_with_it(
    demo_portfolio: Portfolio,
) -> None:
    uow = _store(demo_portfolio)
    # The voice bot's launch, due long before its 85% date, is promised anyway.
    options = ForecastOptions(DEMO_TODAY, trials=2000)
    for blank in (None, "", "   "):
        with pytest.raises(UnacknowledgedRisk, match="under 1% against a target of 85%"):
            gate.commit(
                uow, "voice-bot-launch", actor=f.staff("tom"), now=NOW, today=DEMO_TODAY,
                options=options, below_target_reason=blank,
            )  # fmt: skip
    assert uow.store.commits == 0
    made = gate.commit(
        uow, "voice-bot-launch", actor=f.staff("tom"), now=NOW, today=DEMO_TODAY,
        options=options, below_target_reason="  launch is fixed by the regulator  ",
    )  # fmt: skip
    assert made.below_target
    assert made.health in (Health.AT_RISK, Health.OFF_TRACK)
    baseline = made.commitment.baseline
    assert baseline is not None
    assert baseline.on_time < made.commitment.confidence
    assert baseline.below_target_reason == "launch is fixed by the regulator"


def test_a_risky_promise_past_the_approval_threshold_needs_an_executives_approval(
    demo_portfolio: Portfolio,
) -> None:
    uow = _store(demo_portfolio)
    options = ForecastOptions(DEMO_TODAY, trials=2000)
    sales = f.staff("sam", Role.SALES)

    def commit() -> gate.CommitResult:
        return gate.commit(
            uow, "voice-bot-launch", actor=sales, now=NOW, today=DEMO_TODAY, options=options,
            below_target_reason="the launch event is booked", approval_below=0.5,
        )  # fmt: skip

    with pytest.raises(Forbidden, match="below the 50% under which an executive approves"):
        commit()
    with pytest.raises(Forbidden, match="a sales lead may not"):
        gate.approve(uow, "voice-bot-launch", actor=sales, now=NOW)
    assert uow.store.commits == 0
    approved = gate.approve(uow, "voice-bot-launch", actor=f.staff("eve", Role.EXECUTIVE), now=NOW)
    assert approved.approved_by == "eve"
    made = commit()
    assert made.commitment.state is CommitmentState.COMMITTED
    assert made.commitment.approved_by == "eve"


def test_a_promise_made_at_its_target_gives_no_warning() -> None:
    easy = Commitment("c", "p", "Launch", date(2027, 3, 31), confidence=0.85)
    uow = _store(replace(_backend_portfolio(), commitments=(easy,)))
    made = gate.commit(uow, "c", actor=f.staff("ana"), now=NOW, today=START, options=_options())
    assert not made.below_target
    assert made.health is Health.ON_TRACK


def test_commit_refuses_what_is_not_a_proposal_and_stores_nothing(
    demo_portfolio: Portfolio,
) -> None:
    uow = _store(demo_portfolio)
    for commitment, error, message in [
        ("pitchwell-v1", InvalidTransition, "cannot go from committed to committed"),
        ("nope", NotFound, "no commitment with id 'nope'"),
    ]:
        with pytest.raises(error, match=message):
            gate.commit(
                uow, commitment, actor=f.staff("a"), now=NOW, today=DEMO_TODAY, options=_options()
            )
    assert uow.store.commits == 0
    assert uow.store.portfolio == demo_portfolio


def test_record_proposal_stores_the_asked_date_as_a_proposed_commitment() -> None:
    portfolio = _backend_portfolio()
    uow = _store(portfolio)
    answer = gate.propose(portfolio, "p", date(2026, 11, 27), _options(), confidence=0.8)
    made = gate.record_proposal(uow, answer, "p-launch", actor=f.staff("ana"), now=NOW, today=START)
    assert made in uow.store.portfolio.commitments
    assert (made.state, made.due, made.confidence, made.made_on) == (
        CommitmentState.PROPOSED,
        date(2026, 11, 27),
        0.8,
        START,
    )
    later = replace(answer, due=date(2026, 12, 4))
    again = gate.record_proposal(uow, later, "p-launch", actor=f.staff("ana"), now=NOW, today=START)
    assert again.due == date(2026, 12, 4)
    assert [c.id for c in uow.store.portfolio.commitments] == ["p-launch"]


def test_the_cut_line_is_proposed_by_the_date_and_the_rest_later_in_one_change(
    demo_portfolio: Portfolio,
) -> None:
    uow = _store(demo_portfolio)
    options = ForecastOptions(DEMO_TODAY, trials=2000)
    answer = gate.propose(demo_portfolio, "voice-bot", date(2027, 1, 11), options)
    assert answer.cut_line == ("call-flows", "understanding", "self-service")
    made = gate.record_proposal(
        uow, answer, "vb-jan", actor=f.staff("sam"), now=NOW, today=DEMO_TODAY, cut_line=True
    )
    assert (made.phases, made.due) == (answer.cut_line, date(2027, 1, 11))
    rest = uow.store.portfolio.commitment("vb-jan-rest")
    assert (rest.phases, rest.due, rest.state) == (
        ("handoff-golive",),
        answer.at_confidence,
        CommitmentState.PROPOSED,
    )
    assert uow.store.commits == 1
    # What fits by the date is promised at the target: no reason is needed to commit it.
    committed = gate.commit(
        uow, "vb-jan", actor=f.staff("sam"), now=NOW, today=DEMO_TODAY, options=options
    )
    assert not committed.below_target


def test_no_cut_line_to_propose_is_said_and_stores_nothing(demo_portfolio: Portfolio) -> None:
    uow = _store(demo_portfolio)
    answer = gate.propose(demo_portfolio, "voice-bot", date(2026, 12, 2), _options())
    assert answer.cut_line == ()
    with pytest.raises(gate.CannotPropose, match="no phase fits by 2026-12-02"):
        gate.record_proposal(
            uow, answer, "vb-now", actor=f.staff("sam"), now=NOW, today=DEMO_TODAY, cut_line=True
        )
    assert uow.store.commits == 0


# --- the form ------------------------------------------------------------------------------


def test_a_form_at_fault_comes_back_with_every_part_named_and_nothing_written(
    demo_portfolio: Portfolio,
) -> None:
    uow = _store(demo_portfolio)
    fields = gate.QuestionFields("nope", date(2026, 11, 1), 1.5, ("ghost",), "bad id!")
    answered = gate.answer_form(
        uow, fields, ForecastOptions(DEMO_TODAY), actor=f.staff("tom"), now=NOW
    )
    assert answered.asked is None
    assert set(answered.errors) == {"project", "due", "confidence", "team", "record"}
    assert "2026-11-01 is in the past" in answered.errors["due"]
    assert answered.portfolio == demo_portfolio  # the form's choices, as stored
    assert uow.store.commits == 0


def test_a_form_the_gate_can_answer_is_answered_and_recorded() -> None:
    portfolio = _backend_portfolio()
    uow = _store(portfolio)
    fields = gate.QuestionFields("p", date(2026, 11, 27), 0.8, (), "p-launch")
    answered = gate.answer_form(uow, fields, _options(), actor=f.staff("ana"), now=NOW)
    assert answered.errors == {}
    assert answered.asked is not None
    assert answered.asked.answer.due == date(2026, 11, 27)
    assert answered.asked.recorded is not None
    assert answered.asked.recorded.state is CommitmentState.PROPOSED


def test_a_form_about_a_project_nobody_works_on_is_told_beside_record() -> None:
    uow = _store(_backend_portfolio())
    fields = gate.QuestionFields("q", date(2026, 12, 18))
    answered = gate.answer_form(uow, fields, _options(), actor=f.staff("ana"), now=NOW)
    assert answered.asked is None
    assert "nobody is allocated to project 'q'" in answered.errors["record"]


# --- the proposal ---------------------------------------------------------------------------


def test_the_proposal_escapes_text_and_shows_ranges_with_confidence(
    demo_portfolio: Portfolio, voice_bot: gate.GateAnswer
) -> None:
    risky = replace(voice_bot, project_name="Bot <script>alert(1)</script> & co")
    html = proposal.render_html(risky, demo_portfolio)
    page = BeautifulSoup(html, "html.parser")
    assert page.find("script") is None
    assert page.title is not None
    assert "<script>" in page.title.get_text()
    rows = page.select("#plan tbody tr")
    assert len(rows) == 4
    assert all("(P50–P85)" in row.get_text() for row in rows)
    markdown = proposal.render_markdown(voice_bot, demo_portfolio)
    assert "under 1%" in markdown
    assert "(P50–P85)" in markdown
