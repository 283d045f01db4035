"""The page memo: a page is built once per key, even when many readers ask at once."""

from __future__ import annotations

import threading
from collections.abc import Callable

from keepword.web.memo import PageMemo


def test_readers_asking_at_once_wait_for_one_build() -> None:
    memo = PageMemo()
    builds: list[int] = []
    started, release = threading.Event(), threading.Event()

    def build() -> str:
        builds.append(1)
        started.set()
        release.wait(5)
        return "<html>page</html>"

    pages: list[str] = []
    readers = [
        threading.Thread(target=lambda: pages.append(memo.get_or_render("k", build)))
        for _ in range(8)
    ]
    for reader in readers:
        reader.start()
    assert started.wait(5)
    release.set()
    for reader in readers:
        reader.join(5)
    assert pages == ["<html>page</html>"] * 8
    assert len(builds) == 1


def test_another_key_is_another_build_and_the_oldest_page_is_dropped() -> None:
    memo = PageMemo(size=2)
    built: list[str] = []

    def builder(name: str) -> Callable[[], str]:
        def build() -> str:
            built.append(name)
            return name

        return build

    for key in ("a", "b", "a", "c", "a", "b"):
        assert memo.get_or_render(key, builder(key)) == key
    # a, b built; a from memory; c pushes b out (a was used last); a from memory; b again.
    assert built == ["a", "b", "c", "b"]
