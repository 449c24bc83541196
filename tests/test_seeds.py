import pytest

from crawler.seeds import SeedError, collect_seeds, parse_seed_lines
from tests.conftest import organwatch


def test_comments_blank_lines_and_bare_hosts():
    lines = ["# weekly seeds", "", "https://a.example/ads  # note", "b.example", "http://127.0.0.1:8000"]
    assert parse_seed_lines(lines, "seeds.txt") == [
        "https://a.example/ads",
        "https://b.example/",
        "http://127.0.0.1:8000/",
    ]


@pytest.mark.parametrize(
    "line, reason",
    [
        ("ftp://files.example/", "only http and https"),
        ("not a url", "without spaces"),
        ("http://", "without a host"),
        ("localhost", "not a URL or host name"),
        ("http://a.example:99999/", "bad URL"),
    ],
)
def test_bad_line_names_file_and_line(line, reason):
    with pytest.raises(SeedError) as e:
        parse_seed_lines(["https://ok.example/", line], "seeds.txt")
    assert str(e.value).startswith("seeds.txt:2: ") and reason in str(e.value)


def test_arguments_and_file_merge_without_duplicates(tmp_path):
    f = tmp_path / "seeds.txt"
    f.write_text("https://b.example/\nhttps://a.example/\n")
    assert collect_seeds(["https://a.example/"], f) == ["https://a.example/", "https://b.example/"]


def test_crawl_with_bad_seeds_file_exits_2_before_any_request(tmp_path, fixture_web):
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(f"{fixture_web.seeds()[0]}\nftp://nope.example/\n")
    db = tmp_path / "x.db"
    result = organwatch("crawl", "--seeds-file", str(seeds), "--db", str(db), "--allow-private")
    assert result.returncode == 2
    assert f"{seeds}:2: only http and https" in result.stderr
    assert not db.exists()
