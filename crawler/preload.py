"""Importing this module loads the shipped model and the language profiles. The crawl's fork
server for reader processes imports it once, so every reader forked from it starts with both
loaded (and shares their memory) instead of loading them again."""

import logging

from nlp.language import detect_language
from nlp.model import load

try:
    load()
    detect_language("The model and the language profiles are loaded before the readers fork.")
except Exception:  # the reader's own load() raises it again, where the crawl reports it
    logging.getLogger(__name__).exception("preloading the model failed")
