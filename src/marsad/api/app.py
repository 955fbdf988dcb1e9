"""Routes of the HTTP API. Every list and export serves canonical (deduplicated) events.

- ``GET /api/events``: filters (date range, admin1-3, event and sub-event type, actor substring,
  outlet, bbox, text search) and pagination; ``{"total", "limit", "offset", "events": [...]}``.
  ``order=``: ``date`` (newest first, the default), or a column (``event_date``, ``fatalities``,
  ``event_type``, ``sub_event_type``, ``location``, ``admin1``, ``confidence``) ascending, with a
  leading ``-`` descending (``-fatalities``: deadliest first); empty values last.
- ``GET /api/events.csv|.geojson|.parquet``: the same filters, every matching event by default.
- ``GET /api/facets``: the same filters; how many matching events each value of a facet has
  (event type, sub-event type, governorate, actor, outlet, review status), most frequent first:
  ``{"total", "facets": {name: {"values": [{"value", "count"}], "truncated"}}}``. ``facet=`` picks
  facets (repeat it or separate by commas), ``size=`` caps the values per facet (default 20). Each
  facet is named after the filter its values set (``source=`` keeps the events an outlet reported).
- ``GET /api/events/{id}``: one event (by its id or the id of any report merged into it) with its
  reports, each field's evidence per source document, the documents and the merge explanations.
- ``POST /api/events/{id}/review``: confirm, reject or correct an event (token); ``GET
  /api/events/{id}/history``: its audit log. ``status=`` filters every list and export by review
  status (default: every event not rejected); ``order=confidence`` lists the least confident first
  (the review queue: ``/api/events?status=machine&order=confidence``).
- ``GET /api/deletions``: the events re-extraction deleted (ACLED's deletions list).
- ``GET /api/documents/{doc_id}``: a stored report, its text and metadata.
- ``POST /api/documents``: ingest one report (``Authorization: Bearer <token>``).
- ``POST /api/compare``: an ACLED export (CSV) as the body (``Content-Type: text/csv``); answers how
  the stored events align with it (``marsad compare --format json``): matched, marsad-only and
  ACLED-only events and per-field disagreements. The filters of ``/api/events`` apply (the date
  range is the compared window). No token: it writes nothing.
- ``GET /api/health``; OpenAPI at ``/docs`` and ``/openapi.json``.
- ``GET /``: the web map (``static/index.html``, served with a strict Content-Security-Policy);
  its script, styles, Leaflet, Leaflet.markercluster, the offline governorate boundaries and
  place labels (``boundaries/syr_places.geojson``, ``scripts/build_place_labels.py``) under ``/static``.
- ``GET /compare``: the page that posts an ACLED file to ``/api/compare`` and shows the report.
"""


import hmac
import io
import json
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, ValidationError

from .. import __version__
from ..model import ACLED_COLUMNS, Document, Event
from ..serialize import CsvWriter
from ..store import EXACT_FIELDS, FACETS, ORDERS, EventFilter, ReviewError, Store, UnknownEvent
from ..store.review import EDITABLE, REVIEW_ACTIONS, parse_statuses

#: Largest accepted request body of ``POST /api/documents`` (the JSON, text included).
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
#: Largest accepted ACLED file of ``POST /api/compare`` (a year of ACLED's Syria events is ~10 MB).
MAX_ACLED_BYTES = 64 * 1024 * 1024
MAX_PAGE = 1000
#: Most values per facet ``GET /api/facets`` answers.
MAX_FACET_SIZE = 200
#: Largest limit/offset accepted: beyond a 64-bit SQL integer a database cannot take them (and no
#: store holds this many events).
MAX_ROWS = 2 ** 53
EXTRA_FIELDS = ("doc_ref", "gazetteer_id", "confidence", "n_reports", "n_sources", "review_status")
STATIC_DIR = Path(__file__).resolve().parent / "static"
#: The web page's policy: its own script and styles only (no inline script), data from its own API;
#: images from itself, plus OpenStreetMap's tile server for the optional online base map.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https://tile.openstreetmap.org; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
PAGE_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "Cache-Control": "no-cache"}


async def _read_body(request: Request, limit: int, what: str) -> bytearray:
    """The request body, refused with 413 as soon as it (or its declared length) passes ``limit``."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"{what} larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"{what} larger than {limit} bytes")
    return body


def config_path() -> Path:
    if os.environ.get("MARSAD_CONFIG"):
        return Path(os.environ["MARSAD_CONFIG"])
    from platformdirs import user_config_dir

    return Path(user_config_dir("marsad", appauthor=False)) / "config.toml"


def resolve_token() -> str | None:
    """The write token: ``MARSAD_TOKEN``, else ``token = "..."`` in the config file
    (``MARSAD_CONFIG`` or ``~/.config/marsad/config.toml``); None when neither sets one."""
    token = os.environ.get("MARSAD_TOKEN", "").strip()
    if token:
        return token
    path = config_path()
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            return None
        value = str(data.get("token") or "").strip()
        return value or None
    return None


class NewDocument(BaseModel):
    text: str = Field(min_length=1, description="The report's text (Arabic).")
    published: str | None = Field(None, description="Publication date YYYY-MM-DD; anchors relative dates.")
    source: str | None = Field(None, description='Outlet name as analysts know it, e.g. "18 March".')
    url: str | None = None
    title: str | None = None


class ReviewRequest(BaseModel):
    status: str = Field(description=f"One of {', '.join(REVIEW_ACTIONS)} (a correction: 'corrected' with changes).")
    changes: dict[str, Any] = Field(default_factory=dict,
                                    description=f"Corrected fields: {', '.join(EDITABLE)} (gazetteer_id sets the place).")
    reason: str | None = Field(None, description="Why; required to reject.")
    reviewer: str | None = Field(None, description="Who reviews, for the audit log.")


_EVENT_FIELDS = tuple(ACLED_COLUMNS) + EXTRA_FIELDS


def _event_json(row: dict[str, Any]) -> dict[str, Any]:
    return {c: row.get(c) for c in _EVENT_FIELDS}


class FastJSONResponse(JSONResponse):
    """JSON encoded by orjson: the same document as ``JSONResponse`` (compact, UTF-8), several times
    faster for a page of events (a float may be spelled differently: 1e-05 is 0.00001, the same number)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def create_app(db: str | Store | None = None, token: str | None = None, *, token_from_env: bool = True,
               max_document_bytes: int = MAX_DOCUMENT_BYTES, max_acled_bytes: int = MAX_ACLED_BYTES) -> FastAPI:
    """The API over a store. ``token`` overrides ``MARSAD_TOKEN``/config (read once, at start)."""
    store = db if isinstance(db, Store) else Store(db)
    write_token = token if token is not None else (resolve_token() if token_from_env else None)

    app = FastAPI(
        title="marsad",
        version=__version__,
        description="ACLED-style events coded from Arabic reporting on Syria, deduplicated across outlets, "
                    "each field backed by the words of its sources.",
    )
    app.state.store = store
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def web_page() -> FileResponse:
        """The web map: filters, timeline, events table and the event view with its evidence."""
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)

    @app.get("/compare", include_in_schema=False)
    def compare_page() -> FileResponse:
        """Compare with ACLED: pick an ACLED export, see what matches, what marsad adds and what it misses."""
        return FileResponse(STATIC_DIR / "compare.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)

    async def filters(
        date_from: Annotated[str | None, Query(description="Earliest event_date, YYYY-MM-DD.")] = None,
        date_to: Annotated[str | None, Query(description="Latest event_date, YYYY-MM-DD.")] = None,
        admin1: str | None = None,
        admin2: str | None = None,
        admin3: str | None = None,
        event_type: str | None = None,
        sub_event_type: str | None = None,
        actor: Annotated[str | None, Query(description="Substring of actor1, actor2 or an associated actor.")] = None,
        bbox: Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat (WGS84).")] = None,
        q: Annotated[str | None, Query(description="Text search: note, location, actors, source, or source text.")] = None,
        min_confidence: Annotated[float | None, Query(ge=0, le=1, allow_inf_nan=False,
                                                      description="Only events the scorer rates at least this (0-1).")] = None,
        status: Annotated[str | None, Query(description="Review statuses, comma-separated: machine, confirmed, corrected, "
                                                        "rejected, reviewed. Default: every event not rejected.")] = None,
        source: Annotated[str | None, Query(description="An outlet (any case): events one of whose reports it "
                                                        "published.")] = None,
    ) -> EventFilter:
        box = None
        if bbox:
            try:
                box = tuple(float(x) for x in bbox.split(","))
            except ValueError:
                box = ()
            if len(box) != 4 or box[0] > box[2] or box[1] > box[3]:
                raise HTTPException(422, "bbox must be minlon,minlat,maxlon,maxlat")
        for name, value in (("date_from", date_from), ("date_to", date_to)):
            if value and not _is_date(value):
                raise HTTPException(422, f"{name} must be a date YYYY-MM-DD")
        try:
            statuses = parse_statuses(status)
        except ReviewError as exc:
            raise HTTPException(422, str(exc)) from None
        return EventFilter(date_from, date_to, admin1, admin2, admin3, event_type, sub_event_type, actor, box, q,
                           min_confidence, statuses, source=source or None)

    #: The filters of a request, checked on the event loop (no database: no hop to a worker thread);
    #: the route's body, in a worker thread, gives them the stored spellings (``exact``).
    Filters = Annotated[EventFilter, Depends(filters)]

    def exact(flt: EventFilter) -> EventFilter:
        """``flt`` with the stored spelling of its exact fields ("dara" -> "Dara"; a new value is
        looked up in the database, so this runs in the route's worker thread)."""
        for name in EXACT_FIELDS:
            if getattr(flt, name):
                setattr(flt, name, store.spelling(name, getattr(flt, name)))
        return flt

    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, Any]:
        counts = store.counts()
        return {"status": "ok", "version": __version__, "database": store.engine.dialect.name,
                "documents": counts["documents"], "events": counts["canonical_events"],
                "reports": counts["events"], "writable": write_token is not None}

    @app.get("/api/events", tags=["events"])
    def list_events(
        flt: Filters,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        offset: Annotated[int, Query(ge=0, le=MAX_ROWS)] = 0,
        order: Annotated[str, Query(pattern="^(" + "|".join(ORDERS) + ")$",
                                    description="date: newest first; a column, ascending, or descending with a leading "
                                                "'-' (-fatalities: deadliest first); confidence: least confident first. "
                                                "Empty values last.")] = "date",
    ) -> JSONResponse:
        total, rows = store.query_events(exact(flt), limit, offset, order=order, columns=_EVENT_FIELDS)
        return FastJSONResponse({"total": total, "limit": limit, "offset": offset, "events": rows})

    @app.get("/api/facets", tags=["events"])
    def facets(
        flt: Filters,
        facet: Annotated[list[str] | None, Query(description=f"Facets to count: {', '.join(FACETS)} (repeat, or "
                                                             "comma-separated). Default: all.")] = None,
        size: Annotated[int, Query(ge=1, le=MAX_FACET_SIZE, description="Most values per facet.")] = 20,
    ) -> JSONResponse:
        """How many of the matching events each value of a facet has, most frequent first (datasette's facets):
        ``{"total", "facets": {name: {"values": [{"value", "count"}], "truncated"}}}``. A facet is named after
        the filter its values set; ``actor`` counts actor1 and actor2, ``source`` the outlets of the reports."""
        names = [n.strip() for f in (facet or FACETS) for n in f.split(",") if n.strip()]
        unknown = [n for n in names if n not in FACETS]
        if unknown:
            raise HTTPException(422, f"unknown facet {unknown[0]!r}: one of {', '.join(FACETS)}")
        return FastJSONResponse(store.facets(exact(flt), list(dict.fromkeys(names)), size))

    def _export_rows(flt: EventFilter, limit: int | None, offset: int) -> list[dict[str, Any]]:
        return store.query_events(exact(flt), limit, offset, with_total=False)[1]

    @app.get("/api/events.csv", tags=["exports"], response_class=Response)
    def events_csv(flt: Filters, limit: Annotated[int | None, Query(ge=1, le=MAX_ROWS)] = None,
                   offset: Annotated[int, Query(ge=0, le=MAX_ROWS)] = 0) -> Response:
        """CSV: the 31 ACLED columns first, in ACLED order, then marsad's own columns."""
        buf = io.StringIO()
        writer = CsvWriter(buf)
        writer.write(Event.from_dict(r) for r in _export_rows(flt, limit, offset))
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="marsad_events.csv"'})

    @app.get("/api/events.geojson", tags=["exports"])
    def events_geojson(flt: Filters, limit: Annotated[int | None, Query(ge=1, le=MAX_ROWS)] = None,
                       offset: Annotated[int, Query(ge=0, le=MAX_ROWS)] = 0) -> Response:
        """A GeoJSON FeatureCollection (RFC 7946): one Point per event (null geometry if not geocoded)."""
        features = []
        for r in _export_rows(flt, limit, offset):
            lat, lon = r.get("latitude"), r.get("longitude")
            geometry = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
            features.append({"type": "Feature", "id": r["event_id_cnty"], "geometry": geometry,
                             "properties": _event_json(r)})
        body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
        return Response(body, media_type="application/geo+json")

    @app.get("/api/events.parquet", tags=["exports"], response_class=Response)
    def events_parquet(flt: Filters, limit: Annotated[int | None, Query(ge=1, le=MAX_ROWS)] = None,
                       offset: Annotated[int, Query(ge=0, le=MAX_ROWS)] = 0) -> Response:
        """Apache Parquet with the ACLED columns (typed) and marsad's own columns."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows = [_event_json(r) for r in _export_rows(flt, limit, offset)]
        ints = {"year", "time_precision", "iso", "geo_precision", "fatalities", "timestamp", "n_reports", "n_sources"}
        floats = {"latitude", "longitude", "confidence"}
        names = list(ACLED_COLUMNS) + list(EXTRA_FIELDS)
        schema = pa.schema([(n, pa.int64() if n in ints else pa.float64() if n in floats else pa.string()) for n in names])
        table = pa.Table.from_pylist(rows, schema=schema)
        sink = io.BytesIO()
        pq.write_table(table, sink)
        return Response(sink.getvalue(), media_type="application/vnd.apache.parquet",
                        headers={"Content-Disposition": 'attachment; filename="marsad_events.parquet"'})

    @app.get("/api/events/{event_id}", tags=["events"])
    def get_event(event_id: str) -> JSONResponse:
        detail = store.event_detail(event_id)
        if detail is None:
            raise HTTPException(404, f"no event {event_id!r}")
        return JSONResponse(detail)

    @app.get("/api/deletions", tags=["events"])
    def list_deletions() -> JSONResponse:
        """Events a re-extraction (``marsad reextract``) deleted: id, event date, when, why."""
        return JSONResponse(store.list_deletions())

    @app.get("/api/documents/{doc_id}", tags=["documents"])
    def get_document(doc_id: str) -> JSONResponse:
        doc = store.get_document(doc_id)
        if doc is None:
            raise HTTPException(404, f"no document {doc_id!r}")
        return JSONResponse(doc)

    def require_token(request: Request) -> None:
        if write_token is None:
            raise HTTPException(503, "writing is disabled: no token configured (set MARSAD_TOKEN or token in "
                                     f"{config_path()})")
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), write_token.encode()):
            raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})

    @app.post("/api/events/{event_id}/review", tags=["review"], dependencies=[Depends(require_token)])
    def review_event(event_id: str, body: ReviewRequest) -> JSONResponse:
        """Confirm, reject (with a reason) or correct an event; each change goes to its audit log.
        Answers the event as it now is, with its review and history."""
        try:
            detail = store.review(event_id, body.status, body.changes, reason=body.reason, reviewer=body.reviewer)
        except ReviewError as exc:
            raise HTTPException(404 if isinstance(exc, UnknownEvent) else 422, str(exc)) from None
        return JSONResponse(detail)

    @app.get("/api/events/{event_id}/history", tags=["review"])
    def event_history(event_id: str) -> JSONResponse:
        """The event's review history (who, when, field, old, new, reason), oldest first."""
        if store.canonical_id(event_id) is None:
            raise HTTPException(404, f"no event {event_id!r}")
        return JSONResponse(store.history(event_id))

    @app.post("/api/documents", tags=["documents"], status_code=201, dependencies=[Depends(require_token)],
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": NewDocument.model_json_schema()}}}})
    async def post_document(request: Request) -> JSONResponse:
        """Ingest one report: store it, extract its events and merge them with the other outlets'.

        201 with the new events; 200 when the same document was already stored (nothing changes).
        """
        body = await _read_body(request, max_document_bytes, "document")
        try:
            payload = NewDocument.model_validate_json(bytes(body))
        except ValidationError as exc:
            # without the input: it may hold NaN or an infinity, which a JSON answer cannot carry
            raise HTTPException(422, json.loads(exc.json(include_url=False, include_input=False))) from None
        if payload.published and not _is_date(payload.published):
            raise HTTPException(422, "published must be a date YYYY-MM-DD")
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(_ingest, payload)

    def _ingest(payload: NewDocument) -> JSONResponse:
        from ..errors import InputError
        from ..extract import extract

        doc = Document(text=payload.text, url=payload.url, title=payload.title, source=payload.source,
                       published=payload.published)
        if store.has_document(doc.doc_id):
            return JSONResponse(_ingest_result(doc.doc_id, False), status_code=200)
        try:
            doc_events = extract(doc)
        except InputError as exc:
            raise HTTPException(422, str(exc)) from None
        created = store.add(doc, doc_events)
        return JSONResponse(_ingest_result(doc.doc_id, created), status_code=201 if created else 200)

    def _ingest_result(doc_id: str, created: bool) -> dict[str, Any]:
        doc = store.get_document(doc_id) or {"events": []}
        return {"doc_id": doc_id, "created": created,
                "events": [{"event_id": e["event_id_cnty"], "canonical_id": e["canonical_id"]} for e in doc["events"]]}

    @app.post("/api/compare", tags=["compare"],
              openapi_extra={"requestBody": {"required": True, "content": {
                  "text/csv": {"schema": {"type": "string", "description": "An ACLED export (CSV)."}}}}})
    async def compare_acled(request: Request, flt: Filters) -> JSONResponse:
        """Align the stored events (those the filters keep; date_from/date_to: the compared window, by
        default the dates of the stored events) with an ACLED export sent as the body, by the matching
        rules of ``marsad evaluate``. Answers the report of ``marsad compare --format json``: window,
        counts (matched, marsad_only, acled_only), per-field disagreements on matched pairs, counts by
        event type and by admin1, and one record per aligned pair or unmatched event. 422 for a file
        that is not an ACLED export; rows with a bad value are skipped and counted."""
        if request.headers.get("content-type", "").lower().startswith("multipart/"):
            raise HTTPException(415, "send the CSV file itself as the body (Content-Type: text/csv), not a form")
        body = await _read_body(request, max_acled_bytes, "ACLED file")
        if flt.date_from and flt.date_to and flt.date_from > flt.date_to:
            raise HTTPException(422, "date_from is after date_to")
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(_compare, bytes(body), flt)

    def _compare(data: bytes, flt: EventFilter) -> JSONResponse:
        from ..compare import AcledError, compare_store, decode, read_acled

        try:
            acled = read_acled(decode(data, "ACLED file"), "ACLED file")
        except AcledError as exc:
            raise HTTPException(422, str(exc)) from None
        return JSONResponse(compare_store(store, acled, exact(flt)).to_dict())

    return app


def _is_date(value: str) -> bool:
    from ..nlp.dates import parse_iso

    return parse_iso(value) is not None



def app_from_env() -> FastAPI:
    """uvicorn factory for ``marsad serve`` (also with several workers): the store named by ``MARSAD_DB``."""
    return create_app(os.environ.get("MARSAD_DB"))
