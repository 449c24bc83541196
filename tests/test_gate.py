"""The topic gate (nlp/gate.py): pages that name no organ, transplant, donor or blood group are
not read by the classifier. It must never skip what the classifier could flag."""

import json
from pathlib import Path

import pytest

from crawler.extract import extract
from nlp import model
from nlp.analyze import OFF_TOPIC, analyze
from nlp.dataset import DEV_PATH, TRAIN_PATH
from nlp.gate import GATE_CONCEPTS, mentions_topic

SAMPLE = Path(__file__).resolve().parent.parent / "crawler" / "sampleweb" / "sites"
CORPUS = [TRAIN_PATH, DEV_PATH, *sorted((TRAIN_PATH.parent / "test").glob("*.jsonl"))]


def corpus() -> list[dict]:
    return [json.loads(line) for path in CORPUS for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("text", [
    "Kidney for sale, serious buyers only",
    "We arrange a liver transplant in Istanbul",
    "vendo meu rin tipo sanguineo O+",  # misspelt organ: the blood group lets it through
    "出售肾源，价格面议",
    "ขายไต ด่วน",
    "کلیه فروشی",
    "Ищу донора почки",
    "need a DONOR urgently",
    "transplant\n\n  abroad",
])
def test_the_gate_lets_pages_about_organs_through(text):
    assert mentions_topic(text)


@pytest.mark.parametrize("text", [
    "The council approved the new budget for road transport and housing.",
    "Organic vegetables and organisation tips for your garden",  # "organ" inside longer words
])
def test_the_gate_keeps_unrelated_pages_out(text):
    assert not mentions_topic(text)


def test_the_gate_never_misses_a_concept_the_classifier_sees():
    """On every corpus document, dev and held-out included: wherever the concept marker finds a
    gate concept, the gate opens; and every labelled ad or broker page passes it."""
    docs = corpus()
    pipeline = model.load()
    texts = [d["text"] for d in docs]
    for doc, text, record in zip(pipeline.pipe(texts, disable=["textcat_multilabel"]), texts, docs, strict=True):
        marked = [c for c in doc._.concepts if c[0] in GATE_CONCEPTS]
        assert not marked or mentions_topic(text), (marked[:3], text[:200])
        assert not any(record["cats"].values()) or mentions_topic(text), text[:200]


def test_off_topic_pages_score_zero_unread_and_say_so():
    result = analyze("Weather: sunny in Paris, the museum opens at 9. Call +33 1 23 45 67 89.")
    assert result.scores == {"advertising": 0.0, "brokerage": 0.0}
    assert not result.flagged and result.risk == 0
    assert result.reasons[0] == OFF_TOPIC
    assert [i.kind for i in result.indicators] == ["phone"]  # contacts still found: networks link them


def test_extraction_keeps_the_visible_text_of_off_topic_pages():
    html = ("<html><head><title>Garden</title></head><body><nav>Home | Shop</nav>"
            "<article><p>{}</p></article></body></html>")
    off = extract(html.format("Tomatoes need sun and water every day. " * 20))
    assert off.title == "Garden" and off.text.startswith("Home | Shop")  # the nav too: trafilatura did not run
    on = extract(html.format("Kidney transplant abroad, donor arranged. " * 20))
    assert on.text.startswith("Kidney transplant abroad")  # the main text, without the nav


def test_a_page_that_names_the_topic_outside_its_main_text_is_read():
    """trafilatura's main text of the sample web's hospital page drops the list of transplant
    packages; the page names the topic all the same, so the classifier reads its main text."""
    html = (SAMPLE / "medipolis-hospital" / "international" / "index.html").read_text(encoding="utf-8")
    page = extract(html)
    assert page.on_topic and not mentions_topic(page.text)
    assert OFF_TOPIC not in analyze(page.text, topic=page.on_topic).reasons
    assert OFF_TOPIC in analyze(page.text).reasons  # the text alone would not have been read


def test_classify_reads_an_html_line_by_its_whole_page():
    import io

    from crawler.classify import classify_stream

    html = (SAMPLE / "medipolis-hospital" / "international" / "index.html").read_text(encoding="utf-8")
    out = io.StringIO()
    assert classify_stream(io.StringIO(json.dumps({"id": 1, "html": html}) + "\n"), out, "in.jsonl", io.StringIO()) == 0
    assert OFF_TOPIC not in json.loads(out.getvalue())["reasons"]


def test_the_words_are_the_runs_the_word_pattern_finds():
    """`_words` splits at whitespace and ASCII punctuation first: the same words as the pattern,
    on texts of Latin, Cyrillic, Arabic, Devanagari, Bengali, Hebrew and CJK letters, combining
    marks, joiners, underscores, digits of other scripts and non-ASCII punctuation."""
    import random

    from nlp.gate import _gate, _words

    word = _gate().word
    rng = random.Random(3)
    alphabet = list("abc xyz_-.,!?'\"“”«»\u00a0\u2009\t\n0123éñüßçкиїعةहि়्কা়טّ̣́€™©½²٣๑中ア")
    alphabet += [chr(c) for c in range(0x300, 0x370, 7)] + ["\u200c", "\u200d"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        assert _words(text, word) == set(word.findall(text)), repr(text)
