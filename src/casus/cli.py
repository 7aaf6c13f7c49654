"""The `casus` command line: extract, ingest, and queries over the store."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from casus.document import Document, content_hash

app = typer.Typer(help="casus: news text to source-grounded PLOVER event data.", no_args_is_help=True,
                  add_completion=False)
err = Console(stderr=True)
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


class OutFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class ExtractFormat(StrEnum):
    text = "text"
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
    """Extract records and print them (one JSON object per document with --format jsonl)."""
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
) -> None:
    """Extract and store records in a DuckDB file; documents already stored are skipped."""
    from casus.pipeline import extract as run
    from casus.record import is_failed
    from casus.store import Store

    nlp = _nlp_with_kb(kb)
    store = Store(db)
    skipped = 0

    def fresh() -> Iterator[Document]:
        nonlocal skipped
        options = _options(id_field, text_field, date_field, url_field, title_field, timeout, max_bytes)
        for doc in _documents(paths, options):
            if doc.text and store.known_hashes([content_hash(doc.text)]):
                skipped += 1
                continue
            yield doc

    total = failed = added = 0
    batch: list[dict[str, Any]] = []
    with _progress("ingesting") as progress:
        for record in run(fresh(), nlp=nlp, batch_size=batch_size, n_process=processes):
            total += 1
            failed += is_failed(record)
            batch.append(record)
            if len(batch) >= batch_size:
                added += store.add_batch(batch)
                batch = []
            _tick(progress, total)
        if batch:
            added += store.add_batch(batch)
    counts = store.summary()
    store.close()
    err.print(f"{added} new documents stored, {skipped} already stored, {failed} with errors → {db}")
    err.print("store: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    if total and failed == total:
        raise typer.Exit(1)
    if total == 0 and skipped == 0:
        err.print("no input documents")
        raise typer.Exit(1)


# The summary is a first look: it leaves out the least confident events (all are stored and listed by `events`).
SUMMARY_MIN_CONFIDENCE = 0.3


def _emit(columns: list[str], rows: list[tuple], fmt: OutFormat, title: str) -> None:
    if fmt == OutFormat.json:
        sys.stdout.write(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=str,
                                    ensure_ascii=False, indent=1) + "\n")
    elif fmt == OutFormat.csv:
        w = csv.writer(sys.stdout)
        w.writerow(columns)
        w.writerows(rows)
    else:
        table = Table(title=f"{title} ({len(rows)})")
        for c in columns:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(*("" if v is None else str(v) for v in r))
        Console().print(table)


def _open(db: str):  # noqa: ANN202
    from pathlib import Path

    from casus.store import Store

    if not Path(db).exists():
        err.print(f"no store at {db} (run `casus ingest --db {db} FILES…` first)")
        raise typer.Exit(1)
    return Store(db, read_only=True)


ActorFilter = Annotated[str | None, typer.Option("--actor", help="Source or target actor id or name.")]
TypeFilter = Annotated[str | None, typer.Option("--type", help="PLOVER type, e.g. THREATEN.")]
SinceFilter = Annotated[str | None, typer.Option("--since", help="Earliest date, YYYY[-MM[-DD]].")]
UntilFilter = Annotated[str | None, typer.Option("--until", help="Latest date, YYYY[-MM[-DD]].")]
PlaceFilter = Annotated[str | None, typer.Option("--place", help="Location name (part of it), ISO3 country or admin1.")]
ConfidenceFilter = Annotated[float, typer.Option("--min-confidence", help="Only events at least this confident (0-1).")]

FmtOption = Annotated[OutFormat, typer.Option("--format", "-f", help="table, csv or json.")]
LimitOption = Annotated[int, typer.Option(help="Most rows to print.")]


@app.command()
def events(
    db: DbOption = "casus.duckdb",
    actor: ActorFilter = None,
    type_: TypeFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
    place: PlaceFilter = None,
    min_confidence: ConfidenceFilter = 0.0,
    fmt: FmtOption = OutFormat.table,
    limit: LimitOption = 100,
) -> None:
    """List stored events."""
    with _open(db) as store:
        _emit(*store.events(actor, type_, since, until, limit, place=place, min_confidence=min_confidence),
              fmt, "events")


@app.command()
def quotes(
    db: DbOption = "casus.duckdb",
    speaker: Annotated[str | None, typer.Option(help="Speaker actor id or name.")] = None,
    kind: Annotated[str | None, typer.Option(help="direct, partial, indirect or mixed.")] = None,
    fmt: FmtOption = OutFormat.table,
    limit: LimitOption = 100,
) -> None:
    """List stored quotes."""
    with _open(db) as store:
        _emit(*store.quotes(speaker, kind, limit), fmt, "quotes")


@app.command()
def actors(
    db: DbOption = "casus.duckdb",
    name: Annotated[str | None, typer.Option(help="Actor id or part of its name.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO3 country code.")] = None,
    fmt: FmtOption = OutFormat.table,
    limit: LimitOption = 100,
) -> None:
    """List stored actors with mention and document counts."""
    with _open(db) as store:
        _emit(*store.actors(name, country, limit), fmt, "actors")


@app.command()
def duplicates(
    db: DbOption = "casus.duckdb",
    fmt: FmtOption = OutFormat.table,
    limit: LimitOption = 100,
) -> None:
    """List near-duplicate documents (the same story from two outlets), most similar first."""
    with _open(db) as store:
        _emit(*store.near_duplicates(limit), fmt, "near-duplicates")


@app.command()
def summary(db: DbOption = "casus.duckdb") -> None:
    """What the store holds: counts, the most mentioned actors, quotes and events."""
    out = Console(soft_wrap=True, highlight=False)
    with _open(db) as store:
        counts = store.summary()
        out.print(f"[bold]{db}[/bold]: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        if counts.get("near_duplicates"):
            cols, rows = store.near_duplicates(limit=5)
            out.print(f"[bold]near-duplicates[/bold]: {counts['near_duplicates']} linked pairs "
                      f"(`casus duplicates --db {db}`)")
            for r in (dict(zip(cols, row, strict=True)) for row in rows):
                out.print(f"  {r['id']} ≈ {r['duplicate_of']} ({r['similarity']:.2f})", markup=False)
        cols, rows = store.actors(limit=12)
        out.print("[bold]actors[/bold] (id, name, country/sector, mentions)")
        for r in (dict(zip(cols, row, strict=True)) for row in rows):
            code = "/".join(x for x in (r["country"], r["sector"]) if x) or "-"
            out.print(f"  {r['id']:<22} {r['name']:<26} {code:<8} {r['mentions']}", markup=False)
        names = dict(store.query("SELECT id, name FROM actors")[1])
        cols, rows = store.quotes(limit=20)
        out.print("[bold]quotes[/bold] (kind, speaker: content)")
        for r in (dict(zip(cols, row, strict=True)) for row in rows):
            content = r["content"] if len(r["content"]) <= 80 else r["content"][:79] + "…"
            out.print(f"  {r['kind']:<8} {names.get(r['speaker_actor']) or r['speaker']}: “{content}”", markup=False)
        floor = SUMMARY_MIN_CONFIDENCE
        cols, rows = store.events(limit=30, min_confidence=floor)
        hidden = counts["events"] - store.query("SELECT count(*) FROM events WHERE confidence >= ?", [floor])[1][0][0]
        out.print(f"[bold]events[/bold] with confidence ≥ {floor} (date, type, source → target \\[trigger] "
                  "@ place, modality, confidence)")
        for r in (dict(zip(cols, row, strict=True)) for row in rows):
            flags = " ".join(k for k in ("negated", "hypothetical", "future", "historical", "reported") if r[k])
            where = f" @ {r['location']}" if r.get("location") else ""
            out.print(f"  {r['date'] or '-':<10} {r['type']:<9} {names.get(r['source_actor']) or r['source'] or '-'} → "
                      f"{names.get(r['target_actor']) or r['target'] or '-'} [{r['trigger']}]{where} {flags} "
                      f"{r['confidence']:.2f}", markup=False)
        if hidden:
            out.print(f"  ({hidden} less confident events not shown: casus events --db {db} lists them all)",
                      markup=False)


@app.command()
def serve(
    db: DbOption = "casus.duckdb",
    host: Annotated[str, typer.Option(help="Interface to bind; anything but loopback needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    token: Annotated[str | None, typer.Option(help="Bearer token required by the write endpoints (POST).",
                                              envvar="CASUS_TOKEN")] = None,
    read_only: Annotated[bool, typer.Option("--read-only", help="Open the store read-only; no ingest.")] = False,
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
    run(db, host=host, port=port, token=token, read_only=read_only,
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
) -> None:
    """Load Parquet records into a store; documents already stored are skipped."""
    from casus.scale.records import read_records
    from casus.store import Store

    with Store(db) as store:
        seen, added = store.add_records(read_records(source))
        counts = store.summary()
    err.print(f"{seen} records read, {added} new documents stored → {db}")
    err.print("store: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"
    gdelt = "gdelt"


@app.command()
def export(
    out: Annotated[str, typer.Argument(metavar="OUT", help="Output file; - for stdout (not parquet).")],
    db: DbOption = "casus.duckdb",
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f",
                                              help="jsonl/parquet: records; csv: event rows; gdelt: GDELT 2.0 "
                                                   "event table (tab-separated).")] = ExportFormat.jsonl,
    actor: ActorFilter = None,
    type_: TypeFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
    place: PlaceFilter = None,
    min_confidence: ConfidenceFilter = 0.0,
    header: Annotated[bool, typer.Option(help="Header line in csv/gdelt output.")] = True,
    include_negated: Annotated[bool, typer.Option(help="Keep negated events in the gdelt table.")] = False,
) -> None:
    """Export records or events; filters as for `casus events` (records: documents with a matching event)."""
    from casus.export import export as run_export

    with _open(db) as store:
        n = run_export(store, fmt.value, out, include_negated=include_negated, header=header, actor=actor,
                       type_=type_, since=since, until=until, place=place, min_confidence=min_confidence)
    what = "records" if fmt in (ExportFormat.jsonl, ExportFormat.parquet) else "events"
    err.print(f"{n} {what} → {out}")


def main() -> None:
    app(prog_name="casus")


if __name__ == "__main__":
    main()
