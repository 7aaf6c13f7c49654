"""The workbench: one FastAPI app serving the REST API under /api, the offline web UI and /docs.

The app holds one read-only DuckDB connection (casus.storefile.SharedReader); each request reads
through its own `cursor()` (DuckDB connections are not thread-safe, cursors are the idiom for
threads), and the connection is given up whenever a writer waits, so `casus ingest` runs beside
the server. A POST that stores opens the store read-write for that one batch. The spaCy pipeline
is loaded on the first POST, once, and extraction runs in a bounded pool of worker processes
(`casus.web.extractor`): a long text never stalls other requests. casus.web.security checks
Host and browser writes and sets the security headers.
"""

from __future__ import annotations

import csv
import hmac
import io
import json
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Annotated, Any

import duckdb
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from casus.document import Document, content_hash
from casus.export import csv_value
from casus.query import (
    BUCKETS,
    DISPLAY_MIN_CONFIDENCE,
    QUOTE_KINDS,
    ActorFilter,
    EventFilter,
    Page,
    Queries,
    QueryError,
    QuoteFilter,
)
from casus.storefile import SharedReader, StoreBusy
from casus.web.extractor import Extractor, Unavailable
from casus.web.highlights import document_view
from casus.web.limits import BodyLimit
from casus.web.security import Guard, allowed_hosts

STATIC = Path(__file__).parent / "static"
MAX_PAGE = 500
MAX_CSV_ROWS = 200_000
MAX_BODY = 2_000_000  # bytes of a POST body: ~300 pages of news text
MAX_TEXT = 1_000_000  # characters, the pipeline's own limit


class Json(JSONResponse):
    """JSON straight from the query's dicts: FastAPI's response validation costs more than the query."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=str, separators=(",", ":")).encode()


class Meta(BaseModel):
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = Field(None, description="Publication date, YYYY-MM-DD; anchors relative dates.",
                                  examples=["2025-09-05"])
    language: str | None = "en"


class TextIn(BaseModel):
    text: str = Field(..., min_length=1, max_length=MAX_TEXT, description="The article text, as read.")
    id: str | None = Field(None, max_length=200, description="Document id; a content hash when absent.")
    meta: Meta = Field(default_factory=Meta)


Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Page size, at most {MAX_PAGE}.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Order = Annotated[str, Query(pattern="^(asc|desc)$")]

def event_filter(
    actor: Annotated[str | None, Query(max_length=200, description="Source or target: actor id, part of an actor's "
                                                                   "name, or part of the source/target text.")] = None,
    type: Annotated[str | None, Query(max_length=200, description="PLOVER type(s), comma-separated.")] = None,
    quad: Annotated[str | None, Query(max_length=200, description="Quad class(es), comma-separated.")] = None,
    since: Annotated[str | None, Query(max_length=10, description="YYYY, YYYY-MM, YYYY-MM-DD or YYYY-Www: events "
                                       "whose date range (else the publication day) starts on or after it.")] = None,
    until: Annotated[str | None, Query(max_length=10, description="… and ends on or before it (inclusive).")] = None,
    place: Annotated[str | None, Query(max_length=200, description="Part of the location's name or admin1, or a "
                                                                   "country (ISO3 code or name).")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in the evidence, trigger or title.")] = None,
    doc: Annotated[str | None, Query(max_length=200, description="Document hash or id.")] = None,
    min_confidence: Annotated[float, Query(ge=0, le=1, description="Only events at least this confident; 0 for "
                                                                   "all.")] = DISPLAY_MIN_CONFIDENCE,
    negated: Annotated[bool, Query(description="Include negated events.")] = True,
) -> EventFilter:
    f = EventFilter(actor=actor, type=type, quad=quad, since=since, until=until, place=place, text=q, doc=doc,
                    min_confidence=min_confidence, negated=negated)
    f.where()  # a value that means nothing is a 400 before any work
    return f

Filter = Annotated[EventFilter, Depends(event_filter)]


class Workbench:
    """State shared by the requests: the store's reader, its columns, the lazily loaded pipeline."""

    def __init__(self, db: str | Path, token: str | None = None, read_only: bool = False,
                 extract: dict[str, Any] | None = None):
        from casus.store import Store

        self.db = str(db)
        self.token = token
        self.read_only = read_only
        if read_only and not Path(self.db).exists():
            raise FileNotFoundError(f"no store at {self.db}")
        # the file and its tables exist (read-write), or an older store is migrated, before the first read
        Store(self.db, read_only=read_only).close()
        self.reader = SharedReader(self.db)
        self._nlp: Any = None  # set before the first POST to use a pipeline already loaded
        self.extractor = Extractor(self._pipeline, **(extract or {}))

    def cursor(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        return self.reader.cursor()

    def store(self, records: list[dict[str, Any]], origin: str) -> list[dict[str, Any]]:
        """Store records in one short read-write session; what was new ({"hash", "id", "version", …})."""
        from casus.store import Store

        with Store(self.db) as store:
            store.add_batch(records, origins=[origin] * len(records))
            if store.last_stored:
                from casus.fusion.commands import fuse_after_store

                fuse_after_store(store)  # the new events join or start happenings
            return store.last_stored

    @contextmanager
    def queries(self) -> Iterator[Queries]:
        """The query layer on a cursor of this request's own."""
        with self.cursor() as cur:
            yield Queries(cur)

    def _pipeline(self) -> Any:
        from casus.pipeline import load

        if self._nlp is None:
            self._nlp = load()
        return self._nlp

    def extract(self, body: TextIn) -> dict[str, Any]:
        meta = {k: v for k, v in body.meta.model_dump().items() if v is not None}
        doc = Document(id=body.id or content_hash(body.text)[:16], text=body.text, meta=meta, origin="api")
        return self.extractor.extract(doc)  # raises Unavailable: busy, over the time budget, worker died

    def close(self) -> None:
        self.extractor.close()
        self.reader.close()


def _message(err: dict[str, Any]) -> str:
    where = ".".join(str(x) for x in err.get("loc", ()) if x != "body")
    return f"{where}: {err.get('msg')}" if where else str(err.get("msg"))


def create_app(db: str | Path = "casus.duckdb", token: str | None = None, read_only: bool = False,
               max_body: int = MAX_BODY, host: str = "127.0.0.1", allow_hosts: Iterable[str] = (),
               extract: dict[str, Any] | None = None) -> FastAPI:
    """The app; `host` is the interface it is served on, `allow_hosts` more names it answers to;
    `extract`: `Extractor` settings (workers, queue_size, budget) for POST /api/extract and /api/documents."""
    wb = Workbench(db, token=token, read_only=read_only, extract=extract)
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        wb.close()

    app = FastAPI(title="casus workbench", version="0.1.0", docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Source-grounded PLOVER event data: documents with highlighted evidence, events, "
                              "quotes and actors from a casus store. Every list is paged (`limit` ≤ "
                              f"{MAX_PAGE}); errors are JSON `{{\"error\": message}}`.")
    app.state.workbench = wb
    app.add_middleware(BodyLimit, max_bytes=max_body)
    # added last, so it runs first: a refused Host or cross-site write never reaches the body limit or the app
    app.add_middleware(Guard, hosts=allowed_hosts(host, allow_hosts), token=token)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errs = exc.errors()
        return JSONResponse({"error": "; ".join(_message(e) for e in errs[:5]),
                             "details": [{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in errs]},
                            status_code=422)

    @app.exception_handler(StoreBusy)
    async def store_busy(request: Request, exc: StoreBusy) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, exc: Unavailable) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        return JSONResponse({"error": str(exc)}, status_code=503, headers=headers)

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    def require_token(request: Request) -> None:
        if wb.token is None:
            return
        auth = request.headers.get("authorization", "")
        given = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        if not hmac.compare_digest(given.encode(), wb.token.encode()):
            raise HTTPException(401, "this endpoint needs the server's token: Authorization: Bearer <token>",
                                headers={"WWW-Authenticate": "Bearer"})


    # ---- API --------------------------------------------------------------------------------------

    @app.get("/api/stats", tags=["store"], summary="Row counts of the store")
    def stats() -> Json:
        with wb.queries() as qs:
            return Json({"db": Path(wb.db).name, "counts": qs.stats(), "read_only": wb.read_only,
                         "token_required": wb.token is not None, "display_min_confidence": DISPLAY_MIN_CONFIDENCE,
                         "extraction": wb.extractor.status()})

    @app.get("/api/events", tags=["events"], summary="Events, filtered, sorted and paged")
    def events(f: Filter, limit: Limit = 50, offset: Offset = 0,
               sort: Annotated[str, Query(description=", ".join(Queries.EVENT_SORTS))] = "date",
               order: Order = "asc") -> Json:
        with wb.queries() as qs:
            return Json(qs.events(f, Page(limit, offset, sort, order)))

    @app.get("/api/events.csv", tags=["events"], summary="Matching events as CSV",
             response_class=StreamingResponse)
    def events_csv(f: Filter, limit: Annotated[int, Query(ge=1, le=MAX_CSV_ROWS)] = MAX_CSV_ROWS,
                   sort: str = "date", order: Order = "asc") -> StreamingResponse:
        cm = wb.cursor()
        cur = cm.__enter__()
        try:
            result = Queries(cur).event_rows(f, Page(limit=limit, sort=sort, order=order))
        except BaseException:
            cm.__exit__(None, None, None)
            raise

        def rows() -> Iterator[str]:
            try:
                buf = io.StringIO()
                w = csv.writer(buf)
                w.writerow([d[0] for d in result.description])
                while batch := result.fetchmany(2000):
                    w.writerows([csv_value(v) for v in row] for row in batch)
                    yield buf.getvalue()
                    buf.seek(0)
                    buf.truncate()
                yield buf.getvalue()
            finally:
                cm.__exit__(None, None, None)

        return StreamingResponse(rows(), media_type="text/csv",
                                 headers={"Content-Disposition": 'attachment; filename="casus-events.csv"'})

    @app.get("/api/events/timeline", tags=["events"], summary="Event counts per period and quad class")
    def timeline(f: Filter, bucket: Annotated[str, Query(pattern=f"^({'|'.join(BUCKETS)})$")] = "month",
                 max_ranges: Annotated[int, Query(ge=0, le=5000)] = 300) -> Json:
        with wb.queries() as qs:
            return Json(qs.timeline(f, bucket, max_ranges))

    @app.get("/api/events/network", tags=["events"], summary="Source → target edges per quad class, with counts")
    def network(f: Filter, max_edges: Annotated[int, Query(ge=1, le=1000)] = 150,
                min_count: Annotated[int, Query(ge=1)] = 1,
                resolved: Annotated[bool, Query(description="Only parties resolved to a known actor.")] = False,
                ) -> Json:
        with wb.queries() as qs:
            return Json(qs.network(f, max_edges, min_count, resolved))

    @app.get("/api/events/map", tags=["events"], summary="Event counts per location (lat/lon)")
    def map_points(f: Filter, max_points: Annotated[int, Query(ge=1, le=20_000)] = 5000) -> Json:
        with wb.queries() as qs:
            return Json(qs.map_points(f, max_points))

    @app.get("/api/facets", tags=["events"],
             summary="Event types with counts, quad classes, date range, the default confidence threshold")
    def facets(min_confidence: Annotated[float, Query(ge=0, le=1)] = DISPLAY_MIN_CONFIDENCE) -> Json:
        with wb.queries() as qs:
            return Json(qs.facets(min_confidence))

    @app.get("/api/documents", tags=["documents"], summary="Documents (without text), filtered and paged")
    def documents(q: Annotated[str | None, Query(max_length=200)] = None,
                  outlet: Annotated[str | None, Query(max_length=200)] = None,
                  since: Annotated[str | None, Query(max_length=10)] = None,
                  until: Annotated[str | None, Query(max_length=10)] = None,
                  limit: Limit = 50, offset: Offset = 0,
                  sort: Annotated[str, Query(description=", ".join(Queries.DOC_SORTS))] = "published",
                  order: Order = "asc") -> Json:
        with wb.queries() as qs:
            return Json(qs.documents(q, outlet, since, until, Page(limit, offset, sort, order)))

    @app.get("/api/documents/{key:path}", tags=["documents"],
             summary="One document: text, record, and the spans to highlight")
    def document(key: str) -> Json:
        with wb.queries() as qs:
            row = qs.document(key)
            versions = qs.versions(row["id"]) if row else []
        if row is None:
            raise HTTPException(404, f"no document with hash or id {key!r}")
        view = document_view(row["hash"], json.loads(row["record"]))
        # an id stored with different texts: every version, oldest first; a lookup by id gives the newest
        view["versions"] = versions
        return Json(view)

    @app.get("/api/quotes", tags=["quotes"], summary="Quotes with speakers, filtered and paged")
    def quotes(speaker: Annotated[str | None, Query(max_length=200)] = None,
               kind: Annotated[str | None, Query(pattern=f"^({'|'.join(QUOTE_KINDS)})$")] = None,
               q: Annotated[str | None, Query(max_length=200)] = None,
               doc: Annotated[str | None, Query(max_length=200)] = None,
               limit: Limit = 50, offset: Offset = 0,
               sort: Annotated[str, Query(description=", ".join(Queries.QUOTE_SORTS))] = "doc",
               order: Order = "asc") -> Json:
        with wb.queries() as qs:
            return Json(qs.quotes(QuoteFilter(speaker=speaker, kind=kind, text=q, doc=doc),
                                  Page(limit, offset, sort, order)))

    @app.get("/api/actors", tags=["actors"], summary="Actors with mention, document and event counts")
    def actors(q: Annotated[str | None, Query(max_length=200)] = None,
               country: Annotated[str | None, Query(max_length=8)] = None,
               kind: Annotated[str | None, Query(max_length=40)] = None,
               limit: Limit = 50, offset: Offset = 0,
               sort: Annotated[str | None, Query(description=", ".join(Queries.ACTOR_SORTS))] = None,
               order: Order = "asc") -> Json:
        with wb.queries() as qs:
            return Json(qs.actors(ActorFilter(name=q, country=country, kind=kind), Page(limit, offset, sort, order)))

    @app.post("/api/extract", tags=["write"], dependencies=[Depends(require_token)],
              summary="Extract a record from text without storing it")
    def extract(body: TextIn) -> Json:
        record = wb.extract(body)
        return Json({**record, "highlights": document_view("", record)["highlights"]})

    @app.post("/api/documents", tags=["write"], dependencies=[Depends(require_token)], status_code=201,
              summary="Extract a record from text and store it (idempotent by content hash)")
    def ingest(body: TextIn) -> JSONResponse:
        if wb.read_only:
            raise HTTPException(403, "the server was started with --read-only")
        record = wb.extract(body)
        from casus.record import is_failed

        if is_failed(record):
            raise HTTPException(422, "; ".join(e.get("message", "") for e in record["errors"]))
        stored = wb.store([record], "api")
        h = content_hash(record["text"])
        new = stored[0] if stored else None
        out = {"stored": new is not None, "hash": h, "id": record["id"], "events": len(record["events"]),
               "quotes": len(record["quotes"]), "actors": len(record["actors"]), "errors": record["errors"]}
        if new is not None:
            out |= {"version": new["version"], "previous": new["previous"]}
        return JSONResponse(out, status_code=201 if new is not None else 200)

    from casus.web.happenings import router as happenings_router

    app.include_router(happenings_router)

    # ---- docs and UI ----------------------------------------------------------------------------------

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        # Swagger UI from the vendored bundle, started by a script file: no inline script under the CSP
        return FileResponse(STATIC / "docs.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/api/{rest:path}", include_in_schema=False)
    def unknown(rest: str) -> None:
        raise HTTPException(404, f"no API endpoint /api/{rest}; see /docs")

    return app
