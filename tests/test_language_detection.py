"""nlp.language: langdetect's naive Bayes scored over every n-gram at once gives what langdetect's
own n-gram extraction and profiles give, whatever the texts seen before."""

import numpy as np
import pytest
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

from nlp import language

TEXTS = [
    "Vendo riñón, tipo O+, sano. Llamar al número de abajo, urgente!",
    "Je vends un rein: groupe O+, en bonne santé. Appelez-moi (sérieux seulement).",
    "Продаю почку, группа крови O+, здоров. Звоните СРОЧНО, только серьёзные предложения.",
    "كلية للبيع، فصيلة الدم O+، بصحة جيدة. اتصل بي الآن WhatsApp",
    "Tiếng Việt có dấu: GHÉP THẬN TẠI ẤN ĐỘ, Tie\u0302\u0301ng Vie\u0323\u0302t",
    "Jual ginjal GOL DARAH O, umur 25, sehat, butuh dana cepat. Hubungi WA sekarang.",
    "Böbrek satılık, kan grubu O+, sağlıklı. ÇOK ACİL, İstanbul'dan arayın.",
    "x  y ÉÉ ǅemal ǄEMAL 𝐀𝐁 😀 me@example.org http://example.org/a trailing ",
]


@pytest.fixture(scope="module")
def factory():
    f = DetectorFactory()
    f.load_profile(PROFILES_DIRECTORY)
    return f


def langdetect_scores(factory, text):
    """sum of log(alpha / BASE_FREQ + p) over the n-grams langdetect's Detector extracts, in float64."""
    detector = factory.create()
    detector.append(text)
    detector.cleaning_text()
    ngrams = detector._extract_ngrams()
    scores = np.zeros(len(factory.langlist))
    for gram in ngrams:
        scores += np.log(np.array(factory.word_lang_prob_map[gram]) + detector.alpha / detector.BASE_FREQ)
    return scores, ngrams


@pytest.mark.parametrize("text", TEXTS)
def test_scores_are_langdetects_over_all_its_ngrams(factory, text):
    model = language._get_model()
    expected, ngrams = langdetect_scores(factory, text)
    assert ngrams
    ours = model.score(language._tokens(text))
    order = [factory.langlist.index(lang) for lang in model.langs]
    np.testing.assert_allclose(ours, expected[order], rtol=1e-5)
    assert language._naive_bayes(text) == factory.langlist[int(expected.argmax())]


def test_answers_do_not_depend_on_what_came_before():
    first = [language.detect_language(t) for t in TEXTS]
    language._get_model().forget()
    assert [language.detect_language(t) for t in reversed(TEXTS)] == first[::-1]
    assert first[:4] == ["es", "fr", "ru", "ar"]


def test_no_letters_no_language():
    assert language.detect_language("+92 300 1234567 / 12:30") == ""
    assert language._naive_bayes("!!! ???") == ""


def test_the_cached_arrays_are_the_ones_built_from_the_profiles(tmp_path, monkeypatch):
    monkeypatch.setenv("ORGANWATCH_CACHE_DIR", str(tmp_path))
    built = language._arrays()
    first = language._cached_arrays()  # builds and caches
    assert language.cache_path().parent == tmp_path and language.cache_path().is_file()
    cached = language._cached_arrays()  # reads the cache
    for arrays in (first, cached):
        assert arrays.keys() == built.keys()
        for name, array in built.items():
            np.testing.assert_array_equal(arrays[name], array)
            assert arrays[name].dtype == array.dtype


def test_a_damaged_cache_is_built_again_and_an_unwritable_one_only_costs_time(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("ORGANWATCH_CACHE_DIR", str(tmp_path))
    language.cache_path().write_bytes(b"PK\x03\x04 not a whole archive")
    codes = language._cached_arrays()["codes"]
    with np.load(language.cache_path()) as cached:  # replaced by a good one
        assert np.array_equal(cached["codes"], codes)

    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    monkeypatch.setenv("ORGANWATCH_CACHE_DIR", str(blocked))
    assert np.array_equal(language._cached_arrays()["codes"], codes)
    assert "cannot cache the language model's arrays" in caplog.text
