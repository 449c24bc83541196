"""Analysis: language, tokens, the concept lexicon, the classifier and its indicators."""

from importlib.metadata import version


def organwatch_version() -> str:
    """The installed organwatch's version (captures, WARC records and models carry it)."""
    try:
        return version("organwatch")
    except Exception:  # running from a checkout that is not installed
        return "0+unknown"
