"""organwatch's spaCy components, registered on import (nlp/model.py imports this module before
loading the model): the tokenizer (splitting as nlp/tokenizer.py does) and the concept marker.

The marker finds every phrase of the concept lexicon (nlp/concepts.py) whatever the page's
language (pages mix them), keeps the longest match where they overlap, writes `#concept` into
each matched token's NORM (so the classifier's features carry across languages) and leaves the
matches in `doc._.concepts` as (concept, value, start_char, end_char) for the indicators.
"""

from __future__ import annotations

import numpy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans, registry
from spacy.vocab import Vocab

from nlp.concepts import load_lexicon
from nlp.labels import CONCEPTS
from nlp.tokenizer import _TOKEN_GAP_RE, split

if not Doc.has_extension("concepts"):
    Doc.set_extension("concepts", default=None)


class Tokenizer:
    """spaCy tokenizer: text -> Doc, with `doc.text == text` always."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        lead = len(text) - len(text.lstrip())
        if lead:
            words.append(text[:lead])
            spaces.append(False)
        for token, gap in _TOKEN_GAP_RE.findall(text, lead):
            words.append(token)
            if gap == " ":
                spaces.append(True)
            elif gap:
                # other whitespace becomes a token of its own, so the text round-trips
                spaces.append(False)
                words.append(gap)
                spaces.append(False)
            else:
                spaces.append(False)
        return Doc(self.vocab, words=words, spaces=spaces)

    # spaCy serialises tokenizers with the pipeline; ours has no state.
    def to_bytes(self, **_kwargs) -> bytes:
        return b""

    def from_bytes(self, _data: bytes, **_kwargs) -> Tokenizer:
        return self

    def to_disk(self, _path, **_kwargs) -> None:
        return None

    def from_disk(self, _path, **_kwargs) -> Tokenizer:
        return self


@registry.tokenizers("organwatch.tokenizer.v1")
def create_tokenizer():
    def make(nlp):
        return Tokenizer(nlp.vocab)

    return make


# Concepts whose matches outrank others when two overlap with the same length.
_PRIORITY = {c: i for i, c in enumerate(CONCEPTS)}


class ConceptMarker:
    def __init__(self, nlp: Language, name: str = "concepts"):
        self.name = name
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.prefixes: dict[str, tuple[str, str]] = {}
        self.keys: dict[int, tuple[str, str]] = {}
        # patterns as lists of hashes, not Docs: a Doc per phrase (21,000 of them, with a lexeme
        # for each new word) took 1 s of the model's load, on the path of every crawl's start
        lower = nlp.vocab.lex_attr_getters.get(LOWER, str.lower)
        strings = nlp.vocab.strings
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
                    if words:  # its tokens' LOWER hashes, as a Doc of them would give (and as the matcher unpickles)
                        patterns.append([strings.add(lower(w)) for w in words])
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
