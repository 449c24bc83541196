"""`organwatch train` reproduces the shipped model from the repository: same seed, same corpus,
same config, same lexicon -> the same weights, threshold and dev metrics."""

import json

import pytest

from crawler.cli import main
from nlp import model


@pytest.mark.slow
def test_training_reproduces_the_shipped_model(tmp_path, capsys):
    out = tmp_path / "model"
    assert main(["train", "--output", str(out)]) == 0
    assert "flagged" in capsys.readouterr().out
    shipped = json.loads((model.MODEL_DIR / "meta.json").read_text())["organwatch"]
    rebuilt = json.loads((out / "meta.json").read_text())["organwatch"]
    assert (rebuilt["threshold"], rebuilt["dev"], rebuilt["origin"]) == (shipped["threshold"], shipped["dev"], shipped["origin"])
    weights = "textcat_multilabel/model"
    assert (out / weights).read_bytes() == (model.MODEL_DIR / weights).read_bytes()
