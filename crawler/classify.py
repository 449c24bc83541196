"""`organwatch classify`: JSONL in, one analysis per line out, in input order."""

from __future__ import annotations

import json
from typing import TextIO

from nlp.analyze import analyze_many
from nlp.dataset import DataError, parse_line

BATCH = 64


def classify_stream(src: TextIO, out: TextIO, name: str, errors: TextIO) -> int:
    """Analyse each line of `src`; write results to `out`; report bad lines on `errors` with their
    line number and go on. Returns the number of bad lines."""
    bad = 0
    batch: list[tuple[object, str, bool | None]] = []  # id, text, topic (an HTML line: crawler/extract.py)

    def flush():
        results = analyze_many([t for _, t, _ in batch], topics=[topic for _, _, topic in batch])
        for (line_id, _, _), result in zip(batch, results, strict=True):
            out.write(json.dumps({"id": line_id, **result.as_dict()}, ensure_ascii=False) + "\n")
        batch.clear()

    for lineno, line in enumerate(src, 1):
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        try:
            record = parse_line(line, where, labelled=False)
        except DataError as e:
            print(f"organwatch classify: {e}", file=errors)
            bad += 1
            continue
        batch.append((record.extra.get("id"), record.text, record.topic))
        if len(batch) >= BATCH:
            flush()
    flush()
    return bad
