"""Run the `watch` spider in this process with organwatch's settings and the command's options."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from crawler import settings as project_settings
from crawler.readers import reader_count, start_fork_server


@dataclass
class CrawlOptions:
    seeds: list[str]
    db: str = "data/organwatch.db"
    warc_dir: str | None = None
    job: str | None = None
    max_pages: int | None = None
    depth: int | None = None
    allow_private: bool = False
    redis: str | None = None
    settings: dict = field(default_factory=dict)
    verbose: bool = False
    follow_offsite: int | None = None
    targets: str | None = None


def crawl_settings(options: CrawlOptions):
    """Scrapy's Settings: the project's (crawler/settings.py), then the command's."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    if not options.verbose:
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    settings.set("ORGANWATCH_DB", options.db, priority="cmdline")
    if options.warc_dir:
        settings.set("ORGANWATCH_WARC_DIR", options.warc_dir, priority="cmdline")
    if options.job:
        settings.set("JOBDIR", options.job, priority="cmdline")
    if options.max_pages is not None:
        settings.set("CLOSESPIDER_PAGECOUNT", options.max_pages, priority="cmdline")
    if options.depth is not None:
        settings.set("ORGANWATCH_MAX_DEPTH", options.depth, priority="cmdline")
    if options.redis:
        from crawler.distributed import worker_settings

        for name, value in worker_settings(options.redis).items():
            settings.set(name, value, priority="cmdline")
    if options.follow_offsite is not None:
        settings.set("ORGANWATCH_FOLLOW_OFFSITE", options.follow_offsite, priority="cmdline")
    if options.targets:
        settings.set("ORGANWATCH_TARGETS", options.targets, priority="cmdline")
    if options.allow_private:
        settings.set("ORGANWATCH_ALLOW_PRIVATE", True, priority="cmdline")
    for name, value in options.settings.items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(options: CrawlOptions) -> dict:
    """Crawl until done; return the crawl's stats."""
    if reader_count(options.settings.get("ORGANWATCH_READERS", project_settings.ORGANWATCH_READERS)):
        # first, before this process imports Scrapy (0.6 s) and loads the spider (2 s): the fork
        # server's preload (about 3 s) then ends about when the spider opens, not 3 s after
        start_fork_server()
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(crawl_settings(options))
    crawler = process.create_crawler("watch")
    # Scrapy leaves the root logger at NOTSET and filters in its handler, so each page's DEBUG
    # lines ("Crawled", "Scraped from") were built only to be dropped: 1.6% of this process
    crawler.signals.connect(lambda: logging.root.setLevel(crawler.settings["LOG_LEVEL"]),
                            signal=signals.engine_started, weak=False)
    process.crawl(crawler, urls=options.seeds)
    process.start()
    return crawler.stats.get_stats()
