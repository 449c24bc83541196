"""Every door an anonymous visitor has into a served organwatch database, and a search of what
comes out of them for contact values. Used through datasette.client and over real HTTP."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from html import unescape
from pathlib import Path
from urllib.parse import quote, unquote

import yaml

from crawler.serve import METADATA

SLASH_PAGES = ["metadata", "metadata.json", "plugins.json", "versions.json", "settings.json", "config.json",
               "databases.json", "actor.json", "threads.json", "permissions", "messages", "allow-debug",
               "overview", "overview?_format=json", "login", "password-tool"]
_HREF = re.compile(r'href="([^"#]+)"')


def door_paths(db_path: Path, name: str, searches: list[str]) -> list[str]:
    """Paths to try: every table and view (HTML, JSON, CSV, search, facets, a row), every stored
    query, SQL, the database download, Datasette's /-/ pages and the page views."""
    conn = sqlite3.connect(db_path)
    try:
        tables = {t: [c[1] for c in conn.execute(f"pragma table_info([{t}])")]
                  for (t,) in conn.execute("select name from sqlite_master where type in ('table', 'view')")}
        page_ids = [r[0] for r in conn.execute("select id from pages")]
    finally:
        conn.close()
    paths = ["/", f"/{name}", f"/{name}.json", f"/{name}.db", f"/{name}?sql=select+*+from+pages",
             f"/{name}.json?sql=select+*+from+pages", f"/{name}.csv?sql=select+text+from+pages"]
    for table, columns in tables.items():
        base = f"/{name}/{quote(table)}"
        paths += [base, base + ".json?_shape=array", base + ".csv?_size=max", base + "/1", base + "/1.json"]
        paths += [f"{base}.json?_search={quote(s)}" for s in searches]
        paths += [f"{base}.json?_facet={quote(c)}&_size=0" for c in columns]
    queries = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["organwatch"].get("queries", {})
    for query in queries:
        paths += [f"/{name}/{query}", f"/{name}/{query}.json?_shape=array", f"/{name}/{query}.csv"]
    paths += [f"/-/{p}" for p in SLASH_PAGES]
    for page_id in page_ids:
        paths += [f"/-/page/{page_id}", f"/-/page/{page_id}?_format=json"]
    return paths


def visit(fetch: Callable[[str], tuple[int, str]], start: list[str], limit: int = 3000) -> dict[str, tuple[int, str]]:
    """Fetch the start paths, then follow every local link found, up to `limit` pages."""
    seen: dict[str, tuple[int, str]] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen[path] = status, body = fetch(path)
        if status == 200:
            for href in _HREF.findall(body):
                href = unescape(href)
                if href.startswith("/") and not href.startswith("//") and href not in seen:
                    queue.append(href)
    return seen


def leaks(responses: dict[str, tuple[int, str]], secrets: list[str]) -> list[tuple[str, str]]:
    """(path, secret) for every response body holding a secret (also URL-encoded or as
    HTML or JSON escapes would write it)."""
    found = []
    for path, (_, body) in responses.items():
        text = unescape(unquote(body)).replace("\\u0040", "@").replace("\\/", "/").lower()
        found += [(path, s) for s in secrets if s.lower() in text]
    return found
