"""Small HTML pages written for these tests (several layouts, FR/EN/DE); never copied from real sites."""

from __future__ import annotations

import json
from typing import Any

FR_BODY = [
    "La Russie a attaqué huit régions ukrainiennes, dont la capitale, dans la nuit de mardi à mercredi, "
    "à l'aide de six missiles balistiques et quelque 90 drones, selon l'armée de l'air.",
    "Un entrepôt a été touché et a pris feu dans le district voisin, et un homme de 48 ans a été blessé "
    "par une chute de débris, ont indiqué les autorités locales mercredi matin.",
    "Le communiqué précise que les défenses aériennes ont abattu quatre missiles et 37 drones, et que le "
    "brouillage électronique a arrêté 47 autres drones. L'évaluation des dégâts est toujours en cours.",
]
EN_BODY = [
    "The city council voted on Tuesday to expand the tram network by twelve kilometres, a project that "
    "officials say will cut commuting times across the northern districts by a third.",
    "Construction is expected to begin next spring and to last about four years, according to the "
    "transport department, which published a detailed timetable alongside the vote.",
    "Opposition members argued that the budget was underestimated and asked for an independent audit "
    "before any contract is signed, a request the majority rejected.",
]
DE_BODY = [
    "Der Stadtrat hat am Dienstag beschlossen, das Straßenbahnnetz um zwölf Kilometer zu erweitern. "
    "Die Verwaltung rechnet damit, dass sich die Fahrzeiten im Norden um ein Drittel verkürzen.",
    "Die Bauarbeiten sollen im kommenden Frühjahr beginnen und etwa vier Jahre dauern, wie das "
    "Verkehrsdezernat mitteilte, das zusammen mit dem Beschluss einen Zeitplan veröffentlichte.",
    "Die Opposition kritisierte, das Budget sei zu knapp bemessen, und forderte eine unabhängige "
    "Prüfung, bevor Verträge unterschrieben werden. Die Mehrheit lehnte den Antrag ab.",
]


def jsonld(obj: dict[str, Any]) -> str:
    """A JSON-LD script element."""
    return f'<script type="application/ld+json">{json.dumps(obj, ensure_ascii=False)}</script>'


def page(
    body: str,
    *,
    lang: str = "fr",
    head: str = "",
    title: str = "Titre de test",
    charset: str | None = "utf-8",
) -> str:
    """A full HTML document around ``body`` (the <body> content)."""
    meta_charset = f'<meta charset="{charset}">' if charset else ""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head>{meta_charset}<title>{title}</title>{head}</head>'
        f"<body>{body}</body></html>"
    )


def paragraphs(lines: list[str]) -> str:
    """Body lines as <p> elements."""
    return "".join(f"<p>{line}</p>" for line in lines)


def news_article(
    *,
    lang: str = "fr",
    title: str = "Des frappes massives sur huit régions",
    body_lines: list[str] | None = None,
    head_extra: str = "",
    before_body: str = "",
    inside_body: str = "",
    after_body: str = "",
    ld: dict[str, Any] | None = None,
    charset: str | None = "utf-8",
) -> str:
    """A well-marked-up news article page (header, nav, article with figure, aside, footer)."""
    lines = body_lines if body_lines is not None else {"fr": FR_BODY, "en": EN_BODY, "de": DE_BODY}[lang]
    ld_obj = (
        ld
        if ld is not None
        else {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": "2024-11-13T15:07:00+01:00",
            "dateModified": "2024-11-13T16:30:00+01:00",
            "author": [{"@type": "Person", "name": "Jeanne Martin"}],
            "inLanguage": lang,
            "articleSection": "Europe",
            "keywords": ["Ukraine", "Russie"],
        }
    )
    head = (
        f'<meta property="og:title" content="{title}">'
        '<meta property="og:type" content="article">'
        '<meta property="og:site_name" content="Demo News">'
        '<meta property="og:description" content="Un résumé.">'
        '<meta property="og:image" content="/img/photo.jpg">'
        '<link rel="canonical" href="https://news.example.org/fr/2024/11/13/frappes.html">'
        f"{jsonld(ld_obj)}{head_extra}"
    )
    body = (
        '<header><nav><a href="/">Accueil</a> <a href="/europe/">Europe</a></nav></header>'
        f"<main><article><h1>{title}</h1>{before_body}"
        f'<div class="article-body">{paragraphs(lines[:1])}{inside_body}{paragraphs(lines[1:])}</div>'
        f"{after_body}</article></main>"
        "<footer><p>© Demo News 2024 — Mentions légales — Contact</p></footer>"
    )
    return page(body, lang=lang, head=head, title=f"{title} | Demo News", charset=charset)
