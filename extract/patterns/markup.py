"""HTML pre-clean rules as data: which elements are page furniture rather than article body.

Class and id values are split into words (camelCase, "-", "_" and spaces), lower-cased, and compared
with these words and phrases; a rule never looks at the element's text.
"""

from __future__ import annotations

# Elements dropped wherever they are (figures are collected as captions first).
DROP_TAGS: tuple[str, ...] = (
    "figure",
    "figcaption",
    "picture",
    "aside",
    "nav",
    "form",
    "button",
    "select",
    "iframe",
    "svg",
    "canvas",
    "template",
    "dialog",
    "menu",
    "audio",
    "video",
    "object",
    "embed",
)

# Class/id words naming furniture, grouped by the reason they are counted under.
CLASS_WORDS: dict[str, tuple[str, ...]] = {
    "ad_block": (
        "ad",
        "ads",
        "adv",
        "advert",
        "adverts",
        "advertisement",
        "advertising",
        "adslot",
        "adunit",
        "adbox",
        "adsbygoogle",
        "dfp",
        "gpt",
        "pub",
        "publicite",
        "publicité",
        "werbung",
        "anzeige",
        "outbrain",
        "taboola",
        "teads",
        "plista",
        "ligatus",
        "sponsor",
        "sponsors",
        "sponsored",
        "sponsoring",
        "partner",
        "partners",
        "partnership",
        "promo",
        "commercial",
        "native",
        "affiliate",
    ),
    "newsletter": (
        "newsletter",
        "newsletters",
        "signup",
        "optin",
        "subscribe",
        "subscription",
        "inscription",
        "abonnieren",
    ),
    "share": (
        "share",
        "shares",
        "sharing",
        "sharebar",
        "social",
        "socials",
        "addthis",
        "sharethis",
        "partage",
        "partager",
        "teilen",
        "follow",
        "toolbar",
    ),
    "related": (
        "related",
        "relatedarticles",
        "recommended",
        "recommendation",
        "recommendations",
        "recirculation",
        "mostread",
        "mostpopular",
        "popular",
        "trending",
        "lireaussi",
        "outbrain",
        "further",
        "similar",
        "breadcrumb",
        "breadcrumbs",
        "pagination",
        "pager",
        "tags",
        "taglist",
        "keywords",
        "topics",
    ),
    "comment_counter": (
        "comment",
        "comments",
        "commentcount",
        "disqus",
        "reactions",
        "kommentare",
        "commentaires",
    ),
    "caption": (
        "caption",
        "captions",
        "credit",
        "credits",
        "copyright",
        "legend",
        "legende",
        "légende",
        "bildunterschrift",
        "bildnachweis",
        "photocredit",
        "slideshow",
        "carousel",
        "lightbox",
    ),
    "byline_meta": (
        "byline",
        "dateline",
        "timestamp",
        "readtime",
        "readingtime",
        "lesezeit",
        "author",
        "authors",
        "meta",
        "metadata",
        "postmeta",
        "entrymeta",
    ),
    "overlay": (
        "modal",
        "popup",
        "overlay",
        "cookie",
        "cookies",
        "consent",
        "gdpr",
        "banner",
    ),
}

# Whole class names (not words of them) that hide an element from sighted readers. Responsive and
# utility variants ("hidden-xs", "overflow-hidden") are deliberately absent: their content shows.
HIDDEN_CLASSES: frozenset[str] = frozenset(
    {
        "hidden",
        "hide",
        "is-hidden",
        "d-none",
        "display-none",
        "sr-only",
        "sr-only-focusable",
        "visually-hidden",
        "visuallyhidden",
        "screen-reader-text",
        "screen-reader-only",
        "screenreader",
        "invisible",
        "offscreen",
        "element-invisible",
        "u-hidden",
        "a11y-hidden",
        "hidden-visually",
    }
)

# Multi-word class/id phrases (matched on word boundaries in the split value).
CLASS_PHRASES: dict[str, tuple[str, ...]] = {
    "related": (
        "read more",
        "read also",
        "lire aussi",
        "a lire",
        "voir aussi",
        "see also",
        "more from",
        "more on",
        "mehr zum thema",
        "auch interessant",
        "more stories",
        "you may like",
        "up next",
        "next article",
    ),
    "comment_counter": ("comment count", "comments count", "nb comments"),
    "byline_meta": ("reading time", "read time", "temps lecture", "post date", "entry date", "article date"),
    "caption": ("image credit", "photo credit", "media credit", "image source"),
}
# Taxonomy classes (WordPress and others) name the post's topics, not the element's role.
TAXONOMY_CLASS_PREFIXES: tuple[str, ...] = (
    "post_format-",
    "term-",
    "node-type-",
    "category-",
    "tag-",
    "post-",
    "topic-",
    "section-",
    "format-",
    "type-",
    "status-",
    "postid-",
    "has-",
)
# A class name or id of more than this many words is a generated slug (an anchor made from a heading,
# a tag list), not a role name: it is ignored.
MAX_CLASS_NAME_WORDS = 5

# Elements never matched by class rules (they hold the whole page).
NEVER_DROP_TAGS: tuple[str, ...] = (
    "html",
    "body",
    "main",
    "head",
    "title",
    "meta",
    "link",
    "script",
    "style",
)

# ARIA roles that mark furniture.
DROP_ROLES: tuple[str, ...] = (
    "complementary",
    "navigation",
    "banner",
    "contentinfo",
    "dialog",
    "alertdialog",
    "search",
    "menu",
    "menubar",
    "toolbar",
    "tablist",
    "advertisement",
)
# Words in aria-label values that mark furniture (several languages).
ARIA_LABEL_WORDS: tuple[str, ...] = (
    "share",
    "partager",
    "partage",
    "teilen",
    "advert",
    "publicité",
    "werbung",
    "anzeige",
    "related",
    "newsletter",
    "sponsor",
    "breadcrumb",
    "fil d'ariane",
    "social",
)

# A class-matched element holding more than this share of the page's paragraph text (and more than
# GUARD_MIN_CHARS of it) is the article itself with an unlucky class name: it is kept.
GUARD_SHARE = 0.3
GUARD_MIN_CHARS = 400
# Likewise an element whose text is mostly not links (at most GUARD_PROSE_MAX_LINK_SHARE) and that
# holds GUARD_PROSE_TOTAL_CHARS of plain text, or GUARD_PROSE_PARAGRAPHS paragraphs of
# GUARD_PROSE_CHARS: furniture (ads, prompts, teasers) is not written in long prose.
GUARD_PROSE_PARAGRAPHS = 2
GUARD_PROSE_CHARS = 150
GUARD_PROSE_TOTAL_CHARS = 400
GUARD_PROSE_MAX_LINK_SHARE = 0.3

# Paragraph-like elements that, when they are only a link to another page of the same site,
# are related-article teasers.
LINK_ONLY_TAGS: tuple[str, ...] = ("p", "h2", "h3", "h4", "h5", "h6")
LINK_ONLY_MAX_WORDS = 40
# Characters allowed around the link in a link-only paragraph (arrows, bullets, quotes, colons).
LINK_ONLY_FILLER = " \t\n\r\xa0-–—>»«→•·:|*\"'“”‘’()[]."

# Link texts at least this long may be teaser headlines (counted to recognise section fronts).
TEASER_MIN_CHARS = 25

# Minimum length of a caption/alt text for its repeats in the body to be dropped (short alts are noise).
CAPTION_MIN_CHARS = 20

# --- Captions and credits by structure (extract/captions.py), for markup that names nothing -----------
# Elements that show media: a short text block beside one of them is a caption or a credit.
MEDIA_TAGS: tuple[str, ...] = ("img", "picture", "video", "iframe", "amp-img", "amp-video", "amp-iframe")
# Images smaller than this (width or height attribute, pixels) are icons, avatars, emoji or tracking pixels.
MEDIA_MIN_PIXELS = 100
# Words in an image's src or class that mark an icon rather than a picture.
ICON_WORDS: tuple[str, ...] = ("emoji", "icon", "smiley", "spinner", "pixel", "spacer", "sprite", "badge", "logo")
# A container holding a media element and at most this many words in at most CAPTION_BOX_MAX_BLOCKS text
# blocks (none longer than CAPTION_MAX_WORDS, no heading) is a media box: its text is caption and credit.
CAPTION_BOX_MAX_WORDS = 60
CAPTION_BOX_MAX_BLOCKS = 3
CAPTION_MAX_WORDS = 45
# Captions say what a picture shows in a sentence or two; a block of more sentences beside an image is
# prose set next to it (a bio, a review, a text-with-picture element), unless it ends with a credit.
CAPTION_MAX_SENTENCES = 2
# A media box is never more than this share of the page's paragraph text (a brief with its photo is body).
CAPTION_BOX_MAX_SHARE = 0.3
# Beside a media element in a larger container (the body), up to this many following text blocks are
# looked at as caption and credit; each needs evidence (alt/title match, credit pattern, a class of its
# own among body paragraphs, or a credit right after it).
CAPTION_SIBLINGS = 2
# A class shared by at least this many same-tag siblings of BODY_PARAGRAPH_WORDS words or more is the
# body's; a block with another class is not.
BODY_CLASS_MIN_SIBLINGS = 3
BODY_PARAGRAPH_WORDS = 25
# A block of fewer words without a closing stop may be a subheading set as a paragraph: its own class
# proves nothing.
HEADING_MAX_WORDS = 12
# A line whose words overlap an image's alt/title text this much (Jaccard, lines of at most
# CAPTION_MAX_WORDS words) repeats the caption.
ALT_SIMILARITY = 0.6
# A credit with no agency or keyword to match: "Name Surname for The Daily" right after a caption. Words that
# join a photographer's name to the outlet, in the residue rules' languages (en, fr, de, es, pl).
CREDIT_CONNECTORS: tuple[str, ...] = ("for", "by", "pour", "par", "für", "von", "para", "por", "dla")
CREDIT_MAX_WORDS = 8
# Blocks the caption pass looks at (text containers; lists, tables and headings never are captions).
CAPTION_BLOCK_TAGS: tuple[str, ...] = ("p", "div", "span", "small", "em", "i", "cite", "a")
