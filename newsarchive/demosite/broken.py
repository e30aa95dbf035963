"""Deliberately broken URLs: the error cases a crawler must count and survive.

``BROKEN_CASES`` is the table (path -> behaviour); add a row to add a case. ``linked_from`` says where a
crawler finds the link (the page's path, first page of a section listing).
"""

from __future__ import annotations

from dataclasses import dataclass

# A real article the redirect points at (its site path is resolved when serving).
REDIRECT_TARGET_SLUG = "frappes-russes-massives-huit-regions-ukrainiennes"

# A few bytes that are not UTF-8 and not HTML: what a crawler gets when a link leads to a PDF.
PDF_BYTES = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"3 0 obj\n<< /Length 16 /Filter /FlateDecode >>\nstream\n"
    b"\x78\x9c\x03\x00\x00\x00\x00\x01\xff\xfe\x00\x81"
    b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


@dataclass(frozen=True)
class BrokenCase:
    """One broken URL: its path, the status it answers, what it does, and where it is linked from.

    ``location`` is the redirect target path (a slug-based target is resolved by the server: "article:").
    """

    path: str
    status: int
    behaviour: str
    linked_from: str
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None
    link_text: str = "Archives"


BROKEN_CASES: tuple[BrokenCase, ...] = (
    BrokenCase(
        "/broken/article-supprime.html",
        404,
        "404 Not Found: an article link whose page was deleted",
        "/section/world/",
        link_text="Ukraine : l'hiver des centrales électriques",
    ),
    BrokenCase(
        "/broken/erreur-serveur.html",
        500,
        "500 Internal Server Error on every request",
        "/section/world/",
        link_text="Carte interactive des frappes",
    ),
    BrokenCase(
        "/broken/retire.html",
        410,
        "410 Gone: content withdrawn for good",
        "/section/politics/",
        link_text="Sondage : les intentions de vote (retiré)",
    ),
    BrokenCase(
        "/broken/rapport-annuel.pdf",
        200,
        "200 with Content-Type application/pdf and binary (non-HTML, non-UTF-8) bytes",
        "/section/economy/",
        content_type="application/pdf",
        link_text="Rapport annuel 2024 (PDF)",
    ),
    BrokenCase(
        "/broken/page-vide.html",
        200,
        "200 text/html with an empty body (0 bytes)",
        "/section/culture/",
        link_text="Agenda culturel de la semaine",
    ),
    BrokenCase(
        "/broken/ancienne-adresse.html",
        301,
        "301 Moved Permanently to a real article (the sample 000 article)",
        "/section/world/",
        location=f"article:{REDIRECT_TARGET_SLUG}",
        link_text="Frappes sur Kyiv : notre article",
    ),
    BrokenCase(
        "/broken/boucle-a.html",
        301,
        "redirect loop: 301 to /broken/boucle-b.html, which 301s back here",
        "/section/politics/",
        location="/broken/boucle-b.html",
        link_text="Le dossier complet",
    ),
    BrokenCase(
        "/broken/boucle-b.html",
        301,
        "second half of the redirect loop: 301 to /broken/boucle-a.html",
        "/broken/boucle-a.html",
        location="/broken/boucle-a.html",
    ),
    BrokenCase(
        "/fr/2024/11/13/article-introuvable-apres-migration.html",
        404,
        "404 on an article-shaped URL (/{lang}/{yyyy}/{mm}/{dd}/{slug}.html): discovery must count an error",
        "/section/world/",
        link_text="Kyiv : la défense antiaérienne sous pression",
    ),
)


def broken_case(path: str) -> BrokenCase | None:
    """The broken case served at this path, or None."""
    return next((case for case in BROKEN_CASES if case.path == path), None)


def linked_from(listing_path: str) -> tuple[BrokenCase, ...]:
    """Broken cases whose link sits on this listing page (first page only)."""
    return tuple(case for case in BROKEN_CASES if case.linked_from == listing_path)
