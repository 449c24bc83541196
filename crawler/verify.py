"""`organwatch verify`: is a case bundle whole? Recomputes the digest of datapackage.json and its
signature, the SHA-256 and size of every file, every WARC record's block and payload digests,
every CDXJ entry's record, and finally rebuilds the ZIP from its members and compares bytes (so a
changed byte in the ZIP structure is caught too). Problems name the file, record or byte offset;
the first one is the first that did not match."""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from crawler import signing
from crawler.wacz import digest_matches, json_bytes, read_gzip_member, sha256_hex, write_zip

PACKAGE, DIGEST = "datapackage.json", "datapackage-digest.json"


class BundleError(ValueError):
    """The bundle cannot be read at all as given (a usage problem: exit 2)."""


@dataclass
class VerifyReport:
    path: Path
    problems: list[str] = field(default_factory=list)
    files: int = 0
    records: int = 0
    signed_by: str | None = None
    case_id: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_bundle(path: str | Path, trusted_key: str | None = None) -> VerifyReport:
    """`trusted_key`: base64 DER public key the signature must come from (else any valid signature).
    A bundle so damaged that a check raises is reported as not whole, never as a crash."""
    path = Path(path)
    try:
        return _verify(path, trusted_key)
    except BundleError:
        raise
    except Exception as e:  # a verifier fails closed
        return VerifyReport(path, problems=[f"{path.name}: cannot be checked ({type(e).__name__}: {e})"])


def _verify(path: Path, trusted_key: str | None) -> VerifyReport:
    try:
        blob = path.read_bytes()
    except OSError as e:
        raise BundleError(f"{path}: cannot read ({e.strerror})") from None
    report = VerifyReport(path)
    problem = report.problems.append
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as e:
        problem(f"{path.name}: not a readable ZIP ({e})")
        return report
    with archive:
        members: dict[str, bytes] = {}
        order = []
        for info in archive.infolist():
            order.append(info)
            try:
                members[info.filename] = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError, NotImplementedError) as e:
                problem(f"{info.filename}: cannot be read from the ZIP ({e})")
    package = _check_package(members, report, trusted_key)
    if package is not None:
        listed = {r.get("path") for r in package.get("resources", [])}
        for extra in sorted(set(members) - listed - {PACKAGE, DIGEST}):
            problem(f"{extra}: in the bundle but not listed in {PACKAGE}")
    for name in sorted(members):
        if name.startswith("archive/") and name.endswith((".warc.gz", ".warc")):
            report.records += _check_warc(name, members[name], problem)
    if "indexes/index.cdxj" in members:
        _check_index(members, problem)
    if not report.problems:
        _check_zip_bytes(blob, [(i.filename, members[i.filename]) for i in order], order, problem)
    return report


def _check_package(members: dict[str, bytes], report: VerifyReport, trusted_key: str | None) -> dict | None:
    problem = report.problems.append
    for name in (DIGEST, PACKAGE):
        if name not in members:
            problem(f"{name}: missing")
            return None
    try:
        digest = json.loads(members[DIGEST])
        package = json.loads(members[PACKAGE])
    except (ValueError, UnicodeDecodeError) as e:
        problem(f"{DIGEST} or {PACKAGE}: not valid JSON ({e})")
        return None
    if not isinstance(digest, dict) or not isinstance(package, dict):
        problem(f"{DIGEST} or {PACKAGE}: not a JSON object")
        return None
    if json_bytes(digest) != members[DIGEST]:
        problem(f"{DIGEST}: bytes differ from its canonical form (edited)")
    if json_bytes(package) != members[PACKAGE]:
        problem(f"{PACKAGE}: bytes differ from its canonical form (edited)")
    package_hash = "sha256:" + sha256_hex(members[PACKAGE])
    if digest.get("path") != PACKAGE or digest.get("hash") != package_hash:
        problem(f"{PACKAGE}: SHA-256 does not match {DIGEST}")
    report.case_id = (package.get("organwatch") or {}).get("case_id")
    signed = digest.get("signedData")
    if signed is not None:
        public = signed.get("publicKey", "")
        if signed.get("hash") != digest.get("hash"):
            problem(f"{DIGEST}: signedData.hash differs from hash")
        elif (signed.get("created"), signed.get("software")) != (package.get("created"), package.get("software")):
            problem(f"{DIGEST}: signedData created/software differ from {PACKAGE}")
        elif not signing.verify(public, signed.get("signature", ""), signed["hash"]):
            problem(f"{DIGEST}: signature does not verify")
        elif trusted_key and public != trusted_key:
            problem(f"{DIGEST}: signed by {signing.fingerprint(public)}, not by the expected key")
        else:
            report.signed_by = signing.fingerprint(public)
    elif trusted_key:
        problem(f"{DIGEST}: not signed, but a signature by a given key was required")
    resources = package.get("resources")
    if not isinstance(resources, list):
        problem(f"{PACKAGE}: no resources list")
        return package
    for res in resources:
        name = res.get("path") if isinstance(res, dict) else None
        if name not in members:
            problem(f"{name}: listed in {PACKAGE} but missing from the bundle")
            continue
        data = members[name]
        report.files += 1
        if res.get("hash") != "sha256:" + sha256_hex(data):
            problem(f"{name}: SHA-256 does not match {PACKAGE}")
        elif res.get("bytes") != len(data):
            problem(f"{name}: size does not match {PACKAGE}")
    return package


def _check_warc(name: str, data: bytes, problem) -> int:
    """Check every record's digests; return the number of records read."""
    count = 0
    try:
        for record in ArchiveIterator(io.BytesIO(data), no_record_parse=True, check_digests=False):
            count += 1
            h = record.rec_headers
            block = record.raw_stream.read()
            rid = h.get_header("WARC-Record-ID")
            where = f"{name}: record {rid} ({h.get_header('WARC-Target-URI') or h.get_header('WARC-Type')})"
            block_digest = h.get_header("WARC-Block-Digest")
            if block_digest and not digest_matches(block_digest, block):
                problem(f"{where}: WARC-Block-Digest does not match")
                continue
            payload_digest = h.get_header("WARC-Payload-Digest")
            if payload_digest:
                payload = block
                if record.rec_type in ("response", "request") and b"\r\n\r\n" in block:
                    payload = block.split(b"\r\n\r\n", 1)[1]
                if not digest_matches(payload_digest, payload):
                    problem(f"{where}: WARC-Payload-Digest does not match")
    except (ArchiveLoadFailed, zlib.error, EOFError, ValueError, OSError) as e:
        problem(f"{name}: unreadable after {count} records ({e})")
    return count


def _check_index(members: dict[str, bytes], problem) -> None:
    for n, line in enumerate(members["indexes/index.cdxj"].decode("utf-8", "replace").splitlines(), 1):
        try:
            entry = json.loads(line.split(" ", 2)[2])
            data = members["archive/" + entry["filename"]]
            raw = read_gzip_member(io.BytesIO(data), int(entry["offset"]))
            record = next(iter(ArchiveIterator(io.BytesIO(raw))))
            ok = len(raw) == int(entry["length"]) and record.rec_headers.get_header("WARC-Record-ID") == entry["recordId"]
        except (IndexError, KeyError, ValueError, zlib.error, StopIteration, ArchiveLoadFailed) as e:
            problem(f"indexes/index.cdxj:{n}: unusable entry ({e})")
            continue
        if not ok:
            problem(f"indexes/index.cdxj:{n}: does not point at record {entry['recordId']}")


def _check_zip_bytes(blob: bytes, members: list[tuple[str, bytes]], infos, problem) -> None:
    canonical = write_zip(members)
    if canonical == blob:
        return
    at = next((i for i, (a, b) in enumerate(zip(blob, canonical, strict=False)) if a != b), min(len(blob), len(canonical)))
    region = "the ZIP directory or trailer"
    for info in infos:
        if info.header_offset <= at < info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size:
            region = f"the ZIP entry of {info.filename}"
    problem(f"byte {at}: ZIP structure altered (in {region})")
