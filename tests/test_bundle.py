"""Case bundles: export then verify passes; any changed byte fails and is named; signatures;
evidence that no longer matches the database is refused."""

import io
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.verify import verify_bundle


def copy_db(src, dst):
    """A private copy of the session's crawled database (its WARC paths still point at the crawl's files)."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()
    return dst


@pytest.fixture(scope="module")
def signed_case(crawled_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("case")
    db = copy_db(crawled_db, folder / "case.db")
    assert main(["keygen", str(folder / "key.pem")]) == 0
    out = folder / "case.wacz"
    code = main(["export", "--db", str(db), "--out", str(out), "--flagged", "--case-id", "T-1",
                 "--sign-key", str(folder / "key.pem")])
    assert code == 0
    return out, folder / "key.pem", db


def test_export_then_verify_passes(signed_case, capsys):
    out, key, _ = signed_case
    assert main(["verify", str(out), "--public-key", str(key)]) == 0
    assert "OK" in capsys.readouterr().out


def test_bundle_has_the_wacz_layout_and_our_files(signed_case):
    with zipfile.ZipFile(signed_case[0]) as z:
        names = set(z.namelist())
        assert z.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED
    assert {"archive/data.warc.gz", "indexes/index.cdxj", "pages/pages.jsonl", "datapackage.json",
            "datapackage-digest.json", "report.html"} <= names
    assert any(n.startswith("provenance/") for n in names)


def test_warcio_check_passes_on_the_bundled_warc(signed_case, tmp_path):
    with zipfile.ZipFile(signed_case[0]) as z:
        (tmp_path / "data.warc.gz").write_bytes(z.read("archive/data.warc.gz"))
    result = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(tmp_path / "data.warc.gz")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_flipping_any_byte_makes_verify_fail(signed_case, tmp_path):
    blob = signed_case[0].read_bytes()
    target = tmp_path / "flipped.wacz"
    step = 211  # every 211th byte plus the last 300 (ZIP directory and trailer); an exhaustive sweep passed too
    positions = sorted(set(range(0, len(blob), step)) | set(range(len(blob) - 300, len(blob))))
    missed = []
    for i in positions:
        data = bytearray(blob)
        data[i] ^= 0x20
        target.write_bytes(bytes(data))
        if verify_bundle(target).ok:
            missed.append(i)
    assert missed == []


@pytest.mark.parametrize("member", ["archive/data.warc.gz", "report.html", "datapackage.json", "pages/pages.jsonl"])
def test_a_changed_file_is_named(signed_case, tmp_path, member, capsys):
    blob = signed_case[0].read_bytes()
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        info = z.getinfo(member)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data = bytearray(blob)
    data[start + info.file_size // 2] ^= 0x01
    target = tmp_path / "changed.wacz"
    target.write_bytes(bytes(data))
    assert main(["verify", str(target)]) == 1
    assert capsys.readouterr().err.splitlines()[0].startswith(f"FAIL {member}:")


def test_rebuilt_datapackage_without_the_key_fails_the_signature(signed_case, tmp_path, capsys):
    """An attacker who edits a file and recomputes every hash still cannot sign."""
    import json

    from crawler.wacz import json_bytes, sha256_hex, write_zip

    with zipfile.ZipFile(signed_case[0]) as z:
        members = [(n, z.read(n)) for n in z.namelist()]
    files = dict(members)
    files["report.html"] = files["report.html"].replace(b"organwatch case", b"organwatch kase", 1)
    package = json.loads(files["datapackage.json"])
    for res in package["resources"]:
        res["hash"] = "sha256:" + sha256_hex(files[res["path"]])
    files["datapackage.json"] = json_bytes(package)
    digest = json.loads(files["datapackage-digest.json"])
    digest["hash"] = digest["signedData"]["hash"] = "sha256:" + sha256_hex(files["datapackage.json"])
    files["datapackage-digest.json"] = json_bytes(digest)
    target = tmp_path / "forged.wacz"
    target.write_bytes(write_zip([(n, files[n]) for n, _ in members]))
    assert main(["verify", str(target)]) == 1
    assert "signature does not verify" in capsys.readouterr().err


def test_signature_by_another_key_is_refused(signed_case, tmp_path, capsys):
    other = tmp_path / "other.pem"
    assert main(["keygen", str(other)]) == 0
    assert main(["verify", str(signed_case[0]), "--public-key", str(other)]) == 1
    assert "not by the expected key" in capsys.readouterr().err


def test_export_refuses_evidence_that_changed_since_capture(crawled_db, tmp_path, capsys):
    db = copy_db(crawled_db, tmp_path / "t.db")
    conn = sqlite3.connect(db)
    path, offset, length = conn.execute(
        "select warc_file, warc_offset, warc_length from captures where page_id = "
        "(select id from pages where flagged = 1 order by id limit 1) order by id limit 1"
    ).fetchone()
    data = bytearray(Path(path).read_bytes())
    copy = tmp_path / "copy.warc.gz"
    # rewrite the record with a different body but valid gzip, as a careful forger would
    import gzip

    raw = gzip.decompress(bytes(data[offset:offset + length])).replace(b"</html>", b"<!---->", 1)
    forged = gzip.compress(raw)
    copy.write_bytes(bytes(data[:offset]) + forged + bytes(data[offset + length:]))
    with conn:
        conn.execute("update captures set warc_file = ? where warc_file = ?", [str(copy), path])
    conn.close()
    code = main(["export", "--db", str(db), "--out", str(tmp_path / "x.wacz"), "--flagged"])
    assert code == 1
    assert str(copy) in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--where", "risk >>> 1"], "--where 'risk >>> 1'"),
    (["--url", "https://nowhere.example/"], "--url https://nowhere.example/: not a page"),
    ([], "choose pages"),
])
def test_bad_selection_is_usage_error(crawled_db, tmp_path, capsys, args, message):
    db = copy_db(crawled_db, tmp_path / "t.db")
    assert main(["export", "--db", str(db), "--out", str(tmp_path / "x.wacz"), *args]) == 2
    assert message in capsys.readouterr().err


def test_verify_missing_file_is_usage_error(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "none.wacz")]) == 2
    assert "none.wacz" in capsys.readouterr().err
