#!/usr/bin/env python3
"""Train the events stage's three linear models on PLV_train and report 5-fold cross-validation.

    .venv/bin/pip install -e '.[train]'
    .venv/bin/python scripts/train_events.py ../shared/data/plv/PLV_train.tsv --cv 5 \
        --out src/casus/data/event_model.npz

Each sentence is parsed by the casus pipeline (actors and quotes included, events left out). The
trigger is not marked in PLV; we take the verb that governs the gold source (its nearest verbal
ancestor), or the target's when there is no source: that candidate gets the gold type, every other
candidate of the sentence NONE. Source and target models learn which noun-phrase head, by its
dependency path to that trigger, is the gold <s>/<t> head.

With --cv K the rows are split into K folds (seeded); for each fold the models are trained on the
other K-1 and the events stage codes the fold's sentences; the scorer (eval/events.py) scores each
fold on that fold's rows, and then the pooled predictions on all rows. The shipped model is trained
on all rows.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import random
import sys
import tempfile
from pathlib import Path

import numpy as np
import spacy
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from spacy.tokens import Doc, DocBin, Token

from casus.document import Document
from casus.events import EventCoder
from casus.events.features import (
    is_trigger_candidate,
    role_candidates,
    role_features,
    sentence_features,
    trigger_features,
)
from casus.events.model import EventModels, LinearModel
from casus.pipeline import MODEL, make_doc
from casus.record import build_record

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "events.py"


def scorer(path: Path):
    spec = importlib.util.spec_from_file_location("plv_events_scorer", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def parse(gold: list[dict], cache: Path | None) -> list[Doc]:
    nlp = spacy.load(MODEL)
    if cache and cache.exists():
        return list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    for name in ("casus_actors", "casus_quotes"):  # the events stage itself is what we train
        nlp.add_pipe(name)
    docs = list(nlp.pipe((make_doc(nlp, Document(id=g["id"], text=g["text"])) for g in gold), batch_size=64))
    if cache:
        db = DocBin(store_user_data=True)
        for d in docs:
            db.add(d)
        db.to_disk(cache)
    return docs


def head(doc: Doc, span: tuple[int, int] | None) -> Token | None:
    if not span:
        return None
    sp = doc.char_span(span[0], span[1], alignment_mode="expand")
    return sp.root if sp is not None and len(sp) else None


def weak_trigger(doc: Doc, g: dict) -> Token | None:
    anchor = head(doc, g["source"]) or head(doc, g["target"])
    if anchor is None:
        return None
    for a in anchor.ancestors:
        if is_trigger_candidate(a):
            return a
    return anchor.sent.root if is_trigger_candidate(anchor.sent.root) else None


def examples(docs: list[Doc], gold: list[dict]):
    trig_x, trig_y, src_x, src_y, tgt_x, tgt_y = [], [], [], [], [], []
    for doc, g in zip(docs, gold, strict=True):
        trig = weak_trigger(doc, g)
        for sent in doc.sents:
            sf = sentence_features(sent)
            for tok in sent:
                if is_trigger_candidate(tok):
                    trig_x.append(trigger_features(tok, sf))
                    trig_y.append(g["root"] if trig is not None and tok.i == trig.i else "NONE")
        if trig is None:
            continue
        subj_heads = {c.i for c in trig.children if c.dep_ in {"nsubj", "nsubjpass", "csubj"}}
        cands = [c for c in role_candidates(trig.sent) if c.i != trig.i]
        for role, xs, ys in (("source", src_x, src_y), ("target", tgt_x, tgt_y)):
            h = head(doc, g[role])
            if h is None or all(c.i != h.i for c in cands):
                continue
            for c in cands:
                xs.append(role_features(c, trig, subj_heads))
                ys.append(int(c.i == h.i))
    return (trig_x, trig_y), (src_x, src_y), (tgt_x, tgt_y)


def fit(xs: list[list[str]], ys: list, c: float, min_count: int = 2, balance: float = 0.0) -> LinearModel:
    counts: dict[str, int] = {}
    for x in xs:
        for f in set(x):
            counts[f] = counts.get(f, 0) + 1
    keep = {f for f, n in counts.items() if n >= min_count}
    vec = DictVectorizer()
    X = vec.fit_transform([{f: 1 for f in x if f in keep} for x in xs])
    weights = None
    if balance:  # lift rare types (macro-F1 weighs PROTEST like REJECT); NONE keeps weight 1
        n = {y: ys.count(y) for y in set(ys) if y != "NONE"}
        mid = float(np.median(list(n.values())))
        weights = {y: (mid / k) ** balance for y, k in n.items()} | ({"NONE": 1.0} if "NONE" in ys else {})
    clf = LogisticRegression(C=c, max_iter=2000, class_weight=weights)
    clf.fit(X, ys)
    vocab = list(vec.get_feature_names_out())
    classes = [str(k) for k in clf.classes_]
    return LinearModel(classes, vocab, clf.coef_.T.copy(), clf.intercept_.copy())


def train(docs: list[Doc], gold: list[dict], c_trig: float, c_role: float, balance: float = 0.0) -> EventModels:
    (tx, ty), (sx, sy), (gx, gy) = examples(docs, gold)
    return EventModels(fit(tx, ty, c_trig, balance=balance), fit(sx, sy, c_role), fit(gx, gy, c_role),
                       {"trained_on": "PLV_train.tsv", "rows": str(len(gold)), "c_trigger": str(c_trig),
                        "c_role": str(c_role), "balance": str(balance)})


def predict(models_path: Path, docs: list[Doc], gold: list[dict], **kw) -> list[dict]:
    coder = EventCoder(str(models_path), **kw)
    out = []
    for doc, g in zip(docs, gold, strict=True):
        doc = coder(doc)
        rec = build_record(doc, Document(id=g["id"], text=g["text"]))
        out.append({"id": rec["id"], "events": rec["events"]})
    return out


def write_tsv(rows: list[dict], fieldnames: list[str], path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fieldnames, delimiter="\t")
        w.writeheader()
        w.writerows(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gold", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--cv", type=int, default=0)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--c-trigger", type=float, default=1.0)
    ap.add_argument("--c-role", type=float, default=1.0)
    ap.add_argument("--min-confidence", type=float, default=0.5)
    ap.add_argument("--sentence-floor", type=float, default=0.1)
    ap.add_argument("--balance", type=float, default=0.5, help="class weight (median/count)**balance")
    ap.add_argument("--lexicon-bonus", type=float, default=0.15)
    ap.add_argument("--cache", type=Path, help="DocBin of the parsed rows, reused when present")
    ap.add_argument("--scorer", type=Path, default=EVAL)
    ap.add_argument("--save-predictions", type=Path)
    a = ap.parse_args()
    ev = scorer(a.scorer)
    gold = ev.load_gold(str(a.gold))
    csv.field_size_limit(10**8)
    with open(a.gold, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        raw, fields = list(reader), reader.fieldnames
    docs = parse(gold, a.cache)
    kw = {"min_confidence": a.min_confidence, "sentence_floor": a.sentence_floor, "lexicon_bonus": a.lexicon_bonus}
    if a.cv:
        order = list(range(len(gold)))
        random.Random(a.seed).shuffle(order)
        folds = [sorted(order[k :: a.cv]) for k in range(a.cv)]
        pooled: list[dict] = []
        per_fold = []
        with tempfile.TemporaryDirectory() as tmp:
            for k, test in enumerate(folds):
                test_set = set(test)
                train_idx = [i for i in range(len(gold)) if i not in test_set]
                models = train([docs[i] for i in train_idx], [gold[i] for i in train_idx], a.c_trigger, a.c_role,
                               a.balance)
                mpath = Path(tmp) / f"fold{k}.npz"
                models.save(mpath)
                preds = predict(mpath, [docs[i] for i in test], [gold[i] for i in test], **kw)
                pooled += preds
                gpath, ppath = Path(tmp) / f"fold{k}.tsv", Path(tmp) / f"fold{k}.jsonl"
                write_tsv([raw[i] for i in test], fields, gpath)
                ppath.write_text("".join(json.dumps(p) + "\n" for p in preds))
                res = ev.score(str(gpath), str(ppath))
                per_fold.append(res)
                print(f"fold {k}: " + " ".join(f"{m}={res[m]}" for m in METRICS), file=sys.stderr)
            ppath = Path(tmp) / "pooled.jsonl"
            ppath.write_text("".join(json.dumps(p) + "\n" for p in pooled))
            if a.save_predictions:
                a.save_predictions.write_text(ppath.read_text())
            res = ev.score(str(a.gold), str(ppath))
        mean = {m: round(float(np.mean([r[m] for r in per_fold])), 4) for m in METRICS}
        print(json.dumps({"cv_folds": a.cv, "fold_mean": mean, "pooled": res}, indent=1))
    if a.out:
        train(docs, gold, a.c_trigger, a.c_role, a.balance).save(a.out)
        print(f"wrote {a.out} ({a.out.stat().st_size:,} bytes)", file=sys.stderr)
    return 0


METRICS = ["type_macro_f1", "type_accuracy", "quad_accuracy", "source_recall", "target_recall", "triple_recall"]

if __name__ == "__main__":
    sys.exit(main())
