"""Language of a text: the script settles it where only one language of ours uses it, and plain
English is told by its function words; otherwise langdetect's naive Bayes over character 1-3-grams,
with langdetect's own profiles, scored over every n-gram of a 1,000-character sample at once
(deterministic: no random trials, no seed)."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
import threading
import zipfile
from importlib.metadata import version
from pathlib import Path

import numpy as np
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.utils.ngram import NGram

SAMPLE_CHARS = 300  # what the script shortcuts and the plain-English test look at
NGRAM_SAMPLE_CHARS = 1000  # what the n-gram model scores: surer than 300 on the corpus, at little cost

# Scripts that name the language by themselves (in the languages organwatch covers).
_SCRIPTS = [
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("bn", re.compile(r"[\u0980-\u09ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
]
_MIN_SCRIPT_SHARE = 0.3
_HAN = re.compile(r"[\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
# Characters common in one Chinese script and written differently in the other.
_SIMPLIFIED = set("这个们来时为说国会经对发过后动进实现学种问产还体应开关于么没长样从见给让认电机东车门头钱买卖问题医院术费务络联系请号码单价")
_TRADITIONAL = set("這個們來時為說國會經對發過後動進實現學種問產還體應開關於麼沒長樣從見給讓認電機東車門頭錢買賣問題醫院術費務絡聯係請號碼單價")
_LETTER = re.compile(r"[^\W\d_]")
# URLs and e-mail addresses in ASCII only: CJK text has no spaces to stop a greedy \S+. A text
# without "http" or "@" is cleaned without the alternatives that cannot match it (much faster).
_URL, _EMAIL, _DIGITS = r"https?://[!-~]+", r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", r"[\d+()\-.,:/|]+"
_NOISE = {
    (url, email): re.compile("|".join(p for p, used in ((_URL, url), (_EMAIL, email), (_DIGITS, True)) if used))
    for url in (False, True)
    for email in (False, True)
}


def detect_language(text: str) -> str:
    """A langdetect code ("en", "zh-cn", "ar" ...), "" when the text has no letters to judge, or
    langdetect's "unknown" when no language gets a posterior above 0.1 (hardly ever)."""
    text = _clean(text)
    shortcut = _by_script(_sample(text, SAMPLE_CHARS))
    if shortcut is not None:
        return shortcut
    return _naive_bayes(_sample(text, NGRAM_SAMPLE_CHARS))


def _by_script(sample: str) -> str | None:
    """The answer when the letters settle it without the n-gram model ("" for no letters), else None."""
    letters = len(_LETTER.findall(sample))
    if not letters:
        return ""
    for lang, script in _SCRIPTS:
        if len(script.findall(sample)) >= _MIN_SCRIPT_SHARE * letters:
            return lang
    if len(_KANA.findall(sample)) >= 0.05 * letters:
        return "ja"  # kanji-heavy Japanese: a little kana is enough, Chinese has none
    if len(_HAN.findall(sample)) >= _MIN_SCRIPT_SHARE * letters:
        # langdetect mistakes Traditional Chinese for Korean; the characters tell the scripts apart
        simplified = sum(c in _SIMPLIFIED for c in sample)
        traditional = sum(c in _TRADITIONAL for c in sample)
        return "zh-tw" if traditional > simplified else "zh-cn"
    if _is_plain_english(sample):
        return "en"
    return None


_EN_WORD = re.compile(r"[A-Za-z']+")
_EN_FUNCTION_WORDS = frozenset(
    "the and of to in is for with that on are you your we our this from be by it at as have will not or".split()
)


def _is_plain_english(sample: str) -> bool:
    """Latin letters only and English function words at least a fifth of the words: English for
    sure, without the n-gram model (most pages of an English crawl)."""
    if not sample.isascii():
        return False
    words = _EN_WORD.findall(sample.lower())
    return len(words) >= 20 and sum(w in _EN_FUNCTION_WORDS for w in words) >= 0.2 * len(words)


def _clean(text: str) -> str:
    """The first 20,000 characters without digits, URLs and e-mail addresses, whitespace collapsed."""
    text = text[:20_000]
    return " ".join(_NOISE["http" in text, "@" in text].sub(" ", text).split())


def _sample(text: str, size: int) -> str:
    """`size` characters from a third of the way in, where the main content usually is."""
    if len(text) <= size:
        return text
    mid = len(text) // 3
    return text[mid : mid + size]


# --- langdetect's naive Bayes, scored over all n-grams at once ---------------------------------
#
# langdetect (Detector._detect_block) runs random trials: it draws n-grams of the text with
# replacement and multiplies prob[lang] *= alpha / BASE_FREQ + p(n-gram | lang) until one language
# passes 0.99999, alpha being 0.5 jittered by N(0, 0.05) per trial. Here every n-gram of the sample
# counts once, alpha is 0.5, and the product is a sum of logs: for each language
#     score = sum over the sample's n-grams of log(0.5 / 10000 + p(n-gram | lang))
# under langdetect's uniform prior; the best score wins. Same profiles, same text cleaning and
# n-gram extraction as langdetect (Detector.append, Detector.cleaning_text, NGram); no randomness.
# The n-grams are found with numpy, and the scores of the space-separated tokens seen lately are
# kept: most tokens of a page were on earlier pages.

_ALPHA = Detector.ALPHA_DEFAULT
_WEIGHT = _ALPHA / Detector.BASE_FREQ
_PROB_THRESHOLD = Detector.PROB_THRESHOLD  # langdetect's "unknown" when no language has more
_LATIN = re.compile(r"[A-z]+")  # langdetect's "Latin": 'A' <= ch <= 'z', brackets and backquote included
_CACHED_TOKENS = 65_536  # tokens whose scores are kept (14 MB; the table is emptied when full)
_SPACE = ord(" ")
_NOT_IN_PROFILES = 0xFFFF  # a non-character, in no n-gram of the profiles


def _code(gram: str) -> int:
    """An n-gram of BMP characters as one integer: its length, then 16 bits per character."""
    code = len(gram)
    for ch in gram:
        code = code << 16 | ord(ch)
    return code << 16 * (3 - len(gram))


class _Model:
    """langdetect's profiles as one matrix (row = n-gram, column = language, value = log(weight + p)),
    the n-grams as sorted integer codes, NGram's character normalization as a table, and the scores
    of the tokens seen lately."""

    def __init__(self) -> None:
        arrays = _cached_arrays()
        self.langs = arrays["langs"].tolist()
        self.codes, self.log_probs = arrays["codes"], arrays["log_probs"]
        self.normalized, self.upper = arrays["normalized"], arrays["upper"]
        # token -> row of token_scores; row 0 (zeros) for the tokens without a known n-gram
        self.token_scores = np.zeros((_CACHED_TOKENS + 1, len(self.langs)), dtype=np.float32)
        self.token_row: dict[str, int] = {}
        self.free_row = 1
        self.lock = threading.Lock()

    def score(self, tokens: list[str]) -> np.ndarray | None:
        """Sum of the tokens' scores per language, None when none of their n-grams is known.
        At most _CACHED_TOKENS different tokens (a sample of 1,000 characters has a few hundred)."""
        with self.lock:
            new = [t for t in dict.fromkeys(tokens) if t not in self.token_row]
            if len(self.token_row) + len(new) > _CACHED_TOKENS:
                self.forget()  # full: start again with this text's tokens
                new = list(dict.fromkeys(tokens))
            if new:
                self._add(new)
            rows = [self.token_row[t] for t in tokens]
            if not any(rows):
                return None
            return np.take(self.token_scores, rows, axis=0).sum(axis=0, dtype=np.float64)

    def forget(self) -> None:
        """Empty the table of token scores."""
        self.token_row.clear()
        self.free_row = 1

    def _add(self, tokens: list[str]) -> None:
        """Score new tokens at once: their n-grams found, looked up and summed token by token (in
        float32, each token's n-grams in the same order whatever else is new with it)."""
        for token in tokens:
            self.token_row[token] = 0
        # one text of them all; a token without a space after it (the text's last) must come last
        tokens = sorted(tokens, key=lambda t: not t.endswith(" "))
        text = "  " + "".join(tokens)  # two spaces before: nothing precedes the first token
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        chars = self.normalized[points].astype(np.int64)
        # NGram.add_char: no n-gram ends on an upper-case letter that follows one
        upper = self.upper[points]
        counted = ~(upper[2:] & upper[1:-1])
        this, before, before2 = chars[2:], chars[1:-1], chars[:-2]
        space, space_before = this == _SPACE, before == _SPACE
        grams = np.stack(
            [
                (1 << 48) | this << 32,  # a letter
                (2 << 48) | before << 32 | this << 16,  # with the letter or space before it
                (3 << 48) | before2 << 32 | before << 16 | this,  # and the one before that
            ],
            axis=1,
        )
        kept = np.stack([counted & ~space, counted & ~(space & space_before), counted & ~space_before], axis=1)
        ends, _ = np.nonzero(kept)  # where each n-gram ends in the text, in order
        grams = grams[kept]
        found = np.searchsorted(self.codes, grams)
        known = self.codes[found] == grams
        rows, ends = found[known], ends[known]
        if not rows.size:
            return
        token_of = np.repeat(np.arange(len(tokens)), [len(t) for t in tokens])[ends]
        starts = np.flatnonzero(np.diff(token_of, prepend=-1))
        sums = np.add.reduceat(np.take(self.log_probs, rows, axis=0), starts, axis=0)
        end = self.free_row + len(starts)
        self.token_scores[self.free_row : end] = sums
        for row, i in enumerate(token_of[starts].tolist(), self.free_row):
            self.token_row[tokens[i]] = row
        self.free_row = end


def _arrays() -> dict[str, np.ndarray]:
    """The model's arrays, built from langdetect's profiles (0.6 s)."""
    langs, grams, log_probs = _profiles()
    codes = np.array([_code(gram) for gram in grams], dtype=np.int64)
    order = np.argsort(codes)
    # per character: NGram.normalize's (it changes none beyond the BMP, which the profiles do not
    # have: those become one that is in no n-gram), and whether that is upper case
    normalized = np.array([ord(NGram.normalize(chr(c))) for c in range(0x10000)])
    upper = np.fromiter(map(str.isupper, map(chr, range(sys.maxunicode + 1))), dtype=bool)
    upper[:0x10000] = upper[normalized]
    all_normalized = np.full(sys.maxunicode + 1, _NOT_IN_PROFILES, dtype=np.uint16)
    all_normalized[:0x10000] = normalized
    return {
        "langs": np.array(langs),
        "codes": np.append(codes[order], 4 << 48),  # and one past any n-gram's: searches end there
        "log_probs": log_probs[order],
        "normalized": all_normalized,
        "upper": upper,
    }


_FORMAT = 1  # of the cached arrays: a change to `_arrays` changes it


def cache_path() -> Path:
    """Where the model's arrays are kept between runs: $ORGANWATCH_CACHE_DIR, else
    $XDG_CACHE_HOME/organwatch or ~/.cache/organwatch; one file per langdetect version."""
    folder = os.environ.get("ORGANWATCH_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "organwatch")
    return Path(folder) / f"langdetect-{version('langdetect')}-profiles-{_FORMAT}.npz"


def _cached_arrays() -> dict[str, np.ndarray]:
    """The model's arrays from the cache (20 ms instead of 0.6 s at every start of a crawl's
    readers), built and cached when the cache has none or cannot be read; a cache that cannot be
    written costs only the time."""
    path = cache_path()
    try:
        with open(path, "rb") as f, np.load(f) as cached:  # np.load leaves a file it cannot read open
            arrays = {name: cached[name] for name in cached.files}
        if arrays["log_probs"].shape == (len(arrays["codes"]) - 1, len(arrays["langs"])):
            return arrays
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        pass
    arrays = _arrays()
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as f:
            temporary = f.name
            np.savez(f, **arrays)
        os.chmod(temporary, 0o644)  # a cache folder several users share
        os.replace(temporary, path)  # whole or not at all, even with two crawls starting at once
    except OSError as e:
        logging.getLogger(__name__).warning("cannot cache the language model's arrays in %s: %s", path, e)
        if temporary:  # a full disk: no half-written file left behind
            Path(temporary).unlink(missing_ok=True)
    return arrays


def _profiles() -> tuple[list[str], list[str], np.ndarray]:
    """langdetect's profiles as DetectorFactory.load_profile reads them (the same languages in the
    same order, p(n-gram | lang) = its count / the profile's n-grams of its length), with their
    n-grams and log(weight + p) as one matrix: 0.2 s, where load_profile took 0.85 s building a
    list of 55 floats per n-gram in Python."""
    profiles = []
    for filename in os.listdir(PROFILES_DIRECTORY):  # load_profile's order, which sets the columns
        path = os.path.join(PROFILES_DIRECTORY, filename)
        if not filename.startswith(".") and os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                profiles.append(json.load(f))
    rows: dict[str, int] = {}
    columns = []  # per profile: its n-grams' rows, and p of each (0 beyond 1-3 characters)
    for profile in profiles:
        freq = profile["freq"]
        row = np.fromiter((rows.setdefault(gram, len(rows)) for gram in freq), dtype=np.int64, count=len(freq))
        length = np.fromiter(map(len, freq), dtype=np.int64, count=len(freq))
        per_length = np.array([1, *profile["n_words"], 1], dtype=np.float64)[np.clip(length, 0, 4)]
        p = np.fromiter(freq.values(), dtype=np.float64, count=len(freq)) / per_length
        columns.append((row, np.where((length >= 1) & (length <= 3), p, 0.0)))
    probs = np.zeros((len(rows), len(profiles)))
    for column, (row, p) in enumerate(columns):
        probs[row, column] = p
    return [profile["name"] for profile in profiles], list(rows), np.log(probs + _WEIGHT).astype(np.float32)


_model: _Model | None = None
_model_lock = threading.Lock()


def _get_model() -> _Model:
    global _model
    with _model_lock:
        if _model is None:
            _model = _Model()
    return _model


def _naive_bayes(sample: str) -> str:
    """langdetect's code for the language whose profile gives the sample's n-grams the best sum of
    log(weight + p), as langdetect's detect() would answer with a trial that sees them all."""
    model = _get_model()
    scores = model.score(_tokens(sample))
    if scores is None:
        return ""  # langdetect: "No features in text"
    best = int(scores.argmax())
    posterior = 1.0 / np.exp(scores - scores[best]).sum()
    return model.langs[best] if posterior > _PROB_THRESHOLD else "unknown"


def _tokens(sample: str) -> list[str]:
    """The sample cut at spaces as langdetect's Detector cleans it, each token with the space that
    follows it (the last one has none unless the text ends with a space)."""
    # Detector.append: URLs and e-mails out, Vietnamese tone marks composed (it also collapses runs
    # of spaces: splitting on single spaces and skipping empty tokens does the same)
    if "http" in sample or "@" in sample:
        sample = Detector.MAIL_RE.sub(" ", Detector.URL_RE.sub(" ", sample))
    text = NGram.normalize_vi(sample)
    # Detector.cleaning_text: drop the Latin letters ('A' <= ch <= 'z', brackets and backquote too)
    # of a text where characters from U+0300 on are more than twice as many
    if not text.isascii():
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        if 2 * np.count_nonzero((points >= 0x41) & (points <= 0x7A)) < np.count_nonzero(points >= 0x300):
            text = _LATIN.sub("", text)
    tokens = text.split(" ")
    last = len(tokens) - 1
    return [token + " " if i < last else token for i, token in enumerate(tokens) if token]
