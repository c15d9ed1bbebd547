"""Word frequencies without importing wordfreq (``etl.frequency``): the same scores as wordfreq's."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import wordfreq

from etl import frequency, prepared
from tests.conftest import ROOT, SEEDS

DEV = ROOT / "tests" / "fixtures" / "dev" / "articles"
LANGUAGES = ("en", "fr", "es")


def article_words() -> list[str]:
    """Every word of the test articles, lower-cased, as the extractor asks about them."""
    words: set[str] = set()
    for path in [*SEEDS.iterdir(), *DEV.iterdir()]:
        text = path.read_text(encoding="utf-8")
        words.update(w.lower() for w in re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text))
    return sorted(words)


TRICKY = ["", " ", "a", "l'eau", "aujourd'hui", "ß", "straße", "naïve", "Viet", "VIETNAM", "co-op", "123", "a1",
          "déjà vu", "long term", "long  term", " long", "term ", "e\u0301te\u0301", "été", "œuvre", "ǆ", "ŀ",
          "vietnamcambodia", "between", "be tween", "ıi", "ﬁn", "ｆｕｌｌ", "kampot kep", "the of and", "people’s", "people's",
          "l’eau", "d'accord", "qu’il", "rock’n’roll", "nguyễn", "đắk lắk", "people’s party", "x’", "’s",
          "ǅ", "ǆ", "ﬁ", "l'h'x", "de'accord", "s'y", "rock'n'roll", "l’eau's", "y'a", "o'neill", "''"]


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """An empty resource cache: the lists are read by wordfreq, kept, then read back."""
    monkeypatch.setenv(prepared.CACHE_ENV, str(tmp_path))
    frequency._kept.cache_clear()
    frequency._wordfreq_zipf.cache_clear()
    yield tmp_path
    frequency._kept.cache_clear()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_scores_are_wordfreqs(fresh, lang):
    words = article_words()
    pairs = [f"{a} {b}" for a, b in zip(words[::7], words[3::7], strict=False)]
    listed = list(wordfreq.iter_wordlist(lang, frequency.WORDLIST))[::11]
    texts = words + pairs + listed + TRICKY
    for attempt in ("read by wordfreq", "kept"):
        found = {t: frequency.zipf(t, lang) for t in texts}
        expected = {t: wordfreq.zipf_frequency(t, lang, wordlist=frequency.WORDLIST) for t in texts}
        assert found == expected, attempt
        assert sum(z > 0 for z in found.values()) > len(texts) / 3  # most are known words
        frequency._kept.cache_clear()
    assert any(p.name.startswith(f"wordfreq-small-{lang}-") for p in fresh.iterdir())


def test_a_language_wordfreq_has_no_list_for_scores_zero(fresh):
    assert frequency.zipf("between", "xx") == 0.0


def test_scoring_words_does_not_import_wordfreq(tmp_path):
    """Once the lists are kept, a process scores plain words without importing wordfreq."""
    code = ("import sys; from etl.frequency import zipf; "
            "assert zipf('between', 'en') > 5 and zipf('long term', 'en') > 0 and zipf('xyzzyq', 'fr') == 0; "
            "print('wordfreq' in sys.modules)")
    env = {"VNKH_CACHE_HOME": str(tmp_path), "PATH": ""}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert (first.stdout.strip(), again.stdout.strip()) == ("True", "False")


def test_a_wordfreq_that_tokenizes_otherwise_is_asked_every_time(fresh, monkeypatch):
    """Should another wordfreq version cut "l'eau" otherwise, the kept list says so and no text of the
    language is scored from it."""
    import wordfreq.tokens

    tokenize = wordfreq.tokens.lossy_tokenize
    monkeypatch.setattr(wordfreq.tokens, "lossy_tokenize", lambda text, lang: text.split())
    assert frequency._kept("en").plain is False
    assert frequency.zipf("l'eau", "en") == wordfreq.zipf_frequency("l'eau", "en", wordlist="small")
    monkeypatch.setattr(wordfreq.tokens, "lossy_tokenize", tokenize)
    monkeypatch.setenv(prepared.CACHE_ENV, str(fresh / "another"))
    frequency._kept.cache_clear()
    assert frequency._kept("en").plain is True
