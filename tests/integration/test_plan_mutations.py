"""Plan files a person gets subtly wrong, loaded into a real database holding the demo:
each is refused with located problems and changes nothing, or loads and comes back exactly
as read. No storage error ever reaches the user. On SQLite and on PostgreSQL."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml

from keepword.adapters.planfile import InvalidPlanFile, read_plan_text, write_plan
from keepword.bootstrap import Keepword, open_keepword
from keepword.config import Settings
from keepword.domain.errors import InvalidPortfolio
from keepword.services import portfolio as service
from tests import factories as f
from tests.conftest import DEMO_PLAN

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DEMO = yaml.safe_load(DEMO_PLAN.read_text(encoding="utf-8"))


def _lists(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _lists(value, (*path, key))
    elif isinstance(node, list):
        if node:
            yield path
        for index, value in enumerate(node):
            yield from _lists(value, (*path, index))


def _one_list_of_each_kind() -> list[tuple[Any, ...]]:
    kinds: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for path in _lists(DEMO):
        kinds.setdefault(tuple("#" if isinstance(p, int) else p for p in path), path)
    return list(kinds.values())


def _with_an_entry_twice(path: tuple[Any, ...]) -> str:
    """The demo with the last entry of the list at ``path`` written again after it."""
    data = copy.deepcopy(DEMO)
    node = data
    for part in path:
        node = node[part]
    node.append(copy.deepcopy(node[-1]))
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml where it is built in
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True)


@pytest.fixture
def keepword(database_url: str) -> Iterator[Keepword]:
    app = open_keepword(Settings(database_url=database_url, actor="test"))
    demo = read_plan_text(DEMO_PLAN.read_text(encoding="utf-8"), str(DEMO_PLAN))
    service.load_portfolio(app.uow, demo, actor=f.staff(), now=NOW)
    yield app
    app.close()


def test_every_list_naming_an_entry_twice_is_refused_or_stored_exactly(
    keepword: Keepword,
) -> None:
    stored = write_plan(service.current_portfolio(keepword.uow))
    version = service.stored_version(keepword.uow)
    outcomes = {}
    for path in _one_list_of_each_kind():
        text = _with_an_entry_twice(path)
        for replace_all in (False, True):
            try:
                plan = read_plan_text(text, "twice.yaml", partial=not replace_all)
                result = service.load_portfolio(
                    keepword.uow, plan, actor=f.staff(), now=NOW, replace_all=replace_all
                )
            except (InvalidPlanFile, InvalidPortfolio):
                assert service.stored_version(keepword.uow) == version, path
                outcomes[path, replace_all] = "refused"
                continue
            # Loaded: what is stored is what the file said (nothing silently merged away).
            if replace_all:
                assert service.current_portfolio(keepword.uow) == plan, path
            outcomes[path, replace_all] = "loaded"
            if result.unchanged:
                continue
            service.load_portfolio(
                keepword.uow,
                read_plan_text(stored),
                actor=f.staff(),
                now=NOW,
                replace_all=True,
            )
            version = service.stored_version(keepword.uow)
    assert write_plan(service.current_portfolio(keepword.uow)) == stored
    refused = {
        "/".join(str(p) for p in path) for (path, _), o in outcomes.items() if o == "refused"
    }
    # Lists of ids and of references name each entry once.
    assert {
        "skills",
        "clients",
        "people",
        "people/0/skills",
        "projects",
        "projects/0/phases",
        "projects/0/items",
        "projects/0/items/2/depends_on",
        "projects/1/history",
        "projects/3/dependencies",
        "commitments",
        "commitments/2/phases",
        "scenarios",
    } <= refused
