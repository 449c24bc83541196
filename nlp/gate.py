"""The topic gate: does a text name an organ, a transplant or a donor at all, or a blood group?

A page that names none, in any language of the lexicon, can neither advertise transplants nor
broker organs (sellers who name no organ give their blood group: "O+, 24, healthy, how much?"),
and the classifier does not need to read it: `analyze` scores it 0 without running the model,
and a crawl's readers skip its main-text extraction. Most pages a crawl fetches are such pages,
and the model and the extraction are most of what reading a page costs.

The gate is made from the lexicon's phrases of GATE_CONCEPTS so as to find whatever the concept
marker would (tests/test_gate.py checks it on every corpus document), and a little more: on the
lowercased text, a one-word phrase is looked up among the text's words, a phrase in Chinese,
Japanese or Thai script is looked for in the text with its spaces taken out, and a phrase of
several words, once one of its words is among the text's, is matched with a regular expression
(its tokens in sequence, any whitespace between them, not inside a longer word; a phrase ending
in `*` may end inside one). One regular expression of all phrases took 0.5-1.5 ms on a 3 KB
page, as long as the rest of reading it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from nlp.concepts import load_lexicon
from nlp.tokenizer import _CHAR_SCRIPTS, _MARKS, split

GATE_CONCEPTS = ("organ", "transplant", "donor", "donor_offer")

_WORD = rf"(?:(?![{_CHAR_SCRIPTS}])[\w{_MARKS}])"  # a character of a spaced-script word, as the tokenizer reads it


# BLOOD_RE of the indicators, or a little more, on the lowercased text; it starts with a letter
# instead of a look-behind, so the engine skips to the letters a, b and o: 0.31 ms -> 0.09 on a 3 KB page
_BLOOD = re.compile(r"[abo](?<![\w+][abo])b?\s?(?:[+\-−](?:\s?ve)?|\s?(?:positive|negative|pos|neg|rh\+|rh-))(?![\w+])|[abo]b?\s?型")


def mentions_topic(text: str) -> bool:
    """True if the text names an organ, a transplant, a donor or a blood group (see the module's docstring)."""
    gate = _gate()
    low = text.lower()
    spaced = low
    if gate.char_script.search(low):
        compact = "".join(low.split())
        if any(run in compact for run in gate.runs):
            return True
        spaced = gate.char_script.sub(" ", low)  # the words around them, as the tokenizer splits them
    words = _words(spaced, gate.word)
    if not words.isdisjoint(gate.words) or any(w.startswith(gate.prefixes) for w in words):
        return True
    if any(gate.phrases[w].search(spaced) for w in words.intersection(gate.phrases)):
        return True
    return _BLOOD.search(low) is not None


# ASCII characters that are not word characters (\w), as spaces
_ASCII_NOT_WORD = str.maketrans({chr(c): " " for c in range(128) if not re.fullmatch(r"\w", chr(c))})


def _words(text: str, word: re.Pattern) -> set[str]:
    """`set(word.findall(text))`, the runs of word characters and marks, at a quarter of the cost
    (250 us on a 3 KB page): split at whitespace and ASCII punctuation, a piece of alphanumeric
    characters only is a run by itself, and the other pieces (with marks, `_` or other non-ASCII
    signs) go through the regular expression together."""
    pieces = set(text.translate(_ASCII_NOT_WORD).split())
    words = {piece for piece in pieces if piece.isalnum()}
    if len(words) < len(pieces):
        words.update(word.findall(" ".join(pieces - words)))
    return words


@dataclass(frozen=True)
class _Gate:
    char_script: re.Pattern  # a character of a script written without spaces
    runs: tuple[str, ...]  # phrases all in such scripts, spaces taken out
    word: re.Pattern  # a word of a spaced script
    words: frozenset[str]  # one-word phrases
    prefixes: tuple[str, ...]  # one-word phrases ending in `*`
    phrases: dict[str, re.Pattern]  # the other phrases, by one of their words (none without it)


@lru_cache(maxsize=1)
def _gate() -> _Gate:
    char_script = re.compile(f"[{_CHAR_SCRIPTS}]")
    word = re.compile(rf"[\w{_MARKS}]+")
    lexicon = load_lexicon()
    parsed = []  # (tokens, their words, ends in *)
    for concept in GATE_CONCEPTS:
        for phrases in lexicon[concept].values():
            for phrase in phrases:
                tokens = [t.lower() for t, _, _ in split(phrase.rstrip("*"))]
                if tokens:
                    parsed.append((tokens, word.findall(char_script.sub(" ", " ".join(tokens))), phrase.endswith("*")))
    runs = {"".join(tokens) for tokens, pieces, _ in parsed if not pieces}
    one_word = [(tokens[0], prefix) for tokens, pieces, prefix in parsed if len(tokens) == 1 and pieces == tokens]
    words = {w for w, prefix in one_word if not prefix}
    prefixes = tuple(sorted({w for w, prefix in one_word if prefix}))
    others = [
        (tokens, pieces, prefix) for tokens, pieces, prefix in parsed
        if pieces and not (len(tokens) == 1 and pieces == tokens)
        and not any(t in words or t.startswith(prefixes) for t in tokens)  # else found by that word
    ]
    # each goes under the word of it that most others share ("liver" of "liver patient"): the
    # organ or the act rather than the words around it
    shared = Counter(piece for _, pieces, _ in others for piece in set(pieces))
    by_word = defaultdict(list)
    for tokens, pieces, prefix in others:
        by_word[max(pieces, key=lambda piece: (shared[piece], len(piece)))].append(_pattern(tokens, prefix))
    phrases = {w: re.compile("|".join(patterns)) for w, patterns in by_word.items()}
    return _Gate(char_script, tuple(sorted(runs)), word, frozenset(words), prefixes, phrases)


def _pattern(tokens: list[str], prefix: bool) -> str:
    """A phrase as the phrase matcher reads it: its tokens in sequence with any whitespace between
    them, not starting or ending inside a longer word (unless it ends in `*`). The start is
    checked after the first character, so that the engine can skip to where that character is.

    It is searched in the text with its Chinese, Japanese and Thai characters made spaces, where a
    word character is `\\w` or a combining mark. The boundaries check `\\w` only: a phrase next
    to a mark may match where the tokenizer reads a longer word, which only opens the gate more.
    Checking the tokenizer's own word class took 4 s to compile (Python's compiler spells out
    every large character range it meets, once per phrase); `\\w` compiles at once."""
    first, rest = tokens[0][0], tokens[0][1:]
    start = r"(?<!\w.)" if re.fullmatch(_WORD, first) else ""
    end = r"(?!\w)" if re.fullmatch(_WORD, tokens[-1][-1]) and not prefix else ""
    return re.escape(first) + start + r"\s*".join([re.escape(rest), *map(re.escape, tokens[1:])]) + end
