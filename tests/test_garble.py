import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mt.garble
from mt.garble import check, check_sentence, repair

from .conftest import SAMPLE
from .test_cli import run


def flags_of(text: str) -> list[tuple[str, str, str | None]]:
    rep = check_sentence(text)
    return [(f.type, f.text, f.suggestion) for f in rep.flags]


def test_sample_article_errors_are_flagged_with_the_right_type() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    reports = check(text)
    found = {(f.type, f.text) for r in reports for f in r.flags if r.flagged}
    assert ("metadata", "date 2022-11") in found
    assert ("merged_token", "Khersonsous") in found
    assert ("article_compound", "le OTAN Le secrétaire général") in found
    assert ("stray_capital", "La") in found
    assert ("qui_subject", "qui La") in found
    assert ("quote_mismatch", "”") in found
    # spans point at the offending text, in sentence and in document coordinates
    for r in reports:
        assert text[r.start : r.end] == r.text
        for f in r.flags:
            assert r.text[f.start : f.end] == f.text
    # the real names of the article are not flagged
    flagged_text = " ".join(f.text for r in reports for f in r.flags)
    for name in ("Stoltenberg", "Sunak", "Poutine", "Kherson "):
        assert name not in flagged_text


def test_each_type_on_its_own() -> None:
    assert flags_of("Les troupes sont entrées à Kievdans la nuit.") == [
        ("merged_token", "Kievdans", "Kiev dans")
    ]
    assert flags_of("Il a vu les les soldats.") == [("duplicate_word", "les les", "les")]
    assert flags_of("Des milliers de ukrainiens ont fui.") == [
        ("bad_elision", "de ukrainiens", "d'ukrainiens")
    ]
    assert flags_of("Il a dit que La Russie avait perdu.") == [("stray_capital", "La", "la")]
    assert flags_of("La guerre continue.Il faut agir.") == [("missing_space", ".I", ". I")]
    assert [t for t, _, _ in flags_of("Le ministre a parlé of the meeting hier soir.")] == [
        "english_leak"
    ]
    assert [t for t, _, _ in flags_of("Il a dit « bonjour ” et il est parti.")] == [
        "quote_mismatch"
    ]


def test_qui_before_a_new_subject_is_repaired_to_que() -> None:
    garbled = "Un rapport de Sky News qui La Russie aurait donné des armes à l’Iran."
    assert ("qui_subject", "qui La", "que la") in flags_of(garbled)
    assert (
        repair(garbled).text
        == "Un rapport de Sky News que la Russie aurait donné des armes à l’Iran."
    )
    assert repair("ce qui Le Monde a publié").text == "ce que Le Monde a publié"  # a name
    # "qui" after a preposition is its object, and a lower-case word after the article is no
    # new subject: only the stray capital is flagged, and nothing is repaired
    for text in ("La lettre à qui La Poste a répondu.", "Il voit celle qui La regarde."):
        assert "qui_subject" not in [t for t, _, _ in flags_of(text)]
        assert repair(text).text == text


def test_quote_repairs_keep_or_unify_the_style() -> None:
    # a closing mark that opens becomes the opening mark of its style
    assert repair("Il l’a dit d’”encourageante” hier.").text == "Il l’a dit d’“encourageante” hier."
    # styles mixed in a sentence become French marks, with one space inside, the opener too
    mixed = "Il a dit « bonjour ” puis d’”encourageante” aussi."
    assert repair(mixed).text == "Il a dit « bonjour » puis d’« encourageante » aussi."


def test_english_compound_with_two_articles_is_reordered() -> None:
    garbled = "Mais le OTAN Le secrétaire général a déclaré qu'il était trop tôt."
    # one flag for the one error: the elision and the capital inside it are not repeated
    assert flags_of(garbled) == [
        ("article_compound", "le OTAN Le secrétaire général", "le secrétaire général de l'OTAN")
    ]
    assert (
        repair(garbled).text
        == "Mais le secrétaire général de l'OTAN a déclaré qu'il était trop tôt."
    )
    cases = {
        "Hier le FBI Le directeur a parlé.": "Hier le directeur du FBI a parlé.",
        "Hier la BCE La présidente a parlé.": "Hier la présidente de la BCE a parlé.",
        "Il a vu les NHS Les bénévoles.": "Il a vu les bénévoles des NHS.",
        "Avec l'ONU L'assemblée générale a voté.": "Avec l'assemblée générale de l'ONU a voté.",
        # an adjective before the noun; a participle with its complement stays out
        "Ensuite le PTA Le premier président est venu.": "Ensuite le premier président du PTA est venu.",
        "Voir la FED La création destinée à éviter.": "Voir la création de la FED destinée à éviter.",
        # at the start of a sentence the fix starts with a capital, elsewhere not
        "Le OTAN Le secrétaire général a dit non.": "Le secrétaire général de l'OTAN a dit non.",
        "Mais Le OTAN Le chef a dit non.": "Mais le chef de l'OTAN a dit non.",
    }
    for text, fixed in cases.items():
        assert repair(text).text == fixed
    # a capitalised noun after the article ("le ONU Le Conseil de sécurité") is left to the
    # stray-capital flag: where its name ends is not known
    assert "article_compound" not in [
        t for t, _, _ in flags_of("le ONU Le Conseil de sécurité a voté.")
    ]


def test_names_and_clean_text_are_not_flagged() -> None:
    for clean in (
        "Selon M. Zelensky, Bunagana et Sunak ont parlé à Stoltenberg mardi.",
        "Marine Le Pen et Bill De Blasio se sont rencontrés à La Haye.",
        "Nous nous sommes vus à l'hôpital, puis le héros est parti.",
        "Il a gagné 3,5 millions d'euros en 2022, selon le journal.",
    ):
        rep = check_sentence(clean)
        assert not rep.flagged and rep.flags == [], (clean, rep.flags)


def test_non_french_reports_the_language() -> None:
    rep = check_sentence("The quick brown fox jumps over the lazy dog near the river bank.")
    assert rep.language == "en" and rep.flags == [] and not rep.flagged


def test_repair_sample() -> None:
    fixed = repair(SAMPLE.read_text(encoding="utf-8"))
    assert fixed.metadata == "date 2022-11"
    assert "Kherson sous le feu" in fixed.text and "Khersonsous" not in fixed.text
    assert "Mais le secrétaire général de l’OTAN a déclaré" in fixed.text
    assert "d'“encourageante”" in fixed.text  # the opening mark of the article's own style
    assert "Sky News que la Russie aurait donné" in fixed.text
    assert not fixed.text.lstrip().startswith("date")
    assert {c.type for c in fixed.changes} == {
        "metadata",
        "merged_token",
        "article_compound",
        "quote_mismatch",
        "qui_subject",
    }
    assert mt.garble.repair("Texte propre.").changes == []


def test_garble_score_is_combined_and_bounded() -> None:
    one = check_sentence("Il a vu les les soldats.").garble_score
    two = check_sentence("Il a vu les les soldats de ukrainiens.").garble_score
    assert 0 < one < two <= 1


def test_one_megabyte_line_is_linear() -> None:
    base = SAMPLE.read_text(encoding="utf-8").replace("\n", " ").replace(".", ",")
    line = (base * 400)[:1_000_000]
    start = time.perf_counter()
    reports = check(line, segmented=True)
    assert len(reports) == 1 and reports[0].end == 1_000_000
    assert time.perf_counter() - start < 20


def test_a_huge_token_is_not_split_or_cached() -> None:
    import mt.text.lexicon

    flagged = [f.type for r in check("Ils ont quitté Khersonsous le feu.") for f in r.flags]
    assert "merged_token" in flagged
    long = "Khersonsous" + "x" * 45  # longer than any two words glued together
    assert "merged_token" not in [f.type for r in check(f"Ils ont quitté {long}.") for f in r.flags]
    # trying every split of a very long token would cache every prefix and suffix
    before = mt.text.lexicon._zipf.cache_info().currsize
    [report] = check("a" * 20_000)
    assert report.end == 20_000
    assert mt.text.lexicon._zipf.cache_info().currsize - before < 10


def test_check_cli_jsonl_and_text() -> None:
    res = run("check", str(SAMPLE), "--format", "jsonl")
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.decode().splitlines()]
    assert len(rows) == 19
    assert set(rows[0]) == {
        "index",
        "text",
        "garble_score",
        "flagged",
        "flags",
        "language",
        "start",
        "end",
        "model_logprob",
    }
    flag = rows[1]["flags"][0]
    assert set(flag) == {
        "type",
        "start",
        "end",
        "text",
        "reason",
        "confidence",
        "suggestion",
        "html",
    }
    assert flag["type"] == "merged_token" and flag["suggestion"] == "Kherson sous"

    res = run("check", "-", stdin=b"Il a vu les les soldats.")
    out = res.stdout.decode()
    assert "[[les les]]" in out and "duplicate_word" in out and "FLAGGED" in out


def test_check_cli_segmented_and_repair() -> None:
    res = run("check", "--segmented", "--format", "jsonl", stdin=b"Un. Deux.\n\nde ukrainiens\n")
    rows = [json.loads(line) for line in res.stdout.decode().splitlines()]
    assert [r["text"] for r in rows] == ["Un. Deux.", "", "de ukrainiens"]
    res = run("check", "--repair", stdin="Il est à Khersonsous le feu.".encode())
    assert res.stdout.decode() == "Il est à Kherson sous le feu."
    assert "merged_token" in res.stderr.decode()


@pytest.mark.parametrize("stdin", [b"", b"   \n"])
def test_check_cli_empty(stdin: bytes) -> None:
    res = run("check", "-", stdin=stdin)
    assert res.returncode == 0 and res.stdout == b""


def test_translate_with_repair_keeps_metadata(tiny_model) -> None:  # type: ignore[no-untyped-def]
    res = run("translate", str(SAMPLE), "--repair", "--model", str(tiny_model), "--beam", "1")
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode().startswith(" date 2022-11 ")


def test_word_order_from_the_bigram_model() -> None:
    from mt.garble.word_order import swap_gains
    from mt.text import lm

    assert lm.available()
    words = "il est tôt trop pour tirer des conclusions".split()
    assert swap_gains(words, [2])[0] > 5  # "tôt trop" -> "trop tôt"
    assert swap_gains("il est trop tôt pour tirer".split(), [2])[0] < 0
    assert flags_of("Il est tôt trop pour tirer des conclusions.") == [
        ("word_order", "tôt trop", "trop tôt")
    ]


@pytest.mark.parametrize(
    ("clean", "swapped", "pair"),
    [
        (
            "Le gouvernement a annoncé une réforme des retraites.",
            "Le gouvernement annoncé a une réforme des retraites.",
            "annoncé a",
        ),
        (
            "Les élèves sont rentrés chez eux après les cours.",
            "Les élèves sont rentrés eux chez après les cours.",
            "eux chez",
        ),
        (
            "Il faut que les entreprises investissent davantage.",
            "Il faut les que entreprises investissent davantage.",
            "les que",
        ),
        (
            "Nous avons rencontré le maire de la commune.",
            "Nous avons rencontré le maire la de commune.",
            "la de",
        ),
    ],
)
def test_swapped_neighbours_are_found_and_the_clean_order_is_not(
    clean: str, swapped: str, pair: str
) -> None:
    from mt.garble.word_order import detect

    assert detect(clean) == []
    at = swapped.index(pair)
    assert any(f.start < at + len(pair) and at < f.end for f in detect(swapped))


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("Il est né dans le Dorset but il a grandi à Wells.", "but"),
        ("Vous avez raison, but cela ne changera rien.", "but"),
        ("Le gouvernement a annoncé new mesures pour les ménages.", "new"),
        ("Il faut deux or trois jours pour répondre.", "or"),
    ],
)
def test_a_word_of_both_languages_is_english_where_french_never_puts_it(
    text: str, english: str
) -> None:
    rep = check_sentence(text)
    assert rep.flagged
    assert [f.text for f in rep.flags if f.type == "english_leak"] == [english]


def test_the_same_words_where_french_uses_them_are_not_english() -> None:
    for clean in (
        "Le but de la réforme est de réduire les dépenses.",
        "Ils ont agi dans le but de protéger les civils.",
        "Le gardien de but a arrêté le tir.",
        "Il a vendu son or et ses bijoux.",
        "Elle vit à New York depuis dix ans.",
        "Les prix ont augmenté de 3 % en un an.",
    ):
        assert "english_leak" not in [t for t, _, _ in flags_of(clean)], clean


def test_the_swap_classifier_reads_the_table_as_training_saw_it() -> None:
    import numpy as np

    from mt.garble.word_order import FEATURES, candidates
    from mt.text import lm

    # a bigram count read back through quantisation gives the same stored value
    found = lm.log_counts([("de", "la"), ("trop", "tôt"), ("tôt", "trop")])
    assert np.array_equal(lm.quantised(np.rint(np.expm1(found))), found)
    assert found[0] > found[1] > found[2] == 0.0
    # only pairs whose swap the table prefers are asked about, with every feature
    words = "il est tôt trop pour tirer des conclusions".split()
    kept, x = candidates(words, range(len(words) - 1))
    assert 2 in kept and x.shape == (len(kept), len(FEATURES))
    assert candidates("il est trop tôt pour tirer".split(), [2])[0] == []


@given(
    st.lists(
        st.sampled_from(["le", "la", "mois", "Été", "été", "çà", "ŒUVRE", "l'", "x1", "ß", "łódź"])
        | st.text(alphabet="aéZ-’' ,.", max_size=4),
        max_size=12,
    ).map(lambda parts: " ".join(parts))
)
@settings(max_examples=200, deadline=None)
def test_swappable_pairs_are_the_lowercase_neighbours_one_space_apart(text: str) -> None:
    from mt.garble.base import WORD
    from mt.garble.word_order import swap_probabilities, swappable

    matches = list(WORD.finditer(text))
    expected = [
        i
        for i in range(len(matches) - 1)
        if text[matches[i].end() : matches[i + 1].start()] == " "
        and matches[i].group().islower()
        and matches[i + 1].group().islower()
        and matches[i].group() != matches[i + 1].group()
    ]
    assert swappable(text, matches) == expected
    for start, end, p in swap_probabilities(text):
        assert 0.0 <= p <= 1.0 and text[start:end].count(" ") == 1


def test_check_with_a_model_adds_its_score(tiny_model) -> None:  # type: ignore[no-untyped-def]
    from mt.translate import Translator

    reports = check(
        "Le chat dort.\n\nIl a vu les les soldats.", translator=Translator(tiny_model, beam=1)
    )
    assert [r.model_logprob is not None and r.model_logprob < 0 for r in reports] == [True, True]
    assert check("Le chat dort.")[0].model_logprob is None
    res = run("check", "-", "--model", str(tiny_model), stdin=b"Le chat dort.")
    assert res.returncode == 0 and "model log-prob -" in res.stdout.decode()


def _unbalanced(reports: list) -> list[tuple[int, str]]:  # type: ignore[type-arg]
    return [
        (r.index, f.text)
        for r in reports
        for f in r.flags
        if f.reason == "unbalanced quotation marks"
    ]


def test_quote_balance_is_judged_over_the_paragraph() -> None:
    # a quote over two sentences, and one left open because the next paragraph goes on with it
    text = (
        "« Nous devons attendre. Ils ont perdu leur élan. » Il a ensuite quitté la salle.\n\n"
        "“Cela fait partie d’un schéma général. Ils ont cédé du territoire.\n\n"
        "“Mais nous ne devons pas sous-estimer la Russie. Elle peut encore frapper.”\n"
    )
    reports = check(text)
    assert _unbalanced(reports) == []
    assert all(r.garble_score == 0.0 for r in reports)
    # alone, a sentence of such a quote cannot tell
    assert _unbalanced([check_sentence("Elle peut encore frapper.”")]) == [(0, "”")]
    # segmented input: a blank line ends a paragraph as in running text
    lines = "“Nous devons attendre.\nIls ont perdu.”\n\nIl est parti.\n"
    assert _unbalanced(check(lines, segmented=True)) == []


def test_quotes_left_unmatched_in_their_paragraph_are_flagged() -> None:
    text = (
        "Il a dit qu’ils partiront. Ils ont perdu.» La guerre continue.\n\n"
        "“Nous devons attendre. Il est trop tôt.\n\n"
        "La réunion a eu lieu mercredi.\n\n"
        "« À un moment donné, cette guerre se terminera.\n"
    )
    reports = check(text)
    # a closing mark with no opening one; a quote that neither closes nor runs on (twice)
    assert _unbalanced(reports) == [(1, "»"), (3, "“"), (6, "«")]
    assert all(r.garble_score == 0.35 for r in reports if r.index in (1, 3, 6))


def test_sample_quotes_over_sentences_are_not_garble() -> None:
    reports = check(SAMPLE.read_text(encoding="utf-8"))
    # the sample's quotes run over sentences and paragraphs; only the last, which the
    # article leaves open, is unmatched
    assert _unbalanced(reports) == [(17, "«")]
    assert reports[9].garble_score == 0.0  # 'Cela montre … à l’Ukraine.”' closes a quote


# Each class of damage that text from other sources showed, in its general form: every shape of
# it flags the sentence on its own (calibrated confidence over the threshold), and the repair
# gives the clean sentence back where the fix is certain.
@pytest.mark.parametrize("left", ["”", "“", "«", '"'])
@pytest.mark.parametrize("right", ["”", "“", "»", '"'])
def test_a_quote_with_marks_of_the_wrong_kind_or_of_two_kinds(left: str, right: str) -> None:
    text = f"Il a qualifié la réforme de {left}nécessaire et urgente{right} devant les députés."
    proper = (left, right) in {("“", "”"), ("«", "»"), ('"', '"')}
    report = check_sentence(text)
    assert report.flagged is not proper, report.flags
    if not proper:
        flag = next(f for f in report.flags if f.type == "quote_mismatch")
        assert flag.confidence >= mt.garble.FLAG_THRESHOLD and flag.text in (left, right)


def test_quotes_nested_or_spaced_as_french_writes_them_are_clean() -> None:
    for text in (
        "« Il m'a dit “je ne reviendrai pas”, puis il est parti », raconte sa sœur.",
        'Il parle d\'une « crise sans précédent » et du mot "résilience".',
        "« Nous n'avons pas le choix », a déclaré le porte-parole.",
    ):
        assert not check_sentence(text).flags, text


@pytest.mark.parametrize("mark", [",", ";", ":", "»", "%", ")"])
@pytest.mark.parametrize("word", ["selon", "à", "s'est", "écrit", "l'entreprise", "a-t-il"])
def test_punctuation_glued_to_any_word_is_a_missing_space(mark: str, word: str) -> None:
    before = {
        "»": "« Nous resterons unis »",
        "%": "Il a obtenu 12 %",
        ")": "Le rapport (publié mardi)",
    }
    text = f"{before.get(mark, 'Les prix ont augmenté le mois dernier')}{mark}{word} la presse."
    report = check_sentence(text)
    assert report.flagged and any(f.type == "missing_space" for f in report.flags), text
    assert repair(text).text == text.replace(f"{mark}{word}", f"{mark} {word}")


def test_parenthesised_endings_times_and_addresses_are_not_missing_spaces() -> None:
    for text in (
        "Les ami(e)s et collègue(s) présent(e)s ont applaudi.",
        "Le train part à 14:30 et le site est https://www.insee.fr/fr/statistiques.",
        "Le taux est de 3,5 % cette année.",
    ):
        assert not any(f.type == "missing_space" for f in check_sentence(text).flags), text


@pytest.mark.parametrize(
    "broken, fixed",
    [
        ("le homme", "l'homme"),
        ("La armée", "L'armée"),
        ("que il", "qu'il"),
        ("ne a", "n'a"),
        ("l' homme", None),  # spaced apart: flagged
        ("l homme", None),  # the apostrophe lost: flagged, less sure, not repaired
        ("qu on", None),
    ],
)
def test_broken_elisions_undone_spaced_or_without_apostrophe(
    broken: str, fixed: str | None
) -> None:
    text = f"Selon lui, {broken} était parti avant la fin."
    report = check_sentence(text)
    assert report.flagged and any(f.type == "bad_elision" for f in report.flags), text
    if fixed:
        assert repair(text).text == text.replace(broken, fixed)


def test_what_never_elides_is_not_a_broken_elision() -> None:
    for text in (
        "La ou les personnes responsables devront répondre de leurs actes.",
        "Le ou la candidate retenue prendra ses fonctions.",
        "C'est ce à quoi Washington s'est opposé.",
        "La une du journal montrait le onze de départ.",
        "Il fait 0°C en hiver et le mât mesure 100 m au-dessus du pont.",
        "Le UKIP a perdu son dernier siège.",
    ):
        assert not any(f.type == "bad_elision" for f in check_sentence(text).flags), text


@pytest.mark.parametrize(
    "glued, split",
    [
        ("AlfredHitchcock", "Alfred Hitchcock"),
        ("avecles", "avec les"),
        ("contreles", "contre les"),
        ("Nobelde", "Nobel de"),
        ("prochaincycle", "prochain cycle"),
    ],
)
def test_words_glued_at_a_link_edge(glued: str, split: str) -> None:
    text = f"Il en a parlé {glued} hier soir."
    report = check_sentence(text)
    assert report.flagged and ("merged_token", glued, split) in flags_of(text)


def test_brands_compounds_and_legal_words_are_not_glued_words() -> None:
    for text in (
        "Il a publié la vidéo sur YouTube depuis son iPhone.",
        "Les Européens se sont entretués pendant la guerre.",
        "Ladite société a contesté la décision.",
    ):
        assert not any(f.type == "merged_token" for f in check_sentence(text).flags), text


@pytest.mark.parametrize("article", ["La", "Les", "Une", "Son", "Du"])
def test_a_capitalised_determiner_mid_sentence(article: str) -> None:
    text = f"Les experts estiment que {article} situation reste très tendue."
    assert ("stray_capital", article, article.lower()) in flags_of(text)
    assert check_sentence(text).flagged


def test_titles_and_names_keep_their_capitals() -> None:
    for text in (
        "Le film Les Misérables a reçu quatre nominations.",
        "Le quotidien Le Monde a publié l'entretien.",
        "Kim Jong Un a parlé à la télévision.",
        "Le rapport de l'Institute for Fiscal Studies est attendu jeudi.",
        "Le quotidien The Times of India a publié l'entretien.",
    ):
        assert not check_sentence(text).flagged, (text, check_sentence(text).flags)


def test_flag_confidences_are_calibrated_probabilities() -> None:
    from mt.garble.check import detector_flags

    text = "Les prix ont augmenté le mois dernier,à la surprise des analystes."
    raw = detector_flags(text)
    calibrated = check_sentence(text).flags
    assert raw is not None and [f.type for f in raw] == [f.type for f in calibrated]
    # the calibration table is monotone in the detector's own confidence, within (0, 1)
    from mt.garble.calibration import _table

    for xs, ys in _table().values():
        assert xs == sorted(xs) and ys == sorted(ys) and all(0 < y < 1 for y in ys)
