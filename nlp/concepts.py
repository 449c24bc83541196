"""The multilingual concept lexicon: `nlp/lexicon/<lang>.json` lists, per concept of
`labels.CONCEPTS`, the phrases that say it in that language. The pipeline component that marks
them in a Doc is in nlp/pipeline.py; this module needs no spaCy (the crawl's own process reads
the lexicon to score links).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from nlp.labels import CONCEPTS

LEXICON_DIR = Path(__file__).parent / "lexicon"


class LexiconError(ValueError):
    pass


def lexicon_files() -> list[Path]:
    return sorted(LEXICON_DIR.glob("*.json"))


@lru_cache(maxsize=1)
def load_lexicon() -> dict[str, dict[str, set[str]]]:
    """concept -> value -> phrases, merged over every language file."""
    merged: dict[str, dict[str, set[str]]] = {c: {} for c in CONCEPTS}
    for path in lexicon_files():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise LexiconError(f"{path}:{e.lineno}: {e.msg}") from e
        for concept, entries in data.items():
            if concept not in CONCEPTS:
                raise LexiconError(f"{path}: unknown concept {concept!r} (known: {', '.join(CONCEPTS)})")
            if isinstance(entries, dict):
                items = entries.items()
            else:
                items = [(concept, entries)]
            for value, phrases in items:
                bucket = merged[concept].setdefault(str(value), set())
                for phrase in phrases:
                    phrase = str(phrase).strip().lower()
                    if phrase:
                        bucket.add(phrase)
    return merged


def lexicon_digest() -> str:
    h = hashlib.sha256()
    for path in lexicon_files():
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()
