"""Broker networks: near-duplicate pages across domains (MinHash over character shingles).

The same advertisement copied onto several sites is the commonest sign of one broker behind
many fronts. Character 5-grams work the same for every script (Chinese and Japanese have no
spaces to split words on). A page's signature is kept in `page_minhash` and recomputed only
when its text changes; clusters are rebuilt from the signatures with an LSH index.
"""

from __future__ import annotations

import re
import zlib
from functools import cache

import numpy as np
import sqlite_utils
from datasketch import LeanMinHash, MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE = 5
THRESHOLD = 0.7  # estimated Jaccard similarity of shingle sets for "near duplicate"
MIN_CHARS = 200  # shorter texts (menus, error pages) are too generic to compare
SEED = 1
SCHEME = "affine32"  # datasketch 2: 32-bit values, stored as 128 little-endian uint32
_SPACE = re.compile(r"\s+")


@cache
def _permutations():
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def signature(text: str) -> MinHash | None:
    norm = _SPACE.sub(" ", text.lower()).strip()
    if len(norm) < MIN_CHARS:
        return None
    shingles = {norm[i : i + SHINGLE] for i in range(len(norm) - SHINGLE + 1)}
    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, permutations=_permutations(), hashfunc=zlib.crc32)
    m.update_batch([s.encode("utf-8") for s in shingles])
    return m


def _update_signatures(db: sqlite_utils.Database) -> int:
    rows = db.execute(
        "select p.id, p.text, p.text_sha256 from pages p left join page_minhash m on m.page_id = p.id "
        "where m.page_id is null or m.text_sha256 is not p.text_sha256"
    ).fetchall()
    for page_id, text, sha in rows:
        sig = signature(text or "")
        blob = sig.hashvalues.astype("<u4").tobytes() if sig is not None else None
        db.execute(
            "insert or replace into page_minhash (page_id, text_sha256, signature) values (?, ?, ?)",
            [page_id, sha, blob],
        )
    return len(rows)


def clusters(signatures: dict[int, np.ndarray], threshold: float = THRESHOLD) -> list[list[int]]:
    """Groups of page ids whose signatures are near duplicates (connected components)."""
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    hashes = {pid: LeanMinHash(seed=SEED, hashvalues=hv, scheme=SCHEME) for pid, hv in signatures.items()}
    for pid, h in hashes.items():
        lsh.insert(pid, h)
    parent = {pid: pid for pid in hashes}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pid, h in hashes.items():
        for other in lsh.query(h):
            if other != pid and h.jaccard(hashes[other]) >= threshold:
                parent[find(other)] = find(pid)
    groups: dict[int, list[int]] = {}
    for pid in hashes:
        groups.setdefault(find(pid), []).append(pid)
    return [sorted(g) for g in groups.values() if len(g) > 1]


def refresh_near_duplicates(db: sqlite_utils.Database) -> int:
    """Bring signatures up to date and rewrite `near_duplicates` (clusters on 2+ domains).
    Returns the number of signatures recomputed."""
    changed = _update_signatures(db)
    if not changed:
        return 0
    sigs = {
        pid: np.frombuffer(blob, dtype="<u4")
        for pid, blob in db.execute("select page_id, signature from page_minhash where signature is not null")
    }
    domains = dict(db.execute("select id, domain from pages").fetchall())
    db.execute("delete from near_duplicates")
    for group in clusters(sigs):
        n_domains = len({domains.get(pid) for pid in group})
        if n_domains < 2:
            continue
        db["near_duplicates"].insert_all(
            {"page_id": pid, "cluster_id": group[0], "cluster_pages": len(group), "cluster_domains": n_domains}
            for pid in group
        )
    return changed
