"""The text classifier's model: a bag of n-grams over NORM, where the concept marker has put
`#organ`, `#sell`, `#news` ... in place of the words of the lexicon.

spaCy's TextCatBOW reads ORTH only and feeds raw counts; this one reads NORM (so "#organ #sell"
is one feature in every language) and feeds log(1 + count), so a long article does not outvote
a short classified post by sheer repetition.

With `delexicalized` n-gram sizes, it also sees each text with every word outside the lexicon
reduced to its shape ("w" for a word, "9" for a number, punctuation as itself): "#organ w #sell
9 $" is the same feature whatever the language, so what the model learns from one language
carries to the others instead of resting on words memorised from our own documents.
"""

from __future__ import annotations

import numpy
from spacy.attrs import IS_ALPHA, IS_SPACE, LENGTH, LIKE_NUM, NORM
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Logistic, Model, SparseLinear_v2, chain, with_cpu

from nlp.labels import CONCEPTS

_SALT = numpy.uint64(0x9E3779B97F4A7C15)  # keeps delexicalized features apart from word features


def _shape_ids(strings) -> tuple:
    key = id(strings)
    if key not in _SHAPE_IDS:
        concept_ids = numpy.asarray([strings.add("#" + c) for c in CONCEPTS], dtype="uint64")
        _SHAPE_IDS[key] = (concept_ids, numpy.uint64(strings.add("w")), numpy.uint64(strings.add("9")))
    return _SHAPE_IDS[key]


_SHAPE_IDS: dict[int, tuple] = {}


def shape_norms(doc: Doc) -> numpy.ndarray:
    """NORM hashes with words outside the lexicon replaced by their shape (vectorized)."""
    concept_ids, word, number = _shape_ids(doc.vocab.strings)
    arr = doc.to_array([NORM, IS_ALPHA, LIKE_NUM, IS_SPACE, LENGTH]).astype("uint64")
    arr = arr[arr[:, 3] == 0]
    norms = arr[:, 0]
    shapes = numpy.where(arr[:, 2] == 1, number, numpy.where((arr[:, 1] == 1) | (arr[:, 4] > 1), word, norms))
    return numpy.where(numpy.isin(norms, concept_ids), norms, shapes)


def _grams(ops, unigrams, sizes) -> list:
    grams = []
    for n in sizes:
        if n == 1:
            grams.append(unigrams)
        elif len(unigrams) >= n:
            grams.append(ops.ngrams(n, unigrams))
    return grams


def extract_features(ngram_size: int, delexicalized: list[int]) -> Model:
    def forward(model: Model, docs, is_train: bool):
        ops = model.ops
        batch_keys, batch_vals = [], []
        for doc in docs:
            # .reshape: a Span's to_array keeps the column axis that a Doc's drops
            grams = _grams(ops, ops.asarray(doc.to_array([NORM]).reshape(-1)), range(1, ngram_size + 1))
            if delexicalized:
                grams += [g ^ _SALT for g in _grams(ops, shape_norms(doc), delexicalized)]
            keys, counts = numpy.unique(numpy.concatenate(grams), return_counts=True)
            batch_keys.append(keys)
            batch_vals.append(numpy.log1p(counts).astype("f"))
        lengths = ops.asarray([len(k) for k in batch_keys], dtype="int32")
        keys = numpy.concatenate(batch_keys) if batch_keys else numpy.zeros((0,), dtype="uint64")
        vals = numpy.concatenate(batch_vals) if batch_vals else numpy.zeros((0,), dtype="f")
        return (keys, vals, lengths), lambda dY: []

    return Model("extract_features", forward, attrs={"ngram_size": ngram_size, "delexicalized": delexicalized})


@registry.architectures("organwatch.NormBOW.v1")
def build_norm_bow(
    ngram_size: int = 2, delexicalized: list[int] | None = None, length: int = 262144, nO: int | None = None
) -> Model:
    length = 2 ** (length - 1).bit_length()
    linear = SparseLinear_v2(nO=nO, length=length)
    model = with_cpu(chain(extract_features(ngram_size, list(delexicalized or [])), linear), linear.ops)
    model = chain(model, with_cpu(Logistic(), linear.ops))
    model.set_ref("output_layer", linear)
    model.attrs["multi_label"] = True
    return model
