"""Reading happenings back: lists with the event filters, one happening with its reports.

A happening matches the event filters (`casus events`' actor, type, dates, place, confidence)
when at least one of its reports does, the way `casus export` keeps the records that have a
matching event. The filter SQL is the events' own (`where` over the `events` table aliased `e`),
so a filter means the same thing at both grains.
"""

from __future__ import annotations

from typing import Any

import duckdb

from casus.fusion.storage import has_tables

HAPPENING_SORTS = {"outlets": "h.n_outlets", "reports": "h.n_reports", "date": "coalesce(h.date_start, h.first_report)",
                   "confidence": "h.confidence", "type": "h.type", "first_report": "h.first_report",
                   "last_report": "h.last_report"}
SELECT = ("SELECT h.id, h.type, h.source_name, h.source_key, h.source_country, h.source_sector, h.target_name, "
          "h.target_key, h.target_country, h.target_sector, CAST(h.date_start AS VARCHAR) AS date_start, "
          "CAST(h.date_end AS VARCHAR) AS date_end, h.location, h.location_country, h.lat, h.lon, h.negated, "
          "h.hypothetical, h.future, h.historical, h.n_reports, h.n_documents, h.n_outlets, h.outlets, "
          "CAST(h.first_report AS VARCHAR) AS first_report, CAST(h.last_report AS VARCHAR) AS last_report, "
          "h.confidence FROM happenings h")
REPORTS = ("SELECT r.happening, e.doc_hash, e.doc_id, e.n, d.outlet, CAST(d.published AS VARCHAR) AS published, "
           "d.title, d.url, e.type, e.source_actor, e.source, e.target_actor, e.target, e.trigger, e.evidence, "
           "e.evidence_start, e.evidence_end, CAST(e.date AS VARCHAR) AS date, e.location, e.negated, "
           "e.hypothetical, e.future, e.historical, e.confidence "
           "FROM happening_reports r JOIN events e ON e.doc_hash = r.doc_hash AND e.n = r.n "
           "JOIN documents d ON d.hash = e.doc_hash")


class NotFused(LookupError):
    """The store has no happenings yet (`casus fuse` makes them)."""


def where(event_where: str, event_params: list[Any], min_reports: int = 1, min_outlets: int = 1,
          happening: str | None = None) -> tuple[str, list[Any]]:
    """WHERE over `happenings h`: some report matches the event filter, plus the happening's own filters."""
    clauses: list[str] = []
    params: list[Any] = []
    if event_where:
        # documents joined too: the workbench's date filter falls back to the publication date
        clauses.append("h.id IN (SELECT r.happening FROM happening_reports r JOIN events e ON e.doc_hash = r.doc_hash "
                       f"AND e.n = r.n LEFT JOIN documents d ON d.hash = e.doc_hash {event_where})")
        params += event_params
    if min_reports > 1:
        clauses.append("h.n_reports >= ?")
        params.append(min_reports)
    if min_outlets > 1:
        clauses.append("h.n_outlets >= ?")
        params.append(min_outlets)
    if happening:
        clauses.append("h.id = ?")
        params.append(happening)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def order_by(sort: str = "outlets", order: str = "desc") -> str:
    if sort not in HAPPENING_SORTS:
        raise ValueError(f"cannot sort happenings by {sort!r}; one of {', '.join(HAPPENING_SORTS)}")
    if order not in ("asc", "desc"):
        raise ValueError("order must be asc or desc")
    # ties: most reported, then earliest, then the id, so pages never overlap
    return (f" ORDER BY {HAPPENING_SORTS[sort]} {order.upper()} NULLS LAST, h.n_reports DESC, "
            "coalesce(h.date_start, h.first_report) NULLS LAST, h.id")


def require(con: duckdb.DuckDBPyConnection) -> None:
    if not has_tables(con):
        raise NotFused("this store has no happenings yet: run `casus fuse` (ingest does it after storing)")


def happenings(con: duckdb.DuckDBPyConnection, event_where: str = "", event_params: list[Any] | None = None,
               min_reports: int = 1, min_outlets: int = 1, sort: str = "outlets", order: str = "desc",
               limit: int | None = 100, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """(matching happenings, one page of them as dicts)."""
    require(con)
    w, params = where(event_where, list(event_params or []), min_reports, min_outlets)
    total = con.execute(f"SELECT count(*) FROM happenings h{w}", params).fetchone()[0]
    sql = SELECT + w + order_by(sort, order)
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params = params + [limit, offset]
    return total, _dicts(con.execute(sql, params))


def cursor(con: duckdb.DuckDBPyConnection, event_where: str = "", event_params: list[Any] | None = None,
           sort: str = "date", order: str = "asc") -> duckdb.DuckDBPyConnection:
    """Every matching happening as an open cursor (exports stream from it)."""
    require(con)
    w, params = where(event_where, list(event_params or []))
    return con.execute(SELECT + w + order_by(sort, order), params)


def happening(con: duckdb.DuckDBPyConnection, hid: str) -> dict[str, Any] | None:
    """One happening with every report: document, outlet, publication date, the event and its evidence."""
    require(con)
    rows = _dicts(con.execute(SELECT + " WHERE h.id = ?", [hid]))
    if not rows:
        return None
    out = rows[0]
    out["reports"] = reports(con, [hid]).get(hid, [])
    return out


def reports(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The reports of these happenings, first published first."""
    out: dict[str, list[dict[str, Any]]] = {h: [] for h in ids}
    if not ids:
        return out
    sql = REPORTS + " WHERE r.happening IN (SELECT unnest(?)) ORDER BY d.published NULLS LAST, e.doc_id, e.n"
    for row in _dicts(con.execute(sql, [ids])):
        out[row.pop("happening")].append(row)
    return out


def unfused(con: duckdb.DuckDBPyConnection) -> int:
    """Events the store holds that no happening covers yet."""
    if not has_tables(con):
        return con.execute("SELECT count(*) FROM events").fetchone()[0]
    return con.execute("SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM happening_reports r "
                       "WHERE r.doc_hash = e.doc_hash AND r.n = e.n)").fetchone()[0]


def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
