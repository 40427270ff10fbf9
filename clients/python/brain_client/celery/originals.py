"""OriginalsCache: the task arguments a retry command re-sends."""
from __future__ import annotations

import collections
import threading
from typing import Any, Dict, Optional, Tuple


class OriginalsCache:
    """Bounded map task id -> (name, args, kwargs, delivery options), oldest dropped first.

    Holds the arguments as this process received or sent them: a retry command re-sends
    these, never the brain's redacted copy.
    """

    def __init__(self, size: int) -> None:
        self.size = max(1, int(size))
        self._items: "collections.OrderedDict[str, Tuple[str, Any, Any, Dict[str, Any]]]" = collections.OrderedDict()
        self._lock = threading.Lock()

    def put(self, task_id: str, name: str, args, kwargs, options: Optional[Dict[str, Any]] = None) -> None:
        if not task_id or not name:
            return
        with self._lock:
            self._items[task_id] = (name, list(args or ()), dict(kwargs or {}), dict(options or {}))
            self._items.move_to_end(task_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get(self, task_id: str):
        with self._lock:
            return self._items.get(task_id)

    def __len__(self) -> int:
        return len(self._items)


__all__ = ["OriginalsCache"]
