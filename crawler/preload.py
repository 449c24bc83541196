"""Importing this module loads what reading a page needs: the shipped model, the language
profiles, the topic gate and the link scorer. The crawl's fork server for reader processes
imports it once, so every reader forked from it starts with them loaded (and shares their
memory) instead of loading them again."""

import logging

from crawler.reading import read_page

try:
    read_page(b"<title>Preload</title><p>A kidney transplant page, read before the readers fork.</p>"
              b"<a href='/next'>next</a>", "text/html; charset=utf-8", "http://preload.invalid/")
except Exception:  # the reader's own load() raises it again, where the crawl reports it
    logging.getLogger(__name__).exception("preloading the model failed")
