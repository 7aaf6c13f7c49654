#!/usr/bin/env python3
"""Train the events model (type or NONE per candidate, plus calibration) and cross-validate it.

    .venv/bin/pip install -e '.[train]'
    .venv/bin/python scripts/train_events.py --cv 5 --out src/casus/data/event_model.npz

Training data, every set optional:
- whole articles coded by ../shared/eval/news-guidelines.md: the development set
  ../shared/data/news (`--news`) and the articles we coded ourselves, eval/news-train/*.jsonl, on
  PolNeAR train texts (`--coded`). Every candidate of an article is a training row: the one that
  best reports a gold event's clause gets the gold type, the other candidates of that clause are
  left out, every other candidate is NONE — so the model learns that most clauses report no event.
- PLV_train (`--plv`): the weak trigger (the verb governing the gold source) gets the gold type.

`--cv K` splits the coded articles (news and ours together) into K folds by article. For each fold
the type model is trained on the other folds (plus PLV) and codes the fold's articles; the news
scorer (../shared/eval/news.py) scores the pooled out-of-fold records of the news set. The
calibration (P(type, source and target right) from an event's score and features) is fitted on the
out-of-fold events of the other folds only, then applied to the fold: the confidence figures are
cross-validated too. The display threshold is the highest one whose triple F1 on those records is
within `--f1-slack` (0.01) of the best: where the curve is flat, the analyst gets fewer wrong records
for the same F1.
`--plv-cv K` does the same on PLV's sentences with ../shared/eval/events.py. The shipped model is
trained on every row; its calibration on all out-of-fold events.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import random
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import spacy
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from spacy.tokens import Doc, DocBin

from casus.document import Document
from casus.events import EventCoder, calibrated, yield_type
from casus.events.candidates import DocIndex, candidates
from casus.events.features import is_trigger_candidate
from casus.events.model import EventModels, LinearModel, load_models
from casus.ingest import read_inputs
from casus.offsets import OffsetMap
from casus.pipeline import MODEL, make_doc
from casus.record import build_record

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EVAL = SHARED / "eval"
VERBAL = {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "REQUEST", "ACCUSE", "REJECT", "THREATEN"}


def load_module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


NEWS = load_module("news_scorer", EVAL / "news.py")
PLV = load_module("plv_scorer", EVAL / "events.py")


# ---------------------------------------------------------------------------------------------- data

class Article:
    """One coded article: its document, parsed Doc and gold events (clauses in the text as read)."""

    def __init__(self, document: Document, gold: list[dict[str, Any]], group: str):
        self.document, self.gold, self.group = document, gold, group
        self.doc: Doc | None = None

    @property
    def id(self) -> str:
        return self.document.id


def news_articles(gold_dir: Path) -> list[Article]:
    gold = NEWS.load_gold(str(gold_dir))
    docs = {d.id: d for d in read_inputs([str(gold_dir / "articles")])}
    return [Article(docs[gid], events, "news") for gid, events in gold.items() if gid in docs]


def coded_articles(paths: Iterable[Path], texts: Path, metadata: Path) -> list[Article]:
    """Our own coding of PolNeAR train articles (eval/news-train): texts and dates from PolNeAR."""
    published = {}
    with open(metadata, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            published[row["filename"]] = row["publication_date"]
    out = []
    for path in sorted(paths):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            text = (texts / f"{row['id']}.txt").read_text(encoding="utf-8")
            doc = Document(id=row["id"], text=text, meta={"published": published.get(row["id"])})
            out.append(Article(doc, row["events"], "coded"))
    return out


def plv_articles(path: Path) -> list[Article]:
    return [Article(Document(id=g["id"], text=g["text"]), [g], "plv") for g in PLV.load_gold(str(path))]


def parse(nlp, articles: list[Article], cache: Path | None) -> None:
    """Parse with the pipeline up to quotes (the events stage is what we train), cached as a DocBin."""
    if cache and cache.exists():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if len(docs) == len(articles):
            for a, d in zip(articles, docs, strict=True):
                a.doc = d
            return
    docs = list(nlp.pipe((make_doc(nlp, a.document) for a in articles), batch_size=16))
    for a, d in zip(articles, docs, strict=True):
        a.doc = d
    if cache:
        db = DocBin(store_user_data=True)
        for d in docs:
            db.add(d)
        db.to_disk(cache)


# -------------------------------------------------------------------------------------------- labels

def _original_offsets(doc: Doc) -> OffsetMap:
    return OffsetMap(doc._.casus_offsets) if doc._.casus_offsets else OffsetMap.identity(len(doc.text))


def labelled_rows(article: Article) -> list[tuple[list[str], str | None]]:
    """(features, label) per candidate; label None = left out (another word of a gold clause)."""
    doc = article.doc
    index = DocIndex(doc)
    cands = [c for i, sent in enumerate(doc.sents) for c in candidates(sent, index, i)]
    if article.group == "plv":
        return _plv_labels(doc, article.gold[0], cands)
    omap = _original_offsets(doc)
    text = article.document.text
    pos = [omap.span(c.tok.idx, c.tok.idx + len(c.tok.text))[0] for c in cands]
    content = {}
    for k, c in enumerate(cands):
        span = index.content.get(c.tok.i) if c.kind == "speech" else None
        if span is not None:
            content[k] = omap.span(span.start_char, span.end_char)
    labels: list[str | None] = ["NONE"] * len(cands)
    for g in article.gold:
        rng = NEWS.span_of(text, g["clause"])
        if rng is None:
            continue
        inside = [k for k, p in enumerate(pos) if rng[0] <= p < rng[1]]
        for k in inside:
            if labels[k] == "NONE":
                labels[k] = None
        # a statement's cue outside the quoted words: its content covers the clause
        cues = [k for k, (lo, hi) in content.items()
                if g["type"] in VERBAL and min(hi, rng[1]) - max(lo, rng[0]) >= (rng[1] - rng[0]) / 2]
        pool = cues or inside
        if not pool:
            continue

        best = max(pool, key=lambda k, rng=rng, etype=g["type"]: _rank(cands[k], k, rng, etype, omap))
        if labels[best] in (None, "NONE"):
            labels[best] = g["type"]
    return [(c.features, y) for c, y in zip(cands, labels, strict=True)]


def _rank(c, k: int, rng: tuple[int, int], etype: str, omap: OffsetMap) -> tuple:
    """Which candidate of a gold clause stands for its event: the lexicon's word for the type, a
    statement's cue, the clause's head word, the first."""
    head = c.tok.head
    head_outside = head.i == c.tok.i or not rng[0] <= omap.span(head.idx, head.idx + 1)[0] < rng[1]
    return (c.lex == etype, c.kind == "speech", head_outside, -k)


def _plv_labels(doc: Doc, g: dict[str, Any], cands) -> list[tuple[list[str], str | None]]:
    """PLV marks one event per sentence and not its trigger: the verb governing the gold source (or
    target) is taken as the trigger; PLV's YIELD becomes CONCEDE or RETREAT by the words of the act.
    Other candidates are left out: PLV does not say they report no event."""
    anchor = None
    for role in ("source", "target"):
        if g.get(role):
            span = doc.char_span(g[role][0], g[role][1], alignment_mode="expand")
            if span is not None and len(span):
                anchor = span.root
                break
    trig = None
    if anchor is not None:
        trig = next((a for a in anchor.ancestors if is_trigger_candidate(a)), None)
    out = []
    for c in cands:
        if trig is not None and c.tok.i == trig.i:
            label = g["root"]
            if label == "YIELD":
                label = yield_type(c.tok)
            out.append((c.features, label))
        else:
            out.append((c.features, None))
    return out


# ------------------------------------------------------------------------------------------ training

def fit(rows: list[tuple[list[str], str, float]], c: float, min_count: int = 2) -> LinearModel:
    counts: dict[str, int] = {}
    for x, _, _ in rows:
        for f in set(x):
            counts[f] = counts.get(f, 0) + 1
    vec = DictVectorizer()
    X = vec.fit_transform([{f: 1 for f in x if counts[f] >= min_count} for x, _, _ in rows])
    y = [r[1] for r in rows]
    w = np.array([r[2] for r in rows])
    clf = LogisticRegression(C=c, max_iter=3000)
    clf.fit(X, y, sample_weight=w)
    vocab = list(vec.get_feature_names_out())
    classes = [str(k) for k in clf.classes_]
    # binary models have one column (P(class 1)); LinearModel handles both shapes
    return LinearModel(classes, vocab, clf.coef_.T.copy(), clf.intercept_.copy())


def training_rows(articles: list[Article], cache: dict[str, list], weights: dict[str, float],
                  drop: tuple[str, ...] = ()) -> list:
    rows = []
    for a in articles:
        if a.id not in cache:
            cache[a.id] = labelled_rows(a)
        w = weights.get(a.group, 1.0)
        # each corpus its own prior (PolNeAR's campaign news is mostly accusations); casus codes
        # with the news set's (EventCoder.DOMAIN)
        domain = f"domain={a.group}"
        rows += [([f for f in x if not f.startswith(drop)] + [domain], y, w) for x, y in cache[a.id]
                 if y is not None]
    return rows


class FeatureKeeper(EventCoder):
    """The events stage without calibration (confidence = the model's score), each event keeping its
    calibration features in the record so that the calibration can be fitted on them."""

    def _calibrate(self, events: list[dict[str, Any]]) -> None:
        for e in events:
            e["calibration_features"] = e.pop("_features")


def code(coder: FeatureKeeper, extra: list, articles: list[Article],
         features: dict[str, list] | None = None) -> dict[str, dict[str, Any]]:
    """Records for the articles (events, then the time and place stages); calibration features of
    each record's events go to `features` in record order."""
    out = {}
    for a in articles:
        doc = coder(a.doc)
        for proc in extra:
            doc = proc(doc)
        rec = build_record(doc, a.document)
        feats = [e.pop("calibration_features", []) for e in rec["events"]]
        if features is not None:
            features[a.id] = feats
        out[a.id] = rec
    return out


def event_matches(gold_events: list[dict], rec: dict[str, Any]) -> tuple[set[int], set[int]]:
    """Indices of the record's events that match a gold event by type, and by the full triple —
    news.py's one-to-one matching, at confidence 0."""
    text = rec.get("text") or ""
    actors = {a.get("id"): a for a in rec.get("actors") or []}
    events = rec.get("events") or []
    used: set[int] = set()
    typed: set[int] = set()
    triple: set[int] = set()
    for g in gold_events:
        rng = NEWS.span_of(text, g["clause"])
        if not rng:
            continue
        best = None
        for i, e in enumerate(events):
            if i in used or not NEWS.in_clause(e, rng) or e.get("type") != g["type"]:
                continue
            tri = NEWS.actor_right(g.get("source"), e.get("source"), actors, rng, text) \
                and NEWS.actor_right(g.get("target"), e.get("target"), actors, rng, text)
            rank = (tri, float(e.get("score", e.get("confidence")) or 0))
            if best is None or rank > best[0]:
                best = (rank, i)
        if best is not None:
            used.add(best[1])
            typed.add(best[1])
            if best[0][0]:
                triple.add(best[1])
    return typed, triple


def calibration_rows(articles: list[Article], records: dict[str, dict], features: dict[str, list]) -> list:
    rows = []
    for a in articles:
        rec = records[a.id]
        _, triple = event_matches(a.gold, rec)
        for i, f in enumerate(features[a.id]):
            rows.append((f, "1" if i in triple else "0", 1.0))
    return rows


def score_news(gold_dir: Path, records: dict[str, dict], thresholds: list[float]) -> dict[str, Any]:
    gold = NEWS.load_gold(str(gold_dir))
    preds = {k: v for k, v in records.items() if k in gold}
    return {"results": [NEWS.score(gold, preds, t) for t in thresholds], "by_confidence": NEWS.buckets(gold, preds)}


def print_news(res: dict[str, Any], out=sys.stdout) -> None:
    for r in res["results"]:
        print(f"min confidence {r['min_confidence']}: {r['predicted']} predicted, {r['gold']} gold events", file=out)
        print(f"  type   P/R/F1 {r['type_prf'][0]:.3f} / {r['type_prf'][1]:.3f} / {r['type_prf'][2]:.3f}", file=out)
        print(f"  triple P/R/F1 {r['triple_prf'][0]:.3f} / {r['triple_prf'][1]:.3f} / {r['triple_prf'][2]:.3f}",
              file=out)
        print(f"  key events {r['key_events']}: type recall {r['key_type_recall']:.3f}, "
              f"triple recall {r['key_triple_recall']:.3f}", file=out)
        print(f"  on type-matched events: source right {r['source_right_on_type_matched']}, "
              f"target right {r['target_right_on_type_matched']}", file=out)
        print(f"  on right triples: modality {r['modality_agreement']}, date {r['date_right']}, "
              f"place {r['place_right']}", file=out)
    print("triple precision by confidence: " + ", ".join(
        f"[{b['band'][0]:.1f},{b['band'][1]:.1f}) {b['triple_precision']:.2f} (n={b['predicted']})"
        for b in res["by_confidence"]), file=out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--news", type=Path, default=SHARED / "data" / "news")
    ap.add_argument("--coded", type=Path, nargs="*", default=sorted((ROOT / "eval" / "news-train").glob("*.jsonl")))
    ap.add_argument("--coded-texts", type=Path, default=SHARED / "data" / "polnear" / "train" / "text")
    ap.add_argument("--coded-metadata", type=Path, default=SHARED / "data" / "polnear" / "metadata.tsv")
    ap.add_argument("--plv", type=Path, default=SHARED / "data" / "plv" / "PLV_train.tsv")
    ap.add_argument("--no-plv", action="store_true")
    ap.add_argument("--no-news", action="store_true", help="train without the news development set")
    ap.add_argument("--plv-weight", type=float, default=0.5)
    ap.add_argument("--coded-weight", type=float, default=1.0)
    ap.add_argument("--drop", nargs="*", default=[], help="feature prefixes left out of the type model")
    ap.add_argument("--c", type=float, default=0.5, help="inverse regularisation of the type model")
    ap.add_argument("--c-cal", type=float, default=1.0, help="inverse regularisation of the calibration")
    ap.add_argument("--lexicon-bonus", type=float, default=0.5, help="prior added to the lexicon's type")
    ap.add_argument("--speech-bonus", type=float, default=0.5, help="prior added to a statement's voted type")
    ap.add_argument("--floor", type=float, default=0.05, help="event probability under which a candidate is no event")
    ap.add_argument("--bare-floor", type=float, default=0.5,
                    help="the same for a candidate no lexicon names (the model's own no-event decision)")
    ap.add_argument("--cv", type=int, default=0)
    ap.add_argument("--f1-slack", type=float, default=0.01,
                    help="the display threshold: the highest whose triple F1 is this close to the best")
    ap.add_argument("--plv-cv", type=int, default=0)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "casus-train")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--save-predictions", type=Path, help="out-of-fold news records (JSONL)")
    a = ap.parse_args()

    nlp = spacy.load(MODEL)
    for name in ("casus_actors", "casus_quotes"):
        nlp.add_pipe(name)
    a.cache.mkdir(parents=True, exist_ok=True)
    news = [] if a.no_news else news_articles(a.news)
    coded = coded_articles(a.coded, a.coded_texts, a.coded_metadata) if a.coded else []
    plv = [] if a.no_plv else plv_articles(a.plv)
    for name, arts in (("news", news), ("coded", coded), ("plv", plv)):
        if arts:
            parse(nlp, arts, a.cache / f"{name}-{len(arts)}.spacy")
    print(f"articles: news {len(news)}, coded {len(coded)}, plv {len(plv)}", file=sys.stderr)

    full = spacy.load(MODEL)
    for name in ("casus_actors", "casus_quotes", "casus_events", "casus_time", "casus_place"):
        full.add_pipe(name)
    extra = [full.get_pipe("casus_time"), full.get_pipe("casus_place")]
    base = load_models()  # the PLV role pickers are kept as they are
    rows_cache: dict[str, list] = {}
    articles = news + coded
    meta = {"trained_on": f"news={len(news)} coded={len(coded)} plv={len(plv)}", "c": str(a.c),
            "plv_weight": str(a.plv_weight), "coded_weight": str(a.coded_weight), "seed": str(a.seed),
            "drop": " ".join(a.drop), "lexicon_bonus": str(a.lexicon_bonus), "speech_bonus": str(a.speech_bonus),
            "floor": str(a.floor), "bare_floor": str(a.bare_floor)}

    def train_models(train: list[Article], calibration: LinearModel | None = None) -> EventModels:
        rows = training_rows(train, rows_cache, {"plv": a.plv_weight, "coded": a.coded_weight}, tuple(a.drop))
        return EventModels(fit(rows, a.c), base.source, base.target, meta, calibration)

    with tempfile.TemporaryDirectory() as tmp:
        oof_records: dict[str, dict] = {}
        oof_features: dict[str, list] = {}
        fold_of: dict[str, int] = {}
        if a.cv:
            ids = sorted(x.id for x in articles)
            random.Random(a.seed).shuffle(ids)
            fold_of = {gid: k % a.cv for k, gid in enumerate(ids)}
            for k in range(a.cv):
                train = [x for x in articles if fold_of[x.id] != k] + plv
                test = [x for x in articles if fold_of[x.id] == k]
                path = Path(tmp) / f"fold{k}.npz"
                train_models(train).save(path)
                oof_records.update(code(FeatureKeeper(str(path)), extra, test, oof_features))
                print(f"fold {k}: trained on {len(train)}, coded {len(test)}", file=sys.stderr)
            # calibration for each fold from the other folds' out-of-fold events, applied to the fold
            for k in range(a.cv):
                others = [x for x in articles if fold_of[x.id] != k]
                cal = fit(calibration_rows(others, oof_records, oof_features), a.c_cal)
                for x in articles:
                    if fold_of[x.id] == k:
                        for e, f in zip(oof_records[x.id]["events"], oof_features[x.id], strict=True):
                            e["confidence"] = calibrated(cal, f)
            grid = [round(t, 2) for t in np.arange(0.02, 0.81, 0.02)]
            res = score_news(a.news, oof_records, grid)
            top = max(r["triple_prf"][2] for r in res["results"])
            best = max((r for r in res["results"] if r["triple_prf"][2] >= top - a.f1_slack),
                       key=lambda r: r["min_confidence"])
            print(f"\n== news set, {a.cv}-fold cross-validated by article ==")
            print_news({"results": [r for r in res["results"] if r["min_confidence"] in (0.02, best["min_confidence"])],
                        "by_confidence": res["by_confidence"]})
            print("threshold curve (min confidence: type F1 / triple P/R/F1):")
            for r in res["results"]:
                print(f"  {r['min_confidence']:.2f}: {r['type_prf'][2]:.3f} / {r['triple_prf'][0]:.3f} "
                      f"{r['triple_prf'][1]:.3f} {r['triple_prf'][2]:.3f} (n={r['predicted']})")
            print(f"best triple F1 {top:.3f}; display threshold (highest within {a.f1_slack} of it): "
                  f"{best['min_confidence']}")
            meta["threshold"] = str(best["min_confidence"])
            if a.save_predictions:
                with open(a.save_predictions, "w", encoding="utf-8") as fh:
                    for x in news:
                        fh.write(json.dumps(oof_records[x.id]) + "\n")
        if a.plv_cv and plv:
            plv_cv(a, plv, articles, train_models, tmp)
        if a.out:
            cal = fit(calibration_rows(articles, oof_records, oof_features), a.c_cal) if oof_records else None
            train_models(articles + plv, cal).save(a.out)
            print(f"wrote {a.out} ({a.out.stat().st_size:,} bytes)", file=sys.stderr)
    return 0


def plv_cv(a, plv: list[Article], articles: list[Article], train_models, tmp: str) -> None:
    order = list(range(len(plv)))
    random.Random(a.seed).shuffle(order)
    folds = [set(order[k :: a.plv_cv]) for k in range(a.plv_cv)]
    pooled = []
    metrics = ["type_macro_f1", "type_accuracy", "quad_accuracy", "source_recall", "target_recall", "triple_recall"]
    per_fold = []
    for k, test in enumerate(folds):
        train = [p for i, p in enumerate(plv) if i not in test] + articles
        path = Path(tmp) / f"plv{k}.npz"
        train_models(train).save(path)
        coder = EventCoder(str(path))
        preds = []
        for i in sorted(test):
            doc = coder(plv[i].doc)
            rec = build_record(doc, plv[i].document)
            preds.append({"id": rec["id"], "events": rec["events"]})
        pooled += preds
        gpath, ppath = Path(tmp) / f"plv{k}.tsv", Path(tmp) / f"plv{k}.jsonl"
        _write_plv_subset(a.plv, [plv[i].id for i in sorted(test)], gpath)
        ppath.write_text("".join(json.dumps(p) + "\n" for p in preds))
        res = PLV.score(str(gpath), str(ppath))
        per_fold.append(res)
        print(f"plv fold {k}: " + " ".join(f"{m}={res[m]}" for m in metrics), file=sys.stderr)
    ppath = Path(tmp) / "plv-pooled.jsonl"
    ppath.write_text("".join(json.dumps(p) + "\n" for p in pooled))
    res = PLV.score(str(a.plv), str(ppath))
    mean = {m: round(float(np.mean([r[m] for r in per_fold])), 4) for m in metrics}
    print(f"\n== PLV, {a.plv_cv}-fold cross-validated ==")
    print(json.dumps({"fold_mean": mean, "pooled": {m: res[m] for m in metrics}}, indent=1))


def _write_plv_subset(path: Path, ids: list[str], out: Path) -> None:
    csv.field_size_limit(10**8)
    keep = set(ids)
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        rows = [r for r in reader if str(r.get("uid") or r.get("") or r.get("sentence_id")) in keep]
        fields = reader.fieldnames
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, delimiter="\t")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    sys.exit(main())
