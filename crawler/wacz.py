"""The WACZ container as organwatch writes it: a ZIP with every member stored (not deflated) and
every header field fixed (time, attributes, system), so the same members always give the same
bytes. `verify` rebuilds the ZIP from its members and compares, which catches a changed byte in
the ZIP structure itself, not only in the hashed files. Also: raw gzip members of WARC files,
WARC digests, SURT keys for the CDXJ index.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
import zlib
from urllib.parse import urlsplit

WACZ_VERSION = "1.1.1"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def write_zip(members: list[tuple[str, bytes]]) -> bytes:
    """The canonical ZIP of (name, data) members, in this order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            z.writestr(info, data)
    return out.getvalue()


def json_bytes(obj) -> bytes:
    """The one JSON serialisation of bundle metadata (verify compares bytes with it)."""
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_gzip_member(f, offset: int) -> bytes:
    """The raw bytes of the one gzip member (one WARC record) that starts at `offset`."""
    f.seek(offset)
    inflater = zlib.decompressobj(31)
    raw = bytearray()
    while not inflater.eof:
        chunk = f.read(65536)
        if not chunk:
            raise ValueError(f"truncated gzip member at offset {offset}")
        inflater.decompress(chunk)
        raw += chunk
    return bytes(raw[: len(raw) - len(inflater.unused_data)])


def surt(url: str) -> str:
    """Sort-friendly URL key (SURT) for the CDXJ index: com,example)/path?query."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    key = ",".join(reversed(host.split("."))) if host and not host.replace(".", "").isdigit() else host
    if parts.port and parts.port not in (80, 443):
        key += f":{parts.port}"
    path = parts.path or "/"
    return f"{key}){path.lower()}" + (f"?{parts.query}" if parts.query else "")


def warc_digest(data: bytes) -> str:
    return "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode("ascii")


def digest_matches(label: str, data: bytes) -> bool:
    """Check a WARC-*-Digest value (sha256 or sha1, base32 or hex)."""
    algo, _, value = label.partition(":")
    algo = algo.lower()
    if algo not in ("sha256", "sha1"):
        return False
    raw = hashlib.new(algo, data).digest()
    return value in (base64.b32encode(raw).decode("ascii"), raw.hex())
