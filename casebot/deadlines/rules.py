"""The deadline rules: a versioned table shipped beside this module (``rules.yaml``), read into typed rules.

The code knows the *events* a rule names (``acceptance``, ``arrest``...) and
where each is found in the cards; lengths, extensions, who grants them, the
articles and the counting conventions are data.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from casebot.deadlines.counting import Length

RULES_FILE = Path(__file__).with_name("rules.yaml")
SCHEMA = "casebot.deadline-rules/1"
#: the events the computation knows how to find in the cards
EVENTS = frozenset({"arrest_request", "arrest_decision", "arrest", "transfer", "acceptance", "prosecuted",
                    "retransfer", "returned", "court_acceptance", "judgment"})
UNITS = ("police", "procuratorate", "court")


@dataclass(frozen=True)
class Extension:
    article: str
    length: Length
    when: str
    granted_by: str


@dataclass(frozen=True)
class FastTrack:
    length: Length
    limit: Length
    when: str


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    article: str
    text: str
    unit: str
    scope: str
    start_event: str
    start_label: str
    length: Length
    end_event: str
    end_label: str
    extensions: tuple[Extension, ...] = ()
    limit: Length | None = None
    fast_track: FastTrack | None = None
    restart_article: str | None = None
    max_times: int | None = None
    #: the person is in custody for the whole period whatever the cards say (侦查羁押)
    custody: bool = False


@dataclass(frozen=True)
class RuleSet:
    version: str
    law: str
    counting_article: str
    rules: tuple[Rule, ...]

    def __getitem__(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


def _length(data: Any, where: str) -> Length:
    if not isinstance(data, dict) or set(data) - {"months", "days"} or not data:
        raise ValueError(f"{where}: a length is {{months: N}} and/or {{days: N}}")
    length = Length(int(data.get("months", 0)), int(data.get("days", 0)))
    if length.months < 0 or length.days < 0 or length == Length():
        raise ValueError(f"{where}: a length is positive")
    return length


def parse(data: dict[str, Any]) -> RuleSet:
    """A rule table from its YAML data; a wrong table is a ValueError naming the rule and key."""
    if data.get("schema") != SCHEMA:
        raise ValueError(f"deadline rules: schema must be {SCHEMA}")
    rules = []
    for raw in data.get("rules") or []:
        rid = raw.get("id", "?")
        for key in ("start", "ends"):
            if raw.get(key, {}).get("event") not in EVENTS:
                raise ValueError(f"rule {rid}: {key}.event must be one of {sorted(EVENTS)}")
        if raw.get("unit") not in UNITS or raw.get("scope") not in ("case", "person"):
            raise ValueError(f"rule {rid}: unit must be one of {UNITS}, scope case or person")
        fast = raw.get("fast_track")
        rules.append(Rule(
            id=rid, name=raw["name"], article=raw["article"], text=raw.get("text", ""), unit=raw["unit"],
            scope=raw["scope"], start_event=raw["start"]["event"], start_label=raw["start"].get("label", ""),
            length=_length(raw.get("length"), f"rule {rid}: length"),
            end_event=raw["ends"]["event"], end_label=raw["ends"].get("label", ""),
            extensions=tuple(Extension(e["article"], _length(e["length"], f"rule {rid}: extension"), e["when"],
                                       e["granted_by"]) for e in raw.get("extensions") or []),
            limit=_length(raw["limit"], f"rule {rid}: limit") if raw.get("limit") else None,
            fast_track=FastTrack(_length(fast["length"], f"rule {rid}: fast_track"),
                                 _length(fast["limit"], f"rule {rid}: fast_track.limit"), fast.get("when", ""))
            if fast else None,
            restart_article=(raw.get("restarts") or {}).get("article"),
            max_times=raw.get("max_times"), custody=bool(raw.get("custody", False))))
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise ValueError("deadline rules: ids must be unique")
    return RuleSet(str(data["version"]), data.get("law", ""), data.get("counting", {}).get("article", ""),
                   tuple(rules))


@functools.cache
def shipped() -> RuleSet:
    """The rule table shipped with this release."""
    return parse(yaml.safe_load(RULES_FILE.read_text(encoding="utf-8")))
