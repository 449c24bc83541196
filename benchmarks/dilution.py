"""Page scoring old vs new, side by side in one run: whole text only (old) against whole text plus
passages (model.page_scores, new), on

1. dev, the held-out test set and the sample web's HTML pages (F1 of the flag, share of
   negatives flagged), each scoring with its own threshold chosen on dev exactly as `organwatch
   train` does;
2. a dilution set built from the held-out test documents only (never trained on, never used
   to choose anything): every test document embedded at a random position in K words of
   unrelated context (the test set's own easy negatives, homonyms and ordinary pages, of the
   same language first, and generic site boilerplate: menus, footers, other listings); K = 0,
   50, 100, 200, 400 (scripts without spaces: 2K characters);
3. long news: 2-4 hard negatives of one language concatenated (must not be flagged more);
4. speed of the spaCy stage on 5 KB texts.

    python benchmarks/dilution.py --old-model OLD_MODEL_DIR [--source test] [--windows 0] [--seed 1] [--no-veto]

The first column is the old model (`--old-model`, e.g. main's nlp/model; default: the shipped
one) scoring whole texts; the others are the new model (`--new-model`, default: the shipped
one) with each passage length of
`--windows` (tokens; 0 = whole text only). `--source dev` builds the dilution set from dev
instead (for design work: the test set stays unseen).
"""

from __future__ import annotations

import argparse
import glob
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.classifier import texts_of_5kb  # noqa: E402
from benchmarks.sampleweb_quality import labelled_pages  # noqa: E402
from nlp import model  # noqa: E402
from nlp.dataset import DEV_PATH, Record, read_jsonl  # noqa: E402
from nlp.evaluate import prf  # noqa: E402
from nlp.tokenizer import TOKEN_RE, split  # noqa: E402

TEST_GLOB = str(ROOT / "nlp" / "corpus" / "test" / "*.jsonl")
EASY = {"homonym", "general"}  # negatives that are unrelated to transplants: the context
HARD = {"news", "investigation", "ngo", "legal", "academic", "domestic_programme", "altruistic_appeal",
        "patient_education", "forum_discussion", "medical_tourism_other"}
KS = (0, 50, 100, 200, 400)
CHAR_LANGS = {"zh-cn", "zh-tw", "ja", "th"}
# What sits around the main text on many pages, whatever their language.
BOILERPLATE = [
    "Home | About us | Services | Blog | Contact | Login | Register",
    "Copyright 2024 All rights reserved. Privacy policy. Terms of use. Cookie settings.",
    "Share this: Facebook Twitter LinkedIn Email Print",
    "Related posts", "Categories: Uncategorized, General, Updates", "Subscribe to our newsletter",
    "Used Toyota Corolla 2015, 85,000 km, automatic, good condition. Price 7,500. Call 0301 5550123",
    "2 bedroom apartment for rent near the metro, furnished, 450 per month, available now",
    "iPhone 12 64GB, black, minor scratches, with charger. 300 or best offer.",
    "Looking for a part-time English tutor for two children, weekday evenings, Central district.",
    "Posted 3 days ago by admin · 0 comments · Read more",
    "Search ... Recent comments · Archives · Meta · Log in · Entries feed",
    "Opening hours: Mon-Fri 9:00-18:00, Sat 10:00-14:00. Closed on public holidays.",
    "Previous page 1 2 3 4 5 Next page",
    "Accept cookies? This site uses cookies to improve your experience. Accept Decline",
    "Sofa set, three seats, grey fabric, moving sale, pick up only this weekend.",
    "Follow us on Instagram and YouTube for the latest offers and news",
]


def load(paths) -> list[Record]:
    return [r for p in paths for r in read_jsonl(Path(p))]


def positive(rec: Record) -> bool:
    return any(rec.cats.values())


def words(text: str) -> list[str]:
    """Whitespace words, or tokens (characters) for scripts without spaces."""
    return [t for t, _, _ in split(text)] if not text.count(" ") * 8 > len(text) else text.split()


def context(rng: random.Random, pool: list[Record], lang: str, k: int, exclude: str) -> tuple[str, str]:
    """About k words of unrelated text (2k characters in scripts without spaces), split in two
    at a random line: the text before and after the embedded document."""
    if not k:
        return "", ""
    same = [r.text for r in pool if r.lang == lang and r.text != exclude]
    other = [r.text for r in pool if r.lang != lang]
    budget = 2 * k if lang in CHAR_LANGS else k
    lines: list[str] = []
    used = 0
    while used < budget:
        roll = rng.random()
        source = same if same and roll < 0.6 else (BOILERPLATE if roll < 0.85 or not other else other)
        chunk = rng.choice(source)
        for line in chunk.splitlines():
            line = line.strip()
            if not line:
                continue
            n = len(TOKEN_RE.findall(line)) if lang in CHAR_LANGS else len(line.split())
            if used + n > budget:
                toks = TOKEN_RE.findall(line) if lang in CHAR_LANGS else line.split()
                line = ("" if lang in CHAR_LANGS else " ").join(toks[: budget - used])
                n = budget - used
            lines.append(line)
            used += n
            if used >= budget:
                break
    cut = rng.randint(0, len(lines))
    return "\n".join(lines[:cut]), "\n".join(lines[cut:])


def embed(rng: random.Random, rec: Record, pool: list[Record], k: int) -> str:
    before, after = context(rng, pool, rec.lang, k, rec.text)
    return "\n".join(part for part in (before, rec.text, after) if part)


def long_news(rng: random.Random, records: list[Record], n: int = 200) -> list[str]:
    by_lang = defaultdict(list)
    for r in records:
        if r.kind in HARD:
            by_lang[r.lang].append(r.text)
    langs = sorted(lang for lang, texts in by_lang.items() if len(texts) >= 2)
    out = []
    for _ in range(n):
        texts = by_lang[rng.choice(langs)]
        out.append("\n\n".join(rng.sample(texts, min(len(texts), rng.randint(2, 4)))))
    return out


def flag_scores(column: tuple, texts: list[str]) -> list[float]:
    pipeline, window, veto = column
    return [model.flag_score(p.scores) for p in model.page_scores(pipeline, texts, window=window, veto=veto)]


def rates(scores: list[float], gold: list[bool], threshold: float) -> tuple[float, float, int, int]:
    """F1 of the flag, share of negatives flagged, false negatives, false positives."""
    tp = sum(s >= threshold and g for s, g in zip(scores, gold, strict=True))
    fp = sum(s >= threshold and not g for s, g in zip(scores, gold, strict=True))
    fn = sum(s < threshold and g for s, g in zip(scores, gold, strict=True))
    negatives = sum(not g for g in gold)
    return prf(tp, fp, fn)["f1"], fp / negatives if negatives else 0.0, fn, fp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("test", "dev"), default="test")
    parser.add_argument("--old-model", type=Path, default=model.MODEL_DIR)
    parser.add_argument("--new-model", type=Path, default=model.MODEL_DIR)
    parser.add_argument("--windows", default=str(model.WINDOW))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--no-veto", action="store_true",
                        help="admit every passage (model.admitted_passages not applied)")
    args = parser.parse_args()
    pipeline = model.load(args.new_model.resolve())
    old = model.load(args.old_model.resolve())
    columns = [(old, 0, True)] + [(pipeline, int(w), not args.no_veto) for w in args.windows.split(",")]
    windows = list(range(len(columns)))  # column indices
    names = ["old, whole text"] + [f"new, window {w}" if w else "new, whole text" for _, w, _ in columns[1:]]
    shipped = model.model_info(pipeline).get("threshold")

    dev = load([DEV_PATH])
    test = load(sorted(glob.glob(TEST_GLOB)))
    with tempfile.TemporaryDirectory() as tmp:
        web_path = Path(tmp) / "sampleweb.jsonl"
        labelled_pages(web_path)
        web = load([web_path])
    source = test if args.source == "test" else dev

    thresholds = {}
    for w in windows:
        pairs = list(zip(flag_scores(columns[w], [r.text for r in dev]), [positive(r) for r in dev], strict=True))
        thresholds[w] = model.choose_threshold(pairs)
    print("thresholds chosen on dev: " + ", ".join(f"{n} {thresholds[w]:.4f}" for n, w in zip(names, windows, strict=True))
          + f" (shipped model: {shipped})")

    header = f"{'':34}" + "".join(f"{n:>22}" for n in names)
    print("\nF1 / negatives flagged")
    print(header)

    def row(label: str, texts: list[str], gold: list[bool]) -> dict[int, list[float]]:
        scores = {w: flag_scores(columns[w], texts) for w in windows}
        cells = []
        for w in windows:
            f1, neg, fn, fp = rates(scores[w], gold, thresholds[w])
            cells.append(f"{f1:.3f} / {neg:5.1%} fn{fn:<3}")
        print(f"{label:34}" + "".join(f"{c:>22}" for c in cells))
        return scores

    row("dev", [r.text for r in dev], [positive(r) for r in dev])
    row("held-out test", [r.text for r in test], [positive(r) for r in test])
    row("sample web (HTML)", [r.text for r in web], [positive(r) for r in web])

    rng = random.Random(args.seed)
    pool = [r for r in source if r.kind in EASY]
    print(f"\ndilution ({args.source}: {sum(positive(r) for r in source)} positives, "
          f"{sum(not positive(r) for r in source)} negatives of which {sum(r.kind in HARD for r in source)} hard; "
          f"context from {len(pool)} easy negatives + boilerplate)")
    print(header)
    by_k = {}
    for k in KS:
        texts = [embed(rng, r, pool, k) for r in source]
        gold = [positive(r) for r in source]
        by_k[k] = (texts, row(f"K={k}", texts, gold))
        hard = [i for i, r in enumerate(source) if r.kind in HARD]
        cells = [f"{sum(by_k[k][1][w][i] >= thresholds[w] for i in hard) / len(hard):5.1%}" for w in windows]
        print(f"{'  hard negatives flagged':34}" + "".join(f"{c:>22}" for c in cells))

    print("\nrecall per language at K=200 (positives flagged / positives)")
    texts, scores = by_k[200]
    langs = sorted({r.lang for r in source})
    for lang in langs:
        idx = [i for i, r in enumerate(source) if r.lang == lang and positive(r)]
        neg = [i for i, r in enumerate(source) if r.lang == lang and not positive(r)]
        cells = [f"{sum(scores[w][i] >= thresholds[w] for i in idx)}/{len(idx)} neg {sum(scores[w][i] >= thresholds[w] for i in neg)}/{len(neg)}"
                 for w in windows]
        print(f"  {lang:32}" + "".join(f"{c:>22}" for c in cells))

    news = long_news(random.Random(args.seed), source)
    scores = {w: flag_scores(columns[w], news) for w in windows}
    cells = [f"{sum(s >= thresholds[w] for s in scores[w]) / len(news):5.1%}" for w in windows]
    print(f"\n{'long news (2-4 hard negatives) flagged':34}" + "".join(f"{c:>22}" for c in cells)[4:])

    if not args.no_speed:
        texts = texts_of_5kb(400)
        cells = []
        for w in windows:
            flag_scores(columns[w], texts[:20])  # warm up
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                flag_scores(columns[w], texts)
                runs.append(len(texts) / (time.perf_counter() - start))
            cells.append(f"{sorted(runs)[1]:.0f} docs/s")
        print(f"\n{'spaCy stage, 5 KB texts':34}" + "".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
