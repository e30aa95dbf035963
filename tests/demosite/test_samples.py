"""The two sample articles reproduce the sample files exactly: body + residue + title, line for line."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html

from newsarchive.demosite import truth
from newsarchive.demosite.render import COLUMN_XPATH
from newsarchive.demosite.samples import SAMPLE_000, SAMPLE_004, sample_lines, sample_text
from newsarchive.demosite.textlines import visible_lines

SHARED_SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"
SAMPLES = {a.sample: a for a in truth.articles() if a.sample}


@pytest.mark.parametrize("name", [SAMPLE_000, SAMPLE_004])
def test_embedded_copy_is_byte_identical(name: str) -> None:
    if not SHARED_SAMPLES.is_dir():
        pytest.skip("../shared/samples not present")
    assert sample_text(name).encode("utf-8") == (SHARED_SAMPLES / name).read_bytes()


@pytest.mark.parametrize("name", [SAMPLE_000, SAMPLE_004])
def test_page_column_reproduces_sample_lines(name: str) -> None:
    article = SAMPLES[name]
    lines = sample_lines(name)
    if SHARED_SAMPLES.is_dir():
        shared = (SHARED_SAMPLES / name).read_text(encoding="utf-8")
        assert lines == tuple(line for line in shared.split("\n") if line.strip())
    assert article.lines == lines
    doc = lxml_html.document_fromstring(truth.render_article_page(article, "http://127.0.0.1:1"))
    (column,) = doc.xpath(COLUMN_XPATH[article.template])
    assert tuple(visible_lines(column)) == lines
    # body + residue + title are the sample's lines; body keeps the sample's order
    assert sorted([article.title, *article.body, *article.residue]) == sorted(lines)
    assert list(article.body) == [line for line in lines if line in set(article.body)]


def test_sample_000_classification() -> None:
    a = SAMPLES[SAMPLE_000]
    assert a.title == "Des frappes russes massives sur huit régions ukrainiennes, dont Kyiv"
    assert (a.lang, a.section, a.published) == ("fr", "world", "2024-11-13T15:07:00+01:00")
    assert a.path == "/fr/2024/11/13/frappes-russes-massives-huit-regions-ukrainiennes.html"
    caption = (
        "Le secrétaire d'État américain Antony Blinken avec le secrétaire général de l'OTAN Mark Rutte "
        "avant une réunion au siège de l'OTAN à Bruxelles, le mercredi 13 novembre 2024."
    )
    assert a.residue == (
        "...",
        "Logo Pasino du Havre - Casino-Hôtel - Spa",
        "in partnership with",
        "Logo Nextory",
        "Europe • Nov 13, 2024, 3:07 PM",
        "5 min de lecture",
        "1",
        caption,
        caption + " Virginia Mayo/Copyright 2024 The AP. All rights reserved",
    )
    assert "Les derniers efforts de Joe Biden pour l'Ukraine" in a.body
    assert len(a.body) == 12 and a.body[-1].endswith("aussi longtemps que nécessaire.")
    page = truth.render_article_page(a, "http://127.0.0.1:1").decode()
    assert "<h2" in page.split("Les derniers efforts de Joe Biden")[0][-60:]
    assert 'alt="Logo Pasino du Havre - Casino-Hôtel - Spa"' in page


def test_sample_004_classification() -> None:
    a = SAMPLES[SAMPLE_004]
    assert a.title == "La Russie mène des frappes aériennes sur plusieurs points en Ukraine."
    assert (a.lang, a.section, a.published) == ("fr", "world", "2024-11-05T09:30:00+01:00")
    assert a.residue == (
        "L'Ukraine tente d'abattre un drone lancé depuis la Russie au-dessus de Kiev le 3 novembre 2024.",
        "Le président ukrainien se plaint des fuites d'informations concernant sa demande de missiles de "
        "croisière Tomahawk aux États-Unis.",
        "L'ancien président russe prédit que Trump pourrait être assassiné à cause de l'Ukraine",
        "La ministre allemande des Affaires étrangères, Annalena Baerbock",
        "L'ancien Premier ministre britannique Boris Johnson",
        "Comment (0)",
    )
    assert any(line.endswith("selon le Kyiv Independent .") for line in a.body)
    assert "Une grande partie de l'aide arrive en Ukraine" in a.body
    doc = lxml_html.document_fromstring(truth.render_article_page(a, "http://127.0.0.1:1"))
    (column,) = doc.xpath(COLUMN_XPATH[a.template])
    teaser_links = [x for x in column.iter("a") if x.text_content().startswith(("Le président", "L'ancien président"))]
    paths = {a.path for a in truth.articles()}
    assert len(teaser_links) == 2
    assert all(x.get("href").removeprefix("http://127.0.0.1:1") in paths for x in teaser_links)
    h2 = [" ".join(x.text_content().split()) for x in column.iter("h2")]
    assert h2 == [
        "Des affrontements ont éclaté entre des soldats ukrainiens et nord-coréens à Koursk.",
        "Une grande partie de l'aide arrive en Ukraine",
        "L'ancien Premier ministre britannique se montre optimiste quant à un scénario de victoire de Trump",
    ]
    assert len(column.xpath(".//figure/figcaption")) == 3
