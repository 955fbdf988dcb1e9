"""Extraction at scale: the same ``marsad.extract.extract`` mapped over partitions of documents.

Two engines run one stream of documents (``Document`` or ``BadInput`` items, in input order):

- ``local``: this process, one document after another (``marsad.cli`` does it directly);
- ``dask``: partitions of ``partition_size`` documents are submitted to a Dask cluster — a
  ``distributed.LocalCluster`` of ``workers`` processes with one thread each by default, or any
  running Dask scheduler by address. Each worker loads the NLP pipeline and knowledge base once
  (a per-process cache), extracts every document of its partition and returns Arrow tables of
  events and documents plus a skip record (the same message the local engine prints) for every
  document it could not use; an exception in one document never costs the others, and a
  partition whose task fails as a whole (a worker lost) becomes one skip record per document.
  This process writes each partition's tables as Parquet part files
  (``events/part-00000.parquet``, ``documents/part-00000.parquet``) and yields the results in
  input order, so the output is the local engine's: the same events in the same order, the same
  skip messages.

Documents are read on this side (JSONL parsing, files, other sources: the same readers as the
local engine) and shipped to the workers with the tasks, so a remote cluster needs no shared
filesystem. At most ``2 x workers`` partitions are in flight, which bounds memory on both sides
for archives of any size.

The Parquet files hold one schema for every part (``EVENT_SCHEMA``): the 31 ACLED columns, then
``doc_id``, ``gazetteer_id``, ``confidence``, ``evidence`` and ``reasons`` as JSON strings, and
``doc_seq``/``event_seq`` (position of the document in the input and of the event in the
document). ``DOCUMENT_SCHEMA`` is the documents table (the store's columns + ``doc_seq`` and
``origin``). ``read_events`` reads such a directory back.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import InputError
from .model import ACLED_COLUMNS, EXTRA_COLUMNS, Document, Event

ENGINES = ("local", "dask")

_INT_COLUMNS = {"year", "time_precision", "iso", "geo_precision", "fatalities", "timestamp"}
_FLOAT_COLUMNS = {"latitude", "longitude", "confidence"}


def _arrow_type(name: str) -> pa.DataType:
    if name in _INT_COLUMNS:
        return pa.int64()
    if name in _FLOAT_COLUMNS:
        return pa.float64()
    return pa.string()


#: Every events part file has exactly this schema.
EVENT_SCHEMA = pa.schema(
    [pa.field(c, _arrow_type(c)) for c in ACLED_COLUMNS + EXTRA_COLUMNS]
    + [pa.field("evidence", pa.string()), pa.field("reasons", pa.string()),
       pa.field("doc_seq", pa.int64()), pa.field("event_seq", pa.int32())]
)
_DOCUMENT_FIELDS = ("doc_id", "id", "url", "title", "source", "published", "published_source", "published_reason",
                    "language", "text")
#: Every documents part file has exactly this schema.
DOCUMENT_SCHEMA = pa.schema(
    [pa.field("doc_seq", pa.int64())] + [pa.field(c, pa.string()) for c in _DOCUMENT_FIELDS]
    + [pa.field("origin", pa.string())]
)


def event_to_row(e: Event, doc_seq: int, event_seq: int) -> dict[str, Any]:
    d = e.to_dict()
    row = {c: d[c] for c in ACLED_COLUMNS + EXTRA_COLUMNS}
    row["evidence"] = json.dumps(d["evidence"], ensure_ascii=False)
    row["reasons"] = json.dumps(d["reasons"], ensure_ascii=False)
    row["doc_seq"] = doc_seq
    row["event_seq"] = event_seq
    return row


def row_to_event(row: dict[str, Any]) -> Event:
    data = {k: v for k, v in row.items() if k not in ("doc_seq", "event_seq", "evidence", "reasons")}
    data["evidence"] = json.loads(row["evidence"] or "{}")
    e = Event.from_dict(data)
    e.reasons = json.loads(row["reasons"] or "{}")
    return e


def document_to_row(doc: Document, doc_seq: int) -> dict[str, Any]:
    d = doc.to_dict()
    row = {c: d[c] for c in _DOCUMENT_FIELDS}
    row["doc_seq"] = doc_seq
    row["origin"] = doc.origin
    return row


# ---------------------------------------------------------------------------------------------
# one document, one partition (runs on a worker)


def describe(doc: Document) -> str:
    """How a document is named in messages (as ``marsad.cli`` names it)."""
    label = doc.origin or f"document {doc.id or doc.doc_id}"
    return f"{label} (id {doc.id})" if doc.origin and doc.id else label


def extract_item(item: Any, extract_fn: Callable[[Document], list[Event]] | None = None) -> tuple[list[Event] | None, str | None]:
    """(events, None) or (None, skip message) for one ``Document`` or ``BadInput``; never raises."""
    from .inputs import BadInput

    if isinstance(item, BadInput):
        return None, f"{item.where}: {item.message}"
    if extract_fn is None:
        from .extract import extract as extract_fn
    try:
        return extract_fn(item), None
    except InputError as exc:
        return None, f"{describe(item)}: {exc}"
    except Exception as exc:  # never lose the batch to one document
        return None, f"{describe(item)}: internal error: {exc!r}"


@dataclass
class PartResult:
    """What one partition gives back: Arrow tables in input order and skip records."""

    index: int
    n_items: int
    events: pa.Table
    documents: pa.Table
    skips: list[tuple[int, str]] = field(default_factory=list)  # (doc_seq, message)
    ok: int = 0
    seconds: float = 0.0


def run_partition(index: int, items: list[tuple[int, Any]], keep_documents: bool = True) -> PartResult:
    """Extract every (doc_seq, item) of a partition. Runs on a worker; never raises for a document."""
    t0 = time.perf_counter()
    event_rows: list[dict] = []
    doc_rows: list[dict] = []
    skips: list[tuple[int, str]] = []
    ok = 0
    for seq, item in items:
        events, message = extract_item(item)
        if message is not None:
            skips.append((seq, message))
            continue
        ok += 1
        if keep_documents:
            doc_rows.append(document_to_row(item, seq))
        event_rows.extend(event_to_row(e, seq, k) for k, e in enumerate(events))
    return PartResult(index, len(items), pa.Table.from_pylist(event_rows, schema=EVENT_SCHEMA),
                      pa.Table.from_pylist(doc_rows, schema=DOCUMENT_SCHEMA), skips, ok,
                      time.perf_counter() - t0)


def warm_up() -> float:
    """Load the NLP pipeline and knowledge base in this process (once); seconds taken."""
    t0 = time.perf_counter()
    from .kb import get_kb
    from .nlp.pipeline import get_pipeline

    get_kb()
    get_pipeline()
    return time.perf_counter() - t0


# ---------------------------------------------------------------------------------------------
# the driver


@dataclass
class DaskRun:
    """Counts and timings of a Dask run (filled in as it goes)."""

    parts: int = 0
    documents: int = 0
    ok: int = 0
    failed: int = 0
    startup_s: float = 0.0  # cluster start (or connect) + pipeline load on every worker
    run_s: float = 0.0
    workers: int = 0
    output: Path | None = None


@dataclass
class Outcome:
    """One input document's result, yielded in input order."""

    seq: int
    events: list[Event] | None  # None: skipped
    message: str | None = None  # the skip message
    document: dict[str, Any] | None = None  # its documents row (when kept)


class DaskEngine:
    """Runs extraction on a Dask cluster (see the module docstring)::

        with DaskEngine(workers=2) as engine:
            for outcome in engine.run(items, output_dir):
                ...
    """

    def __init__(self, workers: int | None = None, scheduler: str | None = None, partition_size: int = 16,
                 progress: bool | None = None, quiet: bool = True) -> None:
        self.workers = workers
        self.scheduler = scheduler
        self.partition_size = max(1, partition_size)
        self.progress = progress
        self.quiet = quiet
        self.client = None
        self.cluster = None
        self.stats = DaskRun()

    def __enter__(self) -> DaskEngine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        import logging

        from distributed import Client, LocalCluster

        t0 = time.perf_counter()
        if self.scheduler:
            self.client = Client(self.scheduler)
        else:
            import os

            n = self.workers or max(1, (os.cpu_count() or 1))
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                        silence_logs=logging.CRITICAL if self.quiet else logging.WARNING)
            self.client = Client(self.cluster)
        self.client.run(warm_up)  # every worker loads the pipeline once, in parallel
        self.stats.workers = len(self.client.nthreads())
        self.stats.startup_s = time.perf_counter() - t0

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def run(self, items: Iterable[Any], output_dir: str | Path | None = None, keep_documents: bool = True,
            total: int | None = None, desc: str = "extract") -> Iterator[Outcome]:
        """Extract every item; yields one ``Outcome`` per item in input order. With ``output_dir``,
        each partition is also written as Parquet part files under it."""
        from distributed import as_completed

        if self.client is None:
            self.start()
        out = Path(output_dir) if output_dir is not None else None
        if out is not None:
            (out / "events").mkdir(parents=True, exist_ok=True)
            if keep_documents:
                (out / "documents").mkdir(parents=True, exist_ok=True)
            self.stats.output = out
        window = max(2, 2 * max(self.stats.workers, 1))
        bar = _bar(total, desc, self.progress)
        t0 = time.perf_counter()
        chunks = _partitions(items, self.partition_size)
        pending_items: dict[int, list[tuple[int, Any]]] = {}
        done: dict[int, PartResult] = {}
        next_index = 0
        futures = as_completed()
        exhausted = False

        def submit_more() -> None:
            nonlocal exhausted
            # in flight: ``window`` partitions; finished but waiting for an earlier one: at most 2 x window
            while not exhausted and futures.count() < window and len(done) < 2 * window:
                try:
                    index, chunk = next(chunks)
                except StopIteration:
                    exhausted = True
                    return
                pending_items[index] = chunk
                self.stats.parts += 1
                self.stats.documents += len(chunk)
                futures.add(self.client.submit(run_partition, index, chunk, keep_documents, pure=False,
                                               key=f"marsad-part-{index}-{id(self)}-{time.monotonic_ns()}"))

        submit_more()
        try:
            while futures.count() or not exhausted:
                if not futures.count():
                    submit_more()
                    continue
                future = next(futures)
                try:
                    result: PartResult = future.result()
                except Exception as exc:  # the task as a whole failed (a worker lost, ...)
                    result = _failed_partition(future, pending_items, exc)
                finally:
                    future.release()
                done[result.index] = result
                if out is not None:
                    _write_part(out, result, keep_documents)
                if bar is not None:
                    bar.update(result.n_items)
                submit_more()
                while next_index in done:
                    part = done.pop(next_index)
                    chunk = pending_items.pop(next_index)
                    next_index += 1
                    yield from _outcomes(part, chunk)
        finally:
            if bar is not None:
                bar.close()
            self.stats.run_s = time.perf_counter() - t0


def _bar(total: int | None, desc: str, enabled: bool | None):
    from tqdm import tqdm

    if enabled is False:
        return None
    return tqdm(total=total, desc=f"{desc} (dask)", unit="doc", file=sys.stderr, disable=None if enabled is None else False,
                leave=False)


def _partitions(items: Iterable[Any], size: int) -> Iterator[tuple[int, list[tuple[int, Any]]]]:
    chunk: list[tuple[int, Any]] = []
    index = 0
    for seq, item in enumerate(items):
        chunk.append((seq, item))
        if len(chunk) >= size:
            yield index, chunk
            index += 1
            chunk = []
    if chunk:
        yield index, chunk


def _failed_partition(future, pending_items: dict[int, list], exc: BaseException) -> PartResult:
    index = int(str(future.key).split("-")[2])
    chunk = pending_items[index]
    skips = []
    for seq, item in chunk:
        _, message = extract_item(item, extract_fn=_raise(exc))
        skips.append((seq, message))
    return PartResult(index, len(chunk), EVENT_SCHEMA.empty_table(), DOCUMENT_SCHEMA.empty_table(), skips, 0)


def _raise(exc: BaseException) -> Callable[[Document], list[Event]]:
    def fail(_doc: Document) -> list[Event]:
        raise RuntimeError(f"the Dask task of this partition failed: {exc!r}")

    return fail


def _write_part(out: Path, result: PartResult, keep_documents: bool) -> None:
    name = f"part-{result.index:05d}.parquet"
    pq.write_table(result.events, out / "events" / name)
    if keep_documents:
        pq.write_table(result.documents, out / "documents" / name)


def _outcomes(part: PartResult, chunk: list[tuple[int, Any]]) -> Iterator[Outcome]:
    skips = dict(part.skips)
    events_by_doc: dict[int, list[Event]] = {}
    for row in part.events.to_pylist():
        events_by_doc.setdefault(row["doc_seq"], []).append(row_to_event(row))
    docs = {row["doc_seq"]: row for row in part.documents.to_pylist()}
    for seq, _item in chunk:
        if seq in skips:
            yield Outcome(seq, None, skips[seq])
        else:
            yield Outcome(seq, events_by_doc.get(seq, []), None, docs.get(seq))


# ---------------------------------------------------------------------------------------------
# reading a Parquet output back


def read_events(directory: str | Path) -> Iterator[Event]:
    """The events of a Parquet output directory, in input order (documents, then events)."""
    for path in sorted((Path(directory) / "events").glob("part-*.parquet")):
        rows = pq.read_table(path, schema=EVENT_SCHEMA).to_pylist()
        rows.sort(key=lambda r: (r["doc_seq"], r["event_seq"]))
        for row in rows:
            yield row_to_event(row)


def read_documents(directory: str | Path) -> Iterator[dict[str, Any]]:
    """The documents rows of a Parquet output directory, in input order."""
    for path in sorted((Path(directory) / "documents").glob("part-*.parquet")):
        rows = pq.read_table(path, schema=DOCUMENT_SCHEMA).to_pylist()
        rows.sort(key=lambda r: r["doc_seq"])
        yield from rows


def read_output(directory: str | Path) -> Iterator[tuple[dict[str, Any], list[Event]]]:
    """(documents row, its events) pairs of a Parquet output directory, in input order."""
    directory = Path(directory)
    for path in sorted((directory / "documents").glob("part-*.parquet")):
        docs = sorted(pq.read_table(path, schema=DOCUMENT_SCHEMA).to_pylist(), key=lambda r: r["doc_seq"])
        ev_path = directory / "events" / path.name
        by_doc: dict[int, list[dict]] = {}
        if ev_path.exists():
            for row in pq.read_table(ev_path, schema=EVENT_SCHEMA).to_pylist():
                by_doc.setdefault(row["doc_seq"], []).append(row)
        for d in docs:
            rows = sorted(by_doc.get(d["doc_seq"], []), key=lambda r: r["event_seq"])
            yield d, [row_to_event(r) for r in rows]


# ---------------------------------------------------------------------------------------------
# what the command line runs


def _unwrap(items: Iterable[Any]) -> tuple[Iterable[Any], int | None]:
    """The iterable under a tqdm progress bar (the Dask engine shows its own), and its total."""
    inner = getattr(items, "iterable", None)
    if inner is None or not hasattr(items, "close"):
        return items, None
    total = getattr(items, "total", None)
    items.close()
    return inner, total


def run_batch(items: Iterable[Any], on_events: Callable[[Outcome, list[Event]], None], report: Callable[[str], None],
              workers: int | None = None, scheduler: str | None = None, output: str | Path | None = None,
              partition_size: int = 32, keep_documents: bool = False, desc: str = "extract",
              info: Callable[[str], None] | None = None) -> tuple[int, int]:
    """``marsad extract --engine dask``: extract a batch on Dask; ``on_events`` gets every
    document's events in input order and ``report`` every skip message (as the local engine
    gives them). Returns (processed, skipped)."""
    items, total = _unwrap(items)
    ok = failed = 0
    with DaskEngine(workers=workers, scheduler=scheduler, partition_size=partition_size) as engine:
        if info is not None:
            where = scheduler or "a local cluster"
            info(f"dask: {engine.stats.workers} worker(s) on {where} ready in {engine.stats.startup_s:.1f} s")
        for outcome in engine.run(items, output, keep_documents=keep_documents, total=total, desc=desc):
            if outcome.events is None:
                failed += 1
                report(outcome.message or "")
                continue
            ok += 1
            on_events(outcome, outcome.events)
        if info is not None:
            rate = ok / engine.stats.run_s if engine.stats.run_s else 0.0
            info(f"dask: {engine.stats.documents} document(s) in {engine.stats.parts} partition(s), "
                 f"{engine.stats.run_s:.1f} s ({rate:.1f} documents/s)" + (f"; Parquet in {output}" if output else ""))
    return ok, failed


def ingest_batch(store, items: Iterable[Any], report: Callable[[str], None], workers: int | None = None,
                 scheduler: str | None = None, output: str | Path | None = None, partition_size: int = 32,
                 keep_events: bool = False, info: Callable[[str], None] | None = None,
                 progress: bool | None = None) -> tuple[int, int, int, list[Event]]:
    """``marsad ingest --engine dask``: extract on Dask into Parquet (``output``, or a temporary
    folder), then bulk-load the documents and events into ``store`` in input order and merge them
    into canonical events (``Store.bulk_add``): the same store as the local engine's. Returns
    (new documents, already stored, skipped as bad input, events of the new documents when
    ``keep_events``)."""
    import shutil
    import tempfile

    from tqdm import tqdm

    tmp = None
    if output is None:
        tmp = tempfile.mkdtemp(prefix="marsad-dask-")
        output = tmp
    try:
        ok, failed = run_batch(items, lambda _o, _e: None, report, workers=workers, scheduler=scheduler,
                               output=output, partition_size=partition_size, keep_documents=True, desc="ingest",
                               info=info)
        bar = tqdm(total=ok, desc="store", unit="doc", file=sys.stderr, disable=None if progress is None else not progress,
                   leave=False)
        try:
            new_ids, skipped = store.bulk_add(read_output(output), on_batch=bar.update)
        finally:
            bar.close()
        printed: list[Event] = []
        if keep_events and new_ids:
            fresh = set(new_ids)
            for doc, doc_events in read_output(output):
                if doc["doc_id"] in fresh:
                    fresh.discard(doc["doc_id"])  # a document given twice is stored (and printed) once
                    printed.extend(doc_events)
        return len(new_ids), skipped, failed, printed
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
