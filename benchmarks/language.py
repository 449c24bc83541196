"""Language detection, old against new, side by side in one run: langdetect's random trials
(3 trials of up to 300 iterations on a 300-character sample, seed 0: organwatch's detector until
the n-gram model was scored deterministically) against nlp.language.detect_language.

Accuracy on every labelled document of nlp/corpus (train, dev, test), per language, on the whole
text and on its first 200 characters (a hard case). Median ms per call: the whole call over all
documents; the n-gram model alone over the documents the script shortcuts do not settle, from an
empty token table (each pass starts with one, as a crawl does) and with every token known.

    python benchmarks/language.py [--sample-chars 300 1000 2000] [--seeds 10]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from collections.abc import Callable

from langdetect import DetectorFactory
from langdetect.detector_factory import init_factory
from langdetect.lang_detect_exception import LangDetectException

from nlp import language
from nlp.dataset import CORPUS_DIR, read_jsonl
from nlp.labels import LANGUAGES

PATHS = [CORPUS_DIR / "train.jsonl", CORPUS_DIR / "dev.jsonl", *sorted((CORPUS_DIR / "test").glob("*.jsonl"))]


def trials(sample: str, seed: int = 0) -> str:
    """organwatch's n-gram stage before: langdetect's random trials on the 300-character sample."""
    init_factory()
    from langdetect.detector_factory import _factory

    DetectorFactory.seed = seed
    detector = _factory.create()
    detector.n_trial = 3
    detector.ITERATION_LIMIT = 300
    detector.append(sample)
    try:
        return detector.detect()
    except LangDetectException:
        return ""


def detector(model: Callable[[str], str], chars: int) -> Callable[[str], str]:
    """detect_language with `model` on a `chars` sample after the (unchanged) script shortcuts."""

    def detect(text: str) -> str:
        cleaned = language._clean(text)
        shortcut = language._by_script(language._sample(cleaned, language.SAMPLE_CHARS))
        if shortcut is not None:
            return shortcut
        return model(language._sample(cleaned, chars))

    return detect


def median_ms(fn: Callable[[str], str], texts: list[str], rounds: int, forget: bool = True) -> float:
    """Median over texts of the median over `rounds` passes; the token table emptied before each
    pass unless `forget` is false (then every token is known after the first pass)."""
    passes = []
    for _ in range(rounds):
        if forget:
            language._get_model().forget()
        seconds = []
        for text in texts:
            start = time.perf_counter()
            fn(text)
            seconds.append(time.perf_counter() - start)
        passes.append(seconds)
    return 1000 * statistics.median(statistics.median(ts) for ts in zip(*passes, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample-chars", type=int, nargs="+", default=[language.NGRAM_SAMPLE_CHARS],
                        help="n-gram sample sizes of the new detector (default: the shipped one)")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the documents")
    parser.add_argument("--seeds", type=int, default=0,
                        help="also give the old detector's accuracy range over seeds 0..N-1")
    args = parser.parse_args()
    records = [r for path in PATHS for r in read_jsonl(path)]
    # name -> (n-gram stage, its sample size)
    stages: dict[str, tuple[Callable[[str], str], int]] = {"old (trials)": (trials, language.SAMPLE_CHARS)}
    for chars in args.sample_chars:
        name = "new" if chars == language.NGRAM_SAMPLE_CHARS else f"new@{chars}"
        stages[name] = (language._naive_bayes, chars)
    names = list(stages)
    trials("Ceci est un texte pour charger les profils.")
    language._naive_bayes("Ceci est un texte pour charger les profils.")
    print(f"{len(records)} documents; new = {language.NGRAM_SAMPLE_CHARS}-character sample")

    for title, cut in (("whole text", None), ("first 200 characters", 200)):
        texts = [r.text[:cut] if cut else r.text for r in records]
        cleaned = [language._clean(t) for t in texts]
        to_model = [i for i, c in enumerate(cleaned) if language._by_script(language._sample(c, language.SAMPLE_CHARS)) is None]
        total: dict[str, int] = defaultdict(int)
        for r in records:
            total[r.lang] += 1
        right = {name: defaultdict(int) for name in names}
        for name, (model, chars) in stages.items():
            for rec, text in zip(records, texts, strict=True):
                right[name][rec.lang] += detector(model, chars)(text) == rec.lang
        print(f"\n{title}: accuracy % per language")
        print(f"  {'lang':6} {'docs':>5} " + " ".join(f"{n:>12}" for n in names))
        for lang in [*LANGUAGES, *sorted(set(total) - set(LANGUAGES))]:
            cells = " ".join(f"{100 * right[n][lang] / total[lang]:12.1f}" for n in names)
            print(f"  {lang:6} {total[lang]:5} {cells}")
        cells = " ".join(f"{100 * sum(right[n].values()) / len(records):12.2f}" for n in names)
        print(f"  {'all':6} {len(records):5} {cells}")

        samples = {name: [language._sample(cleaned[i], chars) for i in to_model] for name, (_, chars) in stages.items()}
        rows = {
            f"ms/call, whole call, all {len(texts)} documents": {
                n: median_ms(detector(*stages[n]), texts, args.rounds) for n in names},
            f"ms/call, n-gram model alone, {len(to_model)} documents": {
                n: median_ms(stages[n][0], samples[n], args.rounds) for n in names},
            "  the same, every token known": {
                n: median_ms(stages[n][0], samples[n], args.rounds, forget=False) for n in names},
        }
        for label, figures in rows.items():
            print(f"  {label:48} " + " ".join(f"{figures[n]:12.3f}" for n in names))

        if args.seeds:
            by_seed = defaultdict(list)
            for seed in range(args.seeds):
                ok: dict[str, int] = defaultdict(int)
                for i, rec in enumerate(records):
                    ok[rec.lang] += detector(lambda s, seed=seed: trials(s, seed), language.SAMPLE_CHARS)(texts[i]) == rec.lang
                for lang in total:
                    by_seed[lang].append(ok[lang])
                by_seed["all"].append(sum(ok.values()))
            spread = ", ".join(f"{lang} {min(v)}-{max(v)}" for lang, v in by_seed.items() if min(v) != max(v))
            print(f"  old (trials) over seeds 0-{args.seeds - 1}, documents right (min-max) where they differ: {spread}")


if __name__ == "__main__":
    main()
