"""Focused crawling: which links to fetch first, and how well a crawl found what it looks for.

A link's score (0-1) mixes what the link says (its anchor text, and the words of its URL,
matched against the multilingual concept lexicon of `nlp/lexicon`: organ, transplant, sell,
donor ... count for; news, law, research, recipes ... count against) with the risk of the page it
was found on, and a decayed share of that page's own score, so a crawl tunnels through a
harmless page that links to ads. A link to a site whose pages read so far were seldom flagged
loses part of its score (`site_weight`). The spider turns the score into the request's priority:
the scheduler's queue (crawler/frontier.py, FocusPriorityQueue) hands out the highest first.
This module imports no Scrapy at load: reader processes score links with it.

Per crawl, the `FocusReport` extension sets in the stats when the spider closes (and so in `crawls`):
  organwatch/harvest_rate   flagged pages / pages analysed
  organwatch/target_recall  targets fetched / targets, where the targets are the URLs of
                            ORGANWATCH_TARGETS (a file, one URL a line) or else the pages
                            already flagged in the database before the crawl
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

from crawler.seeds import read_seeds_file
from crawler.urls import canonical
from nlp.concepts import load_lexicon
from nlp.tokenizer import split

# How much each concept of the lexicon says about a link leading to an ad or a broker.
CONCEPT_WEIGHTS = {
    "organ": 2.0, "transplant": 2.0, "sell": 1.5, "buy": 1.5, "donor": 1.5, "donor_offer": 3.0,
    "money": 1.0, "wait": 1.0, "abroad": 1.0, "payment": 1.0, "logistics": 0.5, "contact": 0.3,
    "blood": 1.0, "urgent": 1.0, "destination": 0.5,
    "crime": -1.0, "police": -1.0, "news": -0.5, "law": -1.0, "research": -1.0, "advocacy": -1.0,
    "domestic": -0.5, "altruism": -0.5, "food": -2.0, "garden": -2.0, "other_procedure": -1.5,
}
MAX_PHRASE_TOKENS = 4
URL_WEIGHT = 0.7  # URL words say less than anchor text
PAGE_WEIGHT = 0.5  # share of the score that comes from the page the link was found on
INHERIT = 0.5  # decay of the page's own score passed on to its links
_URL_SPLIT = re.compile(r"[/_.\-+=&?%:;,~]+")


def _key(phrase: str) -> tuple[str, ...]:
    return tuple(t.lower() for t, _, _ in split(phrase))


class LinkScorer:
    def __init__(self, lexicon: dict[str, dict[str, set[str]]] | None = None, weights: dict[str, float] = CONCEPT_WEIGHTS):
        lexicon = load_lexicon() if lexicon is None else lexicon
        self.phrases: dict[tuple[str, ...], str] = {}
        for concept, values in lexicon.items():
            if concept not in weights:
                continue
            for phrases in values.values():
                for phrase in phrases:
                    key = _key(phrase.rstrip("*"))
                    if 0 < len(key) <= MAX_PHRASE_TOKENS:
                        self.phrases.setdefault(key, concept)
        self.firsts = {key[0] for key in self.phrases}
        self.weights = weights

    def concepts(self, text: str) -> set[str]:
        tokens = [t.lower() for t, _, _ in split(text)]
        found = set()
        for i, token in enumerate(tokens):
            if token not in self.firsts:  # most words start no phrase
                continue
            for n in range(1, min(MAX_PHRASE_TOKENS, len(tokens) - i) + 1):
                concept = self.phrases.get(tuple(tokens[i : i + n]))
                if concept:
                    found.add(concept)
        return found

    def text_score(self, anchor: str, url: str) -> float:
        """0-1 from what the link says: the weights of the concepts found, squashed."""
        parts = urlsplit(url)
        url_words = " ".join(_URL_SPLIT.split(unquote(parts.path + " " + parts.query)))
        anchor_concepts = self.concepts(anchor)
        url_concepts = self.concepts(url_words) - anchor_concepts
        total = sum(self.weights[c] for c in anchor_concepts) + URL_WEIGHT * sum(self.weights[c] for c in url_concepts)
        return max(0.0, min(1.0, total / 5.0))


def link_score(words: float, page_risk: float | None, page_score: float = 0.0) -> float:
    """0-1: the link's own words (`LinkScorer.text_score`, which the readers compute), the risk
    (0-100) of the page it was found on, and a decayed share of that page's own score."""
    page = max((page_risk or 0) / 100.0, INHERIT * page_score)
    return (1 - PAGE_WEIGHT) * words + PAGE_WEIGHT * page


SITE_PAGES = 10  # a site keeps its links' full score while one page in this many read is flagged


def site_weight(read: int, flagged: int) -> float:
    """0-1, what a site's pages read so far say of its other pages: 1 while at least one in
    SITE_PAGES is flagged (and for a site not read yet), then in proportion (0.5 after 10 pages
    and none flagged, 0.17 after 50). Ad and broker sites are full of ads; a news or NGO site that
    talks about organ trade all the time, and whose links say so, is not."""
    return min(1.0, (1 + flagged) / (1 + read / SITE_PAGES))


def priority(score: float) -> int:
    """Scheduler priority from a score: 0-100, in whole steps (one queue per value on disk)."""
    return round(score * 100)


class FocusReport:
    """Harvest rate and target recall, kept current in the crawl's stats."""

    def __init__(self, crawler, targets: set[str]):
        self.stats = crawler.stats
        self.targets = targets
        self.found: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        targets_file = settings.get("ORGANWATCH_TARGETS")
        if targets_file:
            targets = {canonical(u) for u in read_seeds_file(targets_file)}
        else:
            targets = flagged_urls(settings.get("ORGANWATCH_DB"))
        report = cls(crawler, targets)
        from scrapy import signals

        crawler.signals.connect(report.opened, signal=signals.spider_opened)
        if targets:
            crawler.signals.connect(report.scraped, signal=signals.item_scraped)
        # before the store's spider_closed writes the stats into `crawls`: extensions connect first
        crawler.signals.connect(report.update, signal=signals.spider_closed)
        return report

    def opened(self, spider):
        self.stats.set_value("organwatch/targets", len(self.targets))
        self.update()

    def scraped(self, item, response, spider):
        if item.get("page") is not None and item.get("url") in self.targets:
            self.found.add(item["url"])

    def update(self):
        """The figures, in the stats (at the spider's opening and closing: once a page, it cost the
        crawl's process 1%)."""
        pages = self.stats.get_value("organwatch/pages", 0)
        flagged = self.stats.get_value("organwatch/flagged", 0)
        self.stats.set_value("organwatch/harvest_rate", round(flagged / pages, 4) if pages else None)
        self.stats.set_value("organwatch/targets_found", len(self.found))
        self.stats.set_value("organwatch/target_recall", round(len(self.found) / len(self.targets), 4) if self.targets else None)


def flagged_urls(db_path: str | None) -> set[str]:
    """The pages flagged in the database so far (nothing when it does not exist yet)."""
    return {url for (url,) in _query(db_path, "select url from pages where flagged = 1")}


def site_history(db_path: str | None) -> tuple[Counter[str], Counter[str]]:
    """Pages analysed and pages flagged per registered domain in the database so far, for
    `site_weight`: a crawl resumed after a crash, or run again on a schedule, starts knowing
    which sites were barren. (A page the crawl reads again counts again: the share stays.)"""
    read: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    for domain, pages, hits in _query(db_path, "select domain, count(*), sum(flagged = 1) from pages group by domain"):
        read[domain], flagged[domain] = pages, hits
    return read, flagged


def _query(db_path: str | None, sql: str) -> list[tuple]:
    """The rows of a read-only query (none when the database does not exist yet)."""
    if not db_path or not Path(db_path).exists():
        return []
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    except sqlite3.OperationalError:  # a database without our schema yet
        return []
    finally:
        con.close()
