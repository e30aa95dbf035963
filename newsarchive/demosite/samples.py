"""The two sample articles: their text is the sample files, byte for byte, embedded in ``data/samples``.

Each sample's non-empty lines are classified (the lead's decision, kept here as data): a few lines are
page residue, laid out as the items a real page shows them as (partner block, figure, teaser, counter...);
the title line becomes the h1; listed lines are subheadings; every other line is a body paragraph. The
resulting article column renders back to exactly the sample's non-empty lines, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

from newsarchive.demosite.content import Article, article_by_slug
from newsarchive.demosite.items import (
    Figure,
    Item,
    MetaLine,
    Paragraph,
    Partner,
    PartnerEntry,
    Subheading,
    Teaser,
    TextLine,
    Title,
    item_lines,
)

SAMPLE_000 = "000_9b30a7b1c346ae44.txt"
SAMPLE_004 = "004_681433a4717d92a0.txt"

SUBHEADINGS: dict[str, tuple[str, ...]] = {
    SAMPLE_000: ("Les derniers efforts de Joe Biden pour l'Ukraine",),
    SAMPLE_004: (
        "Des affrontements ont éclaté entre des soldats ukrainiens et nord-coréens à Koursk.",
        "Une grande partie de l'aide arrive en Ukraine",
        "L'ancien Premier ministre britannique se montre optimiste quant à un scénario de victoire de Trump",
    ),
}

BLINKEN_CAPTION = (
    "Le secrétaire d'État américain Antony Blinken avec le secrétaire général de l'OTAN Mark Rutte "
    "avant une réunion au siège de l'OTAN à Bruxelles, le mercredi 13 novembre 2024."
)
# The two articles the inline teasers of sample 004 link to (they exist on the site).
TEASER_TARGETS_004 = (
    (
        "zelensky-fuites-demande-missiles-tomahawk",
        "Le président ukrainien se plaint des fuites d'informations concernant sa demande de missiles "
        "de croisière Tomahawk aux États-Unis.",
    ),
    (
        "medvedev-trump-assassinat-ukraine",
        "L'ancien président russe prédit que Trump pourrait être assassiné à cause de l'Ukraine",
    ),
)


def _residue_000(article: Article) -> list[Item]:
    return [
        TextLine("placeholder", "..."),
        Partner(
            (
                PartnerEntry("Logo Pasino du Havre - Casino-Hôtel - Spa", logo=True),
                PartnerEntry("in partnership with", logo=False),
                PartnerEntry("Logo Nextory", logo=True),
            )
        ),
        MetaLine(
            category=article.category,
            category_path=f"/section/{article.section}/",
            date_text="Nov 13, 2024, 3:07 PM",
            datetime=article.published.isoformat(),
        ),
        TextLine("readtime", "5 min de lecture"),
        TextLine("counter", "1"),
        Figure(
            src=article.figure_src(1),
            caption=BLINKEN_CAPTION,
            credit="Virginia Mayo/Copyright 2024 The AP. All rights reserved",
            credit_inline=True,
            title_line=True,
        ),
    ]


def _residue_004(article: Article) -> list[Item]:
    captions = (
        "L'Ukraine tente d'abattre un drone lancé depuis la Russie au-dessus de Kiev le 3 novembre 2024.",
        "La ministre allemande des Affaires étrangères, Annalena Baerbock",
        "L'ancien Premier ministre britannique Boris Johnson",
    )
    figures: list[Item] = [Figure(src=article.figure_src(i), caption=c) for i, c in enumerate(captions, start=1)]
    teasers: list[Item] = [Teaser(path=article_by_slug(slug).path, text=text) for slug, text in TEASER_TARGETS_004]
    return [*figures, *teasers, TextLine("counter", "Comment (0)")]


RESIDUE: dict[str, Callable[[Article], list[Item]]] = {
    SAMPLE_000: _residue_000,
    SAMPLE_004: _residue_004,
}


def sample_text(name: str) -> str:
    """The embedded sample file's text (UTF-8), byte-identical to shared/samples/<name>."""
    return (resources.files("newsarchive.demosite") / "data" / "samples" / name).read_text(encoding="utf-8")


def sample_lines(name: str) -> tuple[str, ...]:
    """The sample's non-empty lines, in order (what the article column must render to)."""
    return tuple(line for line in sample_text(name).split("\n") if line.strip())


def sample_column(article: Article) -> tuple[Item, ...]:
    """The article column of a sample article: its lines classified into title, body and residue items.

    Raises ValueError if the classification does not reproduce the sample's lines exactly.
    """
    if article.sample not in RESIDUE:
        raise ValueError(f"{article.slug}: no layout for sample {article.sample!r}")
    name = article.sample
    lines = sample_lines(name)
    residue = RESIDUE[name](article)
    items: list[Item] = []
    i = 0
    while i < len(lines):
        match = next((r for r in residue if lines[i : i + len(r.lines)] == r.lines), None)
        if match is not None:
            items.append(match)
            residue.remove(match)
            i += len(match.lines)
            continue
        line = lines[i]
        if line == article.title:
            items.append(Title(line))
        elif line in SUBHEADINGS[name]:
            items.append(Subheading(line))
        else:
            items.append(Paragraph(line))
        i += 1
    if residue or item_lines(items) != lines:
        raise ValueError(f"{name}: residue items not all placed: {residue}")
    return tuple(items)
