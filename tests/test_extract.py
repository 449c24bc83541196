"""Extraction on messy HTML and on legacy encodings, decoded as Scrapy decodes responses."""

import pytest
from scrapy.http import HtmlResponse

from crawler.extract import extract
from tests.conftest import FIXTURES


def response(path, headers=None):
    body = (FIXTURES / "web" / path).read_bytes()
    return HtmlResponse(url=f"http://x.example/{path}", body=body, headers=headers or {"Content-Type": "text/html"})


@pytest.mark.parametrize(
    "path, title, phrase",
    [
        ("alpha/gbk.html", "肾脏移植套餐", "供体由我们安排"),
        ("alpha/cp1256.html", "زراعة الكلى في مصر", "المتبرع متوفر"),
        ("alpha/sjis.html", "中国での腎臓移植", "ドナーは当社が手配します"),
    ],
)
def test_legacy_encodings_from_meta(path, title, phrase):
    page = extract(response(path).text)
    assert page.title == title and phrase in page.text


def test_header_charset_wins_over_nothing():
    body = "<html><body><p>Ödeme: böbrek nakli paketi</p></body></html>".encode("iso-8859-9")
    r = HtmlResponse(url="http://x.example/", body=body, headers={"Content-Type": "text/html; charset=iso-8859-9"})
    assert "böbrek nakli" in extract(r.text).text


MESSY = """<html><head><title>  Kidney
   package </title><style>p{color:red}</style><script>document.write('<p>hidden')</script></head>
<body onload="x()"><div><table><tr><td>Kidney<td>USD 20,000<tr><td>Liver<td>USD 50,000</table>
<p>Donor arranged <b>within 2 weeks<p>WhatsApp +92 300 1234567<!-- comment --> <img src=x onerror=alert(1)>
<a href="/contact">Contact <span>us</span></a><a>no href</a></div></body>"""


def test_messy_html_keeps_text_drops_scripts_and_collects_links():
    page = extract(MESSY, "http://x.example/")
    assert page.title == "Kidney package"
    assert "USD 20,000" in page.text and "within 2 weeks" in page.text and "+92 300 1234567" in page.text
    assert "hidden" not in page.text and "color:red" not in page.text and "comment" not in page.text
    assert page.links == [("/contact", "Contact us")]


@pytest.mark.parametrize("html", ["", "   ", "<html></html>", "\x00\x01binary\xff", "<p>only a fragment"])
def test_degenerate_input_does_not_raise(html):
    extract(html)
