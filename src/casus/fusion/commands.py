"""The fusion commands of the `casus` CLI: `fuse` (store or Parquet) and `happenings`.

Kept apart from casus.cli so fusion's commands change in one file; `register(app)` is called at
the end of casus.cli, once its shared options exist. (No `from __future__ import annotations`:
typer reads the options' annotations, which name casus.cli's types, when the commands are made.)
"""

from typing import Annotated, Any

import typer
from rich.console import Console


def _flags(h: dict[str, Any]) -> str:
    return " ".join(k for k in ("negated", "hypothetical", "future", "historical") if h.get(k))


def _days(h: dict[str, Any]) -> str:
    if h.get("date_start"):
        return h["date_start"] if h["date_start"] == h["date_end"] else f"{h['date_start']}/{h['date_end']}"
    return f"({h['first_report']})" if h.get("first_report") else "-"


def print_happenings(total: int, items: list[dict[str, Any]], reports: dict[str, list[dict[str, Any]]],
                     console: Console) -> None:
    console.print(f"{total} happenings match; {len(items)} shown (date, type, source → target @ place, modality: "
                  "reports / documents / outlets, combined confidence)", markup=False)
    for h in items:
        where = f" @ {h['location']}" if h.get("location") else ""
        flags = f" {_flags(h)}" if _flags(h) else ""
        console.print(f"  {h['id']}  {_days(h):<10} {h['type']:<9} {h['source_name'] or '-'} → "
                      f"{h['target_name'] or '-'}{where}{flags}: {h['n_reports']} / {h['n_documents']} / "
                      f"{h['n_outlets']} ({', '.join(h['outlets'][:6])}{', …' if len(h['outlets']) > 6 else ''}) "
                      f"{h['confidence']:.2f}", markup=False, highlight=False, soft_wrap=True)
        for r in reports.get(h["id"], []):
            ev = " ".join((r["evidence"] or "").split())
            ev = ev if len(ev) <= 110 else ev[:109] + "…"
            console.print(f"      {r['published'] or '-':<10} {r['outlet'] or r['doc_id']}: “{ev}” "
                          f"[{r['doc_id']} #{r['n']}]", markup=False, highlight=False, soft_wrap=True)


def stats_line(s: Any) -> str:
    return (f"fusion: {s.new_reports} new events, {s.components_redone} stored components redone, "
            f"{s.happenings_written} happenings written, {s.happenings_total} in the store ({s.seconds:.1f} s)")


def fuse_after_store(store: Any) -> str:
    """What `ingest` and `load` run after storing: fuse what is new; a line saying what changed."""
    from casus.fusion.storage import FusionStale, update

    try:
        return stats_line(update(store.con))
    except FusionStale as exc:
        return f"fusion skipped: {exc}"


def register(app: typer.Typer) -> None:
    from casus import cli as base

    @app.command()
    def fuse(
        db: base.DbOption = "casus.duckdb",
        rebuild: Annotated[bool, typer.Option(help="Forget the store's happenings and fuse every event again.")]
        = False,
        parquet: Annotated[str | None, typer.Option(help="Fuse the records of a `casus run` Parquet directory "
                                                         "instead of a store.")] = None,
        out: Annotated[str | None, typer.Option(help="With --parquet: directory for happenings.parquet and "
                                                     "happening_reports.parquet.")] = None,
    ) -> None:
        """Fuse events that report one happening (across documents and outlets) into happenings.

        `ingest` and `load` do it after storing; this fuses a store again (only what is new, unless
        --rebuild) or the Parquet output of `casus run`."""
        if parquet:
            from casus.fusion.parquet import fuse_parquet

            if not out:
                base.err.print("--parquet needs --out DIR")
                raise typer.Exit(2)
            n_reports, n_happenings = fuse_parquet(parquet, out)
            base.err.print(f"{n_reports} events fused into {n_happenings} happenings → {out}")
            return
        from pathlib import Path

        from casus.store import Store

        if not Path(db).exists():
            base.err.print(f"no store at {db} (run `casus ingest --db {db} FILES…` first)")
            raise typer.Exit(1)
        from casus.fusion.storage import FusionStale, update

        with Store(db) as store:
            try:
                stats = update(store.con, rebuild=rebuild)
            except FusionStale as exc:
                base.err.print(str(exc))
                raise typer.Exit(1) from None
        base.err.print(stats_line(stats))

    @app.command()
    def happenings(
        db: base.DbOption = "casus.duckdb",
        actor: base.ActorFilter = None,
        type_: base.TypeFilter = None,
        since: base.SinceFilter = None,
        until: base.UntilFilter = None,
        place: base.PlaceFilter = None,
        min_confidence: base.ConfidenceFilter = base.DISPLAY_MIN_CONFIDENCE,
        min_reports: Annotated[int, typer.Option(help="Only happenings with at least this many reports.")] = 1,
        min_outlets: Annotated[int, typer.Option(help="Only happenings reported by at least this many outlets.")] = 1,
        happening: Annotated[str | None, typer.Option("--id", help="One happening, with all its reports.")] = None,
        reports: Annotated[bool, typer.Option("--reports/--no-reports",
                                              help="List each happening's reports (evidence, outlet, document).")]
        = False,
        sort: Annotated[str, typer.Option(help="outlets, reports, date, confidence, type, first_report, "
                                               "last_report.")] = "outlets",
        fmt: base.FmtOption = base.OutFormat.text,
        limit: base.LimitOption = 50,
    ) -> None:
        """List happenings: events fused across documents and outlets, with their counts.

        The event filters keep the happenings that have at least one matching report."""
        from casus.fusion import queries
        from casus.query import EventFilter

        with base._open(db) as store, base._refused():
            w = EventFilter(actor=actor, type=type_, since=since, until=until, place=place,
                            min_confidence=min_confidence).where()
            where, params = w.sql(), w.params
            try:
                if happening:
                    one = queries.happening(store.con, happening)
                    items, total = ([one], 1) if one else ([], 0)
                    rep = {happening: one.pop("reports")} if one else {}
                else:
                    total, items = queries.happenings(store.con, where, params, min_reports, min_outlets, sort=sort,
                                                      order="asc" if sort in ("date", "type") else "desc",
                                                      limit=limit)
                    rep = queries.reports(store.con, [h["id"] for h in items]) if reports else {}
            except (queries.NotFused, ValueError) as exc:
                base.err.print(str(exc))
                raise typer.Exit(1) from None
            behind = queries.unfused(store.con)
        if happening and not items:
            base.err.print(f"no happening {happening!r}")
            raise typer.Exit(1)
        if fmt in (base.OutFormat.json, base.OutFormat.jsonl, base.OutFormat.csv):
            for h in items:
                if h["id"] in rep and fmt != base.OutFormat.csv:
                    h["reports"] = rep[h["id"]]
            base._emit(items, fmt, "happenings", what="happenings")
        else:
            print_happenings(total, items, rep, Console(soft_wrap=True, highlight=False))
        if behind:
            base.err.print(f"{behind} stored events are not fused yet: run `casus fuse --db {db}`")
