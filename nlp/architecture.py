"""The text classifier's model: a bag of n-grams over NORM, where the concept marker has put
`#organ`, `#sell`, `#news` ... in place of the words of the lexicon.

spaCy's TextCatBOW reads ORTH only and feeds raw counts; this one reads NORM (so "#organ #sell"
is one feature in every language) and feeds log(1 + count), so a long article does not outvote
a short classified post by sheer repetition.
"""

from __future__ import annotations

import numpy
from spacy.attrs import NORM
from spacy.util import registry
from thinc.api import Logistic, Model, SparseLinear_v2, chain, with_cpu


def extract_norm_ngrams(ngram_size: int) -> Model:
    def forward(model: Model, docs, is_train: bool):
        ops = model.ops
        batch_keys, batch_vals = [], []
        for doc in docs:
            unigrams = ops.asarray(doc.to_array([NORM]))
            grams = [unigrams]
            for n in range(2, ngram_size + 1):
                if len(unigrams) >= n:
                    grams.append(ops.ngrams(n, unigrams))
            keys, counts = numpy.unique(numpy.concatenate(grams), return_counts=True)
            batch_keys.append(keys)
            batch_vals.append(numpy.log1p(counts).astype("f"))
        lengths = ops.asarray([len(k) for k in batch_keys], dtype="int32")
        keys = numpy.concatenate(batch_keys) if batch_keys else numpy.zeros((0,), dtype="uint64")
        vals = numpy.concatenate(batch_vals) if batch_vals else numpy.zeros((0,), dtype="f")
        return (keys, vals, lengths), lambda dY: []

    return Model("extract_norm_ngrams", forward, attrs={"ngram_size": ngram_size})


@registry.architectures("organwatch.NormBOW.v1")
def build_norm_bow(ngram_size: int = 2, length: int = 262144, nO: int | None = None) -> Model:
    length = 2 ** (length - 1).bit_length()
    linear = SparseLinear_v2(nO=nO, length=length)
    model = with_cpu(chain(extract_norm_ngrams(ngram_size), linear), linear.ops)
    model = chain(model, with_cpu(Logistic(), linear.ops))
    model.set_ref("output_layer", linear)
    model.attrs["multi_label"] = True
    return model
