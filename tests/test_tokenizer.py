import pytest
import spacy

from nlp.pipeline import Tokenizer


@pytest.fixture(scope="module")
def nlp():
    blank = spacy.blank("xx")
    blank.tokenizer = Tokenizer(blank.vocab)
    return blank


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("肾移植套餐", ["肾", "移", "植", "套", "餐"]),
        ("腎臓移植のご案内", ["腎", "臓", "移", "植", "の", "ご", "案", "内"]),
        ("ขายไตด่วน", ["ข", "า", "ย", "ไ", "ต", "ด่", "ว", "น"]),  # tone mark stays with its consonant
        ("किडनी बेचना है", ["किडनी", "बेचना", "है"]),  # vowel signs stay inside words
        ("신장 이식 패키지", ["신장", "이식", "패키지"]),
        ("Kidney for sale!! $45,000", ["Kidney", "for", "sale", "!", "!", "$", "45,000"]),
        ("زرع الكلى WhatsApp", ["زرع", "الكلى", "WhatsApp"]),
    ],
)
def test_tokens(nlp, text, tokens):
    assert [t.text for t in nlp(text) if not t.is_space] == tokens


@pytest.mark.parametrize("text", ["", "  lead and trail  ", "a\n\n\tb", "混合 mixed 文本\r\n", "x" * 3])
def test_text_round_trips(nlp, text):
    assert nlp(text).text == text
