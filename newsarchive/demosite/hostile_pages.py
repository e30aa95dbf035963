"""Bodies for the hostile cases (``newsarchive.demosite.hostile``): good articles in odd encodings, bombs, bad XML.

The good articles are the control group: each sits beside the bad cases and must come out of the pipeline
intact (title and every paragraph, correctly decoded). They are published inside ``WINDOW`` and appear
nowhere else on the demo site, so the 38 regular articles and their ground truth are untouched.
"""

from __future__ import annotations

import functools
import json
import zlib
from dataclasses import dataclass
from html import escape

# The crawl window the hostile cases are published in (UTC, [start, end)).
WINDOW = ("2024-11-21T00:00:00+00:00", "2024-11-22T00:00:00+00:00")
PUBLISHED = "2024-11-21T09:30:00+01:00"
# Announced in sitemaps far outside the window: the crawler must skip these without fetching them.
STALE_DATE = "2019-03-04"
# What a bomb inflates to: far beyond any sane page and beyond the test site's max_response_bytes.
BOMB_INFLATED_BYTES = 64 * 1024 * 1024
# Entries of the big-but-acceptable sitemap and of the oversized one (the latter exceeds 1 MiB).
BIG_SITEMAP_ENTRIES = 4000
HUGE_SITEMAP_ENTRIES = 20000
STALE_INDEX_CHILDREN = 1500
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The local file an XXE entity tries to read, and a line of it that must never reach the archive.
XXE_FILE = "/etc/passwd"


@dataclass(frozen=True)
class GoodArticle:
    """A well-formed news article (the text any correct pipeline must archive word for word)."""

    slug: str
    lang: str
    title: str
    paragraphs: tuple[str, ...]
    published: str = PUBLISHED


GOOD_ARTICLES: tuple[GoodArticle, ...] = (
    GoodArticle("latin-1", "fr", "Le marché de Noël de Colmar ouvre ses portes", (
        "À Colmar, les chalets du marché de Noël ont ouvert jeudi matin sous une pluie fine, et les "
        "premiers visiteurs se pressaient déjà devant les stands de pain d'épices et de vin chaud.",
        "Les organisateurs attendent près d'un million de visiteurs cette année, un chiffre comparable à "
        "celui de l'an dernier malgré la hausse des prix de l'énergie qui pèse sur les exposants.",
        "« Nous avons réduit l'éclairage de vingt pour cent sans toucher à l'ambiance », assure la "
        "responsable du comité des fêtes, qui a fait appel à des artisans de la région.",
    )),
    GoodArticle("windows-1252", "fr", "Les œuvres d’art volées retrouvées à Lyon", (
        "Les enquêteurs de l’office central ont retrouvé mercredi quatorze œuvres d’art volées dans un "
        "garage de la banlieue lyonnaise, dont deux toiles estimées à plus de 300 000 €.",
        "Selon le parquet, le réseau revendait les pièces à l’étranger par l’intermédiaire d’une galerie "
        "en ligne qui présentait des certificats d’authenticité falsifiés avec soin.",
        "“C’est une saisie exceptionnelle”, a déclaré la procureure… avant de préciser que trois "
        "personnes avaient été placées en garde à vue et que d’autres interpellations étaient possibles.",
    )),
    GoodArticle("utf-8-bom", "fr", "Łódź et Gdańsk signent un accord portuaire", (
        "Les maires de Łódź et de Gdańsk ont signé jeudi un accord qui relie le port de la Baltique à la "
        "plateforme logistique du centre de la Pologne par une ligne ferroviaire dédiée au fret.",
        "Le projet, soutenu par des fonds européens, doit réduire de moitié le nombre de camions sur "
        "l'autoroute A1 d'ici à 2028, selon le ministère polonais des infrastructures.",
        "Des transporteurs turcs, représentés par la chambre de commerce d'İzmir, ont déjà annoncé leur "
        "intérêt pour des liaisons régulières vers la mer Égée.",
    )),
    GoodArticle("undeclared", "en", "Zürich café owners fight rent increases", (
        "Café owners in Zürich have formed an association to resist rent increases that several of them "
        "say would double their costs within two years, threatening a naïve idea of neighbourhood life.",
        "The association, which counts forty members from the old town to the Seefeld district, wants "
        "the city to publish the rents it charges for the commercial premises it owns.",
        "Its president, who runs a small crêperie near the lake, said the members would meet the "
        "housing commission in December and hoped for a first answer before the spring.",
    )),
    GoodArticle("mislabelled", "fr", "Grève des contrôleurs aériens : les vols réduits de moitié", (
        "La direction générale de l'aviation civile a demandé aux compagnies de réduire de moitié leurs "
        "vols au départ de Marseille et de Nice, en raison d'une grève des contrôleurs aériens.",
        "Les syndicats réclament des recrutements supplémentaires et dénoncent des conditions de travail "
        "dégradées dans les centres en route, où les effectifs n'ont pas été renouvelés depuis dix ans.",
        "Les passagers sont invités à vérifier l'état de leur vol avant de se rendre à l'aéroport ; les "
        "compagnies proposent un remboursement ou un report sans frais.",
    )),
    GoodArticle("meta-only", "fr", "Le prix du cœur de bœuf s’envole au marché de Rungis", (
        "Le cœur de bœuf, tomate vedette de l’été, se vend désormais près de 6 € le kilo au marché de "
        "Rungis, un prix jamais atteint à cette période de l’année selon les grossistes.",
        "Les producteurs expliquent cette envolée par une saison écourtée par la grêle dans le "
        "Sud-Ouest et par la hausse du coût du chauffage des serres.",
        "Les restaurateurs, eux, commencent à retirer le plat de leur carte ou à le remplacer par des "
        "variétés importées d’Espagne, moins chères mais jugées moins savoureuses.",
    )),
    GoodArticle("wrong-utf8-label", "fr", "Déménagement de la bibliothèque municipale de Besançon", (
        "La bibliothèque municipale de Besançon déménage dans l'ancien hôpital Saint-Jacques, rénové "
        "pendant quatre ans pour accueillir ses collections et un nouvel espace numérique.",
        "Le transfert des quatre cent mille volumes durera trois mois ; pendant cette période, les "
        "lecteurs pourront réserver des ouvrages en ligne et les retirer dans les annexes de quartier.",
        "La maire a salué un équipement « pensé pour les étudiants comme pour les familles », ouvert le "
        "dimanche après-midi à partir du mois de mars.",
    )),
    GoodArticle("malformed", "en", "Harbour cranes return to service after storm repairs", (
        "Three of the port's five container cranes returned to service on Thursday after a month of "
        "repairs following the storm that tore through the harbour in late October.",
        "Engineers replaced the damaged cables and the control cabins of the two largest cranes, while "
        "the remaining two will stay out of action until parts arrive from the manufacturer.",
        "Shipping lines had diverted about a third of their calls to neighbouring ports during the "
        "repairs, and the port authority expects traffic to recover fully by the end of January.",
    )),
    GoodArticle("gzip", "en", "City council approves new cycle lanes along the river", (
        "The city council voted on Thursday to build eleven kilometres of protected cycle lanes along "
        "both banks of the river, replacing one lane of car traffic on the busiest stretch.",
        "Supporters argued the project would cut travel times for thousands of commuters, while "
        "shopkeepers warned that deliveries would become harder without new loading bays.",
        "Work is due to start in April and to last eighteen months, with the first section between the "
        "station and the university opening before the summer holidays.",
    )),
    GoodArticle("redirect-landing", "fr", "Les vendanges tardives sauvées en Alsace", (
        "Les viticulteurs alsaciens ont achevé cette semaine des vendanges tardives que les pluies "
        "d'octobre semblaient condamner, grâce à quelques jours de soleil et de vent du nord.",
        "Le gewurztraminer et le pinot gris ont atteint des degrés suffisants pour les mentions "
        "réservées aux grands millésimes, selon l'interprofession des vins d'Alsace.",
        "Les volumes restent toutefois inférieurs d'un quart à la moyenne des cinq dernières années, "
        "ce qui devrait soutenir les prix des bouteilles dès le printemps prochain.",
    )),
    GoodArticle("retry-later", "en", "Museum reopens its medieval gallery after renovation", (
        "The city museum reopened its medieval gallery on Thursday after two years of renovation that "
        "restored the vaulted ceiling and brought in climate control for the fragile tapestries.",
        "Curators used the closure to study the collection again and identified two carved panels as "
        "the work of a workshop previously known only from church records.",
        "Entry to the gallery is free for residents until the end of the year, and guided tours in "
        "several languages run every Saturday morning.",
    )),
    GoodArticle("odd-url", "en", "Rail operator orders forty new regional trains", (
        "The regional rail operator has ordered forty new electric trains to replace diesel units on "
        "rural lines, in a contract worth several hundred million euros over ten years.",
        "The first trains are expected in 2027, and the operator says journey times will fall because "
        "the new units accelerate faster and have wider doors for quicker stops.",
        "Passenger groups welcomed the order but asked for more frequent services in the evenings, "
        "when many small stations see only one train every two hours.",
    )),
    GoodArticle("long-url", "fr", "Un nouveau sentier de randonnée relie trois villages du Jura", (
        "Un sentier de randonnée balisé relie désormais trois villages du Haut-Jura sur une vingtaine "
        "de kilomètres, entre forêts d'épicéas et pâturages d'altitude.",
        "Le tracé a été dessiné par les bénévoles du club alpin local, qui ont dégagé d'anciens chemins "
        "muletiers abandonnés depuis le milieu du siècle dernier.",
        "Des panneaux racontent l'histoire des fromageries et des horlogers qui faisaient vivre la "
        "vallée, et un refuge rénové accueille les marcheurs pour la nuit.",
    )),
    GoodArticle("nul-bytes", "en", "Volunteers count migrating cranes over the lake", (
        "Volunteers counted more than twelve thousand cranes over the lake at dawn on Thursday, one of "
        "the largest gatherings recorded since the observatory began its census.",
        "The birds stop on the shallow shores to rest and feed before continuing south, and their "
        "numbers have grown steadily as wetlands along the route were restored.",
        "The observatory asks visitors to stay behind the marked paths and to avoid flying drones, which "
        "frighten the flocks and force them to spend precious energy.",
    )),
    GoodArticle("from-feed", "en", "Bakers test a four-day week in the northern towns", (
        "A dozen bakeries in the northern towns have started a trial of the four-day week, opening "
        "longer hours on the remaining days so customers still find fresh bread.",
        "Owners say the change helps them keep staff who were leaving for jobs with regular weekends, "
        "although some regular customers complained about the closed Wednesdays.",
        "The trial will run for six months, after which the chamber of crafts will publish an "
        "assessment of sales, staff turnover and the bakers' own working hours.",
    )),
    GoodArticle("truncated-feed", "fr", "La ligne de bus de nuit prolongée jusqu'à l'aéroport", (
        "La ligne de bus de nuit sera prolongée jusqu'à l'aéroport à partir du mois de décembre, ce qui "
        "permettra aux employés des premiers vols de rejoindre leur poste sans voiture.",
        "Le syndicat des transports a financé ce prolongement grâce à une participation des compagnies "
        "aériennes, qui peinaient à recruter pour les services commençant avant cinq heures.",
        "Les bus circuleront toutes les quarante minutes entre minuit et cinq heures, avec un arrêt "
        "supplémentaire devant le centre hospitalier.",
    )),
    GoodArticle("bad-gzip", "en", "Library volunteers digitise wartime letters", (
        "Volunteers at the county library have digitised more than three thousand letters written by "
        "soldiers and their families during the war, making them searchable online for the first time.",
        "Many of the letters had been donated by families in shoeboxes and had never been catalogued, "
        "and the volunteers transcribed each one by hand before scanning it.",
        "The library plans an exhibition of the letters next spring and is asking residents who still "
        "hold such papers at home to bring them in for copying.",
    )),
    GoodArticle("broken-canonical", "en", "Ferry company adds a winter crossing to the islands", (
        "The ferry company will add a third daily crossing to the islands from December, answering "
        "residents who said the winter timetable left them stranded after evening appointments.",
        "The extra sailing leaves the mainland at seven in the evening and returns early the next "
        "morning, using the smaller vessel that usually carries freight on weekdays.",
        "Island councillors welcomed the decision but asked for a guarantee that the service will "
        "continue next year, when the company's public service contract is renewed.",
    )),
    GoodArticle("deep-nesting", "fr", "Le lac gelé attire les patineurs malgré les interdictions", (
        "Malgré les panneaux d'interdiction, des dizaines de patineurs se sont aventurés jeudi sur le lac "
        "gelé, dont la glace n'atteint pourtant pas l'épaisseur jugée sûre par les pompiers.",
        "La préfecture rappelle que la surface peut céder sans prévenir près des arrivées d'eau et que "
        "les secours mettent de longues minutes à intervenir au milieu du lac.",
        "La commune a installé des bouées et des échelles sur les rives et envisage de verbaliser les "
        "contrevenants si les avertissements restent sans effet.",
    )),
    # Pages that stopped or slowed the extract stage (newsarchive.demosite.hostile_extract builds them).
    GoodArticle("surrogate-jsonld", "en", "Harbour seals return to the estuary", (
        "Harbour seals have returned to the estuary in numbers not seen for thirty years, according to the "
        "wildlife trust that has counted them from the dunes every August since the colony collapsed.",
        "The trust credits the cleaner water and the closure of a sand quarry whose barges crossed the "
        "sandbanks where the seals rest at low tide and raise their pups in early summer.",
        "Walkers are asked to keep dogs on a lead on the northern beach and to stay at least fifty metres "
        "from any seal hauled out on the sand, even one that looks abandoned.",
    )),
    GoodArticle("deep-jsonld", "fr", "Les vitraux de la cathédrale retrouvent leurs couleurs", (
        "Les vitraux du chœur de la cathédrale ont retrouvé leurs couleurs après trois ans de restauration "
        "dans un atelier spécialisé, qui a nettoyé et consolidé plus de deux cents panneaux.",
        "Les restaurateurs ont découvert sous la crasse des signatures de verriers du quinzième siècle, "
        "que les historiens croyaient perdues depuis les bombardements de la dernière guerre.",
        "Les visiteurs pourront les admirer dès dimanche, lors d'une messe d'inauguration suivie de "
        "visites commentées gratuites jusqu'à la fin du mois de décembre.",
    )),
    GoodArticle("many-attributes", "en", "Night trains return to the northern line", (
        "Night trains will run again on the northern line from March, ten years after the last sleeper "
        "service was withdrawn for lack of passengers and rolling stock.",
        "The operator has leased refurbished carriages with private cabins and a restaurant car, and "
        "expects most travellers to book the whole journey rather than short hops.",
        "Tickets go on sale next week, with a discount for passengers who bring a bicycle and book a "
        "place for it in the luggage van at the same time.",
    )),
    GoodArticle("bad-utf8-bytes", "fr", "Fête des lumières : la préfecture renforce la sécurité", (
        "La préfecture a présenté jeudi le dispositif de sécurité de la Fête des lumières, qui attend "
        "près de deux millions de visiteurs pendant quatre soirées au début du mois de décembre.",
        "Des barrières anti-véhicules seront installées à l'entrée de la presqu'île, et les rues piétonnes "
        "fermées à la circulation dès dix-huit heures, y compris pour les livraisons.",
        "Les organisateurs conseillent de privilégier les transports en commun, renforcés jusqu'à une "
        "heure du matin, et de télécharger le plan des parcours avant de venir.",
    )),
)
# Good articles whose canonical link (or og:url) changes on every fetch: their ids must not.
VOLATILE_CANONICAL_ARTICLES: tuple[GoodArticle, ...] = (
    GoodArticle("canonical-fragment", "en", "Orchard growers share cold storage to save energy", (
        "Apple growers in the valley have pooled their cold stores for the winter, filling three large "
        "warehouses instead of eleven small ones and cutting their electricity bills by a third.",
        "The cooperative that runs the shared stores says the fruit keeps just as well, because the larger "
        "rooms hold their temperature better when the doors are opened for deliveries.",
        "Growers who joined late will have their harvest collected by the cooperative's own lorries, which "
        "now run a fixed round of the farms twice a week until the end of February.",
    )),
    GoodArticle("canonical-utm", "fr", "Les piscines municipales baissent la température de l'eau", (
        "Les piscines municipales abaisseront d'un degré la température de leurs bassins à partir de lundi, "
        "une mesure qui doit permettre d'économiser près de dix pour cent du gaz consommé cet hiver.",
        "Les clubs de natation ont accepté le changement, à condition que le petit bassin réservé aux "
        "bébés nageurs et aux cours d'aquagym pour les seniors reste chauffé comme avant.",
        "La mairie promet de réexaminer la mesure au printemps, lorsque le nouveau système de récupération "
        "de chaleur des douches sera enfin raccordé au circuit des bassins.",
    )),
    GoodArticle("canonical-session", "en", "Night trains return to the coastal line", (
        "Night trains will run again on the coastal line from the spring timetable, twelve years after "
        "the last sleeper service was withdrawn for lack of passengers.",
        "The operator has leased six refurbished sleeping cars and expects most travellers to be families "
        "heading for the beaches and hikers bound for the cliffs at the end of the line.",
        "Tickets go on sale next month, with couchettes priced close to a hotel night and seats in the "
        "reclining carriage cheaper than the daytime intercity fare.",
    )),
    GoodArticle("canonical-og-url", "fr", "Un verger conservatoire replante des variétés oubliées", (
        "Un verger conservatoire a replanté cet automne plus de deux cents arbres fruitiers de variétés "
        "anciennes, greffés à partir de vieux arbres repérés dans les fermes du plateau.",
        "Les bénévoles de l'association ont mis trois ans à identifier ces poiriers et pommiers, dont "
        "certains n'étaient plus cultivés que dans un seul jardin de la région.",
        "Les premiers fruits sont attendus dans cinq ans ; en attendant, le verger proposera des ateliers "
        "de greffe ouverts au public chaque samedi de mars.",
    )),
)
GOOD_BY_SLUG = {a.slug: a for a in (*GOOD_ARTICLES, *VOLATILE_CANONICAL_ARTICLES)}


def article_html(article: GoodArticle, meta_charset: str | None = "utf-8") -> str:
    """The article page (no canonical link: the fetched URL, however odd, is the article's URL)."""
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": article.title,
          "datePublished": article.published, "inLanguage": article.lang}
    paragraphs = "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in article.paragraphs)
    meta = f'<meta charset="{meta_charset}">\n' if meta_charset else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{article.lang}">\n<head>\n{meta}'
        f"<title>{escape(article.title)}</title>\n"
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{escape(article.title)}">\n'
        f'<meta property="article:published_time" content="{article.published}">\n'
        f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>\n'
        f"</head>\n<body>\n<article>\n<h1>{escape(article.title)}</h1>\n{paragraphs}\n</article>\n"
        "</body>\n</html>\n"
    )


def malformed_html(article: GoodArticle) -> str:
    """The article as tag soup: no html/head/body tags, unclosed and mis-nested elements, bare attributes."""
    first, second, third = article.paragraphs
    return (
        f"<title>{escape(article.title)}</title>\n"
        f"<meta property=article:published_time content={article.published}>\n"
        "<div class=wrapper><div id=main><article>\n"
        f"<h1>{escape(article.title)}</h2>\n"
        f"<p>{escape(first, quote=False)}\n"
        f"<p>{escape(second, quote=False)}</span>\n"
        f"<p><b>{escape(third, quote=False)}</p></b>\n"
        "</article></div></div></div></span></table>\n<div class=footer>"
    )


def nested_html(article: GoodArticle, depth: int = 300) -> str:
    """The article wrapped in ``depth`` unclosed <div>s (libxml2 stops nesting at 256 by default)."""
    return article_html(article).replace("<article>", "<div>" * depth + "<article>", 1)


def bloated_html(article: GoodArticle, elements: int = 60_000) -> str:
    """The article followed by ``elements`` empty <i> elements (~7 bytes each: under the size limit)."""
    return article_html(article).replace("</article>", "</article><div>" + "<i></i>" * elements + "</div>", 1)


def broken_canonical(article: GoodArticle) -> str:
    """The article with a <link rel=canonical> whose URL cannot even be parsed (an unclosed IPv6 bracket)."""
    return article_html(article).replace("<title>", '<link rel="canonical" href="http://[::1/article">\n<title>', 1)


def with_nul_bytes(article: GoodArticle) -> bytes:
    """The article page in UTF-8 with NUL bytes sprinkled between elements (C-string parsers stop there)."""
    return article_html(article).replace("</p>\n", "</p>\x00\n").encode("utf-8")


# -- compression bombs --------------------------------------------------------------------------------

_CHUNK = b"\0" * (1 << 20)


@functools.cache
def gzip_bomb() -> bytes:
    """gzip of BOMB_INFLATED_BYTES zero bytes (about 64 KiB on the wire)."""
    return _zlib_bomb(31)


@functools.cache
def deflate_bomb() -> bytes:
    """zlib-wrapped deflate of BOMB_INFLATED_BYTES zero bytes (HTTP's "deflate")."""
    return _zlib_bomb(15)


def _zlib_bomb(wbits: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    parts = [packer.compress(_CHUNK) for _ in range(BOMB_INFLATED_BYTES // len(_CHUNK))]
    return b"".join(parts) + packer.flush()


@functools.cache
def brotli_bomb() -> bytes:
    """brotli of BOMB_INFLATED_BYTES zero bytes (Scrapy decodes br whatever it asked for)."""
    import brotli

    packer = brotli.Compressor(quality=5)
    parts = [packer.process(_CHUNK) for _ in range(BOMB_INFLATED_BYTES // len(_CHUNK))]
    return b"".join(parts) + packer.finish()


@functools.cache
def sitemap_bomb() -> bytes:
    """A .xml.gz sitemap that inflates to BOMB_INFLATED_BYTES of whitespace inside <urlset>."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">'.encode()
    parts = [packer.compress(head)]
    parts += [packer.compress(b" " * len(_CHUNK)) for _ in range(BOMB_INFLATED_BYTES // len(_CHUNK))]
    return b"".join(parts) + packer.compress(b"</urlset>") + packer.flush()


def gzip_page(html: str) -> bytes:
    """A page gzip-compressed the ordinary way (Content-Encoding: gzip)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    return packer.compress(html.encode("utf-8")) + packer.flush()


# -- feeds and sitemaps -------------------------------------------------------------------------------

XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


def rss(items: list[tuple[str, str]], doctype: str = "") -> bytes:
    """An RSS 2.0 feed of (title, link) items, dated in the window; ``doctype`` goes before <rss>."""
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link><pubDate>Thu, 21 Nov 2024 08:30:00 GMT</pubDate></item>\n"
        for title, link in items)
    return f"{XML_DECL}{doctype}<rss version=\"2.0\"><channel><title>Hostile</title>\n{body}</channel></rss>\n".encode()


def urlset(entries: list[tuple[str, str | None]], doctype: str = "") -> bytes:
    """A sitemap <urlset> of (loc, lastmod) entries; ``doctype`` goes before the root element."""
    rows = "".join(
        f"<url><loc>{loc}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</url>\n"
        for loc, lastmod in entries)
    return f'{XML_DECL}{doctype}<urlset xmlns="{SITEMAP_NS}">\n{rows}</urlset>\n'.encode()


def sitemap_index(children: list[tuple[str, str | None]]) -> bytes:
    """A sitemap index of (loc, lastmod) children."""
    rows = "".join(
        f"<sitemap><loc>{loc}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</sitemap>\n"
        for loc, lastmod in children)
    return f'{XML_DECL}<sitemapindex xmlns="{SITEMAP_NS}">\n{rows}</sitemapindex>\n'.encode()


def xxe_doctype(root: str, base_url: str, beacon: str) -> str:
    """A DOCTYPE declaring an external entity that reads a local file, one that calls a URL (SSRF) and an
    external DTD on the site: a safe parser resolves none of them and requests nothing."""
    return (
        f'<!DOCTYPE {root} SYSTEM "{base_url}{beacon}dtd" [\n'
        f'  <!ENTITY xxe SYSTEM "file://{XXE_FILE}">\n'
        f'  <!ENTITY ssrf SYSTEM "{base_url}{beacon}entity">\n'
        "]>\n"
    )


def laughs_doctype(root: str) -> str:
    """The billion-laughs DOCTYPE: ``&lol9;`` expands to 10^9 "lol"s (3 GB) in a naive parser."""
    lines = ['  <!ENTITY lol "lol">']
    for level in range(1, 10):
        previous = f"lol{level - 1}" if level > 1 else "lol"
        lines.append(f'  <!ENTITY lol{level} "{("&" + previous + ";") * 10}">')
    return f"<!DOCTYPE {root} [\n" + "\n".join(lines) + "\n]>\n"
