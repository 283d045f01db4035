"""Reading the records the watch keeps (signals with their clocks, messages to clients),
as they are stored: nothing is reviewed, forecast or written.

The risk review (:func:`keepword.services.risks.review`) raises and escalates signals before
listing them; these are for a reader who only wants to look.
"""

from __future__ import annotations

from datetime import datetime

from keepword.domain.communications import Communication
from keepword.domain.errors import NotFound
from keepword.domain.signals import Signal
from keepword.services.ports import UnitOfWorkFactory
from keepword.services.risks import SignalView, signal_views


def stored_signals(
    uow: UnitOfWorkFactory, now: datetime, *, include_disclosed: bool = False
) -> list[SignalView]:
    """The stored signals with their clocks at ``now``, in the order of
    :func:`~keepword.services.risks.signal_views`; the disclosed ones only if asked."""
    with uow() as work:
        portfolio, signals = work.portfolio.get(), work.signals.all()
    return signal_views(portfolio, signals, now, include_disclosed=include_disclosed)


def find_signal(uow: UnitOfWorkFactory, signal_id: str) -> Signal:
    """The stored signal ``signal_id``, disclosed or not."""
    with uow() as work:
        found = work.signals.get(signal_id)
    if found is None:
        raise NotFound(f"no signal with id {signal_id!r}")
    return found


def signal_view(uow: UnitOfWorkFactory, signal_id: str, now: datetime) -> SignalView:
    """The stored signal ``signal_id`` with its clock at ``now``, disclosed or not."""
    with uow() as work:
        found = work.signals.get(signal_id)
        portfolio = work.portfolio.get()
    if found is None:
        raise NotFound(f"no signal with id {signal_id!r}")
    (view,) = signal_views(portfolio, [found], now, include_disclosed=True)
    return view


def messages(
    uow: UnitOfWorkFactory, project: str | None = None, sent: bool | None = None
) -> list[Communication]:
    """Messages to clients, newest first: of one project or all, sent, unsent or both; an
    unknown project is an error."""
    with uow() as work:
        if project is not None:
            work.portfolio.get().project(project)  # raises NotFound
        found = [
            m
            for m in work.communications.all()
            if (project is None or m.project == project) and (sent is None or m.sent is sent)
        ]
    return sorted(found, key=lambda m: m.created_at, reverse=True)
