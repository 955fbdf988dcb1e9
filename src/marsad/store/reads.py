"""What makes the API's reads fast: statements compiled once per filter shape, and answers kept
per data version of the store.

- ``CompiledSql``: a statement compiled once for the store's dialect and then run with other
  values straight through the driver (``Connection.exec_driver_sql``), skipping SQLAlchemy's
  statement building, cache-key computing and result processing on every request. Its parameters
  are the statement's bound parameters (``EventFilter.params`` names a filter's): the SQL text
  depends only on which of them are present, so one compiled statement serves every filter of
  that shape.
- ``ReadCache``: a bounded LRU of answers (facet counts, totals) valid for one data version. The
  store's ``data_version`` row is incremented by every transaction that writes events (ingest,
  dedup, review, re-extraction: ``store._writer_turn``), in this process or another (a second
  uvicorn worker, ``marsad ingest``, ``marsad watch``); a reader reads the version first, then
  looks up or computes the answer, so an answer is never served for a later version than the
  data it was computed from.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy.engine import Connection, Dialect


class CompiledSql:
    """``stmt`` compiled once for ``dialect``: its SQL text, the order of its parameters and the
    values of its constants (those not named at run time)."""

    __slots__ = ("stmt", "sql", "names", "consts", "keys", "direct")

    def __init__(self, stmt: Any, dialect: Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.stmt = stmt
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup or ()) if compiled.positional else None
        self.consts = dict(compiled.params)
        self.keys = [str(c.key) for c in stmt.selected_columns]  # plain str, not SQLAlchemy's quoted_name
        # parameters rendered at run time (expanding IN, literal LIMIT on some dialects) need
        # SQLAlchemy's own execution; SQLite and PostgreSQL statements here have none
        self.direct = "POSTCOMPILE" not in self.sql

    def execute(self, conn: Connection, values: dict[str, Any]) -> list[tuple]:
        """The result rows (tuples) of the statement run with ``values`` (and its constants)."""
        if not self.direct:
            return [tuple(r) for r in conn.execute(self.stmt, values)]
        params = self.consts | values
        args = tuple(params[n] for n in self.names) if self.names is not None else params
        cursor = conn.connection.cursor()  # the driver's own cursor: no result processing to do
        try:
            cursor.execute(self.sql, args)
            return cursor.fetchall()
        finally:
            cursor.close()

    def rows(self, conn: Connection, values: dict[str, Any]) -> list[dict[str, Any]]:
        """The result rows as dicts keyed by the statement's column names."""
        keys = self.keys
        return [dict(zip(keys, r, strict=True)) for r in self.execute(conn, values)]

    def scalar(self, conn: Connection, values: dict[str, Any]) -> Any:
        rows = self.execute(conn, values)
        return rows[0][0] if rows else None


class Lru:
    """A bounded mapping, least recently used entry dropped first; thread-safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)

    def setdefault(self, key: Hashable, make: Callable[[], Any]) -> Any:
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value


class ReadCache:
    """Answers keyed by what was asked, valid for one data version: a newer version empties the
    cache; a reader that saw an older one (it read before a write committed) neither reads nor
    fills it. ``hits`` and ``misses`` count lookups (for tests and benchmarks)."""

    def __init__(self, size: int) -> None:
        self._answers = Lru(size)
        self._version: int | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def _current(self, version: int | None) -> bool:
        """Whether answers for ``version`` may be read and stored (called with the lock held)."""
        if version is None:  # no version row: nothing can be cached
            return False
        if self._version is None or version > self._version:
            self._answers.clear()
            self._version = version
        return version == self._version

    def get(self, version: int | None, key: Hashable) -> Any:
        with self._lock:
            value = self._answers.get(key) if self._current(version) else None
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
            return value

    def put(self, version: int | None, key: Hashable, value: Any) -> None:
        with self._lock:
            if self._current(version):
                self._answers.put(key, value)

    def __len__(self) -> int:
        return len(self._answers)
