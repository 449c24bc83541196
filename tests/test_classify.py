"""The classify contract (design.md §4): JSONL in, one result per good line, in order."""

import io
import json

from crawler.cli import main

KEYS = {"id", "lang", "scores", "flagged", "risk", "reasons", "indicators"}


def run(tmp_path, lines, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code = main(["classify", str(src), "--output", str(out)])
    results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return code, results, capsys.readouterr().err


def test_text_and_html_lines_in_order(tmp_path, capsys):
    lines = [
        json.dumps({"id": "a", "text": "Kidney for sale, blood group O+, WhatsApp +92 300 1234567"}),
        json.dumps({"id": 2, "html": "<html><title>Recipe</title><p>Red kidney bean curry</p></html>", "url": "http://x/"}),
        json.dumps({"id": "c", "text": "肾移植套餐，供体保证，两周内手术"}),
    ]
    code, results, err = run(tmp_path, lines, capsys)
    assert code == 0 and err == ""
    assert [r["id"] for r in results] == ["a", 2, "c"]
    for r in results:
        assert set(r) == KEYS
        assert set(r["scores"]) == {"advertising", "brokerage"} and 0 <= r["risk"] <= 100
        assert isinstance(r["flagged"], bool)
    assert {"kind": "phone", "value": "+923001234567"}.items() <= next(
        i for i in results[0]["indicators"] if i["kind"] == "phone"
    ).items()


def test_bad_line_is_reported_with_its_number_and_others_still_run(tmp_path, capsys):
    lines = [json.dumps({"id": 1, "text": "hello"}), "{not json", json.dumps({"id": 3, "body": "x"}), json.dumps({"id": 4, "text": "world"})]
    code, results, err = run(tmp_path, lines, capsys)
    assert code == 2
    assert [r["id"] for r in results] == [1, 4]
    assert f"{tmp_path / 'in.jsonl'}:2: not JSON" in err
    assert f"{tmp_path / 'in.jsonl'}:3: needs a string 'text'" in err


def test_missing_input_file_is_a_usage_error(tmp_path, capsys):
    assert main(["classify", str(tmp_path / "nope.jsonl")]) == 2
    assert "nope.jsonl: file not found" in capsys.readouterr().err


def test_stdin_to_stdout(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"id": 9, "text": "Liver transplant package in China"}) + "\n"))
    assert main(["classify", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == 9
