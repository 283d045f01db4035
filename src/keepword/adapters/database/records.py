"""Signals, communications, incidents and the forecast cache, each in its own table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Table, delete, insert, select, update

from keepword.adapters.database import tables as t
from keepword.adapters.database.repository import utc, utc_or_none
from keepword.domain.communications import (
    Communication,
    CommunicationKind,
    Incident,
    RecoveryStep,
    StepStatus,
)
from keepword.domain.signals import Severity, Signal, SignalKind
from keepword.services.ports import CachedOdds


class _Records:
    """Rows of one table keyed by ``id``: list, get, save (insert or update), next id."""

    table: Table
    prefix: str

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def _row(self, record_id: str) -> Row[Any] | None:
        return self._db.execute(select(self.table).where(self.table.c.id == record_id)).first()

    def _rows(self, *where: Any) -> Sequence[Row[Any]]:
        query = select(self.table).where(*where)
        return self._db.execute(query).all()

    def _save(self, values: dict[str, Any]) -> None:
        if self._row(values["id"]) is None:
            self._db.execute(insert(self.table), [values])
        else:
            self._db.execute(
                update(self.table).where(self.table.c.id == values["id"]).values(**values)
            )

    def next_id(self) -> str:
        """``S-1``, ``S-2``, …: one more than the highest number used so far."""
        numbers = [
            int(r.id.removeprefix(self.prefix))
            for r in self._db.execute(select(self.table.c.id))
            if r.id.removeprefix(self.prefix).isdigit()
        ]
        return f"{self.prefix}{max(numbers, default=0) + 1}"


class SignalRepository(_Records):
    table = t.signals
    prefix = "S-"

    def all(self) -> list[Signal]:
        return sorted((_signal(r) for r in self._rows()), key=_numbered)

    def get(self, signal_id: str) -> Signal | None:
        row = self._row(signal_id)
        return None if row is None else _signal(row)

    def save(self, signal: Signal) -> None:
        self._save(
            {
                "id": signal.id,
                "kind": signal.kind.value,
                "commitment_id": signal.commitment,
                "project_id": signal.project,
                "detected_at": signal.detected_at,
                "severity": signal.severity.value,
                "summary": signal.summary,
                "evidence": dict(signal.evidence),
                "owner": signal.owner,
                "disclosed_at": signal.disclosed_at,
                "communication_id": signal.communication,
                "escalated_at": signal.escalated_at,
                "key": signal.key,
                "updated_at": signal.updated_at,
            }
        )


class CommunicationRepository(_Records):
    table = t.communications
    prefix = "M-"

    def all(self) -> list[Communication]:
        return sorted((_communication(r) for r in self._rows()), key=_numbered)

    def get(self, communication_id: str) -> Communication | None:
        row = self._row(communication_id)
        return None if row is None else _communication(row)

    def save(self, message: Communication) -> None:
        self._save(
            {
                "id": message.id,
                "project_id": message.project,
                "commitment_id": message.commitment,
                "kind": message.kind.value,
                "subject": message.subject,
                "body": message.body,
                "created_at": message.created_at,
                "recipient": message.recipient,
                "author": message.author,
                "answers": list(message.answers),
                "incident_id": message.incident,
                "sent_at": message.sent_at,
                "client_id": message.client,
            }
        )


class IncidentRepository(_Records):
    table = t.incidents
    prefix = "I-"

    def all(self) -> list[Incident]:
        return sorted((_incident(r) for r in self._rows()), key=_numbered)

    def get(self, incident_id: str) -> Incident | None:
        row = self._row(incident_id)
        return None if row is None else _incident(row)

    def save(self, incident: Incident) -> None:
        self._save(
            {
                "id": incident.id,
                "project_id": incident.project,
                "commitment_id": incident.commitment,
                "title": incident.title,
                "occurred_at": incident.occurred_at,
                "recorded_at": incident.recorded_at,
                "impact": incident.impact,
                "client_id": incident.client,
                "own_factors": list(incident.own_factors),
                "steps": [
                    {
                        "action": s.action,
                        "due": s.due.isoformat(),
                        "status": s.status.value,
                        "done_at": s.done_at.isoformat() if s.done_at else None,
                    }
                    for s in incident.steps
                ],
            }
        )


class ForecastCacheRepository:
    """The per-commitment forecast cache, replaced a project at a time."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def all(self) -> dict[str, CachedOdds]:
        rows = self._db.execute(select(t.commitment_forecasts)).all()
        return {r.commitment_id: _cached(r) for r in rows}

    def replace_project(self, project: str, odds: Sequence[CachedOdds]) -> None:
        """Store ``odds`` as the whole cache of ``project``."""
        table = t.commitment_forecasts
        self._db.execute(delete(table).where(table.c.project_id == project))
        self._insert(odds)

    def drop_commitments(self, commitments: Sequence[str]) -> None:
        table = t.commitment_forecasts
        if commitments:
            self._db.execute(delete(table).where(table.c.commitment_id.in_(list(commitments))))

    def _insert(self, odds: Sequence[CachedOdds]) -> None:
        if not odds:
            return
        self._db.execute(
            insert(t.commitment_forecasts),
            [
                {
                    "commitment_id": o.commitment,
                    "project_id": o.project,
                    "inputs_key": o.inputs_key,
                    "on_time": o.on_time,
                    "p50": o.p50,
                    "p85": o.p85,
                    "at_confidence": o.at_confidence,
                    "health": o.health,
                    "problem": o.problem,
                    "computed_at": o.computed_at,
                }
                for o in odds
            ],
        )


def _numbered(record: Signal | Communication | Incident) -> tuple[int, str]:
    number = record.id.split("-")[-1]
    return (int(number) if number.isdigit() else 0, record.id)


def _signal(r: Row[Any]) -> Signal:
    return Signal(
        id=r.id,
        kind=SignalKind(r.kind),
        commitment=r.commitment_id,
        project=r.project_id,
        detected_at=utc(r.detected_at),
        severity=Severity(r.severity),
        summary=r.summary,
        evidence=dict(r.evidence),
        owner=r.owner,
        disclosed_at=utc_or_none(r.disclosed_at),
        communication=r.communication_id,
        escalated_at=utc_or_none(r.escalated_at),
        key=r.key,
        updated_at=utc_or_none(r.updated_at),
    )


def _communication(r: Row[Any]) -> Communication:
    return Communication(
        id=r.id,
        project=r.project_id,
        kind=CommunicationKind(r.kind),
        subject=r.subject,
        body=r.body,
        created_at=utc(r.created_at),
        commitment=r.commitment_id,
        recipient=r.recipient,
        author=r.author,
        answers=tuple(r.answers),
        incident=r.incident_id,
        sent_at=utc_or_none(r.sent_at),
        client=r.client_id,
    )


def _incident(r: Row[Any]) -> Incident:
    return Incident(
        id=r.id,
        project=r.project_id,
        title=r.title,
        occurred_at=utc(r.occurred_at),
        impact=r.impact,
        own_factors=tuple(r.own_factors),
        steps=tuple(
            RecoveryStep(
                action=s["action"],
                due=datetime.fromisoformat(s["due"]),
                status=StepStatus(s["status"]),
                done_at=datetime.fromisoformat(s["done_at"]) if s["done_at"] else None,
            )
            for s in r.steps
        ),
        commitment=r.commitment_id,
        recorded_at=utc_or_none(r.recorded_at),
        client=r.client_id,
    )


def _cached(r: Row[Any]) -> CachedOdds:
    return CachedOdds(
        commitment=r.commitment_id,
        project=r.project_id,
        inputs_key=r.inputs_key,
        on_time=r.on_time,
        p50=r.p50,
        p85=r.p85,
        at_confidence=r.at_confidence,
        health=r.health,
        problem=r.problem,
        computed_at=utc(r.computed_at),
    )
