"""Every rejection: its exception class, its reason code, and that the codes are listed as data."""

from __future__ import annotations

from types import ModuleType

import pytest

from extract import (
    REJECTION_REASONS,
    ExtractHints,
    NoContent,
    NotAnArticle,
    NotHTML,
    Rejected,
    TooComplex,
    TooShort,
    Undecodable,
    extract_article,
)

URL = "https://news.example.org/fr/2024/11/13/page.html"


def test_reason_codes_are_data_and_snake_case() -> None:
    for cls in (NotHTML, Undecodable, NotAnArticle, TooShort, NoContent, TooComplex):
        assert issubclass(cls, Rejected)
        assert cls.reason in REJECTION_REASONS
        assert cls.reason.replace("_", "").isalpha() and cls.reason == cls.reason.lower()
    assert Rejected("x", reason="too_short").reason == "too_short"
    with pytest.raises(ValueError):
        Rejected("x", reason="no_such_reason")


def _teasers(n: int, prefix: str = "/fr/2024/11/") -> str:
    return "".join(
        f'<h3><a href="{prefix}{i:02d}/story-{i}.html">Teaser headline number {i} about the news of the day</a></h3>'
        f"<p>Short summary {i}.</p>"
        for i in range(n)
    )


def test_section_front_by_teasers(pages: ModuleType) -> None:
    html = pages.page(f"<main><h1>Europe</h1>{_teasers(12)}</main>", head='<meta property="og:type" content="website">')
    with pytest.raises(NotAnArticle) as err:
        extract_article(html, "https://news.example.org/section/europe/")
    assert err.value.reason == "not_an_article"


def test_collection_page_type(pages: ModuleType) -> None:
    head = pages.jsonld({"@type": "CollectionPage", "name": "Tag: Ukraine"})
    html = pages.page("<main><h1>Ukraine</h1>" + pages.paragraphs(pages.FR_BODY[:1]) + "</main>", head=head)
    with pytest.raises(NotAnArticle):
        extract_article(html, "https://news.example.org/tag/ukraine/")


def test_gallery_and_video_pages(pages: ModuleType) -> None:
    gallery = pages.page(
        "<main><h1>En images</h1>"
        + "".join(
            f'<figure><img src="{i}.jpg" alt="Photo {i} du défilé"><figcaption>Photo {i}</figcaption></figure>'
            for i in range(8)
        )
        + "<p>Les plus belles images du défilé, en vingt photos prises à Paris.</p></main>",
        head=pages.jsonld({"@type": "ImageGallery", "name": "En images"}),
    )
    with pytest.raises(NotAnArticle):
        extract_article(gallery, URL)
    video = pages.page(
        "<main><h1>Vidéo</h1><video src='v.mp4'></video>"
        "<p>Regardez notre reportage de trois minutes sur le vote.</p></main>",
        head='<meta property="og:type" content="video.other">',
    )
    with pytest.raises(NotAnArticle):
        extract_article(video, URL)


def test_live_blog_shell(pages: ModuleType) -> None:
    head = pages.jsonld(
        {"@type": "LiveBlogPosting", "headline": "En direct : le vote", "datePublished": "2024-11-13T08:00:00+01:00"}
    )
    html = pages.page(
        "<main><h1>En direct : le vote</h1>"
        "<p>Suivez notre direct, les messages arrivent ici dans un instant.</p></main>",
        head=head,
    )
    with pytest.raises(NotAnArticle) as err:
        extract_article(html, URL)
    assert "live" in str(err.value)


def test_article_with_teasers_is_still_an_article(pages: ModuleType) -> None:
    html = pages.news_article(after_body=_teasers(8))
    record = extract_article(html, URL)
    assert record.text.split("\n") == pages.FR_BODY


def test_too_short(pages: ModuleType) -> None:
    html = pages.news_article(body_lines=["Une phrase courte, et rien d'autre dans cet article."])
    with pytest.raises(TooShort) as err:
        extract_article(html, URL)
    assert err.value.reason == "too_short"
    # The same page passes with a lower site minimum.
    assert extract_article(html, URL, hints=ExtractHints(min_words=5)).text


def test_no_content() -> None:
    html = (
        "<html><head><title>Vide</title></head>"
        "<body><div><img src='x.png'></div><nav><a href='/'>Accueil</a></nav></body></html>"
    )
    with pytest.raises(NoContent) as err:
        extract_article(html, URL)
    assert err.value.reason == "no_content"


def test_too_complex_is_refused_before_extraction(pages: ModuleType) -> None:
    """A page bloated with elements (a CPU cost a hostile site can impose) is refused by count."""
    bloat = "<span></span>" * 60_000
    html = pages.news_article(body_lines=pages.FR_BODY, after_body=f"<div>{bloat}</div>")
    with pytest.raises(TooComplex) as err:
        extract_article(html, URL)
    assert err.value.reason == "too_complex" and "50000" in str(err.value)
    # The same page is extracted when the site allows that many elements, and its text is intact.
    record = extract_article(html, URL, hints=ExtractHints(max_elements=70_000))
    assert record.text.split("\n") == pages.FR_BODY
    with pytest.raises(ValueError, match="max_elements"):
        ExtractHints(max_elements=0)
