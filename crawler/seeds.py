"""Seed lists: one URL a line, '#' comments and blank lines allowed; errors name FILE:LINE."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

_HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d+)?(/.*)?$")


class SeedError(ValueError):
    """A bad seed; the message is 'FILE:LINE: reason'."""


def parse_seed(text: str, where: str) -> str:
    value = text.strip()
    if any(c.isspace() for c in value):
        raise SeedError(f"{where}: a seed is one URL without spaces, got {value!r}")
    if "://" not in value:
        if not _HOST.match(value) or "." not in value.split("/")[0]:
            raise SeedError(f"{where}: not a URL or host name: {value!r}")
        value = "https://" + value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise SeedError(f"{where}: only http and https URLs can be crawled, got {parts.scheme!r} in {value!r}")
    try:
        host = parts.hostname
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as e:
        raise SeedError(f"{where}: bad URL {value!r} ({e})") from None
    if not host:
        raise SeedError(f"{where}: URL without a host: {value!r}")
    if not parts.path:
        value += "/"
    return value


def parse_seed_lines(lines: Iterable[str], source: str) -> list[str]:
    seeds = []
    for lineno, line in enumerate(lines, 1):
        content = line.split("#", 1)[0] if line.lstrip().startswith("#") or " #" in line else line
        if not content.strip():
            continue
        seeds.append(parse_seed(content, f"{source}:{lineno}"))
    return seeds


def read_seeds_file(path: str | Path) -> list[str]:
    try:
        with open(path, encoding="utf-8") as f:
            return parse_seed_lines(f, str(path))
    except FileNotFoundError:
        raise SeedError(f"{path}: seeds file not found") from None
    except UnicodeDecodeError as e:
        raise SeedError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from None


def collect_seeds(urls: Iterable[str] = (), seeds_file: str | Path | None = None) -> list[str]:
    """Seeds from arguments and a file, in order, without duplicates."""
    seeds = [parse_seed(u, f"argument {i}") for i, u in enumerate(urls, 1)]
    if seeds_file:
        seeds += read_seeds_file(seeds_file)
    return list(dict.fromkeys(seeds))
