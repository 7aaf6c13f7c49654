"""The `casus` command line: extract, ingest, and queries over the store."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from casus.document import Document, content_hash
from casus.query import DISPLAY_MIN_CONFIDENCE


class _App(typer.Typer):
    """The typer app, with the two failures a user can cause and fix said in one line, not a traceback."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from casus.storefile import StoreBusy

        # text that cannot be encoded for this terminal is escaped rather than fatal
        for stream in (sys.stdout, sys.stderr):
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(errors="backslashreplace")
        try:
            return super().__call__(*args, **kwargs)
        except StoreBusy as exc:
            err.print(f"casus: {exc}", markup=False, highlight=False, soft_wrap=True)
            sys.exit(1)


app = _App(help="casus: news text to source-grounded PLOVER event data.", no_args_is_help=True,
           add_completion=False)
err = Console(stderr=True)


def _notice(message: str) -> None:
    err.print(message, markup=False, highlight=False, soft_wrap=True)


DbOption = Annotated[str, typer.Option("--db", help="DuckDB store file.")]
KbOption = Annotated[list[str] | None, typer.Option("--kb", help="Extra actor knowledge-base YAML file (repeatable).")]


def _nlp_with_kb(kb: list[str] | None):  # noqa: ANN202
    """The pipeline with the user's KB files added to the actor resolver; None = the default."""
    if not kb:
        return None
    from casus.actors import KBError
    from casus.pipeline import load

    nlp = load()
    try:
        nlp.get_pipe("casus_actors").extend_kb(kb)
    except KBError as exc:
        err.print(f"--kb: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    return nlp

ProcessesOption = Annotated[int, typer.Option("--processes", "-p",
                                              help="Worker processes; 0 (the default) uses every core.")]
FuseOption = Annotated[bool, typer.Option("--fuse/--no-fuse",
                                          help="Fuse the new events into happenings after storing (casus fuse).")]


def _fuse(store: Any) -> str:
    from casus.fusion.commands import fuse_after_store

    return fuse_after_store(store)


# One set of --format names, meaning the same wherever a command takes them: text (readable; `table` is
# the same for the query commands), json (one JSON array), jsonl (one JSON object per line), csv, and
# for export parquet and gdelt.
class ExtractFormat(StrEnum):
    text = "text"
    json = "json"
    jsonl = "jsonl"


class OutFormat(StrEnum):
    text = "text"
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


def _excerpt(text: str, span: dict[str, Any] | None, width: int = 90) -> str:
    if not span or span.get("start") is None:
        return "-"
    s = " ".join(text[span["start"] : span["end"]].split())
    return s if len(s) <= width else s[: width - 1] + "…"


def print_record(record: dict[str, Any], console: Console) -> None:
    """A readable view of one record for `casus extract` without --format jsonl."""
    text = record["text"]
    console.rule(f"[bold]{record['id']}[/bold]")
    for e in record["errors"]:
        console.print(f"[red]{e.get('level', 'error')}[/red] [{e['stage']}] {e['message']}")
    names = {a["id"]: a["name"] for a in record["actors"]}
    if record["actors"]:
        console.print("[bold]actors[/bold]")
        for a in record["actors"]:
            code = "/".join(x for x in (a.get("country"), a.get("sector")) if x) or "-"
            console.print(f"  {a['id']:<24} {a['name']:<28} {a['kind']:<12} {code:<8} {len(a['mentions'])} mentions")
    if record["quotes"]:
        console.print("[bold]quotes[/bold]")
        for q in record["quotes"]:
            spk = q.get("speaker") or {}
            who = names.get(spk.get("actor")) or _excerpt(text, spk, 30)
            console.print(f"  [{q['kind']}] {who}: “{_excerpt(text, q['content'])}”", markup=False, highlight=False)
    if record["events"]:
        console.print("[bold]events[/bold]")
        for e in record["events"]:
            src = names.get((e.get("source") or {}).get("actor")) or _excerpt(text, e.get("source"), 30)
            tgt = names.get((e.get("target") or {}).get("actor")) or _excerpt(text, e.get("target"), 30)
            flags = [k for k, v in (e.get("modality") or {}).items() if v]
            date = (e.get("date") or {}).get("value") or "-"
            loc = e.get("location") or {}
            where = f" @ {loc['name']} ({loc.get('country') or '-'})" if loc.get("name") else ""
            console.print(f"  {e['type']:<10} {src} → {tgt}  [{_excerpt(text, e['trigger'], 20)}] {date}{where}"
                          f" {' '.join(flags)} ({e['confidence']:.2f})", markup=False, highlight=False)


IdField = Annotated[str, typer.Option("--id-field", help="JSONL/CSV column holding the document id.")]
TextField = Annotated[str, typer.Option("--text-field", help="JSONL/CSV column holding the text.")]
DateField = Annotated[str, typer.Option("--date-field", help="JSONL/CSV column holding the publication date.")]
UrlField = Annotated[str, typer.Option("--url-field", help="JSONL/CSV column holding the URL.")]
TitleField = Annotated[str, typer.Option("--title-field", help="JSONL/CSV column holding the title.")]
Timeout = Annotated[float, typer.Option("--timeout", help="Seconds to wait for a URL.")]
MaxBytes = Annotated[int, typer.Option("--max-bytes", help="Largest body fetched from a URL.")]



def _progress(description: str) -> Progress:
    """A documents/s progress bar on stderr, so it never mixes with records on stdout."""
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.completed} docs"), TextColumn("{task.fields[rate]}"), TimeElapsedColumn()]
    progress = Progress(*columns, console=err, transient=False)
    progress.add_task(description, total=None, rate="")
    return progress


def _tick(progress: Progress, done: int) -> None:
    task = progress.tasks[0]
    elapsed = task.elapsed or 0
    progress.update(task.id, completed=done, rate=f"{done / elapsed:.1f} docs/s" if elapsed else "")


def _documents(paths: list[str], options: Any = None) -> Iterator[Document]:
    from casus.ingest import read_inputs

    yield from read_inputs(paths, options)


def _options(id_field: str, text_field: str, date_field: str, url_field: str, title_field: str, timeout: float,
             max_bytes: int) -> Any:
    from casus.ingest import ReadOptions

    return ReadOptions(id_field=id_field, text_field=text_field, date_field=date_field, url_field=url_field,
                       title_field=title_field, timeout=timeout, max_bytes=max_bytes)


@app.command()
def extract(
    paths: Annotated[list[str], typer.Argument(help="Files, directories, globs; - for stdin.")],
    fmt: Annotated[ExtractFormat, typer.Option("--format", "-f", help="Output format.")] = ExtractFormat.text,
    processes: ProcessesOption = 0,
    batch_size: Annotated[int, typer.Option(help="Documents per spaCy batch.")] = 32,
    kb: KbOption = None,
    id_field: IdField = "id",
    text_field: TextField = "text",
    date_field: DateField = "published",
    url_field: UrlField = "url",
    title_field: TitleField = "title",
    timeout: Timeout = 20.0,
    max_bytes: MaxBytes = 10_000_000,
) -> None:
    """Extract records and print them (--format jsonl: one JSON object per document; json: one JSON array)."""
    from casus.pipeline import extract as run
    from casus.record import is_failed

    nlp = _nlp_with_kb(kb)
    out = Console(soft_wrap=True)
    total = failed = 0
    options = _options(id_field, text_field, date_field, url_field, title_field, timeout, max_bytes)
    # The bar only when records go to a file or pipe: on a terminal it would interleave with them.
    progress = _progress("extracting") if not sys.stdout.isatty() and err.is_terminal else None
    if progress:
        progress.start()
    try:
        for record in run(_documents(paths, options), nlp=nlp, batch_size=batch_size, n_process=processes):
            total += 1
            failed += is_failed(record)
            if fmt == ExtractFormat.jsonl:
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            elif fmt == ExtractFormat.json:  # an array, streamed: records are written as they come
                sys.stdout.write(("[" if total == 1 else ",\n") + json.dumps(record, ensure_ascii=False))
            else:
                print_record(record, out)
            for e in record["errors"]:
                err.print(f"{record['id']}: {e.get('level', 'error')} [{e['stage']}] {e['message']}",
                          markup=False, highlight=False)
            if progress:
                _tick(progress, total)
    finally:
        if progress:
            progress.stop()
        if fmt == ExtractFormat.json:
            sys.stdout.write("]\n" if total else "[]\n")
    if total == 0 or failed == total:
        err.print(f"no document could be analysed ({failed} of {total} failed)")
        raise typer.Exit(1)


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, directories, globs; - for stdin.")],
    db: DbOption = "casus.duckdb",
    processes: ProcessesOption = 0,
    batch_size: Annotated[int, typer.Option(help="Documents per stored transaction.")] = 32,
    kb: KbOption = None,
    id_field: IdField = "id",
    text_field: TextField = "text",
    date_field: DateField = "published",
    url_field: UrlField = "url",
    title_field: TitleField = "title",
    timeout: Timeout = 20.0,
    max_bytes: MaxBytes = 10_000_000,
    fuse: FuseOption = True,
) -> None:
    """Extract and store records in a DuckDB file; documents already stored are skipped.

    The store is opened for one batch at a time, so `casus serve` and the query commands keep
    working meanwhile and see each batch once it is committed (docs/store.md).
    """
    from casus.store import Store

    Store(db, notice=_notice).close()  # creates the file and its tables (or says who holds it) before any work

    from casus.pipeline import batches
    from casus.pipeline import extract as run
    from casus.record import is_failed

    nlp = _nlp_with_kb(kb)
    skipped = copies = versions = 0
    # 64 bits of each text hash seen in this run: copies are counted, not extracted again (~70 bytes a document)
    seen: set[int] = set()

    def fresh() -> Iterator[Document]:
        nonlocal skipped, copies
        options = _options(id_field, text_field, date_field, url_field, title_field, timeout, max_bytes)
        for chunk in batches(_documents(paths, options), batch_size):
            hashes = [content_hash(doc.text) if doc.text else None for doc in chunk]
            with Store(db, read_only=True, notice=_notice) as store:
                known = store.known_hashes(h for h in hashes if h)
            for doc, h in zip(chunk, hashes, strict=True):
                if h is not None:
                    key = int(h[:16], 16)
                    if key in seen:
                        copies += 1
                        continue
                    seen.add(key)
                    if h in known:
                        skipped += 1
                        continue
                yield doc

    def commit(batch: list[dict[str, Any]]) -> int:
        nonlocal versions
        with Store(db, notice=_notice) as store:
            n = store.add_batch(batch)
            versions += sum(1 for s in store.last_stored if s["version"] > 1)
        return n

    total = failed = added = 0
    batch: list[dict[str, Any]] = []
    with _progress("ingesting") as progress:
        for record in run(fresh(), nlp=nlp, batch_size=batch_size, n_process=processes):
            total += 1
            failed += is_failed(record)
            batch.append(record)
            if len(batch) >= batch_size:
                added += commit(batch)
                batch = []
            _tick(progress, total)
        if batch:
            added += commit(batch)
    # fusing the new events is one more write, after the last batch; the counts come from the same session
    with Store(db, notice=_notice) as store:
        fused = _fuse(store) if fuse else None
        counts = store.summary()
    err.print(f"{added} new documents stored, {skipped} already stored, {copies} copies of documents earlier in "
              f"this run, {failed} with errors → {db}", soft_wrap=True)
    if versions:
        err.print(f"{versions} of the new documents reuse an id stored with other text: each is stored as a new "
                  "version of that id, linked to the previous one (docs/store.md)", soft_wrap=True)
    err.print("store: " + ", ".join(f"{v} {k}" for k, v in counts.items()), soft_wrap=True)
    if fused:
        err.print(fused)
    if total and failed == total:
        raise typer.Exit(1)
    if total == 0 and skipped == 0 and copies == 0:
        err.print("no input documents")
        raise typer.Exit(1)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


NO_WRAP = {"date", "type", "conf.", "n", "kind", "id", "code", "mentions", "documents", "events"}


def _emit(rows: list[dict[str, Any]], fmt: OutFormat, title: str, text_columns: dict[str, Any] | None = None,
          what: str = "rows") -> None:
    """Print query rows: every column for csv/json/jsonl, a readable selection (`text_columns`) as a table."""
    if fmt == OutFormat.json:
        sys.stdout.write(json.dumps(rows, default=str, ensure_ascii=False, indent=1) + "\n")
    elif fmt == OutFormat.jsonl:
        for r in rows:
            sys.stdout.write(json.dumps(r, default=str, ensure_ascii=False) + "\n")
    elif fmt == OutFormat.csv:
        from casus.export import csv_value

        if rows:
            w = csv.writer(sys.stdout, lineterminator="\n")
            w.writerow(list(rows[0]))
            w.writerows([csv_value(v) for v in r.values()] for r in rows)
    elif not rows:
        Console(highlight=False).print(f"no {what} match", markup=False)
    else:
        columns = text_columns or {c: c for c in rows[0]}
        table = Table(title=f"{title} ({len(rows)})", box=box.SIMPLE_HEAD)
        for c in columns:
            # codes, dates and numbers stay on one line; names and text fold
            table.add_column(c, overflow="fold", no_wrap=c in NO_WRAP)
        for r in rows:
            table.add_row(*(_cell(get(r) if callable(get) else r.get(get)) for get in columns.values()))
        Console().print(table)


def _open(db: str):  # noqa: ANN202
    from pathlib import Path

    from casus.schema import SchemaError
    from casus.store import Store

    if not Path(db).exists():
        err.print(f"no store at {db} (run `casus ingest --db {db} FILES…` first)")
        raise typer.Exit(1)
    try:
        return Store(db, read_only=True, notice=_notice)
    except SchemaError as exc:
        err.print(f"{db}: {exc}", markup=False, highlight=False)
        raise typer.Exit(1) from None


@contextmanager
def _refused() -> Iterator[None]:
    """A filter value that means nothing (unknown type, until before since) is refused, exit 2, like typer's own."""
    from casus.query import QueryError

    try:
        yield
    except QueryError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None


def _date_option(name: str, end: bool):  # noqa: ANN202
    def check(value: str | None) -> str | None:
        from casus.query import QueryError, date_bound

        if value is not None:
            try:
                date_bound(value, name, end=end)
            except QueryError as exc:
                raise typer.BadParameter(str(exc).removeprefix(f"{name} ")) from None
        return value

    return check


ActorFilter = Annotated[str | None, typer.Option("--actor", help="Source or target: actor id, part of an actor's "
                                                                  "name, or part of the source/target text.")]
TypeFilter = Annotated[str | None, typer.Option("--type", help="PLOVER type(s), comma-separated, e.g. THREATEN.")]
QuadFilter = Annotated[str | None, typer.Option("--quad", help="Quad class(es), e.g. verbal_conflict.")]
SinceFilter = Annotated[str | None, typer.Option("--since", callback=_date_option("--since", False),
                                                 help="Events whose date range starts on or after this: "
                                                      "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-Www.")]
UntilFilter = Annotated[str | None, typer.Option("--until", callback=_date_option("--until", True),
                                                 help="… and ends on or before this (inclusive: 2025-09 is up to "
                                                      "2025-09-30).")]
PlaceFilter = Annotated[str | None, typer.Option("--place", help="Part of the location's name or admin1, or a "
                                                                  "country (ISO3 code or name).")]
TextFilter = Annotated[str | None, typer.Option("--text", help="Text in the evidence sentence, trigger or title.")]
ConfidenceFilter = Annotated[float, typer.Option("--min-confidence", min=0.0, max=1.0,
                                                 help="Only events at least this confident (0-1); 0 lists all.")]

FmtOption = Annotated[OutFormat, typer.Option("--format", "-f", help="text (a table), csv, json or jsonl.")]
LimitOption = Annotated[int, typer.Option(help="Most rows to print.")]


def _party(r: dict[str, Any], role: str) -> str:
    return r.get(f"{role}_name") or r.get(role) or "-"


def _flags(r: dict[str, Any]) -> str:
    return " ".join(k for k in ("negated", "hypothetical", "future", "historical", "reported") if r.get(k))


EVENT_TEXT_COLUMNS: dict[str, Any] = {
    "date": "date", "type": "type", "source": lambda r: _party(r, "source"), "target": lambda r: _party(r, "target"),
    "trigger": "trigger", "place": "location", "modality": _flags, "conf.": "confidence", "doc": "doc_id", "n": "n"}


def _hidden_note(store: Any, filters: dict[str, Any], shown: int, limit: int, min_confidence: float) -> None:
    """Say on stderr what the listing leaves out: rows past --limit, events under the confidence floor."""
    total = store.count_events(**filters, min_confidence=min_confidence)
    notes = [f"showing {shown} of {total} (--limit)"] if total > shown else []
    if min_confidence > 0:
        below = store.count_events(**filters, min_confidence=None) - total
        if below:
            notes.append(f"{below} less confident events not shown (--min-confidence 0 lists them)")
    if notes:
        err.print("(" + "; ".join(notes) + ")", markup=False, highlight=False)


@app.command()
def events(
    db: DbOption = "casus.duckdb",
    actor: ActorFilter = None,
    type_: TypeFilter = None,
    quad: QuadFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
    place: PlaceFilter = None,
    text: TextFilter = None,
    min_confidence: ConfidenceFilter = DISPLAY_MIN_CONFIDENCE,
    fmt: FmtOption = OutFormat.text,
    limit: LimitOption = 100,
) -> None:
    """List stored events, by date (csv/json/jsonl: every column of the events table, docs/schema.md)."""
    filters = {"actor": actor, "type": type_, "quad": quad, "since": since, "until": until, "place": place,
               "text": text}
    with _open(db) as store, _refused():
        rows = store.events(**filters, min_confidence=min_confidence, limit=limit)
        _emit(rows, fmt, "events", EVENT_TEXT_COLUMNS, what="events")
        _hidden_note(store, filters, len(rows), limit, min_confidence)


@app.command()
def quotes(
    db: DbOption = "casus.duckdb",
    speaker: Annotated[str | None, typer.Option(help="Speaker: actor id, part of an actor's name, or part of "
                                                     "the speaker text.")] = None,
    kind: Annotated[str | None, typer.Option(help="direct, partial, indirect or mixed.")] = None,
    text: Annotated[str | None, typer.Option("--text", help="Words in the quote.")] = None,
    fmt: FmtOption = OutFormat.text,
    limit: LimitOption = 100,
) -> None:
    """List stored quotes."""
    with _open(db) as store, _refused():
        rows = store.quotes(speaker=speaker, kind=kind, text=text, limit=limit)
    _emit(rows, fmt, "quotes", {"doc": "doc_id", "kind": "kind", "speaker": lambda r: _party(r, "speaker"),
                                "cue": "cue", "content": "content", "conf.": "confidence"}, what="quotes")


@app.command()
def actors(
    db: DbOption = "casus.duckdb",
    name: Annotated[str | None, typer.Option(help="Actor id or part of its name.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO3 country code.")] = None,
    kind: Annotated[str | None, typer.Option(help="person, state, organisation or group.")] = None,
    fmt: FmtOption = OutFormat.text,
    limit: LimitOption = 100,
) -> None:
    """List stored actors with mention, document and event counts."""
    with _open(db) as store, _refused():
        rows = store.actors(name=name, country=country, kind=kind, limit=limit)
    _emit(rows, fmt, "actors", {c: c for c in ("id", "name", "kind", "code", "members", "mentions", "documents",
                                                "events")}, what="actors")


@app.command()
def duplicates(
    db: DbOption = "casus.duckdb",
    fmt: FmtOption = OutFormat.text,
    limit: LimitOption = 100,
) -> None:
    """List near-duplicate documents (the same story from two outlets), most similar first."""
    with _open(db) as store:
        _emit(store.near_duplicates(limit), fmt, "near-duplicates", what="near-duplicates")


@app.command()
def migrate(db: DbOption = "casus.duckdb") -> None:
    """Bring a store written by an older casus to this version's schema (opening it read-write does the same)."""
    from pathlib import Path

    from casus import schema
    from casus.storefile import Session

    if not Path(db).exists():
        err.print(f"no store at {db}")
        raise typer.Exit(1)
    session = Session(db, read_only=False, notice=_notice)  # as a writer: in turn with ingest and the workbench
    try:
        before = schema.version(session.con)
        applied = schema.migrate(session.con)
    finally:
        session.close()
    if applied:
        err.print(f"{db}: schema {before} → {applied[-1]}")
    else:
        err.print(f"{db}: schema {schema.SCHEMA_VERSION}, nothing to migrate")


@app.command()
def summary(db: DbOption = "casus.duckdb") -> None:
    """What the store holds: counts, the most mentioned actors, quotes and events."""
    out = Console(soft_wrap=True, highlight=False)
    with _open(db) as store:
        counts = store.summary()
        out.print(f"[bold]{db}[/bold]: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        if counts.get("near_duplicates"):
            out.print(f"[bold]near-duplicates[/bold]: {counts['near_duplicates']} linked pairs "
                      f"(`casus duplicates --db {db}`)")
            for r in store.near_duplicates(limit=5):
                out.print(f"  {r['id']} ≈ {r['duplicate_of']} ({r['similarity']:.2f})", markup=False)
        out.print("[bold]actors[/bold] (id, name, country/sector, mentions)")
        for r in store.actors(limit=12):
            code = "/".join(x for x in (r["country"], r["sector"]) if x) or "-"
            out.print(f"  {r['id']:<22} {r['name']:<26} {code:<8} {r['mentions']}", markup=False)
        out.print("[bold]quotes[/bold] (kind, speaker: content)")
        for r in store.quotes(limit=20):
            content = r["content"] if len(r["content"]) <= 80 else r["content"][:79] + "…"
            out.print(f"  {r['kind']:<8} {_party(r, 'speaker')}: “{content}”", markup=False)
        floor = DISPLAY_MIN_CONFIDENCE
        rows = store.events(limit=30, min_confidence=floor)
        hidden = counts["events"] - store.count_events(min_confidence=floor)
        out.print(f"[bold]events[/bold] with confidence ≥ {floor} (date, type, source → target \\[trigger] "
                  "@ place, modality, confidence)")
        for r in rows:
            where = f" @ {r['location']}" if r.get("location") else ""
            out.print(f"  {r['date'] or '-':<10} {r['type']:<9} {_party(r, 'source')} → {_party(r, 'target')} "
                      f"[{r['trigger']}]{where} {_flags(r)} {r['confidence']:.2f}", markup=False)
        if hidden:
            out.print(f"  ({hidden} less confident events not shown: casus events --db {db} --min-confidence 0 "
                      "lists them all)", markup=False)


@app.command()
def serve(
    db: DbOption = "casus.duckdb",
    host: Annotated[str, typer.Option(help="Interface to bind; anything but loopback needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    token: Annotated[str | None, typer.Option(help="Bearer token required by the write endpoints (POST).",
                                              envvar="CASUS_TOKEN")] = None,
    read_only: Annotated[bool, typer.Option("--read-only", help="Open the store read-only; no ingest.")] = False,
    allow_host: Annotated[list[str] | None, typer.Option(
        "--allow-host", help="Another name the server answers to in the Host header, e.g. a proxy's "
                             "(repeatable; loopback names, IP addresses and --host are always answered).")] = None,
    extract_workers: Annotated[int, typer.Option(help="Worker processes for POST extraction (0: in the server, "
                                                      "one at a time).")] = 2,
    extract_queue: Annotated[int, typer.Option(help="Extractions that may wait for a worker; more get 503.")] = 8,
    extract_budget: Annotated[float, typer.Option(help="Seconds an extraction may take, waiting included.")] = 300,
) -> None:
    """Start the workbench: REST API under /api, web UI at /, API docs at /docs."""
    from pathlib import Path

    from casus.web.server import check_exposure
    from casus.web.server import serve as run

    try:
        check_exposure(host, token)
    except ValueError as exc:
        err.print(str(exc), soft_wrap=True)
        raise typer.Exit(2) from None
    if read_only and not Path(db).exists():
        err.print(f"no store at {db} (run `casus ingest --db {db} FILES…` first)")
        raise typer.Exit(1)
    err.print(f"casus workbench on http://{host}:{port}/  (API docs: /docs, store: {db})", soft_wrap=True)
    run(db, host=host, port=port, token=token, read_only=read_only, allow_hosts=allow_host or (),
        extract={"workers": extract_workers, "queue_size": extract_queue, "budget": extract_budget})


class Engine(StrEnum):
    local = "local"
    ray = "ray"


@app.command()
def run(
    source: Annotated[str, typer.Argument(metavar="INPUT",
                                          help="JSONL/Parquet file or directory (or any fsspec URL with Ray).")],
    output: Annotated[str, typer.Argument(metavar="OUTPUT", help="Directory for Parquet records, by month.")],
    engine: Annotated[Engine, typer.Option(help="local worker processes, or a Ray Data job.")] = Engine.local,
    address: Annotated[str | None, typer.Option(help="Ray cluster address (e.g. auto); default: start one.")] = None,
    processes: ProcessesOption = 0,
    batch_size: Annotated[int, typer.Option(help="Documents per batch.")] = 32,
    overwrite: Annotated[bool, typer.Option(help="Replace OUTPUT if it holds files.")] = False,
) -> None:
    """Extract records from a corpus into Parquet files partitioned by publication month."""
    import shutil
    from pathlib import Path

    out = Path(output)
    if "://" not in output and out.exists() and any(out.iterdir()):
        if not overwrite:
            err.print(f"{output} is not empty (use --overwrite to replace it)")
            raise typer.Exit(1)
        shutil.rmtree(out)
    if engine == Engine.ray:
        try:
            from casus.scale import ray_job
        except ImportError as exc:
            err.print(f"the Ray engine needs the ray extra: pip install 'casus[ray]' ({exc})")
            raise typer.Exit(1) from exc
        n = ray_job.run([source], output, address=address, actors=processes or None, batch_size=batch_size)
        err.print(f"{n} records → {output} (Ray)")
        return
    from casus.pipeline import extract as extract_records
    from casus.scale.local import documents, write_partitioned

    with _progress("extracting") as progress:
        done = 0

        def counted() -> Iterator[dict[str, Any]]:
            nonlocal done
            for record in extract_records(documents([source]), batch_size=batch_size, n_process=processes):
                done += 1
                _tick(progress, done)
                yield record

        n = write_partitioned(counted(), output)
    err.print(f"{n} records → {output}")
    if n == 0:
        raise typer.Exit(1)


@app.command("load")
def load_parquet(
    source: Annotated[str, typer.Argument(metavar="PARQUET", help="Directory (or file) written by `casus run`.")],
    db: DbOption = "casus.duckdb",
    fuse: FuseOption = True,
) -> None:
    """Load Parquet records into a store; documents already stored are skipped."""
    from casus.scale.records import read_records
    from casus.store import Store, add_records

    seen, added = add_records(db, read_records(source), notice=_notice)
    with Store(db, notice=_notice) as store:
        fused = _fuse(store) if fuse else None
        counts = store.summary()
    err.print(f"{seen} records read, {added} new documents stored → {db}")
    err.print("store: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    if fused:
        err.print(fused)


class Grain(StrEnum):
    event = "event"
    happening = "happening"


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    json = "json"
    jsonl = "jsonl"
    gdelt = "gdelt"


class ExportTable(StrEnum):
    events = "events"
    quotes = "quotes"
    actors = "actors"
    records = "records"


@app.command()
def export(
    out: Annotated[str, typer.Argument(metavar="OUT", help="Output file; - for stdout (not parquet).")],
    db: DbOption = "casus.duckdb",
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f",
                                              help="csv, parquet, json (an array), jsonl; gdelt: the GDELT 2.0 "
                                                   "event table (tab-separated).")] = ExportFormat.csv,
    table: Annotated[ExportTable, typer.Option("--table", "-t",
                                               help="events (one row per event), quotes, actors, or records "
                                                    "(one whole record per document).")] = ExportTable.events,
    actor: ActorFilter = None,
    type_: TypeFilter = None,
    quad: QuadFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
    place: PlaceFilter = None,
    text: TextFilter = None,
    min_confidence: ConfidenceFilter = DISPLAY_MIN_CONFIDENCE,
    header: Annotated[bool, typer.Option(help="Header line in csv/gdelt output.")] = True,
    include_negated: Annotated[bool, typer.Option(help="Keep negated events in the gdelt table.")] = False,
    grain: Annotated[Grain, typer.Option(help="event: records / event rows; happening: one row per happening "
                                              "(events fused across outlets, see `casus happenings`).")]
    = Grain.event,
) -> None:
    """Export a table (events, quotes, actors) or the records; event filters as for `casus events`
    (records: the documents with a matching event)."""
    from casus.export import ExportError
    from casus.export import export as run_export
    from casus.fusion.queries import NotFused

    filters = {"actor": actor, "type": type_, "quad": quad, "since": since, "until": until, "place": place,
               "text": text, "min_confidence": min_confidence}
    if grain == Grain.happening and table != ExportTable.events:
        err.print("error: --grain happening exports happenings, not --table " + table.value)
        raise typer.Exit(2)
    with _open(db) as store, _refused():
        try:
            n = run_export(store, fmt.value, out, table=table.value, include_negated=include_negated, header=header,
                           grain=grain.value, **filters)
        except ExportError as exc:
            err.print(f"error: {exc}", markup=False, highlight=False)
            raise typer.Exit(2) from None
        except NotFused as exc:
            err.print(str(exc))
            raise typer.Exit(1) from None
        below = 0
        if table == ExportTable.events and min_confidence > 0:
            below = store.count_events(**{**filters, "min_confidence": None}) - store.count_events(**filters)
    what = "happenings" if grain == Grain.happening else table.value
    err.print(f"{n} {what} → {out}" + (f" ({below} events below confidence {min_confidence} left out; "
                                       "--min-confidence 0 keeps them)" if below else ""))


from casus.fusion.commands import register as _register_fusion  # noqa: E402  (needs the options above)

_register_fusion(app)


def main() -> None:
    app(prog_name="casus")


if __name__ == "__main__":
    main()
