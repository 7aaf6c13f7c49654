"""`casus export` on a real store: records round-trip, event rows match the store, the GDELT table is
GDELT-shaped and consistent with the records it came from."""

from __future__ import annotations

import csv
import io
import json

import pytest

from casus.data_files import plover_types
from casus.document import Document
from casus.export import GDELT_COLUMNS, export
from casus.pipeline import extract
from casus.query import DISPLAY_MIN_CONFIDENCE
from casus.scale.records import read_records
from casus.store import Store
from tests.conftest import SEED, run_casus
from tests.test_scale import SENTENCES


@pytest.fixture(scope="module")
def store_path(tmp_path_factory, nlp):
    docs = [Document(id="seed", text=SEED.read_text(encoding="utf-8"),
                     meta={"published": "2025-09-05", "url": "https://example.org/seed"})]
    docs += [Document(id=f"s{i}", text=f"{s} {SENTENCES[(i + 1) % len(SENTENCES)]}", meta={"published": "2025-10-02"})
             for i, s in enumerate(SENTENCES)]
    docs.append(Document(id="neg", text="Russia did not attack Ukraine on Monday.", meta={"published": "2025-10-06"}))
    path = tmp_path_factory.mktemp("export") / "x.duckdb"
    with Store(path) as store:
        store.add_batch(list(extract(docs, nlp=nlp)))
    return path


def _stored(path):
    with Store(path, read_only=True) as store:
        recs = {r[0]: json.loads(r[1]) for r in store.con.execute("SELECT id, record FROM documents").fetchall()}
        events = store.con.execute("SELECT type, negated FROM events").fetchall()
    return recs, events


def test_records_round_trip_through_jsonl_and_parquet(store_path, tmp_path):
    stored, _ = _stored(store_path)
    proc = run_casus("export", "--db", str(store_path), "--table", "records", "--format", "jsonl", "-", check=True)
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    assert {r["id"]: r for r in lines} == stored and len(lines) == len(stored) == 7
    with Store(store_path, read_only=True) as store:
        n = export(store, "parquet", str(tmp_path / "r.parquet"), table="records")
        only = [r["id"] for r in read_records_list(store, tmp_path, type="THREATEN")]
    assert n == 7
    assert {r["id"]: r for r in read_records(tmp_path / "r.parquet")} == stored
    threatening = {k for k, r in stored.items()
                   if any(e["type"] == "THREATEN" and e["confidence"] >= DISPLAY_MIN_CONFIDENCE for e in r["events"])}
    assert threatening and set(only) == threatening


def read_records_list(store, tmp_path, **filters):
    export(store, "jsonl", str(tmp_path / "f.jsonl"), table="records", **filters)
    return [json.loads(x) for x in (tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()]


def test_csv_event_rows_match_the_store_and_filters(store_path, tmp_path):
    _, events = _stored(store_path)
    out = tmp_path / "e.csv"
    run_casus("export", "--db", str(store_path), "--format", "csv", "--min-confidence", "0", str(out), check=True)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == len(events) > 3
    assert sorted(r["type"] for r in rows) == sorted(t for t, _ in events)
    assert {"date_start", "date_end", "date_basis", "admin1", "source_name", "source_code", "contexts"} <= set(rows[0])
    listed = [r for r in rows if ";" in r["contexts"]]
    assert listed, "some event of the fixture has two contexts"
    with Store(store_path, read_only=True) as store:
        export(store, "csv", str(out), type="threaten", since="2025-09-01", until="2025-09-30", min_confidence=0)
    window = list(csv.DictReader(out.open(encoding="utf-8")))
    assert window and all(r["type"] == "THREATEN" and "2025-09-01" <= r["date_start"] <= r["date_end"] <= "2025-09-30"
                          for r in window)


def test_parquet_tables_are_typed_and_at_their_grain(store_path, tmp_path):
    import datetime as dt

    import pandas as pd

    with Store(store_path, read_only=True) as store:
        n_events = store.count_events(min_confidence=None)
        n_quotes = store.con.execute("SELECT count(*) FROM quotes").fetchone()[0]
        n_actors = store.con.execute("SELECT count(*) FROM actors").fetchone()[0]
        compound = store.con.execute("SELECT id, members FROM actors WHERE members IS NOT NULL").fetchall()
        assert export(store, "parquet", str(tmp_path / "ev.parquet"), min_confidence=0) == n_events
        export(store, "parquet", str(tmp_path / "q.parquet"), table="quotes")
        export(store, "parquet", str(tmp_path / "a.parquet"), table="actors")
    ev = pd.read_parquet(tmp_path / "ev.parquet")
    assert len(ev) == n_events and not ev.duplicated(["doc_hash", "n"]).any()  # one row per event
    for col in ("date_start", "date_end", "published"):
        values = ev[col].dropna()
        assert len(values) and all(isinstance(v, dt.date) for v in values), col
    assert (ev["date_start"].dropna() <= ev["date_end"].dropna()).all()
    assert all(isinstance(c, (list, tuple)) or hasattr(c, "tolist") for c in ev["contexts"])
    assert any(len(c) > 1 for c in ev["contexts"])
    resolved = ev[ev["source_actor"].notna()]
    assert len(resolved) and resolved["source_name"].notna().all()
    codes = resolved["source_country"].fillna("") + resolved["source_sector"].fillna("")
    assert (resolved["source_code"] == codes).all()
    # the datetime64 an analyst resamples on is one conversion away
    assert str(pd.to_datetime(ev["date_start"]).dtype).startswith("datetime64")
    q = pd.read_parquet(tmp_path / "q.parquet")
    assert len(q) == n_quotes and {"speaker_actor", "speaker_name", "speaker_code", "content", "published"} <= set(q)
    a = pd.read_parquet(tmp_path / "a.parquet")
    assert len(a) == n_actors and {"id", "name", "code", "members", "mentions", "events"} <= set(a)
    assert compound and list(a.set_index("id").loc[compound[0][0], "members"]) == compound[0][1]


def test_export_refuses_what_it_cannot_write(store_path, tmp_path):
    proc = run_casus("export", "--db", str(store_path), "--table", "quotes", "--format", "gdelt", "-")
    assert proc.returncode == 2 and "not offered" in proc.stderr
    proc = run_casus("export", "--db", str(store_path), "--table", "actors", "--actor", "Putin", "-")
    assert proc.returncode == 2 and "event filters" in proc.stderr
    proc = run_casus("export", "--db", str(store_path), "--format", "parquet", "-")
    assert proc.returncode == 2 and "stdout" in proc.stderr
    as_json = run_casus("export", "--db", str(store_path), "--format", "json", "-", check=True)
    rows = json.loads(as_json.stdout)
    assert rows and all(r["confidence"] >= DISPLAY_MIN_CONFIDENCE for r in rows)
    assert "below confidence" in as_json.stderr  # what the default threshold left out is said


def test_gdelt_table_is_gdelt_shaped_and_consistent(store_path, tmp_path):
    stored, events = _stored(store_path)
    out = tmp_path / "g.tsv"
    with Store(store_path, read_only=True) as store:
        n = export(store, "gdelt", str(out), min_confidence=0)
        with_negated = export(store, "gdelt", str(tmp_path / "all.tsv"), include_negated=True, min_confidence=0)
    assert len(GDELT_COLUMNS) == 61
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")), delimiter="\t"))
    negated = sum(1 for _, neg in events if neg)
    assert negated >= 1, "the fixture should hold a negated event"
    assert n == len(rows) == len(events) - negated and with_negated == len(events)
    assert list(rows[0]) == GDELT_COLUMNS
    types = plover_types()
    by_root = {}
    for t in types.values():
        by_root.setdefault(t["cameo_root"], set()).add(t["quad_code"])
    assert len({r["GlobalEventID"] for r in rows}) == len(rows)
    for r in rows:
        assert int(r["QuadClass"]) in by_root[r["EventRootCode"]]
        assert r["EventCode"] == r["EventRootCode"] and len(r["Day"]) == 8 and r["Day"].startswith("2025")
        assert -10 <= float(r["GoldsteinScale"]) <= 10
    seed_rows = [r for r in rows if r["SOURCEURL"] == "https://example.org/seed"]
    seed_events = [e for e in stored["seed"]["events"] if not e["modality"]["negated"]]
    assert len(seed_rows) == len(seed_events)
    assert any(r["Actor1CountryCode"] == "RUS" and r["Actor1Code"].startswith("RUS") for r in seed_rows)


def test_gdelt_row_maps_a_located_event_to_action_geo():
    from casus.export import gdelt_row

    row = {"doc_hash": "h", "n": 0, "published": "2025-09-05", "url": "u", "date": "2025-09-03",
           "date_granularity": "day", "quad": "material_conflict", "cameo_root": "18", "goldstein": -9.0,
           "source_actor": "rus-mil", "source_name": "Russian forces", "source_country": "RUS",
           "source_sector": "MIL", "source": "Russian troops", "target_actor": None, "target_name": None,
           "target_country": None, "target_sector": None, "target": "the town", "evidence_start": 900,
           "location": "Kharkiv", "country": "UKR", "lat": 49.99, "lon": 36.23, "ingested_at": None}
    out = gdelt_row(row, {"material_conflict": 4})
    assert (out["Day"], out["QuadClass"], out["Actor1Code"], out["Actor2Name"]) == ("20250903", 4, "RUSMIL", "THE TOWN")
    assert (out["ActionGeo_Type"], out["ActionGeo_FullName"], out["ActionGeo_CountryCode"]) == (4, "Kharkiv", "UKR")
    assert out["IsRootEvent"] == 0 and out["GlobalEventID"] == gdelt_row(row, {})["GlobalEventID"]
    month_only = gdelt_row({**row, "date": "2025-08", "date_granularity": "month"}, {})
    assert month_only["Day"] == "20250905"  # falls back to the publication day
