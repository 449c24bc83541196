"""Reading, checking and splitting the labelled JSONL the classifier learns from and is judged on.

A labelled line: {"text" | "html"+"url", "cats": {"advertising": 0|1, "brokerage": 0|1},
"lang"?, "kind"?, "source"?}. Errors name the file and line.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.training import Example
from spacy.util import registry

from nlp.labels import KINDS, LABELS, POSITIVE_KINDS
from nlp.tokenizer import split

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
    if text is None and "html" in obj:
        from crawler.extract import extract

        text = extract(str(obj["html"]), str(obj.get("url", ""))).text
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
    )


# Dilution (model.train(dilute=True); not used for the shipped model, see MODEL_CARD.md,
# "Dilution"): pages are rarely just the ad. Every training document also appears once embedded at a
# random place in DILUTE_WORDS words of unrelated pages of the training set (kinds below; the
# same language first, another one sometimes: pages mix), with its label unchanged, so the
# classifier learns that ordinary text around an ad, or around a news story, is no evidence
# either way (trained on whole documents only, the shipped model read "lots of ordinary prose"
# as "not an ad": an ad scoring 0.95 alone scored 0.01 inside 200 words of it).
DILUTE_KINDS = ("general", "homonym")
DILUTE_WORDS = (20, 300)
DILUTE_SHARE = 1.0  # share of the training documents that get a diluted copy
_CHAR_SCRIPT_LANGS = ("zh-cn", "zh-tw", "ja", "th")


def diluted(records: list[Record], seed: int = 7) -> list[dict]:
    """One diluted copy of each record, as labelled JSONL objects (deterministic for a seed)."""
    rng = random.Random(seed)
    context = [r for r in records if r.kind in DILUTE_KINDS]
    if not context:
        return []
    by_lang: dict[str, list[Record]] = {}
    for r in context:
        by_lang.setdefault(r.lang, []).append(r)
    out = []
    for rec in records:
        if rng.random() >= DILUTE_SHARE:
            continue
        budget = rng.randint(*DILUTE_WORDS) * (2 if rec.lang in _CHAR_SCRIPT_LANGS else 1)
        same = [r for r in by_lang.get(rec.lang, []) if r.text != rec.text]
        lines: list[str] = []
        while budget > 0:
            pool = same if same and rng.random() < 0.8 else context
            for line in rng.choice(pool).text.splitlines():
                size = len(split(line)) if rec.lang in _CHAR_SCRIPT_LANGS else len(line.split())
                if not size:
                    continue
                lines.append(line)
                budget -= size
                if budget <= 0:
                    break
        cut = rng.randint(0, len(lines))
        text = "\n".join([*lines[:cut], rec.text, *lines[cut:]])
        out.append({"text": text, "cats": rec.cats, "lang": rec.lang, "kind": rec.kind, "source": rec.source})
    return out


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
