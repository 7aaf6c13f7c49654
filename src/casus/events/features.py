"""Features for the events stage: which tokens may be triggers, which may be source/target heads,
and the sparse string features the linear models score. Shared by running and training, so the
model sees at training time exactly what it sees at run time.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from casus.events.lexicon import event_nouns, event_verbs, phrases

ROLE_POS = {"NOUN", "PROPN", "PRON", "NUM"}
INNER_DEPS = {"compound", "flat", "nmod", "amod", "det", "case", "punct", "nummod"}
ARG_DEPS = {"dobj", "xcomp", "prt", "acomp", "attr", "dative", "oprd"}
STOP_RIGHT = {"relcl", "acl", "advcl"}
FINITE = {"VBD", "VBZ", "VBP", "MD"}
CONTENT_POS = {"NOUN", "VERB", "ADJ", "PROPN", "ADV"}


def lemma(tok: Token) -> str:
    return tok.lemma_.lower()


def is_trigger_candidate(tok: Token) -> bool:
    if tok.pos_ == "VERB":
        return True
    if tok.pos_ == "AUX":
        return tok.dep_ == "ROOT"
    return tok.pos_ in {"NOUN", "PROPN"} and lemma(tok) in event_nouns()


def phrase_types(tok: Token) -> list[tuple[str, str]]:
    """Lexicon phrases headed by tok: verb+particle/preposition, verb+object noun."""
    lem, table, out = lemma(tok), phrases(), []
    for c in tok.children:
        if c.dep_ in {"prt", "prep"}:
            key = f"{lem} {c.lower_}"
            if key in table:
                out.append((key, table[key]))
        elif c.dep_ in {"dobj", "attr"}:
            key = f"{lem} {lemma(c)}"
            if key in table:
                out.append((key, table[key]))
            for p in c.children:  # "go on strike", "carry out attacks" parse variously
                if p.dep_ == "prep" and f"{lem} {lemma(p)}" in table:
                    out.append((f"{lem} {lemma(p)}", table[f"{lem} {lemma(p)}"]))
        if c.dep_ == "prep":
            for o in c.children:
                if o.dep_ == "pobj" and f"{lem} {lemma(o)}" in table:
                    out.append((f"{lem} {lemma(o)}", table[f"{lem} {lemma(o)}"]))
    return out


def sentence_features(sent: Span) -> list[str]:
    """Bag of content lemmas: the same for every candidate of a sentence; it carries topic."""
    return [f"s={lemma(t)}" for t in sent if t.pos_ in CONTENT_POS and not t.is_stop and t.is_alpha]


def trigger_features(tok: Token, sent_feats: list[str]) -> list[str]:
    lem = lemma(tok)
    verbs, nouns = event_verbs(), event_nouns()
    f = [f"l={lem}", f"pos={tok.pos_}", f"dep={tok.dep_}", f"ldep={lem}|{tok.dep_}", f"tag={tok.tag_}"]
    lex = verbs.get(lem) if tok.pos_ in {"VERB", "AUX"} else nouns.get(lem)
    if lex:
        f += [f"lex={lex}", f"lexdep={lex}|{tok.dep_}"]
    for key, etype in phrase_types(tok):
        f += [f"ph={key}", f"phlex={etype}"]
    has_subj = False
    for c in tok.children:
        dep = c.dep_
        if dep in {"nsubj", "nsubjpass", "csubj"}:
            has_subj = True
            f += [f"c={dep}", f"subjent={c.ent_type_ or c.pos_}"]
        elif dep == "neg":
            f.append("neg")
        elif dep == "aux" or dep == "auxpass":
            f.append(f"aux={c.lower_}")
        elif dep in ARG_DEPS or dep == "prep" or dep == "ccomp":
            cl = lemma(c)
            f += [f"c={dep}", f"cl={dep}:{cl}", f"lcl={lem}|{dep}:{cl}"]
            if dep in {"xcomp", "ccomp"} and cl in verbs:
                f.append(f"xlex={verbs[cl]}")
            if dep in {"dobj", "attr"}:
                if cl in nouns:
                    f.append(f"olex={nouns[cl]}")
                for g in c.children:
                    if g.dep_ in {"compound", "amod"}:
                        f.append(f"omod={lemma(g)}")
                    elif g.dep_ == "prep":
                        f.append(f"oprep={cl}_{g.lower_}")
            if dep == "prep":
                for o in c.children:
                    if o.dep_ == "pobj":
                        f.append(f"pobj={cl}_{lemma(o)}")
                        if lemma(o) in nouns:
                            f.append(f"plex={nouns[lemma(o)]}")
    f.append(f"subj={has_subj}")
    if tok.dep_ in {"xcomp", "ccomp", "conj", "advcl", "pcomp", "acl", "relcl"} and tok.head is not tok:
        hl = lemma(tok.head)
        f += [f"h={hl}", f"hdep={tok.dep_}|{hl}"]
        if hl in verbs:
            f.append(f"hlex={verbs[hl]}")
    if tok.pos_ in {"NOUN", "PROPN"}:
        f.append(f"ndep={tok.dep_}|{lemma(tok.head)}")
    return f + sent_feats


def role_candidates(sent: Span) -> list[Token]:
    return [t for t in sent if t.pos_ in ROLE_POS and t.dep_ not in INNER_DEPS]


def trigger_ancestors(trig: Token) -> dict[int, int]:
    """token index -> steps up from the trigger, for paths to it."""
    anc = {trig.i: 0}
    for n, a in enumerate(trig.ancestors, 1):
        anc[a.i] = n
    return anc


def _path(cand: Token, trig: Token, trig_anc: dict[int, int] | None = None) -> tuple[str, int]:
    """Dependency path from a candidate up to the trigger (or up to their common ancestor, then down)."""
    trig_anc = trig_anc or trigger_ancestors(trig)
    up: list[str] = []
    t = cand
    while t.i not in trig_anc:
        up.append(t.dep_ + (f"({t.head.lower_})" if t.dep_ in {"pobj", "pcomp"} else ""))
        if t.head.i == t.i or len(up) > 6:
            return "far", 9
        t = t.head
    down = trig_anc[t.i]
    return "/".join(up[:4]) + (f"^{down}" if down else ""), len(up) + down


def role_features(cand: Token, trig: Token, subj_heads: set[int],
                  trig_anc: dict[int, int] | None = None) -> list[str]:
    path, dist = _path(cand, trig, trig_anc)
    lem = lemma(trig)
    first = path.split("/")[0]
    f = [f"p={path}", f"lp={lem}|{path}", f"lf={lem}|{first}", f"pos={cand.pos_}", f"ent={cand.ent_type_}",
         f"side={'L' if cand.i < trig.i else 'R'}", f"dist={min(dist, 6)}", f"dep={cand.dep_}",
         f"hdep={cand.dep_}|{lemma(cand.head)}", f"tdep={trig.dep_}", f"tpos={trig.pos_}"]
    if cand.dep_ == "conj" and cand.head.i in subj_heads:
        f.append("conj_of_subj")
    if cand.dep_ == "poss":
        f.append(f"poss_of={cand.head.dep_}")
    if cand.pos_ == "PRON":
        f.append(f"pron={cand.lower_}")
    if cand.ent_type_ in {"GPE", "NORP", "ORG", "PERSON"}:
        f.append(f"ent_path={cand.ent_type_}|{first}")
    return f


def _has_clause(tok: Token) -> bool:
    """A finite verb or modal inside a modifier: the phrase has turned into a clause."""
    return any(t.tag_ in FINITE for t in tok.subtree)


def role_span(head: Token, keep_conj: bool = True) -> Span:
    """The phrase a role head stands for, drawn as PLV annotators draw it: left modifiers, and on
    the right appositions, coordinations and prepositional phrases up to a clause ("who …", "to …")."""
    lo, hi = head.i, head.i
    for c in head.lefts:
        if c.dep_ not in STOP_RIGHT and c.dep_ != "punct":
            lo = min(lo, c.left_edge.i)
    for c in head.rights:
        if c.dep_ in STOP_RIGHT or (not keep_conj and c.dep_ in {"cc", "conj"}) or _has_clause(c):
            break
        hi = max(hi, c.right_edge.i)
    span = head.doc[lo : hi + 1]
    while len(span) > 1 and (span[-1].is_punct or span[-1].dep_ == "cc" or span[-1].is_space):
        span = span[:-1]
    while len(span) > 1 and (span[0].is_punct or span[0].is_space):
        span = span[1:]
    return span


def part_spans(head: Token) -> list[Span]:
    """The members of a coordinated phrase ("France and Britain" -> France, Britain)."""
    return [role_span(t, keep_conj=False) for t in [head, *head.conjuncts] if t.pos_ in ROLE_POS]
