"""analyze(text) -> Analysis: language, label scores, risk, flag, reasons and indicators.

A pure library: text in, analysis out, no I/O beyond loading the shipped model once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc

from nlp import model as model_mod
from nlp.indicators import Indicator, concept_indicators, dedupe, pattern_indicators
from nlp.labels import LABELS
from nlp.language import detect_language

MAX_CHARS = 50_000  # longer texts are cut: the classifier reads the first 50,000 characters
OFF_TOPIC = "names no organ, transplant, donor or blood group: not read by the classifier"  # a reason, when it applies

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


def analyze(text: str, lang: str | None = None, topic: bool | None = None) -> Analysis:
    """`topic`: whether the page names the topic (nlp/gate.py), when its HTML told more than the
    text does (crawler/extract.py); None: the gate reads the text."""
    return next(analyze_many([text], [lang], topics=[topic]))


def analyze_many(texts: Iterable[str], langs: Iterable[str | None] | None = None, batch_size: int = 64,
                 topics: Iterable[bool | None] | None = None) -> Iterator[Analysis]:
    pipeline = model_mod.load()
    threshold, version = _flagging(pipeline)
    # NFC: the lexicon is written in composed forms (Bengali য়, Hindi ड़, Vietnamese tones)
    texts = [unicodedata.normalize("NFC", t[:MAX_CHARS]) for t in texts]
    langs = list(langs) if langs is not None else [None] * len(texts)
    pages = model_mod.page_scores(pipeline, texts, batch_size=batch_size, topics=topics)
    for text, lang, page in zip(texts, langs, pages, strict=True):
        lang = lang or detect_language(text)
        yield _analysis(text, page, lang, threshold, version)


@lru_cache(maxsize=2)  # spaCy rebuilds a pipeline's meta on every read
def _flagging(pipeline) -> tuple[float, str]:
    """The model's flag threshold and version."""
    info = model_mod.model_info(pipeline)
    return float(info.get("threshold", model_mod.DEFAULT_THRESHOLD)), str(info.get("version", ""))


def _analysis(text: str, page: model_mod.PageScore, lang: str, threshold: float, version: str) -> Analysis:
    doc: Doc | None = page.doc  # None: off topic, not read (nlp/gate.py)
    scores = {label: round(float(page.scores.get(label, 0.0)), 4) for label in LABELS}
    score = model_mod.flag_score(scores)
    # `text`, not doc.text: spaCy rebuilds doc.text from every token on each call
    # off topic: contacts only (they link pages across sites); its prices say nothing of ours
    concepts = concept_indicators(doc._.concepts or [], text) if doc is not None else []
    indicators = dedupe(concepts + pattern_indicators(text, lang, contacts_only=doc is None))
    flagged = score >= threshold
    why = reasons(scores, indicators, flagged)
    if doc is None:
        why.insert(0, OFF_TOPIC)
    if flagged and page.passage:
        why.append(f"strongest passage: '{excerpt(text[page.passage[0]:page.passage[1]])}'")
    return Analysis(
        lang=lang,
        scores=scores,
        flagged=flagged,
        risk=int(round(100 * score)),
        reasons=why,
        indicators=indicators,
        model_version=version,
    )


_EDGE_NUMBER = re.compile(r"^[\d\s+\-().,/]+|[\d\s+\-().,/]+$")


def excerpt(passage: str, limit: int = 80) -> str:
    """The start of a passage on one line, cut at a word and never inside a number: a window
    can start, and the excerpt end, in the middle of a phone number, and a piece of one would
    escape the public redaction (which masks whole numbers)."""
    flat = _EDGE_NUMBER.sub("", " ".join(passage.split()))
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return _EDGE_NUMBER.sub("", cut) + "..."


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
