"""Each indicator kind, found and normalized, in the languages where it matters."""

import pytest

from nlp.analyze import analyze


def found(text, lang):
    # a sentence naming the topic: the gate (nlp/gate.py) finds only contacts in a text that does not
    return {(i.kind, i.value) for i in analyze(f"{text}\nKidney transplant.", lang).indicators}


@pytest.mark.parametrize(
    "lang, text, kind, value",
    [
        ("en", "Kidney transplant package for foreigners", "organ", "kidney"),
        ("zh-cn", "肾移植套餐，专为外国患者", "organ", "kidney"),
        ("en", "Liver transplant in India, all inclusive", "organ", "liver"),
        ("en", "I want to sell my kidney, serious buyers only", "trade", "sell:kidney"),
        ("en", "Kidney transplant in China for foreigners", "destination", "CN"),
        ("en", "Package USD 45,000, all inclusive", "price", "USD 45000"),
        ("zh-cn", "肾移植费用30万元人民币", "price", "CNY 300000"),
        ("ur", "Rs 5 lakh for kidney, call now", "price", "PKR 500000"),
        ("ru", "стоимость 45 000 руб за консультацию", "price", "RUB 45000"),
        ("en", "Surgery within 2 weeks, no waiting list", "wait_time", "wait"),
        ("en", "Kidney transplant with donor provided by our team", "donor_offer", "donor_offer"),
        ("en", "The donor must be a family member of the patient", "donor_related", "donor_related"),
        ("en", "Healthy male, blood group O+, age 25", "blood_type", "O+"),
        ("ur", "Kidney available, B negative, healthy", "blood_type", "B-"),
        ("en", "Call +92 300 1234567 today", "phone", "+923001234567"),
        ("ur", "Call 0301 7654321 today", "phone", "+923017654321"),
        ("en", "Write to Help@Kidney-Care.example for a quote", "email", "help@kidney-care.example"),
        ("en", "WhatsApp +92 300 1234567 for details", "messenger", "whatsapp:+923001234567"),
        ("zh-cn", "详情请加微信：kidney_cn88", "messenger", "wechat:kidney_cn88"),
        ("en", "Telegram @kidneyhelp24 for prices", "messenger", "telegram:kidneyhelp24"),
        ("en", "Deposit by wire transfer before travel", "payment", "payment"),
        ("en", "Visa invitation letter and airport pickup included", "logistics", "logistics"),
    ],
)
def test_indicator_kind_and_normalized_value(lang, text, kind, value):
    assert (kind, value) in found(text, lang)


def test_spans_point_into_the_text():
    text = "Kidney for sale, O+, WhatsApp +92 300 1234567"
    for ind in analyze(text, "en").indicators:
        assert text[ind.start : ind.end] == ind.text


@pytest.mark.parametrize(
    "text",
    ["Red kidney beans 5 kg, fresh", "Call us on 2024-05-12 at 10:30", "Grade A+ service", "Version 1.2.3 released"],
)
def test_no_contact_or_blood_group_in_ordinary_text(text):
    kinds = {k for k, _ in found(text, "en")}
    assert not kinds & {"phone", "messenger", "blood_type", "trade"}
