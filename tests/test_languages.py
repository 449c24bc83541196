"""Unseen documents in every language: the held-out set (nlp/corpus/test, written by someone who
saw neither the corpus nor the lexicon, never trained on) holds a handful of positives and hard
negatives per language. The classifier may miss at most one of them per language."""

from collections import defaultdict
from pathlib import Path

import pytest

from nlp import model
from nlp.analyze import analyze_many
from nlp.dataset import read_jsonl
from nlp.labels import LANGUAGES

TEST_DIR = Path(model.NLP_DIR) / "corpus" / "test"
RECORDS = [r for path in sorted(TEST_DIR.glob("*.jsonl")) for r in read_jsonl(path)]


@pytest.fixture(scope="module")
def errors_by_language():
    errors = defaultdict(list)
    for record, result in zip(RECORDS, analyze_many([r.text for r in RECORDS]), strict=True):
        if result.flagged != any(record.cats.values()):
            errors[record.lang].append(record.where)
    return errors


def test_held_out_set_covers_every_language_with_positives_and_hard_negatives():
    by_lang = defaultdict(lambda: [0, 0])
    for r in RECORDS:
        by_lang[r.lang][0 if any(r.cats.values()) else 1] += 1
    assert all(by_lang[lang][0] >= 3 and by_lang[lang][1] >= 6 for lang in LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_at_most_one_error_per_language(errors_by_language, lang):
    assert len(errors_by_language[lang]) <= 1, errors_by_language[lang]


def test_held_out_documents_are_not_in_training():
    train = {" ".join(r.text.split()) for r in read_jsonl(model.TRAIN_PATH)}
    assert not [r.where for r in RECORDS if " ".join(r.text.split()) in train]
