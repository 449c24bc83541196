"""Precision, recall and F1 per label, for the flag, per language and per kind; the worst errors."""

from __future__ import annotations

from collections import defaultdict

from spacy.language import Language

from nlp import model as model_mod
from nlp.dataset import Record
from nlp.labels import LABELS


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


def evaluate(records: list[Record], pipeline: Language | None = None, threshold: float | None = None, worst: int = 10,
             window: int = model_mod.WINDOW) -> dict:
    """`window`: passage length of the page scoring (model.page_scores; 0 = whole text only)."""
    pipeline = pipeline or model_mod.load()
    if threshold is None:
        threshold = float(model_mod.model_info(pipeline).get("threshold", model_mod.DEFAULT_THRESHOLD))
    pages = model_mod.page_scores(pipeline, (r.text for r in records), window=window, topics=[r.topic for r in records])
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
    errors = []
    negatives = flagged_negatives = 0
    for rec, page in zip(records, pages, strict=True):
        score = model_mod.flag_score(page.scores)
        gold_flag = any(rec.cats.values())
        pred_flag = score >= threshold
        outcomes = {"flagged": (pred_flag, gold_flag)}
        for label in LABELS:
            outcomes[label] = (page.scores.get(label, 0.0) >= threshold, bool(rec.cats.get(label)))
        for name, (pred, gold) in outcomes.items():
            for group in ("overall", f"lang:{rec.lang or '?'}", f"kind:{rec.kind or '?'}"):
                c = counts[group][name]
                c[0] += pred and gold
                c[1] += pred and not gold
                c[2] += gold and not pred
                c[3] += 1
        if not gold_flag:
            negatives += 1
            flagged_negatives += pred_flag
        if pred_flag != gold_flag:
            errors.append({
                "where": rec.where, "lang": rec.lang, "kind": rec.kind, "gold": rec.cats,
                "score": round(score, 3), "margin": round(abs(score - threshold), 3),
                "text": " ".join(rec.text.split())[:160],
            })
    report: dict = {"threshold": threshold, "n": len(records), "groups": {}}
    for group, by_name in counts.items():
        report["groups"][group] = {name: {**prf(*c[:3]), "n": c[3]} for name, c in by_name.items()}
    report["overall"] = {
        **{name: report["groups"]["overall"][name] for name in ("flagged", *LABELS)},
        "negatives_flagged_rate": round(flagged_negatives / negatives, 3) if negatives else 0.0,
    }
    errors.sort(key=lambda e: -e["margin"])
    report["worst_errors"] = errors[:worst]
    return report


def format_report(report: dict) -> str:
    lines = [f"{report['n']} documents, flag threshold {report['threshold']:.3f}", ""]
    lines.append(f"{'':24} {'P':>6} {'R':>6} {'F1':>6} {'n':>6}")
    overall = report["groups"]["overall"]
    for name in ("flagged", *LABELS):
        m = overall[name]
        lines.append(f"{name:24} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['n']:6d}")
    lines.append(f"negatives flagged: {report['overall']['negatives_flagged_rate']:.1%}")
    for prefix, title in (("lang:", "per language (flagged)"), ("kind:", "per kind (flagged)")):
        lines += ["", title]
        for group in sorted(g for g in report["groups"] if g.startswith(prefix)):
            m = report["groups"][group]["flagged"]
            name = group[len(prefix):]
            if prefix == "kind:" and m["tp"] + m["fn"] == 0:  # a negative kind: only false flags can happen
                lines.append(f"  {name:26} negatives {m['n']:4d}, flagged {m['fp']:3d} ({m['fp'] / m['n']:.0%})")
                continue
            lines.append(
                f"  {name:26} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['n']:6d}"
                f"  fp={m['fp']} fn={m['fn']}"
            )
    if report["worst_errors"]:
        lines += ["", "worst errors (furthest from the threshold)"]
        for e in report["worst_errors"]:
            gold = "+" if any(e["gold"].values()) else "-"
            lines.append(f"  {gold} {e['score']:.2f} {e['lang']:5} {e['kind']:24} {e['where']}\n      {e['text']}")
    return "\n".join(lines)
