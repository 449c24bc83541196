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
# A phone number: (?<![\w+])(?:\+|00)?\d[\d\s().\-]{6,18}\d(?!\w), written to start with a
# character class (its first character, then the look-behind) so that the engine skips to the
# digits and plus signs of a page: 120 -> 30 us on a 2.4 KB page of prose
PHONE_RE = re.compile(r"[+\d](?<![\w+].)(?:(?<=\+)\d|(?<=0)0\d|(?<=\d))[\d\s().\-]{6,18}\d(?!\w)")
_MESSENGERS = {
    "whatsapp": r"whats\s?app|watsapp|wa\.me/|واتس\s?اب|واتساب|واتس‌اپ|وٹس\s?ایپ|واٹس\s?ایپ|ватсап|вотсап|whatsapp|왓츠앱|ワッツアップ|วอทส์แอป|व्हाट्सएप|হোয়াটসঅ্যাপ",
    "wechat": r"we\s?chat|weixin|微信|vx|v信|위챗|ウィーチャット",
    "telegram": r"telegram|t\.me/|تلگرام|تيليجرام|تلغرام|телеграм|テレグラム|텔레그램",
    "viber": r"viber|وایبر|فايبر|вайбер",
    "line": r"\bline\s?(?:id|:)|ไลน์|ライン|라인",
    "signal": r"\bsignal\b(?=\s*[:：]?\s*[+@\d])",
    "imo": r"\bimo\b",
}


def _first_chars(patterns) -> str:
    """A character class of the first characters of the alternatives, both cases: a lookahead on
    it lets the regex engine skip most positions of a page at once (4x faster here)."""
    chars = set()
    for pattern in patterns:
        for alt in pattern.split("|"):
            c = alt.replace("\\b", "")[0]
            chars |= {c.lower(), c.upper()}
    return "".join(sorted(chars)).replace("\\", "\\\\").replace("]", "\\]").replace("-", "\\-")


MESSENGER_RE = re.compile(
    f"(?=[{_first_chars(_MESSENGERS.values())}])(?:"
    + "|".join(f"(?P<{name}>{pattern})" for name, pattern in _MESSENGERS.items())
    + ")",
    re.IGNORECASE,
)
# What every match of MESSENGER_RE contains, in lower case: a page that contains none of them
# names no messenger, and most pages are told so without running MESSENGER_RE (0.35 ms on a
# 2.4 KB page; tests/test_indicators.py checks the needles against the patterns)
_MESSENGER_NEEDLES = (
    "whats", "watsapp", "wa.me/", "واتس", "وٹس", "واٹس", "ватсап", "вотсап", "왓츠앱", "ワッツアップ", "วอทส์แอป",
    "व्हाट्सएप", "হোয়াটসঅ্যাপ", "chat", "weixin", "微信", "vx", "v信", "위챗", "ウィーチャット", "telegram", "t.me/",
    "تلگرام", "تيليجرام", "تلغرام", "телеграм", "テレグラム", "텔레그램", "viber", "وایبر", "فايبر", "вайбер", "line",
    "ไลน์", "ライン", "라인", "signal", "imo",
)


def may_name_messenger(text: str) -> bool:
    """False when MESSENGER_RE cannot match the text (a dotted capital I lowers to i and a mark)."""
    low = text.lower().replace("\u0307", "")
    return any(needle in low for needle in _MESSENGER_NEEDLES)


_HANDLE_APPS = {"wechat", "line", "telegram", "signal"}  # ids that are not phone numbers
_NOT_HANDLES = {"id", "us", "me", "or", "and", "or call", "group", "channel", "number", "contact", "only", "please"}
HANDLE_RE = re.compile(r"\s*(?:id|ID|number|no\.?|num|号|號|：|:|-|=|/|\s)*\s*(\+?[\d][\d\s\-().]{5,18}\d|@?[A-Za-z][\w.\-]{2,31})")

CURRENCY = (
    r"US\$|USD|\$|EUR|€|£|GBP|RMB|CNY|¥|元|万元|萬元|Rs\.?|PKR|INR|₹|lakh|lac|crore|"
    r"تومان|ریال|toman|rial|جنيه|EGP|₺|TL|TRY|lira|руб\w*|₽|долл\w*|R\$|reais|dólares|dolares|"
    r"pesos|euros|Rp\.?|rupiah|₫|đồng|VND|triệu|₱|PHP|৳|টাকা|taka|₪|ILS|ש\"ח|円|万円|원|만원|₩|"
    r"บาท|฿|AED|dirhams?|SAR|ريال|دولار|dollars?|روپے|रुपये|रु\.?"
)
_SCALE = r"k|K|mil|million|mn|lakh|crore|万|萬|triệu|juta"
NUMBER_RE = re.compile(r"\d(?:[\d,.]|\s(?=\d{3}\b))*")
CURRENCY_BEFORE = re.compile(rf"(?:{CURRENCY})\s?$", re.IGNORECASE)
CURRENCY_AFTER = re.compile(rf"\s?(?:(?:{_SCALE})\s?)?(?:{CURRENCY})", re.IGNORECASE)
SCALE_AFTER = re.compile(rf"\s?(?:{_SCALE})\b", re.IGNORECASE)
_CURRENCY_CODES = [
    (r"US\$|USD|\$|dollars?|dólares|dolares|долл|دولار", "USD"),
    (r"€|EUR|euros", "EUR"),
    (r"£|GBP", "GBP"),
    (r"RMB|CNY|元|万元|萬元", "CNY"),
    (r"円|万円", "JPY"),
    (r"¥", "CNY"),
    (r"PKR|روپے", "PKR"),
    (r"INR|₹|रुपये|रु", "INR"),
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
    r"(?=[ABOabo])(?<![\w+])(AB|A|B|O)\s?(?:(\+|-|−)(?:\s?ve)?|\s?(positive|negative|pos|neg|rh\+|rh-))(?![\w+])"
    r"|(?<![A-Za-z])(AB|A|B|O)\s?型",
    re.IGNORECASE,
)
BLOOD_CONTEXT = re.compile(r"blood|group|type|grupo|groupe|sang|گروه|فصيل|زمرة|خون|кров|kan|darah|dugo|máu|혈액|血|เลือด|रक्त|ব্লাড|রক্ত|דם", re.I)


# "Rs" is the rupee of several countries: read it by the page's region.
_RUPEE = {"PK": "PKR", "LK": "LKR", "NP": "NPR", "IN": "INR"}


def _currency(text: str, region: str | None) -> str:
    for pattern, code in _CURRENCY_CODES:
        if re.search(pattern, text, re.IGNORECASE):
            return code
    if re.search(r"Rs|rupees?|lakh|crore", text, re.IGNORECASE):
        return _RUPEE.get(region or "", "INR")
    return ""


def _price(text: str, start: int, end: int, region: str | None) -> Indicator | None:
    """A number with a currency before or after it (and maybe a scale word: 5 lakh, 30万)."""
    while end > start + 1 and text[end - 1] in ".,":  # "USD 45,000, all inclusive"
        end -= 1
    before = CURRENCY_BEFORE.search(text, max(0, start - 6), start)
    after = CURRENCY_AFTER.match(text, end)
    if before:
        start = before.start()
        scale = SCALE_AFTER.match(text, end)
        if scale:
            end = scale.end()
    elif after:
        end = after.end()
    else:
        return None
    found = text[start:end].strip()
    parsed = Price.fromstring(found)
    if parsed.amount is None:
        return None
    amount = float(parsed.amount)
    for pattern, factor in _MULTIPLIERS:
        if re.search(pattern, found, re.IGNORECASE):
            amount *= factor
            break
    if amount < 10:
        return None
    code = _currency(found, region) or (parsed.currency or "")
    return Indicator("price", found, f"{code} {amount:.0f}".strip(), start, start + len(found))


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


def pattern_indicators(text: str, lang: str = "", contacts_only: bool = False) -> list[Indicator]:
    """Indicators with a shape: e-mail, phone, messenger, and unless `contacts_only`, price and
    blood group."""
    region = LANG_REGION.get(lang, None)
    found: list[Indicator] = []
    emails = []
    for m in EMAIL_RE.finditer(text) if "@" in text else ():
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
    for m in MESSENGER_RE.finditer(text) if may_name_messenger(text) else ():
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
            elif app in _HANDLE_APPS and handle.lstrip("@").lower() not in _NOT_HANDLES:
                value = f"{app}:{handle.lstrip('@').lower()}"
                end = after.start(1) + len(handle)
        found.append(Indicator("messenger", text[m.start() : end], value, m.start(), end))
    if contacts_only:
        return found
    for m in NUMBER_RE.finditer(text):
        if any(s <= m.start() < e for s, e in phones):
            continue
        ind = _price(text, m.start(), m.end(), region)
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
