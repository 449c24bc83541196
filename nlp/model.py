"""The trained pipeline: where it lives, how it is trained from the corpus and the config, what
it records about its origin, and how a stale one is noticed."""

from __future__ import annotations

import json
import shutil
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import nlp.architecture  # noqa: F401  (registers organwatch.NormBOW.v1)
import nlp.dataset  # noqa: F401  (registers organwatch.JsonlCorpus.v1)
import nlp.pipeline  # noqa: F401  (registers organwatch.tokenizer.v1 and the organwatch_concepts factory)
from nlp import organwatch_version
from nlp.concepts import lexicon_digest
from nlp.dataset import DEV_PATH, TRAIN_PATH, file_digest, read_jsonl
from nlp.gate import mentions_topic
from nlp.indicators import PHONE_RE, pattern_indicators
from nlp.labels import CONTACT_KINDS, LABELS

NLP_DIR = Path(__file__).parent
MODEL_DIR = NLP_DIR / "model"
CONFIG_PATH = NLP_DIR / "configs" / "textcat.cfg"
TEXTCAT = "textcat_multilabel"
# The flag threshold must give at least this precision on dev (issue: precision >= 0.9).
MIN_PRECISION = 0.9
# Share of positives assumed when choosing the threshold (a third: a crawl that follows links from
# suspicious seeds; open-web crawls meet far fewer, so real precision is if anything higher).
PREVALENCE = 1 / 3
DEFAULT_THRESHOLD = 0.5


class StaleModelWarning(UserWarning):
    pass


def origin(train: Path = TRAIN_PATH, dev: Path = DEV_PATH, config: Path = CONFIG_PATH) -> dict:
    """What a model is trained from, as hashes: the corpus, the config, the lexicon."""
    return {
        "corpus_sha256": file_digest(train, dev),
        "config_sha256": file_digest(config),
        "lexicon_sha256": lexicon_digest(),
    }


def staleness(model_dir: Path = MODEL_DIR, current: dict | None = None) -> str | None:
    """A message when the model no longer matches the corpus/config/lexicon it came from
    (`current`: the origin to compare with, by default the repository's)."""
    meta_path = model_dir / "meta.json"
    if not meta_path.exists():
        return f"no trained model in {model_dir}: run `organwatch train`"
    recorded = json.loads(meta_path.read_text())["organwatch"]["origin"]
    if current is None:
        try:
            current = origin()
        except FileNotFoundError:
            return None  # installed without the corpus: nothing to compare against
    changed = [k.removesuffix("_sha256") for k in current if current[k] != recorded.get(k)]
    if changed:
        return (
            f"the model in {model_dir} is stale: the {', '.join(changed)} changed since it was trained "
            f"(run `organwatch train` to rebuild it)"
        )
    return None


@lru_cache(maxsize=2)
def load(model_dir: Path = MODEL_DIR) -> Language:
    if not (model_dir / "meta.json").exists():
        raise FileNotFoundError(f"no trained model in {model_dir}: run `organwatch train`")
    message = staleness(model_dir)
    if message:
        warnings.warn(message, StaleModelWarning, stacklevel=2)
    return spacy.load(model_dir)


def model_info(nlp: Language) -> dict:
    return nlp.meta.get("organwatch", {})


def flag_score(scores: dict[str, float]) -> float:
    return max(scores.get(label, 0.0) for label in LABELS)


# Passages: a page is also scored window by window, so that an ad among unrelated text (a
# listing among other listings, a broker's post in a thread, boilerplate around a package) is
# not diluted by it. Windows of WINDOW tokens overlapping by half. Read alone, a paragraph of a
# news story or an NGO page looks like an ad, so a passage may raise the page's score only when
# it could be a diluted ad (measured in benchmarks/dilution.py, MODEL_CARD.md "Dilution"):
# - the page is long enough for the rest of it to say something: WINDOW + MIN_REST tokens;
# - the passage names the topic (a concept of PASSAGE_TOPIC) and carries a concrete offer (a
#   concept of PASSAGE_OFFER: price, contact, donor supplied, payment terms);
# - the rest of the page (outside the passage) is not about organ trade in a reporting
#   register: vetoed when the rest names the topic too (a PASSAGE_TOPIC concept) and carries
#   more than REPORTING_MAX markers of REPORTING concepts (on long pages, more than
#   REPORTING_PER_100 per 100 tokens of the rest). A news story, an investigation, a law or an
#   NGO report is about the trade all the way through; the text around a diluted ad (other
#   listings, menus, a blog) is not, whatever generic words it shares with reporting.
# All through the lexicon's concepts, so in every language it covers.
# WINDOW = 100 (0 scores the whole text only): it recovers diluted ads and keeps long news
# unflagged, for 2 more held-out negatives flagged than whole-text scoring (MODEL_CARD.md,
# "Dilution"; `benchmarks/dilution.py` measures it).
WINDOW = 100
MIN_REST = 50
PASSAGE_TOPIC = frozenset({"organ", "transplant"})
PASSAGE_OFFER = frozenset({"money", "contact", "donor_offer", "payment"})
REPORTING = frozenset({"crime", "police", "news", "law", "research", "advocacy", "domestic", "altruism"})
REPORTING_MAX = 2
REPORTING_PER_100 = 0.5


# An ad or a broker offers something: a price, a way to reach them, a donor, a trip, a short
# wait. A page that names none (no concept of OFFER, nothing shaped like a phone number, e-mail
# address, messenger or price: a tag page, a link "kidney transplant" among a garden club's notes,
# a page titled with the topic and little else) scores at most NO_OFFER_CAP, below the flag
# threshold: with so little to read the model leaned on the topic alone ("Kidney transplant"
# alone scored 0.64, "Tags: kidney, liver, transplant, news" 0.57). Measured in MODEL_CARD.md
# ("Offer required").
OFFER = frozenset({"sell", "buy", "donor_offer", "money", "wait", "abroad", "payment", "logistics", "contact",
                   "urgent", "destination"})
NO_OFFER_CAP = 0.2


def offers(doc: Doc) -> bool:
    """Whether the text offers anything: a concept of OFFER, or else a phone-like number (any
    region's, unchecked), an e-mail address, a messenger or a price."""
    if OFFER.intersection(concept for concept, _, _, _ in doc._.concepts or []):
        return True
    text = doc.text
    return PHONE_RE.search(text) is not None or any(
        ind.kind in CONTACT_KINDS or ind.kind == "price" for ind in pattern_indicators(text)
    )


@dataclass
class PageScore:
    doc: Doc | None  # None: the text failed the topic gate (nlp/gate.py) and was not read
    scores: dict[str, float]  # per label: the higher of the whole text's and its best admitted passage's
    passage: tuple[int, int] | None = None  # characters of the passage that set the flag score, if not the whole text


def passages(doc: Doc, window: int = WINDOW) -> list[tuple[int, int]]:
    """Token ranges of the windows of `doc`, each overlapping the next by half ([] when the
    whole text fits in one)."""
    n = len(doc)
    if not window or n <= window:
        return []
    stride = max(1, window // 2)
    starts = list(range(0, n - window, stride)) + [n - window]
    return [(s, s + window) for s in starts]


def admitted_passages(doc: Doc, window: int = WINDOW) -> list[tuple[int, int]]:
    """The windows of `doc` that may raise its score: a topic and an offer inside, no reporting
    on organ trade around (the rules above)."""
    n = len(doc)
    if not window or n < window + MIN_REST:
        return []
    marks = []  # (concept, first token, last token + 1)
    for concept, _value, start_char, end_char in doc._.concepts or []:
        span = doc.char_span(start_char, end_char, alignment_mode="expand")
        if span is not None:
            marks.append((concept, span.start, span.end))
    allowed = max(REPORTING_MAX, REPORTING_PER_100 * (n - window) / 100)
    out = []
    for start, end in passages(doc, window):
        inside = {c for c, a, b in marks if a >= start and b <= end}
        if not (inside & PASSAGE_TOPIC and inside & PASSAGE_OFFER):
            continue
        around = [c for c, a, b in marks if b <= start or a >= end]
        reporting = sum(c in REPORTING for c in around)
        if not (PASSAGE_TOPIC.intersection(around) and reporting > allowed):
            out.append((start, end))
    return out


def page_scores(pipeline: Language, texts: Iterable[str], batch_size: int = 64,
                window: int = WINDOW, veto: bool = True, topics: Iterable[bool | None] | None = None) -> Iterator[PageScore]:
    """Scores of each text as used for the flag (analyze, evaluate and the training threshold
    all read them from here): per label, max(whole text, best admitted passage); `window=0`
    scores the whole text only; `veto=False` admits every passage (measurement only). A text
    that fails the topic gate (no organ, transplant, donor or blood group named) scores 0 unread;
    `topics`, one per text, gives the gate's answer where the page's HTML told more (None: ask it)."""
    textcat = pipeline.get_pipe(TEXTCAT)
    labels = list(textcat.labels)
    pairs = zip(texts, topics, strict=True) if topics is not None else ((text, None) for text in texts)
    while chunk := list(islice(pairs, batch_size)):
        gate = [mentions_topic(text) if topic is None else topic for text, topic in chunk]
        chunk = [text for text, _ in chunk]
        docs = list(pipeline.pipe(text for text, read in zip(chunk, gate, strict=True) if read))
        scored = _score_batch(textcat, labels, docs, window, veto)
        for read in gate:
            yield next(scored) if read else PageScore(None, dict.fromkeys(labels, 0.0))


def _score_batch(textcat, labels: list[str], docs: list[Doc], window: int, veto: bool) -> Iterator[PageScore]:
    ranges = admitted_passages if veto else passages
    spans = [[doc[a:b] for a, b in ranges(doc, window)] for doc in docs]
    flat = [span for doc_spans in spans for span in doc_spans]
    rows = textcat.model.ops.to_numpy(textcat.model.predict(flat)) if flat else None
    at = 0
    for doc, doc_spans in zip(docs, spans, strict=True):
        scores = {label: float(doc.cats.get(label, 0.0)) for label in labels}
        passage = None
        if doc_spans:
            mine = rows[at : at + len(doc_spans)]
            at += len(doc_spans)
            top = int(mine.max(axis=1).argmax())
            if float(mine[top].max()) > flag_score(scores):
                passage = (doc_spans[top].start_char, doc_spans[top].end_char)
            scores = {label: max(scores[label], float(v)) for label, v in zip(labels, mine.max(axis=0), strict=True)}
        if not offers(doc):
            scores = {label: min(score, NO_OFFER_CAP) for label, score in scores.items()}
            passage = None
        yield PageScore(doc, scores, passage)


def choose_threshold(pairs: list[tuple[float, bool]], min_precision: float = MIN_PRECISION,
                     prevalence: float = PREVALENCE) -> float:
    """The lowest score threshold whose precision is at least `min_precision` (best recall), with
    precision computed as if positives made up `prevalence` of the pages: dev holds far more
    positives than a crawl meets, and precision measured there would flatter the threshold."""
    positives = sum(1 for _, y in pairs if y)
    negatives = len(pairs) - positives
    if not positives or not negatives:
        return DEFAULT_THRESHOLD
    weight = (1 - prevalence) / prevalence * positives / negatives  # each dev negative counts this much
    for threshold in sorted({round(s, 4) for s, _ in pairs}):
        tp = sum(1 for s, y in pairs if s >= threshold and y)
        fp = weight * sum(1 for s, y in pairs if s >= threshold and not y)
        if tp and tp / (tp + fp) >= min_precision:
            return threshold
    return DEFAULT_THRESHOLD


def train(
    output: Path = MODEL_DIR,
    train_path: Path = TRAIN_PATH,
    dev_path: Path = DEV_PATH,
    config: Path = CONFIG_PATH,
    extra_train: list[dict] | None = None,
) -> dict:
    """Train the pipeline with spaCy's trainer from the config; choose the flag threshold on dev;
    record version and origin hashes in meta.json; return the dev report."""
    from spacy.cli.train import train as spacy_train

    from nlp.evaluate import evaluate

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        train_file = train_path
        if extra_train:
            train_file = tmp / "train.jsonl"
            with open(train_file, "w", encoding="utf-8") as f:
                f.write(Path(train_path).read_text(encoding="utf-8"))
                for obj in extra_train:
                    f.write(json.dumps(obj, ensure_ascii=False) + "\n")
        spacy_train(
            config,
            output_path=tmp / "out",
            overrides={"paths.train": str(train_file), "paths.dev": str(dev_path)},
        )
        pipeline = spacy.load(tmp / "out" / "model-last")
        records = list(read_jsonl(dev_path))
        pages = page_scores(pipeline, (r.text for r in records))
        pairs = [(flag_score(p.scores), any(r.cats.values())) for p, r in zip(pages, records, strict=True)]
        threshold = choose_threshold(pairs)
        pipeline.meta["name"] = "organwatch_textcat"
        pipeline.meta["version"] = organwatch_version()
        pipeline.meta["organwatch"] = {
            "version": organwatch_version(),
            "spacy": spacy.__version__,
            "origin": origin(train_path, dev_path, config),
            "extra_train_examples": len(extra_train or []),
            "threshold": threshold,
            "min_precision": MIN_PRECISION,
            "prevalence": round(PREVALENCE, 3),
        }
        pipeline.meta.pop("performance", None)
        report = evaluate(records, pipeline=pipeline, threshold=threshold)
        pipeline.meta["organwatch"]["dev"] = report["overall"]
        if output.exists():
            shutil.rmtree(output)
        pipeline.to_disk(output)
    load.cache_clear()
    return report
