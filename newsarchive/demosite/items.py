"""The pieces a page is made of, each knowing the visible text lines it renders to.

A page is planned as a sequence of these items (see ``layout``); the templates turn items into markup and
the ground truth reads the same items, so what the truth says is on a page is what the page shows. Every
item's ``lines`` are exactly the lines ``textlines.visible_lines`` reads back from the rendered markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["title", "body", "residue"]


# --- body blocks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph."""

    text: str
    role: Role = "body"

    @property
    def lines(self) -> tuple[str, ...]:
        """Visible lines."""
        return (self.text,)


@dataclass(frozen=True)
class Subheading:
    """A body subheading (h2)."""

    text: str
    role: Role = "body"

    @property
    def lines(self) -> tuple[str, ...]:
        """Visible lines."""
        return (self.text,)


@dataclass(frozen=True)
class Quote:
    """A blockquote inside the body (one paragraph)."""

    text: str
    role: Role = "body"

    @property
    def lines(self) -> tuple[str, ...]:
        """Visible lines."""
        return (self.text,)


@dataclass(frozen=True)
class BulletList:
    """A bulleted list inside the body, one line per item."""

    items: tuple[str, ...]
    role: Role = "body"

    @property
    def lines(self) -> tuple[str, ...]:
        """Visible lines."""
        return self.items


BodyBlock = Paragraph | Subheading | Quote | BulletList


# --- the title ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Title:
    """The article headline (h1)."""

    text: str
    role: Role = "title"

    @property
    def lines(self) -> tuple[str, ...]:
        """Visible lines."""
        return (self.text,)


# --- clutter inside the article column (residue) ------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """An image with its caption and photo credit.

    ``title_line`` repeats the caption once as a line of its own (an image title rendered as text, as in
    sample 000); ``credit_inline`` puts the credit on the caption's line instead of a line of its own.
    """

    src: str
    caption: str
    credit: str = ""
    credit_inline: bool = True
    title_line: bool = False
    role: Role = "residue"

    @property
    def lines(self) -> tuple[str, ...]:
        """Visible lines."""
        out: list[str] = [self.caption] if self.title_line else []
        if self.credit and self.credit_inline:
            out.append(f"{self.caption} {self.credit}")
        else:
            out.append(self.caption)
            if self.credit:
                out.append(self.credit)
        return tuple(out)


@dataclass(frozen=True)
class Teaser:
    """An inline related-article link ("À lire aussi", "Read more") inside the body column.

    ``path`` is the linked article's site path; with ``label_inline`` the label and the title share a line.
    """

    path: str
    text: str
    label: str = ""
    label_inline: bool = True
    role: Role = "residue"

    @property
    def lines(self) -> tuple[str, ...]:
        """Visible lines."""
        if not self.label:
            return (self.text,)
        if self.label_inline:
            return (f"{self.label} {self.text}",)
        return (self.label, self.text)


@dataclass(frozen=True)
class AdSlot:
    """An advertisement slot: only its label is text, the creative is an empty box."""

    label: str
    slot: str
    role: Role = "residue"

    @property
    def lines(self) -> tuple[str, ...]:
        """Visible lines."""
        return (self.label,)


@dataclass(frozen=True)
class PartnerEntry:
    """One line of a partner block: a logo (image with alt plus screen-reader text) or the label."""

    text: str
    logo: bool


@dataclass(frozen=True)
class Partner:
    """A sponsor/partner block with logos ("in partnership with", "sponsored by")."""

    entries: tuple[PartnerEntry, ...]
    role: Role = "residue"

    @property
    def lines(self) -> tuple[str, ...]:
        """Visible lines."""
        return tuple(entry.text for entry in self.entries)


@dataclass(frozen=True)
class MetaLine:
    """The "category • date" line; ``datetime`` is the ISO instant put on the <time> element."""

    category: str
    category_path: str
    date_text: str
    datetime: str
    role: Role = "residue"

    @property
    def lines(self) -> tuple[str, ...]:
        """Visible lines."""
        return (f"{self.category} • {self.date_text}",)


@dataclass(frozen=True)
class TextLine:
    """A one-line piece of page furniture; ``kind`` names it for the templates.

    Kinds: placeholder ("..."), readtime, counter (comment counter, linked to #comments), byline,
    updated ("Mis à jour le ..."), kicker.
    """

    kind: str
    text: str
    role: Role = "residue"

    @property
    def lines(self) -> tuple[str, ...]:
        """Visible lines."""
        return (self.text,)


@dataclass(frozen=True)
class LinkList:
    """A titled list of links: share buttons, tags, related articles, most read, nav, footer links.

    ``kind`` names it for the templates (share, tags, related, mostread, nav, footer); ``links`` are
    (text, href) pairs, href absolute-path or "" for buttons.
    """

    kind: str
    heading: str
    links: tuple[tuple[str, str], ...]
    role: Role = "residue"

    @property
    def lines(self) -> tuple[str, ...]:
        """Visible lines."""
        head = (self.heading,) if self.heading else ()
        return head + tuple(text for text, _ in self.links)


@dataclass(frozen=True)
class Box:
    """A box of text lines with an optional button line: newsletter signup, cookie banner, footer notice.

    ``kind`` names it for the templates (newsletter, cookies, notice).
    """

    kind: str
    texts: tuple[str, ...]
    buttons: tuple[str, ...] = ()
    role: Role = "residue"

    @property
    def lines(self) -> tuple[str, ...]:
        """Visible lines (the buttons share one line, as inline elements do)."""
        return self.texts + ((" ".join(self.buttons),) if self.buttons else ())


Item = (
    Paragraph
    | Subheading
    | Quote
    | BulletList
    | Title
    | Figure
    | Teaser
    | AdSlot
    | Partner
    | MetaLine
    | TextLine
    | LinkList
    | Box
)


def item_lines(items: tuple[Item, ...] | list[Item]) -> tuple[str, ...]:
    """All visible lines of a sequence of items, in order."""
    return tuple(line for item in items for line in item.lines)
