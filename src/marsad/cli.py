"""The ``marsad`` command line: a thin layer over the library.

Results go to stdout and nothing else does; progress, warnings and errors go to stderr.
A single bad document is a one-line error and exit status 1; in a batch, bad documents are
reported on stderr and skipped, and every other document is processed.
"""

from __future__ import annotations

import functools
import getpass
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from . import __version__
from .errors import InputError
from .model import Document

FORMATS = ["jsonl", "csv", "table", "json"]


def _fail(message: str) -> None:
    click.echo(f"marsad: error: {message}", err=True)
    sys.exit(1)


def _progress(items: Iterator, desc: str, total: int | None = None) -> Iterator:
    from tqdm import tqdm

    return tqdm(items, desc=desc, total=total, unit="doc", file=sys.stderr, disable=None, leave=False)


def _read_one_text(path: str) -> str:
    """One text file (or stdin, "-"), or a one-line error and exit status 1."""
    from .inputs import read_text_file

    if path != "-" and not Path(path).exists():
        _fail(f"{path}: no such file")
    try:
        return read_text_file(path)
    except InputError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{path}: {exc.strerror}")
    raise AssertionError("unreachable")


def _documents(file: str | None, input_path: str | None, published: str | None,
               source: str | None) -> tuple[Iterator, bool]:
    """(iterator of Document | BadInput, is_batch)."""
    from .inputs import count_lines, iter_jsonl

    if input_path:
        if input_path != "-" and "://" not in input_path and not Path(input_path).exists():
            _fail(f"{input_path}: no such file")
        if input_path != "-" and not input_path.endswith(".jsonl"):  # a folder, page, feed, export, WARC, URL
            from .sources import detect_kind, iter_documents

            kind = detect_kind(input_path)
            if kind in ("folder", "url", "html", "feed", "warc") or Path(input_path).name.lower() == "result.json":
                return _progress(iter_documents([input_path], published, source), "extract"), True
        docs = iter_jsonl(input_path, published, source)
        return _progress(docs, "extract", count_lines(input_path)), True
    path = file or "-"
    text = _read_one_text(path)
    return iter([Document(text=text, published=published, source=source, id=None if path == "-" else path)]), False


def _run_extraction(docs: Iterator, batch: bool, on_events, dask: dict | None = None,
                    explain: bool = False) -> tuple[int, int]:
    """Extract every document; returns (processed, failed). With ``dask`` (options of
    ``marsad.engine.run_batch``), a batch runs on a Dask cluster: same events, order and messages."""
    from .extract import extract
    from .inputs import BadInput

    if dask is not None and batch:
        from .engine import run_batch

        return run_batch(docs, on_events, lambda message: click.echo(f"marsad: skipped {message}", err=True),
                         info=lambda message: click.echo(f"marsad: {message}", err=True), **dask)

    ok = failed = 0
    for item in docs:
        if isinstance(item, BadInput):
            failed += 1
            click.echo(f"marsad: skipped {item.where}: {item.message}", err=True)
            continue
        try:
            events = extract(item, explain=explain)
        except InputError as exc:
            if not batch:
                _fail(str(exc))
            failed += 1
            click.echo(f"marsad: skipped {_name(item)}: {exc}", err=True)
            continue
        except Exception as exc:  # never lose the batch to one document
            if not batch:
                raise
            failed += 1
            click.echo(f"marsad: skipped {_name(item)}: internal error: {exc!r}", err=True)
            continue
        ok += 1
        on_events(item, events)
    return ok, failed


def _name(doc: Document) -> str:
    label = doc.origin or f"document {doc.id or doc.doc_id}"
    return f"{label} (id {doc.id})" if doc.origin and doc.id else label


def _scope_options(command):
    """--min-confidence and --all-countries of extract and ingest. They set the environment
    variables that ``marsad.extract.extract`` reads, so that Dask workers started by this process
    apply them too."""

    @functools.wraps(command)
    def run(*args, min_confidence: float | None, all_countries: bool, **kwargs):
        import os

        from .extract import ALL_COUNTRIES_ENV, MIN_CONFIDENCE_ENV

        if min_confidence is not None:
            os.environ[MIN_CONFIDENCE_ENV] = repr(min_confidence)
        if all_countries:
            os.environ[ALL_COUNTRIES_ENV] = "1"
        return command(*args, **kwargs)

    run = click.option("--all-countries", is_flag=True,
                       help="Also emit events located outside Syria (country set, location empty).")(run)
    run = click.option("--min-confidence", type=click.FloatRange(0, 1),
                       help="Emit only events the scorer rates at least this (default: the threshold chosen on the "
                            "development split; 0 emits every candidate the rules accept, with its score).")(run)
    return run


def _engine_options(command):
    """The --engine/--workers/--scheduler/--parquet/--partition-size options of extract and ingest,
    handed to the command as ``dask``: the options of marsad.engine, or None for the local engine."""

    @functools.wraps(command)
    def run(*args, engine: str, workers: int | None, scheduler: str | None, parquet_dir: str | None,
            partition_size: int, **kwargs):
        if engine != "dask" and (workers or scheduler or parquet_dir):
            _fail("--workers, --scheduler and --parquet need --engine dask")
        dask = {"workers": workers, "scheduler": scheduler, "output": parquet_dir, "partition_size": partition_size} \
            if engine == "dask" else None
        return command(*args, dask=dask, **kwargs)

    for option in reversed((
        click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                     help="local: this process; dask: partitions of documents on a Dask cluster (same results)."),
        click.option("--workers", type=int,
                     help="Dask: worker processes of the local cluster, 1 thread each (default: CPU count)."),
        click.option("--scheduler", metavar="ADDRESS",
                     help="Dask: a running scheduler (tcp://host:8786) instead of a local cluster."),
        click.option("--parquet", "parquet_dir", type=click.Path(file_okay=False),
                     help="Dask: keep the events (and documents) as Parquet part files in this folder."),
        click.option("--partition-size", type=click.IntRange(min=1), default=32, show_default=True,
                     help="Dask: documents per task."),
    )):
        run = option(run)
    return run


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="marsad")
def main() -> None:
    """marsad (مرصد): Arabic conflict reporting -> ACLED-compatible event data."""


@main.command()
@click.argument("file", required=False)
@click.option("--input", "input_path", help="JSONL file of documents {id, text, published?, source?, url?, title?}; "
              "or a folder, HTML page, feed, Telegram result.json, WARC or http(s):// address (as for ingest).")
@click.option("--published", help="Publication date YYYY-MM-DD (anchors relative dates).")
@click.option("--source", help="Source name, e.g. \"18 March\".")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option("--explain", is_flag=True, help="Also write the candidate events that are not emitted, each with its "
              "confidence and reasons[\"dropped\"] saying why (rules, scope or threshold).")
@_scope_options
@_engine_options
def extract(file: str | None, input_path: str | None, published: str | None, source: str | None, fmt: str,
            explain: bool, dask: dict | None) -> None:
    """Extract coded events from FILE (or stdin, or --input docs.jsonl)."""
    from .serialize import CsvWriter, write_json, write_jsonl, write_table

    _check_date(published)
    docs, batch = _documents(file, input_path, published, source)
    collected = []
    csv_writer = CsvWriter(sys.stdout) if fmt == "csv" else None

    def emit(doc: Document, events: list) -> None:
        if fmt == "jsonl":
            write_jsonl(events, sys.stdout)
        elif csv_writer is not None:
            csv_writer.write(events)
        else:
            collected.extend(events)

    if explain and dask is not None:
        _fail("--explain needs --engine local")
    ok, failed = _run_extraction(docs, batch, emit, dask, explain=explain)
    if fmt == "json":
        write_json(collected, sys.stdout)
    elif fmt == "table":
        write_table(collected, sys.stdout)
    if batch:
        click.echo(f"marsad: {ok} document(s) processed, {failed} skipped", err=True)
        if ok == 0 and failed:
            sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--db", help="SQLite file path or database URL (default: marsad.sqlite in the user data dir).")
@click.option("--published", help="Publication date YYYY-MM-DD for documents that carry none (plain-text files).")
@click.option("--source", help="Source name for documents that name none (plain-text files).")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "none"]), default="none",
              help="Also print the events of newly ingested documents.")
@_scope_options
@_engine_options
def ingest(paths: tuple[str, ...], db: str | None, published: str | None, source: str | None, fmt: str,
           dask: dict | None) -> None:
    """Extract and store documents; re-ingesting changes nothing.

    PATHS are text files (.txt, .md), folders (read recursively), .jsonl files of documents,
    HTML pages (.html, .htm), RSS/Atom feeds (.xml, .rss, .atom), Telegram Desktop exports
    (result.json), WARC archives (.warc, .warc.gz), http(s):// addresses of a page or a feed,
    or - for stdin (text). Non-Arabic documents are skipped with the detected language.
    """
    from .serialize import write_jsonl, write_table
    from .store import Store

    _check_date(published)
    if not paths:
        _fail("give at least one file, folder or URL to ingest (text, .jsonl, HTML, feed, Telegram result.json, "
              "WARC, http(s):// address, or - for stdin)")
    store = Store(db)

    def docs() -> Iterator:
        from .sources import iter_documents

        yield from iter_documents(paths, published, source)

    new = skipped = unstored = 0
    printed = []
    from .sources import is_batch

    batch = is_batch(paths)

    def save(doc: Document, events: list) -> None:
        nonlocal new, skipped, unstored
        try:
            added = store.add(doc, events)
        except Exception as exc:  # a database error costs this document, never the batch
            if not batch:
                raise
            unstored += 1
            reason = next(iter(str(exc).strip().splitlines()), "")
            click.echo(f"marsad: skipped {_name(doc)}: not stored: {type(exc).__name__}: {reason[:300]}", err=True)
            return
        if added:
            new += 1
            printed.extend(events)
        else:
            skipped += 1

    if dask is not None and batch:  # extract on Dask into Parquet, then bulk-load and dedup in input order
        from .engine import ingest_batch

        new, skipped, failed, printed = ingest_batch(
            store, docs(), lambda message: click.echo(f"marsad: skipped {message}", err=True), **dask,
            keep_events=fmt != "none", info=lambda message: click.echo(f"marsad: {message}", err=True))
    else:
        _, failed = _run_extraction(_progress(docs(), "ingest"), batch, save)
        # events a killed bulk load (--engine dask) stored but never merged: merge them now
        left = store.dedup_pending()
        if left["events"]:
            click.echo(f"marsad: merged {left['events']} event(s) an interrupted ingest had left unmerged", err=True)
    if fmt == "table":
        write_table(printed, sys.stdout)
    elif fmt == "jsonl":
        write_jsonl(printed, sys.stdout)
    counts = store.counts()
    click.echo(
        f"marsad: {new} new document(s), {skipped} already stored, {failed} skipped as bad input"
        + (f", {unstored} not stored (database error)" if unstored else "") + "; "
        f"database {store.display_url} holds {counts['documents']} documents, {counts['canonical_events']} events "
        f"({counts['events']} reports of events)",
        err=True,
    )
    if unstored:  # good documents were lost to the database: say so in the exit status (a rerun stores them)
        click.echo(f"marsad: {unstored} document(s) could not be stored; run the same ingest again to store them",
                   err=True)
        sys.exit(1)


@main.command()
@click.argument("feeds_file", metavar="FEEDS.yaml")
@click.option("--db", help="SQLite file path or database URL (default: marsad.sqlite in the user data dir).")
@click.option("--once", is_flag=True, help="Poll the feeds that are due once, then exit (for cron and tests).")
@click.option("--quiet", "-q", is_flag=True, help="Log only warnings and errors.")
def watch(feeds_file: str, db: str | None, once: bool, quiet: bool) -> None:
    """Poll the RSS/Atom feeds listed in FEEDS.yaml and ingest their new items.

    FEEDS.yaml: "feeds:" lists URLs or {url, source, interval}; a top-level "interval" (seconds or
    30s/15m/2h/1d, default 15m) applies to the rest. Conditional requests (ETag/Last-Modified),
    items already seen are not extracted again, failing feeds back off exponentially; the state
    is kept in the database. Logs go to stderr.
    """
    import logging

    from .store import Store
    from .watch import WatchConfigError, Watcher, configure_logging, load_config

    try:
        feeds = load_config(feeds_file)
    except WatchConfigError as exc:
        _fail(str(exc))
    configure_logging(logging.WARNING if quiet else logging.INFO)
    store = Store(db)
    watcher = Watcher(store, feeds)
    results = []
    try:
        results = watcher.run(once=once)
    except KeyboardInterrupt:
        click.echo("marsad: watch stopped", err=True)
        return
    finally:
        watcher.close()
    polled = [r for r in results if r.status != "not-due"]
    errors = sum(r.status == "error" for r in results)
    click.echo(
        f"marsad: {len(polled)} feed(s) polled, {len(results) - len(polled)} not due; "
        f"{sum(r.new for r in results)} new document(s), {sum(r.status == 'not-modified' for r in results)} not modified, "
        f"{errors} failed; database {store.display_url}",
        err=True,
    )
    if polled and errors == len(polled):
        sys.exit(1)


@main.command()
@click.option("--db", help="SQLite file path or database URL (postgresql://user:pw@host/db).")
@click.option("--show", "show", is_flag=True, help="Print every merge (which events, why) as JSON lines.")
def dedup(db: str | None, show: bool) -> None:
    """Re-run cross-source deduplication over every stored event (ingest already does it per document)."""
    from .store import Store

    store = Store(db)
    stats = store.dedup()
    if show:
        with store.engine.connect() as conn:
            from sqlalchemy import select

            from .store import merges

            for m in conn.execute(select(merges).order_by(merges.c.id)):
                row = dict(m._mapping)
                row["reasons"] = json.loads(row["reasons"])
                click.echo(json.dumps(row, ensure_ascii=False))
    click.echo(f"marsad: {stats['events']} reports of events -> {stats['canonical_events']} events "
               f"({stats['merged']} merged); database {store.display_url}", err=True)


@main.command()
@click.option("--db", help="SQLite file path or database URL (postgresql://user:pw@host/db).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="uvicorn worker processes.")
def serve(db: str | None, host: str, port: int, workers: int) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs). POST /api/documents needs MARSAD_TOKEN (Bearer)."""
    import os

    import uvicorn

    from .api import resolve_token
    from .store import Store

    store = Store(db)  # migrate once, up front, and fail early on a bad URL
    os.environ["MARSAD_DB"] = store.url
    if resolve_token() is None:
        click.echo("marsad: no MARSAD_TOKEN or config token: POST /api/documents is disabled (503)", err=True)
    click.echo(f"marsad: serving {store.display_url} on http://{host}:{port} (API docs: /docs)", err=True)
    uvicorn.run("marsad.api.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning")


@main.command()
@click.option("--db", help="SQLite file path or database URL.")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "json", "table"]), default="csv", show_default=True)
@click.option("--reports", is_flag=True, help="Every report's own events instead of the deduplicated events.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), help="Only events the scorer rates at least this.")
@click.option("--status", help="Only events of these review statuses, comma-separated: machine, confirmed, corrected, "
                               "rejected, or reviewed (confirmed and corrected). Default: every event not rejected.")
@click.option("--deletions", is_flag=True, help="The events re-extraction deleted (id, date, when, why) instead.")
def export(db: str | None, fmt: str, reports: bool, min_confidence: float | None, status: str | None,
           deletions: bool) -> None:
    """Export every stored event, deduplicated across sources (CSV: the 31 ACLED columns first, in ACLED order)."""
    from .serialize import WRITERS
    from .store import ReviewError, Store
    from .store.review import parse_statuses

    if deletions:
        from .serialize import write_records

        write_records(Store(db).list_deletions(), fmt, sys.stdout)
        return

    try:
        statuses = parse_statuses(status)
    except ReviewError as exc:
        _fail(str(exc))
    if reports and statuses:
        _fail("--status applies to the deduplicated events, not to --reports")
    WRITERS[fmt](Store(db).iter_events(canonical=not reports, min_confidence=min_confidence, status=statuses),
                 sys.stdout)


@main.command()
@click.option("--acled", "acled_path", required=True, metavar="FILE",
              help="An ACLED export (CSV with ACLED's column names; '-' reads stdin).")
@click.option("--db", help="SQLite file path or database URL.")
@click.option("--start", help="First day compared, YYYY-MM-DD (default: the first day of marsad's events).")
@click.option("--end", help="Last day compared, YYYY-MM-DD (default: the last day of marsad's events).")
@click.option("--admin1", help="Only this governorate (ACLED spelling, e.g. Dara), on both sides.")
@click.option("--event-type", help="Only this event type, on both sides.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), help="Only marsad events the scorer rates at least this.")
@click.option("--status", help="Only marsad events of these review statuses, comma-separated (default: every event "
                               "not rejected).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--csv", "csv_path", metavar="PATH", help="Also write one row per aligned pair or unmatched event.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(0),
              help="With --format table: events listed per section.")
def compare(acled_path: str, db: str | None, start: str | None, end: str | None, admin1: str | None,
            event_type: str | None, min_confidence: float | None, status: str | None, fmt: str,
            csv_path: str | None, limit: int) -> None:
    """Compare marsad's events with an ACLED export: matched pairs (by marsad evaluate's rules),
    marsad-only and ACLED-only events, and per-field disagreements, by event type and governorate."""
    from .compare import AcledError, compare_store, decode, format_report, read_acled, write_csv
    from .nlp.dates import parse_iso
    from .store import EventFilter, ReviewError, Store
    from .store.review import parse_statuses

    for name, value in (("--start", start), ("--end", end)):
        if value and parse_iso(value) is None:
            _fail(f"{name} {value!r} is not a date in YYYY-MM-DD form")
    if start and end and start > end:
        _fail(f"--start {start} is after --end {end}")
    try:
        statuses = parse_statuses(status)
    except ReviewError as exc:
        _fail(str(exc))
    if acled_path != "-" and not Path(acled_path).is_file():
        _fail(f"{acled_path}: no such file")
    try:
        data = sys.stdin.buffer.read() if acled_path == "-" else Path(acled_path).read_bytes()
        acled = read_acled(decode(data, acled_path), acled_path)
    except AcledError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{acled_path}: {exc.strerror}")
    store = Store(db)
    flt = EventFilter(date_from=start, date_to=end, min_confidence=min_confidence, status=statuses,
                      admin1=store.spelling("admin1", admin1) if admin1 else None,
                      event_type=store.spelling("event_type", event_type) if event_type else None)
    report = compare_store(store, acled, flt)
    if csv_path:
        try:
            with open(csv_path, "w", encoding="utf-8", newline="") as fh:
                write_csv(report, fh)
        except OSError as exc:
            _fail(f"{csv_path}: {exc.strerror}")
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        click.echo(format_report(report, name=Path(acled_path).name if acled_path != "-" else "ACLED (stdin)",
                                 limit=limit))


@main.command()
@click.option("--db", help="SQLite file path or database URL.")
@click.option("--ner/--no-ner", "use_ner", default=None,
              help="Use the NER model for names the knowledge base misses (default: on; MARSAD_NER=0 turns it off).")
@_scope_options
def reextract(db: str | None, use_ner: bool | None) -> None:
    """Re-code every stored document with the current coder. Events that are still the same keep
    their ids; events that disappear are recorded as deletions (marsad export --deletions);
    reviewed values are kept. Prints what changed."""
    from .extract import extract as extract_doc
    from .reextract import reextract as run
    from .reextract import summary_text
    from .store import Store

    store = Store(db)
    summary = run(store, lambda doc: extract_doc(doc, ner=use_ner),
                  progress=lambda items, n: _progress(items, "reextract", n))
    click.echo(summary_text(summary))
    if summary.failed:
        sys.exit(1)


@main.command()
@click.argument("event_id", required=False)
@click.option("--db", help="SQLite file path or database URL.")
@click.option("--confirm", "action", flag_value="confirmed", help="The machine's coding is right.")
@click.option("--reject", "action", flag_value="rejected", help="Not an event to code (give --reason).")
@click.option("--set", "changes", multiple=True, metavar="FIELD=VALUE",
              help="Correct a field (repeatable): event_type, sub_event_type, event_date, fatalities, actor1, actor2, "
                   "assoc_actor_1, assoc_actor_2, gazetteer_id (the place, by gazetteer id), notes.")
@click.option("--reason", help="Why (required to reject); kept in the audit log.")
@click.option("--reviewer", default=lambda: getpass.getuser(), show_default="your login name",
              help="Who reviews, for the audit log.")
@click.option("--history", is_flag=True, help="Print the event's review history instead of changing it.")
@click.option("--queue", is_flag=True, help="List the events nobody has reviewed, least confident first.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1), help="With --queue: how many.")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True)
def review(event_id: str | None, db: str | None, action: str | None, changes: tuple[str, ...], reason: str | None,
           reviewer: str, history: bool, queue: bool, limit: int, fmt: str) -> None:
    """Review a stored event: confirm it, reject it or correct fields; every change goes to the audit log.
    Reviewed values win over later machine codings (a disagreement is flagged as a conflict)."""
    from .model import Event
    from .serialize import WRITERS
    from .store import EventFilter, ReviewError, Store

    store = Store(db)
    if queue:
        _, rows = store.query_events(EventFilter(status=["machine"]), limit=limit, order="confidence")
        WRITERS[fmt](iter(Event.from_dict(r) for r in rows), sys.stdout)
        return
    if not event_id:
        _fail("give an EVENT_ID (or --queue)")
    if history:
        entries = store.history(event_id)
        if not entries:
            click.echo(f"{event_id}: never reviewed")
        for h in entries:
            change = f" {h['field']}: {h['old']!r} -> {h['new']!r}" if h["field"] else ""
            why = f" ({h['reason']})" if h["reason"] else ""
            click.echo(f"{h['at']}  {h['reviewer'] or '-'}  {h['action']}{change}{why}")
        return
    fields: dict[str, str] = {}
    for item in changes:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            _fail(f"--set takes FIELD=VALUE, not {item!r}")
        fields[name.strip()] = value.strip()
    if fields and action:
        _fail("--set corrects fields; it does not go with --confirm or --reject")
    status = "corrected" if fields else action
    if status is None:
        _fail("say what to do: --confirm, --reject --reason ..., --set FIELD=VALUE, --history or --queue")
    try:
        detail = store.review(event_id, status, fields, reason=reason, reviewer=reviewer)
    except ReviewError as exc:
        _fail(str(exc))
    click.echo(f"{detail['event_id_cnty']}: {detail['review_status']}"
               + (f" (conflict with the machine: {', '.join(detail['review']['conflict'])})"
                  if detail["review"] and detail["review"]["conflict"] else ""))


@main.command()
@click.option("--gold", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="JSONL of reference codings (examples/*.expected.json shape plus \"text\"); repeatable.")
@click.option("--places", "places_gold", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="JSONL of hand-resolved place mentions (eval/gold/geocode_dev.jsonl) to score the geocoder; repeatable.")
@click.option("--errors", "show_errors", is_flag=True, help="With --places: list every wrong mention and why.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--ner/--no-ner", "use_ner", default=None,
              help="Use the NER model for names the knowledge base misses (default: on; MARSAD_NER=0 turns it off).")
@click.option("--sentences", "sentence_gold", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="JSONL of labelled sentences (eval/gold/sentences_*.jsonl): P/R/F1 of violent events and "
                   "demonstrations extracted from each sentence alone (events anywhere count); repeatable.")
@click.option("--calibration", is_flag=True, help="With --gold: the scorer's reliability table and Brier score.")
@click.option("--min-confidence", type=click.FloatRange(0, 1),
              help="Score the events rated at least this (default: the shipped threshold).")
def evaluate(gold: tuple[str, ...], places_gold: tuple[str, ...], show_errors: bool, as_json: bool,
             use_ner: bool | None, sentence_gold: tuple[str, ...], calibration: bool,
             min_confidence: float | None) -> None:
    """Score extraction against reference codings per field (--gold), the geocoder (--places), or
    sentence-level detection (--sentences)."""
    if not gold and not places_gold and not sentence_gold:
        _fail("give --gold FILE (events), --places FILE (place mentions) and/or --sentences FILE")
    report: dict = {}
    if places_gold:
        from .geo.evaluate import evaluate_places, format_place_scores, load_place_gold

        try:
            pdocs = [d for path in places_gold for d in load_place_gold(path)]
        except (ValueError, KeyError) as exc:
            _fail(str(exc))
        pscores = evaluate_places(_progress(iter(pdocs), "geocode", len(pdocs)))
        report["places"] = pscores.to_dict()
        if not as_json:
            click.echo(format_place_scores(pscores, show_errors))
    if gold:
        from .evaluate import evaluate as run_eval
        from .evaluate import format_reliability, format_scores, label_candidates, load_gold, reliability
        from .extract import DROPPED_ABROAD, DROPPED_BY_RULES, DROPPED_UNDATED
        from .extract import extract as extract_doc

        try:
            docs = [d for path in gold for d in load_gold(path)]
        except ValueError as exc:
            _fail(str(exc))
        scored: list[tuple[float, int]] = []

        def run(d: dict) -> list:
            source = d.get("source")
            every = extract_doc(Document(text=d["text"], url=d.get("url"), published=d.get("published"),
                                         source=source, id=d.get("doc_id")), ner=use_ner,
                                min_confidence=min_confidence, explain=True)
            # the candidates the scorer decides on: accepted by the rules and inside the scope
            out_of_scope = (DROPPED_BY_RULES, DROPPED_ABROAD, DROPPED_UNDATED)
            judged = [e for e in every if not e.reasons.get("dropped", "").startswith(out_of_scope)]
            for e, label in zip(judged, label_candidates(d.get("events", []), judged), strict=True):
                if label is not None:
                    scored.append((e.confidence, label))
            return [e for e in every if not e.reasons.get("dropped")]

        scores = run_eval(_progress(iter(docs), "evaluate", len(docs)), run)
        report["events"] = scores.to_dict()
        if calibration:
            report["events"]["calibration"] = reliability(scored)
        if not as_json:
            click.echo(format_scores(scores))
            if calibration:
                click.echo(format_reliability(report["events"]["calibration"]))
    if sentence_gold:
        from .evaluate import SENTENCE_GROUPS, format_sentence_scores, score_sentences
        from .extract import extract as extract_doc

        records = [json.loads(line) for path in sentence_gold for line in open(path, encoding="utf-8") if line.strip()]

        def predict(rec: dict) -> set[str]:
            try:
                events = extract_doc(Document(text=rec["text"]), ner=use_ner, min_confidence=min_confidence,
                                     all_countries=True)
            except InputError:
                return set()
            return {SENTENCE_GROUPS.get(e.event_type, "none") for e in events}

        report["sentences"] = score_sentences(_progress(iter(records), "sentences", len(records)), predict)
        if not as_json:
            click.echo(format_sentence_scores(report["sentences"]))
    if as_json:
        # one set of scores keeps the shape it always had
        only = len(report) == 1
        click.echo(json.dumps(report["events"] if only and "events" in report
                              else report["places"] if only and "places" in report else report,
                              ensure_ascii=False, indent=2))


@main.command()
@click.argument("name")
@click.option("--context", help="The sentence the name occurs in (helps disambiguation).")
@click.option("--admin1", help="Keep candidates in this governorate (ACLED spelling, e.g. Dara).")
def geocode(name: str, context: str | None, admin1: str | None) -> None:
    """Gazetteer candidates for an Arabic place NAME, with scores and reasons (JSON)."""
    from .geo.geocoder import geocode as run

    click.echo(json.dumps(run(name, context, admin1), ensure_ascii=False, indent=2))


@main.command()
@click.argument("file")
@click.option("--conll", is_flag=True,
              help="FILE is CoNLL: one token per line (a tag after whitespace is ignored), blank line between sentences.")
def ner(file: str, conll: bool) -> None:
    """Tag named entities in FILE (or - for stdin): token<TAB>tag lines, BIO over PERS/LOC/ORG/MISC.

    The file is read as one document (a name is recognised from its other mentions nearby).
    Without --conll, FILE is plain text: one sentence block per line, split into tokens on
    whitespace and punctuation.
    """
    from .ner import load_model, tokenize

    text = _read_one_text(file)
    sentences = _conll_sentences(text) if conll else [[t for _, _, t in tokenize(line)] for line in text.splitlines()]
    sentences = [s for s in sentences if s]
    if not sentences:
        _fail(f"{file}: no tokens to tag")
    try:
        model = load_model()
    except FileNotFoundError as exc:
        _fail(str(exc))
    out = sys.stdout
    for i, (tokens, tags) in enumerate(zip(sentences, model.tag_sentences(sentences), strict=True)):
        if i:
            out.write("\n")
        for token, tag in zip(tokens, tags, strict=True):
            out.write(f"{token}\t{tag}\n")


def _conll_sentences(text: str) -> list[list[str]]:
    """Token lists of a CoNLL text: first field of each line; blank lines (and -DOCSTART-) end a sentence."""
    sentences: list[list[str]] = [[]]
    for line in text.splitlines():
        fields = line.split()
        if not fields or fields[0] == "-DOCSTART-":
            if sentences[-1]:
                sentences.append([])
            continue
        sentences[-1].append(fields[0])
    return sentences


@main.group()
def gazetteer() -> None:
    """The packaged gazetteer."""


@gazetteer.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
def gazetteer_export(fmt: str) -> None:
    """Write the gazetteer: name_ar, name_en, aliases, feature_type, latitude, longitude, admin1-3, pcode."""
    import csv

    from .kb import get_kb

    w = csv.writer(sys.stdout)
    w.writerow(["name_ar", "name_en", "aliases", "feature_type", "latitude", "longitude", "admin1", "admin2",
                "admin3", "pcode", "location", "id"])
    for p in get_kb().places:
        aliases = "|".join(dict.fromkeys([*p["names_norm"], *p["aliases_en"]]))
        w.writerow([p["name_ar"], p["name_en"], aliases, p["feature_type"], p["lat"], p["lon"], p["admin1"],
                    p["admin2"], p["admin3"], p["pcode"], p["location"], p["id"]])


def _check_date(value: str | None) -> None:
    from .nlp.dates import parse_iso

    if value and parse_iso(value) is None:
        _fail(f"--published {value!r} is not a date in YYYY-MM-DD form")


if __name__ == "__main__":
    main()
