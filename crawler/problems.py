"""What hostile or broken sites do to a crawl, named: each capture that met one carries a problem
kind (captures.problem) and a detail, and the crawl's stats count them (organwatch/problems/KIND).

Also the decoding that copes with missing and wrong charsets, and the sniffing of binary bodies
served as HTML, since both decide what the analysis reads.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from w3lib.encoding import html_body_declared_encoding, resolve_encoding

PROBLEM_KINDS = {
    "trap": "links not followed: a URL pattern repeated past its cap, repeating path segments or an overlong URL",
    "redirect_loop": "redirects that come back to a URL already in the chain, or more than REDIRECT_MAX_TIMES",
    "too_large": "body larger than DOWNLOAD_MAXSIZE: the download was cut",
    "decompression_bomb": "compressed body that inflates past DOWNLOAD_MAXSIZE: decompression stopped",
    "timeout": "no complete answer within DOWNLOAD_TIMEOUT (slow-drip or stalled server)",
    "charset_missing": "HTML without a declared charset: the encoding was detected",
    "charset_wrong": "declared charset unknown or not the one the bytes are in: decoded with the right one",
    "binary_as_html": "binary content (image, archive, executable ...) served as HTML: not analysed",
    "broken_html": "markup the parser had to repair (mismatched tags, excessive nesting ...)",
    "unreadable": "a page no reader could read (the reader process died on it twice, or reading raised an error): kept as a skipped capture",
    "rate_limited": "429 or 503 with Retry-After: waited and retried, or gave up when the wait was too long",
    "robots_disallowed": "robots.txt disallows the URL: not fetched",
    "private_address": "the URL (or a redirect) points at a private, loopback or link-local address: refused",
    "http_error": "an HTTP error status",
    "network_error": "connection refused, reset, DNS failure and the like",
}

_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\s;\"']+)", re.I)
_LATIN1_FAMILY = {"latin_1", "cp1252", "ascii", "iso8859_1", "iso8859_15"}
_MAGIC = {
    b"\x89PNG": "PNG image", b"GIF8": "GIF image", b"\xff\xd8\xff": "JPEG image", b"%PDF": "PDF document",
    b"PK\x03\x04": "ZIP archive", b"\x1f\x8b": "gzip data", b"\x7fELF": "ELF executable", b"MZ": "Windows executable",
    b"RIFF": "RIFF media", b"\x00\x00\x01\x00": "icon", b"wOFF": "web font", b"wOF2": "web font",
    b"7z\xbc\xaf": "7-Zip archive", b"Rar!": "RAR archive", b"\x00asm": "WebAssembly",
}


@dataclass
class Decoded:
    text: str
    encoding: str
    problem: str | None = None
    detail: str | None = None


def failure_problem(failure) -> tuple[str, str]:
    """(kind, detail) of a failed request, from the exception Scrapy handed the errback."""
    # not at import: readers decode pages with this module and need no Scrapy (and importing
    # crawler.middlewares would install the reactor)
    from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet.error import TimeoutError as TwistedTimeoutError

    from crawler.middlewares import PrivateAddressRefused

    exc = failure.value
    message = failure.getErrorMessage()
    if isinstance(exc, PrivateAddressRefused):
        return "private_address", message
    if isinstance(exc, HttpError):
        status = exc.response.status
        if status in (429, 503) and b"Retry-After" in exc.response.headers:
            wait = exc.response.headers.get(b"Retry-After").decode("latin-1")
            return "rate_limited", f"HTTP {status}, Retry-After {wait}: gave up"
        return "http_error", f"HTTP {status}"
    if isinstance(exc, IgnoreRequest):
        if "robots.txt" in message:
            return "robots_disallowed", message
        if "redirect" in message:
            return "redirect_loop", message
        if "decompression" in message:
            return "decompression_bomb", message
        return "http_error", message
    if isinstance(exc, DownloadCancelledError):
        return "too_large", message or "body larger than DOWNLOAD_MAXSIZE"
    if isinstance(exc, DownloadTimeoutError | TwistedTimeoutError):
        return "timeout", message
    return "network_error", f"{failure.type.__name__}: {message}"


def sniff_binary(body: bytes) -> str | None:
    """What binary content this is, or None for text. Magic numbers first, then the share of
    control bytes in the first KB (text has almost none)."""
    for magic, name in _MAGIC.items():
        if body.startswith(magic):
            return name
    head = body[:1024]
    if not head:
        return None
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return "binary data" if controls > len(head) * 0.1 else None


def _codec(name: str | None) -> str | None:
    resolved = resolve_encoding(name) if name else None
    return codecs.lookup(resolved).name.replace("-", "_") if resolved else None


def _detect(body: bytes) -> str:
    try:
        body.decode("utf-8")
        return "utf_8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(body[:65536]).best()
    return codecs.lookup(best.encoding).name.replace("-", "_") if best else "cp1252"


def decode_html(body: bytes, content_type: str | None) -> Decoded:
    """Decode an HTML body: the declared charset (header, then meta) when the bytes are in it;
    otherwise the detected one, with the problem named."""
    if body.startswith(codecs.BOM_UTF8):
        return Decoded(body[3:].decode("utf-8", "replace"), "utf_8")
    header = _CHARSET.search(content_type or "")
    raw = header[1] if header else html_body_declared_encoding(body)
    declared = _codec(raw)
    if declared is not None:
        try:
            text = body.decode(declared)
        except UnicodeDecodeError:
            why = f"declared {raw} but the bytes are not"
        else:
            if declared not in _LATIN1_FAMILY or body.isascii():
                return Decoded(text, declared)
            try:  # the most common lie: UTF-8 served as Latin-1
                return Decoded(body.decode("utf-8"), "utf_8", "charset_wrong", f"declared {raw} but the bytes are UTF-8")
            except UnicodeDecodeError:
                return Decoded(text, declared)
    else:
        why = f"unknown charset {raw!r}" if raw else "no charset declared"
    encoding = _detect(body)
    return Decoded(body.decode(encoding, "replace"), encoding, "charset_wrong" if raw else "charset_missing",
                   f"{why}; detected {encoding}")
