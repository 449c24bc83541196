"""A tokenizer for every script the corpus holds.

Scripts written without spaces (Chinese, Japanese kana and kanji, Thai, Lao, Khmer, Myanmar)
become one token per character: the classifier's bigrams then see character pairs such as
"肾源" or "出售", and the phrase matcher matches character sequences. Other scripts split into
words (letters with their combining marks: Devanagari, Bengali, Arabic harakat), numbers and
single punctuation or symbol characters.

This module is the splitting alone, without spaCy: the crawl's own process scores links with it.
The spaCy tokenizer built on it is in nlp/pipeline.py.
"""

from __future__ import annotations

import re

_CHAR_SCRIPTS = (
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u31f0-\u31ff"
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified
    "\uf900-\ufaff"  # CJK compatibility
    "\uff66-\uff9f"  # half-width katakana
)
# Letters plus the combining marks that Python's \w leaves out (Indic vowel signs, harakat, niqqud).
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06ed\u0900-\u0963\u0966-\u0dff\u1ab0-\u1aff\u1dc0-\u1dff\u200c\u200d"
)
# Thai, Lao, Khmer and Myanmar vowel signs and tone marks stay with their consonant.
_CLUSTER_MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd\u102b-\u103e\u17b6-\u17d3"
TOKEN_RE = re.compile(
    rf"[{_CHAR_SCRIPTS}][{_CLUSTER_MARKS}]*"  # one character (with its marks)
    rf"|\d+(?:[.,:]\d+)*"  # numbers, 45,000 / 3.5 / 10:30
    rf"|(?:(?![{_CHAR_SCRIPTS}])[\w{_MARKS}])+(?:['’](?:(?![{_CHAR_SCRIPTS}])[\w{_MARKS}])+)*"  # words
    r"|\S"  # any other single character
)


_TOKEN_GAP_RE = re.compile(rf"({TOKEN_RE.pattern})(\s*)")


def split(text: str) -> list[tuple[str, int, int]]:
    """The tokens of `text` as (token, start, end) character offsets."""
    return [(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]
