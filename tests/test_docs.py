"""The documentation stays sound: every relative link and #anchor resolves, every test a guarantee cites exists.

README.md and docs/*.md link each other by relative paths and GitHub heading anchors; a moved section or a
renamed heading would otherwise leave dead links behind. docs/guarantees.md names the test proving each
guarantee; a renamed or deleted test would otherwise leave a promise nothing proves.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINKED = [*DOCUMENTS, ROOT / "benchmarks" / "README.md"]

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
# [text](target) and ![alt](target); the text may hold one level of brackets and span lines.
_LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^()\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$", re.M)
_HTML_ANCHOR = re.compile(r"<a\s[^>]*(?:id|name)=\"([^\"]+)\"", re.I)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text without markup, lower-case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link counts by its text
    text = text.replace("`", "").replace("*", "")
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def _prose(text: str) -> tuple[str, list[str]]:
    """The text with fenced code blocks blanked out, and its heading lines."""
    lines, headings, fence = [], [], ""
    for line in text.splitlines():
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
            lines.append("")
            continue
        if opened:
            fence = opened.group(1)
            lines.append("")
            continue
        lines.append(line)
        heading = _HEADING.match(line)
        if heading:
            headings.append(heading.group(2))
    return "\n".join(lines), headings


def anchors(path: Path) -> set[str]:
    """Every #anchor a Markdown file offers: its headings (repeats get -1, -2...) and HTML anchors."""
    prose, headings = _prose(path.read_text(encoding="utf-8"))
    seen: Counter[str] = Counter()
    found = set(_HTML_ANCHOR.findall(prose))
    for heading in headings:
        base = slug(heading)
        found.add(base if not seen[base] else f"{base}-{seen[base]}")
        seen[base] += 1
    return found


def links(path: Path) -> list[str]:
    """The link targets of a Markdown file, outside code blocks and code spans."""
    prose, _ = _prose(path.read_text(encoding="utf-8"))
    prose = _CODE_SPAN.sub("", prose)
    return [m.group(2) for m in _LINK.finditer(prose)] + _REFERENCE.findall(prose)


def broken_links(path: Path) -> list[str]:
    """What is wrong with each relative link of one document: a missing file or a missing anchor."""
    problems = []
    for target in links(path):
        if _SCHEME.match(target):
            continue  # http(s), mailto: not ours to check offline
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            problems.append(f"{target}: no such file {linked}")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            problems.append(f"{target}: no heading #{anchor} in {linked.name}")
    return problems


@pytest.mark.parametrize("document", LINKED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_anchor_resolves(document: Path) -> None:
    assert broken_links(document) == []


def test_every_document_is_reachable_from_the_readme() -> None:
    linked = {(ROOT / t.partition("#")[0]).resolve() for t in links(ROOT / "README.md") if not _SCHEME.match(t)}
    assert [d.name for d in DOCUMENTS[1:] if d.resolve() not in linked] == []


@pytest.mark.parametrize(("heading", "anchor"), [
    ("With DuckDB (the index, no text)", "with-duckdb-the-index-no-text"),
    ("[checks]", "checks"),
    ("Limits & Retries", "limits--retries"),
    ("crawl.py — our spider vs a bare Scrapy spider", "crawlpy--our-spider-vs-a-bare-scrapy-spider"),
    ("ArticleRecord (JSON)", "articlerecord-json"),
    ("`max_pages` and snake_case", "max_pages-and-snake_case"),
])
def test_anchors_follow_githubs_rules(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor


def test_a_dead_link_or_anchor_is_reported(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n\n## Same\n\n## Same\n", encoding="utf-8")
    doc = tmp_path / "doc.md"
    doc.write_text("# Doc\n\n[ok](other.md#same-1), [also ok](#doc), [gone](missing.md),\n"
                   "[no such](other.md#same-2), [here](#nowhere)\n\n```\n[in code](ignored.md)\n```\n"
                   "`[in a span](ignored.md)` [web](https://example.org/x#y)\n", encoding="utf-8")
    problems = broken_links(doc)
    assert [p.split(":")[0] for p in problems] == ["missing.md", "other.md#same-2", "#nowhere"], problems


# -- the tests docs/guarantees.md cites ---------------------------------------------------------------------

GUARANTEES = ROOT / "docs" / "guarantees.md"


def _short_names(text: str) -> dict[str, Path]:
    """The 'Short names:' paragraph: `hostile` = `tests/reliability/test_hostile_cases.py`, `security` =
    `test_security.py` (a bare file name is in the folder of the path before it)."""
    paragraph = text[text.index("Short names:"):].split("\n\n")[0]
    names, folder = {}, ROOT / "tests"
    for name, file in re.findall(r"`(\w+)`\s*=\s*`([^`]+)`", paragraph):
        path = ROOT / file if "/" in file else folder / file
        folder = path.parent
        names[name] = path
    return names


def _find_test_file(name: str) -> Path:
    found = sorted((ROOT / "tests").rglob(name))
    assert len(found) == 1, f"{name}: {len(found)} files in tests/"
    return found[0]


def cited_tests() -> list[tuple[Path, str]]:
    """(file, test function pattern) for every `file::test` the guarantee tables cite; `::test` goes on
    with the file cited before it, `[...]` parameters are dropped, `*` matches any name."""
    text = GUARANTEES.read_text(encoding="utf-8")
    short = _short_names(text)
    cited = []
    for row in (line for line in text.splitlines() if line.startswith("|")):
        current: Path | None = None
        for token in re.findall(r"`([^`]+)`", row):
            if re.fullmatch(r"tests/[\w/]+(?:\.py)?", token):
                cited.append((ROOT / token, "*"))  # a whole test file or folder
                continue
            match = re.fullmatch(r"([\w./]*)::([\w*]+)(?:\[.*\])?", token)
            if not match:
                continue
            file, test = match.groups()
            if file:
                current = short[file] if file in short else ROOT / file if "/" in file else _find_test_file(file)
            assert current is not None, f"{token}: no file cited before it in: {row[:80]}"
            cited.append((current, test))
    return cited


def test_guarantees_cite_tests_that_exist() -> None:
    cited = cited_tests()
    assert len(cited) > 80  # the tables were read, not skipped
    missing = []
    for file, test in cited:
        if not file.exists():
            missing.append(f"{file.relative_to(ROOT)} (no such file)")
            continue
        pattern = r"^\s*(?:async )?def " + test.replace("*", r"\w*") + r"\("
        if test != "*" and not re.search(pattern, file.read_text(encoding="utf-8"), re.M):
            missing.append(f"{file.relative_to(ROOT)}::{test}")
    assert missing == []
