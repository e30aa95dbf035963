"""Words the site's furniture uses, per language: kept as data so layouts and templates stay free of text."""

from __future__ import annotations

from datetime import datetime

SITE_NAME = "Demo News"
PUBLISHER_LOGO = "https://static.demonews.example/brand/logo-600x60.png"
PARTNER_LOGO_BASE = "https://static.demonews.example/partners"

MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
MONTHS_FR_SHORT = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "by": "Par",
        "and": "et",
        "readtime": "{n} min de lecture",
        "updated": "Mis à jour le {date}",
        "ad": "Publicité",
        "share": "Partager",
        "tags": "Mots-clés",
        "mostread": "Les plus lus",
        "related": "Sur le même sujet",
        "partner_label": "en partenariat avec",
        "cookie_text": "Nous utilisons des cookies pour mesurer l'audience et personnaliser les publicités.",
        "cookie_accept": "Tout accepter",
        "cookie_refuse": "Continuer sans accepter",
        "newsletter_title": "La newsletter du matin",
        "newsletter_text": "Recevez chaque matin l'essentiel de l'actualité dans votre boîte mail.",
        "newsletter_button": "S'inscrire",
        "latest": "Les derniers articles",
        "next": "Page suivante",
        "prev": "Page précédente",
        "home": "Accueil",
        "page": "Page {n}",
    },
    "en": {
        "by": "By",
        "and": "and",
        "readtime": "{n} min read",
        "updated": "Updated {date}",
        "ad": "Advertisement",
        "share": "Share",
        "tags": "Topics",
        "mostread": "Most read",
        "related": "Related articles",
        "partner_label": "in partnership with",
        "cookie_text": "We use cookies to measure our audience and to personalise advertising.",
        "cookie_accept": "Accept all",
        "cookie_refuse": "Reject",
        "newsletter_title": "The Morning Briefing",
        "newsletter_text": "Get the day's essential news in your inbox every morning.",
        "newsletter_button": "Sign up",
        "latest": "Latest news",
        "next": "Next page",
        "prev": "Previous page",
        "home": "Home",
        "page": "Page {n}",
    },
}

# Variants a layout picks from deterministically (per article), so pages differ like real sites do.
AD_LABELS = {"fr": ("Publicité", "Publicité", "Anzeige"), "en": ("Advertisement", "Advertisement", "Anzeige")}
PARTNER_LABELS = {
    "fr": ("en partenariat avec", "sponsorisé par"),
    "en": ("in partnership with", "sponsored by"),
}
# Partner logos: the visible text is the screen-reader label real sites put next to the image.
PARTNER_LOGOS = (
    "Logo Banque Horizon",
    "Logo Voyages Azur",
    "Logo Librairie des Quais",
    "Logo Nordic Telecom",
    "Logo Maison Verdier",
)
TEASER_LABELS = {
    "fr": ("À lire aussi :", "Lire aussi :", "À lire aussi"),
    "en": ("Read more:", "Read also:", "Read more"),
}
COUNTER_FORMATS = {
    "fr": ("{n} commentaires", "Commentaires ({n})", "{n}"),
    "en": ("{n} comments", "Comment ({n})", "{n}"),
}
SHARE_BUTTONS = {
    "fr": ("Partager sur Facebook", "Partager sur X", "Envoyer par e-mail", "Copier le lien"),
    "en": ("Share on Facebook", "Share on X", "Share on LinkedIn", "Share by email"),
}
FOOTER_LINKS = {
    "fr": (
        ("À propos", "/about.html"),
        ("Mentions légales", "/about.html#legal"),
        ("Contact", "/about.html#contact"),
    ),
    "en": (
        ("About us", "/about.html"),
        ("Legal notice", "/about.html#legal"),
        ("Contact", "/about.html#contact"),
    ),
}
FOOTER_NOTICE = {
    "fr": "© 2024 Demo News. Site de démonstration : les articles sont des textes d'essai.",
    "en": "© 2024 Demo News. Demonstration site: the articles are test texts.",
}


def format_date(lang: str, when: datetime, style: int) -> str:
    """A date-time as a byline shows it; two styles per language (the page template picks one)."""
    if lang == "fr":
        if style == 0:
            return f"{when.day} {MONTHS_FR_SHORT[when.month - 1]} {when.year} à {when:%H}h{when:%M}"
        return f"{when:%d/%m/%Y} à {when:%H:%M}"
    if style == 0:
        hour = when.hour % 12 or 12
        meridiem = "AM" if when.hour < 12 else "PM"  # not %p: that one follows the process locale
        return f"{MONTHS_EN[when.month - 1][:3]} {when.day}, {when.year}, {hour}:{when:%M} {meridiem}"
    return f"{when.day} {MONTHS_EN[when.month - 1]} {when.year}, {when:%H:%M}"


def format_day(lang: str, when: datetime) -> str:
    """A long date without time: "13 novembre 2024" / "13 November 2024"."""
    months = MONTHS_FR if lang == "fr" else MONTHS_EN
    return f"{when.day} {months[when.month - 1]} {when.year}"


def join_names(lang: str, names: tuple[str, ...]) -> str:
    """Names joined for a byline: "A et B" / "A and B"."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {WORDS[lang]['and']} {names[-1]}"
