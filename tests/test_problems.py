"""Decoding with missing, unknown and wrong charsets; sniffing binary served as HTML."""

import pytest

from crawler.problems import decode_html, sniff_binary

RU = "Трансплантация почки за рубежом"


@pytest.mark.parametrize(
    "body,content_type,problem",
    [
        (RU.encode(), "text/html; charset=utf-8", None),
        (RU.encode(), "text/html", "charset_missing"),
        (RU.encode(), "text/html; charset=iso-8859-1", "charset_wrong"),
        (RU.encode("cp1251"), "text/html; charset=utf-8", "charset_wrong"),
        (RU.encode(), "text/html; charset=x-bogus", "charset_wrong"),
        (f"<meta charset='windows-1251'><p>{RU}</p>".encode("cp1251"), "text/html", None),
    ],
)
def test_text_is_decoded_right_and_the_problem_named(body, content_type, problem):
    decoded = decode_html(body, content_type)
    assert (RU in decoded.text, decoded.problem) == (True, problem)


@pytest.mark.parametrize(
    "body,kind",
    [(b"\x89PNG\r\n\x1a\nrest", "PNG image"), (b"%PDF-1.7", "PDF document"), (bytes(range(32)) * 8, "binary data"),
     ("<html><body>текст \x00</body></html>".encode(), None)],
)
def test_binary_is_sniffed(body, kind):
    assert sniff_binary(body) == kind
