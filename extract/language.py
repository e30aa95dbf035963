"""Language tagging: langdetect (seeded, so deterministic), falling back to what the page declares."""

from __future__ import annotations

from dataclasses import dataclass

from langdetect import DetectorFactory, detector_factory
from langdetect.lang_detect_exception import LangDetectException

# Deterministic results: langdetect samples randomly unless seeded.
DetectorFactory.seed = 0

# Below this many characters of text, detection is unreliable and the declared language wins.
MIN_DETECT_CHARS = 200
# Below this top probability, the declared language wins.
MIN_PROBABILITY = 0.8
# Detection reads at most this much text: enough for a stable answer on prose, and langdetect's
# cost grows with the length it reads.
SAMPLE_CHARS = 800
# Random trials averaged by langdetect (its default is 7): on article-length prose they agree, and
# the trials are most of its cost.
TRIALS = 3


@dataclass(frozen=True)
class LanguageResult:
    """The chosen language (ISO 639-1, or None), its probability, and where it came from."""

    language: str | None
    confidence: float
    source: str  # "detected" or "declared"


def _primary(code: str) -> str:
    return code.split("-", 1)[0].lower()


def detect(text: str) -> list[tuple[str, float]]:
    """langdetect's candidates for ``text`` (primary subtag, probability), best first; [] on failure."""
    detector_factory.init_factory()  # loads the profiles once
    detector = detector_factory._factory.create()
    detector.n_trial = TRIALS
    detector.append(text[:SAMPLE_CHARS])
    try:
        results = detector.get_probabilities()
    except LangDetectException:
        return []
    merged: dict[str, float] = {}
    for result in results:
        code = _primary(str(result.lang))
        merged[code] = merged.get(code, 0.0) + float(result.prob)
    return sorted(merged.items(), key=lambda kv: -kv[1])


def choose_language(text: str, declared: str | None, site_languages: tuple[str, ...] = ()) -> LanguageResult:
    """Detected language when detection is sure; else the page's declared language, else the site's
    language the detector ranks best (or the site's only language); else the detector's best guess."""
    candidates = detect(text) if text.strip() else []
    probs = dict(candidates)
    fallback = declared
    if fallback is None and site_languages:
        ranked = sorted(site_languages, key=lambda code: -probs.get(code, 0.0))
        fallback = ranked[0] if len(site_languages) == 1 or probs.get(ranked[0], 0.0) > 0 else None
    if candidates:
        best, prob = candidates[0]
        sure = len(text) >= MIN_DETECT_CHARS and prob >= MIN_PROBABILITY
        if sure or fallback is None:
            return LanguageResult(best, round(prob, 4), "detected")
        return LanguageResult(fallback, round(probs.get(fallback, 0.0), 4), "declared")
    if fallback is not None:
        return LanguageResult(fallback, 0.0, "declared")
    return LanguageResult(None, 0.0, "detected")
