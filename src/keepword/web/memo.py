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

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> str:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
                return page
        # Rendered outside the lock: two first readers may both render; both are right.
        page = render()
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)
        return page
