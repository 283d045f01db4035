"""Signals, communications, incidents and the forecast cache, stored for real on SQLite and
PostgreSQL, and the watch service over a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine

from keepword.adapters.database.unit_of_work import SqlUnitOfWork
from keepword.domain.communications import (
    Communication,
    CommunicationKind,
    Incident,
    RecoveryStep,
    StepStatus,
)
from keepword.domain.portfolio import Portfolio
from keepword.domain.signals import Severity, Signal, SignalKind
from keepword.services import scenarios
from keepword.services.portfolio import load_portfolio
from keepword.services.ports import CachedOdds
from tests.factories import staff

AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def test_records_come_back_as_stored(engine: Engine) -> None:
    signal = Signal(
        "S-1",
        SignalKind.CAPACITY_REMOVED,
        "pitchwell-v1",
        "pitchwell-app",
        AT,
        Severity.HIGH,
        "27 person-days taken off",
        {"removed": 27.2, "people": "ravi, hannah"},
        owner="beth",
        key="hannah,ravi:27.2",
    )
    message = Communication(
        "M-1",
        "pitchwell-app",
        CommunicationKind.DELAY,
        "Pitchwell v1: new dates",
        "Dear Marcus,\n\n…",
        AT,
        commitment="pitchwell-v1",
        answers=("S-1",),
    )
    incident = Incident(
        "I-1",
        "freighttech-demo",
        "Keynote demo failed on stage",
        AT,
        "The live demo stopped in front of 2,000 people.",
        ("We built on a preview API without a fallback.",),
        (RecoveryStep("Call Ingrid", AT, StepStatus.DONE, AT),),
    )
    odds = CachedOdds(
        "pitchwell-v1",
        "pitchwell-app",
        "k" * 64,
        0.19,
        date(2027, 4, 1),
        date(2027, 4, 19),
        date(2027, 4, 19),
        "off_track",
        None,
        AT,
    )
    with SqlUnitOfWork(engine, write=True) as work:
        work.signals.save(signal)
        work.communications.save(message)
        work.incidents.save(incident)
        work.forecasts.replace_project("pitchwell-app", [odds])
        work.commit()
    told = signal.disclosed_by("M-1", AT)
    with SqlUnitOfWork(engine, write=True) as work:
        assert work.signals.next_id() == "S-2"
        work.signals.save(told)
        work.communications.save(message.marked_sent(AT))
        work.commit()
    with SqlUnitOfWork(engine) as work:
        assert work.signals.all() == [told]
        assert work.communications.get("M-1") == message.marked_sent(AT)
        assert work.incidents.all() == [incident]
        assert work.forecasts.all() == {"pitchwell-v1": odds}
        assert work.signals.get("S-9") is None


def test_applying_a_scenario_on_a_real_database_raises_its_signals(
    engine: Engine, demo_portfolio: Portfolio
) -> None:
    def uow(*, write: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, write=write)

    today = date(2026, 11, 23)
    load_portfolio(uow, demo_portfolio, actor=staff("demo"), now=AT, today=today)
    scenarios.apply_scenario(
        uow, "core-platform-security-fix", actor=staff("owen"), now=AT, today=today
    )
    with SqlUnitOfWork(engine) as work:
        kinds = {(s.commitment, s.kind) for s in work.signals.all()}
        stored = work.portfolio.get()
        cache = work.forecasts.all()
    assert ("pitchwell-v1", SignalKind.CAPACITY_REMOVED) in kinds
    assert ("pitchwell-v1", SignalKind.BELOW_TARGET) in kinds
    assert ("freighttech-keynote", SignalKind.WARNING_SIGNS) in kinds
    assert stored.scenarios == ()
    assert cache["pitchwell-v1"].health == "off_track"
    # The baseline and fixed date went in and came back.
    keynote = next(c for c in stored.commitments if c.id == "freighttech-keynote")
    assert keynote.fixed_date
    assert keynote.baseline is not None
    assert keynote.baseline.scope_items == 13
