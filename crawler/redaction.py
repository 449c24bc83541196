"""Contact redaction for the public (anonymous) side of Datasette.

People who offer their own organ are usually victims: a public reader sees that a page gives a
phone number, an e-mail or a messenger handle, and enough to tell them apart (country code, last
two digits, e-mail domain, the messenger's name), never the value itself.

Wider than the indicator finders (nlp.indicators), whose patterns it shares: any run of 8-15
digits written like a phone number is masked whether or not it is a valid number (dates
excepted), and so are e-mail shapes, @handles, t.me / wa.me links and whatever follows a
messenger's name as its id. Overlapping finds are merged; each is replaced by its masked form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from nlp.indicators import _NOT_HANDLES, EMAIL_RE, HANDLE_RE, LANG_REGION, MESSENGER_RE, PHONE_RE

MASK = "•••"
CONTACT_KINDS = ("phone", "email", "messenger")
_DATE = re.compile(r"(19|20)\d\d[\s\-./]\d\d[\s\-./]\d\d")
_DIGITS = re.compile(r"\+?\d+")
_PHONE_ISH = re.compile(r"\+?[\d\s\-().]+")
_AT_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z0-9_][\w.]{2,31}")
_LINK_HANDLE = re.compile(r"(?i)\b(?:t\.me|wa\.me|telegram\.me|line\.me/ti/p|viber\.click|signal\.me/#p)/[+~@\w.\-/]+")


def mask_phone(raw: str, region: str | None = None) -> str:
    """'+92 300 1234567' -> '+92•••67': the country code when there is one, and the last two digits."""
    digits = re.sub(r"\D", "", raw)
    candidate = raw.strip()
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    prefix = ""
    try:
        number = phonenumbers.parse(candidate, region if not candidate.startswith("+") else None)
        if number.country_code and (candidate.startswith("+") or phonenumbers.is_valid_number(number)):
            prefix = f"+{number.country_code}"
    except phonenumbers.NumberParseException:
        pass
    return f"{prefix}{MASK}{digits[-2:]}"


def mask_email(raw: str) -> str:
    """'someone@clinic.example' -> '•••@clinic.example'."""
    return MASK + "@" + raw.rsplit("@", 1)[-1] if "@" in raw else MASK


def mask_contact(kind: str, normalized: str) -> str:
    """The public form of an indicator's normalized contact value (kind phone, email, messenger)."""
    if kind == "phone":
        return mask_phone(normalized)
    if kind == "email":
        return mask_email(normalized)
    if kind == "messenger":
        app, sep, handle = normalized.partition(":")
        if not sep:
            return app
        return f"{app}:{mask_phone(handle) if _DIGITS.fullmatch(handle) else MASK}"
    return normalized


@dataclass
class Redacted:
    text: str
    spans: list[tuple[int, int, str]]  # (start, end, replacement) in the original text, sorted

    def offset(self, pos: int, *, end: bool = False) -> int:
        """Where a character offset of the original text lands in the redacted text (an offset
        inside a redacted span goes to that span's start, or its end when `end`)."""
        shift = 0
        for start, stop, new in self.spans:
            if pos <= start or (end and pos == start):
                break
            if pos < stop:
                return start + shift + (len(new) if end else 0)
            shift += len(new) - (stop - start)
        return pos + shift


def _spans(text: str, lang: str) -> list[tuple[int, int, str]]:
    region = LANG_REGION.get(lang)
    found: list[tuple[int, int, str]] = []
    for m in PHONE_RE.finditer(text):
        digits = sum(c.isdigit() for c in m.group())
        if 8 <= digits <= 15 and not _DATE.fullmatch(m.group().strip()):
            found.append((m.start(), m.end(), mask_phone(m.group(), region)))
    if "@" in text:
        found += [(m.start(), m.end(), mask_email(m.group())) for m in EMAIL_RE.finditer(text)]
        found += [(m.start(), m.end(), "@" + MASK) for m in _AT_HANDLE.finditer(text)]
    found += [(m.start(), m.end(), m.group().split("/", 1)[0] + "/" + MASK) for m in _LINK_HANDLE.finditer(text)]
    for m in MESSENGER_RE.finditer(text):  # keep the messenger's name, mask the handle after it
        handle = HANDLE_RE.match(text, m.end())
        if handle and handle.group(1).lstrip("@").lower() not in _NOT_HANDLES:
            value = handle.group(1).rstrip()
            masked = mask_phone(value, region) if _PHONE_ISH.fullmatch(value) else MASK
            found.append((handle.start(1), handle.start(1) + len(value), masked))
    return _merge(found)


def _merge(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping finds become one span; the longest find's mask names it."""
    merged: list[tuple[int, int, str]] = []
    for start, end, new in sorted(found, key=lambda s: (s[0], -s[1])):
        if merged and start < merged[-1][1]:
            p_start, p_end, p_new = merged[-1]
            merged[-1] = (p_start, max(p_end, end), p_new if p_end - p_start >= end - start else new)
        else:
            merged.append((start, end, new))
    return merged


def redact(text: str | None, lang: str = "") -> Redacted:
    """`text` with every contact value masked, and the spans that were replaced."""
    if not text:
        return Redacted(text or "", [])
    spans = _spans(text, lang or "")
    if not spans:
        return Redacted(text, [])
    out, last = [], 0
    for start, end, new in spans:
        out += [text[last:start], new]
        last = end
    out.append(text[last:])
    return Redacted("".join(out), spans)


def redact_text(text: str | None, lang: str = "") -> str | None:
    return redact(text, lang).text if text is not None else None

