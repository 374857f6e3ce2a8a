"""Per-process caches of small reference tables that almost never change: common codes and holidays.

Every submission checks its category against the code table and computes its deadline from the holiday
list; reading both from the database each time cost three queries per case. These caches keep them in
the memory of the process instead:

* In the same process a change is seen at once: `post_save` / `post_delete` of `CodeGroup`, `Code` and
  `Holiday` (hooked in `sotong.core.models`) drop the cache. A change made inside a transaction is seen
  by that transaction (the cache is bypassed while the change is uncommitted) and by everyone once it
  commits; a rolled-back change never reaches the cache.
* Other processes (other web workers, the task worker) see it after at most
  `SOTONG_REFERENCE_CACHE_SECONDS` (60 s by default), when their copy expires.
* Writes that send no signals (`QuerySet.update`, `bulk_create`, raw SQL, another process) are also seen
  after that time; call `invalidate()` (or `invalidate_all()`) after them to see them at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction

T = TypeVar("T")
DEFAULT_TTL_SECONDS = 60.0


def ttl_seconds() -> float:
    return float(getattr(settings, "SOTONG_REFERENCE_CACHE_SECONDS", DEFAULT_TTL_SECONDS))


class ProcessCache(Generic[T]):
    """Values loaded from the database, by key, kept for `ttl_seconds()` and dropped on invalidation."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._values: dict[Hashable, tuple[float, T]] = {}
        self._generation = 0
        # Connections (by id) with an uncommitted change to the table, and the outermost transaction
        # (its `Atomic`) that made it: reads inside that transaction bypass the cache. A later
        # transaction on the same connection is not affected, even when the first one rolled back and
        # never said so (Django has no rollback hook; a test's transaction always ends that way).
        self._dirty: dict[int, object] = {}

    def get(self, key: Hashable, load: Callable[[], T], *, using: str = DEFAULT_DB_ALIAS) -> T:
        """The cached value of `key`, or `load()` (kept for the next caller when it is safe to keep)."""
        connection = transaction.get_connection(using)
        marker = self._dirty.get(id(connection))
        if marker is not None:
            if _outermost(connection) is marker:
                return load()  # this transaction changed the table: read through, keep nothing
            # The changing transaction ended without a commit (a commit would have cleaned up): it never
            # filled the cache, so there is nothing to drop.
            self._dirty.pop(id(connection), None)
        now = time.monotonic()
        found = self._values.get(key)
        if found is not None and found[0] > now:
            return found[1]
        generation = self._generation
        value = load()
        with self._lock:
            # An invalidation during the load means the value may be stale: hand it out, do not keep it.
            if generation == self._generation:
                self._values[key] = (now + ttl_seconds(), value)
        return value

    def invalidate(self, sender: Any = None, *, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
        """Drop every value now, and again when the change commits (a signal receiver; `using` wrote)."""
        connection = transaction.get_connection(using)
        with self._lock:
            self._values.clear()
            self._generation += 1
        if connection.in_atomic_block:
            # Until the transaction ends, its own reads bypass the cache and others read the old rows.
            self._dirty[id(connection)] = _outermost(connection)
            transaction.on_commit(lambda: self._committed(id(connection)), using=using)

    def _committed(self, connection_id: int) -> None:
        with self._lock:
            self._dirty.pop(connection_id, None)
            self._values.clear()
            self._generation += 1

    def clear(self) -> None:
        """Forget everything, pending changes included (tests)."""
        with self._lock:
            self._values.clear()
            self._dirty.clear()
            self._generation += 1


def _outermost(connection: Any) -> object | None:
    """The outermost `atomic` block open on `connection` (None outside a transaction)."""
    blocks = getattr(connection, "atomic_blocks", None)
    return blocks[0] if connection.in_atomic_block and blocks else None


CODES: ProcessCache[Any] = ProcessCache("codes")
HOLIDAYS: ProcessCache[Any] = ProcessCache("holidays")


def invalidate_all() -> None:
    """Make this process read codes and holidays from the database again (after `update()`, raw SQL...)."""
    CODES.invalidate()
    HOLIDAYS.invalidate()


def clear_all(*args: Any, **kwargs: Any) -> None:
    """Forget both caches at once, pending changes included (a `post_migrate` receiver: flush, migrate)."""
    CODES.clear()
    HOLIDAYS.clear()
