"""analyze(text) -> Analysis: language, label scores, risk, flag, reasons and indicators.

A pure library: text in, analysis out, no I/O beyond loading the shipped model once.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from spacy.tokens import Doc

from nlp import model as model_mod
from nlp.indicators import Indicator, concept_indicators, dedupe, pattern_indicators
from nlp.labels import LABELS
from nlp.language import detect_language

MAX_CHARS = 50_000  # longer texts are cut: the classifier reads the first 50,000 characters

# Reasons name at most this many indicators of each kind.
_REASON_KINDS = ("trade", "donor_offer", "price", "wait_time", "destination", "organ", "messenger", "phone",
                 "email", "blood_type", "payment", "logistics", "donor_related")
_REASON_LABEL = {
    "trade": "offer", "donor_offer": "donor supply", "price": "price", "wait_time": "waiting time",
    "destination": "destination", "organ": "organ", "messenger": "messenger", "phone": "phone",
    "email": "e-mail", "blood_type": "blood group", "payment": "payment terms", "logistics": "logistics",
    "donor_related": "donor must be related",
}


@dataclass
class Analysis:
    lang: str
    scores: dict[str, float]
    flagged: bool
    risk: int
    reasons: list[str] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    model_version: str = ""

    def as_dict(self) -> dict:
        return {
            "lang": self.lang,
            "scores": self.scores,
            "flagged": self.flagged,
            "risk": self.risk,
            "reasons": self.reasons,
            "indicators": [i.as_dict() for i in self.indicators],
        }


def analyze(text: str, lang: str | None = None) -> Analysis:
    return next(analyze_many([text], [lang]))


def analyze_many(texts: Iterable[str], langs: Iterable[str | None] | None = None, batch_size: int = 64) -> Iterator[Analysis]:
    pipeline = model_mod.load()
    info = model_mod.model_info(pipeline)
    threshold = float(info.get("threshold", model_mod.DEFAULT_THRESHOLD))
    version = str(info.get("version", ""))
    # NFC: the lexicon is written in composed forms (Bengali য়, Hindi ड़, Vietnamese tones)
    texts = [unicodedata.normalize("NFC", t[:MAX_CHARS]) for t in texts]
    langs = list(langs) if langs is not None else [None] * len(texts)
    for text, lang, doc in zip(texts, langs, pipeline.pipe(texts, batch_size=batch_size), strict=True):
        lang = lang or detect_language(text)
        yield _analysis(text, doc, lang, threshold, version)


def _analysis(text: str, doc: Doc, lang: str, threshold: float, version: str) -> Analysis:
    scores = {label: round(float(doc.cats.get(label, 0.0)), 4) for label in LABELS}
    score = model_mod.flag_score(scores)
    # `text`, not doc.text: spaCy rebuilds doc.text from every token on each call
    indicators = dedupe(concept_indicators(doc._.concepts or [], text) + pattern_indicators(text, lang))
    flagged = score >= threshold
    return Analysis(
        lang=lang,
        scores=scores,
        flagged=flagged,
        risk=int(round(100 * score)),
        reasons=reasons(scores, indicators, flagged),
        indicators=indicators,
        model_version=version,
    )


def reasons(scores: dict[str, float], indicators: list[Indicator], flagged: bool) -> list[str]:
    """Short sentences a reviewer reads: the scores, then the indicators that fired."""
    out = [f"{label} {scores[label]:.2f}" for label in sorted(LABELS, key=lambda k: -scores[k])]
    by_kind: dict[str, list[str]] = {}
    for ind in indicators:
        values = by_kind.setdefault(ind.kind, [])
        shown = ind.value if ind.kind in ("price", "phone", "destination", "organ", "blood_type", "messenger") else ind.text
        if shown not in values:
            values.append(shown)
    for kind in _REASON_KINDS:
        if kind in by_kind:
            vals = by_kind[kind]
            more = f" (+{len(vals) - 3})" if len(vals) > 3 else ""
            out.append(f"{_REASON_LABEL[kind]}: " + ", ".join(f"'{v}'" for v in vals[:3]) + more)
    return out
