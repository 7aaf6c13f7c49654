"""Attribution of quoted regions and of reported clauses to speakers through cue verbs.

Direct quotes: a quoted region takes its cue from, in order of trust, a speech verb right after the
closing mark ("…," Putin said), one before the opening mark in the same sentence (Putin said:
"…"), a previous sentence ending in a colon, a dash attribution ("…" — Putin), or, for a
quote standing alone as a paragraph, the speaker of the quote just before it. A region whose cue
verb governs a clause that begins before the marks is a mixed quote: the content is the whole
reported clause. A region nobody speaks, or one that is a noun phrase's own words (a "reassurance
force"), is a scare quote or a title and is dropped.

Reported speech: a speech, belief or accusation verb outside any quote with a clausal complement
(ccomp, xcomp, "of …") or an "according to" phrase; the content is the complement.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from spacy.attrs import IDX, LOWER, POS
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from casus.extensions import doc_text
from casus.quotes.lexicon import accuse_verbs, quote_cue_verbs, report_verbs, speech_verbs
from casus.quotes.marks import Region, find_regions
from casus.quotes.speakers import SUBJECT_DEPS, SpeakerResolver, noun_phrase
from casus.sentences import Sentences

MARK_CHARS = "\"\u201c\u201d\u201e\u00ab\u00bb'"
ADDRESSEE_VERBS = {"tell", "ask", "inform", "remind", "assure", "advise", "urge", "warn"}  # object = hearer
NAMING_VERBS = {"call", "describe", "label", "dub", "brand", "term", "characterize", "characterise", "portray",
                "deem"}
DASHES = {"\u2014", "\u2013", "--", "-"}
CONCESSIVE = {"though", "although", "whereas", "while", "but"}
RELATIVE = {"who", "that", "which"}
TERM_DEPS = {"det", "amod", "compound", "poss", "nummod", "nmod"}
# "said" sometimes parses as AUX or ADJ in headlines; nouns ("the warning") are not cues here
CUE_POS = {"VERB", "AUX"}


@dataclass
class Attribution:
    content: tuple[int, int]
    kind: str
    speaker: Span | None
    cue: tuple[int, int] | None
    confidence: float
    parts: list[tuple[int, int]] = field(default_factory=list)
    cue_token: int | None = None


class Finder:
    def __init__(self, doc: Doc):
        self.doc = doc
        self.text = doc_text(doc)
        self.starts = doc.to_array([IDX]).reshape(-1).tolist()  # token start offsets without Token objects
        self.sents = Sentences(doc)
        self.regions, self.warnings = find_regions(self.text)
        for r in self.regions:
            if "unclosed" in r.flags:
                self._cut_at_cue(r)
        self.in_quote = [False] * len(doc)
        for r in self.regions:
            for s, e in r.parts:
                for i in range(self.tok(s), self.tok(max(s, e - 1)) + 1):
                    self.in_quote[i] = True
        self.used_cues: set[int] = set()
        self.terms: set[int] = set()  # indices of regions that are scare quotes or titles
        self.speakers = SpeakerResolver(doc, lambda char: self.in_quote[self.tok(char)], self.sents)
        self._colon_sentences: dict[int, bool] = {}

    # -- helpers -------------------------------------------------------------------------------
    def _cut_at_cue(self, r: Region) -> None:
        """An unclosed quote runs to the paragraph's end; its attribution (", the spokesman
        said") shows where the closing mark was lost."""
        s, e = r.parts[-1]
        for t in self.doc[self.tok(s) : self.tok(max(s, e - 1)) + 1]:
            if t.pos_ not in CUE_POS or t.lemma_.lower() not in speech_verbs():
                continue
            subj = next((c for c in t.children if c.dep_ in SUBJECT_DEPS), None)
            edge = min(t.i, subj.left_edge.i) if subj is not None else t.i
            if edge > 0 and self.doc[edge - 1].text == "," and self.doc[edge - 1].idx > s:
                cut = self.doc[edge - 1].idx + 1
                r.parts[-1] = (s, cut)
                r.end = cut
                return

    def tok(self, char: int) -> int:
        return max(0, bisect.bisect_right(self.starts, char) - 1)

    def _subject(self, verb: Token, depth: int = 0) -> Span | None:
        for child in verb.children:
            if child.dep_ in SUBJECT_DEPS and not self.in_quote[child.i]:
                if child.lower_ in RELATIVE and verb.dep_ == "relcl":
                    np = noun_phrase(verb.head)
                    between = self.doc[np.end : child.i]
                    if np.end <= child.i and len(between) <= 2 and all(t.is_punct for t in between):
                        return self.doc[np.start : child.i + 1]  # "Sanders, who": name and pronoun
                    return np
                if child.lower_ in {"it", "there"} and child.dep_ == "nsubjpass":
                    return None
                return noun_phrase(child)
        if verb.dep_ in {"acl", "relcl"} and verb.head.i < verb.i and verb.head.pos_ in {"NOUN", "PROPN"} and (
                verb.tag_ in {"VBD", "VBZ", "VBP"} or any(c.dep_ == "ccomp" for c in verb.children)):
            return noun_phrase(verb.head)  # a finite verb misparsed as the subject's modifier
        head = verb.head
        if verb.dep_ in {"conj", "advcl"} and head.dep_ == "ccomp" and head.head.lemma_.lower() in report_verbs():
            # "He argued that X would hinder peace, and reiterated …": coordinated with the cue,
            # not with the reported clause it follows
            return self._subject(head.head, depth + 1) if depth < 2 else None
        if depth < 2 and verb.dep_ in {"advcl", "conj", "xcomp", "acl", "pcomp"} and verb.head.i != verb.i:
            return self._subject(verb.head, depth + 1)
        return None

    def _is_cue(self, t: Token, lexicon: frozenset[str]) -> bool:
        return (t.pos_ in CUE_POS and t.lemma_.lower() in lexicon and not self.in_quote[t.i]
                and t.i not in self.used_cues)

    def _according(self, t: Token) -> Span | None:
        if t.lower_ != "according" or t.i + 1 >= len(self.doc) or self.doc[t.i + 1].lower_ != "to":
            return None
        to = self.doc[t.i + 1]
        obj = next((c for c in to.children if c.dep_ == "pobj"), None)
        if obj is None and t.i + 2 < len(self.doc):
            obj = self.doc[t.i + 2]
        return noun_phrase(obj) if obj is not None and not self.in_quote[obj.i] else None

    def _is_term(self, region: Region, counts: dict[str, int]) -> str | None:
        """Quoted words that label a thing rather than report speech.

        "term": a title or a phrase quoted more than once; "label": a noun phrase built by words
        outside the marks (a "reassurance force"), a scare quote unless a speech verb governs it.
        """
        lo, hi = self.tok(region.start), self.tok(region.end - 1)
        toks = self.doc[lo : hi + 1]
        words = [t for t in toks if not t.is_punct]
        if not words or len(words) > 5 or any(t.pos_ in {"VERB", "AUX"} for t in words):
            return None
        if counts.get(region_key(self.text, region), 0) > 1:
            return "term"
        if len(words) > 1 and all(t.is_title or not t.is_alpha for t in words) and toks[0].i > self.sents.bounds(lo)[0]:
            return "term"
        for t in self.doc[max(0, lo - 4) : lo]:
            if t.dep_ in TERM_DEPS and lo <= t.head.i <= hi:
                return "label"  # a determiner or modifier outside the marks builds a noun phrase in them
        return None

    # -- direct quotes -------------------------------------------------------------------------
    def _cue_after(self, region: Region) -> tuple[Token, Span] | None:
        close = self.tok(region.end)
        sent = self.sents.bounds(close)
        limit = min(len(self.doc), close + 10)
        for t in self.doc[close:limit]:
            if t.idx >= region.end and self.in_quote[t.i]:
                break
            if t.is_sent_start and t.i > close + 1:
                # "…." He said. — a new sentence may still carry the cue if it is short
                start, end = self.sents.bounds(t.i)
                if end - start > 14 or (start, end) != sent and t.i > close + 3:
                    break
            if t.idx >= region.end and (t.pos_ in {"SCONJ", "CCONJ"} or t.dep_ in {"mark", "cc"}):
                break  # "…," though analysts say: a new clause, not this quote's attribution
            if self._is_cue(t, quote_cue_verbs()):
                subj = self._subject(t)
                if subj is not None and subj.start_char >= region.end:
                    return t, subj
                if subj is not None and subj.end_char <= region.start:
                    return t, subj
            spk = self._according(t)
            if spk is not None:
                return t, spk
            if t.text in DASHES and t.i + 1 < len(self.doc) and t.idx > region.end:
                nxt = self.doc[t.i + 1]
                if nxt.pos_ == "PROPN" or nxt.ent_type_ == "PERSON":
                    return t, noun_phrase(nxt.head if nxt.dep_ == "compound" else nxt)
        return None

    def _cue_before(self, region: Region) -> tuple[Token, Span] | None:
        first = self.tok(region.start)
        sent = self.sents.of(first)
        # the speech verb that governs the quoted words beats one that is merely nearer
        for t in self.doc[first].ancestors:
            if t.i < first and self._is_cue(t, quote_cue_verbs()):
                subj = self._subject(t)
                if subj is not None:
                    return t, subj
        for t in reversed(self.doc[sent.start : first]):
            if self.in_quote[t.i] and t.idx < region.start:
                break
            if self._is_cue(t, quote_cue_verbs()):
                subj = self._subject(t)
                if subj is not None:
                    return t, subj
            spk = self._according(t)
            if spk is not None:
                return t, spk
        if sent.start > 0:
            prev = self.sents.of(sent.start - 1)
            if self._ends_in_colon(prev):
                for t in reversed(prev):
                    if self._is_cue(t, quote_cue_verbs()):
                        subj = self._subject(t)
                        if subj is not None:
                            return t, subj
        return self._colon_intro(region)

    def _ends_in_colon(self, sent: Span) -> bool:
        """Does the sentence end in a colon (before closing marks)? Asked once per sentence."""
        got = self._colon_sentences.get(sent.start)
        if got is None:
            got = self._colon_sentences[sent.start] = self.text[sent.start_char : sent.end_char].rstrip() \
                .rstrip(MARK_CHARS).rstrip().endswith(":")
        return got

    def _colon_intro(self, region: Region) -> tuple[Token, Span] | None:
        """`Trump issued a statement: "…"`: a colon right before the quote introduces it even
        without a speech verb; the speaker is the subject of the clause before the colon."""
        before = self.text[max(0, region.start - 6) : region.start].rstrip(MARK_CHARS + " \n")
        if not before.endswith(":"):
            return None
        trailing = 0  # marks, spaces and newlines right before the region (not a copy of the text before it)
        while trailing < region.start and self.text[region.start - 1 - trailing] in MARK_CHARS + " \n":
            trailing += 1
        colon = self.doc[self.tok(region.start - 1 - trailing)]
        if colon.text != ":":
            return None
        verb = colon.head
        while verb.pos_ not in CUE_POS and verb.head.i != verb.i:
            verb = verb.head
        if verb.pos_ not in CUE_POS or self.in_quote[verb.i] or verb.i in self.used_cues:
            return None
        subj = self._subject(verb)
        return (verb, subj) if subj is not None else None

    def _complement(self, verb: Token) -> Token | None:
        for child in verb.children:
            if child.dep_ in {"ccomp", "xcomp"} and child.i > verb.i:
                return child
        return None

    def direct(self) -> list[Attribution]:
        out: list[Attribution] = []
        counts: dict[str, int] = {}
        for r in self.regions:
            counts[region_key(self.text, r)] = counts.get(region_key(self.text, r), 0) + 1
        previous: Attribution | None = None
        skip: set[int] = set()
        for n, r in enumerate(self.regions):
            if n in skip:
                continue
            label = self._is_term(r, counts)
            term = label == "term"
            found = self._cue_after(r)
            where = "after"
            if found is None:
                found, where = self._cue_before(r), "before"
            if found is None and not label:
                found, where = self._continuation(r, previous), "continued"
            if found is None:
                if label:
                    self.terms.add(n)
                continue
            verb, subj = found
            first = self.tok(r.start)
            content, parts, kind = (r.start, r.end), list(r.parts), "direct"
            if label == "label" and (where != "before" or verb not in self.doc[self.tok(r.start)].ancestors):
                term = True  # a quoted noun phrase that no speech verb governs: a scare quote
            if term:
                self.terms.add(n)
            if term and where != "before":
                continue
            if where == "before":
                comp = self._complement(verb) if verb.pos_ in CUE_POS else None
                if comp is not None and comp.left_edge.i < first and first <= comp.right_edge.i:
                    # the quote sits inside a reported clause: a mixed quote of the whole clause
                    lo, hi = self.clause(comp)
                    content, kind = (lo, max(hi, r.end)), ("indirect" if term else "mixed")
                elif term:
                    continue
                else:
                    obj = next((c for c in verb.children if c.dep_ == "dobj" and verb.i < c.i and
                                c.left_edge.i < first), None)
                    gap = self.text[obj.right_edge.idx : r.start] if obj is not None else ""
                    if obj is not None and not self.in_quote[obj.i] and ":" not in gap and \
                            verb.lemma_.lower() not in ADDRESSEE_VERBS:
                        # "called the plan "a disgrace"": the object belongs to what was said
                        content, kind = (obj.left_edge.idx, r.end), "mixed"
            if kind == "direct" and not self._sentence_like(r):
                kind = "partial"
                if where == "before" and verb.i < first and first - verb.i <= 12 and \
                        verb in self.doc[first].ancestors:
                    # a few quoted words inside the cue's own phrase ("welcomed the pledge as
                    # "a big step""): what was said runs from the cue to the closing mark
                    start = verb.i + 1
                    while start < first and (self.doc[start].is_punct or
                                             self.doc[start].dep_ in {"prt", "advmod", "dative"}):
                        start += 1
                    if start < first:
                        content, kind = (self.doc[start].idx, r.end), "mixed"
            if where == "after" and n + 1 < len(self.regions):
                nxt = self.regions[n + 1]
                if self._continues_after_cue(verb, r, nxt):
                    content, parts = (r.start, nxt.end), parts + list(nxt.parts)
                    skip.add(n + 1)
            conf = {"after": 0.95, "before": 0.9, "continued": 0.6}[where]
            if kind == "partial":
                conf -= 0.15
            if "unclosed" in r.flags or "unopened" in r.flags:
                conf -= 0.2
            cue = (verb.idx, verb.idx + len(verb.text)) if verb is not None else None
            att = Attribution(content, kind, subj, cue, round(conf, 2), parts,
                              verb.i if verb is not None else None)
            if verb is not None and where != "continued":
                self.used_cues.add(verb.i)
            out.append(att)
            previous = att
        return out

    def _sentence_like(self, r: Region) -> bool:
        toks = self.doc[self.tok(r.start) : self.tok(r.end - 1) + 1]
        has_verb = any(t.pos_ in {"VERB", "AUX"} for t in toks)
        starts_sentence = toks[0].is_sent_start or toks[0].i > 0 and self.doc[toks[0].i - 1].is_sent_start
        return has_verb and (starts_sentence or len(toks) > 8 or toks[0].is_title)

    def _continues_after_cue(self, verb: Token, r: Region, nxt: Region) -> bool:
        """`"If …," Putin said, "…"` is one quote: the cue sits between two parts."""
        gap = self.text[r.end : nxt.start]
        if len(gap) > 300 or "\n" in gap or not (verb.idx > r.end and verb.idx < nxt.start):
            return False
        if self._cue_after(nxt) is not None:
            return False
        gap_toks = self.doc[self.tok(r.end) : self.tok(nxt.start)]
        return sum(1 for t in gap_toks if t.pos_ in {"VERB", "AUX"}) <= 1

    def _continuation(self, r: Region, previous: Attribution | None) -> tuple[Token | None, Span] | None:
        """A quote alone as a paragraph, right after another quote: the same speaker goes on."""
        if previous is None or previous.speaker is None:
            return None
        first = self.doc[self.tok(r.start)]
        before = self.text[max(0, r.start - 3) : r.start]
        if not ("\n" in before or first.is_sent_start or self.doc[max(0, first.i - 1)].is_sent_start):
            return None
        if r.start - previous.content[1] > 400 or not self._sentence_like(r):
            return None
        return None, previous.speaker

    # -- reported speech -----------------------------------------------------------------------
    def clause(self, head: Token) -> tuple[int, int]:
        """Character span of a reported clause: its subtree, cut before a concessive tail."""
        left, right = head.left_edge.i, head.right_edge.i
        for child in head.rights:
            mark = next((c.lower_ for c in child.children if c.dep_ in {"mark", "cc"}), "")
            first_word = self.doc[child.left_edge.i].lower_
            if (child.dep_ == "advcl" and (mark in CONCESSIVE or first_word in CONCESSIVE)) or \
                    child.dep_ == "parataxis" or (child.dep_ in {"conj", "advcl"} and child.pos_ == "VERB" and
                                                  child.lemma_.lower() in speech_verbs()):
                right = min(right, child.left_edge.i - 1)
                break
        for t in self.doc[left + 2 : right + 1]:
            if t.text in DASHES - {"-"} and t.dep_ in {"punct", "appos"}:
                right = t.i - 1
                break
        while right > left and (self.doc[right].is_punct or self.doc[right].is_space or
                                self.doc[right].dep_ == "cc"):
            if self.doc[right].text in {'"', "\u201d"} or self.doc[right].text in {")"}:
                break
            right -= 1
        while left < right and (self.doc[left].is_space or self.doc[left].text in {",", ":"}):
            left += 1
        end_tok = self.doc[right]
        return self.doc[left].idx, end_tok.idx + len(end_tok.text)

    def indirect(self) -> list[Attribution]:
        out: list[Attribution] = []
        for t in self._cue_candidates():
            if self.in_quote[t.i] or t.i in self.used_cues:
                continue
            spk = self._according(t)
            if spk is not None:
                att = self._according_content(t, spk)
                if att is not None:
                    out.append(att)
                continue
            if t.pos_ not in CUE_POS:
                continue
            lemma = t.lemma_.lower()
            if lemma in accuse_verbs():
                att = self._accusation(t)
                if att is not None:
                    out.append(att)
                    continue
            if lemma in NAMING_VERBS:
                att = self._naming(t)
                if att is not None:
                    out.append(att)
                    continue
            if lemma not in report_verbs():
                continue
            comp = next((c for c in t.children if c.dep_ == "ccomp"), None)
            if comp is None and lemma in speech_verbs():
                comp = next((c for c in t.children if c.dep_ == "xcomp" and c.i > t.i), None)
            if comp is None or self.in_quote[comp.i]:
                continue
            subj = self._subject(t)
            if subj is None and lemma not in speech_verbs():
                continue
            lo, hi = self.clause(comp)
            if comp.i < t.i:
                # fronted clause ("Gains are slow, analysts say"): stop before the cue's own phrase
                hi = min(hi, subj.start_char if subj is not None else t.idx)
                lo, hi = self._trim(lo, hi)
            if hi - lo < 4:
                continue
            speech = lemma in speech_verbs()
            conf = (0.75 if speech else 0.5) - (0.0 if subj is not None else 0.2)
            out.append(Attribution((lo, hi), "indirect", subj, (t.idx, t.idx + len(t.text)), round(conf, 2),
                                   [(lo, hi)], t.i))
        return out

    def _cue_candidates(self) -> Iterator[Token]:
        """The tokens `indirect` can use (a verb or auxiliary, or "according"), without a Token per word."""
        cols = self.doc.to_array([POS, LOWER])
        if cols.ndim == 1:
            cols = cols.reshape(-1, 2)
        verbs = [self.doc.vocab.strings[p] for p in CUE_POS]
        cue = np.isin(cols[:, 0], verbs) | (cols[:, 1] == get_string_id("according"))
        for i in np.flatnonzero(cue).tolist():
            yield self.doc[i]

    def _trim(self, lo: int, hi: int) -> tuple[int, int]:
        while hi > lo and (self.text[hi - 1].isspace() or self.text[hi - 1] in ",;:\u2014\u2013-"):
            hi -= 1
        return lo, hi

    def _naming(self, verb: Token) -> Attribution | None:
        """"Sanders called him divisive", "described the move as a breach": object and predicate."""
        obj = next((c for c in verb.children if c.dep_ == "dobj" and c.i > verb.i), None)
        if obj is None or self.in_quote[obj.i]:
            return None
        pred = next((c for c in verb.children if c.i > obj.i and (c.dep_ in {"oprd", "xcomp", "ccomp"} or
                                                                   c.dep_ == "prep" and c.lower_ == "as")), None)
        if pred is None:
            pred = next((c for c in obj.children if c.dep_ == "prep" and c.lower_ == "as"), None)
        subj = self._subject(verb)
        if pred is None or subj is None:
            return None
        lo = self.doc[obj.left_edge.i].idx
        _, hi = self.clause(pred)
        return Attribution((lo, hi), "indirect", subj, (verb.idx, verb.idx + len(verb.text)), 0.6, [(lo, hi)],
                           verb.i)

    def _accusation(self, verb: Token) -> Attribution | None:
        obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
        heads = [verb, obj] if obj is not None else [verb]
        prep = next((c for h in heads for c in h.children
                     if c.dep_ == "prep" and c.lower_ in {"of", "for"} and c.i > verb.i), None)
        if obj is None or prep is None or self.in_quote[prep.i]:
            return None
        subj = self._subject(verb)
        if subj is None:
            return None
        lo = self.doc[obj.left_edge.i].idx
        _, hi = self.clause(prep)
        return Attribution((lo, hi), "indirect", subj, (verb.idx, verb.idx + len(verb.text)), 0.6, [(lo, hi)],
                           verb.i)

    def _according_content(self, t: Token, spk: Span) -> Attribution | None:
        """"According to X, …" or "…, according to X": the rest of the sentence is the content."""
        sent = self.sents.of(t.i)
        comma = next((x.i for x in self.doc[spk.end - 1 : sent.end] if x.text == ","), None)
        phrase_end = comma + 1 if comma is not None else max(t.right_edge.i, spk.end - 1) + 1
        if t.i - sent.start <= 1:
            lo_tok = phrase_end
            while lo_tok < sent.end and self.doc[lo_tok].is_punct:
                lo_tok += 1
            if lo_tok >= sent.end:
                return None
            lo, hi = self.doc[lo_tok].idx, sent.end_char
        else:
            lo, hi = sent.start_char, t.idx
        lo, hi = self._trim(lo, hi)
        while hi > lo and self.text[hi - 1] in ".!? \n":
            hi -= 1
        toks = range(self.tok(lo), self.tok(max(lo, hi - 1)) + 1)
        if hi - lo < 8 or any(i in self.used_cues for i in toks):
            return None  # too short, or a quotation with its own speaker that X only relays
        return Attribution((lo, hi), "indirect", spk, (t.idx, t.idx + len("according to")), 0.7, [(lo, hi)], t.i)

    # -- all of it -----------------------------------------------------------------------------
    def run(self) -> list[dict[str, Any]]:
        found = self.direct()
        inside_direct = _Containment([a.content for a in found])
        quotations = sorted((r.start, r.end) for n, r in enumerate(self.regions) if n not in self.terms)
        quote_starts = [start for start, _ in quotations]
        for att in self.indirect():
            lo, hi = att.content
            if not self.text[lo:hi].strip():
                continue  # "according to" before a rule line ("___."): nothing was reported
            if inside_direct.holds(lo, hi):
                continue  # reported speech inside a quotation: the quote already holds it
            k = bisect.bisect_left(quote_starts, lo)
            quoted = False  # does a quotation (not a scare quote) lie wholly inside the content?
            while k < len(quotations) and quotations[k][0] <= hi and not quoted:
                quoted = quotations[k][1] <= hi
                k += 1
            if quoted and att.kind == "indirect":
                att.kind = "mixed"
            found.append(att)
        found.sort(key=lambda a: (a.content[0], -a.content[1]))
        out = []
        for a in found:
            speaker = self.speakers.resolve(a.speaker) if a.speaker is not None else None
            q: dict[str, Any] = {"content": {"start": a.content[0], "end": a.content[1]}, "kind": a.kind,
                                 "speaker": speaker,
                                 "cue": {"start": a.cue[0], "end": a.cue[1]} if a.cue else None,
                                 "confidence": a.confidence}
            if len(a.parts) > 1:
                q["parts"] = [{"start": s, "end": e} for s, e in a.parts]
            out.append(q)
        return out


class _Containment:
    """Is [lo, hi) inside one of these spans? Sorted starts and a running maximum of the ends."""

    def __init__(self, spans: list[tuple[int, int]]):
        spans = sorted(spans)
        self.starts = [a for a, _ in spans]
        self.reach: list[int] = []
        for _, b in spans:
            self.reach.append(max(b, self.reach[-1]) if self.reach else b)

    def holds(self, lo: int, hi: int) -> bool:
        k = bisect.bisect_right(self.starts, lo)
        return k > 0 and self.reach[k - 1] >= hi


def region_key(text: str, r: Region) -> str:
    return " ".join(text[r.start : r.end].lower().strip(" ,.;:!?").split())
