"""From HTML to what the analysis reads: title, main text (trafilatura, falling back to the
page's visible text) and links with their anchor text. A page whose visible text fails the topic
gate (nlp/gate.py: no organ, transplant, donor or blood group named) keeps its visible text: the
classifier will not read it, so its main text is not worth trafilatura's time (most of a
crawl's pages are such pages, and trafilatura is the largest cost of extraction)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import lxml.html
import trafilatura
from lxml import etree

from nlp.gate import mentions_topic

_INVISIBLE = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object"}
_BLOCK = {
    "p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section",
    "article", "header", "footer", "nav", "aside", "main", "table", "ul", "ol", "dt", "dd", "blockquote",
    "pre", "form", "address", "figcaption",
}
# trafilatura's main text must hold at least this share of the visible text, or we keep the visible text.
MIN_MAIN_SHARE = 0.25


@dataclass
class Extracted:
    title: str = ""
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, anchor text)
    errors: list[str] = field(default_factory=list)  # markup the parser had to repair (libxml2 error names)
    # the page names the topic (nlp/gate.py) somewhere in its visible text, which decides whether
    # the classifier reads it: trafilatura's main text can lose the list or table that does
    on_topic: bool = True


_PARSER = lxml.html.HTMLParser(recover=True)


def extract(html: str, url: str = "") -> Extracted:
    if not html or not html.strip():
        return Extracted()
    try:
        tree = lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError) as e:
        return Extracted(text=_squash(re.sub(r"<[^>]+>", " ", html)), errors=[f"unparseable: {e}"])
    errors = [e.type_name for e in _PARSER.error_log if e.level >= etree.ErrorLevels.ERROR]
    title = _squash(" ".join(tree.xpath("//title//text()")))[:500]
    if not title:
        title = _squash(" ".join(tree.xpath("(//h1)[1]//text()")))[:500]
    links = []
    for a in tree.iter("a"):
        href = a.get("href")
        if href:
            links.append((href.strip(), _squash(a.text_content())[:200]))
    visible = visible_text(tree)
    # NFC, as the analysis reads it (the lexicon is composed), so stored indicator offsets point
    # into the stored text
    title, visible = unicodedata.normalize("NFC", title), unicodedata.normalize("NFC", visible)
    if not mentions_topic(f"{title}\n{visible}"):
        return Extracted(title=title, text=visible, links=links, errors=errors, on_topic=False)
    try:
        main = trafilatura.extract(
            tree, url=url or None, include_comments=True, include_tables=True, favor_recall=True,
            deduplicate=False, with_metadata=False,
        )
    except Exception:  # trafilatura raises a variety of errors on hostile markup
        main = None
    text = main if main and len(main) >= MIN_MAIN_SHARE * len(visible) else visible
    return Extracted(title=title, text=unicodedata.normalize("NFC", text.strip()), links=links, errors=errors)


def visible_text(tree) -> str:
    parts: list[str] = []

    def walk(el):
        tag = el.tag.lower() if isinstance(el.tag, str) else None  # None: comment, processing instruction
        if tag is not None and tag not in _INVISIBLE:
            block = tag in _BLOCK
            if block:
                parts.append("\n")
            if el.text:
                parts.append(el.text)
            for child in el:
                walk(child)
            if block:
                parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    body = tree.find("body")
    walk(body if body is not None else tree)
    lines = (_squash(line) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _squash(s: str) -> str:
    return " ".join(s.split())
