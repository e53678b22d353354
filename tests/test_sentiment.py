"""earful.sentiment: language, sentiment, complaint model, the CLI helpers, hostile input."""

from __future__ import annotations

import io
import json
import time

import pytest

from earful.model import INTENTS, Enrichment
from earful.sentiment import BrandContext, Classifier, cli_support
from earful.sentiment.langid import LanguageId

TELVIA = BrandContext("Telvia", handles=("telvia",), competitors=("Netmax",), keywords=("Telvia",))


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.load()


def test_load_is_fast_and_versioned():
    start = time.perf_counter()
    c = Classifier.load()
    assert time.perf_counter() - start < 1.0
    assert c.version.startswith("earful-complaint-")


@pytest.mark.parametrize("text,lang", [
    ("My order still has not arrived and nobody answers the phone", "en"),
    ("Интернет не работает уже третий день, когда почините?", "ru"),
    ("Інтернет не працює вже третій день, коли полагодите?", "uk"),
    ("Aplikacja znowu nie działa, nie mogę się zalogować od rana", "pl"),
    ("外卖送错了，我要退款", "zh"),
    ("Mein Paket ist immer noch nicht angekommen, warum dauert das so lange?", "de"),
    ("Mi pedido todavía no ha llegado y nadie me responde", "es"),
    ("Ma commande n'est toujours pas arrivée et personne ne répond", "fr"),
    ("Meu pedido ainda não chegou e ninguém responde", "pt"),
])
def test_language(text, lang):
    assert LanguageId().detect(text) == lang


@pytest.mark.parametrize("text", ["ok", "lol", "@telvia", "https://t.co/abc", "#fail #telvia", "😡😡😡", "", "12345"])
def test_short_or_empty_is_und(text):
    assert LanguageId().detect(text) == "und"


def test_hint_used_only_in_matching_script():
    lid = LanguageId()
    assert lid.detect("ok dzięki", hint="pl") == "pl"
    assert lid.detect("Интернет не работает уже третий день", hint="pl") == "ru"


def test_russian_ukrainian_not_confused():
    lid = LanguageId()
    assert lid.detect("Доброго дня, коли буде відновлено зв'язок у нашому районі?") == "uk"
    assert lid.detect("Добрый день, когда будет восстановлена связь в нашем районе?") == "ru"


@pytest.mark.parametrize("text,lang", [
    # neither і ї є ґ nor ы э ё ъ, and the stop-word vote is undecided: Ukrainian / Russian words decide
    ("чому нарахували грн за газ якщо споживання зменшилося", "uk"),
    ("доповнення вийде на switch", "uk"),
    ("не могу дозвониться в поддержку уже час робот отправляет по кругу", "ru"),
    ("телебанк от втб тест драйв", "ru"),
])
def test_cyrillic_without_telltale_letters(text, lang):
    from earful.sentiment.langid import ru_or_uk

    assert LanguageId().detect(text) == lang
    assert ru_or_uk(text.split()) == lang


@pytest.mark.parametrize("text,lang", [
    # Latin posts the stop-word vote cannot decide: the trigram naive-Bayes model decides, lingua is not asked
    ("hola amigos vamos ya casi llegamos a mil seguidores", "es"),
    ("ciao ragazzi stasera partita allo stadio", "it"),
    ("guten abend zusammen gleich geht's los mit fussball", "de"),
    ("lovely weather today going hiking later", "en"),
])
def test_latin_trigram_model_decides_before_lingua(text, lang, monkeypatch):
    from earful.sentiment import langid
    from earful.sentiment.text import strip_noise

    lid = LanguageId()
    assert lid._latin_vote(strip_noise(text.lower()))[0] is None  # the stop-word vote alone cannot tell

    def no_lingua(*_a, **_k):
        raise AssertionError("lingua was asked")

    monkeypatch.setattr(langid, "lingua_detector", no_lingua)
    assert lid.detect_many([text, "x"]) == [lang, "und"]


def test_latin_posts_no_model_can_tell_are_und_and_lingua_is_not_asked(monkeypatch):
    import numpy as np

    from earful.sentiment import langid, trigram_lm

    def no_lingua(*_a, **_k):
        raise AssertionError("lingua was asked")

    monkeypatch.setattr(langid, "lingua_detector", no_lingua)
    flat = np.zeros_like(langid_shipped_table())  # every language alike: no lead, ever
    texts = ["ciao ragazzi stasera partita allo stadio", "lovely weather today going hiking later",
             "the refund is still not here and nobody answers"]  # the last one the stop-word vote decides
    assert LanguageId(trigrams=flat).detect_many(texts) == ["und", "und", "en"]
    assert LanguageId().detect_many(texts) == ["it", "en", "en"]  # the shipped table tells them apart
    assert trigram_lm.scores(flat, texts).shape == (3, len(trigram_lm.LANGS))


def test_a_latin_language_the_trigram_table_lacks_still_goes_to_lingua(monkeypatch):
    from earful.sentiment import langid

    asked = []
    real = langid.lingua_detector

    def spy(langs, low=False):
        asked.append(langs)
        return real(langs, low)

    monkeypatch.setattr(langid, "lingua_detector", spy)
    got = LanguageId(["en", "sv"]).detect_many(["paketet har fortfarande inte kommit fram idag"])
    assert got == ["sv"] and asked == [("en", "sv")]  # (no Swedish stop words or trigrams: lingua decides)


def test_trigram_scores_do_not_depend_on_the_batch():
    import numpy as np

    from earful.sentiment import trigram_lm

    table = langid_shipped_table()
    texts = ["buenas noches descansen", "ab", "guten abend zusammen", "żółć gęślą jaźń"]
    together = trigram_lm.scores(table, texts)
    for i, t in enumerate(texts):
        alone = trigram_lm.scores(table, [t])[0]
        h, _ = trigram_lm._hashes([t])
        assert np.allclose(together[i], alone) and np.allclose(alone, table[h].sum(axis=0), atol=1e-3)
        assert len(h) == len(t)  # padded with a space each side: len(t) trigrams


def langid_shipped_table():
    from earful.sentiment.langid import shipped_trigrams

    table = shipped_trigrams()
    assert table is not None and table.shape[0] == 1 << 16
    return table


def test_cyrillic_with_both_kinds_of_words_is_left_to_lingua():
    from earful.sentiment.langid import ru_or_uk

    assert ru_or_uk("можна что".split()) is None


@pytest.mark.parametrize("neg,pos,lang", [
    ("Ужасный сервис, всё сломано", "Отличный сервис, спасибо большое", "ru"),
    ("Okropna obsługa, wszystko zepsute", "Świetna obsługa, dziękuję bardzo", "pl"),
    ("Жахливий сервіс, все зламано", "Чудовий сервіс, дякую", "uk"),
    ("太差了，很失望", "很好吃，非常满意", "zh"),
    ("Schrecklicher Service, alles kaputt", "Toller Service, vielen Dank", "de"),
    ("Servicio pésimo, todo roto", "Excelente servicio, gracias", "es"),
    ("Service nul, tout est cassé", "Service excellent, merci", "fr"),
    ("Serviço péssimo, tudo quebrado", "Serviço excelente, obrigado", "pt"),
    ("Terrible service, everything is broken", "Great service, thank you", "en"),
])
def test_sentiment_sign_per_language(clf, neg, pos, lang):
    n, p = clf.classify(neg, lang=lang), clf.classify(pos, lang=lang)
    assert -1.0 <= n.sentiment < 0 < p.sentiment <= 1.0


def test_negation_flips_lexicon_sentiment(clf):
    assert clf.classify("Obsługa jest dobra i szybka", lang="pl").sentiment > 0
    assert clf.classify("Obsługa nie jest dobra ani szybka", lang="pl").sentiment < 0


def test_complaint_and_reasons(clf):
    e = clf.classify("@telvia my internet is down again and I'm still waiting for a refund on order #884213",
                     brand=TELVIA)
    assert isinstance(e, Enrichment)
    assert e.complaint and e.intent == "complaint" and e.complaint_score > 0.5
    assert "addressed to @telvia" in e.reasons
    assert "order number" in e.reasons
    assert sum(r.startswith("problem cue: ") for r in e.reasons) >= 2
    assert e.model_version == clf.version


def test_polish_problem_cue(clf):
    e = clf.classify("@telvia aplikacja nie działa od wczoraj, proszę o pomoc", brand=TELVIA)
    assert "problem cue: 'nie działa'" in e.reasons
    assert e.lang == "pl"


def test_praise_is_not_a_complaint(clf):
    e = clf.classify("Thank you @telvia, the new router is amazing and setup took two minutes 😍", brand=TELVIA)
    assert not e.complaint and e.intent == "praise" and e.sentiment > 0.3


def test_competitor_complaint_praising_brand_is_not_a_complaint(clf):
    e = clf.classify("Netmax has been down all week and nobody answers. Switched to Telvia and it just works",
                     brand=TELVIA)
    assert not e.complaint
    assert "about a competitor" in e.reasons


def test_phishing_impersonating_brand_is_spam(clf):
    e = clf.classify("@telvia_helpdesk: your account will be suspended, verify your account here "
                     "https://telvia-secure.example/login", brand=TELVIA)
    assert e.intent == "spam" and not e.complaint and "looks like phishing" in e.reasons


@pytest.mark.parametrize("text", [
    "We're hiring! Join our team at Telvia as a network engineer, apply now https://jobs.example",
    "Telvia summer sale: 50% off all plans, use code SUMMER50, shop now",
])
def test_ads_and_job_posts_are_not_complaints(clf, text):
    e = clf.classify(text, brand=TELVIA)
    assert e.intent == "spam" and not e.complaint


@pytest.mark.parametrize("text", [
    "", "   ", "😡😡😡", "https://example.com/x", "a" * 10_000, "x \ud800 y \udfff", "\x00\x01\x1b[31mred\x07",
    "Telvia 还没退款 and my internet is still down!!", "\u202e\u200b@telvia\u200d",
])
def test_bad_input_never_raises(clf, text):
    e = clf.classify(text, brand=TELVIA)
    assert e.intent in INTENTS
    assert 0.0 <= e.complaint_score <= 1.0 and -1.0 <= e.sentiment <= 1.0
    json.dumps(e.as_dict())  # serialisable


def test_empty_and_url_only_are_und_and_not_complaints(clf):
    for text in ("", "https://example.com/x"):
        e = clf.classify(text)
        assert e.lang == "und" and not e.complaint


def test_classify_many_matches_classify(clf):
    texts = ["still waiting for my refund @telvia", "love it", "Интернет не работает"]
    many = clf.classify_many(texts, [TELVIA, None, None], [None, "en", None])
    assert [m.as_dict() for m in many] == [clf.classify(t, b, hint).as_dict()
                                            for t, b, hint in zip(texts, [TELVIA, None, None], [None, "en", None])]
    assert clf.classify_many([]) == []


def test_classify_stream_one_line_out_per_line_in_order(clf):
    lines = [
        json.dumps({"text": "@telvia still no internet, third day", "brand": "Telvia"}),
        "this is {not json",
        json.dumps({"text": "Dziękuję, wszystko działa świetnie", "lang": "pl"}),
        "",
        json.dumps(["a list"]),
        json.dumps({"text": "x \ud800", "brand": {"name": "Telvia", "handles": ["telvia"]}}),
        json.dumps({"no_text": 1}),
    ]
    out, err = io.StringIO(), io.StringIO()
    bad = cli_support.classify_stream(io.StringIO("\n".join(lines) + "\n"), out, err, clf=clf)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(results) == len(lines) and bad == 4
    assert results[0]["complaint"] is True
    assert results[1] == {"error": "line 2: not JSON"}
    assert results[2]["lang"] == "pl" and results[2]["complaint"] is False
    assert results[3]["error"].startswith("line 4:")
    assert results[4]["error"] == "line 5: not a JSON object"
    assert "lang" in results[5]
    assert results[6]["error"] == 'line 7: no "text" string'
    assert "line 2: not JSON" in err.getvalue()


def test_evaluate_prints_per_language(tmp_path, clf):
    path = tmp_path / "eval.jsonl"
    rows = [
        {"text": "@telvia my internet is down again, still waiting", "lang": "en", "is_complaint": True, "brand": "Telvia"},
        {"text": "thanks @telvia, works great", "lang": "en", "is_complaint": False, "brand": "Telvia"},
        {"text": "Интернет не работает третий день, ответьте!", "lang": "ru", "is_complaint": True},
        {"text": "Спасибо, всё отлично работает", "lang": "ru", "is_complaint": False},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\nnot json\n", encoding="utf-8")
    out = io.StringIO()
    report = cli_support.evaluate(path, out, clf=clf)
    assert set(report["languages"]) == {"en", "ru"}
    assert report["overall"]["n"] == 4 and report["overall"]["f1"] == 1.0
    assert "overall" in out.getvalue() and "VADER" in out.getvalue()


def test_calibrate_threshold_moves_towards_labels():
    labels = ([{"is_complaint": True, "complaint_score": s} for s in (0.30, 0.32, 0.35, 0.8, 0.9)]
              + [{"is_complaint": False, "complaint_score": s} for s in (0.05, 0.1, 0.2, 0.25, 0.28)])
    t = cli_support.calibrate_threshold(labels)
    assert 0.28 < t <= 0.30
    few = cli_support.calibrate_threshold([{"is_complaint": True, "complaint_score": 0.9}])
    assert few == Classifier.load().threshold
