"""Indicators: the reasons a reviewer wants to see (domain.md "Indicators").

Two sources: the concept marker's lexicon matches (organ, destination, waiting time, donor
supply, payment, logistics, and organ + offer verb = trade), and patterns for what has a shape
(phones through `phonenumbers` to E.164, e-mail, messenger handles, prices through
`price-parser`, blood groups). Each indicator has a kind, the text as found, a normalized value
and its character span.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import phonenumbers
from price_parser import Price

# Region used to read phone numbers written without a country code, by page language.
LANG_REGION = {
    "ur": "PK", "fa": "IR", "ar": "EG", "hi": "IN", "bn": "BD", "tr": "TR", "ru": "RU", "id": "ID",
    "tl": "PH", "vi": "VN", "zh-cn": "CN", "zh-tw": "TW", "ja": "JP", "ko": "KR", "th": "TH",
    "he": "IL", "es": "MX", "pt": "BR", "fr": "FR", "en": "US",
}


@dataclass(frozen=True)
class Indicator:
    kind: str
    text: str
    value: str
    start: int
    end: int

    def as_dict(self) -> dict:
        return asdict(self)


# Concepts of the lexicon that are indicators themselves.
CONCEPT_INDICATORS = {
    "organ": "organ",
    "destination": "destination",
    "wait": "wait_time",
    "donor_offer": "donor_offer",
    "donor_related": "donor_related",
    "payment": "payment",
    "logistics": "logistics",
}
TRADE_WINDOW = 40  # characters between an organ and an offer/buy word for a "trade" indicator

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[A-Za-z]{2,24}\b")
PHONE_RE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d\s().\-]{6,18}\d(?!\w)")
_MESSENGERS = {
    "whatsapp": r"whats\s?app|watsapp|wa\.me/|واتس\s?اب|واتساب|واتس‌اپ|وٹس\s?ایپ|واٹس\s?ایپ|ватсап|вотсап|whatsapp|왓츠앱|ワッツアップ|วอทส์แอป|व्हाट्सएप|হোয়াটসঅ্যাপ",
    "wechat": r"we\s?chat|weixin|微信|vx|v信|위챗|ウィーチャット",
    "telegram": r"telegram|t\.me/|تلگرام|تيليجرام|تلغرام|телеграм|テレグラム|텔레그램",
    "viber": r"viber|وایبر|فايبر|вайбер",
    "line": r"\bline\s?(?:id|:)|ไลน์|ライン|라인",
    "signal": r"\bsignal\b(?=\s*[:：]?\s*[+@\d])",
    "imo": r"\bimo\b",
}
MESSENGER_RE = re.compile(
    "|".join(f"(?P<{name}>{pattern})" for name, pattern in _MESSENGERS.items()), re.IGNORECASE
)
HANDLE_RE = re.compile(r"\s*(?:id|ID|number|no\.?|num|号|號|：|:|-|=|/|\s)*\s*(\+?[\d][\d\s\-().]{5,18}\d|@?[A-Za-z][\w.\-]{2,31})")

CURRENCY = (
    r"US\$|USD|\$|EUR|€|£|GBP|RMB|CNY|¥|元|万元|萬元|Rs\.?|PKR|INR|₹|lakh|lac|crore|"
    r"تومان|ریال|toman|rial|جنيه|EGP|₺|TL|TRY|lira|руб\w*|₽|долл\w*|R\$|reais|dólares|dolares|"
    r"pesos|euros|Rp\.?|rupiah|₫|đồng|VND|triệu|₱|PHP|৳|টাকা|taka|₪|ILS|ש\"ח|円|万円|원|만원|₩|"
    r"บาท|฿|AED|dirhams?|SAR|ريال|دولار|dollars?|روپے|रुपये|रु\.?"
)
PRICE_RE = re.compile(
    rf"(?:(?:{CURRENCY})\s?\d[\d,.\s]*\d?(?:\s?(?:k|K|mil|million|mn|lakh|crore|万|萬|triệu|juta))?"
    rf"|\d[\d,.\s]*\d?\s?(?:k|K|mil|million|mn|lakh|crore|万|萬|triệu|juta)?\s?(?:{CURRENCY}))",
)
_CURRENCY_CODES = [
    (r"US\$|USD|\$|dollars?|dólares|dolares|долл|دولار", "USD"),
    (r"€|EUR|euros", "EUR"),
    (r"£|GBP", "GBP"),
    (r"RMB|CNY|元|万元|萬元", "CNY"),
    (r"円|万円", "JPY"),
    (r"¥", "CNY"),
    (r"PKR|روپے", "PKR"),
    (r"INR|₹|रुपये|रु|lakh|lac|crore", "INR"),
    (r"Rs", "PKR"),
    (r"تومان|toman|ریال|rial", "IRR"),
    (r"جنيه|EGP", "EGP"),
    (r"₺|TL|TRY|lira", "TRY"),
    (r"руб|₽", "RUB"),
    (r"R\$|reais", "BRL"),
    (r"pesos", "MXN"),
    (r"Rp|rupiah", "IDR"),
    (r"₫|đồng|VND|triệu", "VND"),
    (r"₱|PHP", "PHP"),
    (r"৳|টাকা|taka", "BDT"),
    (r"₪|ILS|ש\"ח", "ILS"),
    (r"원|만원|₩", "KRW"),
    (r"บาท|฿", "THB"),
    (r"AED|dirham", "AED"),
    (r"SAR|ريال", "SAR"),
]
_MULTIPLIERS = [
    (r"万|萬|만", 10_000),
    (r"lakh|lac", 100_000),
    (r"crore", 10_000_000),
    (r"triệu|million|mn|mil\b|juta", 1_000_000),
    (r"\d\s?[kK]\b", 1_000),
]
BLOOD_RE = re.compile(
    r"(?<![\w+])(AB|A|B|O)\s?(?:(\+|-|−)(?:\s?ve)?|\s?(positive|negative|pos|neg|rh\+|rh-))(?![\w+])"
    r"|(?<![A-Za-z])(AB|A|B|O)\s?型",
    re.IGNORECASE,
)
BLOOD_CONTEXT = re.compile(r"blood|group|type|grupo|groupe|sang|گروه|فصيل|زمرة|خون|кров|kan|darah|dugo|máu|혈액|血|เลือด|रक्त|ব্লাড|রক্ত|דם", re.I)


def _currency(text: str) -> str:
    for pattern, code in _CURRENCY_CODES:
        if re.search(pattern, text, re.IGNORECASE):
            return code
    return ""


def _price(match: re.Match) -> Indicator | None:
    text = match.group().strip()
    if not re.search(r"\d", text):
        return None
    parsed = Price.fromstring(text)
    if parsed.amount is None:
        return None
    amount = float(parsed.amount)
    for pattern, factor in _MULTIPLIERS:
        if re.search(pattern, text, re.IGNORECASE):
            amount *= factor
            break
    if amount < 10:
        return None
    code = _currency(text) or (parsed.currency or "")
    start = match.start() + (len(match.group()) - len(match.group().lstrip()))
    return Indicator("price", text, f"{code} {amount:.0f}".strip(), start, start + len(text))


def _phone(text: str, start: int, end: int, region: str | None) -> Indicator | None:
    raw = text[start:end]
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 8 or len(digits) > 15:
        return None
    if re.fullmatch(r"(19|20)\d\d[\s\-./]\d\d[\s\-./]\d\d", raw.strip()):
        return None  # a date
    candidate = "+" + raw[2:] if raw.startswith("00") else raw
    for reg in ([None] if candidate.startswith("+") else [region, "US"]):
        try:
            number = phonenumbers.parse(candidate, reg)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            return Indicator("phone", raw, e164, start, end)
    return None


def pattern_indicators(text: str, lang: str = "") -> list[Indicator]:
    """Indicators with a shape: e-mail, phone, messenger, price, blood group."""
    region = LANG_REGION.get(lang, None)
    found: list[Indicator] = []
    emails = []
    for m in EMAIL_RE.finditer(text):
        emails.append(m.span())
        found.append(Indicator("email", m.group(), m.group().lower(), m.start(), m.end()))
    phones: dict[tuple[int, int], Indicator] = {}
    for m in PHONE_RE.finditer(text):
        if any(s <= m.start() < e for s, e in emails):
            continue
        ind = _phone(text, m.start(), m.end(), region)
        if ind:
            phones[(m.start(), m.end())] = ind
            found.append(ind)
    for m in MESSENGER_RE.finditer(text):
        app = m.lastgroup or ""
        after = HANDLE_RE.match(text, m.end())
        value = app
        end = m.end()
        if after:
            handle = after.group(1).strip()
            phone = _phone(text, after.start(1), after.start(1) + len(handle), region)
            if phone:
                value = f"{app}:{phone.value}"
                end = phone.end
            elif not re.search(r"\d", handle) and not handle.isdigit() and len(handle) >= 3 and (
                handle.startswith("@") or "_" in handle or "." in handle or app in ("wechat", "line", "telegram")
            ):
                value = f"{app}:{handle.lstrip('@').lower()}"
                end = after.start(1) + len(handle)
        found.append(Indicator("messenger", text[m.start() : end], value, m.start(), end))
    for m in PRICE_RE.finditer(text):
        if any(s <= m.start() < e for s, e in phones):
            continue
        ind = _price(m)
        if ind:
            found.append(ind)
    for m in BLOOD_RE.finditer(text):
        group = (m.group(1) or m.group(4) or "").upper()
        sign = m.group(2) or m.group(3) or ""
        explicit = bool(m.group(3)) or bool(m.group(4)) or "ve" in m.group().lower()
        if not explicit and not BLOOD_CONTEXT.search(text, max(0, m.start() - 40), m.end() + 40):
            continue
        rh = "+" if sign.lower() in ("+", "positive", "pos", "rh+") else "-" if sign else ""
        found.append(Indicator("blood_type", m.group(), group + rh, m.start(), m.end()))
    return found


def concept_indicators(concepts: list[tuple[str, str, int, int]], text: str) -> list[Indicator]:
    """Indicators from the concept marker's matches, and organ + offer/buy word = trade."""
    found = []
    organs = []
    offers = []
    for concept, value, start, end in concepts:
        kind = CONCEPT_INDICATORS.get(concept)
        if kind:
            found.append(Indicator(kind, text[start:end], value, start, end))
        if concept == "organ":
            organs.append((value, start, end))
        elif concept in ("sell", "buy"):
            offers.append((concept, start, end))
    for organ, o_start, o_end in organs:
        for verb, v_start, v_end in offers:
            if -TRADE_WINDOW <= v_start - o_end <= TRADE_WINDOW or -TRADE_WINDOW <= o_start - v_end <= TRADE_WINDOW:
                start, end = min(o_start, v_start), max(o_end, v_end)
                found.append(Indicator("trade", text[start:end], f"{verb}:{organ}", start, end))
                break
    return found


def dedupe(indicators: list[Indicator]) -> list[Indicator]:
    """One indicator per (kind, value, span); sorted by position."""
    seen = set()
    out = []
    for ind in sorted(indicators, key=lambda i: (i.start, i.kind)):
        key = (ind.kind, ind.value, ind.start)
        if key not in seen:
            seen.add(key)
            out.append(ind)
    return out
