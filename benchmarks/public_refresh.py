"""How long the public (redacted) copies and the near-duplicate clusters take to build, next to
a plain copy of the same rows. Prints figures and ratios; asserts nothing.

    .venv/bin/python benchmarks/public_refresh.py [N_PAGES]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler import public  # noqa: E402
from crawler.networks import signature  # noqa: E402
from crawler.redaction import redact  # noqa: E402
from crawler.store import Store  # noqa: E402
from nlp.indicators import pattern_indicators  # noqa: E402

WORDS = ("kidney liver transplant donor available hospital package visa hotel flight price negotiable "
         "healthy blood group tests done coordinator india pakistan china clinic patient waiting week").split()


def page_text(rng: random.Random, i: int) -> str:
    body = " ".join(rng.choices(WORDS, k=rng.randint(150, 900)))
    return (f"{body} WhatsApp +92 3{rng.randint(0, 4)}{rng.randint(10, 99)} {rng.randint(1000000, 9999999)}, "
            f"email agent{i % 97}@broker{i % 13}.example, Telegram @kidney{i % 31}help. {body[:400]}")


def main(n: int) -> None:
    rng = random.Random(5)
    folder = Path(tempfile.mkdtemp())
    store = Store(folder / "bench.db")
    texts = []
    for i in range(n):
        text = page_text(rng, i)
        texts.append(text)
        url = f"https://site{i % 40}.example/p{i}.html"
        inds = [{"kind": x.kind, "value": x.text, "normalized": x.value, "start": x.start + 6, "end": x.end + 6}
                for x in pattern_indicators(text, "en")]
        store.record({"url": url, "fetched_at": "2026-01-01T00:00:00Z", "status": 200, "headers": "{}"},
                     {"url": url, "domain": f"site{i % 40}.example", "title": "Offer", "text": text, "lang": "en",
                      "flagged": 1, "risk": 90, "advertising": 0.2, "brokerage": 0.9, "reasons": "[]",
                      "text_sha256": str(i), "model_version": "bench"}, inds)
    chars = sum(map(len, texts))
    db = store.db

    t = time.perf_counter()
    with db.atomic():
        db.execute("create table plain_copy as select * from pages")
    plain = time.perf_counter() - t
    t = time.perf_counter()
    for text in texts:
        redact(text, "en")
    redaction = time.perf_counter() - t
    t = time.perf_counter()
    for text in texts:
        signature(text)
    minhash = time.perf_counter() - t
    t = time.perf_counter()
    first = public.refresh(db)
    full = time.perf_counter() - t
    t = time.perf_counter()
    public.refresh(db)
    again = time.perf_counter() - t
    store.close()

    print(f"{n} pages, {chars / n:,.0f} characters each on average")
    print(f"plain SQL copy of pages          {plain:8.3f} s   {n / plain:10,.0f} pages/s   1.0x")
    print(f"redaction of the texts           {redaction:8.3f} s   {n / redaction:10,.0f} pages/s   {redaction / plain:,.0f}x the copy")
    print(f"MinHash signatures               {minhash:8.3f} s   {n / minhash:10,.0f} pages/s   {minhash / plain:,.0f}x the copy")
    print(f"first refresh (everything)       {full:8.3f} s   {n / full:10,.0f} pages/s   {full / plain:,.0f}x the copy")
    print(f"refresh with nothing changed     {again:8.3f} s   {again / full:.1%} of the first")
    print(f"near-duplicate pages found: {first}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
