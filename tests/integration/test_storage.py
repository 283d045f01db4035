"""The database adapter on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy.exc
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, column, event, table, text
from sqlalchemy.sql.expression import TableClause

from keepword.adapters.database import tables as t
from keepword.adapters.database.engine import make_engine
from keepword.adapters.database.migrate import (
    HEAD_REVISION,
    DatabaseNotReady,
    ensure_current,
    head_revision,
    upgrade,
)
from keepword.adapters.database.unit_of_work import SqlUnitOfWork
from keepword.domain.events import Event
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import ItemStatus
from keepword.services import history, plan
from keepword.services import portfolio as service
from keepword.services.ports import UnitOfWorkFactory
from tests import factories as f
from tests.conftest import fresh_database

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _factory(engine: Engine) -> UnitOfWorkFactory:
    def make(*, write: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, write=write)

    return make


def test_demo_portfolio_comes_back_exactly_as_stored(
    engine: Engine, demo_portfolio: Portfolio
) -> None:
    with SqlUnitOfWork(engine, write=True) as uow:
        uow.portfolio.replace(demo_portfolio)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.portfolio.get() == demo_portfolio


def _statements(engine: Engine) -> list[str]:
    """The SQL statements ``engine`` runs from now on, as written (one per executemany)."""
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(" ".join(statement.split()))

    return seen


def test_an_edit_after_a_read_writes_only_the_rows_it_changes(
    engine: Engine, demo_portfolio: Portfolio
) -> None:
    with SqlUnitOfWork(engine, write=True) as uow:
        uow.portfolio.replace(demo_portfolio)
        uow.commit()
    project = demo_portfolio.projects[0]
    first = project.items[0]
    renamed = replace(first, title="A clearer title")
    edited = demo_portfolio.with_project(replace(project, items=(renamed, *project.items[1:])))
    statements = _statements(engine)
    with SqlUnitOfWork(engine, write=True) as uow:
        uow.portfolio.replace(replace(uow.portfolio.get(), projects=edited.projects))
        uow.commit()
    writes = [s for s in statements if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) == 1
    assert writes[0].startswith("UPDATE work_items")
    with SqlUnitOfWork(engine) as uow:
        assert uow.portfolio.get() == edited


def test_a_read_at_an_unchanged_version_reads_no_portfolio_table(
    engine: Engine, demo_portfolio: Portfolio
) -> None:
    service.load_portfolio(_factory(engine), demo_portfolio, actor=f.staff("dana"), now=NOW)
    statements = _statements(engine)
    with SqlUnitOfWork(engine) as uow:
        assert uow.portfolio.get() == demo_portfolio
    tables = {str(table.name) for table in t.PORTFOLIO_TABLES}
    read = [s for s in statements if s.startswith("SELECT")]
    assert read  # the version of the history is asked for
    assert not any(f"FROM {name} " in f"{s} " for s in read for name in tables)
    # A write anywhere moves the version: the next reader reads the tables again.
    with SqlUnitOfWork(engine, write=True) as uow:
        uow.events.append([Event(NOW, "dana", "noted", "client", "acme")])
        uow.commit()
    statements.clear()
    with SqlUnitOfWork(engine) as uow:
        assert uow.portfolio.get() == demo_portfolio
    assert any("FROM work_items" in s for s in statements)


def test_a_reader_catches_up_with_another_process_by_reading_the_changed_project(
    database_url: str, demo_portfolio: Portfolio
) -> None:
    # Two engines on one database: two web processes, each with its portfolio in memory.
    mine, theirs, fresh = (make_engine(database_url) for _ in range(3))
    try:
        service.load_portfolio(_factory(theirs), demo_portfolio, actor=f.staff("dana"), now=NOW)
        with SqlUnitOfWork(mine) as uow:
            before = uow.portfolio.get()
        project = next(p for p in demo_portfolio.projects if p.remaining_items())
        item = project.remaining_items()[0]
        plan.set_item_status(
            _factory(theirs),
            project.id,
            item.id,
            ItemStatus.DONE,
            on=NOW.date(),
            actor=f.staff("dana"),
            now=NOW,
        )
        statements = _statements(mine)
        with SqlUnitOfWork(mine) as uow:
            after = uow.portfolio.get()
        assert after.project(project.id).item(item.id).status is ItemStatus.DONE
        with SqlUnitOfWork(fresh) as uow:
            assert uow.portfolio.get() == after  # as a read of everything finds it
        untouched = [p for p in before.projects if p.id != project.id]
        if mine.dialect.name == "sqlite":
            assert all(after.project(p.id) is p for p in untouched)
            items_read = [s for s in statements if "FROM work_items" in s]
            assert len(items_read) == 1
            assert "IN" in items_read[0]
    finally:
        for engine in (mine, theirs, fresh):
            engine.dispose()


def test_edits_of_every_kind_after_a_read_come_back_as_written(
    engine: Engine, demo_portfolio: Portfolio
) -> None:
    with SqlUnitOfWork(engine, write=True) as uow:
        uow.portfolio.replace(demo_portfolio)
        uow.commit()
    project, other = demo_portfolio.projects[0], demo_portfolio.projects[1]
    person = demo_portfolio.people[0]
    moved_items = (*project.items[1:], project.items[0], f.item("brand-new"))
    edited = replace(
        demo_portfolio,
        # an item added, one moved to the end; a project's phases cut to its first one
        # with its items kept on it; a person's time off gone; an allocation and a
        # commitment removed; a client's contact changed
        projects=tuple(
            replace(project, items=moved_items)
            if p.id == project.id
            else replace(
                other,
                phases=other.phases[:1],
                items=tuple(
                    replace(i, phase=other.phases[0].id if i.phase else None) for i in other.items
                ),
            )
            if p.id == other.id
            else p
            for p in demo_portfolio.projects
        ),
        people=tuple(
            replace(p, calendar=p.calendar.without_time_off()) if p.id == person.id else p
            for p in demo_portfolio.people
        ),
        allocations=demo_portfolio.allocations[1:],
        commitments=tuple(c for c in demo_portfolio.commitments if c.project != other.id),
        clients=(
            replace(demo_portfolio.clients[0], contact="new@example.com"),
            *demo_portfolio.clients[1:],
        ),
    )
    with SqlUnitOfWork(engine, write=True) as uow:
        uow.portfolio.get()
        uow.portfolio.replace(edited)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.portfolio.get() == edited
    with SqlUnitOfWork(engine, write=True) as uow:
        uow.portfolio.get()
        uow.portfolio.replace(demo_portfolio)  # and back again
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.portfolio.get() == demo_portfolio


def test_unit_of_work_rolls_back_unless_committed(engine: Engine) -> None:
    with SqlUnitOfWork(engine, write=True) as uow:
        uow.portfolio.replace(f.portfolio())
        uow.events.append([Event(NOW, "dana", "created", "client", "acme")])
    with SqlUnitOfWork(engine) as uow:
        assert uow.portfolio.get() == Portfolio()
        assert uow.events.count() == 0


def test_a_failed_write_leaves_the_previous_portfolio_whole(engine: Engine) -> None:
    uow = _factory(engine)
    service.load_portfolio(uow, f.portfolio(), actor=f.staff("dana"), now=NOW)
    # A project of an unknown client gets past no check but the database's own foreign key.
    orphan = replace(f.portfolio(), projects=(f.project("p", client="ghost"),), allocations=())
    with SqlUnitOfWork(engine, write=True) as work, pytest.raises(sqlalchemy.exc.IntegrityError):
        work.portfolio.replace(orphan)
    assert service.current_portfolio(uow) == f.portfolio()


def test_events_refuse_update_and_delete_in_the_database(engine: Engine) -> None:
    service.load_portfolio(_factory(engine), f.portfolio(), actor=f.staff("dana"), now=NOW)
    for statement in (
        t.events.update().values(actor="mallory"),
        t.events.delete(),
    ):
        with (
            pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"),
            engine.begin() as connection,
        ):
            connection.execute(statement)
    with SqlUnitOfWork(engine) as uow:
        assert uow.events.count() == 14
        assert {e.actor for e in uow.events.latest(100)} == {"dana"}


def test_events_come_back_newest_first_with_utc_times(engine: Engine) -> None:
    service.load_portfolio(_factory(engine), f.portfolio(), actor=f.staff("dana"), now=NOW)
    events = history.recent_events(_factory(engine), limit=3, entity="item", actor=f.staff("dana"))
    assert [e.entity_id for e in events] == ["q/b", "q/a", "p/b"]
    assert all(e.at == NOW for e in events)
    assert events[0].after["depends_on"] == ["a"]


def test_the_stored_version_changes_with_every_change_and_only_then(engine: Engine) -> None:
    uow = _factory(engine)
    empty = service.stored_version(uow)
    assert service.stored_version(uow) == empty
    service.load_portfolio(uow, f.portfolio(), actor=f.staff("dana"), now=NOW)
    loaded = service.stored_version(uow)
    assert loaded != empty
    service.load_portfolio(
        uow, f.portfolio(), actor=f.staff("dana"), now=NOW
    )  # the same: no change
    assert service.stored_version(uow) == loaded
    with uow(write=True) as work:
        work.events.append([Event(NOW, "dana", "noted", "project", "p")])  # not committed
    assert service.stored_version(uow) == loaded


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database with no tables yet, SQLite and PostgreSQL."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    with fresh_database(admin, prefix="keepword_empty") as name:
        engine = make_engine(admin.url.set(database=name))
        yield engine
        engine.dispose()


def test_upgrading_indexes_the_history_recorded_before_by_project(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0002")
    with empty_engine.begin() as connection:  # events as a Keepword of revision 0002 wrote them
        connection.execute(
            t.events.insert(),
            [
                {"at": NOW, "actor": "dana", "action": "created", "entity": "project",
                 "entity_id": "p", "before": None, "after": {"name": "P"}},
                {"at": NOW, "actor": "dana", "action": "done", "entity": "item",
                 "entity_id": "p/a", "before": None, "after": None},
                {"at": NOW, "actor": "dana", "action": "created", "entity": "person",
                 "entity_id": "amara", "before": None, "after": {"name": "Amara"}},
                {"at": NOW, "actor": "dana", "action": "applied", "entity": "scenario",
                 "entity_id": "move", "after": None,
                 "before": {"changes": [{"from_project": "p", "to_project": "q"}]}},
            ],
        )  # fmt: skip
    assert upgrade(empty_engine) == ("0002", HEAD_REVISION)
    uow = _factory(empty_engine)
    with uow() as work:
        assert [e.entity_id for e in work.events.about_project("p")] == ["move", "p/a", "p"]
        assert [e.entity_id for e in work.events.about_project("q")] == ["move"]
    # And what is appended from now on is indexed as it is written.
    with uow(write=True) as work:
        work.events.append([Event(NOW, "dana", "done", "item", "q/b")])
        work.commit()
    with uow() as work:
        assert [e.entity_id for e in work.events.about_project("q", limit=1)] == ["q/b"]


def test_upgrading_addresses_earlier_messages_and_incidents_to_their_projects_client(
    empty_engine: Engine,
) -> None:
    upgrade(empty_engine, "0004")
    with empty_engine.begin() as connection:  # records as a Keepword of revision 0004 wrote them
        connection.execute(t.clients.insert(), [{"id": "acme", "position": 0, "name": "Acme"}])
        connection.execute(
            t.projects.insert(),
            [{"id": "p", "position": 0, "client_id": "acme", "name": "P", "start": NOW.date()}],
        )
        connection.execute(
            sa_table("communications", "client_id").insert(),
            [{"id": "M-1", "project_id": "p", "kind": "status", "subject": "S", "body": "B",
              "created_at": NOW, "answers": []}],
        )  # fmt: skip
        connection.execute(
            sa_table("incidents", "client_id").insert(),
            [{"id": "I-1", "project_id": "p", "title": "T", "occurred_at": NOW, "impact": "I",
              "own_factors": [], "steps": []}],
        )  # fmt: skip
    assert upgrade(empty_engine) == ("0004", HEAD_REVISION)
    with _factory(empty_engine)() as work:
        assert [m.client for m in work.communications.all()] == ["acme"]
        assert [i.client for i in work.incidents.all()] == ["acme"]


def sa_table(name: str, without: str) -> TableClause:
    """Table ``name`` as an earlier revision had it: without column ``without``."""
    columns = t.metadata.tables[name].columns
    return table(name, *(column(c.name, c.type) for c in columns if c.name != without))


def test_the_migrations_build_exactly_the_tables_the_code_declares(engine: Engine) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), t.metadata)
    assert differences == []


def test_the_schema_check_knows_the_newest_migration_script() -> None:
    # ensure_current compares with the constant, so that no command parses the scripts.
    assert head_revision() == HEAD_REVISION


def test_missing_or_old_schema_is_reported_not_migrated(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/empty.db")
    with pytest.raises(DatabaseNotReady, match="run 'keepword init'"):
        ensure_current(engine)
    assert upgrade(engine) == (None, HEAD_REVISION)
    assert upgrade(engine) == (HEAD_REVISION, HEAD_REVISION)
    ensure_current(engine)
    engine.dispose()


def test_sqlite_connections_are_set_up_for_durability(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
        }
    engine.dispose()
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 2,
        "busy_timeout": 15000,
    }


def test_sqlite_writers_take_the_write_lock_at_begin(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    other = make_engine(sqlite_url)
    with SqlUnitOfWork(engine, write=True):
        # While a writer holds the lock, a second writer cannot even begin...
        blocked = other.connect().execution_options(sqlite_write=True)
        blocked.connection.dbapi_connection.execute("PRAGMA busy_timeout=50")  # type: ignore[union-attr]
        with pytest.raises(sqlalchemy.exc.OperationalError, match="locked"):
            blocked.begin()
        blocked.close()
        # ...but a reader can still read, thanks to WAL.
        with SqlUnitOfWork(other) as reader:
            assert reader.portfolio.get() == Portfolio()
    engine.dispose()
    other.dispose()


@pytest.mark.postgres
def test_postgres_refuses_truncating_the_event_table(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    with (
        pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"),
        engine.begin() as connection,
    ):
        connection.execute(text("TRUNCATE events CASCADE"))  # even taking its index with it
    engine.dispose()
