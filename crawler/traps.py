"""Crawler traps: URL spaces without end (calendars, faceted search, session ids, paths that
repeat themselves). Links are grouped by a URL *pattern* (host, path with numbers and ids made
generic, the query's parameter names); a pattern gets at most ORGANWATCH_TRAP_PATTERN_CAP
pages per crawl. Memory grows with the number of patterns, not of URLs."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

_NUMBER = re.compile(r"\d+")
_ID = re.compile(r"^(?=.*\d)[0-9a-f-]{16,}$|^[A-Za-z0-9_-]{24,}$")  # hashes, uuids, session tokens


def url_pattern(url: str) -> str:
    return _pattern(urlsplit(url))


def _pattern(parts) -> str:
    segments = []
    for segment in parts.path.split("/"):
        segments.append("{id}" if _ID.match(segment) else _NUMBER.sub("N", segment))
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return f"{parts.hostname}:{parts.port or ''}{'/'.join(segments)}?{'&'.join(keys)}"


class TrapDetector:
    def __init__(self, pattern_cap: int = 1000, max_segment_repeats: int = 3, max_url_length: int = 500):
        self.pattern_cap = pattern_cap
        self.max_segment_repeats = max_segment_repeats
        self.max_url_length = max_url_length
        self.counts: Counter[str] = Counter()

    def check(self, url: str) -> str | None:
        """None when the URL may be scheduled (and then it is counted), else why it is a trap."""
        if len(url) > self.max_url_length:
            return f"URL longer than {self.max_url_length} characters"
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) > self.max_segment_repeats:  # fewer cannot repeat one more often
            segment, repeats = Counter(segments).most_common(1)[0]
            if repeats > self.max_segment_repeats:
                return f"path segment {segment!r} repeated {repeats} times"
        if not self.pattern_cap:  # no cap: nothing to count
            return None
        pattern = _pattern(parts)
        if self.counts[pattern] >= self.pattern_cap:
            return f"pattern {pattern} past its cap of {self.pattern_cap} pages"
        self.counts[pattern] += 1
        return None
