"""Language of a text: langdetect on a bounded sample, seeded for repeatable answers."""

from __future__ import annotations

import re

from langdetect import DetectorFactory, LangDetectException, detect

DetectorFactory.seed = 0
SAMPLE_CHARS = 600

_HAN = re.compile(r"[\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")


def detect_language(text: str) -> str:
    """A langdetect code ("en", "zh-cn", "ar" ...) or "" when the text has no letters to judge."""
    sample = _sample(text)
    if not sample:
        return ""
    try:
        lang = detect(sample)
    except LangDetectException:
        return ""
    # langdetect calls kanji-heavy Japanese Chinese; kana settle it.
    if lang.startswith("zh") and _KANA.search(sample):
        return "ja"
    return lang


def _sample(text: str) -> str:
    """The middle of the text, where the main content usually is, without digits and URLs."""
    text = re.sub(r"https?://\S+|\S+@\S+|[\d+()\-.,:/]+", " ", text)
    text = " ".join(text.split())
    if len(text) <= SAMPLE_CHARS:
        return text
    mid = len(text) // 2
    return text[max(0, mid - SAMPLE_CHARS // 2) : mid + SAMPLE_CHARS // 2]
