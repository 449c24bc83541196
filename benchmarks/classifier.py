"""Analysis speed: language, classifier and indicators on ~5 KB texts, one core.

Prints docs/s for each stage and for the whole analysis, side by side in one run, and the peak
memory. Target (issue 3): whole analysis >= 500 docs/s.

    python benchmarks/classifier.py [--docs 400]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path

from nlp import model
from nlp.analyze import analyze_many
from nlp.indicators import pattern_indicators
from nlp.language import detect_language

CORPUS = Path(__file__).resolve().parent.parent / "nlp" / "corpus" / "dev.jsonl"


def texts_of_5kb(n: int) -> list[str]:
    """Documents from the dev corpus, each padded with others of its language to about 5 KB."""
    docs = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    i = 0
    while len(out) < n:
        text = docs[i % len(docs)]["text"]
        j = i
        while len(text.encode("utf-8")) < 5000:
            j += 1
            text += "\n" + docs[j % len(docs)]["text"]
        out.append(text.encode("utf-8")[:5000].decode("utf-8", "ignore"))
        i += 1
    return out


def rate(fn, texts, repeats=3) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(texts)
        runs.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=400)
    args = parser.parse_args()
    texts = texts_of_5kb(args.docs)
    pipeline = model.load()
    list(analyze_many(texts[:10]))  # warm up
    stages = {
        "language (scripts, n-grams)": lambda ts: [detect_language(t) for t in ts],
        "spaCy (tokens, concepts, textcat)": lambda ts: list(pipeline.pipe(ts, batch_size=64)),
        "pattern indicators": lambda ts: [pattern_indicators(t) for t in ts],
        "whole analysis": lambda ts: list(analyze_many(ts)),
    }
    print(f"{len(texts)} texts of ~5 KB, median of 3 runs, one process")
    results = {}
    for name, fn in stages.items():
        results[name] = rate(fn, texts)
        print(f"  {name:36} {results[name]:8.0f} docs/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  target 500 docs/s: ratio {results['whole analysis'] / 500:.2f}")
    print(f"  peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
