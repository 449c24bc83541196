"""organwatch's Scrapy settings, for runs scheduled by Scrapyd (override per job with
`-d setting=NAME=VALUE`, e.g. ORGANWATCH_DB and ORGANWATCH_WARC_DIR)."""

from crawler.settings import *  # noqa: F403
