"""Layer 3, the residue pass: each residue class recognised by what it is, in French, English and German;
body lines (subheadings, quotes, numbers in prose) kept."""

from __future__ import annotations

import pytest

from extract.residue import LineContext, clean_lines, line_reason, rule_reason

RESIDUE: dict[str, list[str]] = {
    "sponsor": [
        "Logo Pasino du Havre - Casino-Hôtel - Spa",
        "in partnership with",
        "Logo Nextory",
        "In partnership with Acme Bank",
        "Sponsored by Northwind Traders",
        "En partenariat avec la Région Normandie",
        "Präsentiert von der Stadtsparkasse",
        "Brought to you by Contoso",
        "In Zusammenarbeit mit dem Land Hessen",
    ],
    "read_time": [
        "5 min de lecture",
        "Lecture : 7 min",
        "Temps de lecture : 4 minutes",
        "3 min read",
        "12-minute read",
        "Reading time: 6 minutes",
        "Lesezeit: 4 Minuten",
        "4 Min. Lesezeit",
        "Lesedauer: ca. 3 Min.",
    ],
    "comment_counter": [
        "1",
        "42",
        "Comment (0)",
        "Comments (12)",
        "12 comments",
        "12 commentaires",
        "Commentaires (3)",
        "Kommentare",
        "3 Kommentare",
        "Kommentare (7)",
        "Réagir",
        "Leave a comment",
        "Jetzt kommentieren",
    ],
    "date_byline": [
        "Europe • Nov 13, 2024, 3:07 PM",
        "Published 13 November 2024",
        "Updated: Nov. 14, 2024 at 8:05 am GMT",
        "Publié le 13 novembre 2024 à 15h07",
        "Mis à jour le 13/11/2024 à 16:30",
        "Par Jeanne Martin, le 13 novembre 2024",
        "Veröffentlicht am 13.11.2024 um 15:07 Uhr",
        "Politik | 13. November 2024",
        "2 min04.04.2020",
    ],
    "photo_credit": [
        "Virginia Mayo/Copyright 2024 The AP. All rights reserved",
        "Photo: Jane Smith/Reuters",
        "Photo : AFP",
        "© Demo News 2024",
        "(c) Getty Images",
        "Crédit photo : Jean Dupont",
        "Crédits photo : DR",
        "Foto: dpa",
        "Foto: Max Mustermann/picture alliance",
        "Bild: Keystone",
        "John Doe / AFP",
        "Tous droits réservés",
    ],
    "related": [
        "À lire aussi : La Russie frappe Kyiv",
        "A lire aussi",
        "Lire aussi | Le G7 accorde un prêt",
        "LIRE AUSSI",
        "Read more: Council approves budget",
        "Read also",
        "Related: Tram works begin",
        "Mehr zum Thema",
        "Mehr zum Thema: Straßenbahn wird teurer",
        "Lesen Sie auch: Der Stadtrat tagt",
        "Sur le même sujet",
        "Voir aussi",
    ],
    "newsletter": [
        "Sign up for our morning newsletter",
        "Subscribe to our free newsletter and get the news in your inbox",
        "Inscrivez-vous à notre newsletter",
        "Recevez notre newsletter quotidienne",
        "Newsletter abonnieren",
        "Jetzt den Newsletter abonnieren und nichts verpassen",
    ],
    "share": [
        "Share",
        "Share on Facebook",
        "Facebook Twitter LinkedIn Email",
        "Partager",
        "Partager sur Twitter",
        "Copier le lien",
        "Teilen",
        "Auf Facebook teilen",
        "Link kopieren",
    ],
    "ad_label": [
        "Publicité",
        "PUBLICITÉ",
        "Advertisement",
        "ADVERTISEMENT",
        "Anzeige",
        "Sponsored",
        "Werbung",
        "Story continues below advertisement",
        "La suite après la publicité",
    ],
    "stray": ["...", "…", "•", "|", "—", "* * *", "→"],
    "subscription": [
        "Déjà abonné ? Connectez-vous",
        "Cet article est réservé aux abonnés",
        "Already a subscriber? Log in",
        "Subscribe to continue reading",
        "Bereits Abonnent? Hier einloggen",
        "If you're seeing this message but you're already a subscriber, you can log in for immediate access.",
        "Hazte miembro y disfruta de beneficios exclusivos",
    ],
    "meter": [
        "You have 2 free articles left this month.",
        "Il vous reste 3 articles gratuits ce mois-ci.",
        "Sie haben 4 von 5 kostenlosen Artikeln gelesen.",
    ],
    "newsletter_prompts": [
        "For the latest stories and breaking news updates download the Daily News app for iOS and Android.",
        "Follow us on Instagram!",
        "Follow The Gazette on Twitter and Instagram @gazette and on Facebook.",
        "¡Mira lo que tiene nuestro canal de YouTube!",
        "¿Ya sabías que tenemos canal de Telegram? Únete desde tu celular.",
        "Do you want to be informed of our actions? Sign up here",
    ],
    "related_es_de": [
        "Mire: El cantante da positivo a COVID-19",
        "Lea más: el gobierno propone una reforma",
        "VEA TAMBIÉN: Entre la espada y la pared",
        "PUEDES VER: ¿Qué es la Sunedu?",
        "Mehr Themen:",
        "Zum Weiterlesen:",
        "Empfohlene Beiträge",
    ],
    "credits_more": [
        "aja/PAP", "Copyright: Gisele Wender", "Foto: Lena Schmidt/dpa", "Beitragsbild: Titelseite der FAZ",
    ],
}
# Reasons of the groups above whose name is not a reason code.
GROUP_REASON = {"newsletter_prompts": "newsletter", "related_es_de": "related", "credits_more": "photo_credit"}

BODY_LINES = [
    "Les derniers efforts de Joe Biden pour l'Ukraine",
    "Une grande partie de l'aide arrive en Ukraine",
    "La Russie a attaqué huit régions ukrainiennes, dont la capitale, Kyiv, dans la nuit de mardi à mercredi.",
    "Le 13 novembre, le secrétaire d'État a rencontré ses homologues de l'OTAN à Bruxelles pour parler de l'aide.",
    "« Nous constatons une augmentation de l'aide à la défense », a écrit Zelensky.",
    "The council approved 12 new stations, 3 depots and 40 trams.",
    "Photos of the event were shared widely on social media, officials said on Tuesday.",
    "Reading the report, one finds that 5 minutes of delay cost the city millions.",
    "In partnership with local groups, the police arrested 12 people on Tuesday.",
    "Die Stadt teilte mit, dass die Bauarbeiten am 13. November 2024 beginnen und vier Jahre dauern sollen.",
    "Mehr als 200 Menschen kamen zur Versammlung.",
    "Share prices fell by 3% on Monday after the announcement.",
    "Comments from the minister came after the vote.",
    "200 g Zucker",
    "(+ 15 Minuten backen)",
    "Newsletters were sent to 2,000 residents explaining the works.",
    "Logo design contests are popular with students at the art school, the dean said.",
    "Ukraine : la Russie frappe Kyiv",
    "Follow the money on Twitter is hard, the analyst said.",
    "The app will download updates in the background.",
    "Mira Nair presentó su película en el festival de Venecia el martes.",
    "The comments section is closed.",
]


@pytest.mark.parametrize(("reason", "line"), [(r, line) for r, lines in RESIDUE.items() for line in lines])
def test_residue_lines_are_recognised(reason: str, line: str) -> None:
    assert rule_reason(line) == GROUP_REASON.get(reason, reason)


@pytest.mark.parametrize("line", BODY_LINES)
def test_body_lines_are_kept(line: str) -> None:
    assert rule_reason(line) is None


def test_title_and_caption_repeats() -> None:
    caption = "Le secrétaire d'État américain Antony Blinken avec le secrétaire général de l'OTAN Mark Rutte"
    context = LineContext(titles=("Des frappes russes massives", "Frappes : le bilan"), captions={caption.lower()})
    assert line_reason("Des frappes russes massives", context) == "title_repeat"
    assert line_reason("Frappes : le bilan", context) == "title_repeat"
    assert line_reason(caption, context) == "caption_repeat"
    assert (
        line_reason(caption + " Virginia Mayo/Copyright 2024 The AP. All rights reserved", context) == "caption_repeat"
    )
    # A body sentence that merely starts like a caption is kept.
    assert line_reason(caption + " se sont entretenus pendant deux heures sur l'aide à l'Ukraine.", context) is None


def test_clean_lines_counts_by_reason() -> None:
    lines = ["...", "Body sentence one is here.", "5 min de lecture", "1", "Comment (0)", "Body two."]
    kept, dropped = clean_lines(lines, LineContext())
    assert kept == ["Body sentence one is here.", "Body two."]
    assert dropped == {"stray": 1, "read_time": 1, "comment_counter": 2}
