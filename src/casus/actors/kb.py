"""The actor knowledge base: canonical actors, their names, and the lexicons that resolve mentions.

Files (YAML, each with a `version`) are listed in `data/actors.yaml`; a user file passed with
`--kb` has the same format and is loaded last, so it can add actors or override one by id.
A file may hold:
  actors:   [{id, name, kind, country, sector, aliases, demonyms, metonyms, gender, roles, members}]
  extend:   [{id, aliases, demonyms, metonyms}]   more names for an actor loaded earlier
  defaults: {kind, sector}                        applied to this file's actors
  agents:   {person: {noun: SECTOR}, group: {noun: SECTOR}}
  titles:   {title words: role};  by_country: {ISO3: {title words: role}}
  places:   {place name: ISO3}                    gives "an Istanbul court" its country
  equipment: [nouns]; relational: [nouns]; not_actors: [names]
  not_person_heads: {thing: [words], organisation: {word: SECTOR}}
Tables (TSV, `tables:` in the manifest) hold imported dictionaries (kb/phoenix_actors.tsv, built by
scripts/build_phoenix.py): one actor a row with its CAMEO codes and the dates each holds. They load
after the YAML files and never override them: a row whose name the hand-compiled KB already gives to
an actor of the same kind and country adds its other names to that actor; other rows become actors
of their own, whose names count only where no hand-compiled actor claims them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from casus.data_files import data_path, load_yaml

KINDS = {"person", "state", "organisation", "group"}
SECTORS = {"GOV", "MIL", "COP", "JUD", "LEG", "PTY", "OPP", "REB", "IGO", "NGO", "MED", "BUS", "CVL", "REF",
           "EDU", "LAB", "HLH", "ELI", "REL", "SPY", "AGR", "CRM"}
REGIONS = {"WST", "EUR", "AFR", "ASA", "MEA", "LAM", "ARB"}
ISO3 = re.compile(r"^[A-Z]{3}$")
ACTOR_KEYS = ("id", "name", "kind", "country", "sector", "gender", "members", "org")
TABLE_COLUMNS = ["id", "kind", "name", "country", "sector", "aliases", "codes", "source"]


class KBError(ValueError):
    """A knowledge-base file that does not follow the schema; the message names file and entry."""


def _date(value: Any, where: str) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", value):
        return value
    raise KBError(f"{where}: expected a date YYYY[-MM[-DD]], got {value!r}")


def norm(text: str) -> str:
    """The lookup form of a name: lower case, single spaces, no leading article, curly quotes folded."""
    text = " ".join(text.replace("\u2019", "'").replace("\u2018", "'").lower().split())
    return text[4:] if text.startswith("the ") else text


@dataclass
class KnowledgeBase:
    actors: dict[str, dict[str, Any]] = field(default_factory=dict)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # norm name -> (actor id, via)
    surnames: dict[str, list[str]] = field(default_factory=dict)  # norm surname -> person ids
    demonyms: dict[str, str] = field(default_factory=dict)  # norm demonym -> actor id
    person_agents: dict[str, str] = field(default_factory=dict)  # noun lemma -> sector
    group_agents: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)  # norm title words -> role
    country_titles: dict[str, dict[str, str]] = field(default_factory=dict)
    roles: dict[tuple[str, str], list[tuple[str, str | None, str]]] = field(default_factory=dict)
    by_country: dict[str, str] = field(default_factory=dict)  # ISO3/region -> state or region actor id
    cities: dict[str, str] = field(default_factory=dict)  # norm city name -> ISO3
    surface: dict[str, list[str]] = field(default_factory=dict)  # actor id -> names as written
    equipment: set[str] = field(default_factory=set)  # "drones", "fighter jets": no actor without a nationality
    relational: set[str] = field(default_factory=set)  # "allies", "rivals": the other side of a relation
    thing_heads: set[str] = field(default_factory=set)  # "Clinton Plan": a PERSON entity that is a thing
    org_heads: dict[str, str] = field(default_factory=dict)  # "Patriot Coal": a PERSON entity that is a firm
    not_actors: set[str] = field(default_factory=set)  # "GMT"
    sources: list[str] = field(default_factory=list)
    _parsed: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    # ---- building -----------------------------------------------------------------------------

    def load_file(self, path: str | Path) -> None:
        path = Path(path)
        try:
            with open(path, encoding="utf-8") as fh:
                data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (OSError, yaml.YAMLError) as exc:
            raise KBError(f"{path}: cannot read knowledge-base file: {exc}") from exc
        self.load_data(data, str(path))

    def load_data(self, data: Any, where: str) -> None:
        if not isinstance(data, dict) or "version" not in data:
            raise KBError(f"{where}: expected a mapping with a 'version' key")
        defaults = data.get("defaults") or {}
        for i, entry in enumerate(data.get("actors") or []):
            self.add({**defaults, **entry} if isinstance(entry, dict) else entry, f"{where}: actors[{i}]")
        for i, entry in enumerate(data.get("extend") or []):
            self.extend(entry, f"{where}: extend[{i}]")
        agents = data.get("agents") or {}
        if not isinstance(agents, dict):
            raise KBError(f"{where}: 'agents' must be a mapping")
        for kind, target in (("person", self.person_agents), ("group", self.group_agents)):
            for noun, sector in (agents.get(kind) or {}).items():
                self._check_sector(sector, f"{where}: agents.{kind}.{noun}")
                target[norm(str(noun))] = sector
        for name, cc in (data.get("places") or {}).items():
            if not (isinstance(cc, str) and ISO3.match(cc)):
                raise KBError(f"{where}: places.{name}: expected an ISO3 code, got {cc!r}")
            self.cities[norm(str(name))] = cc
        self.equipment |= {norm(str(w)) for w in data.get("equipment") or []}
        self.relational |= {norm(str(w)) for w in data.get("relational") or []}
        self.not_actors |= {str(w) for w in data.get("not_actors") or []}
        heads = data.get("not_person_heads") or {}
        self.thing_heads |= {norm(str(w)) for w in heads.get("thing") or []}
        for word, sector in (heads.get("organisation") or {}).items():
            self._check_sector(sector, f"{where}: not_person_heads.organisation.{word}")
            self.org_heads[norm(str(word))] = sector
        for words, role in (data.get("titles") or {}).items():
            self.titles[norm(words)] = str(role)
        for cc, mapping in (data.get("by_country") or {}).items():
            self.country_titles.setdefault(cc, {}).update({norm(k): v for k, v in mapping.items()})
        self.sources.append(where)

    @staticmethod
    def _check_sector(sector: Any, where: str) -> None:
        if sector not in SECTORS:
            raise KBError(f"{where}: unknown sector {sector!r} (one of {', '.join(sorted(SECTORS))})")

    def add(self, entry: Any, where: str) -> None:
        if not isinstance(entry, dict):
            raise KBError(f"{where}: an actor must be a mapping")
        for key in ("id", "name", "kind"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise KBError(f"{where}: missing or empty '{key}'")
        aid = entry["id"]
        where = f"{where} ({aid})"
        if entry["kind"] not in KINDS:
            raise KBError(f"{where}: kind must be one of {', '.join(sorted(KINDS))}")
        country = entry.get("country")
        if country is not None and not (isinstance(country, str) and ISO3.match(country)):
            raise KBError(f"{where}: country must be an ISO 3166 alpha-3 or region code, got {country!r}")
        if entry.get("sector") is not None:
            self._check_sector(entry["sector"], where)
        roles = []
        for j, role in enumerate(entry.get("roles") or []):
            if not isinstance(role, dict) or not role.get("role") or "start" not in role:
                raise KBError(f"{where}: roles[{j}] needs 'role' and 'start'")
            start = _date(role["start"], f"{where}: roles[{j}].start")
            end = _date(role["end"], f"{where}: roles[{j}].end") if role.get("end") else None
            if end and end < start:
                raise KBError(f"{where}: roles[{j}] ends before it starts")
            roles.append({"role": role["role"], "start": start, "end": end, "country": role.get("country", country)})
        actor = {k: entry.get(k) for k in ACTOR_KEYS}
        actor["roles"] = roles
        actor["scope"] = "kb"
        actor["source"] = _source_name(where)
        old = self.actors.get(aid)
        self.actors[aid] = actor
        if old is None and entry["kind"] in {"state", "group"} and country and entry.get("sector") == "GOV":
            self.by_country.setdefault(country, aid)
        self._names(aid, [entry["name"]], "name")
        self._names(aid, entry.get("aliases") or [], "alias")
        self._names(aid, entry.get("metonyms") or [], "metonymy")
        for d in entry.get("demonyms") or []:
            self.demonyms[norm(d)] = aid
        if entry["kind"] == "person":
            for name in [entry["name"], *(entry.get("aliases") or [])]:
                last = norm(name).split()[-1]
                ids = self.surnames.setdefault(last, [])
                if aid not in ids:
                    ids.append(aid)
            for r in roles:
                if r["country"] or entry.get("org"):
                    key = (r["country"] or entry["org"].upper(), r["role"])
                    self.roles.setdefault(key, []).append((r["start"], r["end"], aid))

    def load_places(self, path: str | Path) -> None:
        """A TSV of place name, ISO3 (and more columns); '#' lines are comments."""
        with open(path, encoding="utf-8") as fh:
            lines = [line.rstrip("\n").split("\t") for line in fh if not line.startswith("#")]
        for n, cols in enumerate(lines[1:], 2):
            if len(cols) < 2 or not ISO3.match(cols[1]):
                raise KBError(f"{path}: line {n}: expected 'name<TAB>ISO3'")
            self.cities.setdefault(norm(cols[0]), cols[1])

    def _names(self, aid: str, names: list[str], via: str, weak: bool = False) -> None:
        for n in names:
            key = norm(str(n))
            if not key:
                continue
            prev = self.names.get(key)
            if weak and prev is not None:
                continue  # an imported name never displaces a hand-compiled one
            self.surface.setdefault(aid, []).append(" ".join(str(n).split()))
            # a later file (the user's) wins; within the shipped files the first claim stands
            if (prev is None or prev[0] == aid or self.actors[prev[0]].get("scope") != "kb" or via == "name"
                    or self.actors[prev[0]].get("codes")):
                self.names[key] = (aid, via)

    def load_table(self, path: str | Path) -> None:
        """An imported actor table (TSV, TABLE_COLUMNS): weaker than every YAML file loaded before it."""
        path = Path(path)
        where = str(path)
        with open(path, encoding="utf-8") as fh:
            rows = [line.rstrip("\n").split("\t") for line in fh if not line.startswith("#")]
        if len(rows) < 2 or rows[0][0] != "version" or rows[1] != TABLE_COLUMNS:
            raise KBError(f"{path}: expected a 'version' row, then the columns {' '.join(TABLE_COLUMNS)}")
        for n, cols in enumerate(rows[2:], 3):
            if len(cols) != len(TABLE_COLUMNS):
                raise KBError(f"{path}: row {n}: expected {len(TABLE_COLUMNS)} tab-separated columns")
            aid, kind, name, country, sector, aliases, codes, source = cols
            if kind not in KINDS or (country and not ISO3.match(country)) or (sector and sector not in SECTORS):
                raise KBError(f"{path}: row {n} ({aid}): bad kind, country or sector")
            names = [name, *(a for a in aliases.split("|") if a)]
            target = self._same_actor(names, kind, country or None)
            if target is not None:  # the hand-compiled actor wins; it learns the imported names
                self._names(target, names, "alias", weak=True)
                continue
            self.actors[aid] = {"id": aid, "name": name, "kind": kind, "country": country or None,
                                "sector": sector or None, "gender": None, "members": None, "org": None,
                                "roles": [], "scope": "kb", "source": f"phoenix {source}", "codes": codes}
            self._names(aid, [name], "name", weak=True)
            self._names(aid, names[1:], "alias", weak=True)
        self.sources.append(where)

    def _same_actor(self, names: list[str], kind: str, country: str | None) -> str | None:
        """A hand-compiled actor one of `names` already names, of the same kind class and country."""
        for n in names:
            hit = self.names.get(norm(n))
            if hit is None:
                continue
            other = self.actors[hit[0]]
            if other.get("codes") or (other["kind"] == "person") != (kind == "person"):
                continue
            if other.get("country") == country or (other["kind"] == "state" and other.get("country") == country):
                return hit[0]
        return None

    def code_for(self, actor: dict[str, Any], when: str | None) -> dict[str, Any] | None:
        """For an imported actor, the CAMEO code that holds on `when` (else the undated default, else
        the latest): {code, country, sector, rule}; None for a hand-compiled actor."""
        raw = actor.get("codes")
        if not raw:
            return None
        codes = self._parsed.get(raw)
        if codes is None:  # parsed on first use: most of the 27,000 imported rows are never met
            codes = self._parsed[raw] = _codes(raw, actor.get("source") or actor["id"])
        holding = [c for c in codes if (c["start"] or c["end"])
                   and when and (c["start"] or "") <= when and (c["end"] is None or when < c["end"])]
        undated = [c for c in codes if not c["start"] and not c["end"]]
        if holding:
            pick = max(holding, key=lambda c: c["start"] or "")
        elif undated:
            pick = undated[-1]
        else:
            pick = max(codes, key=lambda c: (c["start"] or "", c["end"] or "9999"))
        if pick["start"] or pick["end"]:
            rule = f"{pick['start'] or '…'} to {pick['end'] or 'open'}"
            if not (when and pick in holding):
                rule += " (latest; no code holds on the publication date)" if when else " (latest; no date)"
        else:
            rule = "undated default" if not holding else "undated"
        return {"code": pick["code"], "country": pick["country"], "sector": pick["sector"], "rule": rule}

    def extend(self, entry: Any, where: str) -> None:
        if not isinstance(entry, dict) or entry.get("id") not in self.actors:
            raise KBError(f"{where}: 'extend' must name an actor id loaded earlier, got {entry!r}")
        aid = entry["id"]
        self._names(aid, entry.get("aliases") or [], "alias")
        self._names(aid, entry.get("metonyms") or [], "metonymy")
        for d in entry.get("demonyms") or []:
            self.demonyms[norm(d)] = aid

    # ---- queries ------------------------------------------------------------------------------

    def holder(self, country: str, role: str, when: str | None) -> str | None:
        """Who held `role` for `country` on date `when` (ISO); None if unknown or no date."""
        found = self.holder_rule(country, role, when)
        return found[0] if found else None

    def holder_rule(self, country: str, role: str, when: str | None) -> tuple[str, str] | None:
        """(actor id, the date rule that made them the holder: "head_of_state of RUS from 2012-05-07")."""
        if not when:
            return None
        hits = [(start, end, aid) for start, end, aid in self.roles.get((country, role), [])
                if start <= when and (end is None or when < end)]
        if not hits:
            return None
        start, end, aid = hits[-1]
        return aid, f"{role} of {country} from {start}" + (f" to {end}" if end else "")

    def title_role(self, words: str, country: str | None) -> str | None:
        key = norm(words)
        if country and key in self.country_titles.get(country, {}):
            return self.country_titles[country][key]
        return self.titles.get(key)


def _source_name(where: str) -> str:
    """'…/casus/data/kb/leaders.yaml: actors[3] (x)' -> 'kb/leaders.yaml'."""
    path = where.split(":")[0]
    parts = Path(path).parts
    return "/".join(parts[parts.index("data") + 1 :]) if "data" in parts else path


def _codes(text: str, where: str) -> list[dict[str, Any]]:
    out = []
    for item in text.split(";"):
        fields = item.split(":")
        if len(fields) != 5:
            raise KBError(f"{where}: code {item!r}: expected CODE:start:end:country:sector")
        code, start, end, country, sector = fields
        out.append({"code": code, "start": start or None, "end": end or None, "country": country or None,
                    "sector": sector or None})
    return out


def manifest_files() -> list[Path]:
    manifest = load_yaml("actors.yaml")
    return [data_path(name) for name in manifest["kb"] + (manifest.get("tables") or [])
            + (manifest.get("place_files") or [])]


def build_kb(extra: list[str | Path] | tuple[str | Path, ...] = ()) -> KnowledgeBase:
    kb = KnowledgeBase()
    manifest = load_yaml("actors.yaml")
    for name in manifest["kb"]:
        kb.load_file(data_path(name))
    for name in manifest.get("tables") or []:
        kb.load_table(data_path(name))
    for name in manifest.get("place_files") or []:
        kb.load_places(data_path(name))
    kb.load_data(load_yaml("actors.yaml"), str(data_path("actors.yaml")))
    for path in extra:
        kb.load_file(path)
    return kb


@cache
def default_kb() -> KnowledgeBase:
    return build_kb()
