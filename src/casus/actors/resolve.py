"""The `casus_actors` component: mentions -> canonical actors, with the evidence (`via`) for each.

Passes, left to right over the parse, each claiming tokens so later passes don't double-count:
1. people named in the text (PERSON entities), with the title and nationality words before them
   ("French President Emmanuel Macron"): KB name or alias, surname of someone already mentioned,
   KB surname, or a document-scoped person carrying the country and sector the words give;
2. titles without a name ("the Russian president"): the KB role holder on the publication date;
3. agent nouns ("Western forces", "a Ukrainian soldier", "analysts") and collectives ("a coalition
   of ... led by France and Britain" -> a multi-country group);
4. KB names matched as the KB spells them (NER misses "Kyiv surrendered"), then the remaining
   entities: states, capitals and seats of government as metonyms, demonyms, IGOs, and unknown
   organisations (document-scoped, country from a nationality, country or city in the name);
5. pronouns to the nearest compatible antecedent (gender, number, animacy, syntactic role);
6. a title in apposition to a name takes the named person; "his forces" takes his country;
7. domestic agents the text gives no country ("Police", "the justice minister") take the
   dateline's country, else the one state named in their sentence.

Document-scoped actors (people and organisations the KB does not know) get ids
`doc:<first 10 hex of sha1(text)>:<slug>`, so they never collide across documents while KB ids
stay global and stable.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import re
from collections.abc import Iterator
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from casus import furniture
from casus.actors.kb import KnowledgeBase, build_kb, default_kb, norm
from casus.extensions import guarded

PRONOUNS = {"he": ("m", "sg"), "him": ("m", "sg"), "his": ("m", "sg"), "himself": ("m", "sg"),
            "she": ("f", "sg"), "her": ("f", "sg"), "hers": ("f", "sg"), "herself": ("f", "sg"),
            "they": ("", "pl"), "them": ("", "pl"), "their": ("", "pl"), "themselves": ("", "pl"),
            "it": ("n", "sg"), "its": ("n", "sg"), "itself": ("n", "sg")}
OBJECT_PRONOUNS = {"him", "her", "them", "it"}
SUBJECT_DEPS = {"nsubj", "nsubjpass"}
HONORIFICS = {"mr": "m", "mr.": "m", "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f", "sir": "m", "dr": "", "dr.": "",
              "madam": "f", "lord": "m", "lady": "f"}
NOT_HOLDER = {"former", "ex", "deputy", "vice", "acting", "interim", "late", "then"}
LOCATIVE = {"in", "at", "near", "outside", "around", "inside", "throughout", "across", "within"}
COLLECTIVES = {"coalition", "alliance", "bloc"}
STATE_NOUNS = {"country", "nation", "state", "government"}
STATE_DESCRIPTORS = {"country", "nation", "kingdom", "republic"}
FACILITY_NOUNS = {"facility", "refinery", "plant", "factory", "site", "mine", "terminal", "depot"}
FIRST_PLURAL = {"we", "us", "our"}
PLACE_NOUNS = {"city", "town", "village", "region", "province", "district", "capital", "port", "area", "island",
               "outskirts", "suburb", "suburbs", "county", "territory", "coast"}
MEMBER_VERBS = {"lead", "include", "comprise", "compose", "head", "form", "make", "consist"}
EXPLETIVE_HEADS = {"seem", "appear", "take", "rain", "matter", "happen", "remain"}
HOME_SECTORS = {"GOV", "COP", "JUD", "LEG", "OPP", "PTY", "CVL", "LAB", "EDU", "REB", "MIL"}
FOREIGN = {"foreign", "international", "multinational", "allied", "coalition", "western", "european", "un", "u.n."}
LOYAL = {"loyal", "allied", "aligned", "affiliated"}
DIRECTIONS = {"west", "east", "north", "south", "western", "eastern", "northern", "southern", "central", "upper",
              "lower"}
RELATIVE = {"who", "which", "that", "whom"}
MODEL = re.compile(r"^[A-Z][A-Za-z]{0,3}-?\d")  # "Su-30", "J-16", "F-35", "MiG-29": a type of aircraft
AGE = re.compile(r"\b[Tt]he (\d{1,3})-year-old\b")
SPONSORED = re.compile(r"-(backed|supported|led|sponsored|allied|installed)$")
SECTOR_NAMES = {"GOV": "government", "MIL": "military", "COP": "police", "JUD": "judiciary", "LEG": "legislature",
                "PTY": "party", "OPP": "opposition", "REB": "rebels", "IGO": "officials", "NGO": "NGOs",
                "MED": "media and analysts", "BUS": "business", "CVL": "civilians", "REF": "refugees",
                "EDU": "students", "LAB": "workers", "HLH": "health workers", "ELI": "elites"}
ORG_HEAD_SECTORS = {"court": "JUD", "tribunal": "JUD", "ministry": "GOV", "department": "GOV", "agency": "GOV",
                    "army": "MIL", "navy": "MIL", "police": "COP", "party": "PTY", "parliament": "LEG",
                    "assembly": "LEG", "senate": "LEG", "council": "GOV", "bank": "BUS", "university": "EDU",
                    "newspaper": "MED", "times": "MED", "post": "MED", "news": "MED", "front": "REB",
                    "brigade": "REB", "brigades": "REB", "movement": "OPP", "union": "LAB", "company": "BUS"}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "x"


def doc_scope(doc: Doc, text: str | None = None) -> str:
    """The id prefix of this document's own actors: stable for the same text, distinct across texts."""
    text = doc.text if text is None else text
    return "doc:" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10] + ":"


def _published(doc: Doc) -> str | None:
    meta = doc._.casus_meta or {}
    value = meta.get("published")
    if not value:
        return None
    text = str(value)[:10]
    return text if re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", text) else None


def _strip(span: Span) -> Span:
    while len(span) > 1 and (span[0].lower_ in {"the", "a", "an"} or span[0].is_punct):
        span = span[1:]
    while len(span) > 1 and (span[-1].tag_ == "POS" or span[-1].is_punct or span[-1].is_space):
        span = span[:-1]
    return span


class _Resolution:
    """One document's resolution state."""

    def __init__(self, doc: Doc, kb: KnowledgeBase, matches: list[tuple[int, int]] | None = None):
        self.doc = doc
        self.text = doc.text  # Doc.text joins every token's text on each access: read it once
        self.matches = matches or []
        # Doc.ents and Doc.sents build new objects on every access: take them once
        self.ents = list(doc.ents)
        self.tokens = list(doc)  # each `for tok in doc` makes new Token objects; the passes share these
        self.found_dateline = (doc._.casus_meta or {}).get("dateline")
        if self.found_dateline is None and len(doc):
            # a doc made without repair (nlp(text)) still opens with its dateline: read it, mention nothing in it
            hit = furniture.dateline_in(self.text[:300])
            if hit is not None:
                self.found_dateline, story = hit
                self.tokens = [t for t in self.tokens if t.idx >= story]
                self.ents = [e for e in self.ents if e.start_char >= story]
                self.matches = [(s, e) for s, e in self.matches if doc[s].idx >= story]
        self.ent_of = {i: e for e in self.ents for i in range(e.start, e.end)}
        # tokens inside a non-person KB name written as the KB writes it (multi-word, case-sensitive)
        self.in_kb_name = {i for s, e in self.matches if e - s > 1 for i in range(s, e)}
        self.sent_no: list[int] = [0] * len(doc)
        self.sent_start: list[int] = [0] * len(doc)
        n, start = -1, 0
        for tok in self.tokens:
            if tok.i == 0 or tok.is_sent_start:
                n, start = n + 1, tok.i
            self.sent_no[tok.i], self.sent_start[tok.i] = n, start
        self.kb = kb
        self.when = _published(doc)
        self.scope = doc_scope(doc, self.text)
        self.actors: dict[str, dict[str, Any]] = {}
        self.mentions: list[dict[str, Any]] = []
        self.taken: dict[int, int] = {}  # token index -> mention index
        self._norms: dict[str, str] = {}
        self._people: dict[str, list[dict[str, Any]]] = {}  # surname -> person actors (known_person)
        self._people_seen = 0
        self.last_seen: dict[str, int] = {}  # actor id -> index of its latest mention
        self.title_tokens = {w for t in kb.titles for w in t.split()} | set(HONORIFICS) | NOT_HOLDER
        self.title_tokens |= {"leader", "chief", "spokesman", "spokeswoman", "general", "commander", "minister",
                              "secretary", "envoy", "ambassador", "senator", "governor", "mayor", "sheikh",
                              "ayatollah", "crown", "prince", "colonel", "lieutenant", "major", "opposition"}

    # ---- helpers ------------------------------------------------------------------------------

    def free(self, start: int, end: int) -> bool:
        return not any(i in self.taken for i in range(start, end))

    def add(self, span: Span, actor: dict[str, Any], via: str, rule: str | None = None) -> None:
        """A mention of `actor`; `rule` says which date rule picked the actor (a title's office holder)."""
        aid = actor["id"]
        if aid not in self.actors:
            self.actors[aid] = {k: v for k, v in actor.items() if k not in ("roles", "codes")}
            code = self.kb.code_for(actor, self.when)
            if code:  # an imported actor: its CAMEO code on the publication date gives country and sector
                self.actors[aid].update(code)
        n = len(self.mentions)
        self.last_seen[aid] = n
        self.mentions.append({"start": span.start_char, "end": span.end_char, "actor": aid, "via": via,
                              "tok": span.start, "tok_end": span.end, **({"rule": rule} if rule else {})})
        if actor["kind"] == "state" and self.locative(span):
            self.mentions[-1]["locative"] = True  # "in Lebanon": where, not who (mention_at ranks it last)
        for i in range(span.start, span.end):
            self.taken[i] = n

    def kb_actor(self, aid: str) -> dict[str, Any]:
        return self.kb.actors[aid]

    def place_of(self, tok: Token) -> tuple[str | None, int]:
        """The state/region/organisation actor a modifier token names, and the leftmost token it spans."""
        doc = self.doc
        if tok.i + 2 < len(doc) and doc[tok.i + 1].text == "-" and SPONSORED.search("-" + doc[tok.i + 2].lower_):
            return None, tok.i  # "the Iranian-backed Houthis": the sponsor is not the group's country
        if tok.lower_ in DIRECTIONS and tok.i + 1 < len(doc) and doc[tok.i + 1].pos_ == "PROPN":
            return None, tok.i  # "West Darfur", "North Kivu", "West Bank": half of a place name, not the West
        if tok.ent_type_ in {"GPE", "NORP", "LOC", "ORG"}:
            ent = self.ent_of.get(tok.i)
            if ent is not None:
                span = _strip(ent)
                key = norm(span.text)
                hit = self.kb.names.get(key)
                if hit and self.kb_actor(hit[0])["kind"] != "person":
                    return hit[0], ent.start
                if key in self.kb.demonyms:
                    return self.kb.demonyms[key], ent.start
        key = norm(tok.text)
        if key in self.kb.demonyms:
            return self.kb.demonyms[key], tok.i
        hit = self.kb.names.get(key)
        if hit and self.kb_actor(hit[0])["kind"] != "person" and (
                tok.pos_ == "PROPN" or tok.is_upper or (tok.is_title and self.kb_actor(hit[0])["kind"] == "state")):
            return hit[0], tok.i  # "Nepal government" with "Nepal" tagged as an adjective
        return None, tok.i

    def city_of(self, tok: Token) -> str | None:
        """The state a named city belongs to ("Istanbul" -> tur); only for tokens NER calls places."""
        if tok.ent_type_ not in {"GPE", "LOC", "FAC", "ORG"} or self.hyphenated(tok.i, tok.i + 1):
            return None
        ent = self.ent_of.get(tok.i)
        for key in ([norm(_strip(ent).text)] if ent is not None else []) + [norm(tok.text)]:
            cc = self.kb.cities.get(key)
            if cc and cc in self.kb.by_country:
                return self.kb.by_country[cc]
        return None

    def modifiers(self, head: Token) -> tuple[str | None, int]:
        """Country/organisation named by the words that modify `head` ("Syrian government forces",
        "the armies of Brazil", "Russia's foreign ministry"); returns (actor id, leftmost token)."""
        left = head.i
        found = None
        for child in head.lefts:
            if child.dep_ in {"amod", "compound", "nmod", "poss", "npadvmod"} and child.tag_ != "PRP$":
                for t in [child, *child.lefts]:
                    aid, start = self.place_of(t)
                    if not aid and (city := self.city_of(t)):
                        aid, start = city, t.i
                    if aid and found is None:
                        found = aid
                    if child.i >= t.i:
                        left = min(left, start if aid else t.i)
                if child.dep_ != "det" and child.tag_ != "PRP$":  # "his forces": the pronoun pass owns "his"
                    left = min(left, child.left_edge.i)
        if found is None:
            for child in head.rights:
                if child.dep_ == "prep" and child.lower_ in {"of", "from", "in"}:
                    for pobj in child.children:
                        if pobj.dep_ == "pobj":
                            aid = self.place_of(pobj)[0] or self.city_of(pobj)
                            if aid:
                                found = aid
                elif child.dep_ == "amod" and child.lower_ in LOYAL:  # "forces loyal to Khalifa Hifter"
                    found = found or self.loyal_to(child)
        if found is None:
            found = self.place_below(head)
        while left < head.i and (self.doc[left].lower_ in {"the", "a", "an"} or self.doc[left].is_punct):
            left += 1
        return found, left

    def place_below(self, head: Token) -> str | None:
        """A state two prepositions down ("workers at the Cerro Verde mine in Peru"), or, for a noun
        that only modifies another ("an army camp in Mali"), the state its head noun is in."""
        heads = [head] + ([head.head] if head.dep_ == "compound" else [])
        for h in heads:
            for prep in (c for c in h.rights if c.dep_ == "prep"):
                for pobj in (c for c in prep.children if c.dep_ == "pobj"):
                    if h is not head and prep.lower_ in {"in", "of", "from"}:
                        aid = self.place_of(pobj)[0] or self.city_of(pobj)
                        if aid and self.kb_actor(aid)["kind"] == "state":
                            return aid
                    for prep2 in (c for c in pobj.rights if c.dep_ == "prep" and c.lower_ in {"in", "of"}):
                        for pobj2 in (c for c in prep2.children if c.dep_ == "pobj"):
                            aid = self.place_of(pobj2)[0] or self.city_of(pobj2)
                            if aid and self.kb_actor(aid)["kind"] == "state":
                                return aid
        return None

    def loyal_to(self, adj: Token) -> str | None:
        """The state of whoever 'forces loyal to …' serve: a state named, or a named person's country."""
        for prep in adj.children:
            for pobj in (c for c in prep.children if c.dep_ == "pobj"):
                aid = self.place_of(pobj)[0]
                if aid:
                    return aid
                ent = self.ent_of.get(pobj.i)
                hit = self.kb.names.get(norm(_strip(ent).text)) if ent is not None else None
                country = self.kb_actor(hit[0]).get("country") if hit else None
                if country and country in self.kb.by_country:
                    return self.kb.by_country[country]
        return None

    def doc_actor(self, name: str, kind: str, country: str | None, sector: str | None,
                  **extra: Any) -> dict[str, Any]:
        return {"id": self.scope + slug(name), "name": name, "kind": kind, "country": country, "sector": sector,
                "scope": "document", **{k: v for k, v in extra.items() if v is not None}}

    # ---- pass 1: named people -----------------------------------------------------------------

    def people(self) -> None:
        for ent in self.ents:
            if ent.label_ != "PERSON":
                continue
            name = _strip(ent)
            while len(name) > 1 and name[0].lower_ in HONORIFICS:
                name = name[1:]
            if not self.free(name.start, name.end):
                continue
            name = self.fuller_name(name)
            if len(name) == 1 and norm(name.text) in self.kb.demonyms and name[0].pos_ == "ADJ":
                continue  # "The Slovak lawyer": NER took the nationality word for a name
            if len(name) == 1 and norm(name.text) in self.kb.cities and self.where(name):
                continue  # "the city of Vladivostok", "in Vladivostok": NER took a city for a person
            hit = self.kb.names.get(norm(name.text))
            if hit and self.kb_actor(hit[0])["kind"] != "person":
                self.add(name, self.kb_actor(hit[0]), hit[1])  # NER calls "Kremlin" a person now and then
                continue
            head = norm(name[-1].text)
            if not hit and len(name) > 1 and head in self.kb.thing_heads:
                continue  # "the Clinton Plan": a thing named after a person
            if not hit and len(name) > 1 and head in self.kb.org_heads:
                org = self.unknown_org(name)  # "Patriot Coal": a firm
                self.add(name, {**org, "sector": org.get("sector") or self.kb.org_heads[head]}, "name")
                continue
            start, country, words, gender = self.prefix(name)
            actor, via = self.person(name, country, words, gender, hit)
            # the mention is the name; its title and nationality words are claimed so that
            # "French" in "French President Emmanuel Macron" is not a second mention of France
            self.add(name, actor, via)
            for i in range(start, name.start):
                self.taken[i] = len(self.mentions) - 1
        # a surname NER did not tag, after the person's full mention ("Syrskyi added ..."), or the
        # given name some people go by ("Azali thanked ..." after "Azali Assoumani"), when one person has it
        surnames: dict[str, tuple[int, dict[str, Any], str]] = {}
        given: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for m in self.mentions:
            actor = self.actors[m["actor"]]
            parts = norm(actor["name"]).split() if actor["kind"] == "person" else []
            if parts:
                surnames.setdefault(parts[-1], (m["tok_end"], actor, "surname"))
                if len(parts) > 1 and all(actor is not a for _, a in given.get(parts[0], [])):
                    given.setdefault(parts[0], []).append((m["tok_end"], actor))
        for first, bearers in given.items():
            if len(bearers) == 1 and first not in surnames:
                surnames[first] = (bearers[0][0], bearers[0][1], "alias")
        for tok in self.tokens:
            hit = surnames.get(norm(tok.text)) if tok.pos_ == "PROPN" and not tok.ent_type_ else None
            if hit and tok.i >= hit[0] and tok.i not in self.taken:
                self.add(self.doc[tok.i : tok.i + 1], hit[1], hit[2])

    def fuller_name(self, name: Span) -> Span:
        """NER cut a known name short ("Abdelrahim [Hamdan Dagalo]"): the longest KB person name made
        by adding up to two capitalised words before it."""
        for extra in (2, 1):
            start = name.start - extra
            if start < 0 or not all(t.is_title and t.pos_ == "PROPN" and t.i not in self.taken
                                    and t.lower_ not in self.title_tokens for t in self.doc[start : name.start]):
                continue
            longer = self.doc[start : name.end]
            hit = self.kb.names.get(norm(longer.text))
            if hit and self.kb_actor(hit[0])["kind"] == "person":
                return longer
        return name

    def prefix(self, name: Span) -> tuple[int, str | None, list[str], str]:
        """Walk left over title words, honorifics and nationality: 'Iranian Foreign Minister', "Russia's"."""
        i, country, words, gender = name.start, None, [], ""
        while i > 0:
            t = self.doc[i - 1]
            if t.i in self.taken:
                break
            if t.lower_ in self.title_tokens and (t.pos_ in {"PROPN", "NOUN", "ADJ"} or t.lower_ in HONORIFICS):
                words.insert(0, t.lower_)
                gender = gender or HONORIFICS.get(t.lower_, "")
                i -= 1
                continue
            if t.pos_ == "NOUN" and t.tag_ == "NN" and (t.lemma_.lower() in self.kb.person_agents or (
                    t.dep_ == "compound" and name.start <= t.head.i < name.end)):
                words.insert(0, t.lemma_.lower())  # a descriptor: "US journalist Evan Gershkovich"
                i -= 1
                continue
            if t.tag_ == "POS" and i >= 2:
                aid, left = self.place_of(self.doc[i - 2])
                if aid:
                    country, i = aid, left
                break
            aid, left = self.place_of(t)
            if aid and t.i == name.start - 1 and not words and norm(t.text) not in self.kb.demonyms:
                break  # a country's name right against a name is part of it ("Samoa Abdoulmadjid", "Israel Katz")
            if aid and t.dep_ != "appos":
                country, i = country or aid, left
                continue
            break
        return i, country, words, gender

    def person(self, name: Span, country: str | None, words: list[str], gender: str,
               hit: tuple[str, str] | None) -> tuple[dict[str, Any], str]:
        cc = self.kb_actor(country)["country"] if country else None
        if hit:
            return self.kb_actor(hit[0]), hit[1]
        for k in range(1, len(name) - 1):  # "Muhammad Shehbaz Sharif": a known name with another given name first
            tail = self.kb.names.get(norm(name[k:].text))
            if tail and self.kb_actor(tail[0])["kind"] == "person":
                return self.kb_actor(tail[0]), "name"
        last = norm(name[-1].text)
        first = norm(name[0].text) if len(name) > 1 else None
        # the people of the document, most recently mentioned first: "Clinton" is the nearest Clinton
        recent = sorted((a for a in self.actors.values() if a["kind"] == "person"),
                        key=lambda a: -self.last_seen.get(a["id"], -1))
        whole = norm(name.text)
        for actor in recent:
            normed = self._normed(actor["name"])
            parts = normed.split()
            if not parts:
                continue
            if normed == whole:
                return actor, "name"
            if parts[-1] == last and (first is None or len(parts) == 1 or parts[0] == first):
                return actor, "surname"  # "Clinton" after "Hillary Clinton", but not "Chelsea Clinton"
            if len(name) == 1 and len(parts) > 1 and parts[0] == last:
                return actor, "alias"  # "Hillary" after "Hillary Clinton", "Azali" after "Azali Assoumani"
        ids = [a for a in self.kb.surnames.get(last, []) if not cc or self.kb_actor(a)["country"] == cc]
        if len(name) > 1:
            first = norm(name[0].text)
            ids = [a for a in ids if norm(self.kb_actor(a)["name"]).split()[0] == first]
        if len(ids) == 1:
            return self.kb_actor(ids[0]), "surname" if len(name) == 1 else "name"
        role = self.role_of(words, cc)
        if role and cc and not NOT_HOLDER & set(words):
            holder = self.kb.holder(cc, role, self.when)
            if holder and norm(self.kb_actor(holder)["name"]).split()[-1:] == [last]:
                return self.kb_actor(holder), "title"
        sector = "GOV" if role else None
        for w in words:
            sector = sector or self.kb.person_agents.get(w)
        text = " ".join(name.text.split())
        return self.doc_actor(text, "person", cc, sector, gender=gender or None, role=role), "name"

    def role_of(self, words: list[str], cc: str | None) -> str | None:
        words = [w for w in words if w not in HONORIFICS]
        for n in range(min(4, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                role = self.kb.title_role(" ".join(words[i : i + n]), cc)
                if role:
                    return role
        return None

    # ---- pass 2: titles without names ---------------------------------------------------------

    def titles(self) -> None:
        doc = self.doc
        last_words = {t.split()[-1] for t in self.kb.titles}
        for tok in self.tokens:
            if tok.lower_ not in last_words or tok.i in self.taken or tok.pos_ not in {"NOUN", "PROPN"}:
                continue
            if tok.tag_ in {"NNS", "NNPS"}:
                continue
            phrase_start, role = None, None
            for n in (3, 2, 1):
                if tok.i - n + 1 < 0:
                    continue
                words = [t.lower_ for t in doc[tok.i - n + 1 : tok.i + 1]]
                r = self.kb.titles.get(" ".join(words))
                if r:
                    phrase_start, role = tok.i - n + 1, r
                    break
            if role is None:
                continue
            if tok.dep_ in {"attr", "oprd"} or (tok.dep_ == "pobj" and tok.head.lower_ in {"for", "as"}):
                continue  # "ran for president of the United States" names an office, not its holder
            aid, left = self.modifiers(tok)
            if aid is None:
                self.bare_title(tok, phrase_start, role)
                continue
            place = self.kb_actor(aid)
            cc = place["country"] or aid.upper()
            role = self.kb.title_role(" ".join(t.lower_ for t in doc[phrase_start : tok.i + 1]), cc) or role
            left = min(left, phrase_start)
            span = doc[left : tok.i + 1]
            if not self.free(span.start, span.end):
                continue
            before = {t.lower_ for t in doc[max(0, left - 2) : tok.i]}
            holder = None if before & NOT_HOLDER else self.kb.holder_rule(cc, role, self.when)
            if holder:
                self.add(span, self.kb_actor(holder[0]), "title", holder[1])
            elif self.when is None and place["kind"] in {"state", "organisation"} and not before & NOT_HOLDER:
                # no date to pick the office holder: the office still codes to its state or body
                self.add(span, place, "title")
            else:
                label = f"{' '.join(t.text for t in doc[phrase_start : tok.i + 1])} ({place['name']})"
                self.add(span, self.doc_actor(label, "person", place["country"], "GOV"), "title")

    def bare_title(self, tok: Token, phrase_start: int, role: str) -> None:
        """'the president' with no country: the person already named in the text who holds that
        office ("Barack Obama ... The president said"), else the dateline country's office holder."""
        det = self.doc[phrase_start - 1] if phrase_start else None
        if det is None or det.lower_ != "the" or any(c.dep_ == "prep" for c in tok.rights):
            return
        span = self.doc[phrase_start : tok.i + 1]
        if not self.free(span.start, span.end) or self.doc[phrase_start].lower_ in NOT_HOLDER:
            return
        for m in reversed(self.mentions):
            if m["tok"] >= tok.i:
                continue
            a = self.actors[m["actor"]]
            if a["kind"] != "person":
                continue
            roles = self.kb.actors.get(a["id"], {}).get("roles") or []
            held = any(r["role"] == role and self.when and r["start"] <= self.when
                       and (r["end"] is None or self.when < r["end"]) for r in roles)
            if held or (a.get("scope") == "document" and a.get("role") == role):
                self.add(span, a, "title")
                return
        story = self.story_state()
        for home, why in ((story, "the story's country"), (self.dateline(), "the dateline's country")):
            holder = self.kb.holder_rule(self.kb_actor(home)["country"], role, self.when) if home else None
            if holder:
                self.add(span, self.kb_actor(holder[0]), "title", f"{holder[1]} ({why})")
                return

    # ---- pass 3: agent nouns and collectives --------------------------------------------------

    def agents(self) -> None:
        doc = self.doc
        for tok in self.tokens:
            if tok.i in self.taken or tok.pos_ not in {"NOUN", "PROPN"}:
                continue
            lemma, text = tok.lemma_.lower(), tok.lower_
            two = f"{doc[tok.i - 1].lower_} {text}" if tok.i else ""
            if tok.lemma_.lower() in COLLECTIVES:
                self.collective(tok)
                continue
            plural = tok.tag_ in {"NNS", "NNPS"}
            ent = self.ent_of.get(tok.i)
            if ent is not None and ent.label_ in {"ORG", "FAC"} and len(ent) > 1 and ent.root.i != tok.i:
                continue  # "Police" in "the New York Police Department": the organisation is the actor
            if tok.i in self.in_kb_name:
                continue  # "Forces" in "the Rapid Support Forces": the KB name is the actor (pass 4)
            if self.equipment(tok):
                continue
            if lemma in STATE_NOUNS and plural:
                self.states(tok)
                continue
            if tok.dep_ == "compound" and (self.is_agent(tok.head) or self.is_equipment(tok.head) or (
                    tok.head.i == tok.i + 1 and f"{text} {tok.head.lower_}" in self.kb.group_agents)):
                continue  # "government" in "Syrian government forces", "intelligence" in "intelligence services"
            if lemma in self.kb.relational and self.relation(tok):
                continue
            if plural and lemma == "ally" and (det := next((c for c in tok.lefts if c.dep_ == "det"), None)) \
                    and det.lower_ == "the" and (igo := self.recent_igo(tok.i)) is not None:
                self.add(doc[det.i : tok.i + 1], igo, "descriptor")  # "NATO … the allies agreed"
                continue
            if two in self.kb.group_agents and doc[tok.i - 1].i not in self.taken:
                sector, group = self.kb.group_agents[two], True
            elif two in self.kb.person_agents and doc[tok.i - 1].i not in self.taken:
                sector, group = self.kb.person_agents[two], plural
            elif text in self.kb.group_agents:
                sector, group = self.kb.group_agents[text], True
            elif lemma in self.kb.person_agents:
                if tok.dep_ == "compound" and not plural:
                    continue  # "troop numbers", "soldier deaths": a person noun modifying a thing is no mention
                sector, group = self.kb.person_agents[lemma], plural
            elif plural and lemma in self.kb.group_agents:
                sector, group = self.kb.group_agents[lemma], True
            else:
                continue
            if sector == "GOV":  # "opposition leaders", "rebel leaders": the modifier says which leaders
                for c in tok.lefts:
                    x = self.kb.group_agents.get(c.lower_) or self.kb.person_agents.get(c.lemma_.lower())
                    if c.dep_ == "compound" and x and x != "GOV":
                        sector = x
                        break
            aid, left = self.modifiers(tok)
            span = doc[left : tok.i + 1]
            if not self.free(span.start, span.end):
                span = doc[tok.i : tok.i + 1]
            generic = sector in {"CVL", "LAB", "EDU", "BUS", "HLH"} and lemma not in {"protester", "demonstrator"}
            if aid is None and generic:
                continue  # "people", "a man": too generic to be an actor without a nationality
            base = self.kb_actor(aid) if aid else None
            members = self.member_states(tok) if group else []
            if len(members) > 1:  # "Ethiopian, Mozambican and South African troops": one group, each state named
                codes = [self.kb_actor(m)["country"] for m, _ in members]
                self.add(span, self.doc_actor(f"{tok.lower_} ({', '.join(codes)})", "group", None, sector,
                                              members=codes), "agent")
                for state, (start, end) in members:
                    self.add(doc[start:end], self.kb_actor(state), "demonym")
                continue
            if group:
                actor = self.group(base, sector)
            else:
                text_name = " ".join(t.text for t in span)
                actor = self.doc_actor(text_name, "person", base["country"] if base else None, sector)
            self.add(span, actor, "agent")

    def member_states(self, head: Token) -> list[tuple[str, tuple[int, int]]]:
        """The states of conjoined nationality words before a noun, with their token spans."""
        out: list[tuple[str, tuple[int, int]]] = []
        for c in head.lefts:
            if c.dep_ not in {"amod", "compound", "nmod"}:
                continue
            for t in [c, *c.conjuncts]:
                aid, start = self.place_of(t)
                if aid and self.kb_actor(aid)["kind"] == "state" and aid not in {a for a, _ in out}:
                    out.append((aid, (min(start, t.i), t.i + 1)))
        return out

    def is_equipment(self, tok: Token) -> bool:
        lemma = tok.lemma_.lower()
        return tok.pos_ in {"NOUN", "PROPN"} and (lemma in self.kb.equipment or tok.lower_ in self.kb.equipment)

    def equipment(self, tok: Token) -> bool:
        """Weapons and vehicles: 'Su-30 fighters' and 'drones' are no actors; 'Ukrainian drones' and
        'Israeli military planes' stand for the armed forces of their state (via 'equipment')."""
        doc = self.doc
        lemma = tok.lemma_.lower()
        fighter = lemma == "fighter" and (any(MODEL.match(c.text) for c in tok.lefts)
                                          or (tok.dep_ == "compound" and self.is_equipment(tok.head)))
        if not (fighter or self.is_equipment(tok)):
            return False
        if tok.dep_ == "compound" and self.is_equipment(tok.head):
            return True  # "fighter" in "fighter jets": the head noun carries the phrase
        aid, left = self.modifiers(tok)
        if aid is None or self.kb_actor(aid)["kind"] == "person":
            return True
        sector = next((self.kb.group_agents.get(c.lower_) or self.kb.person_agents.get(c.lemma_.lower())
                       for c in tok.lefts if c.dep_ == "compound" and self.is_agent(c)), None) or "MIL"
        span = doc[left : tok.i + 1]
        if self.free(span.start, span.end):
            self.add(span, self.group(self.kb_actor(aid), sector), "equipment")
        return True

    def states(self, tok: Token) -> None:
        """'26 countries', 'European nations', 'the 26 countries': a group of states. With 'the' and no
        nationality it is the multi-state group named before (the coalition the story is about)."""
        doc = self.doc
        aid, left = self.modifiers(tok)
        span = doc[left : tok.i + 1]
        if not self.free(span.start, span.end):
            return
        if aid is not None:
            self.add(span, self.group(self.kb_actor(aid), "GOV"), "agent")  # "European countries" -> Europe
            return
        det = next((c for c in tok.lefts if c.dep_ == "det"), None)
        if det is not None and det.lower_ in {"the", "these", "those"}:
            earlier = self.recent_group(tok.i)
            if earlier is not None:
                self.add(span, earlier, "descriptor")
                return
        number = next((c.text for c in tok.lefts if c.dep_ == "nummod"), None)
        if number is None:
            return
        self.add(span, self.doc_actor(f"{number} {tok.lower_}", "group", None, "GOV"), "agent")

    def mentions_before(self, before: int, sentences: int) -> Iterator[dict[str, Any]]:
        """The mentions that start before token `before`, the latest added first, until one lies more
        than `sentences` sentences back."""
        for m in reversed(self.mentions):
            if m["tok"] >= before:
                continue
            if self.sent_no[before] - self.sent_no[m["tok"]] > sentences:
                return
            yield m

    def recent_igo(self, before: int) -> dict[str, Any] | None:
        """The intergovernmental body named last, within two sentences ("the EU … the bloc")."""
        for m in self.mentions_before(before, 2):
            a = self.actors[m["actor"]]
            if a.get("org") and a["org"] in self.kb.actors:  # "EU foreign ministers" -> the EU
                a = self.kb_actor(a["org"])
            if a["kind"] == "organisation" and a.get("sector") == "IGO":
                return a
        return None

    def recent_group(self, before: int, head: str | None = None) -> dict[str, Any] | None:
        """The latest multi-state group mentioned before token `before`: one named with the same head
        noun ("the coalition" after "a coalition of …") when `head` is given, else one with members."""
        for m in reversed(self.mentions):
            a = self.actors[m["actor"]]
            if m["tok"] >= before or a["kind"] != "group" or a.get("scope") != "document":
                continue
            if (head and a["name"].split()[0] == head) or (not head and a.get("members")):
                return a
        return None

    def relation(self, tok: Token) -> bool:
        """'Kyiv's allies', 'the allies of Ukraine', 'Russia's neighbours': a group that stands in a
        relation to a state, not the state itself."""
        owner = None
        for c in tok.children:
            if c.dep_ == "poss" and c.tag_ != "PRP$":
                owner = self.place_of(c)[0]
            elif c.dep_ == "prep" and c.lower_ == "of":
                owner = next((self.place_of(o)[0] for o in c.children if o.dep_ == "pobj"), None)
        if owner is None or self.kb_actor(owner)["kind"] not in {"state", "group"}:
            return False
        base = self.kb_actor(owner)
        span = self.doc[tok.left_edge.i if tok.left_edge.dep_ != "det" else tok.left_edge.i + 1 : tok.i + 1]
        if not self.free(span.start, span.end):
            span = self.doc[tok.i : tok.i + 1]
        name = f"{base['name']}'s {tok.lemma_.lower()}s"
        self.add(span, self.doc_actor(name, "group", None, "GOV", of=base["id"]), "agent")
        return True

    def is_agent(self, tok: Token) -> bool:
        return (tok.lower_ in self.kb.group_agents or tok.lemma_.lower() in self.kb.person_agents
                or tok.lemma_.lower() in self.kb.group_agents)

    def group(self, base: dict[str, Any] | None, sector: str) -> dict[str, Any]:
        if base is None:
            return {"id": f"any-{sector.lower()}", "name": f"unspecified {SECTOR_NAMES.get(sector, sector)}",
                    "kind": "group", "country": None, "sector": sector, "scope": "kb"}
        if base["kind"] in {"state", "group"} and base.get("sector") == sector:
            return base
        return {"id": f"{base['id']}-{sector.lower()}", "name": f"{base['name']} ({SECTOR_NAMES.get(sector, sector)})",
                "kind": "group", "country": base.get("country"), "sector": sector, "scope": "kb",
                **({"org": base["id"]} if base["kind"] == "organisation" else {})}

    def collective(self, head: Token) -> None:
        """'a coalition of more than two dozen countries, led by France and Britain': one group actor
        whose members are the states named inside the phrase (each also keeps its own mention)."""
        ent = self.ent_of.get(head.i)
        if ent is not None and norm(_strip(ent).text) in self.kb.names:
            return  # a named coalition the KB knows; pass 4 resolves it
        if any(s <= head.i < e for s, e in self.matches) or (
                ent is not None and ent.label_ == "ORG" and head.is_title and len(ent) > 1):
            return  # "the Bolivarian Alliance for the Peoples of Our America": a named body, not a coalition
        members: list[str] = []
        for t in head.subtree:
            if t.i == head.i or not self.member_path(t, head):
                continue
            aid, _ = self.place_of(t)
            if aid and self.kb_actor(aid)["kind"] == "state" and self.kb_actor(aid)["country"] not in members:
                members.append(self.kb_actor(aid)["country"])
        aid, left = self.modifiers(head)
        if aid and self.kb_actor(aid)["kind"] == "state" and self.kb_actor(aid)["country"] not in members:
            members.insert(0, self.kb_actor(aid)["country"])
        det = next((c for c in head.lefts if c.dep_ == "det"), None)
        if det is not None and det.lower_ in {"the", "this"} and not (aid and members):
            earlier = self.recent_group(head.i, head.lower_) or self.recent_igo(head.i)
            if earlier is not None:  # "the coalition" again: the one named before; "the bloc" after "the EU"
                self.add(self.doc[min(left, head.i) : head.i + 1], earlier, "descriptor")
                return
        name = f"{head.text.lower()} ({', '.join(members)})" if members else head.text.lower()
        actor = self.doc_actor(name, "group", None, "GOV", members=members or None)
        self.add(self.doc[min(left, head.i) : head.i + 1], actor, "agent")

    @staticmethod
    def member_path(tok: Token, head: Token) -> bool:
        """Is `tok` named as a member ("of X and Y", "led by X", "including X") rather than
        somewhere else in the clause the collective heads?"""
        while tok.i != head.i:
            if tok.dep_ in {"pobj", "prep", "conj", "cc", "agent", "appos", "compound", "amod", "nmod", "poss"}:
                pass
            elif tok.dep_ == "acl" and tok.lemma_ in MEMBER_VERBS:
                pass
            else:
                return False
            if tok.dep_ == "prep" and tok.head.i == head.i and tok.lower_ not in {"of", "including", "with"}:
                return False
            tok = tok.head
        return True

    # ---- pass 4: KB names, then the other entities ---------------------------------------------

    def gazetteer(self, matches: list[tuple[int, int]]) -> None:
        """KB names written as the KB writes them, whether or not NER saw an entity there
        ("Kyiv surrendered", "Immigration and Customs Enforcement returned")."""
        for start, end in sorted(matches, key=lambda m: (m[0] - m[1], m[0])):  # longest first
            span = self.doc[start:end]
            if not self.free(start, end) or self.inside_entity(start, end):
                continue
            hit = self.kb.names.get(norm(span.text))
            if not hit or self.kb_actor(hit[0])["kind"] == "person":
                continue
            if span.root.ent_type_ == "PERSON" or (
                    self.as_place(norm(span.text), self.kb_actor(hit[0]), hit[1]) and self.locative(span)):
                continue
            self.add(span, self.owned(span, self.kb_actor(hit[0])), hit[1])

    def as_place(self, key: str, actor: dict[str, Any], via: str) -> bool:
        """Is this name of an actor also the name of a place (a capital, "Gaza")? Then "in …" is a location."""
        return via == "metonymy" or (key in self.kb.cities and actor["kind"] != "state")

    def owned(self, span: Span, actor: dict[str, Any]) -> dict[str, Any]:
        """A national body the KB files under one country, written as another's ("Burundi's National
        Security Council", "Peru's Congress"): that country's body of the same sector."""
        if actor["kind"] != "organisation" or not actor.get("country") or span.start == 0:
            return actor
        before = self.doc[span.start - 1]
        owner = None
        if before.tag_ == "POS" and span.start >= 2:
            owner = self.place_of(self.doc[span.start - 2])[0]
        elif before.dep_ in {"amod", "compound"} and before.head.i >= span.start:
            owner = self.place_of(before)[0]
        if owner is None or self.kb_actor(owner)["kind"] != "state":
            return actor
        country = self.kb_actor(owner)["country"]
        if country == actor["country"]:
            return actor
        return self.doc_actor(f"{span.text} ({country})", "organisation", country, actor.get("sector"))

    def inside_entity(self, start: int, end: int) -> bool:
        """'Security Council' inside 'Burundi's National Security Council' is not the UN's."""
        # the Doc's entities never overlap: only the one at `start` can hold the span
        e = self.ent_of.get(start)
        return (e is not None and e.start <= start and end <= e.end and (e.start, e.end) != (start, end)
                and e.label_ in {"ORG", "FAC", "WORK_OF_ART", "EVENT", "LAW"} and len(_strip(e)) > end - start)

    def entities(self) -> None:
        for ent in self.ents:
            if ent.label_ not in {"GPE", "LOC", "NORP", "ORG", "FAC", "PERSON"}:
                continue
            span = _strip(ent)
            if not self.free(span.start, span.end) or span.text in self.kb.not_actors:
                continue
            key = norm(span.text)
            hit = self.kb.names.get(key)
            if hit:
                actor, via = self.kb_actor(hit[0]), hit[1]
                if self.as_place(key, actor, via) and self.locative(span):
                    continue  # "in Moscow", "in Gaza" are places, not the Russian government or Gaza's
                self.add(span, self.owned(span, actor), via)
            elif key in self.kb.demonyms:
                self.add(span, self.kb_actor(self.kb.demonyms[key]), "demonym")
            elif ent.label_ == "NORP" and len(span) > 1 and norm(span[0].text) in self.kb.demonyms:
                self.add(span, self.kb_actor(self.kb.demonyms[norm(span[0].text)]), "demonym")  # "Bosnian Serb"
            elif (person := self.known_person(span)) is not None:
                self.add(span, person, "surname")  # NER calls a known surname an ORG now and then
            elif ent.label_ in {"GPE", "LOC"} and (state := self.place_state(span)) is not None:
                self.add(span, state, "place")
            elif ent.label_ == "ORG" and any(t.is_title or t.is_upper for t in span) and key not in self.kb.cities:
                if len(span) > 1 and norm(span[-1].text) in self.kb.thing_heads:
                    continue  # "the Budapest Memorandum", "the Minsk Agreement": a text, not an actor
                if len(span) == 1 and span[0].is_sent_start and self.is_agent(span[0]):
                    continue  # "Troop numbers …": a common noun capitalised by the sentence, not a name
                self.add(span, self.unknown_org(span), "name")

    def where(self, span: Span) -> bool:
        """Is the span a location: 'in X', 'near X', 'the city of X'?"""
        root = span.root
        if root.dep_ != "pobj":
            return False
        prep = root.head
        if prep.lower_ in LOCATIVE:
            return True
        noun = prep.head  # "in the city of X" is where; "attacked the city of Sirte" names a target
        return (prep.lower_ == "of" and noun.lemma_.lower() in PLACE_NOUNS and noun.dep_ == "pobj"
                and noun.head.lower_ in LOCATIVE)

    def place_state(self, span: Span) -> dict[str, Any] | None:
        """A named place that is a party, not a location ("a blockade on Gaza", "Abkhazia declared"):
        its state. "in Gaza", and a place that only modifies a noun ("the Gaza war"), are not."""
        cc = self.kb.cities.get(norm(span.text))
        if not cc or cc not in self.kb.by_country or self.locative(span):
            return None
        if span.root.dep_ in {"compound", "amod", "nmod", "npadvmod", "poss"} or span.root.head.lower_ in LOCATIVE:
            return None
        if self.where(span):
            return None  # "the city of Vladivostok": where, not who
        return self.kb_actor(self.kb.by_country[cc])

    def known_person(self, span: Span) -> dict[str, Any] | None:
        if len(span) != 1:
            return None
        key = norm(span.text)
        # the people indexed by surname, brought up to date with the actors added since (actors are
        # only ever added, in order, and keep their kind and name)
        for a in itertools.islice(self.actors.values(), self._people_seen, None):
            if a["kind"] == "person":
                self._people.setdefault(self._surname(a["name"]), []).append(a)
        self._people_seen = len(self.actors)
        people = self._people.get(key, [])
        return people[0] if len(people) == 1 else None

    def _normed(self, name: str) -> str:
        """norm(name), remembered: the people of a document are compared with every new name, and a
        long document names thousands."""
        got = self._norms.get(name)
        if got is None:
            got = self._norms[name] = norm(name)
        return got

    def _surname(self, name: str) -> str:
        words = self._normed(name).split()
        return words[-1] if words else ""

    def hyphenated(self, start: int, end: int) -> bool:
        """Tokens [start, end) joined by a hyphen to a capitalised word: part of a name."""
        doc = self.doc

        def joined(h: int) -> bool:  # doc[h] is a hyphen written without spaces between two capitalised words
            return (0 < h < len(doc) - 1 and doc[h].text == "-" and not doc[h - 1].whitespace_
                    and not doc[h].whitespace_ and doc[h - 1].is_title and doc[h + 1].is_title)

        return joined(start - 1) or joined(end)

    def city_in(self, span: Span) -> str | None:
        """The state of the longest city name inside `span` ("New York" before "York")."""
        for n in range(min(len(span), 4), 0, -1):
            for i in range(len(span) - n + 1):
                part = span[i : i + n]
                if self.hyphenated(part.start, part.end):
                    continue  # "Austin" in "the Austin-Morris company" is half of a name
                cc = self.kb.cities.get(norm(part.text))
                if cc and cc in self.kb.by_country:
                    return self.kb.by_country[cc]
        return None

    def locative(self, span: Span) -> bool:
        head = span.root.head
        return span.root.dep_ == "pobj" and head.lower_ in LOCATIVE

    def unknown_org(self, span: Span) -> dict[str, Any]:
        sector = None
        for t in reversed(span):
            sector = (ORG_HEAD_SECTORS.get(t.lower_) or self.kb.group_agents.get(t.lower_)
                      or self.kb.org_heads.get(t.lower_))  # "… Families Forum" -> NGO
            if sector:
                break
        country = None
        named_city = self.city_in(span) if sector else None
        for t in span:
            aid, _ = self.place_of(t)
            city = self.kb.names.get(norm(t.text), ("", ""))[1] == "metonymy"
            if not aid and named_city:
                aid, city = named_city, True
            if aid and city and not sector:
                continue  # a city names the country of a court or a police force, not of a "Budapest Memorandum"
            if aid and self.kb_actor(aid)["kind"] in {"state", "group"}:
                country = self.kb_actor(aid)["country"]
                break
        if country is None and span.start >= 2 and self.doc[span.start - 1].tag_ == "POS":
            aid, _ = self.place_of(self.doc[span.start - 2])
            if aid:
                country = self.kb_actor(aid)["country"]
        return self.doc_actor(" ".join(span.text.split()), "organisation", country, sector)

    # ---- pass 5: descriptions, relative and personal pronouns -----------------------------------

    def descriptors(self) -> None:
        """'the Estonian diplomat', 'the opposition leader', 'the 79-year-old': a definite description
        of a person named shortly before is that person (its nationality, if the person had none,
        becomes theirs: the country from context)."""
        doc = self.doc
        for m in self.mentions:
            actor = self.actors[m["actor"]]
            if m["via"] == "agent" and actor["id"].startswith("any-"):
                self.same_head(m)
                continue
            if m["via"] != "agent" or actor["kind"] != "person" or actor.get("scope") != "document":
                continue
            root = doc[m["tok"] : m["tok_end"]].root
            det = next((c for c in root.lefts if c.dep_ == "det"), None)
            if det is None or det.lower_ != "the" or any(t.pos_ == "PROPN" for t in doc[m["tok"] : m["tok_end"]]):
                continue
            named = self.recent_person(m["tok"], actor.get("country"))
            if named is not None:
                if not named.get("country") and actor.get("country") and named.get("scope") == "document":
                    named["country"] = actor["country"]
                m["actor"], m["via"] = named["id"], "descriptor"
        for hit in AGE.finditer(self.text):
            span = doc.char_span(hit.start(), hit.end(), alignment_mode="expand")
            if span is None or not self.free(span.start, span.end):
                continue
            after = doc[span.end] if span.end < len(doc) else None
            if after is not None and after.pos_ in {"NOUN", "PROPN"}:
                continue  # "the 64-year-old Bongo", "the 79-year-old leader": the noun is the mention
            named = self.recent_person(span.start, None)
            if named is not None:
                self.add(doc[span.start + 1 : span.end], named, "descriptor")

    def the_country(self) -> None:
        """'the country', 'the nation', 'the kingdom': the state named last, within two sentences."""
        for tok in self.tokens:
            if tok.lemma_.lower() not in STATE_DESCRIPTORS or tok.tag_ != "NN" or tok.i in self.taken:
                continue
            det = next((c for c in tok.lefts if c.dep_ == "det"), None)
            if det is None or det.lower_ != "the" or any(c.dep_ in {"amod", "compound"} for c in tok.lefts):
                continue
            states = []  # the states named in the last three sentences, latest first
            for m in self.mentions_before(tok.i, 2):
                if self.actors[m["actor"]]["kind"] == "state":
                    states.append(m)
            # a subject before an object: "Ukraine insisted … to prevent Russia from attacking the country"
            subject = next((m for m in states if self.doc[m["tok"] : m["tok_end"]].root.dep_ in SUBJECT_DEPS), None)
            pick = subject or (states[0] if states else None)
            if pick is not None:
                self.add(self.doc[det.i : tok.i + 1], self.actors[pick["actor"]], "descriptor")

    def facilities(self) -> None:
        """'the facility', 'the refinery': the site or firm named last, within three sentences."""
        for tok in self.tokens:
            if tok.lemma_.lower() not in FACILITY_NOUNS or tok.tag_ != "NN" or tok.i in self.taken:
                continue
            det = next((c for c in tok.lefts if c.dep_ == "det"), None)
            if det is None or det.lower_ != "the" or any(c.dep_ in {"amod", "compound"} for c in tok.lefts):
                continue
            for m in self.mentions_before(tok.i, 3):
                a = self.actors[m["actor"]]
                if a["kind"] == "organisation" and a.get("sector") in {None, "BUS"}:
                    self.add(self.doc[det.i : tok.i + 1], a, "descriptor")
                    break

    def we_in_quotes(self) -> None:
        """'"We call on the population …," he said': a first-person plural inside the quotation marks
        is the speaker the sentence names outside them: an organisation or state itself, a person's state."""
        from casus.quotes.lexicon import speech_verbs  # the quote stage's verbs (imported late: no cycle)

        doc = self.doc
        for tok in self.tokens:
            if tok.lower_ not in FIRST_PLURAL or tok.pos_ != "PRON" or tok.i in self.taken:
                continue
            start = self.sent_start[tok.i]
            sent = doc[start : doc[tok.i].sent.end]
            marks = [t.i for t in sent if t.is_quote]
            inside = [a for a, b in zip(marks[::2], marks[1::2], strict=False) if a < tok.i < b]
            if not inside:
                continue
            close = next(b for a, b in zip(marks[::2], marks[1::2], strict=False) if a < tok.i < b)
            for verb in sent:
                if verb.lemma_ not in speech_verbs() or inside[0] <= verb.i <= close:
                    continue
                subj = next((c for c in verb.children if c.dep_ in SUBJECT_DEPS), None)
                k = self.taken.get(subj.i) if subj is not None else None
                if k is None:
                    continue
                speaker = self.actors[self.mentions[k]["actor"]]
                state = self.kb.by_country.get(speaker.get("country") or "") if speaker["kind"] == "person" else None
                if state is not None:  # a minister's "we" is his government, not him alone
                    speaker = self.kb_actor(state)
                self.add(doc[tok.i : tok.i + 1], speaker, "pronoun")
                break

    def same_head(self, m: dict[str, Any]) -> None:
        """'the ministry' after 'the Kenyan interior ministry', 'the army' after 'Nigeria's army': a
        definite agent noun with no country of its own is the one named just before with that noun."""
        doc = self.doc
        root = doc[m["tok"] : m["tok_end"]].root
        det = next((c for c in root.lefts if c.dep_ == "det"), None)
        if det is None or det.lower_ != "the" or any(c.dep_ in {"amod", "compound", "poss"} for c in root.lefts):
            return
        lemma = root.lemma_.lower()
        for other in self.mentions_before(m["tok"], 3):
            a = self.actors[other["actor"]]
            if a.get("country") and doc[other["tok_end"] - 1].lemma_.lower() == lemma:
                m["actor"], m["via"] = a["id"], "descriptor"
                return

    def recent_person(self, before: int, country: str | None) -> dict[str, Any] | None:
        """The person last named (not merely described) within five sentences before token `before`."""
        sent = self.sent_no[before]
        for m in reversed(self.mentions):
            if m["tok"] >= before or m["via"] in {"agent", "descriptor", "pronoun"}:
                continue
            if sent - self.sent_no[m["tok"]] > 5:
                return None
            a = self.actors[m["actor"]]
            if a["kind"] == "person" and (not country or not a.get("country") or a.get("country") == country):
                return a
        return None

    def relatives(self) -> None:
        """'Majed al-Ansari, who speaks for …': a relative pronoun as subject is its antecedent."""
        for tok in self.tokens:
            if tok.lower_ not in RELATIVE or tok.i in self.taken or tok.dep_ not in SUBJECT_DEPS:
                continue
            if tok.head.dep_ != "relcl" or tok.tag_ not in {"WP", "WDT"}:
                continue
            antecedent = tok.head.head
            k = self.taken.get(antecedent.i)
            if k is not None:
                self.add(self.doc[tok.i : tok.i + 1], self.actors[self.mentions[k]["actor"]], "relative")


    def pronouns(self) -> None:
        doc = self.doc
        sents = self.sent_no
        # the mentions by first token, so that a pronoun reads only those of its last sentences (a scan
        # of every mention for every pronoun made a long document quadratic); the candidates are then
        # read in list order, as a full scan would, so ties go the same way
        first_of: dict[int, int] = {}
        for tok in self.tokens:
            first_of.setdefault(sents[tok.i], tok.i)
        by_start = sorted((m["tok"], k) for k, m in enumerate(self.mentions))
        for tok in self.tokens:
            info = PRONOUNS.get(tok.lower_)
            if not info or tok.pos_ != "PRON" and tok.tag_ != "PRP$" or tok.i in self.taken:
                continue
            gender, number = info
            if tok.lower_ == "it" and self.expletive(tok):
                continue
            limit = 1 if gender == "n" else 3
            lo = first_of.get(sents[tok.i] - limit, 0) if sents[tok.i] - limit > 0 else 0
            window = sorted(k for _, k in by_start[bisect.bisect_left(by_start, (lo, -1)):
                                                   bisect.bisect_left(by_start, (tok.i, -1))])
            best, best_key = None, None
            for m in (self.mentions[k] for k in window):
                if m["tok_end"] > tok.i:
                    continue
                dist = sents[tok.i] - sents[m["tok"]]
                if dist > limit:
                    continue
                actor = self.actors[m["actor"]]
                if not self.compatible(actor, gender, number, doc[m["tok"] : m["tok_end"]]):
                    continue
                root = doc[m["tok"] : m["tok_end"]].root
                if self.bound(tok, root):
                    continue
                subject = (root.dep_ in SUBJECT_DEPS or (root.dep_ == "conj" and root.head.dep_ in SUBJECT_DEPS)
                           or (root.dep_ == "ROOT" and root.pos_ in {"NOUN", "PROPN"}))
                key = (dist, not subject, -m["tok"])
                if best_key is None or key < best_key:
                    best, best_key = m, key
            if best is not None:
                self.add(doc[tok.i : tok.i + 1], self.actors[best["actor"]], "pronoun")
                bisect.insort(by_start, (tok.i, len(self.mentions) - 1))

    @staticmethod
    def expletive(tok: Token) -> bool:
        head = tok.head
        if tok.dep_ not in SUBJECT_DEPS:
            return True  # object "it" is mostly a thing or a situation ("affecting it"), rarely a state
        if head.lemma_ in EXPLETIVE_HEADS:
            return True
        return head.lemma_ == "be" and any(c.dep_ in {"acomp", "ccomp", "xcomp"} for c in head.children)

    @staticmethod
    def bound(pron: Token, root: Token) -> bool:
        """A plain object pronoun cannot corefer with the subject of its own clause ("Putin met him")."""
        return (pron.lower_ in OBJECT_PRONOUNS and pron.dep_ in {"dobj", "pobj", "dative"}
                and root.dep_ in SUBJECT_DEPS and root.head == (pron.head if pron.dep_ != "pobj" else pron.head.head))

    @staticmethod
    def compatible(actor: dict[str, Any], gender: str, number: str, span: Span) -> bool:
        kind = actor["kind"]
        if gender in {"m", "f"}:
            return kind == "person" and actor.get("gender") in (None, "", gender)
        if gender == "n":
            return kind in {"state", "organisation"} or (kind == "group" and not span.root.tag_.endswith("S"))
        # "they": groups and organisations (a single state is "it")
        return kind in {"group", "organisation"}

    # ---- pass 6: apposition ---------------------------------------------------------------------

    def appositions(self) -> None:
        doc = self.doc
        for m in self.mentions:
            described = m["via"] == "agent" and self.actors[m["actor"]]["kind"] == "person"
            if m["via"] != "title" and not described:
                continue  # "Daniel Soria, the State Attorney General": the title or description is the person
            root = doc[m["tok"] : m["tok_end"]].root
            appos = [c for c in root.children if c.dep_ == "appos"] + ([root.head] if root.dep_ == "appos" else [])
            for other in appos:
                if other is None or other.i not in self.taken:
                    continue
                n = self.mentions[self.taken[other.i]]
                person = self.actors[n["actor"]]
                if person["kind"] == "person" and n is not m:
                    title = self.actors[m["actor"]]
                    if person.get("scope") == "document" and not person.get("country") and title.get("country"):
                        person["country"] = title["country"]  # "X, Pakistan's Prime Minister": X is Pakistani
                        person["sector"] = person.get("sector") or title.get("sector")
                    m["actor"] = n["actor"]
                    break

    def possessed(self) -> None:
        """'his forces' after 'his' -> Putin: the forces are Russia's."""
        doc = self.doc
        for m in self.mentions:
            if m["via"] != "agent" or not m["actor"].startswith("any-"):
                continue
            head = doc[m["tok"] : m["tok_end"]].root
            for c in head.children:
                if c.dep_ == "poss" and c.i in self.taken:
                    owner = self.actors[self.mentions[self.taken[c.i]]["actor"]]
                    base = self.kb.actors.get(self.kb.by_country.get(owner.get("country") or "", ""))
                    if base and owner["id"] != m["actor"]:
                        actor = self.group(base, self.actors[m["actor"]]["sector"])
                        self.actors.setdefault(actor["id"], actor)
                        m["actor"] = actor["id"]

    def dateline(self) -> str | None:
        """The state of the report's dateline ("ALGIERS, Algeria - …"), which repair took out of the
        text and resolved (casus.furniture): `meta.dateline.country`."""
        return self.kb.by_country.get((self.found_dateline or {}).get("country") or "")

    def story_state(self) -> str | None:
        """The state a story is about: its state, people and bodies mentioned at least three times and
        twice as often as any other state's (Nepal in a story about Oli's fall told from Kathmandu,
        Bangladesh in one about Hasina filed from New Delhi)."""
        counts: dict[str, int] = {}
        for m in self.mentions:
            a = self.actors[m["actor"]]
            cc = a.get("country")
            state = self.kb.by_country.get(cc or "")
            if state and self.kb_actor(state)["kind"] == "state":
                counts[state] = counts.get(state, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        if ranked and ranked[0][1] >= 3 and (len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1]):
            return ranked[0][0]
        return None

    def home(self) -> None:
        """Domestic actors the text gives no country ("Police", "the justice minister", "protesters")
        belong to the story's country: the state it is about, else the one its sentence names, else
        the dateline's."""
        doc = self.doc
        dateline = self.dateline()
        story = self.story_state()
        sent_of = self.sent_start
        states: dict[int, set[str]] = {}
        named: dict[int, set[str]] = {}  # states named by name, capital or place, not by a nationality word
        for m in self.mentions:
            a = self.actors[m["actor"]]
            if a["kind"] == "state":
                states.setdefault(sent_of[m["tok"]], set()).add(a["id"])
                if m["via"] != "demonym":
                    named.setdefault(sent_of[m["tok"]], set()).add(a["id"])
        for m in self.mentions:
            a = self.actors[m["actor"]]
            if a.get("country") or a.get("sector") not in HOME_SECTORS or a.get("members") or a.get("org"):
                continue
            if a["kind"] == "group" and a.get("scope") == "document":
                continue  # "26 countries", "the two countries": a group of states has no one home
            leader = a.get("role") in {"head_of_state", "head_of_government"}  # "President Salva Kiir"
            if not (m["via"] == "agent" or leader) or not (a["id"].startswith("any-") or a.get("scope") == "document"):
                continue  # a named stranger in a story is as often foreign as local
            span = doc[m["tok"] : m["tok_end"]]
            if any(t.lower_ in FOREIGN or (SPONSORED.search(t.lower_) and a.get("sector") == "MIL")
                   for t in span.root.lefts):
                continue  # "foreign troops", "Iranian-backed forces"; a "U.N.-backed government" is still domestic
            # the state the story is about (named far more often than any other), else the one state the
            # sentence names ("CAIRO — … the U.N.-backed government in Tripoli" is Libya's), else the
            # dateline's, else the one state a nationality word in the sentence gives
            only, any_state = named.get(sent_of[m["tok"]], set()), states.get(sent_of[m["tok"]], set())
            home = story or (next(iter(only)) if len(only) == 1 else None) or dateline or (
                next(iter(any_state)) if len(any_state) == 1 else None)
            if not home:
                continue
            base = self.kb_actor(home)
            if a["id"].startswith("any-"):
                actor = self.group(base, a["sector"])
                self.actors.setdefault(actor["id"], actor)
                m["actor"] = actor["id"]
            else:
                a["country"] = base["country"]

    def merge_surnames(self) -> None:
        """'Clinton' before 'Hillary Clinton' (a headline, a lede) is the same person when the
        document names exactly one person of that surname."""
        people = [a for a in self.actors.values() if a["kind"] == "person"]
        for a in people:
            parts = norm(a["name"]).split()
            if a.get("scope") != "document" or len(parts) != 1:
                continue
            same = [b for b in people if b is not a and len(norm(b["name"]).split()) > 1
                    and (norm(b["name"]).split()[-1:] == parts or norm(b["name"]).split()[:1] == parts)]
            if len(same) == 1:
                via = "surname" if norm(same[0]["name"]).split()[-1:] == parts else "alias"
                for m in self.mentions:
                    if m["actor"] == a["id"]:
                        m["actor"], m["via"] = same[0]["id"], via

    def run(self) -> None:
        self.people()
        self.merge_surnames()
        self.titles()
        self.agents()
        self.gazetteer(self.matches)
        self.entities()
        self.descriptors()
        self.the_country()
        self.relatives()
        self.pronouns()
        self.we_in_quotes()
        self.facilities()
        self.appositions()
        self.possessed()
        self.home()
        used = {m["actor"] for m in self.mentions}
        self.doc._.casus_actors = {aid: a for aid, a in self.actors.items() if aid in used}
        self.doc._.casus_mentions = sorted(self.mentions, key=lambda m: (m["start"], m["end"]))


class ActorResolver:
    def __init__(self, kb: KnowledgeBase, tokenizer: Any = None):
        self.kb = kb
        self.tokenizer = tokenizer
        self.matcher: PhraseMatcher | None = None

    def extend_kb(self, paths: list[str]) -> None:
        """Load the shipped KB plus the user's files (`--kb`); raises KBError on a bad file."""
        self.kb = build_kb(paths)
        self.matcher = None

    def _matcher(self, doc: Doc) -> PhraseMatcher:
        if self.matcher is None:
            from spacy.lang.en import English

            tokenizer = self.tokenizer or English(vocab=doc.vocab).tokenizer
            # case-sensitive on purpose: "ICE" the agency, not "ice"; names as the KB spells them
            matcher = PhraseMatcher(doc.vocab, attr="ORTH")
            names = sorted({n for aid, ns in self.kb.surface.items() if self.kb.actors[aid]["kind"] != "person"
                            for n in ns})
            matcher.add("KB", [tokenizer(n) for n in names])
            self.matcher = matcher
        return self.matcher

    @guarded("actors")
    def __call__(self, doc: Doc) -> Doc:
        matches = [(s, e) for _, s, e in self._matcher(doc)(doc)]
        _Resolution(doc, self.kb, matches).run()
        return doc


@Language.factory("casus_actors", default_config={"kb_files": []})
def make_actor_resolver(nlp: Language, name: str, kb_files: list[str]) -> ActorResolver:
    return ActorResolver(build_kb(kb_files) if kb_files else default_kb(), nlp.tokenizer)
