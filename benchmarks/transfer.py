"""How well the classifier carries to a language it has never seen: for each language, train on
all the others (train + dev of the corpus) and evaluate on that language alone.

A proxy for the hidden real-world test (pages nobody on the team wrote): it rewards features
that generalise (the concept lexicon, indicators) over words memorised from our own documents.

    python benchmarks/transfer.py [--langs en,zh-cn,ar] [--config nlp/configs/textcat.cfg]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections import defaultdict
from pathlib import Path

import spacy
from spacy.cli.train import train as spacy_train

from nlp import model
from nlp.dataset import DEV_PATH, TRAIN_PATH, read_jsonl
from nlp.evaluate import evaluate


def write(records, path):
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps({"text": r.text, "cats": r.cats, "lang": r.lang, "kind": r.kind}, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", help="comma-separated languages to hold out (default: all)")
    parser.add_argument("--config", default=str(model.CONFIG_PATH))
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args()
    records = list(read_jsonl(TRAIN_PATH)) + list(read_jsonl(DEV_PATH))
    by_lang = defaultdict(list)
    for r in records:
        by_lang[r.lang].append(r)
    langs = args.langs.split(",") if args.langs else sorted(by_lang)
    print(f"{'held out':10} {'n':>5} {'P':>6} {'R':>6} {'F1':>6} {'neg flagged':>12}")
    f1s = []
    for lang in langs:
        held = by_lang[lang]
        rest = [r for r in records if r.lang != lang]
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            write(rest, tmp / "train.jsonl")
            write(held, tmp / "dev.jsonl")
            spacy_train(
                Path(args.config), output_path=tmp / "out",
                overrides={"paths.train": str(tmp / "train.jsonl"), "paths.dev": str(tmp / "dev.jsonl"),
                           "training.logger.progress_bar": False},
                use_gpu=-1,
            )
            pipeline = spacy.load(tmp / "out" / "model-last")
            report = evaluate(held, pipeline=pipeline, threshold=args.threshold)
        m = report["overall"]["flagged"]
        f1s.append(m["f1"])
        print(f"{lang:10} {len(held):5d} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} "
              f"{report['overall']['negatives_flagged_rate']:12.1%}", flush=True)
    print(f"median F1 over held-out languages: {statistics.median(f1s):.3f}")


if __name__ == "__main__":
    main()
