import csv
import io
import json

from tests.conftest import EXAMPLES, SEED, jsonl, run_casus


def test_extract_jsonl_prints_one_record_per_document(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "a", "text": "Macron said France would send troops."}) + "\n"
                      + "{broken\n", encoding="utf-8")
    proc = run_casus("extract", "--format", "jsonl", str(SEED), str(corpus))
    assert proc.returncode == 0, proc.stderr
    records = jsonl(proc.stdout)
    assert [r["id"] for r in records] == ["putin-reassurance-force", "a", "line-2"]
    assert records[2]["errors"][0]["stage"] == "ingest"
    assert "malformed JSON" in proc.stderr


def test_extract_reads_stdin_and_fails_only_when_everything_failed(tmp_path):
    proc = run_casus("extract", "--format", "jsonl", "-", stdin="Putin threatened Ukraine on Friday.")
    assert proc.returncode == 0, proc.stderr
    [record] = jsonl(proc.stdout)
    assert record["text"] == "Putin threatened Ukraine on Friday."
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    bad = run_casus("extract", str(tmp_path / "empty.txt"))
    assert bad.returncode == 1
    assert "empty document" in bad.stderr


def test_ingest_then_query_in_every_format(tmp_path):
    db = tmp_path / "q.duckdb"
    run_casus("ingest", "--db", str(db), str(EXAMPLES), check=True)
    table = run_casus("events", "--db", str(db), check=True).stdout
    assert "THREATEN" in table
    as_json = json.loads(run_casus("events", "--db", str(db), "--type", "threaten", "--format", "json",
                                   check=True).stdout)
    assert as_json and {e["type"] for e in as_json} == {"THREATEN"}
    rows = list(csv.DictReader(io.StringIO(run_casus("quotes", "--db", str(db), "--speaker", "Putin",
                                                     "--format", "csv", check=True).stdout)))
    assert rows and all(r["speaker_actor"] == "rus-putin" for r in rows)
    actors = json.loads(run_casus("actors", "--db", str(db), "--format", "json", check=True).stdout)
    putin = next(a for a in actors if a["id"] == "rus-putin")
    assert putin["mentions"] >= 5 and putin["documents"] == 1
    window = json.loads(run_casus("events", "--db", str(db), "--since", "2025-09-05", "--until", "2025-09-05",
                                  "--format", "json", check=True).stdout)
    assert window and all(e["date"] == "2025-09-05" for e in window)
    summary = run_casus("summary", "--db", str(db), check=True).stdout
    assert "1 documents" in summary


def test_queries_on_a_missing_store_say_so(tmp_path):
    proc = run_casus("events", "--db", str(tmp_path / "none.duckdb"))
    assert proc.returncode == 1 and "no store" in proc.stderr


def test_format_names_are_one_set(tmp_path):
    """json is one array and jsonl one object per line, for extract as for the queries; text is readable."""
    as_array = run_casus("extract", "--format", "json", str(SEED), check=True).stdout
    as_lines = run_casus("extract", "--format", "jsonl", str(SEED), check=True).stdout
    assert json.loads(as_array) == jsonl(as_lines) and len(jsonl(as_lines)) == 1
    db = tmp_path / "f.duckdb"
    run_casus("ingest", "--db", str(db), str(SEED), check=True)
    rows = json.loads(run_casus("events", "--db", str(db), "--format", "json", check=True).stdout)
    assert rows and jsonl(run_casus("events", "--db", str(db), "--format", "jsonl", check=True).stdout) == rows
    text = run_casus("events", "--db", str(db), "--format", "text", check=True).stdout
    assert text == run_casus("events", "--db", str(db), "--format", "table", check=True).stdout
    assert all(r["type"] in text for r in rows)
    bad = run_casus("events", "--db", str(db), "--format", "parquet")
    assert bad.returncode == 2 and "parquet" in bad.stderr
