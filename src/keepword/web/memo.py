"""Pages built once per stored state: a page read again and again while nothing changes
(the dashboard on a wall screen, twenty people opening it on Monday morning) is rendered once."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock


class PageMemo:
    """The last ``size`` rendered pages by key. The key must hold everything the page shows
    depends on: the stored state's version, the query, and the clock to the minute."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._pages: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = Lock()
        self._building: dict[Hashable, Lock] = {}

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> str:
        page = self._get(key)
        if page is not None:
            return page
        # One reader builds a page while the others asking for it wait: right after a
        # change, twenty readers would otherwise build the same page twenty times at once.
        with self._lock:
            building = self._building.setdefault(key, Lock())
        with building:
            page = self._get(key)
            if page is None:
                page = render()
                with self._lock:
                    self._pages[key] = page
                    while len(self._pages) > self._size:
                        self._pages.popitem(last=False)
            with self._lock:
                self._building.pop(key, None)
        return page

    def _get(self, key: Hashable) -> str | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page
