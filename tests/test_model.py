"""The shipped model: where it came from, staleness, the evaluate report."""

import json
import shutil

import pytest

from crawler.cli import main
from nlp import model
from nlp.dataset import DataError, read_jsonl


def test_shipped_model_records_version_origin_and_threshold():
    info = json.loads((model.MODEL_DIR / "meta.json").read_text())["organwatch"]
    assert info["version"] and 0 < info["threshold"] < 1
    assert set(info["origin"]) == {"corpus_sha256", "config_sha256", "lexicon_sha256"}


def test_shipped_model_is_not_stale():
    assert model.staleness() is None


def test_changed_corpus_is_detected(tmp_path):
    train = tmp_path / "train.jsonl"
    shutil.copy(model.TRAIN_PATH, train)
    with open(train, "a", encoding="utf-8") as f:
        f.write(json.dumps({"text": "new", "cats": {"advertising": 0, "brokerage": 0}}) + "\n")
    message = model.staleness(current=model.origin(train=train))
    assert message and "stale" in message and "corpus changed" in message and "organwatch train" in message


def test_loading_a_stale_model_warns(tmp_path):
    stale = tmp_path / "model"
    shutil.copytree(model.MODEL_DIR, stale)
    meta = json.loads((stale / "meta.json").read_text())
    meta["organwatch"]["origin"]["lexicon_sha256"] = "0" * 64
    (stale / "meta.json").write_text(json.dumps(meta))
    with pytest.warns(model.StaleModelWarning, match="the lexicon changed"):
        model.load(stale)


def test_evaluate_report(tmp_path, capsys):
    data = tmp_path / "labelled.jsonl"
    lines = [
        {"text": "Kidney for sale, blood group O+, serious buyers WhatsApp +92 300 1234567", "cats": {"advertising": 0, "brokerage": 1}, "lang": "en", "kind": "broker_seller"},
        {"text": "Kidney transplant package in China for foreigners: USD 60,000, donor arranged, visa", "cats": {"advertising": 1, "brokerage": 1}, "lang": "en", "kind": "ad_transplant_package"},
        {"text": "Red kidney beans curry recipe with rice", "cats": {"advertising": 0, "brokerage": 0}, "lang": "en", "kind": "homonym"},
    ]
    data.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    out = tmp_path / "report.json"
    assert main(["evaluate", str(data), "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "flagged" in text and "per language" in text and "per kind" in text
    report = json.loads(out.read_text())
    assert report["n"] == 3 and set(report["overall"]) >= {"flagged", "advertising", "brokerage", "negatives_flagged_rate"}


def test_evaluate_names_a_bad_label(tmp_path, capsys):
    data = tmp_path / "bad.jsonl"
    data.write_text(json.dumps({"text": "x", "cats": {"advertising": 2, "brokerage": 0}}) + "\n")
    assert main(["evaluate", str(data)]) == 2
    assert f"{data}:1: cats.advertising must be 0 or 1, got 2" in capsys.readouterr().err


def test_read_jsonl_rejects_kind_that_disagrees_with_cats(tmp_path):
    data = tmp_path / "x.jsonl"
    data.write_text(json.dumps({"text": "x", "cats": {"advertising": 1, "brokerage": 0}, "kind": "news"}) + "\n")
    with pytest.raises(DataError, match="x.jsonl:1: kind 'news' does not agree"):
        list(read_jsonl(data))


def test_reviews_become_training_examples(tmp_path):
    import sqlite_utils

    from crawler.reviews import record_review, training_examples
    from tests.review_db import build

    db_path = tmp_path / "r.db"
    ids = build(db_path)
    db = sqlite_utils.Database(db_path)
    record_review(db, ids["ad_a"], "alice", "needs_follow_up")
    record_review(db, ids["ad_a"], "alice", "confirmed_brokerage")
    record_review(db, ids["news"], "alice", "confirmed_advertising")
    record_review(db, ids["news"], "bob", "not_relevant")  # the latest verdict counts
    db.close()
    examples = {e["source"]: e["cats"] for e in training_examples(db_path)}
    assert examples == {
        f"review:{ids['ad_a']}": {"advertising": 0, "brokerage": 1},
        f"review:{ids['news']}": {"advertising": 0, "brokerage": 0},
    }


@pytest.mark.parametrize("text", [
    "Kidney transplant",
    "Tags: kidney, liver, transplant, news",
    "Our garden club met on Tuesday.\nkidney transplant",
])
def test_a_page_that_names_the_topic_and_offers_nothing_is_not_flagged(text):
    from nlp.analyze import analyze

    result = analyze(text)
    assert not result.flagged and result.risk <= 100 * model.NO_OFFER_CAP


@pytest.mark.parametrize("text", [
    "Kidney transplant 0300-1234567",  # a local number, whatever its region
    "کلیه فروشی گروه خون B مثبت سن ۲۶ سال – آقا – سالم، بدون اعتیاد آزمایشات کامل ۰۹۳۶ ۵۵۵ ۷۲۱۸",
    "Kidney for sale, contact me",
])
def test_an_offer_in_a_word_or_a_number_keeps_the_page_flaggable(text):
    from nlp.analyze import analyze

    assert analyze(text).flagged
