"""The one place where an annotated `Doc` becomes the serialised record (DESIGN.md §4).

Everything downstream — store, CLI, API, UI, exports — reads records only. Offsets in the record
are indices into `text`, the document as read; the Doc's offsets (into the repaired text) are
mapped back here.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

from casus.document import Document
from casus.offsets import OffsetMap

SPAN_KEYS = ("content", "speaker", "cue", "source", "target", "trigger", "evidence", "date", "location")
INTERNAL_KEYS = ("tok", "tok_end", "token", "locative")


def _map_span(span: dict[str, Any] | None, omap: OffsetMap) -> dict[str, Any] | None:
    if span is None:
        return None
    out = {k: v for k, v in span.items() if k not in INTERNAL_KEYS}
    if span.get("start") is not None and span.get("end") is not None:
        out["start"], out["end"] = omap.span(span["start"], span["end"])
    if isinstance(span.get("parts"), list):  # compound-actor members, or the pieces of one quotation
        out["parts"] = [_map_span(p, omap) if isinstance(p, dict) else p for p in span["parts"]]
    return out


def _map_item(item: dict[str, Any], omap: OffsetMap) -> dict[str, Any]:
    out = _map_span(item, omap) or {}
    for key in SPAN_KEYS:
        if key in out and isinstance(out[key], dict):
            out[key] = _map_span(out[key], omap)
    return out


FOUND_META = ("dateline", "furniture")  # what repair found in the text (casus.furniture), offsets into `text`


def _meta(document: Document, doc: Doc | None = None) -> dict[str, Any]:
    meta = {"title": None, "outlet": None, "url": None, "published": None, "language": None}
    meta.update(document.meta)
    found = (doc._.casus_meta or {}) if doc is not None else {}
    meta.update({k: found[k] for k in FOUND_META if found.get(k)})
    return meta


def _doc_attr(doc: Doc, name: str) -> list[dict[str, Any]]:
    return list(getattr(doc._, name) or []) if Doc.has_extension(name) else []


def build_record(doc: Doc, document: Document) -> dict[str, Any]:
    omap = OffsetMap(doc._.casus_offsets) if doc._.casus_offsets else OffsetMap.identity(len(doc.text))
    actors = {aid: {k: v for k, v in a.items() if v is not None or k in ("country", "sector")}
              for aid, a in (doc._.casus_actors or {}).items()}
    for a in actors.values():
        a["mentions"] = []
    for m in doc._.casus_mentions or []:
        start, end = omap.span(m["start"], m["end"])
        actors[m["actor"]]["mentions"].append({"start": start, "end": end, "via": m["via"],
                                               **({"rule": m["rule"]} if m.get("rule") else {})})
    errors = list(document.errors) + list(doc._.casus_errors or [])
    return {
        "id": document.id,
        "meta": _meta(document, doc),
        "text": document.text,
        "actors": list(actors.values()),
        "quotes": [_map_item(q, omap) for q in doc._.casus_quotes or []],
        "events": [_map_item(e, omap) for e in doc._.casus_events or []],
        # resolved time expressions and toponyms of the whole document (issue 7)
        "times": [_map_span(t, omap) for t in _doc_attr(doc, "casus_times")],
        "places": [_map_span(p, omap) for p in _doc_attr(doc, "casus_places")],
        "repairs": list(doc._.casus_notes or []),
        "errors": errors,
    }


def error_record(document: Document) -> dict[str, Any]:
    return {"id": document.id, "meta": _meta(document), "text": document.text, "actors": [], "quotes": [],
            "events": [], "times": [], "places": [], "repairs": [], "errors": list(document.errors)}


def is_failed(record: dict[str, Any]) -> bool:
    return any(e.get("level", "error") == "error" for e in record.get("errors", []))
