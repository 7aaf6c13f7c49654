"""The spans a reader highlights, taken from a stored record: actor mentions, quotes, cues, triggers.

Each span names what it belongs to (`ref`: actor id, quote or event index) so the UI can link a
highlight to its record. Spans overlap (a trigger inside a quote); the UI splits the text at every
boundary, so they are returned flat, sorted, and clipped to the text.
"""

from __future__ import annotations

from typing import Any


def _span(kind: str, span: dict[str, Any] | None, ref: Any, n: int, label: str | None = None) -> dict[str, Any] | None:
    if not span or span.get("start") is None or span.get("end") is None:
        return None
    start, end = int(span["start"]), int(span["end"])
    if end <= start or start < 0 or end > n:
        return None
    out = {"kind": kind, "start": start, "end": end, "ref": ref}
    if label:
        out["label"] = label
    return out


def highlights(record: dict[str, Any]) -> list[dict[str, Any]]:
    n = len(record.get("text") or "")
    names = {a.get("id"): a.get("name") for a in record.get("actors", [])}
    spans: list[dict[str, Any] | None] = []
    for a in record.get("actors", []):
        for m in a.get("mentions", []):
            spans.append(_span("actor", m, a.get("id"), n, a.get("name")))
    for i, q in enumerate(record.get("quotes", [])):
        speaker = q.get("speaker") or {}
        spans.append(_span("quote", q.get("content"), i, n, q.get("kind")))
        spans.append(_span("speaker", speaker, i, n, names.get(speaker.get("actor"))))
        spans.append(_span("cue", q.get("cue"), i, n))
    for i, e in enumerate(record.get("events", [])):
        spans.append(_span("trigger", e.get("trigger"), i, n, e.get("type")))
    out = [s for s in spans if s is not None]
    out.sort(key=lambda s: (s["start"], -s["end"], s["kind"]))
    return out


def document_view(hash_: str, record: dict[str, Any]) -> dict[str, Any]:
    """What the reader needs: the record plus flat highlight spans and display names for actors."""
    names = {a.get("id"): a.get("name") for a in record.get("actors", [])}
    text = record.get("text") or ""

    def said(span: dict[str, Any] | None) -> str | None:
        if not span or span.get("start") is None:
            return None
        return names.get(span.get("actor")) or " ".join(text[span["start"] : span["end"]].split())

    events = []
    for i, e in enumerate(record.get("events", [])):
        events.append({**e, "n": i, "source_name": said(e.get("source")), "target_name": said(e.get("target")),
                       "trigger_text": said({"start": (e.get("trigger") or {}).get("start"),
                                             "end": (e.get("trigger") or {}).get("end")})})
    return {"hash": hash_, "id": record.get("id"), "meta": record.get("meta", {}), "text": record.get("text", ""),
            "actors": record.get("actors", []), "quotes": record.get("quotes", []), "events": events,
            "errors": record.get("errors", []), "highlights": highlights(record)}
