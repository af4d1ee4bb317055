"""Reference-free checks of a translation against its source: lost content, made-up words."""

from __future__ import annotations

from pathlib import Path

from mt.pipeline import DocumentResult, SentenceResult, summarise
from mt.report import html_report
from mt.score import Calibration, score_sentence, source_marks, translation_marks
from mt.score.coverage import coverage
from mt.score.invented import invented

SOURCE = "Les troupes ont quitté la ville sous le feu des forces ukrainiennes."
FULL = "The troops left the city under fire from Ukrainian forces."
LOST = "The troops left the city under Ukrainian forces."
CAL = Calibration(-0.642, 9.949)


def test_a_complete_translation_covers_its_source() -> None:
    full = coverage(SOURCE, FULL)
    assert full.share == 1.0 and full.missing == []


def test_a_lost_word_is_named_with_its_place_in_the_source() -> None:
    lost = coverage(SOURCE, LOST)
    assert [m.word for m in lost.missing] == ["feu"]
    [m] = lost.missing
    assert SOURCE[m.start : m.end] == "feu"
    assert 0 < lost.share < 1


def test_numbers_meet_across_decimal_marks_and_common_words_are_not_judged() -> None:
    assert coverage("Il a fait 7,5 millions.", "He made 7.5 million.").missing == []
    assert [m.word for m in coverage("Il a fait 7,5 millions.", "He made 8 million.").missing] == [
        "7,5"
    ]
    assert coverage("Il fait bien.", "Okay.").share == 1.0  # nothing judged: "fait", "bien"


def test_one_judged_word_without_a_table_entry_does_not_decide_the_score() -> None:
    # "bonjour" has no entry to meet "Good morning": a share of 0 from one word says little
    one = coverage("Bonjour.", "Good morning.")
    assert one.share == 0.0 and one.judged == 1
    hello = score_sentence(
        "Bonjour.", "Good morning.", logprob=-0.3, garble_score=0.0, calibration=CAL
    )
    assert hello.quality > 0.5 and not hello.flagged and hello.reasons == []
    assert source_marks("Bonjour.", "Good morning.") == []
    # two judged words, both lost, still count
    lost = score_sentence(
        "Le sauveur nucléaire.", "The bail.", logprob=-0.3, garble_score=0.0, calibration=CAL
    )
    assert lost.signals["coverage"] == 0.0 and lost.flagged
    assert any(r.startswith("French words with no counterpart found") for r in lost.reasons)


def test_invented_words_are_neither_english_nor_copied_nor_names() -> None:
    source = "L'Iran craignait de désosser les armes, selon Stoltenberg."
    translation = "Iran was afraid to deocate the weapons, according to Stoltenberg and Kherson."
    [word] = invented(source, translation)
    assert word.word == "deocate" and translation[word.start : word.end] == "deocate"
    assert invented("Il a vu le Kremlin.", "He saw the Kremlin.") == []
    # the first word counts when only its place capitalises it; names and known words do not
    [first] = invented("Régulièrement.", "Regulately.")
    assert (first.word, first.start, first.end) == ("Regulately", 0, 10)
    assert [w.word for w in invented("Bonjour", "Bonjourn")] == ["Bonjourn"]
    assert invented("Le cas de Pattloch est différent.", "Pattloch's case is different.") == []
    assert invented("Stoltenberg a dit.", "Stoltenberg said.") == []
    assert invented("Moscou a ordonné.", "Moscow ordered.") == []
    assert invented("Il a vu Kherson.", "Kherson's streets, the Kremlin's walls.") == []


def test_the_score_names_lost_content_and_made_up_words() -> None:
    source = "Le chef de l'alliance militaire craignait une guerre nucléaire longue et coûteuse."
    complete = "The head of the military alliance feared a long and costly nuclear war."
    half = "The head of the alliance was afraid."
    full = score_sentence(source, complete, logprob=-0.4, garble_score=0.0, calibration=CAL)
    cut = score_sentence(source, half, logprob=-0.4, garble_score=0.0, calibration=CAL)
    assert full.signals["coverage"] == 1.0 and not full.reasons
    assert cut.signals["coverage"] < 0.5 and cut.quality < full.quality
    [reason] = [r for r in cut.reasons if r.startswith("French words with no counterpart found")]
    assert "'nucléaire' (" in reason and "'guerre' (" in reason

    made_up = score_sentence(
        "Il veut désosser les armes.",
        "He wants to deocate the weapons.",
        logprob=-0.4,
        garble_score=0.0,
        calibration=CAL,
    )
    assert made_up.signals["invented_words"] == 1
    assert "invented word 'deocate' (characters 12-19)" in made_up.reasons


def test_a_flagged_sentence_always_has_a_reason() -> None:
    # neither the garble score nor the model's confidence fails alone; together they flag
    score = score_sentence(
        "Cela montre que la Russie peut encore frapper l'Ukraine.”",
        "This shows that Russia can still strike Ukraine.",
        logprob=-0.61,
        garble_score=0.35,
        calibration=CAL,
    )
    assert score.flagged
    assert score.reasons == [
        "several weaker signals together: model confidence (log-prob -0.61), garbled source (0.35)"
    ]


def test_reports_mark_made_up_words_in_the_english() -> None:
    source, translation = "Il veut désosser les armes.", "He wants to deocate the weapons."
    [mark] = translation_marks(source, translation)
    assert mark["type"] == "invented" and translation[mark["start"] : mark["end"]] == "deocate"
    sentence = {
        "index": 0,
        "quality": 0.4,
        "flagged": True,
        "source": source,
        "repaired": source,
        "translation": translation,
        "flags": [],
        "reasons": ["invented word 'deocate' (characters 12-19)"],
        "reference": None,
    }
    page = html_report({"name": "doc", "summary": {}, "sentences": [sentence]})
    assert '<mark class="flag invented" title="invented: not an English word' in page


def test_reports_and_the_dashboard_mark_lost_french_words(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from mt.server import create_app
    from mt.store import Store

    source = "Le chef de l'alliance militaire craignait une guerre nucléaire longue et coûteuse."
    translation = "The head of the alliance was afraid."
    marks = source_marks(source, translation)
    assert {m["type"] for m in marks} == {"lost"}
    assert {source[m["start"] : m["end"]] for m in marks} >= {"guerre", "nucléaire"}
    assert (
        source_marks(source, "The head of the military alliance feared a long nuclear war.") == []
    )
    sentence = {
        "index": 0,
        "quality": 0.3,
        "flagged": True,
        "source": source,
        "repaired": source,
        "translation": translation,
        "flags": [],
        "reasons": [],
        "reference": None,
    }
    page = html_report({"name": "doc", "summary": {}, "sentences": [sentence]})
    assert '<mark class="flag lost" title="lost: no counterpart found in the translation' in page

    # the service derives the same marks from what is stored
    sentences = [
        SentenceResult(
            index=0,
            paragraph=0,
            source=source,
            repaired=source,
            translation=translation,
            reference=None,
            logprob=-0.4,
            garble_score=0.0,
            quality=0.3,
            flagged=True,
            reasons=[],
            flags=[],
            metrics={},
        )
    ]
    doc = DocumentResult("lost.txt", None, sentences, summarise(sentences))
    store = Store(tmp_path / "results.db")
    doc_id = store.add_result(store.new_run({}), doc)
    store.close()
    served = TestClient(create_app(tmp_path / "results.db")).get(f"/v1/documents/{doc_id}")
    assert served.json()["sentences"][0]["source_flags"] == marks


def test_with_a_reference_the_combined_reason_names_its_chrf() -> None:
    score = score_sentence(
        "Cela montre que la Russie peut encore frapper l'Ukraine.",
        "This shows that Russia can still strike Ukraine.",
        logprob=-0.55,
        garble_score=0.2,
        reference_scores={"chrf": 0.32, "bleu": 10.0},
        calibration=CAL,
    )
    assert score.flagged
    [reason] = score.reasons
    assert reason.startswith("several weaker signals together: chrF 0.32 against the reference")


def test_lost_marks_follow_the_repaired_text_back_onto_the_source() -> None:
    # a metadata prefix split off and a merged token split: the score judged the repaired text
    source = (
        " date 2022-11 Moscou a retiré ses troupes de Khersonsous le feu des forces ukrainiennes."
    )
    repaired = "Moscou a retiré ses troupes de Kherson sous le feu des forces ukrainiennes."
    translation = "Moscow withdrew."
    marks = source_marks(source, translation, repaired)
    expected = [m.word for m in coverage(repaired, translation).missing]
    assert [m["text"] for m in marks] == expected and "Kherson" in expected
    for m in marks:
        assert source[m["start"] : m["end"]] == m["text"]
    kherson = next(m for m in marks if m["text"] == "Kherson")
    assert source[kherson["start"] : kherson["end"] + 4] == "Khersonsous"
    # judged on the stored source alone, the merged token is one unknown word and the offsets
    # are the source's own: the two readings differ, which is why the repaired text is passed
    assert [m["text"] for m in source_marks(source, translation)] != expected
