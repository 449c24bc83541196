"""Reading, checking and splitting the labelled JSONL the classifier learns from and is judged on.

A labelled line: {"text" | "html"+"url", "cats": {"advertising": 0|1, "brokerage": 0|1},
"lang"?, "kind"?, "source"?}. Errors name the file and line.
"""

from __future__ import annotations

import hashlib
import json
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.training import Example
from spacy.util import registry

from nlp.labels import KINDS, LABELS, POSITIVE_KINDS

CORPUS_DIR = Path(__file__).parent / "corpus"
RAW_DIR = CORPUS_DIR / "raw"
TRAIN_PATH = CORPUS_DIR / "train.jsonl"
DEV_PATH = CORPUS_DIR / "dev.jsonl"
# One source in DEV_SHARE goes to dev (by hash, so the split is stable as the corpus grows).
DEV_SHARE = 5


class DataError(ValueError):
    """Bad input data; the message names file, line and value."""


@dataclass
class Record:
    text: str
    cats: dict[str, int]
    lang: str = ""
    kind: str = ""
    source: str = ""
    where: str = ""  # "file:line"
    extra: dict = field(default_factory=dict)
    topic: bool | None = None  # an HTML record: whether the page names the topic (crawler/extract.py)


def read_jsonl(path: Path, *, labelled: bool = True) -> Iterator[Record]:
    """Yield the records of a JSONL file, raising DataError on the first bad line."""
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            yield parse_line(line, f"{path}:{lineno}", labelled=labelled)


def parse_line(line: str, where: str, *, labelled: bool = True) -> Record:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise DataError(f"{where}: not JSON ({e.msg} at column {e.colno})") from None
    if not isinstance(obj, dict):
        raise DataError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    text = obj.get("text")
    topic = None
    if text is None and "html" in obj:
        from crawler.extract import extract

        page = extract(str(obj["html"]), str(obj.get("url", "")))
        text, topic = page.text, page.on_topic
    if not isinstance(text, str):
        raise DataError(f"{where}: needs a string 'text' (or 'html'), got {text!r:.60}")
    text = unicodedata.normalize("NFC", text)
    cats: dict[str, int] = {}
    if labelled:
        raw = obj.get("cats")
        if not isinstance(raw, dict):
            raise DataError(f"{where}: needs 'cats' {{'advertising': 0|1, 'brokerage': 0|1}}, got {raw!r:.60}")
        for label in LABELS:
            value = raw.get(label)
            if value not in (0, 1, True, False, 0.0, 1.0):
                raise DataError(f"{where}: cats.{label} must be 0 or 1, got {value!r}")
            cats[label] = int(value)
    kind = str(obj.get("kind") or "")
    if kind and kind not in KINDS:
        raise DataError(f"{where}: unknown kind {kind!r}")
    if labelled and kind and (kind in POSITIVE_KINDS) != any(cats.values()):
        raise DataError(f"{where}: kind {kind!r} does not agree with cats {cats}")
    return Record(
        text=text,
        cats=cats,
        lang=str(obj.get("lang") or ""),
        kind=kind,
        source=str(obj.get("source") or ""),
        where=where,
        extra={k: obj[k] for k in obj if k not in {"text", "html", "cats", "lang", "kind", "source"}},
        topic=topic,
    )


def file_digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    return h.hexdigest()


def split_key(record: Record) -> bool:
    """True when the record's (kind, source) group belongs to dev."""
    group = f"{record.kind}\t{record.source or record.text[:200]}"
    return int(hashlib.sha256(group.encode()).hexdigest(), 16) % DEV_SHARE == 0


def split_corpus(raw_dir: Path = RAW_DIR, train: Path = TRAIN_PATH, dev: Path = DEV_PATH) -> tuple[int, int]:
    """Write train and dev JSONL from raw/*.jsonl, grouped by kind and source."""
    n_train = n_dev = 0
    seen: set[str] = set()
    with open(train, "w", encoding="utf-8") as ft, open(dev, "w", encoding="utf-8") as fd:
        for path in sorted(raw_dir.glob("*.jsonl")):
            for rec in read_jsonl(path):
                key = " ".join(rec.text.split()).lower()
                if key in seen:
                    continue
                seen.add(key)
                obj = {"text": rec.text, "cats": rec.cats, "lang": rec.lang, "kind": rec.kind, "source": rec.source}
                line = json.dumps(obj, ensure_ascii=False) + "\n"
                if split_key(rec):
                    fd.write(line)
                    n_dev += 1
                else:
                    ft.write(line)
                    n_train += 1
    return n_train, n_dev


@registry.readers("organwatch.JsonlCorpus.v1")
def jsonl_corpus(path: Path):
    """spaCy corpus reader over our labelled JSONL (tokenized by the pipeline's own tokenizer)."""

    def read(nlp) -> Iterator[Example]:
        for rec in read_jsonl(Path(path)):
            doc = nlp.make_doc(rec.text)
            yield Example.from_dict(doc, {"cats": {k: float(v) for k, v in rec.cats.items()}})

    return read


if __name__ == "__main__":
    if sys.argv[1:] != ["split"]:
        sys.exit("usage: python -m nlp.dataset split")
    n_train, n_dev = split_corpus()
    print(f"train {n_train}  dev {n_dev}  ->  {TRAIN_PATH}, {DEV_PATH}")
