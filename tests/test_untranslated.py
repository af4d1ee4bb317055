import re
from pathlib import Path

import pytest

from mt.score import score_sentence
from mt.translate import Translator
from mt.translate.untranslated import find, fix

from .conftest import biased_model
from .test_cli import run


def test_fix_replaces_copied_french_words_the_table_knows_and_keeps_their_case() -> None:
    text, found = fix(
        "Moscou a ordonné le retrait avant le tournoi.",
        "Moscou ordered the withdrawal before the tournoi.",
    )
    assert text == "Moscow ordered the withdrawal before the tournament."
    assert [(u.word, u.replacement) for u in found] == [
        ("Moscou", "Moscow"),
        ("tournoi", "tournament"),
    ]
    # offsets point into the returned text
    assert [text[u.start : u.end] for u in found] == ["Moscow", "tournament"]
    assert fix("TOURNOI ANNULÉ", "TOURNOI CANCELLED")[0] == "TOURNAMENT CANCELLED"
    # a common word opening the sentence is capitalised by position, not a name
    assert fix("Tournoi annulé.", "Tournoi cancelled.")[0] == "Tournament cancelled."


def test_fix_replaces_a_french_title_copied_before_a_name() -> None:
    text, found = fix(
        "Mme Merkel a reçu M. Stoltenberg à Moscou.",
        "Mme Merkel received M. Stoltenberg in Moscou.",
    )
    assert text == "Mrs Merkel received Mr Stoltenberg in Moscow."
    assert [(u.word, text[u.start : u.end]) for u in found] == [
        ("Mme", "Mrs"),
        ("M.", "Mr"),
        ("Moscou", "Moscow"),
    ]
    assert fix("Mlle Dupont chante.", "Mlle Dupont sings.")[0] == "Miss Dupont sings."
    assert fix("M.\u00a0Dupont part.", "M. Dupont leaves.")[0] == "Mr Dupont leaves."
    # not a title: no name after it, glued to the name, or not in the source
    for source, english in [
        ("Il a vu Mme.", "He saw Mme."),
        ("M. Dupont part.", "M.Dupont leaves."),
        ("Le film de Night.", "M. Night's film."),
        ("MM. Dupont et Durand.", "MM. Dupont and Durand."),
    ]:
        assert find(source, english) == [] and fix(source, english)[0] == english


def test_find_leaves_names_english_words_and_words_the_source_lacks() -> None:
    # capitalised inside the sentence and no English name for it: a surname, kept and not flagged
    assert find("Nous avons vu M. Marteau hier.", "We saw Mr Marteau yesterday.") == []
    # a rare capitalised word opening the sentence is a name too; a common one is a copy
    assert find("Modiano a écrit.", "Modiano wrote.") == []
    assert [u.word for u in find("Arrestation à Lyon.", "Arrestation in Lyon.")] == ["Arrestation"]
    # the model wrote a French-looking word that is not in the source: not a copy
    assert find("Il fait froid.", "The tournoi is cold.") == []
    # English words are never flagged, even when the source has them too
    assert find("Le budget de la police.", "The police budget.") == []
    # copied, but the table is not sure of its English: flagged, left as it is
    [u] = find("Le verglas a fermé la route.", "The verglas closed the road.")
    assert (u.word, u.start, u.end, u.replacement) == ("verglas", 4, 11, None)
    assert fix("Le verglas a fermé la route.", "The verglas closed the road.")[0] == (
        "The verglas closed the road."
    )


def test_score_flags_each_word_left_untranslated_with_its_place() -> None:
    source = "Le verglas a fermé la route."
    kept = score_sentence(source, "The verglas closed the road.", logprob=-0.3, garble_score=0.0)
    clean = score_sentence(source, "The ice closed the road.", logprob=-0.3, garble_score=0.0)
    assert kept.signals["untranslated_words"] == 1
    assert "untranslated French word 'verglas' (characters 4-11)" in kept.reasons
    assert clean.signals["untranslated_words"] == 0
    assert kept.quality < clean.quality


@pytest.fixture(scope="module")
def copying_model(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # a decoder that keeps writing "Russie", as an undertrained model copies a word it lacks
    return biased_model(tiny_model, tmp_path_factory.mktemp("copy") / "model", "▁Russie")


def test_translator_replaces_copies_unless_told_to_keep_them(copying_model: Path) -> None:
    fixed = Translator(copying_model).translate("La Russie a perdu.")
    kept = Translator(copying_model, fix_untranslated=False).translate("La Russie a perdu.")
    assert re.search(r"\bRussie\b", kept) and not re.search(r"\bRussia\b", kept)
    assert re.search(r"\bRussia\b", fixed) and not re.search(r"\bRussie\b", fixed)
    assert (
        Translator(copying_model).settings_key
        != Translator(copying_model, fix_untranslated=False).settings_key
    )


def test_cli_keep_untranslated(copying_model: Path) -> None:
    args = ("translate", "--model", str(copying_model))
    fixed = run(*args, stdin=b"La Russie a perdu.")
    kept = run(*args, "--keep-untranslated", stdin=b"La Russie a perdu.")
    assert fixed.returncode == kept.returncode == 0
    assert b"Russia" in fixed.stdout and b"Russie " not in fixed.stdout
    assert b"Russie " in kept.stdout


def test_report_and_dashboard_data_mark_the_kept_words(copying_model: Path, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from mt.pipeline import run_document
    from mt.report import html_report
    from mt.server import create_app
    from mt.store import Store

    tr = Translator(copying_model, beam=1, fix_untranslated=False)
    doc = run_document("La Russie a perdu.", tr, name="kept.txt")
    [sent] = doc.sentences
    page = html_report(doc.to_dict())
    assert (
        '<mark class="flag untranslated" title="untranslated: French word left untranslated' in page
    )
    assert "→ Russia" in page

    db = tmp_path / "results.db"
    store = Store(db)
    doc_id = store.add_result(store.new_run({}), doc)
    store.close()
    served = TestClient(create_app(db, model=str(copying_model))).get(f"/v1/documents/{doc_id}")
    marks = served.json()["sentences"][0]["translation_flags"]
    # the copying model is unsure of its output: the words it found unlikely are marked too
    assert {f["type"] for f in marks} <= {"untranslated", "unlikely"}
    flags = [f for f in marks if f["type"] == "untranslated"]
    assert flags and all(sent.translation[f["start"] : f["end"]] == "Russie" for f in flags)
    assert {f["suggestion"] for f in flags} == {"Russia"}
