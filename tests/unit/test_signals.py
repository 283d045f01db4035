"""Stored signals as a reader sees them: of one commitment, and with the messages answering
each; on the demo's promises, with fakes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from keepword.domain.communications import Communication, CommunicationKind
from keepword.domain.errors import NotFound
from keepword.domain.portfolio import Portfolio
from keepword.domain.signals import Severity, Signal, SignalKind
from keepword.services import signals
from tests.fakes import FakeUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ON_PITCHWELL = ("pitchwell-v1", "pitchwell-app")
ON_KEYNOTE = ("freighttech-keynote", "freighttech-demo")


def _signal(signal_id: str, hour: int, where: tuple[str, str]) -> Signal:
    commitment, project = where
    return Signal(
        id=signal_id,
        kind=SignalKind.BELOW_TARGET,
        detected_at=datetime(2026, 11, 23, hour, 0, tzinfo=UTC),
        severity=Severity.HIGH,
        summary="The odds fell below the target.",
        evidence={"on_time": 0.7},
        commitment=commitment,
        project=project,
    )


def _message(message_id: str, hour: int, answers: tuple[str, ...]) -> Communication:
    return Communication(
        id=message_id,
        project="pitchwell-app",
        kind=CommunicationKind.DELAY,
        subject="Pitchwell v1",
        body="Hi Marcus,",
        created_at=datetime(2026, 11, 23, hour, 0, tzinfo=UTC),
        answers=answers,
    )


@pytest.fixture
def uow(demo_portfolio: Portfolio) -> FakeUnitOfWorkFactory:
    factory = FakeUnitOfWorkFactory()
    factory.store.portfolio = demo_portfolio
    factory.store.signals = {
        "S-1": _signal("S-1", 8, ON_PITCHWELL),
        "S-2": _signal("S-2", 9, ON_KEYNOTE),
        "S-3": _signal("S-3", 10, ON_PITCHWELL).disclosed_by("M-2", NOW),
    }
    factory.store.communications = {
        "M-1": _message("M-1", 9, ("S-1",)),
        "M-2": _message("M-2", 11, ("S-1", "S-3")),
        "M-3": _message("M-3", 10, ("S-2",)),
    }
    return factory


def test_the_signals_of_one_commitment_leave_the_others_out(uow: FakeUnitOfWorkFactory) -> None:
    open_ones = signals.stored_signals(uow, NOW, commitment="pitchwell-v1")
    assert [v.signal.id for v in open_ones] == ["S-1"]
    told_too = signals.stored_signals(uow, NOW, commitment="pitchwell-v1", include_disclosed=True)
    assert [v.signal.id for v in told_too] == ["S-1", "S-3"]
    assert [v.signal.id for v in signals.stored_signals(uow, NOW)] == ["S-1", "S-2"]
    assert signals.stored_signals(uow, NOW, commitment="nothing-promised") == []


def test_a_signal_is_read_with_the_messages_answering_it_newest_first(
    uow: FakeUnitOfWorkFactory,
) -> None:
    answered = signals.answered_signal(uow, "S-1", NOW)
    assert answered.view == signals.signal_view(uow, "S-1", NOW)
    assert [m.id for m in answered.messages] == ["M-2", "M-1"]
    told = signals.answered_signal(uow, "S-3", NOW)
    assert (told.view.signal.disclosed, [m.id for m in told.messages]) == (True, ["M-2"])
    with pytest.raises(NotFound, match="no signal with id 'S-9'"):
        signals.answered_signal(uow, "S-9", NOW)
