"""The generated site's articles: >= 300 fr/en news articles over 90 days, built deterministically from a seed.

Sentences come from the templates and word lists in ``lexicon.json`` (data, not code); every choice is drawn
from one ``random.Random(SEED)`` in a fixed order, so the corpus is identical on every run and machine.
One article (``UPDATABLE_NUMBER``) can be revised at run time: ``revise(article, version)`` gives its
version-th update (later modified time, an update paragraph in front).
"""

from __future__ import annotations

import functools
import json
import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from newsarchive.demosite.markup import slugify

TZ = ZoneInfo("Europe/Paris")
SEED = 20250301
FIRST_DAY = date(2024, 12, 1)
DAYS = 90
LAST_DAY = FIRST_DAY + timedelta(days=DAYS - 1)
# The site's "now": the feeds and the news sitemap are as of this instant (fixed, so runs are reproducible).
SITE_NOW = datetime.combine(LAST_DAY + timedelta(days=1), time(6, 0), tzinfo=TZ)
PUBLIC_SECTIONS = ("world", "politics", "economy", "culture", "science", "sport")
# robots.txt disallows this section: its articles are listed everywhere but must never be requested.
DISALLOWED_SECTION = "partners"
LANG_WEIGHTS = (("fr", 3), ("en", 2))
PUBLIC_PER_DAY = (3, 5)
PARAGRAPHS = (4, 6)
SENTENCES_PER_PARAGRAPH = 3
# Chances per day of an article in the first or last half hour of the local day (window-edge cases),
# of a sponsored article, and of an article modified a few hours after publication.
EDGE_EARLY, EDGE_LATE, PARTNER_CHANCE, MODIFIED_CHANCE = 0.2, 0.2, 0.35, 0.25
FIRST_NUMBER = 10001
# Duplicate links (same article, other URL): every Nth article number gets that kind of variant link.
VARIANT_EVERY = {"slash": 4, "utm": 5, "https": 3}
# The article that serve_generated(...).update_article() revises (a public article of 15 January 2025).
UPDATABLE_DAY = date(2025, 1, 15)


@dataclass(frozen=True)
class GenArticle:
    """One generated article. ``published``/``modified`` are aware (Europe/Paris); ``path`` has no slash at
    the end (its canonical form); ``paragraphs`` is the body text, one entry per paragraph."""

    number: int
    slug: str
    path: str
    lang: str
    section: str
    title: str
    authors: tuple[str, ...]
    published: datetime
    modified: datetime
    paragraphs: tuple[str, ...]
    description: str
    version: int = 0

    @property
    def disallowed(self) -> bool:
        """Whether robots.txt forbids this article (the sponsored section)."""
        return self.section == DISALLOWED_SECTION

    @property
    def text(self) -> str:
        """The body as the archive stores it: paragraphs joined by newlines."""
        return "\n".join(self.paragraphs)

    @property
    def day(self) -> date:
        """The local publication date (the date in the URL and in the archive partition)."""
        return self.published.date()

    def variants(self) -> tuple[str, ...]:
        """The kinds of duplicate links the site publishes for this article ("slash", "utm", "https")."""
        return tuple(kind for kind, every in VARIANT_EVERY.items() if self.number % every == 0)


@functools.cache
def lexicon() -> dict[str, Any]:
    """The word lists and sentence templates (lexicon.json)."""
    text = resources.files("newsarchive.demosite.generated").joinpath("lexicon.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


class _Writer:
    """Fills templates for one language and section with choices drawn from the shared generator."""

    def __init__(self, rng: random.Random, lang: str, section: str) -> None:
        self.rng = rng
        self.lang = lang
        self.words = lexicon()[lang]
        self.topic = self.words["topics"][section]

    def pick(self, slot: str) -> str:
        if slot == "number":
            return str(self.rng.randint(12, 4800))
        if slot == "actor_lower":
            actor = self.pick("actor")
            return actor[0].lower() + actor[1:]
        pool = self.topic.get(slot) or self.words[slot]
        return str(self.rng.choice(pool))

    def fill(self, template: str) -> str:
        out, rest = [], template
        while "{" in rest:
            before, _, tail = rest.partition("{")
            slot, _, rest = tail.partition("}")
            out.append(before)
            out.append(self.pick(slot))
        out.append(rest)
        text = "".join(out)
        if self.lang == "fr":
            text = french_fixups(text)
        return text[0].upper() + text[1:]


def french_fixups(text: str) -> str:
    """Contractions (à le -> au, de les -> des) and elisions (de + vowel -> d') that slot filling breaks."""
    data = lexicon()
    for wrong, right in data["fr_contractions"]:
        text = text.replace(wrong, right)
    words, vowels = data["fr_elisions"]["words"], data["fr_elisions"]["vowels"]
    for word in words:
        for vowel in vowels:
            text = text.replace(f" {word} {vowel}", f" {word[:-1]}'{vowel}")
    return text


def _times(rng: random.Random, count: int) -> list[time]:
    """count publication times of one day, sorted; sometimes one in each half hour at the day's edges."""
    minutes = set(rng.sample(range(6 * 60, 23 * 60), count))
    if rng.random() < EDGE_EARLY:
        minutes.pop()
        minutes.add(rng.randint(0, 29))
    if rng.random() < EDGE_LATE:
        minutes.discard(max(minutes))
        minutes.add(rng.randint(23 * 60 + 30, 23 * 60 + 59))
    return [time(m // 60, m % 60) for m in sorted(minutes)]


def _article(rng: random.Random, number: int, day: date, at: time, section: str) -> GenArticle:
    lang = rng.choices([lang for lang, _ in LANG_WEIGHTS], weights=[w for _, w in LANG_WEIGHTS])[0]
    writer = _Writer(rng, lang, section)
    words = writer.words
    title = writer.fill(rng.choice(words["title_templates"]))
    count = rng.randint(*PARAGRAPHS) * SENTENCES_PER_PARAGRAPH
    sentences = [writer.fill(t) for t in rng.sample(words["templates"], count)]
    paragraphs = tuple(" ".join(sentences[i:i + SENTENCES_PER_PARAGRAPH])
                       for i in range(0, count, SENTENCES_PER_PARAGRAPH))
    names = lexicon()["names"]
    authors = tuple(f"{rng.choice(names['first'])} {rng.choice(names['last'])}"
                    for _ in range(rng.randint(1, 2)))
    published = datetime.combine(day, at, tzinfo=TZ)
    modified = published
    if rng.random() < MODIFIED_CHANCE:
        modified = published + timedelta(hours=rng.randint(1, 8), minutes=rng.randint(0, 59))
    slug = "-".join(slugify(title).split("-")[:8]) + f"-{number}"
    return GenArticle(
        number=number, slug=slug, path=f"/{section}/{day:%Y/%m/%d}/{slug}", lang=lang, section=section,
        title=title, authors=tuple(dict.fromkeys(authors)), published=published, modified=modified,
        paragraphs=paragraphs, description=sentences[0])


@functools.cache
def all_articles() -> tuple[GenArticle, ...]:
    """Every article of the site (sponsored ones included), newest first."""
    rng = random.Random(SEED)
    found: list[GenArticle] = []
    number = FIRST_NUMBER
    for offset in range(DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        sections = [rng.choice(PUBLIC_SECTIONS) for _ in range(rng.randint(*PUBLIC_PER_DAY))]
        if rng.random() < PARTNER_CHANCE:
            sections.insert(rng.randint(0, len(sections)), DISALLOWED_SECTION)
        for at, section in zip(_times(rng, len(sections)), sections, strict=True):
            found.append(_article(rng, number, day, at, section))
            number += 1
    return tuple(sorted(found, key=lambda a: (a.published, a.number), reverse=True))


@functools.cache
def by_path() -> dict[str, GenArticle]:
    """Articles by canonical path."""
    return {a.path: a for a in all_articles()}


@functools.cache
def updatable() -> GenArticle:
    """The article that can be revised at run time: the first public article of UPDATABLE_DAY."""
    return min((a for a in all_articles() if a.day == UPDATABLE_DAY and not a.disallowed),
               key=lambda a: a.published)


def revise(article: GenArticle, version: int) -> GenArticle:
    """The version-th revision of an article (0 = as published): modified one day later per version, and an
    update paragraph (seeded by number and version) in front of the text."""
    if version <= 0:
        return article
    rng = random.Random(f"{SEED}-{article.number}-{version}")
    writer = _Writer(rng, article.lang, article.section)
    note = writer.fill(rng.choice(writer.words["update_templates"])) + f" ({version})"
    base = max(article.published, article.modified)
    return replace(article, modified=base + timedelta(days=version), paragraphs=(note, *article.paragraphs),
                   version=version)
