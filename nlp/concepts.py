"""The multilingual concept lexicon and the pipeline component that marks it in a Doc.

`nlp/lexicon/<lang>.json` lists, per concept of `labels.CONCEPTS`, the phrases that say it in
that language. The component finds them all (whatever the page's language: pages mix them),
keeps the longest match where they overlap, writes `#concept` into each matched token's NORM
(so the classifier's features carry across languages) and leaves the matches in
`doc._.concepts` as (concept, value, start_char, end_char) for the indicators.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import numpy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from nlp.labels import CONCEPTS
from nlp.tokenizer import split

LEXICON_DIR = Path(__file__).parent / "lexicon"

if not Doc.has_extension("concepts"):
    Doc.set_extension("concepts", default=None)


class LexiconError(ValueError):
    pass


def lexicon_files() -> list[Path]:
    return sorted(LEXICON_DIR.glob("*.json"))


@lru_cache(maxsize=1)
def load_lexicon() -> dict[str, dict[str, set[str]]]:
    """concept -> value -> phrases, merged over every language file."""
    merged: dict[str, dict[str, set[str]]] = {c: {} for c in CONCEPTS}
    for path in lexicon_files():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise LexiconError(f"{path}:{e.lineno}: {e.msg}") from e
        for concept, entries in data.items():
            if concept not in CONCEPTS:
                raise LexiconError(f"{path}: unknown concept {concept!r} (known: {', '.join(CONCEPTS)})")
            if isinstance(entries, dict):
                items = entries.items()
            else:
                items = [(concept, entries)]
            for value, phrases in items:
                bucket = merged[concept].setdefault(str(value), set())
                for phrase in phrases:
                    phrase = str(phrase).strip().lower()
                    if phrase:
                        bucket.add(phrase)
    return merged


def lexicon_digest() -> str:
    h = hashlib.sha256()
    for path in lexicon_files():
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


# Concepts whose matches outrank others when two overlap with the same length.
_PRIORITY = {c: i for i, c in enumerate(CONCEPTS)}


class ConceptMarker:
    def __init__(self, nlp: Language, name: str = "concepts"):
        self.name = name
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.prefixes: dict[str, tuple[str, str]] = {}
        self.keys: dict[int, tuple[str, str]] = {}
        for concept, values in load_lexicon().items():
            for value, phrases in values.items():
                key = f"{concept}\t{value}"
                key_id = nlp.vocab.strings.add(key)
                self.keys[key_id] = (concept, value)
                patterns = []
                for phrase in phrases:
                    if phrase.endswith("*") and len(split(phrase[:-1])) == 1:
                        self.prefixes.setdefault(phrase[:-1], (concept, value))
                        continue
                    words = [t for t, _, _ in split(phrase.rstrip("*"))]
                    if words:
                        patterns.append(Doc(nlp.vocab, words=words))
                if patterns:
                    self.matcher.add(key, patterns)
        self.prefix_lengths = sorted({len(p) for p in self.prefixes}, reverse=True)
        self.strings = nlp.vocab.strings
        self._prefix_cache: dict[int, tuple[str, str] | None] = {}

    def _prefix_hit(self, key: int) -> tuple[str, str] | None:
        if key not in self._prefix_cache:
            word = self.strings[key]
            hit = None
            for n in self.prefix_lengths:
                if len(word) >= n and word[:n] in self.prefixes:
                    hit = self.prefixes[word[:n]]
                    break
            if len(self._prefix_cache) > 500_000:
                self._prefix_cache.clear()
            self._prefix_cache[key] = hit
        return self._prefix_cache[key]

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for key_id, start, end in self.matcher(doc):
            concept, value = self.keys[key_id]
            span = doc[start:end]
            span.label_ = concept
            span.kb_id_ = value
            spans.append(span)
        if self.prefixes:
            # per distinct word, cached across documents: a loop over Token objects cost more
            # than the rest of the pipeline
            lowers = doc.to_array(LOWER)
            for key in numpy.unique(lowers):
                hit = self._prefix_hit(int(key))
                if hit is not None:
                    for i in numpy.flatnonzero(lowers == key):
                        span = doc[int(i) : int(i) + 1]
                        span.label_, span.kb_id_ = hit
                        spans.append(span)
        # longest first; equal lengths: the concept listed first in labels.CONCEPTS
        spans.sort(key=lambda s: _PRIORITY[s.label_])
        kept = filter_spans(spans)
        found = []
        for span in kept:
            norm = "#" + span.label_
            for tok in span:
                tok.norm_ = norm
            found.append((span.label_, span.kb_id_, span.start_char, span.end_char))
        doc._.concepts = found
        return doc


@Language.factory("organwatch_concepts")
def make_concept_marker(nlp: Language, name: str) -> ConceptMarker:
    return ConceptMarker(nlp, name)
