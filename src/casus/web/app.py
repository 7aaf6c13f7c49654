"""The workbench: one FastAPI app serving the REST API under /api, the offline web UI and /docs.

The app holds one DuckDB connection; each request reads through its own `cursor()` (DuckDB
connections are not thread-safe, cursors are the idiom for threads). Writes go through the
`Store` under a lock. The spaCy pipeline is loaded on the first POST, once, and extraction runs in
a bounded pool of worker processes (`casus.web.extractor`): a long text never stalls other requests.
"""

from __future__ import annotations

import csv
import hmac
import io
import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Annotated, Any

import duckdb
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from casus.document import Document, content_hash
from casus.web.extractor import Extractor, Unavailable
from casus.web.highlights import document_view
from casus.web.limits import BodyLimit
from casus.web.queries import EventFilter, Page, Queries, QueryError, table_columns

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
    actor: Annotated[str | None, Query(max_length=200, description="Source or target actor id or name.")] = None,
    type: Annotated[str | None, Query(max_length=200, description="PLOVER type(s), comma-separated.")] = None,
    quad: Annotated[str | None, Query(max_length=200, description="Quad class(es), comma-separated.")] = None,
    since: Annotated[str | None, Query(max_length=10, description="YYYY[-MM[-DD]]; event date, else the "
                                                                  "document's publication date.")] = None,
    until: Annotated[str | None, Query(max_length=10, description="YYYY[-MM[-DD]], inclusive.")] = None,
    place: Annotated[str | None, Query(max_length=200, description="Location name or country.")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in the evidence, trigger or title.")] = None,
    doc: Annotated[str | None, Query(max_length=200, description="Document hash or id.")] = None,
    min_confidence: Annotated[float | None, Query(ge=0, le=1)] = None,
    negated: Annotated[bool, Query(description="Include negated events.")] = True,
) -> EventFilter:
    return EventFilter(actor=actor, type=type, quad=quad, since=since, until=until, place=place, q=q, doc=doc,
                       min_confidence=min_confidence, include_negated=negated)

Filter = Annotated[EventFilter, Depends(event_filter)]


class Workbench:
    """State shared by the requests: the store connection, its columns, the lazily loaded pipeline."""

    def __init__(self, db: str | Path, token: str | None = None, read_only: bool = False,
                 extract: dict[str, Any] | None = None):
        from casus.store import Store

        self.db = str(db)
        self.token = token
        self.read_only = read_only
        if read_only and not Path(self.db).exists():
            raise FileNotFoundError(f"no store at {self.db}")
        self.store = Store(self.db, read_only=read_only)
        self._cursor_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._nlp: Any = None  # set before the first POST to use a pipeline already loaded
        self.extractor = Extractor(self._pipeline, **(extract or {}))
        with self.cursor() as cur:
            self.queries = Queries(table_columns(cur))

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._cursor_lock:
            cur = self.store.con.cursor()
        try:
            yield cur
        finally:
            cur.close()

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
        self.store.close()


def _message(err: dict[str, Any]) -> str:
    where = ".".join(str(x) for x in err.get("loc", ()) if x != "body")
    return f"{where}: {err.get('msg')}" if where else str(err.get("msg"))


def create_app(db: str | Path = "casus.duckdb", token: str | None = None, read_only: bool = False,
               max_body: int = MAX_BODY, extract: dict[str, Any] | None = None) -> FastAPI:
    """`extract`: `Extractor` settings (workers, queue_size, budget) for POST /api/extract and /api/documents."""
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

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errs = exc.errors()
        return JSONResponse({"error": "; ".join(_message(e) for e in errs[:5]),
                             "details": [{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in errs]},
                            status_code=422)

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
        with wb.cursor() as cur:
            return Json({"db": Path(wb.db).name, "counts": wb.queries.stats(cur), "read_only": wb.read_only,
                         "token_required": wb.token is not None, "extraction": wb.extractor.status()})

    @app.get("/api/events", tags=["events"], summary="Events, filtered, sorted and paged")
    def events(f: Filter, limit: Limit = 50, offset: Offset = 0,
               sort: Annotated[str, Query(description=", ".join(Queries.EVENT_SORTS))] = "date",
               order: Order = "asc") -> Json:
        with wb.cursor() as cur:
            return Json(wb.queries.events(cur, f, Page(limit, offset, sort, order)))

    @app.get("/api/events.csv", tags=["events"], summary="Matching events as CSV",
             response_class=StreamingResponse)
    def events_csv(f: Filter, limit: Annotated[int, Query(ge=1, le=MAX_CSV_ROWS)] = MAX_CSV_ROWS,
                   sort: str = "date", order: Order = "asc") -> StreamingResponse:
        cm = wb.cursor()
        cur = cm.__enter__()
        try:
            result = wb.queries.events_cursor(cur, f, Page(sort=sort, order=order), limit)
        except BaseException:
            cm.__exit__(None, None, None)
            raise

        def rows() -> Iterator[str]:
            try:
                buf = io.StringIO()
                w = csv.writer(buf)
                w.writerow([d[0] for d in result.description])
                while batch := result.fetchmany(2000):
                    w.writerows(batch)
                    yield buf.getvalue()
                    buf.seek(0)
                    buf.truncate()
                yield buf.getvalue()
            finally:
                cm.__exit__(None, None, None)

        return StreamingResponse(rows(), media_type="text/csv",
                                 headers={"Content-Disposition": 'attachment; filename="casus-events.csv"'})

    @app.get("/api/events/timeline", tags=["events"], summary="Event counts per period and quad class")
    def timeline(f: Filter, bucket: Annotated[str, Query(pattern="^(year|month|day)$")] = "month") -> Json:
        with wb.cursor() as cur:
            return Json(wb.queries.timeline(cur, f, bucket))

    @app.get("/api/events/network", tags=["events"], summary="Source → target edges per quad class, with counts")
    def network(f: Filter, max_edges: Annotated[int, Query(ge=1, le=1000)] = 150,
                min_count: Annotated[int, Query(ge=1)] = 1,
                resolved: Annotated[bool, Query(description="Only parties resolved to a known actor.")] = False,
                ) -> Json:
        with wb.cursor() as cur:
            return Json(wb.queries.network(cur, f, max_edges, min_count, resolved))

    @app.get("/api/events/map", tags=["events"], summary="Event counts per location (lat/lon)")
    def map_points(f: Filter, max_points: Annotated[int, Query(ge=1, le=20_000)] = 5000) -> Json:
        with wb.cursor() as cur:
            return Json(wb.queries.map_points(cur, f, max_points))

    @app.get("/api/facets", tags=["events"], summary="Event types with counts, quad classes, date range")
    def facets() -> Json:
        with wb.cursor() as cur:
            return Json(wb.queries.facets(cur))

    @app.get("/api/documents", tags=["documents"], summary="Documents (without text), filtered and paged")
    def documents(q: Annotated[str | None, Query(max_length=200)] = None,
                  outlet: Annotated[str | None, Query(max_length=200)] = None,
                  since: Annotated[str | None, Query(max_length=10)] = None,
                  until: Annotated[str | None, Query(max_length=10)] = None,
                  limit: Limit = 50, offset: Offset = 0,
                  sort: Annotated[str, Query(description=", ".join(Queries.DOC_SORTS))] = "published",
                  order: Order = "asc") -> Json:
        with wb.cursor() as cur:
            return Json(wb.queries.documents(cur, q, outlet, since, until, Page(limit, offset, sort, order)))

    @app.get("/api/documents/{key:path}", tags=["documents"],
             summary="One document: text, record, and the spans to highlight")
    def document(key: str) -> Json:
        with wb.cursor() as cur:
            row = wb.queries.document(cur, key)
        if row is None:
            raise HTTPException(404, f"no document with hash or id {key!r}")
        return Json(document_view(row["hash"], json.loads(row["record"])))

    @app.get("/api/quotes", tags=["quotes"], summary="Quotes with speakers, filtered and paged")
    def quotes(speaker: Annotated[str | None, Query(max_length=200)] = None,
               kind: Annotated[str | None, Query(pattern="^(direct|partial|indirect|mixed)$")] = None,
               q: Annotated[str | None, Query(max_length=200)] = None,
               doc: Annotated[str | None, Query(max_length=200)] = None,
               limit: Limit = 50, offset: Offset = 0,
               sort: Annotated[str, Query(description=", ".join(Queries.QUOTE_SORTS))] = "doc",
               order: Order = "asc") -> Json:
        with wb.cursor() as cur:
            return Json(wb.queries.quotes(cur, speaker, kind, q, doc, Page(limit, offset, sort, order)))

    @app.get("/api/actors", tags=["actors"], summary="Actors with mention, document and event counts")
    def actors(q: Annotated[str | None, Query(max_length=200)] = None,
               country: Annotated[str | None, Query(max_length=8)] = None,
               kind: Annotated[str | None, Query(max_length=40)] = None,
               limit: Limit = 50, offset: Offset = 0,
               sort: Annotated[str | None, Query(description=", ".join(Queries.ACTOR_SORTS))] = None,
               order: Order = "asc") -> Json:
        with wb.cursor() as cur:
            return Json(wb.queries.actors(cur, q, country, kind, Page(limit, offset, sort, order)))

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
        with wb._write_lock:
            added = wb.store.add_batch([record], origins=["api"])
        h = content_hash(record["text"])
        out = {"stored": bool(added), "hash": h, "id": record["id"], "events": len(record["events"]),
               "quotes": len(record["quotes"]), "actors": len(record["actors"]), "errors": record["errors"]}
        return JSONResponse(out, status_code=201 if added else 200)

    # ---- docs and UI ----------------------------------------------------------------------------------

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title="casus API",
                                   swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
                                   swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
                                   swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
                                   swagger_ui_parameters={"validatorUrl": None})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/api/{rest:path}", include_in_schema=False)
    def unknown(rest: str) -> None:
        raise HTTPException(404, f"no API endpoint /api/{rest}; see /docs")

    return app
