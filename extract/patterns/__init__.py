"""Residue rules as data: one TOML file per language plus common.toml, loaded once at import.

Adding a language is adding ``<code>.toml`` here (same tables as fr.toml); no code changes.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from extract.textnorm import norm_key

# Order in which reasons are tried (the first matching reason is the one counted).
REASON_ORDER: tuple[str, ...] = (
    "stray",
    "comment_counter",
    "read_time",
    "ad_label",
    "sponsor",
    "photo_credit",
    "share",
    "related",
    "meter",
    "subscription",
    "newsletter",
)
DEFAULT_MAX_WORDS = 30


@dataclass
class ReasonRules:
    """Compiled matchers of one reason, merged over every language file."""

    reason: str
    max_words: int = DEFAULT_MAX_WORDS
    sentence: bool = True
    exact: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)
    prefixes: list[str] = field(default_factory=list)
    suffixes: list[str] = field(default_factory=list)
    regexes: list[str] = field(default_factory=list)
    prefix_re: re.Pattern[str] | None = None
    suffix_re: re.Pattern[str] | None = None
    full_re: re.Pattern[str] | None = None

    def compile(self) -> None:
        """Build one alternation per rule kind (longest entries first)."""
        if self.prefixes:
            alts = [re.escape(p) + (r"(?!\w)" if p[-1].isalnum() else "") for p in _by_length(self.prefixes)]
            self.prefix_re = re.compile("^(?:" + "|".join(alts) + ")")
        if self.suffixes:
            alts = [("(?<!\\w)" if s[0].isalnum() else "") + re.escape(s) for s in _by_length(self.suffixes)]
            self.suffix_re = re.compile("(?:" + "|".join(alts) + ")$")
        if self.regexes:
            self.full_re = re.compile("|".join(f"(?:{r})" for r in self.regexes))

    def matches(self, key: str) -> bool:
        """Whether a normalised line matches any rule of this reason (limits checked by the caller)."""
        if key in self.exact:
            return True
        if self.words:
            tokens = re.findall(r"[^\W\d_]+", key)
            if tokens and all(t in self.words for t in tokens):
                return True
        if self.prefix_re is not None and self.prefix_re.match(key):
            return True
        if self.suffix_re is not None and self.suffix_re.search(key):
            return True
        return self.full_re is not None and self.full_re.fullmatch(key) is not None


@dataclass
class Rulebook:
    """Every language's rules, merged: residue reasons plus the words that make up date lines."""

    reasons: dict[str, ReasonRules]
    months: frozenset[str]
    date_labels: frozenset[str]
    languages: tuple[str, ...]


def _by_length(items: list[str]) -> list[str]:
    return sorted(set(items), key=len, reverse=True)


def _merge(book: dict[str, ReasonRules], data: dict[str, Any]) -> None:
    for reason, limits in data.get("limits", {}).items():
        rules = book.setdefault(reason, ReasonRules(reason))
        rules.max_words = int(limits.get("max_words", rules.max_words))
        rules.sentence = bool(limits.get("sentence", rules.sentence))
    for reason, kinds in data.get("reasons", {}).items():
        rules = book.setdefault(reason, ReasonRules(reason))
        rules.exact.update(norm_key(e) for e in kinds.get("exact", ()))
        rules.words.update(w.casefold() for w in kinds.get("words", ()))
        rules.prefixes.extend(p.casefold() for p in kinds.get("prefix", ()))
        rules.suffixes.extend(s.casefold() for s in kinds.get("suffix", ()))
        rules.regexes.extend(kinds.get("regex", ()))


def load_rulebook() -> Rulebook:
    """Read common.toml and every language file of this package into one compiled Rulebook."""
    book: dict[str, ReasonRules] = {}
    months: set[str] = set()
    labels: set[str] = set()
    languages: list[str] = []
    files = sorted(
        (f for f in resources.files(__package__).iterdir() if f.name.endswith(".toml")),
        key=lambda f: (f.name != "common.toml", f.name),
    )
    for file in files:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        if "language" in data:
            languages.append(str(data["language"]))
        _merge(book, data)
        months.update(m.casefold() for m in data.get("dates", {}).get("months", ()))
        labels.update(m.casefold() for m in data.get("dates", {}).get("labels", ()))
    for rules in book.values():
        rules.compile()
    unknown = set(book) - set(REASON_ORDER)
    if unknown:
        raise ValueError(f"residue reasons without a place in REASON_ORDER: {sorted(unknown)}")
    return Rulebook(book, frozenset(months), frozenset(labels), tuple(languages))


RULES = load_rulebook()
