"""Extraction benchmark: our extract_article against bare trafilatura.extract on the annotated dev set.

For every annotated page: precision = share of its `without` snippets absent from the output, recall =
share of its `with` snippets present (whitespace collapsed on both sides); both averaged over pages,
F1 from the averages (micro-averaged figures in brackets). Both extractors run in the same process on
the same pages, interleaved page by page; speed is pages per CPU-second of each (process time, warm,
one core, so other load on the machine does not skew the ratio); peak memory is tracemalloc's peak
per page on a sample, plus the process's max RSS. A rejected page counts as an empty text.

    python benchmarks/extraction.py                 # unpacks the dev set to var/bench/ once
    python benchmarks/extraction.py --data-dir /tmp/dev   # a folder holding the unpacked archives
    python benchmarks/extraction.py --limit 200     # quicker, first 200 annotated pages
    python benchmarks/extraction.py --dump var/bench/report.jsonl   # per-page results to inspect
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tarfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
# Run as a script from anywhere: the project root first on the path, so `extract` is this checkout's.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extract import Rejected, extract_article  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
ARCHIVES = ("trafilatura-eval.tar.xz", "trafilatura-eval-cache.tar.xz")
WORK_DIR = ROOT / "var" / "bench"


@dataclass(frozen=True)
class Page:
    """One annotated page: where its HTML is and which snippets must (not) be in the text."""

    url: str
    path: Path
    with_: tuple[str, ...]
    without: tuple[str, ...]


@dataclass
class Score:
    """Per-extractor totals."""

    name: str
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    seconds: float = 0.0
    rejected: Counter[str] = field(default_factory=Counter)
    access: Counter[str] = field(default_factory=Counter)
    paywall_losses: int = 0  # pages the baseline extracts that we reject as paywalled (must stay 0)
    peak_kib: float = 0.0

    def add(self, text: str, page: Page) -> tuple[float, float]:
        flat = " ".join(text.split())
        found = [" ".join(s.split()) in flat for s in page.with_]
        leaked = [" ".join(s.split()) in flat for s in page.without]
        self.tp += sum(found)
        self.fn += len(found) - sum(found)
        self.fp += sum(leaked)
        self.tn += len(leaked) - sum(leaked)
        p = 1 - sum(leaked) / len(leaked) if leaked else 1.0
        r = sum(found) / len(found) if found else 1.0
        self.precision.append(p)
        self.recall.append(r)
        return p, r

    def macro(self) -> tuple[float, float, float]:
        p = sum(self.precision) / len(self.precision)
        r = sum(self.recall) / len(self.recall)
        return p, r, 2 * p * r / (p + r) if p + r else 0.0

    def micro(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, 2 * p * r / (p + r) if p + r else 0.0


def unpack(work_dir: Path) -> Path:
    """Unpack the dev set archives into work_dir (once) and return it."""
    marker = work_dir / ".unpacked"
    if marker.exists():
        return work_dir
    work_dir.mkdir(parents=True, exist_ok=True)
    for name in ARCHIVES:
        archive = DATASETS / name
        if not archive.exists():
            raise SystemExit(f"dev set archive missing: {archive}")
        with tarfile.open(archive) as tar:
            tar.extractall(work_dir, filter="data")
    marker.touch()
    return work_dir


def load_pages(data_dir: Path) -> list[Page]:
    """Annotated pages that have an HTML file (main archive or the cache supplement)."""
    annotations = json.loads((data_dir / "trafilatura-eval" / "annotations.json").read_text(encoding="utf-8"))
    folders = (data_dir / "trafilatura-eval" / "pages", data_dir / "trafilatura-eval-cache" / "cache")
    pages: list[Page] = []
    for url, item in annotations.items():
        path = next((f / item["file"] for f in folders if (f / item["file"]).exists()), None)
        if path is None:
            continue
        pages.append(Page(url, path, tuple(item.get("with") or ()), tuple(item.get("without") or ())))
    return pages


def ours_record(html: bytes, url: str) -> tuple[str, str | None, str | None]:
    """Our record's title and text (first line the title) and access, or "", the reason and None when rejected."""
    try:
        record = extract_article(html, url)
    except Rejected as err:
        return "", err.reason, None
    return f"{record.title}\n{record.text}", None, record.access


def ours_text(html: bytes, url: str) -> tuple[str, str | None]:
    """Our record's title and text (first line the title), or "" and the reason when rejected."""
    text, reason, _ = ours_record(html, url)
    return text, reason


def text_only(output: str) -> str:
    """The record's text alone (our output without its first line, the title)."""
    return output.partition("\n")[2]


def bare_text(html: bytes, url: str) -> tuple[str, str | None]:
    """Bare trafilatura.extract with its default options (the baseline)."""
    return trafilatura.extract(html) or "", None


def run_both(pages: list[Page], blobs: list[bytes]) -> tuple[Score, Score, list[tuple[str, str | None]]]:
    """Run the baseline and ours page by page, interleaved, so that load from other processes on
    the machine slows both alike; each extractor's time is summed over its own calls only."""
    bare = Score("bare trafilatura.extract")
    ours = Score("newsarchive extract_article (text)")
    for fn in (bare_text, ours_text):
        fn(blobs[0], pages[0].url)  # warm-up: lazy imports and langdetect profiles are not per-page costs
    outputs: list[tuple[str, str | None]] = []
    for page, blob in zip(pages, blobs, strict=True):
        start = time.process_time()
        bare_out, _ = bare_text(blob, page.url)
        middle = time.process_time()
        ours_out, reason, access = ours_record(blob, page.url)
        bare.seconds += middle - start
        ours.seconds += time.process_time() - middle
        bare.add(bare_out, page)
        ours.add(text_only(ours_out), page)
        if reason:
            ours.rejected[reason] += 1
            if reason == "paywalled" and bare_out.strip():
                ours.paywall_losses += 1
        else:
            ours.access[access or "unknown"] += 1
        outputs.append((ours_out, reason))
    return bare, ours, outputs


def missing(snippets: tuple[str, ...], text: str, *, present: bool) -> list[str]:
    """The snippets found (present=True) or not found (present=False) in the text."""
    flat = " ".join(text.split())
    return [s for s in snippets if (" ".join(s.split()) in flat) == present]


def peak_memory(pages: list[Page], blobs: list[bytes], fn: Callable[[bytes, str], tuple[str, str | None]]) -> float:
    """Largest tracemalloc peak (KiB) of one page's extraction over the sample."""
    worst = 0.0
    tracemalloc.start()
    for page, blob in zip(pages, blobs, strict=True):
        tracemalloc.reset_peak()
        fn(blob, page.url)
        worst = max(worst, tracemalloc.get_traced_memory()[1] / 1024)
    tracemalloc.stop()
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="folder holding trafilatura-eval/ (default: unpack to var/bench)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    parser.add_argument("--memory-sample", type=int, default=100, help="pages in the tracemalloc pass")
    parser.add_argument("--dump", type=Path, help="write per-page results (JSON lines) here")
    args = parser.parse_args(argv)

    data_dir = args.data_dir or unpack(WORK_DIR)
    pages = load_pages(data_dir)
    if args.limit:
        pages = pages[: args.limit]
    blobs = [p.path.read_bytes() for p in pages]

    bare, ours, outputs = run_both(pages, blobs)
    titled = Score("newsarchive extract_article (title + text)")
    for page, (text, _) in zip(pages, outputs, strict=True):
        titled.add(text, page)
    sample = slice(0, min(args.memory_sample, len(pages)))
    bare.peak_kib = peak_memory(pages[sample], blobs[sample], bare_text)
    ours.peak_kib = peak_memory(pages[sample], blobs[sample], ours_text)

    if args.dump:
        with args.dump.open("w", encoding="utf-8") as out:
            for i, page in enumerate(pages):
                out.write(
                    json.dumps(
                        {
                            "url": page.url,
                            "file": page.path.name,
                            "ours_p": ours.precision[i],
                            "ours_r": ours.recall[i],
                            "bare_p": bare.precision[i],
                            "bare_r": bare.recall[i],
                            "rejected": outputs[i][1],
                            "missing": missing(page.with_, text_only(outputs[i][0]), present=False),
                            "leaked": missing(page.without, text_only(outputs[i][0]), present=True),
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )

    n = len(pages)
    print(f"\n{n} annotated pages; precision/recall averaged per page (micro in brackets)\n")
    print("| extractor | precision | recall | F1 | pages/s | peak KiB/page | rejected |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for score in (bare, ours, titled):
        p, r, f1 = score.macro()
        mp, mr, mf = score.micro()
        speed = f"{n / score.seconds:.1f}" if score.seconds else "(same run)"
        mem = f"{score.peak_kib:,.0f}" if score.peak_kib else "-"
        rej = ", ".join(f"{k}: {v}" for k, v in sorted(score.rejected.items())) or "-"
        cells = [score.name, f"{p:.3f} ({mp:.3f})", f"{r:.3f} ({mr:.3f})", f"{f1:.3f} ({mf:.3f})", speed, mem, rej]
        print("| " + " | ".join(cells) + " |")
    bp, _br, bf = bare.macro()
    op, _orr, of = ours.macro()
    ratio = (n / ours.seconds) / (n / bare.seconds)
    print(
        f"\nF1 gain {of - bf:+.4f} (target >= +0.020), precision gain {op - bp:+.4f} (target >= +0.030), "
        f"speed ratio {ratio:.2f}x (target >= 0.85x); process max RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    )
    access = ", ".join(f"{k}: {v}" for k, v in sorted(ours.access.items()))
    print(f"access of the archived pages: {access}; pages bare trafilatura extracts that we reject as paywalled: "
          f"{ours.paywall_losses} (target 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
