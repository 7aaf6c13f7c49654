"""The workbench's happening endpoints (an APIRouter the app includes): events fused across outlets.

GET /api/happenings takes the events' filters (a happening matches when one of its reports does)
plus min_reports / min_outlets, sorting and paging; GET /api/happenings/{id} gives one happening
with every report (document, outlet, evidence). A store that was never fused answers with an
empty list and `fused: false`, so the UI can say so.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from casus.data_files import plover_types
from casus.fusion import queries
from casus.fusion.queries import HAPPENING_SORTS
from casus.web.app import MAX_PAGE, Filter, Json, Limit, Offset, Order

router = APIRouter(prefix="/api/happenings", tags=["happenings"])


def _with_quad(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    types = plover_types()
    for h in items:
        h["quad"] = (types.get(h["type"]) or {}).get("quad")
    return items


@router.get("", summary="Happenings: events fused across documents and outlets, filtered, sorted and paged")
def list_happenings(request: Request, f: Filter, limit: Limit = 50, offset: Offset = 0,
                    min_reports: Annotated[int, Query(ge=1, le=100_000)] = 1,
                    min_outlets: Annotated[int, Query(ge=1, le=100_000)] = 1,
                    sort: Annotated[str, Query(description=", ".join(HAPPENING_SORTS))] = "outlets",
                    order: Order = "desc") -> Json:
    wb = request.app.state.workbench
    w = f.where()
    with wb.cursor() as cur:
        if not queries.has_tables(cur):
            return Json({"fused": False, "total": 0, "limit": limit, "offset": offset, "items": []})
        try:
            total, items = queries.happenings(cur, w.sql(), w.params, min_reports, min_outlets, sort, order,
                                              min(limit, MAX_PAGE), offset)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        behind = queries.unfused(cur)
    return Json({"fused": True, "unfused_events": behind, "total": total, "limit": limit, "offset": offset,
                 "items": _with_quad(items)})


@router.get("/{hid}", summary="One happening with all its reports")
def get_happening(request: Request, hid: str) -> Json:
    wb = request.app.state.workbench
    with wb.cursor() as cur:
        one = queries.happening(cur, hid) if queries.has_tables(cur) else None
    if one is None:
        raise HTTPException(404, f"no happening {hid!r}")
    return Json(_with_quad([one])[0])
