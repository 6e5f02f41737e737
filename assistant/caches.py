"""Memory on the read side: one size-bounded, least-recently-used cache (cachetools underneath), safe to share between
threads, and glibc told to give large freed blocks back."""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

V = TypeVar("V")

M_MMAP_THRESHOLD = -3  # mallopt's parameter number (glibc malloc.h)
# Blocks of this size or more get their own mapping, returned when freed. glibc's default threshold rises to the largest
# block freed so far (up to 32 MB), after which a question's 1-2 MB score arrays come from each thread's arena and stay
# there: ten threads kept some 130 MB that way at 100k chunks.
MMAP_THRESHOLD_BYTES = 512 * 1024


def return_large_blocks() -> bool:
    """Fix glibc's mmap threshold at MMAP_THRESHOLD_BYTES, so that what a question allocates in large arrays leaves the
    process when the question ends (whichever thread asked it); False where the C library has no mallopt."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (macOS): its allocator returns large blocks already
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))


class SizedCache(Generic[V]):
    """Values kept up to `budget` in total (units of `size`: bytes, rows, characters), least recently used dropped first.

    Every read and write takes one lock for a dictionary step only: what a value costs to make is paid outside it,
    so two threads missing the same key may both make it (the second one kept is as good as the first)."""

    def __init__(self, budget: int, size: Callable[[V], int]) -> None:
        self._cache: LRUCache[Hashable, V] = LRUCache(maxsize=budget, getsizeof=size)
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        """The value kept for `key` (now the most recently used), or None."""
        with self._lock:
            return self._cache.get(key)

    def put(self, key: Hashable, value: V) -> V:
        """Keep a value (a value larger than the whole budget is returned, not kept); returns it."""
        with self._lock:
            try:
                self._cache[key] = value
            except ValueError:  # cachetools: "value too large"
                self._cache.pop(key, None)
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept for `key`, else `make()`'s, kept."""
        value = self.get(key)
        return self.put(key, make()) if value is None else value

    def clear(self) -> None:
        """Drop every value."""
        with self._lock:
            self._cache.clear()

    @property
    def used(self) -> int:
        """The total size of the values kept."""
        with self._lock:
            return int(self._cache.currsize)

    def __len__(self) -> int:
        with self._lock:
            return len(self._cache)
